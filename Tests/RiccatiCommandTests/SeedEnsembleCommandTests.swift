import Foundation
import NumPyFormat
import Reports
import Riccati
import SGD
import Testing

/// `riccati compare --seeds N` without `--lr-sweep`: the seed ensemble end to end.
@Suite("compare --seeds N: the seed ensemble through the tool")
struct SeedEnsembleCommandTests {
    static let flags = ["--d", "64", "--r", "4", "--rs", "3", "--batch", "32", "--lr", "0.01", "--steps", "100", "--save-count", "5"]

    struct EnsembleJSON: Decodable {
        var times, riskSGDMean, riskODE, riskSGDAware: [Double]
        var riskSGDStandardError, relativeDeviationODE, relativeDeviationSGDAware: [Double?]
        var standardErrorsODE, standardErrorsSGDAware: [Double?]
        var seeds: [String]
        var sgdAwareStatus: String
        struct Config: Decodable { var seeds, seedsCompleted: Int; var etaDOverB: Double; var status: String }
        var config: Config
    }

    struct SGDJSON: Decodable { var risk: [Double] }

    @Test("JSON keys, and riskSGDMean is the mean of `riccati sgd` runs of seeds 0…3 from seed 0's W0 (seeds 1…4: another mean)")
    func meanOfSeparateRuns() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try runRiccati(["compare", "--seeds", "4"] + Self.flags + ["--format", "json"])
        #expect(run.status == 0 && run.standardError.isEmpty, "\(run.standardError)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any])
        for key in ["times", "riskSGDMean", "riskSGDStandardError", "riskODE", "riskSGDAware", "relativeDeviationODE",
                    "relativeDeviationSGDAware", "standardErrorsODE", "standardErrorsSGDAware", "deviationSummary", "sgdAwareStatus",
                    "sgdAwareMessage", "seeds", "stats", "config"] {
            #expect(object[key] != nil, "missing \(key)")
        }
        #expect(object["riskSGD"] == nil && object["relativeDeviation"] == nil)
        let report = try JSONDecoder().decode(EnsembleJSON.self, from: Data(run.standardOutput.utf8))
        #expect(report.seeds == ["0", "1", "2", "3"] && report.config.seeds == 4 && report.config.seedsCompleted == 4)
        #expect(report.config.status == "completed" && report.sgdAwareStatus == "success")
        #expect(abs(report.config.etaDOverB - 0.02) < 1e-15)
        // Seed 0's W0 (σ0 = 0.3, the tool's default) written for --init-w.
        var configuration = SGDConfiguration(spectrum: try .powerLaw(exponent: 1, count: 4), dimension: 64, studentWidth: 3,
                                             batchSize: 32, learningRate: 0.01, steps: 100)
        configuration.sigma0 = 0.3
        let w0 = folder.appendingPathComponent("w0.npy").path
        try NPY.write(try NPYArray(shape: [3, 64], values: configuration.startingWeights()), to: w0)
        func separateMean(seeds: [Int]) throws -> [Double] {
            var sum = [Double](repeating: 0, count: report.times.count)
            for seed in seeds {
                let single = try runRiccati(["sgd", "--seed", "\(seed)", "--init-w", w0] + Self.flags + ["--format", "json"])
                #expect(single.status == 0, "\(single.standardError)")
                let risk = try JSONDecoder().decode(SGDJSON.self, from: Data(single.standardOutput.utf8)).risk
                for k in sum.indices { sum[k] += risk[k] }
            }
            return sum.map { $0 / Double(seeds.count) }
        }
        #expect(try separateMean(seeds: [0, 1, 2, 3]) == report.riskSGDMean)
        // Negative control: a seed offset by one.
        #expect(try separateMean(seeds: [1, 2, 3, 4]) != report.riskSGDMean)
        // The same ensemble from the W0 file: the same numbers.
        let fromFile = try runRiccati(["compare", "--seeds", "4", "--init-w", w0] + Self.flags + ["--format", "json"])
        #expect(try JSONDecoder().decode(EnsembleJSON.self, from: Data(fromFile.standardOutput.utf8)).riskSGDMean == report.riskSGDMean)
    }

    @Test("--jobs 1 and --jobs 2 print the same CSV and table; --seeds 2 another")
    func jobsDoNotChangeTheOutput() throws {
        for format in ["csv", "table"] {
            let one = try runRiccati(["compare", "--seeds", "3", "--jobs", "1", "--format", format] + Self.flags)
            let two = try runRiccati(["compare", "--seeds", "3", "--jobs", "2", "--format", format] + Self.flags)
            #expect(one.status == 0 && two.status == 0, "\(one.standardError) \(two.standardError)")
            #expect(one.standardOutput == two.standardOutput)
            #expect(one.standardOutput.contains(format == "csv" ? "riskSGDStandardError" : "mean R_SGD"))
            let fewer = try runRiccati(["compare", "--seeds", "2", "--format", format] + Self.flags)
            #expect(fewer.standardOutput != one.standardOutput)
        }
    }

    @Test("--npy-dir holds the ensemble's series, --plot draws it")
    func arraysAndPlot() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try runRiccati(["compare", "--seeds", "3"] + Self.flags + ["--npy-dir", folder.path, "--plot", folder.appendingPathComponent("p.svg").path,
                                                                                "--format", "json"])
        #expect(run.status == 0, "\(run.standardError)")
        let arrays = try ArrayFiles.load(directory: folder.path)
        let report = try JSONDecoder().decode(EnsembleJSON.self, from: Data(run.standardOutput.utf8))
        let names = Set(arrays.keys)
        for name in ["times", "risk_sgd_mean", "risk_sgd_standard_error", "risk_ode", "risk_sgd_aware", "relative_deviation_ode",
                     "relative_deviation_sgd_aware", "standard_errors_ode", "standard_errors_sgd_aware", "risk_sgd_seeds"] {
            #expect(names.contains(name), "missing \(name).npy")
        }
        #expect(arrays["risk_sgd_mean"]?.values == report.riskSGDMean)
        #expect(arrays["risk_sgd_seeds"]?.shape == [3, 6])
        let svg = try String(contentsOf: folder.appendingPathComponent("p.svg"), encoding: .utf8)
        for label in ["SGD mean", "± 2 SE", "gradient flow", "SGD-aware mean map"] { #expect(svg.contains(label), "plot lacks \(label)") }
    }

    @Test("an ensemble stopped before its first run still reports (nulls) and draws the risk panel; one finished run adds the deviations")
    func stoppedBeforeTheFirstRun() throws {
        var configuration = SGDConfiguration(spectrum: try .powerLaw(exponent: 1, count: 4), dimension: 64, studentWidth: 3,
                                             batchSize: 32, learningRate: 0.01, steps: 100)
        configuration.saveSteps = [0, 50, 100]
        let description = SGDRunDescription(configuration: configuration, spectrum: .powerLaw(alpha: 1, normalized: true), precision: .double)
        let stopped = try SeedEnsembleComparison.run(SeedEnsemble(base: configuration, seeds: 3), precision: Double.self, shouldStop: { true })
        #expect(stopped.ensemble.seeds.isEmpty && !stopped.completed)
        let report = CompareReport(ensemble: stopped, run: description)
        #expect(report.text(.json).contains(#""riskSGDMean": [null, null, null]"#))
        #expect(report.text(.json).contains(#""seedsCompleted": 0"#))
        let svg = try report.plot()
        #expect(svg.contains("Population risk") && !svg.contains("Relative deviation"))
        // Control: with the runs finished the deviation panel is drawn.
        let finished = try SeedEnsembleComparison.run(SeedEnsemble(base: configuration, seeds: 3), precision: Double.self)
        #expect(try CompareReport(ensemble: finished, run: description).plot().contains("Relative deviation"))
    }
}
