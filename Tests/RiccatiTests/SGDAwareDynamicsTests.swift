import Foundation
import LinearAlgebra
import Testing
import TestSupport
@testable import Riccati

/// The formulas for the SGD-aware dynamics, written directly in `(M, Q)` with `Q = WWᵀ`
/// and plain matrix products (no shared code with the library's `[M | P]` form): the independent
/// reference. `dropTraceTerm` removes `32 tr D · WDWᵀ` from `E[ggᵀ]`, `dropRiskTerm` removes
/// `8‖D‖²Q` from the limit drift: deliberately wrong formulas for the negative controls.
struct ReferenceSGDFormulas {
    let lambda: [Double]
    var dropTraceTerm = false
    var dropRiskTerm = false

    private func product(_ a: Matrix, _ b: Matrix, transposeB: Bool = false) -> Matrix {
        (try? BLAS.product(a, b, transposeB: transposeB)) ?? Matrix(rows: 0, columns: 0)
    }

    /// `(WDWᵀ, WD²Wᵀ, ‖D‖², tr D)` from `M` and `Q`.
    func moments(m: Matrix, q: Matrix) -> (Matrix, Matrix, Double, Double) {
        let l = Matrix.diagonal(lambda)
        let mlm = product(product(m, l), m, transposeB: true)
        let ml2m = product(product(m, product(l, l)), m, transposeB: true)
        let q2 = product(q, q)
        let wdw = q2 - mlm
        let wd2w = product(q2, q) - product(q, mlm) - product(mlm, q) + ml2m
        let normD = q2.trace - 2 * mlm.trace + lambda.reduce(0) { $0 + $1 * $1 }
        let traceD = q.trace - lambda.reduce(0, +)
        return (wdw, wd2w, normD, traceD)
    }

    /// `M + 4η(MΛ − QM)` and `Q − 8η WDWᵀ + η² E[ĝĝᵀ]`.
    func meanStep(m: Matrix, q: Matrix, eta: Double, batch: Int, dimension: Int, noise: Double) -> (Matrix, Matrix) {
        let (wdw, wd2w, normD, traceD) = moments(m: m, q: q)
        let d = Double(dimension), b = Double(batch)
        var gg = (8 * d + 40) * normD * q + (32 * (d + 4)) * wd2w + (4 * noise * noise * (d + 1)) * q
        if !dropTraceTerm { gg = gg + (32 * traceD) * wdw }
        let ghat = ((1 - 1 / b) * 16) * wd2w + (1 / b) * gg
        let nextM = m + (4 * eta) * (product(m, Matrix.diagonal(lambda)) - product(q, m))
        let nextQ = q - (8 * eta) * wdw + (eta * eta) * ghat
        return (nextM, nextQ)
    }

    /// `(dM/dt, dQ/dt)` of the limit ODE.
    func limitDerivative(m: Matrix, q: Matrix, c: Double, noise: Double) -> (Matrix, Matrix) {
        let (_, wd2w, normD, _) = moments(m: m, q: q)
        let l = Matrix.diagonal(lambda)
        let mlm = product(product(m, l), m, transposeB: true)
        let dm = 4 * (product(m, l) - product(q, m))
        var drift = 32 * wd2w + (4 * noise * noise) * q
        if !dropRiskTerm { drift = drift + (8 * normD) * q }
        let dq = 8 * (mlm - product(q, q)) + c * drift
        return (dm, dq)
    }

    /// `R = 2 (‖Q‖² − 2 tr(MΛMᵀ) + ‖λ‖²)`.
    func risk(m: Matrix, q: Matrix) -> Double { 2 * moments(m: m, q: q).2 }
}

/// Minibatch SGD from a given `W` with `Θ = [I_r 0]`, one step at a time, in plain loops.
struct DirectSGDStep {
    let lambda: [Double]
    let dimension: Int
    let batch: Int
    let eta: Double
    let noise: Double

