/// Several figures laid out in a grid (row-major, `columns` per row) and
/// rendered into a single SVG document, e.g. a two-panel comparison.
///
/// Each column is as wide as its widest panel and each row as tall as its
/// tallest one; panels keep their own size, axes and legends. Clip-path ids
/// are made unique per panel.
public struct FigureGrid: Sendable, Equatable {
    /// Number of panels per row (at least 1).
    public var columns: Int
    /// The panels, in row-major order.
    public var panels: [Figure]
    /// Optional overall title drawn above the panels.
    public var title: String?

    /// Creates a grid of panels.
    /// - Parameters:
    ///   - columns: Panels per row.
    ///   - panels: Figures in row-major order.
    ///   - title: Optional overall title above the grid.
    public init(columns: Int, panels: [Figure], title: String? = nil) {
        self.columns = columns
        self.panels = panels
        self.title = title
    }

    /// Height reserved for the overall title, if any.
    var titleHeight: Double { (title ?? "").isEmpty ? 0 : 30 }

    /// Document offsets of every panel, and the document size.
    func arrangement() throws -> (origins: [(Double, Double)], width: Double, height: Double) {
        guard columns >= 1 else { throw PlotError.invalidGrid(reason: "columns must be at least 1, got \(columns)") }
        guard !panels.isEmpty else { throw PlotError.invalidGrid(reason: "no panels") }
        let rows = (panels.count + columns - 1) / columns
        var columnWidths = [Double](repeating: 0, count: columns)
        var rowHeights = [Double](repeating: 0, count: rows)
        for (i, p) in panels.enumerated() {
            columnWidths[i % columns] = max(columnWidths[i % columns], p.width)
            rowHeights[i / columns] = max(rowHeights[i / columns], p.height)
        }
        var origins: [(Double, Double)] = []
        for i in panels.indices {
            let x = columnWidths[..<(i % columns)].reduce(0, +)
            let y = titleHeight + rowHeights[..<(i / columns)].reduce(0, +)
            origins.append((x, y))
        }
        return (origins, columnWidths.reduce(0, +), titleHeight + rowHeights.reduce(0, +))
    }

    /// Renders all panels into one standalone SVG document.
    /// - Throws: `PlotError.invalidGrid` for no panels or `columns < 1`, or
    ///   the first error any panel throws.
    public func render() throws -> String {
        let (origins, width, height) = try arrangement()
        let layouts = try panels.map { try $0.makeLayout() }
        let f = formatCoordinate
        var svg = documentHeader(width: width, height: height, title: title ?? "")
        if let title, !title.isEmpty {
            svg += "<text class=\"grid-title\" x=\"\(f(width / 2))\" y=\"21\" text-anchor=\"middle\" font-size=\"\(f(Style.titleFont + 1))\" font-weight=\"bold\" fill=\"#000000\">\(xmlEscape(title))</text>\n"
        }
        for (i, panel) in panels.enumerated() {
            svg += "<g class=\"panel\" transform=\"translate(\(f(origins[i].0)),\(f(origins[i].1)))\">\n"
            svg += panel.renderBody(layouts[i], clipID: "svgplot-clip-\(i)")
            svg += "</g>\n"
        }
        svg += "</svg>\n"
        return svg
    }

    /// The data-to-pixel map of panel `index`, in document coordinates of the
    /// grid (the panel's own transform shifted by the panel's origin).
    public func transform(panel index: Int) throws -> PlotTransform {
        let (origins, _, _) = try arrangement()
        guard panels.indices.contains(index) else {
            throw PlotError.invalidGrid(reason: "panel index \(index) out of range 0..<\(panels.count)")
        }
        return try panels[index].transform().translated(dx: origins[index].0, dy: origins[index].1)
    }
}
