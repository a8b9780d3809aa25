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

@Suite struct OutputFormatTests {
    @Test func missingOrUnusableDestinationsExitTwoBeforeAnyWork() throws {
        let work = try temporaryFolder()
        let missing = work.appendingPathComponent("missing").path
        let report = work.appendingPathComponent("report.json").path
        let file = work.appendingPathComponent("file.txt")
        try Data("x".utf8).write(to: file)
        // Each command also gets a bad flag that it checks later: the destination must be named first.
        let commands: [[String]] = [
            ["integrate", "--alpha=-1"],
            ["monotonicity", "--scale", "0.5"],
            ["sgd", "--lr=-1"],
            ["compare", "--lr=-1"],
        ]
        for command in commands {
            // One bad destination, the other one valid.
            let validPlot = ["--plot", work.appendingPathComponent("figure.svg").path], validArrays = ["--npy-dir", work.path]
            let cases: [([String], String)] = [
                (["--npy-dir", missing] + validPlot, "--npy-dir \(missing): directory does not exist"),
                (["--npy-dir", file.path] + validPlot, "not a directory"),
                (["--plot", missing + "/figure.svg"] + validArrays, "--plot \(missing)/figure.svg: directory '\(missing)' does not exist"),
                (["--plot", work.appendingPathComponent("figure.png").path] + validArrays, "ending in .svg"),
            ]
            for (flags, message) in cases {
                let run = try runRiccati(command + flags + ["--output", report], in: work)
                #expect(run.status == 2, "\(command + flags): exit \(run.status), \(run.standardError)")
                #expect(run.standardError.contains(message), "\(command + flags): \(run.standardError)")
                #expect(run.standardOutput.isEmpty)
            }
        }
        // Nothing was created: not the missing directory, not the report, nothing in the working directory.
        #expect(!FileManager.default.fileExists(atPath: missing))
        #expect(allFiles(work) == ["file.txt"], "\(allFiles(work))")
    }

    // MARK: The report does not depend on --plot and --npy-dir

    @Test func reportsAreIdenticalWithAndWithoutTheOutputs() throws {
        let lambdas = try lambdasWithAZero()
        // The arrays compared bitwise (decoded exactly) per command.
        let runs: [([String], (CommandRun) throws -> [[Double]])] = [
            (["integrate", "--lambdas", lambdas.path, "--rs", "2", "--d", "64", "--t-end", "50", "--save-count", "6"],
             { [try decode(IntegrateJSON.self, $0).risk] }),
            (["monotonicity", "--r", "4", "--rs", "3", "--d", "256", "--t-end", "20", "--save-count", "5"],
             { run in try decode(MonotonicityJSON.self, run).methods.sorted { $0.key < $1.key }.map(\.value.margin) }),
            (["sgd"] + sgdFlags, { [try decode(SGDJSON.self, $0).risk] }),
            (["compare"] + sgdFlags, { run in let report = try decode(CompareJSON.self, run); return [report.riskSGD, report.riskODE] }),
        ]
        for (arguments, arrays) in runs {
            let folder = try temporaryFolder()
            let plain = try runRiccati(arguments + ["--format", "json"])
            let extra = try runRiccati(arguments + ["--format", "json", "--npy-dir", folder.path,
                                                    "--plot", folder.appendingPathComponent("plot.svg").path])
            #expect(plain.status == 0 && extra.status == 0, "\(arguments): \(plain.standardError) \(extra.standardError)")
            let x = try arrays(plain), y = try arrays(extra)
            #expect(x.count == y.count && !x.isEmpty)
            for (a, b) in zip(x, y) {
                #expect(!a.isEmpty)
                expectBitwiseEqual(a, b, "\(arguments[0])")
            }
            // Everything but the timings (stats) is the same document.
            var a = try jsonReport(plain), b = try jsonReport(extra)
            for key in ["stats", "methods"] { a[key] = nil; b[key] = nil }
            #expect(NSDictionary(dictionary: a) == NSDictionary(dictionary: b), "\(arguments[0]): the reports differ beyond timings")
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("plot.svg").path))
        }
        // The monotonicity table has no timings: the same text.
        let arguments = ["monotonicity", "--r", "4", "--rs", "3", "--d", "256", "--t-end", "20", "--save-count", "5"]
        let folder = try temporaryFolder()
        let table = try runRiccati(arguments)
        let tableWithOutputs = try runRiccati(arguments + ["--npy-dir", folder.path, "--plot", folder.appendingPathComponent("m.svg").path])
        #expect(!table.standardOutput.isEmpty && table.standardOutput == tableWithOutputs.standardOutput)
    }
}
