import ArgumentParser
import Foundation
import Riccati
import SGD
import SVGPlot
import ScalingLaws

/// Parses a comma-separated list with `parse` for each item.
func parseList<T>(_ text: String, flag: String, _ parse: (String) throws(CommandFailure) -> T) throws(CommandFailure) -> [T] {
    let items = text.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingCharacters(in: .whitespaces) }
    guard !items.isEmpty, !items.contains(where: \.isEmpty) else { throw .badInput("\(flag) expects a comma-separated list, got '\(text)'") }
    var values: [T] = []
    for item in items { values.append(try parse(item)) }
    return values
}

func parseWholeNumber(_ text: String, flag: String) throws(CommandFailure) -> Int {
    let value = try parseReal(text, flag: flag)
    guard value.isFinite, value == value.rounded(), abs(value) <= 1e15 else { throw .badInput("\(flag) expects whole numbers, got '\(text)'") }
    return Int(value)
}

struct ScalingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scaling",
        abstract: "Scaling laws: predictions, ODE sweeps and the SGD compute frontier.",
        subcommands: [ScalingPredict.self, ScalingSweepCommand.self, ScalingComputeCommand.self])
}

struct ScalingPredict: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Escape times T_j, the additive-model risk R_add(t), the asymptotic exponent (1−2α)/α and the width floor.")

    @Option var alpha: Double = 1
    @Option(name: .customLong("r"), help: "Teacher width r.") var teacherWidth: Int = 64
    @Option(name: .customLong("rs"), help: "Student width r_s.") var studentWidth: Int = 16
    @Option(name: .customLong("d"), help: "Dimension d (scientific notation accepted).") var dimension: String = "1024"
    @Option var sigma0: Double = 1
    @Option(name: .customLong("t-end"), help: "Last time of the R_add curve.") var finalTime: Double = 2000
    @Option(name: .customLong("save-count"), help: "Log-spaced times of the R_add curve (4 decades).") var saveCount: Int = 12
    @Option(help: "Output format.") var format: OutputFormat = .table
    @Option(help: "Write the report to this file (atomically).") var output: String?
    @OptionGroup var artifacts: ArtifactOptions

    func run() throws {
        let destination = try ReportDestination(path: output)
        let (arrays, plotDestination) = try artifacts.validate()
        try InputChecks.distinct(output: output, plot: artifacts.plot)
        let d = try parseReal(dimension, flag: "--d")
        // The same model constraints as `integrate` (r < d, 1 ≤ r_s ≤ d, d whole); σ0 and --t-end have
        // no upper bound here: a huge σ0 only makes every T_j infinite, a huge T is one formula.
        guard alpha.isFinite, alpha >= 0 else { throw CommandFailure.badInput("--alpha must be finite and ≥ 0, got \(alpha)") }
        guard teacherWidth >= 1, teacherWidth <= 100_000 else {
            throw CommandFailure.badInput("--r (teacher width) must be a positive integer ≤ 100000, got \(teacherWidth)")
        }
        try ModelOptions.checkWidths(r: teacherWidth, rs: studentWidth, d: d)
        let prediction: ScalingPrediction
        let times: [Double]
        do throws(RiccatiError) {
            prediction = try ScalingPrediction(spectrum: try .powerLaw(exponent: alpha, count: teacherWidth), studentWidth: studentWidth,
                                               dimension: d, sigma0: sigma0)
            times = try SaveTimes.logSpaced(count: saveCount, finalTime: finalTime)
        } catch {
            throw CommandFailure.badInput(error.description)
        }
        let additive = times.map { prediction.additiveRisk(at: $0) }
        let exponent = ScalingPrediction.asymptoticExponent(alpha: alpha)
        let escape = prediction.escapeTimes.map { $0.isFinite ? $0 : nil }
        let config: [(String, JSONValue)] = Provenance.stamp([("alpha", .number(alpha)), ("r", .integer(teacherWidth)), ("rs", .integer(studentWidth)),
                                             ("d", .number(d)), ("sigma0", .number(sigma0))])
        try arrays?.write([
            try .vector("escape_times", prediction.escapeTimes.map { $0.isFinite ? $0 : .nan }),
            try .vector("times", times), try .vector("risk_additive", additive),
            try .scalar("asymptotic_exponent", exponent ?? .nan), try .scalar("width_floor", prediction.widthFloor),
        ], config: config)
        if let plotDestination {
            var figure = Figure(title: "Additive model R_add(t), α = \(alpha), r = \(teacherWidth), r_s = \(studentWidth)",
                                x: .logarithmic("t"), y: Plots.axis("R_add(t)", Plots.scale(for: additive)))
            let positive = zip(times, additive).filter { $0.1 > 0 }
            figure.add(Series(label: "R_add", x: positive.map(\.0), y: positive.map(\.1), showsMarkers: true))
            if let line = Plots.floorLine(prediction.widthFloor) { figure.add(horizontal: line) }
            try plotDestination.write(try Plots.render(figure))
        }
        switch format {
        case .json:
            try destination.write(JSONValue.object([
                ("escapeTimes", .optionalNumbers(escape)), ("times", .numbers(times)), ("riskAdditive", .numbers(additive)),
                ("asymptoticExponent", exponent.map(JSONValue.number) ?? .null), ("widthFloor", .number(prediction.widthFloor)),
                ("config", .object(config)),
            ]).serialized(indent: 2) + "\n")
        case .csv:
            var lines = ["# riccati scaling predict " + JSONValue.keyValueLine(config), "t,riskAdditive"]
            lines += zip(times, additive).map { "\($0),\($1)" }
            try destination.write(lines.joined(separator: "\n") + "\n")
        case .table:
            var lines = ["riccati scaling predict — " + JSONValue.keyValueLine(config)]
            lines.append("T_j = ln(λ_j d/(r_s σ0²))/(8λ_j): " + escape.prefix(10).enumerated().map { "T_\($0 + 1)=" + ($1.map { String(format: "%.4g", $0) } ?? "∞") }.joined(separator: " ") + (escape.count > 10 ? " …" : ""))
            lines.append("           t       R_add(t)")
            lines += zip(times, additive).map { String(format: "%12.5g  %13.6e", $0, $1) }
            lines.append(String(format: "width floor R_min = %.6e; asymptotic exponent (1−2α)/α = %@", prediction.widthFloor,
                                exponent.map { String(format: "%.4f", $0) } ?? "undefined (α = 0)"))
            try destination.write(lines.joined(separator: "\n") + "\n")
        }
    }
}

