import LinearAlgebra
import Monotonicity
import Riccati
import Testing

@Suite struct MonotonicityErrorTests {
    @Test func loewnerComparisonNamesItsArguments() throws {
        #expect(throws: RiccatiError.invalidParameter(name: "relativeTolerance", value: "-1.0", reason: "must be finite and ≥ 0")) {
            try LoewnerOrder.compare(.identity(2), .identity(2), relativeTolerance: -1)
        }
        do {
            _ = try LoewnerOrder.compare(.identity(2), .identity(3))
            Issue.record("sizes must match")
        } catch {
            guard case .incompatibleParameters(let names, _) = error else { Issue.record("wrong error \(error)"); return }
            #expect(names == ["x", "y"])
        }
        var asymmetric = Matrix.identity(2)
        asymmetric[0, 1] = 1
        do {
            _ = try LoewnerOrder.compare(.identity(2), asymmetric)
            Issue.record("an asymmetric y must be refused")
        } catch {
            #expect(error.parameterNames == ["y"])
            #expect(error.message(naming: { $0 == "y" ? "Y" : $0 }).hasPrefix("Y must be symmetric within 1e-10"))
        }
        var nonFinite = Matrix.identity(2)
        nonFinite[1, 1] = .nan
        #expect(throws: RiccatiError.invalidParameter(name: "x", value: "", reason: "has NaN or infinite entries")) {
            try LoewnerOrder.compare(nonFinite, .identity(2))
        }
        // Negative control: valid input compares.
        #expect(try LoewnerOrder.compare(.identity(2), 2 * Matrix.identity(2)).relation == .lessOrEqual)
    }

    @Test func perturbationAndLevelSetErrors() throws {
        let state = try randomState(r: 2, rs: 2, d: 100, sigma0: 1, seed: 3, smallInit: true)
        #expect(throws: RiccatiError.invalidParameter(name: "perturbation.scale", value: "0.5", reason: "must be finite and ≥ 1")) {
            try OrderedPerturbation.scaled(0.5).apply(to: state)
        }
        #expect(throws: RiccatiError.invalidParameter(name: "perturbation.epsilon", value: "0.0", reason: "must be finite and > 0")) {
            try OrderedPerturbation.randomIncrement(epsilon: 0, seed: 1).apply(to: state)
        }
        let flags = ["perturbation.scale": "--scale", "perturbation.epsilon": "--perturb"]
        let error = RiccatiError.invalidParameter(name: "perturbation.scale", value: "0.5", reason: "must be finite and ≥ 1")
        #expect(error.message(naming: { flags[$0] ?? $0 }) == "--scale must be finite and ≥ 1, got 0.5")
        #expect(try OrderedPerturbation.scaled(1).apply(to: state) == state)
        #expect(throws: RiccatiError.invalidParameter(name: "g", value: "3×3", reason: "must be 2×2 (level-set ellipses need r = 2)")) {
            try LevelSet.ellipse(of: .identity(3))
        }
        #expect(throws: RiccatiError.invalidParameter(name: "count", value: "2", reason: "must be ≥ 3")) {
            try LevelSet.ellipse(of: .identity(2), count: 2)
        }
        do {
            _ = try LevelSet.ellipse(of: .diagonal([1, 0]))
            Issue.record("a singular G has no ellipse")
        } catch {
            #expect(error.parameterNames == ["g"])
        }
    }

    /// `G0` must be 2×2 and positive definite with `det G > 1e-10·G_11·G_22` to be drawn: the
    /// correlation `ρ` with `1 − ρ² = 1e-9` passes, `1e-11` fails (the threshold in between).
    @Test func drawableSignalGram() throws {
        try LevelSet.requireDrawable(try Matrix([[2, 0.5], [0.5, 1]]), name: "initialState")
        for (gap, passes) in [(1e-9, true), (1e-11, false)] {
            let rho = (1 - gap).squareRoot()
            let g = try Matrix([[1, rho], [rho, 1]])
            if passes {
                try LevelSet.requireDrawable(g, name: "initialState")
            } else {
                do {
                    try LevelSet.requireDrawable(g, name: "initialState")
                    Issue.record("1 − ρ² = \(gap) must be refused")
                } catch {
                    guard case .invalidParameter(let name, _, let reason) = error else { Issue.record("wrong error \(error)"); return }
                    #expect(name == "initialState")
                    #expect(reason.contains("positive-definite"))
                }
            }
        }
        // A student of width 1 has a rank-one G0; a random width-2 student a drawable one.
        let narrow = try randomState(r: 2, rs: 1, d: 100, sigma0: 1, seed: 1, smallInit: true)
        #expect(throws: RiccatiError.self) { try LevelSet.requireDrawable(narrow.signalGram, name: "initialState") }
        let wide = try randomState(r: 2, rs: 2, d: 100, sigma0: 1, seed: 1, smallInit: true)
        try LevelSet.requireDrawable(wide.signalGram, name: "initialState")
        #expect(throws: RiccatiError.invalidParameter(
            name: "initialState", value: "r = 3", reason: "must have a teacher of width r = 2 to draw the 2×2 level sets of G = MᵀM")) {
            try LevelSet.requireDrawable(.identity(3), name: "initialState")
        }
    }

    @Test func trajectoryAndTimeChecksNameTheirArguments() throws {
        #expect(throws: RiccatiError.invalidParameter(name: "times", value: "1.0 then 1.0", reason: "must be strictly increasing")) {
            try TimeMonotonicity.analyze(times: [0, 1, 1], matrices: [.identity(2), .identity(2), .identity(2)])
        }
        do {
            _ = try TimeMonotonicity.analyze(times: [0, 1], matrices: [.identity(2)])
            Issue.record("one matrix per time")
        } catch {
            #expect(error.parameterNames == ["times", "matrices"])
        }
        var asymmetric = Matrix.identity(2)
        asymmetric[0, 1] = 1
        do {
            _ = try TimeMonotonicity.analyze(times: [0, 1], matrices: [.identity(2), asymmetric])
            Issue.record("an asymmetric matrix must be refused")
        } catch {
            #expect(error.parameterNames == ["matrices"])
        }
        do {
            _ = try TrajectoryComparison.compare(times: [0, 1], [], [])
            Issue.record("one state per time")
        } catch {
            #expect(error.parameterNames == ["times", "statesA", "statesB"])
        }
    }
}
