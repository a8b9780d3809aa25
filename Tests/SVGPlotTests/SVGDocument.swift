import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import SVGPlot

/// A parsed XML element (minimal DOM for inspecting rendered SVG).
final class Element {
    let name: String
    let attributes: [String: String]
    var children: [Element] = []
    /// Character data directly inside this element.
    var ownText = ""

    init(name: String, attributes: [String: String]) {
        self.name = name
        self.attributes = attributes
    }

    /// All text inside, including descendants (e.g. "10" + tspan "-3" → "10-3").
    var text: String { ownText + children.map(\.text).joined() }

    /// This element and all descendants in document order.
    var all: [Element] { [self] + children.flatMap(\.all) }

    /// Whether the `class` attribute contains every given class name.
    func hasClass(_ names: String...) -> Bool {
        let classes = Set((attributes["class"] ?? "").split(separator: " ").map(String.init))
        return names.allSatisfy(classes.contains)
    }

    /// A numeric attribute.
    func number(_ key: String) -> Double? { attributes[key].flatMap(Double.init) }
}

/// Parses XML with Foundation's `XMLParser`; nil if not well-formed.
final class DOMBuilder: NSObject, XMLParserDelegate {
    private var stack: [Element] = []
    private(set) var root: Element?
    private(set) var namespaceURI: String?

    static func parse(_ xml: String) -> (root: Element, namespace: String?)? {
        let parser = XMLParser(data: Data(xml.utf8))
        parser.shouldProcessNamespaces = true
        let builder = DOMBuilder()
        parser.delegate = builder
        guard parser.parse(), let root = builder.root else { return nil }
        return (root, builder.namespaceURI)
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
        qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]
    ) {
        let e = Element(name: elementName, attributes: attributeDict)
        if let parent = stack.last { parent.children.append(e) } else {
            root = e
            self.namespaceURI = namespaceURI
        }
        stack.append(e)
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        stack.removeLast()
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        stack.last?.ownText += string
    }
}

/// Points of a `<polyline>` as (x, y) pixel pairs.
func polylinePoints(_ e: Element) -> [(Double, Double)] {
    (e.attributes["points"] ?? "").split(separator: " ").map { pair in
        let parts = pair.split(separator: ",").map { Double($0)! }
        return (parts[0], parts[1])
    }
}

/// Parses a tick label like "0.5", "-2", "10-3" (10 with superscript -3),
/// "2.5×106" (2.5×10 with superscript 6) from the label element's structure.
func tickValue(_ e: Element) -> Double? {
    let base = e.ownText
    if let sup = e.children.first(where: { $0.name == "tspan" })?.text, let k = Double(sup) {
        if base == "10" { return pow(10, k) }
        if base.hasSuffix("×10"), let m = Double(base.dropLast(3)) { return m * pow(10, k) }
        return nil
    }
    return Double(base)
}
