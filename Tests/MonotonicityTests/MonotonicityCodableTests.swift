import Foundation
import LinearAlgebra
import Monotonicity
import Riccati
import Testing

@Suite struct MonotonicityCodableTests {
    /// The results of a comparison-principle run and of the time and sandwich checks survive
    /// JSON; a changed field is seen (negative control).
    @Test func resultsRoundTrip() throws {
        let spectrum = try TeacherSpectrum.powerLaw(exponent: 1, count: 2)
        let state = try randomState(r: 2, rs: 2, d: 100, sigma0: 1, seed: 5, smallInit: false)
        let runs = try ComparisonPrinciple.run(spectrum: spectrum, initialState: state, perturbation: .scaled(1.5), finalTime: 2,
                                               saveTimes: [0.5, 1, 1.5, 2], methods: [.exact(ExactPropagatorOptions())])
        let comparison = runs[0].comparison
        let decoded = try JSONDecoder().decode(TrajectoryComparison.self, from: try JSONEncoder().encode(comparison))
        #expect(decoded == comparison)
        var changed = comparison
        changed.comparisons[2].largestWitness[0] += 1
        #expect(decoded != changed)

        let analysis = try TimeMonotonicity.analyze(runs[0].lower)
        let analysisBack = try JSONDecoder().decode(TimeMonotonicity.self, from: try JSONEncoder().encode(analysis))
        #expect(analysisBack == analysis)
        var otherAnalysis = analysis
        otherAnalysis.entries[0].trend = otherAnalysis.entries[0].trend == .constant ? .increasing : .constant
        #expect(analysisBack != otherAnalysis)

        let sandwich = try SandwichCheck.check(runs[0].lower)
        let sandwichBack = try JSONDecoder().decode(SandwichCheck.self, from: try JSONEncoder().encode(sandwich))
        #expect(sandwichBack == sandwich)
        var otherSandwich = sandwich
        otherSandwich.tolerance *= 2
        #expect(sandwichBack != otherSandwich)
    }
}
