import Foundation
import LinearAlgebra
import Riccati

/// `N` independent SGD runs from one initial state: the seed ensemble whose mean risk the
/// effective dynamics predict (MODEL.md, "SGD-aware effective dynamics").
///
/// Run `i = 0 … N−1` is ``base`` with seed `base.seed + i` for its data — the batches (streams
/// 16, 17, … of the seed) and the label noise (stream 2) — and with the base seed's `W0` and `Θ`
/// held fixed (``SGDConfiguration/startingWeights()``, ``SGDConfiguration/teacherMatrix()``):
/// the runs differ only in the data they see, all start from the same `(M0, P0)`, and all record
/// at the same steps. At each recorded time `t = ηk` the risks `R_1(t) … R_N(t)` are then `N`
/// independent draws of the SGD risk, whose mean the predictions are compared with
/// (``SeedEnsembleComparison``).
///
/// Work: ``jobs`` workers take the seeds in increasing order, one run each at a time, each run
/// on one thread (``SGDConfiguration/threads`` `= 1`). A run's numbers depend only on its
/// configuration, so every seed's result is bit-identical for any ``jobs`` (and any
/// ``SGDConfiguration/threads`` of ``base``), provided OpenBLAS runs one thread
/// (`BLAS.setThreadCount(1)`, as the tool does at start-up).
public struct SeedEnsemble: Sendable {
    /// The configuration of run 0; ``SGDConfiguration/threads`` is ignored (each run uses one).
    public var base: SGDConfiguration
    /// `N`, the number of runs (``maximumSeeds`` at most).
    public var seeds: Int
    /// Runs at once (in `[1, maximumJobs]`).
    public var jobs: Int

    /// Largest ``seeds``.
    public static let maximumSeeds = 10_000
    /// Largest ``jobs``.
    public static let maximumJobs = 64

    public init(base: SGDConfiguration, seeds: Int, jobs: Int = 2) {
        self.base = base
        self.seeds = seeds
        self.jobs = jobs
    }

    /// Checks ``seeds``, ``jobs``, ``base`` (``SGDConfiguration/validate()``) and that the kept
    /// risk series (``recordedBytes``) stay within ``SGDConfiguration/maximumRecordedBytes``.
    public func validate() throws(SGDError) {
        guard seeds >= 1, seeds <= Self.maximumSeeds else {
            throw .invalidParameter(name: "seeds", value: "\(seeds)", reason: "must lie in [1, 10000]")
        }
        guard jobs >= 1, jobs <= Self.maximumJobs else {
            throw .invalidParameter(name: "jobs", value: "\(jobs)", reason: "must lie in [1, 64]")
        }
        try base.validate()
        guard recordedBytes <= SGDConfiguration.maximumRecordedBytes else {
            throw .exceedsLimit(names: ["seeds", "saveSteps"],
                                reason: "\(seeds) risk series of up to \(base.memoryEstimate().recordCount) records need "
                                    + "\(String(format: "%.3g", recordedBytes / 1e9)) GB; at most 2 GiB: use fewer seeds or save fewer steps")
        }
    }

    /// The configuration every run shares apart from its seed: ``base`` with `W0` and `Θ` of the
    /// base seed made explicit (``SGDConfiguration/initialWeights``, a given teacher for a random
    /// one) and one thread.
    public func sharedConfiguration() throws(SGDError) -> SGDConfiguration {
        var shared = base
        shared.threads = 1
        if shared.initialWeights == nil {
            do {
                shared.initialWeights = try Matrix(rows: base.studentWidth, columns: base.dimension, storage: base.startingWeights())
            } catch {
                // The storage has r_s·d entries by construction.
                throw .invalidParameter(name: "initialWeights", value: "", reason: "\(error)")
            }
        }
        if case .random = base.teacher, let theta = try base.teacherMatrix() { shared.teacher = .given(theta) }
        return shared
    }

    /// The configuration of run `index` (`0 ≤ index < seeds`): `shared` with seed `base.seed + index`.
    public func configuration(ofRun index: Int, shared: SGDConfiguration) -> SGDConfiguration {
        var configuration = shared
        configuration.seed = base.seed &+ UInt64(index)
        return configuration
    }

    /// Bytes of the kept series: per finished run its risks (one double per record) and its
    /// statistics.
    public var recordedBytes: Double {
        Double(seeds) * (8 * Double(base.memoryEstimate().recordCount) + Double(MemoryLayout<SGDStatistics>.stride))
    }

