import Foundation

/// Save-time grids.
public enum SaveTimes {
    /// `count` times spaced geometrically over `decades` decades, ending at `finalTime`:
    /// `t_k = T · 10^{−decades·(1 − k/(count−1))}`, `k = 0 … count−1` (`[T]` when `count = 1`).
    /// The default of 4 decades shows the early escapes as well as the late approach to the floor.
    public static func logSpaced(count: Int, finalTime: Double, decades: Double = 4) throws(RiccatiError) -> [Double] {
        guard count >= 1 else { throw .invalid("count", count, "must be ≥ 1") }
        guard count <= 1_000_000 else { throw .invalid("count", count, "must be ≤ 1000000") }
        guard finalTime.isFinite, finalTime > 0 else { throw .invalid("finalTime", finalTime, "must be finite and > 0") }
        guard decades.isFinite, decades > 0 else { throw .invalid("decades", decades, "must be finite and > 0") }
        if count == 1 { return [finalTime] }
        var times = (0..<count).map { k in
            finalTime * pow(10, -decades * (1 - Double(k) / Double(count - 1)))
        }
        times[count - 1] = finalTime
        return times
    }
}
