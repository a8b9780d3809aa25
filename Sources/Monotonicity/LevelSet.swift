import Foundation
import LinearAlgebra
import Riccati

/// Level sets of a 2×2 positive-definite `G`: the ellipse `{v : vᵀGv = 1}`. `G ⪯ G'` iff the
/// ellipse of `G'` lies inside that of `G` (MODEL.md).
public enum LevelSet {
    /// `count` points `v(θ) = V diag(μ^{-1/2}) (cos θ, sin θ)`, `θ = 2πk/count`, closing the curve
    /// (the first point is repeated at the end). Throws unless `G` is 2×2, symmetric and
    /// positive definite (naming `g`) and `count ≥ 3`.
    public static func ellipse(of g: Matrix, count: Int = 128) throws(RiccatiError) -> [(x: Double, y: Double)] {
        guard g.rows == 2, g.columns == 2 else {
            throw .invalidParameter(name: "g", value: "\(g.rows)×\(g.columns)", reason: "must be 2×2 (level-set ellipses need r = 2)")
        }
        guard count >= 3 else { throw .invalidParameter(name: "count", value: "\(count)", reason: "must be ≥ 3") }
        let decomposition: SymmetricEigendecomposition
        do {
            try LinearAlgebra.requireSymmetric(g, name: "g")
        } catch {
            throw .invalidParameter(name: "g", value: "", reason: "must be finite and symmetric (\(error.description))")
        }
        do throws(LinearAlgebraError) {
            decomposition = try LinearAlgebra.symmetricEigendecomposition(g)
        } catch {
            throw .linearAlgebra(error)
        }
        guard decomposition.values[0] > 0, let v = decomposition.vectors else {
            throw .invalidParameter(name: "g", value: "smallest eigenvalue \(decomposition.values[0])",
                                    reason: "must be positive definite (its level set is otherwise unbounded)")
        }
        let a = 1 / decomposition.values[0].squareRoot(), b = 1 / decomposition.values[1].squareRoot()
        return (0...count).map { k in
            let theta = 2 * Double.pi * Double(k % count) / Double(count)
            let u = a * cos(theta), w = b * sin(theta)
            return (x: v[0, 0] * u + v[0, 1] * w, y: v[1, 0] * u + v[1, 1] * w)
        }
    }

    /// Smallest accepted `det G / (G_11 G_22) = 1 − ρ²`, `ρ` the correlation of the two directions
    /// in `G`: below it the ellipse is too thin to draw (and `G` is singular to working precision).
    public static let minimumDeterminantRatio = 1e-10

    /// Throws unless the signal Gram `g` can be drawn as a level-set ellipse: `g` is 2×2 (a
    /// teacher of width `r = 2`) and positive definite with room to spare, `G_11 > 0`, `G_22 > 0`
    /// and `det G > 1e-10·G_11·G_22`. The flow keeps the rank of `G`, so for a trajectory this is
    /// asked of `G0 = M0ᵀM0`, which needs `r_s ≥ 2` and `M0` of rank 2. `name` is the parameter
    /// the error blames (for a comparison-principle run, `initialState`).
    public static func requireDrawable(_ g: Matrix, name: String) throws(RiccatiError) {
        guard g.rows == 2, g.columns == 2 else {
            throw .invalidParameter(name: name, value: "r = \(g.columns)",
                                    reason: "must have a teacher of width r = 2 to draw the 2×2 level sets of G = MᵀM")
        }
        let determinant = g[0, 0] * g[1, 1] - g[0, 1] * g[1, 0]
        guard g[0, 0] > 0, g[1, 1] > 0, determinant > minimumDeterminantRatio * g[0, 0] * g[1, 1] else {
            throw .invalidParameter(
                name: name, value: "G = [[\(g[0, 0]), \(g[0, 1])], [\(g[1, 0]), \(g[1, 1])]]",
                reason: "must have a positive-definite signal Gram G = MᵀM to draw its level sets (r_s ≥ 2, M of rank 2)")
        }
    }
}
