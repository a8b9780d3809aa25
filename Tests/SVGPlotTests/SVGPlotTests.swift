import Foundation
import Testing
@testable import SVGPlot

// MARK: - Fixtures

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

// MARK: - Structure

@Suite("SVG structure")
struct StructureTests {
    @Test("linear figure: well-formed, title, axis labels, numeric tick labels, one legend entry per labelled series")
    func linearStructure() throws {
        let fig = linearFigure()
        let root = try parse(try fig.render())
        let texts = root.all.filter { $0.name == "text" }
        #expect(texts.filter { $0.hasClass("title") }.map(\.text) == ["Linear test"])
        #expect(texts.filter { $0.hasClass("axis-label", "x") }.map(\.text) == ["time t"])
        #expect(texts.filter { $0.hasClass("axis-label", "y") }.map(\.text) == ["value"])
        let xLabels = texts.filter { $0.hasClass("tick-label", "x") }
        let yLabels = texts.filter { $0.hasClass("tick-label", "y") }
        #expect(xLabels.count >= 4 && xLabels.count <= 12, "x tick labels: \(xLabels.map(\.text))")
        #expect(yLabels.count >= 4 && yLabels.count <= 12, "y tick labels: \(yLabels.map(\.text))")
        #expect(xLabels.allSatisfy { tickValue($0) != nil })
        #expect(yLabels.allSatisfy { tickValue($0) != nil })
        #expect(texts.filter { $0.hasClass("legend-label") }.map(\.text) == ["sine", "ramp"])
        #expect(root.all.filter { $0.hasClass("legend-sample") }.count == 2)
        // Markers only for the series that asked for them.
        let markers = root.all.filter { $0.name == "circle" && $0.hasClass("marker") }
        #expect(markers.count == 41)
        #expect(markers.allSatisfy { $0.attributes["data-series"] == "1" })
    }

    @Test("log-log figure: decade tick labels rendered as 10 with a superscript exponent")
    func logStructure() throws {
        let root = try parse(try logFigure().render())
        let texts = root.all.filter { $0.name == "text" }
        #expect(texts.filter { $0.hasClass("title") }.map(\.text) == ["Log-log test"])
        #expect(texts.filter { $0.hasClass("axis-label", "x") }.map(\.text) == ["steps"])
        #expect(texts.filter { $0.hasClass("axis-label", "y") }.map(\.text) == ["risk"])
        // x: data 1 … 1e3 → decades 10^0 … 10^3.
        let xLabels = texts.filter { $0.hasClass("tick-label", "x") }
        #expect(xLabels.map(\.text) == ["100", "101", "102", "103"])
        #expect(xLabels.allSatisfy { $0.ownText == "10" && $0.children.first?.attributes["baseline-shift"] == "super" })
        // y: data 2e-6 … 2 → decades 10^-6 … 10^1.
        let yValues = texts.filter { $0.hasClass("tick-label", "y") }.compactMap(tickValue)
        #expect(yValues.count == 8)
        #expect(zip(yValues, (-6...1).map { pow(10, Double($0)) }).allSatisfy { abs($0 / $1 - 1) < 1e-12 })
        #expect(texts.filter { $0.hasClass("legend-label") }.map(\.text) == ["n^-1", "n^-1/2", "n^-2"])
    }

    @Test("data are clipped to the plot area through a clipPath whose rectangle is the plot area")
    func clipPath() throws {
        let fig = linearFigure()
        let t = try fig.transform()
        let root = try parse(try fig.render())
        let clip = try #require(root.all.first { $0.name == "clipPath" })
        let rect = try #require(clip.children.first)
        #expect(rect.number("x") == t.left && rect.number("y") == t.top)
        #expect(abs(rect.number("width")! - t.plotWidth) < 1e-3 && abs(rect.number("height")! - t.plotHeight) < 1e-3)
        let dataGroup = try #require(root.all.first { $0.hasClass("data") })
        #expect(dataGroup.attributes["clip-path"] == "url(#\(clip.attributes["id"]!))")
        #expect(dataGroup.all.filter { $0.name == "polyline" }.count == 3)
    }