    /// `W − ηĝ` for one fresh batch (`W` is `r_s×d`, row-major).
    func step(_ w: [Double], studentWidth rs: Int, random: inout GaussianPairs) -> [Double] {
        let d = dimension, r = lambda.count
        var gradient = [Double](repeating: 0, count: rs * d)
        var norm = 0.0
        for value in w { norm += value * value }
        var x = [Double](repeating: 0, count: d), z = [Double](repeating: 0, count: rs)
        var residualSum = 0.0
        for _ in 0..<batch {
            for c in 0..<d { x[c] = random.next() }
            var student = -norm
            for i in 0..<rs {
                var s = 0.0
                for c in 0..<d { s += w[i * d + c] * x[c] }
                z[i] = s
                student += s * s
            }
            var teacher = 0.0
            for j in 0..<r { teacher += lambda[j] * (x[j] * x[j] - 1) }
            let e = student - (teacher + noise * random.next())
            residualSum += e
            for i in 0..<rs { for c in 0..<d { gradient[i * d + c] += e * z[i] * x[c] } }
        }
        var next = w
        let scale = 2 * eta / Double(batch)
        for index in 0..<(rs * d) { next[index] -= scale * (gradient[index] - residualSum * w[index]) }
        return next
    }
}

/// Box–Muller pairs over `TestRandom` (both values of each pair used).
struct GaussianPairs {
    var random: TestRandom
    private var spare: Double?
    init(seed: UInt64) { random = TestRandom(state: seed) }
    mutating func next() -> Double {
        if let value = spare { spare = nil; return value }
        let radius = (-2 * log(random.uniform())).squareRoot(), angle = 2 * Double.pi * random.uniform()
        spare = radius * sin(angle)
        return radius * cos(angle)
    }
}

@Suite struct SGDAwareDynamicsTests {
    let spectrum = try! TeacherSpectrum([1.0, 0.6, 0.35, 0.2, 0.1])

    /// A random start of width `rs` in dimension `d` at scale `σ0`: `(M0, P0)` and `K0`.
    func start(rs: Int, d: Int, sigma0: Double, seed: UInt64) throws -> OverlapState {
        var random = TestRandom(state: seed)
        let r = spectrum.count
        let w = random.matrix(rs, d, scale: sigma0 / Double(d).squareRoot())
        var m = Matrix(rows: rs, columns: r), orthogonal = Matrix(rows: rs, columns: d - r)
        for i in 0..<rs {
            for c in 0..<d { if c < r { m[i, c] = w[i, c] } else { orthogonal[i, c - r] = w[i, c] } }
        }
        return try OverlapState(overlap: m, orthogonalGram: BLAS.gram(orthogonal))
    }

    /// The mean map reproduces the formulas, evaluated independently in `(M, Q)`, to 1e-9
    /// relative on the risk (and on `K`) over 600 steps through the escape, with label noise and a
    /// batch that makes every term count; the same formulas without the `32 tr D · WDWᵀ` term
    /// differ by more than 1e-5 (negative control).
    @Test func meanMapReproducesTheIndependentFormulas() throws {
        let rs = 4, d = 48, eta = 0.01, batch = 6, noise = 0.4
        let initial = try start(rs: rs, d: d, sigma0: 0.5, seed: 11)
        let parameters = MinibatchSGDParameters(learningRate: eta, batchSize: batch, dimension: d, labelNoise: noise)
        let dynamics = try QuadraticSGDMeanMap(spectrum: spectrum, studentWidth: rs, parameters: parameters)
        let saveSteps = stride(from: 0, through: 600, by: 50).map { $0 }
        let problem = try OverlapProblem(dynamics: dynamics, initialState: initial, finalTime: 600 * eta,
                                         saveTimes: saveSteps.map { Double($0) * eta })
        let solution = try solve(problem, method: nil)
        #expect(solution.status == .success, "\(solution.message)")
        #expect(solution.dynamics == .sgdMeanMap(parameters))
        for dropTraceTerm in [false, true] {
            let reference = ReferenceSGDFormulas(lambda: spectrum.values, dropTraceTerm: dropTraceTerm)
            var m = initial.overlap, q = initial.studentGram
            var worstRisk = 0.0, worstGram = 0.0
            for step in 0...600 {
                if let index = saveSteps.firstIndex(of: step) {
                    worstRisk = max(worstRisk, relativeDifference(solution.risk[index], reference.risk(m: m, q: q)))
                    worstGram = max(worstGram, relativeDifference(solution.states[index].studentGram, q))
                }
                (m, q) = reference.meanStep(m: m, q: q, eta: eta, batch: batch, dimension: d, noise: noise)
            }
            if dropTraceTerm {
                #expect(worstRisk > 1e-5, "dropping the trace term must be visible: \(worstRisk)")
            } else {
                #expect(worstRisk <= 1e-9, "risk: \(worstRisk)")
                #expect(worstGram <= 1e-9, "K: \(worstGram)")
            }
        }
        // The risk must have moved through the escape for the comparison to mean something.
        #expect(solution.risk.last! < 0.5 * solution.risk.first!)
    }

