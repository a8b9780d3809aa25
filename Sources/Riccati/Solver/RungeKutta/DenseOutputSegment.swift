/// One accepted step's continuous extension (``ContinuousExtension``): `r₁ … r_q` stored, so
/// that the state anywhere inside the step can be evaluated after the integration.
struct DenseOutputSegment: Sendable {
    var startTime: Double
    var stepSize: Double
    /// `r₁ … r_q`, each of the state's length, concatenated.
    var coefficients: [Double]

    func evaluate(at t: Double, dimension n: Int, into output: UnsafeMutablePointer<Double>) {
        coefficients.withUnsafeBufferPointer { r in
            Self.evaluate(theta: (t - startTime) / stepSize, coefficients: r.baseAddress!, count: r.count / Swift.max(n, 1),
                          dimension: n, into: output)
        }
    }

    /// `r₁ + θ(r₂ + θ'(r₃ + θ(r₄ + …)))` at `θ ∈ [0, 1]` from `count` coefficient vectors of length
    /// `n` (Horner's scheme from the innermost row outwards, one pass per row).
    static func evaluate(theta: Double, coefficients r: UnsafePointer<Double>, count: Int, dimension n: Int,
                         into output: UnsafeMutablePointer<Double>) {
        let theta1 = 1 - theta
        output.update(from: r + (count - 1) * n, count: n)
        // Row j (from 0) multiplies the bracket that follows it by θ when j is even, θ' when odd.
        for row in stride(from: count - 2, through: 0, by: -1) {
            let factor = row % 2 == 0 ? theta : theta1
            let rj = r + row * n
            for i in 0..<n { output[i] = rj[i] + factor * output[i] }
        }
    }
}
