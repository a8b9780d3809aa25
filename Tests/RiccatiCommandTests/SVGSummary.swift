import Foundation
import LinearAlgebra
import NumPyFormat
import Testing
#if canImport(FoundationXML)
import FoundationXML
#endif

/// What the tests need to know of an SVGPlot document, collected with `XMLParser`: per panel
/// (`<g class="panel">`, or the whole document for a single figure) the number of points of
/// every `<polyline class="series">` by series, which series are dashed or have markers; the
/// titles, legend labels and reference-line annotations.
final class SVGSummary: NSObject, XMLParserDelegate {
    struct Panel {
        var polylines: [Int: [Int]] = [:]
        var dashed: Set<Int> = []
        var markers: Set<Int> = []
    }

    private(set) var panels: [Panel] = []
    private(set) var titles: [String] = []
    private(set) var legend: [String] = []
    private(set) var annotations: [String] = []
    private(set) var tickLabels: [String] = []
    /// Tick labels written as `10` with a superscript exponent (a logarithmic axis's decades).
    private(set) var decadeTickLabels: [String] = []
    private var textClass: String?
    private var textBuffer = ""
    private var textDepth = 0
    private var hasSuperscript = false

    init(contentsOf url: URL) throws {
        super.init()
        let parser = XMLParser(data: try Data(contentsOf: url))
        parser.delegate = self
        #expect(parser.parse(), "\(url.lastPathComponent) is not well-formed XML: \(String(describing: parser.parserError))")
        if panels.isEmpty { panels = [Panel()] }
    }

    func polylinePoints(panel: Int, series: Int) -> [Int] { panels[panel].polylines[series] ?? [] }
    func seriesCount(panel: Int) -> Int { panels[panel].polylines.count }
    func dashedSeries(panel: Int) -> Set<Int> { panels[panel].dashed }
    func markerSeries(panel: Int) -> Set<Int> { panels[panel].markers }
    /// A logarithmic axis labels its decades `10` with a superscript exponent.
    var hasLogTicks: Bool { !decadeTickLabels.isEmpty }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        let kind = attributes["class"] ?? ""
        switch name {
        case "g" where kind == "panel":
            panels.append(Panel())
        case "polyline" where kind == "series":
            if panels.isEmpty { panels.append(Panel()) }
            let series = Int(attributes["data-series"] ?? "") ?? -1
            let count = (attributes["points"] ?? "").split(separator: " ").count
            panels[panels.count - 1].polylines[series, default: []].append(count)
            if attributes["stroke-dasharray"] != nil { panels[panels.count - 1].dashed.insert(series) }
        case "circle" where kind == "marker":
            if panels.isEmpty { panels.append(Panel()) }
            panels[panels.count - 1].markers.insert(Int(attributes["data-series"] ?? "") ?? -1)
        case "title", "text":
            textClass = name == "title" ? "title" : kind; textBuffer = ""; textDepth = 0; hasSuperscript = false
        case "tspan":
            if textClass != nil { textDepth += 1; hasSuperscript = hasSuperscript || attributes["baseline-shift"] == "super" }
        default:
            break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if textClass != nil { textBuffer += string }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        guard let kind = textClass, name == "text" || name == "title" || name == "tspan" else { return }
        if name == "tspan" { textDepth -= 1; return }
        switch kind {
        case "title", "grid-title": titles.append(textBuffer)
        case "legend-label": legend.append(textBuffer)
        case "annotation": annotations.append(textBuffer)
        case let other where other.hasPrefix("tick-label"):
            tickLabels.append(textBuffer)
            if hasSuperscript && textBuffer.hasPrefix("10") { decadeTickLabels.append(textBuffer) }
        default: break
        }
        textClass = nil
    }
}
