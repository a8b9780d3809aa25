import LinearAlgebra
import Riccati
import Sampling

/// Online SGD on the full `d`-dimensional network, in `Scalar` precision, with every buffer
/// allocated once.
public final class SGDSimulator<Scalar: SGDScalar> {
    public let configuration: SGDConfiguration
    /// `Θ` (`r×d`) for a non-canonical teacher, in `Scalar`.
    let teacherRows: [Scalar]?
    let thetaDouble: Matrix?
    // Buffers allocated once; raw pointers keep the step free of closures and generic dispatch.
    let weights: UnsafeMutablePointer<Scalar>           // W, r_s×d
    let batch: UnsafeMutablePointer<Scalar>             // X, B×d
    let studentProjection: UnsafeMutablePointer<Scalar> // Z = X Wᵀ, B×r_s, then diag(e) Z
    let teacherProjection: UnsafeMutablePointer<Scalar> // U = X Θᵀ, B×r (non-canonical teacher only)
    let teacherRowsPointer: UnsafeMutablePointer<Scalar>?
    let lambda: UnsafeMutablePointer<Double>
    let batchSource: GaussianBatchSource<Scalar>
    var noiseGenerator: Xoshiro256StarStar
    let labelNoiseDraws: UnsafeMutablePointer<Double>   // ε_b / ς, B (label noise only)
    /// Per-worker `(Σ e_b, Σ e_b²)`, worker `p` at index `8p` (one cache line each).
    let residualSums: UnsafeMutablePointer<Double>
    /// The buffers of the general-activation step (``advanceGeneralActivation(statistics:clock:)``);
    /// `nil` for the quadratic model.
    let activationBuffers: ActivationStepBuffers?
    /// Steps taken so far.
    internal(set) public var step = 0

    public init(configuration: SGDConfiguration) throws(SGDError) {
        try configuration.validate()
        self.configuration = configuration
        let rs = configuration.studentWidth, d = configuration.dimension, r = configuration.spectrum.count
        let b = configuration.batchSize
        // Θ first (the only draw that can fail, before any buffer is allocated), then W0: given,
        // or i.i.d. N(0, σ0²/d) from stream 0 (drawn in double, then rounded).
        thetaDouble = try configuration.teacherMatrix()
        let w0 = configuration.startingWeights()
        weights = .allocate(capacity: rs * d)
        for index in 0..<(rs * d) { weights[index] = Scalar(fromDouble: w0[index]) }
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
        activationBuffers = configuration.activation.isQuadratic
            ? nil : ActivationStepBuffers(activation: configuration.activation, studentWidth: rs, parts: Self.partCount)
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
    var restoredSteps: [Int] = []
    var restoredStates: [OverlapState] = []

    /// The precision's name in fingerprints: `"double"` or `"float"`.
    public var precisionName: String { Scalar.precisionName }

    /// A snapshot of the run after `step` steps with the given recorded series.
    func snapshot(recordedSteps: [Int], recordedStates: [OverlapState]) -> SGDSnapshot {
        let count = configuration.studentWidth * configuration.dimension
        return SGDSnapshot(fingerprint: configuration.fingerprint(precision: Scalar.precisionName), step: step,
                           weights: (0..<count).map { weights[$0].doubleValue }, batchGenerators: batchSource.states,
                           noiseGenerator: noiseGenerator, recordedSteps: recordedSteps, recordedStates: recordedStates,
                           blasKernel: .current)
    }

    /// Continues from `snapshot`: the next ``run(progress:checkpointEvery:checkpoint:shouldStop:)`` takes the remaining steps and returns the
    /// whole series, bit-identical to an uninterrupted run. Refuses a snapshot of another
    /// configuration (or precision) with ``SGDError/incompatibleParameters(names:reason:)`` naming
    /// `snapshot` and the differing setting.
    public func restore(_ snapshot: SGDSnapshot) throws(SGDError) {
        do {
            try SGDCheckpointFormat.check(snapshot, against: configuration.fingerprint(precision: Scalar.precisionName))
        } catch {
            throw error.restoreError
        }
        let count = configuration.studentWidth * configuration.dimension
        guard snapshot.weights.count == count, snapshot.batchGenerators.count == batchSource.blockCount,
              snapshot.step <= configuration.steps else {
            throw .incompatibleParameters(names: ["snapshot"], reason: "the checkpoint's sizes do not match this configuration")
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
    /// `WWᵀ − MMᵀ` otherwise), computed in double precision. Throws
    /// ``SGDError/diverged(step:time:risk:hint:)`` when `W` holds NaN or infinite values.
    public func overlapState() throws(SGDError) -> OverlapState {
        let rs = configuration.studentWidth, d = configuration.dimension, r = configuration.spectrum.count
        let w = currentWeights
        var m = Matrix(rows: rs, columns: r)
        var p = Matrix(rows: rs, columns: rs)
        if let theta = thetaDouble {
            // M = W Θᵀ (r_s×d times d×r); the shapes hold by construction.
            w.storage.withUnsafeBufferPointer { pw in
                theta.storage.withUnsafeBufferPointer { pt in
                    m.storage.withUnsafeMutableBufferPointer { pm in
                        BLAS.gemm(transposeA: false, transposeB: true, m: rs, n: r, k: d, alpha: 1, a: pw.baseAddress!, lda: d,
                                  b: pt.baseAddress!, ldb: d, beta: 0, c: pm.baseAddress!, ldc: r)
                    }
                }
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
            // Only non-finite weights make (M, P) invalid: the run has diverged.
            throw .diverged(step: step, time: Double(step) * configuration.learningRate, risk: .nan,
                            hint: "the weights contain NaN or infinite values (\(error))")
        }
    }
}
