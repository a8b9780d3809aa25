import Foundation
import Riccati
import Testing

/// Every output records the configuration, the seed, the project version and the BLAS library:
/// JSON `config`, the CSV header comment and the `--npy-dir` sidecar, for every command.
@Suite("Provenance in every output")
struct ProvenanceTests {
    static let commands: [[String]] = [
        ["integrate", "--r", "4", "--rs", "2", "--d", "50", "--t-end", "5"],
        ["monotonicity", "--r", "2", "--rs", "2", "--d", "16", "--t-end", "0.5"],
        ["sgd", "--d", "32", "--r", "3", "--rs", "2", "--batch", "16", "--steps", "5", "--save-count", "2"],
        ["compare", "--d", "32", "--r", "3", "--rs", "2", "--batch", "16", "--steps", "5", "--save-count", "2"],
        ["scaling", "predict", "--r", "4", "--rs", "2", "--d", "64"],
        ["scaling", "sweep", "--alphas", "1", "--r", "4", "--widths", "2", "--dims", "32", "--seeds", "0,1", "--t-end", "2", "--save-count", "3"],
        ["scaling", "compute", "--d", "16", "--r", "4", "--widths", "1,2", "--batch", "8", "--lr", "0.02", "--t-end", "0.2", "--save-count", "3", "--grid-count", "5"],
    ]

    @Test("JSON config, CSV header and npy sidecar carry seed, version and BLAS", arguments: commands)
    func provenance(_ command: [String]) throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let json = try runRiccati(command + ["--format", "json", "--npy-dir", folder.path])
        #expect(json.status == 0, "\(json.standardError)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        let config = try #require(object["config"] as? [String: Any])
        #expect(config["riccatikitVersion"] as? String == RiccatiKitVersion.current)
        #expect((config["blas"] as? String)?.contains("OpenBLAS") == true)
        #expect(config["blasThreads"] as? Int != nil && config["blasCore"] as? String != nil)
        #expect(config.keys.contains("seed"))
        let sidecar = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("config.json"))) as? [String: Any])
        #expect(sidecar["riccatikitVersion"] as? String == RiccatiKitVersion.current && sidecar.keys.contains("seed"))
        let csv = try runRiccati(command + ["--format", "csv"])
        #expect(csv.status == 0)
        let header = try #require(csv.standardOutput.split(separator: "\n").first)
        #expect(header.hasPrefix("# riccati ") && header.contains("riccatikitVersion=") && header.contains("blas=") && header.contains("seed="))
        // Negative control: the fields are looked up by name, so a missing one is noticed.
        #expect(config["noSuchProvenanceField"] == nil)
    }

    @Test("seeded commands record the seed they used")
    func seedRecorded() throws {
        let run = try runRiccati(["sgd", "--d", "32", "--r", "3", "--rs", "2", "--batch", "16", "--steps", "5", "--seed", "77", "--format", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any])
        #expect((object["config"] as? [String: Any])?["seed"] as? String == "77")
    }
}
