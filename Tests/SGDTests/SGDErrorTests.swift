import LinearAlgebra
import Riccati
import SGD
import Testing

@Suite struct SGDErrorTests {
    /// Each invalid setting is refused with its structured case, naming the library parameter
    /// (never a command-line flag); the valid base configuration is the negative control.
    @Test func configurationErrorsNameTheLibraryParameters() throws {
        let base = try smallConfiguration()                  // d = 20, r = 3, r_s = 2, B = 64, steps = 1
        try base.validate()
        var cases: [(String, SGDConfiguration, SGDError)] = []
        func add(_ label: String, _ change: (inout SGDConfiguration) -> Void, _ expected: SGDError) {
            var configuration = base
            change(&configuration)
            cases.append((label, configuration, expected))
        }
        add("width", { $0.studentWidth = 0 }, .invalidParameter(name: "studentWidth", value: "0", reason: "must be ≥ 1"))
        add("d ≤ r", { $0.dimension = 3 },
            .incompatibleParameters(names: ["dimension", "spectrum"], reason: "the dimension d = 3 must exceed the teacher width r = 3"))
        add("batch", { $0.batchSize = 0 }, .invalidParameter(name: "batchSize", value: "0", reason: "must be ≥ 1"))
        add("batch entries", { $0.batchSize = 30_000_000 },
            .exceedsLimit(names: ["batchSize", "dimension"], reason: "the batch X (B×d) = 30000000×20 exceeds 5e8 entries"))
        add("rate", { $0.learningRate = .nan }, .invalidParameter(name: "learningRate", value: "nan", reason: "must be finite and > 0"))
        add("steps", { $0.steps = 0 }, .invalidParameter(name: "steps", value: "0", reason: "must lie in [1, 1e9]"))
        add("sigma0", { $0.sigma0 = -1 }, .invalidParameter(name: "sigma0", value: "-1.0", reason: "must lie in (0, 1e25]"))
        add("noise", { $0.labelNoise = -1 }, .invalidParameter(name: "labelNoise", value: "-1.0", reason: "must lie in [0, 1e25]"))
        add("threads", { $0.threads = 0 }, .invalidParameter(name: "threads", value: "0", reason: "must lie in [1, 256]"))
        add("save step", { $0.saveSteps = [5] }, .invalidParameter(name: "saveSteps", value: "5", reason: "must lie in [0, steps = 1]"))
        add("W0 shape", { $0.initialWeights = Matrix(rows: 1, columns: 1) },
            .incompatibleParameters(names: ["initialWeights", "studentWidth", "dimension"], reason: "W0 has shape 1×1; expected r_s×d = 2×20"))
        add("Θ rows", { $0.teacher = .given(Matrix(rows: 3, columns: 20, repeating: 1)) },
            .invalidParameter(name: "teacher", value: "", reason: "must have orthonormal rows (ΘΘᵀ = I within 1e-10)"))
        for (label, configuration, expected) in cases {
            #expect(throws: expected, "\(label)") { try configuration.validate() }
            #expect(throws: expected, "\(label)") { try SGDSimulator<Float>(configuration: configuration) }
            #expect(!expected.description.contains("--"), "\(label): \(expected.description)")
        }
        #expect(cases.map(\.2.parameterNames) == [
            ["studentWidth"], ["dimension", "spectrum"], ["batchSize"], ["batchSize", "dimension"], ["learningRate"], ["steps"],
            ["sigma0"], ["labelNoise"], ["threads"], ["saveSteps"], ["initialWeights", "studentWidth", "dimension"], ["teacher"],
        ])
        // Validation order: with two faults, the earlier check wins.
        var twoFaults = base
        twoFaults.batchSize = 0
        twoFaults.learningRate = -1
        #expect(throws: SGDError.invalidParameter(name: "batchSize", value: "0", reason: "must be ≥ 1")) { try twoFaults.validate() }
    }

    /// `message(naming:)` puts a program's names for the parameters into the message; a name the
    /// mapping does not know stays as the library's (negative control).
    @Test func messagesTakeTheCallersNames() {
        let flags = ["learningRate": "--lr", "dimension": "--d", "spectrum": "--r"]
        let naming: (String) -> String = { flags[$0] ?? $0 }
        let rate = SGDError.invalidParameter(name: "learningRate", value: "nan", reason: "must be finite and > 0")
        #expect(rate.message(naming: naming) == "--lr must be finite and > 0, got nan")
        #expect(rate.description == "learningRate must be finite and > 0, got nan")
        let sizes = SGDError.incompatibleParameters(names: ["dimension", "spectrum"], reason: "d = 3 must exceed r = 3")
        #expect(sizes.message(naming: naming) == "--d, --r: d = 3 must exceed r = 3")
        let unknown = SGDError.invalidParameter(name: "sigma0", value: "-1.0", reason: "must lie in (0, 1e25]")
        #expect(unknown.message(naming: naming) == "sigma0 must lie in (0, 1e25], got -1.0")
        // Run-time failures name no parameter.
        let diverged = SGDError.diverged(step: 3, time: 0.3, risk: .infinity, hint: "lower the learning rate")
        #expect(diverged.parameterNames.isEmpty)
        #expect(diverged.message(naming: { _ in "X" }) == diverged.description)
        // Renaming, as the compute frontier does for its list of widths.
        let renamed = SGDError.incompatibleParameters(names: ["dimension", "studentWidth"], reason: "r")
            .renamingParameters { $0 == "studentWidth" ? "widths" : $0 }
        #expect(renamed.parameterNames == ["dimension", "widths"])
    }

    /// The checkpoint fingerprint's keys map to the library's parameter names; unknown keys stay.
    @Test func fingerprintKeysMapToParameters() throws {
        let keys = try smallConfiguration().fingerprint(precision: "double").map(\.key)
        let names = keys.map(SGDConfiguration.parameterName(forFingerprintKey:))
        #expect(names == ["precision", "dimension", "studentWidth", "spectrum", "spectrum", "batchSize", "learningRate", "steps",
                          "sigma0", "labelNoise", "seed", "saveSteps", "initialWeights", "teacher"])
        #expect(SGDConfiguration.parameterName(forFingerprintKey: "unknown") == "unknown")
    }
}
