import LinearAlgebra
import Riccati

func quadraticForm(_ a: Matrix, _ v: [Double]) -> Double {
    var sum = 0.0
    for i in 0..<a.rows { for j in 0..<a.columns { sum += v[i] * a[i, j] * v[j] } }
    return sum
}

func randomState(r: Int, rs: Int, d: Double, sigma0: Double, seed: UInt64, smallInit: Bool) throws -> OverlapState {
    try RandomInitialization(studentWidth: rs, teacherWidth: r, dimension: d, sigma0: sigma0, seed: seed,
                             smallInitialization: smallInit).sample()
}
