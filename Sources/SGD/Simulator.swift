import Dispatch
import Foundation
import LinearAlgebra
import Riccati
import Sampling

/// The teacher directions `Θ` (`r×d`, orthonormal rows).
public enum TeacherDirections: Sendable, Equatable {
    /// `Θ = [I_r 0]`: labels need no GEMM and `M` is a column slice of `W` (the default).
    case canonical
    /// `Θ` from the QR of a `d×r` standard Gaussian matrix drawn from stream 1 of the seed.
    case random
    /// A given `r×d` matrix with orthonormal rows (checked to 1e-10).
    case given(Matrix)
}

/// Errors of the simulator. Parameter errors name the library's parameters (the properties of
/// ``SGDConfiguration`` and friends), never command-line flags; see ``ParameterNamingError``.
public enum SGDError: Error, Equatable, Sendable, CustomStringConvertible, ParameterNamingError {
    /// One parameter has a value outside its domain: `name` `reason`, got `value`.
    case invalidParameter(name: String, value: String, reason: String)
    /// Parameters that are each valid but do not fit together.
    case incompatibleParameters(names: [String], reason: String)
    /// The request would exceed a limit (matrix sizes, memory).
    case exceedsLimit(names: [String], reason: String)
    /// TRANSITIONAL (being replaced by the structured cases above; removed once no caller uses it).
    case invalidInput(String)
    /// The run diverged: a non-finite or exploding loss at `step`.
    case diverged(step: Int, time: Double, risk: Double, hint: String)
    /// Writing a checkpoint failed.
    case checkpointFailed(String)

    public var parameterNames: [String] {
        switch self {
        case .invalidParameter(let name, _, _): return [name]
        case .incompatibleParameters(let names, _), .exceedsLimit(let names, _): return names
        case .invalidInput, .diverged, .checkpointFailed: return []
        }
    }

    public func message(naming: (String) -> String) -> String {
        switch self {
        case .invalidParameter(let name, let value, let reason):
            return value.isEmpty ? "\(naming(name)) \(reason)" : "\(naming(name)) \(reason), got \(value)"
        case .incompatibleParameters(let names, let reason), .exceedsLimit(let names, let reason):
            return names.isEmpty ? reason : "\(names.map(naming).joined(separator: ", ")): \(reason)"
        case .invalidInput(let message): return message
        case .diverged(let step, let time, let risk, let hint):
            return "SGD diverged at step \(step) (t = \(time)): population risk \(risk); \(hint)"
        case .checkpointFailed(let why): return "could not write the checkpoint: \(why)"
        }
    }

    public var description: String { message(naming: { $0 }) }
}

/// One online-SGD experiment (MODEL.md, "Gradient flow and online SGD").
///
/// Per step a fresh batch `X ∈ R^{B×d}` of standard Gaussians, `Z = XWᵀ`, residuals
/// `e_b = f_W(x_b) − y_b` with `y_b = f*(x_b) + ς ξ_b`, and
/// `W ← W − η ĝ`, `ĝ = (2/B)[(diag(e)Z)ᵀX − (Σ_b e_b) W]`, done as one GEMM
/// `W ← (1 + 2ηΣe/B) W − (2η/B)(diag(e)Z)ᵀX`. Step `k` is time `t = ηk`.
public struct SGDConfiguration: Sendable {
    public var spectrum: TeacherSpectrum
    /// Dimension `d` (`d > r`, `d ≥ r_s`).
    public var dimension: Int
    /// Student width `r_s`.
    public var studentWidth: Int
    /// Batch size `B`.
    public var batchSize: Int
    /// Learning rate `η`.
    public var learningRate: Double
    /// Number of steps `K`.
    public var steps: Int
    /// Initial scale: `W0` entries i.i.d. `N(0, σ0²/d)` from stream 0 of the seed.
    public var sigma0: Double = 1
    /// A given `W0` (`r_s×d`) instead of the random one.
    public var initialWeights: Matrix?
    public var teacher: TeacherDirections = .canonical
    /// Label noise standard deviation `ς ≥ 0` (stream 2 of the seed).
    public var labelNoise: Double = 0
    public var seed: UInt64 = 0
    /// Threads drawing the batches (the block partition, hence the numbers, do not depend on it).
    public var threads: Int = 2
    /// Steps at which to record the state (sorted, in `0...steps`; `0` and `steps` are always added).
    public var saveSteps: [Int] = []

