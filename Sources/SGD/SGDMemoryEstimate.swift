/// The memory a run of ``SGDSimulator`` needs, in bytes (array headers and the few scalars of
/// the simulator left out).
///
/// - **Working set**: the step's buffers in the run's precision — `W` (`r_s×d`), the batch `X`
///   (`B×d`), `Z = XWᵀ` (`B×r_s`) and, for a non-canonical teacher, `U = XΘᵀ` (`B×r`) and `Θ`
///   (`r×d`) — plus the label-noise draws (`B` doubles), the double-precision `W0` and `Θ` of
///   the set-up and, for a non-quadratic activation, `9·r_s` doubles of the step's scratch.
/// - **Recorded series**: per record the step and the time, `(M, P)` (`r_s·r + r_s²` doubles) and
///   the observables (the risk, the learned count, `r` optional alignments of 16 bytes each and
///   the `r_s` eigenvalues of `K`).
public struct SGDMemoryEstimate: Sendable, Equatable, Codable {
    /// Bytes of the step's buffers and the set-up's double-precision copies.
    public var workingBytes: Double
    /// Records counted (an upper bound: the save steps, step 0 and the last step).
    public var recordCount: Int
    /// Bytes of one record.
    public var bytesPerRecord: Double
    /// `recordCount · bytesPerRecord`.
    public var recordedBytes: Double { Double(recordCount) * bytesPerRecord }
    /// Working set plus recorded series.
    public var totalBytes: Double { workingBytes + recordedBytes }

    public init(workingBytes: Double, recordCount: Int, bytesPerRecord: Double) {
        self.workingBytes = workingBytes
        self.recordCount = recordCount
        self.bytesPerRecord = bytesPerRecord
    }
}

extension SGDConfiguration {
    /// The memory a run of this configuration needs in precision `Scalar` (`Double` by default)
    /// with `recordCount` records (by default ``saveSteps``'s count plus two, an upper bound:
    /// duplicates and the always-added steps `0` and ``steps`` are recorded once).
    /// Computed in floating point, so it never overflows, whatever the sizes.
    public func memoryEstimate<Scalar: SGDScalar>(precision: Scalar.Type = Double.self, recordCount: Int? = nil) -> SGDMemoryEstimate {
        let d = Double(dimension), rs = Double(studentWidth), r = Double(spectrum.count), b = Double(batchSize)
        let scalarBytes = Double(MemoryLayout<Scalar>.stride), doubleBytes = Double(MemoryLayout<Double>.stride)
        let canonical = teacher == .canonical
        let scalars = rs * d + b * d + b * rs + (canonical ? 0 : b * r + r * d)
        // A non-quadratic activation's step keeps 3 + 3·2 vectors of r_s doubles (norms, row factors, sums per worker).
        let doubles = b + rs * d + (canonical ? 0 : r * d) + (activation.isQuadratic ? 0 : 9 * rs)
        let records = recordCount ?? (saveSteps.count + 2)
        let doublesPerRecord = 2 + rs * r + rs * rs + 2 + 2 * r + rs
        return SGDMemoryEstimate(workingBytes: scalars * scalarBytes + doubles * doubleBytes, recordCount: records,
                                 bytesPerRecord: doublesPerRecord * doubleBytes)
    }
}

extension SGDConfiguration {
    /// The bytes a checkpoint needs while it is written (`--checkpoint`) or read back (`--resume`):
    /// the snapshot copies `W` into doubles, and encoding it (JSON of `r_s·d` numbers plus the
    /// file's bytes) peaked at about 3.9 times `W`'s doubles when measured; 5 copies of `W` are
    /// counted, plus the recorded series the snapshot carries, twice (snapshot and encoding).
    public func checkpointBytes(recordCount: Int? = nil) -> Double {
        let estimate = memoryEstimate(recordCount: recordCount)
        return 5 * Double(studentWidth) * Double(dimension) * 8 + 2 * estimate.recordedBytes
    }
}
