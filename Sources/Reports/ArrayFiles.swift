import AtomicFiles
import Foundation
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
/// | `compare --seeds N` | `times.npy` | `(T,)` | record times (a seed ensemble: no single-run arrays) |
/// | | `risk_sgd_mean.npy`, `risk_sgd_standard_error.npy` | `(T,)` | mean risk over the runs and its standard error |
/// | | `risk_ode.npy`, `risk_sgd_aware.npy` | `(T,)` | gradient flow and SGD-aware mean map (NaN where not reached) |
/// | | `relative_deviation_ode.npy`, `relative_deviation_sgd_aware.npy` | `(T,)` | `|mean − pred|/pred` |
/// | | `standard_errors_ode.npy`, `standard_errors_sgd_aware.npy` | `(T,)` | `|mean − pred|/SE` |
/// | | `risk_sgd_seeds.npy` | `(N, T)` | each finished run's risk |
/// | `monotonicity` | `times.npy` | `(T,)` | comparison times (`t = 0` first) |
/// | | `margin_exact.npy`, `margin_dopri5.npy` | `(T,)` | `λ_min(G_B − G_A)` |
/// | | `relation_exact.npy`, `relation_dopri5.npy` | `(T,)` | ``LoewnerRelation/arrayCode`` |
/// | | `G_a.npy`, `G_b.npy` | `(T, r, r)` | `G` of trajectories A and B (exact propagator) |
///
/// Integer quantities (`learned`, `steps`, relation codes) are stored as float64, since the
/// format is float64 only; they are exact integers.
///
/// **Manifest.** `config.json` is removed first and written last, and besides the report's
/// `config` members it holds `run_id` (32 random hex digits, new for every run) and `files`,
/// which lists every array file of the run with its size and SHA-256 (FIPS 180-4, as
/// `sha256sum` prints it):
/// ```json
/// "run_id": "5f0c…",
/// "files": { "times.npy": { "bytes": 208, "sha256": "9b1d…" }, … }
/// ```
/// So a directory is one consistent set exactly when `config.json` exists, every listed file
/// has its size and checksum, and no other `.npy` file is there; a missing `config.json` means
/// the run that wrote last did not finish. ``verify(directory:)`` checks this, and
/// ``load(directory:)`` returns the arrays of a verified set. In Python:
/// ```python
/// m = json.load(open("config.json"))
/// for name, f in m["files"].items():
///     assert hashlib.sha256(open(name, "rb").read()).hexdigest() == f["sha256"]
/// ```
public enum ArrayFiles {
    /// Whether `name` is one the tool may write into a `--npy-dir` directory: any `.npy` file
    /// and `config.json` (a `.npy` file the manifest does not list makes the set inconsistent,
    /// so an input file of that kind in the directory is refused).
    public static func isArrayFileName(_ name: String) -> Bool {
        name.hasSuffix(".npy") || name == manifestName
    }

    /// The end of a ``ReportError/writeFailed(path:reason:)`` reason when a signal interrupted
    /// a wait (for a FIFO's reader) and the stop check asked to give up.
    public static let interruptedReason = "interrupted while waiting to write"

    /// The name of the manifest.
    public static let manifestName = "config.json"

