/// A minimal JSON document model for the reports (what `riccati … --format json` prints). Non-finite numbers become `null`
/// (JSON has no NaN), so nothing invalid is ever printed.
public enum JSONValue: Equatable, Sendable {
    case number(Double)
    case integer(Int)
    case string(String)
    case bool(Bool)
    case null
    case array([JSONValue])
    /// Keys keep their insertion order.
    case members(keys: [String], values: [JSONValue])

    public static func object(_ members: [(String, JSONValue)]) -> JSONValue {
        .members(keys: members.map(\.0), values: members.map(\.1))
    }

    /// `key=value` pairs separated by spaces, values serialised as JSON: a configuration on one
    /// line (the CSV header comment and the table title).
    public static func keyValueLine(_ members: [(String, JSONValue)]) -> String {
        members.map { "\($0.0)=\($0.1.serialized())" }.joined(separator: " ")
    }

    public static func numbers(_ values: [Double]) -> JSONValue { .array(values.map { .number($0) }) }
    public static func optionalNumbers(_ values: [Double?]) -> JSONValue { .array(values.map { $0.map(JSONValue.number) ?? .null }) }

    public func serialized(indent: Int = 0) -> String {
        var output = ""
        write(into: &output, indent: indent, level: 0)
        return output
    }

    private func write(into output: inout String, indent: Int, level: Int) {
        switch self {
        case .number(let value):
            output += value.isFinite ? "\(value)" : "null"
        case .integer(let value):
            output += "\(value)"
        case .string(let value):
            output += Self.quoted(value)
        case .bool(let value):
            output += value ? "true" : "false"
        case .null:
            output += "null"
        case .array(let items):
            // Arrays of scalars stay on one line; nested structures are indented.
            let scalar = items.allSatisfy { if case .array = $0 { return false }; if case .members = $0 { return false }; return true }
            if scalar || indent == 0 {
                output += "["
                for (index, item) in items.enumerated() {
                    if index > 0 { output += indent == 0 ? "," : ", " }
                    item.write(into: &output, indent: scalar ? 0 : indent, level: level + 1)
                }
                output += "]"
            } else {
                output += "[\n"
                for (index, item) in items.enumerated() {
                    output += String(repeating: " ", count: indent * (level + 1))
                    item.write(into: &output, indent: indent, level: level + 1)
                    output += index + 1 < items.count ? ",\n" : "\n"
                }
                output += String(repeating: " ", count: indent * level) + "]"
            }
        case .members(let keys, let values):
            let members = Array(zip(keys, values))
            if indent == 0 {
                output += "{"
                for (index, (key, value)) in members.enumerated() {
                    if index > 0 { output += "," }
                    output += Self.quoted(key) + ":"
                    value.write(into: &output, indent: 0, level: level + 1)
                }
                output += "}"
            } else {
                output += "{\n"
                for (index, (key, value)) in members.enumerated() {
                    output += String(repeating: " ", count: indent * (level + 1)) + Self.quoted(key) + ": "
                    value.write(into: &output, indent: indent, level: level + 1)
                    output += index + 1 < members.count ? ",\n" : "\n"
                }
                output += String(repeating: " ", count: indent * level) + "}"
            }
        }
    }

    public static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 {
                    result += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}
