/// The parameters of online minibatch SGD that its effective dynamics depend on: learning rate
/// `η`, batch size `B`, input dimension `d` and label-noise standard deviation `ς`.
///
/// Step `k` of SGD is time `t = η·k`. The minibatch noise drives the overlaps at the rate
/// ``stepNoiseRatio`` `c = η·d/B` (<doc:SGDAwareDynamics>): SGD follows the gradient flow when
/// `c ≪ 1`, and ``QuadraticSGDMeanMap`` or ``QuadraticSGDLimitFlow`` predict it when it does not.
public struct MinibatchSGDParameters: Sendable, Equatable, Codable {
    /// The learning rate `η > 0`, also the time of one step.
    public var learningRate: Double
    /// The batch size `B ≥ 1`.
    public var batchSize: Int
    /// The input dimension `d` (`d ≥ r`, the teacher's width).
    public var dimension: Int
    /// The standard deviation `ς ≥ 0` of the Gaussian label noise `y = f*(x) + ς ξ`.
    public var labelNoise: Double

    public init(learningRate: Double, batchSize: Int, dimension: Int, labelNoise: Double = 0) {
        self.learningRate = learningRate
        self.batchSize = batchSize
        self.dimension = dimension
        self.labelNoise = labelNoise
    }

    /// `c = η·d/B`, the strength of the minibatch noise per unit time.
    public var stepNoiseRatio: Double { learningRate * Double(dimension) / Double(batchSize) }

    /// Throws (naming the parameter) unless `η` is finite and `> 0`, `B ≥ 1`, `d ≥ teacherWidth`,
    /// `ς` is finite and `≥ 0`, and `c = η·d/B` is finite.
    public func validate(teacherWidth r: Int) throws(RiccatiError) {
        guard learningRate.isFinite, learningRate > 0 else { throw .invalid("learningRate", learningRate, "must be finite and > 0") }
        guard batchSize >= 1 else { throw .invalid("batchSize", batchSize, "must be ≥ 1") }
        guard dimension >= 1 else { throw .invalid("dimension", dimension, "must be ≥ 1") }
        guard dimension >= r else {
            throw .incompatibleParameters(names: ["dimension", "spectrum"],
                                          reason: "the dimension d = \(dimension) must be at least the teacher width r = \(r) (Θ has r orthonormal rows in R^d)")
        }
        guard labelNoise.isFinite, labelNoise >= 0 else { throw .invalid("labelNoise", labelNoise, "must be finite and ≥ 0") }
        guard stepNoiseRatio.isFinite else {
            throw .incompatibleParameters(names: ["learningRate", "dimension", "batchSize"], reason: "η·d/B = \(stepNoiseRatio) is not finite")
        }
    }
}
