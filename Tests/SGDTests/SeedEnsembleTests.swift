import Foundation
import LinearAlgebra
import Riccati
@testable import SGD
import Synchronization
import Testing

/// A small ensemble set-up: d = 32, r = 3, r_s = 2, B = 8, η = 0.01, 100 steps, 6 records.
func smallEnsembleBase(seed: UInt64 = 7, teacher: TeacherDirections = .canonical) throws -> SGDConfiguration {
    var configuration = SGDConfiguration(spectrum: try TeacherSpectrum.powerLaw(exponent: 1, count: 3), dimension: 32,
                                         studentWidth: 2, batchSize: 8, learningRate: 0.01, steps: 100)
    configuration.sigma0 = 0.5
    configuration.seed = seed
    configuration.teacher = teacher
    configuration.saveSteps = (0...5).map { $0 * 20 }
    return configuration
}

/// The issue's acceptance set-up: r = r_s = 4, α = 1 (normalised), σ0 = 0.3, records every 0.1.
func acceptanceBase(dimension: Int, batch: Int, learningRate: Double, finalTime: Double, noise: Double) throws -> SGDConfiguration {
    let steps = Int((finalTime / learningRate).rounded())
    var configuration = SGDConfiguration(spectrum: try TeacherSpectrum.powerLaw(exponent: 1, count: 4), dimension: dimension,
                                         studentWidth: 4, batchSize: batch, learningRate: learningRate, steps: steps)
    configuration.sigma0 = 0.3
    configuration.labelNoise = noise
    configuration.saveSteps = try configuration.saveSteps(for: .uniform(count: Int((finalTime * 10).rounded())))
    return configuration
}

@Suite("Seed ensembles: mean and standard error of independent SGD runs against the predictions")
struct SeedEnsembleTests {
    init() { BLAS.setThreadCount(1) }

    /// `N` runs through `SGDSimulator` alone, seeds `first`, `first + 1`, …, from the base seed's
    /// `W0` and `Θ` (read off a simulator of the base configuration).
    static func directRisks(base: SGDConfiguration, first: UInt64, count: Int) throws -> [[Double]] {
        let simulator = try SGDSimulator<Double>(configuration: base)
        var risks: [[Double]] = []
        for offset in 0..<count {
            var configuration = base
            configuration.seed = first + UInt64(offset)
            configuration.initialWeights = simulator.currentWeights
            if let theta = simulator.thetaDouble { configuration.teacher = .given(theta) }
            risks.append(try SGDSimulator<Double>(configuration: configuration).run().risk)
        }
        return risks
    }

    @Test("mean and standard error equal a recomputation from separate runs; a seed offset by one is detected",
          arguments: [TeacherDirections.canonical, .random])
    func meanAndStandardErrorAreExact(teacher: TeacherDirections) throws {
        let base = try smallEnsembleBase(teacher: teacher)
        let result = try SeedEnsemble(base: base, seeds: 3, jobs: 2).run(precision: Double.self)
        let direct = try Self.directRisks(base: base, first: 7, count: 3)
        #expect(result.completed && result.seeds == [7, 8, 9] && result.times.count == 6)
        #expect(result.risks == direct)
        let mean = result.times.indices.map { k in (direct[0][k] + direct[1][k] + direct[2][k]) / 3 }
        let error = result.times.indices.map { k in
            (((direct[0][k] - mean[k]) * (direct[0][k] - mean[k]) + (direct[1][k] - mean[k]) * (direct[1][k] - mean[k])
              + (direct[2][k] - mean[k]) * (direct[2][k] - mean[k])) / 2).squareRoot() / 3.0.squareRoot()
        }
        #expect(result.riskMean == mean)
        #expect(result.riskStandardError == error)
        // The runs share W0: identical risk at t = 0, a zero standard error there, spread later.
        #expect(result.riskStandardError[0] == 0 && result.riskStandardError[5] > 0)
        // Negative control: seeds 8, 9, 10 (a wrong offset) give another mean.
        let shifted = try Self.directRisks(base: base, first: 8, count: 3)
        let shiftedMean = result.times.indices.map { k in (shifted[0][k] + shifted[1][k] + shifted[2][k]) / 3 }
        #expect(shiftedMean != result.riskMean)
        #expect(zip(shiftedMean, mean).dropFirst().allSatisfy { $0 != $1 })
    }

    @Test("one run: the standard error is NaN, the mean is the run")
    func oneSeed() throws {
        let base = try smallEnsembleBase()
        let result = try SeedEnsemble(base: base, seeds: 1, jobs: 2).run(precision: Double.self)
        #expect(result.riskMean == result.risks[0])
        #expect(result.riskStandardError.allSatisfy { $0.isNaN })
        let comparison = try SeedEnsembleComparison.compare(result, configuration: base)
        let aware = try #require(comparison.sgdAwareDeviation)
        #expect(aware.standardErrors.dropFirst().allSatisfy { $0.isNaN })
        #expect(aware.meanStandardErrors.isNaN)
    }

