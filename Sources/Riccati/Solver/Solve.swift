import Foundation
import LinearAlgebra

/// The most fixed-length steps (RK4, exact-propagator steps at their cap, or steps of a discrete
/// map) one ``solve(_:method:locateEscapes:threads:shouldStop:)`` may take: beyond this a call
/// would run for hours, so it is refused up front. DOPRI5 has its own
/// ``AdaptiveStepOptions/maxSteps``.
public let maximumFixedSteps = 1e9

/// The most doubles the saved states and observables of one solve may take (2 GiB).
public let maximumSavedDoubles = Double(1 << 28)

extension OverlapProblem {
    /// The doubles one save holds: the state `(M, P)` and its observables (risk, `r` alignments,
    /// `r_s` eigenvalues of `K`).
    public var doublesPerSave: Int {
        let rs = studentWidth, r = teacherWidth
        return rs * r + rs * rs + r + rs + 1
    }

    /// Refuses, before any work, a solve that would take more than ``maximumFixedSteps``
    /// fixed-length steps (RK4 at its step; the exact propagator at its largest step, which its
    /// step-exponent cap and maximum step bound; a discrete map at its own step), whose saves would
    /// take more than ``maximumSavedDoubles``, or whose ``memoryEstimate(method:)`` exceeds
    /// ``MemoryBudget/availableBytes`` (``checkMemory(method:)``). Adaptive methods are bounded by their own step limit.
    public func checkBudget(method: IntegrationMethod?) throws(RiccatiError) {
        let saved = Double(saveTimes.count) * Double(doublesPerSave)
        guard saved <= maximumSavedDoubles else {
            throw .exceedsLimit(names: ["saveTimes", "studentWidth", "spectrum"],
                                reason: String(format: "%d saved states of %d doubles need %.3g GB, more than 2 GiB: save fewer times or use smaller widths",
                                               saveTimes.count, doublesPerSave, saved * 8 / 1e9))
        }
        try checkMemory(method: method)
        let steps: Double
        let parameter: String
        if let step = dynamics.timeEvolution.step {
            steps = finalTime / step
            parameter = "learningRate"
        } else {
            switch method {
            case .rungeKutta4(let step)?, .rungeKutta(_, let step?, _)?:
                steps = finalTime / step
                parameter = "step"
            case .exact(let options)?:
                var h = options.maxStep ?? .infinity
                if spectrum.largest > 0 { h = Swift.min(h, options.stepExponentCap / (8 * spectrum.largest)) }
                steps = h.isFinite ? finalTime / h : 0
                parameter = options.maxStep == nil ? "options.stepExponentCap" : "options.maxStep"
            case .dormandPrince?, .dormandPrince853?, .rungeKutta?, .rock2?, .rock4?, .automatic?, nil:
                return
            }
        }
        guard !(steps > maximumFixedSteps) else {
            throw .exceedsLimit(names: ["finalTime", parameter],
                                reason: String(format: "t_end = %g would take %.3g steps, more than 1e9: shorten the final time or lengthen the step",
                                               finalTime, steps))
        }
    }
}

