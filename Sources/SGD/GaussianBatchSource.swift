import Dispatch
import Sampling

/// Draws a fresh `rows × columns` matrix of standard normals per call, in parallel, with a
/// **fixed block partition**: block `b` (rows `b·blockRows ..< (b+1)·blockRows`) always comes
/// from its own xoshiro256** stream (`stream(seed:index: firstStream + b)`), whichever thread
/// fills it. The result is therefore bit-identical for any thread count.
///
/// Each worker copies a block's generator into a local variable, fills the block and writes
/// the state back once; the saved states are 64 bytes apart, so two threads never write to
/// the same cache line (adjacent shared state made two threads slower than one in a prototype).
final class GaussianBatchSource<Scalar: SGDScalar> {
    let rows: Int
    let columns: Int
    let blockRows: Int
    let blockCount: Int
    let threadCount: Int
    /// Generator `b` lives at index `b * stride` (stride 2 × 32 bytes = one cache line).
    private let generators: UnsafeMutablePointer<Xoshiro256StarStar>
    private static var stride: Int { 2 }

    init(rows: Int, columns: Int, seed: UInt64, firstStream: Int, threadCount: Int, blockRows: Int = 16) {
        self.rows = rows
        self.columns = columns
        self.blockRows = blockRows
        blockCount = (rows + blockRows - 1) / blockRows
        self.threadCount = Swift.max(1, Swift.min(threadCount, blockCount))
        generators = .allocate(capacity: blockCount * Self.stride)
        for b in 0..<blockCount {
            let generator = Xoshiro256StarStar.stream(seed: seed, index: firstStream + b)
            (generators + b * Self.stride).initialize(to: generator)
            (generators + b * Self.stride + 1).initialize(to: generator)   // padding
        }
    }

    deinit {
        generators.deinitialize(count: blockCount * Self.stride)
        generators.deallocate()
    }

    /// The generator states, in block order (for checkpoints).
    var states: [Xoshiro256StarStar] { (0..<blockCount).map { generators[$0 * Self.stride] } }

    /// Restores the states saved by ``states`` (one per block).
    func restore(_ states: [Xoshiro256StarStar]) {
        precondition(states.count == blockCount, "restore needs one generator per block")
        for (block, state) in states.enumerated() { generators[block * Self.stride] = state }
    }

    /// Fills `output` (`rows × columns`, row-major).
    @_specialize(exported: true, where Scalar == Double)
    @_specialize(exported: true, where Scalar == Float)
    func fill(_ output: UnsafeMutablePointer<Scalar>) {
        let rows = rows, columns = columns, blockRows = blockRows, blockCount = blockCount
        let stride = Self.stride
        let workers = threadCount
        // Workers touch disjoint blocks of `output` and disjoint generator slots.
        let shared = SharedBuffers(output: output, generators: generators)
        let work: @Sendable (Int) -> Void = { worker in
            var block = worker
            while block < blockCount {
                var local = shared.generators[block * stride]
                let firstRow = block * blockRows
                let count = (Swift.min(rows, firstRow + blockRows) - firstRow) * columns
                Scalar.fillNormals(UnsafeMutableBufferPointer(start: shared.output + firstRow * columns, count: count), using: &local)
                shared.generators[block * stride] = local
                block += workers
            }
        }
        if workers == 1 {
            work(0)
        } else {
            DispatchQueue.concurrentPerform(iterations: workers, execute: work)
        }
    }
}

/// The two buffers the workers of ``GaussianBatchSource/fill(_:)`` write to; each worker owns
/// whole blocks of both, so sharing the pointers across threads is race-free.
private struct SharedBuffers<Scalar>: @unchecked Sendable {
    let output: UnsafeMutablePointer<Scalar>
    let generators: UnsafeMutablePointer<Xoshiro256StarStar>
}