    @Test("every run is bit-identical for jobs 1 and 2 and threads 1 and 2; another base seed differs")
    func jobsDoNotChangeTheNumbers() throws {
        var base = try smallEnsembleBase(teacher: .random)
        base.threads = 2
        let two = try SeedEnsemble(base: base, seeds: 5, jobs: 2).run(precision: Double.self)
        base.threads = 1
        let one = try SeedEnsemble(base: base, seeds: 5, jobs: 1).run(precision: Double.self)
        #expect(one.risks == two.risks && one.seeds == two.seeds && one.times == two.times && one.initialState == two.initialState)
        #expect(one.risks.count == 5 && one.risks.allSatisfy { $0.allSatisfy { $0.isFinite } })
        let float1 = try SeedEnsemble(base: base, seeds: 3, jobs: 1).run(precision: Float.self)
        let float2 = try SeedEnsemble(base: base, seeds: 3, jobs: 2).run(precision: Float.self)
        #expect(float1.risks == float2.risks && float1.risks != Array(one.risks.prefix(3)))
        // Negative control: the comparison is sensitive (another base seed, another W0 and data).
        base.seed = 8
        let other = try SeedEnsemble(base: base, seeds: 5, jobs: 1).run(precision: Double.self)
        #expect(other.risks != one.risks && other.initialState != one.initialState)
    }

    @Test("a stop after two runs keeps the two runs and reports an incomplete ensemble")
    func interruption() throws {
        let base = try smallEnsembleBase()
        let finished = Atomic<Int>(0)
        let result = try SeedEnsemble(base: base, seeds: 6, jobs: 1).run(
            precision: Double.self, progress: { finished.store($0, ordering: .sequentiallyConsistent) },
            shouldStop: { finished.load(ordering: .sequentiallyConsistent) >= 2 })
        #expect(!result.completed && result.seeds == [7, 8] && result.risks.count == 2)
        let complete = try SeedEnsemble(base: base, seeds: 2, jobs: 1).run(precision: Double.self)
        #expect(complete.completed && complete.risks == result.risks)
    }

