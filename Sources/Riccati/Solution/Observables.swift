import Foundation
import LinearAlgebra

/// The observables of one overlap state (MODEL.md, "Risk" and the Core issue).
public struct Observables: Sendable, Equatable {
    /// Population risk `R = 2‖WᵀW − A‖_F²`, evaluated as
    /// `2 (‖G − Λ‖_F² + 2 tr(MᵀPM) + ‖P‖_F²)`. This equals MODEL.md's
    /// `2 (‖K‖_F² − 2 tr(MΛMᵀ) + ‖λ‖²)` but is a sum of non-negative terms, so it keeps full
    /// relative accuracy as the risk goes to zero (no cancellation).
    public var risk: Double
    /// `G_jj / λ_j` per direction; `nil` where `λ_j = 0` (no signal to align with).
    public var alignment: [Double?]
    /// `#{j : λ_j > 0, G_jj ≥ λ_j / 2}`.
    public var learned: Int
    /// Eigenvalues of `K = MMᵀ + P`, in decreasing order.
    public var studentGramSpectrum: [Double]
}

extension OverlapState {
    /// Risk, alignments, learned count and the spectrum of `K` of this state for a teacher
    /// `spectrum` (the same quantities a ``Solution`` records at its save times).
    public func observables(spectrum: TeacherSpectrum) throws(RiccatiError) -> Observables {
        guard spectrum.count == teacherWidth else {
            throw .invalidInput("the state has r = \(teacherWidth) columns but λ has \(spectrum.count) entries")
        }
        let evaluator = try ObservableEvaluator(spectrum: spectrum, studentWidth: studentWidth)
        return try packed.withUnsafeBufferPointer { (y) throws(RiccatiError) -> Observables in
            try evaluator.evaluate(packed: y.baseAddress!)
        }
    }
}

/// Computes ``Observables`` with reusable workspace.
final class ObservableEvaluator {
    let spectrum: TeacherSpectrum
    let studentWidth: Int
    let teacherWidth: Int
    private let eigensolver: SymmetricEigensolver
    private let signalGram: ScratchBuffer        // G, r×r (upper triangle)
    private let gramProduct: ScratchBuffer       // P M, r_s×r
    private let studentGram: ScratchBuffer       // K

    init(spectrum: TeacherSpectrum, studentWidth rs: Int) throws(RiccatiError) {
        self.spectrum = spectrum
        studentWidth = rs
        teacherWidth = spectrum.count
        do { eigensolver = try SymmetricEigensolver(dimension: rs) } catch { throw .linearAlgebra(error) }
        signalGram = ScratchBuffer(count: spectrum.count * spectrum.count)
        gramProduct = ScratchBuffer(count: rs * spectrum.count)
        studentGram = ScratchBuffer(count: rs * rs)
    }

    /// The risk alone, from the packed state `[M | P]`.
    func risk(packed y: UnsafePointer<Double>) -> Double {
        let rs = studentWidth, r = teacherWidth
        let m = y, p = y + rs * r
        let g = signalGram.pointer, pm = gramProduct.pointer
        let lambda = spectrum.values
        BLAS.syrkUpper(transpose: true, n: r, k: rs, alpha: 1, a: m, lda: r, beta: 0, c: g, ldc: r)
        var signalError = 0.0
        for j in 0..<r {
            let diagonal = g[j * r + j] - lambda[j]
            signalError += diagonal * diagonal
            var offDiagonal = 0.0
            for k in (j + 1)..<Swift.max(j + 1, r) { offDiagonal += g[j * r + k] * g[j * r + k] }
            signalError += 2 * offDiagonal
        }
        BLAS.gemm(transposeA: false, transposeB: false, m: rs, n: r, k: rs, alpha: 1, a: p, lda: rs,
                  b: m, ldb: r, beta: 0, c: pm, ldc: r)
        var crossTerm = 0.0
        for index in 0..<(rs * r) { crossTerm += pm[index] * m[index] }
        var orthogonalTerm = 0.0
        for index in 0..<(rs * rs) { orthogonalTerm += p[index] * p[index] }
        return 2 * (signalError + 2 * crossTerm + orthogonalTerm)
    }

    /// `G_jj = Σ_i M_ij²`.
    static func signalDiagonal(packed y: UnsafePointer<Double>, direction j: Int, studentWidth rs: Int, teacherWidth r: Int) -> Double {
        var sum = 0.0
        for i in 0..<rs { sum += y[i * r + j] * y[i * r + j] }
        return sum
    }

    func evaluate(packed y: UnsafePointer<Double>) throws(RiccatiError) -> Observables {
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
            try BLAS.singleThreaded { () throws(LinearAlgebraError) in try eigensolver.compute(symmetric: k, vectors: false) }
        } catch {
            throw .linearAlgebra(error)
        }
        let values = Array(eigensolver.eigenvalues[0..<rs].reversed())
        return Observables(risk: risk(packed: y), alignment: alignment, learned: learned, studentGramSpectrum: values)
    }
}
