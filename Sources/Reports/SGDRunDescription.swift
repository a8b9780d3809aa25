import Riccati
import SGD

/// What the reports of `riccati sgd` and `riccati compare` record about an SGD run's setup:
/// the configuration, how its spectrum was given, and the arithmetic.
public struct SGDRunDescription: Sendable {
    public var configuration: SGDConfiguration
    /// A power law (only `α` is recorded: the SGD spectrum is always normalised) or a file.
    public var spectrum: ModelDescription.Spectrum
    public var precision: ArithmeticPrecision

    public init(configuration: SGDConfiguration, spectrum: ModelDescription.Spectrum, precision: ArithmeticPrecision) {
        self.configuration = configuration
        self.spectrum = spectrum
        self.precision = precision
    }

    /// The `config` entries: `alpha` (or `lambdas`), `r`, `rs`, `d`, `batch`, `lr`, `steps`,
    /// `sigma0`, `noise`, `precision`, `teacher`, `activation` (its name) and, for a Hermite list,
    /// `hermiteCoefficients`, then `seed`, `etaDOverB`.
    public var entries: [(String, JSONValue)] {
        let config = configuration
        var entries: [(String, JSONValue)] = []
        switch spectrum {
        case .powerLaw(let alpha, _): entries.append(("alpha", .number(alpha)))
        case .file(let path): entries.append(("lambdas", .string(path)))
        }
        let teacher: String
        switch config.teacher {
        case .canonical: teacher = "canonical"
        case .random: teacher = "random"
        case .given: teacher = "given"
        }
        entries += [("r", .integer(config.spectrum.count)), ("rs", .integer(config.studentWidth)), ("d", .integer(config.dimension)),
                    ("batch", .integer(config.batchSize)), ("lr", .number(config.learningRate)), ("steps", .integer(config.steps)),
                    ("sigma0", .number(config.sigma0)), ("noise", .number(config.labelNoise)),
                    ("precision", .string(precision.rawValue)), ("teacher", .string(teacher))]
        entries += config.activation.configurationEntries
        entries += [("seed", .string(String(config.seed))), ("etaDOverB", .number(config.stepNoiseRatio))]
        return entries
    }

    /// `entries`, then `resumedFromStep` and `resumedFromBlasCore` (when resumed: the OpenBLAS
    /// kernel that wrote the checkpoint, next to this run's `blasCore`), `status` and `finalStep`
    /// of `result`, stamped.
    func configuration(of result: SGDResult, resumedFromStep: Int?, resumedFromBLASCore: String? = nil) -> [(String, JSONValue)] {
        var extra: [(String, JSONValue)] = []
        if let resumedFromStep { extra.append(("resumedFromStep", .integer(resumedFromStep))) }
        if let resumedFromBLASCore { extra.append(("resumedFromBlasCore", .string(resumedFromBLASCore))) }
        return configuration(completed: result.completed, finalStep: result.finalStep, extra: extra)
    }

    /// `entries`, then `extra`, `status` (`completed` or `interrupted`) and `finalStep`, stamped.
    func configuration(completed: Bool, finalStep: Int, extra: [(String, JSONValue)]) -> [(String, JSONValue)] {
        var config = entries + extra
        config.append(("status", .string(completed ? "completed" : "interrupted")))
        config.append(("finalStep", .integer(finalStep)))
        return Provenance.stamp(config)
    }
}
