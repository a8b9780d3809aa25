/// A value in the header's Python dict literal (the subset this reader accepts).
enum HeaderValue: Equatable, Sendable {
    /// A single- or double-quoted string without escape sequences.
    case string(String)
    /// `True` or `False`.
    case bool(Bool)
    /// A decimal integer literal; `text` keeps an optional leading sign and the
    /// digits exactly as written (it may not fit in `Int`).
    case integer(text: String)
    /// A numeric-looking token that is not a plain decimal integer (`2.0`, `1e3`,
    /// `0x10`, `007`, `1_000`, ...). Kept only to produce precise error messages.
    case nonInteger(text: String)
    /// `(a, b)`, `(a,)` or `()`.
    case tuple([HeaderValue])
    /// `[a, b]` (NumPy writes lists for structured dtypes).
    case list([HeaderValue])

    /// ``pythonLiteral`` shortened to at most 100 characters (plus `...`), so
    /// errors about huge hostile headers stay small.
    var excerpt: String {
        let literal = pythonLiteral
        return literal.count > 100 ? String(literal.prefix(100)) + "..." : literal
    }

    /// The value rendered as a Python literal, for error messages.
    var pythonLiteral: String {
        switch self {
        case let .string(text):
            let quote = text.contains("'") && !text.contains("\"") ? "\"" : "'"
            return quote + text + quote
        case let .bool(value):
            return value ? "True" : "False"
        case let .integer(text), let .nonInteger(text):
            return text
        case let .tuple(items):
            return pythonTuple(items.map(\.pythonLiteral))
        case let .list(items):
            return "[" + items.map(\.pythonLiteral).joined(separator: ", ") + "]"
        }
    }
}

/// Hand-written tokenizer and recursive-descent parser for the header dict.
///
/// Grammar (whitespace = space, tab, CR, LF, form feed, allowed between tokens):
/// ```
/// header := '{' [ entry (',' entry)* [','] ] '}'
/// entry  := string ':' value
/// value  := string | 'True' | 'False' | integer | tuple | list
/// tuple  := '(' ')' | '(' value ',' ')' | '(' value (',' value)+ [','] ')'
/// list   := '[' [ value (',' value)* [','] ] ']'
/// ```
/// `(value)` without a comma is Python grouping and yields `value` itself.
/// Strings are `'...'` or `"..."` without backslashes or control characters.
/// Integers are `0` or `[1-9][0-9]*`, optionally preceded directly by `+`/`-`.
/// Nesting is limited to ``maxDepth`` so hostile input cannot exhaust the stack.
struct HeaderParser {
    /// Maximum nesting of tuples/lists inside the dict.
    static let maxDepth = 32

    private enum Token: Equatable {
        case openBrace, closeBrace, openParen, closeParen, openBracket, closeBracket
        case colon, comma, end
        case value(HeaderValue)

        var display: String {
            switch self {
            case .openBrace: return "'{'"
            case .closeBrace: return "'}'"
            case .openParen: return "'('"
            case .closeParen: return "')'"
            case .openBracket: return "'['"
            case .closeBracket: return "']'"
            case .colon: return "':'"
            case .comma: return "','"
            case .end: return "end of header"
            case let .value(value): return value.excerpt
            }
        }
    }

    private let bytes: [UInt8]
    private var position = 0
    private var tokenStart = 0
    private let source: String

    /// `bytes` is the header text without its terminating newline; it must
    /// already have passed the encoding check (ASCII, or UTF-8 for version 3).
    init(bytes: [UInt8], source: String) {
        self.bytes = bytes
        self.source = source
    }

    /// Parses the whole header as a dict literal and returns its entries in
    /// order of appearance (duplicates included; the caller checks keys).
    mutating func parseDictionary() throws(NPYError) -> [(key: String, value: HeaderValue)] {
        let first = try nextToken()
        guard first == .openBrace else {
            throw failure("expected '{' at the start of the header, found \(first.display)")
        }
        var entries: [(key: String, value: HeaderValue)] = []
        dictLoop: while true {
            let keyToken = try nextToken()
            switch keyToken {
            case .closeBrace:
                break dictLoop
            case let .value(.string(key)):
                let colon = try nextToken()
                guard colon == .colon else {
                    throw failure("expected ':' after the key '\(key)', found \(colon.display)")
                }
                let value = try parseValue(depth: 1)
                entries.append((key, value))
                let separator = try nextToken()
                if separator == .closeBrace { break dictLoop }
                guard separator == .comma else {
                    throw failure("expected ',' or '}' after the value of '\(key)', found \(separator.display)")
                }
            default:
                throw failure("expected a quoted string key or '}', found \(keyToken.display)")
            }
        }
        let trailing = try nextToken()
        guard trailing == .end else {
            throw failure("unexpected \(trailing.display) after the closing '}'")
        }
        return entries
    }

    // MARK: - Parser

    private mutating func parseValue(depth: Int) throws(NPYError) -> HeaderValue {
        let token = try nextToken()
        switch token {
        case let .value(value):
            return value
        case .openParen:
            let (items, hadComma) = try parseSequence(closing: .closeParen, depth: depth + 1)
            if items.count == 1 && !hadComma { return items[0] }  // plain grouping
            return .tuple(items)
        case .openBracket:
            return .list(try parseSequence(closing: .closeBracket, depth: depth + 1).items)
        case .openBrace:
            throw failure("nested dictionaries are not supported")
        default:
            throw failure("expected a value, found \(token.display)")
        }
    }

