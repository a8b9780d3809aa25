import Reports
import Riccati
import SGD
import SweepPlans

/// Errors that end the command with a one-line message and a documented exit code.
enum CommandFailure: Error, CustomStringConvertible {
    /// Bad input: exit code 2.
    case badInput(String)
    /// A checked order was violated (the report is written first): exit code 3.
    case orderViolated(String)
    /// A runtime failure (integration failed): exit code 1.
    case runtime(String)
    /// Stopped by SIGINT, SIGTERM or SIGHUP after writing what was asked for: exit code 130.
    case interrupted(String)
    /// A distributed sweep ended with points missing or failed (`riccati sweep resubmit` completes it): exit code 4.
    case incomplete(String)
    /// The Slurm backend cannot be used (no `sbatch` on `PATH`, the controller does not answer,
    /// `sbatch` refused the job); nothing was submitted: exit code 5.
    case schedulerUnavailable(String)

    var description: String {
        switch self {
        case .badInput(let message), .runtime(let message), .orderViolated(let message), .interrupted(let message),
             .incomplete(let message), .schedulerUnavailable(let message): return message
        }
    }

    var exitCode: Int32 {
        switch self {
        case .badInput: return 2
        case .runtime: return 1
        case .orderViolated: return 3
        case .interrupted: return 130
        case .incomplete: return 4
        case .schedulerUnavailable: return 5
        }
    }
}

extension CommandFailure {
    /// A library error as the tool reports it: parameter errors (``ParameterNamingError``) are bad
    /// input (exit code 2) phrased with the tool's flags (``ParameterFlags``); run-time failures
    /// (an integration that failed, SGD that diverged, a checkpoint that could not be written)
    /// exit with code 1. `flags` overrides the table for this command (for instance `spectrum`
    /// is `--lambdas FILE` when a file was given and `--r` otherwise). `context` (a flag and its
    /// value, e.g. `--lambdas FILE`) prefixes a message that names no parameter.
    init(_ error: RiccatiError, flags: ParameterFlags = ParameterFlags(), context: String? = nil) {
        let message = Self.phrase(error, flags: flags, context: context)
        switch error {
        case .invalidParameter, .incompatibleParameters, .exceedsLimit, .unsupportedMethod, .linearAlgebra:
            self = .badInput(message)
        case .integrationFailed:
            self = .runtime(message)
        }
    }

    /// See ``init(_:flags:context:)-(RiccatiError,_,_)``.
    init(_ error: SGDError, flags: ParameterFlags = ParameterFlags(), context: String? = nil) {
        let message = Self.phrase(error, flags: flags, context: context)
        switch error {
        case .invalidParameter, .incompatibleParameters, .exceedsLimit:
            self = .badInput(message)
        case .diverged, .checkpointFailed, .odeFailed:
            self = .runtime(message)
        }
    }

    /// The message of `error` in the tool's flags, prefixed with `context` when it names no parameter.
    static func phrase(_ error: some ParameterNamingError, flags: ParameterFlags, context: String?) -> String {
        let message = error.message(naming: flags.flag(for:))
        guard let context, error.parameterNames.isEmpty else { return message }
        return "\(context): \(message)"
    }

    /// A failure of a distributed sweep: a work directory that cannot be used, holds another
    /// sweep or holds no readable plan is bad input (2), a scheduler that cannot be used or
    /// refused the job exit code 5, missing points exit code 4, a damaged result a run-time
    /// failure (1).
    init(_ error: SweepPlanError) {
        switch error {
        case .invalidWorkDirectory, .foreignPlan, .invalidPlan: self = .badInput(error.description)
        case .schedulerUnavailable, .submissionFailed: self = .schedulerUnavailable(error.description)
        case .incomplete: self = .incomplete(error.description)
        case .damagedResult: self = .runtime(error.description)
        }
    }

    /// A failure to build or write an output of the `Reports` module, blamed on `flag`: data a
    /// figure cannot show are bad input, everything else a run-time failure.
    init(_ error: ReportError, flag: String) {
        switch error {
        case .invalidFigureData(let message): self = .badInput("\(flag): \(message)")
        case .inconsistentArray, .writeFailed, .rendering: self = .runtime("\(flag): \(error)")
        }
    }

    /// Runs `body`, turning a ``ReportError`` into a failure blamed on `flag`.
    static func mapping<T>(flag: String = "--npy-dir", _ body: () throws(ReportError) -> T) throws(CommandFailure) -> T {
        do {
            return try body()
        } catch {
            throw CommandFailure(error, flag: flag)
        }
    }
}
