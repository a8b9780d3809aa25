/// Why a figure could not be laid out or rendered.
public enum PlotError: Error, Equatable, CustomStringConvertible {
    /// The figure has no data series.
    case emptyFigure(figure: String)
    /// A series has different numbers of x and y values.
    case countMismatch(figure: String, series: String, xCount: Int, yCount: Int)
    /// A finite value ≤ 0 was given on a logarithmic axis. `series` names the
    /// series (its label, or `#n` for the n-th unlabelled one) or the reference
    /// line; `index` is the offending element's index within a series.
    case nonPositiveOnLogAxis(figure: String, series: String, axis: String, value: Double, index: Int?)
    /// No series has a single point with both coordinates finite.
    case noFiniteData(figure: String)
    /// The figure or grid dimensions are not finite or too small to hold a plot.
    case invalidSize(width: Double, height: Double, reason: String)
    /// An explicit axis range is unusable (empty, not finite, or not positive
    /// on a logarithmic axis).
    case invalidRange(figure: String, axis: String, lower: Double, upper: Double, reason: String)
    /// A reference line has a NaN or infinite value.
    case nonFiniteReferenceLine(figure: String, line: String, value: Double)
    /// A figure grid was given no panels or fewer than one column.
    case invalidGrid(reason: String)

    /// A one-line, human-readable explanation.
    public var description: String {
        switch self {
        case .emptyFigure(let figure):
            return "figure '\(figure)' is empty: add at least one series"
        case .countMismatch(let figure, let series, let xCount, let yCount):
            return "figure '\(figure)': series '\(series)' has \(xCount) x values but \(yCount) y values"
        case .nonPositiveOnLogAxis(let figure, let series, let axis, let value, let index):
            let position = index.map { " at index \($0)" } ?? ""
            return "figure '\(figure)': series '\(series)' has non-positive \(axis) value \(value)\(position), which a logarithmic \(axis) axis cannot show"
        case .noFiniteData(let figure):
            return "figure '\(figure)' has no point with finite x and y to plot"
        case .invalidSize(let width, let height, let reason):
            return "invalid size \(width)×\(height): \(reason)"
        case .invalidRange(let figure, let axis, let lower, let upper, let reason):
            return "figure '\(figure)': invalid \(axis) range \(lower)...\(upper): \(reason)"
        case .nonFiniteReferenceLine(let figure, let line, let value):
            return "figure '\(figure)': reference line '\(line)' has non-finite value \(value)"
        case .invalidGrid(let reason):
            return "invalid figure grid: \(reason)"
        }
    }
}
