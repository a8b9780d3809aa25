#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A single plot: a title, two axes, data series, reference lines and a legend,
/// rendered as a standalone SVG document.
///
/// In the output, every `<polyline>` is a run of a data series (reference
/// lines, ticks, grid lines and legend samples are `<line>` elements), and its
/// `points` map back to the data through `transform()`.
///
/// ```swift
/// var fig = Figure(title: "Risk", x: .logarithmic("step t"), y: .logarithmic("risk"))
/// fig.add(Series(label: "ODE", x: t, y: risk))
/// fig.add(horizontal: HorizontalLine(value: 1e-3, label: "floor"))
/// let svg = try fig.render()
/// ```
public struct Figure: Sendable, Equatable {
    /// Title drawn above the plot area (and stored in the SVG `<title>`).
    public var title: String
    /// The horizontal axis.
    public var x: Axis
    /// The vertical axis.
    public var y: Axis
    /// Document width in pixels.
    public var width: Double
    /// Document height in pixels.
    public var height: Double
    /// When true, one pixel spans the same amount of scale space on both axes
    /// (data units on linear axes, decades on logarithmic ones), so circles
    /// stay round. The axis whose range would otherwise be drawn more
    /// stretched is widened symmetrically about its centre; explicit ranges
    /// are treated as the minimum range to show.
    public var equalAspect: Bool = false
    /// Whether light grid lines are drawn at the major ticks.
    public var showsGrid: Bool = true
    /// Where to put the legend (drawn only if some series has a label).
    public var legendPosition: LegendPosition = .automatic
    /// The data series, drawn in order (later ones on top).
    public var series: [Series] = []
    /// Horizontal reference lines, drawn beneath the series.
    public var horizontalLines: [HorizontalLine] = []
    /// Vertical reference lines, drawn beneath the series.
    public var verticalLines: [VerticalLine] = []

    /// Creates an empty figure.
    /// - Parameters:
    ///   - title: Title above the plot; empty for none.
    ///   - x: Horizontal axis.
    ///   - y: Vertical axis.
    ///   - width: Document width in pixels (default 640).
    ///   - height: Document height in pixels (default 420).
    public init(title: String, x: Axis, y: Axis, width: Double = 640, height: Double = 420) {
        self.title = title
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// Appends a data series.
    public mutating func add(_ series: Series) {
        self.series.append(series)
    }

    /// Appends a horizontal reference line.
    public mutating func add(horizontal line: HorizontalLine) {
        horizontalLines.append(line)
    }

    /// Appends a vertical reference line.
    public mutating func add(vertical line: VerticalLine) {
        verticalLines.append(line)
    }

    /// Renders the figure as a complete SVG document (UTF-8 XML text with the
    /// SVG namespace). The output is a pure function of the figure's value.
    /// - Throws: `PlotError` if the figure is empty, a series is malformed,
    ///   a logarithmic axis receives a non-positive value, nothing is finite,
    ///   or the size or an explicit range is unusable.
    public func render() throws -> String {
        let layout = try makeLayout()
        var svg = documentHeader(width: width, height: height, title: title)
        svg += renderBody(layout, clipID: "svgplot-clip")
        svg += "</svg>\n"
        return svg
    }

    /// The affine (or log-affine) map from data to pixel coordinates that
    /// `render()` uses, exposed for tests and for callers placing annotations.
    /// - Throws: the same errors as `render()`.
    public func transform() throws -> PlotTransform {
        try makeLayout().transform
    }
}

// MARK: - Layout

/// Fonts and fixed distances, in pixels.
enum Style {
    static let fontFamily = "DejaVu Sans, Helvetica, Arial, sans-serif"
    static let titleFont = 15.0
    static let axisLabelFont = 13.0
    static let tickFont = 11.0
    static let legendFont = 11.0
    static let annotationFont = 10.0
    static let majorTick = 5.0
    static let minorTick = 3.0
    static let axisColor = "#222222"
    static let gridColor = "#e4e4e4"
    static let referenceColor = "#555555"
}

/// Everything `render()` needs besides the figure itself.
struct FigureLayout {
    var transform: PlotTransform
    var xTicks: [Tick]
    var yTicks: [Tick]
    /// Colour of each series after palette assignment.
    var colors: [String]
}

extension Figure {
    /// Display name of the series at `index` for error messages.
    func seriesName(_ index: Int) -> String {
        series[index].label ?? "#\(index + 1)"
    }

