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

private struct IntegrateReport: Decodable {
    var times: [Double], risk: [Double], alignment: [[Double?]], learned: [Int], escapeTimes: [Double?]
    var riskFloor: Double, studentGramSpectrum: [[Double]]
}

private struct SGDReport: Decodable {
    var times: [Double], steps: [Int], risk: [Double], alignment: [[Double?]]
}

private struct CompareReport: Decodable {
    struct SweepPoint: Decodable { var lr: Double, maxRelativeDeviations: [Double] }
    var times: [Double], riskSGD: [Double], riskODE: [Double], relativeDeviation: [Double], overlapDeviation: [Double]
    var sweep: [SweepPoint]?
}

private struct MonotonicityReport: Decodable {
    struct Method: Decodable { var relation: [String], margin: [Double] }
    var times: [Double], relation: [String], methods: [String: Method]
}

private func decode<Report: Decodable>(_ type: Report.Type, _ run: CommandRun) throws -> Report {
    try JSONDecoder().decode(type, from: Data(run.standardOutput.utf8))
}

/// The parsed JSON report, for comparisons of whole documents (both sides parsed alike).
private func jsonReport(_ run: CommandRun) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any])
}

/// Bitwise equality (NaN equals NaN) with a readable failure.
private func expectBitwiseEqual(_ a: [Double], _ b: [Double], _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(a.count == b.count, "\(what): \(a.count) against \(b.count) values", sourceLocation: sourceLocation)
    let mismatch = zip(a, b).enumerated().first { $0.element.0.bitPattern != $0.element.1.bitPattern }
    #expect(mismatch == nil, "\(what): index \(mismatch?.offset ?? -1): \(mismatch?.element.0 ?? 0) ≠ \(mismatch?.element.1 ?? 0)",
            sourceLocation: sourceLocation)
}

private func load(_ folder: URL, _ name: String, shape: [Int], sourceLocation: SourceLocation = #_sourceLocation) throws -> [Double] {
    let array = try NPY.read(contentsOf: folder.appendingPathComponent(name + ".npy").path)
    #expect(array.shape == shape, "\(name).npy has shape \(array.shape), expected \(shape)", sourceLocation: sourceLocation)
    return array.values
}

/// `values[(k, i, j)]` of a `T×n×n` stack as the `n×n` slice `k`.
private func slice(_ values: [Double], _ k: Int, rows: Int, columns: Int) -> [Double] {
    Array(values[(k * rows * columns)..<((k + 1) * rows * columns)])
}

/// `config.json` must be the report's `config` object.
private func expectConfigSidecar(_ folder: URL, _ report: [String: Any], sourceLocation: SourceLocation = #_sourceLocation) throws {
    let sidecar = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("config.json")))
    let expected = try #require(report["config"] as? NSDictionary)
    #expect((sidecar as? NSDictionary) == expected, "config.json differs from the report's config", sourceLocation: sourceLocation)
}

/// Every file below `folder`, recursively.
private func allFiles(_ folder: URL) -> [String] {
    (FileManager.default.enumerator(atPath: folder.path)?.allObjects as? [String]) ?? []
}

// Small, fast configurations.
private let sgdFlags = ["--d", "64", "--r", "4", "--rs", "2", "--batch", "128", "--steps", "200", "--save-count", "5"]

/// λ with a zero entry (alignment and escape time undefined there), for `integrate`.
private func lambdasWithAZero() throws -> URL {
    let url = try temporaryFolder().appendingPathComponent("lambda.npy")
    try writeNPY([4], [1, 0.5, 0.25, 0], to: url)
    return url
}

@Suite struct OutputFormatTests {
    // MARK: --npy-dir against the JSON report

