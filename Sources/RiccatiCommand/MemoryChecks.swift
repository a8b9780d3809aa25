import Monotonicity
import Reports
import Riccati
import ScalingLaws
import SGD

/// The up-front memory check of each command: the library's estimate of the computation plus
/// the reports' (``ReportMemory``), compared with ``MemoryBudget/availableBytes`` before any
/// work and before anything is written. A refusal is one bad-input line naming the flags that
/// drive the size (through ``ParameterFlags``).
enum MemoryChecks {
    /// Refuses `bytes` beyond the budget, naming `names` (library parameter names) as `flags` spells them.
    static func require(_ bytes: Double, names: [String], what: String, flags: ParameterFlags) throws(CommandFailure) {
        do {
            try MemoryBudget.check(bytes, names: names, what: what)
        } catch {
            throw CommandFailure(error, flags: flags)
        }
    }

    /// `riccati integrate`: one solve and its report.
    static func integrateBytes(studentWidth rs: Int, teacherWidth r: Int, saveCount: Int, method: IntegrationMethod?,
                               arrays: Bool) -> Double {
        OverlapProblem.memoryEstimate(studentWidth: rs, teacherWidth: r, saveCount: saveCount, method: method)
            + IntegrateReport.memoryEstimate(saveCount: saveCount, studentWidth: rs, teacherWidth: r, arrays: arrays)
    }

    static func integrate(studentWidth rs: Int, teacherWidth r: Int, saveCount: Int, method: IntegrationMethod?,
                          arrays: Bool, flags: ParameterFlags) throws(CommandFailure) {
        let bytes = integrateBytes(studentWidth: rs, teacherWidth: r, saveCount: saveCount, method: method, arrays: arrays)
        try require(bytes, names: ["saveTimes", "teacherWidth", "studentWidth"] + (arrays ? ["npyDirectory"] : []),
                    what: "\(saveCount) saves of r = \(r), r_s = \(rs)" + (arrays ? " with the (T, r, r) array G of --npy-dir" : ""),
                    flags: flags)
    }

    /// `riccati monotonicity`: four solves, the `r×r` analyses and the report.
    static func monotonicityBytes(studentWidth rs: Int, teacherWidth r: Int, saveCount: Int, arrays: Bool) -> Double {
        ComparisonPrinciple.memoryEstimate(studentWidth: rs, teacherWidth: r, saveCount: saveCount)
            + MonotonicityReport.memoryEstimate(saveCount: saveCount, teacherWidth: r, arrays: arrays)
    }

    static func monotonicity(studentWidth rs: Int, teacherWidth r: Int, saveCount: Int, arrays: Bool,
                             flags: ParameterFlags) throws(CommandFailure) {
        let bytes = monotonicityBytes(studentWidth: rs, teacherWidth: r, saveCount: saveCount, arrays: arrays)
        try require(bytes, names: ["teacherWidth", "saveTimes", "studentWidth"] + (arrays ? ["npyDirectory"] : []),
                    what: "four trajectories of \(saveCount) saves and the r×r analyses of G with r = \(r), r_s = \(rs)",
                    flags: flags)
    }

    /// One SGD run of `configuration` in `precision`: working set and records, a checkpoint
    /// written or read, and its report.
    static func sgdBytes(_ configuration: SGDConfiguration, precision: ArithmeticPrecision, checkpoint: Bool,
                         arrays: Bool) -> Double {
        let estimate = precision == .float ? configuration.memoryEstimate(precision: Float.self) : configuration.memoryEstimate()
        return estimate.totalBytes + (checkpoint ? configuration.checkpointBytes() : 0)
            + SGDReport.memoryEstimate(recordCount: estimate.recordCount, studentWidth: configuration.studentWidth,
                                       teacherWidth: configuration.spectrum.count, arrays: arrays)
    }

    static func sgd(_ configuration: SGDConfiguration, precision: ArithmeticPrecision, checkpoint: Bool, resume: Bool,
                    arrays: Bool, flags: ParameterFlags) throws(CommandFailure) {
        let bytes = sgdBytes(configuration, precision: precision, checkpoint: checkpoint || resume, arrays: arrays)
        var names = ["studentWidth", "dimension", "batchSize", "saveSteps"]
        if checkpoint { names.append("checkpoint") }
        if resume { names.append("resume") }
        if arrays { names.append("npyDirectory") }
        try require(bytes, names: names,
                    what: "SGD with W of \(configuration.studentWidth)×\(configuration.dimension), batches of \(configuration.batchSize)×\(configuration.dimension) and \(configuration.memoryEstimate().recordCount) records",
                    flags: flags)
    }