    /// Checks sizes, series, ranges; resolves axis ranges and ticks.
    func makeLayout() throws -> FigureLayout {
        guard width.isFinite, height.isFinite, width >= 120, height >= 100 else {
            throw PlotError.invalidSize(width: width, height: height, reason: "a figure needs at least 120×100 pixels")
        }
        guard !series.isEmpty else { throw PlotError.emptyFigure(figure: title) }

        var xValues: [Double] = [], yValues: [Double] = []
        for (i, s) in series.enumerated() {
            guard s.x.count == s.y.count else {
                throw PlotError.countMismatch(figure: title, series: seriesName(i), xCount: s.x.count, yCount: s.y.count)
            }
            for j in s.x.indices {
                let (px, py) = (s.x[j], s.y[j])
                if x.scale == .logarithmic && px.isFinite && px <= 0 {
                    throw PlotError.nonPositiveOnLogAxis(figure: title, series: seriesName(i), axis: "x", value: px, index: j)
                }
                if y.scale == .logarithmic && py.isFinite && py <= 0 {
                    throw PlotError.nonPositiveOnLogAxis(figure: title, series: seriesName(i), axis: "y", value: py, index: j)
                }
                if px.isFinite && py.isFinite {
                    xValues.append(px)
                    yValues.append(py)
                }
            }
        }
        guard !xValues.isEmpty else { throw PlotError.noFiniteData(figure: title) }

        for (i, line) in horizontalLines.enumerated() {
            let name = line.label ?? "horizontal line #\(i + 1)"
            guard line.value.isFinite else {
                throw PlotError.nonFiniteReferenceLine(figure: title, line: name, value: line.value)
            }
            if y.scale == .logarithmic && line.value <= 0 {
                throw PlotError.nonPositiveOnLogAxis(figure: title, series: name, axis: "y", value: line.value, index: nil)
            }
            yValues.append(line.value)
        }
        for (i, line) in verticalLines.enumerated() {
            let name = line.label ?? "vertical line #\(i + 1)"
            guard line.value.isFinite else {
                throw PlotError.nonFiniteReferenceLine(figure: title, line: name, value: line.value)
            }
            if x.scale == .logarithmic && line.value <= 0 {
                throw PlotError.nonPositiveOnLogAxis(figure: title, series: name, axis: "x", value: line.value, index: nil)
            }
            xValues.append(line.value)
        }

        let xBase = try scaledRange(of: x, name: "x", values: xValues)
        let yBase = try scaledRange(of: y, name: "y", values: yValues)

        let top = title.isEmpty ? 14.0 : 38.0
        let bottom = x.label.isEmpty ? 32.0 : 54.0
        let right = 22.0
        let plotHeight = height - top - bottom
        guard plotHeight >= 20 else {
            throw PlotError.invalidSize(width: width, height: height, reason: "no room left for the plot area")
        }

        // The left margin depends on the y tick labels, which (with equal
        // aspect) depend on the plot width, which depends on the left margin:
        // iterate to a fixed point (it settles in one or two rounds).
        var xRange = xBase, yRange = yBase
        var yTicks: [Tick] = []
        var left = 0.0
        for _ in 0..<4 {
            let plotWidth = width - (left == 0 ? 80 : left) - right
            if equalAspect && plotWidth > 0 {
                (xRange, yRange) = equalize(xBase, yBase, plotWidth: plotWidth, plotHeight: plotHeight)
            }
            yTicks = TickGenerator.ticks(
                scale: y.scale, low: yRange.0, high: yRange.1, pixelLength: plotHeight,
                spacing: y.scale == .logarithmic ? 26 : 46)
            let newLeft = leftMargin(yTicks)
            if newLeft == left { break }
            left = newLeft
        }
        let plotWidth = width - left - right
        guard plotWidth >= 20 else {
            throw PlotError.invalidSize(width: width, height: height, reason: "no room left for the plot area")
        }
        if equalAspect {
            (xRange, yRange) = equalize(xBase, yBase, plotWidth: plotWidth, plotHeight: plotHeight)
        }
        let xTicks = TickGenerator.ticks(
            scale: x.scale, low: xRange.0, high: xRange.1, pixelLength: plotWidth,
            spacing: x.scale == .logarithmic ? 48 : 80)

        var colors: [String] = []
        var next = 0
        for s in series {
            if let c = s.color {
                colors.append(c)
            } else {
                colors.append(Palette.colors[next % Palette.colors.count])
                next += 1
            }
        }

        let transform = PlotTransform(
            left: left, top: top, plotWidth: plotWidth, plotHeight: plotHeight,
            xScale: x.scale, yScale: y.scale, xScaled: xRange, yScaled: yRange)
        return FigureLayout(transform: transform, xTicks: xTicks, yTicks: yTicks, colors: colors)
    }

