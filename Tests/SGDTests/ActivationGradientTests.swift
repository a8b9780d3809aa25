import Foundation
import LinearAlgebra
import Riccati
@testable import SGD
import Testing

/// The 2-homogeneous student with a general activation (MODEL.md, "General activations"), straight
/// from the definitions, in double precision: `f_W(x) − f*(x)` with
/// `f_W(x) = Σ_i ‖w_i‖² σ(⟨w_i, x⟩/‖w_i‖)` and the canonical teacher `f*(x) = Σ_j λ_j σ(x_j)`.
func generalResidual(_ w: Matrix, _ x: ArraySlice<Double>, lambda: [Double], activation: Activation) -> Double {
    var student = 0.0
    for i in 0..<w.rows {
        var projection = 0.0, squaredNorm = 0.0
        for c in 0..<w.columns { projection += w[i, c] * x[x.startIndex + c]; squaredNorm += w[i, c] * w[i, c] }
        student += squaredNorm * activation.value(projection / squaredNorm.squareRoot())
    }
    var teacher = 0.0
    for (j, value) in lambda.enumerated() { teacher += value * activation.value(x[x.startIndex + j]) }
    return student - teacher
}

/// `(M, P)` of `W` for the canonical teacher: `M` its first `r` columns, `P` the Gram of the rest.
func canonicalOverlaps(_ w: Matrix, teacherWidth r: Int) throws -> OverlapState {
    var m = Matrix(rows: w.rows, columns: r), rest = Matrix(rows: w.rows, columns: w.columns - r)
    for i in 0..<w.rows {
        for c in 0..<w.columns { if c < r { m[i, c] = w[i, c] } else { rest[i, c - r] = w[i, c] } }
    }
    var p = BLAS.gram(rest)
    p.symmetrize()
    return try OverlapState(overlap: m, orthogonalGram: p)
}

/// The population risk the SGD records report for a non-quadratic activation: the Riccati
/// module's kernel sum (`GeneralActivationRisk`).
func kernelRisk(_ state: OverlapState, _ spectrum: TeacherSpectrum, _ activation: Activation) -> Double {
    GeneralActivationRisk(spectrum: spectrum, studentWidth: state.studentWidth, activation: activation).risk(of: state)
}

/// The non-quadratic activations the tests run: ReLU, erf(z/√2) and a Hermite list with a degree-3 part.
let generalActivations: [Activation] = [.relu, .erf, .hermite([0.2, 0.5, 0.3, 0.1])]

func activationConfiguration(_ activation: Activation, d: Int = 20, r: Int = 3, rs: Int = 2, batch: Int = 16,
                             lr: Double = 1e-3, seed: UInt64 = 1) throws -> SGDConfiguration {
    var configuration = try smallConfiguration(d: d, r: r, rs: rs, batch: batch, lr: lr, steps: 1, seed: seed)
    configuration.activation = activation
    return configuration
}

