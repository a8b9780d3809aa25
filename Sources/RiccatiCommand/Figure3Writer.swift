import Figures

import Reports
import Riccati

/// `--figure DIR` and `--plot` of `riccati monotonicity`: Figure 3 (see ``Figure3`` in the
/// `Figures` module) as `ellipses.csv` (`trajectory,t,x,y`), `entries.csv` (`t,G_11,G_22,G_12`)
/// and `figure3.svg`, each written atomically; `--plot FILE.svg` writes the same SVG text.
enum Figure3Writer {
    /// The figure's data and SVG text. A `G` that is not positive definite (no level-set
    /// ellipse) is bad input reported under `flag`.
    static func build(lower: Solution, upper: Solution, ellipseTimes: [Double], flag: String = "--figure") throws(CommandFailure) -> Figure3 {
        try CommandFailure.mapping(flag: flag) { () throws(ReportError) in
            try MonotonicityReport.figure3(lower: lower, upper: upper, ellipseTimes: ellipseTimes)
        }
    }

    /// Writes `ellipses.csv`, `entries.csv` and `figure3.svg` into `folder`, each atomically.
    static func write(_ output: Figure3, into folder: String) throws(CommandFailure) {
        try writeAtomically(output.ellipsesCSV, to: folder + "/ellipses.csv", flag: "--figure")
        try writeAtomically(output.entriesCSV, to: folder + "/entries.csv", flag: "--figure")
        try writeAtomically(output.svg, to: folder + "/figure3.svg", flag: "--figure")
    }
}
