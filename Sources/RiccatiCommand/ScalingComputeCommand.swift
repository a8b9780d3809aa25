import ArgumentParser
import Foundation
import Reports
import Riccati
import SGD
import ScalingLaws
import SweepPlans

struct ScalingComputeCommand: DistributableCommand {
    static let commandPath = "scaling compute"

    static let configuration = CommandConfiguration(
        commandName: "compute",
        abstract: "Online SGD for several widths: population risk against compute, its lower envelope and exponent.",
        discussion: """
            Compute after k steps is k·B·d·r_s multiply-adds (the forward pass, as in MODEL.md). The envelope is the \\
            minimum over widths on a log grid of compute values; its exponent is fitted after it first halves. \
            --activation relu, erf or hermite trains the 2-homogeneous student with that activation (riccati sgd's model).
            """)

    @Option(name: .customLong("d"), help: "Dimension d.") var dimension: Int = 256
    @Option(name: .customLong("r"), help: "Teacher width r.") var teacherWidth: Int = 192
    @Option var alpha: Double = 1
    @Option(help: "Student widths, comma-separated.") var widths: String = "4,8,16,32,64,128"
    @Option(help: "Batch size (default d, as in the paper's Figure 1(b)).") var batch: Int?
    @Option(help: "Learning rate η.") var lr: Double = 0.02
    @Option(name: .customLong("t-end"), help: "Final time T = ηK.") var finalTime: Double = 100
    @Option var sigma0: Double = 0.3
    @Option var seed: UInt64 = 0
    @Option(help: "Arithmetic of the simulation.") var precision: ArithmeticPrecision = .float
    @Option(name: .customLong("save-count"), help: "Log-spaced records per width.") var saveCount: Int = 60
    @Option(name: .customLong("grid-count"), help: "Points of the envelope grid.") var gridCount: Int = 200
    @Option(help: "Threads drawing the batches.") var threads: Int = 2
    @OptionGroup var activationOptions: ActivationOptions
    @Option(help: "Output format.") var format: ReportFormat = .table
    @Option(help: "Write the report to this file (atomically).") var output: String?
    @OptionGroup var artifacts: ArtifactOptions
    @OptionGroup var backendOptions: BackendOptions

    /// The flags of the library's parameters here (`studentWidth` is one of `--widths`).
    static let flags = ParameterFlags(["studentWidth": "--widths", "count": "--save-count", "batchSize": "--batch", "saveSteps": "--save-count"])

    /// Everything a run needs, validated: the base configuration, the widths and the output destinations.
    struct Prepared {
        var base: SGDConfiguration
        var widths: [Int]
        var destination: ReportDestination
        var arrays: ArrayDirectory?
        var plotDestination: PlotDestination?
    }

