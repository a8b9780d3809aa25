import ArgumentParser
import Foundation
import Reports
import Riccati
import ScalingLaws
import SweepPlans

struct ScalingSweepCommand: DistributableCommand {
    static let commandPath = "scaling sweep"

    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Integrate a grid of configurations (exact propagator; dopri5 for other activations) and fit log-log risk slopes.",
        discussion: """
            Slopes are fitted over [T_a, T_b] (default a = 3, b = ⌊min(r, r_s)/4⌋, the predicted escape times of \\
            those ranks) on --save-count log-spaced times from T_1/10 to --t-end (default twice T_b). CSV is long \\
            format: alpha,r,rs,d,sigma0,seed,t,risk,riskAdditive. JSON: {"points": [...]} with alpha, r, rs, d, \\
            seed, window, fittedSlope, additiveSlope, asymptoticSlope.
            """)

    @Option(help: "Comma-separated exponents α.") var alphas: String = "1"
    @Option(name: .customLong("r"), help: "Teacher width(s) r, comma-separated.") var teacherWidths: String = "64"
    @Option(help: "Student widths r_s, comma-separated.") var widths: String = "64"
    @Option(help: "Dimensions d, comma-separated (scientific notation accepted).") var dims: String = "1e12"
    @Option(help: "Seeds, comma-separated.") var seeds: String = "0"
    @Option var sigma0: Double = 1
    @Flag(help: "Small-initialisation limit P0 = 0.") var smallInit = false
    @Option(help: "Grid points integrated in parallel (OpenBLAS single-threaded in each).") var jobs: Int = 1
    @Option(name: .customLong("t-end"), help: "Final time (default: twice the window's end).") var finalTime: Double?
    @Option(name: .customLong("save-count"), help: "Log-spaced save times per point.") var saveCount: Int = 200
    @Option(name: .customLong("window-ranks"), help: "Ranks a,b of the fit window [T_a, T_b], e.g. 3,16.") var windowRanks: String?
    @Option(help: "Factorisation in the exact propagator: lq (default; adaptive steps), cholesky or symmetricRoot.") var factorization: PropagatorFactorization = .lq
    @OptionGroup var activationOptions: ActivationOptions
    @Option(help: "Relative tolerance of dopri5 for a non-quadratic --activation (default 1e-6).") var rtol: Double?
    @Option(help: "Absolute tolerance of dopri5 for a non-quadratic --activation (default 1e-9).") var atol: Double?
    @Option(help: "Output format.") var format: ReportFormat = .table
    @Option(help: "Write the report to this file (atomically).") var output: String?
    @OptionGroup var artifacts: ArtifactOptions
    @OptionGroup var backendOptions: BackendOptions

    /// The flags of the library's parameters here (the grid's names are already its flags' names).
    static let flags = ParameterFlags(["studentWidth": "--widths", "dimension": "--dims", "teacherWidth": "--r", "exponent": "--alphas",
                                       "alpha": "--alphas", "seed": "--seeds", "saveCount": "--save-count"])

    /// Everything a run needs, validated: the sweep, its point count and the output destinations.
    struct Prepared {
        var sweep: ScalingSweep
        var pointCount: Int
        var destination: ReportDestination
        var arrays: ArrayDirectory?
        var plotDestination: PlotDestination?
    }

    /// Validates every flag and the whole grid (exit code 2 on bad input) before any work.
    func prepare() throws -> Prepared {
        let destination = try ReportDestination(path: output)
        let (arrays, plotDestination) = try artifacts.validate()
        try InputChecks.distinct(output: output, plot: artifacts.plot)
        var sweep = ScalingSweep(
            alphas: try parseList(alphas, flag: "--alphas") { (item) throws(CommandFailure) in
                let value = try parseReal(item, flag: "--alphas")
                guard value.isFinite, value >= 0 else { throw .badInput("--alphas values must be finite and ≥ 0, got '\(item)'") }
                return value
            },
            teacherWidths: try parseList(teacherWidths, flag: "--r") { (item) throws(CommandFailure) in
                let value = try parseWholeNumber(item, flag: "--r")
                guard value >= 1, value <= 100_000 else { throw .badInput("--r values (teacher widths) must be positive integers ≤ 100000, got '\(item)'") }
                return value
            },
            studentWidths: try parseList(widths, flag: "--widths") { (item) throws(CommandFailure) in
                let value = try parseWholeNumber(item, flag: "--widths")
                guard value >= 1, value <= 20_000 else { throw .badInput("--widths values (student widths) must be positive integers ≤ 20000, got '\(item)'") }
                return value
            },
            dimensions: try parseList(dims, flag: "--dims") { (item) throws(CommandFailure) in try parseDimension(item, flag: "--dims") },
            seeds: try parseList(seeds, flag: "--seeds") { (item) throws(CommandFailure) -> UInt64 in
                guard let value = UInt64(item) else { throw .badInput("--seeds expects non-negative whole numbers, got '\(item)'") }
                return value
            })
        let pointCount = [sweep.alphas.count, sweep.teacherWidths.count, sweep.studentWidths.count, sweep.dimensions.count, sweep.seeds.count]
            .reduce(1.0) { $0 * Double($1) }
        guard pointCount <= 10_000 else {
            throw CommandFailure.badInput("--alphas × --r × --widths × --dims × --seeds gives \(Int(pointCount)) grid points; at most 10000")
        }
        for d in sweep.dimensions { for r in sweep.teacherWidths { for rs in sweep.studentWidths {
            try ModelOptions.checkWidths(r: r, rs: rs, d: d, rsFlag: "--widths", dFlag: "--dims")
        } } }
        try InputChecks.scale(sigma0, flag: "--sigma0")
        sweep.sigma0 = sigma0
        sweep.smallInitialization = smallInit
        sweep.jobs = jobs
        sweep.finalTime = finalTime
        sweep.saveCount = saveCount
        sweep.factorization = factorization
        sweep.activation = try activationOptions.make()
        if sweep.activation.isQuadratic, rtol != nil || atol != nil {
            throw CommandFailure.badInput("--rtol/--atol apply to a non-quadratic --activation only (he2 points use the exact propagator)")
        }
        sweep.flowOptions = DormandPrinceOptions(relativeTolerance: rtol ?? 1e-6, absoluteTolerance: atol ?? 1e-9)
        try InputChecks.relativeTolerance(sweep.flowOptions.relativeTolerance, flag: "--rtol")
        guard sweep.flowOptions.absoluteTolerance.isFinite, sweep.flowOptions.absoluteTolerance > 0 else {
            throw CommandFailure.badInput("--atol must be finite and > 0, got \(sweep.flowOptions.absoluteTolerance)")
        }
        if let windowRanks {
            let ranks = try parseList(windowRanks, flag: "--window-ranks") { (item) throws(CommandFailure) in try parseWholeNumber(item, flag: "--window-ranks") }
            guard ranks.count == 2, ranks[0] >= 1, ranks[1] > ranks[0] else {
                throw CommandFailure.badInput("--window-ranks expects two ranks a,b with 1 ≤ a < b, got '\(windowRanks)'")
            }
            sweep.ranks = (ranks[0], ranks[1])
        }
        do {
            try sweep.validate()
        } catch {
            throw CommandFailure(error, flags: Self.flags)
        }
        try Self.checkStepBudget(sweep)
        try MemoryChecks.sweep(sweep, arrays: arrays != nil, flags: Self.flags)
        // Every point keeps three curves of --save-count values; one point at a time holds its states.
        let largestR = Double(sweep.teacherWidths.max() ?? 0), largestRS = Double(sweep.studentWidths.max() ?? 0)
        let largestState: Double = largestRS * (largestR + largestRS) + largestR + largestRS
        try InputChecks.storage(saves: saveCount, doublesPerState: 3 * pointCount + largestState)
        return Prepared(sweep: sweep, pointCount: Int(pointCount), destination: destination, arrays: arrays, plotDestination: plotDestination)
    }

    func run() throws {
        if try runOnBackend() { return }
        let prepared = try prepare()
        let sweep = prepared.sweep
        let points: [SweepPoint]
        do {
            points = try sweep.run(shouldStop: { Interruption.requested })
        } catch {
            // Everything was validated above: what fails now is an integration, a run-time failure.
            throw CommandFailure.runtime(CommandFailure(error, flags: Self.flags).description)
        }
        let interrupted = Interruption.requested && points.count < prepared.pointCount
        try write(points, prepared: prepared, interrupted: interrupted)
        if interrupted {
            throw CommandFailure.interrupted(Interruption.message("\(points.count) of \(prepared.pointCount) grid points finished; the outputs hold them"))
        }
    }

    /// The report, `--npy-dir` and `--plot` of `points` (a local run's, or a Slurm sweep's merge).
    func write(_ points: [SweepPoint], prepared: Prepared, interrupted: Bool) throws {
        let report = SweepReport(points: points, sweep: prepared.sweep, interrupted: interrupted)
        try prepared.arrays?.write(try CommandFailure.mapping { () throws(ReportError) in try report.arrays() }, config: report.configuration)
        if let plotDestination = prepared.plotDestination, !(interrupted && points.isEmpty) {   // stopped before any point: nothing to draw
            try plotDestination.write(try CommandFailure.mapping(flag: "--plot") { () throws(ReportError) in try report.plot() })
        }
        try prepared.destination.write(report.text(format))
    }
}

