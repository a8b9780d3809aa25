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

/// Runs one case in a fresh fixture and checks status, stderr, stdout and the folders.
func checkBadInput(_ c: BadInputCase) throws {
    let fixture = try BadInputFixture()
    defer { try? FileManager.default.removeItem(at: fixture.root) }
    let before = try folderContents(fixture.inputs)
    let run = try runRiccati(c.command + c.arguments.map(fixture.resolve), timeout: 20)
    let lines = run.standardError.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(run.status == c.status, "exit \(run.status), stderr: \(run.standardError)")
    #expect(lines.count == 2 && lines[1].isEmpty, "not exactly one line: \(run.standardError)")
    #expect(run.standardError.hasPrefix("riccati: "), "\(run.standardError)")
    #expect(run.standardError.contains(c.fragment), "'\(c.fragment)' not in: \(run.standardError)")
    #expect(run.standardOutput.isEmpty, "stdout: \(run.standardOutput.prefix(200))")
    let created = try folderContents(fixture.outputs), after = try folderContents(fixture.inputs)
    #expect(created.isEmpty, "created \(created)")
    #expect(after == before, "input folder changed: \(after)")
}

enum BadInputTables {
    static let destinations = ["--output", "OUT/report.txt", "--npy-dir", "OUT", "--plot", "OUT/figure.svg"]

    // MARK: integrate

