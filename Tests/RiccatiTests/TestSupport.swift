import Foundation
import LinearAlgebra
@testable import Riccati
@_exported import TestSupport

/// The d-dimensional gradient flow `dW/dt = 4 (W A − W Wᵀ W)` on `W ∈ R^{r_s×d}` (row-major),
/// written with plain loops: a test-only reference for the overlap ODE.
/// `linearSign = −1` flips the sign of the teacher term `W A`: a deliberately wrong right-hand side.
final class DirectGradientFlow: ODESystem {
    let rows: Int, ambient: Int
    let teacherMatrix: Matrix      // A = Θᵀ Λ Θ, d×d
    let linearSign: Double
    var dimension: Int { rows * ambient }

    init(teacherMatrix: Matrix, rows: Int, linearSign: Double = 1) {
        self.teacherMatrix = teacherMatrix
        self.rows = rows
        ambient = teacherMatrix.rows
        self.linearSign = linearSign
    }

    func evaluate(time: Double, state w: UnsafePointer<Double>, derivative: UnsafeMutablePointer<Double>) {
        let rs = rows, d = ambient
        var k = [Double](repeating: 0, count: rs * rs)
        for i in 0..<rs { for j in 0..<rs { var s = 0.0; for c in 0..<d { s += w[i * d + c] * w[j * d + c] }; k[i * rs + j] = s } }
        teacherMatrix.storage.withUnsafeBufferPointer { a in
            for i in 0..<rs {
                for c in 0..<d {
                    var wa = 0.0
                    for e in 0..<d { wa += w[i * d + e] * a[e * d + c] }
                    var kw = 0.0
                    for j in 0..<rs { kw += k[i * rs + j] * w[j * d + c] }
                    derivative[i * d + c] = 4 * (linearSign * wa - kw)
                }
            }
        }
    }
}

/// A teacher with orthonormal rows `Θ` (r×d) from the QR of a Gaussian matrix, and `A = ΘᵀΛΘ`.
struct RotatedTeacher {
    let theta: Matrix
    let spectrum: TeacherSpectrum
    let matrix: Matrix

    init(spectrum: TeacherSpectrum, dimension d: Int, random: inout TestRandom) throws {
        let q = try LinearAlgebra.orthonormalBasis(random.matrix(d, spectrum.count))
        theta = q.transposed
        self.spectrum = spectrum
        matrix = try BLAS.product(try BLAS.product(theta, transposeA: true, Matrix.diagonal(spectrum.values)), theta)
    }

    /// `(M, P)` of a student `W`.
    func overlapState(of w: Matrix) throws -> OverlapState {
        let m = try BLAS.product(w, theta, transposeB: true)
        let k = BLAS.gram(w)
        let p = k - BLAS.gram(m)
        return try OverlapState(overlap: m, orthogonalGram: p)
    }
}

/// Risk `2‖WᵀW − A‖_F²` computed in d dimensions.
func directRisk(_ w: Matrix, teacherMatrix a: Matrix) -> Double {
    let q = BLAS.gram(w, transpose: true)
    return 2 * pow((q - a).frobeniusNorm, 2)
}

/// The largest relative change between two solutions' risk and `G` at common save indices.
func solutionDiscrepancy(_ a: Solution, _ b: Solution) -> Double {
    var worst = 0.0
    for index in 0..<min(a.times.count, b.times.count) {
        worst = max(worst, relativeDifference(a.risk[index], b.risk[index]))
        worst = max(worst, relativeDifference(a.signalGram(at: index), b.signalGram(at: index)))
    }
    return worst
}

/// A small random problem (r = 5, r_s = 3, d = 40 unless given).
func smallProblem(r: Int = 5, rs: Int = 3, d: Double = 40, sigma0: Double = 1, seed: UInt64 = 11,
                  smallInit: Bool = false, finalTime: Double = 10, saveTimes: [Double]? = nil,
                  alpha: Double = 1) throws -> OverlapProblem {
    let spectrum = try TeacherSpectrum.powerLaw(exponent: alpha, count: r)
    let state = try RandomInitialization(studentWidth: rs, teacherWidth: r, dimension: d, sigma0: sigma0,
                                         seed: seed, smallInitialization: smallInit).sample()
    return try OverlapProblem(spectrum: spectrum, initialState: state, finalTime: finalTime,
                              saveTimes: saveTimes ?? [0.5, 1, 2, 4, finalTime])
}
