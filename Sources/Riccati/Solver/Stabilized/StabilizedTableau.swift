/// A stabilised explicit Runge–Kutta method of Abdulle's ROCK family, as data.
///
/// One step of `s = m + f` stages runs a three-term recurrence of degree `m`, whose stability
/// polynomial `P_m(z)` is orthogonal on a long stretch of the negative real axis, and then a small
/// explicit Runge–Kutta method of `f` stages (the *finishing procedure*) whose stability polynomial
/// `w(z)` completes `R(z) = P_m(z)·w(z)` to the method's order. Starting from `g₀ = y`,
/// `g₁ = y + h·μ₁·f(g₀)`,
///
///     g_j = h·μ_j·f(g_{j−1}) + (1 + κ_j)·g_{j−1} − κ_j·g_{j−2},   j = 2 … m,
///
/// and the finishing procedure advances `g_m` to `y_{n+1}` with stages `k_i = f(g_m + h·Σ a_ij k_j)`
/// and weights `b_i`; the error estimate is `h·(Σ e_i k_i + e_{f+1}·f(y_{n+1}))`, the difference to
/// an embedded solution of lower order (the last weight multiplies the first stage of the next step).
///
/// `|R(x)| ≤ 1` holds on `[−ℓ(s), 0]` with `ℓ(s) ≈ stabilitySlope · s²`: a step that covers `h·ρ`
/// (`ρ` the spectral radius of the Jacobian) needs `s = ⌊√((stabilityOffset + h·ρ)/stabilitySlope)⌋ + 1`
/// stages, so its cost grows like `√(h·ρ)` where a classical explicit method's grows like `h·ρ`.
/// The published methods exist for the degrees in ``degrees`` only; a step uses the smallest one
/// that is at least the degree asked for.
///
/// The coefficients are Abdulle's (``rock2``, ``rock4``; sources in `Tables/`).
struct StabilizedTableau: Sendable, Equatable {
    let name: String
    /// The order of `y_{n+1}` (also for nonlinear problems).
    let order: Int
    /// The order of the embedded solution the error estimate compares with (the estimate is
    /// `O(h^{embeddedOrder+1})`, which sets the step controller's exponent).
    let embeddedOrder: Int
    /// `ℓ(s) ≈ stabilitySlope·s²`, see the type's discussion.
    let stabilitySlope: Double
    let stabilityOffset: Double
    /// `f`, the stages of the finishing procedure.
    let finishingStageCount: Int
    /// The recurrence degrees `m` available, ascending.
    let degrees: [Int]
    /// `μ₁`, then `(μ_j, κ_j)` for `j = 2 … m`, per degree in the order of ``degrees``.
    let recurrence: [Double]
    /// Where each degree's run of ``recurrence`` starts.
    let recurrenceStarts: [Int]
    /// Per degree: the finishing procedure's strictly lower triangle `a_ij` by rows
    /// (`f(f−1)/2` numbers), its weights `b_i` (`f`) and its error weights `e_i` (`f + 1`).
    let finishingMatrix: [Double]
    let finishingWeights: [Double]
    let errorWeights: [Double]

    init(name: String, order: Int, embeddedOrder: Int, stabilitySlope: Double, stabilityOffset: Double,
         finishingStageCount: Int, degrees: [Int], recurrence: [Double],
         finishingMatrix: [Double], finishingWeights: [Double], errorWeights: [Double]) {
        self.name = name
        self.order = order
        self.embeddedOrder = embeddedOrder
        self.stabilitySlope = stabilitySlope
        self.stabilityOffset = stabilityOffset
        self.finishingStageCount = finishingStageCount
        self.degrees = degrees
        self.recurrence = recurrence
        var starts: [Int] = []
        var start = 0
        for m in degrees {
            starts.append(start)
            start += 2 * m - 1
        }
        recurrenceStarts = starts
        self.finishingMatrix = finishingMatrix
        self.finishingWeights = finishingWeights
        self.errorWeights = errorWeights
    }

    /// The fewest and most stages of a step.
    var minimumStages: Int { (degrees.first ?? 1) + finishingStageCount }
    var maximumStages: Int { (degrees.last ?? 1) + finishingStageCount }

    /// The stages a step of stiffness `h·ρ` needs by the design formula (at least
    /// ``minimumStages``; may exceed ``maximumStages``, which callers check).
    func stagesNeeded(stiffness: Double) -> Int {
        let stages = ((stabilityOffset + Swift.max(stiffness, 0)) / stabilitySlope).squareRoot() + 1
        guard stages.isFinite, stages < Double(Int.max / 4) else { return Int.max / 4 }
        return Swift.max(Int(stages), minimumStages)
    }

