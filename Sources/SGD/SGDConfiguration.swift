import Foundation
import LinearAlgebra
import Riccati

/// One online-SGD experiment (MODEL.md, "Gradient flow and online SGD" and "General activations").
///
/// The student is `f_W(x) = Σ_i ‖w_i‖² σ(⟨w_i, x⟩/‖w_i‖)` and the teacher
/// `f*(x) = Σ_j λ_j σ(⟨θ_j, x⟩)`, with the ``activation`` `σ`. Per step a fresh batch
/// `X ∈ R^{B×d}` of standard Gaussians, `Z = XWᵀ`, residuals `e_b = f_W(x_b) − y_b` with
/// `y_b = f*(x_b) + ς ξ_b`, and `W ← W − η ĝ` with `ĝ` the batch mean of `e_b ∇_W f_W(x_b)`.
/// Step `k` is time `t = ηk`.
///
/// For the quadratic model (`σ = He₂`) `ĝ = (2/B)[(diag(e)Z)ᵀX − (Σ_b e_b) W]`, done as one GEMM
/// `W ← (1 + 2ηΣe/B) W − (2η/B)(diag(e)Z)ᵀX`. For any other `σ` see
/// <doc:SGDAndTheFlow#General-activations>: one GEMM for the `x`-part of the gradient and a
/// row scaling of `W` for its `w`-part.
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
    /// The activation `σ` of teacher and student (`Activation.he2`, the quadratic model, by
    /// default; every Hermite list equal to `0, 0, 1` runs the quadratic model's step, bit for bit).
    public var activation: Activation = .he2
    /// Threads drawing the batches (the block partition, hence the numbers, do not depend on it).
    public var threads: Int = 2
    /// Steps at which to record the state (in `0...steps`, in any order, duplicates allowed;
    /// `0` and `steps` are always added). ``SGDSaveSchedule`` turns times into these steps.
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

    /// Largest number of entries of one `r_s×d` or `r×d` matrix, and of one `B×d` batch.
    public static let maximumMatrixEntries = 500_000_000
    /// Largest number of steps.
    public static let maximumSteps = 1_000_000_000
    /// Largest initial scale `σ0` and label noise `ς`: the step is cubic in `W` and the risk
    /// quartic, so `10²⁵` keeps `σ0⁴` far inside double precision.
    public static let maximumScale = 1e25
    /// Largest number of bytes the recorded series of one run may take (2 GiB).
    public static let maximumRecordedBytes = Double(1 << 31)

    /// Checks every parameter before any work, in a fixed order; the first failure is thrown
    /// with the library's parameter names.
    public func validate() throws(SGDError) {
        let r = spectrum.count
        do { try activation.validate() } catch {
            throw SGDError(parameterError: error) ?? .invalidParameter(name: "activation", value: activation.label, reason: "\(error)")
        }
        guard studentWidth >= 1 else { throw .invalidParameter(name: "studentWidth", value: "\(studentWidth)", reason: "must be ≥ 1") }
        guard dimension > r else {
            throw .incompatibleParameters(names: ["dimension", "spectrum"],
                                          reason: "the dimension d = \(dimension) must exceed the teacher width r = \(r)")
        }
        guard dimension >= studentWidth else {
            throw .incompatibleParameters(names: ["dimension", "studentWidth"],
                                          reason: "the dimension d = \(dimension) must be at least the student width r_s = \(studentWidth)")
        }
        guard batchSize >= 1 else { throw .invalidParameter(name: "batchSize", value: "\(batchSize)", reason: "must be ≥ 1") }
        let matrices: [(count: Int, names: [String], what: String)] = [
            (studentWidth, ["studentWidth", "dimension"], "the weights W (r_s×d)"),
            (teacher == .canonical ? 0 : r, ["spectrum", "dimension", "teacher"], "the teacher Θ (r×d)"),
        ]
        for matrix in matrices where matrix.count > 0 {
            let (entries, overflow) = matrix.count.multipliedReportingOverflow(by: dimension)
            guard !overflow, entries <= Self.maximumMatrixEntries else {
                throw .exceedsLimit(names: matrix.names, reason: "\(matrix.what) = \(matrix.count)×\(dimension) exceeds 5e8 entries")
            }
        }
        let (batchEntries, batchOverflow) = batchSize.multipliedReportingOverflow(by: dimension)
        guard batchEntries <= Self.maximumMatrixEntries, !batchOverflow else {
            throw .exceedsLimit(names: ["batchSize", "dimension"],
                                reason: "the batch X (B×d) = \(batchSize)×\(dimension) exceeds 5e8 entries")
        }
        guard learningRate.isFinite, learningRate > 0 else {
            throw .invalidParameter(name: "learningRate", value: "\(learningRate)", reason: "must be finite and > 0")
        }
        guard steps >= 1, steps <= Self.maximumSteps else {
            throw .invalidParameter(name: "steps", value: "\(steps)", reason: "must lie in [1, 1e9]")
        }
        guard sigma0.isFinite, sigma0 > 0, sigma0 <= Self.maximumScale else {
            throw .invalidParameter(name: "sigma0", value: "\(sigma0)", reason: "must lie in (0, 1e25]")
        }
        guard labelNoise.isFinite, labelNoise >= 0, labelNoise <= Self.maximumScale else {
            throw .invalidParameter(name: "labelNoise", value: "\(labelNoise)", reason: "must lie in [0, 1e25]")
        }
        guard threads >= 1, threads <= 256 else { throw .invalidParameter(name: "threads", value: "\(threads)", reason: "must lie in [1, 256]") }
        for step in saveSteps where step < 0 || step > steps {
            throw .invalidParameter(name: "saveSteps", value: "\(step)", reason: "must lie in [0, steps = \(steps)]")
        }
        if let w = initialWeights {
            guard w.rows == studentWidth, w.columns == dimension else {
                throw .incompatibleParameters(
                    names: ["initialWeights", "studentWidth", "dimension"],
                    reason: "W0 has shape \(w.rows)×\(w.columns); expected r_s×d = \(studentWidth)×\(dimension)")
            }
            guard w.isFinite else { throw .invalidParameter(name: "initialWeights", value: "", reason: "contains NaN or infinite values") }
        }
        if case .given(let theta) = teacher {
            guard theta.rows == r, theta.columns == dimension else {
                throw .incompatibleParameters(
                    names: ["teacher", "spectrum", "dimension"],
                    reason: "the teacher Θ has shape \(theta.rows)×\(theta.columns); expected r×d = \(r)×\(dimension)")
            }
            guard theta.isFinite else { throw .invalidParameter(name: "teacher", value: "", reason: "contains NaN or infinite values") }
            let gram = BLAS.gram(theta)
            guard (gram - Matrix.identity(r)).maxAbs <= 1e-10 else {
                throw .invalidParameter(name: "teacher", value: "",
                                        reason: "must have orthonormal rows (ΘΘᵀ = I within 1e-10)")
            }
        }
        let estimate = memoryEstimate()
        guard estimate.recordedBytes <= Self.maximumRecordedBytes else {
            throw .exceedsLimit(
                names: ["saveSteps", "studentWidth"],
                reason: "up to \(estimate.recordCount) recorded states of \(Int(estimate.bytesPerRecord)) bytes need "
                    + "\(String(format: "%.3g", estimate.recordedBytes / 1e9)) GB; at most 2 GiB: save fewer steps or use a smaller width")
        }
    }
}
