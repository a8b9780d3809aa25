import ChildProcesses
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

/// `--npy-dir`: the arrays equal the JSON report bit for bit, and numpy reads them.
@Suite struct ArrayOutputTests {
    @Test func integrateArraysEqualTheJSONReport() throws {
        let lambdas = try lambdasWithAZero()
        let folder = try temporaryFolder()
        let run = try runRiccati(["integrate", "--lambdas", lambdas.path, "--rs", "2", "--d", "64", "--t-end", "50",
                                  "--save-count", "6", "--format", "json", "--npy-dir", folder.path])
        #expect(run.status == 0, "stderr: \(run.standardError)")
        let report = try decode(IntegrateJSON.self, run)
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
        let report = try decode(SGDJSON.self, run)
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
        let report = try decode(CompareJSON.self, run)
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
        let report = try decode(MonotonicityJSON.self, run)
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
        (try? ChildProcess.run("/usr/bin/env", ["python3", "-c", "import numpy"]))?.termination == .exited(0)
    }()

    @Test(.enabled(if: ArrayOutputTests.numpyAvailable, "python3 with numpy is not installed"))
    func numpyLoadsTheIntegrateArrays() throws {
        let lambdas = try lambdasWithAZero()
        let folder = try temporaryFolder()
        let run = try runRiccati(["integrate", "--lambdas", lambdas.path, "--rs", "2", "--d", "64", "--t-end", "50",
                                  "--save-count", "6", "--format", "json", "--npy-dir", folder.path])
        #expect(run.status == 0, "stderr: \(run.standardError)")
        let report = try decode(IntegrateJSON.self, run)
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
        let python = try ChildProcess.run("/usr/bin/env", ["python3", "-c", script, folder.path] + names)
        let output = python.standardOutputText
        #expect(python.termination == .exited(0), "python: \(python.standardErrorText)")
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
}
