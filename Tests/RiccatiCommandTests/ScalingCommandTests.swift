import Foundation
import NumPyFormat
import Testing
#if canImport(FoundationXML)
import FoundationXML
#endif

@Suite struct ScalingCommandTests {
    struct Point: Decodable {
        var alpha: Double; var r: Int; var rs: Int; var d: Double; var seed: String
        var window: [Double]?; var fittedSlope: Double?; var additiveSlope: Double?; var asymptoticSlope: Double?
    }
    struct SweepReport: Decodable { var points: [Point] }

    @Test func predictMatchesTheFormula() throws {
        let run = try runRiccati(["scaling", "predict", "--alpha", "1", "--r", "3", "--rs", "2", "--d", "1000", "--format", "json"])
        #expect(run.status == 0, "stderr: \(run.standardError)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any])
        let escape = try #require(object["escapeTimes"] as? [Double])
        let lambda1 = 1 / (1 + 0.25 + 1.0 / 9).squareRoot()
        #expect(abs(escape[0] - log(lambda1 * 1000 / 2) / (8 * lambda1)) < 1e-12)
        #expect((object["asymptoticExponent"] as? Double) == -1)
    }

    @Test func sweepWritesJSONCSVArraysAndAPlot() throws {
        let folder = try temporaryFolder()
        let arguments = ["scaling", "sweep", "--alphas", "1,1.5", "--r", "32", "--widths", "32", "--dims", "1e9", "--small-init",
                         "--save-count", "60", "--jobs", "2"]
        let json = try runRiccati(arguments + ["--format", "json", "--npy-dir", folder.path, "--plot", folder.appendingPathComponent("sweep.svg").path])
        #expect(json.status == 0, "stderr: \(json.standardError)")
        let report = try JSONDecoder().decode(SweepReport.self, from: Data(json.standardOutput.utf8))
        #expect(report.points.count == 2)
        for point in report.points {
            #expect(point.window?.count == 2)
            let fitted = try #require(point.fittedSlope), additive = try #require(point.additiveSlope)
            #expect(abs(fitted - additive) < 0.15, "α = \(point.alpha): \(fitted) vs \(additive)")
        }
        let slopes = try NPY.read(contentsOf: folder.appendingPathComponent("slopes.npy").path)
        #expect(slopes.shape == [2, 3])
        #expect(slopes.values[0] == report.points[0].fittedSlope)
        #expect(try NPY.read(contentsOf: folder.appendingPathComponent("risk.npy").path).shape == [2, 60])
        #expect(XMLParser(data: try Data(contentsOf: folder.appendingPathComponent("sweep.svg"))).parse())
        let csv = try runRiccati(arguments + ["--format", "csv"])
        let lines = csv.standardOutput.split(separator: "\n")
        #expect(lines[1] == "alpha,r,rs,d,sigma0,seed,t,risk,riskAdditive")
        #expect(lines.count == 2 + 2 * 60)
    }

    @Test func computeFrontierOnATinyConfiguration() throws {
        let folder = try temporaryFolder()
        let run = try runRiccati(["scaling", "compute", "--d", "32", "--r", "16", "--widths", "2,4,8", "--lr", "0.02", "--t-end", "4",
                                  "--save-count", "10", "--grid-count", "30", "--format", "json", "--npy-dir", folder.path,
                                  "--plot", folder.appendingPathComponent("compute.svg").path])
        #expect(run.status == 0, "stderr: \(run.standardError)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any])
        let curves = try #require(object["curves"] as? [[String: Any]])
        #expect(curves.count == 3)
        let envelope = try #require(object["envelope"] as? [String: Any])
        #expect((envelope["compute"] as? [Double])?.count == 30)
        #expect(try NPY.read(contentsOf: folder.appendingPathComponent("compute.npy").path).shape[0] == 3)
        #expect(XMLParser(data: try Data(contentsOf: folder.appendingPathComponent("compute.svg"))).parse())
    }

    @Test func badInputExitsWithTwo() throws {
        let cases: [([String], String)] = [
            (["scaling", "sweep", "--alphas", "1,x"], "--alphas"),
            (["scaling", "sweep", "--widths", ""], "--widths"),
            (["scaling", "sweep", "--dims", "10", "--r", "64"], "--d"),
            (["scaling", "sweep", "--jobs", "0"], "--jobs"),
            (["scaling", "sweep", "--window-ranks", "5,2"], "ranks"),
            (["scaling", "sweep", "--npy-dir", "/nonexistent/x"], "--npy-dir"),
            (["scaling", "predict", "--rs", "0"], "--rs"),
            (["scaling", "compute", "--widths", "0"], "--widths"),
            (["scaling", "compute", "--lr", "0"], "--lr"),
        ]
        for (arguments, fragment) in cases {
            let run = try runRiccati(arguments)
            #expect(run.status == 2, "\(arguments): exit \(run.status) \(run.standardError)")
            #expect(run.standardError.contains(fragment), "\(arguments): \(run.standardError)")
        }
    }
}
