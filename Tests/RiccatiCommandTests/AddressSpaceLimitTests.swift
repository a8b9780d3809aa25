import Foundation
import Testing

// The bad-input tables again, under an address-space limit (`ulimit -v`): a check that went
// missing would now end in an allocation failure (a Swift trap, a crash report) or in OpenBLAS
// spinning on a buffer it cannot get, instead of the one line and exit code the table expects.
// And the limit itself as the hostile input: below what the tool needs just to start its BLAS
// threads, every command must refuse with one line, not hang.

/// The address-space limit the tables run under: enough for every valid base configuration and
/// for OpenBLAS's per-thread buffers, far below what a missing size check would allocate.
let tableAddressLimitKiB = 1 << 20   // 1 GiB

@Suite("Bad inputs under an address-space limit: no crash, no hang")
struct AddressSpaceLimitTests {
    static let tables: [BadInputCase] = BadInputTables.integrate + BadInputTables.monotonicity + BadInputTables.sgd
        + BadInputTables.compare + BadInputTables.predict + BadInputTables.sweep + BadInputTables.compute
        + FileSystemBadInputs.cases + MemoryBadInputs.cases

    @Test(arguments: tables) func badInputTable(_ c: BadInputCase) throws { try checkBadInput(c, addressSpaceKiB: tableAddressLimitKiB) }

    /// Control: the valid bases of the tables run under the same limit (so the limit is not what
    /// makes the cases above fail) and write their outputs.
    @Test(arguments: BadInputTables.controls) func validBaseRunsUnderTheLimit(_ c: BadInputCase) throws {
        let fixture = try BadInputFixture()
        defer { try? FileManager.default.removeItem(at: fixture.root) }
        let run = try runRiccatiLimited(c.command + c.arguments.map(fixture.resolve), addressSpaceKiB: tableAddressLimitKiB)
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
        let run = try runRiccatiLimited(arguments, addressSpaceKiB: 200_000, timeout: 20)
        #expect(run.status == 2, "exit \(run.status) (137 = killed after the timeout: it hung): \(run.standardError.prefix(300))")
        #expect(run.standardError.hasPrefix("riccati: ulimit -v 200000 (KiB) is too small to start"), "\(run.standardError.prefix(300))")
        #expect(run.standardError.split(separator: "\n").count == 1)
        #expect(run.standardOutput.isEmpty)
    }
}
