import SGD
import Reports

/// A run of `riccati sgd` that can resume, checkpoint and be interrupted.
func runSGD(_ configuration: SGDConfiguration, precision: ArithmeticPrecision, progress: ((SGDProgress) -> Void)?,
            resume snapshot: SGDSnapshot?, checkpointEvery: Int?, checkpoint: ((SGDSnapshot) throws -> Void)?,
            shouldStop: @escaping () -> Bool) throws(SGDError) -> SGDResult {
    func go<Scalar: SGDScalar>(_ simulator: SGDSimulator<Scalar>) throws(SGDError) -> SGDResult {
        if let snapshot { try simulator.restore(snapshot) }
        return try simulator.run(progress: progress, checkpointEvery: checkpointEvery, checkpoint: checkpoint, shouldStop: shouldStop)
    }
    switch precision {
    case .double: return try go(SGDSimulator<Double>(configuration: configuration))
    case .float: return try go(SGDSimulator<Float>(configuration: configuration))
    }
}
