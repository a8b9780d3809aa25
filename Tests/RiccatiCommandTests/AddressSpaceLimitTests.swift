import Foundation
import Testing

// The bad-input tables again, under an address-space limit (`ulimit -v`): a check that went
// missing would now end in an allocation failure (a Swift trap, a crash report) or in OpenBLAS
// spinning on a buffer it cannot get, instead of the one line and exit code the table expects.
// And the limit itself as the hostile input: below what the tool needs just to start its BLAS
// threads, every command must refuse with one line, not hang.

/// Runs `riccati arguments` under `ulimit -v kibibytes` (the shell `exec`s the tool, so the
/// status is the tool's own, or the signal that ended it).
func runRiccatiUnderAddressLimit(_ arguments: [String], kibibytes: Int, timeout: TimeInterval = 30) throws -> CommandRun {
    let executable = try riccatiExecutable().path
    return try runProcess(URL(fileURLWithPath: "/bin/sh"),
                          ["-c", "ulimit -v \(kibibytes) && exec \"$0\" \"$@\"", executable] + arguments,
                          timeout: timeout)
}

/// What a crash leaves on standard error: the Swift runtime's trap and backtracer messages, the
/// shell's signal names.
func crashMarkers(in standardError: String) -> [String] {
    ["Fatal error", "Program crashed", "Backtrace", "Illegal instruction", "Segmentation fault", "Aborted",
     "Killed", "Crash", "💣"].filter { standardError.contains($0) }
}

/// The address-space limit the tables run under: enough for every valid base configuration and
/// for OpenBLAS's per-thread buffers, far below what a missing size check would allocate.
let tableAddressLimitKiB = 1 << 20   // 1 GiB

/// One bad case under the limit: the same assertions as `checkBadInput`, and no crash marker.
func checkBadInputUnderAddressLimit(_ c: BadInputCase) throws {
    let fixture = try BadInputFixture()
    defer { try? FileManager.default.removeItem(at: fixture.root) }
    let before = try folderContents(fixture.inputs)
    let run = try runRiccatiUnderAddressLimit(c.command + c.arguments.map(fixture.resolve), kibibytes: tableAddressLimitKiB)
    let lines = run.standardError.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(crashMarkers(in: run.standardError).isEmpty, "crash: \(run.standardError.prefix(400))")
    #expect(run.status == c.status, "exit \(run.status), stderr: \(run.standardError.prefix(400))")
    #expect(lines.count == 2 && lines[1].isEmpty, "not exactly one line: \(run.standardError.prefix(400))")
    #expect(run.standardError.contains(c.fragment), "'\(c.fragment)' not in: \(run.standardError.prefix(400))")
    #expect(run.standardOutput.isEmpty, "stdout: \(run.standardOutput.prefix(200))")
    #expect(try folderContents(fixture.outputs).isEmpty)
    #expect(try folderContents(fixture.inputs) == before)
}

@Suite("Bad inputs under an address-space limit: no crash, no hang")
struct AddressSpaceLimitTests {
    static let tables: [BadInputCase] = BadInputTables.integrate + BadInputTables.monotonicity + BadInputTables.sgd
        + BadInputTables.compare + BadInputTables.predict + BadInputTables.sweep + BadInputTables.compute
        + FileSystemBadInputs.cases + MemoryBadInputs.cases

    @Test(arguments: tables) func badInputTable(_ c: BadInputCase) throws { try checkBadInputUnderAddressLimit(c) }

    /// Control: the valid bases of the tables run under the same limit (so the limit is not what
    /// makes the cases above fail) and write their outputs.
    @Test(arguments: BadInputTables.controls) func validBaseRunsUnderTheLimit(_ c: BadInputCase) throws {
        let fixture = try BadInputFixture()
        defer { try? FileManager.default.removeItem(at: fixture.root) }
        let run = try runRiccatiUnderAddressLimit(c.command + c.arguments.map(fixture.resolve), kibibytes: tableAddressLimitKiB,
                                                  timeout: 120)
        #expect(run.status == 0, "exit \(run.status): \(run.standardError.prefix(400))")
        #expect(crashMarkers(in: run.standardError).isEmpty)
        #expect(try folderContents(fixture.outputs).contains("config.json"))
    }

    /// The limit itself as the bad input: under `ulimit -v` 200 MB (below what OpenBLAS reserves
    /// when it loads), `--version`, `--help` and a run of every command used to spin forever inside
    /// OpenBLAS. Each must now end at once with exit 2 and one line naming the limit. (The controls
    /// above are the same commands succeeding under 1 GiB.)
    @Test(arguments: [["--version"], ["integrate", "--help"], ["integrate", "--r", "4", "--rs", "2", "--d", "16", "--t-end", "1"],
                      ["sgd", "--d", "64", "--r", "4", "--rs", "2", "--steps", "20"],
                      ["compare", "--d", "64", "--r", "4", "--rs", "2", "--batch", "8", "--lr", "0.01", "--t-end", "1"],
                      ["scaling", "predict", "--alpha", "1.5"]])
    func tooSmallALimitIsRefusedNotHung(_ arguments: [String]) throws {
        let run = try runRiccatiUnderAddressLimit(arguments, kibibytes: 200_000, timeout: 20)
        #expect(run.status == 2, "exit \(run.status) (137 = killed after the timeout: it hung): \(run.standardError.prefix(300))")
        #expect(run.standardError.hasPrefix("riccati: ulimit -v 200000 (KiB) is too small to start"), "\(run.standardError.prefix(300))")
        #expect(run.standardError.split(separator: "\n").count == 1)
        #expect(run.standardOutput.isEmpty)
    }
}
