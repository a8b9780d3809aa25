import ArgumentParser
import Foundation
import Reports
import Riccati
import SGD
import SweepPlans

struct CompareCommand: DistributableCommand {
    static let commandPath = "compare"

    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Run SGD and the overlap ODE from the SGD's own (M0, P0) and report their deviation.",
        discussion: """
            The ODE is the population gradient flow of the run's --activation: for he2 the quadratic \
            flow with its exact propagator, for relu, erf and hermite the general-activation flow \
            integrated by dopri5 (rtol 1e-9, atol 1e-12).

            With --lr-sweep η1,η2,... each learning rate runs over --seeds seeds on the same time horizon \\
            and the report gives the mean maximum relative risk deviation per η and the fitted slope of \\
            log(deviation) against log(η).

            With --seeds N alone (no --lr-sweep) N runs share one W0 (that of --seed, or --init-w) and \
            differ in their data (seeds --seed, --seed + 1, …); the report gives their mean risk and its \
            standard error against the gradient flow and the SGD-aware mean map (the exact one-step mean \
            of minibatch SGD at the run's η, d, B and noise), --jobs runs at a time. The mean map is \
            derived for he2 only: with any other --activation the report has no SGD-aware prediction \
            (its columns are left out, sgdAwareStatus is null) and says so.

            With --backend slurm --work-dir DIR every SGD run is one array task (the comparison and each \
            (η, seed) run of --lr-sweep; each seed of an ensemble) and the merge writes exactly the outputs \
            of a local run; a plain comparison is one task.
            """)

    @OptionGroup var options: SGDOptions

    @Option(name: .customLong("lr-sweep"), help: "Comma-separated learning rates.")
    var lrSweep: String?

    @Option(help: "Seeds per learning rate with --lr-sweep (default 1); without it, runs of a seed ensemble from one W0.")
    var seeds: Int?

    @Option(help: "Ensemble runs at once, each on one thread (--seeds without --lr-sweep; default 2; the numbers do not depend on it).")
    var jobs: Int?

    @OptionGroup var artifacts: ArtifactOptions
    @OptionGroup var backendOptions: BackendOptions

    /// Everything a run needs, validated: the run's configuration and description, what runs
    /// besides the comparison (a learning-rate sweep, or instead a seed ensemble) and the output
    /// destinations.
    struct Prepared {
        var description: SGDRunDescription
        /// Seeds per learning rate of the sweep (1 without one), or runs of the ensemble.
        var seeds: Int
        /// The learning rates of `--lr-sweep`.
        var rates: [Double]?
        /// The seed ensemble of `--seeds` without `--lr-sweep` (then there is no single comparison).
        var ensemble: SeedEnsemble?
        var destination: ReportDestination
        var arrayDirectory: ArrayDirectory?
        var plotDestination: PlotDestination?

        var configuration: SGDConfiguration { description.configuration }
    }

    /// Validates every flag, the configuration of every run and the memory of the whole run
    /// (exit code 2 on bad input) before any work.
    func prepare() throws -> Prepared {
        let destination = try ReportDestination(path: options.output)
        let (arrayDirectory, plotDestination) = try artifacts.validate()
        try InputChecks.distinct(output: options.output, plot: artifacts.plot)
        let description = try options.configuration()
        let configuration = description.configuration
        let seeds = self.seeds ?? 1
        guard seeds >= 1, seeds <= SeedEnsemble.maximumSeeds else { throw CommandFailure.badInput("--seeds must lie in [1, 10000], got \(seeds)") }
        let rates = try lrSweep.map { (list) throws(CommandFailure) -> [Double] in
            try parseList(list, flag: "--lr-sweep") { (item) throws(CommandFailure) -> Double in
                let value = try parseReal(item, flag: "--lr-sweep")
                guard value.isFinite, value > 0 else { throw .badInput("--lr-sweep values must be finite and > 0, got \(item)") }
                return value
            }
        }
        if let jobs, lrSweep != nil || self.seeds == nil {
            throw CommandFailure.badInput("--jobs \(jobs) applies to --seeds without --lr-sweep (a seed ensemble)")
        }
        var prepared = Prepared(description: description, seeds: seeds, rates: rates, ensemble: nil, destination: destination,
                                arrayDirectory: arrayDirectory, plotDestination: plotDestination)
        if lrSweep == nil, self.seeds != nil {
            let ensemble = SeedEnsemble(base: configuration, seeds: seeds, jobs: jobs ?? 2)
            try MemoryChecks.compareEnsemble(ensemble, precision: options.precision, arrays: arrayDirectory != nil, flags: options.flags)
            do {
                try ensemble.validate()
                if configuration.activation.isQuadratic { _ = try SeedEnsembleComparison.meanMap(for: configuration) }
            } catch {
                throw CommandFailure(error, flags: options.flags)
            }
            prepared.ensemble = ensemble
            return prepared
        }
        // Each rate runs over the same horizon T = η·K: check its step count and configuration now,
        // not after the main comparison has run.
        let horizon = configuration.learningRate * Double(configuration.steps)
        for eta in rates ?? [] {
            let count = (horizon / eta).rounded()
            guard count >= 1, count <= InputChecks.maximumSteps else {
                throw CommandFailure.badInput("--lr-sweep \(eta): T/η rounds to \(count) steps over the horizon T = \(horizon); need 1 … 1e9")
            }
            var check = configuration
            check.learningRate = eta
            check.steps = Swift.max(1, Int(count))
            check.saveSteps = []
            do { try check.validate() } catch {
                throw CommandFailure.badInput("--lr-sweep \(eta): \(CommandFailure(error, flags: options.flags))")
            }
        }
        try MemoryChecks.compare(configuration, precision: options.precision, sweepValues: (rates?.count ?? 0) * seeds,
                                 arrays: arrayDirectory != nil, flags: options.flags)
        return prepared
    }

    func run() throws {
        if try runOnBackend() { return }
        let prepared = try prepare()
        if let ensemble = prepared.ensemble {
            try runEnsemble(ensemble, prepared: prepared)
            return
        }
        let configuration = prepared.configuration
        let comparison: ODEComparison
        var sweep: LearningRateSweep?
        do {
            switch options.precision {
            case .double: comparison = try ODEComparison.run(configuration, precision: Double.self, progress: options.progressReporter,
                                                             shouldStop: { Interruption.requested })
            case .float: comparison = try ODEComparison.run(configuration, precision: Float.self, progress: options.progressReporter,
                                                            shouldStop: { Interruption.requested })
            }
            options.finishProgress()
            // An interrupted comparison skips the learning-rate sweep (a sweep stopped before its
            // first seed holds no point and is marked interrupted).
            if let rates = prepared.rates, comparison.completed {
                let horizonTimes = LearningRateSweep.saveTimes(of: configuration)
                switch options.precision {
                case .double: sweep = try LearningRateSweep.run(base: configuration, learningRates: rates, seeds: prepared.seeds,
                                                                saveTimes: horizonTimes, precision: Double.self,
                                                                shouldStop: { Interruption.requested })
                case .float: sweep = try LearningRateSweep.run(base: configuration, learningRates: rates, seeds: prepared.seeds,
                                                               saveTimes: horizonTimes, precision: Float.self,
                                                               shouldStop: { Interruption.requested })
                }
            }
        } catch {
            options.finishProgress()
            throw CommandFailure(error, flags: options.flags)
        }
        try finish(comparison, sweep: sweep, prepared: prepared)
    }

    /// Writes the outputs of `comparison` and its learning-rate sweep (a local run's, or the
    /// merge of a Slurm run's) and ends as an interrupted run ends: exit code 130 when the
    /// comparison, the sweep or the whole run was stopped.
    func finish(_ comparison: ODEComparison, sweep: LearningRateSweep?, prepared: Prepared) throws(CommandFailure) {
        let report = CompareReport(comparison: comparison, sweep: sweep, seeds: prepared.seeds, run: prepared.description)
        try write(report, prepared: prepared)
        if !comparison.completed {
            throw .interrupted(Interruption.message("after SGD step \(comparison.sgd.finalStep) of \(prepared.configuration.steps)"
                + "; the outputs compare the times recorded so far" + (prepared.rates == nil ? "" : " (the --lr-sweep was skipped)")))
        }
        if let rates = prepared.rates, let sweep, !sweep.completed {
            let finishedSeeds = sweep.points.reduce(0) { $0 + $1.seeds.count }
            throw .interrupted(Interruption.message("during the --lr-sweep; the outputs hold the full comparison and "
                + "\(finishedSeeds) of \(rates.count * prepared.seeds) sweep runs (\(sweep.points.count) of \(rates.count) learning rates begun)"))
        }
        if Interruption.requested {
            throw .interrupted(Interruption.message("after the last run; the outputs are complete"))
        }
    }

    /// The report's text, arrays and figure (``ReportDestination/write(_:config:arrays:plot:arrayDirectory:plotDestination:)``).
    func write(_ report: CompareReport, prepared: Prepared) throws(CommandFailure) {
        try prepared.destination.write({ report.text(options.format) }, config: report.configuration, arrays: report.arrays, plot: report.plot,
                                       arrayDirectory: prepared.arrayDirectory, plotDestination: prepared.plotDestination)
    }

    /// `--seeds N` without `--lr-sweep`: the seed ensemble against the gradient flow and the
    /// SGD-aware mean map.
    func runEnsemble(_ ensemble: SeedEnsemble, prepared: Prepared) throws(CommandFailure) {
        let comparison: SeedEnsembleComparison
        do {
            let progress = options.seedProgressReporter(total: ensemble.seeds)
            switch options.precision {
            case .double: comparison = try SeedEnsembleComparison.run(ensemble, precision: Double.self, progress: progress,
                                                                      shouldStop: { Interruption.requested })
            case .float: comparison = try SeedEnsembleComparison.run(ensemble, precision: Float.self, progress: progress,
                                                                     shouldStop: { Interruption.requested })
            }
            options.finishProgress()
        } catch {
            options.finishProgress()
            throw CommandFailure(error, flags: options.flags)
        }
        try finishEnsemble(comparison, prepared: prepared)
    }

    /// Writes the outputs of an ensemble's comparison (a local run's, or the merge of a Slurm
    /// run's), warns when the mean map diverged, and ends as an interrupted run ends.
    func finishEnsemble(_ comparison: SeedEnsembleComparison, prepared: Prepared) throws(CommandFailure) {
        try write(CompareReport(ensemble: comparison, run: prepared.description), prepared: prepared)
        if let note = comparison.sgdAwareNote, comparison.sgdAware?.status != .interrupted { RiccatiCLI.report("warning: \(note)") }
        if !comparison.completed {
            throw .interrupted(Interruption.message("after \(comparison.ensemble.seeds.count) of \(prepared.seeds) seeds; "
                + "the outputs hold the seeds finished"))
        }
        if Interruption.requested {
            throw .interrupted(Interruption.message("after the last run; the outputs are complete"))
        }
    }
}
