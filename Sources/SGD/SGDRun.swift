import Foundation
import LinearAlgebra
import Riccati

extension SGDSimulator {
    /// Runs all `configuration.steps` steps, recording `(M, P)` and the exact population risk (of
    /// the configuration's activation, ``SGDResult/activation``) at the save steps (and at 0 and the last step). Stops with ``SGDError/diverged(step:time:risk:hint:)``
    /// when the mini-batch loss is non-finite or exceeds `1e6·max(1, R(0))`, or a recorded risk
    /// is non-finite.
    ///
    /// Checkpoints and interruption: every `checkpointEvery` steps (and once more when stopped)
    /// `checkpoint` receives an ``SGDSnapshot`` from which ``restore(_:)`` continues
    /// bit-identically. After each step `shouldStop` is asked whether to stop; when it says yes
    /// the run ends after that step with ``SGDResult/completed`` `false` and the series recorded
    /// so far. A run restored from a snapshot starts at its step with its recorded series.
    ///
    /// Threads: the simulator's own (``SGDConfiguration/threads``); OpenBLAS's thread count is the
    /// application's setting and is left alone. The numbers do not depend on `threads`, and do
    /// not depend on OpenBLAS's thread count either when OpenBLAS runs one thread (the
    /// recommended setting: the simulator's threads already partition every GEMM).
    @_specialize(exported: true, where Scalar == Double)
    @_specialize(exported: true, where Scalar == Float)
    public func run(progress: ((SGDProgress) -> Void)? = nil, checkpointEvery: Int? = nil,
                    checkpoint: ((SGDSnapshot) throws -> Void)? = nil,
                    shouldStop: (() -> Bool)? = nil) throws(SGDError) -> SGDResult {
        let config = configuration
        let saveSteps = Array(Set(config.saveSteps + [0, config.steps])).sorted()
        var statistics = SGDStatistics()
        statistics.samplesPerStep = config.batchSize * config.dimension
        let rs = Double(config.studentWidth), d = Double(config.dimension), b = Double(config.batchSize)
        statistics.gemmMultiplyAddsPerStep = 2 * b * d * rs + (teacherRows == nil ? 0 : b * d * Double(config.spectrum.count))
        var result = SGDResult(spectrum: config.spectrum, learningRate: config.learningRate, steps: [], times: [], states: [], observables: [],
                               statistics: statistics, activation: config.activation)
        let clock = ContinuousClock()
        let started = clock.now
        var lastReport = started
        var initialRisk = 1.0
        let startStep = step
        func saveCheckpoint() throws(SGDError) {
            guard let checkpoint else { return }
            do {
                try checkpoint(snapshot(recordedSteps: result.steps, recordedStates: result.states))
            } catch {
                throw .checkpointFailed("\(error)")
            }
        }
        /// Appends `(M, P)` at `recordedStep` (the current step, or one restored from a snapshot).
        func record(_ recordedStep: Int, _ state: OverlapState) throws(SGDError) {
            let observables: Observables?
            // A state whose observables cannot be evaluated (non-finite entries) is a divergence.
            do {
                observables = try RecordedObservables.of(state, spectrum: config.spectrum, activation: config.activation)
            } catch {
                observables = nil
            }
            guard let observables, observables.risk.isFinite else {
                throw .diverged(step: recordedStep, time: Double(recordedStep) * config.learningRate, risk: observables?.risk ?? .nan,
                                hint: lastFiniteRiskNote(result) + hint)
            }
            if recordedStep == 0 { initialRisk = Swift.max(1, observables.risk) }
            result.steps.append(recordedStep)
            result.times.append(Double(recordedStep) * config.learningRate)
            result.states.append(state)
            result.observables.append(observables)
        }
        var nextSave = 0
        if restoredSteps.isEmpty {
            if saveSteps.first == 0 { try record(step, try overlapState()); nextSave = 1 }
        } else {
            for (recordedStep, state) in zip(restoredSteps, restoredStates) { try record(recordedStep, state) }
            nextSave = saveSteps.firstIndex(where: { $0 > step }) ?? saveSteps.count
            restoredSteps = []
            restoredStates = []
        }
        while step < config.steps {
            let loss = advance(statistics: &statistics, clock: clock)
            if !loss.isFinite || loss > 1e6 * initialRisk {
                let risk = (try? RecordedObservables.of(overlapState(), spectrum: config.spectrum, activation: config.activation).risk) ?? .nan
                throw .diverged(step: step, time: Double(step) * config.learningRate, risk: risk,
                                hint: lastFiniteRiskNote(result) + hint)
            }
            if nextSave < saveSteps.count, saveSteps[nextSave] == step {
                try record(step, try overlapState())
                nextSave += 1
            }
            if let every = checkpointEvery, step % every == 0, step < config.steps { try saveCheckpoint() }
            if step < config.steps, let shouldStop, shouldStop() {
                try saveCheckpoint()
                result.completed = false
                break
            }
            if let progress {
                let now = clock.now
                if (now - lastReport).seconds >= 0.5 {
                    lastReport = now
                    let elapsed = (now - started).seconds
                    let rate = Double(step - startStep) / elapsed
                    progress(SGDProgress(step: step, totalSteps: config.steps, time: Double(step) * config.learningRate,
                                         batchLoss: loss, stepsPerSecond: rate,
                                         secondsRemaining: Double(config.steps - step) / Swift.max(rate, 1e-12)))
                }
            }
        }
        statistics.steps = step - startStep
        statistics.seconds = (clock.now - started).seconds
        result.statistics = statistics
        result.finalStep = step
        return result
    }

    /// "last recorded risk R at step k; " from the series so far (empty before the first record).
    private func lastFiniteRiskNote(_ result: SGDResult) -> String {
        guard let index = result.observables.lastIndex(where: { $0.risk.isFinite }) else { return "" }
        return "last recorded risk \(result.observables[index].risk) at step \(result.steps[index]); "
    }

    private var hint: String {
        String(format: "η·d/B = %.3g is probably too large; lower the learning rate or raise the batch size", configuration.stepNoiseRatio)
    }
}