    public init(spectrum: TeacherSpectrum, dimension: Int, studentWidth: Int, batchSize: Int, learningRate: Double, steps: Int) {
        self.spectrum = spectrum
        self.dimension = dimension
        self.studentWidth = studentWidth
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.steps = steps
    }

    /// `η·d/B`: SGD tracks the flow when this is small; divergence usually means it is too large.
    public var stepNoiseRatio: Double { learningRate * Double(dimension) / Double(batchSize) }

    public func validate() throws(SGDError) {
        let r = spectrum.count
        guard studentWidth >= 1 else { throw .invalidInput("--rs (student width) must be ≥ 1, got \(studentWidth)") }
        guard dimension > r else { throw .invalidInput("--d must exceed the teacher width r = \(r), got \(dimension)") }
        guard dimension >= studentWidth else { throw .invalidInput("--d must be at least --rs = \(studentWidth), got \(dimension)") }
        guard batchSize >= 1 else { throw .invalidInput("--batch must be ≥ 1, got \(batchSize)") }
        for (count, what) in [(studentWidth, "--rs × --d (the weights W)"),
                              (teacher == .canonical ? 0 : r, "--r × --d (the teacher Θ)")] where count > 0 {
            let (entries, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow, entries <= 500_000_000 else {
                throw .invalidInput("\(what) = \(count)×\(dimension) exceeds 5e8 entries")
            }
        }
        guard batchSize.multipliedReportingOverflow(by: dimension).partialValue <= 500_000_000,
              !batchSize.multipliedReportingOverflow(by: dimension).overflow else {
            throw .invalidInput("--batch × --d = \(batchSize)×\(dimension) exceeds 5e8 entries per batch")
        }
        guard learningRate.isFinite, learningRate > 0 else { throw .invalidInput("--lr must be finite and > 0, got \(learningRate)") }
        guard steps >= 1, steps <= 1_000_000_000 else { throw .invalidInput("--steps must lie in [1, 1e9], got \(steps)") }
        guard sigma0.isFinite, sigma0 > 0, sigma0 <= 1e25 else { throw .invalidInput("--sigma0 must lie in (0, 1e25], got \(sigma0)") }
        guard labelNoise.isFinite, labelNoise >= 0, labelNoise <= 1e25 else {
            throw .invalidInput("--noise must lie in [0, 1e25], got \(labelNoise)")
        }
        guard threads >= 1, threads <= 256 else { throw .invalidInput("--threads must lie in [1, 256], got \(threads)") }
        for step in saveSteps where step < 0 || step > steps {
            throw .invalidInput("save step \(step) lies outside [0, \(steps)]")
        }
        if let w = initialWeights {
            guard w.rows == studentWidth, w.columns == dimension else {
                throw .invalidInput("--init-w has shape \(w.rows)×\(w.columns); expected r_s×d = \(studentWidth)×\(dimension)")
            }
            guard w.isFinite else { throw .invalidInput("--init-w contains NaN or infinite values") }
        }
        if case .given(let theta) = teacher {
            guard theta.rows == r, theta.columns == dimension else {
                throw .invalidInput("--theta: the teacher Θ has shape \(theta.rows)×\(theta.columns); expected r×d = \(r)×\(dimension)")
            }
            guard theta.isFinite else { throw .invalidInput("--theta: the teacher Θ contains NaN or infinite values") }
            let gram = BLAS.gram(theta)
            guard (gram - Matrix.identity(r)).maxAbs <= 1e-10 else {
                throw .invalidInput("--theta: the teacher Θ must have orthonormal rows (ΘΘᵀ = I within 1e-10)")
            }
        }
    }
}

/// Work and speed of a run.
public struct SGDStatistics: Sendable, Equatable {
    public var steps = 0
    public var seconds = 0.0
    /// Wall time of the two GEMM phases; the first also computes the residuals of its rows
    /// (`O(B (r_s + r))`, under 1% of the GEMMs' work at the benchmark shapes).
    public var gemmSeconds = 0.0
    /// Wall time of drawing the batch `X` (`B·d` standard normals).
    public var rngSeconds = 0.0
    /// Multiply-adds of the GEMMs per step (`2·B·d·r_s` with the canonical teacher).
    public var gemmMultiplyAddsPerStep = 0.0
    public var stepsPerSecond: Double { seconds > 0 ? Double(steps) / seconds : 0 }
    /// GEMM throughput, counting 2 flops per multiply-add.
    public var gemmGflops: Double { gemmSeconds > 0 ? 2 * gemmMultiplyAddsPerStep * Double(steps) / gemmSeconds / 1e9 : 0 }
    public var samplesPerStep = 0

