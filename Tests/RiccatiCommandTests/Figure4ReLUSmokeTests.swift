import Foundation
import Testing

/// The Figure 4 example (ReLU, population gradient descent) in its smoke configuration: r = 32,
/// widths 8, 16, 32, both activations, three α. Helpers from ExampleSmokeTests.swift.
@Suite struct Figure4ReLUSmokeTests {
    @Test func figure4ReLU() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try runExample("Figure4ReLU", folder: folder)
        #expect(run.status == 0, "stderr: \(run.standardError)")
        let curveColumns = ["alpha", "rs", "eta", "step", "t", "compute", "risk", "he2"]
        let curves = try checkCSV(folder.appendingPathComponent("curves.csv"),
                                  header: ["activation", "alpha", "rs", "eta", "step", "t", "compute", "risk", "he0", "he1", "he2", "higher"],
                                  numeric: Set(curveColumns))
        #expect(Set(curves.map { $0[0] }) == ["relu", "he2"])
        #expect(Set(curves.map { $0[2] }) == ["8", "16", "32"])
        // ReLU rows carry the whole split, and its parts add up to the risk.
        for row in curves where row[0] == "relu" {
            let values = row[7...].map { Double($0) ?? .nan }
            #expect(values.allSatisfy { $0.isFinite && $0 >= 0 }, "\(row)")
            #expect(abs(values[1] + values[2] + values[3] + values[4] - values[0]) <= 1e-9 * max(values[0], 1e-300) + 1e-15, "\(row)")
        }
        let frontier = try checkCSV(folder.appendingPathComponent("frontier.csv"), header: ["activation", "alpha", "compute", "risk", "rs"],
                                    numeric: ["alpha", "compute", "risk", "rs"])
        #expect(frontier.count == 6 * 60)
        let slopes = try checkCSV(folder.appendingPathComponent("slopes.csv"),
                                  header: ["alpha", "activation", "eta", "rs", "windowStart", "windowEnd", "fittedSlope", "sequentialSlope",
                                           "frontierSlope", "referenceSlope", "frontierReferenceSlope"],
                                  numeric: ["alpha", "eta", "rs", "windowStart", "windowEnd", "fittedSlope", "sequentialSlope", "frontierSlope",
                                            "referenceSlope", "frontierReferenceSlope"])
        #expect(slopes.count == 6)
        // Even at smoke size every fitted slope is a decay.
        #expect(slopes.allSatisfy { row in [6, 7, 8].allSatisfy { (Double(row[$0]) ?? 0) < 0 } }, "\(slopes)")
        _ = try checkCSV(folder.appendingPathComponent("degrees.csv"), header: ["alpha", "rs", "t", "compute", "risk", "he0", "he1", "he2", "higher"],
                         numeric: ["alpha", "rs", "t", "compute", "risk", "he0", "he1", "he2", "higher"])
        for file in ["figure4.svg", "figure4_he2.svg", "figure4_degrees.svg"] {
            #expect(try parsesAsXML(folder.appendingPathComponent(file)), "\(file)")
        }
    }
}
