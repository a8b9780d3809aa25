import Foundation
import Testing
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Runs an example program (built next to the test bundle) in its smoke configuration.
func runExample(_ name: String, folder: URL) throws -> CommandRun {
    try runProcess(try riccatiExecutable().deletingLastPathComponent().appendingPathComponent(name), [folder.path, "--smoke"])
}

/// The rows of a CSV file, after checking its header; `numeric` columns must parse as finite numbers.
func checkCSV(_ url: URL, header: [String], numeric: Set<String>) throws -> [[Substring]] {
    let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
    #expect(lines.first.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) } == header, "\(url.lastPathComponent)")
    let rows = lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
    #expect(!rows.isEmpty, "\(url.lastPathComponent) has no rows")
    for row in rows {
        #expect(row.count == header.count)
        for (name, cell) in zip(header, row) where numeric.contains(name) {
            #expect(Double(cell)?.isFinite == true, "\(url.lastPathComponent): \(name) = '\(cell)'")
        }
    }
    return rows
}

func parsesAsXML(_ url: URL) throws -> Bool { XMLParser(data: try Data(contentsOf: url)).parse() }

@Suite struct ExampleSmokeTests {
    @Test func figure3Monotonicity() throws {
        let folder = try temporaryFolder()
        let run = try runExample("Figure3Monotonicity", folder: folder)
        #expect(run.status == 0, "stderr: \(run.standardError)")
        _ = try checkCSV(folder.appendingPathComponent("ellipses.csv"), header: ["trajectory", "t", "x", "y"], numeric: ["t", "x", "y"])
        for file in ["entries.csv", "entries_sigma2.csv"] {
            _ = try checkCSV(folder.appendingPathComponent(file), header: ["t", "G_11", "G_22", "G_12"], numeric: ["t", "G_11", "G_22", "G_12"])
        }
        let verdicts = try checkCSV(folder.appendingPathComponent("verdicts.csv"),
                                    header: ["case", "method", "orderPreserved", "minMargin", "monotoneInTime", "firstViolationStart",
                                             "firstViolationEnd", "g22TurningTime"], numeric: [])
        #expect(verdicts.filter { $0[0].hasPrefix("comparison") }.allSatisfy { $0[2] == "true" })
        #expect(verdicts.last?[4] == "neither" && verdicts.last?[5] == "0.0")
        #expect(try parsesAsXML(folder.appendingPathComponent("figure3.svg")))
    }

    @Test func figure2RiskCurves() throws {
        let folder = try temporaryFolder()
        let run = try runExample("Figure2RiskCurves", folder: folder)
        #expect(run.status == 0, "stderr: \(run.standardError)")
        let rows = try checkCSV(folder.appendingPathComponent("risk_curves.csv"), header: ["alpha", "rs", "t", "risk", "riskAdditive", "floor"],
                                numeric: ["alpha", "rs", "t", "risk", "riskAdditive", "floor"])
        #expect(Set(rows.map { $0[0] }).count == 3)
        _ = try checkCSV(folder.appendingPathComponent("exponents.csv"),
                         header: ["alpha", "rs", "windowStart", "windowEnd", "fittedSlope", "additiveSlope", "asymptoticSlope"],
                         numeric: ["alpha", "rs", "asymptoticSlope"])
        #expect(try parsesAsXML(folder.appendingPathComponent("figure2.svg")))
    }

    @Test func figure1bComputeFrontier() throws {
        let folder = try temporaryFolder()
        let run = try runExample("Figure1bComputeFrontier", folder: folder)
        #expect(run.status == 0, "stderr: \(run.standardError)")
        let curves = try checkCSV(folder.appendingPathComponent("curves.csv"), header: ["rs", "step", "compute", "risk"],
                                  numeric: ["rs", "step", "compute", "risk"])
        #expect(Set(curves.map { $0[0] }) == ["2", "4", "8"])
        let frontier = try checkCSV(folder.appendingPathComponent("frontier.csv"), header: ["compute", "risk", "rs"], numeric: ["compute", "risk", "rs"])
        #expect(frontier.count == 30)
        #expect(try parsesAsXML(folder.appendingPathComponent("figure1b.svg")))
    }

    @Test func sgdMatchesODE() throws {
        let folder = try temporaryFolder()
        let run = try runExample("SGDMatchesODE", folder: folder)
        #expect(run.status == 0, "stderr: \(run.standardError)")
        _ = try checkCSV(folder.appendingPathComponent("trajectories.csv"), header: ["lr", "seed", "t", "riskSGD", "riskODE", "relativeDeviation"],
                         numeric: ["lr", "seed", "t", "riskSGD", "riskODE", "relativeDeviation"])
        let means = try checkCSV(folder.appendingPathComponent("deviations.csv"), header: ["lr", "meanMaxRelativeDeviation"],
                                 numeric: ["lr", "meanMaxRelativeDeviation"])
        #expect(means.count == 2)
        #expect(try parsesAsXML(folder.appendingPathComponent("sgd_vs_ode.svg")))
    }

    @Test func sgdAwareDynamics() throws {
        let folder = try temporaryFolder()
        let run = try runExample("SGDAwareDynamics", folder: folder)
        #expect(run.status == 0, "stderr: \(run.standardError)")
        let columns = ["t", "riskSGDMean", "riskSGDStandardError", "riskGradientFlow", "riskSGDAware"]
        let rows = try checkCSV(folder.appendingPathComponent("trajectories.csv"), header: ["regime"] + columns, numeric: Set(columns))
        #expect(Set(rows.map { $0[0] }) == ["small noise", "large noise", "label noise"])
        let summaryColumns = ["etaDOverB", "noise", "seeds", "meanRelativeDeviationGradientFlow", "meanRelativeDeviationSGDAware",
                              "maxStandardErrorsGradientFlow", "maxStandardErrorsSGDAware", "finalRiskSGDMean",
                              "finalRiskSGDStandardError", "finalRiskGradientFlow", "finalRiskSGDAware"]
        let summary = try checkCSV(folder.appendingPathComponent("summary.csv"), header: ["regime"] + summaryColumns, numeric: Set(summaryColumns))
        #expect(summary.count == 3)
        // The label-noise regime ends above the gradient flow (the floor), even at smoke size.
        let labelNoise = try #require(summary.first { $0[0] == "label noise" })
        let aware = try #require(Double(labelNoise[11])), flow = try #require(Double(labelNoise[10]))
        #expect(aware > flow, "SGD-aware \(aware) against gradient flow \(flow)")
        #expect(try parsesAsXML(folder.appendingPathComponent("sgd_aware.svg")))
    }

    /// Arguments are parsed by swift-argument-parser: a missing folder, an unknown flag and two
    /// folders exit with 2 and one usage line; `--help` (the negative control) exits with 0.
    @Test(arguments: [[], ["--bogus", "OUT"], ["OUT", "OTHER"], ["OUT", "--smoke=yes"]])
    func badArgumentsExitWithTwo(_ arguments: [String]) throws {
        let example = try riccatiExecutable().deletingLastPathComponent().appendingPathComponent("Figure3Monotonicity")
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try runProcess(example, arguments, in: folder)
        #expect(run.status == 2, "exit \(run.status): \(run.standardError)")
        #expect(run.standardError.hasPrefix("usage: Figure3Monotonicity OUTPUT_DIR [--smoke]"), "\(run.standardError)")
        #expect(run.standardError.filter { $0 == "\n" }.count == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty, "nothing is created")
        let help = try runProcess(example, ["--help"], in: folder)
        #expect(help.status == 0 && help.standardOutput.contains("--smoke"))
    }
}
