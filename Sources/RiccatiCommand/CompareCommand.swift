import ArgumentParser
import Foundation
import Reports
import Riccati
import SGD

struct CompareCommand: ParsableCommand {
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
            """)

    @OptionGroup var options: SGDOptions

    @Option(name: .customLong("lr-sweep"), help: "Comma-separated learning rates.")
    var lrSweep: String?

    @Option(help: "Seeds per learning rate with --lr-sweep (default 1); without it, runs of a seed ensemble from one W0.")
    var seeds: Int?

    @Option(help: "Ensemble runs at once, each on one thread (--seeds without --lr-sweep; default 2; the numbers do not depend on it).")
    var jobs: Int?

    @OptionGroup var artifacts: ArtifactOptions

    func run() throws {
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
        if lrSweep == nil, self.seeds != nil {
            try runEnsemble(SeedEnsemble(base: configuration, seeds: seeds, jobs: jobs ?? 2), description: description,
                            destination: destination, arrayDirectory: arrayDirectory, plotDestination: plotDestination)
            return
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
            if let rates, comparison.completed {
                let horizonTimes = comparison.times
                switch options.precision {
                case .double: sweep = try LearningRateSweep.run(base: configuration, learningRates: rates, seeds: seeds, saveTimes: horizonTimes,
                                                                precision: Double.self, shouldStop: { Interruption.requested })
                case .float: sweep = try LearningRateSweep.run(base: configuration, learningRates: rates, seeds: seeds, saveTimes: horizonTimes,
                                                               precision: Float.self, shouldStop: { Interruption.requested })
                }
            }
        } catch {
            options.finishProgress()
            throw CommandFailure(error, flags: options.flags)
        }
        let report = CompareReport(comparison: comparison, sweep: sweep, seeds: seeds, run: description)
        try write(report, to: destination, arrayDirectory: arrayDirectory, plotDestination: plotDestination)
        if !comparison.completed {
            throw CommandFailure.interrupted(Interruption.message("after SGD step \(comparison.sgd.finalStep) of \(configuration.steps)"
                + "; the outputs compare the times recorded so far" + (rates == nil ? "" : " (the --lr-sweep was skipped)")))
        }
        if let rates, let sweep, !sweep.completed {
            let finishedSeeds = sweep.points.reduce(0) { $0 + $1.seeds.count }
            throw CommandFailure.interrupted(Interruption.message("during the --lr-sweep; the outputs hold the full comparison and "
                + "\(finishedSeeds) of \(rates.count * seeds) sweep runs (\(sweep.points.count) of \(rates.count) learning rates begun)"))
        }
        if Interruption.requested {
            throw CommandFailure.interrupted(Interruption.message("after the last run; the outputs are complete"))
        }
    }

    /// The report's text, arrays and figure (``ReportDestination/write(_:config:arrays:plot:arrayDirectory:plotDestination:)``).
    func write(_ report: CompareReport, to destination: ReportDestination, arrayDirectory: ArrayDirectory?,
               plotDestination: PlotDestination?) throws(CommandFailure) {
        try destination.write({ report.text(options.format) }, config: report.configuration, arrays: report.arrays, plot: report.plot,
                              arrayDirectory: arrayDirectory, plotDestination: plotDestination)
    }

    /// `--seeds N` without `--lr-sweep`: the seed ensemble against the gradient flow and the
    /// SGD-aware mean map.
    func runEnsemble(_ ensemble: SeedEnsemble, description: SGDRunDescription, destination: ReportDestination,
                     arrayDirectory: ArrayDirectory?, plotDestination: PlotDestination?) throws(CommandFailure) {
        try MemoryChecks.compareEnsemble(ensemble, precision: options.precision, arrays: arrayDirectory != nil, flags: options.flags)
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
        try write(CompareReport(ensemble: comparison, run: description), to: destination, arrayDirectory: arrayDirectory,
                  plotDestination: plotDestination)
        if let note = comparison.sgdAwareNote, comparison.sgdAware?.status != .interrupted { RiccatiCLI.report("warning: \(note)") }
        if !comparison.completed {
            throw CommandFailure.interrupted(Interruption.message("after \(comparison.ensemble.seeds.count) of \(ensemble.seeds) seeds; "
                + "the outputs hold the seeds finished"))
        }
        if Interruption.requested {
            throw CommandFailure.interrupted(Interruption.message("after the last run; the outputs are complete"))
        }
    }
}
