import ArgumentParser

struct ScalingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scaling",
        abstract: "Scaling laws: predictions, ODE sweeps and the SGD compute frontier.",
        subcommands: [ScalingPredict.self, ScalingSweepCommand.self, ScalingComputeCommand.self])
}