    static let integrate: [BadInputCase] = {
        var t = BadInputTable(["integrate"], base: ["--r", "4", "--rs", "2", "--d", "16", "--t-end", "1"], outputs: destinations)
        // --alpha: 0 (a flat spectrum) and 1e300 (λ = e_1 after normalisation) are valid.
        t.values("--alpha", ["-1", "nan", "inf", "-inf"])
        t.values("--r", ["0", "-1", "nan", "inf", "1000000000", ""])
        t.bad(["--r", "20"], "--r")                                   // r > d = 16
        t.bad(["--r", "16"], "--r")                                   // r = d
        t.values("--rs", ["0", "-1", "nan", "inf", "1000000000"])
        t.bad(["--rs", "20"], "--rs")                                 // r_s > d
        // --d: 1e15 is valid (d enters only the initial state); 1e17 exceeds 2^53.
        t.values("--d", ["0", "-16", "nan", "inf", "1e400", "1e17", "16.5", "abc", ""])
        t.values("--sigma0", ["0", "-1", "nan", "inf", "1e300"])
        // --seed: every UInt64, 0 included, is valid.
        t.values("--seed", ["-1", "nan", "1.5", "18446744073709551616"])
        t.values("--t-end", ["0", "-1", "nan", "inf", "1e300"])
        t.values("--save-count", ["0", "-1", "nan", "10000000"])
        t.bad(["--r", "2000", "--rs", "2000", "--d", "1e6", "--save-count", "100"], "--save-count")   // 6 GB of saved states
        t.values("--save-at", ["nan", "-1", "inf", "0.5,0.2", "0.5,2", "a", "0.1,,0.2", ",", ""])
        // --step: a huge step is valid (it is only a cap); a tiny one needs too many steps.
        t.values("--step", ["0", "-1", "nan", "inf"])
        t.bad(["--method", "rk4", "--step", "1e-300"], "--step")
        t.bad(["--step", "1e-300"], "--step")
        // --rtol lies in (0, 1); --atol has the state's units, so a huge one is valid.
        t.values("--rtol", ["0", "-1", "nan", "inf", "10"], extra: ["--method", "dopri5"])
        t.values("--atol", ["0", "-1", "nan", "inf"], extra: ["--method", "dopri5"])
        t.bad(["--method", "euler"], "--method")
        t.bad(["--factorization", "lu"], "--factorization")
        t.bad(["--format", "xml"], "--format")
        // Conflicting flags.
        t.alone(["--lambdas", "IN/lambda2.npy", "--alpha", "1", "--t-end", "1"], "--alpha")
        t.alone(["--lambdas", "IN/lambda2.npy", "--unnormalized", "--t-end", "1"], "--unnormalized")
        t.alone(["--lambdas", "IN/lambda2.npy", "--r", "3", "--rs", "2", "--d", "16", "--t-end", "1"], "--r")
        t.bad(["--save-at", "0.5", "--save-count", "3"], "--save-at")
        t.bad(["--rtol", "1e-6"], "--rtol")                            // with --method exact
        t.bad(["--method", "rk4", "--step", "0.1", "--factorization", "cholesky"], "--factorization")
        t.bad(["--method", "rk4"], "--step")
        t.bad(["--init-p", "IN/p2x2.npy"], "--init-p")
        let fromFile = ["--lambdas", "IN/lambda2.npy", "--init-m", "IN/m2x2.npy", "--t-end", "1"]
        t.alone(fromFile + ["--d", "16"], "--d")
        t.alone(fromFile + ["--rs", "2"], "--rs")
        t.alone(fromFile + ["--sigma0", "1"], "--sigma0")
        t.alone(fromFile + ["--seed", "1"], "--seed")
        t.alone(fromFile + ["--small-init"], "--small-init")
        // --lambdas files.
        for (file, fragment) in [("missing.npy", "missing.npy"), ("folder.npy", "folder.npy"), ("garbage.npy", "garbage.npy"),
                                 ("empty.npy", "empty.npy"), ("truncated.npy", "truncated.npy"), ("float32.npy", "float32.npy"),
                                 ("lambda_2d.npy", "--lambdas"), ("lambda_negative.npy", "--lambdas"), ("lambda_nan.npy", "--lambdas"),
                                 ("lambda_inf.npy", "--lambdas"), ("lambda_empty.npy", "--lambdas")] {
            t.alone(["--lambdas", "IN/\(file)", "--rs", "2", "--d", "16", "--t-end", "1"], fragment)
        }
        // --init-m and --init-p files (λ has r = 2).
        for file in ["missing.npy", "garbage.npy", "folder.npy", "m_1d.npy", "m2x3.npy", "m_nan.npy", "m_huge.npy", "m_norows.npy"] {
            t.alone(["--lambdas", "IN/lambda2.npy", "--init-m", "IN/\(file)", "--t-end", "1"], file.hasPrefix("m") ? "--init-m" : file)
        }
        for file in ["missing.npy", "garbage.npy", "p3x3.npy", "p_nonsym.npy", "p_notpsd.npy", "p_nan.npy"] {
            t.alone(["--lambdas", "IN/lambda2.npy", "--init-m", "IN/m2x2.npy", "--init-p", "IN/\(file)", "--t-end", "1"],
                    file.hasPrefix("p") ? "--init-p" : file)
        }
        t.badDestinations()
        t.bad(["--save-at", "0"], "--plot")                           // a log-time plot needs t > 0
        return t.cases
    }()

    // MARK: monotonicity