    /// Validates every flag and every width's configuration (exit code 2 on bad input) before any work.
    func prepare() throws -> Prepared {
        let destination = try ReportDestination(path: output)
        let (arrays, plotDestination) = try artifacts.validate()
        try InputChecks.distinct(output: output, plot: artifacts.plot)
        guard dimension >= 2, dimension <= 100_000_000 else { throw CommandFailure.badInput("--d must be a whole number in [2, 1e8] for SGD, got \(dimension)") }
        guard teacherWidth >= 1, teacherWidth <= 100_000 else {
            throw CommandFailure.badInput("--r (teacher width) must be a positive integer ≤ 100000, got \(teacherWidth)")
        }
        guard teacherWidth < dimension else { throw CommandFailure.badInput("--d must exceed --r (the teacher width r < d), got --d \(dimension) and --r \(teacherWidth)") }
        let widthList = try parseList(widths, flag: "--widths") { (item) throws(CommandFailure) -> Int in
            let width = try parseWholeNumber(item, flag: "--widths")
            guard width >= 1, width <= dimension else {
                throw .badInput("--widths values (student widths r_s) must be positive integers ≤ --d = \(dimension), got '\(item)'")
            }
            guard Double(width) * Double(dimension) <= InputChecks.maximumMatrixEntries else {
                throw .badInput("--widths \(width) × --d \(dimension) exceeds 5e8 entries of W")
            }
            return width
        }
        guard lr.isFinite, lr > 0 else { throw CommandFailure.badInput("--lr must be finite and > 0, got \(lr)") }
        guard finalTime.isFinite, finalTime > 0 else { throw CommandFailure.badInput("--t-end must be finite and > 0, got \(finalTime)") }
        guard gridCount >= 2, gridCount <= 100_000 else { throw CommandFailure.badInput("--grid-count must lie in [2, 100000], got \(gridCount)") }
        guard threads >= 1, threads <= 256 else { throw CommandFailure.badInput("--threads must lie in [1, 256], got \(threads)") }
        try InputChecks.scale(sigma0, flag: "--sigma0")
        let stepCount = (finalTime / lr).rounded()
        guard stepCount >= 1, stepCount <= InputChecks.maximumSteps else {
            throw CommandFailure.badInput("--t-end/--lr gives \(stepCount) steps; need 1 … 1e9")
        }
        let steps = Int(stepCount)
        let activation = try activationOptions.make()
        var base: SGDConfiguration
        do {
            base = SGDConfiguration(spectrum: try .powerLaw(exponent: alpha, count: teacherWidth), dimension: dimension,
                                    studentWidth: widthList.max() ?? 1, batchSize: batch ?? dimension, learningRate: lr, steps: steps)
            base.sigma0 = sigma0
            base.seed = seed
            base.threads = threads
            base.activation = activation
            base.saveSteps = try SaveTimes.logSpaced(count: saveCount, finalTime: finalTime).map { Swift.min(steps, Int(($0 / lr).rounded())) }
            for width in widthList {
                var check = base
                check.studentWidth = width
                try check.validate()
            }
        } catch let error as SGDError {
            throw CommandFailure(error, flags: Self.flags)
        } catch let error as RiccatiError {
            throw CommandFailure(error, flags: Self.flags)
        } catch {
            throw CommandFailure.badInput("\(error)")
        }
        try MemoryChecks.compute(base, widths: widthList, arrays: arrays != nil, flags: Self.flags)
        // Each width's run keeps M and P at every record.
        try InputChecks.storage(saves: Set(base.saveSteps + [0, steps]).count,
                                doublesPerState: widthList.reduce(0.0) { $0 + Double($1) * Double(teacherWidth + $1) + Double(teacherWidth) })
        // The frontier spans the positive compute values k·B·d·r_s of the records (k > 0): it needs
        // two different ones, from two record steps or two widths.
        let recordSteps = Set(base.saveSteps + [steps]).filter { $0 > 0 }
        guard Set(recordSteps.flatMap { k in widthList.map { Double(k) * Double($0) } }).count >= 2 else {
            throw CommandFailure.badInput("--t-end/--lr gives \(steps) step(s) and --save-count \(saveCount) records with a single compute value "
                                          + "after step 0; the frontier needs two: raise --t-end or --save-count, or give two --widths")
        }
        return Prepared(base: base, widths: widthList, destination: destination, arrays: arrays, plotDestination: plotDestination)
    }

    func run() throws {
        if try runOnBackend() { return }
        let prepared = try prepare()
        let base = prepared.base, widthList = prepared.widths
        let frontier: ComputeFrontier
        do {
            switch precision {
            case .double: frontier = try ComputeFrontier.run(base: base, widths: widthList, gridCount: gridCount, precision: Double.self,
                                                             shouldStop: { Interruption.requested })
            case .float: frontier = try ComputeFrontier.run(base: base, widths: widthList, gridCount: gridCount, precision: Float.self,
                                                            shouldStop: { Interruption.requested })
            }
        } catch {
            if Interruption.requested {
                throw CommandFailure.interrupted("interrupted by \(Interruption.signalName) before two compute values were recorded; nothing was written")
            }
            throw CommandFailure(error, flags: Self.flags)
        }
        try write(frontier, prepared: prepared)
        if !frontier.completed {
            throw CommandFailure.interrupted("interrupted by \(Interruption.signalName): the outputs hold the \(frontier.curves.count) width(s) run so far")
        }
    }

    /// The report, `--npy-dir` and `--plot` of `frontier` (a local run's, or a Slurm sweep's merge).
    func write(_ frontier: ComputeFrontier, prepared: Prepared) throws {
        let report = ComputeReport(frontier: frontier, base: prepared.base, alpha: alpha, precision: precision)
        try prepared.arrays?.write(try CommandFailure.mapping { () throws(ReportError) in try report.arrays() }, config: report.configuration)
        if let plotDestination = prepared.plotDestination {
            try plotDestination.write(try CommandFailure.mapping(flag: "--plot") { () throws(ReportError) in try report.plot() })
        }
        try prepared.destination.write(report.text(format))
    }
}
