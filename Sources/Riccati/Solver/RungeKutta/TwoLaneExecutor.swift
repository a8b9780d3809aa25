import Foundation
import LinearAlgebra
import Synchronization

/// Runs a piece of work split in two fixed parts, part 0 on the calling thread and part 1 on a
/// worker thread of its own, and returns when both are done (fork–join).
///
/// The explicit integrators call it a few times per Runge–Kutta stage (tens of microseconds of
/// work each at `r_s = 64`), far too often for a thread pool's wake-up latency: after each job
/// the worker spins on an atomic generation counter (about 200,000 polls, a millisecond or so)
/// before it goes to sleep on a semaphore, so a stream of jobs costs one cache-line hand-over
/// each way (0.4 µs per empty job, measured).
///
/// The worker adopts the caller's floating-point control word (``FloatingPointMode``) for each job.
///
/// With `concurrent: false` both parts run on the caller, part 0 first. Callers split their work
/// the same way in both modes, so results do not depend on the mode, bit for bit.
final class TwoLaneExecutor {
    let isConcurrent: Bool
    private let lane: WorkerLane?

    init(concurrent: Bool) {
        isConcurrent = concurrent
        guard concurrent else { lane = nil; return }
        let lane = WorkerLane()
        self.lane = lane
        let thread = Thread { lane.loop() }
        thread.name = "riccati-lane-1"
        thread.start()
    }

    deinit { lane?.shutDown() }

    /// Runs `body(0)` and `body(1)`, concurrently when ``isConcurrent``. To be called from one
    /// thread at a time; `body` must not call `run` itself.
    func run(_ body: @escaping (Int) -> Void) {
        guard let lane else {
            body(0)
            body(1)
            return
        }
        let ticket = lane.publish(body, controlWord: FloatingPointMode.controlWord)
        body(0)
        lane.wait(for: ticket)
    }
}

/// The state shared with the worker thread (which holds it, not the executor, so that the
/// executor's `deinit` can stop the thread).
private final class WorkerLane: @unchecked Sendable {
    private let generation = Atomic<Int>(0)     // bumped for each job; −1 asks the worker to stop
    private let completed = Atomic<Int>(0)      // the last generation the worker finished
    private let sleeping = Atomic<Bool>(false)
    private let wakeUp = DispatchSemaphore(value: 0)
    private let stopped = DispatchSemaphore(value: 0)
    /// Written by the caller before the sequentially consistent store of `generation`, read by
    /// the worker after loading that generation.
    private var job: ((Int) -> Void)?

    /// The caller's floating-point control word, which the worker adopts for the job (so that
    /// both parts round and flush subnormals alike).
    private var controlWord: UInt32 = 0

    func publish(_ body: @escaping (Int) -> Void, controlWord: UInt32) -> Int {
        job = body
        self.controlWord = controlWord
        let ticket = generation.load(ordering: .relaxed) + 1
        generation.store(ticket, ordering: .sequentiallyConsistent)
        if sleeping.load(ordering: .sequentiallyConsistent) { wakeUp.signal() }
        return ticket
    }

    func wait(for ticket: Int) {
        var polls = 0
        while completed.load(ordering: .acquiring) != ticket {
            polls += 1
            if polls > 4096 { sched_yield() }
        }
        job = nil
    }

    func shutDown() {
        generation.store(-1, ordering: .sequentiallyConsistent)
        wakeUp.signal()
        stopped.wait()
    }

    func loop() {
        var seen = 0
        while true {
            var polls = 0
            var current = generation.load(ordering: .acquiring)
            while current == seen {
                polls += 1
                if polls > 1_000_000 {
                    // Sleep; a caller that publishes a job after this store sees `sleeping` and
                    // signals (both sides use sequentially consistent operations, so at least one
                    // of them sees the other's write; an extra signal only costs one more poll round).
                    sleeping.store(true, ordering: .sequentiallyConsistent)
                    if generation.load(ordering: .sequentiallyConsistent) == seen { wakeUp.wait() }
                    sleeping.store(false, ordering: .sequentiallyConsistent)
                    polls = 0
                }
                current = generation.load(ordering: .acquiring)
            }
            if current < 0 {
                stopped.signal()
                return
            }
            seen = current
            if FloatingPointMode.controlWord != controlWord { FloatingPointMode.setControlWord(controlWord) }
            job?(1)
            completed.store(current, ordering: .releasing)
        }
    }
}