    /// Removes `config.json`, writes every array as `<directory>/<name>.npy` (a regular file
    /// atomically: temporary file, `fsync`, `rename`; an existing device or FIFO in place, see
    /// ``FileDestination``), then `config.json` last: the `config` object of the JSON report
    /// plus `run_id` and the `files` manifest. Errors keep the system's reason (e.g.
    /// `write failed: No space left on device`).
    public static func write(_ arrays: [NamedArray], config: [(String, JSONValue)], into directory: String,
                             shouldStop: (() -> Bool)? = nil) throws(ReportError) {
        func write(_ bytes: [UInt8], to file: String) throws(ReportError) {
            do {
                try FileDestination(checking: file).write(bytes, shouldStop: shouldStop)
            } catch {
                throw .writeFailed(path: file, reason: error.code == EINTR ? interruptedReason : error.reason)
            }
        }
        let manifestPath = directory + "/" + manifestName
        // Removed first only when it is a plain regular file (a link, device or FIFO named
        // config.json is left to the final write, which replaces the link's target or writes
        // through the device).
        var existing = stat()
        if lstat(manifestPath, &existing) == 0, existing.st_mode & S_IFMT == S_IFREG {
            _ = unlink(manifestPath)
        }
        var listed: [(String, JSONValue)] = []
        for item in arrays {
            let name = item.name + ".npy"
            guard item.array.isConsistent else {
                throw .writeFailed(path: directory + "/" + name, reason: NPYError.shapeMismatch(shape: item.array.shape, valueCount: item.array.values.count).description)
            }
            let bytes = NPY.encode(item.array)
            try write(bytes, to: directory + "/" + name)
            listed.append((name, .object([("bytes", .integer(bytes.count)), ("sha256", .string(SHA256.hex(bytes)))])))
        }
        let runID = (0..<2).map { _ in
            let text = String(UInt64.random(in: 0...UInt64.max), radix: 16)
            return String(repeating: "0", count: 16 - text.count) + text
        }.joined()
        let members = config.filter { $0.0 != "run_id" && $0.0 != "files" } + [("run_id", .string(runID)), ("files", .object(listed))]
        try write(Array((JSONValue.object(members).serialized(indent: 2) + "\n").utf8), to: manifestPath)
    }

    // MARK: - Reading a directory back

    /// One file of a verified set.
    public struct ListedFile: Equatable, Sendable {
        public var bytes: Int
        public var sha256: String
    }

    /// A directory whose `config.json` manifest matches its files.
    public struct VerifiedSet: Sendable {
        public var directory: String
        public var runID: String
        /// The listed array files by name (`risk.npy`, …).
        public var files: [String: ListedFile]

        /// Reads one listed array (`name` with or without `.npy`), checking it again.
        public func array(_ name: String) throws(ArrayFilesError) -> NPYArray {
            let file = name.hasSuffix(".npy") ? name : name + ".npy"
            guard let listed = files[file] else { throw .notListed(directory: directory, name: file) }
            let bytes = try ArrayFiles.contents(of: file, in: directory, listed: listed)
            do {
                return try NPY.decode(bytes, source: directory + "/" + file)
            } catch {
                throw .unreadable(directory: directory, name: file, reason: error.description)
            }
        }
    }

    /// Checks that `directory` holds one consistent set: `config.json` with `run_id` and
    /// `files`, every listed file with its listed size and SHA-256, and no `.npy` file that is
    /// not listed. Each file is read no further than its listed size plus one byte.
    public static func verify(directory: String) throws(ArrayFilesError) -> VerifiedSet {
        let manifestPath = directory + "/" + manifestName
        var text: [UInt8] = []
        do {
            let file = try InputFile(opening: manifestPath)
            try file.read(into: &text, upTo: 64 << 20)
        } catch {
            if error.code == ENOENT { throw .missingManifest(directory: directory) }
            throw .unreadable(directory: directory, name: manifestName, reason: error.reason)
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(text)) as? [String: Any] else {
            throw .malformedManifest(directory: directory, reason: "config.json is not a JSON object")
        }
        guard let runID = object["run_id"] as? String, let entries = object["files"] as? [String: Any] else {
            throw .malformedManifest(directory: directory, reason: "config.json has no run_id and files manifest (written by an older version, or not by riccati)")
        }
        var files: [String: ListedFile] = [:]
        for (name, value) in entries {
            guard let entry = value as? [String: Any], let bytes = (entry["bytes"] as? NSNumber)?.intValue, bytes >= 0,
                  let sha = entry["sha256"] as? String, sha.count == 64, !name.contains("/"), name.hasSuffix(".npy") else {
                throw .malformedManifest(directory: directory, reason: "the entry of '\(name)' is not {\"bytes\": N, \"sha256\": \"<64 hex digits>\"}")
            }
            files[name] = ListedFile(bytes: bytes, sha256: sha.lowercased())
        }
        for (name, listed) in files.sorted(by: { $0.key < $1.key }) {
            _ = try contents(of: name, in: directory, listed: listed)
        }
        let present = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        if let extra = present.filter({ $0.hasSuffix(".npy") && !$0.hasPrefix(".") && files[$0] == nil }).sorted().first {
            throw .unlistedFile(directory: directory, name: extra, runID: runID)
        }
        return VerifiedSet(directory: directory, runID: runID, files: files)
    }

