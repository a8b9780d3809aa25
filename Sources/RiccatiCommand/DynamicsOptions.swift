import ArgumentParser
import Riccati

/// The effective dynamics `riccati integrate` solves.
enum DynamicsName: String, ExpressibleByArgument, CaseIterable {
    case gradientFlow = "gradient-flow"
    case gradientDescent = "gradient-descent"
    case sgdMeanMap = "sgd-mean-map"
    case sgdLimit = "sgd-limit"

    /// Whether the dynamics models minibatch SGD (and takes `--lr`, `--batch`, `--noise`).
    var isSGD: Bool { self == .sgdMeanMap || self == .sgdLimit }
    /// Whether the dynamics is a discrete map iterated at its own step `--lr` (no `--method`).
    var isDiscrete: Bool { self == .sgdMeanMap || self == .gradientDescent }
}

/// `--dynamics` and the SGD parameters of its SGD-aware forms.
struct DynamicsOptions: ParsableArguments {
    @Option(help: "Effective dynamics: gradient-flow (the population gradient flow), gradient-descent (population gradient descent with step --lr, any --activation), sgd-mean-map (the exact one-step mean of minibatch SGD, iterated at the SGD's own step --lr) or sgd-limit (its limit η → 0 at fixed η·d/B, by dopri5 or rk4).")
    var dynamics: DynamicsName = .gradientFlow

    @Option(name: .customLong("lr"), help: "Learning rate η of gradient-descent (required) and of the SGD in sgd-mean-map and sgd-limit (default 0.005, as riccati sgd); step k is time t = η·k.")
    var learningRate: Double?

    @Option(help: "SGD batch size B of sgd-mean-map and sgd-limit (default 1024, as riccati sgd).")
    var batch: Int?

    @Option(help: "Label-noise standard deviation ς of sgd-mean-map and sgd-limit (default 0).")
    var noise: Double?

    /// Refuses the SGD flags with gradient flow, and values outside their domains (before any work).
    func validate() throws(CommandFailure) {
        if !dynamics.isSGD {
            for (flag, given) in [("--lr", learningRate != nil && dynamics == .gradientFlow), ("--batch", batch != nil), ("--noise", noise != nil)] where given {
                throw .badInput("\(flag) applies to --dynamics \(flag == "--lr" ? "gradient-descent, " : "")sgd-mean-map and sgd-limit only (\(dynamics.rawValue) has no \(flag == "--lr" ? "learning rate" : flag == "--batch" ? "batch" : "label noise"))")
            }
            if dynamics == .gradientDescent, learningRate == nil {
                throw .badInput("--dynamics gradient-descent needs --lr η (its step; t = η·k after k steps)")
            }
        }
        if let learningRate, !(learningRate.isFinite && learningRate > 0) {
            throw .badInput("--lr must be finite and > 0, got \(learningRate)")
        }
        if let batch, batch < 1 { throw .badInput("--batch must be ≥ 1, got \(batch)") }
        if let noise, !(noise.isFinite && noise >= 0) { throw .badInput("--noise must be finite and ≥ 0, got \(noise)") }
    }

    /// The SGD parameters in dimension `d`; `nil` for gradient flow.
    func parameters(dimension d: Int) -> MinibatchSGDParameters? {
        guard dynamics.isSGD else { return nil }
        return MinibatchSGDParameters(learningRate: learningRate ?? 0.005, batchSize: batch ?? 1024, dimension: d, labelNoise: noise ?? 0)
    }

    /// The time step of the discrete dynamics (`η` of gradient-descent and sgd-mean-map), `nil` for the continuous ones.
    var mapStep: Double? { dynamics.isDiscrete ? (learningRate ?? 0.005) : nil }

    /// The dynamics for the teacher `spectrum`, width `rs`, the SGD `parameters` and `activation`
    /// (the SGD-aware forms exist for the quadratic model only; refused before this is called).
    func make(spectrum: TeacherSpectrum, studentWidth rs: Int, parameters: MinibatchSGDParameters?,
              activation: Activation) throws(RiccatiError) -> any EffectiveDynamics {
        switch (dynamics, parameters) {
        case (.sgdMeanMap, let parameters?): return try QuadraticSGDMeanMap(spectrum: spectrum, studentWidth: rs, parameters: parameters)
        case (.sgdLimit, let parameters?): return try QuadraticSGDLimitFlow(spectrum: spectrum, studentWidth: rs, parameters: parameters)
        case (.gradientDescent, _):
            return try activation.gradientDescent(spectrum: spectrum, studentWidth: rs, learningRate: learningRate ?? 0.005)
        default: return try activation.gradientFlow(spectrum: spectrum, studentWidth: rs)
        }
    }
}
