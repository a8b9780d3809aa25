import Foundation

/// How one entry `X_jk(t)` moves over the saved times.
public struct EntryMonotonicity: Sendable, Equatable, Codable {
    public enum Trend: String, Sendable, Equatable, Codable { case increasing, decreasing, constant, nonMonotone }
    /// A saved time at which the entry changes direction.
    public struct TurningPoint: Sendable, Equatable, Codable {
        public var time: Double
        public var value: Double
        /// `true` for a local minimum (falls, then rises), `false` for a local maximum.
        public var isMinimum: Bool
    }
    /// Zero-based row and column (`row ≤ column`).
    public var row: Int
    public var column: Int
    public var trend: Trend
    public var turningPoints: [TurningPoint]

    /// E.g. `G_22 falls to 1.2e-4 at t = 1.5, then rises`.
    public func summary(symbol: String = "G") -> String {
        let name = "\(symbol)_\(row + 1)\(column + 1)"
        switch trend {
        case .increasing: return "\(name) rises"
        case .decreasing: return "\(name) falls"
        case .constant: return "\(name) is constant"
        case .nonMonotone:
            let parts = turningPoints.map { point in
                String(format: "%@ to %.3g at t = %.4g, then %@", point.isMinimum ? "falls" : "rises", point.value, point.time,
                       point.isMinimum ? "rises" : "falls")
            }
            return "\(name) " + parts.joined(separator: "; ")
        }
    }
}
