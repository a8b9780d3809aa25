import Foundation
import LinearAlgebra
import NumPyFormat
import Testing
#if canImport(FoundationXML)
import FoundationXML
#endif

/// `--plot`: the figures draw what the reports hold.
@Suite struct PlotOutputTests {
    @Test func integratePlotHasTheRiskTheAdditiveModelAndTheFloor() throws {
        let folder = try temporaryFolder()
        let plot = folder.appendingPathComponent("risk.svg")
        let run = try runRiccati(["integrate", "--r", "32", "--rs", "8", "--d", "1024", "--t-end", "1000", "--save-count", "8",
                                  "--format", "json", "--plot", plot.path])
        #expect(run.status == 0, "stderr: \(run.standardError)")
        let svg = try SVGSummary(contentsOf: plot)
        #expect(svg.panels.count == 1)
        #expect(svg.titles.contains { $0.hasPrefix("Population risk, exact: r = 32, r_s = 8, α = 1, d = 1024") }, "\(svg.titles)")
        #expect(svg.hasLogTicks, "log axes have 10^k tick labels")
        // The risk series: one polyline through the 8 save times (all t > 0); the additive model: 400 points.
        #expect(svg.polylinePoints(panel: 0, series: 0) == [8])
        #expect(svg.polylinePoints(panel: 0, series: 1).reduce(0, +) == 400)
        #expect(svg.legend == ["R(t), exact", "additive model R_add(t)"])
        let floor = try #require(jsonReport(run)["riskFloor"] as? Double)
        #expect(svg.annotations.contains { $0.hasSuffix(String(format: "= %.4g", floor)) }, "width floor label: \(svg.annotations)")
    }

    @Test func integratePlotFromAFileSaysThereIsNoAdditiveModel() throws {
        let folder = try temporaryFolder()
        let lambdas = folder.appendingPathComponent("lambda.npy"), m0 = folder.appendingPathComponent("m0.npy")
        try writeNPY([2], [2, 1], to: lambdas)
        try writeNPY([2, 2], [0.01, 0.01, 0.01001, 0.00999], to: m0)
        let plot = folder.appendingPathComponent("risk.svg")
        let run = try runRiccati(["integrate", "--lambdas", lambdas.path, "--init-m", m0.path, "--t-end", "5", "--save-count", "5",
                                  "--plot", plot.path])
        #expect(run.status == 0, "stderr: \(run.standardError)")
        let svg = try SVGSummary(contentsOf: plot)
        #expect(svg.titles.contains { $0.hasSuffix("(no additive model: initial state from file)") }, "\(svg.titles)")
        #expect(svg.seriesCount(panel: 0) == 1 && svg.legend == ["R(t), exact"])
        #expect(svg.annotations.isEmpty, "r = r_s: the width floor is 0 and not drawn")
    }

    @Test func sgdPlotLeavesOutTimeZeroOnItsLogAxis() throws {
        let folder = try temporaryFolder()
        let plot = folder.appendingPathComponent("sgd.svg")
        let run = try runRiccati(["sgd"] + sgdFlags + ["--plot", plot.path])
        #expect(run.status == 0, "stderr: \(run.standardError)")
        let svg = try SVGSummary(contentsOf: plot)
        #expect(svg.titles.contains { $0.hasPrefix("Online SGD: d = 64, r = 4, r_s = 2, B = 128, η = 0.005") }, "\(svg.titles)")
        #expect(svg.polylinePoints(panel: 0, series: 0) == [5], "6 records, t = 0 left out")
        #expect(svg.annotations.contains { $0.hasPrefix("width floor") })
        #expect(svg.hasLogTicks)
    }

