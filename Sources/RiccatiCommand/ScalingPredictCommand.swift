import ArgumentParser
import Foundation
import Reports
import Riccati
import ScalingLaws

struct ScalingPredict: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Escape times T_j, the additive-model risk R_add(t), the asymptotic exponent (1−2α)/α and the width floor.")

    @Option var alpha: Double = 1
    @Option(name: .customLong("r"), help: "Teacher width r.") var teacherWidth: Int = 64
    @Option(name: .customLong("rs"), help: "Student width r_s.") var studentWidth: Int = 16
    @Option(name: .customLong("d"), help: "Dimension d (scientific notation accepted).") var dimension: String = "1024"
    @Option var sigma0: Double = 1
    @Option(name: .customLong("t-end"), help: "Last time of the R_add curve.") var finalTime: Double = 2000
    @Option(name: .customLong("save-count"), help: "Log-spaced times of the R_add curve (4 decades).") var saveCount: Int = 12
    @Option(help: "Output format.") var format: ReportFormat = .table
    @Option(help: "Write the report to this file (atomically).") var output: String?
    @OptionGroup var artifacts: ArtifactOptions

    func run() throws {
        let destination = try ReportDestination(path: output)
        let (arrays, plotDestination) = try artifacts.validate()
        try InputChecks.distinct(output: output, plot: artifacts.plot)
        let d = try parseDimension(dimension, flag: "--d")
        // The same model constraints as `integrate` (r < d, 1 ≤ r_s ≤ d, d whole); σ0 and --t-end have
        // no upper bound here: a huge σ0 only makes every T_j infinite, a huge T is one formula.
        guard alpha.isFinite, alpha >= 0 else { throw CommandFailure.badInput("--alpha must be finite and ≥ 0, got \(alpha)") }
        guard teacherWidth >= 1, teacherWidth <= 100_000 else {
            throw CommandFailure.badInput("--r (teacher width) must be a positive integer ≤ 100000, got \(teacherWidth)")
        }
        try ModelOptions.checkWidths(r: teacherWidth, rs: studentWidth, d: d)
        let report: PredictReport
        do throws(RiccatiError) {
            let times = try SaveTimes.logSpaced(count: saveCount, finalTime: finalTime)
            report = try PredictReport(alpha: alpha, teacherWidth: teacherWidth, studentWidth: studentWidth, dimension: d,
                                       sigma0: sigma0, times: times)
        } catch {
            throw CommandFailure(error, flags: ParameterFlags(["count": "--save-count"]))
        }
        try arrays?.write(try CommandFailure.mapping { () throws(ReportError) in try report.arrays() }, config: report.configuration)
        if let plotDestination {
            try plotDestination.write(try CommandFailure.mapping(flag: "--plot") { () throws(ReportError) in try report.plot() })
        }
        try destination.write(report.text(format))
    }
}
