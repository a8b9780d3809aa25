import LinearAlgebra
import Riccati

/// The sandwich `0 ⪯ G(t) ⪯ Λ` (MODEL.md: `A` is a fixed point, so `0 ⪯ Q0 ⪯ A` implies
/// `0 ⪯ Q(t) ⪯ A`; the theorem needs `Q0 ⪯ A`, which forces `P0 = 0`).
public struct SandwichCheck: Sendable, Equatable, Codable {
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
