import Foundation
import SGD

/// The report of `riccati sgd`: the exact population risk, alignments and learned directions of
/// the SGD iterate at its record steps, with the run's configuration and timing.
public struct SGDReport: Sendable {
    public let result: SGDResult
    public let run: SGDRunDescription
    /// The `config` object, provenance included.
    public let configuration: [(String, JSONValue)]

    /// `resumedFromStep`: the step of the checkpoint the run continued from, if any;
    /// `resumedFromBLASCore`: the OpenBLAS kernel that wrote it (`unknown kernel` for an old checkpoint).
    public init(result: SGDResult, run: SGDRunDescription, resumedFromStep: Int? = nil, resumedFromBLASCore: String? = nil) {
        self.result = result
        self.run = run
        configuration = run.configuration(of: result, resumedFromStep: resumedFromStep, resumedFromBLASCore: resumedFromBLASCore)
    }

    /// The timing and throughput of a run.
    public static func statistics(_ statistics: SGDStatistics) -> JSONValue {
        .object([
            ("steps", .integer(statistics.steps)),
            ("stepsPerSecond", .number(statistics.stepsPerSecond)),
            ("gemmGflops", .number(statistics.gemmGflops)),
            ("rngNanosPerSample", .number(statistics.rngNanosPerSample)),
            ("gemmSeconds", .number(statistics.gemmSeconds)),
            ("rngSeconds", .number(statistics.rngSeconds)),
            ("seconds", .number(statistics.seconds)),
        ])
    }

    /// The report in `format`.
    public func text(_ format: ReportFormat) -> String {
        switch format {
        case .json:
            return JSONValue.object([
                ("times", .numbers(result.times)),
                ("steps", .array(result.steps.map { .integer($0) })),
                ("risk", .numbers(result.risk)),
                ("alignment", .array(result.observables.map { .optionalNumbers($0.alignment) })),
                ("learned", .array(result.observables.map { .integer($0.learned) })),
                ("stats", Self.statistics(result.statistics)),
                ("config", .object(configuration)),
            ]).serialized(indent: 2) + "\n"
        case .csv:
            var lines = ["# riccati sgd " + JSONValue.keyValueLine(configuration)]
            let r = run.configuration.spectrum.count
            lines.append((["step", "t", "risk", "learned"] + (1...r).map { "alignment_\($0)" }).joined(separator: ","))
            for index in result.times.indices {
                let alignment = result.observables[index].alignment.map { $0.map { "\($0)" } ?? "" }
                lines.append((["\(result.steps[index])", "\(result.times[index])", "\(result.observables[index].risk)",
                               "\(result.observables[index].learned)"] + alignment).joined(separator: ","))
            }
            return lines.joined(separator: "\n") + "\n"
        case .table:
            var lines = ["riccati sgd — " + JSONValue.keyValueLine(configuration)]
            lines.append("      step            t           risk  learned")
            for index in result.times.indices {
                lines.append(String(format: "%10d  %11.5g  %13.6e  %7d", result.steps[index], result.times[index], result.observables[index].risk,
                                    result.observables[index].learned))
            }
            let stats = result.statistics
            lines.append(String(format: "%d steps in %.3f s: %.1f steps/s; GEMMs %.3f s (%.1f GFLOP/s), Gaussians %.3f s (%.2f ns/sample)",
                                stats.steps, stats.seconds, stats.stepsPerSecond, stats.gemmSeconds, stats.gemmGflops,
                                stats.rngSeconds, stats.rngNanosPerSample))
            return lines.joined(separator: "\n") + "\n"
        }
    }

    /// The `.npy` arrays (names and shapes in ``ArrayFiles``).
    public func arrays() throws(ReportError) -> [NamedArray] {
        let r = run.configuration.spectrum.count, rs = run.configuration.studentWidth
        return [
            try .vector("times", result.times),
            try .vector("steps", result.steps.map(Double.init)),
            try .vector("risk", result.risk),
            try .rows("alignment", result.observables.map(\.alignment), columns: r),
            try .signalGrams("G", result.states, teacherWidth: r),
            try .stack("M", result.states.map(\.overlap), rows: rs, columns: r),
            try .stack("P", result.states.map(\.orthogonalGram), rows: rs, columns: rs),
            try .vector("lambda", run.configuration.spectrum.values),
        ]
    }

    /// The figure: ``Plots/sgd(_:floor:precision:title:)``.
    public func plot() throws(ReportError) -> String {
        let configuration = run.configuration
        let r = configuration.spectrum.count, rs = configuration.studentWidth
        return try Plots.sgd(result, floor: configuration.spectrum.widthFloor(studentWidth: rs), precision: run.precision.rawValue,
                             title: "Online SGD: d = \(configuration.dimension), r = \(r), r_s = \(rs), B = \(configuration.batchSize), "
                                 + "η = \(Plots.format(configuration.learningRate)), σ0 = \(Plots.format(configuration.sigma0))")
    }
}
