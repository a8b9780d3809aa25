import Foundation
import LinearAlgebra
import Reports
import Riccati
import SGD
import Testing

/// The `Reports` module is the tool's report: a Swift program that runs the same computation
/// through the library gets byte for byte what `riccati … --format json|csv` prints. The only
/// wall-clock numbers (`stats.solveSeconds` of integrate; the SGD timings) are taken over from
/// the tool's report (SGD) or blanked in both (integrate), everything else is compared as bytes.
/// Negative controls: the same library call with another seed gives other bytes.
@Suite("Reports built by the library equal the tool's output")
struct ReportsMatchCommandTests {
    init() {
        // What the tool does at start-up (and what the README recommends to library users).
        BLAS.setThreadCount(1)
    }

    static let integrateArguments = ["integrate", "--r", "8", "--rs", "4", "--d", "256", "--t-end", "50", "--save-count", "6"]

    /// `integrate`'s report computed through the library from the initial state of seed
    /// `sampledSeed`, described (in `config`) as seed 0.
    static func integrateReport(sampledSeed: UInt64) throws -> IntegrateReport {
        let spectrum = try TeacherSpectrum.powerLaw(exponent: 1, count: 8)
        let random = RandomInitialization(studentWidth: 4, teacherWidth: 8, dimension: 256, sigma0: 1, seed: 0)
        var sampled = random
        sampled.seed = sampledSeed
        let problem = try OverlapProblem(spectrum: spectrum, initialState: try sampled.sample(), finalTime: 50,
                                         saveTimes: try SaveTimes.logSpaced(count: 6, finalTime: 50))
        let solution = try solve(problem, method: .exact(ExactPropagatorOptions()), locateEscapes: true, threads: 2)
        let model = ModelDescription(spectrum: .powerLaw(alpha: 1, normalized: true), teacherWidth: 8, initialization: .random(random))
        return IntegrateReport(solution: solution, model: model, locateEscapes: true)
    }