    static let monotonicity: [BadInputCase] = {
        var t = BadInputTable(["monotonicity"], base: ["--r", "2", "--rs", "2", "--d", "16", "--t-end", "0.5"],
                              outputs: destinations + ["--figure", "OUT"])
        t.values("--alpha", ["-1", "nan", "inf"])
        t.values("--r", ["0", "-1", "nan", "1000000000"])
        t.bad(["--r", "20"], "--r")
        t.values("--rs", ["0", "-1", "nan", "1000000000"])
        t.bad(["--rs", "20"], "--rs")
        t.values("--d", ["0", "-16", "nan", "inf", "1e17", "16.5"])
        t.values("--sigma0", ["0", "-1", "nan", "inf", "1e300"])
        t.values("--seed", ["-1", "18446744073709551616"])
        t.values("--t-end", ["0", "-1", "nan", "inf", "1e300"])
        t.values("--save-count", ["0", "-1", "10000000"])
        t.bad(["--r", "2000", "--rs", "2000", "--d", "1e6", "--save-count", "100"], "--save-count")
        t.values("--save-at", ["nan", "0.2,0.1", "0.1,2"])
        // --scale c ≥ 1 (c = 1 is valid: B = A); a huge c makes B's state overflow.
        t.values("--scale", ["0", "-1", "0.5", "nan", "inf", "1e300"])
        t.values("--perturb", ["0", "-1", "nan", "inf", "1e300"])
        t.values("--rtol", ["0", "-1", "nan", "inf", "10"])
        t.values("--atol", ["0", "-1", "nan", "inf"])
        // --tolerance 0 is valid (an exact comparison); 1 or more would accept everything.
        t.values("--tolerance", ["-1", "nan", "inf", "10"])
        t.values("--ellipse-times", ["nan", "-1", "5", "", ",", "0,,0.25", "a"])
        t.bad(["--figure", "OUT/missing"], "--figure")
        t.bad(["--figure", "IN/file.txt"], "--figure")
        t.bad(["--r", "3"], "--figure")                               // Figure 3 needs r = 2
        t.bad(["--rs", "1"], "--figure")                              // G0 of rank 1 has no level-set ellipse
        t.bad(["--format", "xml"], "--format")
        t.bad(["--scale", "2", "--perturb", "0.1"], "--perturb")
        t.bad(["--save-at", "0.1", "--save-count", "3"], "--save-at")
        t.bad(["--init-p", "IN/p2x2.npy"], "--init-p")
        t.alone(["--lambdas", "IN/lambda2.npy", "--alpha", "1", "--t-end", "0.5"], "--alpha")
        t.alone(["--lambdas", "IN/lambda2.npy", "--init-m", "IN/m2x2.npy", "--seed", "3", "--t-end", "0.5"], "--seed")
        for (file, fragment) in [("missing.npy", "missing.npy"), ("garbage.npy", "garbage.npy"), ("folder.npy", "folder.npy"),
                                 ("lambda_negative.npy", "--lambdas"), ("lambda_nan.npy", "--lambdas")] {
            t.alone(["--lambdas", "IN/\(file)", "--rs", "2", "--d", "16", "--t-end", "0.5"], fragment)
        }
        t.alone(["--lambdas", "IN/lambda2.npy", "--init-m", "IN/m2x3.npy", "--t-end", "0.5"], "--init-m")
        t.alone(["--lambdas", "IN/lambda2.npy", "--init-m", "IN/m_huge.npy", "--t-end", "0.5"], "--init-m")
        t.alone(["--lambdas", "IN/lambda2.npy", "--init-m", "IN/m2x2.npy", "--init-p", "IN/p_notpsd.npy", "--t-end", "0.5"], "--init-p")
        t.badDestinations()
        return t.cases
    }()

    // MARK: sgd and compare

