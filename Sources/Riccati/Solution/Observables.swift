import Foundation
import LinearAlgebra

/// The observables of one overlap state: the risk, how far each teacher direction is learned,
/// and the spectrum of the student's Gram matrix.
public struct Observables: Sendable, Equatable, Codable {
    /// Population risk `R = E[(f_W(x) − f*(x))²]` of the dynamics (``EffectiveDynamics/risk(of:)``;
    /// for the quadratic model `QuadraticRiskEvaluator`'s cancellation-free form, see <doc:OverlapODE>).
    public var risk: Double
    /// `G_jj / λ_j` per direction; `nil` where `λ_j = 0` (no signal to align with).
    public var alignment: [Double?]
    /// `#{j : λ_j > 0, G_jj ≥ λ_j / 2}`.
    public var learned: Int
    /// Eigenvalues of `K = MMᵀ + P`, in decreasing order.
    public var studentGramSpectrum: [Double]
    /// The risk split by Hermite degree, for the dynamics of a general ``Activation``
    /// (``GeneralActivationFlow``, ``GeneralActivationGradientDescent``); `nil` for the others.
    public var riskByDegree: RiskByHermiteDegree?

    public init(risk: Double, alignment: [Double?], learned: Int, studentGramSpectrum: [Double], riskByDegree: RiskByHermiteDegree? = nil) {
        self.risk = risk
        self.alignment = alignment
        self.learned = learned
        self.studentGramSpectrum = studentGramSpectrum
        self.riskByDegree = riskByDegree
    }
}

extension OverlapState {
    /// Risk, alignments, learned count and the spectrum of `K` of this state for a teacher
    /// `spectrum`, with the quadratic model's risk (the quantities a gradient-flow ``Solution``
    /// records at its save times).
    public func observables(spectrum: TeacherSpectrum) throws(RiccatiError) -> Observables {
        try observables(dynamics: try QuadraticGradientFlow(spectrum: spectrum, studentWidth: studentWidth))
    }

    /// The observables of this state under `dynamics` (its risk; the alignments, learned count and
    /// spectrum of `K` are the same for every dynamics).
    public func observables(dynamics: any EffectiveDynamics) throws(RiccatiError) -> Observables {
        guard dynamics.spectrum.count == teacherWidth else {
            throw .incompatibleParameters(names: ["state", "spectrum"],
                                          reason: "the state has r = \(teacherWidth) columns but λ has \(dynamics.spectrum.count) entries")
        }
        guard dynamics.studentWidth == studentWidth else {
            throw .incompatibleParameters(names: ["state", "studentWidth"],
                                          reason: "the state has r_s = \(studentWidth) rows but the dynamics has r_s = \(dynamics.studentWidth)")
        }
        let evaluator = try ObservableEvaluator(dynamics: dynamics)
        return try packed.withUnsafeBufferPointer { (y) throws(RiccatiError) -> Observables in
            try evaluator.evaluate(overlapPacked: y.baseAddress!)
        }
    }
}

/// Computes ``Observables`` with reusable workspace, from states in ``OverlapState``'s packed
/// layout `[M | P]`; the risk is the dynamics' own.
final class ObservableEvaluator {
    let spectrum: TeacherSpectrum
    let studentWidth: Int
    let teacherWidth: Int
    private let eigensolver: SymmetricEigensolver
    private let studentGram: ScratchBuffer       // K
    /// The risk of a state in the layout `[M | P]`.
    private let risk: (UnsafePointer<Double>) throws(RiccatiError) -> Double
    /// The risk split by Hermite degree, for a general activation.
    private let degreeSplit: GeneralActivationRisk?

    init(dynamics: any EffectiveDynamics) throws(RiccatiError) {
        spectrum = dynamics.spectrum
        let rs = dynamics.studentWidth, r = dynamics.spectrum.count
        studentWidth = rs
        teacherWidth = r
        do { eigensolver = try SymmetricEigensolver(dimension: rs) } catch { throw .linearAlgebra(error) }
        studentGram = ScratchBuffer(count: rs * rs)
        if let general = dynamics as? any ActivationDynamics {
            degreeSplit = GeneralActivationRisk(spectrum: dynamics.spectrum, studentWidth: rs, activation: general.activation)
        } else {
            degreeSplit = nil
        }
        // A general activation's risk comes with its split in `evaluate(overlapPacked:)`.
        if dynamics is QuadraticGradientFlow {
            let quadratic = QuadraticRiskEvaluator(spectrum: dynamics.spectrum, studentWidth: rs)
            risk = { y in quadratic.risk(packed: y) }
        } else {
            risk = { (y) throws(RiccatiError) -> Double in
                try dynamics.risk(of: OverlapState(packed: y, studentWidth: rs, teacherWidth: r))
            }
        }
    }

    /// `G_jj = Σ_i M_ij²` from a packed state whose first `r_s·r` entries are `M`, row-major.
    static func signalDiagonal(packed y: UnsafePointer<Double>, direction j: Int, studentWidth rs: Int, teacherWidth r: Int) -> Double {
        var sum = 0.0
        for i in 0..<rs { sum += y[i * r + j] * y[i * r + j] }
        return sum
    }

    /// The observables of the state `y = [M | P]`.
    func evaluate(overlapPacked y: UnsafePointer<Double>) throws(RiccatiError) -> Observables {
        let rs = studentWidth, r = teacherWidth
        var alignment = [Double?](repeating: nil, count: r)
        var learned = 0
        for j in 0..<r where spectrum.values[j] > 0 {
            let gjj = Self.signalDiagonal(packed: y, direction: j, studentWidth: rs, teacherWidth: r)
            alignment[j] = gjj / spectrum.values[j]
            if gjj >= spectrum.values[j] / 2 { learned += 1 }
        }
        let k = studentGram.pointer
        k.update(from: y + rs * r, count: rs * rs)
        BLAS.syrkUpper(transpose: false, n: rs, k: r, alpha: 1, a: y, lda: r, beta: 1, c: k, ldc: rs)
        BLAS.mirrorUpperToLower(k, n: rs, ldc: rs)
        do {
            try eigensolver.compute(symmetric: k, vectors: false)
        } catch {
            throw .linearAlgebra(error)
        }
        let values = Array(eigensolver.eigenvalues[0..<rs].reversed())
        if let degreeSplit {
            let split = degreeSplit.evaluate(packed: y)
            return Observables(risk: split.risk, alignment: alignment, learned: learned, studentGramSpectrum: values, riskByDegree: split)
        }
        return Observables(risk: try risk(y), alignment: alignment, learned: learned, studentGramSpectrum: values)
    }
}
