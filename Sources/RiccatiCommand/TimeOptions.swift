import ArgumentParser
import Riccati

/// The final time and the save times, shared by the commands that integrate.
struct TimeOptions: ParsableArguments {
    @Option(name: .customLong("t-end"), help: "Final time T.")
    var finalTime: Double = 2000

    @Option(name: .customLong("save-at"), help: "Comma-separated save times in [0, T].")
    var saveAt: String?

    @Option(name: .customLong("save-count"), help: "Number of log-spaced save times (default 12).")
    var saveCount: Int?

    func resolveSaveTimes() throws(CommandFailure) -> [Double] {
        if saveAt != nil, saveCount != nil { throw .badInput("--save-at and --save-count conflict: give one of them") }
        guard finalTime.isFinite, finalTime > 0 else { throw .badInput("--t-end must be finite and > 0, got \(finalTime)") }
        if let list = saveAt {
            let times = try list.split(separator: ",", omittingEmptySubsequences: false).map { (item) throws(CommandFailure) -> Double in
                try parseReal(String(item), flag: "--save-at")
            }
            for (index, t) in times.enumerated() {
                guard t.isFinite, t >= 0, t <= finalTime else {
                    throw .badInput("--save-at: \(t) must be finite and lie in [0, --t-end = \(finalTime)]")
                }
                if index > 0, t <= times[index - 1] { throw .badInput("--save-at: times must be strictly increasing") }
            }
            return times
        }
        do {
            return try SaveTimes.logSpaced(count: saveCount ?? 12, finalTime: finalTime)
        } catch {
            throw CommandFailure(error, flags: ParameterFlags(["count": "--save-count"]))
        }
    }

}
