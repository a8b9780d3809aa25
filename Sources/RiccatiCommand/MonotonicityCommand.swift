import ArgumentParser
import Figures
import Foundation
import LinearAlgebra
import Monotonicity
import Reports
import Riccati

struct MonotonicityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monotonicity",
        abstract: "Check the comparison principle G_A(t) ⪯ G_B(t) and the time monotonicity of G_A(t).",
        discussion: """
            Trajectory A starts from the model's initial state; B starts above it in Loewner order: \\
            --scale c gives Q0' = c·Q0 (M0 → √c M0, P0 → c P0; default c = 1.25), --perturb ε gives \\
            G0' = G0 + ε M0ᵀRM0 with a random Wishart R drawn from stream 1 of --seed. Both are \\
            integrated with the exact propagator and with dopri5; the relation is reported at t = 0 \\
            and every save time. The Loewner tolerance is relative to max(‖G_A‖_F, ‖G_B‖_F): 1e-10 for \\
            the exact propagator and max(1e-10, 10·rtol) for dopri5 unless --tolerance is given.

            Exit codes: 0 when the order is preserved at every time by both methods, 3 when it is \\
            not, 2 for bad input, 1 when an integration fails.
            """)

    @OptionGroup var model: ModelOptions
    @OptionGroup var time: TimeOptions

    @Option(help: "Scale c ≥ 1 of the upper initial condition (default 1.25 unless --perturb).")
    var scale: Double?

    @Option(help: "Size ε > 0 of a random PSD increment instead of --scale.")
    var perturb: Double?

    @Option(help: "Relative tolerance of dopri5.")
    var rtol: Double = 1e-6

    @Option(help: "Absolute tolerance of dopri5.")
    var atol: Double = 1e-9

    @Option(help: "Relative Loewner tolerance for both methods (default: per method, see above).")
    var tolerance: Double?

    @Option(help: "Output format.")
    var format: ReportFormat = .table

    @Option(help: "Write the report to this file (atomically) instead of standard output.")
    var output: String?

    @Option(help: "Also write the Figure 3 data (r = 2 only) into this existing directory: ellipses.csv, entries.csv and figure3.svg.")
    var figure: String?

    @Option(name: .customLong("ellipse-times"),
            help: "Times of the level-set ellipses in --figure (and --plot with r = 2); default 0,0.25,0.5, those within [0, --t-end].")
    var ellipseTimes: String?

    @OptionGroup var artifacts: ArtifactOptions

    /// The flags of the library's parameters here: the Loewner tolerance is `--tolerance`, dopri5's `--rtol`/`--atol`.
    var flags: ParameterFlags {
        var overrides = model.flags.overrides
        overrides["relativeTolerance"] = "--tolerance"
        overrides["scale"] = "--scale"
        overrides["epsilon"] = "--perturb"
        return ParameterFlags(overrides)
    }

    /// The default ellipse times, `0, 0.25, 0.5`, that lie in `[0, T]`.
    static let defaultEllipseTimes = [0, 0.25, 0.5]

    func run() throws {
        let destination = try ReportDestination(path: output)
        let (arrayDirectory, plotDestination) = try artifacts.validate()
        try InputChecks.distinct(output: output, plot: artifacts.plot)
        if scale != nil, perturb != nil { throw CommandFailure.badInput("--scale and --perturb conflict: give one of them") }
        try InputChecks.relativeTolerance(rtol, flag: "--rtol")
        guard atol.isFinite, atol > 0 else { throw CommandFailure.badInput("--atol must be finite and > 0, got \(atol)") }
        if let tolerance {
            // A relative Loewner tolerance of 1 or more accepts any pair of PSD matrices.
            try InputChecks.relativeTolerance(tolerance, flag: "--tolerance", allowZero: true)
        }
        let figureFolder = try figure.map { (path) throws(CommandFailure) -> String in
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw .badInput("--figure \(path): directory does not exist (create it first)")
            }
            guard FileManager.default.isWritableFile(atPath: path) else { throw .badInput("--figure \(path): directory is not writable") }
            return path
        }
        let explicitFigureTimes = try ellipseTimes.map { (list) throws(CommandFailure) -> [Double] in
            try parseList(list, flag: "--ellipse-times") { (item) throws(CommandFailure) in try parseReal(item, flag: "--ellipse-times") }
        }
        var saveTimes = try time.resolveSaveTimes()
        if saveTimes.first != 0 { saveTimes.insert(0, at: 0) }
        for t in explicitFigureTimes ?? [] where !(t.isFinite && t >= 0 && t <= time.finalTime) {
            throw CommandFailure.badInput("--ellipse-times: \(t) must lie in [0, --t-end]")
        }
        let resolved = try model.resolve(seedUsedElsewhere: perturb != nil) { (spectrum, rs) throws(CommandFailure) in
            // Two trajectories for each of two methods, plus the arrays of --npy-dir.
            let r = Double(spectrum.count)
            var memoryFlags = flags
            memoryFlags.overrides["saveTimes"] = time.saveAt == nil ? "--save-count" : "--save-at"
            try MemoryChecks.monotonicity(studentWidth: rs, teacherWidth: spectrum.count, saveCount: saveTimes.count,
                                          arrays: arrayDirectory != nil, flags: memoryFlags)
            try InputChecks.storage(saves: saveTimes.count, doublesPerState: Double(rs) * (r + Double(rs) + 1) + r + 2 * r * r, copies: 4)
        }
        if figureFolder != nil {
            // Figure 3's level sets {v : vᵀGv = 1} need r = 2 and G0 positive definite (the flow keeps its rank).
            do {
                try LevelSet.requireDrawable(resolved.initialState.signalGram, name: "initialState")
            } catch {
                throw CommandFailure(error, flags: ParameterFlags(["initialState": "--figure"]))
            }
        }
        let figureTimes = explicitFigureTimes ?? Self.defaultEllipseTimes.filter { $0 <= time.finalTime }
        let perturbation: OrderedPerturbation = perturb.map { .randomIncrement(epsilon: $0, seed: model.seed ?? 0) } ?? .scaled(scale ?? 1.25)
        do {
            let upper = try perturbation.apply(to: resolved.initialState)
            try InputChecks.stateSize(upper, blame: perturb.map { "--perturb \($0)" } ?? "--scale \(scale ?? 1.25)")
        } catch let failure as CommandFailure {
            throw failure
        } catch let error as RiccatiError {
            throw CommandFailure(error, flags: flags, context: perturb == nil ? "--scale" : "--perturb")
        } catch {
            throw CommandFailure.badInput("\(perturb == nil ? "--scale" : "--perturb"): \(error)")
        }
        let methods: [IntegrationMethod] = [
            .exact(ExactPropagatorOptions()),
            .dormandPrince(DormandPrinceOptions(relativeTolerance: rtol, absoluteTolerance: atol)),
        ]
        var runs: [ComparisonPrincipleRun]
        // A later method stopped midway is left out (the report's rows are the first method's times).
        var leftOut: (method: String, time: Double)?
        let timeAnalysis: TimeMonotonicity
        let sandwich: SandwichCheck
        let interrupted: Bool
        do {
            runs = try ComparisonPrinciple.run(spectrum: resolved.spectrum, initialState: resolved.initialState,
                                               perturbation: perturbation, finalTime: time.finalTime, saveTimes: saveTimes,
                                               methods: methods, relativeTolerance: tolerance, shouldStop: { Interruption.requested })
            interrupted = ComparisonPrinciple.interrupted(runs, methods: methods.count)
            if interrupted, runs.count > 1, let last = runs.last, last.lower.status == .interrupted || last.upper.status == .interrupted {
                leftOut = (last.method.name, last.lower.times.last ?? 0)
                runs.removeLast()
            }
            // The time analysis needs two save times; a stop before the second one leaves nothing to report.
            guard let primary = runs.first, !interrupted || primary.lower.times.count >= 2 else {
                throw CommandFailure.interrupted(Interruption.message("before two save times were reached; nothing was written"))
            }
            timeAnalysis = try TimeMonotonicity.analyze(primary.lower, relativeTolerance: tolerance ?? LoewnerOrder.defaultRelativeTolerance)
            sandwich = try SandwichCheck.check(primary.lower, relativeTolerance: tolerance ?? LoewnerOrder.defaultRelativeTolerance)
        } catch let failure as CommandFailure {
            throw failure
        } catch let error as RiccatiError {
            throw CommandFailure(error, flags: flags).withToolHint(FailureHints.monotonicity)
        }
        let report = MonotonicityReport(runs: runs, analysis: timeAnalysis, sandwich: sandwich, model: resolved.description,
                                        finalTime: time.finalTime, perturbation: perturbation, relativeTolerance: rtol,
                                        absoluteTolerance: atol, interrupted: interrupted)
        // Everything is computed before anything is written.
        // A stopped run draws the ellipse times it reached (Figure 3 needs the states there).
        let reachedTime = runs[0].lower.times.last ?? 0
        let drawnTimes = interrupted ? figureTimes.filter { $0 <= reachedTime } : figureTimes
        let figure3 = try figureFolder.map { _ throws(CommandFailure) in
            try Figure3Writer.build(lower: runs[0].lower, upper: runs[0].upper, ellipseTimes: drawnTimes)
        }
        let arrays = try arrayDirectory.map { _ throws(CommandFailure) in try CommandFailure.mapping { () throws(ReportError) in try report.arrays() } }
        let plot = try plotDestination.map { _ throws(CommandFailure) in
            try CommandFailure.mapping(flag: "--plot") { () throws(ReportError) in try report.plot(ellipseTimes: drawnTimes) }
        }
        if let figureFolder, let figure3 { try Figure3Writer.write(figure3, into: figureFolder) }
        try destination.write(report.text(format))
        if let arrayDirectory, let arrays { try arrayDirectory.write(arrays, config: report.configuration) }
        if let plotDestination, let plot { try plotDestination.write(plot) }
        let violated = runs.filter { !$0.comparison.orderPreserved }
        if interrupted {
            let detail: String
            if let leftOut {
                detail = "\(leftOut.method) stopped at save time t = \(leftOut.time) of \(time.finalTime) and is left out; "
                    + "the outputs hold the finished method(s) \(runs.map(\.method.name).joined(separator: ", "))"
            } else {
                detail = "\(runs[0].method.name) stopped at save time t = \(runs[0].lower.times.last ?? 0) of \(time.finalTime)"
                    + " (\(methods.count - runs.count) of \(methods.count) methods not run); the outputs compare the save times reached"
            }
            throw CommandFailure.interrupted(Interruption.message(detail + (violated.isEmpty ? "" : ", and the order was violated there")))
        }
        if !violated.isEmpty {
            let details = violated.map { run in "\(run.method.name) at t = \(run.comparison.firstViolation!.time)" }.joined(separator: ", ")
            throw CommandFailure.orderViolated("the Loewner order G_A ⪯ G_B was violated (\(details))")
        }
    }
}
