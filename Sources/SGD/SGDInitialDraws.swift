import LinearAlgebra
import Sampling

extension SGDConfiguration {
    /// `W0` (`r_s×d`, row-major, double precision) as a run of this configuration starts from it:
    /// ``initialWeights`` when given, otherwise i.i.d. `N(0, σ0²/d)` entries from stream 0 of
    /// ``seed`` (drawn as standard normals, then scaled).
    public func startingWeights() -> [Double] {
        if let given = initialWeights { return given.storage }
        var w0 = [Double](repeating: 0, count: studentWidth * dimension)
        var generator = Xoshiro256StarStar.stream(seed: seed, index: 0)
        w0.withUnsafeMutableBufferPointer { NormalSampler.fill($0, using: &generator) }
        let scale = sigma0 / Double(dimension).squareRoot()
        for index in w0.indices { w0[index] *= scale }
        return w0
    }

    /// The teacher's directions `Θ` (`r×d`) of a run of this configuration: `nil` for the
    /// canonical `[I_r 0]`, the given matrix, or for ``TeacherDirections/random`` the orthonormal
    /// basis of a `d×r` Gaussian matrix from stream 1 of ``seed``, transposed.
    public func teacherMatrix() throws(SGDError) -> Matrix? {
        switch teacher {
        case .canonical:
            return nil
        case .given(let theta):
            return theta
        case .random:
            var generator = Xoshiro256StarStar.stream(seed: seed, index: 1)
            var gaussian = Matrix(rows: dimension, columns: spectrum.count)
            gaussian.storage.withUnsafeMutableBufferPointer { NormalSampler.fill($0, using: &generator) }
            do {
                return try LinearAlgebra.orthonormalBasis(gaussian).transposed
            } catch {
                // A d×r Gaussian matrix has full rank with probability one; another seed draws another.
                throw .invalidParameter(name: "seed", value: "\(seed)",
                                        reason: "draws a rank-deficient random teacher (\(error)); choose another seed")
            }
        }
    }
}