extension ScalingSweepCommand {
    /// Each grid point integrates with the exact propagator (`8 λ_max h ≤ c`, the factorisation's cap) up to `--t-end`, or by
    /// default to twice the predicted escape time `T_b` of the window's upper rank (the same rule as
    /// ``ScalingSweep``'s `runPoint`): at most 1e9 steps per point.
    static func checkStepBudget(_ sweep: ScalingSweep) throws(CommandFailure) {
        guard sweep.activation.isQuadratic else { return }   // dopri5 has its own step limit
        for alpha in sweep.alphas { for r in sweep.teacherWidths { for rs in sweep.studentWidths { for d in sweep.dimensions {
            let (end, steps) = try exactSteps(sweep, alpha: alpha, r: r, rs: rs, d: d)
            guard steps <= InputChecks.maximumSteps else {
                throw .badInput("--t-end \(sweep.finalTime == nil ? "(default: twice the window's end) " : "")= \(end) needs about "
                    + String(format: "%.3g", steps) + " exact-propagator steps at α = \(alpha), r = \(r), r_s = \(rs), d = \(InputChecks.whole(d)); at most 1e9")
            }
        } } } }
    }

    /// The horizon of one grid point and the exact-propagator steps it needs (`end · 8 λ_max / cap`).
    static func exactSteps(_ sweep: ScalingSweep, alpha: Double, r: Int, rs: Int, d: Double) throws(CommandFailure) -> (end: Double, steps: Double) {
        let end: Double
        let largest: Double
        do {
            let spectrum = try TeacherSpectrum.powerLaw(exponent: alpha, count: r)
            largest = spectrum.values.max() ?? 0
            if let finalTime = sweep.finalTime {
                end = finalTime
            } else {
                let prediction = try ScalingPrediction(spectrum: spectrum, studentWidth: rs, dimension: d, sigma0: sweep.sigma0)
                let lower = sweep.ranks?.lower ?? 3, upper = sweep.ranks?.upper ?? (Swift.min(r, rs) / 4)
                if upper > lower, let t0 = prediction.escapeTime(rank: lower), let t1 = prediction.escapeTime(rank: upper),
                   t0.isFinite, t1.isFinite, t1 > t0 {
                    end = 2 * t1
                } else {
                    end = 1e4
                }
            }
        } catch {
            throw CommandFailure(error, flags: Self.flags)
        }
        return (end, end * 8 * largest / ExactPropagatorOptions(factorization: sweep.factorization).stepExponentCap)
    }
}
