import Foundation
import LinearAlgebra

/// The integrators. All three return the same ``Solution``.
public enum IntegrationMethod: Sendable, Equatable {
    /// Classical RK4 with a fixed step (shortened to land on save times).
    case rungeKutta4(step: Double)
    /// Adaptive Dormand–Prince 5(4) (Hairer's DOPRI5).
    case dormandPrince(DormandPrinceOptions)
    /// The closed-form propagator of MODEL.md: exact for every step, limited only by round-off.
    case exact(ExactPropagatorOptions)

    /// The name used on the command line and in outputs: `rk4`, `dopri5` or `exact`.
    public var name: String {
        switch self {
        case .rungeKutta4: return "rk4"
        case .dormandPrince: return "dopri5"
        case .exact: return "exact"
        }
    }

    /// RK4 and Dormand–Prince (they evaluate the right-hand side), not the closed form.
    var isExplicit: Bool {
        if case .exact = self { return false }
        return true
    }

    /// Runs `body` (an integration with this method) in the method's floating-point mode: RK4 and
    /// Dormand–Prince flush subnormals to zero (see ``solve(_:method:locateEscapes:threads:shouldStop:)``),
    /// the exact propagators run in the caller's mode.
    func inFloatingPointMode<T>(_ body: () throws -> T) throws -> T {
        isExplicit ? try FloatingPointMode.withSubnormalsFlushed(body) : try body()
    }

    /// What to try when an integration with this method diverges.
    public var divergenceHint: String? {
        switch self {
        case .rungeKutta4(let step):
            return "rk4 with step \(step) is unstable here: use a smaller --step (the flow's fastest rate is about 16·λ_max, so h ≲ 2.8/(16·λ_max)), or --method exact"
        case .dormandPrince:
            return "tighten --rtol/--atol, or use --method exact"
        case .exact:
            return "the closed form cannot diverge; a non-finite value means the input was extreme: lower --step-exponent-cap or check the initial state"
        }
    }
}

/// Save-time grids.
public enum SaveTimes {
    /// `count` times spaced geometrically over `decades` decades, ending at `finalTime`:
    /// `t_k = T · 10^{−decades·(1 − k/(count−1))}`, `k = 0 … count−1` (`[T]` when `count = 1`).
    /// The default of 4 decades shows the early escapes as well as the late approach to the floor.
    public static func logSpaced(count: Int, finalTime: Double, decades: Double = 4) throws(RiccatiError) -> [Double] {
        guard count >= 1 else { throw .invalidInput("--save-count must be ≥ 1, got \(count)") }
        guard count <= 1_000_000 else { throw .invalidInput("--save-count must be ≤ 1000000, got \(count)") }
        guard finalTime.isFinite, finalTime > 0 else { throw .invalidInput("--t-end must be finite and > 0, got \(finalTime)") }
        guard decades.isFinite, decades > 0 else { throw .invalidInput("the log-spacing must cover > 0 decades, got \(decades)") }
        if count == 1 { return [finalTime] }
        var times = (0..<count).map { k in
            finalTime * pow(10, -decades * (1 - Double(k) / Double(count - 1)))
        }
        times[count - 1] = finalTime
        return times
    }
}

/// An initial-value problem for the overlap ODE on `[0, finalTime]`.
public struct OverlapProblem: Sendable {
    public var spectrum: TeacherSpectrum
    public var initialState: OverlapState
    public var finalTime: Double
    /// Sorted times in `[0, finalTime]` at which states and observables are recorded.
    public var saveTimes: [Double]

    /// Validates shapes (`M0` is `r_s×r` with `r = λ.count`), `P0 ⪰ 0`, the final time and the save times.
    public init(spectrum: TeacherSpectrum, initialState: OverlapState, finalTime: Double, saveTimes: [Double]) throws(RiccatiError) {
        guard initialState.teacherWidth == spectrum.count else {
            throw .invalidInput("M0 has \(initialState.teacherWidth) columns but λ has r = \(spectrum.count) entries")
        }
        try initialState.validatePositiveSemidefinite()
        try validateTimes(finalTime: finalTime, saveTimes: saveTimes)
        self.spectrum = spectrum
        self.initialState = initialState
        self.finalTime = finalTime
        self.saveTimes = saveTimes
    }