    public init() {}

    public var rngNanosPerSample: Double { steps > 0 && samplesPerStep > 0 ? rngSeconds * 1e9 / (Double(steps) * Double(samplesPerStep)) : 0 }
}

/// What ``SGDSimulator/run(progress:)`` produced.
public struct SGDResult: Sendable {
    /// `false` when the run stopped early because ``SGDSimulator/run(progress:checkpointEvery:checkpoint:shouldStop:)``'s
    /// `shouldStop` returned `true` (an interruption); the series then end at the last recorded step.
    public var completed = true
    /// The step the run ended at (``SGDConfiguration/steps`` when completed).
    public var finalStep = 0
    public var learningRate: Double
    public var steps: [Int]
    /// `t = η k`.
    public var times: [Double]
    /// `(M, P)` at each recorded step, in double precision.
    public var states: [OverlapState]
    public var observables: [Observables]
    public var statistics: SGDStatistics
    public var risk: [Double] { observables.map(\.risk) }
}

/// A progress report, about twice a second.
public struct SGDProgress: Sendable {
    public var step: Int
    public var totalSteps: Int
    public var time: Double
    /// The mini-batch loss `mean ½ e²` of the last step (the population risk is `2 E[½e²]` only
    /// without label noise).
    public var batchLoss: Double
    public var stepsPerSecond: Double
    public var secondsRemaining: Double
}

/// Online SGD on the full `d`-dimensional network, in `Scalar` precision, with every buffer
/// allocated once.
public final class SGDSimulator<Scalar: SGDScalar> {
    public let configuration: SGDConfiguration
    /// `Θ` (`r×d`) for a non-canonical teacher, in `Scalar`.
    private let teacherRows: [Scalar]?
    private let thetaDouble: Matrix?
    // Buffers allocated once; raw pointers keep the step free of closures and generic dispatch.
    private let weights: UnsafeMutablePointer<Scalar>           // W, r_s×d
    private let batch: UnsafeMutablePointer<Scalar>             // X, B×d
    private let studentProjection: UnsafeMutablePointer<Scalar> // Z = X Wᵀ, B×r_s, then diag(e) Z
    private let teacherProjection: UnsafeMutablePointer<Scalar> // U = X Θᵀ, B×r (non-canonical teacher only)
    private let teacherRowsPointer: UnsafeMutablePointer<Scalar>?
    private let lambda: UnsafeMutablePointer<Double>
    private let batchSource: GaussianBatchSource<Scalar>
    private var noiseGenerator: Xoshiro256StarStar
    private let labelNoiseDraws: UnsafeMutablePointer<Double>   // ε_b / ς, B (label noise only)
    /// Per-worker `(Σ e_b, Σ e_b²)`, worker `p` at index `8p` (one cache line each).
    private let residualSums: UnsafeMutablePointer<Double>
    private(set) public var step = 0

