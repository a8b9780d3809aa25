import Foundation
import LinearAlgebra
import NumPyFormat

/// `--npy-dir DIR`: the arrays of a run as `.npy` files (little-endian float64, C order, what
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
struct ArrayDirectory {
    let path: String

    /// Checks, before any work, that `path` is an existing, writable directory.
    init(path: String) throws(CommandFailure) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .badInput("--npy-dir \(path): directory does not exist (create it first)")
        }
        guard isDirectory.boolValue else { throw .badInput("--npy-dir \(path): not a directory") }
        guard FileManager.default.isWritableFile(atPath: path) else {
            throw .badInput("--npy-dir \(path): directory is not writable")
        }
        self.path = path
    }

    /// `nil` when the flag was not given.
    static func validate(_ path: String?) throws(CommandFailure) -> ArrayDirectory? {
        try path.map { (path) throws(CommandFailure) -> ArrayDirectory in try ArrayDirectory(path: path) }
    }

    /// Writes every array as `<name>.npy` (each atomically: temporary file, `fsync`, `rename`),
    /// then `config.json` last, so its presence means the set is complete.
    func write(_ arrays: [NamedArray], config: [(String, JSONValue)]) throws(CommandFailure) {
        for item in arrays {
            let file = (path as NSString).appendingPathComponent(item.name + ".npy")
            do {
                try NPY.write(item.array, to: file)
            } catch {
                throw .runtime("--npy-dir: \(error)")
            }
        }
        let document = JSONValue.object(config).serialized(indent: 2) + "\n"
        try writeAtomically(document, to: (path as NSString).appendingPathComponent("config.json"), flag: "--npy-dir")
    }
}

/// One output array and its file name (without `.npy`).
struct NamedArray {
    var name: String
    var array: NPYArray

    /// Any shape; `values` in C order. A mismatch is a programming error, reported as a runtime failure.
    init(_ name: String, shape: [Int], _ values: [Double]) throws(CommandFailure) {
        self.name = name
        do {
            array = try NPYArray(shape: shape, values: values)
        } catch {
            throw .runtime("--npy-dir: \(name).npy: \(error)")
        }
    }

    /// A 1-D array.
    static func vector(_ name: String, _ values: [Double]) throws(CommandFailure) -> NamedArray {
        try NamedArray(name, shape: [values.count], values)
    }

    /// A 0-dimensional array, shape `()`.
    static func scalar(_ name: String, _ value: Double) throws(CommandFailure) -> NamedArray {
        try NamedArray(name, shape: [], [value])
    }

    /// A `T×columns` array from rows; `nil` entries become NaN.
    static func rows(_ name: String, _ rows: [[Double?]], columns: Int) throws(CommandFailure) -> NamedArray {
        try NamedArray(name, shape: [rows.count, columns], rows.flatMap { row in row.map { $0 ?? .nan } })
    }

    /// A `T×rows×columns` stack of matrices (row-major, so each slice is the matrix itself).
    static func stack(_ name: String, _ matrices: [Matrix], rows: Int, columns: Int) throws(CommandFailure) -> NamedArray {
        try NamedArray(name, shape: [matrices.count, rows, columns], matrices.flatMap(\.storage))
    }
}
