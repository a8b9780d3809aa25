/// An ``IntegrationMethod`` encodes as `{"kind": …}` with the method's parameters beside it:
/// `step` for `rk4`, `options` for `dopri5`, `dop853`, `exact`, `rock2`, `rock4` and `auto`, and for a user's tableau
/// (`tableau`) the whole ``ButcherTableau`` with its `step` or `options`.
extension IntegrationMethod: Codable {
    private enum CodingKeys: String, CodingKey { case kind, step, options, tableau }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let kind = try container.decode(String.self, forKey: .kind)
        switch kind {
        case "rk4": self = .rungeKutta4(step: try container.decode(Double.self, forKey: .step))
        case "dopri5": self = .dormandPrince(try container.decode(AdaptiveStepOptions.self, forKey: .options))
        case "dop853": self = .dormandPrince853(try container.decode(AdaptiveStepOptions.self, forKey: .options))
        case "tableau":
            self = .rungeKutta(try container.decode(ButcherTableau.self, forKey: .tableau),
                               step: try container.decodeIfPresent(Double.self, forKey: .step),
                               options: try container.decode(AdaptiveStepOptions.self, forKey: .options))
        case "exact": self = .exact(try container.decode(ExactPropagatorOptions.self, forKey: .options))
        case "rock2": self = .rock2(try container.decode(StabilizedStepOptions.self, forKey: .options))
        case "rock4": self = .rock4(try container.decode(StabilizedStepOptions.self, forKey: .options))
        case "auto": self = .automatic(try container.decode(AutomaticMethodOptions.self, forKey: .options))
        default:
            throw DecodingError.dataCorruptedError(forKey: .kind, in: container, debugDescription: "unknown integration method \(kind)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .rungeKutta4(let step):
            try container.encode("rk4", forKey: .kind)
            try container.encode(step, forKey: .step)
        case .dormandPrince(let options):
            try container.encode("dopri5", forKey: .kind)
            try container.encode(options, forKey: .options)
        case .dormandPrince853(let options):
            try container.encode("dop853", forKey: .kind)
            try container.encode(options, forKey: .options)
        case .rungeKutta(let tableau, let step, let options):
            try container.encode("tableau", forKey: .kind)
            try container.encode(tableau, forKey: .tableau)
            try container.encodeIfPresent(step, forKey: .step)
            try container.encode(options, forKey: .options)
        case .exact(let options):
            try container.encode("exact", forKey: .kind)
            try container.encode(options, forKey: .options)
        case .rock2(let options), .rock4(let options):
            try container.encode(name, forKey: .kind)
            try container.encode(options, forKey: .options)
        case .automatic(let options):
            try container.encode("auto", forKey: .kind)
            try container.encode(options, forKey: .options)
        }
    }
}
