import Foundation

/// Parses a comma-separated list with `parse` for each item.
func parseList<T>(_ text: String, flag: String, _ parse: (String) throws(CommandFailure) -> T) throws(CommandFailure) -> [T] {
    let items = text.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingCharacters(in: .whitespaces) }
    guard !items.isEmpty, !items.contains(where: \.isEmpty) else { throw .badInput("\(flag) expects a comma-separated list, got '\(text)'") }
    var values: [T] = []
    for item in items { values.append(try parse(item)) }
    return values
}

/// Parses a whole number written in decimal or scientific notation (`64`, `1e3`).
func parseWholeNumber(_ text: String, flag: String) throws(CommandFailure) -> Int {
    let value = try parseReal(text, flag: flag)
    guard value.isFinite, value == value.rounded(), abs(value) <= 1e15 else { throw .badInput("\(flag) expects whole numbers, got '\(text)'") }
    return Int(value)
}
