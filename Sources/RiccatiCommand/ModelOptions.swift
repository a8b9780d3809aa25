import ArgumentParser
import AtomicFiles
import Foundation
import LinearAlgebra
import NumPyFormat
import Reports
import Riccati

/// Parses a real number written in decimal or scientific notation (`1024`, `1e12`).
func parseReal(_ text: String, flag: String) throws(CommandFailure) -> Double {
    guard let value = Double(text.trimmingCharacters(in: .whitespaces)) else {
        throw .badInput("\(flag) expects a number such as 1024 or 1e12, got '\(text)'")
    }
    return value
}

/// The exact value of `text` when it is a whole number written in decimal or scientific notation
/// (`1024`, `1e12`, `1.5e3`, optionally signed) of magnitude at most 2⁵³, where every whole number is a
/// double; `nil` for a number that is not whole, is beyond 2⁵³ (`9007199254740993` would silently
/// become 2⁵³ as a double) or is written otherwise (hexadecimal, `inf`, `nan`). The text itself is
/// read digit by digit, never through a rounding conversion. Throws when `text` is no number at all.
func exactWholeValue(_ text: String, flag: String) throws(CommandFailure) -> Double? {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    _ = try parseReal(trimmed, flag: flag)
    var rest = Substring(trimmed)
    var negative = false
    if let sign = rest.first, sign == "+" || sign == "-" {
        negative = sign == "-"
        rest = rest.dropFirst()
    }
    var exponent = 0
    if let e = rest.firstIndex(where: { $0 == "e" || $0 == "E" }) {
        var exponentText = rest[rest.index(after: e)...]
        var exponentNegative = false
        if let sign = exponentText.first, sign == "+" || sign == "-" {
            exponentNegative = sign == "-"
            exponentText = exponentText.dropFirst()
        }
        guard !exponentText.isEmpty, exponentText.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        // Beyond 6 digits the value is 0 or far above 2^53 (unless the mantissa is 0, handled below).
        let magnitude = exponentText.count > 6 ? 1_000_000 : (Int(exponentText) ?? 1_000_000)
        exponent = exponentNegative ? -magnitude : magnitude
        rest = rest[..<e]
    }
    let pieces = rest.split(separator: ".", omittingEmptySubsequences: false)
    guard pieces.count <= 2, pieces.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
          pieces.contains(where: { !$0.isEmpty }) else { return nil }
    let fraction = pieces.count == 2 ? pieces[1] : ""
    var digits = Array(String(pieces[0] + fraction).drop(while: { $0 == "0" }))
    if digits.isEmpty { return 0 }
    var scale = exponent - fraction.count
    if scale < 0 {
        // The digits shifted out must all be zero.
        guard -scale <= digits.count, digits.suffix(-scale).allSatisfy({ $0 == "0" }) else { return nil }
        digits.removeLast(-scale)
        scale = 0
        if digits.isEmpty { return 0 }
    }
    // 2^53 = 9007199254740992 has 16 digits.
    guard digits.count + scale <= 16 else { return nil }
    digits += Array(repeating: "0", count: scale)
    guard let value = UInt64(String(digits)), value <= 1 << 53 else { return nil }
    return negative ? -Double(value) : Double(value)
}

/// A dimension flag (`--d`, `--dims`): a whole number in `[2, 2⁵³]`, read exactly
/// (``exactWholeValue(_:flag:)``); the range against the widths is ``ModelOptions/checkWidths(r:rs:d:rFlag:rsFlag:dFlag:)``'s.
func parseDimension(_ text: String, flag: String) throws(CommandFailure) -> Double {
    guard let value = try exactWholeValue(text, flag: flag), value >= 2 else {
        // The reason for the upper end, said only to a value that reaches it.
        let beyondExact = Double(text.trimmingCharacters(in: .whitespaces)).map { $0.isFinite && $0.magnitude >= 0x1p53 } ?? false
        throw .badInput("\(flag) must be a whole number in [2, 2^53] such as 1024 or 1e12, got '\(text.trimmingCharacters(in: .whitespaces))'"
                        + (beyondExact ? " (larger whole numbers are not all representable in double precision)" : ""))
    }
    return value
}

