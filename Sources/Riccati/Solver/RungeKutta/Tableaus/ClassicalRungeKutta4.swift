extension ButcherTableau {
    /// The classical fourth-order method of Kutta (1901); Hairer, Nørsett & Wanner I, Table II.1.2 (left).
    public static let classicalRK4 = ButcherTableau(
        name: "rk4", order: 4,
        c: [0, 0.5, 0.5, 1],
        a: [[], [0.5], [0, 0.5], [0, 0, 1]],
        b: [1.0 / 6, 1.0 / 3, 1.0 / 3, 1.0 / 6])
}