    /// Parses the items after an opening bracket up to and including `closing`.
    /// `hadComma` tells whether any comma appeared (distinguishes `(x,)` from `(x)`).
    private mutating func parseSequence(closing: Token, depth: Int) throws(NPYError) -> (items: [HeaderValue], hadComma: Bool) {
        guard depth <= Self.maxDepth else {
            throw failure("values are nested more than \(Self.maxDepth) levels deep")
        }
        var items: [HeaderValue] = []
        var hadComma = false
        if try peekToken() == closing {
            _ = try nextToken()
            return (items, false)
        }
        while true {
            items.append(try parseValue(depth: depth))
            let separator = try nextToken()
            if separator == closing { return (items, hadComma) }
            guard separator == .comma else {
                throw failure("expected ',' or \(closing.display), found \(separator.display)")
            }
            hadComma = true
            if try peekToken() == closing {
                _ = try nextToken()
                return (items, true)
            }
        }
    }

    // MARK: - Tokenizer

    private func failure(_ reason: String) -> NPYError {
        .malformedHeader(source: source, reason: "\(reason) (at header byte \(tokenStart))")
    }

    private mutating func peekToken() throws(NPYError) -> Token {
        let savedPosition = position
        let savedStart = tokenStart
        defer {
            position = savedPosition
            tokenStart = savedStart
        }
        return try nextToken()
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0C
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    private static func isIdentifierByte(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F
    }

    private mutating func nextToken() throws(NPYError) -> Token {
        while position < bytes.count && Self.isWhitespace(bytes[position]) {
            position += 1
        }
        tokenStart = position
        guard position < bytes.count else { return .end }
        let byte = bytes[position]
        switch byte {
        case UInt8(ascii: "{"): position += 1; return .openBrace
        case UInt8(ascii: "}"): position += 1; return .closeBrace
        case UInt8(ascii: "("): position += 1; return .openParen
        case UInt8(ascii: ")"): position += 1; return .closeParen
        case UInt8(ascii: "["): position += 1; return .openBracket
        case UInt8(ascii: "]"): position += 1; return .closeBracket
        case UInt8(ascii: ":"): position += 1; return .colon
        case UInt8(ascii: ","): position += 1; return .comma
        case UInt8(ascii: "'"), UInt8(ascii: "\""):
            return .value(try lexString(quote: byte))
        case UInt8(ascii: "-"), UInt8(ascii: "+"):
            guard position + 1 < bytes.count, Self.isDigit(bytes[position + 1]) else {
                throw failure("a sign must be followed directly by digits")
            }
            return .value(lexNumber())
        default:
            if Self.isDigit(byte) { return .value(lexNumber()) }
            if Self.isIdentifierByte(byte) {
                let start = position
                while position < bytes.count && Self.isIdentifierByte(bytes[position]) {
                    position += 1
                }
                let word = String(decoding: bytes[start..<position], as: UTF8.self)
                switch word {
                case "True": return .value(.bool(true))
                case "False": return .value(.bool(false))
                default: throw failure("unexpected name '\(word)' (only True and False are allowed)")
                }
            }
            if byte >= 0x20 && byte < 0x7F {
                throw failure("unexpected character '\(Character(Unicode.Scalar(byte)))'")
            }
            throw failure("unexpected byte \(NPYError.escapedBytes([byte]))")
        }
    }

    private mutating func lexString(quote: UInt8) throws(NPYError) -> HeaderValue {
        let start = position + 1
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            if byte == quote {
                position = index + 1
                return .string(String(decoding: bytes[start..<index], as: UTF8.self))
            }
            if byte == UInt8(ascii: "\\") {
                throw failure("backslash escapes in strings are not supported")
            }
            if byte < 0x20 || byte == 0x7F {
                throw failure("control character \(NPYError.escapedBytes([byte])) inside a string")
            }
            index += 1
        }
        throw failure("unterminated string")
    }

    /// Lexes a number starting at `position` (a sign or a digit). Anything other
    /// than a canonical decimal integer becomes `.nonInteger` so the shape check
    /// can explain the problem.
    private mutating func lexNumber() -> HeaderValue {
        let start = position
        if bytes[position] == UInt8(ascii: "-") || bytes[position] == UInt8(ascii: "+") {
            position += 1
        }
        let digitsStart = position
        while position < bytes.count && Self.isDigit(bytes[position]) {
            position += 1
        }
        var isInteger = true
        // Leading zeros (`007`) are not valid Python 3 integer literals.
        if position - digitsStart > 1 && bytes[digitsStart] == UInt8(ascii: "0") {
            isInteger = false
        }
        // Continue over float/hex/underscore forms such as 2.0, 1e-3, 0x1F, 1_000.
        while position < bytes.count {
            let byte = bytes[position]
            let previous = bytes[position - 1]
            let isExponentSign = (byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+"))
                && (previous == UInt8(ascii: "e") || previous == UInt8(ascii: "E"))
            guard Self.isIdentifierByte(byte) || byte == UInt8(ascii: ".") || isExponentSign else { break }
            isInteger = false
            position += 1
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        return isInteger ? .integer(text: text) : .nonInteger(text: text)
    }
}
