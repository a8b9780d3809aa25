import Foundation
import LinearAlgebra
import Riccati

/// Checks shared by the commands, all run before any work. Each failure is a one-line
/// ``CommandFailure/badInput(_:)`` that names the flag and the accepted form.
enum InputChecks {
    /// Largest accepted initial scale (`--sigma0`) and label noise (`--noise`). The flow and the
    /// SGD step are cubic in `W` and the risk is quartic, so `σ0 ≤ 1e25` keeps `σ0⁴ ≤ 1e100`
    /// far inside double precision; anything larger only overflows.
    static let maximumScale = 1e25

    /// Largest accepted `‖K0‖_F` of an ODE initial state (`K0 = M0M0ᵀ + P0`): the right-hand side
    /// is cubic in the state and DOPRI5's error norm squares it, so beyond this it overflows.
    static let maximumStateNorm = 1e50

    /// Largest number of steps a run may take (the library's `maximumFixedSteps`, also SGD's bound).
    static let maximumSteps = maximumFixedSteps

    /// Largest number of doubles the saved states of one command may take (2 GiB).
    static let maximumStoredDoubles = Double(1 << 28)

    /// Largest number of entries of one `r_s×d` (or `r×d`) SGD matrix, the same bound as `B×d`.
    static let maximumMatrixEntries = 5e8

    /// `value` finite and `> 0` (or `≥ 0` with `allowZero`) and at most ``maximumScale``.
    static func scale(_ value: Double, flag: String, allowZero: Bool = false) throws(CommandFailure) {
        guard value.isFinite, allowZero ? value >= 0 : value > 0, value <= maximumScale else {
            throw .badInput("\(flag) must be finite, \(allowZero ? "≥ 0" : "> 0") and ≤ 1e25 (larger values overflow double precision), got \(value)")
        }
    }

    /// A relative tolerance in `(0, 1)` (`[0, 1)` with `allowZero`): `1` or more accepts anything.
    static func relativeTolerance(_ value: Double, flag: String, allowZero: Bool = false) throws(CommandFailure) {
        guard value.isFinite, allowZero ? value >= 0 : value > 0, value < 1 else {
            throw .badInput("\(flag) must be a relative tolerance in \(allowZero ? "[0, 1)" : "(0, 1)"), got \(value)")
        }
    }

    /// `‖K0‖_F ≤ maximumStateNorm`; the message blames `flag`.
    static func stateSize(_ state: OverlapState, blame flag: String) throws(CommandFailure) {
        let norm = state.studentGram.frobeniusNorm
        guard norm.isFinite, norm <= maximumStateNorm else {
            throw .badInput("\(flag) gives an initial state too large for double precision: ‖K0‖_F = \(norm); at most 1e50")
        }
    }

    /// `saves` saved states of `doublesPerState` each, times `copies`, must fit in ``maximumStoredDoubles``.
    static func storage(saves: Int, doublesPerState: Double, copies: Double = 1) throws(CommandFailure) {
        let total = Double(saves) * doublesPerState * copies
        guard total <= maximumStoredDoubles else {
            throw .badInput("--save-count/--save-at: \(saves) saved states of \(Int(doublesPerState)) doubles need \(String(format: "%.3g", total * 8 / 1e9)) GB; at most 2 GiB: save fewer times or use smaller widths")
        }
    }

    /// `--output` and `--plot` must not name the same file (the figure would replace the report).
    static func distinct(output: String?, plot: String?) throws(CommandFailure) {
        guard let output, let plot else { return }
        let a = URL(fileURLWithPath: output).standardizedFileURL.path, b = URL(fileURLWithPath: plot).standardizedFileURL.path
        if a == b { throw .badInput("--output and --plot conflict: both name \(output); give two different files") }
    }

    /// A whole number printed without a fractional part when it fits (`16`, not `16.0`).
    static func whole(_ value: Double) -> String {
        value.isFinite && abs(value) < 1e15 && value == value.rounded() ? String(Int(value)) : "\(value)"
    }
}
