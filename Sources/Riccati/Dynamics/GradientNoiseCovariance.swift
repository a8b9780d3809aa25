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
    let executor: TwoLaneExecutor
    private let lambda: [Double]
    private let lambdaRoots: [Double]
    private let lambdaSquaredNorm: Double
    private let lambdaSum: Double
    let studentGram: ScratchBuffer               // K
    let overlapResidual: ScratchBuffer           // X = K M − M Λ
    let orthogonalProduct: ScratchBuffer         // K P
    let orthogonalCongruence: ScratchBuffer      // K P K
    private let weightedOverlap: ScratchBuffer   // M Λ^{1/2}
    private let partialGrams: [ScratchBuffer]    // M_p M_pᵀ (upper triangles), per part
    private let partialSignalGrams: [ScratchBuffer] // M_p Λ_p M_pᵀ, per part
    private let partialCurvatures: [ScratchBuffer]  // X_p X_pᵀ, per part
    private let partialSignalTraces = ScratchBuffer(count: 2)   // tr(M_p Λ_p M_pᵀ), per part
    private let squaredGram: ScratchBuffer       // K²
    private let curvatureGram: ScratchBuffer     // W D² Wᵀ = X Xᵀ + K P K
    private let projectedGram: ScratchBuffer     // W D Wᵀ = K² − M Λ Mᵀ

    /// `executor` runs the two parts (columns `[0, ⌈r/2⌉)` and the rest) on two threads when it is
    /// concurrent; the sums are taken in the same order either way, so the results are the same bits.
    init(spectrum: TeacherSpectrum, studentWidth rs: Int, executor: TwoLaneExecutor = TwoLaneExecutor(concurrent: false)) {
        studentWidth = rs
        teacherWidth = spectrum.count
        self.executor = executor
        lambda = spectrum.values
        lambdaRoots = spectrum.values.map { $0.squareRoot() }
        lambdaSquaredNorm = spectrum.values.reduce(0) { $0 + $1 * $1 }
        lambdaSum = spectrum.values.reduce(0, +)
        studentGram = ScratchBuffer(count: rs * rs)
        overlapResidual = ScratchBuffer(count: rs * spectrum.count)
        orthogonalProduct = ScratchBuffer(count: rs * rs)
        orthogonalCongruence = ScratchBuffer(count: rs * rs)
        weightedOverlap = ScratchBuffer(count: rs * spectrum.count)
        partialGrams = [ScratchBuffer(count: rs * rs), ScratchBuffer(count: rs * rs)]
        partialSignalGrams = [ScratchBuffer(count: rs * rs), ScratchBuffer(count: rs * rs)]
        partialCurvatures = [ScratchBuffer(count: rs * rs), ScratchBuffer(count: rs * rs)]
        squaredGram = ScratchBuffer(count: rs * rs)
        curvatureGram = ScratchBuffer(count: rs * rs)
        projectedGram = ScratchBuffer(count: rs * rs)
    }

    /// Columns `[0, ⌈r/2⌉)` of `M` and `X` for part 0, the rest for part 1.
    private func columns(of part: Int) -> Range<Int> {
        let half = (teacherWidth + 1) / 2
        return part == 0 ? 0..<half : half..<teacherWidth
    }

    /// Fills ``studentGram``, ``overlapResidual``, ``orthogonalProduct`` and
    /// ``orthogonalCongruence`` from `y = [M | P]`, and writes the covariance `C` of `weights`
    /// into `covariance` (`r_s×r_s`, symmetric).
    ///
    /// The products that contract over the teacher width `r` are the ones that cost: the Gram
    /// matrices `MMᵀ` and `XXᵀ`, the product `KM`, and for the trace term the Gram matrix of
    /// `MΛ^{1/2}` (`WDWᵀ` is then `K² − MΛMᵀ`; its cancellation near the optimum is harmless, as
    /// the term vanishes there with `tr D`): about `2.5 r_s² r + 4 r_s³` multiply-adds. Each is
    /// split over the two halves of the teacher's columns (`MMᵀ = M₁M₁ᵀ + M₂M₂ᵀ`, …), one per
    /// part of the executor.
    func evaluate(state y: UnsafePointer<Double>, weights: GradientNoiseWeights, into covariance: UnsafeMutablePointer<Double>) {
        let rs = studentWidth, r = teacherWidth
        let m = y, p = y + rs * r
        let k = studentGram.pointer, x = overlapResidual.pointer, kp = orthogonalProduct.pointer
        let kpk = orthogonalCongruence.pointer, kk = squaredGram.pointer, weightedM = weightedOverlap.pointer
        let curvature = curvatureGram.pointer, projected = projectedGram.pointer
        let grams = (partialGrams[0].pointer, partialGrams[1].pointer)
        let signalGrams = (partialSignalGrams[0].pointer, partialSignalGrams[1].pointer)
        let curvatures = (partialCurvatures[0].pointer, partialCurvatures[1].pointer)
        let withTrace = weights.trace != 0
        // Part by part: M_p M_pᵀ, tr(M_p Λ_p M_pᵀ) and, for the trace term, M_p Λ_p M_pᵀ.
        executor.run { part in
            let columns = self.columns(of: part)
            let gram = part == 0 ? grams.0 : grams.1, signalGram = part == 0 ? signalGrams.0 : signalGrams.1
            var trace = 0.0
            if columns.isEmpty {
                gram.update(repeating: 0, count: rs * rs)
                signalGram.update(repeating: 0, count: rs * rs)
            } else {
                BLAS.gramUpperByBlocks(n: rs, k: columns.count, a: m + columns.lowerBound, lda: r, c: gram, ldc: rs)
                self.lambda.withUnsafeBufferPointer { l in
                    for i in 0..<rs { for j in columns { trace += m[i * r + j] * m[i * r + j] * l[j] } }
                }
                if withTrace {
                    self.lambdaRoots.withUnsafeBufferPointer { root in
                        for i in 0..<rs { for j in columns { weightedM[i * r + j] = m[i * r + j] * root[j] } }
                    }
                    BLAS.gramUpperByBlocks(n: rs, k: columns.count, a: weightedM + columns.lowerBound, lda: r, c: signalGram, ldc: rs)
                }
            }
            self.partialSignalTraces.pointer[part] = trace
        }
        // K = (P + M₁M₁ᵀ) + M₂M₂ᵀ, and ‖D‖² = ‖K‖² − 2 tr(MΛMᵀ) + ‖λ‖².
        for i in 0..<rs { for j in i..<rs { k[i * rs + j] = (p[i * rs + j] + grams.0[i * rs + j]) + grams.1[i * rs + j] } }
        BLAS.mirrorUpperToLower(k, n: rs, ldc: rs)
        var traceK = 0.0, squaredNormK = 0.0
        for i in 0..<rs { traceK += k[i * rs + i] }
        for index in 0..<(rs * rs) { squaredNormK += k[index] * k[index] }
        let signalTrace = partialSignalTraces.pointer[0] + partialSignalTraces.pointer[1]
        // ‖D‖² (= R/2 up to round-off).
        let residualSquaredNorm = Swift.max(0, squaredNormK - 2 * signalTrace + lambdaSquaredNorm)
        let traceWeight = weights.trace * (traceK - lambdaSum)
        // Part by part: X_p = K M_p − M_p Λ_p and X_p X_pᵀ; part 0 also K P and K P K, part 1 K².
        executor.run { part in
            let columns = self.columns(of: part)
            let partial = part == 0 ? curvatures.0 : curvatures.1
            if columns.isEmpty {
                partial.update(repeating: 0, count: rs * rs)
            } else {
                BLAS.gemm(transposeA: false, transposeB: false, m: rs, n: columns.count, k: rs, alpha: 1, a: k, lda: rs,
                          b: m + columns.lowerBound, ldb: r, beta: 0, c: x + columns.lowerBound, ldc: r)
                self.lambda.withUnsafeBufferPointer { l in
                    for i in 0..<rs { for j in columns { x[i * r + j] -= m[i * r + j] * l[j] } }
                }
                BLAS.gramUpperByBlocks(n: rs, k: columns.count, a: x + columns.lowerBound, lda: r, c: partial, ldc: rs)
            }
            if part == 0 {
                BLAS.gemm(transposeA: false, transposeB: false, m: rs, n: rs, k: rs, alpha: 1, a: k, lda: rs,
                          b: p, ldb: rs, beta: 0, c: kp, ldc: rs)
                BLAS.gemm(transposeA: false, transposeB: false, m: rs, n: rs, k: rs, alpha: 1, a: kp, lda: rs,
                          b: k, ldb: rs, beta: 0, c: kpk, ldc: rs)
            } else if withTrace {
                BLAS.gemm(transposeA: false, transposeB: false, m: rs, n: rs, k: rs, alpha: 1, a: k, lda: rs,
                          b: k, ldb: rs, beta: 0, c: kk, ldc: rs)
            }
        }
        // W D² Wᵀ = (X₁X₁ᵀ + X₂X₂ᵀ) + K P K and W D Wᵀ = K² − (M₁Λ₁M₁ᵀ + M₂Λ₂M₂ᵀ), from upper triangles.
        for i in 0..<rs {
            for j in i..<rs {
                let upper = i * rs + j, lower = j * rs + i
                let value = (curvatures.0[upper] + curvatures.1[upper]) + kpk[upper]
                curvature[upper] = value
                curvature[lower] = value
                if traceWeight != 0 {
                    let projection = kk[upper] - (signalGrams.0[upper] + signalGrams.1[upper])
                    projected[upper] = projection
                    projected[lower] = projection
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
