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
            let bytes = try Self.readCheckpoint(path)
            do {
                let decoded = try SGDCheckpointFormat.decode(bytes)
                try SGDCheckpointFormat.check(decoded, against: fingerprint)
                snapshot = decoded
            } catch {
                throw .badInput("--resume \(path): \(error.description)")
            }
        }
        return (destination, checkpointEvery, snapshot)
    }
}

extension CheckpointOptions {
    /// The checkpoint magic (``SGDCheckpointFormat``: 16 bytes, then a UInt32 version and the
    /// UInt64 little-endian payload length; the payload is followed by an 8-byte checksum).
    static let checkpointMagic: [UInt8] = Array("RICCATIKIT-SGD\n\0".utf8)

    /// Largest checkpoint `--resume` reads: 16 GiB (a run's `W` is at most 5·10⁸ doubles, 4 GB,
    /// and its recorded states at most 2 GiB).
    static let maximumCheckpointBytes = 16 << 30

    /// Reads a `--resume` file no further than its header declares: a regular file or a pipe or
    /// FIFO (a device, socket or directory is refused unopened); the first 28 bytes give the
    /// payload length, then exactly `36 + length` bytes are read, plus one to detect trailing
    /// data. A file too short or without the magic is passed on for the decoder's message.
    static func readCheckpoint(_ path: String) throws(CommandFailure) -> [UInt8] {
        var bytes: [UInt8] = []
        do {
            let file = try InputFile(opening: path, shouldStop: { Interruption.requested })
            try FileRegistry.registerInput(flag: "--resume", path: path, identity: file.identity)
            try file.read(into: &bytes, upTo: 28)
            guard bytes.count == 28, bytes[0..<16].elementsEqual(checkpointMagic) else { return bytes }
            let length = (20..<28).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64(bytes[$1]) }
            guard length <= UInt64(maximumCheckpointBytes - 36) else {
                throw CommandFailure.badInput("--resume \(path): the header declares a \(length)-byte payload; at most \(maximumCheckpointBytes - 36)")
            }
            let total = 36 + Int(length)
            if let size = file.size, size > total {
                throw CommandFailure.badInput("--resume \(path): the file holds \(size) bytes, more than the \(total) its header declares")
            }
            try file.read(into: &bytes, upTo: total + 1)
            guard bytes.count <= total else {
                throw CommandFailure.badInput("--resume \(path): the stream holds more than the \(total) bytes its header declares")
            }
            return bytes
        } catch let failure as CommandFailure {
            throw failure
        } catch let error as InputFileError {
            if error.isInterrupted { throw .interrupted("--resume \(error)") }
            if error.code == ENOENT { throw .badInput("--resume \(path): no such file") }
            throw .badInput("--resume \(error)")
        } catch {
            throw .badInput("--resume \(path): \(error)")
        }
    }
}

extension ReportDestination {
    /// Writes a checkpoint: atomically to a regular file (temporary file + rename), in place to
    /// a device or FIFO (``ReportDestination/write(_:)-([UInt8])``).
    func writeCheckpoint(_ snapshot: SGDSnapshot) throws {
        guard path != nil else { return }
        try write(SGDCheckpointFormat.encode(snapshot))
    }
}