    public var studentWidth: Int { initialState.studentWidth }
    public var teacherWidth: Int { spectrum.count }
}

/// The result of ``solve(_:method:)``: states and observables at the save times reached,
/// the escape time of each direction, and how the integration ended.
///
/// A failed integration (``status`` not `.success`) still returns the saves made before the
/// failure; the CLI exits with code 1 in that case.
public struct Solution: Sendable {
    public let method: IntegrationMethod
    public let spectrum: TeacherSpectrum
    public let initialState: OverlapState
    public let finalTime: Double
    /// Save times reached, in increasing order.
    public let times: [Double]
    /// `(M, P)` at each save time.
    public let states: [OverlapState]
    /// Observables at each save time.
    public let observables: [Observables]
    /// First time `G_jj ≥ λ_j/2` per direction, found on the method's continuous output;
    /// `nil` if not reached by the end (or `λ_j = 0`).
    public let escapeTimes: [Double?]
    /// `R_min = 2 Σ_{j>r_s} λ_j²`.
    public let riskFloor: Double
    public let status: IntegrationStatus
    public let message: String
    public let statistics: IntegrationStatistics
    let denseSegments: [DenseOutputSegment]

    public var risk: [Double] { observables.map(\.risk) }
    public var alignment: [[Double?]] { observables.map(\.alignment) }
    public var learned: [Int] { observables.map(\.learned) }

    /// `G = MᵀM` at save index `index`.
    public func signalGram(at index: Int) -> Matrix { states[index].signalGram }

    /// The state at any `t ∈ [0, final time reached]`:
    /// - exact propagator: exact re-propagation from the nearest saved state at or before `t`;
    /// - RK4: the RK4 steps from the nearest saved state, landing on `t` (the value the solver
    ///   would have saved had `t` been a save time);
    /// - Dormand–Prince: the stored dense output when ``DormandPrinceOptions/storeDenseOutput``
    ///   was set (fourth order); otherwise re-integration from the nearest saved state with the
    ///   same tolerances (accurate to those tolerances, not bitwise the original path).
    public func state(at t: Double) throws(RiccatiError) -> OverlapState {
        let reached = times.last ?? 0
        guard t.isFinite, t >= 0, t <= Swift.max(reached, status.isSuccess ? finalTime : reached) else {
            throw .invalidInput("t = \(t) lies outside the solved interval [0, \(reached)]")
        }
        let rs = initialState.studentWidth, r = spectrum.count
        if let exactIndex = times.firstIndex(of: t) { return states[exactIndex] }
        if !denseSegments.isEmpty {
            var low = 0, high = denseSegments.count - 1
            while low < high {
                let mid = (low + high + 1) / 2
                if denseSegments[mid].startTime <= t { low = mid } else { high = mid - 1 }
            }
            var output = [Double](repeating: 0, count: rs * r + rs * rs)
            output.withUnsafeMutableBufferPointer { denseSegments[low].evaluate(at: t, dimension: rs * r + rs * rs, into: $0.baseAddress!) }
            return output.withUnsafeBufferPointer { OverlapState(packed: $0.baseAddress!, studentWidth: rs, teacherWidth: r) }
        }
        var startTime = 0.0
        var start = initialState
        if let index = times.lastIndex(where: { $0 <= t }) {
            startTime = times[index]
            start = states[index]
        }
        if startTime == t { return start }
        var method = self.method
        if case .dormandPrince(var options) = method {
            options.storeDenseOutput = false
            method = .dormandPrince(options)
        }
        let output: DriverOutput
        do {
            let stepper = try makeStepper(method: method, spectrum: spectrum, studentWidth: rs)
            output = try method.inFloatingPointMode {
                try IntegrationDriver.run(stepper: stepper, initialTime: startTime, initialState: start.packed,
                                          finalTime: t, saveTimes: [t])
            }
        } catch let error as RiccatiError {
            throw error
        } catch {
            throw .invalidInput("\(error)")
        }
        guard output.status.isSuccess, let packed = output.states.last else {
            throw .invalidInput("re-integration to t = \(t) failed: \(output.message)")
        }
        return packed.withUnsafeBufferPointer { OverlapState(packed: $0.baseAddress!, studentWidth: rs, teacherWidth: r) }
    }
}