    /// Left margin wide enough for the y tick labels and the y axis title.
    func leftMargin(_ ticks: [Tick]) -> Double {
        let widest = ticks.compactMap { $0.label?.estimatedWidth(fontSize: Style.tickFont) }.max() ?? 0
        let titleRoom = y.label.isEmpty ? 0.0 : Style.axisLabelFont + 10
        return (10 + titleRoom + widest + 4 + Style.majorTick).rounded(.up)
    }

    /// The scale-space range of an axis: explicit (validated) or from data.
    func scaledRange(of axis: Axis, name: String, values: [Double]) throws -> (Double, Double) {
        if let r = axis.range {
            let (lo, hi) = (r.lowerBound, r.upperBound)
            guard lo.isFinite, hi.isFinite else {
                throw PlotError.invalidRange(figure: title, axis: name, lower: lo, upper: hi, reason: "bounds must be finite")
            }
            guard lo < hi else {
                throw PlotError.invalidRange(figure: title, axis: name, lower: lo, upper: hi, reason: "the range is empty")
            }
            if axis.scale == .logarithmic {
                guard lo > 0 else {
                    throw PlotError.invalidRange(figure: title, axis: name, lower: lo, upper: hi, reason: "a logarithmic axis needs positive bounds")
                }
                return (log10(lo), log10(hi))
            }
            return (lo, hi)
        }
        let lo = values.min()!, hi = values.max()!
        switch axis.scale {
        case .linear:
            if lo == hi {
                let pad = lo == 0 ? 1 : abs(lo) * 0.1
                return (lo - pad, hi + pad)
            }
            let pad = 0.05 * (hi - lo)
            return (lo - pad, hi + pad)
        case .logarithmic:
            var a = floor(log10(lo) + 1e-9), b = ceil(log10(hi) - 1e-9)
            if a >= b { a -= 1; b += 1 }
            return (a, b)
        }
    }

    /// Widens one of the scale-space ranges so both have equal units per pixel.
    func equalize(_ xr: (Double, Double), _ yr: (Double, Double), plotWidth: Double, plotHeight: Double)
        -> ((Double, Double), (Double, Double))
    {
        let ux = (xr.1 - xr.0) / plotWidth, uy = (yr.1 - yr.0) / plotHeight
        if ux > uy {
            let c = (yr.0 + yr.1) / 2, half = ux * plotHeight / 2
            return (xr, (c - half, c + half))
        } else {
            let c = (xr.0 + xr.1) / 2, half = uy * plotWidth / 2
            return ((c - half, c + half), yr)
        }
    }
}

// MARK: - Rendering

/// The XML declaration and opening `<svg>` tag (with a white background).
func documentHeader(width: Double, height: Double, title: String) -> String {
    let w = formatCoordinate(width), h = formatCoordinate(height)
    var s = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    s += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"\(w)\" height=\"\(h)\" viewBox=\"0 0 \(w) \(h)\" font-family=\"\(Style.fontFamily)\">\n"
    if !title.isEmpty { s += "<title>\(xmlEscape(title))</title>\n" }
    s += "<rect x=\"0\" y=\"0\" width=\"\(w)\" height=\"\(h)\" fill=\"#ffffff\"/>\n"
    return s
}

/// Stroke attributes for a line of the given colour, pattern and width.
func strokeAttributes(color: String, style: LineStyle, width: Double) -> String {
    var s = "stroke=\"\(xmlEscape(color))\" stroke-width=\"\(formatCoordinate(width))\""
    switch style {
    case .solid:
        break
    case .dashed:
        s += " stroke-dasharray=\"\(formatCoordinate(max(4, 3.5 * width))) \(formatCoordinate(max(3, 2.2 * width)))\""
    case .dotted:
        s += " stroke-dasharray=\"0.01 \(formatCoordinate(max(3, 2.2 * width)))\" stroke-linecap=\"round\""
    }
    return s
}

/// A point in pixel space.
struct Point: Equatable {
    var x: Double
    var y: Double
}

/// An axis-aligned rectangle in pixel space.
struct Rect {
    var x0: Double, y0: Double, x1: Double, y1: Double

