import ArgumentParser
import AtomicFiles
import Foundation
import SGD

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
