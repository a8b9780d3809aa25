import Foundation
import Testing
#if canImport(FoundationXML)
import FoundationXML
#endif

@Suite struct MonotonicityCommandTests {
    func figure3Lambdas() throws -> URL {
        let folder = try temporaryFolder()
        let url = folder.appendingPathComponent("lambda.npy")
        try writeNPY([2], [2, 1], to: url)
        return url
    }

    @Test func jsonReportsThePreservedOrder() throws {
        let lambdas = try figure3Lambdas()
        let run = try runRiccati(["monotonicity", "--lambdas", lambdas.path, "--rs", "2", "--d", "1024", "--sigma0", "2",
                                  "--t-end", "5", "--save-count", "10", "--format", "json"])
        #expect(run.status == 0, "stderr: \(run.standardError)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any])
        let times = try #require(object["times"] as? [Double])
        let relation = try #require(object["relation"] as? [String])
        #expect(times.count == 11 && times[0] == 0 && relation.count == 11)
        #expect(relation.allSatisfy { $0 == "le" || $0 == "eq" })
        #expect(object["orderPreserved"] as? Bool == true)
        #expect(object["monotoneInTime"] as? String == "neither")
        #expect((object["firstTimeViolation"] as? Double ?? -1) > 0)
        let minMargin = try #require(object["minMargin"] as? Double)
        #expect(minMargin > -1e-10)
        let methods = try #require(object["methods"] as? [String: Any])
        #expect(methods["exact"] != nil && methods["dopri5"] != nil)
    }

    @Test func aZeroToleranceTurnsIntegrationErrorIntoAViolationAndExitsThree() throws {
        // At t = 5 both trajectories sit at Λ: the true margin is 0 and DOPRI5's is −1e-9.
        let lambdas = try figure3Lambdas()
        let run = try runRiccati(["monotonicity", "--lambdas", lambdas.path, "--rs", "2", "--d", "1024", "--sigma0", "2",
                                  "--t-end", "5", "--save-count", "10", "--tolerance", "0", "--format", "json"])
        #expect(run.status == 3, "exit \(run.status): \(run.standardError)")
        #expect(run.standardError.contains("violated"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any])
        #expect(object["orderPreserved"] as? Bool == false)
    }

    @Test func figureFilesAreWritten() throws {
        let lambdas = try figure3Lambdas()
        let folder = try temporaryFolder()
        let run = try runRiccati(["monotonicity", "--lambdas", lambdas.path, "--rs", "2", "--d", "1024", "--t-end", "2",
                                  "--save-count", "4", "--figure", folder.path, "--perturb", "0.3", "--seed", "4"])
        #expect(run.status == 0, "stderr: \(run.standardError)")
        let entries = try String(contentsOf: folder.appendingPathComponent("entries.csv"), encoding: .utf8).split(separator: "\n")
        #expect(entries[0] == "t,G_11,G_22,G_12" && entries.count == 202)
        for line in entries.dropFirst() { #expect(line.split(separator: ",").allSatisfy { Double($0)?.isFinite == true }) }
        let ellipses = try String(contentsOf: folder.appendingPathComponent("ellipses.csv"), encoding: .utf8).split(separator: "\n")
        #expect(ellipses[0] == "trajectory,t,x,y" && ellipses.count > 6 * 100)
        let svg = try Data(contentsOf: folder.appendingPathComponent("figure3.svg"))
        let parser = XMLParser(data: svg)
        #expect(parser.parse(), "figure3.svg is not well-formed XML")
    }

    @Test func badInputIsRefused() throws {
        let lambdas = try figure3Lambdas()
        let cases: [([String], String)] = [
            (["monotonicity", "--scale", "0.5"], "--scale"),
            (["monotonicity", "--scale", "2", "--perturb", "0.1"], "conflict"),
            (["monotonicity", "--perturb", "-1"], "--perturb"),
            (["monotonicity", "--tolerance", "nan"], "--tolerance"),
            (["monotonicity", "--figure", "/tmp"], "r = 2"),
            (["monotonicity", "--lambdas", lambdas.path, "--rs", "2", "--figure", "/nonexistent/dir"], "does not exist"),
            (["monotonicity", "--lambdas", lambdas.path, "--rs", "2", "--t-end", "1", "--ellipse-times", "0,2"], "--ellipse-times"),
        ]
        for (arguments, fragment) in cases {
            let run = try runRiccati(arguments)
            #expect(run.status == 2, "\(arguments): exit \(run.status) \(run.standardError)")
            #expect(run.standardError.contains(fragment), "\(arguments): \(run.standardError)")
        }
    }
}
