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
    ///
    /// Throws `RiccatiError.invalidParameter(name:value:reason:)` naming `perturbation.scale`
    /// (`c` not finite or `< 1`) or `perturbation.epsilon` (`ε` not finite or `≤ 0`), and the
    /// state's own error when the perturbed state overflows.
    public func apply(to state: OverlapState) throws(RiccatiError) -> OverlapState {
        switch self {
        case .scaled(let c):
            guard c.isFinite, c >= 1 else { throw .invalidParameter(name: "perturbation.scale", value: "\(c)", reason: "must be finite and ≥ 1") }
            return try OverlapState(overlap: c.squareRoot() * state.overlap, orthogonalGram: c * state.orthogonalGram)
        case .randomIncrement(let epsilon, let seed):
            guard epsilon.isFinite, epsilon > 0 else {
                throw .invalidParameter(name: "perturbation.epsilon", value: "\(epsilon)", reason: "must be finite and > 0")
            }
            let rs = state.studentWidth
            var generator = Xoshiro256StarStar.stream(seed: seed, index: 1)
            var z = Matrix(rows: rs, columns: rs)
            for index in 0..<z.storage.count { z.storage[index] = NormalSampler.next(using: &generator) }
            var f = (epsilon / Double(rs)) * BLAS.gram(z)
            for i in 0..<rs { f[i, i] += 1 }
            let m: Matrix, p: Matrix
            do throws(LinearAlgebraError) {
                let decomposition = try LinearAlgebra.symmetricEigendecomposition(f)
                guard let vectors = decomposition.vectors else {
                    throw LinearAlgebraError.lapackFailure(routine: "dsyevr", info: 0, detail: "no eigenvectors returned")
                }
                var scaled = vectors
                for k in 0..<rs {
                    let root = Swift.max(decomposition.values[k], 0).squareRoot().squareRoot()
                    for i in 0..<rs { scaled[i, k] *= root }
                }
                let root = try BLAS.product(scaled, scaled, transposeB: true)     // F^{1/2}
                m = try BLAS.product(root, state.overlap)
                p = try BLAS.product(try BLAS.product(root, state.orthogonalGram), root)
            } catch {
                throw .linearAlgebra(error)
            }
            return try OverlapState(overlap: m, orthogonalGram: p)
        }
    }
}
