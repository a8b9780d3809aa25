/// The stabilised method `auto` switches to (``AutomaticMethodOptions/stabilizedMethod``).
public enum StabilizedMethod: String, Sendable, Equatable, Codable, CaseIterable {
    case rock2, rock4
}

extension StabilizedMethod {
    var tableau: StabilizedTableau {
        switch self {
        case .rock2: return .rock2
        case .rock4: return .rock4
        }
    }
}
