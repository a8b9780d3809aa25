import Foundation
import Testing
@testable import SVGPlot

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
