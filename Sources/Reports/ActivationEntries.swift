import Riccati

extension Activation {
    /// The `config` entries naming this activation: `activation`, and `hermiteCoefficients` for a list.
    public var configurationEntries: [(String, JSONValue)] {
        [("activation", .string(name))] + (hermiteCoefficientList.map { [("hermiteCoefficients", JSONValue.numbers($0))] } ?? [])
    }
}
