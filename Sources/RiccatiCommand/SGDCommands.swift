import ArgumentParser
import Foundation
import LinearAlgebra
import NumPyFormat
import Riccati
import SGD

enum PrecisionName: String, ExpressibleByArgument, CaseIterable { case double, float }
enum TeacherName: String, ExpressibleByArgument, CaseIterable { case canonical, random }
enum SaveSpacing: String, ExpressibleByArgument, CaseIterable { case linear, log }

/// Flags shared by `riccati sgd` and `riccati compare`.
struct SGDOptions: ParsableArguments {
    @Option(name: .customLong("d"), help: "Dimension d (scientific notation accepted).")
    var dimension: String = "256"

    @Option(name: .customLong("r"), help: "Teacher width r (ignored with --lambdas, which sets it).")
    var teacherWidth: Int?

    @Option(name: .customLong("rs"), help: "Student width r_s.")
    var studentWidth: Int = 4

    @Option(help: "Power-law exponent α of λ_j = j^{-α}, normalised to Σλ² = 1 (default 1).")
    var alpha: Double?

    @Option(help: "Teacher spectrum λ from a 1-D float64 .npy file.")
    var lambdas: String?

    @Option(help: "Initial scale σ0: W0 entries ~ N(0, σ0²/d) (default 0.3; conflicts with --init-w).")
    var sigma0: Double?

    @Option(name: .customLong("init-w"), help: "W0 (r_s×d, C-order float64 .npy) instead of the random one.")
    var initW: String?

    @Option(name: .customLong("theta"), help: "Teacher directions Θ (r×d, orthonormal rows, .npy); implies a given teacher.")
    var theta: String?

    @Option(help: "Batch size B.")
    var batch: Int = 1024

    @Option(help: "Learning rate η (step k is time t = ηk).")
    var lr: Double = 0.005

    @Option(help: "Number of steps K (conflicts with --t-end).")
    var steps: Int?

    @Option(name: .customLong("t-end"), help: "Final time T; K = round(T/η) (default 12).")
    var finalTime: Double?

    @Option(help: "Label noise standard deviation ς.")
    var noise: Double = 0

    @Option(help: "Arithmetic of the simulation.")
    var precision: PrecisionName = .double

    @Option(help: "Teacher directions: canonical Θ = [I_r 0] or a random orthonormal Θ.")
    var teacher: TeacherName = .canonical

    @Option(help: "Seed.")
    var seed: UInt64 = 0

    @Option(name: .customLong("save-count"), help: "Number of recorded times after t = 0, spaced by --save-spacing (default 24).")
    var saveCount: Int?

    @Option(name: .customLong("save-spacing"), help: "linear: k·T/N; log: N times geometric over the 4 decades ending at T.")
    var saveSpacing: SaveSpacing = .linear

    @Option(name: .customLong("save-at"), help: "Comma-separated record times in [0, T] (rounded to the nearest step), instead of --save-count.")
    var saveAt: String?

    @Option(help: "Threads drawing the Gaussian batches (the results do not depend on it).")
    var threads: Int = 2

    @Option(help: "Output format.")
    var format: OutputFormat = .table

    @Option(help: "Write the report to this file (atomically) instead of standard output.")
    var output: String?

