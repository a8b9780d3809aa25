import ArgumentParser
import Reports


/// `--npy-dir DIR` and `--plot FILE.svg`, shared by `integrate`, `monotonicity`, `sgd` and
/// `compare`. Neither changes the report: the same numbers go to standard output or `--output`.
struct ArtifactOptions: ParsableArguments {
    @Option(name: .customLong("npy-dir"),
            help: "Also write the arrays as .npy files (float64, C order) and config.json into this existing directory.")
    var npyDir: String?

    @Option(help: "Also draw a figure into this .svg file (its directory must exist).")
    var plot: String?

    /// Checks both destinations; call before any work.
    func validate() throws(CommandFailure) -> (arrays: ArrayDirectory?, plot: PlotDestination?) {
        (try ArrayDirectory.validate(npyDir), try PlotDestination.validate(plot))
    }
}

/// Where `--plot` writes: an `.svg` file in an existing, writable directory, written atomically.
struct PlotDestination {
    private let destination: ReportDestination

    /// The same directory checks as `--output` (``ReportDestination``), plus the `.svg` name.
    init(path: String) throws(CommandFailure) {
        guard path.lowercased().hasSuffix(".svg") else {
            throw .badInput("--plot \(path): the figure is SVG; give a file name ending in .svg")
        }
        destination = try ReportDestination(path: path, flag: "--plot")
    }

    static func validate(_ path: String?) throws(CommandFailure) -> PlotDestination? {
        try path.map { (path) throws(CommandFailure) -> PlotDestination in try PlotDestination(path: path) }
    }

    func write(_ svg: String) throws(CommandFailure) {
        try destination.write(svg)
    }
}

extension ReportDestination {
    /// Writes a report's text here, then its arrays to `arrayDirectory` and its figure to
    /// `plotDestination` when asked for; the arrays and the figure are built before anything is
    /// written, so a failure to build them leaves every output untouched.
    func write(_ text: () -> String, config: [(String, JSONValue)], arrays: () throws(ReportError) -> [NamedArray],
               plot: () throws(ReportError) -> String, arrayDirectory: ArrayDirectory?,
               plotDestination: PlotDestination?) throws(CommandFailure) {
        let builtArrays = try arrayDirectory.map { _ throws(CommandFailure) in try CommandFailure.mapping { () throws(ReportError) in try arrays() } }
        let builtPlot = try plotDestination.map { _ throws(CommandFailure) in
            try CommandFailure.mapping(flag: "--plot") { () throws(ReportError) in try plot() }
        }
        try write(text())
        if let arrayDirectory, let builtArrays { try arrayDirectory.write(builtArrays, config: config) }
        if let plotDestination, let builtPlot { try plotDestination.write(builtPlot) }
    }
}
