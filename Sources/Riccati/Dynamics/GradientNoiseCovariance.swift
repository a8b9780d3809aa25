import LinearAlgebra

/// The weights of the four terms of a minibatch-noise covariance in overlap coordinates:
///
///     C = a ‖D‖² K + b WD²Wᵀ + e tr D · WDWᵀ + f K
///
/// (`a` = ``risk``, `b` = ``curvature``, `e` = ``trace``, `f` = ``labelNoise``), with
/// `K = WWᵀ`, `D = WᵀW − ΘᵀΛΘ`. One per-sample gradient `g = 2e(Wx xᵀ − W)` has
/// `E[ggᵀ] − E[g]E[g]ᵀ` of this form with `a = 8d + 40`, `b = 32d + 112`, `e = 32`,
/// `f = 4ς²(d + 1)` (<doc:SGDAwareDynamics>).
struct GradientNoiseWeights: Equatable {
    var risk: Double
    var curvature: Double
    var trace: Double
    var labelNoise: Double

    /// The weights of `(η²/B)·(E[ggᵀ] − E[g]E[g]ᵀ)`: what one SGD step adds to the mean of `WWᵀ`
    /// beyond the population-gradient step.
    static func oneStep(_ parameters: MinibatchSGDParameters) -> GradientNoiseWeights {
        let d = Double(parameters.dimension), eta = parameters.learningRate
        let scale = eta * eta / Double(parameters.batchSize)
        let noise = parameters.labelNoise
        return GradientNoiseWeights(risk: scale * (8 * d + 40), curvature: scale * (32 * d + 112), trace: scale * 32,
                                    labelNoise: scale * 4 * noise * noise * (d + 1))
    }

    /// The weights of the limit drift per unit time, `c (8‖D‖² K + 32 WD²Wᵀ + 4ς² K)`.
    static func limit(stepNoiseRatio c: Double, labelNoise noise: Double) -> GradientNoiseWeights {
        GradientNoiseWeights(risk: 8 * c, curvature: 32 * c, trace: 0, labelNoise: 4 * c * noise * noise)
    }
}

/// Evaluates, from the packed overlap state `[M | P]`, the matrices the SGD-aware dynamics are
/// built of, in preallocated buffers (nothing is allocated per evaluation):
///
/// - ``studentGram`` `K = MMᵀ + P` (`r_s×r_s`);
/// - ``overlapResidual`` `X = KM − MΛ = W D Θᵀ` (`r_s×r`): the population gradient's overlap part;
/// - ``orthogonalProduct`` `KP` (`r_s×r_s`), so that `W D (I − ΘᵀΘ) Wᵀ = KP`;
/// - ``orthogonalCongruence`` `KPK`;
/// - the noise covariance `C` of ``GradientNoiseWeights``, from `WD²Wᵀ = XXᵀ + KPK`,
///   `WDWᵀ = K² − MΛMᵀ`, `tr D = tr K − Σλ` and `‖D‖² = ‖K‖² − 2 tr(MΛMᵀ) + ‖λ‖²`.
///
/// `WD²Wᵀ` is evaluated as a sum of two positive semidefinite products rather than the expanded
/// `K³ − KMΛMᵀ − MΛMᵀK + MΛ²Mᵀ`. `‖D‖²` is taken in its cheap expanded form (clamped at 0): its
/// absolute round-off, about `10⁻¹⁶(‖K‖² + ‖λ‖²)`, only scales a drift that vanishes with it.
/// The reported risk is evaluated separately, without cancellation.
final class GradientNoiseCovariance {
    let studentWidth: Int
    let teacherWidth: Int
    private let lambda: [Double]
    private let lambdaRoots: [Double]
    private let lambdaSquaredNorm: Double
    private let lambdaSum: Double
    let studentGram: ScratchBuffer            // K
    let overlapResidual: ScratchBuffer        // X = K M − M Λ
    let orthogonalProduct: ScratchBuffer      // K P
    let orthogonalCongruence: ScratchBuffer   // K P K
    private let weightedOverlap: ScratchBuffer // M Λ^{1/2}
    private let signalGram: ScratchBuffer     // M Λ Mᵀ
    private let curvatureGram: ScratchBuffer  // W D² Wᵀ = X Xᵀ + K P K
    private let projectedGram: ScratchBuffer  // W D Wᵀ = K² − M Λ Mᵀ
    /// `‖D‖²` of the last ``evaluate(state:weights:into:)`` (`R/2` up to round-off).
    private(set) var residualSquaredNorm = 0.0

    init(spectrum: TeacherSpectrum, studentWidth rs: Int) {
        studentWidth = rs
        teacherWidth = spectrum.count
        lambda = spectrum.values
        lambdaRoots = spectrum.values.map { $0.squareRoot() }
        lambdaSquaredNorm = spectrum.values.reduce(0) { $0 + $1 * $1 }
        lambdaSum = spectrum.values.reduce(0, +)
        studentGram = ScratchBuffer(count: rs * rs)
        overlapResidual = ScratchBuffer(count: rs * spectrum.count)
        orthogonalProduct = ScratchBuffer(count: rs * rs)
        orthogonalCongruence = ScratchBuffer(count: rs * rs)
        weightedOverlap = ScratchBuffer(count: rs * spectrum.count)
        signalGram = ScratchBuffer(count: rs * rs)
        curvatureGram = ScratchBuffer(count: rs * rs)
        projectedGram = ScratchBuffer(count: rs * rs)
    }