    /// The cases shared by `sgd` and `compare` (the same flags, `SGDOptions`).
    static func sgdCases(_ command: String) -> BadInputTable {
        var t = BadInputTable([command], base: ["--d", "16", "--r", "2", "--rs", "2", "--batch", "8", "--lr", "0.05"],
                              outputs: destinations)
        // --d: SGD stores B×d and r_s×d matrices, so d is bounded by 1e8 (1e15 is invalid here).
        t.values("--d", ["0", "-16", "nan", "inf", "1e15", "16.5", "abc"])
        t.values("--r", ["0", "-1", "nan", "1000000000"])
        t.bad(["--r", "16"], "--r")                                   // r = d
        t.values("--rs", ["0", "-1", "nan", "1000000000"])
        t.bad(["--rs", "20"], "--rs")                                 // r_s > d
        t.values("--alpha", ["-1", "nan", "inf"])
        t.values("--sigma0", ["0", "-1", "nan", "inf", "1e300"])
        t.values("--batch", ["0", "-1", "nan", "1000000000"])
        // --lr: a huge rate rounds T/η to 0 steps.
        t.values("--lr", ["0", "-1", "nan", "inf", "1e10"])
        t.values("--steps", ["0", "-1", "nan", "1000000000000"])
        t.values("--t-end", ["0", "-1", "nan", "inf", "1e300"])
        // --noise 0 (the default) is valid.
        t.values("--noise", ["-1", "nan", "inf", "1e300"])
        t.values("--seed", ["-1", "18446744073709551616"])
        t.values("--save-count", ["0", "-1", "1000000000"])
        t.bad(["--d", "100000", "--r", "2000", "--rs", "2000", "--batch", "1", "--save-count", "100"], "--save-count")
        t.values("--save-at", ["-1", "nan", "100", "a", "0.1,,0.2", ",", ""])
        t.values("--threads", ["0", "-1", "1000"])
        t.bad(["--precision", "half"], "--precision")
        t.bad(["--teacher", "rotated"], "--teacher")
        t.bad(["--save-spacing", "cubic"], "--save-spacing")
        t.bad(["--format", "xml"], "--format")
        // Conflicting flags.
        t.bad(["--lambdas", "IN/lambda2.npy", "--alpha", "1"], "--alpha")
        t.bad(["--theta", "IN/theta2x16.npy", "--teacher", "random"], "--theta")
        t.bad(["--steps", "10", "--t-end", "1"], "--steps")
        t.bad(["--save-at", "1", "--save-spacing", "log"], "--save-spacing")
        t.bad(["--save-at", "1", "--save-count", "3"], "--save-count")
        t.bad(["--init-w", "IN/w2x16.npy", "--sigma0", "0.3"], "--sigma0")
        t.bad(["--lambdas", "IN/lambda2.npy", "--r", "3"], "--r")
        // Files.
        for (file, fragment) in [("lambda_negative.npy", "--lambdas"), ("lambda_nan.npy", "--lambdas"), ("lambda_inf.npy", "--lambdas"),
                                 ("lambda_empty.npy", "--lambdas"), ("lambda_2d.npy", "--lambdas"), ("missing.npy", "missing.npy"),
                                 ("garbage.npy", "garbage.npy"), ("folder.npy", "folder.npy")] {
            t.bad(["--lambdas", "IN/\(file)"], fragment)
        }
        for file in ["w2x8.npy", "w3x16.npy", "w_1d.npy", "w_nan.npy", "missing.npy", "truncated.npy"] {
            t.bad(["--init-w", "IN/\(file)"], file.hasPrefix("w") ? "--init-w" : file)
        }
        for file in ["theta2x8.npy", "theta3x16.npy", "theta_skew.npy", "theta_nan.npy", "float32.npy"] {
            t.bad(["--theta", "IN/\(file)"], file.hasPrefix("theta") ? "--theta" : file)
        }
        t.badDestinations()
        return t
    }

    static let sgd: [BadInputCase] = sgdCases("sgd").cases

    static let compare: [BadInputCase] = {
        var t = sgdCases("compare")
        // --lr-sweep: each rate must give 1 … 1e9 steps over the horizon T = 12.
        t.values("--lr-sweep", ["0", "-1", "nan", "inf", "1e-12", "1e10", "", ",", "0.05,,0.1", "a"])
        t.values("--seeds", ["0", "-1", "nan", "100000"], extra: ["--lr-sweep", "0.02,0.05"])
        t.bad(["--seeds", "2"], "--lr-sweep")                         // --seeds without --lr-sweep
        return t.cases
    }()

    // MARK: scaling

    static let predict: [BadInputCase] = {
        var t = BadInputTable(["scaling", "predict"], base: ["--r", "4", "--rs", "2", "--d", "16", "--t-end", "10", "--save-count", "3"],
                              outputs: destinations)
        // --alpha 0 and 1e300 are valid, as for integrate.
        t.values("--alpha", ["-1", "nan", "inf"])
        t.values("--r", ["0", "-1", "nan", "1000000000"])
        t.bad(["--r", "20"], "--r")
        t.values("--rs", ["0", "-1", "nan", "1000000000"])
        t.bad(["--rs", "20"], "--rs")
        t.values("--d", ["0", "-16", "nan", "inf", "1e17", "16.5", "abc"])
        // --sigma0 1e300 is valid here (every T_j is then infinite), and so is a huge --t-end
        // (one formula per time, no integration).
        t.values("--sigma0", ["0", "-1", "nan", "inf"])
        t.values("--t-end", ["0", "-1", "nan", "inf"])
        t.values("--save-count", ["0", "-1", "nan", "10000000"])
        t.bad(["--format", "xml"], "--format")
        t.bad(["--lambdas", "IN/lambda2.npy"], "--lambdas")           // not a flag of predict
        t.badDestinations()
        return t.cases
    }()

