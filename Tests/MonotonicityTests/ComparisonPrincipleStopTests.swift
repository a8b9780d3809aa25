import Monotonicity
import Riccati
import Testing

/// `ComparisonPrinciple.run(…, shouldStop:)`: a stop during the first method compares the two
/// trajectories over the save times both reached and runs no further method.
@Suite("Comparison principle: stopping early")
struct ComparisonPrincipleStopTests {
    static let saves = [0, 0.5, 1, 2, 4, 8]

    func run(stopAfter calls: Int?) throws -> [ComparisonPrincipleRun] {
        let state = try randomState(r: 4, rs: 3, d: 40, sigma0: 1, seed: 1, smallInit: false)
        var asked = 0
        let stop: (() -> Bool)? = calls.map { limit in { asked += 1; return asked > limit } }
        return try ComparisonPrinciple.run(spectrum: try .powerLaw(exponent: 1, count: 4), initialState: state, perturbation: .scaled(1.25),
                                           finalTime: 8, saveTimes: Self.saves,
                                           methods: [.rungeKutta4(step: 0.01), .dormandPrince(DormandPrinceOptions())], shouldStop: stop)
    }

    @Test("a stop in the first method keeps the common save times and skips the second method")
    func stopInFirstMethod() throws {
        // RK4 at h = 0.01 asks after each of its 800 steps: the lower run stops at t = 1.5 (saves 0, 0.5, 1),
        // the upper one after its first step (save 0): one common save time.
        let runs = try run(stopAfter: 150)
        #expect(runs.count == 1)
        #expect(ComparisonPrinciple.interrupted(runs, methods: 2))
        #expect(runs[0].lower.status == .interrupted && runs[0].upper.status == .interrupted)
        #expect(runs[0].lower.times == [0] && runs[0].upper.times == [0] && runs[0].comparison.times == [0])
        #expect(runs[0].lower.states.count == 1 && runs[0].lower.observables.count == 1)
        // Negative control: without a stop both methods run to the end at every save time.
        let full = try run(stopAfter: nil)
        #expect(full.count == 2 && !ComparisonPrinciple.interrupted(full, methods: 2))
        #expect(full.allSatisfy { $0.comparison.times == Self.saves && $0.lower.status == .success })
        // The truncated lower trajectory is the full one's first save.
        #expect(full[0].lower.states[0] == runs[0].lower.states[0])
    }

    @Test("Solution.prefix keeps the first saves and the escape times within them")
    func prefix() throws {
        let full = try run(stopAfter: nil)[0].lower
        let cut = full.prefix(saves: 3)
        #expect(cut.times == Array(full.times.prefix(3)) && cut.states == Array(full.states.prefix(3)))
        #expect(cut.status == full.status)
        #expect(zip(cut.escapeTimes, full.escapeTimes).allSatisfy { kept, original in
            kept == (original.map { $0 <= 1 ? $0 : nil } ?? nil)
        })
        #expect(full.prefix(saves: 99) == full)
        #expect(full.prefix(saves: 0).times.isEmpty)
    }
}
