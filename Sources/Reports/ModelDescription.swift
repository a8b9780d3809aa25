import Riccati

/// Where a run's teacher spectrum and initial state came from, as recorded in the reports'
/// `config`: the parameters a power law or a random initialisation was made from, or the files
/// that were read.
public struct ModelDescription: Sendable {
    /// The teacher spectrum `λ`.
    public enum Spectrum: Sendable {
        /// `λ_j = j^{-α}`, `j = 1 … r`, normalised to `Σλ² = 1` when `normalized`.
        case powerLaw(alpha: Double, normalized: Bool)
        /// Read from a file (its path as given).
        case file(String)
    }

    /// The initial state `(M0, P0)`.
    public enum Initialization: Sendable {
        /// Sampled by ``RandomInitialization``.
        case random(RandomInitialization)
        /// `M0` (and `P0`, or `0`) read from files; `studentWidth` is `r_s`, the rows of `M0`.
        case files(overlap: String, orthogonalGram: String?, studentWidth: Int)
    }

    public var spectrum: Spectrum
    /// `r`.
    public var teacherWidth: Int
    public var initialization: Initialization

    public init(spectrum: Spectrum, teacherWidth: Int, initialization: Initialization) {
        self.spectrum = spectrum
        self.teacherWidth = teacherWidth
        self.initialization = initialization
    }

    /// `r_s`.
    public var studentWidth: Int {
        switch initialization {
        case .random(let random): return random.studentWidth
        case .files(_, _, let rs): return rs
        }
    }

    /// The `config` entries: `alpha`, `normalized` (or `lambdas`), `r`, then `rs`, `d`, `sigma0`,
    /// `seed`, `smallInit` (or `rs`, `initM`, `initP`).
    public var configuration: [(String, JSONValue)] {
        var entries: [(String, JSONValue)] = []
        switch spectrum {
        case .powerLaw(let alpha, let normalized):
            entries += [("alpha", .number(alpha)), ("normalized", .bool(normalized))]
        case .file(let path):
            entries.append(("lambdas", .string(path)))
        }
        entries.append(("r", .integer(teacherWidth)))
        switch initialization {
        case .random(let random):
            entries += [("rs", .integer(random.studentWidth)), ("d", .number(random.dimension)), ("sigma0", .number(random.sigma0)),
                        ("seed", .string(String(random.seed))), ("smallInit", .bool(random.smallInitialization))]
        case .files(let overlap, let orthogonalGram, let rs):
            entries += [("rs", .integer(rs)), ("initM", .string(overlap)), ("initP", orthogonalGram.map(JSONValue.string) ?? .null)]
        }
        return entries
    }
}
