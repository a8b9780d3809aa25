import ArgumentParser
import Foundation
import Reports
import Riccati
import SGD

struct SGDCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sgd",
        abstract: "Simulate online SGD on the d-dimensional network (quadratic, or any --activation) and record the exact population risk.")

    @OptionGroup var options: SGDOptions

    @OptionGroup var checkpointing: CheckpointOptions

    @OptionGroup var artifacts: ArtifactOptions

    func run() throws {
        let destination = try ReportDestination(path: options.output)
        let (arrayDirectory, plotDestination) = try artifacts.validate()
        try InputChecks.distinct(output: options.output, plot: artifacts.plot)
        if let checkpoint = checkpointing.checkpoint, [options.output, artifacts.plot].contains(checkpoint) {
            throw CommandFailure.badInput("--checkpoint \(checkpoint) names the same file as --output or --plot; give it its own file")
        }
        let description = try options.configuration()
        let configuration = description.configuration
        try MemoryChecks.sgd(configuration, precision: options.precision, checkpoint: checkpointing.checkpoint != nil,
                             resume: checkpointing.resume != nil, arrays: arrayDirectory != nil, flags: options.flags)
        let (checkpointDestination, checkpointEvery, snapshot) = try checkpointing.validate(
            fingerprint: configuration.fingerprint(precision: options.precision.rawValue))
        if let snapshot, let path = checkpointing.resume, let warning = Self.kernelWarning(checkpoint: snapshot.blasKernel, current: .current) {
            RiccatiCLI.report("warning: --resume \(path): \(warning)")
        }
        let result: SGDResult
        do {
            result = try runSGD(configuration, precision: options.precision, progress: options.progressReporter, resume: snapshot,
                                checkpointEvery: checkpointEvery,
                                checkpoint: checkpointDestination.map { destination in { try destination.writeCheckpoint($0) } },
                                shouldStop: { Interruption.requested })
        } catch {
            options.finishProgress()
            throw CommandFailure(error, flags: options.flags)
        }
        options.finishProgress()
        let report = SGDReport(result: result, run: description, resumedFromStep: snapshot?.step,
                               resumedFromBLASCore: snapshot.map { SGDSnapshot.describe($0.blasKernel) })
        try destination.write({ report.text(options.format) }, config: report.configuration, arrays: report.arrays, plot: report.plot,
                              arrayDirectory: arrayDirectory, plotDestination: plotDestination)
        if !result.completed {
            throw CommandFailure.interrupted(Interruption.message("after step \(result.finalStep) of \(configuration.steps)"
                + (checkpointDestination?.path.map { "; checkpoint written to \($0) (continue with --resume \($0))" } ?? "")
                + "; the outputs hold the steps recorded so far"))
        }
    }

    /// The warning for a checkpoint written with another OpenBLAS kernel (or an unknown one):
    /// the run continues, but its results are not bit-identical to an uninterrupted run on the
    /// original machine. `nil` when the kernels are the same.
    static func kernelWarning(checkpoint: SGDSnapshot.BLASKernel?, current: SGDSnapshot.BLASKernel) -> String? {
        guard checkpoint != current else { return nil }
        let written: String
        if let checkpoint {
            written = checkpoint.core == current.core ? "\(checkpoint.core) (\(checkpoint.configuration))" : checkpoint.core
        } else {
            written = SGDSnapshot.describe(nil) + " (a checkpoint of format version 1)"
        }
        let now = checkpoint?.core == current.core ? "\(current.core) (\(current.configuration))" : current.core
        return "the checkpoint was written with OpenBLAS kernel \(written) and this run uses \(now); "
            + "the results will not be bit-identical to an uninterrupted run on the original machine"
    }
}
