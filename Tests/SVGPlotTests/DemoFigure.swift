import Foundation
import Testing
@testable import SVGPlot

@Test("writes the demo figure to $SVGPLOT_DEMO (only when that variable is set)",
      .enabled(if: ProcessInfo.processInfo.environment["SVGPLOT_DEMO"] != nil))
func writeDemo() throws {
    var fig = Figure(title: "Excess risk of three power laws", x: .logarithmic("iterations n"), y: .logarithmic("excess risk"))
    let n = (0...80).map { pow(10, 0.05 * Double($0)) }  // 1 … 1e4
    fig.add(Series(label: "n^-1/2 (SGD, constant step)", x: n, y: n.map { 0.8 / $0.squareRoot() }))
    fig.add(Series(label: "n^-1 (ODE limit)", x: n, y: n.map { 1.0 / $0 }, style: .dashed, width: 2))
    fig.add(Series(label: "n^-2 (accelerated)", x: n, y: n.map { 3.0 / ($0 * $0) }, style: .dotted, width: 2.5))
    fig.add(horizontal: HorizontalLine(value: 2e-4, label: "noise floor 2×10⁻⁴"))
    let path = ProcessInfo.processInfo.environment["SVGPLOT_DEMO"]!
    try fig.render().write(toFile: path, atomically: true, encoding: .utf8)

    var ellipse = Figure(title: "Nested ellipses", x: .linear("θ₁"), y: .linear("θ₂"), width: 420, height: 420)
    ellipse.equalAspect = true
    let a = (0...200).map { Double($0) * 2 * .pi / 200 }
    for (k, r) in [1.0, 2.0, 3.0].enumerated() {
        ellipse.add(Series(label: "level \(k + 1)", x: a.map { r * 2 * cos($0) }, y: a.map { r * 0.7 * sin($0 + 0.4) }))
    }
    var compute = Figure(title: "Compute frontier", x: .logarithmic("FLOPs"), y: .linear("loss"), width: 420, height: 420)
    let c = (0...40).map { pow(10, 12 + 0.2 * Double($0)) }
    compute.add(Series(label: "frontier", x: c, y: c.map { 1.7 + 40 * pow($0, -0.1) }, showsMarkers: true))
    compute.add(vertical: VerticalLine(value: 1e16, label: "budget"))
    let grid = FigureGrid(columns: 2, panels: [ellipse, compute], title: "Two panels")
    try grid.render().write(toFile: path.replacingOccurrences(of: ".svg", with: "-grid.svg"), atomically: true, encoding: .utf8)
}