/// The most fixed-length steps (RK4, or exact-propagator steps at their cap) one ``solve`` may
/// take: beyond this a call would run for hours, so it is refused up front. DOPRI5 has its own
/// ``DormandPrinceOptions/maxSteps``.
public let maximumFixedSteps = 1e9

func checkStepBudget(_ problem: OverlapProblem, method: IntegrationMethod) throws(RiccatiError) {
    let steps: Double
    switch method {
    case .rungeKutta4(let step):
        steps = problem.finalTime / step
    case .exact(let options):
        var h = options.maxStep ?? .infinity
        if problem.spectrum.largest > 0 { h = Swift.min(h, options.stepExponentCap / (8 * problem.spectrum.largest)) }
        steps = h.isFinite ? problem.finalTime / h : 0
    case .dormandPrince:
        return
    }
    guard !(steps > maximumFixedSteps) else {
        throw .invalidInput(String(format: "t_end = %g would take %.3g %@ steps (more than 1e9): shorten --t-end or enlarge --step",
                                   problem.finalTime, steps, method.name))
    }
}

/// Whether an explicit integrator of this size runs its two parts on two threads when allowed:
/// from `r_s · r ≥ 16384`. Measured with dopri5 (median of 3, `d = 4096`, `T = 500`; seconds with
/// 1 and 2 threads): `r_s = 16, r = 64`: 0.025 and 0.135; `r_s = 32, r = 128`: 0.119 and 0.204;
/// `r_s = 32, r = 256`: 0.224 and 0.288; `r_s = 64, r = 256`: 0.82 and 0.63. Below the threshold
/// the hand-over of data between the cores costs more than the halved arithmetic saves.
func explicitMethodsUseTwoLanes(studentWidth rs: Int, teacherWidth r: Int) -> Bool {
    rs * r >= 16384 && rs >= 2
}

func makeStepper(method: IntegrationMethod, spectrum: TeacherSpectrum, studentWidth rs: Int, threads: Int = 1) throws(RiccatiError) -> TimeStepper {
    let executor = TwoLaneExecutor(concurrent: threads >= 2 && explicitMethodsUseTwoLanes(studentWidth: rs, teacherWidth: spectrum.count)
                                       && method.isExplicit)
    switch method {
    case .rungeKutta4(let step):
        try validateFixedStep(step)
        return FixedStepRungeKuttaStepper(system: OverlapVectorField(spectrum: spectrum, studentWidth: rs, executor: executor),
                                          stepSize: step, executor: executor)
    case .dormandPrince(let options):
        try options.validate()
        return DormandPrince5Stepper(system: OverlapVectorField(spectrum: spectrum, studentWidth: rs, executor: executor),
                                     options: options, executor: executor)
    case .exact(let options):
        try options.validate()
        if options.factorization == .lq { return try LQPropagatorStepper(spectrum: spectrum, studentWidth: rs, options: options) }
        return try ExactPropagatorStepper(spectrum: spectrum, studentWidth: rs, options: options)
    }
}

