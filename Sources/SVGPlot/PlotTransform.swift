#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The map from data coordinates to SVG pixel coordinates used by a rendered
/// figure: affine in the data value on a linear axis and affine in log₁₀ of the
/// value on a logarithmic one. Pixel y grows downwards, so larger data y values
/// have smaller pixel y.
///
/// Obtained from `Figure.transform()` (document coordinates of a standalone
/// figure) or `FigureGrid.transform(panel:)` (document coordinates of a grid).
public struct PlotTransform: Sendable, Equatable {
    /// Pixel x of the left edge of the plot area.
    public let left: Double
    /// Pixel y of the top edge of the plot area.
    public let top: Double
    /// Width of the plot area in pixels.
    public let plotWidth: Double
    /// Height of the plot area in pixels.
    public let plotHeight: Double
    /// Scale of the x axis.
    public let xScale: AxisScale
    /// Scale of the y axis.
    public let yScale: AxisScale
    /// Data range spanned by the plot area horizontally (left to right edge).
    public let xRange: ClosedRange<Double>
    /// Data range spanned by the plot area vertically (bottom to top edge).
    public let yRange: ClosedRange<Double>

    // Ranges in "scale space": the value itself, or its log₁₀.
    let xLow: Double, xHigh: Double, yLow: Double, yHigh: Double

    /// Builds a transform from scale-space bounds (log₁₀ bounds on a log axis).
    init(
        left: Double, top: Double, plotWidth: Double, plotHeight: Double,
        xScale: AxisScale, yScale: AxisScale,
        xScaled: (Double, Double), yScaled: (Double, Double)
    ) {
        self.left = left
        self.top = top
        self.plotWidth = plotWidth
        self.plotHeight = plotHeight
        self.xScale = xScale
        self.yScale = yScale
        (xLow, xHigh) = xScaled
        (yLow, yHigh) = yScaled
        xRange = unscale(xLow, xScale)...unscale(xHigh, xScale)
        yRange = unscale(yLow, yScale)...unscale(yHigh, yScale)
    }

    /// Pixel x of the right edge of the plot area.
    public var right: Double { left + plotWidth }
    /// Pixel y of the bottom edge of the plot area.
    public var bottom: Double { top + plotHeight }

    /// Pixel coordinates of a data point. A non-positive value on a
    /// logarithmic axis yields NaN for that coordinate.
    public func pixel(x: Double, y: Double) -> (Double, Double) {
        (pixelX(x), pixelY(y))
    }

    /// Data coordinates of a pixel position (the inverse of `pixel(x:y:)`).
    public func data(px: Double, py: Double) -> (Double, Double) {
        (dataX(px), dataY(py))
    }

    /// Pixel x of a data abscissa.
    public func pixelX(_ x: Double) -> Double {
        left + (scale(x, xScale) - xLow) / (xHigh - xLow) * plotWidth
    }

    /// Pixel y of a data ordinate.
    public func pixelY(_ y: Double) -> Double {
        bottom - (scale(y, yScale) - yLow) / (yHigh - yLow) * plotHeight
    }

    /// Data abscissa at a pixel x.
    public func dataX(_ px: Double) -> Double {
        unscale(xLow + (px - left) / plotWidth * (xHigh - xLow), xScale)
    }

    /// Data ordinate at a pixel y.
    public func dataY(_ py: Double) -> Double {
        unscale(yLow + (bottom - py) / plotHeight * (yHigh - yLow), yScale)
    }

    /// Data units per pixel along x, in scale space (decades per pixel on a
    /// logarithmic axis).
    public var xUnitsPerPixel: Double { (xHigh - xLow) / plotWidth }

    /// Data units per pixel along y, in scale space (decades per pixel on a
    /// logarithmic axis).
    public var yUnitsPerPixel: Double { (yHigh - yLow) / plotHeight }

    /// The same map with the pixel origin moved by (`dx`, `dy`), as when the
    /// figure is placed inside a larger document.
    public func translated(dx: Double, dy: Double) -> PlotTransform {
        PlotTransform(
            left: left + dx, top: top + dy, plotWidth: plotWidth, plotHeight: plotHeight,
            xScale: xScale, yScale: yScale, xScaled: (xLow, xHigh), yScaled: (yLow, yHigh))
    }
}

/// Value → scale space (identity or log₁₀). Non-positive values on a log axis give NaN.
func scale(_ v: Double, _ s: AxisScale) -> Double {
    switch s {
    case .linear: return v
    case .logarithmic: return v > 0 ? log10(v) : .nan
    }
}

/// Scale space → value (identity or 10^t).
func unscale(_ t: Double, _ s: AxisScale) -> Double {
    switch s {
    case .linear: return t
    case .logarithmic: return pow(10, t)
    }
}
