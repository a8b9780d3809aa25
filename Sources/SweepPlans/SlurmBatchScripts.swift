import Foundation

/// The two bash batch scripts of a distributed sweep.
///
/// - The **array script** runs one point per array task: `riccati sweep task DIR $SLURM_ARRAY_TASK_ID`.
///   Its `#SBATCH --array` line covers every point; a resubmission overrides it on `sbatch`'s
///   command line with the missing indices.
/// - The **merge script** runs `riccati sweep merge DIR`, which writes the outputs a local run
///   writes (`--output`, `--npy-dir`, `--plot`); what it prints on standard output (the report,
///   when no `--output` was given) is kept in `merged-report`, renamed into place only when the
///   merge succeeded, so its presence says the sweep is complete.
///
/// The log and working-directory options are also given on `sbatch`'s command line (see
/// ``SlurmClient``), so paths with spaces work; the scripts carry them as `#SBATCH` lines only
/// when the path needs no quoting.
public struct SlurmBatchScripts: Sendable, Equatable {
    public var array: String
    public var merge: String

    /// The scripts of `plan` in `directory`, with at most `limit` array tasks at once.
    public init(plan: SweepPlan, directory: WorkDirectory, limit: Int?) {
        let tool = ShellQuoting.quote(plan.executable)
        let folder = ShellQuoting.quote(directory.path)
        let spec = ArraySpecification.make(plan.points.map(\.index), limit: limit)
        // `path` (escaped) followed by `pattern` (Slurm's replacement symbols, kept).
        func directive(_ option: String, _ path: String, _ pattern: String = "") -> String? {
            ShellQuoting.quoteIfNeeded(path) == path ? "#SBATCH \(option)=\(SlurmBatchScripts.escapePattern(path))\(pattern)" : nil
        }
        let header = [
            "# " + Self.printable(plan.commandLine),
            "# Written by riccati \(Self.printable(plan.toolVersion)); the plan is plan.json beside this script.",
        ]
        array = (["#!/bin/bash", "#SBATCH --job-name=riccati-sweep", "#SBATCH --array=\(spec)"]
            + [directive("--output", directory.logsPath, "/task-%A_%a.out"), directive("--chdir", plan.workingDirectory)].compactMap { $0 }
            + header + [
                "# One point per array task; its result is written atomically to results/point-INDEX.json.",
                "set -euo pipefail",
                "exec \(tool) sweep task \(folder) \"$SLURM_ARRAY_TASK_ID\"",
            ]).joined(separator: "\n") + "\n"
        merge = (["#!/bin/bash", "#SBATCH --job-name=riccati-merge"]
            + [directive("--output", directory.logsPath, "/merge-%j.out"), directive("--chdir", plan.workingDirectory)].compactMap { $0 }
            + header + [
                "# Runs after every array task succeeded (afterok); merged-report appears only when the merge succeeded.",
                "set -euo pipefail",
                "\(tool) sweep merge \(folder) > \(ShellQuoting.quote(directory.mergedReportPath + ".partial"))",
                "mv -f \(ShellQuoting.quote(directory.mergedReportPath + ".partial")) \(ShellQuoting.quote(directory.mergedReportPath))",
            ]).joined(separator: "\n") + "\n"
    }

    /// `text` for a comment line: every control character (a line break above all, which would
    /// end the comment and make the rest a command) written as `\u{…}`.
    public static func printable(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value)
                || scalar == "\u{2028}" || scalar == "\u{2029}" || scalar == "\u{85}" {
                result += "\\u{" + String(scalar.value, radix: 16) + "}"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// `path` with `%` doubled: Slurm's `--output` treats `%` as the start of a replacement symbol.
    public static func escapePattern(_ path: String) -> String {
        path.replacingOccurrences(of: "%", with: "%%")
    }
}
