import ArgumentParser
import SweepPlans

/// Where the points of a grid run: in this process (`local`, the default) or as a Slurm job array.
enum SweepBackend: String, ExpressibleByArgument, CaseIterable {
    case local, slurm
}

/// `--backend local|slurm` and the Slurm backend's flags, shared by the commands that run a grid
/// of independent points (`scaling sweep`, `scaling compute`, `compare`).
struct BackendOptions: ParsableArguments {
    @Option(help: "Where the points run: local (this machine, --jobs at once) or slurm (one array task per point; needs --work-dir).")
    var backend: SweepBackend = .local

    @Option(name: .customLong("work-dir"), help: "Slurm: folder for the plan, the batch scripts, the tasks' results and logs (shared with the compute nodes).")
    var workDirectory: String?

    @Option(name: .customLong("array-limit"), help: "Slurm: at most this many array tasks at once (#SBATCH --array=…%K).")
    var arrayLimit: Int?

    @Option(name: .customLong("slurm-args"), parsing: .unconditional,
            help: "Slurm: extra sbatch options for every job, one string, each option one word with its value, e.g. \"--partition=short --time=2:00:00 --mem=8G\".")
    var slurmArguments: String?

    @Flag(name: .customLong("no-wait"), help: "Slurm: print the job ids and return instead of waiting for the merged result.")
    var noWait = false

    @Flag(name: .customLong("dry-run"), help: "Slurm: write the plan and the scripts, print the tasks and their estimated cost, submit nothing.")
    var dryRun = false

    @Option(name: .customLong("poll-interval"), help: "Slurm: seconds between two looks at the queue while waiting (default 5).")
    var pollIntervalOption: Double?

    /// `--poll-interval`, 5 s by default.
    var pollInterval: Double { pollIntervalOption ?? 5 }

    /// The flags that say how a sweep runs, not what it computes: left out of a plan's identity
    /// (with a value: `--backend`, …; `--jobs` only sets the local pool's size).
    static let runOnlyOptions: Set<String> = ["--backend", "--work-dir", "--array-limit", "--slurm-args", "--poll-interval", "--jobs"]
    static let runOnlyFlags: Set<String> = ["--no-wait", "--dry-run"]

    /// The Slurm flags given with the local backend, or the Slurm backend without a work directory,
    /// are refused; returns the parsed `--slurm-args`.
    func check() throws(CommandFailure) -> [String] {
        guard backend == .slurm else {
            let given = [("--work-dir", workDirectory != nil), ("--array-limit", arrayLimit != nil), ("--slurm-args", slurmArguments != nil),
                         ("--no-wait", noWait), ("--dry-run", dryRun), ("--poll-interval", pollIntervalOption != nil)].filter(\.1).map(\.0)
            if let first = given.first { throw .badInput("\(first) applies to --backend slurm only") }
            return []
        }
        guard let workDirectory, !workDirectory.isEmpty else {
            throw .badInput("--backend slurm needs --work-dir DIR (a folder the compute nodes share)")
        }
        return try Self.checkSlurmOptions(arrayLimit: arrayLimit, slurmArguments: slurmArguments, pollInterval: pollInterval)
    }

    static func checkSlurmOptions(arrayLimit: Int?, slurmArguments: String?, pollInterval: Double) throws(CommandFailure) -> [String] {
        if let arrayLimit, !(1...1_000_000).contains(arrayLimit) {
            throw .badInput("--array-limit must lie in [1, 1000000], got \(arrayLimit)")
        }
        guard pollInterval.isFinite, pollInterval >= 0.1, pollInterval <= 3600 else {
            throw .badInput("--poll-interval must lie in [0.1, 3600] seconds, got \(pollInterval)")
        }
        guard let slurmArguments else { return [] }
        guard let words = ShellWords.split(slurmArguments) else {
            throw .badInput("--slurm-args '\(slurmArguments)': a quote is not closed")
        }
        for word in words where !word.hasPrefix("-") {
            throw .badInput("--slurm-args: '\(word)' is not an sbatch option (each word starts with -, e.g. --time=1:00:00)")
        }
        for word in words {
            if let reserved = reservedSbatchOption(in: word) {
                throw .badInput("--slurm-args: '\(word)' sets \(reserved), which the tool sets itself")
            }
        }
        return words
    }

    /// The long options the tool gives `sbatch` itself.
    static let reservedLongOptions = ["array", "dependency", "output", "error", "chdir", "parsable", "wrap", "kill-on-invalid-dep"]
    /// Their short forms.
    static let reservedShortOptions: Set<Character> = ["a", "d", "o", "e", "D"]
    /// `sbatch`'s short options that take a value (the rest of the word, or the next word).
    static let shortOptionsWithValue: Set<Character> = Set("AaBbcDdeFGiJLMmNnopqStwx")

    /// The reserved option `word` sets, read as `sbatch` (getopt) reads it: a long option by any
    /// unambiguous prefix (`--arr=0`), short options bundled (`-Ho FILE`) or with their value
    /// attached (`-ofile`); `nil` when it sets none of them.
    static func reservedSbatchOption(in word: String) -> String? {
        if word.hasPrefix("--") {
            let name = String((word.dropFirst(2).split(separator: "=", maxSplits: 1).first ?? ""))
            guard !name.isEmpty else { return nil }
            return reservedLongOptions.first { $0.hasPrefix(name) }.map { "--" + $0 }
        }
        guard word.hasPrefix("-") else { return nil }
        for letter in word.dropFirst() {
            if reservedShortOptions.contains(letter) { return "-\(letter)" }
            if shortOptionsWithValue.contains(letter) { return nil }   // the rest is its value
        }
        return nil
    }

    /// `arguments` without the run-only flags and their values (``runOnlyOptions``, ``runOnlyFlags``).
    static func identity(of arguments: [String]) -> [String] {
        var kept: [String] = []
        var skipNext = false
        for argument in arguments {
            if skipNext { skipNext = false; continue }
            let name = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument
            if runOnlyFlags.contains(argument) { continue }
            if runOnlyOptions.contains(name) {
                skipNext = !argument.contains("=")
                continue
            }
            kept.append(argument)
        }
        return kept
    }
}
