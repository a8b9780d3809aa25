import Foundation
import LinearAlgebra
import Riccati

/// The Loewner trend of `t ↦ X(t)` over a sequence of times. Raw values are the JSON spellings.
public enum TimeTrend: String, Sendable, Equatable, Codable {
    /// Non-decreasing: `X(t_k) ⪯ X(t_{k+1})` for every `k` (a constant sequence counts as this).
    case increasing
    /// Non-increasing: `X(t_k) ⪰ X(t_{k+1})` for every `k`.
    case decreasing
    /// Neither.
    case neither
}

/// An interval `[start, end]` between consecutive times on which an order fails.
public struct IntervalViolation: Sendable, Equatable {
    public var start: Double
    public var end: Double
    /// The offending eigenvalue: for a failure of `X(start) ⪯ X(end)` it is
    /// `λ_min(X(end) − X(start)) < 0`; for a failure of `X(start) ⪰ X(end)` it is
    /// `λ_min(X(start) − X(end)) < 0`.
    public var eigenvalue: Double
    /// Unit vector `v` with `vᵀ D v = eigenvalue < 0` for that difference `D`.
    public var witness: [Double]
}

/// How one entry `X_jk(t)` moves over the saved times.
public struct EntryMonotonicity: Sendable, Equatable {
    public enum Trend: String, Sendable, Equatable, Codable { case increasing, decreasing, constant, nonMonotone }
    /// A saved time at which the entry changes direction.
    public struct TurningPoint: Sendable, Equatable {
        public var time: Double
        public var value: Double
        /// `true` for a local minimum (falls, then rises), `false` for a local maximum.
        public var isMinimum: Bool
    }
    /// Zero-based row and column (`row ≤ column`).
    public var row: Int
    public var column: Int
    public var trend: Trend
    public var turningPoints: [TurningPoint]

    /// E.g. `G_22 falls to 1.2e-4 at t = 1.5, then rises`.
    public func summary(symbol: String = "G") -> String {
        let name = "\(symbol)_\(row + 1)\(column + 1)"
        switch trend {
        case .increasing: return "\(name) rises"
        case .decreasing: return "\(name) falls"
        case .constant: return "\(name) is constant"
        case .nonMonotone:
            let parts = turningPoints.map { point in
                String(format: "%@ to %.3g at t = %.4g, then %@", point.isMinimum ? "falls" : "rises", point.value, point.time,
                       point.isMinimum ? "rises" : "falls")
            }
            return "\(name) " + parts.joined(separator: "; ")
        }
    }
}

/// Loewner monotonicity of one trajectory in time (MODEL.md: `t ↦ G(t)` need not be monotone).
///
/// Consecutive saved states are compared with ``LoewnerOrder``; the tolerance is
/// `relativeTolerance · max_t ‖X(t)‖_F` for every interval and for the entries. The check is
/// only as fine as the times given: pass a dense grid (the exact propagator re-propagates
/// exactly) to localise violations.
public struct TimeMonotonicity: Sendable {
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
            throw .invalidInput("time monotonicity needs at least two times with one matrix each")
        }
        for k in 1..<times.count where !(times[k] > times[k - 1]) {
            throw .invalidInput("times must be strictly increasing")
        }
        let scale = matrices.map(\.frobeniusNorm).max() ?? 0
        let tolerance = relativeTolerance * scale
        var notIncreasing: [IntervalViolation] = [], notDecreasing: [IntervalViolation] = []
        var startingOrder: LoewnerRelation?
        var firstViolation: IntervalViolation?
        for k in 1..<times.count {
            // Absolute tolerance from the whole trajectory's scale: compare with relative 0 and apply it here.
            let comparison = try LoewnerOrder.compare(matrices[k - 1], matrices[k], relativeTolerance: 0)
            let rising = comparison.smallestEigenvalue >= -tolerance
            let falling = comparison.largestEigenvalue <= tolerance
            var failedIncreasing: IntervalViolation?, failedDecreasing: IntervalViolation?
            if !rising {
                failedIncreasing = IntervalViolation(start: times[k - 1], end: times[k], eigenvalue: comparison.smallestEigenvalue,
                                                     witness: comparison.smallestWitness)
                notIncreasing.append(failedIncreasing!)
            }
            if !falling {
                failedDecreasing = IntervalViolation(start: times[k - 1], end: times[k], eigenvalue: -comparison.largestEigenvalue,
                                                     witness: comparison.largestWitness)
                notDecreasing.append(failedDecreasing!)
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

/// The sandwich `0 ⪯ G(t) ⪯ Λ` (MODEL.md: `A` is a fixed point, so `0 ⪯ Q0 ⪯ A` implies
/// `0 ⪯ Q(t) ⪯ A`; the theorem needs `Q0 ⪯ A`, which forces `P0 = 0`).
public struct SandwichCheck: Sendable {
    public var times: [Double]
    /// `λ_min(G(t))` (should be ≥ 0).
    public var lowerMargins: [Double]
    /// `λ_min(Λ − G(t))` (should be ≥ 0).
    public var upperMargins: [Double]
    /// The absolute tolerance: `relativeTolerance · max(‖Λ‖_F, max_t ‖G(t)‖_F)`.
    public var tolerance: Double
    /// The first time either side fails, with its witness.
    public var firstViolation: OrderViolation?
    public var holds: Bool { firstViolation == nil }

    /// Checks the sandwich at `times` (default: `t = 0` and the save times).
    public static func check(_ solution: Solution, times: [Double]? = nil,
                             relativeTolerance: Double = LoewnerOrder.defaultRelativeTolerance) throws(RiccatiError) -> SandwichCheck {
        var grid = times ?? solution.times
        var states: [OverlapState] = []
        if let times {
            for t in times { states.append(try solution.state(at: t)) }
        } else {
            states = solution.states
            if grid.first != 0 { grid.insert(0, at: 0); states.insert(solution.initialState, at: 0) }
        }
        let lambda = Matrix.diagonal(solution.spectrum.values)
        let grams = states.map(\.signalGram)
        let tolerance = relativeTolerance * Swift.max(lambda.frobeniusNorm, grams.map(\.frobeniusNorm).max() ?? 0)
        let zero = Matrix(rows: lambda.rows, columns: lambda.columns)
        var lower: [Double] = [], upper: [Double] = []
        var firstViolation: OrderViolation?
        for (index, g) in grams.enumerated() {
            let below = try LoewnerOrder.compare(zero, g, relativeTolerance: 0)
            let above = try LoewnerOrder.compare(g, lambda, relativeTolerance: 0)
            lower.append(below.smallestEigenvalue)
            upper.append(above.smallestEigenvalue)
            if firstViolation == nil {
                if below.smallestEigenvalue < -tolerance {
                    firstViolation = OrderViolation(time: grid[index], eigenvalue: below.smallestEigenvalue, witness: below.smallestWitness)
                } else if above.smallestEigenvalue < -tolerance {
                    firstViolation = OrderViolation(time: grid[index], eigenvalue: above.smallestEigenvalue, witness: above.smallestWitness)
                }
            }
        }
        return SandwichCheck(times: grid, lowerMargins: lower, upperMargins: upper, tolerance: tolerance, firstViolation: firstViolation)
    }
}
