/// The text forms of a report: an aligned table for reading, CSV (a `#` comment line with the
/// configuration, a header, one row per time) and JSON (the complete report, `config` last).
public enum ReportFormat: String, CaseIterable, Sendable {
    case table, csv, json
}

/// `text` right-aligned in `width` characters.
func padded(_ text: String, _ width: Int) -> String {
    String(repeating: " ", count: Swift.max(0, width - text.count)) + text
}

/// A whole number printed without a fractional part when it fits (`16`, not `16.0`).
public func wholeNumberText(_ value: Double) -> String {
    value.isFinite && abs(value) < 1e15 && value == value.rounded() ? String(Int(value)) : "\(value)"
}
