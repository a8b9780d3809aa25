import LinearAlgebra
import Riccati
import Sampling

/// Everything an ``SGDSimulator`` needs to continue a run bit-identically: the weights, the
/// generator states, the step and the recorded series, plus the configuration it belongs to.
///
/// `weights` hold the simulator's `Scalar` values widened to `Double` (exact for `Float`), so a
/// restored `Float` run narrows them back to the very same values.
public struct SGDSnapshot: Sendable, Equatable {
    /// The configuration fingerprint (``SGDConfiguration/fingerprint(precision:)``): resuming
    /// with any other configuration is refused.
    public var fingerprint: [SGDConfiguration.FingerprintEntry]
    /// Steps taken.
    public var step: Int
    /// `W` (`r_s×d`, row-major), widened to `Double`.
    public var weights: [Double]
    /// The batch generators, one per 16-row block, in block order.
    public var batchGenerators: [Xoshiro256StarStar]
    /// The label-noise generator.
    public var noiseGenerator: Xoshiro256StarStar
    /// The recorded steps and their `(M, P)`, in order (observables are recomputed from these).
    public var recordedSteps: [Int]
    public var recordedStates: [OverlapState]
    /// The OpenBLAS kernel the run used up to this snapshot; `nil` when unknown (a checkpoint of
    /// format version 1). Not part of the fingerprint: a run may continue on another kernel, but
    /// its results are then not bit-identical to an uninterrupted run on the original one.
    public var blasKernel: BLASKernel?

    /// The BLAS library's build configuration and selected CPU kernel (OpenBLAS's
    /// `openblas_get_config()` and `openblas_get_corename()`). A DYNAMIC_ARCH OpenBLAS picks its
    /// kernel by CPU (or `OPENBLAS_CORETYPE`), and GEMM results can differ in their last bits
    /// from one kernel to another.
    public struct BLASKernel: Sendable, Equatable {
        public var core: String
        public var configuration: String

        public init(core: String, configuration: String) {
            self.core = core
            self.configuration = configuration
        }

        /// The kernel of this process.
        public static var current: BLASKernel { BLASKernel(core: BLAS.coreName, configuration: BLAS.configuration) }
    }

    /// A description of `kernel` for messages and reports: its core name, or `unknown kernel`.
    public static func describe(_ kernel: BLASKernel?) -> String { kernel?.core ?? "unknown kernel" }

    public init(fingerprint: [SGDConfiguration.FingerprintEntry], step: Int, weights: [Double], batchGenerators: [Xoshiro256StarStar],
                noiseGenerator: Xoshiro256StarStar, recordedSteps: [Int], recordedStates: [OverlapState], blasKernel: BLASKernel? = nil) {
        self.blasKernel = blasKernel
        self.fingerprint = fingerprint
        self.step = step
        self.weights = weights
        self.batchGenerators = batchGenerators
        self.noiseGenerator = noiseGenerator
        self.recordedSteps = recordedSteps
        self.recordedStates = recordedStates
    }
}