    /// Fills ``studentGram``, ``overlapResidual``, ``orthogonalProduct`` and
    /// ``orthogonalCongruence`` from `y = [M | P]`, and writes the covariance `C` of `weights`
    /// into `covariance` (`r_s×r_s`, symmetric).
    ///
    /// The products that contract over the teacher width `r` are the ones that cost: the Gram
    /// matrices `MMᵀ` and `XXᵀ`, the product `KM`, and for the trace term the Gram matrix of
    /// `MΛ^{1/2}` (`WDWᵀ` is then `K² − MΛMᵀ`; its cancellation near the optimum is harmless, as
    /// the term vanishes there with `tr D`). About `2.5 r_s² r + 4 r_s³` multiply-adds.
    func evaluate(state y: UnsafePointer<Double>, weights: GradientNoiseWeights, into covariance: UnsafeMutablePointer<Double>) {
        let rs = studentWidth, r = teacherWidth
        let m = y, p = y + rs * r
        let k = studentGram.pointer, x = overlapResidual.pointer, kp = orthogonalProduct.pointer
        let kpk = orthogonalCongruence.pointer, curvature = curvatureGram.pointer, projected = projectedGram.pointer
        // K = P + M Mᵀ.
        BLAS.gramUpperByBlocks(n: rs, k: r, a: m, lda: r, c: k, ldc: rs)
        for i in 0..<rs { for j in i..<rs { k[i * rs + j] += p[i * rs + j] } }
        BLAS.mirrorUpperToLower(k, n: rs, ldc: rs)
        // X = K M − M Λ, and tr(M Λ Mᵀ) on the way.
        BLAS.gemm(transposeA: false, transposeB: false, m: rs, n: r, k: rs, alpha: 1, a: k, lda: rs,
                  b: m, ldb: r, beta: 0, c: x, ldc: r)
        var signalTrace = 0.0
        lambda.withUnsafeBufferPointer { l in
            for i in 0..<rs {
                let row = i * r
                for j in 0..<r {
                    let weighted = m[row + j] * l[j]
                    signalTrace += m[row + j] * weighted
                    x[row + j] -= weighted
                }
            }
        }
        var traceK = 0.0, squaredNormK = 0.0
        for i in 0..<rs { traceK += k[i * rs + i] }
        for index in 0..<(rs * rs) { squaredNormK += k[index] * k[index] }
        residualSquaredNorm = Swift.max(0, squaredNormK - 2 * signalTrace + lambdaSquaredNorm)
        let traceWeight = weights.trace * (traceK - lambdaSum)
        // K P and K P K; W D² Wᵀ = X Xᵀ + K P K (upper triangle, then mirrored).
        BLAS.gemm(transposeA: false, transposeB: false, m: rs, n: rs, k: rs, alpha: 1, a: k, lda: rs,
                  b: p, ldb: rs, beta: 0, c: kp, ldc: rs)
        BLAS.gemm(transposeA: false, transposeB: false, m: rs, n: rs, k: rs, alpha: 1, a: kp, lda: rs,
                  b: k, ldb: rs, beta: 0, c: kpk, ldc: rs)
        BLAS.mirrorUpperToLower(kpk, n: rs, ldc: rs)
        BLAS.gramUpperByBlocks(n: rs, k: r, a: x, lda: r, c: curvature, ldc: rs)
        for i in 0..<rs { for j in i..<rs { curvature[i * rs + j] += kpk[i * rs + j] } }
        BLAS.mirrorUpperToLower(curvature, n: rs, ldc: rs)
        // W D Wᵀ = K² − M Λ Mᵀ, only when its weight is not zero.
        if traceWeight != 0 {
            let weightedM = weightedOverlap.pointer, mlm = signalGram.pointer
            lambdaRoots.withUnsafeBufferPointer { root in
                for i in 0..<rs { for j in 0..<r { weightedM[i * r + j] = m[i * r + j] * root[j] } }
            }
            BLAS.gramUpperByBlocks(n: rs, k: r, a: weightedM, lda: r, c: mlm, ldc: rs)
            BLAS.gemm(transposeA: false, transposeB: false, m: rs, n: rs, k: rs, alpha: 1, a: k, lda: rs,
                      b: k, ldb: rs, beta: 0, c: projected, ldc: rs)
            for i in 0..<rs {
                for j in i..<rs {
                    let value = projected[i * rs + j] - mlm[i * rs + j]
                    projected[i * rs + j] = value
                    projected[j * rs + i] = value
                }
            }
        }
        let gramWeight = weights.risk * residualSquaredNorm + weights.labelNoise
        for index in 0..<(rs * rs) {
            var value = gramWeight * k[index] + weights.curvature * curvature[index]
            if traceWeight != 0 { value += traceWeight * projected[index] }
            covariance[index] = value
        }
    }
}
