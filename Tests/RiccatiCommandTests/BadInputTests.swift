import Foundation
import NumPyFormat
import Testing

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
