import LinearAlgebra

/// `{"values": [λ_1, …]}`; decoding validates like ``TeacherSpectrum/init(_:)``.
extension TeacherSpectrum: Codable {
    private enum CodingKeys: String, CodingKey { case values }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(try container.decode([Double].self, forKey: .values))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(values, forKey: .values)
    }
}

/// `{"overlap": M, "orthogonalGram": P}`; decoding validates shapes, finiteness and the symmetry
/// of `P` like ``OverlapState/init(overlap:orthogonalGram:)`` (not `P ⪰ 0`, which a saved state
/// of a run that failed need not satisfy).
extension OverlapState: Codable {
    private enum CodingKeys: String, CodingKey { case overlap, orthogonalGram }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(overlap: try container.decode(Matrix.self, forKey: .overlap),
                      orthogonalGram: try container.decode(Matrix.self, forKey: .orthogonalGram))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(overlap, forKey: .overlap)
        try container.encode(orthogonalGram, forKey: .orthogonalGram)
    }
}