    /// The limit ODE by dopri5 at rtol 1e-10 agrees with an independent fixed-step RK4 of the
    /// issue's `(M, Q)` form (h = 2·10⁻³, error ~1e-10) to 1e-7 relative on the risk, with and
    /// without label noise; without the `8‖D‖²Q` term the reference is far off (negative control).
    @Test func limitODEReproducesTheIndependentFormulas() throws {
        let rs = 3, d = 64, c = 0.08, finalTime = 4.0
        let initial = try start(rs: rs, d: d, sigma0: 0.5, seed: 5)
        let saveTimes = [0.5, 1, 2, 3, 4.0]
        for noise in [0.0, 0.5] {
            let dynamics = try QuadraticSGDLimitFlow(spectrum: spectrum, studentWidth: rs, stepNoiseRatio: c, labelNoise: noise)
            let problem = try OverlapProblem(dynamics: dynamics, initialState: initial, finalTime: finalTime, saveTimes: saveTimes)
            var options = DormandPrinceOptions(relativeTolerance: 1e-10, absoluteTolerance: 1e-14)
            options.maxSteps = 1_000_000
            let solution = try solve(problem, method: .dormandPrince(options))
            #expect(solution.status == .success)
            for dropRiskTerm in [false, true] {
                let reference = ReferenceSGDFormulas(lambda: spectrum.values, dropRiskTerm: dropRiskTerm)
                var m = initial.overlap, q = initial.studentGram
                let h = 2e-3
                var worst = 0.0, t = 0.0, saveIndex = 0
                while saveIndex < saveTimes.count {
                    let (k1m, k1q) = reference.limitDerivative(m: m, q: q, c: c, noise: noise)
                    let (k2m, k2q) = reference.limitDerivative(m: m + (h / 2) * k1m, q: q + (h / 2) * k1q, c: c, noise: noise)
                    let (k3m, k3q) = reference.limitDerivative(m: m + (h / 2) * k2m, q: q + (h / 2) * k2q, c: c, noise: noise)
                    let (k4m, k4q) = reference.limitDerivative(m: m + h * k3m, q: q + h * k3q, c: c, noise: noise)
                    m = m + (h / 6) * (k1m + 2 * k2m + 2 * k3m + k4m)
                    q = q + (h / 6) * (k1q + 2 * k2q + 2 * k3q + k4q)
                    t += h
                    if abs(t - saveTimes[saveIndex]) < h / 2 {
                        worst = max(worst, relativeDifference(solution.risk[saveIndex], reference.risk(m: m, q: q)))
                        saveIndex += 1
                    }
                }
                if dropRiskTerm {
                    #expect(worst > 1e-3, "dropping 8‖D‖²Q must be visible: \(worst)")
                } else {
                    #expect(worst <= 1e-7, "ς = \(noise): \(worst)")
                }
            }
        }
    }

