/// A dense matrix of `Double` stored in **row-major** order.
///
/// Element `(i, j)` (zero-based) lives at `storage[i * columns + j]`. This is the layout of a
/// C-order NumPy array, so `.npy` files map onto it without a transpose. All BLAS calls in this
/// module pass `CblasRowMajor` (or, for symmetric LAPACK routines, use the fact that a
/// symmetric matrix is its own transpose).
///
/// `Matrix` is a value type with copy-on-write storage. Hot loops should not create matrices:
/// allocate them once and pass them as `inout` outputs to the `into:` variants of the routines.
public struct Matrix: Equatable, Sendable, CustomStringConvertible {
    public private(set) var rows: Int
    public private(set) var columns: Int
    /// Row-major elements, `rows * columns` of them.
    public var storage: [Double]

    /// A `rows × columns` matrix filled with `value` (zero by default).
    public init(rows: Int, columns: Int, repeating value: Double = 0) {
        precondition(rows >= 0 && columns >= 0, "Matrix dimensions must be non-negative")
        self.rows = rows
        self.columns = columns
        self.storage = [Double](repeating: value, count: rows * columns)
    }

    /// A matrix from row-major elements. Throws when `storage.count != rows * columns`.
    public init(rows: Int, columns: Int, storage: [Double]) throws(LinearAlgebraError) {
        guard rows >= 0, columns >= 0 else {
            throw .invalidArgument("matrix dimensions must be non-negative, got \(rows)×\(columns)")
        }
        guard storage.count == rows * columns else {
            throw .dimensionMismatch("\(storage.count) elements cannot form a \(rows)×\(columns) matrix")
        }
        self.rows = rows
        self.columns = columns
        self.storage = storage
    }

    /// A matrix from an array of rows. Throws on ragged input.
    public init(_ rowArrays: [[Double]]) throws(LinearAlgebraError) {
        let columnCount = rowArrays.first?.count ?? 0
        var elements = [Double]()
        elements.reserveCapacity(rowArrays.count * columnCount)
        for (index, row) in rowArrays.enumerated() {
            guard row.count == columnCount else {
                throw .dimensionMismatch("row \(index) has \(row.count) entries, expected \(columnCount)")
            }
            elements.append(contentsOf: row)
        }
        try self.init(rows: rowArrays.count, columns: columnCount, storage: elements)
    }

    /// The `n × n` identity.
    public static func identity(_ n: Int) -> Matrix {
        var result = Matrix(rows: n, columns: n)
        for i in 0..<n { result.storage[i * n + i] = 1 }
        return result
    }

    /// A square diagonal matrix with `diagonal` on its diagonal.
    public static func diagonal(_ diagonal: [Double]) -> Matrix {
        let n = diagonal.count
        var result = Matrix(rows: n, columns: n)
        for i in 0..<n { result.storage[i * n + i] = diagonal[i] }
        return result
    }

    public var isSquare: Bool { rows == columns }
    public var count: Int { storage.count }

    @inlinable
    public subscript(row: Int, column: Int) -> Double {
        get { storage[row * columns + column] }
        set { storage[row * columns + column] = newValue }
    }

    /// The diagonal entries `A_ii`, `i < min(rows, columns)`.
    public var diagonalEntries: [Double] {
        (0..<Swift.min(rows, columns)).map { storage[$0 * columns + $0] }
    }

    /// `tr A` (square matrices).
    public var trace: Double {
        var sum = 0.0
        for i in 0..<Swift.min(rows, columns) { sum += storage[i * columns + i] }
        return sum
    }

    /// The transpose `Aᵀ` (a copy).
    public var transposed: Matrix {
        var result = Matrix(rows: columns, columns: rows)
        for i in 0..<rows {
            for j in 0..<columns { result.storage[j * rows + i] = storage[i * columns + j] }
        }
        return result
    }

    /// Frobenius norm `‖A‖_F`, computed with scaling so that it neither overflows nor underflows.
    public var frobeniusNorm: Double { LinearAlgebra.euclideanNorm(storage) }

    /// `max |A_ij|`.
    public var maxAbs: Double { storage.reduce(0) { Swift.max($0, abs($1)) } }

    /// `true` when every entry is finite.
    public var isFinite: Bool { storage.allSatisfy { $0.isFinite } }

    /// Largest `|A_ij − A_ji|`.
    public var asymmetry: Double {
        guard isSquare else { return .infinity }
        var worst = 0.0
        for i in 0..<rows {
            for j in (i + 1)..<Swift.max(i + 1, columns) {
                worst = Swift.max(worst, abs(storage[i * columns + j] - storage[j * columns + i]))
            }
        }
        return worst
    }

    /// Replaces `A` by `(A + Aᵀ)/2` (square matrices only).
    public mutating func symmetrize() {
        precondition(isSquare, "symmetrize() needs a square matrix")
        let n = rows
        storage.withUnsafeMutableBufferPointer { a in
            for i in 0..<n {
                for j in (i + 1)..<Swift.max(i + 1, n) {
                    let mean = 0.5 * (a[i * n + j] + a[j * n + i])
                    a[i * n + j] = mean
                    a[j * n + i] = mean
                }
            }
        }
    }

    /// Copies the upper triangle onto the lower one (square matrices only). Used after SYRK,
    /// which only writes one triangle.
    public mutating func fillLowerFromUpper() {
        precondition(isSquare, "fillLowerFromUpper() needs a square matrix")
        let n = rows
        storage.withUnsafeMutableBufferPointer { a in
            for i in 0..<n { for j in 0..<i { a[i * n + j] = a[j * n + i] } }
        }
    }

    public static func + (lhs: Matrix, rhs: Matrix) -> Matrix {
        precondition(lhs.rows == rhs.rows && lhs.columns == rhs.columns, "shape mismatch in +")
        var result = lhs
        for k in 0..<result.storage.count { result.storage[k] += rhs.storage[k] }
        return result
    }

    public static func - (lhs: Matrix, rhs: Matrix) -> Matrix {
        precondition(lhs.rows == rhs.rows && lhs.columns == rhs.columns, "shape mismatch in -")
        var result = lhs
        for k in 0..<result.storage.count { result.storage[k] -= rhs.storage[k] }
        return result
    }

    public static func * (scalar: Double, matrix: Matrix) -> Matrix {
        var result = matrix
        for k in 0..<result.storage.count { result.storage[k] *= scalar }
        return result
    }

    public var description: String {
        var lines = ["Matrix \(rows)×\(columns)"]
        for i in 0..<Swift.min(rows, 8) {
            let shown = (0..<Swift.min(columns, 8)).map { String(format: "% .6e", self[i, $0]) }
            lines.append("  " + shown.joined(separator: " ") + (columns > 8 ? " …" : ""))
        }
        if rows > 8 { lines.append("  …") }
        return lines.joined(separator: "\n")
    }
}

import Foundation

/// Namespace for the free functions of the linear-algebra layer.
public enum LinearAlgebra {
    /// Euclidean norm of a vector with LAPACK-style scaling (no overflow/underflow).
    public static func euclideanNorm(_ values: [Double]) -> Double {
        var scale = 0.0
        var sumOfSquares = 1.0
        for value in values where value != 0 {
            let magnitude = abs(value)
            if scale < magnitude {
                sumOfSquares = 1 + sumOfSquares * (scale / magnitude) * (scale / magnitude)
                scale = magnitude
            } else {
                sumOfSquares += (magnitude / scale) * (magnitude / scale)
            }
        }
        return scale * sumOfSquares.squareRoot()
    }
}