    func contains(_ p: Point) -> Bool { p.x >= x0 && p.x <= x1 && p.y >= y0 && p.y <= y1 }

    /// Liang–Barsky: the parameter interval of segment p→q inside the rect.
    func clip(_ p: Point, _ q: Point) -> (Double, Double)? {
        var t0 = 0.0, t1 = 1.0
        let dx = q.x - p.x, dy = q.y - p.y
        for (pk, qk) in [(-dx, p.x - x0), (dx, x1 - p.x), (-dy, p.y - y0), (dy, y1 - p.y)] {
            if pk == 0 {
                if qk < 0 { return nil }
            } else {
                let r = qk / pk
                if pk < 0 { if r > t1 { return nil }; if r > t0 { t0 = r } }
                else { if r < t0 { return nil }; if r < t1 { t1 = r } }
            }
        }
        return (t0, t1)
    }
}

/// A series converted to pixel space, cut at non-finite points and clipped
/// to a generous guard box around the plot area (so that coordinates stay
/// small; the visible clipping is done by the SVG clip path).
struct PixelSeries {
    var polylines: [[Point]] = []
    var isolated: [Point] = []
    var markers: [Point] = []

    init(_ s: Series, transform t: PlotTransform, guardBox: Rect) {
        var runs: [[Point]] = [[]]
        for j in s.x.indices {
            let p = Point(x: t.pixelX(s.x[j]), y: t.pixelY(s.y[j]))
            if p.x.isFinite && p.y.isFinite {
                runs[runs.count - 1].append(p)
                if guardBox.contains(p) { markers.append(p) }
            } else if !runs[runs.count - 1].isEmpty {
                runs.append([])
            }
        }
        for run in runs where !run.isEmpty {
            if run.count == 1 {
                if guardBox.contains(run[0]) { isolated.append(run[0]) }
                continue
            }
            var current: [Point] = []
            for j in 0..<(run.count - 1) {
                let p = run[j], q = run[j + 1]
                guard let (t0, t1) = guardBox.clip(p, q) else {
                    if current.count > 1 { polylines.append(current) }
                    current = []
                    continue
                }
                let a = t0 == 0 ? p : Point(x: p.x + t0 * (q.x - p.x), y: p.y + t0 * (q.y - p.y))
                let b = t1 == 1 ? q : Point(x: p.x + t1 * (q.x - p.x), y: p.y + t1 * (q.y - p.y))
                if current.isEmpty { current.append(a) }
                current.append(b)
                if t1 < 1 {
                    if current.count > 1 { polylines.append(current) }
                    current = []
                }
            }
            if current.count > 1 { polylines.append(current) }
        }
    }
}

extension Figure {
    /// The figure's drawing (everything inside `<svg>` except the header),
    /// in the figure's own pixel coordinates.
    func renderBody(_ layout: FigureLayout, clipID: String) -> String {
        let t = layout.transform
        let (l, r, tp, b) = (t.left, t.right, t.top, t.bottom)
        let f = formatCoordinate
        var out = ""

        out += "<defs><clipPath id=\"\(clipID)\"><rect x=\"\(f(l))\" y=\"\(f(tp))\" width=\"\(f(t.plotWidth))\" height=\"\(f(t.plotHeight))\"/></clipPath></defs>\n"

        // Grid lines at major ticks.
        if showsGrid {
            out += "<g class=\"grid\" stroke=\"\(Style.gridColor)\" stroke-width=\"1\">\n"
            for tick in layout.xTicks where tick.isMajor {
                let px = t.pixelX(tick.value)
                if px > l + 0.5 && px < r - 0.5 {
                    out += "<line x1=\"\(f(px))\" y1=\"\(f(tp))\" x2=\"\(f(px))\" y2=\"\(f(b))\"/>\n"
                }
            }
            for tick in layout.yTicks where tick.isMajor {
                let py = t.pixelY(tick.value)
                if py > tp + 0.5 && py < b - 0.5 {
                    out += "<line x1=\"\(f(l))\" y1=\"\(f(py))\" x2=\"\(f(r))\" y2=\"\(f(py))\"/>\n"
                }
            }
            out += "</g>\n"
        }

        // Data, clipped to the plot area.
        let margin = max(t.plotWidth, t.plotHeight)
        let guardBox = Rect(x0: l - margin, y0: tp - margin, x1: r + margin, y1: b + margin)
        let plotBox = Rect(x0: l, y0: tp, x1: r, y1: b)
        var occupied: [Point] = []  // samples of drawn lines, for legend placement
        out += "<g class=\"data\" clip-path=\"url(#\(clipID))\" fill=\"none\" stroke-linejoin=\"round\">\n"
        for line in horizontalLines {
            let py = t.pixelY(line.value)
            guard py >= tp - 1e-9 && py <= b + 1e-9 else { continue }
            let color = line.color ?? Style.referenceColor
            out += "<line class=\"reference\" x1=\"\(f(l))\" y1=\"\(f(py))\" x2=\"\(f(r))\" y2=\"\(f(py))\" \(strokeAttributes(color: color, style: line.style, width: line.width))/>\n"
            occupied += sample(Point(x: l, y: py), Point(x: r, y: py))
        }
        for line in verticalLines {
            let px = t.pixelX(line.value)
            guard px >= l - 1e-9 && px <= r + 1e-9 else { continue }
            let color = line.color ?? Style.referenceColor
            out += "<line class=\"reference\" x1=\"\(f(px))\" y1=\"\(f(tp))\" x2=\"\(f(px))\" y2=\"\(f(b))\" \(strokeAttributes(color: color, style: line.style, width: line.width))/>\n"
            occupied += sample(Point(x: px, y: tp), Point(x: px, y: b))
        }
        for (i, s) in series.enumerated() {
            let color = layout.colors[i]
            let pixels = PixelSeries(s, transform: t, guardBox: guardBox)
            let stroke = strokeAttributes(color: color, style: s.style, width: s.width)
            for polyline in pixels.polylines {
                let points = polyline.map { "\(f($0.x)),\(f($0.y))" }.joined(separator: " ")
                out += "<polyline class=\"series\" data-series=\"\(i)\" points=\"\(points)\" \(stroke)/>\n"
                for k in 1..<polyline.count {
                    occupied += sample(polyline[k - 1], polyline[k]).filter(plotBox.contains)
                }
            }
            let dots = s.showsMarkers ? pixels.markers : pixels.isolated
            let radius = s.showsMarkers ? max(2.5, 1.6 * s.width) : max(1.5, s.width)
            for p in dots {
                out += "<circle class=\"marker\" data-series=\"\(i)\" cx=\"\(f(p.x))\" cy=\"\(f(p.y))\" r=\"\(f(radius))\" fill=\"\(xmlEscape(color))\" stroke=\"none\"/>\n"
                if plotBox.contains(p) { occupied.append(p) }
            }
        }
        out += "</g>\n"

        // Frame and ticks.
        out += "<rect class=\"frame\" x=\"\(f(l))\" y=\"\(f(tp))\" width=\"\(f(t.plotWidth))\" height=\"\(f(t.plotHeight))\" fill=\"none\" stroke=\"\(Style.axisColor)\" stroke-width=\"1\"/>\n"
        out += "<g class=\"ticks\" stroke=\"\(Style.axisColor)\" stroke-width=\"1\">\n"
        for tick in layout.xTicks {
            let px = t.pixelX(tick.value)
            guard px >= l - 0.5 && px <= r + 0.5 else { continue }
            let len = tick.isMajor ? Style.majorTick : Style.minorTick
            out += "<line class=\"tick x\" x1=\"\(f(px))\" y1=\"\(f(b))\" x2=\"\(f(px))\" y2=\"\(f(b + len))\"/>\n"
        }
        for tick in layout.yTicks {
            let py = t.pixelY(tick.value)
            guard py >= tp - 0.5 && py <= b + 0.5 else { continue }
            let len = tick.isMajor ? Style.majorTick : Style.minorTick
            out += "<line class=\"tick y\" x1=\"\(f(l - len))\" y1=\"\(f(py))\" x2=\"\(f(l))\" y2=\"\(f(py))\"/>\n"
        }
        out += "</g>\n"

        // Tick labels: x labels centred under the tick (x attribute = tick
        // pixel x); y labels right-aligned, vertically centred on the tick via
        // dy (y attribute = tick pixel y).
        out += "<g class=\"tick-labels\" font-size=\"\(f(Style.tickFont))\" fill=\"\(Style.axisColor)\">\n"
        for tick in layout.xTicks {
            guard let label = tick.label else { continue }
            let px = t.pixelX(tick.value)
            guard px >= l - 0.5 && px <= r + 0.5 else { continue }
            out += "<text class=\"tick-label x\" x=\"\(f(px))\" y=\"\(f(b + Style.majorTick + 3 + Style.tickFont))\" text-anchor=\"middle\">\(label.svg)</text>\n"
        }
        for tick in layout.yTicks {
            guard let label = tick.label else { continue }
            let py = t.pixelY(tick.value)
            guard py >= tp - 0.5 && py <= b + 0.5 else { continue }
            out += "<text class=\"tick-label y\" x=\"\(f(l - Style.majorTick - 3))\" y=\"\(f(py))\" dy=\"0.35em\" text-anchor=\"end\">\(label.svg)</text>\n"
        }
        out += "</g>\n"

        // Reference line annotations.
        for line in horizontalLines {
            guard let label = line.label, !label.isEmpty else { continue }
            let py = t.pixelY(line.value)
            guard py >= tp - 1e-9 && py <= b + 1e-9 else { continue }
            let color = line.color ?? Style.referenceColor
            // Above or below the line, at its right or left end: whichever
            // box covers the fewest samples of the data lines drawn so far.
            let textWidth = estimateTextWidth(label, fontSize: Style.annotationFont)
            let above = py - 4, below = py + Style.annotationFont + 3
            var options: [(x0: Double, baseline: Double)] = []
            for baseline in [above, below] where baseline - Style.annotationFont >= tp && baseline <= b {
                options.append((r - 5 - textWidth, baseline))
                options.append((l + 5, baseline))
            }
            if options.isEmpty { options = [(r - 5 - textWidth, above)] }
            var best = options[0], bestScore = Int.max
            for o in options {
                let box = Rect(x0: o.x0 - 2, y0: o.baseline - Style.annotationFont, x1: o.x0 + textWidth + 2, y1: o.baseline + 2)
                let score = occupied.reduce(0) { $0 + (box.contains($1) ? 1 : 0) }
                if score < bestScore { best = o; bestScore = score }
            }
            out += "<text class=\"annotation\" x=\"\(f(best.x0))\" y=\"\(f(best.baseline))\" font-size=\"\(f(Style.annotationFont))\" fill=\"\(xmlEscape(color))\">\(xmlEscape(label))</text>\n"
            occupied += sample(Point(x: best.x0, y: best.baseline - 4), Point(x: best.x0 + textWidth, y: best.baseline - 4))
        }
        for line in verticalLines {
            guard let label = line.label, !label.isEmpty else { continue }
            let px = t.pixelX(line.value)
            guard px >= l - 1e-9 && px <= r + 1e-9 else { continue }
            let color = line.color ?? Style.referenceColor
            let tx = px - l < Style.annotationFont + 4 ? px + Style.annotationFont + 1 : px - 4
            out += "<text class=\"annotation\" transform=\"translate(\(f(tx)),\(f(tp + 5))) rotate(-90)\" text-anchor=\"end\" font-size=\"\(f(Style.annotationFont))\" fill=\"\(xmlEscape(color))\">\(xmlEscape(label))</text>\n"
            occupied += sample(Point(x: tx - 4, y: tp + 5), Point(x: tx - 4, y: tp + 5 + estimateTextWidth(label, fontSize: Style.annotationFont)))
        }

        // Title and axis titles.
        if !title.isEmpty {
            out += "<text class=\"title\" x=\"\(f((l + r) / 2))\" y=\"\(f(tp - 13))\" text-anchor=\"middle\" font-size=\"\(f(Style.titleFont))\" font-weight=\"bold\" fill=\"#000000\">\(xmlEscape(title))</text>\n"
        }
        if !x.label.isEmpty {
            out += "<text class=\"axis-label x\" x=\"\(f((l + r) / 2))\" y=\"\(f(height - 12))\" text-anchor=\"middle\" font-size=\"\(f(Style.axisLabelFont))\" fill=\"#000000\">\(xmlEscape(x.label))</text>\n"
        }
        if !y.label.isEmpty {
            out += "<text class=\"axis-label y\" transform=\"translate(\(f(10 + Style.axisLabelFont * 0.8)),\(f((tp + b) / 2))) rotate(-90)\" text-anchor=\"middle\" font-size=\"\(f(Style.axisLabelFont))\" fill=\"#000000\">\(xmlEscape(y.label))</text>\n"
        }

        out += renderLegend(layout, occupied: occupied)
        return out
    }

