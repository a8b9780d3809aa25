import ArgumentParser


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
