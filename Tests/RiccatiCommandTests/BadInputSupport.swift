import Foundation
import NumPyFormat
import Testing

// Every command of `riccati`, fed bad inputs: each case must exit with its documented code
// (2 for bad input), print exactly one line `riccati: …` on stderr naming the offending flag or
// file, print nothing on stdout and create no file. Every output flag (`--output`, `--npy-dir`,
// `--plot`, `--figure`) points into a fresh, empty folder per case, which must still be empty
// afterwards; the input folder must hold exactly the files written before the run.
//
// Sizes are tiny (d = 16, r ≤ 4, a few steps), so even a check that went missing would only cost
// a short run; a run that would hang (a huge --t-end, say) is terminated after `timeout` seconds
// and fails on its exit code.
//
// Arguments use two placeholders, resolved per case: `IN/<name>` is a file of the input folder
// (see `BadInputFixture.files`), `OUT` / `OUT/<name>` the output folder.

/// One bad command line and what it must produce.
struct BadInputCase: Sendable, CustomTestStringConvertible {
    var command: [String]
    var arguments: [String]
    /// A substring of the error line: the offending flag or file.
    var fragment: String
    var status: Int32 = 2

    var testDescription: String { (command + arguments).joined(separator: " ") }
}

/// Builds the cases of one command: `base` is a valid, fast configuration, `outputs` the output
/// flags (into `OUT`), and each case appends its own flags last (a repeated option takes the last value).
struct BadInputTable {
    let command: [String]
    let base: [String]
    let outputs: [String]
    private(set) var cases: [BadInputCase] = []

    init(_ command: [String], base: [String], outputs: [String]) {
        self.command = command
        self.base = base
        self.outputs = outputs
    }

    /// `base + outputs + flags`.
    mutating func bad(_ flags: [String], _ fragment: String, status: Int32 = 2) {
        cases.append(BadInputCase(command: command, arguments: base + outputs + flags, fragment: fragment, status: status))
    }

    /// `outputs + flags`, without the base (whose flags would conflict, e.g. `--rs` with `--init-m`).
    mutating func alone(_ flags: [String], _ fragment: String, status: Int32 = 2) {
        cases.append(BadInputCase(command: command, arguments: outputs + flags, fragment: fragment, status: status))
    }

    /// `flag=value` for each value (the `=` form passes negative numbers as values; an empty value
    /// is refused by the parser as a missing value, while `,` reaches the command's list parsing).
    mutating func values(_ flag: String, _ values: [String], _ fragment: String? = nil, extra: [String] = []) {
        for value in values { bad(extra + ["\(flag)=\(value)"], fragment ?? flag) }
    }

    /// The flags of `--backend` (sweep and compute), checked before any work: nothing is created or submitted.
    mutating func badBackendFlags() {
        bad(["--backend", "cloud"], "--backend")
        bad(["--work-dir", "OUT/plan"], "--work-dir")                 // a Slurm flag with the local backend
        bad(["--dry-run"], "--dry-run")
        bad(["--backend", "slurm"], "--work-dir")                      // Slurm without a work directory
        bad(["--backend", "slurm", "--work-dir", "IN/file.txt/plan", "--dry-run"], "--work-dir")   // a file as its folder (fails for root too)
        let dryRun = ["--backend", "slurm", "--work-dir", "OUT/plan", "--dry-run"]
        bad(dryRun + ["--array-limit", "0"], "--array-limit")
        bad(dryRun + ["--slurm-args", "--array=0-3"], "--slurm-args")  // set by the tool
        bad(dryRun + ["--slurm-args", "--arr=0"], "--slurm-args")      // … by an abbreviation (getopt_long accepts it)
        bad(dryRun + ["--slurm-args", "-o/tmp/elsewhere.out"], "--slurm-args")   // … as a short option with its value attached
        bad(dryRun + ["--slurm-args", "-Hd afterok:1"], "--slurm-args")          // … bundled after a flag
        bad(["--poll-interval", "1"], "--poll-interval")               // a Slurm flag with the local backend
        bad(["--backend", "slurm", "--work-dir", "OUT/a\\b", "--dry-run"], "backslash")
        bad(dryRun + ["--slurm-args", "--comment='open"], "--slurm-args")
        bad(dryRun + ["--slurm-args", "partition"], "--slurm-args")
        values("--poll-interval", ["0", "nan", "1e9"], extra: dryRun)
    }