@Suite struct ActivationGradientTests {
    /// The fused step's gradient `(W_k − W_{k+1})/η` against central differences of the batch loss
    /// `(1/B) Σ ½ e_b²` on the batch the step drew, for ReLU, erf and a Hermite list. Negative
    /// control: the gradient without its `(2σ − uσ′) w` term is far from the differences.
    @Test(arguments: generalActivations)
    func fusedGradientMatchesFiniteDifferences(activation: Activation) throws {
        let configuration = try activationConfiguration(activation)
        let simulator = try SGDSimulator<Double>(configuration: configuration)
        let w0 = simulator.currentWeights
        let b = configuration.batchSize, d = configuration.dimension
        let source = GaussianBatchSource<Double>(rows: b, columns: d, seed: configuration.seed, firstStream: 16, threadCount: 1)
        var x = [Double](repeating: 0, count: b * d)
        x.withUnsafeMutableBufferPointer { source.fill($0.baseAddress!) }
        var statistics = SGDStatistics()
        simulator.advance(statistics: &statistics, clock: ContinuousClock())
        let stepGradient = (1 / configuration.learningRate) * (w0 - simulator.currentWeights)
        let lambda = configuration.spectrum.values
        func loss(_ w: Matrix) -> Double {
            (0..<b).reduce(0) { sum, row in
                let e = generalResidual(w, x[(row * d)..<((row + 1) * d)], lambda: lambda, activation: activation)
                return sum + 0.5 * e * e
            } / Double(b)
        }
        // The x-part alone: (1/B) Σ_b e_b ‖w_i‖ σ′(u_bi) x_b.
        var xPartOnly = Matrix(rows: w0.rows, columns: w0.columns)
        for row in 0..<b {
            let sample = x[(row * d)..<((row + 1) * d)]
            let e = generalResidual(w0, sample, lambda: lambda, activation: activation)
            for i in 0..<w0.rows {
                var projection = 0.0, squaredNorm = 0.0
                for c in 0..<d { projection += w0[i, c] * sample[sample.startIndex + c]; squaredNorm += w0[i, c] * w0[i, c] }
                let norm = squaredNorm.squareRoot()
                for c in 0..<d { xPartOnly[i, c] += e * norm * activation.derivative(projection / norm) * sample[sample.startIndex + c] / Double(b) }
            }
        }
        var finiteDifferences = Matrix(rows: w0.rows, columns: w0.columns)
        let h = 1e-6
        for i in 0..<w0.rows {
            for c in 0..<d {
                var plus = w0, minus = w0
                plus[i, c] += h
                minus[i, c] -= h
                finiteDifferences[i, c] = (loss(plus) - loss(minus)) / (2 * h)
            }
        }
        let scale = finiteDifferences.maxAbs
        let error = (stepGradient - finiteDifferences).maxAbs / scale
        let controlError = (xPartOnly - finiteDifferences).maxAbs / scale
        print("\(activation.label): fused gradient vs finite differences \(error); without the (2σ − uσ′)w term \(controlError)")
        #expect(error < 1e-6, "\(activation.label): relative gradient error \(error)")
        #expect(controlError > 1e-2, "\(activation.label): the negative control is not detected (\(controlError))")
    }

    /// The Float step agrees with the Double step to single precision, for ReLU.
    @Test func floatStepAgreesWithDouble() throws {
        let configuration = try activationConfiguration(.relu, d: 40, rs: 3, batch: 32, lr: 0.01)
        let double = try SGDSimulator<Double>(configuration: configuration), float = try SGDSimulator<Float>(configuration: configuration)
        let w0 = double.currentWeights
        var statistics = SGDStatistics()
        for _ in 0..<5 {
            double.advance(statistics: &statistics, clock: ContinuousClock())
            float.advance(statistics: &statistics, clock: ContinuousClock())
        }
        let moveDouble = w0 - double.currentWeights, moveFloat = w0 - float.currentWeights
        let difference = (moveDouble - moveFloat).maxAbs / moveDouble.maxAbs
        #expect(difference < 1e-4, "Float against Double: \(difference)")
        #expect(difference > 0, "the Float path must be its own arithmetic")
    }

    /// A zero row of `W` (`‖w_i‖ = 0`) gives no NaN: its gradient `‖w_i‖σ′(0)x` vanishes and it stays zero,
    /// while the other rows move.
    @Test(arguments: generalActivations)
    func zeroRowStaysFinite(activation: Activation) throws {
        let configuration = try activationConfiguration(activation, d: 12, rs: 3, batch: 32, lr: 0.01)
        let simulator = try SGDSimulator<Double>(configuration: configuration)
        var w0 = simulator.currentWeights
        for c in 0..<w0.columns { w0[1, c] = 0 }
        simulator.setWeights(w0)
        var statistics = SGDStatistics()
        for _ in 0..<3 { simulator.advance(statistics: &statistics, clock: ContinuousClock()) }
        let w = simulator.currentWeights
        #expect(w.isFinite)
        #expect((0..<w.columns).allSatisfy { w[1, $0] == 0 })
        #expect((w - w0).maxAbs > 1e-6)
        let risk = try simulator.overlapState().observables(spectrum: configuration.spectrum).risk
        #expect(risk.isFinite)
        #expect(kernelRisk(try simulator.overlapState(), configuration.spectrum, activation).isFinite)
    }