    /// Points every ~4 px along a segment (for legend placement scoring).
    func sample(_ p: Point, _ q: Point) -> [Point] {
        let length = ((q.x - p.x) * (q.x - p.x) + (q.y - p.y) * (q.y - p.y)).squareRoot()
        let n = min(400, max(1, Int(length / 4)))
        return (0...n).map { k in
            let u = Double(k) / Double(n)
            return Point(x: p.x + u * (q.x - p.x), y: p.y + u * (q.y - p.y))
        }
    }

    /// The legend box with a line sample and the label of each labelled series.
    func renderLegend(_ layout: FigureLayout, occupied: [Point]) -> String {
        let entries = series.indices.filter { series[$0].label != nil }
        guard !entries.isEmpty, legendPosition != .hidden else { return "" }
        let t = layout.transform
        let f = formatCoordinate
        let padding = 7.0, sampleLength = 26.0, gap = 6.0, rowHeight = Style.legendFont + 6
        let textWidth = entries.map { estimateTextWidth(series[$0].label!, fontSize: Style.legendFont) }.max() ?? 0
        let boxWidth = (padding + sampleLength + gap + textWidth + padding).rounded(.up)
        let boxHeight = (2 * padding + Double(entries.count) * rowHeight - 4).rounded(.up)
        let inset = 8.0
        let xLeft = t.left + inset, xRight = t.right - inset - boxWidth
        let yTop = t.top + inset, yBottom = t.bottom - inset - boxHeight
        let candidates: [(LegendPosition, Double, Double)] = [
            (.topRight, xRight, yTop), (.topLeft, xLeft, yTop),
            (.bottomRight, xRight, yBottom), (.bottomLeft, xLeft, yBottom),
        ]
        var chosen = candidates[0]
        if legendPosition == .automatic {
            var best = Int.max
            for c in candidates {
                let box = Rect(x0: c.1 - 3, y0: c.2 - 3, x1: c.1 + boxWidth + 3, y1: c.2 + boxHeight + 3)
                let score = occupied.reduce(0) { $0 + (box.contains($1) ? 1 : 0) }
                if score < best { best = score; chosen = c }
            }
        } else {
            chosen = candidates.first { $0.0 == legendPosition } ?? candidates[0]
        }
        let (x0, y0) = (chosen.1, chosen.2)
        var out = "<g class=\"legend\" font-size=\"\(f(Style.legendFont))\">\n"
        out += "<rect x=\"\(f(x0))\" y=\"\(f(y0))\" width=\"\(f(boxWidth))\" height=\"\(f(boxHeight))\" fill=\"#ffffff\" fill-opacity=\"0.92\" stroke=\"#999999\" stroke-width=\"0.8\" rx=\"3\"/>\n"
        for (row, i) in entries.enumerated() {
            let s = series[i]
            let color = layout.colors[i]
            let cy = y0 + padding + (Double(row) + 0.5) * rowHeight - 2
            let sx0 = x0 + padding, sx1 = sx0 + sampleLength
            out += "<line class=\"legend-sample\" x1=\"\(f(sx0))\" y1=\"\(f(cy))\" x2=\"\(f(sx1))\" y2=\"\(f(cy))\" \(strokeAttributes(color: color, style: s.style, width: s.width))/>\n"
            if s.showsMarkers {
                out += "<circle cx=\"\(f((sx0 + sx1) / 2))\" cy=\"\(f(cy))\" r=\"\(f(max(2.5, 1.6 * s.width)))\" fill=\"\(xmlEscape(color))\"/>\n"
            }
            out += "<text class=\"legend-label\" x=\"\(f(sx1 + gap))\" y=\"\(f(cy))\" dy=\"0.35em\" fill=\"#000000\">\(xmlEscape(s.label!))</text>\n"
        }
        out += "</g>\n"
        return out
    }
}
