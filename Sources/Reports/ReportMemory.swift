import Riccati

/// The bytes the reports of each command hold while they are built and written, as functions
/// of the sizes (the commands add them to the computation's own estimate before any work).
///
/// - A text report (table, CSV or JSON, the worst of the three is counted) of `N` numbers:
///   ``bytesPerReportedNumber`` each (the JSON tree's node, its formatted text, the joined
///   document and the bytes written).
/// - `.npy` arrays (`--npy-dir`) of `D` doubles in all: `16·D` bytes (the arrays themselves and
///   the encoding of the one being written, at most all of them). `G` is `(T, r, r)`: `T·r²`
///   doubles, formed straight into its array (``NamedArray/signalGrams(_:_:teacherWidth:)``).
/// - A figure (`--plot`): a few hundred bytes per drawn point, counted as 64 numbers per save.
public enum ReportMemory {
    /// Bytes per number of a text report.
    public static let bytesPerReportedNumber: Double = 160

    /// Bytes of a text report of `numbers` numbers.
    public static func text(numbers: Double) -> Double { bytesPerReportedNumber * numbers }

    /// Bytes of `.npy` arrays of `doubles` doubles in all, while written.
    public static func arrays(doubles: Double) -> Double { 16 * doubles }

    /// Bytes of a figure of `saves` save times.
    public static func plot(saves: Double) -> Double { text(numbers: 64 * saves) }
}

extension IntegrateReport {
    /// The report's bytes for `T` saves: the numbers of the text report (`T·(r + r_s + 3) + r`),
    /// the figure, and with `arrays` the `.npy` files (`G` `T·r²`, `M` `T·r_s·r`, `P` `T·r_s²` and
    /// the vectors).
    public static func memoryEstimate(saveCount: Int, studentWidth rs: Int, teacherWidth r: Int, arrays: Bool) -> Double {
        let t = Double(saveCount), rr = Double(r), s = Double(rs)
        let text = ReportMemory.text(numbers: t * (rr + s + 3) + rr) + ReportMemory.plot(saves: t)
        let doubles = t * (rr * rr + s * rr + s * s + rr + s + 3) + 2 * rr + 1
        return text + (arrays ? ReportMemory.arrays(doubles: doubles) : 0)
    }
}

extension SGDReport {
    /// The report's bytes for `T` records (``IntegrateReport/memoryEstimate(saveCount:studentWidth:teacherWidth:arrays:)``'s
    /// terms: the same arrays, plus the steps).
    public static func memoryEstimate(recordCount: Int, studentWidth rs: Int, teacherWidth r: Int, arrays: Bool) -> Double {
        IntegrateReport.memoryEstimate(saveCount: recordCount, studentWidth: rs, teacherWidth: r, arrays: arrays)
            + ReportMemory.text(numbers: 4 * Double(recordCount))
    }
}

extension CompareReport {
    /// The report's bytes for `T` records: a handful of series (`16T` numbers), the sweep's
    /// `rates × seeds` deviations, and with `arrays` `G_sgd` and `G_ode` (`2·T·r²` doubles).
    public static func memoryEstimate(recordCount: Int, teacherWidth r: Int, sweepValues: Int, arrays: Bool) -> Double {
        let t = Double(recordCount), rr = Double(r), sweep = Double(sweepValues)
        let text = ReportMemory.text(numbers: 16 * t + 2 * sweep) + ReportMemory.plot(saves: t + sweep)
        return text + (arrays ? ReportMemory.arrays(doubles: 2 * t * rr * rr + 8 * t + 2 * sweep) : 0)
    }
}

extension CompareReport {
    /// The report of a seed ensemble of `N` runs and `T` records: nine series and the `N` risk
    /// series (`9T + N·T` numbers) in text, the figure, and with `arrays` the same doubles.
    public static func ensembleMemoryEstimate(recordCount: Int, seeds: Int, arrays: Bool) -> Double {
        let t = Double(recordCount), n = Double(seeds)
        return ReportMemory.text(numbers: 9 * t + n + 16) + ReportMemory.plot(saves: 2 * t)
            + (arrays ? ReportMemory.arrays(doubles: 9 * t + n * t) : 0)
    }
}

extension MonotonicityReport {
    /// The report's bytes for `T` save times: the margins and relations of the four runs (`16T`
    /// numbers), the entry trends of `G` (`r(r+1)/2` entries of a few strings and their turning
    /// times: `8 + T` numbers each) and with `arrays` `G_a` and `G_b` (`2·T·r²` doubles).
    public static func memoryEstimate(saveCount: Int, teacherWidth r: Int, arrays: Bool) -> Double {
        let t = Double(saveCount), rr = Double(r)
        let text = ReportMemory.text(numbers: 16 * t + rr * (rr + 1) / 2 * (8 + t)) + ReportMemory.plot(saves: t)
        return text + (arrays ? ReportMemory.arrays(doubles: 2 * t * rr * rr + 8 * t) : 0)
    }
}