    @Test("bad parameters are refused before any run, naming them")
    func refusals() throws {
        let base = try smallEnsembleBase()
        for (seeds, jobs, name) in [(0, 1, "seeds"), (10_001, 1, "seeds"), (2, 0, "jobs"), (2, 65, "jobs")] {
            #expect(throws: SGDError.self) { try SeedEnsemble(base: base, seeds: seeds, jobs: jobs).validate() }
            do { try SeedEnsemble(base: base, seeds: seeds, jobs: jobs).validate() } catch { #expect(error.parameterNames == [name]) }
        }
        var long = base
        long.steps = 1_000_000
        long.saveSteps = Array(0...99_999)
        do {
            try SeedEnsemble(base: long, seeds: 10_000).validate()
            Issue.record("10000 series of 1e5 records were accepted")
        } catch {
            #expect(error.parameterNames == ["seeds", "saveSteps"])
        }
    }

    @Test("a mean map that diverges is kept as far as it got, with a note; the gradient flow is unaffected")
    func divergingMeanMap() throws {
        // Two runs at a harmless rate (η·d/B = 0.08), then compared as if run at B = 1 and
        // d = 10⁴ (η·d/B = 200): the mean map's noise term explodes within a few steps.
        var base = try smallEnsembleBase()
        base.learningRate = 0.02
        base.steps = 20
        base.saveSteps = Array(0...20)
        let result = try SeedEnsemble(base: base, seeds: 2).run(precision: Double.self)
        var claimed = base
        claimed.batchSize = 1
        claimed.dimension = 10_000
        let comparison = try SeedEnsembleComparison.compare(result, configuration: claimed)
        let sgdAware = try #require(comparison.sgdAware)
        #expect(sgdAware.status == .nonFiniteState)
        #expect(sgdAware.times.count < result.times.count)
        #expect(comparison.sgdAwareNote?.contains("diverged") == true)
        #expect(try #require(comparison.sgdAwareDeviation).risk.last?.isNaN == true)
        #expect(comparison.gradientFlow.times.count == result.times.count)
        #expect(comparison.completed)
        // Control: at the runs' own B the mean map reaches every time.
        let own = try SeedEnsembleComparison.compare(result, configuration: base)
        #expect(own.sgdAwareNote == nil && own.sgdAware?.times.count == result.times.count)
    }

    /// The issue's acceptance (MODEL.md): η·d/B = 0.08 (d = 512, B = 16, η = 0.0025), 40 seeds,
    /// t ≤ 5; a numpy check measured a mean relative deviation over t ≥ 1 of 0.045 for the mean
    /// map and 0.43 for the gradient flow. With `W0` held fixed the mean map's deviation depends
    /// on `W0`: a direction whose initial overlap is small escapes earlier in SGD (fluctuations)
    /// than in the mean. Over ten draws of `W0` (base seeds 0, 1000, …, 9000) it measured 0.010 …
    /// 0.127 (mean 0.067; three above 0.10), the gradient flow 0.41 … 1.39; the test runs the first
    /// four draws (0.117, 0.058, 0.127, 0.032 against 0.52, 0.64, 0.44, 0.84).
    @Test("η·d/B = 0.08, 40 seeds, four draws of W0: the SGD-aware prediction is within 10% on average and a third of the gradient flow's deviation")
    func sgdAwarePredictionTracksTheMean() throws {
        var base = try acceptanceBase(dimension: 512, batch: 16, learningRate: 0.0025, finalTime: 5, noise: 0)
        var aware: [Double] = [], flow: [Double] = [], flowErrors: [Double] = []
        for seed: UInt64 in [0, 1000, 2000, 3000] {
            base.seed = seed
            let started = ContinuousClock.now
            let comparison = try SeedEnsembleComparison.run(SeedEnsemble(base: base, seeds: 40, jobs: 2), precision: Double.self)
            let a = try #require(comparison.sgdAwareDeviation), f = comparison.gradientFlowDeviation
            print(String(format: "acceptance η·d/B = %.3g, W0 of seed %d, 40 seeds (%.1f s): mean relative deviation over t ≥ 1: SGD-aware %.4f, "
                         + "gradient flow %.4f; mean/max standard errors: SGD-aware %.2f/%.2f, gradient flow %.2f/%.2f",
                         comparison.stepNoiseRatio, Int(seed), (ContinuousClock.now - started).seconds, a.meanRelative, f.meanRelative,
                         a.meanStandardErrors, a.maxStandardErrors, f.meanStandardErrors, f.maxStandardErrors))
            #expect(comparison.completed && comparison.sgdAwareNote == nil && comparison.ensemble.seeds.count == 40)
            #expect(abs(comparison.stepNoiseRatio - 0.08) < 1e-12)
            #expect(a.meanRelative <= f.meanRelative / 3, "W0 of seed \(seed)")
            aware.append(a.meanRelative)
            flow.append(f.meanRelative)
            flowErrors.append(f.meanStandardErrors)
        }
        let meanAware = aware.reduce(0, +) / 4, meanFlow = flow.reduce(0, +) / 4
        print(String(format: "acceptance over four W0: SGD-aware %.4f, gradient flow %.4f", meanAware, meanFlow))
        #expect(meanAware <= 0.10)
        #expect(meanAware <= meanFlow / 3)
        // Negative control: the statistic detects a prediction that ignores the noise (the
        // gradient flow is off by more than 10%, and by many standard errors, for every W0).
        #expect(flow.allSatisfy { $0 > 0.10 } && flowErrors.allSatisfy { $0 > 5 })
    }

    /// Label noise ς = 0.5 (d = 256, B = 32, η = 0.005, t = 10, 20 seeds): the mean map predicts
    /// the noise floor (numpy: 0.0463 against 0.0483 ± 0.001) where the gradient flow's risk goes to 0.
    @Test("label noise ς = 0.5: the predicted floor is within 10% of the SGD mean, the gradient flow below a tenth of it")
    func labelNoiseFloor() throws {
        let base = try acceptanceBase(dimension: 256, batch: 32, learningRate: 0.005, finalTime: 10, noise: 0.5)
        let comparison = try SeedEnsembleComparison.run(SeedEnsemble(base: base, seeds: 20, jobs: 2), precision: Double.self)
        let last = comparison.ensemble.times.count - 1
        let mean = comparison.ensemble.riskMean[last], error = comparison.ensemble.riskStandardError[last]
        let awareDeviation = try #require(comparison.sgdAwareDeviation)
        let aware = awareDeviation.risk[last], flow = comparison.gradientFlowDeviation.risk[last]
        print(String(format: "label noise ς = 0.5, 20 seeds, t = %.4g: SGD mean %.4f ± %.4f, SGD-aware %.4f (%.1f SE), gradient flow %.3e",
                     comparison.ensemble.times[last], mean, error, aware, awareDeviation.standardErrors[last], flow))
        #expect(abs(aware - mean) / mean <= 0.10)
        #expect(flow < mean / 10)
        // Negative control: the same map without the label noise misses the floor by far.
        var quiet = base
        quiet.labelNoise = 0
        let noiseless = try SeedEnsembleComparison.compare(comparison.ensemble, configuration: quiet)
        #expect(abs(try #require(noiseless.sgdAwareDeviation).risk[last] - mean) / mean > 0.5)
    }
}
