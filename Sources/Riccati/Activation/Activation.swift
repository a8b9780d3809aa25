import Foundation

/// The activation `σ` of a two-layer network with a 2-homogeneous student, given by name or by its
/// probabilists' Hermite coefficients `σ = Σ_k c_k He_k` (<doc:GeneralActivations>).
///
/// The teacher is `f*(x) = Σ_j λ_j σ(⟨θ_j, x⟩)` and the student `f_W(x) = Σ_i ‖w_i‖² σ(⟨w_i, x⟩/‖w_i‖)`.
/// Everything the population dynamics needs of `σ` is its correlation kernel
///
///     κ(ρ) = E[σ(u·x) σ(v·x)] = Σ_k c_k² k! ρ^k      (‖u‖ = ‖v‖ = 1, ρ = u·v, x ~ N(0, I)),
///
/// evaluated by ``ActivationKernel``; the SGD simulation needs `σ` and `σ′` pointwise
/// (``value(_:)``, ``derivative(_:)``).
///
/// - ``he2``: `σ(z) = z² − 1`, the quadratic model of the rest of RiccatiKit (`κ = 2ρ²`); the
///   student is then `Σ_i (⟨w_i, x⟩² − ‖w_i‖²)` exactly.
/// - ``relu``: `σ(z) = max(z, 0)`; the student is `Σ_i ‖w_i‖ ReLU(⟨w_i, x⟩)`;
///   `κ(ρ) = (√(1−ρ²) + ρ(π − arccos ρ))/(2π)`.
/// - ``erf``: `σ(z) = erf(z/√2)` (so that `σ′(0) = √(2/π)`); `κ(ρ) = (2/π) arcsin(ρ/2)`.
/// - ``hermite(_:)``: a finite list `c_0, c_1, …`; `κ` is the polynomial `Σ c_k² k! ρ^k`.
///   `hermite([0, 0, 1])` is the same model as ``he2`` (and is recognised as such, ``isQuadratic``).
public enum Activation: Sendable, Equatable, Hashable {
    case he2
    case relu
    case erf
    /// `σ = Σ_k c_k He_k` with `c_k = coefficients[k]`.
    case hermite([Double])

    /// The most Hermite coefficients a list may have (degree ≤ 63): enough for any truncation that
    /// is accurate in double precision, and `c_k² k!` stays finite for any finite `c_k` of moderate size.
    public static let maximumHermiteCoefficients = 64

    /// The names accepted by ``init(name:coefficients:)`` and printed by ``name``.
    public static let names = ["he2", "relu", "erf", "hermite"]

    /// The activation called `name` (one of ``names``); `hermite` takes its `coefficients`, which the
    /// other names must not be given. Throws ``RiccatiError/invalidParameter(name:value:reason:)``
    /// naming `activation` or `hermiteCoefficients`.
    public init(name: String, coefficients: [Double]? = nil) throws(RiccatiError) {
        switch name {
        case "he2", "relu", "erf":
            if coefficients != nil {
                throw .incompatibleParameters(names: ["hermiteCoefficients", "activation"],
                                              reason: "coefficients are given only with the activation hermite (got \(name))")
            }
            self = name == "he2" ? .he2 : name == "relu" ? .relu : .erf
        case "hermite":
            guard let coefficients else {
                throw .invalidParameter(name: "hermiteCoefficients", value: "none",
                                        reason: "the hermite activation needs its coefficients c0,c1,… (σ = Σ c_k He_k)")
            }
            self = .hermite(coefficients)
            try validate()
        default:
            throw .invalidParameter(name: "activation", value: name, reason: "must be one of \(Self.names.joined(separator: ", "))")
        }
    }

    /// Throws unless a Hermite list is non-empty, has at most ``maximumHermiteCoefficients``
    /// entries, all finite, not all zero, with every `c_k² k!` and `κ(1) = Σ c_k² k!` finite.
    public func validate() throws(RiccatiError) {
        guard case .hermite(let c) = self else { return }
        guard !c.isEmpty else { throw .invalidParameter(name: "hermiteCoefficients", value: "[]", reason: "must list at least c0") }
        guard c.count <= Self.maximumHermiteCoefficients else {
            throw .invalid("hermiteCoefficients", c.count, "may list at most \(Self.maximumHermiteCoefficients) coefficients (degree ≤ \(Self.maximumHermiteCoefficients - 1))")
        }
        for (k, value) in c.enumerated() where !value.isFinite {
            throw .invalid("hermiteCoefficients[\(k)]", value, "must be finite (c\(k))")
        }
        guard c.contains(where: { $0 != 0 }) else {
            throw .invalidParameter(name: "hermiteCoefficients", value: c.map { "\($0)" }.joined(separator: ","),
                                    reason: "are all zero: σ ≡ 0 has no dynamics")
        }
        let weights = ActivationKernel.hermiteWeights(c)
        guard weights.allSatisfy({ $0.isFinite }), weights.reduce(0, +).isFinite else {
            throw .invalidParameter(name: "hermiteCoefficients", value: c.map { "\($0)" }.joined(separator: ","),
                                    reason: "are too large: κ(1) = Σ c_k² k! overflows")
        }
    }

    /// `he2`, `relu`, `erf` or `hermite`.
    public var name: String {
        switch self {
        case .he2: return "he2"
        case .relu: return "relu"
        case .erf: return "erf"
        case .hermite: return "hermite"
        }
    }

    /// The name with the coefficients of a Hermite list, e.g. `hermite(0,1,0.5)`.
    public var label: String {
        if case .hermite(let c) = self { return "hermite(" + c.map { "\($0)" }.joined(separator: ",") + ")" }
        return name
    }

    /// The coefficients of a Hermite list, `nil` for a named activation.
    public var hermiteCoefficientList: [Double]? {
        if case .hermite(let c) = self { return c }
        return nil
    }

    /// Whether this is the quadratic model `σ = He₂` (``he2``, or a Hermite list `0, 0, 1` with
    /// any trailing zeros), for which the overlap equation is a matrix Riccati equation.
    public var isQuadratic: Bool {
        switch self {
        case .he2: return true
        case .relu, .erf: return false
        case .hermite(let c):
            return c.count >= 3 && c[0] == 0 && c[1] == 0 && c[2] == 1 && c.dropFirst(3).allSatisfy { $0 == 0 }
        }
    }

    /// The Hermite coefficients `c_0, c_1, c_2` (`σ = Σ_k c_k He_k`), exact for the named
    /// activations: ReLU `1/√(2π), 1/2, 1/(2√(2π))`; erf(z/√2) `0, 1/√π, 0`.
    public var lowDegreeCoefficients: (Double, Double, Double) {
        switch self {
        case .he2: return (0, 0, 1)
        case .relu:
            let c0 = 1 / (2 * Double.pi).squareRoot()
            return (c0, 0.5, c0 / 2)
        case .erf: return (0, 1 / Double.pi.squareRoot(), 0)
        case .hermite(let c):
            return (c.count > 0 ? c[0] : 0, c.count > 1 ? c[1] : 0, c.count > 2 ? c[2] : 0)
        }
    }
}

extension Activation: Codable {
    private enum CodingKeys: String, CodingKey { case name, hermiteCoefficients }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let name = try container.decode(String.self, forKey: .name)
        let coefficients = try container.decodeIfPresent([Double].self, forKey: .hermiteCoefficients)
        do {
            self = try Activation(name: name, coefficients: coefficients)
        } catch {
            throw DecodingError.dataCorruptedError(forKey: .name, in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        if case .hermite(let c) = self { try container.encode(c, forKey: .hermiteCoefficients) }
    }
}