    @Test("rendering is deterministic")
    func deterministic() throws {
        #expect(try linearFigure().render() == linearFigure().render())
        #expect(try logFigure().render() == logFigure().render())
    }

    @Test("palette: series without colour take palette colours in order; explicit colours do not consume one")
    func palette() throws {
        var fig = Figure(title: "", x: .linear(""), y: .linear(""))
        fig.add(Series(x: [0, 1], y: [0, 1]))
        fig.add(Series(x: [0, 1], y: [1, 0], color: "red"))
        fig.add(Series(x: [0, 1], y: [0.5, 0.5]))
        let strokes = try parse(try fig.render()).all.filter { $0.name == "polyline" }.map { $0.attributes["stroke"] ?? "" }
        #expect(strokes == [Palette.colors[0], "red", Palette.colors[1]])
    }

    @Test("reference lines: drawn at the mapped value, annotated, and included in the automatic range")
    func referenceLines() throws {
        var fig = Figure(title: "floor", x: .logarithmic("n"), y: .logarithmic("risk"))
        fig.add(Series(label: "risk", x: [1, 10, 100], y: [1, 0.1, 0.01]))
        fig.add(horizontal: HorizontalLine(value: 1e-4, label: "noise floor"))
        fig.add(vertical: VerticalLine(value: 1000, label: "budget"))
        let t = try fig.transform()
        #expect(t.yRange.lowerBound == 1e-4 && abs(t.xRange.upperBound - 1000) < 1e-9)
        let root = try parse(try fig.render())
        let refs = root.all.filter { $0.name == "line" && $0.hasClass("reference") }
        #expect(refs.count == 2)
        let h = try #require(refs.first { $0.attributes["y1"] == $0.attributes["y2"] })
        #expect(abs(t.dataY(h.number("y1")!) / 1e-4 - 1) < 1e-6)
        let v = try #require(refs.first { $0.attributes["x1"] == $0.attributes["x2"] })
        #expect(abs(t.dataX(v.number("x1")!) / 1000 - 1) < 1e-6)
        let notes = root.all.filter { $0.hasClass("annotation") }.map(\.text)
        #expect(notes == ["noise floor", "budget"])
    }
}

// MARK: - Coordinates

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

// MARK: - Ticks

@Suite("Ticks")
struct TickTests {
    @Test("log axis 1e-3…1e1: a labelled tick at each decade, labels mapping back to the decade; minor ticks 2…9")
    func logDecades() throws {
        var fig = Figure(title: "t", x: .logarithmic("x", range: 1e-3...1e1), y: .logarithmic("y", range: 1e-3...1e1))
        fig.add(Series(x: [1e-2, 1], y: [1e-2, 1]))
        let t = try fig.transform()
        let root = try parse(try fig.render())
        let decades = (-3...1).map { pow(10, Double($0)) }
        let xLabels = root.all.filter { $0.hasClass("tick-label", "x") }
        #expect(xLabels.count == 5)
        for (label, decade) in zip(xLabels, decades) {
            #expect(abs(try #require(tickValue(label)) / decade - 1) < 1e-12, "label \(label.text)")
            #expect(abs(t.dataX(label.number("x")!) / decade - 1) < 1e-4, "x label \(label.text) misplaced")
        }
        let yLabels = root.all.filter { $0.hasClass("tick-label", "y") }
        #expect(yLabels.count == 5)
        for label in yLabels {
            let value = try #require(tickValue(label))
            #expect(abs(t.dataY(label.number("y")!) / value - 1) < 1e-4, "y label \(label.text) misplaced")
        }
        // 5 decade ticks plus 8 minor ticks in each of the 4 full decades.
        let xTicks = root.all.filter { $0.name == "line" && $0.hasClass("tick", "x") }
        #expect(xTicks.count == 5 + 4 * 8)
        let tickValues = xTicks.map { t.dataX($0.number("x1")!) }
        for m in 2...9 {
            #expect(tickValues.contains { abs($0 / (Double(m) * 1e-3) - 1) < 1e-4 }, "no minor tick at \(m)e-3")
        }
    }

