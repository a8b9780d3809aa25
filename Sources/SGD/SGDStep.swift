import Dispatch
import Sampling

extension SGDSimulator {
    /// One SGD step. Returns the mini-batch loss `(1/B) Σ ½ e_b²`. Specialised for both
    /// precisions so that the residual loops run without generic dispatch. This is the quadratic
    /// model's step; any other activation takes ``advanceGeneralActivation(statistics:clock:buffers:)``.
    @discardableResult
    @_specialize(exported: true, where Scalar == Double)
    @_specialize(exported: true, where Scalar == Float)
    func advance(statistics: inout SGDStatistics, clock: ContinuousClock) -> Double {
        if let buffers = activationBuffers { return advanceGeneralActivation(statistics: &statistics, clock: clock, buffers: buffers) }
        let config = configuration
        let rs = config.studentWidth, d = config.dimension, r = config.spectrum.count, b = config.batchSize
        let w = weights, x = batch, z = studentProjection, u = teacherProjection, lambda = lambda
        let rngStart = clock.now
        batchSource.fill(x)
        statistics.rngSeconds += (clock.now - rngStart).seconds
        // Σ_i ‖w_i‖², accumulated in double; the label noise, drawn in row order.
        var normSum = 0.0
        for index in 0..<(rs * d) { let value = w[index].doubleValue; normSum += value * value }
        let noise = config.labelNoise
        if noise > 0 {
            for row in 0..<b { labelNoiseDraws[row] = NormalSampler.next(using: &noiseGenerator) }
        }
        let weightNormSum = normSum
        let gemmStart = clock.now
        // Rows of X split between the workers. Each computes, for its rows, Z = X Wᵀ (and
        // U = X Θᵀ for a non-canonical teacher), the residuals e_b = f_W(x_b) − y_b, diag(e) Z in
        // place and its partial sums of e_b and e_b². The partition is fixed (``partCount``
        // parts whatever the thread count) and the partial sums are added in part order, so the
        // result does not depend on the number of threads.
        let theta = teacherRowsPointer
        let shared = StepBuffers(w: w, x: x, z: z, u: u, theta: theta, lambda: lambda, noiseDraws: labelNoiseDraws,
                                 sums: residualSums)
        partitioned { part, parts in
            let first = b * part / parts, last = b * (part + 1) / parts
            var residualSum = 0.0, squaredResiduals = 0.0
            defer { shared.sums[8 * part] = residualSum; shared.sums[8 * part + 1] = squaredResiduals }
            guard last > first else { return }
            let (labels, labelStride) = shared.project(rows: first..<last, studentWidth: rs, teacherWidth: r, dimension: d)
            for row in first..<last {
                var student = 0.0
                let zRow = shared.z + row * rs
                for i in 0..<rs { let value = zRow[i].doubleValue; student += value * value }
                var teacher = 0.0
                let labelRow = labels + row * labelStride
                for j in 0..<r { let value = labelRow[j].doubleValue; teacher += shared.lambda[j] * (value * value - 1) }
                if noise > 0 { teacher += noise * shared.noiseDraws[row] }
                let residual = (student - weightNormSum) - teacher
                residualSum += residual
                squaredResiduals += residual * residual
                let factor = Scalar(fromDouble: residual)
                for i in 0..<rs { zRow[i] *= factor }
            }
        }
        var residualSum = 0.0, squaredResiduals = 0.0
        for part in 0..<Self.partCount {
            residualSum += residualSums[8 * part]
            squaredResiduals += residualSums[8 * part + 1]
        }
        var gemmSeconds = (clock.now - gemmStart).seconds
        // W ← (1 + 2ηΣe/B) W − (2η/B) (diag(e)Z)ᵀ X.
        let secondStart = clock.now
        let scale = 2 * config.learningRate / Double(b)
        let alpha = Scalar(fromDouble: -scale), beta = Scalar(fromDouble: 1 + scale * residualSum)
        partitioned { part, parts in
            // Columns of W split between the workers.
            let first = d * part / parts, last = d * (part + 1) / parts
            guard last > first else { return }
            Scalar.gemm(transposeA: true, transposeB: false, m: rs, n: last - first, k: b, alpha: alpha, a: shared.z, lda: rs,
                        b: shared.x + first, ldb: d, beta: beta, c: shared.w + first, ldc: d)
        }
        gemmSeconds += (clock.now - secondStart).seconds
        statistics.gemmSeconds += gemmSeconds
        step += 1
        return 0.5 * squaredResiduals / Double(b)
    }

    /// The fixed number of parts each GEMM (and the residual pass) is split into.
    static var partCount: Int { 2 }

    /// Runs `body(part, parts)` for the fixed `parts = 2` partitions of a GEMM, on two threads
    /// when ``SGDConfiguration/threads`` ≥ 2 and in sequence otherwise. The partition, hence
    /// every floating-point operation, is the same either way.
    func partitioned(_ body: @escaping @Sendable (Int, Int) -> Void) {
        let parts = Self.partCount
        if configuration.threads >= 2 {
            DispatchQueue.concurrentPerform(iterations: parts) { body($0, parts) }
        } else {
            for part in 0..<parts { body(part, parts) }
        }
    }
}


/// The step's buffers, shared by the GEMM workers; each worker writes a disjoint block.
struct StepBuffers<Scalar>: @unchecked Sendable {
    let w: UnsafeMutablePointer<Scalar>
    let x: UnsafeMutablePointer<Scalar>
    let z: UnsafeMutablePointer<Scalar>
    let u: UnsafeMutablePointer<Scalar>
    let theta: UnsafeMutablePointer<Scalar>?
    let lambda: UnsafeMutablePointer<Double>
    let noiseDraws: UnsafeMutablePointer<Double>
    let sums: UnsafeMutablePointer<Double>
}

extension StepBuffers where Scalar: SGDScalar {
    /// For the batch rows `rows`: `Z = X Wᵀ` and, for a non-canonical teacher, `U = X Θᵀ` (one GEMM
    /// each). Returns where the teacher's projections `⟨θ_j, x_b⟩` of those rows start and their
    /// row stride: the first `r` columns of `X` for the canonical teacher, `U` otherwise.
    @inline(__always)
    func project(rows: Range<Int>, studentWidth rs: Int, teacherWidth r: Int, dimension d: Int)
        -> (labels: UnsafeMutablePointer<Scalar>, stride: Int) {
        Scalar.gemm(transposeA: false, transposeB: true, m: rows.count, n: rs, k: d, alpha: 1, a: x + rows.lowerBound * d, lda: d,
                    b: w, ldb: d, beta: 0, c: z + rows.lowerBound * rs, ldc: rs)
        guard let theta else { return (x, d) }
        Scalar.gemm(transposeA: false, transposeB: true, m: rows.count, n: r, k: d, alpha: 1, a: x + rows.lowerBound * d, lda: d,
                    b: theta, ldb: d, beta: 0, c: u + rows.lowerBound * r, ldc: r)
        return (u, r)
    }
}
