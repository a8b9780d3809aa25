import Foundation

/// Work and speed of a run.
public struct SGDStatistics: Sendable, Equatable, Codable {
    public var steps = 0
    public var seconds = 0.0
    /// Wall time of the two GEMM phases; the first also computes the residuals of its rows
    /// (`O(B (r_s + r))`, under 1% of the GEMMs' work at the benchmark shapes).
    public var gemmSeconds = 0.0
    /// Wall time of drawing the batch `X` (`B·d` standard normals).
    public var rngSeconds = 0.0
    /// Multiply-adds of the GEMMs per step (`2·B·d·r_s` with the canonical teacher).
    public var gemmMultiplyAddsPerStep = 0.0
    public var stepsPerSecond: Double { seconds > 0 ? Double(steps) / seconds : 0 }
    /// GEMM throughput, counting 2 flops per multiply-add.
    public var gemmGflops: Double { gemmSeconds > 0 ? 2 * gemmMultiplyAddsPerStep * Double(steps) / gemmSeconds / 1e9 : 0 }
    public var samplesPerStep = 0

    public init() {}

    public var rngNanosPerSample: Double { steps > 0 && samplesPerStep > 0 ? rngSeconds * 1e9 / (Double(steps) * Double(samplesPerStep)) : 0 }
}
