// Bare `cblas_dgemm`/`cblas_sgemm` throughput on the two GEMM shapes of one SGD step, for the
// benchmark's "GEMM inside the step vs bare GEMM" ratio (bench/run.py, issue 7).
//
// Usage: GEMMBaseline B D RS [REPEATS]
// Prints one JSON object: for each precision and OpenBLAS thread count (1 and 2), the median
// over REPEATS (default 10) of the GFLOP/s of the pair `Z = X Wᵀ` (B×d · d×r_s) and
// `W ← βW + α Zᵀ X` (r_s×B · B×d), counting 2 flops per multiply-add. The operands are the
// same sizes as in `riccati sgd` and live in the same system OpenBLAS; nothing else runs.
import Foundation
import LinearAlgebra

func measure<Scalar: BinaryFloatingPoint>(
    _ type: Scalar.Type, b: Int, d: Int, rs: Int, repeats: Int,
    gemm: (Bool, Bool, Int, Int, Int, Scalar, UnsafePointer<Scalar>, Int, UnsafePointer<Scalar>, Int, Scalar, UnsafeMutablePointer<Scalar>, Int) -> Void
) -> Double {
    let x = UnsafeMutablePointer<Scalar>.allocate(capacity: b * d)
    let w = UnsafeMutablePointer<Scalar>.allocate(capacity: rs * d)
    let z = UnsafeMutablePointer<Scalar>.allocate(capacity: b * rs)
    defer { x.deallocate(); w.deallocate(); z.deallocate() }
    for index in 0..<(b * d) { x[index] = Scalar(Double((index * 7919) % 2001) / 1000 - 1) }
    for index in 0..<(rs * d) { w[index] = Scalar(Double((index * 104729) % 2001) / 1e5) }
    for index in 0..<(b * rs) { z[index] = 0 }
    let flops = 2.0 * 2.0 * Double(b * d * rs)
    var rates = [Double]()
    for attempt in 0...repeats {
        let start = DispatchTime.now().uptimeNanoseconds
        gemm(false, true, b, rs, d, 1, x, d, w, d, 0, z, rs)
        gemm(true, false, rs, d, b, -1e-6, z, rs, x, d, 1, w, d)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        if attempt > 0 { rates.append(flops / seconds / 1e9) }   // attempt 0 is the warm-up
    }
    rates.sort()
    return rates[rates.count / 2]
}

let arguments = CommandLine.arguments.dropFirst().map { Int($0) }
guard arguments.count >= 3, arguments.allSatisfy({ ($0 ?? 0) > 0 }) else {
    FileHandle.standardError.write(Data("usage: GEMMBaseline B D RS [REPEATS] (positive integers)\n".utf8))
    exit(2)
}
let (b, d, rs) = (arguments[0]!, arguments[1]!, arguments[2]!)
let repeats = arguments.count > 3 ? arguments[3]! : 10
var fields = [String]()
for threads in [1, 2] {
    BLAS.setThreadCount(threads)
    let double = measure(Double.self, b: b, d: d, rs: rs, repeats: repeats) {
        BLAS.gemm(transposeA: $0, transposeB: $1, m: $2, n: $3, k: $4, alpha: $5, a: $6, lda: $7, b: $8, ldb: $9, beta: $10, c: $11, ldc: $12)
    }
    let float = measure(Float.self, b: b, d: d, rs: rs, repeats: repeats) {
        BLAS.gemm(transposeA: $0, transposeB: $1, m: $2, n: $3, k: $4, alpha: $5, a: $6, lda: $7, b: $8, ldb: $9, beta: $10, c: $11, ldc: $12)
    }
    fields.append("\"dgemmThreads\(threads)\": \(double), \"sgemmThreads\(threads)\": \(float)")
}
print("{\"B\": \(b), \"d\": \(d), \"rs\": \(rs), \(fields.joined(separator: ", "))}")