    /// A Monte-Carlo check of the one-step conditional mean: 2·10⁶ batches of `B = 3` from one fixed
    /// `W` (d = 5, large η so that the `η²E[ĝĝᵀ]` term is most of `Q' − Q`), the sample means of
    /// `M'` and `Q' = W'W'ᵀ` against the map, entry by entry in units of their standard errors:
    /// all within 4.5; the map without the `32 tr D · WDWᵀ` term is beyond 7 on some entry.
    @Test func oneStepMeanMatchesMonteCarlo() throws {
        let lambda = [1.0, 0.5]
        let spectrum = try TeacherSpectrum(lambda)
        let d = 5, r = 2, rs = 2, batch = 3, eta = 0.15, noise = 0.5
        var random = TestRandom(state: 2024)
        let w = random.matrix(rs, d, scale: 1).storage
        var m = Matrix(rows: rs, columns: r), orthogonal = Matrix(rows: rs, columns: d - r)
        for i in 0..<rs { for c in 0..<d { if c < r { m[i, c] = w[i * d + c] } else { orthogonal[i, c - r] = w[i * d + c] } } }
        let state = try OverlapState(overlap: m, orthogonalGram: BLAS.gram(orthogonal))
        let parameters = MinibatchSGDParameters(learningRate: eta, batchSize: batch, dimension: d, labelNoise: noise)
        let map = SGDMeanStepMap(spectrum: spectrum, studentWidth: rs, parameters: parameters)
        var next = [Double](repeating: 0, count: map.dimension)
        state.packed.withUnsafeBufferPointer { map.apply(state: $0.baseAddress!, next: &next) }
        let predicted = OverlapState(packed: next, studentWidth: rs, teacherWidth: r)
        let predictedQ = predicted.studentGram
        let (_, withoutTrace) = ReferenceSGDFormulas(lambda: lambda, dropTraceTerm: true)
            .meanStep(m: m, q: state.studentGram, eta: eta, batch: batch, dimension: d, noise: noise)

        // Sample means and variances of the entries of M' (r_s×r) and of Q' (upper triangle).
        let sgd = DirectSGDStep(lambda: lambda, dimension: d, batch: batch, eta: eta, noise: noise)
        var gaussians = GaussianPairs(seed: 77)
        let samples = 2_000_000
        let entries = rs * r + rs * (rs + 1) / 2
        var sum = [Double](repeating: 0, count: entries), sumSquares = sum
        var values = [Double](repeating: 0, count: entries)
        for _ in 0..<samples {
            let wNext = sgd.step(w, studentWidth: rs, random: &gaussians)
            var index = 0
            for i in 0..<rs { for j in 0..<r { values[index] = wNext[i * d + j]; index += 1 } }
            for i in 0..<rs {
                for j in i..<rs {
                    var s = 0.0
                    for c in 0..<d { s += wNext[i * d + c] * wNext[j * d + c] }
                    values[index] = s
                    index += 1
                }
            }
            for e in 0..<entries { sum[e] += values[e]; sumSquares[e] += values[e] * values[e] }
        }
        var zMap = 0.0, zWithoutTrace = 0.0
        var index = 0
        for i in 0..<rs {
            for j in 0..<r {
                let mean = sum[index] / Double(samples)
                let error = (sumSquares[index] / Double(samples) - mean * mean).squareRoot() / Double(samples).squareRoot()
                zMap = max(zMap, abs(mean - predicted.overlap[i, j]) / error)
                index += 1
            }
        }
        for i in 0..<rs {
            for j in i..<rs {
                let mean = sum[index] / Double(samples)
                let error = (sumSquares[index] / Double(samples) - mean * mean).squareRoot() / Double(samples).squareRoot()
                zMap = max(zMap, abs(mean - predictedQ[i, j]) / error)
                zWithoutTrace = max(zWithoutTrace, abs(mean - withoutTrace[i, j]) / error)
                index += 1
            }
        }
        #expect(zMap <= 4.5, "largest |z| of the mean map: \(zMap)")
        #expect(zWithoutTrace >= 7, "the map without the trace term must be detected: largest |z| \(zWithoutTrace)")
    }

