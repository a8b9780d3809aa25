import Foundation
import LinearAlgebra
import Riccati
import Sampling

/// The binary checkpoint format, version 2 (all integers little-endian):
///
///     magic      16 bytes  "RICCATIKIT-SGD\n\0"
///     version    UInt32    2 (1 is still read)
///     length     UInt64    number of payload bytes
///     payload    fields, each: tag UInt8, count UInt64, then `count` items
///                  tag 1 text (UTF-8 bytes), 2 UInt64 words, 3 Double bit patterns
///     checksum   UInt64    FNV-1a of magic, version, length and payload
///
/// The payload's fields come in a fixed order: fingerprint (text, `key=value` lines), BLAS
/// kernel (text, `core=…` and `config=…` lines; version 2 only, a version-1 file has an unknown
/// kernel, see ``SGDSnapshot/blasKernel``), step (words, 1), weights (reals), batch generators (words, 4 per block), noise generator (words, 4),
/// recorded steps (words), recorded states (reals, `r_s·r + r_s²` per recorded step: `M` then `P`).
/// The reader checks every length against the remaining bytes before allocating, so no input
/// can make it allocate more than the file's size or read out of bounds.
public enum SGDCheckpointFormat {
    /// The version written.
    public static let version: UInt32 = 2
    /// The versions read.
    public static let readableVersions: ClosedRange<UInt32> = 1...2
    static let magic: [UInt8] = Array("RICCATIKIT-SGD\n\0".utf8)

    /// The checkpoint bytes of `snapshot` in format ``version``, or in `formatVersion` 1 (without
    /// the BLAS kernel, as older builds wrote it).
    public static func encode(_ snapshot: SGDSnapshot, formatVersion: UInt32 = version) -> [UInt8] {
        var payload = [UInt8]()
        func words(_ values: [UInt64]) {
            payload.append(2); append(UInt64(values.count), to: &payload)
            for value in values { append(value, to: &payload) }
        }
        func reals(_ values: [Double]) {
            payload.append(3); append(UInt64(values.count), to: &payload)
            for value in values { append(value.bitPattern, to: &payload) }
        }
        let text = Array(snapshot.fingerprint.map { "\($0.key)=\($0.value)\n" }.joined().utf8)
        payload.append(1); append(UInt64(text.count), to: &payload); payload += text
        if formatVersion >= 2 {
            let kernel = snapshot.blasKernel.map { kernelText($0) } ?? ""
            let bytes = Array(kernel.utf8)
            payload.append(1); append(UInt64(bytes.count), to: &payload); payload += bytes
        }
        words([UInt64(snapshot.step)])
        reals(snapshot.weights)
        words(snapshot.batchGenerators.flatMap { g in [g.state.0, g.state.1, g.state.2, g.state.3] })
        let noise = snapshot.noiseGenerator.state
        words([noise.0, noise.1, noise.2, noise.3])
        words(snapshot.recordedSteps.map { UInt64($0) })
        reals(snapshot.recordedStates.flatMap { $0.overlap.storage + $0.orthogonalGram.storage })
        var bytes = magic
        append(formatVersion >= 2 ? version : 1, to: &bytes)
        append(UInt64(payload.count), to: &bytes)
        bytes += payload
        append(SnapshotHash.of(bytes: bytes), to: &bytes)
        return bytes
    }

