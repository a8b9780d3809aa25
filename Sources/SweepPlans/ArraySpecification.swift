/// Slurm's `--array` value for a set of task indices: ranges joined by commas, with an optional
/// limit of tasks running at once (`0-7%4`, `2,5,9-11%2`).
public enum ArraySpecification {
    /// The indices (any order, duplicates ignored) as ranges, `%limit` appended when given.
    public static func make(_ indices: [Int], limit: Int?) -> String {
        let sorted = Array(Set(indices)).sorted()
        var parts: [String] = []
        var start = 0
        while start < sorted.count {
            var end = start
            while end + 1 < sorted.count, sorted[end + 1] == sorted[end] + 1 { end += 1 }
            parts.append(end == start ? "\(sorted[start])" : "\(sorted[start])-\(sorted[end])")
            start = end + 1
        }
        return parts.joined(separator: ",") + (limit.map { "%\($0)" } ?? "")
    }
}
