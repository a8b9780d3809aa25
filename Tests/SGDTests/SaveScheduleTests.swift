import Riccati
import SGD
import Testing

@Suite struct SaveScheduleTests {
    /// `η = 1/4`, `K = 100`, `T = 25` (all exact in binary, so every rounding case is exact).
    let eta = 0.25, steps = 100

    @Test func timesRoundToTheNearestStep() throws {
        let times = [0, 0.1, 0.125, 0.2, 0.375, 12.5, 25, 25 * (1 + 5e-13)]
        // 0.4 → 0; 0.5 → 1 (halfway, away from zero); 0.8 → 1; 1.5 → 2; 50; 100; just above T → capped at K.
        #expect(try SGDSaveSchedule.times(times).saveSteps(learningRate: eta, steps: steps) == [0, 0, 1, 1, 2, 50, 100, 100])
        // Off the grid a time moves by at most η/2: at t = η(k + 0.4999) and η(k + 0.9) the largest
        // shift is 0.4999η, while a floor rule would move the second kind by 0.9η (negative control).
        let offGrid = (0..<100).flatMap { [eta * (Double($0) + 0.4999), eta * (Double($0) + 0.9)] }
        let recorded = try SGDSaveSchedule.times(offGrid).saveSteps(learningRate: eta, steps: steps)
        let shift = zip(offGrid, recorded).map { abs($0 - eta * Double($1)) }.max() ?? 0
        #expect(shift <= eta / 2 && shift > 0.49 * eta, "largest shift \(shift)")
        let floorShift = offGrid.map { $0 - eta * ($0 / eta).rounded(.down) }.max() ?? 0
        #expect(floorShift > 0.89 * eta)
    }

    @Test func timesOutsideTheRunAreRefused() throws {
        for bad in [-0.1, 25.01, .nan, .infinity] {
            #expect(throws: SGDError.invalidParameter(name: "saveTimes", value: "\(bad)", reason: "must lie in [0, T = η·steps = 25.0]")) {
                try SGDSaveSchedule.times([1, bad]).saveSteps(learningRate: eta, steps: steps)
            }
        }
        #expect(throws: SGDError.invalidParameter(name: "saveCount", value: "0", reason: "must lie in [1, 100000]")) {
            try SGDSaveSchedule.uniform(count: 0).saveSteps(learningRate: eta, steps: steps)
        }
        #expect(throws: SGDError.self) { try SGDSaveSchedule.logSpaced(count: 100_001).saveSteps(learningRate: eta, steps: steps) }
        #expect(throws: SGDError.invalidParameter(name: "learningRate", value: "0.0", reason: "must be finite and > 0")) {
            try SGDSaveSchedule.times([0]).saveSteps(learningRate: 0, steps: steps)
        }
        // Negative control: the ends of [0, T] are accepted.
        #expect(try SGDSaveSchedule.times([0, 25]).saveSteps(learningRate: eta, steps: steps) == [0, 100])
    }

    @Test func uniformAndLogSpacedCounts() throws {
        // round(j·10/4): 2.5 → 3 and 7.5 → 8.
        #expect(try SGDSaveSchedule.uniform(count: 4).saveSteps(learningRate: eta, steps: 10) == [0, 3, 5, 8, 10])
        // T·10^{-4}, T·10^{-2}, T = 0.0025, 0.25, 25 → steps 0, 1, 100.
        #expect(try SGDSaveSchedule.logSpaced(count: 3).saveSteps(learningRate: eta, steps: steps) == [0, 1, 100])
    }

    /// Two times that round to the same step are recorded once by the run.
    @Test func duplicateStepsAreRecordedOnce() throws {
        var configuration = try smallConfiguration(lr: eta, steps: 4)
        configuration.saveSteps = try configuration.saveSteps(for: .times([0.125, 0.2, 0.75]))
        #expect(configuration.saveSteps == [1, 1, 3])
        let result = try SGDSimulator<Double>(configuration: configuration).run()
        #expect(result.steps == [0, 1, 3, 4])
        #expect(result.times == [0, 0.25, 0.75, 1])
    }
}