    /// The validated configuration, with save steps at `k·T/N`, `k = 0 … N`.
    func configuration() throws(CommandFailure) -> (SGDConfiguration, [(String, JSONValue)]) {
        let d = try parseReal(dimension, flag: "--d")
        guard d.isFinite, d == d.rounded(), d >= 2, d <= 1e8 else { throw .badInput("--d must be a whole number in [2, 1e8] for SGD, got \(dimension)") }
        if lambdas != nil, alpha != nil { throw .badInput("--lambdas and --alpha conflict: give one of them") }
        if theta != nil, teacher != .canonical { throw .badInput("--theta conflicts with --teacher \(teacher.rawValue)") }
        if steps != nil, finalTime != nil { throw .badInput("--steps and --t-end conflict: give one of them") }
        guard lr.isFinite, lr > 0 else { throw .badInput("--lr must be finite and > 0, got \(lr)") }
        if saveAt != nil, saveCount != nil { throw .badInput("--save-at and --save-count conflict: give one of them") }
        if initW != nil, sigma0 != nil { throw .badInput("--sigma0 conflicts with --init-w (W0 is read from the file)") }
        let saveCount = saveCount ?? 24
        guard saveCount >= 1, saveCount <= 100_000 else { throw .badInput("--save-count must lie in [1, 100000], got \(saveCount)") }
        if saveAt != nil, saveSpacing != .linear { throw .badInput("--save-at conflicts with --save-spacing") }
        let sigma0 = sigma0 ?? 0.3
        try InputChecks.scale(sigma0, flag: "--sigma0")
        try InputChecks.scale(noise, flag: "--noise", allowZero: true)
        guard threads >= 1, threads <= 256 else { throw .badInput("--threads must lie in [1, 256], got \(threads)") }
        guard studentWidth >= 1, Double(studentWidth) <= d else {
            throw .badInput("--rs must be a positive integer ≤ --d = \(Int(d)) (got \(studentWidth))")
        }
        guard Double(studentWidth) * d <= InputChecks.maximumMatrixEntries else {
            throw .badInput("--rs × --d = \(studentWidth)×\(Int(d)) exceeds 5e8 entries of W")
        }
        if let steps, !(steps >= 1 && Double(steps) <= InputChecks.maximumSteps) {
            throw .badInput("--steps must lie in [1, 1e9], got \(steps)")
        }
        var summary: [(String, JSONValue)] = []
        let spectrum: TeacherSpectrum
        do {
            if let path = lambdas {
                spectrum = try ModelOptions.spectrum(try ModelOptions.load(path, flag: "--lambdas", dimensions: 1).values, path: path)
                if let r = teacherWidth, r != spectrum.count { throw CommandFailure.badInput("--r \(r) disagrees with --lambdas \(path), which has \(spectrum.count) entries") }
                guard Double(spectrum.count) < d else {
                    throw CommandFailure.badInput("--lambdas \(path) has r = \(spectrum.count) entries; r must be below --d = \(Int(d))")
                }
                summary.append(("lambdas", .string(path)))
            } else {
                let r = teacherWidth ?? 8
                guard r >= 1, r <= 100_000 else { throw CommandFailure.badInput("--r (teacher width) must be a positive integer ≤ 100000, got \(r)") }
                guard r < Int(d) else { throw CommandFailure.badInput("--r must be below --d, got r = \(r), d = \(Int(d))") }
                spectrum = try TeacherSpectrum.powerLaw(exponent: alpha ?? 1, count: r)
                summary.append(("alpha", .number(alpha ?? 1)))
            }
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw .badInput("\(error)")
        }
        if theta != nil || teacher == .random, Double(spectrum.count) * d > InputChecks.maximumMatrixEntries {
            throw .badInput("\(theta != nil ? "--theta" : "--teacher random"): Θ would have r × d = \(spectrum.count)×\(Int(d)) entries; at most 5e8")
        }
        let stepCount: Int
        if let steps {
            stepCount = steps
        } else {
            let horizon = finalTime ?? 12
            guard horizon.isFinite, horizon > 0 else { throw .badInput("--t-end must be finite and > 0, got \(horizon)") }
            let count = (horizon / lr).rounded()
            guard count >= 1, count <= 1e9 else { throw .badInput("--t-end/--lr gives \(count) steps; need 1 … 1e9") }
            stepCount = Int(count)
        }
        var config = SGDConfiguration(spectrum: spectrum, dimension: Int(d), studentWidth: studentWidth, batchSize: batch,
                                      learningRate: lr, steps: stepCount)
        config.sigma0 = sigma0
        config.labelNoise = noise
        config.seed = seed
        config.threads = threads
        config.teacher = teacher == .random ? .random : .canonical
        let horizon = Double(stepCount) * lr
        if let list = saveAt {
            let times = try list.split(separator: ",", omittingEmptySubsequences: false).map { (item) throws(CommandFailure) -> Double in
                let t = try parseReal(String(item), flag: "--save-at")
                guard t.isFinite, t >= 0, t <= horizon * (1 + 1e-12) else { throw .badInput("--save-at: \(item) must lie in [0, T = \(horizon)]") }
                return t
            }
            config.saveSteps = times.map { Swift.min(stepCount, Int(($0 / lr).rounded())) }
        } else if saveSpacing == .log {
            do {
                config.saveSteps = try SaveTimes.logSpaced(count: saveCount, finalTime: horizon).map { Swift.min(stepCount, Int(($0 / lr).rounded())) }
            } catch {
                throw .badInput(error.description)
            }
        } else {
            config.saveSteps = (0...saveCount).map { Int((Double($0) * Double(stepCount) / Double(saveCount)).rounded()) }
        }
        // Each record keeps M and P (and G for the reports); compare keeps the ODE's states as well.
        let r = Double(spectrum.count), rs = Double(studentWidth)
        try InputChecks.storage(saves: config.saveSteps.count + 2, doublesPerState: rs * (r + rs) + r + r * r, copies: 2)
        if let path = initW {
            let array = try ModelOptions.load(path, flag: "--init-w", dimensions: 2)
            do { config.initialWeights = try Matrix(rows: array.shape[0], columns: array.shape[1], storage: array.values) } catch {
                throw .badInput("--init-w: \(error)")
            }
        }
        if let path = theta {
            let array = try ModelOptions.load(path, flag: "--theta", dimensions: 2)
            guard array.shape == [spectrum.count, Int(d)] else {
                throw .badInput("--theta \(path) has shape \(array.shape); expected r×d = [\(spectrum.count), \(Int(d))]")
            }
            do { config.teacher = .given(try Matrix(rows: array.shape[0], columns: array.shape[1], storage: array.values)) } catch {
                throw .badInput("--theta: \(error)")
            }
        }
        do { try config.validate() } catch {
            // The simulator's messages call the given teacher "Θ"; name the flag and file.
            if let path = theta, error.description.contains("Θ") { throw .badInput("--theta \(path): \(error.description)") }
            throw .badInput(error.description)
        }
        summary += [("r", .integer(spectrum.count)), ("rs", .integer(studentWidth)), ("d", .integer(Int(d))), ("batch", .integer(batch)),
                    ("lr", .number(lr)), ("steps", .integer(stepCount)), ("sigma0", .number(sigma0)), ("noise", .number(noise)),
                    ("precision", .string(precision.rawValue)), ("teacher", .string(theta != nil ? "given" : teacher.rawValue)),
                    ("seed", .string(String(seed))), ("etaDOverB", .number(config.stepNoiseRatio))]
        return (config, summary)
    }

