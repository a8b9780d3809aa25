/// A dense, C-ordered (row-major) array of `Double` values as stored in a
/// `.npy` file with dtype `'<f8'`.
///
/// Conventions:
/// - `shape` lists the extent of each dimension, outermost first (C order):
///   element `[i, j]` of a `(rows, cols)` array is `values[i * cols + j]`.
/// - `shape == []` is a 0-dimensional scalar holding exactly one value;
///   `shape == [0]` (or any shape containing a zero) holds no values.
/// - `values.count` must equal the product of `shape`. The initializer enforces
///   this; because both properties are mutable, code that edits them directly is
///   responsible for keeping them in sync (``isConsistent`` checks it, and
///   ``NPY/write(_:to:)`` refuses an inconsistent array).
/// - Any `Double` bit pattern is allowed, including NaN payloads, signed zeros,
///   subnormals and infinities. Validating finiteness is the caller's job.
/// - Equality (`==`) is *bitwise*: two arrays are equal when their shapes are
///   equal and their values have identical IEEE-754 bit patterns. Hence an array
///   containing NaN equals itself, and `0.0` differs from `-0.0`. This matches
///   "the two arrays would be written as the same file".
public struct NPYArray: Equatable, Sendable {
    /// Extent of each dimension in C (row-major) order; `[]` denotes a scalar.
    /// Every entry must be non-negative.
    public var shape: [Int]

    /// The elements in C (row-major) order. `values.count` must equal
    /// `shape.reduce(1, *)` (1 for a scalar).
    public var values: [Double]

    /// Creates an array after checking that `values.count` equals the product of
    /// `shape`.
    ///
    /// - Throws: ``NPYError/shapeMismatch(shape:valueCount:)`` when a dimension is
    ///   negative, when the product of `shape` overflows `Int`, or when it differs
    ///   from `values.count`.
    public init(shape: [Int], values: [Double]) throws(NPYError) {
        guard NPYArray.elementCount(of: shape) == values.count else {
            throw NPYError.shapeMismatch(shape: shape, valueCount: values.count)
        }
        self.shape = shape
        self.values = values
    }

    /// Creates an array without validation; callers must have checked the shape.
    init(validatedShape shape: [Int], values: [Double]) {
        self.shape = shape
        self.values = values
    }

    /// Number of dimensions (`shape.count`); 0 for a scalar.
    public var ndim: Int { shape.count }

    /// `true` when every dimension is non-negative and `values.count` equals the
    /// product of `shape` (which is what ``init(shape:values:)`` guarantees).
    public var isConsistent: Bool {
        NPYArray.elementCount(of: shape) == values.count
    }

    /// Bitwise equality: equal shapes and identical IEEE-754 bit patterns for
    /// every value (so NaN == NaN when the payloads match, and 0.0 != -0.0).
    public static func == (lhs: NPYArray, rhs: NPYArray) -> Bool {
        guard lhs.shape == rhs.shape, lhs.values.count == rhs.values.count else { return false }
        for i in lhs.values.indices where lhs.values[i].bitPattern != rhs.values[i].bitPattern {
            return false
        }
        return true
    }

    /// Product of `shape` (1 for `[]`), or `nil` if a dimension is negative or the
    /// product overflows `Int`. A zero dimension makes the product 0 regardless of
    /// the other (possibly huge) dimensions, as in NumPy.
    static func elementCount(of shape: [Int]) -> Int? {
        if shape.contains(where: { $0 < 0 }) { return nil }
        if shape.contains(0) { return 0 }
        var product = 1
        for dimension in shape {
            let (next, overflow) = product.multipliedReportingOverflow(by: dimension)
            if overflow { return nil }
            product = next
        }
        return product
    }
}
