import Foundation
import Testing
@testable import NumPyFormat

/// Deterministic generator (SplitMix64) so fuzz tests are reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

let magicBytes: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]
let badSource = "bad.npy"

/// Little-endian bytes of the given doubles.
func littleEndianBytes(_ values: [Double]) -> [UInt8] {
    values.flatMap { value in (0..<8).map { UInt8(truncatingIfNeeded: value.bitPattern >> (8 * UInt64($0))) } }
}

/// Six values 0...5 as the data of a (2, 3) array.
let sixValues = littleEndianBytes([0, 1, 2, 3, 4, 5])

/// A header dict as NumPy writes it, with replaceable parts.
func dict(descr: String = "'<f8'", fortran: String = "False", shape: String = "(2, 3)") -> String {
    "{'descr': \(descr), 'fortran_order': \(fortran), 'shape': \(shape), }"
}

/// Assembles a .npy file from raw header bytes (without the terminating newline).
func npy(
    headerBytes: [UInt8], major: UInt8 = 1, minor: UInt8 = 0, payload: [UInt8] = sixValues,
    pad: Bool = true, newline: Bool = true
) -> [UInt8] {
    let lengthSize = major >= 2 ? 4 : 2
    var header = headerBytes
    if pad {
        let unpadded = 8 + lengthSize + header.count + (newline ? 1 : 0)
        header += [UInt8](repeating: 0x20, count: (64 - unpadded % 64) % 64)
    }
    if newline { header.append(0x0A) }
    var out = magicBytes + [major, minor]
    for i in 0..<lengthSize { out.append(UInt8(truncatingIfNeeded: header.count >> (8 * i))) }
    return out + header + payload
}

func npy(
    _ header: String, major: UInt8 = 1, minor: UInt8 = 0, payload: [UInt8] = sixValues,
    pad: Bool = true, newline: Bool = true
) -> [UInt8] {
    npy(headerBytes: Array(header.utf8), major: major, minor: minor, payload: payload, pad: pad, newline: newline)
}

/// The error `decode` throws, or nil if it succeeds.
func decodeError(_ bytes: [UInt8], source: String = badSource) -> NPYError? {
    do {
        _ = try NPY.decode(bytes, source: source)
        return nil
    } catch {
        return error
    }
}

func bits(_ values: [Double]) -> [UInt64] { values.map(\.bitPattern) }

/// Special float64 bit patterns that must survive a round trip unchanged.
let specialValues: [Double] = [
    0.0, -0.0, 1.0, -1.0, .pi, 0.1,
    Double.leastNonzeroMagnitude, -Double.leastNonzeroMagnitude,       // smallest subnormals
    Double.leastNormalMagnitude.nextDown, Double(bitPattern: 0x0008_0000_0000_0001),  // subnormals
    Double.leastNormalMagnitude, Double.greatestFiniteMagnitude, -Double.greatestFiniteMagnitude,
    .infinity, -.infinity,
    Double(bitPattern: 0x7FF8_0000_0000_0000),  // quiet NaN
    Double(bitPattern: 0xFFF8_0000_0000_0000),  // negative quiet NaN
    Double(bitPattern: 0x7FF0_0000_0000_0001),  // signalling NaN
    Double(bitPattern: 0x7FF4_DEAD_BEEF_0001),  // NaN with payload
    Double(bitPattern: 0xFFFF_FFFF_FFFF_FFFF),  // all-ones NaN
]

/// Random values mixing ordinary numbers, random bit patterns and special values.
func randomValues(count: Int, generator: inout SplitMix64) -> [Double] {
    (0..<count).map { _ in
        switch generator.next() % 4 {
        case 0: return specialValues[Int(generator.next() % UInt64(specialValues.count))]
        case 1: return Double(bitPattern: generator.next())
        default: return Double.random(in: -1e6...1e6, using: &generator)
        }
    }
}

/// Creates a fresh directory, runs `body` with its path and removes it afterwards.
func withTemporaryDirectory<T>(_ body: (String) throws -> T) throws -> T {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("npy-tests-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    defer {
        _ = chmod(path, 0o755)
        try? FileManager.default.removeItem(atPath: path)
    }
    return try body(path)
}

func fileBytes(_ path: String) -> [UInt8]? {
    FileManager.default.contents(atPath: path).map { [UInt8]($0) }
}

func listing(_ directory: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
}
