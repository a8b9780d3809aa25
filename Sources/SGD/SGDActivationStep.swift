import Dispatch
import Sampling

extension SGDSimulator {
    /// One SGD step for an activation other than the quadratic model. Returns the mini-batch loss
    /// `(1/B) Σ ½ e_b²`.
    ///
    /// With `n_i = ‖w_i‖`, `z_bi = ⟨w_i, x_b⟩` and `u_bi = z_bi / n_i`, the student is
    /// `f_W(x_b) = Σ_i n_i² σ(u_bi)` and its gradient in `w_i`
    ///
    ///     ∇_{w_i} f_W(x) = n_i σ′(u_i) x + (2σ(u_i) − u_i σ′(u_i)) w_i
    ///
    /// (the first term from the direction `w_i/n_i`, the second from the factor `n_i²` and from
    /// `u_i`'s dependence on `n_i`). The batch gradient `ĝ_i = (1/B) Σ_b e_b ∇_{w_i} f_W(x_b)` is
    /// therefore `(1/B)[(Aᵀ X)_i + c_i w_i]` with `A_bi = e_b n_i σ′(u_bi)` (`B×r_s`) and
    /// `c_i = Σ_b e_b (2σ(u_bi) − u_bi σ′(u_bi))`, and the step is
    ///
    ///     W ← diag(1 − η c / B) W − (η/B) Aᵀ X:
    ///
    /// one GEMM `Z = XWᵀ`, one pass over `Z` that evaluates `σ` and `σ′` once per entry, forms the
    /// residuals and overwrites `Z` with `A` (accumulating `c`), then a row scaling of `W` and one
    /// GEMM. For `σ = He₂` (`nσ′(u) = 2z`, `2σ − uσ′ = −2`) this is the quadratic step's formula.
    ///
    /// A row shrinking to zero stays finite: `u_i` is `z_i` times `1/max(n_i, 2⁻¹⁰²²)`, so an
    /// exactly zero row has `u_i = 0`, student term `0` and gradient `n_i σ′(0) x = 0`.
    @discardableResult
    @_specialize(exported: true, where Scalar == Double)
    @_specialize(exported: true, where Scalar == Float)
    func advanceGeneralActivation(statistics: inout SGDStatistics, clock: ContinuousClock, buffers: ActivationStepBuffers) -> Double {
        let config = configuration
        let rs = config.studentWidth, d = config.dimension, r = config.spectrum.count, b = config.batchSize
        let w = weights
        let rngStart = clock.now
        batchSource.fill(batch)
        statistics.rngSeconds += (clock.now - rngStart).seconds
        // ‖w_i‖² in double, row by row; the label noise, drawn in row order.
        for i in 0..<rs {
            var sum = 0.0
            let row = w + i * d
            for c in 0..<d { let value = row[c].doubleValue; sum += value * value }
            buffers.squaredNorms[i] = sum
            buffers.norms[i] = sum.squareRoot()
            buffers.inverseNorms[i] = 1 / Swift.max(buffers.norms[i], .leastNormalMagnitude)
        }
        let noise = config.labelNoise
        if noise > 0 {
            for row in 0..<b { labelNoiseDraws[row] = NormalSampler.next(using: &noiseGenerator) }
        }
        let gemmStart = clock.now
        let shared = StepBuffers(w: w, x: batch, z: studentProjection, u: teacherProjection, theta: teacherRowsPointer, lambda: lambda,
                                 noiseDraws: labelNoiseDraws, sums: residualSums)
        // Rows of X split between the workers, as in the quadratic step; each owns its slices of
        // the scratch buffers, and the partial sums are added in part order below.
        partitioned { part, parts in
            let first = b * part / parts, last = b * (part + 1) / parts
            let radial = buffers.radialSums + part * rs
            radial.initialize(repeating: 0, count: rs)
            var residualSum = 0.0, squaredResiduals = 0.0
            defer { shared.sums[8 * part] = residualSum; shared.sums[8 * part + 1] = squaredResiduals }
            guard last > first else { return }
            let activation = buffers.activation
            let slopes = buffers.rowFactors + 2 * part * rs, radialFactors = slopes + rs
            let (labels, labelStride) = shared.project(rows: first..<last, studentWidth: rs, teacherWidth: r, dimension: d)
            for row in first..<last {
                let zRow = shared.z + row * rs
                var student = 0.0
                for i in 0..<rs {
                    let u = zRow[i].doubleValue * buffers.inverseNorms[i]
                    let value = activation.value(u), derivative = activation.derivative(u)
                    student += buffers.squaredNorms[i] * value
                    slopes[i] = buffers.norms[i] * derivative
                    radialFactors[i] = 2 * value - u * derivative
                }
                var teacher = 0.0
                let labelRow = labels + row * labelStride
                for j in 0..<r { teacher += shared.lambda[j] * activation.value(labelRow[j].doubleValue) }
                if noise > 0 { teacher += noise * shared.noiseDraws[row] }
                let residual = student - teacher
                residualSum += residual
                squaredResiduals += residual * residual
                for i in 0..<rs {
                    zRow[i] = Scalar(fromDouble: residual * slopes[i])
                    radial[i] += residual * radialFactors[i]
                }
            }
        }
        var squaredResiduals = 0.0
        for part in 0..<Self.partCount { squaredResiduals += residualSums[8 * part + 1] }
        // c_i, summed in part order into the first worker's slice.
        for part in 1..<Self.partCount {
            for i in 0..<rs { buffers.radialSums[i] += buffers.radialSums[part * rs + i] }
        }
        var gemmSeconds = (clock.now - gemmStart).seconds
        // W ← diag(1 − ηc/B) W − (η/B) Aᵀ X, columns of W split between the workers.
        let secondStart = clock.now
        let scale = config.learningRate / Double(b)
        let alpha = Scalar(fromDouble: -scale)
        partitioned { part, parts in
            let first = d * part / parts, last = d * (part + 1) / parts
            guard last > first else { return }
            for i in 0..<rs {
                let factor = Scalar(fromDouble: 1 - scale * buffers.radialSums[i])
                let row = shared.w + i * d
                for c in first..<last { row[c] *= factor }
            }
            Scalar.gemm(transposeA: true, transposeB: false, m: rs, n: last - first, k: b, alpha: alpha, a: shared.z, lda: rs,
                        b: shared.x + first, ldb: d, beta: 1, c: shared.w + first, ldc: d)
        }
        gemmSeconds += (clock.now - secondStart).seconds
        statistics.gemmSeconds += gemmSeconds
        step += 1
        return 0.5 * squaredResiduals / Double(b)
    }
}