    /// The largest `h·ρ` a step of `stages` stages covers by the design formula (the inverse of
    /// ``stagesNeeded(stiffness:)``, rounded down).
    func largestStiffness(stages: Int) -> Double {
        stabilitySlope * Double(stages - 1) * Double(stages - 1) - stabilityOffset
    }

    /// The index into ``degrees`` of the smallest tabulated degree `m ≥ stages − f` (the last
    /// one when `stages` exceeds ``maximumStages``).
    func degreeIndex(stages: Int) -> Int {
        let wanted = stages - finishingStageCount
        return degrees.firstIndex { $0 >= wanted } ?? degrees.count - 1
    }

    /// The coefficients of the finishing procedure of degree index `k`.
    func finishing(degreeIndex k: Int) -> (matrix: ArraySlice<Double>, weights: ArraySlice<Double>, error: ArraySlice<Double>) {
        let f = finishingStageCount, triangle = f * (f - 1) / 2
        return (finishingMatrix[(k * triangle)..<((k + 1) * triangle)],
                finishingWeights[(k * f)..<((k + 1) * f)],
                errorWeights[(k * (f + 1))..<((k + 1) * (f + 1))])
    }

    /// ROCK2 (Abdulle & Medovikov 2001): second order, `ℓ(s) ≈ 0.811·s²`, 3 … 200 stages. Its
    /// two-stage finishing procedure with coefficients `σ = fp1`, `τ = fp2` is
    /// `k₁ = f(g_m)`, `k₂ = f(g_m + hσk₁)`, `y_{n+1} = g_m + h(σ − τ)k₁ + h(σ + τ)k₂`, and the
    /// error estimate is `hτ(k₂ − k₁)` (against the first-order `g_m + hσ(k₁ + k₂)`). The
    /// constants of the stage choice (0.811, 1.5) are those of the authors' code.
    static let rock2: StabilizedTableau = {
        let first = ROCK2Table.finishingFirst, second = ROCK2Table.finishingSecond
        var weights: [Double] = [], errors: [Double] = []
        for (sigma, tau) in zip(first, second) {
            weights += [sigma - tau, sigma + tau]
            errors += [-tau, tau, 0]
        }
        return StabilizedTableau(
            name: "rock2", order: 2, embeddedOrder: 1, stabilitySlope: 0.811, stabilityOffset: 1.5,
            finishingStageCount: 2, degrees: ROCK2Table.degrees, recurrence: ROCK2Table.recurrence,
            finishingMatrix: first, finishingWeights: weights, errorWeights: errors)
    }()

    /// ROCK4 (Abdulle 2002): fourth order, `ℓ(s) ≈ 0.353·s²`, 5 … 142 stages, a four-stage
    /// finishing procedure with an embedded third-order solution whose fifth weight multiplies
    /// `f(y_{n+1})`. The stage-choice constants (0.353, 3) are those of the author's code.
    static let rock4: StabilizedTableau = {
        var errors: [Double] = []
        for k in ROCK4Table.degrees.indices {
            for i in 0..<4 { errors.append(ROCK4Table.embeddedB[5 * k + i] - ROCK4Table.finishingB[4 * k + i]) }
            errors.append(ROCK4Table.embeddedB[5 * k + 4])
        }
        let published = StabilizedTableau(
            name: "rock4", order: 4, embeddedOrder: 3, stabilitySlope: 0.353, stabilityOffset: 3,
            finishingStageCount: 4, degrees: ROCK4Table.degrees, recurrence: ROCK4Table.recurrence,
            finishingMatrix: ROCK4Table.finishingA, finishingWeights: ROCK4Table.finishingB, errorWeights: errors)
        // The published polynomials of degrees 129 and 148 exceed 1 in modulus near x = −8.4
        // (by 0.59 % and 0.77 %; checked in the tests): steps use degree 138 at most instead.
        return published.removingDegrees([129, 148])
    }()

    /// The same method without the given degrees (a step that would use one takes the next).
    func removingDegrees(_ removed: Set<Int>) -> StabilizedTableau {
        var degrees: [Int] = [], recurrence: [Double] = []
        var matrix: [Double] = [], weights: [Double] = [], errors: [Double] = []
        for (k, m) in self.degrees.enumerated() where !removed.contains(m) {
            degrees.append(m)
            recurrence += self.recurrence[recurrenceStarts[k]..<(recurrenceStarts[k] + 2 * m - 1)]
            let (a, b, e) = finishing(degreeIndex: k)
            matrix += a
            weights += b
            errors += e
        }
        return StabilizedTableau(name: name, order: order, embeddedOrder: embeddedOrder, stabilitySlope: stabilitySlope,
                                 stabilityOffset: stabilityOffset, finishingStageCount: finishingStageCount, degrees: degrees,
                                 recurrence: recurrence, finishingMatrix: matrix, finishingWeights: weights, errorWeights: errors)
    }
}
