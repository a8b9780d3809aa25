import Foundation

/// Fixed slots that parallel workers fill by index, under a lock.
final class ResultSlots<Value: Sendable>: @unchecked Sendable {
    private var slots: [Value?]
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func store(_ value: Value, at index: Int) { lock.lock(); slots[index] = value; lock.unlock() }
    var values: [Value?] { lock.lock(); defer { lock.unlock() }; return slots }
}
