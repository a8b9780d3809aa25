/// Errors of the `Reports` module: an output that cannot be built or written.
public enum ReportError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An array whose shape does not match its number of values (a programming error).
    case inconsistentArray(name: String, reason: String)
    /// A file could not be written (`reason` from the file system).
    case writeFailed(path: String, reason: String)
    /// A figure could not be drawn from these data (nothing to draw, or data the figure cannot
    /// show, e.g. a `G` without a level-set ellipse).
    case invalidFigureData(String)
    /// A figure could not be rendered.
    case rendering(String)

    public var description: String {
        switch self {
        case .inconsistentArray(let name, let reason): return "\(name).npy: \(reason)"
        case .writeFailed(let path, let reason): return "\(path): \(reason)"
        case .invalidFigureData(let message): return message
        case .rendering(let message): return "could not draw the figure: \(message)"
        }
    }
}
