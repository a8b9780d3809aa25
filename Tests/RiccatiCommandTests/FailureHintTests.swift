import Foundation
import Testing

/// Every `--flag` a failure message names must exist on the command that printed it: the
/// messages are checked against the command's own `--help`. (DOPRI5's step-limit failure used to
/// advise raising a step limit the tool has no flag for.)
@Suite("Failure messages name only existing flags", .serialized)
struct FailureHintTests {
    /// The `--flags` in `text`.
    static func flags(in text: String) -> Set<String> {
        var found = Set<String>()
        var rest = Substring(text)
        while let range = rest.range(of: "--") {
            var flag = "--"
            var index = range.upperBound
            while index < rest.endIndex, rest[index].isASCII, rest[index].isLowercase || rest[index].isNumber || rest[index] == "-" {
                flag.append(rest[index])
                index = rest.index(after: index)
            }
            if flag.count >= 3, flag.dropFirst(2).first?.isLetter == true { found.insert(flag) }
            rest = rest[index...]
        }
        return found
    }

    /// The flags `riccati <command> --help` lists, cached per command.
    final class HelpCache: @unchecked Sendable {
        private var cache: [[String]: Set<String>] = [:]

        func flags(of command: [String]) throws -> Set<String> {
            if let known = cache[command] { return known }
            let help = try runRiccati(command + ["--help"])
            #expect(help.status == 0)
            let flags = FailureHintTests.flags(in: help.standardOutput)
            #expect(flags.contains("--help"))
            cache[command] = flags
            return flags
        }
    }

    /// The flags `message` names that `command` does not have.
    /// (ArgumentParser's `Unknown option '--x'` quotes back the flag the user typed: a bad-input
    /// case of that kind names it by design, and it is left out.)
    static func unknownFlags(in message: String, command: [String], help: HelpCache) throws -> Set<String> {
        let quotedBack = message.replacingOccurrences(of: #"Unknown option '[^']*'"#, with: "", options: .regularExpression)
        return flags(in: quotedBack).subtracting(try help.flags(of: command))
    }

    /// Run-time failures (exit 1) whose messages give advice: the integrators' step limit, SGD's divergence.
    static let runtimeFailures: [(command: [String], arguments: [String], mustName: Set<String>)] = [
        (["integrate"], ["--r", "4", "--rs", "2", "--d", "16", "--t-end", "1e5", "--method", "dopri5", "--step", "1e-2"],
         ["--rtol", "--step", "--t-end", "--method"]),
        (["integrate"], ["--r", "4", "--rs", "2", "--d", "16", "--t-end", "1e5", "--method", "dop853", "--rtol", "1e-12", "--atol", "1e-15"],
         ["--rtol", "--method"]),
        (["monotonicity"], ["--r", "4", "--rs", "2", "--d", "16", "--t-end", "1e5", "--rtol", "1e-12", "--atol", "1e-15"],
         ["--rtol", "--t-end"]),
        (["sgd"], ["--d", "64", "--r", "4", "--rs", "2", "--batch", "4", "--lr", "5", "--steps", "200"], []),
        (["compare"], ["--d", "64", "--r", "4", "--rs", "2", "--batch", "4", "--lr", "5", "--steps", "200"], []),
    ]

    @Test("the step-limit and divergence failures name only flags of their command")
    func runtimeFailureMessages() throws {
        let help = HelpCache()
        for failure in Self.runtimeFailures {
            let run = try runRiccati(failure.command + failure.arguments, timeout: 120)
            #expect(run.status == 1, "\(failure.arguments): \(run.standardError)")
            let named = Self.flags(in: run.standardError)
            #expect(failure.mustName.isSubset(of: named), "\(run.standardError)")
            #expect(try Self.unknownFlags(in: run.standardError, command: failure.command, help: help).isEmpty, "\(run.standardError)")
            #expect(!run.standardError.contains("options."), "library parameter names leaked: \(run.standardError)")
        }
    }

    @Test("a sample of the bad-input messages names only flags of their command")
    func badInputMessages() throws {
        let fixture = try BadInputFixture()
        defer { try? FileManager.default.removeItem(at: fixture.root) }
        let help = HelpCache()
        let all = BadInputTables.integrate + BadInputTables.monotonicity + BadInputTables.sgd + BadInputTables.compare
            + BadInputTables.predict + BadInputTables.sweep + BadInputTables.compute
        var checked = 0
        for (index, badCase) in all.enumerated() where index % 12 == 0 {
            let run = try runRiccati(badCase.command + badCase.arguments.map(fixture.resolve), timeout: 60)
            #expect(run.status != 0)
            #expect(try Self.unknownFlags(in: run.standardError, command: badCase.command, help: help).isEmpty,
                    "\(badCase.testDescription): \(run.standardError)")
            checked += 1
        }
        #expect(checked >= 15)
    }

    @Test("negative control: a message naming a flag the command lacks is caught")
    func checkerCatchesUnknownFlags() throws {
        let help = HelpCache()
        #expect(try Self.unknownFlags(in: "raise --max-steps or loosen --rtol", command: ["integrate"], help: help) == ["--max-steps"])
        #expect(try Self.unknownFlags(in: "use --checkpoint", command: ["integrate"], help: help) == ["--checkpoint"])
        #expect(try Self.unknownFlags(in: "use --checkpoint", command: ["sgd"], help: help).isEmpty)
        #expect(try Self.unknownFlags(in: "Unknown option '--lambdas'", command: ["scaling", "predict"], help: help).isEmpty)
        #expect(try Self.unknownFlags(in: "Unknown option '--lambdas'; try --lambdas", command: ["scaling", "predict"], help: help) == ["--lambdas"])
        #expect(Self.flags(in: "a -- b --x --rtol/--atol, --no-escape-times.") == ["--x", "--rtol", "--atol", "--no-escape-times"])
    }
}
