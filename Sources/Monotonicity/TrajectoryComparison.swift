import LinearAlgebra
import Riccati

/// Trajectory `A` against trajectory `B` at common times: is `A(t) ⪯ B(t)` at every time?
public struct TrajectoryComparison: Sendable, Equatable, Codable {
    public var observable: TrajectoryObservable
    public var times: [Double]
    /// Per time, the relation of `A(t)` to `B(t)`.
    public var relations: [LoewnerRelation]
    /// Per time, the full comparison (eigenvalues, witnesses, tolerance).
    public var comparisons: [LoewnerComparison]
    /// `min_t λ_min(B(t) − A(t))`: the smallest margin of `A ⪯ B` (negative when violated).
    public var minMargin: Double
    /// When ``minMargin`` occurs.
    public var minMarginTime: Double
    /// The first time `A(t) ⪯ B(t)` fails beyond tolerance, with its witness.
    public var firstViolation: OrderViolation?
    /// `A(t) ⪯ B(t)` (within tolerance) at every time.
    public var orderPreserved: Bool { firstViolation == nil }

    /// Compares `a` and `b` on `observable` at `times`, each state obtained by
    /// `Solution.state(at:)` (the saved state, dense output or exact re-propagation). With
    /// `times == nil` the two solutions' own save times are used, and must coincide.
    public static func compare(
        _ a: Solution, _ b: Solution, observable: TrajectoryObservable = .signalGram,
        times: [Double]? = nil, relativeTolerance: Double = LoewnerOrder.defaultRelativeTolerance
    ) throws(RiccatiError) -> TrajectoryComparison {
        let grid: [Double]
        let statesA: [OverlapState], statesB: [OverlapState]
        if let times {
            guard !times.isEmpty else { throw .invalidParameter(name: "times", value: "[]", reason: "must hold at least one time") }
            grid = times
            var collectedA: [OverlapState] = [], collectedB: [OverlapState] = []
            for t in times {
                collectedA.append(try a.state(at: t))
                collectedB.append(try b.state(at: t))
            }
            statesA = collectedA
            statesB = collectedB
        } else {
            guard a.times == b.times, !a.times.isEmpty else {
                throw .incompatibleParameters(
                    names: ["a", "b"],
                    reason: "the two solutions were saved at different times (\(a.times.count) and \(b.times.count) saves); pass common times")
            }
            grid = a.times
            statesA = a.states
            statesB = b.states
        }
        return try compare(times: grid, statesA, statesB, observable: observable, relativeTolerance: relativeTolerance)
    }

    /// Compares two sequences of states saved at the same `times`.
    public static func compare(
        times: [Double], _ statesA: [OverlapState], _ statesB: [OverlapState],
        observable: TrajectoryObservable = .signalGram, relativeTolerance: Double = LoewnerOrder.defaultRelativeTolerance
    ) throws(RiccatiError) -> TrajectoryComparison {
        guard statesA.count == times.count, statesB.count == times.count else {
            throw .incompatibleParameters(names: ["times", "statesA", "statesB"],
                                          reason: "need one state of each trajectory per time, got \(times.count) times, \(statesA.count) and \(statesB.count) states")
        }
        var relations: [LoewnerRelation] = [], comparisons: [LoewnerComparison] = []
        var minMargin = Double.infinity, minMarginTime = times.first ?? 0
        var firstViolation: OrderViolation?
        for (index, t) in times.enumerated() {
            let comparison = try LoewnerOrder.compare(observable.matrix(of: statesA[index]), observable.matrix(of: statesB[index]),
                                                      relativeTolerance: relativeTolerance)
            relations.append(comparison.relation)
            comparisons.append(comparison)
            if comparison.smallestEigenvalue < minMargin {
                minMargin = comparison.smallestEigenvalue
                minMarginTime = t
            }
            if firstViolation == nil, !comparison.relation.impliesLessOrEqual {
                firstViolation = OrderViolation(time: t, eigenvalue: comparison.smallestEigenvalue, witness: comparison.smallestWitness)
            }
        }
        return TrajectoryComparison(observable: observable, times: times, relations: relations, comparisons: comparisons,
                                    minMargin: minMargin, minMarginTime: minMarginTime, firstViolation: firstViolation)
    }
}
