// Data model of an SVGPlot figure: axes, data series and reference lines.

/// How data values along an axis are mapped to pixels.
public enum AxisScale: Sendable, Equatable {
    /// Pixels are an affine function of the data value.
    case linear
    /// Pixels are an affine function of log₁₀ of the data value. Only strictly
    /// positive values can be drawn; a finite non-positive value is an error.
    case logarithmic
}

/// One axis of a figure: its label, scale and (optionally) its data range.
public struct Axis: Sendable, Equatable {
    /// The axis title drawn beside the axis. An empty string draws no title.
    public var label: String
    /// Linear or base-10 logarithmic scale.
    public var scale: AxisScale
    /// The data range shown along the axis, or `nil` to derive it from the data
    /// (and the reference lines on this axis): the data extent padded by 5% on
    /// each side on a linear axis, the enclosing whole decades on a logarithmic
    /// axis. With `Figure.equalAspect` the range may be widened further.
    public var range: ClosedRange<Double>?

    /// Creates an axis.
    /// - Parameters:
    ///   - label: The axis title; empty for none.
    ///   - scale: Linear (default) or logarithmic.
    ///   - range: Fixed data range, or `nil` for automatic.
    public init(label: String, scale: AxisScale = .linear, range: ClosedRange<Double>? = nil) {
        self.label = label
        self.scale = scale
        self.range = range
    }

    /// A linear axis with the given label and optional fixed range.
    public static func linear(_ label: String, range: ClosedRange<Double>? = nil) -> Axis {
        Axis(label: label, scale: .linear, range: range)
    }

    /// A base-10 logarithmic axis with the given label and optional fixed range.
    public static func logarithmic(_ label: String, range: ClosedRange<Double>? = nil) -> Axis {
        Axis(label: label, scale: .logarithmic, range: range)
    }
}

/// Stroke pattern of a line.
public enum LineStyle: Sendable, Equatable {
    /// An unbroken line.
    case solid
    /// Dashes whose length scales with the line width.
    case dashed
    /// Round dots spaced according to the line width.
    case dotted
}

/// A data series drawn as a polyline through its points, in order.
///
/// Points where either coordinate is NaN or infinite are not drawn and split
/// the line into separate segments. A segment made of a single point is drawn
/// as a dot so that isolated data are not lost.
public struct Series: Sendable, Equatable {
    /// Legend text; `nil` keeps the series out of the legend.
    public var label: String?
    /// Abscissae; must have as many elements as `y`.
    public var x: [Double]
    /// Ordinates; must have as many elements as `x`.
    public var y: [Double]
    /// Any SVG colour (`"#0072B2"`, `"black"`, …), or `nil` to take the next
    /// colour of the built-in colour-blind-safe palette (`Palette.colors`).
    public var color: String?
    /// Stroke pattern.
    public var style: LineStyle
    /// Stroke width in pixels.
    public var width: Double
    /// Whether a filled circle is drawn at every finite data point.
    public var showsMarkers: Bool

    /// Creates a series.
    /// - Parameters:
    ///   - label: Legend text, or `nil` to leave the series out of the legend.
    ///   - x: Abscissae.
    ///   - y: Ordinates (same count as `x`).
    ///   - color: SVG colour, or `nil` for the next palette colour.
    ///   - style: Stroke pattern (solid by default).
    ///   - width: Stroke width in pixels (1.5 by default).
    ///   - showsMarkers: Draw a circle at each finite point (off by default).
    public init(
        label: String? = nil, x: [Double], y: [Double], color: String? = nil,
        style: LineStyle = .solid, width: Double = 1.5, showsMarkers: Bool = false
    ) {
        self.label = label
        self.x = x
        self.y = y
        self.color = color
        self.style = style
        self.width = width
        self.showsMarkers = showsMarkers
    }
}

/// A horizontal reference line across the whole plot area at a fixed ordinate,
/// for example a noise floor. Its value is included when the y range is
/// derived automatically. The label, if any, is written just above the line at
/// its right end.
public struct HorizontalLine: Sendable, Equatable {
    /// The ordinate of the line, in data units.
    public var value: Double
    /// Text written beside the line, or `nil` for none.
    public var label: String?
    /// SVG colour; `nil` means dark grey.
    public var color: String?
    /// Stroke pattern (dashed by default).
    public var style: LineStyle
    /// Stroke width in pixels.
    public var width: Double

    /// Creates a horizontal reference line.
    public init(
        value: Double, label: String? = nil, color: String? = nil,
        style: LineStyle = .dashed, width: Double = 1
    ) {
        self.value = value
        self.label = label
        self.color = color
        self.style = style
        self.width = width
    }
}

/// A vertical reference line across the whole plot area at a fixed abscissa.
/// Its value is included when the x range is derived automatically. The label,
/// if any, is written vertically along the line near the top of the plot.
public struct VerticalLine: Sendable, Equatable {
    /// The abscissa of the line, in data units.
    public var value: Double
    /// Text written beside the line, or `nil` for none.
    public var label: String?
    /// SVG colour; `nil` means dark grey.
    public var color: String?
    /// Stroke pattern (dashed by default).
    public var style: LineStyle
    /// Stroke width in pixels.
    public var width: Double

    /// Creates a vertical reference line.
    public init(
        value: Double, label: String? = nil, color: String? = nil,
        style: LineStyle = .dashed, width: Double = 1
    ) {
        self.value = value
        self.label = label
        self.color = color
        self.style = style
        self.width = width
    }
}

/// Where the legend box is placed inside the plot area.
public enum LegendPosition: Sendable, Equatable {
    /// The corner whose box covers the fewest drawn line samples (ties resolved
    /// in the order top right, top left, bottom right, bottom left).
    case automatic
    /// Top-right corner of the plot area.
    case topRight
    /// Top-left corner of the plot area.
    case topLeft
    /// Bottom-right corner of the plot area.
    case bottomRight
    /// Bottom-left corner of the plot area.
    case bottomLeft
    /// No legend, even if some series are labelled.
    case hidden
}

/// The built-in colour cycle.
public enum Palette {
    /// The Okabe–Ito colour-blind-safe palette, reordered so that the first
    /// colours contrast most on white (the pale yellow comes last). Series
    /// without an explicit colour take these in order, cycling.
    public static let colors: [String] = [
        "#0072B2",  // blue
        "#D55E00",  // vermillion
        "#009E73",  // bluish green
        "#CC79A7",  // reddish purple
        "#E69F00",  // orange
        "#56B4E9",  // sky blue
        "#000000",  // black
        "#F0E442",  // yellow
    ]
}