    @Test func integrateArraysEqualTheJSONReport() throws {
        let lambdas = try lambdasWithAZero()
        let folder = try temporaryFolder()
        let run = try runRiccati(["integrate", "--lambdas", lambdas.path, "--rs", "2", "--d", "64", "--t-end", "50",
                                  "--save-count", "6", "--format", "json", "--npy-dir", folder.path])
        #expect(run.status == 0, "stderr: \(run.standardError)")
        let report = try decode(IntegrateReport.self, run)
        let (t, r, rs) = (report.times.count, 4, 2)
        #expect(t == 6)
        let times = try load(folder, "times", shape: [t])
        expectBitwiseEqual(times, report.times, "times")
        let risk = try load(folder, "risk", shape: [t])
        expectBitwiseEqual(risk, report.risk, "risk")
        let alignment = try load(folder, "alignment", shape: [t, r])
        expectBitwiseEqual(alignment, report.alignment.flatMap { $0.map { $0 ?? .nan } }, "alignment (null as NaN)")
        #expect((0..<t).allSatisfy { alignment[$0 * r + 3].isNaN }, "λ_4 = 0: alignment must be NaN")
        #expect(alignment.enumerated().allSatisfy { $0.offset % r == 3 || $0.element.isFinite })
        #expect(try load(folder, "learned", shape: [t]) == report.learned.map(Double.init))
        let escapes = try load(folder, "escape_times", shape: [r])
        expectBitwiseEqual(escapes, report.escapeTimes.map { $0 ?? .nan }, "escape_times")
        #expect(escapes[3].isNaN && escapes[0].isFinite)
        let spectrum = try load(folder, "k_spectrum", shape: [t, rs])
        expectBitwiseEqual(spectrum, report.studentGramSpectrum.flatMap { $0 }, "k_spectrum")
        let lambda = try load(folder, "lambda", shape: [r])
        #expect(lambda == [1, 0.5, 0.25, 0])
        let floor = try load(folder, "risk_floor", shape: [])
        expectBitwiseEqual(floor, [report.riskFloor], "risk_floor")
        #expect(abs(floor[0] - 2 * (0.25 * 0.25)) < 1e-15)

        // G against M, its diagonal against the alignment, tr K against the spectrum of K.
        let g = try load(folder, "G", shape: [t, r, r])
        let m = try load(folder, "M", shape: [t, rs, r])
        let p = try load(folder, "P", shape: [t, rs, rs])
        for k in 0..<t {
            let gk = slice(g, k, rows: r, columns: r), mk = slice(m, k, rows: rs, columns: r), pk = slice(p, k, rows: rs, columns: rs)
            let scale = gk.map(abs).max()!
            for i in 0..<r {
                for j in 0..<r {
                    let product = (0..<rs).reduce(0.0) { $0 + mk[$1 * r + i] * mk[$1 * r + j] }
                    #expect(abs(gk[i * r + j] - product) <= 1e-14 * scale, "G ≠ MᵀM at t = \(times[k]), (\(i), \(j))")
                }
                if lambda[i] > 0 {
                    let expected = alignment[k * r + i]
                    #expect(abs(gk[i * r + i] / lambda[i] - expected) <= 1e-14 * abs(expected), "G_jj/λ_j ≠ alignment at t = \(times[k])")
                }
            }
            let traceK = mk.reduce(0) { $0 + $1 * $1 } + (0..<rs).reduce(0) { $0 + pk[$1 * rs + $1] }
            let spectrumSum = spectrum[(k * rs)..<((k + 1) * rs)].reduce(0, +)
            #expect(abs(traceK - spectrumSum) <= 1e-12 * traceK)
        }
        try expectConfigSidecar(folder, try jsonReport(run))
    }

    @Test func sgdArraysEqualTheJSONReport() throws {
        let folder = try temporaryFolder()
        let run = try runRiccati(["sgd"] + sgdFlags + ["--format", "json", "--npy-dir", folder.path])
        #expect(run.status == 0, "stderr: \(run.standardError)")
        let report = try decode(SGDReport.self, run)
        let (t, r, rs) = (report.times.count, 4, 2)
        #expect(t == 6 && report.times.first == 0)
        let times = try load(folder, "times", shape: [t])
        expectBitwiseEqual(times, report.times, "times")
        #expect(try load(folder, "steps", shape: [t]) == report.steps.map(Double.init))
        expectBitwiseEqual(try load(folder, "risk", shape: [t]), report.risk, "risk")
        let alignment = try load(folder, "alignment", shape: [t, r])
        expectBitwiseEqual(alignment, report.alignment.flatMap { $0.map { $0 ?? .nan } }, "alignment")
        let lambda = try load(folder, "lambda", shape: [r])
        #expect(abs(lambda.reduce(0) { $0 + $1 * $1 } - 1) < 1e-15, "normalised power law")
        #expect(abs(lambda[1] / lambda[0] - 0.5) < 1e-15)
        let g = try load(folder, "G", shape: [t, r, r])
        let m = try load(folder, "M", shape: [t, rs, r])
        _ = try load(folder, "P", shape: [t, rs, rs])
        for k in 0..<t {
            let gk = slice(g, k, rows: r, columns: r), mk = slice(m, k, rows: rs, columns: r)
            for j in 0..<r {
                let expected = alignment[k * r + j]
                #expect(abs(gk[j * r + j] / lambda[j] - expected) <= 1e-14 * abs(expected), "G_jj/λ_j ≠ alignment at t = \(times[k])")
                let gjj = (0..<rs).reduce(0.0) { $0 + mk[$1 * r + j] * mk[$1 * r + j] }
                #expect(abs(gk[j * r + j] - gjj) <= 1e-14 * gjj)
            }
        }
        try expectConfigSidecar(folder, try jsonReport(run))
    }

