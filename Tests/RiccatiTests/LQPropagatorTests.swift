import Foundation
import Testing
@testable import Riccati

/// The LQ form of the exact propagator (the default) and its step control.
@Suite struct LQPropagatorTests {
    /// ODE-S-shaped: α = 1, r = 64, r_s = 16, T = 2000, 12 log-spaced saves.
    static func problem(d: Double, saveTimes: [Double]? = nil) throws -> OverlapProblem {
        let times = saveTimes ?? (0..<12).map { 2000 * pow(10, -4 + 4 * Double($0) / 11) }
        return try smallProblem(r: 64, rs: 16, d: d, seed: 4, finalTime: times.last!, saveTimes: times)
    }

    @Test("matches small symmetric-root steps, escape times included, with far fewer steps", arguments: [1024.0, 1e15])
    func matchesSmallSteps(d: Double) throws {
        let problem = try Self.problem(d: d)
        #expect(ExactPropagatorOptions().factorization == .lq)
        let reference = try solve(problem, method: .exact(ExactPropagatorOptions(stepExponentCap: 2, factorization: .symmetricRoot)))
        let lq = try solve(problem, method: .exact(ExactPropagatorOptions()))
        let cholesky = try solve(problem, method: .exact(ExactPropagatorOptions(factorization: .cholesky)))
        #expect(lq.status == .success)
        let discrepancy = solutionDiscrepancy(lq, reference)
        #expect(discrepancy < 1e-10, "LQ vs symmetric root at c = 2: \(discrepancy)")
        #expect(lq.statistics.acceptedSteps * 5 < cholesky.statistics.acceptedSteps,
                "LQ \(lq.statistics.acceptedSteps) steps, Cholesky at c = 20 \(cholesky.statistics.acceptedSteps)")
        #expect(lq.escapeTimes.map { $0 == nil } == reference.escapeTimes.map { $0 == nil })
        for (a, b) in zip(lq.escapeTimes, reference.escapeTimes) {
            if let a, let b { #expect(abs(a - b) <= 1e-8 * max(1, b), "escape \(a) vs \(b)") }
        }
    }

    /// The step control's indicator κ = max_i ‖C_i‖/|L_ii| must flag the long steps that lose
    /// accuracy: single steps across the escapes of the d = 1e15 problem, from states on the
    /// reference trajectory, are compared with the reference at their end.
    @Test("κ flags the long steps that lose accuracy; steps it accepts are accurate")
    func indicatorFlagsInaccurateSteps() throws {
        let base = try Self.problem(d: 1e15)
        let largest = base.spectrum.largest
        let starts = [2.0, 4.0, 6.0, 8.0]
        let lengths = [20.0, 40.0, 80.0, 160.0, 320.0].map { $0 / (8 * largest) }
        let ends = starts.flatMap { s in lengths.map { s + $0 } }
        let saveTimes = Array(Set(starts + ends)).sorted()
        let problem = try Self.problem(d: 1e15, saveTimes: saveTimes)
        let reference = try solve(problem, method: .exact(ExactPropagatorOptions(stepExponentCap: 2, factorization: .symmetricRoot)))
        let options = ExactPropagatorOptions()
        let stepper = try LQPropagatorStepper(spectrum: problem.spectrum, studentWidth: problem.studentWidth, options: options)
        var flagged: [Double] = [], accepted: [Double] = []
        for s in starts {
            let startIndex = try #require(reference.times.firstIndex(of: s))
            let start = reference.states[startIndex].packed
            try start.withUnsafeBufferPointer { try stepper.start(time: s, state: $0.baseAddress!, finalTime: problem.finalTime) }
            let root = stepper.currentRoot.array
            for h in lengths {
                var end = [Double](repeating: 0, count: start.count)
                var endRoot = [Double](repeating: 0, count: root.count)
                let kappa = try start.withUnsafeBufferPointer { y in
                    try root.withUnsafeBufferPointer { f in
                        try stepper.propagate(from: y.baseAddress!, root: f.baseAddress!, by: h, into: &end, root: &endRoot)
                    }
                }
                let state = end.withUnsafeBufferPointer {
                    OverlapState(packed: $0.baseAddress!, studentWidth: problem.studentWidth, teacherWidth: problem.teacherWidth)
                }
                let risk = try state.observables(spectrum: problem.spectrum).risk
                let endIndex = try #require(reference.times.firstIndex(where: { abs($0 - (s + h)) <= 1e-12 * (s + h) }))
                let error = relativeDifference(risk, reference.risk[endIndex])
                if kappa > options.conditionLimit { flagged.append(error) } else { accepted.append(error) }
            }
        }
        #expect(flagged.count >= 3 && accepted.count >= 3, "flagged \(flagged), accepted \(accepted)")
        let worstAccepted = accepted.max() ?? 0, worstFlagged = flagged.max() ?? 0
        #expect(worstAccepted < 1e-10, "accepted steps: \(accepted)")
        #expect(worstFlagged > 100 * worstAccepted, "flagged \(flagged) vs accepted \(accepted)")
    }

    @Test("options: the LQ cap may reach 600, the others 40; the condition limit lies in [10, 1e12]")
    func optionLimits() throws {
        let problem = try Self.problem(d: 1024)
        #expect(ExactPropagatorOptions().stepExponentCap == 600)
        #expect(throws: RiccatiError.self) { try solve(problem, method: .exact(ExactPropagatorOptions(stepExponentCap: 601))) }
        #expect(throws: RiccatiError.self) { try solve(problem, method: .exact(ExactPropagatorOptions(stepExponentCap: 41, factorization: .cholesky))) }
        for limit in [5.0, 1e13, .nan, .infinity] {
            #expect(throws: RiccatiError.self) { try solve(problem, method: .exact(ExactPropagatorOptions(conditionLimit: limit))) }
        }
        // A tighter limit takes more, shorter steps and stays as accurate.
        let tight = try solve(problem, method: .exact(ExactPropagatorOptions(conditionLimit: 20)))
        let loose = try solve(problem, method: .exact(ExactPropagatorOptions()))
        #expect(tight.statistics.acceptedSteps > loose.statistics.acceptedSteps)
        #expect(solutionDiscrepancy(tight, loose) < 1e-10)
    }
}
