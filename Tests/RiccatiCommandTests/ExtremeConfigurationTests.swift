import Foundation
import LinearAlgebra
import NumPyFormat
import Riccati
import Testing

/// One `riccati integrate --format json` run, parsed.
struct ExtremeRunReport {
    var times: [Double]
    var risk: [Double]
    var riskFloor: Double
    var spectra: [[Double]]
    var status: String
    /// Every number in the report (NaN, if any, would come out as `null` or a string and fail parsing to Double).
    var allNumbersFinite: Bool

    init(_ arguments: [String]) throws {
        let run = try runRiccati(["integrate", "--format", "json", "--save-count", "12"] + arguments)
        guard run.status == 0 else {
            throw CocoaError(.featureUnsupported, userInfo: [NSLocalizedDescriptionKey: "riccati integrate \(arguments): \(run.standardError)"])
        }
        #expect(!run.standardOutput.contains("nan") && !run.standardOutput.contains("NaN") && !run.standardOutput.contains("inf"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any])
        times = try #require(object["times"] as? [Double])
        risk = try #require(object["risk"] as? [Double])
        riskFloor = try #require(object["riskFloor"] as? Double)
        spectra = try #require(object["studentGramSpectrum"] as? [[Double]])
        status = try #require((object["stats"] as? [String: Any])?["status"] as? String)
        allNumbersFinite = (times + risk + [riskFloor] + spectra.flatMap { $0 }).allSatisfy(\.isFinite)
    }
}

/// Largest relative difference of two risk curves, relative to `max(|a|, scale)`.
func riskDeviation(_ a: [Double], _ b: [Double], scale: Double) -> Double {
    zip(a, b).map { abs($0 - $1) / max(abs($0), scale) }.max() ?? .infinity
}

