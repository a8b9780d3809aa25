import Foundation

/// The seeds of an ensemble handed out in increasing order to the workers, and their results
/// stored by index, under a lock.
final class SeedPool: @unchecked Sendable {
    private var slots: [Result<SeedRun, SGDError>?]
    private var nextIndex = 0
    private var finished = 0
    private var stopped = false
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    /// The next seed's index, or `nil` when all are handed out or the pool was stopped.
    func next() -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard !stopped, nextIndex < slots.count else { return nil }
        nextIndex += 1
        return nextIndex - 1
    }

    /// Hands out no further seed.
    func stop() { lock.lock(); stopped = true; lock.unlock() }

    /// Stores a run's outcome; returns the number of successful runs so far.
    @discardableResult
    func store(_ value: Result<SeedRun, SGDError>, at index: Int) -> Int {
        lock.lock(); defer { lock.unlock() }
        slots[index] = value
        if case .success = value { finished += 1 }
        return finished
    }

    var values: [Result<SeedRun, SGDError>?] { lock.lock(); defer { lock.unlock() }; return slots }
}
