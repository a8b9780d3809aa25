import Riccati

extension ScalingSweep {
    /// The bytes a ``run(shouldStop:)`` holds at its peak: `min(jobs, points)` grid points are
    /// integrated at once, each as one exact-propagator solve (dopri5 for a non-quadratic
    /// ``activation``) of its widths with ``saveCount``
    /// saves (`OverlapProblem.memoryEstimate(studentWidth:teacherWidth:saveCount:method:)`, the
    /// largest widths counted for every worker), and every point keeps three curves of
    /// ``saveCount`` values.
    public var memoryEstimate: Double {
        let points = Double(alphas.count) * Double(teacherWidths.count) * Double(studentWidths.count) * Double(dimensions.count) * Double(seeds.count)
        let workers = Swift.min(Double(jobs), points)
        let perPoint = OverlapProblem.memoryEstimate(studentWidth: studentWidths.max() ?? 1, teacherWidth: teacherWidths.max() ?? 1,
                                                     saveCount: saveCount,
                                                     method: activation.isQuadratic ? .exact(ExactPropagatorOptions()) : .dormandPrince(flowOptions))
        return workers * perPoint + points * (3 * Double(saveCount) + 16) * 8
    }
}