    @Test func compareArraysEqualTheJSONReport() throws {
        let folder = try temporaryFolder()
        let run = try runRiccati(["compare"] + sgdFlags + ["--lr-sweep", "0.005,0.0025", "--seeds", "2", "--format", "json",
                                                          "--npy-dir", folder.path])
        #expect(run.status == 0, "stderr: \(run.standardError)")
        let report = try decode(CompareReport.self, run)
        let (t, r) = (report.times.count, 4)
        let times = try load(folder, "times", shape: [t])
        expectBitwiseEqual(times, report.times, "times")
        let riskSGD = try load(folder, "risk_sgd", shape: [t]), riskODE = try load(folder, "risk_ode", shape: [t])
        expectBitwiseEqual(riskSGD, report.riskSGD, "risk_sgd")
        expectBitwiseEqual(riskODE, report.riskODE, "risk_ode")
        let relative = try load(folder, "relative_deviation", shape: [t])
        expectBitwiseEqual(relative, report.relativeDeviation, "relative_deviation")
        expectBitwiseEqual(relative, zip(riskSGD, riskODE).map { abs($0 - $1) / max($1, .leastNormalMagnitude) }, "|ΔR|/R_ODE")
        let overlap = try load(folder, "overlap_deviation", shape: [t])
        expectBitwiseEqual(overlap, report.overlapDeviation, "overlap_deviation")
        // ‖G_SGD − G_ODE‖_F/‖Λ‖_F with ‖Λ‖_F = 1 (normalised power law).
        let gSGD = try load(folder, "G_sgd", shape: [t, r, r]), gODE = try load(folder, "G_ode", shape: [t, r, r])
        for k in 0..<t {
            let difference = zip(slice(gSGD, k, rows: r, columns: r), slice(gODE, k, rows: r, columns: r)).map { $0 - $1 }
            let norm = difference.reduce(0) { $0 + $1 * $1 }.squareRoot()
            #expect(abs(norm - overlap[k]) <= 1e-12 * max(norm, 1e-300), "t = \(times[k]): ‖ΔG‖_F = \(norm), overlap_deviation \(overlap[k])")
        }
        #expect(overlap[0] == 0 && relative[0] == 0, "both start from the same state")
        let sweep = try #require(report.sweep)
        expectBitwiseEqual(try load(folder, "sweep_lr", shape: [2]), sweep.map(\.lr), "sweep_lr")
        #expect(sweep.map(\.lr) == [0.005, 0.0025])
        expectBitwiseEqual(try load(folder, "sweep_deviation", shape: [2, 2]), sweep.flatMap(\.maxRelativeDeviations), "sweep_deviation")
        try expectConfigSidecar(folder, try jsonReport(run))
    }