    /// Progress on stderr only when it is a terminal.
    var progressReporter: ((SGDProgress) -> Void)? {
        guard isatty(STDERR_FILENO) == 1 else { return nil }
        return { report in
            let line = String(format: "\r  step %d/%d  t = %.4g  batch loss %.4e  %.1f steps/s  ETA %.0f s   ",
                              report.step, report.totalSteps, report.time, report.batchLoss, report.stepsPerSecond, report.secondsRemaining)
            FileHandle.standardError.write(Data(line.utf8))
        }
    }

    func finishProgress() {
        if isatty(STDERR_FILENO) == 1 { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}

func sgdStatistics(_ statistics: SGDStatistics) -> JSONValue {
    .object([
        ("steps", .integer(statistics.steps)),
        ("stepsPerSecond", .number(statistics.stepsPerSecond)),
        ("gemmGflops", .number(statistics.gemmGflops)),
        ("rngNanosPerSample", .number(statistics.rngNanosPerSample)),
        ("gemmSeconds", .number(statistics.gemmSeconds)),
        ("rngSeconds", .number(statistics.rngSeconds)),
        ("seconds", .number(statistics.seconds)),
    ])
}

/// A run of `riccati sgd` that can resume, checkpoint and be interrupted.
func runSGD(_ configuration: SGDConfiguration, precision: PrecisionName, progress: ((SGDProgress) -> Void)?,
            resume snapshot: SGDSnapshot?, checkpointEvery: Int?, checkpoint: ((SGDSnapshot) throws -> Void)?,
            shouldStop: @escaping () -> Bool) throws(SGDError) -> SGDResult {
    func go<Scalar: SGDScalar>(_ simulator: SGDSimulator<Scalar>) throws(SGDError) -> SGDResult {
        if let snapshot { try simulator.restore(snapshot) }
        return try simulator.run(progress: progress, checkpointEvery: checkpointEvery, checkpoint: checkpoint, shouldStop: shouldStop)
    }
    switch precision {
    case .double: return try go(SGDSimulator<Double>(configuration: configuration))
    case .float: return try go(SGDSimulator<Float>(configuration: configuration))
    }
}

func sgdFailure(_ error: SGDError) -> CommandFailure {
    switch error {
    case .invalidInput(let message): return .badInput(message)
    case .invalidParameter, .incompatibleParameters, .exceedsLimit: return .badInput(error.description)
    case .diverged, .checkpointFailed: return .runtime(error.description)
    }
}

struct SGDCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sgd",
        abstract: "Simulate online SGD on the d-dimensional quadratic network and record the exact population risk.")

