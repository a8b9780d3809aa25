import Foundation
import LinearAlgebra
import Reports
import Riccati
import Testing

/// `riccati integrate --dynamics`: the SGD-aware dynamics from the command line.
@Suite struct IntegrateDynamicsTests {
    init() { BLAS.setThreadCount(1) }

    static let common = ["integrate", "--r", "4", "--rs", "4", "--d", "128", "--t-end", "5", "--save-at", "0,1,2,3,4,5",
                         "--format", "json"]

    static func json(_ run: CommandRun) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any])
    }

    /// The numbers of the top-level array `key` of a JSON report, parsed with `Double(_:)`
    /// (Foundation's JSON parser may round the last digit).
    static func numbers(_ key: String, in run: CommandRun) throws -> [Double] {
        let pattern = try NSRegularExpression(pattern: "\n  \"\(key)\": \\[([^\\]]*)\\]")
        let text = run.standardOutput
        let match = try #require(pattern.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)))
        let body = try #require(Range(match.range(at: 1), in: text))
        return try text[body].split(separator: ",").map { try #require(Double($0.trimmingCharacters(in: .whitespacesAndNewlines))) }
    }

    /// The library's solution of `dynamics` from the tool's initial state (seed 0, σ0 = 1).
    static func librarySolution(_ make: (TeacherSpectrum) throws -> any EffectiveDynamics, method: IntegrationMethod?) throws -> Solution {
        let spectrum = try TeacherSpectrum.powerLaw(exponent: 1, count: 4)
        let initial = try RandomInitialization(studentWidth: 4, teacherWidth: 4, dimension: 128, sigma0: 1, seed: 0).sample()
        let problem = try OverlapProblem(dynamics: try make(spectrum), initialState: initial, finalTime: 5, saveTimes: [0, 1, 2, 3, 4, 5])
        return try solve(problem, method: method)
    }

    /// The mean map and the limit from the tool are the library's, bit for bit, with the
    /// documented `config` keys; gradient flow (the default) is far below both at η·d/B = 0.08,
    /// and another learning rate gives other numbers (negative control).
    @Test func sgdFormsAreTheLibrarysDynamics() throws {
        let parameters = MinibatchSGDParameters(learningRate: 0.01, batchSize: 16, dimension: 128)
        let sgd = ["--lr", "0.01", "--batch", "16"]
        let meanRun = try runRiccati(Self.common + ["--dynamics", "sgd-mean-map"] + sgd)
        #expect(meanRun.status == 0, "\(meanRun.standardError)")
        let mean = try Self.json(meanRun)
        let meanSolution = try Self.librarySolution({ try QuadraticSGDMeanMap(spectrum: $0, studentWidth: 4, parameters: parameters) }, method: nil)
        #expect(try Self.numbers("risk", in: meanRun) == meanSolution.risk)
        let config = try #require(mean["config"] as? [String: Any])
        #expect(config["dynamics"] as? String == "sgd-mean-map")
        #expect(config["etaDOverB"] as? Double == 0.08)
        #expect(config["batch"] as? Int == 16 && config["lr"] as? Double == 0.01 && config["noise"] as? Double == 0)

        let limitRun = try runRiccati(Self.common + ["--dynamics", "sgd-limit"] + sgd)
        #expect(limitRun.status == 0, "\(limitRun.standardError)")
        let limit = try Self.json(limitRun)
        let limitSolution = try Self.librarySolution({ try QuadraticSGDLimitFlow(spectrum: $0, studentWidth: 4, parameters: parameters) },
                                                     method: .automatic(AutomaticMethodOptions()))
        #expect(try Self.numbers("risk", in: limitRun) == limitSolution.risk)
        #expect((limit["config"] as? [String: Any])?["method"] as? String == "auto")

        let flowRun = try runRiccati(Self.common)
        let explicitFlow = try runRiccati(Self.common + ["--dynamics", "gradient-flow"])
        let flow = try Self.json(flowRun)
        #expect(try Self.numbers("risk", in: flowRun) == (try Self.numbers("risk", in: explicitFlow)))
        let flowConfig = try #require(flow["config"] as? [String: Any])
        #expect(flowConfig["dynamics"] as? String == "gradient-flow")
        #expect(flowConfig["etaDOverB"] is NSNull)
        let flowRisk = try #require(flow["risk"] as? [Double]), meanRisk = try #require(mean["risk"] as? [Double])
        #expect(meanRisk.last! > 5 * flowRisk.last!, "mean map \(meanRisk.last!) against gradient flow \(flowRisk.last!)")

        let other = try runRiccati(Self.common + ["--dynamics", "sgd-mean-map", "--lr", "0.005", "--batch", "16"])
        #expect(try Self.numbers("risk", in: other) != meanSolution.risk)
    }

    /// `--save-count` times are rounded to the map's grid (all multiples of η, strictly
    /// increasing); `--save-at` off the grid is refused (in the bad-input table).
    @Test func saveCountTimesLandOnTheGrid() throws {
        let run = try runRiccati(["integrate", "--r", "4", "--rs", "2", "--d", "64", "--t-end", "20", "--save-count", "12",
                                  "--dynamics", "sgd-mean-map", "--lr", "0.02", "--batch", "64", "--format", "json"])
        #expect(run.status == 0, "\(run.standardError)")
        let times = try Self.numbers("times", in: run)
        #expect(times.count >= 8 && times.last == 20, "\(times)")
        for t in times { #expect((t / 0.02).rounded() * 0.02 == t, "\(t) is not k·η") }
        #expect(zip(times, times.dropFirst()).allSatisfy { $0 < $1 })
    }

    /// A diverging mean map and a blowing-up limit: exit 1, one line, nothing written.
    @Test func divergenceWritesNothing() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("riccati-divergence-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for dynamics in ["sgd-mean-map", "sgd-limit"] {
            let output = folder.appendingPathComponent("\(dynamics).json")
            let run = try runRiccati(["integrate", "--r", "4", "--rs", "4", "--d", "64", "--t-end", "50", "--dynamics", dynamics,
                                      "--lr", "0.5", "--batch", "1", "--output", output.path])
            #expect(run.status == 1, "\(run.standardError)")
            #expect(run.standardError.hasPrefix("riccati: --dynamics \(dynamics) diverged, nothing written"))
            #expect(run.standardError.split(separator: "\n").count == 1)
            #expect(!FileManager.default.fileExists(atPath: output.path))
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
        }
        // Control: a stable learning rate writes the report.
        let output = folder.appendingPathComponent("stable.json")
        let stable = try runRiccati(["integrate", "--r", "4", "--rs", "4", "--d", "64", "--t-end", "5", "--dynamics", "sgd-mean-map",
                                     "--lr", "0.005", "--batch", "16", "--output", output.path])
        #expect(stable.status == 0 && FileManager.default.fileExists(atPath: output.path), "\(stable.standardError)")
    }
}