    /// `text` with the value of `"solveSeconds"` replaced by `0`.
    static func blankingSolveSeconds(_ text: String) -> String {
        text.replacingOccurrences(of: #""solveSeconds": [^,\n}]+"#, with: #""solveSeconds": 0"#, options: .regularExpression)
    }

    @Test("integrate: JSON (solve time blanked) and CSV are byte-identical; another seed differs")
    func integrate() throws {
        let json = try runRiccati(Self.integrateArguments + ["--format", "json"])
        let csv = try runRiccati(Self.integrateArguments + ["--format", "csv"])
        #expect(json.status == 0 && csv.status == 0, "\(json.standardError) \(csv.standardError)")
        #expect(json.standardOutput.contains(#""solveSeconds": "#))
        let report = try Self.integrateReport(sampledSeed: 0)
        #expect(report.text(.csv) == csv.standardOutput)
        #expect(Self.blankingSolveSeconds(report.text(.json)) == Self.blankingSolveSeconds(json.standardOutput))
        // The blanking touches one number only: the rest of the document is long.
        #expect(Self.blankingSolveSeconds(json.standardOutput).count > 1000)
        // Negative control: the numbers of another initial state under the same configuration.
        let other = try Self.integrateReport(sampledSeed: 1)
        #expect(other.text(.csv) != csv.standardOutput)
        #expect(Self.blankingSolveSeconds(other.text(.json)) != Self.blankingSolveSeconds(json.standardOutput))
    }

    static let sgdArguments = ["sgd", "--d", "64", "--r", "4", "--rs", "3", "--batch", "32", "--lr", "0.01", "--steps", "100",
                               "--save-count", "5"]

    /// `sgd`'s configuration with seed `seed`.
    static func sgdConfiguration(seed: UInt64) throws -> SGDConfiguration {
        var configuration = SGDConfiguration(spectrum: try .powerLaw(exponent: 1, count: 4), dimension: 64, studentWidth: 3,
                                             batchSize: 32, learningRate: 0.01, steps: 100)
        configuration.sigma0 = 0.3
        configuration.seed = seed
        configuration.saveSteps = (0...5).map { $0 * 20 }
        return configuration
    }

    @Test("sgd: JSON (timings taken from the tool's report) and CSV are byte-identical; another seed differs")
    func sgd() throws {
        let json = try runRiccati(Self.sgdArguments + ["--format", "json"])
        let csv = try runRiccati(Self.sgdArguments + ["--format", "csv"])
        #expect(json.status == 0 && csv.status == 0, "\(json.standardError) \(csv.standardError)")
        // JSONDecoder reads every number exactly (JSONSerialization can be 1 ulp off).
        struct Timings: Decodable { var seconds, gemmSeconds, rngSeconds: Double }
        struct Report: Decodable { var stats: Timings }
        let stats = try JSONDecoder().decode(Report.self, from: Data(json.standardOutput.utf8)).stats
        let description = SGDRunDescription(configuration: try Self.sgdConfiguration(seed: 0),
                                            spectrum: .powerLaw(alpha: 1, normalized: true), precision: .double)
        var result = try SGDSimulator<Double>(configuration: description.configuration).run()
        result.statistics.seconds = stats.seconds
        result.statistics.gemmSeconds = stats.gemmSeconds
        result.statistics.rngSeconds = stats.rngSeconds
        let report = SGDReport(result: result, run: description)
        #expect(report.text(.csv) == csv.standardOutput)
        #expect(report.text(.json) == json.standardOutput)
        // Negative control: the numbers of another seed under the same configuration and timings.
        var other = try SGDSimulator<Double>(configuration: try Self.sgdConfiguration(seed: 1)).run()
        other.statistics = result.statistics
        let otherReport = SGDReport(result: other, run: description)
        #expect(otherReport.text(.csv) != csv.standardOutput)
        #expect(otherReport.text(.json) != json.standardOutput)
    }

    static let ensembleArguments = ["compare", "--seeds", "3", "--d", "64", "--r", "4", "--rs", "3", "--batch", "32", "--lr", "0.01",
                                    "--steps", "100", "--save-count", "5"]

    /// `text` with the `stats` object (wall-clock timings) replaced by `{}`.
    static func blankingStats(_ text: String) -> String {
        text.replacingOccurrences(of: #""stats": \{[^}]*\}"#, with: #""stats": {}"#, options: .regularExpression)
    }

    @Test("compare --seeds 3: JSON (stats blanked), CSV and table are byte-identical; another base seed differs")
    func compareEnsemble() throws {
        let outputs = try ["json", "csv", "table"].map { format in try runRiccati(Self.ensembleArguments + ["--format", format]) }
        #expect(outputs.allSatisfy { $0.status == 0 }, "\(outputs.map(\.standardError))")
        let description = SGDRunDescription(configuration: try Self.sgdConfiguration(seed: 0), spectrum: .powerLaw(alpha: 1, normalized: true),
                                            precision: .double)
        func report(seed: UInt64) throws -> CompareReport {
            let comparison = try SeedEnsembleComparison.run(SeedEnsemble(base: try Self.sgdConfiguration(seed: seed), seeds: 3), precision: Double.self)
            return CompareReport(ensemble: comparison, run: description)
        }
        let library = try report(seed: 0)
        #expect(Self.blankingStats(library.text(.json)) == Self.blankingStats(outputs[0].standardOutput))
        #expect(Self.blankingStats(outputs[0].standardOutput).count > 1000 && outputs[0].standardOutput.contains(#""stats": {"#))
        #expect(library.text(.csv) == outputs[1].standardOutput)
        #expect(library.text(.table) == outputs[2].standardOutput)
        // Negative control: the ensemble of another base seed, described the same way.
        let other = try report(seed: 1)
        #expect(other.text(.csv) != outputs[1].standardOutput)
        #expect(Self.blankingStats(other.text(.json)) != Self.blankingStats(outputs[0].standardOutput))
    }
}
