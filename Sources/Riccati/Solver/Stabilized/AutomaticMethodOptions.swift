/// Options of ``IntegrationMethod/automatic(_:)``: dopri5 while the problem is not stiff, a
/// stabilised method (ROCK2 or ROCK4) while dopri5's steps are bound by its stability.
///
/// Both methods run with the same tolerances, maximum step and step budget (each may attempt up
/// to ``maxSteps`` steps).
public struct AutomaticMethodOptions: Sendable, Equatable, Codable {
    public var relativeTolerance: Double = 1e-6
    public var absoluteTolerance: Double = 1e-9
    /// Largest step; `nil` means the whole interval.
    public var maxStep: Double? = nil
    /// Maximum number of attempted steps of each method.
    public var maxSteps: Int = 100_000
    /// The stabilised method; `nil` chooses ROCK4 for `relativeTolerance ≤ 1e-5` and ROCK2 above
    /// (see *Choosing an integrator* for the measurements behind the threshold).
    public var stabilizedMethod: StabilizedMethod? = nil

    public init(relativeTolerance: Double = 1e-6, absoluteTolerance: Double = 1e-9) {
        self.relativeTolerance = relativeTolerance
        self.absoluteTolerance = absoluteTolerance
    }

    /// The stabilised method used: ``stabilizedMethod`` or the choice by tolerance.
    public var resolvedStabilizedMethod: StabilizedMethod {
        stabilizedMethod ?? (relativeTolerance <= 1e-5 ? .rock4 : .rock2)
    }

    /// dopri5's options: these tolerances, maximum step and budget.
    var dormandPrinceOptions: AdaptiveStepOptions {
        var options = AdaptiveStepOptions(relativeTolerance: relativeTolerance, absoluteTolerance: absoluteTolerance)
        options.maxStep = maxStep
        options.maxSteps = maxSteps
        return options
    }

    /// The stabilised method's options: the same tolerances, maximum step and budget.
    var stabilizedOptions: StabilizedStepOptions {
        var options = StabilizedStepOptions(relativeTolerance: relativeTolerance, absoluteTolerance: absoluteTolerance)
        options.maxStep = maxStep
        options.maxSteps = maxSteps
        return options
    }

    func validate() throws(RiccatiError) {
        try dormandPrinceOptions.validate()
        let tableau = resolvedStabilizedMethod.tableau
        try stabilizedOptions.validate(largestStages: tableau.maximumStages, smallestStages: tableau.minimumStages)
    }
}