    public init(configuration: SGDConfiguration) throws(SGDError) {
        try configuration.validate()
        self.configuration = configuration
        let rs = configuration.studentWidth, d = configuration.dimension, r = configuration.spectrum.count
        let b = configuration.batchSize
        // W0: given, or i.i.d. N(0, σ0²/d) from stream 0 (drawn in double, then rounded).
        var w0 = [Double](repeating: 0, count: rs * d)
        if let given = configuration.initialWeights {
            w0 = given.storage
        } else {
            var generator = Xoshiro256StarStar.stream(seed: configuration.seed, index: 0)
            w0.withUnsafeMutableBufferPointer { NormalSampler.fill($0, using: &generator) }
            let scale = configuration.sigma0 / Double(d).squareRoot()
            for index in w0.indices { w0[index] *= scale }
        }
        weights = .allocate(capacity: rs * d)
        for index in 0..<(rs * d) { weights[index] = Scalar(fromDouble: w0[index]) }
        switch configuration.teacher {
        case .canonical:
            thetaDouble = nil
        case .given(let theta):
            thetaDouble = theta
        case .random:
            var generator = Xoshiro256StarStar.stream(seed: configuration.seed, index: 1)
            var gaussian = Matrix(rows: d, columns: r)
            gaussian.storage.withUnsafeMutableBufferPointer { NormalSampler.fill($0, using: &generator) }
            do {
                thetaDouble = try LinearAlgebra.orthonormalBasis(gaussian).transposed
            } catch {
                throw .invalidInput("could not orthonormalise the random teacher: \(error)")
            }
        }
        teacherRows = thetaDouble.map { $0.storage.map { Scalar(fromDouble: $0) } }
        if let rows = teacherRows {
            let pointer = UnsafeMutablePointer<Scalar>.allocate(capacity: rows.count)
            pointer.initialize(from: rows, count: rows.count)
            teacherRowsPointer = pointer
        } else {
            teacherRowsPointer = nil
        }
        batch = .allocate(capacity: b * d)
        batch.initialize(repeating: 0, count: b * d)
        studentProjection = .allocate(capacity: b * rs)
        studentProjection.initialize(repeating: 0, count: b * rs)
        teacherProjection = .allocate(capacity: Swift.max(1, thetaDouble == nil ? 0 : b * r))
        teacherProjection.initialize(repeating: 0, count: Swift.max(1, thetaDouble == nil ? 0 : b * r))
        lambda = .allocate(capacity: r)
        lambda.initialize(from: configuration.spectrum.values, count: r)
        batchSource = GaussianBatchSource(rows: b, columns: d, seed: configuration.seed, firstStream: 16,
                                          threadCount: configuration.threads)
        noiseGenerator = Xoshiro256StarStar.stream(seed: configuration.seed, index: 2)
        labelNoiseDraws = .allocate(capacity: b)
        labelNoiseDraws.initialize(repeating: 0, count: b)
        residualSums = .allocate(capacity: 8 * Self.partCount)
        residualSums.initialize(repeating: 0, count: 8 * Self.partCount)
    }

    deinit {
        weights.deallocate(); batch.deallocate(); studentProjection.deallocate(); teacherProjection.deallocate()
        teacherRowsPointer?.deallocate(); lambda.deallocate(); labelNoiseDraws.deallocate(); residualSums.deallocate()
    }

    /// Replaces `W` (tests use it to take many steps from one fixed point).
    func setWeights(_ matrix: Matrix) {
        for index in 0..<(configuration.studentWidth * configuration.dimension) { weights[index] = Scalar(fromDouble: matrix.storage[index]) }
    }

    /// The current `W` in double precision (`r_s×d`).
    public var currentWeights: Matrix {
        (try? Matrix(rows: configuration.studentWidth, columns: configuration.dimension, storage: (0..<(configuration.studentWidth * configuration.dimension)).map { weights[$0].doubleValue }))
            ?? Matrix(rows: 0, columns: 0)
    }

