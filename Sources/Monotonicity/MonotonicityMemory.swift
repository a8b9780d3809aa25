import Riccati

extension ComparisonPrinciple {
    /// The bytes `riccati monotonicity` computes with at its peak, for widths `r_s`, `r` and `T`
    /// save times (the reports come on top):
    ///
    /// - four solutions (lower and upper trajectory, exact propagator and Dormand–Prince), each
    ///   counted as a Dormand–Prince solve (the larger workspace);
    /// - `G` (`r×r`) at every save time for the time analysis and the sandwich check (one of them
    ///   at a time) and both trajectories' `G` in the comparison: `3·T·r²` doubles, plus the Loewner
    ///   comparisons' differences, eigensolver copies and workspaces, `8r² + 64r`;
    /// - the entry trends: `r(r+1)/2` entries of `G`, each with its `T` values and turning points
    ///   (`3T + 8` doubles).
    public static func memoryEstimate(studentWidth rs: Int, teacherWidth r: Int, saveCount: Int) -> Double {
        let t = Double(saveCount), rr = Double(r)
        let solves = 4 * OverlapProblem.memoryEstimate(studentWidth: rs, teacherWidth: r, saveCount: saveCount,
                                                       method: .dormandPrince(DormandPrinceOptions()))
        let grams = 8 * (3 * t * rr * rr + 8 * rr * rr + 64 * rr)
        let entries = 8 * (rr * (rr + 1) / 2) * (3 * t + 8)
        return solves + grams + entries
    }
}
