import ArgumentParser
import Riccati

/// `--activation` and `--hermite-coefficients`: the activation `σ` of the teacher and of the
/// 2-homogeneous student, shared by every command that models the network.
struct ActivationOptions: ParsableArguments {
    @Option(help: "Activation σ of teacher and student (student Σ_i ‖w_i‖² σ(⟨w_i,x⟩/‖w_i‖)): he2 (σ = z² − 1, the quadratic model; the default), relu, erf (σ = erf(z/√2)) or hermite (σ = Σ_k c_k He_k with --hermite-coefficients).")
    var activation: String = "he2"

    @Option(name: .customLong("hermite-coefficients"),
            help: ArgumentHelp("Probabilists' Hermite coefficients c0,c1,… of --activation hermite (at most 64, finite, not all zero).",
                               valueName: "c0,c1,..."))
    var hermiteCoefficients: String?

    /// The activation, validated by the library (one line naming the flag on bad input).
    func make() throws(CommandFailure) -> Activation {
        var coefficients: [Double]?
        if let text = hermiteCoefficients {
            coefficients = try parseList(text, flag: "--hermite-coefficients") { (item) throws(CommandFailure) -> Double in
                guard let value = Double(item) else { throw .badInput("--hermite-coefficients expects numbers, got '\(item)'") }
                return value
            }
        }
        do {
            return try Activation(name: activation, coefficients: coefficients)
        } catch {
            throw CommandFailure(error)
        }
    }

    /// Whether `--activation` selects anything but the quadratic model (He₂ by name or as the list `0,0,1`).
    func isQuadratic() throws(CommandFailure) -> Bool { try make().isQuadratic }
}