    @Test("log auto range snaps outward to whole decades")
    func logAutoRange() throws {
        var fig = Figure(title: "", x: .logarithmic("x"), y: .logarithmic("y"))
        fig.add(Series(x: [1.5e-3, 7], y: [0.02, 0.3]))
        let t = try fig.transform()
        #expect(abs(t.xRange.lowerBound / 1e-3 - 1) < 1e-12 && abs(t.xRange.upperBound / 10 - 1) < 1e-12)
        #expect(abs(t.yRange.lowerBound / 1e-2 - 1) < 1e-12 && abs(t.yRange.upperBound / 1 - 1) < 1e-12)
    }

    @Test("linear auto range pads by 5%; linear ticks are equally spaced 1-2-5 multiples placed at their values")
    func linearTicks() throws {
        var fig = Figure(title: "", x: .linear("x"), y: .linear("y"))
        fig.add(Series(x: [0, 10], y: [-3, 7]))
        let t = try fig.transform()
        #expect(abs(t.xRange.lowerBound - -0.5) < 1e-12 && abs(t.xRange.upperBound - 10.5) < 1e-12)
        #expect(abs(t.yRange.lowerBound - -3.5) < 1e-12 && abs(t.yRange.upperBound - 7.5) < 1e-12)
        let root = try parse(try fig.render())
        for (cls, coordinate) in [("x", "x"), ("y", "y")] {
            let labels = root.all.filter { $0.hasClass("tick-label", cls) }
            let values = labels.compactMap(tickValue)
            #expect(values.count == labels.count && values.count >= 3)
            let steps = zip(values.dropFirst(), values).map { $0 - $1 }
            let step = try #require(steps.first)
            #expect(steps.allSatisfy { abs($0 - step) < 1e-9 })
            let mantissa = step / pow(10, floor(log10(step)))
            #expect([1.0, 2.0, 5.0].contains { abs(mantissa - $0) < 1e-9 }, "step \(step)")
            for (label, value) in zip(labels, values) {
                let px = label.number(coordinate)!
                let back = cls == "x" ? t.dataX(px) : t.dataY(px)
                #expect(abs(back - value) < 1e-3, "\(cls) label \(label.text) at \(back)")
            }
        }
    }

    @Test("nice steps and label formatting")
    func niceNumbers() {
        #expect(TickGenerator.niceStep(0.7) == 1)
        #expect(TickGenerator.niceStep(1.3) == 2)
        #expect(TickGenerator.niceStep(3) == 5)
        #expect(TickGenerator.niceStep(7) == 10)
        #expect(TickGenerator.niceStep(0.03) == 0.05)
        #expect(TickGenerator.linearLabels([0, 0.1, 0.2, 0.30000000000000004], step: 0.1).map(\.text) == ["0.0", "0.1", "0.2", "0.3"])
        #expect(TickGenerator.linearLabels([-20, 0, 20], step: 20).map(\.text) == ["-20", "0", "20"])
        let big = TickGenerator.linearLabels([0, 2.5e6, 5e6], step: 2.5e6)
        #expect(big.map(\.text) == ["0", "2.5×10", "5.0×10"] && big[1].superscript == "6")
        #expect(TickGenerator.linearLabels([0, 2e6, 4e6], step: 2e6).map(\.text) == ["0", "2×10", "4×10"])
        #expect(TickGenerator.linearLabels([0, 0.25, 0.5], step: 0.25).map(\.text) == ["0.00", "0.25", "0.50"])
        #expect(formatCoordinate(12.5) == "12.5" && formatCoordinate(-0.0001) == "0" && formatCoordinate(3) == "3")
        #expect(formatFixed(-1.25, decimals: 1) == "-1.3" || formatFixed(-1.25, decimals: 1) == "-1.2")
    }
}