    /// Without minibatch noise (`B → ∞`) the mean map is population gradient descent, and with
    /// `c = 0` the limit flow is the gradient flow (against the exact propagator).
    @Test func noiselessLimitsAreTheDeterministicDynamics() throws {
        let rs = 3, d = 40
        let initial = try start(rs: rs, d: d, sigma0: 1, seed: 3)
        let saveTimes = [1.0, 2, 3]
        let meanMap = try QuadraticSGDMeanMap(spectrum: spectrum, studentWidth: rs,
                                              parameters: MinibatchSGDParameters(learningRate: 0.01, batchSize: 1 << 50, dimension: d))
        let descent = try QuadraticPopulationGradientDescent(spectrum: spectrum, studentWidth: rs, learningRate: 0.01)
        let a = try solve(OverlapProblem(dynamics: meanMap, initialState: initial, finalTime: 3, saveTimes: saveTimes), method: nil)
        let b = try solve(OverlapProblem(dynamics: descent, initialState: initial, finalTime: 3, saveTimes: saveTimes), method: nil)
        for (x, y) in zip(a.risk, b.risk) { #expect(relativeDifference(x, y) <= 1e-11) }
        let limit = try QuadraticSGDLimitFlow(spectrum: spectrum, studentWidth: rs, stepNoiseRatio: 0)
        let flow = try solve(OverlapProblem(dynamics: limit, initialState: initial, finalTime: 3, saveTimes: saveTimes),
                             method: .dormandPrince(DormandPrinceOptions(relativeTolerance: 1e-11, absoluteTolerance: 1e-14)))
        let exact = try solve(OverlapProblem(spectrum: spectrum, initialState: initial, finalTime: 3, saveTimes: saveTimes),
                              method: .exact(ExactPropagatorOptions()))
        for (x, y) in zip(flow.risk, exact.risk) { #expect(relativeDifference(x, y) <= 1e-8) }
        // Negative control: with noise the mean map is measurably above gradient descent.
        let noisy = try QuadraticSGDMeanMap(spectrum: spectrum, studentWidth: rs,
                                            parameters: MinibatchSGDParameters(learningRate: 0.01, batchSize: 8, dimension: d))
        let c = try solve(OverlapProblem(dynamics: noisy, initialState: initial, finalTime: 3, saveTimes: saveTimes), method: nil)
        #expect(c.risk.last! > 1.05 * b.risk.last!)
    }

    /// At fixed `c = η·d/B` the mean map approaches the limit ODE as `η → 0`: its largest risk
    /// difference over `t ≤ 4` falls by a factor near 4 (first order, between 3 and 5) each time
    /// `η` is divided by 4 (`d` multiplied by 4); a limit ODE with the wrong `c` does not get closer.
    @Test func meanMapConvergesToTheLimitAtFirstOrder() throws {
        let rs = 3, batch = 8, c = 0.1
        let saveTimes = [0.5, 1, 1.5, 2, 3, 4.0]
        let base = try start(rs: rs, d: 64, sigma0: 0.5, seed: 9)
        var errors: [Double] = []
        var wrongErrors: [Double] = []
        for eta in [0.0125, 0.003125, 0.00078125] {
            let d = Int((c * Double(batch) / eta).rounded())
            let parameters = MinibatchSGDParameters(learningRate: eta, batchSize: batch, dimension: d)
            let map = try solve(OverlapProblem(dynamics: QuadraticSGDMeanMap(spectrum: spectrum, studentWidth: rs, parameters: parameters),
                                               initialState: base, finalTime: 4, saveTimes: saveTimes), method: nil)
            let tight = DormandPrinceOptions(relativeTolerance: 1e-11, absoluteTolerance: 1e-14)
            let limit = try solve(OverlapProblem(dynamics: QuadraticSGDLimitFlow(spectrum: spectrum, studentWidth: rs, parameters: parameters),
                                                 initialState: base, finalTime: 4, saveTimes: saveTimes), method: .dormandPrince(tight))
            let wrong = try solve(OverlapProblem(dynamics: QuadraticSGDLimitFlow(spectrum: spectrum, studentWidth: rs, stepNoiseRatio: 1.2 * c),
                                                 initialState: base, finalTime: 4, saveTimes: saveTimes), method: .dormandPrince(tight))
            try #require(map.status == .success && limit.status == .success && wrong.status == .success,
                         "\(map.message) | \(limit.message) | \(wrong.message)")
            errors.append(zip(map.risk, limit.risk).map { relativeDifference($0, $1) }.max() ?? .nan)
            wrongErrors.append(zip(map.risk, wrong.risk).map { relativeDifference($0, $1) }.max() ?? .nan)
        }
        for index in 1..<errors.count {
            let ratio = errors[index - 1] / errors[index]
            #expect(ratio > 3 && ratio < 5, "errors \(errors)")
        }
        #expect(wrongErrors.last! > 10 * errors.last!, "wrong c: \(wrongErrors), right: \(errors)")
    }

    /// Bad parameters are refused by name before any work; the exact propagator is refused for both.
    @Test func badParametersAreRefused() throws {
        func refusal(_ parameters: MinibatchSGDParameters) -> [String]? {
            do { _ = try QuadraticSGDMeanMap(spectrum: spectrum, studentWidth: 2, parameters: parameters); return nil } catch {
                return error.parameterNames
            }
        }
        let good = MinibatchSGDParameters(learningRate: 0.01, batchSize: 4, dimension: 32, labelNoise: 0.1)
        #expect(refusal(good) == nil)
        var p = good; p.learningRate = 0; #expect(refusal(p) == ["learningRate"])
        p = good; p.learningRate = .nan; #expect(refusal(p) == ["learningRate"])
        p = good; p.batchSize = 0; #expect(refusal(p) == ["batchSize"])
        p = good; p.dimension = 4; #expect(refusal(p) == ["dimension", "spectrum"])
        p = good; p.labelNoise = -1; #expect(refusal(p) == ["labelNoise"])
        p = good; p.labelNoise = .infinity; #expect(refusal(p) == ["labelNoise"])
        p = good; p.learningRate = 1e300; p.dimension = Int.max; #expect(refusal(p) == ["learningRate", "dimension", "batchSize"])
        #expect(throws: RiccatiError.self) { try QuadraticSGDLimitFlow(spectrum: spectrum, studentWidth: 2, stepNoiseRatio: -0.1) }
        let initial = try start(rs: 2, d: 32, sigma0: 1, seed: 1)
        let limit = try QuadraticSGDLimitFlow(spectrum: spectrum, studentWidth: 2, parameters: good)
        let problem = try OverlapProblem(dynamics: limit, initialState: initial, finalTime: 1, saveTimes: [1])
        #expect(throws: RiccatiError.self) { try solve(problem, method: .exact(ExactPropagatorOptions())) }
        let map = try QuadraticSGDMeanMap(spectrum: spectrum, studentWidth: 2, parameters: good)
        #expect(throws: RiccatiError.self) { try OverlapProblem(dynamics: map, initialState: initial, finalTime: 1, saveTimes: [0.015]) }
    }

    /// A diverging mean map (η far too large) ends with `nonFiniteState` and the saves before it.
    @Test func divergingMeanMapEndsWithAStatus() throws {
        let initial = try start(rs: 2, d: 32, sigma0: 1, seed: 1)
        let map = try QuadraticSGDMeanMap(spectrum: spectrum, studentWidth: 2,
                                          parameters: MinibatchSGDParameters(learningRate: 0.5, batchSize: 1, dimension: 32, labelNoise: 1))
        let solution = try solve(OverlapProblem(dynamics: map, initialState: initial, finalTime: 500, saveTimes: [0, 1, 500]), method: nil)
        #expect(solution.status == .nonFiniteState)
        #expect(solution.risk.allSatisfy { $0.isFinite })
        #expect(solution.times.count < 3)
    }

    /// Solutions of both dynamics encode and decode with their parameters, and the descriptor rebuilds them.
    @Test func solutionsRoundTripWithTheirDynamics() throws {
        let initial = try start(rs: 2, d: 32, sigma0: 1, seed: 1)
        let parameters = MinibatchSGDParameters(learningRate: 0.02, batchSize: 4, dimension: 32, labelNoise: 0.25)
        let map = try QuadraticSGDMeanMap(spectrum: spectrum, studentWidth: 2, parameters: parameters)
        let limit = try QuadraticSGDLimitFlow(spectrum: spectrum, studentWidth: 2, parameters: parameters)
        for (dynamics, method) in [(map as any EffectiveDynamics, nil as IntegrationMethod?), (limit, .dormandPrince(DormandPrinceOptions()))] {
            let solution = try solve(OverlapProblem(dynamics: dynamics, initialState: initial, finalTime: 1, saveTimes: [0.5, 1]), method: method)
            let decoded = try JSONDecoder().decode(Solution.self, from: JSONEncoder().encode(solution))
            #expect(decoded.dynamics == dynamics.descriptor)
            let rebuilt = try #require(try decoded.dynamics.dynamics(spectrum: spectrum, studentWidth: 2))
            #expect(rebuilt.name == dynamics.name)
        }
        #expect(limit.stepNoiseRatio == 0.02 * 32 / 4)
    }
}

/// Both SGD-aware dynamics evaluate their products in two parts: on one thread or on two, the
/// solutions are the same bits (at `r_s·r = 16384`, where two lanes are used); a different
/// batch size is not (negative control).
@Suite struct SGDAwareThreadTests {
    @Test func oneAndTwoThreadsGiveTheSameBits() throws {
        let rs = 64, r = 256, d = 4096
        let spectrum = try TeacherSpectrum.powerLaw(exponent: 1, count: r)
        let initial = try RandomInitialization(studentWidth: rs, teacherWidth: r, dimension: Double(d), sigma0: 0.5, seed: 4).sample()
        let parameters = MinibatchSGDParameters(learningRate: 0.001, batchSize: 64, dimension: d, labelNoise: 0.3)
        let map = try QuadraticSGDMeanMap(spectrum: spectrum, studentWidth: rs, parameters: parameters)
        let limit = try QuadraticSGDLimitFlow(spectrum: spectrum, studentWidth: rs, parameters: parameters)
        var solutions: [[Solution]] = []
        for threads in [1, 2] {
            let a = try solve(OverlapProblem(dynamics: map, initialState: initial, finalTime: 0.05, saveTimes: [0.02, 0.05]),
                              method: nil, threads: threads)
            let b = try solve(OverlapProblem(dynamics: limit, initialState: initial, finalTime: 0.05, saveTimes: [0.02, 0.05]),
                              method: .dormandPrince(DormandPrinceOptions()), threads: threads)
            #expect(a.status == .success && b.status == .success)
            solutions.append([a, b])
        }
        #expect(solutions[0][0].states == solutions[1][0].states)
        #expect(solutions[0][1].states == solutions[1][1].states)
        var other = parameters
        other.batchSize = 65
        let c = try solve(OverlapProblem(dynamics: QuadraticSGDMeanMap(spectrum: spectrum, studentWidth: rs, parameters: other),
                                         initialState: initial, finalTime: 0.05, saveTimes: [0.02, 0.05]), method: nil, threads: 2)
        #expect(c.states != solutions[1][0].states)
    }
}
