import LinearAlgebra
import NumPyFormat

/// One output array and its file name (without `.npy`).
public struct NamedArray: Sendable {
    public var name: String
    public var array: NPYArray

    /// Any shape; `values` in C order.
    public init(_ name: String, shape: [Int], _ values: [Double]) throws(ReportError) {
        self.name = name
        do {
            array = try NPYArray(shape: shape, values: values)
        } catch {
            throw .inconsistentArray(name: name, reason: "\(error)")
        }
    }

    /// A 1-D array.
    public static func vector(_ name: String, _ values: [Double]) throws(ReportError) -> NamedArray {
        try NamedArray(name, shape: [values.count], values)
    }

    /// A 0-dimensional array, shape `()`.
    public static func scalar(_ name: String, _ value: Double) throws(ReportError) -> NamedArray {
        try NamedArray(name, shape: [], [value])
    }

    /// A `T×columns` array from rows; `nil` entries become NaN.
    public static func rows(_ name: String, _ rows: [[Double?]], columns: Int) throws(ReportError) -> NamedArray {
        try NamedArray(name, shape: [rows.count, columns], rows.flatMap { row in row.map { $0 ?? .nan } })
    }

    /// A `T×rows×columns` stack of matrices (row-major, so each slice is the matrix itself).
    public static func stack(_ name: String, _ matrices: [Matrix], rows: Int, columns: Int) throws(ReportError) -> NamedArray {
        try NamedArray(name, shape: [matrices.count, rows, columns], matrices.flatMap(\.storage))
    }
}
