import Foundation
import Testing
@testable import SVGPlot

@Suite("Data ↔ pixel round trip")
struct RoundTripTests {
    @Test("linear: every polyline point maps back to its data point; a y-flipped transform does not")
    func linearRoundTrip() throws {
        let fig = linearFigure()
        let t = try fig.transform()
        let root = try parse(try fig.render())
        let xSpan = t.xRange.upperBound - t.xRange.lowerBound
        let ySpan = t.yRange.upperBound - t.yRange.lowerBound
        // Scaled absolute tolerance: 1e-4 of the axis span (pixel rounding is 5e-4 px).
        let tolerance = 1e-4
        var axis = 0
        let scaledError: (Double, Double) -> Double = { got, want in
            defer { axis ^= 1 }
            return abs(got - want) / (axis == 0 ? xSpan : ySpan)
        }
        let good = maxRoundTripError(root, fig, inverse: t.data, error: scaledError)
        #expect(good < tolerance, "max scaled error \(good)")
        // Negative control: measuring y from the top instead of the bottom.
        let flipped = maxRoundTripError(root, fig, inverse: { px, py in t.data(px: px, py: t.top + t.bottom - py) }, error: scaledError)
        #expect(flipped > 0.1, "flipped transform unexpectedly matched (error \(flipped))")
    }

    @Test("log-log: every polyline point maps back within 1e-3 relative; wrong transforms do not")
    func logRoundTrip() throws {
        let fig = logFigure()
        let t = try fig.transform()
        let root = try parse(try fig.render())
        let relative: (Double, Double) -> Double = { abs($0 / $1 - 1) }
        let good = maxRoundTripError(root, fig, inverse: t.data, error: relative)
        #expect(good < 1e-3, "max relative error \(good)")
        #expect(good < 1e-4)  // actual precision is far better than required
        let flipped = maxRoundTripError(root, fig, inverse: { px, py in t.data(px: px, py: t.top + t.bottom - py) }, error: relative)
        #expect(flipped > 1, "flipped transform unexpectedly matched (error \(flipped))")
        // Negative control 2: a linear map over the same data ranges.
        let linear = PlotTransform(
            left: t.left, top: t.top, plotWidth: t.plotWidth, plotHeight: t.plotHeight,
            xScale: .linear, yScale: .linear,
            xScaled: (t.xRange.lowerBound, t.xRange.upperBound), yScaled: (t.yRange.lowerBound, t.yRange.upperBound))
        #expect(maxRoundTripError(root, fig, inverse: linear.data, error: relative) > 0.5)
    }

    @Test("pixel(x:y:) and data(px:py:) are inverse; y grows downwards")
    func inverse() throws {
        let t = try logFigure().transform()
        for (x, y) in [(1.0, 1e-6), (31.6, 0.02), (1000.0, 2.0)] {
            let (px, py) = t.pixel(x: x, y: y)
            let (bx, by) = t.data(px: px, py: py)
            #expect(abs(bx / x - 1) < 1e-12 && abs(by / y - 1) < 1e-12)
        }
        #expect(t.pixelY(1e-3) > t.pixelY(1e-2))
        #expect(t.pixelX(1) == t.left && abs(t.pixelX(1000) - t.right) < 1e-9)
    }

    @Test("grid panels: polylines of each panel map back through transform(panel:)")
    func gridRoundTrip() throws {
        let grid = FigureGrid(columns: 2, panels: [linearFigure(), logFigure()])
        let svg = try grid.render()
        let root = try parse(svg)
        #expect(root.number("width") == 1280 && root.number("height") == 420)
        let panels = root.children.filter { $0.hasClass("panel") }
        #expect(panels.count == 2)
        let ids = root.all.filter { $0.name == "clipPath" }.compactMap { $0.attributes["id"] }
        #expect(ids.count == 2 && Set(ids).count == 2)
        // Panel content is in panel coordinates inside a translate(); shift it.
        let t1 = try grid.transform(panel: 1)
        #expect(t1.left == (try logFigure().transform().left) + 640)
        let shifted: (Double, Double) -> (Double, Double) = { px, py in t1.data(px: px + 640, py: py) }
        let err = maxRoundTripError(panels[1], grid.panels[1], inverse: shifted, error: { abs($0 / $1 - 1) })
        #expect(err < 1e-3)
        #expect(throws: PlotError.self) { try FigureGrid(columns: 0, panels: [linearFigure()]).render() }
        #expect(throws: PlotError.self) { try FigureGrid(columns: 2, panels: []).render() }
    }

    @Test("points far outside an explicit range are clipped geometrically, preserving the line's direction")
    func farPointsClipped() throws {
        var fig = Figure(title: "", x: .linear("", range: 0...1), y: .linear("", range: 0...1))
        fig.add(Series(x: [0, 1e9, 2e9], y: [0, 1e9, -5e8]))
        let t = try fig.transform()
        let points = try parse(try fig.render()).all.filter { $0.name == "polyline" }.flatMap(polylinePoints)
        #expect(points.count == 2)  // first segment up to the guard box; second segment lies outside it
        for (px, py) in points {
            #expect(abs(px) < 2000 && abs(py) < 2000)
            let (x, y) = t.data(px: px, py: py)
            #expect(abs(x - y) < 1e-4, "point (\(x), \(y)) is not on y = x")
        }
    }
}
