import LinearAlgebra
import NumPyFormat
import Riccati

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

    /// The `T×r×r` stack of `G = MᵀM` of `states`, formed one slice at a time straight into the
    /// array (no `r×r` matrix per state is held besides the array itself).
    public static func signalGrams(_ name: String, _ states: [OverlapState], teacherWidth r: Int) throws(ReportError) -> NamedArray {
        var values = [Double](repeating: 0, count: states.count * r * r)
        values.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            for (index, state) in states.enumerated() where state.teacherWidth == r {
                state.overlap.storage.withUnsafeBufferPointer { m in
                    guard let mBase = m.baseAddress else { return }
                    BLAS.syrkUpper(transpose: true, n: r, k: state.studentWidth, alpha: 1, a: mBase, lda: r, beta: 0,
                                   c: base + index * r * r, ldc: r)
                    BLAS.mirrorUpperToLower(base + index * r * r, n: r, ldc: r)
                }
            }
        }
        guard states.allSatisfy({ $0.teacherWidth == r }) else {
            throw .inconsistentArray(name: name, reason: "a state has a teacher width other than r = \(r)")
        }
        return try NamedArray(name, shape: [states.count, r, r], values)
    }
}