    /// Many step gradients at one fixed `W` average to `½∇_W R` (`= −dW/dt` of the population flow),
    /// with `∇_W R` by central differences of the kernel risk of MODEL.md in `W`; within 4.5
    /// standard errors per entry. Negative control: 1.1 times the population gradient is far outside.
    @Test(arguments: generalActivations)
    func averagedStepGradientIsThePopulationGradient(activation: Activation) throws {
        let configuration = try activationConfiguration(activation, d: 12, r: 3, rs: 2, batch: 256, seed: 3)
        let simulator = try SGDSimulator<Double>(configuration: configuration)
        let w0 = simulator.currentWeights
        func risk(_ w: Matrix) throws -> Double {
            kernelRisk(try canonicalOverlaps(w, teacherWidth: 3), configuration.spectrum, activation)
        }
        var halfGradient = Matrix(rows: w0.rows, columns: w0.columns)
        let h = 1e-5
        for k in 0..<w0.storage.count {
            var plus = w0, minus = w0
            plus.storage[k] += h
            minus.storage[k] -= h
            halfGradient.storage[k] = 0.5 * (try risk(plus) - risk(minus)) / (2 * h)
        }
        let worstZ = StepGradientAverage(simulator, from: w0, draws: 3000).worstZ
        print("\(activation.label): batch-mean gradient against ½∇R: max z \(worstZ(halfGradient)); control 1.1·½∇R: \(worstZ(1.1 * halfGradient))")
        #expect(worstZ(halfGradient) < 4.5, "\(activation.label): max z-score \(worstZ(halfGradient))")
        #expect(worstZ(1.1 * halfGradient) > 6, "\(activation.label): control \(worstZ(1.1 * halfGradient))")
    }

    /// The kernel risk of the overlaps against a Monte-Carlo estimate of E[(f_W − f*)²] on 2·10⁵
    /// samples, within 4 standard errors of the sample mean. Negative control: the kernel risk of
    /// another activation (erf for ReLU and the Hermite list, ReLU for erf) is far outside.
    @Test(arguments: generalActivations)
    func kernelRiskMatchesMonteCarlo(activation: Activation) throws {
        let configuration = try activationConfiguration(activation, d: 10, r: 3, rs: 2, seed: 5)
        let simulator = try SGDSimulator<Double>(configuration: configuration)
        let w = simulator.currentWeights
        let state = try simulator.overlapState()
        let closedForm = kernelRisk(state, configuration.spectrum, activation)
        let recorded = try RecordedObservables.of(state, spectrum: configuration.spectrum, activation: activation).risk
        #expect(recorded == closedForm)
        let (mean, standardError) = monteCarloMeanSquare(samples: 200_000, dimension: 10) {
            generalResidual(w, $0, lambda: configuration.spectrum.values, activation: activation)
        }
        let other: Activation = activation == .erf ? .relu : .erf
        let wrong = kernelRisk(state, configuration.spectrum, other)
        print("\(activation.label): Monte Carlo \(mean) ± \(standardError), kernel risk \(closedForm), control (\(other.label)) \(wrong)")
        #expect(abs(mean - closedForm) < 4 * standardError, "MC \(mean) ± \(standardError) vs kernel risk \(closedForm)")
        #expect(abs(mean - wrong) > 10 * standardError)
    }

    /// For `σ = He₂` the kernel sum is the quadratic model's risk `2(‖Q‖² − 2tr(MΛMᵀ) + ‖λ‖²)` (to
    /// rounding), so the general formula and the quadratic evaluator describe one model.
    @Test func kernelRiskOfHe2IsTheQuadraticRisk() throws {
        let configuration = try smallConfiguration(d: 10, r: 3, rs: 2, seed: 5)
        let state = try SGDSimulator<Double>(configuration: configuration).overlapState()
        let quadratic = try state.observables(spectrum: configuration.spectrum).risk
        let kernel = kernelRisk(state, configuration.spectrum, .hermite([0, 0, 1]))
        #expect(abs(kernel - quadratic) / quadratic < 1e-12, "\(kernel) vs \(quadratic)")
        let relu = kernelRisk(state, configuration.spectrum, .relu)
        #expect(abs(relu - quadratic) / quadratic > 0.1)
    }
}
