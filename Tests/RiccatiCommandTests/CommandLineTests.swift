import Foundation
import NumPyFormat
import Testing

@Suite struct CommandLineTests {
    @Test func defaultRunPrintsATableAndSucceeds() throws {
        let run = try runRiccati(["integrate", "--t-end", "200", "--save-count", "5"])
        #expect(run.status == 0, "stderr: \(run.standardError)")
        #expect(run.standardOutput.contains("width floor"))
        #expect(run.standardOutput.contains("escape times"))
        #expect(run.standardOutput.split(separator: "\n").count >= 5 + 4)
    }

    @Test func jsonHasTheDocumentedSchema() throws {
        let run = try runRiccati(["integrate", "--r", "8", "--rs", "4", "--d", "1e12", "--t-end", "100",
                                  "--save-count", "6", "--method", "dopri5", "--format", "json"])
        #expect(run.status == 0, "stderr: \(run.standardError)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any])
        for key in ["times", "risk", "alignment", "learned", "escapeTimes", "riskFloor", "stats"] {
            #expect(object[key] != nil, "missing key \(key)")
        }
        let times = try #require(object["times"] as? [Double])
        let risk = try #require(object["risk"] as? [Double])
        let alignment = try #require(object["alignment"] as? [[Double]])
        #expect(times.count == 6 && risk.count == 6 && alignment.count == 6 && alignment[0].count == 8)
        #expect(zip(risk, risk.dropFirst()).allSatisfy { $0 >= $1 })
        let stats = try #require(object["stats"] as? [String: Any])
        for key in ["method", "status", "message", "rhsEvaluations", "acceptedSteps", "rejectedSteps", "solveSeconds"] {
            #expect(stats[key] != nil, "missing stats key \(key)")
        }
        #expect(stats["method"] as? String == "dopri5")
        #expect(stats["status"] as? String == "success")
        #expect((stats["rhsEvaluations"] as? Int ?? 0) > 0)
    }

    /// `--no-escape-times` skips only the escape search: the saved states are the same bits, the
    /// escape times are null and the table says they were not located. The default run is the
    /// control: there the same directions do escape.
    @Test func noEscapeTimesSkipsOnlyTheSearch() throws {
        let common = ["integrate", "--r", "8", "--rs", "4", "--d", "4096", "--t-end", "200", "--save-count", "5", "--format", "json"]
        func object(_ extra: [String]) throws -> [String: Any] {
            let run = try runRiccati(common + extra)
            #expect(run.status == 0, "stderr: \(run.standardError)")
            return try #require(try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any])
        }
        let located = try object([])
        let skipped = try object(["--no-escape-times"])
        let risk = try #require(located["risk"] as? [Double])
        #expect(risk == (skipped["risk"] as? [Double]))
        let escapes = try #require(located["escapeTimes"] as? [Any])
        #expect(escapes.compactMap { $0 as? Double }.count == 4, "the control run locates the 4 learned directions")
        let none = try #require(skipped["escapeTimes"] as? [Any])
        #expect(none.count == 8 && none.allSatisfy { $0 is NSNull })
        let config = try #require(skipped["config"] as? [String: Any])
        #expect(config["escapeTimes"] as? Bool == false)
        let table = try runRiccati(Array(common.dropLast(2)) + ["--no-escape-times"])
        #expect(table.standardOutput.contains("not located (--no-escape-times)"))
    }

    /// `--threads` is 1 or 2; anything else is refused with a one-line error and no output.
    @Test func integrateThreadsOutsideOneOrTwoAreRefused() throws {
        let bad = try runRiccati(["integrate", "--threads", "3", "--t-end", "10"])
        #expect(bad.status != 0)
        #expect(bad.standardOutput.isEmpty)
        #expect(bad.standardError.contains("--threads must be 1 or 2"))
        let good = try runRiccati(["integrate", "--threads", "1", "--t-end", "10", "--method", "dopri5"])
        #expect(good.status == 0, "stderr: \(good.standardError)")
    }

