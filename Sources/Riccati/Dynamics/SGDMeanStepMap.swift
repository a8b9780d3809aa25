import LinearAlgebra

/// One step of ``QuadraticSGDMeanMap`` on the packed state `[M | P]`:
/// `M' = M − 4ηX`, `P' = (I − 4ηK) P (I − 4ηK) + (η²/B) C`.
///
/// The congruence is expanded as `P − 4η (KP + (KP)ᵀ) + 16η² KPK`, whose three products
/// ``GradientNoiseCovariance`` has already formed for `C`; `P'` is made exactly symmetric.
/// Everything runs in preallocated buffers; the products over the teacher width run in two parts
/// (``GradientNoiseCovariance``), on two threads with a concurrent executor, with the same bits.
final class SGDMeanStepMap: StepMap {
    let studentWidth: Int
    let teacherWidth: Int
    let dimension: Int
    let learningRate: Double
    private let weights: GradientNoiseWeights
    private let moments: GradientNoiseCovariance
    private let covariance: ScratchBuffer

    init(spectrum: TeacherSpectrum, studentWidth rs: Int, parameters: MinibatchSGDParameters,
         executor: TwoLaneExecutor = TwoLaneExecutor(concurrent: false)) {
        studentWidth = rs
        teacherWidth = spectrum.count
        dimension = rs * spectrum.count + rs * rs
        learningRate = parameters.learningRate
        weights = .oneStep(parameters)
        moments = GradientNoiseCovariance(spectrum: spectrum, studentWidth: rs, executor: executor)
        covariance = ScratchBuffer(count: rs * rs)
    }

    func apply(state: UnsafePointer<Double>, next: UnsafeMutablePointer<Double>) {
        let rs = studentWidth, r = teacherWidth, eta = learningRate
        let m = state, p = state + rs * r
        let nextM = next, nextP = next + rs * r
        let c = covariance.pointer
        moments.evaluate(state: state, weights: weights, into: c)
        let x = moments.overlapResidual.pointer, kp = moments.orthogonalProduct.pointer, kpk = moments.orthogonalCongruence.pointer
        for index in 0..<(rs * r) { nextM[index] = m[index] - 4 * eta * x[index] }
        let secondOrder = 16 * eta * eta
        for i in 0..<rs {
            for j in i..<rs {
                let upper = i * rs + j, lower = j * rs + i
                let value = p[upper] - 4 * eta * (kp[upper] + kp[lower]) + secondOrder * kpk[upper] + c[upper]
                nextP[upper] = value
                nextP[lower] = value
            }
        }
    }
}