    @Test func comparePlotOverlaysSGDAndODEAndShowsTheDeviation() throws {
        let folder = try temporaryFolder()
        let plot = folder.appendingPathComponent("compare.svg")
        let run = try runRiccati(["compare"] + sgdFlags + ["--plot", plot.path])
        #expect(run.status == 0, "stderr: \(run.standardError)")
        let svg = try SVGSummary(contentsOf: plot)
        #expect(svg.panels.count == 2)
        #expect(svg.titles.contains("Population risk: SGD against the ODE") && svg.titles.contains("Deviation of SGD from the ODE"))
        #expect(svg.titles.contains { $0.hasPrefix("SGD (d = 64, B = 128, η = 0.005, double) against the overlap ODE") })
        for panel in 0..<2 { #expect(svg.seriesCount(panel: panel) == 2, "panel \(panel): \(svg.panels[panel])") }
        #expect(svg.dashedSeries(panel: 0) == [1], "the ODE is dashed, SGD solid")
        #expect(svg.markerSeries(panel: 0) == [0], "SGD has markers")
        #expect(svg.polylinePoints(panel: 0, series: 0).reduce(0, +) == 6, "linear time axis: all 6 records, t = 0 included")

        let sweepPlot = folder.appendingPathComponent("sweep.svg")
        let sweep = try runRiccati(["compare"] + sgdFlags + ["--lr-sweep", "0.005,0.0025", "--plot", sweepPlot.path])
        #expect(sweep.status == 0, "stderr: \(sweep.standardError)")
        let sweepSVG = try SVGSummary(contentsOf: sweepPlot)
        #expect(sweepSVG.panels.count == 3 && sweepSVG.polylinePoints(panel: 2, series: 0) == [2])
    }

    @Test func monotonicityPlotShowsMarginsAndDiagonalForWideTeachers() throws {
        let folder = try temporaryFolder()
        let plot = folder.appendingPathComponent("mono.svg")
        let run = try runRiccati(["monotonicity", "--r", "6", "--rs", "3", "--d", "256", "--t-end", "20", "--save-count", "6",
                                  "--plot", plot.path])
        #expect(run.status == 0, "stderr: \(run.standardError)")
        let svg = try SVGSummary(contentsOf: plot)
        #expect(svg.panels.count == 2)
        #expect(svg.titles.contains("Margin of G_A ⪯ G_B per tolerance τ"))
        #expect(svg.titles.contains { $0.hasPrefix("Comparison principle G_A(t) ⪯ G_B(t), Q0' = 1.25·Q0, r = 6") })
        #expect(svg.seriesCount(panel: 0) == 2 && svg.legend.prefix(2) == ["exact", "dopri5"])
        #expect(svg.seriesCount(panel: 1) == 4, "G_jj for j ≤ 4")
        #expect(svg.annotations.contains("violation below (m < −τ)"))
    }

    @Test func monotonicityPlotIsFigure3ForTwoDirections() throws {
        let folder = try temporaryFolder()
        let lambdas = folder.appendingPathComponent("lambda.npy")
        try writeNPY([2], [2, 1], to: lambdas)
        let plot = folder.appendingPathComponent("figure.svg")
        // --t-end 0.3 keeps the default ellipse times 0 and 0.25 (0.5 lies beyond T).
        let run = try runRiccati(["monotonicity", "--lambdas", lambdas.path, "--rs", "2", "--d", "1024", "--sigma0", "2",
                                  "--t-end", "0.3", "--save-count", "4", "--plot", plot.path, "--figure", folder.path])
        #expect(run.status == 0, "stderr: \(run.standardError)")
        let svg = try SVGSummary(contentsOf: plot)
        #expect(svg.titles.contains("Comparison principle and time monotonicity, r = 2 (Figure 3)"))
        #expect(svg.seriesCount(panel: 0) == 4, "A and B at t = 0 and 0.25")
        #expect(svg.seriesCount(panel: 1) == 3, "G_11, G_22, G_12")
        let figure3 = try String(contentsOf: folder.appendingPathComponent("figure3.svg"), encoding: .utf8)
        #expect(figure3 == (try String(contentsOf: plot, encoding: .utf8)), "--plot and --figure draw the same figure")
    }

    // MARK: Bad destinations are refused before any work
}
