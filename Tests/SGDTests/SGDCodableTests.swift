import Foundation
import Riccati
@testable import SGD
import Testing

@Suite struct SGDCodableTests {
    /// A run's result survives JSON: decoded equal, observables recomputed to the same bits.
    /// Negative control: one changed entry of one recorded `M` is seen (states and risk differ).
    @Test func resultRoundTrips() throws {
        var configuration = try smallConfiguration(lr: 0.01, steps: 20)
        configuration.saveSteps = [5, 10]
        let result = try SGDSimulator<Double>(configuration: configuration).run()
        let data = try JSONEncoder().encode(result)
        let decoded = try JSONDecoder().decode(SGDResult.self, from: data)
        #expect(decoded == result)
        #expect(decoded.risk == result.risk)
        // Change M_11 of the second record.
        var json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var states = try #require(json["states"] as? [[String: Any]])
        var overlap = try #require(states[1]["overlap"] as? [String: Any])
        var entries = try #require(overlap["entries"] as? [Double])
        entries[0] += 1e-3
        overlap["entries"] = entries
        states[1]["overlap"] = overlap
        json["states"] = states
        let mutated = try JSONDecoder().decode(SGDResult.self, from: try JSONSerialization.data(withJSONObject: json))
        #expect(mutated != result)
        #expect(mutated.risk[1] != result.risk[1] && mutated.risk[0] == result.risk[0])
        // An asymmetric P is refused on decoding.
        var bad = json
        var badStates = states
        var gram = try #require(badStates[0]["orthogonalGram"] as? [String: Any])
        var gramEntries = try #require(gram["entries"] as? [Double])
        gramEntries[1] += 1
        gram["entries"] = gramEntries
        badStates[0]["orthogonalGram"] = gram
        bad["states"] = badStates
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(SGDResult.self, from: try JSONSerialization.data(withJSONObject: bad)) }
    }

    @Test func sweepEstimateAndScheduleRoundTrip() throws {
        let sweep = LearningRateSweep(points: [
            .init(learningRate: 0.01, maxRelativeDeviations: [0.03, 0.05], seeds: [1, 2]),
            .init(learningRate: 0.02, maxRelativeDeviations: [0.07, 0.11], seeds: [1, 2]),
        ])
        let decoded = try JSONDecoder().decode(LearningRateSweep.self, from: try JSONEncoder().encode(sweep))
        #expect(decoded == sweep)
        var changed = sweep
        changed.points[1].seeds[0] = 3
        #expect(decoded != changed)
        let estimate = try smallConfiguration().memoryEstimate()
        #expect(try JSONDecoder().decode(SGDMemoryEstimate.self, from: try JSONEncoder().encode(estimate)) == estimate)
        for schedule in [SGDSaveSchedule.times([0, 0.5]), .logSpaced(count: 7), .uniform(count: 3)] {
            let back = try JSONDecoder().decode(SGDSaveSchedule.self, from: try JSONEncoder().encode(schedule))
            #expect(back == schedule)
            #expect(back != .uniform(count: 4))
        }
    }
}