// MARK: - Non-finite data, errors, escaping, aspect

@Suite("Data validation and edge cases")
struct EdgeCaseTests {
    @Test("NaN and infinity split a polyline; no nan/inf text in the SVG")
    func nanSplits() throws {
        var fig = Figure(title: "gaps", x: .linear("x"), y: .linear("y"))
        fig.add(Series(label: "gappy", x: [1, 2, 3, 4, 5, 6, 7, 8], y: [1, 2, .nan, 4, 5, .infinity, 7, 8]))
        let svg = try fig.render()
        let root = try parse(svg)
        let polylines = root.all.filter { $0.name == "polyline" }
        #expect(polylines.count == 3)
        #expect(polylines.map { polylinePoints($0).count } == [2, 2, 2])
        let lower = svg.lowercased()
        #expect(!lower.contains("nan") && !lower.contains("inf"))
        // The pieces still map back to the finite data.
        let t = try fig.transform()
        let xs = polylines.flatMap(polylinePoints).map { t.dataX($0.0) }
        #expect(zip(xs, [1.0, 2, 4, 5, 7, 8]).allSatisfy { abs($0 - $1) < 1e-3 })
    }

    @Test("an isolated finite point between gaps is drawn as a dot")
    func isolatedPoint() throws {
        var fig = Figure(title: "", x: .linear(""), y: .linear(""))
        fig.add(Series(x: [1, 2, 3, 4, 5], y: [1, .nan, 3, .nan, 5]))
        let root = try parse(try fig.render())
        #expect(root.all.filter { $0.name == "polyline" }.isEmpty)
        #expect(root.all.filter { $0.name == "circle" }.count == 3)
    }

    @Test("non-positive value on a log axis throws, naming the series and the value")
    func nonPositiveOnLog() throws {
        var fig = Figure(title: "risk", x: .linear("t"), y: .logarithmic("risk"))
        fig.add(Series(label: "good", x: [1, 2], y: [1, 2]))
        fig.add(Series(label: "bad-series", x: [1, 2, 3], y: [1, -0.5, 2]))
        let error = try #require(throws: PlotError.self) { try fig.render() }
        #expect(error == .nonPositiveOnLogAxis(figure: "risk", series: "bad-series", axis: "y", value: -0.5, index: 1))
        #expect(error.description.contains("bad-series") && error.description.contains("-0.5"))
        #expect(!error.description.contains("\n"))
        // Zero is non-positive too; an unlabelled series is named by position.
        var fig2 = Figure(title: "f", x: .logarithmic("n"), y: .linear("y"))
        fig2.add(Series(label: "a", x: [1, 2], y: [1, 2]))
        fig2.add(Series(x: [0, 2], y: [1, 2]))
        let e2 = try #require(throws: PlotError.self) { try fig2.transform() }
        #expect(e2.description.contains("#2") && e2.description.contains("x value 0.0"))
        // A NaN on a log axis is a gap, not an error.
        var fig3 = Figure(title: "f", x: .logarithmic("n"), y: .logarithmic("y"))
        fig3.add(Series(x: [1, 2, 3], y: [1, .nan, 3]))
        #expect(throws: Never.self) { try fig3.render() }
        // A reference line below zero on a log axis.
        var fig4 = fig3
        fig4.add(horizontal: HorizontalLine(value: 0, label: "zero line"))
        let e4 = try #require(throws: PlotError.self) { try fig4.render() }
        #expect(e4.description.contains("zero line"))
    }