    /// The recorded series restored from a snapshot, continued by the next ``run``.
    private var restoredSteps: [Int] = []
    private var restoredStates: [OverlapState] = []

    /// The precision's name in fingerprints: `"double"` or `"float"`.
    public var precisionName: String { Scalar.precisionName }

    /// A snapshot of the run after `step` steps with the given recorded series.
    func snapshot(recordedSteps: [Int], recordedStates: [OverlapState]) -> SGDSnapshot {
        let count = configuration.studentWidth * configuration.dimension
        return SGDSnapshot(fingerprint: configuration.fingerprint(precision: Scalar.precisionName), step: step,
                           weights: (0..<count).map { weights[$0].doubleValue }, batchGenerators: batchSource.states,
                           noiseGenerator: noiseGenerator, recordedSteps: recordedSteps, recordedStates: recordedStates)
    }

    /// Continues from `snapshot`: the next ``run`` takes the remaining steps and returns the
    /// whole series, bit-identical to an uninterrupted run. Refuses a snapshot of another
    /// configuration (or precision) with ``SGDError/invalidInput(_:)``.
    public func restore(_ snapshot: SGDSnapshot) throws(SGDError) {
        do {
            try SGDCheckpointFormat.check(snapshot, against: configuration.fingerprint(precision: Scalar.precisionName))
        } catch {
            throw .invalidInput(error.description)
        }
        let count = configuration.studentWidth * configuration.dimension
        guard snapshot.weights.count == count, snapshot.batchGenerators.count == batchSource.blockCount,
              snapshot.step <= configuration.steps else {
            throw .invalidInput("the checkpoint's sizes do not match this configuration")
        }
        for index in 0..<count { weights[index] = Scalar(fromDouble: snapshot.weights[index]) }
        batchSource.restore(snapshot.batchGenerators)
        noiseGenerator = snapshot.noiseGenerator
        step = snapshot.step
        restoredSteps = snapshot.recordedSteps
        restoredStates = snapshot.recordedStates
    }

    /// `(M, P)` of the current `W`: `M = WΘᵀ` (a column slice for the canonical teacher) and
    /// `P = W(I − ΘᵀΘ)Wᵀ` (a SYRK of the orthogonal columns for the canonical teacher,
    /// `WWᵀ − MMᵀ` otherwise), computed in double precision.
    public func overlapState() throws(SGDError) -> OverlapState {
        let rs = configuration.studentWidth, d = configuration.dimension, r = configuration.spectrum.count
        let w = currentWeights
        var m = Matrix(rows: rs, columns: r)
        var p = Matrix(rows: rs, columns: rs)
        if let theta = thetaDouble {
            do {
                m = try BLAS.product(w, theta, transposeB: true)
            } catch {
                throw .invalidInput("\(error)")
            }
            p = BLAS.gram(w) - BLAS.gram(m)
            p.symmetrize()
        } else {
            for i in 0..<rs { for j in 0..<r { m[i, j] = w[i, j] } }
            w.storage.withUnsafeBufferPointer { pw in
                p.storage.withUnsafeMutableBufferPointer { pp in
                    BLAS.syrkUpper(transpose: false, n: rs, k: d - r, alpha: 1, a: pw.baseAddress! + r, lda: d,
                                   beta: 0, c: pp.baseAddress!, ldc: rs)
                    BLAS.mirrorUpperToLower(pp.baseAddress!, n: rs, ldc: rs)
                }
            }
        }
        do {
            return try OverlapState(overlap: m, orthogonalGram: p)
        } catch {
            throw .invalidInput("non-finite or inconsistent state: \(error)")
        }
    }