    @OptionGroup var options: SGDOptions

    @OptionGroup var checkpointing: CheckpointOptions

    @OptionGroup var artifacts: ArtifactOptions

    func run() throws {
        let destination = try ReportDestination(path: options.output)
        let (arrayDirectory, plotDestination) = try artifacts.validate()
        try InputChecks.distinct(output: options.output, plot: artifacts.plot)
        if let checkpoint = checkpointing.checkpoint, [options.output, artifacts.plot].contains(checkpoint) {
            throw CommandFailure.badInput("--checkpoint \(checkpoint) names the same file as --output or --plot; give it its own file")
        }
        let (configuration, summary) = try options.configuration()
        var config = summary
        let (checkpointDestination, checkpointEvery, snapshot) = try checkpointing.validate(
            fingerprint: configuration.fingerprint(precision: options.precision.rawValue))
        if let snapshot { config.append(("resumedFromStep", .integer(snapshot.step))) }
        Interruption.install()
        let result: SGDResult
        do {
            result = try runSGD(configuration, precision: options.precision, progress: options.progressReporter, resume: snapshot,
                                checkpointEvery: checkpointEvery,
                                checkpoint: checkpointDestination.map { destination in { try destination.writeCheckpoint($0) } },
                                shouldStop: { Interruption.requested })
        } catch {
            options.finishProgress()
            throw sgdFailure(error)
        }
        options.finishProgress()
        config.append(("status", .string(result.completed ? "completed" : "interrupted")))
        config.append(("finalStep", .integer(result.finalStep)))
        config = Provenance.stamp(config)
        let report: String
        switch options.format {
        case .json:
            report = JSONValue.object([
                ("times", .numbers(result.times)),
                ("steps", .array(result.steps.map { .integer($0) })),
                ("risk", .numbers(result.risk)),
                ("alignment", .array(result.observables.map { .optionalNumbers($0.alignment) })),
                ("learned", .array(result.observables.map { .integer($0.learned) })),
                ("stats", sgdStatistics(result.statistics)),
                ("config", .object(config)),
            ]).serialized(indent: 2) + "\n"
        case .csv:
            var lines = ["# riccati sgd " + JSONValue.keyValueLine(config)]
            let r = configuration.spectrum.count
            lines.append((["step", "t", "risk", "learned"] + (1...r).map { "alignment_\($0)" }).joined(separator: ","))
            for index in result.times.indices {
                let alignment = result.observables[index].alignment.map { $0.map { "\($0)" } ?? "" }
                lines.append((["\(result.steps[index])", "\(result.times[index])", "\(result.risk[index])", "\(result.observables[index].learned)"] + alignment).joined(separator: ","))
            }
            report = lines.joined(separator: "\n") + "\n"
        case .table:
            var lines = ["riccati sgd — " + JSONValue.keyValueLine(config)]
            lines.append("      step            t           risk  learned")
            for index in result.times.indices {
                lines.append(String(format: "%10d  %11.5g  %13.6e  %7d", result.steps[index], result.times[index], result.risk[index],
                                    result.observables[index].learned))
            }
            let stats = result.statistics
            lines.append(String(format: "%d steps in %.3f s: %.1f steps/s; GEMMs %.3f s (%.1f GFLOP/s), Gaussians %.3f s (%.2f ns/sample)",
                                stats.steps, stats.seconds, stats.stepsPerSecond, stats.gemmSeconds, stats.gemmGflops,
                                stats.rngSeconds, stats.rngNanosPerSample))
            report = lines.joined(separator: "\n") + "\n"
        }
        let r = configuration.spectrum.count, rs = configuration.studentWidth
        let arrays = try arrayDirectory.map { _ throws(CommandFailure) -> [NamedArray] in [
            try .vector("times", result.times),
            try .vector("steps", result.steps.map(Double.init)),
            try .vector("risk", result.risk),
            try .rows("alignment", result.observables.map(\.alignment), columns: r),
            try .stack("G", result.states.map(\.signalGram), rows: r, columns: r),
            try .stack("M", result.states.map(\.overlap), rows: rs, columns: r),
            try .stack("P", result.states.map(\.orthogonalGram), rows: rs, columns: rs),
            try .vector("lambda", configuration.spectrum.values),
        ] }
        let plot = try plotDestination.map { _ throws(CommandFailure) in
            try Plots.sgd(result, floor: configuration.spectrum.widthFloor(studentWidth: rs), precision: options.precision.rawValue,
                          title: "Online SGD: d = \(configuration.dimension), r = \(r), r_s = \(rs), B = \(configuration.batchSize), "
                              + "η = \(Plots.format(configuration.learningRate)), σ0 = \(Plots.format(configuration.sigma0))")
        }
        try destination.write(report)
        if let arrayDirectory, let arrays { try arrayDirectory.write(arrays, config: config) }
        if let plotDestination, let plot { try plotDestination.write(plot) }
        if !result.completed {
            throw CommandFailure.interrupted("interrupted by \(Interruption.signalName) after step \(result.finalStep) of \(configuration.steps)"
                + (checkpointDestination?.path.map { "; checkpoint written to \($0) (continue with --resume \($0))" } ?? "")
                + "; the outputs hold the steps recorded so far")
        }
    }
}

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Run SGD and the overlap ODE (exact propagator) from the SGD's own (M0, P0) and report their deviation.",
        discussion: """
            With --lr-sweep η1,η2,... each learning rate runs over --seeds seeds on the same time horizon \\
            and the report gives the mean maximum relative risk deviation per η and the fitted slope of \\
            log(deviation) against log(η).
            """)

    @OptionGroup var options: SGDOptions

    @Option(name: .customLong("lr-sweep"), help: "Comma-separated learning rates.")
    var lrSweep: String?

    @Option(help: "Seeds per learning rate in a sweep.")
    var seeds: Int = 1

    @OptionGroup var artifacts: ArtifactOptions

    func run() throws {
        let destination = try ReportDestination(path: options.output)
        let (arrayDirectory, plotDestination) = try artifacts.validate()
        try InputChecks.distinct(output: options.output, plot: artifacts.plot)
        var (configuration, config) = try options.configuration()
        guard seeds >= 1, seeds <= 10_000 else { throw CommandFailure.badInput("--seeds must lie in [1, 10000], got \(seeds)") }
        let rates = try lrSweep.map { (list) throws(CommandFailure) -> [Double] in
            try parseList(list, flag: "--lr-sweep") { (item) throws(CommandFailure) -> Double in
                let value = try parseReal(item, flag: "--lr-sweep")
                guard value.isFinite, value > 0 else { throw .badInput("--lr-sweep values must be finite and > 0, got \(item)") }
                return value
            }
        }
        if lrSweep == nil, seeds != 1 { throw CommandFailure.badInput("--seeds applies to --lr-sweep only") }
        // Each rate runs over the same horizon T = η·K: check its step count and configuration now,
        // not after the main comparison has run.
        let horizon = configuration.learningRate * Double(configuration.steps)
        for eta in rates ?? [] {
            let count = (horizon / eta).rounded()
            guard count >= 1, count <= InputChecks.maximumSteps else {
                throw CommandFailure.badInput("--lr-sweep \(eta): T/η rounds to \(count) steps over the horizon T = \(horizon); need 1 … 1e9")
            }
            var check = configuration
            check.learningRate = eta
            check.steps = Swift.max(1, Int(count))
            check.saveSteps = []
            do { try check.validate() } catch { throw CommandFailure.badInput("--lr-sweep \(eta): \(error.description)") }
        }
        let comparison: ODEComparison
        var sweep: LearningRateSweep?
        Interruption.install()
        do {
            switch options.precision {
            case .double: comparison = try ODEComparison.run(configuration, precision: Double.self, progress: options.progressReporter,
                                                             shouldStop: { Interruption.requested })
            case .float: comparison = try ODEComparison.run(configuration, precision: Float.self, progress: options.progressReporter,
                                                            shouldStop: { Interruption.requested })
            }
            options.finishProgress()
            // An interrupted comparison skips the learning-rate sweep.
            if let rates, !Interruption.requested {
                let horizonTimes = comparison.times
                switch options.precision {
                case .double: sweep = try LearningRateSweep.run(base: configuration, learningRates: rates, seeds: seeds, saveTimes: horizonTimes, precision: Double.self)
                case .float: sweep = try LearningRateSweep.run(base: configuration, learningRates: rates, seeds: seeds, saveTimes: horizonTimes, precision: Float.self)
                }
            }
        } catch {
            options.finishProgress()
            throw sgdFailure(error)
        }
        config.append(("status", .string(comparison.sgd.completed ? "completed" : "interrupted")))
        config.append(("finalStep", .integer(comparison.sgd.finalStep)))
        config = Provenance.stamp(config)
        let report: String
        switch options.format {
        case .json:
            var members: [(String, JSONValue)] = [
                ("times", .numbers(comparison.times)),
                ("riskSGD", .numbers(comparison.riskSGD)),
                ("riskODE", .numbers(comparison.riskODE)),
                ("relativeDeviation", .numbers(comparison.relativeDeviation)),
                ("maxRelativeDeviation", .number(comparison.maxRelativeDeviation)),
                ("overlapDeviation", .numbers(comparison.overlapDeviation)),
                ("maxOverlapDeviation", .number(comparison.maxOverlapDeviation)),
                ("stats", sgdStatistics(comparison.sgd.statistics)),
            ]
            if let sweep {
                members.append(("sweep", .array(sweep.points.map { point in
                    .object([("lr", .number(point.learningRate)), ("meanMaxRelativeDeviation", .number(point.meanMaxRelativeDeviation)),
                             ("maxRelativeDeviations", .numbers(point.maxRelativeDeviations)),
                             ("seeds", .array(point.seeds.map { .string(String($0)) }))])
                })))
                members.append(("sweepSlope", sweep.slope.map(JSONValue.number) ?? .null))
            }
            members.append(("config", .object(config)))
            report = JSONValue.object(members).serialized(indent: 2) + "\n"
        case .csv:
            var lines = ["# riccati compare " + JSONValue.keyValueLine(config)]
            lines.append("t,riskSGD,riskODE,relativeDeviation,overlapDeviation")
            for index in comparison.times.indices {
                lines.append("\(comparison.times[index]),\(comparison.riskSGD[index]),\(comparison.riskODE[index]),\(comparison.relativeDeviation[index]),\(comparison.overlapDeviation[index])")
            }
            report = lines.joined(separator: "\n") + "\n"
        case .table:
            var lines = ["riccati compare — " + JSONValue.keyValueLine(config)]
            lines.append("relative deviation = |R_SGD − R_ODE|/R_ODE; overlap deviation = ‖G_SGD − G_ODE‖_F/‖Λ‖_F")
            lines.append("           t         R_SGD         R_ODE   rel. dev.  overlap dev.")
            for index in comparison.times.indices {
                lines.append(String(format: "%12.5g  %12.5e  %12.5e  %10.3e  %12.3e", comparison.times[index], comparison.riskSGD[index],
                                    comparison.riskODE[index], comparison.relativeDeviation[index], comparison.overlapDeviation[index]))
            }
            lines.append(String(format: "max relative deviation %.4f, max overlap deviation %.4f", comparison.maxRelativeDeviation,
                                comparison.maxOverlapDeviation))
            if let sweep {
                lines.append("learning-rate sweep (\(seeds) seed\(seeds == 1 ? "" : "s") each):")
                for point in sweep.points {
                    lines.append(String(format: "  η = %-10.4g mean max relative deviation %.4f", point.learningRate, point.meanMaxRelativeDeviation))
                }
                if let slope = sweep.slope { lines.append(String(format: "  slope of log deviation against log η: %.3f", slope)) }
            }
            report = lines.joined(separator: "\n") + "\n"
        }
        let arrays = try arrayDirectory.map { _ throws(CommandFailure) in try Self.arrays(comparison, sweep: sweep, seeds: seeds) }
        let plot = try plotDestination.map { _ throws(CommandFailure) in
            try Plots.compare(comparison, sweep: sweep,
                              floor: configuration.spectrum.widthFloor(studentWidth: configuration.studentWidth),
                              title: "SGD (d = \(configuration.dimension), B = \(configuration.batchSize), "
                                  + "η = \(Plots.format(configuration.learningRate)), \(options.precision.rawValue)) against the overlap ODE")
        }
        try destination.write(report)
        if let arrayDirectory, let arrays { try arrayDirectory.write(arrays, config: config) }
        if let plotDestination, let plot { try plotDestination.write(plot) }
        if !comparison.sgd.completed || Interruption.requested {
            throw CommandFailure.interrupted("interrupted by \(Interruption.signalName) after SGD step \(comparison.sgd.finalStep) of \(configuration.steps)"
                + "; the outputs compare the times recorded so far" + (rates == nil ? "" : " (the --lr-sweep was skipped)"))
        }
    }

    /// The `--npy-dir` arrays (names and shapes in ``ArrayDirectory``).
    static func arrays(_ comparison: ODEComparison, sweep: LearningRateSweep?, seeds: Int) throws(CommandFailure) -> [NamedArray] {
        let r = comparison.ode.spectrum.count
        var arrays: [NamedArray] = [
            try .vector("times", comparison.times),
            try .vector("risk_sgd", comparison.riskSGD),
            try .vector("risk_ode", comparison.riskODE),
            try .vector("relative_deviation", comparison.relativeDeviation),
            try .vector("overlap_deviation", comparison.overlapDeviation),
            try .stack("G_sgd", comparison.sgd.states.map(\.signalGram), rows: r, columns: r),
            try .stack("G_ode", comparison.ode.states.map(\.signalGram), rows: r, columns: r),
        ]
        if let sweep {
            arrays.append(try .vector("sweep_lr", sweep.points.map(\.learningRate)))
            arrays.append(try NamedArray("sweep_deviation", shape: [sweep.points.count, seeds],
                                         sweep.points.flatMap(\.maxRelativeDeviations)))
        }
        return arrays
    }
}