    @Test("count mismatch, empty figure, no finite data, invalid size and range throw")
    func otherErrors() throws {
        var fig = Figure(title: "m", x: .linear("x"), y: .linear("y"))
        fig.add(Series(label: "short", x: [1, 2, 3], y: [1, 2]))
        let e = try #require(throws: PlotError.self) { try fig.render() }
        #expect(e == .countMismatch(figure: "m", series: "short", xCount: 3, yCount: 2))
        #expect(e.description.contains("short") && e.description.contains("3") && e.description.contains("2"))

        let empty = Figure(title: "nothing", x: .linear("x"), y: .linear("y"))
        #expect(throws: PlotError.emptyFigure(figure: "nothing")) { try empty.render() }

        var allNaN = Figure(title: "nan", x: .linear("x"), y: .linear("y"))
        allNaN.add(Series(x: [.nan, 1], y: [1, .nan]))
        #expect(throws: PlotError.noFiniteData(figure: "nan")) { try allNaN.render() }

        var tiny = linearFigure()
        tiny.width = 50
        #expect(throws: PlotError.self) { try tiny.render() }
        tiny.width = .nan
        #expect(throws: PlotError.self) { try tiny.render() }

        var badRange = Figure(title: "r", x: .logarithmic("x", range: 0...10), y: .linear("y"))
        badRange.add(Series(x: [1, 2], y: [1, 2]))
        #expect(throws: PlotError.self) { try badRange.render() }
        badRange.x = .linear("x", range: 3...3)
        #expect(throws: PlotError.self) { try badRange.render() }
    }

    @Test("equalAspect: a unit circle has equal pixel width and height (and is an ellipse without it)")
    func equalAspect() throws {
        let angles = (0...360).map { Double($0) * .pi / 180 }
        var fig = Figure(title: "circle", x: .linear("x"), y: .linear("y"), width: 640, height: 420)
        fig.add(Series(label: "r = 1", x: angles.map(cos), y: angles.map(sin)))
        func extent(_ f: Figure) throws -> (Double, Double) {
            let pts = try parse(try f.render()).all.filter { $0.name == "polyline" }.flatMap(polylinePoints)
            let xs = pts.map(\.0), ys = pts.map(\.1)
            return (xs.max()! - xs.min()!, ys.max()! - ys.min()!)
        }
        let (w0, h0) = try extent(fig)
        #expect(abs(w0 - h0) > 20, "control: without equal aspect the circle should be stretched")
        fig.equalAspect = true
        let t = try fig.transform()
        #expect(abs(t.xUnitsPerPixel / t.yUnitsPerPixel - 1) < 1e-12)
        let (w, h) = try extent(fig)
        #expect(abs(w - h) < 0.01, "circle extent \(w) × \(h)")
        #expect(h > 0.8 * t.plotHeight)  // y range stays tight (the plot is wider than tall)
        // Explicit ranges are minimum ranges: they still contain the requested box.
        fig.x.range = -2...2
        fig.y.range = -1...1
        let t2 = try fig.transform()
        #expect(t2.xRange.lowerBound <= -2 && t2.xRange.upperBound >= 2)
        #expect(t2.yRange.lowerBound <= -1 && t2.yRange.upperBound >= 1)
        #expect(abs(t2.xUnitsPerPixel / t2.yUnitsPerPixel - 1) < 1e-12)
    }

    @Test("text is XML-escaped: a title with <&> and quotes parses back verbatim")
    func escaping() throws {
        let title = #"Risk <&> "quoted" 'single' a<b && c>d"#
        var fig = Figure(title: title, x: .linear("x < 1 & y"), y: .linear("y"))
        fig.add(Series(label: "<legend & co>", x: [0, 1], y: [0, 1], color: #"#000" onload="x"#))
        let svg = try fig.render()
        #expect(!svg.contains("<&>") && svg.contains("&lt;&amp;&gt;"))
        let root = try parse(svg)
        #expect(root.all.filter { $0.hasClass("title") }.map(\.text) == [title])
        #expect(root.all.first { $0.name == "title" }?.text == title)
        #expect(root.all.filter { $0.hasClass("axis-label", "x") }.map(\.text) == ["x < 1 & y"])
        #expect(root.all.filter { $0.hasClass("legend-label") }.map(\.text) == ["<legend & co>"])
        #expect(root.all.first { $0.name == "polyline" }?.attributes["onload"] == nil)
    }
}

// MARK: - Demo

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
