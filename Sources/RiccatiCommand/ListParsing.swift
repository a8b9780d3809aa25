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
/// The text is read exactly (``exactWholeValue(_:flag:)``): a value beyond 1e15 or not whole is refused.
func parseWholeNumber(_ text: String, flag: String) throws(CommandFailure) -> Int {
    guard let value = try exactWholeValue(text, flag: flag), abs(value) <= 1e15 else { throw .badInput("\(flag) expects whole numbers, got '\(text)'") }
    return Int(value)
}