/// Extreme but valid configurations: each runs with the exact propagator (both factorisations)
/// and DOPRI5, every output number is finite, the methods agree, and a known limit holds.
@Suite("Extreme configurations")
struct ExtremeConfigurationTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var arguments: [String]
        var finalTime: Double
        /// Tolerance of DOPRI5 (rtol 1e-9) against the exact propagator, relative to max(|R|, 1e-6).
        var tolerance: Double = 1e-6
        /// Whether the final risk must be the width floor R_min = 2 Σ_{j>r_s} λ_j² (within 1e-6 relative + 1e-9).
        var reachesFloor: Bool = true
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "α = 0 (equal λ)", arguments: ["--alpha", "0", "--r", "6", "--rs", "3", "--d", "200"], finalTime: 400),
        Case(name: "r = 1, r_s = 1", arguments: ["--r", "1", "--rs", "1", "--d", "50"], finalTime: 200),
        Case(name: "r_s > r", arguments: ["--r", "3", "--rs", "5", "--d", "100"], finalTime: 300, reachesFloor: false),
        Case(name: "d = 1e15", arguments: ["--r", "4", "--rs", "2", "--d", "1e15"], finalTime: 400),
        Case(name: "σ0 = 1e-8", arguments: ["--r", "4", "--rs", "2", "--d", "100", "--sigma0", "1e-8"], finalTime: 600),
        Case(name: "σ0 = 10", arguments: ["--r", "4", "--rs", "2", "--d", "100", "--sigma0", "10"], finalTime: 400),
    ]

    @Test("runs, stays finite, and the exact propagator's three forms and DOPRI5 agree", arguments: cases)
    func extremeCase(_ item: Case) throws {
        let common = item.arguments + ["--t-end", "\(item.finalTime)", "--seed", "3"]
        let exact = try ExtremeRunReport(common + ["--method", "exact"])   // LQ, the default
        let cholesky = try ExtremeRunReport(common + ["--method", "exact", "--factorization", "cholesky"])
        let root = try ExtremeRunReport(common + ["--method", "exact", "--factorization", "symmetricRoot"])
        let dopri = try ExtremeRunReport(common + ["--method", "dopri5", "--rtol", "1e-9", "--atol", "1e-12"])
        for report in [exact, cholesky, root, dopri] {
            #expect(report.allNumbersFinite)
            #expect(report.status == "success")
            // Gradient flow never increases the risk (up to the integrators' error, 1e-9 of R(0)).
            let initial = try #require(report.risk.first)
            for (a, b) in zip(report.risk, report.risk.dropFirst()) { #expect(b <= a + 1e-9 * initial) }
        }
        // Relative deviations, floored at 1e-4·R(0): near a zero floor only absolute errors mean anything.
        let scale = 1e-4 * (exact.risk.first ?? 1)
        #expect(riskDeviation(exact.risk, cholesky.risk, scale: scale) < 1e-9)
        #expect(riskDeviation(exact.risk, root.risk, scale: scale) < 1e-9)
        #expect(riskDeviation(exact.risk, dopri.risk, scale: scale) < item.tolerance)
        if item.reachesFloor {
            let final = try #require(exact.risk.last)
            #expect(abs(final - exact.riskFloor) <= 1e-6 * exact.riskFloor + 1e-9, "final risk \(final), floor \(exact.riskFloor)")
        }
    }

    /// At r_s ≥ 128 the Cholesky step splits its SYRK and GEMMs over two threads of its own;
    /// it must agree with the symmetric root (which does not split) as closely as at small r_s.
    @Test("the split Cholesky and LQ steps at r_s = 128 agree with the symmetric root")
    func splitCholeskyStep() throws {
        let common = ["--r", "160", "--rs", "128", "--d", "2048", "--t-end", "100", "--seed", "2", "--method", "exact"]
        let root = try ExtremeRunReport(common + ["--factorization", "symmetricRoot"])
        let split = try ExtremeRunReport(common + ["--factorization", "cholesky", "--step-exponent-cap", "12"])
        let scale = 1e-4 * (root.risk.first ?? 1)
        #expect(riskDeviation(root.risk, split.risk, scale: scale) < 1e-10)
        #expect(zip(root.spectra.flatMap { $0 }, split.spectra.flatMap { $0 }).allSatisfy { abs($0 - $1) < 1e-11 * max(1, abs($0)) })
        // The LQ form (the default) forms Q and solves escape trials in two halves at r_s ≥ 128.
        let lq = try ExtremeRunReport(common)
        #expect(riskDeviation(root.risk, lq.risk, scale: scale) < 1e-10)
        #expect(zip(root.spectra.flatMap { $0 }, lq.spectra.flatMap { $0 }).allSatisfy { abs($0 - $1) < 1e-11 * max(1, abs($0)) })
    }

    /// Negative control for the agreement checks above, and the reason for the Cholesky default
    /// cap: on the d = 1e15 case a cap of 32 (escape inside one step) is visibly off.
    @Test("negative control: d = 1e15 with a step exponent cap of 32 deviates")
    func capTooLargeIsDetected() throws {
        let common = ["--r", "4", "--rs", "2", "--d", "1e15", "--t-end", "400", "--seed", "3", "--method", "exact"]
        let reference = try ExtremeRunReport(common)
        let coarse = try ExtremeRunReport(common + ["--factorization", "cholesky", "--step-exponent-cap", "32"])
        let scale = 1e-4 * (reference.risk.first ?? 1)
        #expect(riskDeviation(reference.risk, coarse.risk, scale: scale) > 1e-7)
    }

    /// r_s > r: the floor is 0, and the orthogonal part decays only like 1/t (dP/dt = −8P² where
    /// M has converged), so the risk falls polynomially: R(t)·t² stays bounded.
    @Test("r_s > r: the risk decays to 0 polynomially")
    func overparameterised() throws {
        let report = try ExtremeRunReport(["--r", "3", "--rs", "5", "--d", "100", "--t-end", "1e4", "--seed", "3"])
        #expect(report.riskFloor == 0)
        let last = try #require(report.risk.last)
        #expect(last < 1e-4 && last > 0)
        #expect(last * 1e4 * 1e4 < 10)   // R ~ c/t² with c = O(1)
    }

    /// Some λ_j = 0: those directions are never learned; the final risk is the floor of the
    /// learnable ones, and M's column j decays (dM_j/dt = −4 K M_j).
    @Test("some λ_j = 0: the zero directions are not learned and the floor is reached")
    func zeroTeacherCoefficients() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let lambdas = folder.appendingPathComponent("lambda.npy")
        try writeNPY([5], [0.8, 0.5, 0, 0.3, 0], to: lambdas)
        let common = ["--lambdas", lambdas.path, "--rs", "3", "--d", "100", "--t-end", "500", "--seed", "4"]
        let exact = try ExtremeRunReport(common + ["--method", "exact"])
        let dopri = try ExtremeRunReport(common + ["--method", "dopri5", "--rtol", "1e-9", "--atol", "1e-12"])
        #expect(exact.allNumbersFinite && dopri.allNumbersFinite)
        #expect(riskDeviation(exact.risk, dopri.risk, scale: 1e-6) < 1e-6)
        // r_s = 3 covers the three nonzero λ: the floor is 0 and the risk gets there.
        #expect(exact.riskFloor == 0)
        #expect(try #require(exact.risk.last) < 1e-8)
    }

    /// t_end = 1e6 with the exact propagator: ~2·10⁵ capped steps, no drift, no NaN; the risk sits
    /// at the floor and the spectrum of K at the top r_s λ's.
    @Test("t_end = 1e6 with the exact propagator")
    func veryLongHorizon() throws {
        for factorization in ["symmetricRoot", "cholesky"] {
            let report = try ExtremeRunReport(["--r", "4", "--rs", "2", "--d", "100", "--t-end", "1e6", "--seed", "5",
                                              "--method", "exact", "--factorization", factorization])
            #expect(report.allNumbersFinite)
            let final = try #require(report.risk.last)
            #expect(abs(final - report.riskFloor) < 1e-12 * max(1, report.riskFloor), "\(factorization): \(final) vs \(report.riskFloor)")
            let spectrum = try #require(report.spectra.last).sorted(by: >)
            let lambda = try TeacherSpectrum.powerLaw(exponent: 1, count: 4).values
            #expect(abs(spectrum[0] - lambda[0]) < 1e-12 && abs(spectrum[1] - lambda[1]) < 1e-12, "\(spectrum)")
        }
    }
}