    @Test func compareWithoutASweepWritesNoSweepArrays() throws {
        let folder = try temporaryFolder()
        let run = try runRiccati(["compare"] + sgdFlags + ["--npy-dir", folder.path])
        #expect(run.status == 0, "stderr: \(run.standardError)")
        #expect(Set(allFiles(folder)) == ["times.npy", "risk_sgd.npy", "risk_ode.npy", "relative_deviation.npy",
                                          "overlap_deviation.npy", "G_sgd.npy", "G_ode.npy", "config.json"])
    }

    @Test func monotonicityArraysEqualTheJSONReport() throws {
        let folder = try temporaryFolder()
        let run = try runRiccati(["monotonicity", "--r", "4", "--rs", "6", "--d", "256", "--t-end", "20", "--save-count", "6",
                                  "--format", "json", "--npy-dir", folder.path])
        #expect(run.status == 0, "stderr: \(run.standardError)")
        let report = try decode(MonotonicityReport.self, run)
        let (t, r) = (report.times.count, 4)
        #expect(t == 7 && report.times[0] == 0)
        let times = try load(folder, "times", shape: [t])
        expectBitwiseEqual(times, report.times, "times")
        let codes = ["eq": 0.0, "le": 1, "ge": 2, "incomparable": 3]
        var margins: [String: [Double]] = [:]
        for method in ["exact", "dopri5"] {
            let entry = try #require(report.methods[method])
            margins[method] = try load(folder, "margin_\(method)", shape: [t])
            expectBitwiseEqual(margins[method]!, entry.margin, "margin_\(method)")
            #expect(try load(folder, "relation_\(method)", shape: [t]) == entry.relation.map { codes[$0]! })
        }
        #expect(try load(folder, "relation_exact", shape: [t]) == report.relation.map { codes[$0]! })
        // G_B(0) = 1.25 G_A(0), and the exact margin is λ_min(G_B − G_A) of the stored slices.
        let ga = try load(folder, "G_a", shape: [t, r, r]), gb = try load(folder, "G_b", shape: [t, r, r])
        for (a, b) in zip(slice(ga, 0, rows: r, columns: r), slice(gb, 0, rows: r, columns: r)) {
            #expect(abs(b - 1.25 * a) <= 1e-14 * abs(b) + 1e-300)
        }
        for k in 0..<t {
            let difference = zip(slice(gb, k, rows: r, columns: r), slice(ga, k, rows: r, columns: r)).map { $0 - $1 }
            let smallest = try LinearAlgebra.symmetricEigendecomposition(try Matrix(rows: r, columns: r, storage: difference)).values.min()!
            let scale = slice(gb, k, rows: r, columns: r).map(abs).max()!
            #expect(abs(smallest - margins["exact"]![k]) <= 1e-12 * scale, "t = \(times[k]): λ_min \(smallest) against \(margins["exact"]![k])")
        }
        #expect(margins["exact"]![0] > 0, "r ≤ r_s: G_A(0) is positive definite, so the margin 0.25·λ_min(G_A) is positive")
        try expectConfigSidecar(folder, try jsonReport(run))
    }

    // MARK: NumPy reads the files

    static let numpyAvailable: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import numpy"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    @Test(.enabled(if: OutputFormatTests.numpyAvailable, "python3 with numpy is not installed"))
    func numpyLoadsTheIntegrateArrays() throws {
        let lambdas = try lambdasWithAZero()
        let folder = try temporaryFolder()
        let run = try runRiccati(["integrate", "--lambdas", lambdas.path, "--rs", "2", "--d", "64", "--t-end", "50",
                                  "--save-count", "6", "--format", "json", "--npy-dir", folder.path])
        #expect(run.status == 0, "stderr: \(run.standardError)")
        let report = try decode(IntegrateReport.self, run)
        let names = ["times", "risk", "G", "alignment", "learned", "escape_times", "k_spectrum", "M", "P", "lambda", "risk_floor"]
        // Per file: shape, dtype, C-contiguity and the wrapping sum of the float64 bit patterns (an
        // exact checksum, NaN payloads included); then repr() of the risks, the risk floor and the risk sum.
        let script = """
            import sys, numpy as np
            folder = sys.argv[1]
            for name in sys.argv[2:]:
                a = np.load(f"{folder}/{name}.npy")
                bits = int(np.ascontiguousarray(a).reshape(-1).view(np.uint64).sum(dtype=np.uint64))
                print("file", name, ",".join(map(str, a.shape)), a.dtype.str, a.flags.c_contiguous, bits)
            risk = np.load(f"{folder}/risk.npy")
            print("repr-risk", " ".join(repr(float(x)) for x in risk))
            print("repr-floor", repr(float(np.load(f"{folder}/risk_floor.npy"))))
            print("repr-sum", repr(float(risk.sum())))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, folder.path] + names
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "python: \(errors)")
        var files: [String: [String]] = [:], reprs: [String: [String]] = [:]
        for line in output.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            if fields[0] == "file" { files[fields[1]] = Array(fields.dropFirst(2)) } else { reprs[fields[0]] = Array(fields.dropFirst()) }
        }
        for name in names {
            let array = try NPY.read(contentsOf: folder.appendingPathComponent(name + ".npy").path)
            let fields = try #require(files[name], "numpy printed nothing for \(name)")
            try #require(fields.count == 4, "\(name): \(fields)")
            #expect(fields[0] == array.shape.map(String.init).joined(separator: ","), "\(name): numpy shape \(fields[0]), Swift \(array.shape)")
            #expect(fields[1] == "<f8" && fields[2] == "True", "\(name): \(fields)")
            let checksum = array.values.reduce(UInt64(0)) { $0 &+ $1.bitPattern }
            #expect(fields[3] == String(checksum), "\(name): numpy checksum \(fields[3]), Swift \(checksum)")
        }
        let pythonRisk = try (reprs["repr-risk"] ?? []).map { try #require(Double($0)) }
        expectBitwiseEqual(pythonRisk, report.risk, "numpy repr of risk against the JSON report")
        let pythonFloor = try #require(reprs["repr-floor"]?.first.flatMap(Double.init))
        #expect(pythonFloor.bitPattern == report.riskFloor.bitPattern)
        // numpy sums pairwise, so the sum agrees to rounding only.
        let pythonSum = try #require(reprs["repr-sum"]?.first.flatMap(Double.init))
        let swiftSum = report.risk.reduce(0, +)
        #expect(abs(pythonSum - swiftSum) <= 8 * Double.ulpOfOne * swiftSum, "numpy sum \(pythonSum), Swift \(swiftSum)")
    }

    // MARK: --plot

    @Test func integratePlotHasTheRiskTheAdditiveModelAndTheFloor() throws {
        let folder = try temporaryFolder()
        let plot = folder.appendingPathComponent("risk.svg")
        let run = try runRiccati(["integrate", "--r", "32", "--rs", "8", "--d", "1024", "--t-end", "1000", "--save-count", "8",
                                  "--format", "json", "--plot", plot.path])
        #expect(run.status == 0, "stderr: \(run.standardError)")
        let svg = try SVGSummary(contentsOf: plot)
        #expect(svg.panels.count == 1)
        #expect(svg.titles.contains { $0.hasPrefix("Population risk, exact: r = 32, r_s = 8, α = 1, d = 1024") }, "\(svg.titles)")
        #expect(svg.hasLogTicks, "log axes have 10^k tick labels")
        // The risk series: one polyline through the 8 save times (all t > 0); the additive model: 400 points.
        #expect(svg.polylinePoints(panel: 0, series: 0) == [8])
        #expect(svg.polylinePoints(panel: 0, series: 1).reduce(0, +) == 400)
        #expect(svg.legend == ["R(t), exact", "additive model R_add(t)"])
        let floor = try #require(jsonReport(run)["riskFloor"] as? Double)
        #expect(svg.annotations.contains { $0.hasSuffix(String(format: "= %.4g", floor)) }, "width floor label: \(svg.annotations)")
    }

    @Test func integratePlotFromAFileSaysThereIsNoAdditiveModel() throws {
        let folder = try temporaryFolder()
        let lambdas = folder.appendingPathComponent("lambda.npy"), m0 = folder.appendingPathComponent("m0.npy")
        try writeNPY([2], [2, 1], to: lambdas)
        try writeNPY([2, 2], [0.01, 0.01, 0.01001, 0.00999], to: m0)
        let plot = folder.appendingPathComponent("risk.svg")
        let run = try runRiccati(["integrate", "--lambdas", lambdas.path, "--init-m", m0.path, "--t-end", "5", "--save-count", "5",
                                  "--plot", plot.path])
        #expect(run.status == 0, "stderr: \(run.standardError)")
        let svg = try SVGSummary(contentsOf: plot)
        #expect(svg.titles.contains { $0.hasSuffix("(no additive model: initial state from file)") }, "\(svg.titles)")
        #expect(svg.seriesCount(panel: 0) == 1 && svg.legend == ["R(t), exact"])
        #expect(svg.annotations.isEmpty, "r = r_s: the width floor is 0 and not drawn")
    }

    @Test func sgdPlotLeavesOutTimeZeroOnItsLogAxis() throws {
        let folder = try temporaryFolder()
        let plot = folder.appendingPathComponent("sgd.svg")
        let run = try runRiccati(["sgd"] + sgdFlags + ["--plot", plot.path])
        #expect(run.status == 0, "stderr: \(run.standardError)")
        let svg = try SVGSummary(contentsOf: plot)
        #expect(svg.titles.contains { $0.hasPrefix("Online SGD: d = 64, r = 4, r_s = 2, B = 128, η = 0.005") }, "\(svg.titles)")
        #expect(svg.polylinePoints(panel: 0, series: 0) == [5], "6 records, t = 0 left out")
        #expect(svg.annotations.contains { $0.hasPrefix("width floor") })
        #expect(svg.hasLogTicks)
    }

    @Test func comparePlotOverlaysSGDAndODEAndShowsTheDeviation() throws {
        let folder = try temporaryFolder()
        let plot = folder.appendingPathComponent("compare.svg")
        let run = try runRiccati(["compare"] + sgdFlags + ["--plot", plot.path])
        #expect(run.status == 0, "stderr: \(run.standardError)")
        let svg = try SVGSummary(contentsOf: plot)
        #expect(svg.panels.count == 2)
        #expect(svg.titles.contains("Population risk: SGD against the ODE") && svg.titles.contains("Deviation of SGD from the ODE"))
        #expect(svg.titles.contains { $0.hasPrefix("SGD (d = 64, B = 128, η = 0.005, double) against the overlap ODE") })
        for panel in 0..<2 { #expect(svg.seriesCount(panel: panel) == 2, "panel \(panel): \(svg.panels[panel])") }
        #expect(svg.dashedSeries(panel: 0) == [1], "the ODE is dashed, SGD solid")
        #expect(svg.markerSeries(panel: 0) == [0], "SGD has markers")
        #expect(svg.polylinePoints(panel: 0, series: 0).reduce(0, +) == 6, "linear time axis: all 6 records, t = 0 included")

        let sweepPlot = folder.appendingPathComponent("sweep.svg")
        let sweep = try runRiccati(["compare"] + sgdFlags + ["--lr-sweep", "0.005,0.0025", "--plot", sweepPlot.path])
        #expect(sweep.status == 0, "stderr: \(sweep.standardError)")
        let sweepSVG = try SVGSummary(contentsOf: sweepPlot)
        #expect(sweepSVG.panels.count == 3 && sweepSVG.polylinePoints(panel: 2, series: 0) == [2])
    }

    @Test func monotonicityPlotShowsMarginsAndDiagonalForWideTeachers() throws {
        let folder = try temporaryFolder()
        let plot = folder.appendingPathComponent("mono.svg")
        let run = try runRiccati(["monotonicity", "--r", "6", "--rs", "3", "--d", "256", "--t-end", "20", "--save-count", "6",
                                  "--plot", plot.path])
        #expect(run.status == 0, "stderr: \(run.standardError)")
        let svg = try SVGSummary(contentsOf: plot)
        #expect(svg.panels.count == 2)
        #expect(svg.titles.contains("Margin of G_A ⪯ G_B per tolerance τ"))
        #expect(svg.titles.contains { $0.hasPrefix("Comparison principle G_A(t) ⪯ G_B(t), Q0' = 1.25·Q0, r = 6") })
        #expect(svg.seriesCount(panel: 0) == 2 && svg.legend.prefix(2) == ["exact", "dopri5"])
        #expect(svg.seriesCount(panel: 1) == 4, "G_jj for j ≤ 4")
        #expect(svg.annotations.contains("violation below (m < −τ)"))
    }

    @Test func monotonicityPlotIsFigure3ForTwoDirections() throws {
        let folder = try temporaryFolder()
        let lambdas = folder.appendingPathComponent("lambda.npy")
        try writeNPY([2], [2, 1], to: lambdas)
        let plot = folder.appendingPathComponent("figure.svg")
        // --t-end 0.3 keeps the default ellipse times 0 and 0.25 (0.5 lies beyond T).
        let run = try runRiccati(["monotonicity", "--lambdas", lambdas.path, "--rs", "2", "--d", "1024", "--sigma0", "2",
                                  "--t-end", "0.3", "--save-count", "4", "--plot", plot.path, "--figure", folder.path])
        #expect(run.status == 0, "stderr: \(run.standardError)")
        let svg = try SVGSummary(contentsOf: plot)
        #expect(svg.titles.contains("Comparison principle and time monotonicity, r = 2 (Figure 3)"))
        #expect(svg.seriesCount(panel: 0) == 4, "A and B at t = 0 and 0.25")
        #expect(svg.seriesCount(panel: 1) == 3, "G_11, G_22, G_12")
        let figure3 = try String(contentsOf: folder.appendingPathComponent("figure3.svg"), encoding: .utf8)
        #expect(figure3 == (try String(contentsOf: plot, encoding: .utf8)), "--plot and --figure draw the same figure")
    }

    // MARK: Bad destinations are refused before any work

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
             { [try decode(IntegrateReport.self, $0).risk] }),
            (["monotonicity", "--r", "4", "--rs", "3", "--d", "256", "--t-end", "20", "--save-count", "5"],
             { run in try decode(MonotonicityReport.self, run).methods.sorted { $0.key < $1.key }.map(\.value.margin) }),
            (["sgd"] + sgdFlags, { [try decode(SGDReport.self, $0).risk] }),
            (["compare"] + sgdFlags, { run in let report = try decode(CompareReport.self, run); return [report.riskSGD, report.riskODE] }),
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

/// What the tests need to know of an SVGPlot document, collected with `XMLParser`: per panel
/// (`<g class="panel">`, or the whole document for a single figure) the number of points of
/// every `<polyline class="series">` by series, which series are dashed or have markers; the
/// titles, legend labels and reference-line annotations.
final class SVGSummary: NSObject, XMLParserDelegate {
    struct Panel {
        var polylines: [Int: [Int]] = [:]
        var dashed: Set<Int> = []
        var markers: Set<Int> = []
    }

    private(set) var panels: [Panel] = []
    private(set) var titles: [String] = []
    private(set) var legend: [String] = []
    private(set) var annotations: [String] = []
    private(set) var tickLabels: [String] = []
    /// Tick labels written as `10` with a superscript exponent (a logarithmic axis's decades).
    private(set) var decadeTickLabels: [String] = []
    private var textClass: String?
    private var textBuffer = ""
    private var textDepth = 0
    private var hasSuperscript = false

    init(contentsOf url: URL) throws {
        super.init()
        let parser = XMLParser(data: try Data(contentsOf: url))
        parser.delegate = self
        #expect(parser.parse(), "\(url.lastPathComponent) is not well-formed XML: \(String(describing: parser.parserError))")
        if panels.isEmpty { panels = [Panel()] }
    }

    func polylinePoints(panel: Int, series: Int) -> [Int] { panels[panel].polylines[series] ?? [] }
    func seriesCount(panel: Int) -> Int { panels[panel].polylines.count }
    func dashedSeries(panel: Int) -> Set<Int> { panels[panel].dashed }
    func markerSeries(panel: Int) -> Set<Int> { panels[panel].markers }
    /// A logarithmic axis labels its decades `10` with a superscript exponent.
    var hasLogTicks: Bool { !decadeTickLabels.isEmpty }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        let kind = attributes["class"] ?? ""
        switch name {
        case "g" where kind == "panel":
            panels.append(Panel())
        case "polyline" where kind == "series":
            if panels.isEmpty { panels.append(Panel()) }
            let series = Int(attributes["data-series"] ?? "") ?? -1
            let count = (attributes["points"] ?? "").split(separator: " ").count
            panels[panels.count - 1].polylines[series, default: []].append(count)
            if attributes["stroke-dasharray"] != nil { panels[panels.count - 1].dashed.insert(series) }
        case "circle" where kind == "marker":
            if panels.isEmpty { panels.append(Panel()) }
            panels[panels.count - 1].markers.insert(Int(attributes["data-series"] ?? "") ?? -1)
        case "title", "text":
            textClass = name == "title" ? "title" : kind; textBuffer = ""; textDepth = 0; hasSuperscript = false
        case "tspan":
            if textClass != nil { textDepth += 1; hasSuperscript = hasSuperscript || attributes["baseline-shift"] == "super" }
        default:
            break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if textClass != nil { textBuffer += string }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        guard let kind = textClass, name == "text" || name == "title" || name == "tspan" else { return }
        if name == "tspan" { textDepth -= 1; return }
        switch kind {
        case "title", "grid-title": titles.append(textBuffer)
        case "legend-label": legend.append(textBuffer)
        case "annotation": annotations.append(textBuffer)
        case let other where other.hasPrefix("tick-label"):
            tickLabels.append(textBuffer)
            if hasSuperscript && textBuffer.hasPrefix("10") { decadeTickLabels.append(textBuffer) }
        default: break
        }
        textClass = nil
    }
}
