import ArgumentParser
import Foundation
import LinearAlgebra
import Riccati
import Reports

enum MethodName: String, ExpressibleByArgument, CaseIterable {
    case auto, dopri5, dop853, rock2, rock4, rk4, exact

    /// The adaptive methods, which take --rtol and --atol.
    var isAdaptive: Bool { [.auto, .dopri5, .dop853, .rock2, .rock4].contains(self) }
}

extension PropagatorFactorization: ExpressibleByArgument {}
extension StabilizedMethod: ExpressibleByArgument {}

struct Integrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Integrate an effective dynamics of the overlaps (by default the population gradient flow) and report risk and alignments.",
        discussion: """
            --dynamics sgd-mean-map iterates the exact one-step mean of minibatch SGD at its own step \
            --lr (t = η·k; --t-end and --save-at must be multiples of η, --save-count times are rounded \
            to the nearest step); sgd-limit integrates its limit at fixed η·d/B by dopri5 (default) or \
            rk4. Both take --lr, --batch, --noise and --d (the SGD's dimension, also with --init-m).

            --activation relu, erf or hermite (with --hermite-coefficients c0,c1,...) integrates the \
            2-homogeneous student with that activation: gradient-flow by dopri5 (default), dop853 or \
            rk4 (the exact propagator exists for he2 only), gradient-descent --lr η as a map. Each \
            save also reports the risk split by Hermite degree (R_0, R_1, R_2, R_≥3).

            --step is the fixed step of rk4 (required there), the maximum step of dopri5, and an \
            extra cap on the exact propagator's step (which is always capped so that 8·λ_max·h ≤ c, \
            --step-exponent-cap: default 600 for lq, whose steps are chosen by a round-off control, \
            12 for symmetricRoot and 20 for cholesky).

            Save times: --save-at t1,t2,... or --save-count N log-spaced times over the 4 decades \
            ending at --t-end (default 12).
            """)

    @OptionGroup var model: ModelOptions

    @OptionGroup var dynamicsOptions: DynamicsOptions

    @OptionGroup var activationOptions: ActivationOptions

    @OptionGroup var time: TimeOptions

    @Option(help: "Integrator: exact (default for gradient-flow with he2), auto (default for sgd-limit and other activations: dopri5 while not stiff, rock2 or rock4 once dopri5 is bound by its stability), dopri5, dop853, rock2, rock4 (stabilised explicit methods for real spectra) or rk4. gradient-descent and sgd-mean-map are iterated as they are and take none.")
    var method: MethodName?

    @Option(help: "Relative tolerance of the adaptive methods (auto, dopri5, dop853, rock2, rock4; default 1e-6).")
    var rtol: Double?

    @Option(help: "Absolute tolerance of the adaptive methods (default 1e-9).")
    var atol: Double?

    @Option(help: "Step size: rk4's fixed step, the adaptive methods' maximum step, or an extra cap for exact.")
    var step: Double?

    @Option(help: "The stabilised method auto switches to: rock2 or rock4 (default: rock4 for --rtol ≤ 1e-5, rock2 above).")
    var stabilized: StabilizedMethod?

    @Option(help: "The most stages of one rock2 (3…200) or rock4 (5…142) step (default: the method's largest).")
    var maxStages: Int?

    @Option(help: "Factorisation in the exact propagator: lq (Householder LQ with adaptive steps, default), cholesky (fixed cap) or symmetricRoot (K_h^{-1/2} by dsyevr, as in MODEL.md). Same invariants.")
    var factorization: PropagatorFactorization?

    @Option(help: "Cap c on 8·λ_max·h for the exact propagator (default 600 for lq, at most 600; 12 for symmetricRoot and 20 for cholesky, at most 40: their round-off grows with c, see the README).")
    var stepExponentCap: Double?

    @Option(help: "Threads of rk4 and dopri5 (1 or 2). They always compute the right-hand side and their vector arithmetic in two fixed parts; with 2, from r_s·r ≥ 16384, the parts run on two threads (OpenBLAS single-threaded meanwhile). Results are bit-identical for 1 and 2. The exact propagator splits its work by itself from r_s = 128.")
    var threads: Int = 2

    @Flag(inversion: .prefixedNo,
          help: "Locate the escape time of each direction (G_jj first reaching λ_j/2). With the exact propagator each located escape costs a few extra closed-form evaluations; --no-escape-times skips the search and reports them as not located (null/NaN).")
    var escapeTimes = true

    @Option(help: "Output format.")
    var format: ReportFormat = .table

    @Option(help: "Write the report to this file (atomically) instead of standard output.")
    var output: String?

    @OptionGroup var artifacts: ArtifactOptions

    func run() throws {
        let destination = try ReportDestination(path: output)
        let (arrayDirectory, plotDestination) = try artifacts.validate()
        try InputChecks.distinct(output: output, plot: artifacts.plot)
        guard threads == 1 || threads == 2 else { throw CommandFailure.badInput("--threads must be 1 or 2, got \(threads)") }
        try dynamicsOptions.validate()
        let activation = try activationOptions.make()
        if dynamicsOptions.dynamics.isSGD, !activation.isQuadratic {
            throw CommandFailure.badInput("--dynamics \(dynamicsOptions.dynamics.rawValue) models SGD on the quadratic model only; with --activation \(activation.name) use gradient-flow or gradient-descent (or riccati sgd)")
        }
        let sgdParameters = try resolveSGDParameters()
        let saveTimes = try resolveSaveTimes()
        let finalTime = time.finalTime
        let integrationMethod = try resolveMethod(activation: activation)
        if plotDestination != nil, !saveTimes.contains(where: { $0 > 0 }) {
            throw CommandFailure.badInput("--plot draws the risk on a logarithmic time axis and needs a save time > 0")
        }
        let resolved = try model.resolve(dimensionUsedElsewhere: dynamicsOptions.dynamics.isSGD) { (spectrum, rs) throws(CommandFailure) in
            // The saves of the --npy-dir arrays (G is r×r per save) on top of the solution's own.
            let r = spectrum.count
            try MemoryChecks.integrate(studentWidth: rs, teacherWidth: r, saveCount: saveTimes.count, method: integrationMethod,
                                       arrays: arrayDirectory != nil, flags: flags)
            try InputChecks.storage(saves: saveTimes.count + 1,
                                    doublesPerState: Double(rs) * Double(r + rs + 1) + Double(r) + (arrayDirectory != nil ? Double(r) * Double(r) : 0))
        }
        let problem: OverlapProblem
        do {
            let dynamics = try dynamicsOptions.make(spectrum: resolved.spectrum, studentWidth: resolved.initialState.studentWidth,
                                                    parameters: sgdParameters, activation: activation)
            if let integrationMethod { try dynamics.checkApplicable(integrationMethod) }
            problem = try OverlapProblem(dynamics: dynamics, initialState: resolved.initialState,
                                         finalTime: finalTime, saveTimes: saveTimes)
            // The step budget (fixed-step and exact methods) and the memory of the saves.
            try problem.checkBudget(method: integrationMethod)
        } catch {
            throw CommandFailure(error, flags: flags)
        }
        let solution: Solution
        do {
            solution = try solve(problem, method: integrationMethod, locateEscapes: escapeTimes, threads: threads, shouldStop: { Interruption.requested })
        } catch {
            throw CommandFailure(error, flags: flags)
        }
        // A diverging SGD-aware dynamics is reported as a diverging SGD run is: one line, nothing
        // written. The limit ODE's blow-up in finite time shows as a collapsing step.
        if dynamicsOptions.dynamics.isSGD, solution.status == .nonFiniteState || solution.status == .stepTooSmall {
            throw CommandFailure.runtime(Self.divergenceMessage(solution, dynamics: dynamicsOptions.dynamics))
        }
        let report = IntegrateReport(solution: solution, model: resolved.description, locateEscapes: escapeTimes, sgd: sgdParameters,
                                     activation: activation)
        let arrays = try arrayDirectory.map { _ throws(CommandFailure) in try CommandFailure.mapping { () throws(ReportError) in try report.arrays() } }
        // A figure that cannot be drawn (nothing reached beyond t = 0) is reported after the
        // integration failure that caused it.
        var figure: Result<String, CommandFailure>?
        if plotDestination != nil {
            figure = Result { () throws(CommandFailure) -> String in
                try CommandFailure.mapping(flag: "--plot") { () throws(ReportError) in try report.plot() }
            }
        }
        try destination.write(report.text(format))
        if let arrayDirectory, let arrays { try arrayDirectory.write(arrays, config: report.configuration) }
        if let plotDestination, case .success(let svg) = figure { try plotDestination.write(svg) }
        if solution.status == .interrupted {
            throw CommandFailure.interrupted(Interruption.message("\(solution.message); the outputs hold the saves reached so far"))
        }
        guard solution.status.isSuccess else {
            let lastRisk = solution.risk.last.map { "; last saved risk \($0) at t = \(solution.times.last!)" } ?? ""
            let message = FailureHints.apply(FailureHints.integrate(stepGiven: step != nil), to: solution.message)
            throw CommandFailure.runtime("integration failed (\(solution.status.rawValue)): \(message)\(lastRisk)")
        }
        if case .failure(let failure) = figure { throw failure }
    }

    /// The one line of a diverged SGD-aware run: where it diverged, the last finite risk, and the advice.
    static func divergenceMessage(_ solution: Solution, dynamics: DynamicsName) -> String {
        let libraryAdvice = "a smaller step (learning rate) keeps it stable"
        let hint = "SGD's mean diverges when η·d/B or the risk is too large: lower --lr or --sigma0, or raise --batch"
        var message = solution.message
        message = message.contains(libraryAdvice) ? message.replacingOccurrences(of: libraryAdvice, with: hint) : message + "; " + hint
        let lastRisk = solution.risk.last.map { "; last finite saved risk \($0) at t = \(solution.times.last ?? 0)" } ?? ""
        return "--dynamics \(dynamics.rawValue) diverged, nothing written: \(message)\(lastRisk)"
    }

    /// The flags of the library's parameters here: the model's, and `saveTimes` is `--save-at` or `--save-count`.
    var flags: ParameterFlags {
        var overrides = model.flags.overrides
        overrides["saveTimes"] = time.saveAt == nil ? "--save-count" : "--save-at"
        overrides["count"] = "--save-count"
        // The SGD-aware dynamics: c = η·d/B is made of three flags.
        overrides["stepNoiseRatio"] = "--lr, --batch and --d (η·d/B)"
        return ParameterFlags(overrides)
    }

    /// The save times: for the mean map, `--save-count`'s log-spaced times rounded to the nearest
    /// step `k·η` (duplicates dropped); `--save-at` times must lie on the grid themselves.
    func resolveSaveTimes() throws(CommandFailure) -> [Double] {
        let times = try time.resolveSaveTimes()
        guard let eta = dynamicsOptions.mapStep, time.saveAt == nil else { return times }
        var snapped: [Double] = []
        for t in times {
            let onGrid = (t / eta).rounded() * eta
            if onGrid <= time.finalTime, onGrid > (snapped.last ?? -1) { snapped.append(onGrid) }
        }
        return snapped
    }

    /// The SGD parameters of an SGD-aware dynamics (`nil` for gradient flow); `d` from `--d`,
    /// required with `--init-m`.
    /// Checked here as far as they go without the teacher (η·d/B finite), so that a save time
    /// they would put on a degenerate grid is not blamed first; `d ≥ r` is checked with the model.
    func resolveSGDParameters() throws(CommandFailure) -> MinibatchSGDParameters? {
        guard dynamicsOptions.dynamics.isSGD else { return nil }
        guard let d = try model.dimensionValue() else {
            throw .badInput("--dynamics \(dynamicsOptions.dynamics.rawValue) needs --d (the SGD's input dimension), which --init-m does not give")
        }
        let parameters = dynamicsOptions.parameters(dimension: d)
        do { try parameters?.validate(teacherWidth: 1) } catch { throw CommandFailure(error, flags: flags) }
        return parameters
    }

    func resolveMethod(activation: Activation) throws(CommandFailure) -> IntegrationMethod? {
        let dynamics = dynamicsOptions.dynamics
        if dynamics.isSGD, method == .exact {
            throw .badInput("--method exact does not apply to --dynamics \(dynamics.rawValue): the SGD noise drift makes the overlap equation non-Riccati, so it has no closed-form propagator"
                + (dynamics == .sgdLimit ? "; use dopri5, dop853 or rk4" : "; the mean map is iterated at its own step --lr"))
        }
        if dynamics.isDiscrete {
            if let method { throw .badInput("--method \(method.rawValue) does not apply to --dynamics \(dynamics.rawValue): the map is iterated at its own step --lr") }
            for (flag, given) in [("--rtol", rtol != nil), ("--atol", atol != nil), ("--step", step != nil),
                                  ("--factorization", factorization != nil), ("--step-exponent-cap", stepExponentCap != nil)] where given {
                throw .badInput("\(flag) does not apply to --dynamics \(dynamics.rawValue): the map is iterated at its own step --lr")
            }
            return nil
        }
        // The exact propagator exists for the quadratic gradient flow only: auto is the default otherwise.
        let method = self.method ?? (dynamics == .sgdLimit || !activation.isQuadratic ? .auto : .exact)
        if !method.isAdaptive, rtol != nil || atol != nil {
            throw .badInput("--rtol/--atol apply to the adaptive methods (auto, dopri5, dop853, rock2, rock4) only")
        }
        if method != .auto, stabilized != nil { throw .badInput("--stabilized applies to --method auto only") }
        if method != .rock2, method != .rock4, maxStages != nil { throw .badInput("--max-stages applies to --method rock2 and rock4 only") }
        if let step, !(step.isFinite && step > 0) { throw .badInput("--step must be finite and > 0, got \(step)") }
        if method != .exact, factorization != nil { throw .badInput("--factorization applies to --method exact only") }
        if method != .exact, stepExponentCap != nil { throw .badInput("--step-exponent-cap applies to --method exact only") }
        switch method {
        case .rk4:
            guard let step else { throw .badInput("--method rk4 needs --step H (the fixed step)") }
            return .rungeKutta4(step: step)
        case .dopri5, .dop853, .rock2, .rock4, .auto:
            let relativeTolerance = rtol ?? 1e-6, absoluteTolerance = atol ?? 1e-9
            // A relative tolerance of 1 or more asks for no accuracy at all; an absolute one has the
            // state's units, so any finite positive value is accepted.
            try InputChecks.relativeTolerance(relativeTolerance, flag: "--rtol")
            guard absoluteTolerance.isFinite, absoluteTolerance > 0 else {
                throw .badInput("--atol must be finite and > 0, got \(absoluteTolerance)")
            }
            switch method {
            case .rock2, .rock4:
                var options = StabilizedStepOptions(relativeTolerance: relativeTolerance, absoluteTolerance: absoluteTolerance)
                options.maxStep = step
                options.maxStages = maxStages
                let result: IntegrationMethod = method == .rock2 ? .rock2(options) : .rock4(options)
                do { try result.validate() } catch { throw CommandFailure(error, flags: flags) }
                return result
            case .auto:
                var options = AutomaticMethodOptions(relativeTolerance: relativeTolerance, absoluteTolerance: absoluteTolerance)
                options.maxStep = step
                options.stabilizedMethod = stabilized
                return .automatic(options)
            default:
                var options = DormandPrinceOptions(relativeTolerance: relativeTolerance, absoluteTolerance: absoluteTolerance)
                options.maxStep = step
                return method == .dop853 ? .dormandPrince853(options) : .dormandPrince(options)
            }
        case .exact:
            return .exact(ExactPropagatorOptions(stepExponentCap: stepExponentCap, maxStep: step,
                                                 factorization: factorization ?? .lq))
        }
    }
}
