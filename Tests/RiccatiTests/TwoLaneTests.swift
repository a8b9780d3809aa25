import Foundation
import LinearAlgebra
import Synchronization
import Testing
@testable import Riccati

/// The explicit integrators' two-part arithmetic and its two-thread executor.
@Suite("Two lanes: explicit integrators on two threads")
struct TwoLaneTests {
    /// Part 1 runs on another thread only when the executor is concurrent; both parts always run,
    /// once each, before `run` returns.
    @Test func executorRunsBothPartsOnceAndOnTheRightThreads() {
        for concurrent in [true, false] {
            let executor = TwoLaneExecutor(concurrent: concurrent)
            let caller = pthread_self()
            let counts = Mutex([0, 0])
            let otherThread = Mutex(false)
            for _ in 0..<2000 {
                executor.run { part in
                    counts.withLock { $0[part] += 1 }
                    if part == 1, pthread_equal(pthread_self(), caller) == 0 { otherThread.withLock { $0 = true } }
                }
            }
            #expect(counts.withLock { $0 } == [2000, 2000])
            // The serial executor is the control: there part 1 runs on the caller.
            #expect(otherThread.withLock { $0 } == concurrent)
        }
    }

    /// The work of the previous job is visible to the next one (the hand-over orders memory).
    @Test func writesOfOneJobAreSeenByTheNext() {
        let executor = TwoLaneExecutor(concurrent: true)
        let buffer = UnsafeMutablePointer<Int>.allocate(capacity: 2)
        defer { buffer.deallocate() }
        buffer.initialize(repeating: 0, count: 2)
        let shared = SharedInts(pointer: buffer)
        var mismatches = 0
        for round in 1...5000 {
            executor.run { part in shared.pointer[part] = round }
            if buffer[0] != round || buffer[1] != round { mismatches += 1 }
            // Each part now reads what the other part wrote in the previous job.
            executor.run { part in if shared.pointer[1 - part] != round { shared.pointer[part] = -1 } }
            if buffer[0] == -1 || buffer[1] == -1 { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }

    /// The overlap field's parts cover every state entry exactly once, for shapes with one column
    /// or one student as well.
    @Test(arguments: [(1, 1), (1, 5), (3, 1), (4, 7), (64, 256)])
    func lanePartsPartitionTheState(rs: Int, r: Int) throws {
        let field = OverlapVectorField(spectrum: try TeacherSpectrum.powerLaw(exponent: 1, count: r), studentWidth: rs)
        var covered = [Int](repeating: 0, count: field.dimension)
        for part in field.laneParts { for range in part { for index in range { covered[index] += 1 } } }
        #expect(covered.allSatisfy { $0 == 1 })
        #expect(field.laneParts.count == 2)
    }

    /// dopri5 and rk4 at `r_s = 64, r = 256` (above the two-lane threshold) give the same bits with
    /// 1 and 2 threads, and the same solution as the exact propagator. The small problem is the
    /// control: it stays on one thread.
    @Test func twoThreadsGiveTheSameBitsAndTheRightAnswer() throws {
        let spectrum = try TeacherSpectrum.powerLaw(exponent: 1, count: 256)
        let state = try RandomInitialization(studentWidth: 64, teacherWidth: 256, dimension: 4096, sigma0: 1, seed: 5,
                                             smallInitialization: false).sample()
        let problem = try OverlapProblem(spectrum: spectrum, initialState: state, finalTime: 6, saveTimes: [1, 3, 6])
        let exact = try solve(problem, method: .exact(ExactPropagatorOptions()))
        for method in [IntegrationMethod.dormandPrince(DormandPrinceOptions(relativeTolerance: 1e-9, absoluteTolerance: 1e-12)),
                       .rungeKutta4(step: 0.01)] {
            let stepper = try makeStepper(dynamics: problem.dynamics, method: method, threads: 2)
            #expect((stepper as? AdaptiveRungeKuttaStepper)?.usesTwoLanes ?? (stepper as? FixedStepRungeKuttaStepper)?.usesTwoLanes == true)
            let one = try solve(problem, method: method, threads: 1)
            let two = try solve(problem, method: method, threads: 2)
            #expect(one.status == .success && two.status == .success)
            for index in 0..<3 {
                #expect(one.states[index].packed == two.states[index].packed, "\(method.name) at t = \(one.times[index])")
            }
            let discrepancy = solutionDiscrepancy(two, exact)
            #expect(discrepancy < 1e-6, "\(method.name): \(discrepancy) against the exact propagator")
        }
        let small = try makeStepper(dynamics: try QuadraticGradientFlow(spectrum: try TeacherSpectrum.powerLaw(exponent: 1, count: 64), studentWidth: 16),
                                    method: .dormandPrince(DormandPrinceOptions()), threads: 2)
        #expect((small as? AdaptiveRungeKuttaStepper)?.usesTwoLanes == false)
    }

    /// Inside `withSubnormalsFlushed` a product in the subnormal range is 0 on the caller and on the
    /// worker lane (which adopts the caller's mode); outside it is the subnormal (the control).
    @Test func subnormalsAreFlushedOnBothLanesOnlyWhenAsked() throws {
        #if arch(x86_64)
        let tiny = Double.leastNormalMagnitude
        let factor = Double(String("0.25"))!   // not a compile-time constant
        let executor = TwoLaneExecutor(concurrent: true)
        let results = Mutex([Double](repeating: -1, count: 2))
        executor.run { part in results.withLock { $0[part] = tiny * factor } }
        #expect(results.withLock { $0 }.allSatisfy { $0 > 0 && $0 < tiny }, "without flushing the product is subnormal")
        #expect(!FloatingPointMode.flushesSubnormals)
        FloatingPointMode.withSubnormalsFlushed {
            #expect(FloatingPointMode.flushesSubnormals)
            executor.run { part in results.withLock { $0[part] = tiny * factor } }
        }
        #expect(results.withLock { $0 } == [0, 0])
        #expect(!FloatingPointMode.flushesSubnormals, "the previous mode is restored")
        #endif
    }

    @Test func threadsOutsideOneOrTwoAreRejected() throws {
        let problem = try smallProblem()
        for threads in [0, 3, -1] {
            #expect(throws: RiccatiError.self) { try solve(problem, method: .rungeKutta4(step: 0.1), threads: threads) }
        }
    }
}

private struct SharedInts: @unchecked Sendable { let pointer: UnsafeMutablePointer<Int> }
