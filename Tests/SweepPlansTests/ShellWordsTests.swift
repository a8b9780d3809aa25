import XCTest
@testable import SweepPlans

final class ShellWordsTests: XCTestCase {
    func testSplitsLikeTheShell() {
        XCTAssertEqual(ShellWords.split("--partition=short  --time=1:00:00"), ["--partition=short", "--time=1:00:00"])
        XCTAssertEqual(ShellWords.split("--comment='two words' --x=\"a \\\"b\\\"\""), ["--comment=two words", "--x=a \"b\""])
        XCTAssertEqual(ShellWords.split("a\\ b"), ["a b"])
        XCTAssertEqual(ShellWords.split(""), [])
        // Control: an unclosed quote is refused, not silently split.
        XCTAssertNil(ShellWords.split("--comment='open"))
        XCTAssertNil(ShellWords.split("trailing\\"))
    }

    func testQuotingRoundTripsThroughTheShell() throws {
        let words = ["plain", "with space", "it's", "$HOME", "a\"b", "%j"]
        let line = words.map(ShellQuoting.quote).joined(separator: " ")
        XCTAssertEqual(ShellWords.split(line), words)
        XCTAssertEqual(ShellQuoting.quoteIfNeeded("--widths=8,16"), "--widths=8,16")
        XCTAssertNotEqual(ShellQuoting.quoteIfNeeded("a b"), "a b")
    }

    func testArraySpecificationCompressesRuns() {
        XCTAssertEqual(ArraySpecification.make([0, 1, 2, 3, 4, 5, 6, 7], limit: 4), "0-7%4")
        XCTAssertEqual(ArraySpecification.make([9, 2, 5, 10, 11, 2], limit: nil), "2,5,9-11")
        XCTAssertEqual(ArraySpecification.make([3], limit: 1), "3%1")
    }
}
