import Foundation
import Testing

/// `riccati sgd` and `riccati compare` with `--activation` (issue 17).
@Suite struct ActivationSGDCommandTests {
    static let small = ["--d", "64", "--r", "4", "--rs", "3", "--batch", "128", "--lr", "0.01"]

    static func json(_ run: CommandRun) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any])
    }

    @Test func sgdWithReLUReportsItsActivationAndFiniteRisks() throws {
        let run = try runRiccati(["sgd"] + Self.small + ["--steps", "100", "--save-count", "5", "--activation", "relu", "--format", "json"])
        #expect(run.status == 0, "stderr: \(run.standardError)")
        let object = try Self.json(run)
        let config = try #require(object["config"] as? [String: Any])
        #expect(config["activation"] as? String == "relu")
        #expect(config["hermiteCoefficients"] == nil)
        let risk = try #require(object["risk"] as? [Double])
        #expect(risk.count == 6 && risk.allSatisfy { $0.isFinite && $0 > 0 })
        // Negative control: the default run is another model, with other risks.
        let quadratic = try Self.json(try runRiccati(["sgd"] + Self.small + ["--steps", "100", "--save-count", "5", "--format", "json"]))
        #expect((quadratic["config"] as? [String: Any])?["activation"] as? String == "he2")
        let quadraticRisk = try #require(quadratic["risk"] as? [Double])
        #expect(abs(quadraticRisk[0] - risk[0]) / risk[0] > 0.1, "relu \(risk[0]) against he2 \(quadraticRisk[0])")
        // A Hermite list names its coefficients, in the CSV header too.
        let hermite = try runRiccati(["sgd"] + Self.small + ["--steps", "20", "--activation", "hermite", "--hermite-coefficients", "0.1,1,0.5",
                                                              "--format", "csv"])
        #expect(hermite.status == 0, "stderr: \(hermite.standardError)")
        let header = hermite.standardOutput.split(separator: "\n").first.map(String.init) ?? ""
        #expect(header.contains("activation=\"hermite\"") && header.contains("hermiteCoefficients=[0.1,1.0,0.5]"), "\(header)")
    }

    @Test func compareWithReLUPredictsWithTheReLUFlow() throws {
        let run = try runRiccati(["compare"] + Self.small + ["--t-end", "2", "--save-count", "4", "--activation", "relu", "--format", "json"])
        #expect(run.status == 0, "stderr: \(run.standardError)")
        let object = try Self.json(run)
        #expect((object["config"] as? [String: Any])?["activation"] as? String == "relu")
        let ode = try #require(object["riskODE"] as? [Double]), sgd = try #require(object["riskSGD"] as? [Double])
        let deviation = try #require(object["relativeDeviation"] as? [Double])
        #expect(ode.count == 5 && ode.allSatisfy { $0.isFinite && $0 > 0 })
        #expect(deviation[0] < 1e-12, "same initial state: \(ode[0]) vs \(sgd[0])")
        #expect((deviation.max() ?? 1) < 0.1, "relu SGD against the relu flow: \(deviation)")
        // The seed ensemble: the gradient flow only, the SGD-aware prediction absent.
        let ensemble = try runRiccati(["compare"] + Self.small + ["--t-end", "2", "--save-count", "4", "--activation", "relu", "--seeds", "3",
                                                                  "--format", "json"])
        #expect(ensemble.status == 0, "stderr: \(ensemble.standardError)")
        let members = try Self.json(ensemble)
        #expect(members["riskSGDAware"] == nil && members["sgdAwareStatus"] is NSNull)
        #expect((members["sgdAwareMessage"] as? String)?.contains("he2 only") == true)
        #expect((members["riskODE"] as? [Double])?.allSatisfy(\.isFinite) == true)
        #expect((members["riskSGDMean"] as? [Double])?.allSatisfy(\.isFinite) == true)
        // Control: the quadratic ensemble keeps its SGD-aware prediction.
        let quadratic = try Self.json(try runRiccati(["compare"] + Self.small + ["--t-end", "2", "--save-count", "4", "--seeds", "3",
                                                                                 "--format", "json"]))
        #expect((quadratic["riskSGDAware"] as? [Double])?.count == 5 && quadratic["sgdAwareStatus"] as? String == "success")
        // The learning-rate sweep.
        let sweep = try Self.json(try runRiccati(["compare"] + Self.small + ["--t-end", "2", "--save-count", "4", "--activation", "erf",
                                                                             "--lr-sweep", "0.02,0.005", "--format", "json"]))
        let points = try #require(sweep["sweep"] as? [[String: Any]])
        #expect(points.count == 2 && points.allSatisfy { ($0["meanMaxRelativeDeviation"] as? Double).map { $0.isFinite && $0 > 0 } == true })
    }

    /// He₂ given as the Hermite list `0,0,1` runs the quadratic model's step: the same bits.
    @Test func he2AsAHermiteListIsBitIdentical() throws {
        let arguments = Self.small + ["--t-end", "1", "--save-count", "4", "--format", "json"]
        let list = ["--activation", "hermite", "--hermite-coefficients", "0,0,1"]
        for command in ["sgd", "compare"] {
            let plain = try Self.json(try runRiccati([command] + arguments))
            let hermite = try Self.json(try runRiccati([command] + arguments + list))
            let keys = command == "sgd" ? ["risk", "alignment"] : ["riskSGD", "riskODE", "overlapDeviation"]
            for key in keys {
                let a = try #require(plain[key] as? NSArray), b = try #require(hermite[key] as? NSArray)
                #expect(a == b, "\(command) \(key)")
            }
            #expect((hermite["config"] as? [String: Any])?["hermiteCoefficients"] as? [Double] == [0, 0, 1])
            // Negative control: a slightly different list is another model.
            let other = try Self.json(try runRiccati([command] + arguments + ["--activation", "hermite", "--hermite-coefficients", "0,0.01,1"]))
            #expect(plain[keys[0]] as? NSArray != other[keys[0]] as? NSArray)
        }
    }

    /// A checkpoint of a ReLU run does not resume as the quadratic model (nor the reverse).
    @Test func checkpointKeepsTheActivation() throws {
        let folder = try temporaryFolder()
        let checkpoint = folder.appendingPathComponent("relu.ckpt").path
        let base = ["sgd", "--d", "16", "--r", "2", "--rs", "2", "--batch", "8", "--lr", "0.05", "--steps", "20"]
        let write = try runRiccati(base + ["--activation", "relu", "--checkpoint", checkpoint, "--checkpoint-every", "10"])
        #expect(write.status == 0, "stderr: \(write.standardError)")
        let wrong = try runRiccati(base + ["--resume", checkpoint])
        #expect(wrong.status == 2)
        #expect(wrong.standardError.contains("activation"), "\(wrong.standardError)")
        #expect(wrong.standardError.split(separator: "\n").count == 1)
        let right = try runRiccati(base + ["--activation", "relu", "--resume", checkpoint])
        #expect(right.status == 0, "stderr: \(right.standardError)")
    }
}
