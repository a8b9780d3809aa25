import LinearAlgebra
import Riccati
import SGD

/// `f_W(x) − f*(x)` for one sample, in double precision, straight from the definitions.
func residual(_ w: Matrix, _ x: [Double], teacher a: Matrix) -> Double {
    var student = 0.0
    for i in 0..<w.rows {
        var projection = 0.0
        var norm = 0.0
        for c in 0..<w.columns { projection += w[i, c] * x[c]; norm += w[i, c] * w[i, c] }
        student += projection * projection - norm
    }
    var teacher = 0.0
    for p in 0..<a.rows { for q in 0..<a.columns { teacher += x[p] * a[p, q] * x[q] } }
    return student - (teacher - a.trace)
}

func canonicalTeacherMatrix(_ spectrum: TeacherSpectrum, dimension d: Int) -> Matrix {
    var a = Matrix(rows: d, columns: d)
    for (j, value) in spectrum.values.enumerated() { a[j, j] = value }
    return a
}

func smallConfiguration(d: Int = 20, r: Int = 3, rs: Int = 2, batch: Int = 64, lr: Double = 1e-3, steps: Int = 1,
                        seed: UInt64 = 1) throws -> SGDConfiguration {
    var configuration = SGDConfiguration(spectrum: try TeacherSpectrum.powerLaw(exponent: 1, count: r), dimension: d,
                                         studentWidth: rs, batchSize: batch, learningRate: lr, steps: steps)
    configuration.sigma0 = 0.7
    configuration.seed = seed
    return configuration
}