    static let sweep: [BadInputCase] = {
        var t = BadInputTable(["scaling", "sweep"],
                              base: ["--alphas", "1", "--r", "4", "--widths", "2", "--dims", "16", "--seeds", "0", "--t-end", "1", "--save-count", "3"],
                              outputs: destinations)
        t.values("--alphas", ["-1", "nan", "inf", "", ",", "1,,2", "a"])
        t.values("--r", ["0", "-1", "nan", "2.5", "1000000000"])
        t.values("--widths", ["0", "-1", "nan", "1000000000", "20"])  // 20 > --dims 16
        // --dims 1e15 is valid (as --d of integrate).
        t.values("--dims", ["0", "-16", "nan", "inf", "1e17", "16.5"])
        t.bad(["--r", "16"], "--r")                                   // r = d
        t.values("--seeds", ["-1", "nan", "1.5", ",", ""])
        t.values("--sigma0", ["0", "-1", "nan", "inf", "1e300"])
        t.values("--jobs", ["0", "-1", "1000"])
        t.values("--t-end", ["0", "-1", "nan", "inf", "1e300"])
        t.values("--save-count", ["0", "1", "-1", "10000000"])
        t.bad(["--save-count", "100000", "--alphas", (1...20).map(String.init).joined(separator: ","),
               "--seeds", (0..<50).map(String.init).joined(separator: ",")], "--save-count")   // 1000 points × 3 curves × 1e5 values
        t.values("--window-ranks", ["3", "0,4", "4,3", "a,b", "nan,4"])
        t.bad(["--factorization", "lu"], "--factorization")
        t.bad(["--format", "xml"], "--format")
        let many = (0..<101).map { String(Double($0) / 100) }.joined(separator: ","), seeds = (0..<100).map(String.init).joined(separator: ",")
        t.bad(["--alphas", many, "--seeds", seeds], "at most 10000")  // 10100 grid points
        t.badDestinations()
        return t.cases
    }()

    static let compute: [BadInputCase] = {
        var t = BadInputTable(["scaling", "compute"],
                              base: ["--d", "16", "--r", "4", "--widths", "1,2", "--batch", "8", "--lr", "0.02", "--t-end", "0.2",
                                     "--save-count", "3", "--grid-count", "5"],
                              outputs: destinations)
        t.values("--d", ["0", "-1", "nan", "1000000000"])
        t.bad(["--d", "4"], "--d")                                    // d = r
        t.values("--r", ["0", "-1", "nan", "1000000000"])
        t.bad(["--r", "16"], "--r")
        t.values("--alpha", ["-1", "nan", "inf"])
        t.values("--widths", ["0", "-1", "nan", "", ",", "1,,2", "1000000000", "20"])
        t.bad(["--d", "100000000", "--batch", "1", "--widths", "64"], "--widths")   // r_s×d = 6.4e9 entries
        t.values("--batch", ["0", "-1", "1000000000"])
        t.values("--lr", ["0", "-1", "nan", "inf", "1e10"])
        t.values("--t-end", ["0", "-1", "nan", "inf", "1e300"])
        t.bad(["--t-end", "0.02", "--widths", "2"], "--t-end")        // one step, one width: no frontier
        t.values("--sigma0", ["0", "-1", "nan", "inf", "1e300"])
        t.values("--seed", ["-1"])
        t.values("--save-count", ["0", "-1", "10000000"])
        t.bad(["--t-end", "100000", "--save-count", "1000000", "--r", "12", "--widths", "15,16"], "--save-count")  // ~5e8 doubles of records
        t.values("--grid-count", ["0", "1", "-1", "1000000"])
        t.values("--threads", ["0", "-1", "1000"])
        t.bad(["--precision", "half"], "--precision")
        t.bad(["--format", "xml"], "--format")
        t.badDestinations()
        return t.cases
    }()

