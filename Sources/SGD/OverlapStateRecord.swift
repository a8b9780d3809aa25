import LinearAlgebra
import Riccati

/// The encoded form of an ``OverlapState``: `M` and `P` as shape and row-major entries.
/// (The `Riccati` module's states are not `Codable` yet; this keeps the SGD results' format
/// independent of whether they become so.)
struct OverlapStateRecord: Codable, Equatable {
    struct MatrixRecord: Codable, Equatable {
        var rows: Int
        var columns: Int
        var entries: [Double]

        init(_ matrix: Matrix) {
            rows = matrix.rows
            columns = matrix.columns
            entries = matrix.storage
        }

        func matrix() throws -> Matrix {
            do {
                return try Matrix(rows: rows, columns: columns, storage: entries)
            } catch {
                throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "a \(rows)×\(columns) matrix with \(entries.count) entries: \(error)"))
            }
        }
    }

    var overlap: MatrixRecord
    var orthogonalGram: MatrixRecord

    init(_ state: OverlapState) {
        overlap = MatrixRecord(state.overlap)
        orthogonalGram = MatrixRecord(state.orthogonalGram)
    }

    /// The state, validated as ``OverlapState/init(overlap:orthogonalGram:)`` validates it.
    func state() throws -> OverlapState {
        let m = try overlap.matrix(), p = try orthogonalGram.matrix()
        do {
            return try OverlapState(overlap: m, orthogonalGram: p)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "an invalid (M, P): \(error)"))
        }
    }
}
