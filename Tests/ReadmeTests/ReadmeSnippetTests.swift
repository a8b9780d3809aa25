import Foundation
import LinearAlgebra
import Monotonicity
import Riccati
import SGD
import Testing

/// The package root, three levels above this file (`Tests/ReadmeTests/…`).
private let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

private func readmeBlocks() throws -> [[String]] {
    SnippetCatalog.swiftBlocks(in: try String(contentsOf: packageRoot.appendingPathComponent("README.md"), encoding: .utf8))
}

private func snippetCatalog() throws -> SnippetCatalog {
    SnippetCatalog(source: try String(contentsOf: packageRoot.appendingPathComponent("Tests/ReadmeTests/ReadmeSnippets.swift"),
                                      encoding: .utf8))
}

@Suite struct ReadmeSnippetTests {
    /// Every ```swift block of README.md is one marked region of ReadmeSnippets.swift, and every
    /// region appears in the README: the README shows only code this target compiles.
    @Test func everyReadmeSwiftBlockIsACompiledSnippet() throws {
        let blocks = try readmeBlocks(), catalog = try snippetCatalog()
        #expect(blocks.count == 3)
        #expect(Set(catalog.regions.keys) == ["integrate", "monotonicity", "sgd"])
        var matched: Set<String> = []
        for (index, block) in blocks.enumerated() {
            let match = catalog.match(block)
            guard case .region(let name) = match else {
                Issue.record("README swift block \(index + 1) is not a snippet of ReadmeSnippets.swift: \(match)")
                continue
            }
            matched.insert(name)
        }
        #expect(matched == Set(catalog.regions.keys))
    }

    /// Negative controls: the matcher reports an edited block, a block missing a line, and an
    /// import the snippet file does not have; re-indenting a block does not matter.
    @Test func theMatcherReportsEditedBlocks() throws {
        let blocks = try readmeBlocks(), catalog = try snippetCatalog()
        let block = try #require(blocks.first)
        #expect(catalog.match(block) == .region("integrate"))
        #expect(catalog.match(block.map { "        " + $0 }) == .region("integrate"))
        var edited = block
        let line = try #require(edited.firstIndex { $0.contains("finalTime: 2000") })
        edited[line] = edited[line].replacingOccurrences(of: "finalTime: 2000", with: "finalTime: 2001")
        #expect(catalog.match(edited) == .notFound)
        var shortened = block
        shortened.remove(at: line)
        #expect(catalog.match(shortened) == .notFound)
        #expect(catalog.match(["import ScalingLaws"] + block) == .unknownImport("ScalingLaws"))
        #expect(catalog.match([]) == .notFound)
    }

