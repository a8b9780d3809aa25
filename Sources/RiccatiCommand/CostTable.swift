import Foundation
import SweepPlans

/// The `--dry-run` report of a Slurm sweep: where the plan went, one line per task with its
/// estimated cost, the largest task, and the command that submits it.
enum CostTable {
    static func text(plan: SweepPlan, directory: WorkDirectory, limit: Int?, slurmArguments: [String]) -> String {
        func number(_ value: Double?) -> String { value.map { String(format: "%.3g", $0) } ?? "adaptive" }
        func bytes(_ value: Double) -> String {
            let units = ["B", "KiB", "MiB", "GiB", "TiB"]
            var amount = value, unit = 0
            while amount >= 1024, unit < units.count - 1 { amount /= 1024; unit += 1 }
            return String(format: "%.3g %@", amount, units[unit])
        }
        func duration(_ seconds: Double?) -> String {
            guard let seconds else { return "—" }
            if seconds < 60 { return String(format: "%.2g s", seconds) }
            if seconds < 3600 { return String(format: "%.2g min", seconds / 60) }
            return String(format: "%.2g h", seconds / 3600)
        }
        var lines = ["riccati: dry run: \(plan.points.count) task(s) planned in \(directory.path) (plan.json, sweep-array.sh, sweep-merge.sh); nothing submitted",
                     "  task  point" + String(repeating: " ", count: 43) + "steps  multiply-adds      memory   est. time"]
        func left(_ text: String, _ width: Int) -> String { text.count >= width ? text : text + String(repeating: " ", count: width - text.count) }
        func right(_ text: String, _ width: Int) -> String { text.count >= width ? text : String(repeating: " ", count: width - text.count) + text }
        for point in plan.points {
            let label = point.label.count > 42 ? String(point.label.prefix(41)) + "…" : point.label
            lines.append(right("\(point.index)", 6) + "  " + left(label, 42) + " " + right(number(point.cost.steps), 10)
                + " " + right(point.cost.multiplyAdds.map { String(format: "%.3g", $0) } ?? "—", 14) + " " + right(bytes(point.cost.memoryBytes), 11)
                + " " + right(duration(point.cost.seconds), 11))
        }
        let largestMemory = plan.points.map(\.cost.memoryBytes).max() ?? 0
        let longest = plan.points.compactMap(\.cost.seconds).max()
        lines.append("largest task: memory \(bytes(largestMemory))"
            + (longest.map { ", est. time \(duration($0)) (at the rates measured on the tool's 2-core reference machine; give --time a margin, e.g. twice it)" } ?? ""))
        let spec = ArraySpecification.make(plan.points.map(\.index), limit: limit)
        lines.append("submit: the same command without --dry-run (sbatch --array=\(spec)"
            + (slurmArguments.isEmpty ? "" : " " + slurmArguments.map(ShellQuoting.quoteIfNeeded).joined(separator: " "))
            + " sweep-array.sh, then sweep-merge.sh after it)")
        return lines.joined(separator: "\n") + "\n"
    }
}