    @Test func csvAndOutputFileAreWritten() throws {
        let folder = try temporaryFolder()
        let target = folder.appendingPathComponent("run.csv")
        let run = try runRiccati(["integrate", "--r", "6", "--rs", "3", "--t-end", "50", "--save-at", "1,10,50",
                                  "--format", "csv", "--output", target.path])
        #expect(run.status == 0, "stderr: \(run.standardError)")
        #expect(run.standardOutput.isEmpty)
        let text = try String(contentsOf: target, encoding: .utf8)
        let lines = text.split(separator: "\n")
        #expect(lines[1] == "t,risk,learned,alignment_1,alignment_2,alignment_3,alignment_4,alignment_5,alignment_6")
        #expect(lines.count == 5)
        #expect(lines[2].hasPrefix("1.0,"))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(leftovers == ["run.csv"])
    }

    @Test func npyInputsAreUsedAndAgreeAcrossMethods() throws {
        let folder = try temporaryFolder()
        let lambdas = folder.appendingPathComponent("lambda.npy")
        let m0 = folder.appendingPathComponent("m0.npy")
        let p0 = folder.appendingPathComponent("p0.npy")
        try writeNPY([3], [1, 0.5, 0.25], to: lambdas)
        try writeNPY([2, 3], [0.01, -0.02, 0.005, 0.003, 0.01, -0.01], to: m0)
        try writeNPY([2, 2], [0.3, 0.05, 0.05, 0.2], to: p0)
        var risks: [[Double]] = []
        for method in [["--method", "exact"], ["--method", "dopri5", "--rtol", "1e-10", "--atol", "1e-12"], ["--method", "rk4", "--step", "0.005"]] {
            let run = try runRiccati(["integrate", "--lambdas", lambdas.path, "--init-m", m0.path, "--init-p", p0.path,
                                      "--t-end", "20", "--save-at", "5,20", "--format", "json"] + method)
            #expect(run.status == 0, "stderr: \(run.standardError)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any])
            risks.append(try #require(object["risk"] as? [Double]))
        }
        for other in risks.dropFirst() {
            for (a, b) in zip(risks[0], other) { #expect(abs(a - b) <= 1e-8 * abs(a)) }
        }
    }

    @Test func badInputExitsWithTwoAndOneLine() throws {
        let folder = try temporaryFolder()
        let missing = folder.appendingPathComponent("missing/out.json").path
        let cases: [([String], String)] = [
            (["integrate", "--r", "0"], "--r"),
            (["integrate", "--rs", "-3"], "--rs"),
            (["integrate", "--d", "50", "--r", "64"], "--d"),
            (["integrate", "--d", "abc"], "--d"),
            (["integrate", "--d", "1e400"], "--d"),
            (["integrate", "--sigma0", "0"], "--sigma0"),
            (["integrate", "--sigma0", "nan"], "--sigma0"),
            (["integrate", "--alpha", "-1"], "--alpha"),
            (["integrate", "--t-end", "0"], "--t-end"),
            (["integrate", "--t-end", "inf"], "--t-end"),
            (["integrate", "--save-count", "0"], "--save-count"),
            (["integrate", "--save-at", "5,1"], "--save-at"),
            (["integrate", "--save-at", "1,3000"], "--save-at"),
            (["integrate", "--save-at", "1", "--save-count", "3"], "conflict"),
            (["integrate", "--method", "rk4"], "--step"),
            (["integrate", "--method", "rk4", "--step", "-1"], "--step"),
            (["integrate", "--method", "dopri5", "--rtol", "0"], "--rtol"),
            (["integrate", "--rtol", "1e-6"], "dopri5"),
            (["integrate", "--method", "euler"], "method"),
            (["integrate", "--output", missing], "does not exist"),
            (["integrate", "--lambdas", folder.appendingPathComponent("nope.npy").path], "nope.npy"),
            (["integrate", "--init-p", "p.npy"], "--init-m"),
        ]
        for (arguments, fragment) in cases {
            let run = try runRiccati(arguments)
            #expect(run.status == 2, "\(arguments): exit \(run.status), stderr \(run.standardError)")
            #expect(run.standardError.contains(fragment), "\(arguments): \(run.standardError)")
            #expect(run.standardError.split(separator: "\n").count == 1, "\(arguments): \(run.standardError)")
            #expect(run.standardOutput.isEmpty)
        }
        #expect(!FileManager.default.fileExists(atPath: missing))
    }

    @Test func malformedNPYFilesAreRejected() throws {
        let folder = try temporaryFolder()
        let good = NPY.encode(try NPYArray(shape: [3], values: [1, 0.5, 0.25]))
        var badMagic = good; badMagic[1] = UInt8(ascii: "X")
        let wrongDtype = replacing("<f8", with: "<f4", in: good)
        let fortran = NPY.encode(try NPYArray(shape: [3, 1], values: [1, 0.5, 0.25]))
        let fortranBytes = replacing("False", with: "True ", in: fortran)
        let truncated = Array(good.dropLast(4))
        let files: [(String, [UInt8], String)] = [
            ("magic.npy", badMagic, "magic"), ("dtype.npy", wrongDtype, "<f4"),
            ("fortran.npy", fortranBytes, "ortran"), ("short.npy", truncated, "short.npy"),
            ("matrix.npy", fortran, "dimensions"), ("negative.npy", NPY.encode(try NPYArray(shape: [2], values: [1, -1])), "λ_2"),
            ("nan.npy", NPY.encode(try NPYArray(shape: [2], values: [1, .nan])), "NaN"),
        ]
        for (name, bytes, fragment) in files {
            let url = folder.appendingPathComponent(name)
            try Data(bytes).write(to: url)
            let run = try runRiccati(["integrate", "--lambdas", url.path, "--t-end", "1"])
            #expect(run.status == 2, "\(name): exit \(run.status) \(run.standardError)")
            #expect(run.standardError.contains(fragment), "\(name): \(run.standardError)")
        }
        // Wrong shapes of M0 and P0.
        let lambdas = folder.appendingPathComponent("l.npy"), m0 = folder.appendingPathComponent("m.npy"), p0 = folder.appendingPathComponent("p.npy")
        try writeNPY([3], [1, 0.5, 0.25], to: lambdas)
        try writeNPY([2, 4], [Double](repeating: 0.01, count: 8), to: m0)
        var run = try runRiccati(["integrate", "--lambdas", lambdas.path, "--init-m", m0.path, "--t-end", "1"])
        #expect(run.status == 2 && run.standardError.contains("r_s×r"))
        try writeNPY([2, 3], [Double](repeating: 0.01, count: 6), to: m0)
        try writeNPY([3, 3], [Double](repeating: 0, count: 9), to: p0)
        run = try runRiccati(["integrate", "--lambdas", lambdas.path, "--init-m", m0.path, "--init-p", p0.path, "--t-end", "1"])
        #expect(run.status == 2 && run.standardError.contains("--init-p"))
        // Negative control: the same files with consistent shapes run.
        try writeNPY([2, 2], [0.1, 0, 0, 0.1], to: p0)
        run = try runRiccati(["integrate", "--lambdas", lambdas.path, "--init-m", m0.path, "--init-p", p0.path, "--t-end", "1"])
        #expect(run.status == 0, "\(run.standardError)")
    }

    @Test func failedIntegrationExitsWithOne() throws {
        let run = try runRiccati(["integrate", "--method", "rk4", "--step", "3", "--t-end", "100", "--r", "8", "--rs", "4"])
        #expect(run.status == 1, "exit \(run.status): \(run.standardError)")
        #expect(run.standardError.contains("nonFiniteState"))
    }
}
