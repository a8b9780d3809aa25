/// An ``IntegrationMethod`` encodes as `{"name": …}` with the method's parameters beside it:
/// `step` for `rk4`, `options` for `dopri5` and `exact`.
extension IntegrationMethod: Codable {
    private enum CodingKeys: String, CodingKey { case name, step, options }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let name = try container.decode(String.self, forKey: .name)
        switch name {
        case "rk4": self = .rungeKutta4(step: try container.decode(Double.self, forKey: .step))
        case "dopri5": self = .dormandPrince(try container.decode(DormandPrinceOptions.self, forKey: .options))
        case "exact": self = .exact(try container.decode(ExactPropagatorOptions.self, forKey: .options))
        default:
            throw DecodingError.dataCorruptedError(forKey: .name, in: container, debugDescription: "unknown integration method \(name)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        switch self {
        case .rungeKutta4(let step): try container.encode(step, forKey: .step)
        case .dormandPrince(let options): try container.encode(options, forKey: .options)
        case .exact(let options): try container.encode(options, forKey: .options)
        }
    }
}
