import LinearAlgebra
import Riccati

/// Loewner monotonicity of one trajectory in time (MODEL.md: `t ↦ G(t)` need not be monotone).
///
/// Consecutive saved states are compared with ``LoewnerOrder``; the tolerance is
/// `relativeTolerance · max_t ‖X(t)‖_F` for every interval and for the entries. The check is
/// only as fine as the times given: pass a dense grid (the exact propagator re-propagates
/// exactly) to localise violations.
public struct TimeMonotonicity: Sendable, Equatable, Codable {
    public var times: [Double]
    public var verdict: TimeTrend
    /// Every interval on which `X(t_k) ⪯ X(t_{k+1})` fails.
    public var notIncreasing: [IntervalViolation]
    /// Every interval on which `X(t_k) ⪰ X(t_{k+1})` fails.
    public var notDecreasing: [IntervalViolation]
    /// The first failure of the order the trajectory starts with: the first interval that is
    /// not `eq` sets it (`le` → increasing, `ge` → decreasing); an `incomparable` first interval
    /// is itself the violation (the order fails from the first step). `nil` when the verdict is
    /// `increasing` or `decreasing`.
    public var firstViolation: IntervalViolation?
    /// Per-entry trends for `row ≤ column`.
    public var entries: [EntryMonotonicity]
    public var tolerance: Double

    /// Analyses `matrices[k]` at `times[k]` (strictly increasing, at least two).
    public static func analyze(times: [Double], matrices: [Matrix], relativeTolerance: Double = LoewnerOrder.defaultRelativeTolerance) throws(RiccatiError) -> TimeMonotonicity {
        guard times.count == matrices.count, times.count >= 2 else {
            throw .incompatibleParameters(names: ["times", "matrices"],
                                          reason: "time monotonicity needs at least two times with one matrix each, got \(times.count) times and \(matrices.count) matrices")
        }
        for k in 1..<times.count where !(times[k] > times[k - 1]) {
            throw .invalidParameter(name: "times", value: "\(times[k - 1]) then \(times[k])", reason: "must be strictly increasing")
        }
        let scale = matrices.map(\.frobeniusNorm).max() ?? 0
        let tolerance = relativeTolerance * scale
        var notIncreasing: [IntervalViolation] = [], notDecreasing: [IntervalViolation] = []
        var startingOrder: LoewnerRelation?
        var firstViolation: IntervalViolation?
        for k in 1..<times.count {
            // Absolute tolerance from the whole trajectory's scale: compare with relative 0 and apply it here.
            let comparison: LoewnerComparison
            do {
                comparison = try LoewnerOrder.compare(matrices[k - 1], matrices[k], relativeTolerance: 0)
            } catch {
                throw error.renamingParameters { $0 == "x" || $0 == "y" ? "matrices" : $0 }
            }
            let rising = comparison.smallestEigenvalue >= -tolerance
            let falling = comparison.largestEigenvalue <= tolerance
            var failedIncreasing: IntervalViolation?, failedDecreasing: IntervalViolation?
            if !rising {
                let violation = IntervalViolation(start: times[k - 1], end: times[k], eigenvalue: comparison.smallestEigenvalue,
                                                  witness: comparison.smallestWitness)
                failedIncreasing = violation
                notIncreasing.append(violation)
            }
            if !falling {
                let violation = IntervalViolation(start: times[k - 1], end: times[k], eigenvalue: -comparison.largestEigenvalue,
                                                  witness: comparison.largestWitness)
                failedDecreasing = violation
                notDecreasing.append(violation)
            }
            if firstViolation == nil {
                switch (startingOrder, rising, falling) {
                case (nil, true, true): break                                  // eq: no order yet
                case (nil, true, false): startingOrder = .lessOrEqual
                case (nil, false, true): startingOrder = .greaterOrEqual
                case (nil, false, false): firstViolation = failedIncreasing     // fails from the first step
                case (.lessOrEqual?, _, _): firstViolation = failedIncreasing
                case (.greaterOrEqual?, _, _): firstViolation = failedDecreasing
                default: break
                }
            }
        }
        let verdict: TimeTrend = notIncreasing.isEmpty ? .increasing : (notDecreasing.isEmpty ? .decreasing : .neither)
        if verdict != .neither { firstViolation = nil }
        let entries = entryTrends(times: times, matrices: matrices, tolerance: tolerance)
        return TimeMonotonicity(times: times, verdict: verdict, notIncreasing: notIncreasing, notDecreasing: notDecreasing,
                                firstViolation: firstViolation, entries: entries, tolerance: tolerance)
    }

    /// Analyses a solution's `observable` at `times` (default: its save times, plus `t = 0`).
    public static func analyze(_ solution: Solution, observable: TrajectoryObservable = .signalGram, times: [Double]? = nil,
                               relativeTolerance: Double = LoewnerOrder.defaultRelativeTolerance) throws(RiccatiError) -> TimeMonotonicity {
        var states: [OverlapState] = []
        var grid: [Double]
        if let times {
            grid = times
            for t in times { states.append(try solution.state(at: t)) }
        } else {
            grid = solution.times
            states = solution.states
            if grid.first != 0 {
                grid.insert(0, at: 0)
                states.insert(solution.initialState, at: 0)
            }
        }
        return try analyze(times: grid, matrices: states.map { observable.matrix(of: $0) }, relativeTolerance: relativeTolerance)
    }

    static func entryTrends(times: [Double], matrices: [Matrix], tolerance: Double) -> [EntryMonotonicity] {
        guard let first = matrices.first else { return [] }
        var result: [EntryMonotonicity] = []
        for row in 0..<first.rows {
            for column in row..<first.columns {
                let values = matrices.map { $0[row, column] }
                var direction = 0          // +1 rising, −1 falling, 0 not yet known
                var sawRise = false, sawFall = false
                var turningPoints: [EntryMonotonicity.TurningPoint] = []
                var extremeIndex = 0
                for k in 1..<values.count {
                    let step = values[k] - values[k - 1]
                    let now = step > tolerance ? 1 : (step < -tolerance ? -1 : 0)
                    if now == 0 { continue }
                    if now > 0 { sawRise = true } else { sawFall = true }
                    if direction != 0, now != direction {
                        turningPoints.append(.init(time: times[extremeIndex], value: values[extremeIndex], isMinimum: direction < 0))
                    }
                    direction = now
                    extremeIndex = k
                }
                let trend: EntryMonotonicity.Trend = sawRise && sawFall ? .nonMonotone : (sawRise ? .increasing : (sawFall ? .decreasing : .constant))
                result.append(EntryMonotonicity(row: row, column: column, trend: trend, turningPoints: turningPoints))
            }
        }
        return result
    }
}
