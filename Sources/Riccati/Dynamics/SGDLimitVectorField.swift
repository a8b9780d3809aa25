import LinearAlgebra

/// The vector field of ``QuadraticSGDLimitFlow`` on the packed state `[M | P]`:
/// `dM = −4X`, `dP = −4 (KP + (KP)ᵀ) + C` with the limit weights of
/// `GradientNoiseWeights.limit(stepNoiseRatio:labelNoise:)`. Preallocated buffers; nothing
/// depends on `d`.
public final class SGDLimitVectorField: ODESystem {
    public let studentWidth: Int
    public let teacherWidth: Int
    public let dimension: Int
    private let weights: GradientNoiseWeights
    private let moments: GradientNoiseCovariance
    private let covariance: ScratchBuffer

    public convenience init(spectrum: TeacherSpectrum, studentWidth rs: Int, stepNoiseRatio: Double, labelNoise: Double) {
        self.init(spectrum: spectrum, studentWidth: rs, stepNoiseRatio: stepNoiseRatio, labelNoise: labelNoise,
                  executor: TwoLaneExecutor(concurrent: false))
    }

    /// The products over the teacher width run in the executor's two parts (on two threads when it
    /// is concurrent), with the same bits either way.
    init(spectrum: TeacherSpectrum, studentWidth rs: Int, stepNoiseRatio: Double, labelNoise: Double, executor: TwoLaneExecutor) {
        studentWidth = rs
        teacherWidth = spectrum.count
        dimension = rs * spectrum.count + rs * rs
        weights = .limit(stepNoiseRatio: stepNoiseRatio, labelNoise: labelNoise)
        moments = GradientNoiseCovariance(spectrum: spectrum, studentWidth: rs, executor: executor)
        covariance = ScratchBuffer(count: rs * rs)
    }

    public func evaluate(time: Double, state: UnsafePointer<Double>, derivative: UnsafeMutablePointer<Double>) {
        let rs = studentWidth, r = teacherWidth
        let dm = derivative, dp = derivative + rs * r
        let c = covariance.pointer
        moments.evaluate(state: state, weights: weights, into: c)
        let x = moments.overlapResidual.pointer, kp = moments.orthogonalProduct.pointer
        for index in 0..<(rs * r) { dm[index] = -4 * x[index] }
        for i in 0..<rs {
            for j in i..<rs {
                let upper = i * rs + j, lower = j * rs + i
                let value = -4 * (kp[upper] + kp[lower]) + c[upper]
                dp[upper] = value
                dp[lower] = value
            }
        }
    }
}