    /// The README stays a five-minute read: under 200 lines, the two commands exactly as the
    /// Makefile provides them, and no absolute path of a machine. Negative control: the same checks
    /// reject a README with an added absolute path, or with 200 lines.
    @Test func readmeIsShortAndPortable() throws {
        let readme = try String(contentsOf: packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        func problems(_ text: String) -> [String] {
            var found: [String] = []
            let lines = text.components(separatedBy: "\n")
            if lines.count >= 200 { found.append("\(lines.count) lines") }
            for command in ["make run ", "make test "] where !lines.contains(where: { $0.hasPrefix(command) }) {
                found.append("no `\(command)` line")
            }
            // The prefixes are assembled so that this file does not itself hold a machine path.
            for prefix in ["work", "home", "tmp", "Users", "root"].map({ "/\($0)/" }) where text.contains(prefix) {
                found.append("absolute path \(prefix)")
            }
            return found
        }
        #expect(problems(readme) == [])
        let homePath = "/" + ["home", "someone", "RiccatiKit"].joined(separator: "/")
        #expect(problems(readme + "\nsee \(homePath)\n") == ["absolute path /home/"])
        #expect(problems(readme + String(repeating: "\n", count: 200)).first?.hasSuffix("lines") == true)
    }

    /// Snippet (a): the risk falls at every save time (6.6 at t = 0.2) to within 5% of the width
    /// floor (0.0553) in fewer than 100 steps; direction 1 escapes (t ≈ 1.10) within a factor 2 of
    /// the prediction ln(λ_1 d/(r_s σ0²))/(8λ_1) ≈ 0.78 and before directions 2…8, in order; the
    /// exact propagator agrees with Dormand–Prince at rtol 1e-10 to 1e-6 relative on the risk.
    /// Negative control: stopped at T = 2 the run is still far above the floor (0.45 > 2·0.0553).
    @Test func integrateSnippetReachesTheWidthFloor() throws {
        let solution = try integrateThePopulationODE()
        #expect(solution.status == .success)
        let risk = solution.risk
        #expect(risk.count == 12)
        for k in 1..<risk.count { #expect(risk[k] < risk[k - 1]) }
        let floor = solution.riskFloor
        #expect(risk.last! >= floor && risk.last! < 1.05 * floor)
        let lambda1 = solution.spectrum.values[0]
        let predicted = log(lambda1 * 1024 / 16) / (8 * lambda1)
        let escape = try #require(solution.escapeTimes[0])
        #expect(abs(log(escape / predicted)) < log(2))
        let firstEight = solution.escapeTimes.prefix(8).compactMap { $0 }
        #expect(firstEight.count == 8 && firstEight == firstEight.sorted())
        #expect(solution.statistics.acceptedSteps < 100)
        var options = DormandPrinceOptions(relativeTolerance: 1e-10, absoluteTolerance: 1e-13)
        options.maxSteps = 1_000_000
        let problem = try OverlapProblem(spectrum: solution.spectrum, initialState: solution.initialState, finalTime: 2000,
                                         saveTimes: solution.times)
        let reference = try solve(problem, method: .dormandPrince(options))
        for (a, b) in zip(risk, reference.risk) { #expect(abs(a - b) / b < 1e-6) }
        // Negative control: at T = 2 the same run is still far above the floor.
        let early = try solve(OverlapProblem(spectrum: solution.spectrum, initialState: solution.initialState, finalTime: 2,
                                             saveTimes: [2]), method: .exact(ExactPropagatorOptions()))
        #expect(early.risk.last! > 2 * floor)
    }

    /// Snippet (b): G_A ⪯ G_B at every time by both methods (smallest margin +2.9e-11), while G_A
    /// is not monotone in time: verdict `neither`, the first violation on [0, 0.0125] with
    /// eigenvalue −1.733e-6 (the README's CLI example reports the same). Negative control:
    /// swapping A and B makes the comparison fail.
    @Test func monotonicitySnippetHoldsTheOrderButNotMonotonicity() throws {
        let (run, inTime) = try verifyMonotonicity()
        #expect(run.comparison.orderPreserved)
        #expect(run.comparison.minMargin >= -1e-10)
        #expect(inTime.verdict == .neither)
        let violation = try #require(inTime.firstViolation)
        #expect(violation.start == 0 && violation.end == 0.0125)
        #expect(abs(violation.eigenvalue + 1.733e-6) < 1e-9)
        let swapped = try TrajectoryComparison.compare(run.upper, run.lower)
        #expect(!swapped.orderPreserved)
        #expect(swapped.minMargin < -1e-6)
    }

    /// Snippet (c): SGD's risk falls by more than 10× over t ∈ [0, 12] (to 0.141; the ODE's 0.144)
    /// and its maximum relative deviation from the ODE is 0.073 (< 0.3). Negative control: the same
    /// SGD run against the ODE of another teacher (α = 0.5) deviates by more than 0.3.
    @Test func sgdSnippetFollowsTheODE() throws {
        let comparison = try compareSGDWithTheODE()
        #expect(comparison.times.count == 25)
        #expect(comparison.riskSGD.last! < comparison.riskSGD.first! / 10)
        #expect(comparison.maxRelativeDeviation < 0.3)
        let wrongTeacher = try ODEComparison.compare(comparison.sgd, spectrum: try TeacherSpectrum.powerLaw(exponent: 0.5, count: 8))
        #expect(wrongTeacher.maxRelativeDeviation > 0.3)
    }
}
