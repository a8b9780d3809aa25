import ArgumentParser
import Foundation
import LinearAlgebra
import Riccati

@main
struct RiccatiCLI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "riccati",
        abstract: "Learning dynamics of two-layer quadratic networks: the overlap Riccati ODE.",
        discussion: """
            Conventions follow MODEL.md (Ben Arous, Erdogdu, Vural, Wu, arXiv 2508.03688).
            Exit codes: 0 success, 1 runtime failure (integration failed, SGD diverged, an output \
            could not be written, e.g. a full disk), 2 bad input (also a closed standard output, an output that \
            is one of the inputs, a run that would not fit in memory), 3 a monotonicity check found a violation, 4 a Slurm sweep is incomplete (points without a result, or its merge failed), 5 Slurm cannot be used (nothing submitted) or was lost while waiting, 130 interrupted by SIGINT, SIGTERM or SIGHUP. Errors \
            are one line on standard error: "riccati: <message>", naming the flag or file and the expected form.

            Signals: SIGINT, SIGTERM and SIGHUP stop a long command within a step: it writes what it \
            has so far (report marked "interrupted", --npy-dir, --plot; riccati sgd also a final \
            --checkpoint), prints "riccati: interrupted by <signal>: …" and exits with 130. A second \
            SIGINT or SIGTERM ends the process at once. A signal ignored at start (nohup) stays ignored.
            """,
        version: RiccatiKitVersion.current,
        subcommands: [Integrate.self, MonotonicityCommand.self, SGDCommand.self, CompareCommand.self, ScalingCommand.self, SweepCommand.self],
        defaultSubcommand: Integrate.self)

    /// The first line of an ArgumentParser message, without its `Error: ` prefix (the line
    /// already starts with `riccati: `).
    static func oneLine(_ message: String) -> String? {
        guard let first = message.split(separator: "\n").first else { return nil }
        let line = String(first)
        return line.hasPrefix("Error: ") ? String(line.dropFirst("Error: ".count)) : line
    }

    /// Writes `riccati: <message>` as exactly one line on standard error (line breaks that came
    /// in with a flag's value or a file name are escaped).
    static func report(_ message: String) {
        let flat = message.replacingOccurrences(of: "\r", with: "\\r").replacingOccurrences(of: "\n", with: "\\n")
        StandardStreams.writeError("riccati: \(flat)\n")
    }

    /// OpenBLAS's thread count is the application's setting, made once here: always one thread,
    /// also when `OPENBLAS_NUM_THREADS` is set. The tool's parallelism is its own (`--threads`,
    /// `--jobs`, the SGD simulator's and the exact propagator's two parts), and some LAPACK
    /// routines block their work by OpenBLAS's thread count, so a second OpenBLAS thread would
    /// only oversubscribe the cores and change the last bits. With one thread the results depend
    /// on no thread count. Nothing else in the tool or the library changes it.
    static func configureBLASThreads() {
        BLAS.setThreadCount(1)
    }

    /// Parses, runs and maps every error to a one-line message and an exit code; no stack
    /// trace or trap reaches the user for bad input.
    ///
    /// The stop signals' handlers are installed first, before any argument is parsed or input
    /// read (``Interruption``). Once a stop signal was received the exit code is 130 whatever
    /// else happened: a long command reports its own stop (`interrupted by …`), and any other
    /// ending (a failure caused by the interrupted read of an input, a short command that
    /// finished anyway) is reported as `interrupted by <signal>: <what happened>`.
    static func main() {
        Interruption.install()
        // Past `ulimit -f`, a write fails with EFBIG (one line, exit 1, the temporary file
        // removed) instead of SIGXFSZ ending the process silently.
        signal(SIGXFSZ, SIG_IGN)
        if let refusal = AddressSpace.checkAtStartUp() {
            // `_exit`: the exit handlers would wait for OpenBLAS's pool thread, which spins on the
            // buffer the limit denies it (see AddressSpace).
            report(refusal)
            _exit(2)
        }
        configureBLASThreads()
        let command: ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            let code = exitCode(for: error)
            if code == .success, !Interruption.requested { exit(withError: error) }   // --help, --version
            let message = oneLine(fullMessage(for: error)) ?? "invalid arguments"
            finish(message, code: 2)
        }
        do {
            var runnable = command
            try runnable.run()
        } catch let failure as CommandFailure {
            finish(failure.description, code: failure.exitCode)
        } catch {
            // ArgumentParser's own errors (help requested from a subcommand, validation).
            if exitCode(for: error) == .success, !Interruption.requested { exit(withError: error) }
            let message = oneLine(fullMessage(for: error)) ?? "\(error)"
            finish(message, code: 2)
        }
        if Interruption.requested {
            finish("the command had finished; its outputs are complete", code: 0)
        }
    }

    /// Reports `message` and exits with `code`, or with 130 and an `interrupted by …` line when a
    /// stop signal was received.
    static func finish(_ message: String, code: Int32) -> Never {
        if Interruption.requested {
            report(message.hasPrefix("interrupted by ") ? message : Interruption.message(message))
            Foundation.exit(CommandFailure.interrupted("").exitCode)
        }
        report(message)
        Foundation.exit(code)
    }
}
