import Foundation
import LinearAlgebra
import Reports
import Riccati
import Testing

/// `riccati integrate --activation`: general activations from the command line.
@Suite struct IntegrateActivationTests {
    init() { BLAS.setThreadCount(1) }

    static let common = ["integrate", "--r", "4", "--rs", "3", "--d", "128", "--t-end", "6", "--save-at", "0,1,2,4,6",
                         "--format", "json"]

    static func librarySolution(_ make: (TeacherSpectrum) throws -> any EffectiveDynamics, method: IntegrationMethod?) throws -> Solution {
        let spectrum = try TeacherSpectrum.powerLaw(exponent: 1, count: 4)
        let initial = try RandomInitialization(studentWidth: 3, teacherWidth: 4, dimension: 128, sigma0: 1, seed: 0).sample()
        let problem = try OverlapProblem(dynamics: try make(spectrum), initialState: initial, finalTime: 6, saveTimes: [0, 1, 2, 4, 6])
        return try solve(problem, method: method)
    }

    /// ReLU and a Hermite list are the library's general flow (`auto` by default), bit for bit, with
    /// the risk split by degree adding up to the risk; gradient descent is the library's map.
    @Test func activationsAreTheLibrarysDynamics() throws {
        for (flags, activation) in [(["--activation", "relu"], Activation.relu),
                                    (["--activation", "hermite", "--hermite-coefficients", "0.2,0.5,0.3,0.1"], .hermite([0.2, 0.5, 0.3, 0.1]))] {
            let run = try runRiccati(Self.common + flags)
            #expect(run.status == 0, "\(run.standardError)")
            let library = try Self.librarySolution({ try GeneralActivationFlow(spectrum: $0, studentWidth: 3, activation: activation) },
                                                   method: .automatic(AutomaticMethodOptions()))
            let risk = try IntegrateDynamicsTests.numbers("risk", in: run)
            #expect(risk == library.risk)
            let json = try IntegrateDynamicsTests.json(run)
            let config = try #require(json["config"] as? [String: Any])
            #expect(config["activation"] as? String == activation.name && config["method"] as? String == "auto")
            #expect(json["riskFloor"] as? Double == 0)
            let split = try #require(json["riskByDegree"] as? [String: [Double]])
            for index in risk.indices {
                let sum = ["he0", "he1", "he2", "higher"].reduce(0.0) { $0 + split[$1]![index] }
                #expect(abs(sum - risk[index]) <= 1e-9 * risk[index])
            }
        }
        let descent = try runRiccati(Self.common + ["--activation", "relu", "--dynamics", "gradient-descent", "--lr", "0.05"])
        #expect(descent.status == 0, "\(descent.standardError)")
        let library = try Self.librarySolution({ try GeneralActivationGradientDescent(spectrum: $0, studentWidth: 3, activation: .relu, learningRate: 0.05) },
                                               method: nil)
        #expect(try IntegrateDynamicsTests.numbers("risk", in: descent) == library.risk)
        #expect((try IntegrateDynamicsTests.json(descent)["config"] as? [String: Any])?["lr"] as? Double == 0.05)
        // Negative control: ReLU's risk is not He₂'s.
        let quadratic = try runRiccati(Self.common)
        #expect(try IntegrateDynamicsTests.numbers("risk", in: quadratic) != library.risk)
    }

    /// He₂ given as the Hermite list 0,0,1 is today's quadratic solver (exact propagator), bit for bit.
    @Test func he2AsAHermiteListIsTheQuadraticSolver() throws {
        let listed = try runRiccati(Self.common + ["--activation", "hermite", "--hermite-coefficients", "0,0,1"])
        let named = try runRiccati(Self.common)
        #expect(listed.status == 0 && named.status == 0)
        #expect(try IntegrateDynamicsTests.numbers("risk", in: listed) == IntegrateDynamicsTests.numbers("risk", in: named))
        #expect((try IntegrateDynamicsTests.json(listed)["config"] as? [String: Any])?["method"] as? String == "exact")
        #expect(try IntegrateDynamicsTests.json(listed)["riskByDegree"] == nil)
        let scaled = try runRiccati(Self.common + ["--activation", "hermite", "--hermite-coefficients", "0,0,1.1"])
        #expect(try IntegrateDynamicsTests.numbers("risk", in: scaled) != IntegrateDynamicsTests.numbers("risk", in: named))
    }

    /// `scaling compute --activation`: ReLU trains another model than He₂; He₂ as the list 0,0,1
    /// gives the same risks as the default, bit for bit.
    @Test func computeFrontierTakesTheActivation() throws {
        let base = ["scaling", "compute", "--d", "64", "--r", "48", "--widths", "4,8", "--lr", "0.02", "--t-end", "3",
                    "--save-count", "8", "--format", "json"]
        func curves(_ run: CommandRun) throws -> [[Double]] {
            let json = try IntegrateDynamicsTests.json(run)
            let list = try #require(json["curves"] as? [[String: Any]])
            return try list.map { try #require($0["risk"] as? [Double]) }
        }
        let relu = try runRiccati(base + ["--activation", "relu"])
        let listed = try runRiccati(base + ["--activation", "hermite", "--hermite-coefficients", "0,0,1"])
        let named = try runRiccati(base)
        #expect(relu.status == 0 && listed.status == 0 && named.status == 0, "\(relu.standardError)")
        #expect((try IntegrateDynamicsTests.json(relu)["config"] as? [String: Any])?["activation"] as? String == "relu")
        #expect(try curves(listed) == curves(named))
        #expect(try curves(relu) != curves(named))
        #expect(try curves(relu).allSatisfy { $0.allSatisfy(\.isFinite) })
    }
}
