import Foundation
import Testing
@testable import SVGPlot

/// A linear figure with two labelled series and one unlabelled one.
func linearFigure() -> Figure {
    var fig = Figure(title: "Linear test", x: .linear("time t"), y: .linear("value"))
    let t = (0..<41).map { Double($0) * 0.25 }
    fig.add(Series(label: "sine", x: t, y: t.map { 3 * sin($0) }))
    fig.add(Series(label: "ramp", x: t, y: t.map { 0.4 * $0 - 2 }, style: .dashed, showsMarkers: true))
    fig.add(Series(x: [0, 10], y: [-1, 1], style: .dotted))
    return fig
}

/// A log-log figure of three power laws.
func logFigure() -> Figure {
    var fig = Figure(title: "Log-log test", x: .logarithmic("steps"), y: .logarithmic("risk"))
    let n = (0..<61).map { pow(10, 0.05 * Double($0)) }  // 1 … 1e3
    fig.add(Series(label: "n^-1", x: n, y: n.map { 1 / $0 }))
    fig.add(Series(label: "n^-1/2", x: n, y: n.map { 0.5 / $0.squareRoot() }))
    fig.add(Series(label: "n^-2", x: n, y: n.map { 2 / ($0 * $0) }, style: .dashed))
    return fig
}

func parse(_ svg: String) throws -> Element {
    let parsed = try #require(DOMBuilder.parse(svg), "SVG is not well-formed XML")
    #expect(parsed.root.name == "svg")
    #expect(parsed.namespace == "http://www.w3.org/2000/svg")
    return parsed.root
}

/// Largest deviation between polyline points mapped back to data and the
/// finite input points of each series (in series order, one polyline each).
func maxRoundTripError(
    _ root: Element, _ fig: Figure, inverse: (Double, Double) -> (Double, Double),
    error: (Double, Double) -> Double
) -> Double {
    let polylines = root.all.filter { $0.name == "polyline" }
    var worst = 0.0
    for (i, s) in fig.series.enumerated() {
        let mine = polylines.filter { $0.attributes["data-series"] == String(i) }
        let points = mine.flatMap(polylinePoints)
        let expected = zip(s.x, s.y).filter { $0.0.isFinite && $0.1.isFinite }
        if points.count != expected.count { return .infinity }
        for (p, e) in zip(points, expected) {
            let (dx, dy) = inverse(p.0, p.1)
            worst = max(worst, error(dx, e.0), error(dy, e.1))
        }
    }
    return worst
}