    /// Decodes a checkpoint. `studentWidth` and `teacherWidth` come from the fingerprint itself.
    public static func decode(_ bytes: [UInt8]) throws(CheckpointError) -> SGDSnapshot {
        let headerSize = magic.count + 4 + 8
        guard bytes.count >= headerSize + 8 else { throw .malformed("\(bytes.count) bytes is shorter than the smallest checkpoint") }
        guard Array(bytes[0..<magic.count]) == magic else { throw .malformed("the file does not start with the checkpoint magic") }
        let found = readUInt32(bytes, at: magic.count)
        guard readableVersions.contains(found) else { throw .unsupportedVersion(found: found, supported: version) }
        let length = readUInt64(bytes, at: magic.count + 4)
        guard length == UInt64(bytes.count - headerSize - 8) else {
            throw .malformed("the payload length field says \(length) bytes but the file holds \(bytes.count - headerSize - 8)")
        }
        let stored = readUInt64(bytes, at: bytes.count - 8)
        guard SnapshotHash.of(bytes: bytes[0..<(bytes.count - 8)]) == stored else {
            throw .malformed("checksum mismatch (the file is corrupt or truncated)")
        }
        var reader = FieldReader(bytes: bytes, position: headerSize, end: bytes.count - 8)
        let text = try reader.text()
        var fingerprint = [SGDConfiguration.FingerprintEntry]()
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            guard let equals = line.firstIndex(of: "=") else { throw .malformed("fingerprint line without '='") }
            fingerprint.append(.init(key: String(line[..<equals]), value: String(line[line.index(after: equals)...])))
        }
        guard text.isEmpty || text.hasSuffix("\n") else { throw .malformed("the fingerprint does not end with a newline") }
        let blasKernel = found >= 2 ? try parseKernel(try reader.text()) : nil
        func integer(_ key: String) throws(CheckpointError) -> Int {
            guard let entry = fingerprint.first(where: { $0.key == key }), let value = Int(entry.value), value >= 1, value <= 1 << 40 else {
                throw .malformed("the fingerprint has no valid \(key)")
            }
            return value
        }
        let rs = try integer("rs"), r = try integer("r"), d = try integer("d"), steps = try integer("steps")
        let stepWords = try reader.words()
        guard stepWords.count == 1, stepWords[0] <= UInt64(steps) else { throw .malformed("the step field is not one step in [0, \(steps)]") }
        let weights = try reader.reals()
        // The fingerprint's sizes are untrusted: every product is overflow-checked.
        func product(_ a: Int, _ b: Int) throws(CheckpointError) -> Int {
            let (value, overflow) = a.multipliedReportingOverflow(by: b)
            guard !overflow else { throw .malformed("the fingerprint's sizes overflow") }
            return value
        }
        guard weights.count == (try product(rs, d)) else { throw .malformed("\(weights.count) weights; expected r_s·d = \(rs)·\(d)") }
        guard weights.allSatisfy(\.isFinite) else { throw .malformed("the weights contain NaN or infinite values") }
        let generatorWords = try reader.words()
        guard generatorWords.count % 4 == 0, !generatorWords.isEmpty else { throw .malformed("the batch generator field is not 4 words per block") }
        let batchGenerators = try (0..<(generatorWords.count / 4)).map { (block) throws(CheckpointError) -> Xoshiro256StarStar in
            let w = generatorWords[(4 * block)..<(4 * block + 4)].map { $0 }
            guard let g = Xoshiro256StarStar(state: (w[0], w[1], w[2], w[3])) else { throw .malformed("a batch generator has the all-zero state") }
            return g
        }
        let noiseWords = try reader.words()
        guard noiseWords.count == 4, let noise = Xoshiro256StarStar(state: (noiseWords[0], noiseWords[1], noiseWords[2], noiseWords[3])) else {
            throw .malformed("the noise generator field is not a valid generator state")
        }
        let recordedWords = try reader.words()
        let recordedSteps = recordedWords.map { Int(truncatingIfNeeded: $0) }
        guard recordedWords.allSatisfy({ $0 <= stepWords[0] }), zip(recordedSteps, recordedSteps.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw .malformed("the recorded steps are not increasing steps ≤ the current step")
        }
        let stateValues = try reader.reals()
        let (perState, perStateOverflow) = (try product(rs, r)).addingReportingOverflow(try product(rs, rs))
        guard !perStateOverflow, stateValues.count == (try product(perState, recordedSteps.count)) else {
            throw .malformed("\(stateValues.count) recorded state values; expected \(perState) per recorded step × \(recordedSteps.count)")
        }
        guard reader.position == reader.end else { throw .malformed("\(reader.end - reader.position) unexpected bytes after the last field") }
        var states = [OverlapState]()
        for index in recordedSteps.indices {
            let base = index * perState
            do {
                let m = try Matrix(rows: rs, columns: r, storage: Array(stateValues[base..<(base + rs * r)]))
                let p = try Matrix(rows: rs, columns: rs, storage: Array(stateValues[(base + rs * r)..<(base + perState)]))
                // Written from an OverlapState, whose P is exactly symmetric.
                for i in 0..<rs { for j in 0..<i where p[i, j].bitPattern != p[j, i].bitPattern {
                    throw CheckpointError.malformed("recorded state \(index) has a P that is not exactly symmetric")
                } }
                states.append(try OverlapState(overlap: m, orthogonalGram: p))
            } catch let error as CheckpointError {
                throw error
            } catch {
                throw .malformed("recorded state \(index) is invalid: \(error)")
            }
        }
        return SGDSnapshot(fingerprint: fingerprint, step: Int(stepWords[0]), weights: weights, batchGenerators: batchGenerators,
                           noiseGenerator: noise, recordedSteps: recordedSteps, recordedStates: states, blasKernel: blasKernel)
    }

    /// `core=<name>\nconfig=<configuration>\n` (line breaks inside the values become spaces).
    static func kernelText(_ kernel: SGDSnapshot.BLASKernel) -> String {
        func clean(_ value: String) -> String { value.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\r", with: " ") }
        return "core=\(clean(kernel.core))\nconfig=\(clean(kernel.configuration))\n"
    }

    /// The kernel field of a version-2 payload: empty for an unknown kernel, else a `core` and a `config` line.
    static func parseKernel(_ text: String) throws(CheckpointError) -> SGDSnapshot.BLASKernel? {
        if text.isEmpty { return nil }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count == 3, lines[2].isEmpty, lines[0].hasPrefix("core="), lines[1].hasPrefix("config=") else {
            throw .malformed("the BLAS kernel field is not a core= and a config= line")
        }
        return SGDSnapshot.BLASKernel(core: String(lines[0].dropFirst(5)), configuration: String(lines[1].dropFirst(7)))
    }

    /// Refuses a snapshot whose fingerprint differs from `current`, naming the first differing key.
    public static func check(_ snapshot: SGDSnapshot, against current: [SGDConfiguration.FingerprintEntry]) throws(CheckpointError) {
        let stored = Dictionary(snapshot.fingerprint.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
        for entry in current where stored[entry.key] != entry.value {
            throw .configurationMismatch(key: entry.key, checkpoint: stored[entry.key] ?? "absent", current: entry.value)
        }
        let known = Set(current.map(\.key))
        if let extra = snapshot.fingerprint.first(where: { !known.contains($0.key) }) {
            throw .configurationMismatch(key: extra.key, checkpoint: extra.value, current: "absent")
        }
    }

    static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        var v = value
        for _ in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: v)); v >>= 8 }
    }

    static func append(_ value: UInt32, to bytes: inout [UInt8]) {
        var v = value
        for _ in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: v)); v >>= 8 }
    }

    static func readUInt64(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        var value: UInt64 = 0
        for index in (0..<8).reversed() { value = (value << 8) | UInt64(bytes[offset + index]) }
        return value
    }

    static func readUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        var value: UInt32 = 0
        for index in (0..<4).reversed() { value = (value << 8) | UInt32(bytes[offset + index]) }
        return value
    }

    /// Reads the tagged fields of the payload, bounds-checked.
    struct FieldReader {
        let bytes: [UInt8]
        var position: Int
        let end: Int

        mutating func header(tag: UInt8, itemSize: Int) throws(CheckpointError) -> Int {
            guard end - position >= 9 else { throw .malformed("truncated field header at byte \(position)") }
            guard bytes[position] == tag else { throw .malformed("field at byte \(position) has tag \(bytes[position]); expected \(tag)") }
            let count = SGDCheckpointFormat.readUInt64(bytes, at: position + 1)
            position += 9
            guard count <= UInt64((end - position) / itemSize) else {
                throw .malformed("a field claims \(count) items but only \(end - position) bytes remain")
            }
            return Int(count)
        }

        mutating func text() throws(CheckpointError) -> String {
            let count = try header(tag: 1, itemSize: 1)
            defer { position += count }
            guard let text = String(validating: bytes[position..<(position + count)], as: UTF8.self) else {
                throw .malformed("the fingerprint is not valid UTF-8")
            }
            return text
        }

        mutating func words() throws(CheckpointError) -> [UInt64] {
            let count = try header(tag: 2, itemSize: 8)
            defer { position += 8 * count }
            return (0..<count).map { SGDCheckpointFormat.readUInt64(bytes, at: position + 8 * $0) }
        }

        mutating func reals() throws(CheckpointError) -> [Double] {
            let count = try header(tag: 3, itemSize: 8)
            defer { position += 8 * count }
            return (0..<count).map { Double(bitPattern: SGDCheckpointFormat.readUInt64(bytes, at: position + 8 * $0)) }
        }
    }
}
