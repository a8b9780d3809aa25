import Foundation
import LinearAlgebra
import Riccati
import Sampling

/// A second initial condition above the first in Loewner order (`Q0 ⪯ Q0'` in `R^{d×d}`,
/// hence `G0 ⪯ G0'`).
public enum OrderedPerturbation: Sendable, Equatable {
    /// `Q0' = c Q0` with `c ≥ 1`: `M0' = √c M0`, `P0' = c P0`.
    case scaled(Double)
    /// `Q0' = W0ᵀ F W0` with `F = I + ε R`, `R = ZZᵀ/r_s`, `Z` an `r_s×r_s` standard Gaussian
    /// matrix drawn from stream 1 of `seed` (`E R = I`). The increment `ε W0ᵀRW0` is PSD and
    /// random; in overlap coordinates `M0' = F^{1/2} M0` and `P0' = F^{1/2} P0 F^{1/2}`, so
    /// `G0' = G0 + ε M0ᵀ R M0`. It works for full `(M, P)` and small initialisations alike and
    /// never changes the student width.
    case randomIncrement(epsilon: Double, seed: UInt64)

    /// The perturbed initial state.
    public func apply(to state: OverlapState) throws(RiccatiError) -> OverlapState {
        switch self {
        case .scaled(let c):
            guard c.isFinite, c >= 1 else { throw .invalidInput("--scale must be finite and ≥ 1, got \(c)") }
            return try OverlapState(overlap: c.squareRoot() * state.overlap, orthogonalGram: c * state.orthogonalGram)
        case .randomIncrement(let epsilon, let seed):
            guard epsilon.isFinite, epsilon > 0 else { throw .invalidInput("--perturb must be finite and > 0, got \(epsilon)") }
            let rs = state.studentWidth
            var generator = Xoshiro256StarStar.stream(seed: seed, index: 1)
            var z = Matrix(rows: rs, columns: rs)
            for index in 0..<z.storage.count { z.storage[index] = NormalSampler.next(using: &generator) }
            var f = (epsilon / Double(rs)) * BLAS.gram(z)
            for i in 0..<rs { f[i, i] += 1 }
            do {
                let decomposition = try LinearAlgebra.symmetricEigendecomposition(f)
                let vectors = decomposition.vectors!
                var scaled = vectors
                for k in 0..<rs {
                    let root = Swift.max(decomposition.values[k], 0).squareRoot().squareRoot()
                    for i in 0..<rs { scaled[i, k] *= root }
                }
                let root = try BLAS.product(scaled, scaled, transposeB: true)     // F^{1/2}
                let m = try BLAS.product(root, state.overlap)
                let p = try BLAS.product(try BLAS.product(root, state.orthogonalGram), root)
                return try OverlapState(overlap: m, orthogonalGram: p)
            } catch let error as RiccatiError {
                throw error
            } catch let error as LinearAlgebraError {
                throw .linearAlgebra(error)
            } catch {
                throw .invalidInput("\(error)")
            }
        }
    }
}

/// One method's run of the comparison-principle experiment.
public struct ComparisonPrincipleRun: Sendable {
    public var method: IntegrationMethod
    /// From the lower initial condition (trajectory A).
    public var lower: Solution
    /// From the perturbed, larger initial condition (trajectory B).
    public var upper: Solution
    /// `G_A(t)` against `G_B(t)` at every saved time; the principle says `G_A ⪯ G_B`.
    public var comparison: TrajectoryComparison
}

/// The comparison principle (MODEL.md): `Q0 ⪯ Q0'` implies `Q(t) ⪯ Q'(t)` for all `t ≥ 0`.
public enum ComparisonPrinciple {
    /// The relative tolerance used for `method` unless one is given: `1e-10` for the exact
    /// propagator, `max(1e-10, 10·rtol)` for Dormand–Prince and `1e-6` for RK4 (whose error
    /// depends on the step), so that integration error is not read as a violation.
    public static func defaultTolerance(for method: IntegrationMethod) -> Double {
        switch method {
        case .exact: return LoewnerOrder.defaultRelativeTolerance
        case .dormandPrince(let options), .dormandPrince853(let options), .rungeKutta(_, nil, let options):
            return Swift.max(LoewnerOrder.defaultRelativeTolerance, 10 * options.relativeTolerance)
        case .rungeKutta4, .rungeKutta: return 1e-6
        }
    }

    /// Integrates both initial conditions with each method and compares `G` at every save time.
    public static func run(
        spectrum: TeacherSpectrum, initialState: OverlapState, perturbation: OrderedPerturbation,
        finalTime: Double, saveTimes: [Double], methods: [IntegrationMethod], relativeTolerance: Double? = nil
    ) throws(RiccatiError) -> [ComparisonPrincipleRun] {
        let upperState = try perturbation.apply(to: initialState)
        let lowerProblem = try OverlapProblem(spectrum: spectrum, initialState: initialState, finalTime: finalTime, saveTimes: saveTimes)
        let upperProblem = try OverlapProblem(spectrum: spectrum, initialState: upperState, finalTime: finalTime, saveTimes: saveTimes)
        var runs: [ComparisonPrincipleRun] = []
        for method in methods {
            let lower = try solve(lowerProblem, method: method)
            let upper = try solve(upperProblem, method: method)
            guard lower.status.isSuccess, upper.status.isSuccess else {
                throw .invalidInput("the \(method.name) integration failed: \(lower.status.isSuccess ? upper.message : lower.message)")
            }
            let comparison = try TrajectoryComparison.compare(
                lower, upper, observable: .signalGram, relativeTolerance: relativeTolerance ?? defaultTolerance(for: method))
            runs.append(ComparisonPrincipleRun(method: method, lower: lower, upper: upper, comparison: comparison))
        }
        return runs
    }
}

/// Level sets of a 2×2 positive-definite `G`: the ellipse `{v : vᵀGv = 1}`. `G ⪯ G'` iff the
/// ellipse of `G'` lies inside that of `G` (MODEL.md).
public enum LevelSet {
    /// `count` points `v(θ) = V diag(μ^{-1/2}) (cos θ, sin θ)`, `θ = 2πk/count`, closing the curve
    /// (the first point is repeated at the end). Throws unless `G` is 2×2, symmetric and
    /// positive definite.
    public static func ellipse(of g: Matrix, count: Int = 128) throws(RiccatiError) -> [(x: Double, y: Double)] {
        guard g.rows == 2, g.columns == 2 else { throw .invalidInput("level-set ellipses need a 2×2 G (r = 2), got \(g.rows)×\(g.columns)") }
        guard count >= 3 else { throw .invalidInput("an ellipse needs at least 3 points") }
        let decomposition: SymmetricEigendecomposition
        do { decomposition = try LinearAlgebra.symmetricEigendecomposition(g) } catch { throw .invalidInput("G: \(error.description)") }
        guard decomposition.values[0] > 0 else {
            throw .invalidInput("G is not positive definite (eigenvalue \(decomposition.values[0])); its level set is unbounded")
        }
        let v = decomposition.vectors!
        let a = 1 / decomposition.values[0].squareRoot(), b = 1 / decomposition.values[1].squareRoot()
        return (0...count).map { k in
            let theta = 2 * Double.pi * Double(k % count) / Double(count)
            let u = a * cos(theta), w = b * sin(theta)
            return (x: v[0, 0] * u + v[0, 1] * w, y: v[1, 0] * u + v[1, 1] * w)
        }
    }
}