    /// `riccati compare`: the SGD run, the ODE from its records, one sweep run at a time and the report.
    static func compareBytes(_ configuration: SGDConfiguration, precision: ArithmeticPrecision, sweepValues: Int,
                             arrays: Bool) -> Double {
        let records = configuration.memoryEstimate().recordCount
        let sgd = sgdBytes(configuration, precision: precision, checkpoint: false, arrays: false)
        let ode = OverlapProblem.memoryEstimate(studentWidth: configuration.studentWidth, teacherWidth: configuration.spectrum.count,
                                                saveCount: records, method: .exact(ExactPropagatorOptions()))
        return sgd * (sweepValues > 0 ? 2 : 1) + ode + 8 * 8 * Double(records)
            + CompareReport.memoryEstimate(recordCount: records, teacherWidth: configuration.spectrum.count,
                                           sweepValues: sweepValues, arrays: arrays)
    }

    static func compare(_ configuration: SGDConfiguration, precision: ArithmeticPrecision, sweepValues: Int, arrays: Bool,
                        flags: ParameterFlags) throws(CommandFailure) {
        let bytes = compareBytes(configuration, precision: precision, sweepValues: sweepValues, arrays: arrays)
        var names = ["studentWidth", "dimension", "batchSize", "saveSteps"]
        if sweepValues > 0 { names.append("learningRates") }
        if arrays { names.append("npyDirectory") }
        try require(bytes, names: names,
                    what: "SGD with W of \(configuration.studentWidth)×\(configuration.dimension) and the ODE over \(configuration.memoryEstimate().recordCount) records",
                    flags: flags)
    }

    /// `riccati compare --seeds N` (no sweep): `jobs` runs at once with their records, the
    /// ensemble's risk series (``SeedEnsemble/memoryEstimate(precision:)``), both predictions'
    /// solutions at every record, and the report.
    static func compareEnsembleBytes(_ ensemble: SeedEnsemble, precision: ArithmeticPrecision, arrays: Bool) -> Double {
        let base = ensemble.base
        let records = base.memoryEstimate().recordCount
        let runs = precision == .float ? ensemble.memoryEstimate(precision: Float.self) : ensemble.memoryEstimate()
        let prediction = OverlapProblem.memoryEstimate(studentWidth: base.studentWidth, teacherWidth: base.spectrum.count,
                                                       saveCount: records, method: .exact(ExactPropagatorOptions()))
        return runs + 2 * prediction + CompareReport.ensembleMemoryEstimate(recordCount: records, seeds: ensemble.seeds, arrays: arrays)
    }

    static func compareEnsemble(_ ensemble: SeedEnsemble, precision: ArithmeticPrecision, arrays: Bool,
                                flags: ParameterFlags) throws(CommandFailure) {
        let bytes = compareEnsembleBytes(ensemble, precision: precision, arrays: arrays)
        var names = ["seeds", "jobs", "studentWidth", "dimension", "batchSize", "saveSteps"]
        if arrays { names.append("npyDirectory") }
        let base = ensemble.base
        try require(bytes, names: names,
                    what: "\(min(ensemble.jobs, ensemble.seeds)) SGD runs at once (--jobs) with W of \(base.studentWidth)×\(base.dimension), "
                        + "and \(ensemble.seeds) risk series of \(base.memoryEstimate().recordCount) records",
                    flags: flags)
    }

    /// `riccati scaling sweep`: `--jobs` points at once and every point's curves.
    static func sweep(_ sweep: ScalingSweep, arrays: Bool, flags: ParameterFlags) throws(CommandFailure) {
        let points = Double(sweep.alphas.count) * Double(sweep.teacherWidths.count) * Double(sweep.studentWidths.count)
            * Double(sweep.dimensions.count) * Double(sweep.seeds.count)
        let report = ReportMemory.text(numbers: 4 * points * Double(sweep.saveCount))
            + (arrays ? ReportMemory.arrays(doubles: 4 * points * Double(sweep.saveCount)) : 0)
        try require(sweep.memoryEstimate + report, names: ["jobs", "teacherWidths", "studentWidths", "saveCount"],
                    what: "\(min(Double(sweep.jobs), points)) grid points at once (--jobs) of \(Int(points))", flags: flags)
    }

    /// `riccati scaling compute`: one width's SGD run at a time, every width's records, and the report.
    static func compute(_ base: SGDConfiguration, widths: [Int], arrays: Bool, flags: ParameterFlags) throws(CommandFailure) {
        var largestRun = 0.0, records = 0.0
        for width in widths {
            var configuration = base
            configuration.studentWidth = width
            let estimate = configuration.memoryEstimate()
            largestRun = max(largestRun, estimate.workingBytes)
            records += estimate.recordedBytes
        }
        let count = Double(base.memoryEstimate().recordCount) * Double(widths.count)
        let report = ReportMemory.text(numbers: 8 * count) + (arrays ? ReportMemory.arrays(doubles: 8 * count) : 0)
        try require(largestRun + 2 * records + report, names: ["studentWidths", "dimension", "batchSize", "saveSteps"],
                    what: "SGD of widths up to \(widths.max() ?? 0) at d = \(base.dimension)", flags: flags)
    }
}