/// The model and initial-condition flags shared by the commands that integrate the overlap ODE.
struct ModelOptions: ParsableArguments {
    @Option(help: "Power-law exponent α of λ_j = j^{-α} (default 1).")
    var alpha: Double?

    @Option(name: .customLong("r"), help: "Teacher width r (default 64).")
    var teacherWidth: Int?

    @Option(name: .customLong("rs"), help: "Student width r_s (default 16).")
    var studentWidth: Int?

    @Option(name: .customLong("d"), help: "Dimension d; scientific notation such as 1e12 is accepted (default 1024).")
    var dimension: String?

    @Option(help: "Initial scale σ0: rows of W0 ~ N(0, σ0² I/d) (default 1).")
    var sigma0: Double?

    @Option(help: "Seed of the random initialisation (default 0).")
    var seed: UInt64?

    @Flag(help: "Small-initialisation limit: P0 = 0 (M0 is still drawn at random).")
    var smallInit = false

    @Flag(help: "Leave the power law unnormalised (λ_j = j^{-α}) instead of Σλ² = 1.")
    var unnormalized = false

    @Option(help: "Teacher spectrum λ from a 1-D little-endian float64 .npy file (replaces --alpha/--r).")
    var lambdas: String?

    @Option(name: .customLong("init-m"), help: "M0 (r_s×r, C-order float64 .npy); replaces the random initialisation.")
    var initM: String?

    @Option(name: .customLong("init-p"), help: "P0 (r_s×r_s, C-order float64 .npy); default 0. Needs --init-m.")
    var initP: String?

    /// A human-readable description of the model, for report headers.
    struct Resolved {
        var spectrum: TeacherSpectrum
        var initialState: OverlapState
        /// What the reports record about the model.
        var description: ModelDescription
    }

