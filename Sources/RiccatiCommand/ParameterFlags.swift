/// The one table from the library's parameter names (the Swift property and argument labels its
/// errors name, see `ParameterNamingError`) to the tool's flags. Every library error reaches the
/// user through it, so the library's checks are the tool's checks and a message names the flag
/// the user typed.
///
/// A name is looked up whole first (`options.relativeTolerance`), then without its owner
/// (`configuration.learningRate` → `learningRate`) and without an index (`spectrum[3]` →
/// `spectrum`); a name the table does not know is shown as it is.
struct ParameterFlags {
    /// Names whose flag depends on the command's other flags, e.g. `spectrum` → `--lambdas` when
    /// a file was given.
    var overrides: [String: String] = [:]

    init(_ overrides: [String: String] = [:]) {
        self.overrides = overrides
    }

    static let table: [String: String] = [
        // The model and its initial state (OverlapProblem, TeacherSpectrum, RandomInitialization).
        "spectrum": "--r",
        "activation": "--activation",
        "hermiteCoefficients": "--hermite-coefficients",
        "alpha": "--alpha",
        "exponent": "--alpha",
        "teacherWidth": "--r",
        "studentWidth": "--rs",
        "dimension": "--d",
        "sigma0": "--sigma0",
        "seed": "--seed",
        "smallInitialization": "--small-init",
        "initialState": "--init-m",
        "overlap": "--init-m",
        "orthogonalGram": "--init-p",
        // Times.
        "finalTime": "--t-end",
        "saveTimes": "--save-at",
        "saveCount": "--save-count",
        "logSpaced.count": "--save-count",
        // Integration methods (DormandPrinceOptions, ExactPropagatorOptions, rungeKutta4(step:)).
        "options.relativeTolerance": "--rtol",
        "options.maxStages": "--max-stages",
        "options.absoluteTolerance": "--atol",
        "relativeTolerance": "--rtol",
        "absoluteTolerance": "--atol",
        "maxStep": "--step",
        "step": "--step",
        "stepExponentCap": "--step-exponent-cap",
        "factorization": "--factorization",
        "threads": "--threads",
        // SGD (SGDConfiguration).
        "learningRate": "--lr",
        "batchSize": "--batch",
        "steps": "--steps",
        "labelNoise": "--noise",
        "initialWeights": "--init-w",
        "teacher": "--theta",
        "saveSteps": "--save-at",
        "learningRates": "--lr-sweep",
        "seeds": "--seeds",
        // Scaling laws (ScalingSweep, ComputeFrontier).
        "alphas": "--alphas",
        "teacherWidths": "--r",
        "studentWidths": "--widths",
        "widths": "--widths",
        "dimensions": "--dims",
        "jobs": "--jobs",
        "ranks": "--window-ranks",
        "gridCount": "--grid-count",
        // Outputs whose size the memory estimates count (MemoryChecks).
        "npyDirectory": "--npy-dir",
        "checkpoint": "--checkpoint",
        "resume": "--resume",
        // Monotonicity (OrderedPerturbation, LoewnerOrder).
        "scale": "--scale",
        "epsilon": "--perturb",
        "tolerance": "--tolerance",
    ]

    /// The flag for the library parameter `name`.
    func flag(for name: String) -> String {
        for candidate in Self.candidates(name) {
            if let flag = overrides[candidate] ?? Self.table[candidate] { return flag }
        }
        return name
    }

    /// `name`, then without its owners (`a.b.c` → `b.c` → `c`), then each without an index.
    static func candidates(_ name: String) -> [String] {
        var names = [name]
        var rest = Substring(name)
        while let dot = rest.firstIndex(of: ".") {
            rest = rest[rest.index(after: dot)...]
            names.append(String(rest))
        }
        return names + names.compactMap { candidate in
            candidate.firstIndex(of: "[").map { String(candidate[..<$0]) }
        }
    }
}
