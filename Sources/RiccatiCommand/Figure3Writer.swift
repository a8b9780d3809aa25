import Foundation
import Monotonicity
import Riccati
import SVGPlot

/// Figure 3 of the paper from two trajectories with `r = 2`: the level sets `{v : vᵀG v = 1}`
/// of `G_A(t)` (solid) and `G_B(t)` (dashed) at the ellipse times, and the entries `G_11`,
/// `G_22`, `G_12` of trajectory A over `[0, min(T, 5)]` on 201 equally spaced times (exact
/// re-propagation between saves).
///
/// ``build(lower:upper:ellipseTimes:flag:)`` computes the two CSV tables and the SVG text;
/// `--figure DIR` writes all three (``write(_:into:)``: `ellipses.csv` (`trajectory,t,x,y`),
/// `entries.csv` (`t,G_11,G_22,G_12`) and `figure3.svg`, each atomically), `--plot FILE.svg`
/// writes the same SVG text to its own file.
enum Figure3Writer {
    struct Output {
        var ellipsesCSV: String
        var entriesCSV: String
        var svg: String
    }

    /// Title of the whole figure (above both panels).
    static let title = "Comparison principle and time monotonicity, r = 2 (Figure 3)"

    /// The figure's data and SVG text. Errors (a `G` that is not positive definite, so it has no
    /// level-set ellipse) are bad input reported under `flag`.
    static func build(lower: Solution, upper: Solution, ellipseTimes: [Double], flag: String = "--figure") throws(CommandFailure) -> Output {
        var ellipseLines = ["trajectory,t,x,y"]
        var ellipsePanel = Figure(title: "Level sets vᵀG(t)v = 1: G_A solid, G_B dashed",
                                  x: .linear("v₁"), y: .linear("v₂"))
        ellipsePanel.equalAspect = true
        let entryEnd = Swift.min(lower.finalTime, 5)
        let entryTimes = (0...200).map { entryEnd * Double($0) / 200 }
        var entryLines = ["t,G_11,G_22,G_12"]
        var g11: [Double] = [], g22: [Double] = [], g12: [Double] = []
        do {
            for (index, t) in ellipseTimes.enumerated() {
                let color = Palette.colors[index % Palette.colors.count]
                for (name, solution, style) in [("A", lower, LineStyle.solid), ("B", upper, LineStyle.dashed)] {
                    let points = try LevelSet.ellipse(of: try solution.state(at: t).signalGram)
                    for point in points { ellipseLines.append("\(name),\(t),\(point.x),\(point.y)") }
                    ellipsePanel.add(Series(label: "\(name), t = \(t)", x: points.map(\.x), y: points.map(\.y), color: color, style: style))
                }
            }
            for t in entryTimes {
                let g = try lower.state(at: t).signalGram
                g11.append(g[0, 0]); g22.append(g[1, 1]); g12.append(g[0, 1])
                entryLines.append("\(t),\(g[0, 0]),\(g[1, 1]),\(g[0, 1])")
            }
        } catch {
            throw .badInput("\(flag): \(error.description)")
        }
        var entryPanel = Figure(title: "Entries of G_A(t)", x: .linear("t"), y: .linear("G_jk"))
        entryPanel.add(Series(label: "G_11", x: entryTimes, y: g11))
        entryPanel.add(Series(label: "G_22", x: entryTimes, y: g22))
        entryPanel.add(Series(label: "G_12", x: entryTimes, y: g12, style: .dashed))
        let svg: String
        do {
            svg = try FigureGrid(columns: 2, panels: [ellipsePanel, entryPanel], title: title).render()
        } catch {
            throw .runtime("\(flag): could not draw the figure: \(error)")
        }
        return Output(ellipsesCSV: ellipseLines.joined(separator: "\n") + "\n", entriesCSV: entryLines.joined(separator: "\n") + "\n",
                      svg: svg)
    }

    /// Writes `ellipses.csv`, `entries.csv` and `figure3.svg` into `folder`, each atomically.
    static func write(_ output: Output, into folder: String) throws(CommandFailure) {
        try writeAtomically(output.ellipsesCSV, to: folder + "/ellipses.csv", flag: "--figure")
        try writeAtomically(output.entriesCSV, to: folder + "/entries.csv", flag: "--figure")
        try writeAtomically(output.svg, to: folder + "/figure3.svg", flag: "--figure")
    }
}
