import Foundation
import Testing
@testable import SVGPlot

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