struct ScalingSweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Integrate a grid of configurations with the exact propagator and fit log-log risk slopes.",
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
    @Option(help: "Output format.") var format: OutputFormat = .table
    @Option(help: "Write the report to this file (atomically).") var output: String?
    @OptionGroup var artifacts: ArtifactOptions

    func run() throws {
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
            dimensions: try parseList(dims, flag: "--dims") { (item) throws(CommandFailure) in try parseReal(item, flag: "--dims") },
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
            throw CommandFailure.badInput(error.description)
        }
        try Self.checkStepBudget(sweep)
        // Every point keeps three curves of --save-count values; one point at a time holds its states.
        let largestR = Double(sweep.teacherWidths.max() ?? 0), largestRS = Double(sweep.studentWidths.max() ?? 0)
        let largestState: Double = largestRS * (largestR + largestRS) + largestR + largestRS
        try InputChecks.storage(saves: saveCount, doublesPerState: 3 * pointCount + largestState)
        let points: [SweepPoint]
        Interruption.install()
        do {
            points = try sweep.run(shouldStop: { Interruption.requested })
        } catch {
            // Everything was validated above: what fails now is an integration.
            throw CommandFailure.runtime(error.description)
        }
        let config: [(String, JSONValue)] = Provenance.stamp([("seed", .string(seeds)), ("pointsCompleted", .integer(points.count)), ("sigma0", .number(sigma0)), ("smallInit", .bool(smallInit)), ("saveCount", .integer(saveCount)),
                                             ("factorization", .string(factorization.rawValue))])
        func slope(_ value: Double?) -> JSONValue { value.map(JSONValue.number) ?? .null }
        // Arrays: P points × T times (every point has --save-count times).
        try arrays?.write([
            try NamedArray("times", shape: [points.count, saveCount], points.flatMap(\.times)),
            try NamedArray("risk", shape: [points.count, saveCount], points.flatMap(\.risk)),
            try NamedArray("risk_additive", shape: [points.count, saveCount], points.flatMap(\.riskAdditive)),
            try NamedArray("params", shape: [points.count, 6], points.flatMap {
                [$0.alpha, Double($0.teacherWidth), Double($0.studentWidth), $0.dimension, $0.sigma0, Double($0.seed)]
            }),
            try NamedArray("window", shape: [points.count, 2], points.flatMap { [$0.window?.lowerBound ?? .nan, $0.window?.upperBound ?? .nan] }),
            try NamedArray("slopes", shape: [points.count, 3], points.flatMap { [$0.fittedSlope ?? .nan, $0.additiveSlope ?? .nan, $0.asymptoticSlope ?? .nan] }),
        ], config: config)
        let report: String
        switch format {
        case .csv:
            var lines = ["# riccati scaling sweep " + JSONValue.keyValueLine(config),
                         "alpha,r,rs,d,sigma0,seed,t,risk,riskAdditive"]
            for point in points {
                for index in point.times.indices {
                    lines.append("\(point.alpha),\(point.teacherWidth),\(point.studentWidth),\(point.dimension),\(point.sigma0),\(point.seed),\(point.times[index]),\(point.risk[index]),\(point.riskAdditive[index])")
                }
            }
            report = lines.joined(separator: "\n") + "\n"
        case .json:
            report = JSONValue.object([
                ("points", .array(points.map { point in
                    .object([("alpha", .number(point.alpha)), ("r", .integer(point.teacherWidth)), ("rs", .integer(point.studentWidth)),
                             ("d", .number(point.dimension)), ("seed", .string(String(point.seed))),
                             ("window", point.window.map { JSONValue.numbers([$0.lowerBound, $0.upperBound]) } ?? .null),
                             ("fittedSlope", slope(point.fittedSlope)), ("additiveSlope", slope(point.additiveSlope)),
                             ("asymptoticSlope", slope(point.asymptoticSlope)), ("sigma0", .number(point.sigma0)),
                             ("smallInit", .bool(point.smallInitialization)), ("solveSeconds", .number(point.statistics.solveSeconds))])
                })),
                ("config", .object(config)),
            ]).serialized(indent: 2) + "\n"
        case .table:
            var lines = ["riccati scaling sweep — " + JSONValue.keyValueLine(config)]
            lines.append("     α      r    r_s          d  seed          window [t0, t1]   ODE slope  additive  asymptotic")
            func show(_ value: Double?) -> String { value.map { String(format: "%9.3f", $0) } ?? "        —" }
            for point in points {
                let window = point.window.map { String(format: "[%8.4g, %8.4g]", $0.lowerBound, $0.upperBound) } ?? "         (undefined)"
                lines.append(String(format: "%6.3g %6d %6d %10.3g %5@  %@  %@ %@   %@", point.alpha, point.teacherWidth, point.studentWidth,
                                    point.dimension, String(point.seed), window, show(point.fittedSlope), show(point.additiveSlope),
                                    show(point.asymptoticSlope)))
            }
            report = lines.joined(separator: "\n") + "\n"
        }
        if let plotDestination {
            var figure = Figure(title: "ODE risk (solid) and additive model (dashed)", x: .logarithmic("t"), y: .logarithmic("risk R(t)"))
            for (index, point) in points.enumerated() {
                let color = Palette.colors[index % Palette.colors.count]
                let label = "α=\(point.alpha) r=\(point.teacherWidth) r_s=\(point.studentWidth)"
                figure.add(Series(label: label, x: point.times, y: point.risk, color: color))
                let positive = zip(point.times, point.riskAdditive).filter { $0.1 > 0 }
                if !positive.isEmpty { figure.add(Series(x: positive.map(\.0), y: positive.map(\.1), color: color, style: .dashed)) }
                let floor = (try? TeacherSpectrum.powerLaw(exponent: point.alpha, count: point.teacherWidth))?.widthFloor(studentWidth: point.studentWidth) ?? 0
                if floor > 0 { figure.add(horizontal: HorizontalLine(value: floor, label: "floor " + label, color: color, style: .dotted)) }
            }
            try plotDestination.write(try Plots.render(figure))
        }
        try destination.write(report)
        if Interruption.requested {
            throw CommandFailure.interrupted("interrupted by \(Interruption.signalName): \(points.count) grid points finished; the outputs hold them")
        }
    }
}