    /// The output destinations every command checks before any work.
    mutating func badDestinations(plotSuffixCheck: Bool = true) {
        bad(["--output", "IN/file.txt/report.txt"], "--output")      // a regular file as the directory (fails for root too)
        bad(["--output", "OUT/missing/report.txt"], "--output")      // a missing directory
        bad(["--output", "OUT"], "--output")                         // a directory, not a file
        bad(["--npy-dir", "OUT/missing"], "--npy-dir")
        bad(["--npy-dir", "IN/file.txt"], "--npy-dir")               // a file, not a directory
        bad(["--npy-dir", "IN/file.txt/arrays"], "--npy-dir")
        bad(["--plot", "OUT/figure.png"], "--plot")                  // not .svg
        bad(["--plot", "IN/file.txt/figure.svg"], "--plot")
        bad(["--plot", "OUT/missing/figure.svg"], "--plot")
        bad(["--output", "OUT/figure.svg"], "--output")              // the same file as --plot
        bad(["--output", ""], "--output")                            // an empty name (issue 15)
        bad(["--output", "OUT/"], "--output")                        // a trailing slash: a directory, not a file
    }
}

/// The per-case folders and input files.
struct BadInputFixture {
    let root: URL
    let inputs: URL
    let outputs: URL

    init() throws {
        root = try temporaryFolder()
        inputs = root.appendingPathComponent("in")
        outputs = root.appendingPathComponent("out")
        let manager = FileManager.default
        try manager.createDirectory(at: inputs, withIntermediateDirectories: true)
        try manager.createDirectory(at: outputs, withIntermediateDirectories: true)
        for (name, bytes) in try Self.files() { try Data(bytes).write(to: inputs.appendingPathComponent(name)) }
        try manager.createDirectory(at: inputs.appendingPathComponent("folder.npy"), withIntermediateDirectories: true)
    }

    func resolve(_ token: String) -> String {
        if token == "OUT" { return outputs.path }
        if token.hasPrefix("OUT/") { return outputs.path + "/" + token.dropFirst(4) }
        if token.hasPrefix("IN/") { return inputs.path + "/" + token.dropFirst(3) }
        return token
    }

    static func npy(_ shape: [Int], _ values: [Double]) throws -> [UInt8] {
        NPY.encode(try NPYArray(shape: shape, values: values))
    }

