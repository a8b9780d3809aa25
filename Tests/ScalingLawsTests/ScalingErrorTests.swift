import Foundation
import Riccati
import SGD
import ScalingLaws
import Testing

@Suite struct ScalingErrorTests {
    @Test func predictionAndFitNameTheirParameters() throws {
        let spectrum = try TeacherSpectrum.powerLaw(exponent: 1, count: 4)
        #expect(throws: RiccatiError.invalidParameter(name: "studentWidth", value: "0", reason: "must be ≥ 1")) {
            try ScalingPrediction(spectrum: spectrum, studentWidth: 0, dimension: 100, sigma0: 1)
        }
        #expect(throws: RiccatiError.invalidParameter(name: "dimension", value: "-1.0", reason: "must be finite and > 0")) {
            try ScalingPrediction(spectrum: spectrum, studentWidth: 2, dimension: -1, sigma0: 1)
        }
        #expect(throws: RiccatiError.invalidParameter(name: "sigma0", value: "nan", reason: "must be finite and > 0")) {
            try ScalingPrediction(spectrum: spectrum, studentWidth: 2, dimension: 100, sigma0: .nan)
        }
        // The fit: y = 3 x^{-2} gives −2 to round-off (negative control for the errors below).
        let x = [1.0, 2, 4, 8]
        #expect(abs(try PowerLawFit.slope(x: x, y: x.map { 3 * pow($0, -2) }) + 2) < 1e-14)
        do {
            _ = try PowerLawFit.slope(x: x, y: [1])
            Issue.record("mismatched lengths must be refused")
        } catch {
            #expect(error.parameterNames == ["x", "y"])
        }
        do {
            _ = try PowerLawFit.slope(x: x, y: x, window: 100...200)
            Issue.record("an empty window must be refused")
        } catch {
            #expect(error.parameterNames == ["x", "y", "window"])
            #expect(error.message(naming: { $0 == "window" ? "--window" : $0 }).hasPrefix("x, y, --window: "))
        }
        #expect(throws: RiccatiError.invalidParameter(
            name: "x", value: "", reason: "must not be all equal among the fitted points (a slope fit needs two abscissae)")) {
            try PowerLawFit.slope(x: [2, 2, 2], y: [1, 2, 3])
        }
    }

    @Test func sweepValidationNamesTheGridLists() throws {
        let base = ScalingSweep(alphas: [1], teacherWidths: [8], studentWidths: [8], dimensions: [100], seeds: [0])
        try base.validate()
        var cases: [(ScalingSweep, RiccatiError)] = []
        var sweep = base; sweep.alphas = []
        cases.append((sweep, .invalidParameter(name: "alphas", value: "[]", reason: "must hold at least one value")))
        sweep = base; sweep.seeds = []
        cases.append((sweep, .invalidParameter(name: "seeds", value: "[]", reason: "must hold at least one value")))
        sweep = base; sweep.saveCount = 1
        cases.append((sweep, .invalidParameter(name: "saveCount", value: "1", reason: "must lie in [2, 100000]")))
        sweep = base; sweep.jobs = 0
        cases.append((sweep, .invalidParameter(name: "jobs", value: "0", reason: "must lie in [1, 64]")))
        sweep = base; sweep.finalTime = -1
        cases.append((sweep, .invalidParameter(name: "finalTime", value: "-1.0", reason: "must be finite and > 0")))
        sweep = base; sweep.ranks = (3, 2)
        cases.append((sweep, .invalidParameter(name: "ranks", value: "(3, 2)", reason: "must satisfy 1 ≤ lower < upper")))
        sweep = base; sweep.dimensions = Array(repeating: 100, count: 10_001)
        cases.append((sweep, .exceedsLimit(names: ["alphas", "teacherWidths", "studentWidths", "dimensions", "seeds"],
                                           reason: "the sweep grid has 10001 points; at most 10000")))
        for (sweep, expected) in cases {
            #expect(throws: expected) { try sweep.validate() }
            #expect(throws: expected) { try sweep.run() }
        }
        // A grid entry refused by the Riccati module (d = 5 < r_s = 8) is still a RiccatiError.
        sweep = base; sweep.dimensions = [5]
        #expect(throws: RiccatiError.self) { try sweep.validate() }
    }

    @Test func frontierValidatesEveryWidthFirst() throws {
        let base = try SGDTestConfiguration.make()
        #expect(throws: SGDError.invalidParameter(name: "widths", value: "[]", reason: "must hold at least one width")) {
            try ComputeFrontier.run(base: base, widths: [], precision: Double.self)
        }
        #expect(throws: SGDError.invalidParameter(name: "gridCount", value: "1", reason: "must be ≥ 2")) {
            try ComputeFrontier.run(base: base, widths: [2], gridCount: 1, precision: Double.self)
        }
        // The second width is refused before the first one runs (a run of 10⁹ steps would not return).
        var long = base
        long.steps = 1_000_000_000
        #expect(throws: SGDError.invalidParameter(name: "widths", value: "0", reason: "must be ≥ 1")) {
            try ComputeFrontier.run(base: long, widths: [2, 0], precision: Double.self)
        }
        #expect(throws: SGDError.incompatibleParameters(
            names: ["dimension", "widths"], reason: "the dimension d = 20 must be at least the student width r_s = 40")) {
            try ComputeFrontier.run(base: long, widths: [2, 40], precision: Double.self)
        }
        #expect(throws: SGDError.invalidParameter(
            name: "curves", value: "", reason: "must hold at least two recorded points with positive compute and risk, at different compute")) {
            try ComputeFrontier.envelope(of: [], gridCount: 10)
        }
    }
}

/// A small SGD configuration for the frontier's checks.
enum SGDTestConfiguration {
    static func make() throws -> SGDConfiguration {
        SGDConfiguration(spectrum: try .powerLaw(exponent: 1, count: 3), dimension: 20, studentWidth: 2, batchSize: 16,
                         learningRate: 1e-3, steps: 10)
    }
}
