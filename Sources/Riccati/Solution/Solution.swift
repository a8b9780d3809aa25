import Foundation
import LinearAlgebra

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
        let method = self.method.withoutStoredDenseOutput
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
