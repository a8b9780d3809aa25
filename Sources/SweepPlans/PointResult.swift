/// The file one task writes: its value, tagged with the plan and the point it belongs to.
struct PointResult<Value: Codable>: Codable {
    /// ``SweepPlan/identityArguments`` joined, so a result of another plan is not mistaken for this one's.
    var plan: [String]
    var toolVersion: String
    var index: Int
    var value: Value
}
