import ArgumentParser
import AtomicFiles
import Foundation
import SGD
import Synchronization

/// `--checkpoint`, `--checkpoint-every`, `--resume` of `riccati sgd`.
struct CheckpointOptions: ParsableArguments {
    @Option(help: "Write the full run state (W, generators, step, recorded series, configuration) atomically to this file: every --checkpoint-every steps and when interrupted.")
    var checkpoint: String?

    @Option(name: .customLong("checkpoint-every"), help: "Steps between checkpoints (needs --checkpoint).")
    var checkpointEvery: Int?

    @Option(help: "Continue the run saved in this checkpoint; the result is bit-identical to an uninterrupted run. The configuration flags must be the same.")
    var resume: String?

    /// The validated options: where to write, how often, and the decoded snapshot to resume from.
    func validate(fingerprint: [SGDConfiguration.FingerprintEntry]) throws(CommandFailure)
        -> (destination: ReportDestination?, every: Int?, snapshot: SGDSnapshot?) {
        if checkpointEvery != nil, checkpoint == nil { throw .badInput("--checkpoint-every needs --checkpoint FILE") }
        if let every = checkpointEvery, every < 1 { throw .badInput("--checkpoint-every must be a positive number of steps, got \(every)") }
        let destination = try checkpoint.map { path throws(CommandFailure) in try ReportDestination(path: path, flag: "--checkpoint") }
        var snapshot: SGDSnapshot?
        if let path = resume {
            guard let data = FileManager.default.contents(atPath: path) else {
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
                    throw .badInput("--resume \(path): cannot read the file\(isDirectory.boolValue ? " (it is a directory)" : "")")
                }
                throw .badInput("--resume \(path): no such file")
            }
            do {
                let decoded = try SGDCheckpointFormat.decode([UInt8](data))
                try SGDCheckpointFormat.check(decoded, against: fingerprint)
                snapshot = decoded
            } catch {
                throw .badInput("--resume \(path): \(error.description)")
            }
        }
        return (destination, checkpointEvery, snapshot)
    }
}

extension ReportDestination {
    /// Writes a checkpoint atomically (temporary file + rename).
    func writeCheckpoint(_ snapshot: SGDSnapshot) throws {
        guard let path else { return }
        do {
            try AtomicFile.write(SGDCheckpointFormat.encode(snapshot), to: path)
        } catch {
            throw CommandFailure.runtime("--checkpoint \(error)")
        }
    }
}

/// SIGINT and SIGTERM set a flag that long runs poll between steps, so that they can finish the
/// step, write a checkpoint and their outputs, and exit with code 130.
enum Interruption {
    /// The signal number received, or 0.
    static let received = Atomic<Int32>(0)

    /// Installs the handlers (storing to a lock-free atomic is async-signal-safe) and unblocks
    /// both signals: a process inherits its parent's signal mask, and a parent that blocks them
    /// (some test runners and job controllers do) would otherwise leave them pending forever.
    static func install() {
        signal(SIGINT) { number in Interruption.received.store(number, ordering: .relaxed) }
        signal(SIGTERM) { number in Interruption.received.store(number, ordering: .relaxed) }
        var mask = sigset_t()
        sigemptyset(&mask)
        sigaddset(&mask, SIGINT)
        sigaddset(&mask, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &mask, nil)
    }

    static var requested: Bool { received.load(ordering: .relaxed) != 0 }

    static var signalName: String {
        switch received.load(ordering: .relaxed) {
        case SIGINT: return "SIGINT"
        case SIGTERM: return "SIGTERM"
        default: return "a signal"
        }
    }
}
