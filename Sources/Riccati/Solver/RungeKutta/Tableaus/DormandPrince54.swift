extension ButcherTableau {
    /// Dormand & Prince (1980) 5(4) pair, as in Hairer, Nørsett & Wanner, "Solving Ordinary
    /// Differential Equations I", 2nd ed., Table II.5.2, and Hairer's `dopri5.f`: FSAL, the RMS
    /// error of `b − b̂` (`dopri5.f`'s `E1 … E7`), the controller exponent `0.2 − 0.75·β`, the free
    /// fourth-order continuous extension of Shampine (1986) (`dopri5.f`'s `D1 … D7`, `CONTD5`) and
    /// the stiffness test on stages 7 and 6 with boundary 3.25 (`dopri5.f`).
    public static let dormandPrince54 = ButcherTableau(
        name: "dopri5", order: 5,
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
        firstSameAsLast: true,
        errorEstimate: EmbeddedErrorEstimate(
            weights: [71.0 / 57600, 0, -71.0 / 16695, 71.0 / 1920, -17253.0 / 339200, 22.0 / 525, -1.0 / 40],
            order: 4, stabilizationShare: 0.75),
        denseOutput: ContinuousExtension(order: 4, rows: [[
            -12715105075.0 / 11282082432, 0, 87487479700.0 / 32700410799, -10690763975.0 / 1880347072,
            701980252875.0 / 199316789632, -1453857185.0 / 822651844, 69997945.0 / 29380423,
        ]]),
        stiffnessTest: StiffnessTest(laterStage: 6, earlierStage: 5, boundary: 3.25))
}
