import Foundation
import LinearAlgebra
import Riccati
@testable import SGD
import Sampling
import Testing

/// Multiplier of the checkpoint fuzzer's iteration count: 1 in `make test` (6,000 inputs),
/// `RICCATI_FUZZ_SCALE=20` in `make fuzz` (120,000).
let checkpointFuzzScale = max(1, Int(ProcessInfo.processInfo.environment["RICCATI_FUZZ_SCALE"] ?? "") ?? 1)

/// A configuration exercising every stream: random teacher (stream 1), label noise (stream 2),
/// several batch blocks (B = 40 → 3 blocks of 16 rows, the last one short).
func checkpointConfiguration(steps: Int = 60, lr: Double = 2e-3) throws -> SGDConfiguration {
    var configuration = SGDConfiguration(spectrum: try TeacherSpectrum.powerLaw(exponent: 1, count: 3), dimension: 24,
                                         studentWidth: 3, batchSize: 40, learningRate: lr, steps: steps)
    configuration.sigma0 = 0.8
    configuration.seed = 11
    configuration.labelNoise = 0.1
    configuration.teacher = .random
    configuration.saveSteps = [5, 17, 30, 31, 44, 59]
    return configuration
}

/// Bitwise equality of two runs' series and final weights.
func sameBits(_ a: SGDResult, _ b: SGDResult) -> Bool {
    a.steps == b.steps && a.times.map(\.bitPattern) == b.times.map(\.bitPattern)
        && a.risk.map(\.bitPattern) == b.risk.map(\.bitPattern)
        && zip(a.states, b.states).allSatisfy { $0.overlap.storage.map(\.bitPattern) == $1.overlap.storage.map(\.bitPattern)
            && $0.orthogonalGram.storage.map(\.bitPattern) == $1.orthogonalGram.storage.map(\.bitPattern) }
}

@Suite("SGD checkpoints")
struct CheckpointTests {
    /// Resuming from any checkpoint, after an encode/decode round trip, reproduces the
    /// uninterrupted run bit for bit, in both precisions and with one or two threads.
    @Test("a resumed run is bit-identical to an uninterrupted one", arguments: ["double", "float"])
    func resumeIsBitIdentical(precision: String) throws {
        func check<Scalar: SGDScalar>(_: Scalar.Type) throws {
            let configuration = try checkpointConfiguration()
            let full = try SGDSimulator<Scalar>(configuration: configuration)
            let reference = try full.run()
            var snapshots = [SGDSnapshot]()
            let checkpointed = try SGDSimulator<Scalar>(configuration: configuration)
            let again = try checkpointed.run(checkpointEvery: 13, checkpoint: { snapshots.append($0) })
            #expect(sameBits(reference, again))  // checkpointing does not perturb the run
            #expect(snapshots.map(\.step) == [13, 26, 39, 52])
            for snapshot in snapshots {
                let decoded = try SGDCheckpointFormat.decode(SGDCheckpointFormat.encode(snapshot))
                #expect(decoded == snapshot)
                for threads in [1, 2] {
                    var threaded = configuration
                    threaded.threads = threads
                    let resumed = try SGDSimulator<Scalar>(configuration: threaded)
                    try resumed.restore(decoded)
                    let continued = try resumed.run()
                    #expect(sameBits(reference, continued), "resumed at step \(snapshot.step), \(threads) thread(s)")
                    #expect(resumed.currentWeights.storage.map(\.bitPattern) == full.currentWeights.storage.map(\.bitPattern))
                    #expect(continued.finalStep == configuration.steps && continued.completed)
                }
            }
            // Negative control: the same resume from weights one ulp away is not bit-identical.
            var perturbed = snapshots[1]
            perturbed.weights[0] = Double(Scalar(fromDouble: perturbed.weights[0]).nextUp)
            let resumed = try SGDSimulator<Scalar>(configuration: configuration)
            try resumed.restore(perturbed)
            #expect(!sameBits(reference, try resumed.run()))
        }
        if precision == "double" { try check(Double.self) } else { try check(Float.self) }
    }

