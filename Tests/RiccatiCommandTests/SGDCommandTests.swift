import Foundation
import Testing

@Suite struct SGDCommandTests {
    @Test func sgdJSONHasTheDocumentedKeysAndNoProgressWhenPiped() throws {
        let run = try runRiccati(["sgd", "--d", "64", "--r", "4", "--rs", "3", "--batch", "128", "--lr", "0.01", "--steps", "100",
                                  "--save-count", "5", "--format", "json"])
        #expect(run.status == 0, "stderr: \(run.standardError)")
        #expect(run.standardError.isEmpty, "no progress line may reach a pipe: \(run.standardError)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any])
        for key in ["times", "steps", "risk", "alignment", "stats"] { #expect(object[key] != nil, "missing \(key)") }
        let steps = try #require(object["steps"] as? [Int])
        let times = try #require(object["times"] as? [Double])
        #expect(steps == [0, 20, 40, 60, 80, 100])
        #expect(abs(times[5] - 1.0) < 1e-12)
        // Log spacing and explicit times.
        let logRun = try runRiccati(["sgd", "--d", "64", "--r", "4", "--rs", "3", "--batch", "128", "--lr", "0.01", "--steps", "1000",
                                     "--save-count", "5", "--save-spacing", "log", "--format", "json"])
        let logSteps = try #require((try JSONSerialization.jsonObject(with: Data(logRun.standardOutput.utf8)) as? [String: Any])?["steps"] as? [Int])
        // T = 10: times 1e-3, 1e-2, 0.1, 1, 10 → steps 0 (merged with t = 0), 1, 10, 100, 1000.
        #expect(logSteps == [0, 1, 10, 100, 1000])
        let atRun = try runRiccati(["sgd", "--d", "64", "--r", "4", "--rs", "3", "--batch", "128", "--lr", "0.01", "--steps", "100",
                                    "--save-at", "0.5,0.75", "--format", "json"])
        let atSteps = try #require((try JSONSerialization.jsonObject(with: Data(atRun.standardOutput.utf8)) as? [String: Any])?["steps"] as? [Int])
        #expect(atSteps == [0, 50, 75, 100])
        let stats = try #require(object["stats"] as? [String: Any])
        for key in ["stepsPerSecond", "gemmGflops", "rngNanosPerSample", "seconds"] { #expect((stats[key] as? Double ?? 0) > 0, "stats \(key)") }
    }

    @Test func compareReportsDeviationsAndASweep() throws {
        let run = try runRiccati(["compare", "--d", "64", "--r", "4", "--rs", "3", "--batch", "256", "--lr", "0.01", "--t-end", "3",
                                  "--save-count", "6", "--lr-sweep", "0.02,0.005", "--seeds", "2", "--format", "json"])
        #expect(run.status == 0, "stderr: \(run.standardError)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any])
        for key in ["times", "riskSGD", "riskODE", "relativeDeviation", "maxRelativeDeviation", "overlapDeviation", "sweep"] {
            #expect(object[key] != nil, "missing \(key)")
        }
        let deviations = try #require(object["relativeDeviation"] as? [Double])
        #expect(abs(deviations.max()! - (object["maxRelativeDeviation"] as? Double ?? -1)) < 1e-15)
        #expect(deviations[0] < 1e-12)   // identical initial state
        let sweep = try #require(object["sweep"] as? [[String: Any]])
        #expect(sweep.count == 2)
        #expect(sweep.allSatisfy { ($0["seeds"] as? [String])?.count == 2 && ($0["meanMaxRelativeDeviation"] as? Double ?? -1) > 0 })
    }

    @Test func divergenceExitsWithOneAndNamesTheStep() throws {
        let run = try runRiccati(["sgd", "--d", "64", "--r", "4", "--rs", "3", "--batch", "16", "--lr", "5", "--steps", "200"])
        #expect(run.status == 1, "exit \(run.status): \(run.standardError)")
        #expect(run.standardError.contains("diverged at step"))
        #expect(run.standardError.contains("η·d/B"))
    }

    @Test func badInputExitsWithTwo() throws {
        let cases: [([String], String)] = [
            (["sgd", "--batch", "0"], "--batch"),
            (["sgd", "--lr", "-1"], "--lr"),
            (["sgd", "--lr", "nan"], "--lr"),
            (["sgd", "--steps", "10", "--t-end", "1"], "conflict"),
            (["sgd", "--d", "4", "--r", "8"], "--r"),
            (["sgd", "--rs", "0"], "--rs"),
            (["sgd", "--sigma0", "0"], "--sigma0"),
            (["sgd", "--noise", "-1"], "--noise"),
            (["sgd", "--init-w", "/nonexistent.npy"], "nonexistent"),
            (["sgd", "--precision", "half"], "precision"),
            (["compare", "--jobs", "2"], "--jobs"),                    // --jobs without --seeds
            (["compare", "--seeds", "0"], "--seeds"),
            (["compare", "--lr-sweep", "0.1,-2"], "--lr-sweep"),
        ]
        for (arguments, fragment) in cases {
            let run = try runRiccati(arguments)
            #expect(run.status == 2, "\(arguments): exit \(run.status) \(run.standardError)")
            #expect(run.standardError.contains(fragment), "\(arguments): \(run.standardError)")
        }
    }
}