/// Divergence stops with the time or step, the last finite risk and a hint (exit 1), for the
/// fixed-step integrator and for SGD; the stable settings (negative controls) succeed.
@Suite("Divergence reports")
struct DivergenceTests {
    @Test("rk4 with an unstable step stops with the time, the last saved risk and a hint")
    func unstableRungeKutta() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("report.json").path
        let run = try runRiccati(["integrate", "--method", "rk4", "--step", "5", "--t-end", "100", "--format", "json", "--output", output])
        #expect(run.status == 1)
        let message = run.standardError
        #expect(message.hasPrefix("riccati: integration failed (nonFiniteState): rk4 diverged"))
        #expect(message.contains("at t = ") && message.contains("last saved risk ") && message.contains("use a smaller step"))
        #expect(message.filter { $0 == "\n" }.count == 1)
        // The report up to the failure is still written, and it holds no NaN.
        let report = try String(contentsOf: URL(fileURLWithPath: output), encoding: .utf8)
        #expect(report.contains("\"status\": \"nonFiniteState\"") && !report.lowercased().contains("nan"))
        // Negative control: a stable step succeeds.
        #expect(try runRiccati(["integrate", "--method", "rk4", "--step", "0.05", "--t-end", "100", "--format", "json"]).status == 0)
    }

    @Test("SGD divergence names the step, the last recorded risk and the η·d/B hint")
    func divergentSGD() throws {
        let run = try runRiccati(["sgd", "--d", "64", "--r", "4", "--rs", "3", "--batch", "16", "--lr", "5", "--steps", "200"])
        #expect(run.status == 1)
        #expect(run.standardError.contains("diverged at step") && run.standardError.contains("last recorded risk ")
                && run.standardError.contains("η·d/B"))
        #expect(try runRiccati(["sgd", "--d", "64", "--r", "4", "--rs", "3", "--batch", "16", "--lr", "0.001", "--steps", "200"]).status == 0)
    }
}