    /// `seedUsedElsewhere`: the command also uses `--seed` for something besides the random
    /// initialisation (so it does not conflict with `--init-m`); `dimensionUsedElsewhere` the
    /// same for `--d` (the SGD-aware dynamics need `d` whatever the initial state).
    /// `check` runs once the spectrum and `r_s` are known, before the initial state is sampled
    /// or `P0` is read: the commands' size and step-count checks go there.
    func resolve(seedUsedElsewhere: Bool = false, dimensionUsedElsewhere: Bool = false,
                 check: (TeacherSpectrum, Int) throws(CommandFailure) -> Void = { _, _ in }) throws(CommandFailure) -> Resolved {
        // Conflicting flags first.
        if lambdas != nil, alpha != nil { throw .badInput("--lambdas and --alpha conflict: give one of them") }
        if lambdas != nil, unnormalized { throw .badInput("--unnormalized applies to the power law only, not to --lambdas") }
        if initP != nil, initM == nil { throw .badInput("--init-p needs --init-m") }
        if initM != nil {
            for (flag, given) in [("--small-init", smallInit), ("--d", dimension != nil && !dimensionUsedElsewhere), ("--sigma0", sigma0 != nil),
                                  ("--seed", seed != nil && !seedUsedElsewhere), ("--rs", studentWidth != nil)] where given {
                throw .badInput("\(flag) conflicts with --init-m (the initial state is read from the file)")
            }
        }
        let spectrum: TeacherSpectrum
        let spectrumSource: ModelDescription.Spectrum
        do {
            if let path = lambdas {
                let array = try Self.load(path, flag: "--lambdas", dimensions: 1)
                spectrum = try Self.spectrum(array.values, path: path)
                if let r = teacherWidth, r != spectrum.count {
                    throw CommandFailure.badInput("--r \(r) disagrees with --lambdas \(path), which has \(spectrum.count) entries")
                }
                spectrumSource = .file(path)
            } else {
                let a = alpha ?? 1
                guard a.isFinite, a >= 0 else { throw CommandFailure.badInput("--alpha must be finite and ≥ 0, got \(a)") }
                let r = teacherWidth ?? 64
                guard r >= 1, r <= 100_000 else {
                    throw CommandFailure.badInput("--r (teacher width) must be a positive integer ≤ 100000, got \(r)")
                }
                spectrum = try TeacherSpectrum.powerLaw(exponent: a, count: r, normalized: !unnormalized)
                spectrumSource = .powerLaw(alpha: a, normalized: !unnormalized)
            }
            let initialState: OverlapState
            let initialization: ModelDescription.Initialization
            if let mPath = initM {
                let m = try Self.load(mPath, flag: "--init-m", dimensions: 2)
                let overlap = try Matrix(rows: m.shape[0], columns: m.shape[1], storage: m.values)
                guard overlap.columns == spectrum.count else {
                    throw CommandFailure.badInput("--init-m \(mPath) is \(overlap.rows)×\(overlap.columns); expected r_s×r with r = \(spectrum.count)")
                }
                guard overlap.rows >= 1 else { throw CommandFailure.badInput("--init-m \(mPath) has no rows; expected r_s ≥ 1") }
                try check(spectrum, overlap.rows)
                if let pPath = initP {
                    let p = try Self.load(pPath, flag: "--init-p", dimensions: 2)
                    guard p.shape == [overlap.rows, overlap.rows] else {
                        throw CommandFailure.badInput("--init-p \(pPath) has shape \(p.shape); expected [\(overlap.rows), \(overlap.rows)] to match --init-m")
                    }
                    let gram = try Matrix(rows: overlap.rows, columns: overlap.rows, storage: p.values)
                    do {
                        initialState = try OverlapState(overlap: overlap, orthogonalGram: gram)
                        try initialState.validatePositiveSemidefinite()
                    } catch {
                        throw CommandFailure.badInput("--init-p \(pPath): \(error.description); expected a symmetric positive semidefinite r_s×r_s matrix")
                    }
                } else {
                    initialState = try OverlapState(overlap: overlap)
                }
                try InputChecks.stateSize(initialState, blame: initP == nil ? "--init-m \(mPath)" : "--init-m \(mPath) with --init-p \(initP!)")
                initialization = .files(overlap: mPath, orthogonalGram: initP, studentWidth: overlap.rows)
            } else {
                let d = try parseDimension(dimension ?? "1024", flag: "--d")
                let rs = studentWidth ?? 16
                // Still checked here: RandomInitialization names only `dimension` when r ≥ d or r_s > d
                // (the message would not name --r or --rs), and accepts any σ0 > 0 (σ0 = 1e300 only
                // fails later, as a non-finite P0).
                try Self.checkWidths(r: spectrum.count, rs: rs, d: d, rFlag: lambdas == nil ? "--r" : "--lambdas (r = \(spectrum.count))")
                let s0 = sigma0 ?? 1
                try InputChecks.scale(s0, flag: "--sigma0")
                try check(spectrum, rs)
                let random = RandomInitialization(
                    studentWidth: rs, teacherWidth: spectrum.count, dimension: d,
                    sigma0: s0, seed: seed ?? 0, smallInitialization: smallInit)
                initialState = try random.sample()
                try InputChecks.stateSize(initialState, blame: "--sigma0 \(s0)")
                initialization = .random(random)
            }
            return Resolved(spectrum: spectrum, initialState: initialState,
                            description: ModelDescription(spectrum: spectrumSource, teacherWidth: spectrum.count,
                                                          initialization: initialization))
        } catch let failure as CommandFailure {
            throw failure
        } catch let error as RiccatiError {
            throw CommandFailure(error, flags: flags)
        } catch let error as LinearAlgebraError {
            throw .badInput(error.description)
        } catch {
            throw .badInput("\(error)")
        }
    }

