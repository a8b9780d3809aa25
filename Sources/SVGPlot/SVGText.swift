// Deterministic number formatting and XML text escaping, free of locale and
// of Foundation, so that identical input always yields identical SVG text.

/// Escapes text for use in XML character data and in quoted attribute values.
/// Characters that XML 1.0 forbids (most C0 controls, U+FFFE, U+FFFF) are
/// dropped so that the document stays well-formed.
func xmlEscape(_ s: String) -> String {
    var out = ""
    out.reserveCapacity(s.utf8.count)
    for scalar in s.unicodeScalars {
        switch scalar {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&apos;"
        case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
        default:
            let v = scalar.value
            if v < 0x20 || v == 0xFFFE || v == 0xFFFF { continue }
            out.unicodeScalars.append(scalar)
        }
    }
    return out
}

/// Formats `v` with exactly `decimals` digits after the point ("0.50", "-3",
/// "12.0"), never printing "-0". Values too large for exact fixed-point
/// formatting fall back to Swift's shortest round-trip representation.
func formatFixed(_ v: Double, decimals: Int) -> String {
    precondition(decimals >= 0 && decimals <= 15)
    guard v.isFinite else { return v.isNaN ? "0" : (v > 0 ? "1e308" : "-1e308") }
    var factor = 1.0
    for _ in 0..<decimals { factor *= 10 }
    let scaled = (v * factor).rounded()
    guard abs(scaled) < 9e15 else { return "\(v)" }
    let n = Int64(scaled)
    if n == 0 {
        return decimals == 0 ? "0" : "0." + String(repeating: "0", count: decimals)
    }
    let magnitude = n.magnitude
    let divisor = UInt64(factor)
    let integerPart = magnitude / divisor
    var result = (n < 0 ? "-" : "") + String(integerPart)
    if decimals > 0 {
        let fraction = String(magnitude % divisor)
        result += "." + String(repeating: "0", count: decimals - fraction.count) + fraction
    }
    return result
}

/// Formats a pixel coordinate or length with at most three decimals and no
/// trailing zeros ("12.5", "300", "0.125").
func formatCoordinate(_ v: Double) -> String {
    var s = formatFixed(v, decimals: 3)
    if s.contains(".") {
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
    }
    return s == "-0" ? "0" : s
}

/// A short text with an optional superscript suffix, such as "10" + "-3" or
/// "2.5×10" + "6", rendered in SVG as text followed by a raised `<tspan>`.
struct RichLabel: Sendable, Equatable {
    /// Text on the baseline.
    var text: String
    /// Raised text appended after `text`, if any.
    var superscript: String?

    /// SVG markup for the content of a `<text>` element.
    var svg: String {
        var s = xmlEscape(text)
        if let sup = superscript {
            s += "<tspan baseline-shift=\"super\" font-size=\"75%\">\(xmlEscape(sup))</tspan>"
        }
        return s
    }

    /// Approximate rendered width in pixels at the given font size.
    func estimatedWidth(fontSize: Double) -> Double {
        estimateTextWidth(text, fontSize: fontSize)
            + estimateTextWidth(superscript ?? "", fontSize: fontSize * 0.75)
    }
}

/// Rough advance width of `s` in a sans-serif font: good enough for margins
/// and legend boxes without any font metrics.
func estimateTextWidth(_ s: String, fontSize: Double) -> Double {
    var em = 0.0
    for ch in s {
        switch ch {
        case "i", "l", "j", "t", "f", "I", ".", ",", ":", ";", "'", "|", "!", " ", "(", ")", "[", "]":
            em += 0.34
        case "m", "w", "M", "W", "@", "—", "%":
            em += 0.9
        default:
            em += ch.isUppercase ? 0.7 : 0.6
        }
    }
    return em * fontSize
}