/// Integrates the overlap ODE of `problem` with `method`.
///
/// Throws for invalid input (before any work). An integration that fails part-way returns a
/// ``Solution`` whose ``Solution/status`` says why; a linear-algebra failure inside a step
/// (for instance a non-finite `K_h`) is reported the same way.
///
/// `locateEscapes: false` skips the escape-time search (``Solution/escapeTimes`` is then all
/// `nil`): with the exact propagator each located escape costs a few extra closed-form steps,
/// which dominates wide sweeps that only need the risk.
///
/// `threads` (1 or 2) is for the explicit methods: RK4 and Dormand–Prince always evaluate the
/// right-hand side and do their vector arithmetic in two fixed parts (``OverlapVectorField``,
/// ``ODESystem/laneParts``); with 2 threads, from `r_s · r ≥ 16384`, the parts run concurrently on
/// a worker thread of their own, OpenBLAS single-threaded. The results are identical, bit for
/// bit, for 1 and 2. The exact propagators decide by themselves (two halves from `r_s = 128`).
///
/// During RK4 and Dormand–Prince integrations the calling thread (and the worker lane) flush
/// subnormal numbers to zero (``FloatingPointMode/withSubnormalsFlushed(_:)``; the previous mode is
/// restored afterwards): the overlaps of directions the student never learns decay through the
/// subnormal range, where x86 arithmetic is many times slower. Each flushed value changes by less
/// than 2.2e-308.
///
/// `shouldStop` is asked after every step; when it says yes the integration ends there with
/// status ``IntegrationStatus/interrupted`` and the saves reached so far.
public func solve(_ problem: OverlapProblem, method: IntegrationMethod, locateEscapes: Bool = true, threads: Int = 1,
                  shouldStop: (() -> Bool)? = nil) throws(RiccatiError) -> Solution {
    let rs = problem.studentWidth, r = problem.teacherWidth
    guard threads == 1 || threads == 2 else { throw .invalidInput("threads must be 1 or 2, got \(threads)") }
    try checkStepBudget(problem, method: method)
    let stepper = try makeStepper(method: method, spectrum: problem.spectrum, studentWidth: rs, threads: threads)
    // A Cholesky propagator that splits its work over two threads of its own runs OpenBLAS
    // single-threaded for the whole solve (no thread switching per step; the same bits for any
    // OpenBLAS thread count).
    // Already single-threaded (for instance inside a sweep, which holds the claim): no claim, so
    // that a sweep's worker threads never wait for the claim of the thread that started them.
    // The LQ propagator runs its LAPACK single-threaded (bit-identical results), so it too holds
    // one OpenBLAS thread for the whole solve instead of switching twice per step.
    // Explicit methods on two lanes likewise (each lane's GEMMs single-threaded).
    let ownThreads = stepper.holdsOneOpenBLASThread && BLAS.threadCount > 1
    let blasThreads = ownThreads ? BLAS.claimThreadCount(1) : 0
    defer { if ownThreads { BLAS.releaseThreadCount(blasThreads) } }
    let initial = problem.initialState.packed
    let detector = EscapeTimeDetector(spectrum: problem.spectrum, studentWidth: rs, initialState: initial, initialTime: 0)
    var output: DriverOutput
    do {
        output = try method.inFloatingPointMode {
            try IntegrationDriver.run(
                stepper: stepper, initialTime: 0, initialState: initial, finalTime: problem.finalTime,
                saveTimes: problem.saveTimes, afterStep: locateEscapes ? { try detector.inspect($0) } : nil,
                shouldStop: shouldStop)
        }
    } catch let error as RiccatiError {
        // A linear-algebra failure mid-run is a runtime failure, not bad input.
        guard case .linearAlgebra(let underlying) = error else { throw error }
        output = DriverOutput()
        output.status = .nonFiniteState
        output.message = "linear algebra failed during the integration: \(underlying.description)"
        output.statistics = stepper.statistics
    } catch {
        throw .invalidInput("\(error)")
    }
    let evaluator = try ObservableEvaluator(spectrum: problem.spectrum, studentWidth: rs)
    var states: [OverlapState] = []
    var observables: [Observables] = []
    var times = output.times
    for (index, packed) in output.states.enumerated() {
        // A finite state can still be too large to evaluate (its squares overflow): that is a
        // diverged integration, reported as such with the saves before it kept.
        let evaluated = packed.withUnsafeBufferPointer { (y) -> Observables? in
            guard let values = try? evaluator.evaluate(packed: y.baseAddress!), values.risk.isFinite else { return nil }
            return values
        }
        guard let values = evaluated else {
            times.removeSubrange(index...)
            output.status = .nonFiniteState
            output.message = "the state at t = \(output.times[index]) is too large to evaluate (the integration diverged)"
                + (method.divergenceHint.map { "; \($0)" } ?? "")
            break
        }
        packed.withUnsafeBufferPointer { states.append(OverlapState(packed: $0.baseAddress!, studentWidth: rs, teacherWidth: r)) }
        observables.append(values)
    }
    let segments = (stepper as? DormandPrince5Stepper)?.segments ?? []
    return Solution(
        method: method, spectrum: problem.spectrum, initialState: problem.initialState, finalTime: problem.finalTime,
        times: times, states: states, observables: observables,
        escapeTimes: locateEscapes ? detector.escapeTimes : [Double?](repeating: nil, count: r),
        riskFloor: problem.spectrum.widthFloor(studentWidth: rs), status: output.status, message: output.message,
        statistics: output.statistics, denseSegments: segments)
}