    /// The flags of the library's parameters here: `spectrum` is `--lambdas` or `--r`, the
    /// initial state `--init-m`/`--init-p` or `--sigma0`.
    /// The dimension `--d` gives: its value, 1024 when absent with a random initialisation, `nil`
    /// when absent with `--init-m`.
    func dimensionValue() throws(CommandFailure) -> Int? {
        if let dimension { return Int(try parseDimension(dimension, flag: "--d")) }
        return initM == nil ? 1024 : nil
    }

    var flags: ParameterFlags {
        var overrides = ["spectrum": lambdas.map { "--lambdas \($0)" } ?? "--r"]
        if let initM { overrides["initialState"] = "--init-m \(initM)" }
        if lambdas != nil { overrides["teacherWidth"] = "--lambdas" }
        // TeacherSpectrum.powerLaw(exponent:count:): the count is r.
        overrides["count"] = "--r"
        return ParameterFlags(overrides)
    }

    /// The teacher spectrum of a `--lambdas` file (`path` named in the error).
    static func spectrum(_ values: [Double], path: String) throws(CommandFailure) -> TeacherSpectrum {
        do {
            return try TeacherSpectrum(values)
        } catch {
            throw CommandFailure(error, flags: ParameterFlags(["spectrum": "--lambdas \(path)"]), context: "--lambdas \(path)")
        }
    }

    /// `r < d`, `1 ≤ r_s ≤ d`, `r_s ≤ 20000` and `d` a whole number in `[2, 2⁵³]`; the messages name
    /// `rFlag`, `rsFlag` and `dFlag`.
    static func checkWidths(r: Int, rs: Int, d: Double, rFlag: String = "--r", rsFlag: String = "--rs",
                            dFlag: String = "--d") throws(CommandFailure) {
        guard d.isFinite, d == d.rounded(), d >= 2, d <= 9_007_199_254_740_992 else {
            throw .badInput("\(dFlag) must be a whole number in [2, 2^53] such as 1024 or 1e12, got \(d)")
        }
        guard Double(r) < d else {
            throw .badInput("\(rFlag) must be below \(dFlag) (the teacher width r < d), got r = \(r) and d = \(InputChecks.whole(d))")
        }
        guard rs >= 1, rs <= 20_000, Double(rs) <= d else {
            throw .badInput("\(rsFlag) must be a positive integer ≤ \(dFlag) = \(InputChecks.whole(d)) and ≤ 20000 (got \(rs))")
        }
    }

    /// Largest data section an input `.npy` file may declare: 4 GB (5·10⁸ doubles, the size of the
    /// largest SGD matrix); a header declaring more is refused before its data is read.
    static let maximumInputBytes = 4_000_000_000

    /// Reads a strict `.npy` file (little-endian float64, C order) with `dimensions` axes and finite values.
    /// A regular file or a pipe or FIFO (`<(cat x.npy)`, `/dev/stdin`) is read no further than
    /// its header declares (``NPY/read(contentsOf:maximumDataBytes:shouldStop:)``); a device,
    /// socket or directory is refused unopened; a file that is also an output of the command
    /// is refused (``FileRegistry``). A signal while waiting for a FIFO's writer ends the
    /// command as interrupted (exit code 130).
    static func load(_ path: String, flag: String, dimensions: Int) throws(CommandFailure) -> NPYArray {
        if let identity = FileIdentity.of(path: path) {
            try FileRegistry.registerInput(flag: flag, path: path, identity: identity)
        }
        let array: NPYArray
        do {
            array = try NPY.read(contentsOf: path, maximumDataBytes: maximumInputBytes, shouldStop: { Interruption.requested })
        } catch {
            if case .interrupted = error { throw .interrupted("\(flag): \(error)") }
            throw .badInput("\(flag): \(error)")
        }
        guard array.shape.count == dimensions else {
            throw .badInput("\(flag) \(path) has \(array.shape.count) dimensions (shape \(array.shape)); expected \(dimensions)")
        }
        guard array.values.allSatisfy({ $0.isFinite }) else {
            throw .badInput("\(flag) \(path) contains NaN or infinite values")
        }
        return array
    }
}