    /// Bytes of a run in `Scalar` precision: ``jobs`` (at most ``seeds``) simulators at once, each
    /// with its working set and full records (``SGDConfiguration/memoryEstimate(precision:recordCount:)``)
    /// (the simulator that computes `(M0, P0)` first is gone by then), the shared `W0` and `Θ`,
    /// and ``recordedBytes``.
    public func memoryEstimate<Scalar: SGDScalar>(precision: Scalar.Type = Double.self) -> Double {
        let run = base.memoryEstimate(precision: Scalar.self)
        let workers = Double(Swift.max(1, Swift.min(jobs, seeds)))
        let shared = 8 * Double(base.dimension) * Double(base.studentWidth + base.spectrum.count)
        return workers * run.totalBytes + shared + recordedBytes
    }

    /// `(M0, P0)`, the common initial state of every run: that of `shared`
    /// (``sharedConfiguration()``) in `Scalar` precision.
    public func initialState<Scalar: SGDScalar>(shared: SGDConfiguration, precision: Scalar.Type) throws(SGDError) -> OverlapState {
        try SGDSimulator<Scalar>(configuration: shared).overlapState()
    }

    /// Run `index` (`0 ≤ index < seeds`) alone, on one thread, in `Scalar` precision: the
    /// configuration ``configuration(ofRun:shared:)`` run to its end. `nil` when `shouldStop`
    /// ended it early (its series would end early). The unit a distributed ensemble runs as one
    /// task; its numbers depend only on `shared` and `index`.
    public func runSeed<Scalar: SGDScalar>(_ index: Int, shared: SGDConfiguration, precision: Scalar.Type,
                                           shouldStop: (() -> Bool)? = nil) throws(SGDError) -> SeedRun? {
        guard index >= 0, index < seeds else {
            throw .invalidParameter(name: "index", value: "\(index)", reason: "must lie in [0, \(seeds - 1)]")
        }
        let result = try SGDSimulator<Scalar>(configuration: configuration(ofRun: index, shared: shared)).run(shouldStop: shouldStop)
        guard result.completed else { return nil }
        return SeedRun(risks: result.risk, statistics: result.statistics)
    }

    /// The ensemble's result from its runs, indexed by run (`runs[i]` of seed `base.seed + i`,
    /// `nil` for a run not finished, which makes the result not ``SeedEnsembleResult/completed``),
    /// recording the steps of `shared` (its save steps, `0` and its last step) from `initialState`.
    public func result(initialState: OverlapState, shared: SGDConfiguration, runs: [SeedRun?]) -> SeedEnsembleResult {
        let steps = Array(Set(shared.saveSteps + [0, shared.steps])).sorted()
        var result = SeedEnsembleResult(requestedRuns: seeds, learningRate: shared.learningRate, steps: steps, initialState: initialState)
        if runs.count < seeds { result.completed = false }
        for (index, run) in runs.enumerated() {
            if let run {
                result.append(seed: base.seed &+ UInt64(index), risks: run.risks, statistics: run.statistics)
            } else {
                result.completed = false
            }
        }
        return result
    }

    /// Runs the ``seeds`` runs (``runSeed(_:shared:precision:shouldStop:)``), ``jobs`` at a time,
    /// in `Scalar` precision.
    ///
    /// `progress` receives the number of runs finished so far after each one (from the worker
    /// that finished it). `shouldStop` is asked before each run starts and after each step of
    /// every run: once it says yes no further run starts, the runs under way stop after their
    /// step and are discarded (their series would end early), and the result holds the runs
    /// finished so far with ``SeedEnsembleResult/completed`` `false`. A run that diverges
    /// (``SGDError/diverged(step:time:risk:hint:)``) ends the ensemble with its error (of the
    /// lowest seed, if several do).
    public func run<Scalar: SGDScalar>(precision: Scalar.Type, progress: (@Sendable (_ finishedRuns: Int) -> Void)? = nil,
                                       shouldStop: (@Sendable () -> Bool)? = nil) throws(SGDError) -> SeedEnsembleResult {
        try validate()
        let shared = try sharedConfiguration()
        let initialState = try self.initialState(shared: shared, precision: Scalar.self)
        let pool = SeedPool(count: seeds)
        let ensemble = self
        let work: @Sendable (Int) -> Void = { _ in
            while let index = pool.next() {
                if let shouldStop, shouldStop() { pool.stop(); return }
                do throws(SGDError) {
                    guard let run = try ensemble.runSeed(index, shared: shared, precision: Scalar.self, shouldStop: shouldStop) else {
                        pool.stop(); return
                    }
                    let finished = pool.store(.success(run), at: index)
                    progress?(finished)
                } catch {
                    pool.store(.failure(error), at: index)
                    pool.stop()
                }
            }
        }
        let workers = Swift.min(jobs, seeds)
        if workers <= 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: workers, execute: work) }
        var runs: [SeedRun?] = []
        for slot in pool.values {
            switch slot {
            case .success(let run)?: runs.append(run)
            case .failure(let error)?: throw error
            case nil: runs.append(nil)   // not started or stopped mid-run
            }
        }
        return result(initialState: initialState, shared: shared, runs: runs)
    }
}
