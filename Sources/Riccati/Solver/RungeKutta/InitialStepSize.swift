import Foundation

/// The first step of an adaptive method: Hairer, Nørsett & Wanner, "Solving ODEs I", §II.4 (the
/// algorithm of `dopri5.f`'s and `dop853.f`'s `HINIT`), with the RMS norm of the error control.
///
/// A first guess `h₀ = 0.01·‖y‖/‖f‖` (or 1e-6 when either is tiny), one explicit Euler step to
/// estimate the second derivative by a difference of slopes, and `h₁ = (0.01/max(‖f‖, ‖y''‖))^{1/p}`;
/// the step is `min(100 h₀, h₁, maxStep)`. One evaluation of `f`.
enum InitialStepSize {
    /// `probe` and `probeSlope` are scratch vectors of the state's length; `probeCap` bounds the
    /// Euler probe (a stabilised method passes `1/ρ`, so that the probe stays stable).
    static func estimate(system: ODESystem, time: Double, state y: UnsafePointer<Double>, slope f0: UnsafePointer<Double>,
                         relativeTolerance rtol: Double, absoluteTolerance atol: Double, order: Int, maxStep: Double,
                         probeCap: Double = .infinity,
                         probe: UnsafeMutablePointer<Double>, probeSlope: UnsafeMutablePointer<Double>) -> Double {
        let n = system.dimension
        var stateNorm = 0.0, slopeNorm = 0.0
        for i in 0..<n {
            let scale = atol + rtol * abs(y[i])
            stateNorm += (y[i] / scale) * (y[i] / scale)
            slopeNorm += (f0[i] / scale) * (f0[i] / scale)
        }
        stateNorm = (stateNorm / Double(n)).squareRoot()
        slopeNorm = (slopeNorm / Double(n)).squareRoot()
        var h0 = (stateNorm < 1e-5 || slopeNorm < 1e-5) ? 1e-6 : 0.01 * stateNorm / slopeNorm
        h0 = Swift.min(h0, maxStep, probeCap)
        for i in 0..<n { probe[i] = y[i] + h0 * f0[i] }
        system.evaluate(time: time + h0, state: probe, derivative: probeSlope)
        var curvature = 0.0
        for i in 0..<n {
            let scale = atol + rtol * abs(y[i])
            let difference = (probeSlope[i] - f0[i]) / scale
            curvature += difference * difference
        }
        curvature = (curvature / Double(n)).squareRoot() / h0
        let largest = Swift.max(curvature, slopeNorm)
        let h1 = largest <= 1e-15 ? Swift.max(1e-6, h0 * 1e-3) : pow(0.01 / largest, 1.0 / Double(order))
        return Swift.min(100 * h0, h1, maxStep)
    }
}
