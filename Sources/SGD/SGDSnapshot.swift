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

    public init(fingerprint: [SGDConfiguration.FingerprintEntry], step: Int, weights: [Double], batchGenerators: [Xoshiro256StarStar],
                noiseGenerator: Xoshiro256StarStar, recordedSteps: [Int], recordedStates: [OverlapState]) {
        self.fingerprint = fingerprint
        self.step = step
        self.weights = weights
        self.batchGenerators = batchGenerators
        self.noiseGenerator = noiseGenerator
        self.recordedSteps = recordedSteps
        self.recordedStates = recordedStates
    }
}
