import Riccati

/// The tool's advice for run-time failures whose library message advises in the library's
/// parameter names: every flag named here exists on the command that prints it (checked by
/// `FailureHintTests`, which compares every `--flag` of a triggered failure with the command's
/// `--help`).
enum FailureHints {
    /// The tool runs dopri5 and dop853 with the library's default step limit.
    static let stepLimit = AdaptiveStepOptions().maxSteps

    /// `riccati integrate` (dopri5 or dop853); `stepGiven`: `--step` caps the step.
    static func integrate(stepGiven: Bool) -> String {
        "loosen --rtol/--atol" + (stepGiven ? ", raise --step (the largest step)" : "")
            + ", shorten --t-end or use --method exact (dopri5 and dop853 take at most \(stepLimit) steps)"
    }

    /// `riccati monotonicity` (its dopri5 run).
    static let monotonicity = "loosen --rtol/--atol or shorten --t-end (dopri5 takes at most \(stepLimit) steps)"

    /// `message` with the library's advice replaced by `hint`.
    static func apply(_ hint: String, to message: String) -> String {
        message.replacingOccurrences(of: AdaptiveStepOptions.stepLimitAdvice, with: hint)
    }
}

extension CommandFailure {
    /// The same failure with the library's advice replaced by the tool's `hint` (``FailureHints``).
    func withToolHint(_ hint: String) -> CommandFailure {
        switch self {
        case .badInput(let message): return .badInput(FailureHints.apply(hint, to: message))
        case .runtime(let message): return .runtime(FailureHints.apply(hint, to: message))
        case .orderViolated(let message): return .orderViolated(FailureHints.apply(hint, to: message))
        case .interrupted(let message): return .interrupted(FailureHints.apply(hint, to: message))
        case .incomplete(let message): return .incomplete(FailureHints.apply(hint, to: message))
        case .schedulerUnavailable(let message): return .schedulerUnavailable(FailureHints.apply(hint, to: message))
        }
    }
}
