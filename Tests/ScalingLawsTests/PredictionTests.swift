import Foundation
import Riccati
import ScalingLaws
import Testing

@Suite struct PredictionTests {
    /// λ = (1, 0.5, 0.25), r_s = 2, d = 1000, σ0 = 1, by hand:
    /// T_1 = ln(500)/8 = 0.776826…, T_2 = ln(250)/4 = 1.380365…, T_3 = ln(125)/2 = 2.414156…;
    /// R_add = 2(1 + 0.25 + 0.0625) = 2.625 before T_1, 2(0.25 + 0.0625) = 0.625 on [T_1, T_2),
    /// and 2·0.0625 = 0.125 (the width floor, r_s = 2) from T_2 on, T_3 notwithstanding.
    @Test func threeDirectionsByHand() throws {
        let prediction = try ScalingPrediction(spectrum: try TeacherSpectrum([1, 0.5, 0.25]), studentWidth: 2, dimension: 1000, sigma0: 1)
        let expected = [0.7768260123027739, 1.3803652294655615, 2.4141568686511508]
        for (value, reference) in zip(prediction.escapeTimes, expected) { #expect(abs(value - reference) < 1e-15) }
        #expect(prediction.additiveRisk(at: 0.5) == 2.625)
        #expect(prediction.additiveRisk(at: 0.7768) == 2.625)
        #expect(prediction.additiveRisk(at: 0.77683) == 0.625)
        #expect(prediction.additiveRisk(at: 1.38) == 0.625)
        #expect(prediction.additiveRisk(at: 1.381) == 0.125)
        #expect(prediction.additiveRisk(at: 100) == 0.125)
        #expect(prediction.widthFloor == 0.125)
        #expect(prediction.learnedCount(at: 3) == 2)
        #expect(prediction.escapeTime(rank: 2) == expected[1])
        #expect(ScalingPrediction.asymptoticExponent(alpha: 1) == -1)
        #expect(abs(ScalingPrediction.asymptoticExponent(alpha: 1.5)! + 4.0 / 3) < 1e-15)
        // Below the noise level (λ d ≤ r_s σ0²) a direction never escapes.
        let noisy = try ScalingPrediction(spectrum: try TeacherSpectrum([1, 0.001]), studentWidth: 2, dimension: 1000, sigma0: 1)
        #expect(noisy.escapeTimes[1] == .infinity)
    }

    @Test func slopeFitRecoversAPowerLawExactly() throws {
        let x = (0..<50).map { pow(10, Double($0) / 10) }
        for exponent in [-1.0, -4.0 / 3, 0.5] {
            let y = x.map { 3.7 * pow($0, exponent) }
            #expect(abs(try PowerLawFit.slope(x: x, y: y) - exponent) < 1e-12)
            #expect(abs(try PowerLawFit.slope(x: x, y: y, window: 10...1000) - exponent) < 1e-12)
        }
        // A bent curve fits different slopes in different windows (the window matters).
        let bent = x.map { $0 < 100 ? pow($0, -1) : 100 * pow($0, -2) }
        #expect(abs(try PowerLawFit.slope(x: x, y: bent, window: 1...50) + 1) < 1e-12)
        #expect(abs(try PowerLawFit.slope(x: x, y: bent, window: 200...10000) + 2) < 1e-12)
        #expect(throws: RiccatiError.self) { try PowerLawFit.slope(x: x, y: bent, window: 2...2.1) }
        #expect(throws: RiccatiError.self) { try PowerLawFit.slope(x: [1, 2], y: [1]) }
    }
}