extension ScalingSweepCommand {
    /// Each grid point integrates with the exact propagator (`8 λ_max h ≤ 12`) up to `--t-end`, or by
    /// default to twice the predicted escape time `T_b` of the window's upper rank (the same rule as
    /// ``ScalingSweep``'s `runPoint`): at most 1e9 steps per point.
    static func checkStepBudget(_ sweep: ScalingSweep) throws(CommandFailure) {
        for alpha in sweep.alphas { for r in sweep.teacherWidths { for rs in sweep.studentWidths { for d in sweep.dimensions {
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
                throw .badInput(error.description)
            }
            let steps = end * 8 * largest / ExactPropagatorOptions().stepExponentCap
            guard steps <= InputChecks.maximumSteps else {
                throw .badInput("--t-end \(sweep.finalTime == nil ? "(default: twice the window's end) " : "")= \(end) needs about "
                    + String(format: "%.3g", steps) + " exact-propagator steps at α = \(alpha), r = \(r), r_s = \(rs), d = \(InputChecks.whole(d)); at most 1e9")
            }
        } } } }
    }
}

struct ScalingComputeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compute",
        abstract: "Online SGD for several widths: population risk against compute, its lower envelope and exponent.",
        discussion: """
            Compute after k steps is k·B·d·r_s multiply-adds (the forward pass, as in MODEL.md). The envelope is the \\
            minimum over widths on a log grid of compute values; its exponent is fitted after it first halves.
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
    @Option(help: "Arithmetic of the simulation.") var precision: PrecisionName = .float
    @Option(name: .customLong("save-count"), help: "Log-spaced records per width.") var saveCount: Int = 60
    @Option(name: .customLong("grid-count"), help: "Points of the envelope grid.") var gridCount: Int = 200
    @Option(help: "Threads drawing the batches.") var threads: Int = 2
    @Option(help: "Output format.") var format: OutputFormat = .table
    @Option(help: "Write the report to this file (atomically).") var output: String?
    @OptionGroup var artifacts: ArtifactOptions

    func run() throws {
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
        var base: SGDConfiguration
        do {
            guard alpha.isFinite, alpha >= 0 else { throw RiccatiError.invalidInput("--alpha must be finite and ≥ 0, got \(alpha)") }
            base = SGDConfiguration(spectrum: try .powerLaw(exponent: alpha, count: teacherWidth), dimension: dimension,
                                    studentWidth: widthList.max() ?? 1, batchSize: batch ?? dimension, learningRate: lr, steps: steps)
            base.sigma0 = sigma0
            base.seed = seed
            base.threads = threads
            base.saveSteps = try SaveTimes.logSpaced(count: saveCount, finalTime: finalTime).map { Swift.min(steps, Int(($0 / lr).rounded())) }
            for width in widthList {
                var check = base
                check.studentWidth = width
                try check.validate()
            }
        } catch let error as SGDError {
            throw CommandFailure.badInput(error.description)
        } catch {
            throw CommandFailure.badInput("\(error)")
        }
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
        let frontier: ComputeFrontier
        Interruption.install()
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
            throw sgdFailure(error)
        }
        let config: [(String, JSONValue)] = Provenance.stamp([("d", .integer(dimension)), ("r", .integer(teacherWidth)), ("alpha", .number(alpha)),
                                             ("batch", .integer(base.batchSize)), ("lr", .number(lr)), ("steps", .integer(steps)),
                                             ("sigma0", .number(sigma0)), ("seed", .string(String(seed))), ("precision", .string(precision.rawValue))])
        let recordCount = frontier.curves.first?.compute.count ?? 0
        try arrays?.write([
            try .vector("widths", frontier.curves.map { Double($0.studentWidth) }),
            try NamedArray("compute", shape: [frontier.curves.count, recordCount], frontier.curves.flatMap(\.compute)),
            try NamedArray("risk", shape: [frontier.curves.count, recordCount], frontier.curves.flatMap(\.risk)),
            try .vector("envelope_compute", frontier.envelopeCompute), try .vector("envelope_risk", frontier.envelopeRisk),
            try .vector("envelope_width", frontier.envelopeWidth.map(Double.init)),
            try .scalar("fitted_exponent", frontier.fittedExponent ?? .nan),
        ], config: config)
        let report: String
        switch format {
        case .json:
            report = JSONValue.object([
                ("curves", .array(frontier.curves.map { curve in
                    .object([("rs", .integer(curve.studentWidth)), ("compute", .numbers(curve.compute)), ("risk", .numbers(curve.risk)),
                             ("stepsPerSecond", .number(curve.statistics.stepsPerSecond))])
                })),
                ("envelope", .object([("compute", .numbers(frontier.envelopeCompute)), ("risk", .numbers(frontier.envelopeRisk)),
                                      ("rs", .array(frontier.envelopeWidth.map { .integer($0) }))])),
                ("fittedExponent", frontier.fittedExponent.map(JSONValue.number) ?? .null),
                ("fitStart", frontier.fitStart.map(JSONValue.number) ?? .null),
                ("config", .object(config)),
            ]).serialized(indent: 2) + "\n"
        case .csv:
            var lines = ["# riccati scaling compute " + JSONValue.keyValueLine(config), "curve,rs,compute,risk"]
            for curve in frontier.curves {
                for (c, r) in zip(curve.compute, curve.risk) { lines.append("width,\(curve.studentWidth),\(c),\(r)") }
            }
            for index in frontier.envelopeCompute.indices {
                lines.append("envelope,\(frontier.envelopeWidth[index]),\(frontier.envelopeCompute[index]),\(frontier.envelopeRisk[index])")
            }
            report = lines.joined(separator: "\n") + "\n"
        case .table:
            var lines = ["riccati scaling compute — " + JSONValue.keyValueLine(config)]
            lines.append("compute = steps·B·d·r_s multiply-adds (forward pass)")
            for curve in frontier.curves {
                lines.append(String(format: "r_s = %4d: final risk %.4e after %.3e multiply-adds (%.1f steps/s)", curve.studentWidth,
                                    curve.risk.last ?? .nan, curve.compute.last ?? .nan, curve.statistics.stepsPerSecond))
            }
            lines.append("frontier exponent: " + (frontier.fittedExponent.map { String(format: "%.3f", $0) } ?? "undefined (the envelope never halves)")
                         + (frontier.fitStart.map { String(format: " (fitted from %.3e multiply-adds)", $0) } ?? ""))
            report = lines.joined(separator: "\n") + "\n"
        }
        if let plotDestination {
            var figure = Figure(title: "Population risk against compute (frontier dashed)", x: .logarithmic("compute (multiply-adds)"),
                                y: .logarithmic("population risk"))
            for curve in frontier.curves {
                let positive = zip(curve.compute, curve.risk).filter { $0.0 > 0 && $0.1 > 0 }
                figure.add(Series(label: "r_s = \(curve.studentWidth)", x: positive.map(\.0), y: positive.map(\.1)))
            }
            figure.add(Series(label: "frontier" + (frontier.fittedExponent.map { String(format: " (slope %.2f)", $0) } ?? ""),
                              x: frontier.envelopeCompute, y: frontier.envelopeRisk, color: "black", style: .dashed, width: 2.5))
            try plotDestination.write(try Plots.render(figure))
        }
        try destination.write(report)
        if !frontier.completed {
            throw CommandFailure.interrupted("interrupted by \(Interruption.signalName): the outputs hold the \(frontier.curves.count) width(s) run so far")
        }
    }
}