extension OverlapProblem {
    /// The bytes a ``solve(_:method:locateEscapes:threads:shouldStop:)`` of a problem of these
    /// sizes holds at its peak, counting everything that grows with the inputs (`n = r_s·r + r_s²`
    /// doubles per state, `T` saves):
    ///
    /// - the saves, twice over at the end of a solve (the driver's packed states and the
    ///   solution's `(M, P)`), with their observables (`r` optional alignments of 16 bytes, `r_s`
    ///   eigenvalues, the risk): `T·(2n + 2r + r_s + 4)` doubles;
    /// - the stepper's workspace: RK and Dormand–Prince stages and dense-output coefficients
    ///   (at most `32n`), ROCK's recurrence, finishing stages and power iteration (`17n`), `auto`'s
    ///   dopri5 and ROCK together (`48n`), the exact propagators' states, roots and LQ blocks (`12n`), a discrete
    ///   map's two states (`4n`);
    /// - the escape-time detector, the observable evaluator (`K`, its eigensolver) and the risk's
    ///   blocks of `G` (`QuadraticRiskEvaluator`: at most `min(r², 2²⁰ + r)` doubles, never
    ///   `r×r` beyond `r = 1024`), the problem's initial state and its packed copies: `8n + 8r_s²`
    ///   plus the risk blocks.
    ///
    /// A Dormand–Prince dense output stored on request (``AdaptiveStepOptions/storeDenseOutput``)
    /// grows with the steps taken and is not counted.
    public static func memoryEstimate(studentWidth rs: Int, teacherWidth r: Int, saveCount: Int,
                                      method: IntegrationMethod?) -> Double {
        let n = Double(rs) * Double(r) + Double(rs) * Double(rs)
        let perSave = 2 * n + 2 * Double(r) + Double(rs) + 4
        let stepper: Double
        switch method {
        case .exact?: stepper = 12 * n
        case nil: stepper = 4 * n
        case .rungeKutta4?, .dormandPrince?, .dormandPrince853?, .rungeKutta?, .rock2?, .rock4?: stepper = 32 * n
        case .automatic?: stepper = 48 * n
        }
        let fixed = 8 * n + 8 * Double(rs) * Double(rs)
            + QuadraticRiskEvaluator.workspaceDoubles(studentWidth: rs, teacherWidth: r)
        return 8 * (Double(saveCount) * perSave + stepper + fixed)
    }

    /// ``memoryEstimate(studentWidth:teacherWidth:saveCount:method:)`` of this problem.
    public func memoryEstimate(method: IntegrationMethod?) -> Double {
        Self.memoryEstimate(studentWidth: studentWidth, teacherWidth: teacherWidth, saveCount: saveTimes.count, method: method)
    }

