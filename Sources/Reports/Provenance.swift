import LinearAlgebra
import Riccati

/// What makes an output traceable: the project version and the BLAS library (with its thread
/// count at the time of writing), appended to every command's configuration. The configuration
/// itself, the seed included, is already there; commands without randomness record
/// `"seed": null`. Every output carries the result: JSON `config`, the CSV and table header
/// line, and the `config.json` sidecar of `--npy-dir`.
public enum Provenance {
    public static func stamp(_ config: [(String, JSONValue)]) -> [(String, JSONValue)] {
        var stamped = config
        if !stamped.contains(where: { $0.0 == "seed" }) { stamped.append(("seed", .null)) }
        stamped += [
            ("riccatikitVersion", .string(RiccatiKitVersion.current)),
            ("blas", .string(BLAS.configuration)),
            ("blasCore", .string(BLAS.coreName)),
            ("blasThreads", .integer(BLAS.threadCount)),
        ]
        return stamped
    }
}
