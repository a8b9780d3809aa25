/// Weighted vectors `w_j v_j` to add to a base vector in one pass over memory instead of one
/// pass per term: `output[i] = ((base[i] + w_0 v_0[i]) + w_1 v_1[i]) + …`, added in that order,
/// so the result is the same, bit for bit, as adding the terms one pass at a time.
struct WeightedTerms: @unchecked Sendable {
    let weights: UnsafePointer<Double>
    let vectors: UnsafePointer<UnsafePointer<Double>>
    let count: Int

    /// `output[range] = base[range] + Σ_j w_j v_j[range]`; `base == nil` starts from zero (and
    /// `0 + x = x` exactly). In chunks of at most four terms per pass.
    func accumulate(onto base: UnsafePointer<Double>?, into output: UnsafeMutablePointer<Double>, range: Range<Int>) {
        guard count > 0 else {
            if let base { (output + range.lowerBound).update(from: base + range.lowerBound, count: range.count) } else {
                (output + range.lowerBound).update(repeating: 0, count: range.count)
            }
            return
        }
        var first = 0
        var source = base
        while first < count {
            let chunk = Swift.min(4, count - first)
            Self.pass(source, weights + first, vectors + first, chunk, output, range)
            source = UnsafePointer(output)
            first += chunk
        }
    }

    private static func pass(_ source: UnsafePointer<Double>?, _ w: UnsafePointer<Double>, _ v: UnsafePointer<UnsafePointer<Double>>,
                             _ chunk: Int, _ output: UnsafeMutablePointer<Double>, _ range: Range<Int>) {
        switch (chunk, source) {
        case (1, let s?):
            let w0 = w[0], v0 = v[0]
            for i in range { output[i] = s[i] + w0 * v0[i] }
        case (2, let s?):
            let w0 = w[0], w1 = w[1], v0 = v[0], v1 = v[1]
            for i in range { output[i] = (s[i] + w0 * v0[i]) + w1 * v1[i] }
        case (3, let s?):
            let w0 = w[0], w1 = w[1], w2 = w[2], v0 = v[0], v1 = v[1], v2 = v[2]
            for i in range { output[i] = ((s[i] + w0 * v0[i]) + w1 * v1[i]) + w2 * v2[i] }
        case (_, let s?):
            let w0 = w[0], w1 = w[1], w2 = w[2], w3 = w[3], v0 = v[0], v1 = v[1], v2 = v[2], v3 = v[3]
            for i in range { output[i] = (((s[i] + w0 * v0[i]) + w1 * v1[i]) + w2 * v2[i]) + w3 * v3[i] }
        case (1, nil):
            let w0 = w[0], v0 = v[0]
            for i in range { output[i] = w0 * v0[i] }
        case (2, nil):
            let w0 = w[0], w1 = w[1], v0 = v[0], v1 = v[1]
            for i in range { output[i] = w0 * v0[i] + w1 * v1[i] }
        case (3, nil):
            let w0 = w[0], w1 = w[1], w2 = w[2], v0 = v[0], v1 = v[1], v2 = v[2]
            for i in range { output[i] = (w0 * v0[i] + w1 * v1[i]) + w2 * v2[i] }
        case (_, nil):
            let w0 = w[0], w1 = w[1], w2 = w[2], w3 = w[3], v0 = v[0], v1 = v[1], v2 = v[2], v3 = v[3]
            for i in range { output[i] = ((w0 * v0[i] + w1 * v1[i]) + w2 * v2[i]) + w3 * v3[i] }
        }
    }
}
