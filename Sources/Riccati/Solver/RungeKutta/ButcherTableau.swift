/// The coefficients of an explicit Runge–Kutta method: data, not code.
///
/// Stage `i` is `k_i = f(t + c_i h, y + h Σ_{j<i} a_ij k_j)`; the solution is
/// `y_new = y + h Σ b_i k_i`. For embedded pairs, `errorWeights` holds `b_i − b̂_i`, so that the
/// local error estimate is `h Σ errorWeights_i k_i`.
public struct ButcherTableau: Sendable {
    public let name: String
    /// Order of the propagated solution.
    public let order: Int
    /// Order of the embedded solution (`nil` without an error estimate).
    public let embeddedOrder: Int?
    public let c: [Double]
    /// Strictly lower-triangular rows: `a[i]` has `i` entries.
    public let a: [[Double]]
    public let b: [Double]
    public let errorWeights: [Double]?
    /// First same as last: the last stage is evaluated at `y_new` and is the next step's first.
    public let firstSameAsLast: Bool

    public var stageCount: Int { c.count }

    /// The classical fourth-order method of Kutta (1901).
    public static let classicalRK4 = ButcherTableau(
        name: "rk4", order: 4, embeddedOrder: nil,
        c: [0, 0.5, 0.5, 1],
        a: [[], [0.5], [0, 0.5], [0, 0, 1]],
        b: [1.0 / 6, 1.0 / 3, 1.0 / 3, 1.0 / 6],
        errorWeights: nil, firstSameAsLast: false)

    /// Dormand & Prince (1980) 5(4) pair, coefficients as in Hairer, Nørsett & Wanner,
    /// "Solving Ordinary Differential Equations I", 2nd ed., Table II.5.2, and Hairer's `dopri5.f`.
    public static let dormandPrince54 = ButcherTableau(
        name: "dopri5", order: 5, embeddedOrder: 4,
        c: [0, 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9, 1, 1],
        a: [
            [],
            [1.0 / 5],
            [3.0 / 40, 9.0 / 40],
            [44.0 / 45, -56.0 / 15, 32.0 / 9],
            [19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729],
            [9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656],
            [35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84],
        ],
        b: [35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84, 0],
        // e_i = b_i − b̂_i (dopri5.f: E1 … E7).
        errorWeights: [71.0 / 57600, 0, -71.0 / 16695, 71.0 / 1920, -17253.0 / 339200, 22.0 / 525, -1.0 / 40],
        firstSameAsLast: true)

    /// Coefficients `d_i` of the free fourth-order continuous extension of DOPRI5 (Hairer's
    /// `dopri5.f`, `D1 … D7`; Shampine 1986). See ``DormandPrince5Stepper``.
    public static let dormandPrinceDenseOutput: [Double] = [
        -12715105075.0 / 11282082432, 0, 87487479700.0 / 32700410799, -10690763975.0 / 1880347072,
        701980252875.0 / 199316789632, -1453857185.0 / 822651844, 69997945.0 / 29380423,
    ]
}
