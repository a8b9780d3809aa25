import Riccati

// Temporary stand-in until `Activation.gradientFlow(spectrum:studentWidth:)` lands on main.
extension Activation {
    func gradientFlow(spectrum: TeacherSpectrum, studentWidth: Int) throws(RiccatiError) -> any EffectiveDynamics {
        if isQuadratic { return try QuadraticGradientFlow(spectrum: spectrum, studentWidth: studentWidth) }
        throw .invalidParameter(name: "activation", value: label, reason: "has no gradient flow yet")
    }
}