    /// One SGD step. Returns the mini-batch loss `(1/B) Σ ½ e_b²`. Specialised for both
    /// precisions so that the residual loops run without generic dispatch.
    @discardableResult
    @_specialize(exported: true, where Scalar == Double)
    @_specialize(exported: true, where Scalar == Float)
    func advance(statistics: inout SGDStatistics, clock: ContinuousClock) -> Double {
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
            Scalar.gemm(transposeA: false, transposeB: true, m: last - first, n: rs, k: d, alpha: 1, a: shared.x + first * d, lda: d,
                        b: shared.w, ldb: d, beta: 0, c: shared.z + first * rs, ldc: rs)
            if let theta = shared.theta {
                Scalar.gemm(transposeA: false, transposeB: true, m: last - first, n: r, k: d, alpha: 1, a: shared.x + first * d, lda: d,
                            b: theta, ldb: d, beta: 0, c: shared.u + first * r, ldc: r)
            }
            let labels = shared.theta == nil ? shared.x : shared.u, labelStride = shared.theta == nil ? d : r
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

    /// Runs all `configuration.steps` steps, recording `(M, P)` and the exact population risk at
    /// the save steps (and at 0 and the last step). Stops with ``SGDError/diverged(step:time:risk:hint:)``
    /// when the mini-batch loss is non-finite or exceeds `1e6·max(1, R(0))`, or a recorded risk
    /// is non-finite.
    @_specialize(exported: true, where Scalar == Double)
    @_specialize(exported: true, where Scalar == Float)
    ///
    /// Checkpoints and interruption: every `checkpointEvery` steps (and once more when stopped)
    /// `checkpoint` receives an ``SGDSnapshot`` from which ``restore(_:)`` continues
    /// bit-identically. After each step `shouldStop` is asked whether to stop; when it says yes
    /// the run ends after that step with ``SGDResult/completed`` `false` and the series recorded
    /// so far. A run restored from a snapshot starts at its step with its recorded series.
    public func run(progress: ((SGDProgress) -> Void)? = nil, checkpointEvery: Int? = nil,
                    checkpoint: ((SGDSnapshot) throws -> Void)? = nil,
                    shouldStop: (() -> Bool)? = nil) throws(SGDError) -> SGDResult {
        let config = configuration
        let saveSteps = Array(Set(config.saveSteps + [0, config.steps])).sorted()
        var statistics = SGDStatistics()
        statistics.samplesPerStep = config.batchSize * config.dimension
        let rs = Double(config.studentWidth), d = Double(config.dimension), b = Double(config.batchSize)
        statistics.gemmMultiplyAddsPerStep = 2 * b * d * rs + (teacherRows == nil ? 0 : b * d * Double(config.spectrum.count))
        var result = SGDResult(learningRate: config.learningRate, steps: [], times: [], states: [], observables: [], statistics: statistics)
        let clock = ContinuousClock()
        let started = clock.now
        var lastReport = started
        var initialRisk = 1.0
        let startStep = step
        func saveCheckpoint() throws(SGDError) {
            guard let checkpoint else { return }
            do {
                try checkpoint(snapshot(recordedSteps: result.steps, recordedStates: result.states))
            } catch {
                throw .checkpointFailed("\(error)")
            }
        }
        /// Appends `(M, P)` at `recordedStep` (the current step, or one restored from a snapshot).
        func record(_ recordedStep: Int, _ state: OverlapState) throws(SGDError) {
            let observables: Observables
            do { observables = try state.observables(spectrum: config.spectrum) } catch { throw .invalidInput("\(error)") }
            guard observables.risk.isFinite else {
                throw .diverged(step: recordedStep, time: Double(recordedStep) * config.learningRate, risk: observables.risk,
                                hint: lastFiniteRiskNote(result) + hint)
            }
            if recordedStep == 0 { initialRisk = Swift.max(1, observables.risk) }
            result.steps.append(recordedStep)
            result.times.append(Double(recordedStep) * config.learningRate)
            result.states.append(state)
            result.observables.append(observables)
        }
        // The simulator parallelises across its own threads (batch blocks, GEMM partitions);
        // OpenBLAS runs single-threaded meanwhile, so that its idle threads do not spin against ours.
        let blasThreads = BLAS.claimThreadCount(1)
        defer { BLAS.releaseThreadCount(blasThreads) }
        var nextSave = 0
        if restoredSteps.isEmpty {
            if saveSteps.first == 0 { try record(step, try overlapState()); nextSave = 1 }
        } else {
            for (recordedStep, state) in zip(restoredSteps, restoredStates) { try record(recordedStep, state) }
            nextSave = saveSteps.firstIndex(where: { $0 > step }) ?? saveSteps.count
            restoredSteps = []
            restoredStates = []
        }
        while step < config.steps {
            let loss = advance(statistics: &statistics, clock: clock)
            if !loss.isFinite || loss > 1e6 * initialRisk {
                let risk = (try? overlapState().observables(spectrum: config.spectrum).risk) ?? .nan
                throw .diverged(step: step, time: Double(step) * config.learningRate, risk: risk,
                                hint: lastFiniteRiskNote(result) + hint)
            }
            if nextSave < saveSteps.count, saveSteps[nextSave] == step {
                try record(step, try overlapState())
                nextSave += 1
            }
            if let every = checkpointEvery, step % every == 0, step < config.steps { try saveCheckpoint() }
            if step < config.steps, let shouldStop, shouldStop() {
                try saveCheckpoint()
                result.completed = false
                break
            }
            if let progress {
                let now = clock.now
                if (now - lastReport).seconds >= 0.5 {
                    lastReport = now
                    let elapsed = (now - started).seconds
                    let rate = Double(step - startStep) / elapsed
                    progress(SGDProgress(step: step, totalSteps: config.steps, time: Double(step) * config.learningRate,
                                         batchLoss: loss, stepsPerSecond: rate,
                                         secondsRemaining: Double(config.steps - step) / Swift.max(rate, 1e-12)))
                }
            }
        }
        statistics.steps = step - startStep
        statistics.seconds = (clock.now - started).seconds
        result.statistics = statistics
        result.finalStep = step
        return result
    }

    /// Runs `body(part, parts)` for the fixed `parts = 2` partitions of a GEMM, on two threads
    /// when ``SGDConfiguration/threads`` ≥ 2 and in sequence otherwise. The partition, hence
    /// every floating-point operation, is the same either way.
    /// The fixed number of parts each GEMM (and the residual pass) is split into.
    static var partCount: Int { 2 }

    private func partitioned(_ body: @escaping @Sendable (Int, Int) -> Void) {
        let parts = Self.partCount
        if configuration.threads >= 2 {
            DispatchQueue.concurrentPerform(iterations: parts) { body($0, parts) }
        } else {
            for part in 0..<parts { body(part, parts) }
        }
    }

    /// "last recorded risk R at step k; " from the series so far (empty before the first record).
    private func lastFiniteRiskNote(_ result: SGDResult) -> String {
        guard let index = result.observables.lastIndex(where: { $0.risk.isFinite }) else { return "" }
        return "last recorded risk \(result.observables[index].risk) at step \(result.steps[index]); "
    }

    private var hint: String {
        String(format: "η·d/B = %.3g is probably too large; lower --lr or raise --batch", configuration.stepNoiseRatio)
    }
}


/// The step's buffers, shared by the GEMM workers; each worker writes a disjoint block.
private struct StepBuffers<Scalar>: @unchecked Sendable {
    let w: UnsafeMutablePointer<Scalar>
    let x: UnsafeMutablePointer<Scalar>
    let z: UnsafeMutablePointer<Scalar>
    let u: UnsafeMutablePointer<Scalar>
    let theta: UnsafeMutablePointer<Scalar>?
    let lambda: UnsafeMutablePointer<Double>
    let noiseDraws: UnsafeMutablePointer<Double>
    let sums: UnsafeMutablePointer<Double>
}