    /// Refuses (``RiccatiError/exceedsLimit(names:reason:)`` naming the save times and the widths)
    /// a solve whose ``memoryEstimate(method:)`` exceeds ``MemoryBudget/availableBytes``.
    public func checkMemory(method: IntegrationMethod?) throws(RiccatiError) {
        try MemoryBudget.check(memoryEstimate(method: method), names: ["saveTimes", "teacherWidth", "studentWidth"],
                               what: "\(saveTimes.count) saved states of r_s = \(studentWidth), r = \(teacherWidth) and the integrator's workspace")
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

/// The stepper that advances `dynamics` with `method` (`nil` for a discrete dynamics, whose map
/// is iterated as it is). `threads` (1 or 2) are the lanes of the explicit methods and of the
/// step maps that evaluate in two parts (``QuadraticSGDMeanMap``).
func makeStepper(dynamics: any EffectiveDynamics, method: IntegrationMethod?, threads: Int = 1) throws(RiccatiError) -> TimeStepper {
    if let step = dynamics.timeEvolution.step {
        if let method {
            throw .unsupportedMethod(method: method.name, dynamics: dynamics.name,
                                     reason: "a discrete map is iterated at its own step (\(step)); pass no integration method")
        }
        let lanes = TwoLaneExecutor(concurrent: threads >= 2 && explicitMethodsUseTwoLanes(studentWidth: dynamics.studentWidth,
                                                                                          teacherWidth: dynamics.spectrum.count))
        let twoLaneMap = (dynamics as? any TwoLaneStepMap)?.makeStepMap(executor: lanes)
        guard let map = twoLaneMap ?? dynamics.makeStepMap(), map.dimension == dynamics.stateDimension else {
            throw .incompatibleParameters(names: ["dynamics"],
                                          reason: "the discrete dynamics \(dynamics.name) has no step map of dimension \(dynamics.stateDimension)")
        }
        return StepMapStepper(map: map, step: step)
    }
    guard let method else {
        throw .invalidParameter(name: "method", value: "nil", reason: "must name an integration method for the continuous dynamics \(dynamics.name)")
    }
    try dynamics.checkApplicable(method)
    let rs = dynamics.studentWidth, r = dynamics.spectrum.count
    if case .exact(let options) = method {
        guard let exact = dynamics as? any ExactlyPropagated else {
            throw .unsupportedMethod(method: method.name, dynamics: dynamics.name,
                                     reason: "only the quadratic gradient flow, a matrix Riccati equation, has a closed-form propagator")
        }
        return try exact.makeExactStepper(options: options)
    }
    let executor = TwoLaneExecutor(concurrent: threads >= 2 && explicitMethodsUseTwoLanes(studentWidth: rs, teacherWidth: r))
    let system: ODESystem
    if let twoLane = dynamics as? any TwoLaneVectorField {
        system = twoLane.makeVectorField(executor: executor)
    } else if let field = dynamics.makeVectorField() {
        system = field
    } else {
        throw .incompatibleParameters(names: ["dynamics"], reason: "the continuous dynamics \(dynamics.name) has no vector field")
    }
    guard system.dimension == dynamics.stateDimension else {
        throw .incompatibleParameters(names: ["dynamics"],
                                      reason: "the vector field of \(dynamics.name) has dimension \(system.dimension), its state \(dynamics.stateDimension)")
    }
    switch method {
    case .rungeKutta4, .dormandPrince, .dormandPrince853, .rungeKutta, .rock2, .rock4, .automatic:
        return try method.makeStepper(system: system, executor: executor)
    case .exact:
        preconditionFailure("handled above")
    }
}

/// Solves `problem`: advances its effective dynamics from the initial state to the final time
/// with `method` and records states and observables at the save times.
///
/// `method` integrates a continuous dynamics (RK4, Dormand–Prince, or the exact propagator where
/// the dynamics has one); a discrete dynamics is iterated at its own step and takes `method: nil`.
///
/// Throws for invalid input (before any work). An integration that fails part-way returns a
/// ``Solution`` whose ``Solution/status`` says why, with the saves reached; a linear-algebra
/// failure inside a step (for instance a non-finite `K_h`) is reported the same way.
///
/// `locateEscapes: false` skips the escape-time search (``Solution/escapeTimes`` is then all
/// `nil`): with the exact propagator each located escape costs a few extra closed-form steps,
/// which dominates wide sweeps that only need the risk.
///
/// `threads` (1 or 2) is for the explicit methods: RK4 and Dormand–Prince always evaluate the
/// right-hand side and do their vector arithmetic in two fixed parts (``ODESystem/laneParts``);
/// with 2 threads, from `r_s · r ≥ 16384`, the parts run concurrently on a worker thread of their
/// own. The SGD mean map (``QuadraticSGDMeanMap``) and the SGD limit's field split their products
/// over the teacher width the same way. The results are identical, bit for bit, for 1 and 2. The
/// exact propagators decide by themselves (two halves from `r_s = 128`).
///
/// **OpenBLAS.** RiccatiKit never changes OpenBLAS's thread count, a setting of the whole process
/// that belongs to the application: set it once, before any work, with
/// `BLAS.setThreadCount(1)`. With one OpenBLAS thread the results do not depend on `threads`
/// or on the machine's cores; with more, some LAPACK routines block their work by the thread
/// count and the last bits can differ, and RiccatiKit's own threads compete with OpenBLAS's.
///
/// During RK4 and Dormand–Prince integrations the calling thread (and the worker lane) flush
/// subnormal numbers to zero (`FloatingPointMode.withSubnormalsFlushed(_:)` of LinearAlgebra; the previous mode is
/// restored afterwards): the overlaps of directions the student never learns decay through the
/// subnormal range, where x86 arithmetic is many times slower. Each flushed value changes by less
/// than 2.2e-308.
///
/// `shouldStop` is asked after every step; when it says yes the integration ends there with
/// status ``IntegrationStatus/interrupted`` and the saves reached so far.
public func solve(_ problem: OverlapProblem, method: IntegrationMethod?, locateEscapes: Bool = true, threads: Int = 1,
                  shouldStop: (() -> Bool)? = nil) throws(RiccatiError) -> Solution {
    let dynamics = problem.dynamics
    let rs = problem.studentWidth
    guard threads == 1 || threads == 2 else { throw .invalid("threads", threads, "must be 1 or 2") }
    try problem.checkBudget(method: method)
    let stepper = try makeStepper(dynamics: dynamics, method: method, threads: threads)
    let initial = dynamics.pack(problem.initialState)
    let slopeSource: EscapeTimeDetector.SlopeSource
    if dynamics.timeEvolution.step != nil {
        slopeSource = .timeGrid
    } else if dynamics is any QuadraticEscapeSlopes {
        slopeSource = .quadraticClosedForm
    } else if let field = dynamics.makeVectorField() {
        slopeSource = .vectorField(field)
    } else {
        slopeSource = .timeGrid
    }
    let detector = EscapeTimeDetector(spectrum: problem.spectrum, studentWidth: rs, initialState: initial, initialTime: 0,
                                      slopeSource: slopeSource)
    var output: DriverOutput
    do {
        let run = {
            try IntegrationDriver.run(
                stepper: stepper, initialTime: 0, initialState: initial, finalTime: problem.finalTime,
                saveTimes: problem.saveTimes, afterStep: locateEscapes ? { try detector.inspect($0) } : nil,
                shouldStop: shouldStop)
        }
        output = try method.map { try $0.inFloatingPointMode(run) } ?? run()
    } catch let error as RiccatiError {
        // A linear-algebra failure mid-run is a runtime failure, not bad input.
        guard case .linearAlgebra(let underlying) = error else { throw error }
        output = DriverOutput()
        output.status = .nonFiniteState
        output.message = "linear algebra failed during the integration: \(underlying.description)"
        output.statistics = stepper.statistics
    } catch {
        throw .integrationFailed(status: .nonFiniteState, time: stepper.time, message: "\(error)")
    }
    let evaluator = try ObservableEvaluator(dynamics: dynamics)
    let packedAsOverlapState = dynamics is any PackedAsOverlapState
    var states: [OverlapState] = []
    var observables: [Observables] = []
    var times = output.times
    for (index, packed) in output.states.enumerated() {
        let state = packed.withUnsafeBufferPointer { dynamics.unpack($0.baseAddress!) }
        // A finite state can still be too large to evaluate (its squares overflow): that is a
        // diverged integration, reported as such with the saves before it kept.
        let overlapPacked = packedAsOverlapState ? packed : state.packed
        let evaluated = overlapPacked.withUnsafeBufferPointer { (y) -> Observables? in
            guard let values = try? evaluator.evaluate(overlapPacked: y.baseAddress!), values.risk.isFinite else { return nil }
            return values
        }
        guard let values = evaluated else {
            times.removeSubrange(index...)
            output.status = .nonFiniteState
            output.message = "the state at t = \(output.times[index]) is too large to evaluate (the integration diverged)"
                + ((method?.divergenceHint).map { "; \($0)" } ?? "")
            break
        }
        states.append(state)
        observables.append(values)
    }
    return Solution(
        method: method, dynamics: dynamics.descriptor, dynamicsName: dynamics.name, spectrum: problem.spectrum,
        initialState: problem.initialState, finalTime: problem.finalTime,
        times: times, states: states, observables: observables,
        escapeTimes: locateEscapes ? detector.escapeTimes : [Double?](repeating: nil, count: problem.teacherWidth),
        riskFloor: (dynamics as? any ActivationDynamics).map { $0.activation.isQuadratic } == false
            ? 0 : problem.spectrum.widthFloor(studentWidth: rs), status: output.status, message: output.message,
        statistics: output.statistics, denseSegments: stepper.denseOutputSegments,
        solvedDynamics: dynamics)
}