    @Test("a stop request ends the run after the current step with a checkpoint; resuming completes it")
    func stopAndResume() throws {
        let configuration = try checkpointConfiguration()
        let reference = try SGDSimulator<Double>(configuration: configuration).run()
        var last: SGDSnapshot?
        let simulator = try SGDSimulator<Double>(configuration: configuration)
        var polls = 0
        let partial = try simulator.run(checkpoint: { last = $0 }, shouldStop: { polls += 1; return polls == 23 })
        #expect(!partial.completed && partial.finalStep == 23)
        #expect(partial.steps == [0, 5, 17])   // the series recorded so far
        let snapshot = try #require(last)
        #expect(snapshot.step == 23)
        let resumed = try SGDSimulator<Double>(configuration: configuration)
        try resumed.restore(try SGDCheckpointFormat.decode(SGDCheckpointFormat.encode(snapshot)))
        #expect(sameBits(reference, try resumed.run()))
    }

    @Test("a checkpoint of another configuration or precision is refused, naming the difference")
    func mismatchesAreRefused() throws {
        var snapshot: SGDSnapshot?
        _ = try SGDSimulator<Double>(configuration: try checkpointConfiguration()).run(checkpointEvery: 30, checkpoint: { snapshot = $0 })
        let saved = try #require(snapshot)
        let otherRate = try SGDSimulator<Double>(configuration: try checkpointConfiguration(lr: 3e-3))
        #expect(throws: SGDError.incompatibleParameters(
            names: ["snapshot", "learningRate"],
            reason: "the checkpoint belongs to another configuration: learningRate is 0.002 there and 0.003 here")) {
            try otherRate.restore(saved)
        }
        let otherPrecision = try SGDSimulator<Float>(configuration: try checkpointConfiguration())
        #expect(throws: SGDError.incompatibleParameters(
            names: ["snapshot", "precision"],
            reason: "the checkpoint belongs to another configuration: precision is double there and float here")) {
            try otherPrecision.restore(saved)
        }
        var otherSeed = try checkpointConfiguration()
        otherSeed.seed = 12
        #expect(throws: SGDError.self) { try SGDSimulator<Double>(configuration: otherSeed).restore(saved) }
        // Negative control: the same configuration with another thread count is accepted.
        var threads = try checkpointConfiguration()
        threads.threads = 1
        try SGDSimulator<Double>(configuration: threads).restore(saved)
    }

    @Test("another format version, a bad magic, a flipped byte and every truncation are refused")
    func formatErrors() throws {
        var snapshot: SGDSnapshot?
        var configuration = try checkpointConfiguration(steps: 20)
        configuration.saveSteps = [5]
        _ = try SGDSimulator<Double>(configuration: configuration).run(checkpointEvery: 10, checkpoint: { snapshot = $0 })
        let bytes = SGDCheckpointFormat.encode(try #require(snapshot))
        var version = bytes
        version[16] = 3
        #expect(throws: CheckpointError.unsupportedVersion(found: 3, supported: 2)) { try SGDCheckpointFormat.decode(version) }
        var magic = bytes
        magic[0] = UInt8(ascii: "X")
        #expect(throws: CheckpointError.self) { try SGDCheckpointFormat.decode(magic) }
        var flipped = bytes
        flipped[bytes.count / 2] ^= 0x10
        #expect(throws: CheckpointError.malformed("checksum mismatch (the file is corrupt or truncated)")) {
            try SGDCheckpointFormat.decode(flipped)
        }
        for length in 0..<bytes.count {
            #expect(throws: CheckpointError.self) { try SGDCheckpointFormat.decode(Array(bytes.prefix(length))) }
        }
        // Negative control: the untouched bytes decode.
        #expect(try SGDCheckpointFormat.decode(bytes).step == 10)
    }

    /// Random mutations of valid checkpoints. Half of them get their checksum recomputed, so the
    /// field parser itself (not just the checksum) sees corrupt lengths, tags, sizes and values.
    /// Whatever is accepted must be self-consistent and re-encode to the same bytes.
    @Test("fuzzing the checkpoint reader: no crash, no hang, accepted inputs round-trip")
    func fuzz() throws {
        var seeds = [[UInt8]]()
        for steps in [3, 20] {
            var configuration = try checkpointConfiguration(steps: steps)
            configuration.saveSteps = [1, 2]
            _ = try SGDSimulator<Float>(configuration: configuration).run(checkpointEvery: 2, checkpoint: {
                seeds.append(SGDCheckpointFormat.encode($0))
            })
        }
        var generator = SplitMix64(seed: 0xC0FFEE)
        func random(_ bound: Int) -> Int { Int(generator.next() % UInt64(Swift.max(bound, 1))) }
        let iterations = 6000 * checkpointFuzzScale
        var accepted = 0, checksumRejections = 0, slowest = 0.0
        for iteration in 0..<iterations {
            var bytes = seeds[random(seeds.count)]
            switch random(6) {
            case 0:  // bit flips and byte replacements
                for _ in 0...random(4) { bytes[random(bytes.count)] ^= UInt8(truncatingIfNeeded: 1 << random(8)) }
            case 1:  // a field's count or tag overwritten with an extreme value
                let offset = 28 + random(bytes.count - 36)
                let extreme: [UInt8] = [0xFF, 0x7F, 0x80, 0x00, 0x01, 0x03]
                for k in 0..<Swift.min(8, bytes.count - offset) { bytes[offset + k] = extreme[random(extreme.count)] }
            case 2:  // truncation
                bytes = Array(bytes.prefix(random(bytes.count)))
            case 3:  // insertion or deletion of a run of bytes
                let at = random(bytes.count)
                if random(2) == 0 {
                    bytes.insert(contentsOf: (0..<(1 + random(16))).map { _ in UInt8(truncatingIfNeeded: generator.next()) }, at: at)
                } else {
                    bytes.removeSubrange(at..<Swift.min(bytes.count, at + 1 + random(16)))
                }
            case 4:  // the fingerprint text edited: sizes, separators, non-UTF-8
                let edits: [[UInt8]] = [Array("rs=0\n".utf8), Array("d=99999999999999\n".utf8), [0xC3, 0x28], Array("\n=\n".utf8),
                                        Array("r=1099511627776\n".utf8), Array("steps=-1\n".utf8)]
                let at = 37 + random(Swift.max(1, bytes.count / 8))
                if at < bytes.count { bytes.insert(contentsOf: edits[random(edits.count)], at: at) }
            default:  // pure garbage after a valid magic and version
                bytes = Array(bytes.prefix(20)) + (0..<random(300)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            }
            if iteration % 2 == 0, bytes.count >= 36 {
                // Recompute the length field and the checksum so the parser proper is exercised.
                let payloadLength = UInt64(bytes.count - 36)
                for k in 0..<8 { bytes[20 + k] = UInt8(truncatingIfNeeded: payloadLength >> (8 * UInt64(k))) }
                let hash = SnapshotHash.of(bytes: bytes[0..<(bytes.count - 8)])
                for k in 0..<8 { bytes[bytes.count - 8 + k] = UInt8(truncatingIfNeeded: hash >> (8 * UInt64(k))) }
            }
            let start = DispatchTime.now().uptimeNanoseconds
            do {
                let snapshot = try SGDCheckpointFormat.decode(bytes)
                accepted += 1
                let roundTrips = SGDCheckpointFormat.encode(snapshot) == bytes
                #expect(roundTrips, "iteration \(iteration): an accepted input must re-encode to the same bytes")
            } catch {
                if case .malformed(let why) = error, why.hasPrefix("checksum") { checksumRejections += 1 }
                #expect(!error.description.contains("\n"))
            }
            slowest = Swift.max(slowest, Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
        }
        // Both the checksum and the parser behind it were exercised; no input took long.
        #expect(checksumRejections > iterations / 10)
        #expect(iterations - accepted - checksumRejections > iterations * 3 / 10)   // rejected by the parser itself
        #expect(accepted > 0 && accepted < iterations / 4)
        #expect(slowest < 0.5, "slowest decode \(slowest) s")
        print("checkpoint fuzz: \(iterations) inputs, \(accepted) accepted, \(checksumRejections) checksum rejections, slowest \(slowest) s")
    }
}
