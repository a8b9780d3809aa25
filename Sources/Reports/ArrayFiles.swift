import AtomicFiles
import NumPyFormat

/// The arrays of a run as `.npy` files (`riccati … --npy-dir DIR`) (little-endian float64, C order, what
/// `numpy.load` reads directly) plus `config.json`, the `config` object of the JSON report.
///
/// Names and shapes (`T` save times, `r` teacher width, `r_s` student width):
///
/// | command | file | shape | contents |
/// |---|---|---|---|
/// | `integrate` | `times.npy` | `(T,)` | save times reached |
/// | | `risk.npy` | `(T,)` | `R(t)` |
/// | | `G.npy` | `(T, r, r)` | `G = MᵀM` |
/// | | `alignment.npy` | `(T, r)` | `G_jj/λ_j`, NaN where `λ_j = 0` |
/// | | `learned.npy` | `(T,)` | `#{j : G_jj ≥ λ_j/2}` |
/// | | `escape_times.npy` | `(r,)` | first time `G_jj ≥ λ_j/2`, NaN if not reached |
/// | | `k_spectrum.npy` | `(T, r_s)` | eigenvalues of `K`, decreasing |
/// | | `M.npy` | `(T, r_s, r)` | `M` (gauge-dependent, see the README) |
/// | | `P.npy` | `(T, r_s, r_s)` | `P` |
/// | | `lambda.npy` | `(r,)` | `λ` |
/// | | `risk_floor.npy` | `()` | `R_min = 2 Σ_{j>r_s} λ_j²` |
/// | `sgd` | `times.npy`, `steps.npy` | `(T,)` | record times `t = ηk` and steps `k` |
/// | | `risk.npy` | `(T,)` | population risk |
/// | | `alignment.npy` | `(T, r)` | as above |
/// | | `G.npy`, `M.npy`, `P.npy` | as above | overlaps of the SGD iterate |
/// | | `lambda.npy` | `(r,)` | `λ` |
/// | `compare` | `times.npy` | `(T,)` | record times |
/// | | `risk_sgd.npy`, `risk_ode.npy` | `(T,)` | risks |
/// | | `relative_deviation.npy` | `(T,)` | `|R_SGD − R_ODE|/R_ODE` |
/// | | `overlap_deviation.npy` | `(T,)` | `‖G_SGD − G_ODE‖_F/‖Λ‖_F` |
/// | | `G_sgd.npy`, `G_ode.npy` | `(T, r, r)` | `G` of SGD and of the ODE |
/// | | `sweep_lr.npy` | `(L,)` | with `--lr-sweep`: the learning rates |
/// | | `sweep_deviation.npy` | `(L, K)` | max relative deviation per rate and seed |
/// | `monotonicity` | `times.npy` | `(T,)` | comparison times (`t = 0` first) |
/// | | `margin_exact.npy`, `margin_dopri5.npy` | `(T,)` | `λ_min(G_B − G_A)` |
/// | | `relation_exact.npy`, `relation_dopri5.npy` | `(T,)` | ``LoewnerRelation/arrayCode`` |
/// | | `G_a.npy`, `G_b.npy` | `(T, r, r)` | `G` of trajectories A and B (exact propagator) |
///
/// Integer quantities (`learned`, `steps`, relation codes) are stored as float64, since the
/// format is float64 only; they are exact integers.
public enum ArrayFiles {
    /// Writes every array as `<directory>/<name>.npy` (each atomically: temporary file, `fsync`,
    /// `rename`), then `config.json` (the `config` object of the JSON report) last, so that its
    /// presence means the set is complete.
    public static func write(_ arrays: [NamedArray], config: [(String, JSONValue)], into directory: String) throws(ReportError) {
        for item in arrays {
            let file = directory + "/" + item.name + ".npy"
            do {
                try NPY.write(item.array, to: file)
            } catch {
                switch error {
                case .writeFailed(_, let reason): throw .writeFailed(path: file, reason: reason)
                default: throw .writeFailed(path: file, reason: "\(error)")
                }
            }
        }
        let document = JSONValue.object(config).serialized(indent: 2) + "\n"
        let file = directory + "/config.json"
        do {
            try AtomicFile.write(document, to: file)
        } catch {
            throw .writeFailed(path: file, reason: error.reason)
        }
    }
}
