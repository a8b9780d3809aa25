import Foundation
import Monotonicity
import Riccati
import SVGPlot

/// Figure 3 of the paper from two trajectories with `r = 2`: the level sets `{v : vᵀG v = 1}`
/// of `G_A(t)` (solid) and `G_B(t)` (dashed) at the ellipse times, and the entries `G_11`,
/// `G_22`, `G_12` of trajectory A over `[0, min(T, entriesEnd)]` on 201 equally spaced times
/// (``Solution/state(at:)``: exact re-propagation between saves).
public struct Figure3: Sendable {
    /// `trajectory,t,x,y`.
    public var ellipsesCSV: String
    /// `t,G_11,G_22,G_12`.
    public var entriesCSV: String
    public var svg: String

    /// Title of the whole figure (above both panels).
    public static let title = "Comparison principle and time monotonicity, r = 2 (Figure 3)"

    public init(lower: Solution, upper: Solution, ellipseTimes: [Double], entriesEnd: Double = 5) throws(FigureError) {
        var ellipseLines = ["trajectory,t,x,y"]
        var ellipsePanel = Figure(title: "Level sets vᵀG(t)v = 1: G_A solid, G_B dashed", x: .linear("v₁"), y: .linear("v₂"))
        ellipsePanel.equalAspect = true
        let end = Swift.min(lower.finalTime, entriesEnd)
        let entryTimes = (0...200).map { end * Double($0) / 200 }
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
            throw .invalidData(error.description)
        }
        var entryPanel = Figure(title: "Entries of G_A(t)", x: .linear("t"), y: .linear("G_jk"))
        entryPanel.add(Series(label: "G_11", x: entryTimes, y: g11))
        entryPanel.add(Series(label: "G_22", x: entryTimes, y: g22))
        entryPanel.add(Series(label: "G_12", x: entryTimes, y: g12, style: .dashed))
        do {
            svg = try FigureGrid(columns: 2, panels: [ellipsePanel, entryPanel], title: Self.title).render()
        } catch {
            throw .rendering("could not draw the figure: \(error)")
        }
        ellipsesCSV = ellipseLines.joined(separator: "\n") + "\n"
        entriesCSV = entryLines.joined(separator: "\n") + "\n"
    }
}
