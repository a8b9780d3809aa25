import Foundation

/// The ```swift blocks of a Markdown file and the marked regions of a Swift source file, and the
/// rule that ties them: a block is *compiled* when, up to indentation and blank lines, it equals
/// one region of the source (whose function the test target compiles and runs), and each of its
/// `import` lines is an import of that source file.
struct SnippetCatalog {
    /// Marked regions by name: the lines between `// README-SNIPPET-BEGIN name` and
    /// `// README-SNIPPET-END`.
    let regions: [String: [String]]
    /// The modules the source file imports.
    let imports: Set<String>

    init(source: String) {
        var regions: [String: [String]] = [:], imports: Set<String> = []
        var current: (name: String, lines: [String])?
        for line in source.components(separatedBy: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("// README-SNIPPET-BEGIN ") {
                current = (String(trimmed.dropFirst("// README-SNIPPET-BEGIN ".count)), [])
            } else if trimmed == "// README-SNIPPET-END", let open = current {
                regions[open.name] = Self.normalized(open.lines)
                current = nil
            } else if current != nil {
                current!.lines.append(line)
            } else if trimmed.hasPrefix("import ") {
                imports.insert(String(trimmed.dropFirst("import ".count)))
            }
        }
        self.regions = regions
        self.imports = imports
    }

    /// The fenced ```swift blocks of `markdown`, each as its lines.
    static func swiftBlocks(in markdown: String) -> [[String]] {
        var blocks: [[String]] = [], current: [String]?
        for line in markdown.components(separatedBy: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if current == nil, trimmed == "```swift" {
                current = []
            } else if current != nil, trimmed == "```" {
                blocks.append(current!)
                current = nil
            } else if current != nil {
                current!.append(line)
            }
        }
        return blocks
    }

    /// Lines without their indentation and trailing spaces, blank lines dropped.
    static func normalized(_ lines: [String]) -> [String] {
        lines.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    enum Match: Equatable {
        /// The block is the region of this name.
        case region(String)
        /// The block imports a module the source file does not.
        case unknownImport(String)
        /// No region has these lines.
        case notFound
    }

    /// Which region `block` is (its leading `import` lines checked against the source's imports).
    func match(_ block: [String]) -> Match {
        var body = Self.normalized(block)
        while let first = body.first, first.hasPrefix("import ") {
            let module = String(first.dropFirst("import ".count))
            guard imports.contains(module) else { return .unknownImport(module) }
            body.removeFirst()
        }
        for (name, lines) in regions where lines == body { return .region(name) }
        return .notFound
    }
}
