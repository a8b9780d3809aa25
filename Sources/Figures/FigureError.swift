/// Errors of figure building.
public enum FigureError: Error, CustomStringConvertible {
    /// The data cannot be drawn as asked (for instance a singular `G` has no level-set ellipse).
    case invalidData(String)
    /// The SVG writer refused the figure.
    case rendering(String)

    public var description: String {
        switch self {
        case .invalidData(let message), .rendering(let message): return message
        }
    }
}
