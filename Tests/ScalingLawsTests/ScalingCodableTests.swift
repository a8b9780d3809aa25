import Foundation
import Riccati
import ScalingLaws
import Testing

@Suite struct ScalingCodableTests {
    /// Sweep points and frontiers survive JSON unchanged; a changed field is seen (negative control).
    @Test func sweepPointsAndFrontiersRoundTrip() throws {
        var sweep = ScalingSweep(alphas: [1], teacherWidths: [16], studentWidths: [16], dimensions: [1e6], seeds: [0])
        sweep.saveCount = 20
        let point = try #require(try sweep.run().first)
        let decoded = try JSONDecoder().decode(SweepPoint.self, from: try JSONEncoder().encode(point))
        #expect(decoded == point)
        var changed = point
        changed.risk[7] = changed.risk[7].nextUp
        #expect(decoded != changed)

        let c = (0..<30).map { pow(10, Double($0) / 5) }
        let frontier = try ComputeFrontier.envelope(of: [
            ComputeFrontier.Curve(studentWidth: 1, compute: c, risk: c.map { 10 * pow($0, -0.5) }),
            ComputeFrontier.Curve(studentWidth: 2, compute: c.map { 2 * $0 }, risk: c.map { 5 * pow($0, -0.7) }),
        ], gridCount: 40)
        let back = try JSONDecoder().decode(ComputeFrontier.self, from: try JSONEncoder().encode(frontier))
        #expect(back == frontier)
        var other = frontier
        other.envelopeWidth[0] = 3
        #expect(back != other)
    }
}