    /// The input files: valid ones for r = r_s = 2 (and d = 16 for SGD) and broken variants.
    /// `missing.npy` is deliberately absent and `folder.npy` is a directory.
    static func files() throws -> [(String, [UInt8])] {
        let lambda = try npy([2], [2, 1])
        let w = (0..<32).map { 0.05 * sin(Double($0) + 1) }
        var theta = [Double](repeating: 0, count: 32)
        theta[0] = 1; theta[17] = 1                                    // [I_2 0]
        var skew = theta
        skew[16] = 1                                                   // rows e_1 and e_1 + e_2
        return [
            ("file.txt", Array("not a directory\n".utf8)),
            ("garbage.npy", Array("this is not a .npy file\n".utf8) + [0x00, 0xFF, 0x93, 0x4E]),
            ("empty.npy", []),
            ("truncated.npy", Array(lambda.dropLast(4))),
            ("float32.npy", replacing("<f8", with: "<f4", in: lambda)),
            ("lambda2.npy", lambda),
            ("lambda_negative.npy", try npy([2], [1, -0.5])),
            ("lambda_nan.npy", try npy([2], [1, .nan])),
            ("lambda_inf.npy", try npy([2], [.infinity, 1])),
            ("lambda_empty.npy", try npy([0], [])),
            ("lambda_2d.npy", try npy([1, 2], [2, 1])),
            ("m2x2.npy", try npy([2, 2], [0.01, 0.02, 0.015, -0.01])),
            ("m2x3.npy", try npy([2, 3], [0.01, 0.02, 0.03, 0.015, -0.01, 0.02])),
            ("m_1d.npy", try npy([2], [0.01, 0.02])),
            ("m_nan.npy", try npy([2, 2], [0.01, .nan, 0.015, -0.01])),
            ("m_huge.npy", try npy([2, 2], [1e30, 2e30, 1.5e30, -1e30])),
            ("m_norows.npy", try npy([0, 2], [])),
            ("p2x2.npy", try npy([2, 2], [0.1, 0, 0, 0.1])),
            ("p3x3.npy", try npy([3, 3], [Double](repeating: 0, count: 9))),
            ("p_nonsym.npy", try npy([2, 2], [0.1, 0.05, -0.05, 0.1])),
            ("p_notpsd.npy", try npy([2, 2], [-1, 0, 0, 0.1])),
            ("p_nan.npy", try npy([2, 2], [0.1, 0, 0, .nan])),
            ("w2x16.npy", try npy([2, 16], w)),
            ("w2x8.npy", try npy([2, 8], Array(w.prefix(16)))),
            ("w3x16.npy", try npy([3, 16], w + Array(w.prefix(16)))),
            ("w_1d.npy", try npy([32], w)),
            ("w_nan.npy", try npy([2, 16], [.nan] + w.dropFirst())),
            ("theta2x16.npy", try npy([2, 16], theta)),
            ("theta2x8.npy", try npy([2, 8], [1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0])),
            ("theta3x16.npy", try npy([3, 16], theta + [Double](repeating: 0, count: 16))),
            ("theta_skew.npy", try npy([2, 16], skew)),
            ("theta_nan.npy", try npy([2, 16], [.nan] + theta.dropFirst())),
        ]
    }
}

func folderContents(_ url: URL) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: url.path).sorted()
}

/// What a crash leaves on standard error: the Swift runtime's trap and backtracer messages, the
/// shell's signal names.
func crashMarkers(in standardError: String) -> [String] {
    ["Fatal error", "Program crashed", "Backtrace", "Illegal instruction", "Segmentation fault", "Aborted",
     "Killed", "Crash", "💣"].filter { standardError.contains($0) }
}

/// Runs one case in a fresh fixture and checks status, stderr, stdout and the folders; with
/// `addressSpaceKiB`, under that `ulimit -v` (a missing check then ends in an allocation failure,
/// which shows as a crash marker); `alsoContaining`: a second fragment the line must hold.
func checkBadInput(_ c: BadInputCase, addressSpaceKiB: Int? = nil, alsoContaining extra: String? = nil) throws {
    let fixture = try BadInputFixture()
    defer { try? FileManager.default.removeItem(at: fixture.root) }
    let before = try folderContents(fixture.inputs)
    let arguments = c.command + c.arguments.map(fixture.resolve)
    let run = try addressSpaceKiB.map { try runRiccatiLimited(arguments, addressSpaceKiB: $0, timeout: 60) }
        ?? runRiccati(arguments, timeout: 20)
    let lines = run.standardError.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(crashMarkers(in: run.standardError).isEmpty, "crash: \(run.standardError.prefix(400))")
    #expect(run.status == c.status, "exit \(run.status), stderr: \(run.standardError)")
    #expect(lines.count == 2 && lines[1].isEmpty, "not exactly one line: \(run.standardError)")
    #expect(run.standardError.hasPrefix("riccati: "), "\(run.standardError)")
    #expect(run.standardError.contains(c.fragment), "'\(c.fragment)' not in: \(run.standardError)")
    if let extra { #expect(run.standardError.contains(extra), "'\(extra)' not in: \(run.standardError)") }
    #expect(run.standardOutput.isEmpty, "stdout: \(run.standardOutput.prefix(200))")
    let created = try folderContents(fixture.outputs), after = try folderContents(fixture.inputs)
    #expect(created.isEmpty, "created \(created)")
    #expect(after == before, "input folder changed: \(after)")
}
