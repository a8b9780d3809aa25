import Foundation
import Testing
@testable import SVGPlot

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