    /// A valid run of each command with every output flag, to show the bases are good.
    static let controls: [BadInputCase] = [
        BadInputCase(command: ["integrate"], arguments: ["--r", "4", "--rs", "2", "--d", "16", "--t-end", "1"] + destinations, fragment: "", status: 0),
        BadInputCase(command: ["monotonicity"], arguments: ["--r", "2", "--rs", "2", "--d", "16", "--t-end", "0.5", "--figure", "OUT"] + destinations,
                     fragment: "", status: 0),
        BadInputCase(command: ["sgd"], arguments: ["--d", "16", "--r", "2", "--rs", "2", "--batch", "8", "--lr", "0.05"] + destinations,
                     fragment: "", status: 0),
        BadInputCase(command: ["compare"], arguments: ["--d", "16", "--r", "2", "--rs", "2", "--batch", "8", "--lr", "0.05", "--lr-sweep", "0.02,0.05"]
                     + destinations, fragment: "", status: 0),
        BadInputCase(command: ["scaling", "predict"], arguments: ["--r", "4", "--rs", "2", "--d", "16", "--t-end", "10", "--save-count", "3"] + destinations,
                     fragment: "", status: 0),
        BadInputCase(command: ["scaling", "sweep"], arguments: ["--alphas", "1", "--r", "4", "--widths", "2", "--dims", "16", "--seeds", "0",
                                                                "--t-end", "1", "--save-count", "3"] + destinations, fragment: "", status: 0),
        BadInputCase(command: ["scaling", "compute"], arguments: ["--d", "16", "--r", "4", "--widths", "1,2", "--batch", "8", "--lr", "0.02",
                                                                  "--t-end", "0.2", "--save-count", "3", "--grid-count", "5"] + destinations,
                     fragment: "", status: 0),
    ]
}

@Suite struct BadInputTests {
    @Test(arguments: BadInputTables.integrate) func integrate(_ c: BadInputCase) throws { try checkBadInput(c) }
    @Test(arguments: BadInputTables.monotonicity) func monotonicity(_ c: BadInputCase) throws { try checkBadInput(c) }
    @Test(arguments: BadInputTables.sgd) func sgd(_ c: BadInputCase) throws { try checkBadInput(c) }
    @Test(arguments: BadInputTables.compare) func compare(_ c: BadInputCase) throws { try checkBadInput(c) }
    @Test(arguments: BadInputTables.predict) func scalingPredict(_ c: BadInputCase) throws { try checkBadInput(c) }
    @Test(arguments: BadInputTables.sweep) func scalingSweep(_ c: BadInputCase) throws { try checkBadInput(c) }
    @Test(arguments: BadInputTables.compute) func scalingCompute(_ c: BadInputCase) throws { try checkBadInput(c) }

    @Test func everyCommandHasAtLeastFortyCases() {
        for (name, table) in [("integrate", BadInputTables.integrate), ("monotonicity", BadInputTables.monotonicity),
                              ("sgd", BadInputTables.sgd), ("compare", BadInputTables.compare), ("scaling predict", BadInputTables.predict),
                              ("scaling sweep", BadInputTables.sweep), ("scaling compute", BadInputTables.compute)] {
            #expect(table.count >= 40, "\(name): \(table.count) cases")
        }
    }

    /// The bases of the tables are valid: with every output flag they succeed and write into `OUT`.
    @Test(arguments: BadInputTables.controls) func validBaseRuns(_ c: BadInputCase) throws {
        let fixture = try BadInputFixture()
        defer { try? FileManager.default.removeItem(at: fixture.root) }
        let run = try runRiccati(c.command + c.arguments.map(fixture.resolve), timeout: 60)
        #expect(run.status == 0, "exit \(run.status): \(run.standardError)")
        let written = try folderContents(fixture.outputs)
        for name in ["report.txt", "figure.svg", "config.json"] { #expect(written.contains(name), "\(name) missing from \(written)") }
    }
}