    /// The arrays of a verified set, by name without `.npy`.
    public static func load(directory: String) throws(ArrayFilesError) -> [String: NPYArray] {
        let set = try verify(directory: directory)
        var arrays: [String: NPYArray] = [:]
        for name in set.files.keys {
            arrays[String(name.dropLast(4))] = try set.array(name)
        }
        return arrays
    }

    /// The bytes of a listed file, checked against its size and checksum.
    static func contents(of name: String, in directory: String, listed: ListedFile) throws(ArrayFilesError) -> [UInt8] {
        var bytes: [UInt8] = []
        do {
            let file = try InputFile(opening: directory + "/" + name)
            if let size = file.size, size != listed.bytes {
                throw ArrayFilesError.sizeMismatch(directory: directory, name: name, listed: listed.bytes, actual: size)
            }
            try file.read(into: &bytes, upTo: listed.bytes + 1)
        } catch let error as ArrayFilesError {
            throw error
        } catch let error as InputFileError {
            if error.code == ENOENT { throw .missingFile(directory: directory, name: name) }
            throw .unreadable(directory: directory, name: name, reason: error.reason)
        } catch {
            throw .unreadable(directory: directory, name: name, reason: "\(error)")
        }
        guard bytes.count == listed.bytes else {
            throw .sizeMismatch(directory: directory, name: name, listed: listed.bytes, actual: bytes.count)
        }
        let digest = SHA256.hex(bytes)
        guard digest == listed.sha256 else {
            throw .checksumMismatch(directory: directory, name: name, listed: listed.sha256, actual: digest)
        }
        return bytes
    }
}

/// Why a `--npy-dir` directory is not one consistent set (``ArrayFiles/verify(directory:)``).
/// Every case names the directory and, where there is one, the offending file.
public enum ArrayFilesError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No `config.json`: the run that wrote last did not finish (or never started).
    case missingManifest(directory: String)
    case malformedManifest(directory: String, reason: String)
    /// A listed file is absent.
    case missingFile(directory: String, name: String)
    /// A listed file has another size (truncated, or written by another run).
    case sizeMismatch(directory: String, name: String, listed: Int, actual: Int)
    /// A listed file has the listed size but other contents (written by another run).
    case checksumMismatch(directory: String, name: String, listed: String, actual: String)
    /// A `.npy` file the manifest does not list (left by another run).
    case unlistedFile(directory: String, name: String, runID: String)
    /// ``ArrayFiles/VerifiedSet/array(_:)`` of a name that is not listed.
    case notListed(directory: String, name: String)
    case unreadable(directory: String, name: String, reason: String)

    public var description: String {
        switch self {
        case .missingManifest(let directory):
            return "\(directory): no config.json; the set is incomplete (the run that wrote it did not finish)"
        case .malformedManifest(let directory, let reason):
            return "\(directory)/config.json: \(reason)"
        case .missingFile(let directory, let name):
            return "\(directory)/\(name): listed in config.json but missing"
        case .sizeMismatch(let directory, let name, let listed, let actual):
            return "\(directory)/\(name): \(actual) bytes, but config.json lists \(listed); the file is truncated or from another run"
        case .checksumMismatch(let directory, let name, let listed, let actual):
            return "\(directory)/\(name): SHA-256 \(actual) differs from \(listed) in config.json; the file is from another run"
        case .unlistedFile(let directory, let name, let runID):
            return "\(directory)/\(name): not listed in config.json (run \(runID)); left by another run"
        case .notListed(let directory, let name):
            return "\(directory)/\(name): not listed in config.json"
        case .unreadable(let directory, let name, let reason):
            return "\(directory)/\(name): \(reason)"
        }
    }
}
