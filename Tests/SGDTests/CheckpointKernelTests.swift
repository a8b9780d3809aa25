import Foundation
import LinearAlgebra
@testable import SGD
import Testing

/// The OpenBLAS kernel recorded in a checkpoint (format version 2), and version-1 files
/// (written before the field existed) still loading with an unknown kernel.
@Suite("Checkpoint format: the BLAS kernel field")
struct CheckpointKernelTests {
    func snapshot() throws -> SGDSnapshot {
        var saved: SGDSnapshot?
        var configuration = try checkpointConfiguration(steps: 20)
        configuration.saveSteps = [5]
        _ = try SGDSimulator<Double>(configuration: configuration).run(checkpointEvery: 10, checkpoint: { saved = $0 })
        return try #require(saved)
    }

    @Test("a snapshot records this process's kernel and version 2 round-trips it")
    func roundTrip() throws {
        let original = try snapshot()
        let kernel = try #require(original.blasKernel)
        #expect(kernel.core == BLAS.coreName && kernel.configuration == BLAS.configuration)
        #expect(!kernel.core.isEmpty)
        let bytes = SGDCheckpointFormat.encode(original)
        #expect(SGDCheckpointFormat.readUInt32(bytes, at: 16) == 2)
        let decoded = try SGDCheckpointFormat.decode(bytes)
        #expect(decoded == original)
        // A forged kernel survives the round trip; the negative control: it differs from the current one.
        var forged = original
        forged.blasKernel = .init(core: "Prescott", configuration: "OpenBLAS 0.0 DYNAMIC_ARCH Prescott")
        let forgedDecoded = try SGDCheckpointFormat.decode(SGDCheckpointFormat.encode(forged))
        #expect(forgedDecoded.blasKernel?.core == "Prescott")
        #expect(forgedDecoded.blasKernel != SGDSnapshot.BLASKernel.current || BLAS.coreName == "Prescott")
        #expect(forgedDecoded != original)
    }

    @Test("a version-1 checkpoint still loads, with an unknown kernel and otherwise the same state")
    func versionOne() throws {
        let original = try snapshot()
        let old = SGDCheckpointFormat.encode(original, formatVersion: 1)
        #expect(SGDCheckpointFormat.readUInt32(old, at: 16) == 1)
        #expect(old.count < SGDCheckpointFormat.encode(original).count)
        let decoded = try SGDCheckpointFormat.decode(old)
        #expect(decoded.blasKernel == nil)
        #expect(SGDSnapshot.describe(decoded.blasKernel) == "unknown kernel")
        var expected = original
        expected.blasKernel = nil
        #expect(decoded == expected)
        // Negative control: version-1 bytes relabelled as version 2 (checksum fixed) are refused,
        // because the kernel field is missing where the step field is.
        var relabelled = Array(old.dropLast(8))
        relabelled[16] = 2
        SGDCheckpointFormat.append(SnapshotHash.of(bytes: relabelled), to: &relabelled)
        #expect(throws: CheckpointError.self) { try SGDCheckpointFormat.decode(relabelled) }
    }

    @Test("a malformed kernel field is refused")
    func malformedKernel() throws {
        #expect(throws: CheckpointError.self) { try SGDCheckpointFormat.parseKernel("core=Zen\n") }
        #expect(throws: CheckpointError.self) { try SGDCheckpointFormat.parseKernel("config=x\ncore=Zen\n") }
        #expect(try SGDCheckpointFormat.parseKernel("") == nil)
        #expect(try SGDCheckpointFormat.parseKernel("core=Zen\nconfig=OpenBLAS x\n") == .init(core: "Zen", configuration: "OpenBLAS x"))
    }
}
