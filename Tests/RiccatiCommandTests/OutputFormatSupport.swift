import Foundation
import LinearAlgebra
import NumPyFormat
import Testing
#if canImport(FoundationXML)
import FoundationXML
#endif

// `--npy-dir` and `--plot` of `integrate`, `monotonicity`, `sgd` and `compare`: the arrays agree
// with the JSON report number for number, the figures are well-formed SVG with one polyline run
// per series, bad destinations are refused before any work, and neither flag changes the report.

// The reports are decoded with JSONDecoder, which reads every number exactly; JSONSerialization
// (swift-corelibs-foundation) turns some into NSDecimalNumber, whose doubleValue can be 1 ulp off.

struct IntegrateJSON: Decodable {
    var times: [Double], risk: [Double], alignment: [[Double?]], learned: [Int], escapeTimes: [Double?]
    var riskFloor: Double, studentGramSpectrum: [[Double]]
}

struct SGDJSON: Decodable {
    var times: [Double], steps: [Int], risk: [Double], alignment: [[Double?]]
}

struct CompareJSON: Decodable {
    struct SweepPoint: Decodable { var lr: Double, maxRelativeDeviations: [Double] }
    var times: [Double], riskSGD: [Double], riskODE: [Double], relativeDeviation: [Double], overlapDeviation: [Double]
    var sweep: [SweepPoint]?
}

struct MonotonicityJSON: Decodable {
    struct Method: Decodable { var relation: [String], margin: [Double] }
    var times: [Double], relation: [String], methods: [String: Method]
}

func decode<Report: Decodable>(_ type: Report.Type, _ run: CommandRun) throws -> Report {
    try JSONDecoder().decode(type, from: Data(run.standardOutput.utf8))
}

/// The parsed JSON report, for comparisons of whole documents (both sides parsed alike).
func jsonReport(_ run: CommandRun) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any])
}

/// Bitwise equality (NaN equals NaN) with a readable failure.
func expectBitwiseEqual(_ a: [Double], _ b: [Double], _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(a.count == b.count, "\(what): \(a.count) against \(b.count) values", sourceLocation: sourceLocation)
    let mismatch = zip(a, b).enumerated().first { $0.element.0.bitPattern != $0.element.1.bitPattern }
    #expect(mismatch == nil, "\(what): index \(mismatch?.offset ?? -1): \(mismatch?.element.0 ?? 0) ≠ \(mismatch?.element.1 ?? 0)",
            sourceLocation: sourceLocation)
}

func load(_ folder: URL, _ name: String, shape: [Int], sourceLocation: SourceLocation = #_sourceLocation) throws -> [Double] {
    let array = try NPY.read(contentsOf: folder.appendingPathComponent(name + ".npy").path)
    #expect(array.shape == shape, "\(name).npy has shape \(array.shape), expected \(shape)", sourceLocation: sourceLocation)
    return array.values
}

/// `values[(k, i, j)]` of a `T×n×n` stack as the `n×n` slice `k`.
func slice(_ values: [Double], _ k: Int, rows: Int, columns: Int) -> [Double] {
    Array(values[(k * rows * columns)..<((k + 1) * rows * columns)])
}

/// `config.json` must be the report's `config` object plus the manifest (`run_id`, `files`).
func expectConfigSidecar(_ folder: URL, _ report: [String: Any], sourceLocation: SourceLocation = #_sourceLocation) throws {
    var sidecar = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("config.json"))) as? [String: Any])
    #expect(sidecar.removeValue(forKey: "run_id") is String && sidecar.removeValue(forKey: "files") is [String: Any],
            "config.json has no manifest", sourceLocation: sourceLocation)
    let expected = try #require(report["config"] as? NSDictionary)
    #expect(NSDictionary(dictionary: sidecar) == expected, "config.json differs from the report's config", sourceLocation: sourceLocation)
}

/// Every file below `folder`, recursively.
func allFiles(_ folder: URL) -> [String] {
    (FileManager.default.enumerator(atPath: folder.path)?.allObjects as? [String]) ?? []
}

// Small, fast configurations.
let sgdFlags = ["--d", "64", "--r", "4", "--rs", "2", "--batch", "128", "--steps", "200", "--save-count", "5"]

/// λ with a zero entry (alignment and escape time undefined there), for `integrate`.
func lambdasWithAZero() throws -> URL {
    let url = try temporaryFolder().appendingPathComponent("lambda.npy")
    try writeNPY([4], [1, 0.5, 0.25, 0], to: url)
    return url
}
