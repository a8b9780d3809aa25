import Dispatch
import Foundation
import Riccati

/// A grid of scaling experiments integrated with the exact propagator (the quadratic model) or, for
/// another ``activation``, with dopri5 on its general-activation flow.
///
/// **Other activations.** With a non-quadratic ``activation`` each point integrates
/// `GeneralActivationFlow` (Riccati) with dopri5 (``flowOptions``) and locates its own escape times; the
/// fit window is `[T_a, T_b]` of those located times (the additive model and its escape-time
/// predictions hold for `He₂` only, so ``SweepPoint/riskAdditive`` is empty and
/// ``SweepPoint/additiveSlope`` `nil`), and ``finalTime`` must be given. The asymptotic slope
/// `(1 − 2α)/α` is still reported: it is the quadratic prediction the paper compares ReLU with.
///
/// **Window.** By default the slopes are fitted over `[T_3, T_k]`, `k = ⌊min(r, r_s)/4⌋`, the
/// predicted escape times of the 3rd and `k`-th largest directions (`[T_3, T_16]` for
/// `r = r_s = 64`): late enough that the first escapes are over, early enough that the width
/// floor is not yet felt. When `k ≤ 3` or a `T` is infinite the window is undefined and the
/// slopes are `nil`. `ranks` overrides `(3, k)`.
///
/// **Times.** `saveCount` log-spaced times from `T_1/10` (or `t_end·10⁻⁴` when `T_1` is infinite)
/// to `t_end`; `t_end` defaults to twice the window's end (or `10⁴` without a window).
public struct ScalingSweep: Sendable {
    public var alphas: [Double]
    public var teacherWidths: [Int]
    public var studentWidths: [Int]
    public var dimensions: [Double]
    public var seeds: [UInt64]
    public var sigma0: Double = 1
    public var smallInitialization = false
    public var saveCount = 200
    public var finalTime: Double?
    public var ranks: (lower: Int, upper: Int)?
    /// Points integrated at once, on RiccatiKit's own threads. Each point is computed by one
    /// thread from its own inputs, so the results are bit-identical for any `jobs`. OpenBLAS's
    /// thread count is the application's setting and is left alone; with more than one OpenBLAS
    /// thread the last bits can depend on it (set `BLAS.setThreadCount(1)` once at start).
    public var jobs = 1
    /// The exact propagator's factorisation (`PropagatorFactorization`); the default LQ form
    /// chooses its steps by a round-off control and was the fastest of the three on every
    /// benchmark problem (bench/RESULTS.md).
    public var factorization: PropagatorFactorization = .lq
    /// The activation of teacher and student (`he2`: the quadratic model and its exact propagator).
    public var activation: Activation = .he2
    /// The tolerances of dopri5 for a non-quadratic ``activation``.
    public var flowOptions = DormandPrinceOptions()

    public init(alphas: [Double], teacherWidths: [Int], studentWidths: [Int], dimensions: [Double], seeds: [UInt64]) {
        self.alphas = alphas
        self.teacherWidths = teacherWidths
        self.studentWidths = studentWidths
        self.dimensions = dimensions
        self.seeds = seeds
    }

    struct GridEntry: Sendable { var alpha: Double; var r: Int; var rs: Int; var d: Double; var seed: UInt64 }

    var grid: [GridEntry] {
        var entries: [GridEntry] = []
        for alpha in alphas { for r in teacherWidths { for rs in studentWidths { for d in dimensions { for seed in seeds {
            entries.append(GridEntry(alpha: alpha, r: r, rs: rs, d: d, seed: seed))
        } } } } }
        return entries
    }

    /// Checks the whole grid before any work.
    public func validate() throws(RiccatiError) {
        for (name, empty) in [("alphas", alphas.isEmpty), ("teacherWidths", teacherWidths.isEmpty), ("studentWidths", studentWidths.isEmpty),
                              ("dimensions", dimensions.isEmpty), ("seeds", seeds.isEmpty)] where empty {
            throw .invalidParameter(name: name, value: "[]", reason: "must hold at least one value")
        }
        guard grid.count <= 10_000 else {
            throw .exceedsLimit(names: ["alphas", "teacherWidths", "studentWidths", "dimensions", "seeds"],
                                reason: "the sweep grid has \(grid.count) points; at most 10000")
        }
        guard saveCount >= 2, saveCount <= 100_000 else {
            throw .invalidParameter(name: "saveCount", value: "\(saveCount)", reason: "must lie in [2, 100000]")
        }
        guard jobs >= 1, jobs <= 64 else { throw .invalidParameter(name: "jobs", value: "\(jobs)", reason: "must lie in [1, 64]") }
        if let finalTime, !(finalTime.isFinite && finalTime > 0) {
            throw .invalidParameter(name: "finalTime", value: "\(finalTime)", reason: "must be finite and > 0")
        }
        try activation.validate()
        if !activation.isQuadratic, finalTime == nil {
            throw .invalidParameter(name: "finalTime", value: "none",
                                    reason: "must be given with the activation \(activation.name): the escape-time predictions that set the default horizon hold for he2 only")
        }
        if let ranks, !(ranks.lower >= 1 && ranks.upper > ranks.lower) {
            throw .invalidParameter(name: "ranks", value: "(\(ranks.lower), \(ranks.upper))", reason: "must satisfy 1 ≤ lower < upper")
        }
        // The grid's entries are checked by the Riccati module, whose parameter names are those of
        // one point; they are reported under the sweep's names for the lists the entry came from.
        do {
            for entry in grid {
                _ = try TeacherSpectrum.powerLaw(exponent: entry.alpha, count: entry.r)
                try RandomInitialization(studentWidth: entry.rs, teacherWidth: entry.r, dimension: entry.d, sigma0: sigma0,
                                         seed: entry.seed, smallInitialization: smallInitialization).validate()
            }
        } catch {
            throw error.renamingParameters(Self.gridParameterName)
        }
    }

    /// The number of grid points, `|alphas|·|teacherWidths|·|studentWidths|·|dimensions|·|seeds|`.
    public var pointCount: Int { grid.count }

    /// The parameters of grid point `index` (`0 ..< pointCount`), in the order ``run(shouldStop:)``
    /// returns the points: α slowest, then `r`, `r_s`, `d`, the seed fastest.
    public func gridPoint(_ index: Int) throws(RiccatiError) -> (alpha: Double, teacherWidth: Int, studentWidth: Int, dimension: Double, seed: UInt64) {
        let entries = grid
        guard entries.indices.contains(index) else {
            throw .invalidParameter(name: "index", value: "\(index)", reason: "must lie in [0, \(entries.count - 1)] (the grid's points)")
        }
        let entry = entries[index]
        return (entry.alpha, entry.r, entry.rs, entry.d, entry.seed)
    }

    /// Integrates grid point `index` alone, exactly as ``run(shouldStop:)`` does within the grid
    /// (a point depends only on its own inputs, so the result is bit-identical to that point of a
    /// whole run, on any machine running the same build with one OpenBLAS thread). `nil` when
    /// `shouldStop` ended the integration early. The sweep is validated first.
    public func runPoint(at index: Int, shouldStop: (@Sendable () -> Bool)? = nil) throws(RiccatiError) -> SweepPoint? {
        try validate()
        let entries = grid
        guard entries.indices.contains(index) else {
            throw .invalidParameter(name: "index", value: "\(index)", reason: "must lie in [0, \(entries.count - 1)] (the grid's points)")
        }
        return try runPoint(entries[index], shouldStop: shouldStop)
    }

    /// Integrates every grid point (in parallel with `jobs > 1`) and fits the slopes.
    ///
    /// `shouldStop` is asked before each point and after every step of each point's
    /// integration; once it says yes no further point starts, the points running stop after
    /// their current step and are left out, and the result holds the finished points in grid
    /// order (fewer than the grid: the caller can tell an interrupted sweep by the count).
    public func run(shouldStop: (@Sendable () -> Bool)? = nil) throws(RiccatiError) -> [SweepPoint] {
        try validate()
        let entries = grid
        let results = ResultSlots<Result<SweepPoint, RiccatiError>>(count: entries.count)
        let workers = Swift.min(jobs, entries.count)
        let sweep = self
        let work: @Sendable (Int) -> Void = { worker in
            var index = worker
            while index < entries.count {
                if let shouldStop, shouldStop() { return }
                do throws(RiccatiError) {
                    // `nil`: stopped mid-integration; the slot stays empty.
                    if let point = try sweep.runPoint(entries[index], shouldStop: shouldStop) { results.store(.success(point), at: index) }
                } catch {
                    results.store(.failure(error), at: index)
                }
                index += workers
            }
        }
        if workers <= 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: workers, execute: work) }
        var points: [SweepPoint] = []
        for result in results.values {
            switch result {
            case .success(let point)?: points.append(point)
            case .failure(let error)?: throw error
            case nil:
                continue   // a point is only missing when `shouldStop` said yes before or while it ran
            }
        }
        return points
    }

    /// One grid point, or `nil` when `shouldStop` ended its integration early.
    func runPoint(_ entry: GridEntry, shouldStop: (@Sendable () -> Bool)? = nil) throws(RiccatiError) -> SweepPoint? {
        let spectrum = try TeacherSpectrum.powerLaw(exponent: entry.alpha, count: entry.r)
        let prediction = try ScalingPrediction(spectrum: spectrum, studentWidth: entry.rs, dimension: entry.d, sigma0: sigma0)
        let lowerRank = ranks?.lower ?? 3
        let upperRank = ranks?.upper ?? (Swift.min(entry.r, entry.rs) / 4)
        var window: ClosedRange<Double>?
        if upperRank > lowerRank, let t0 = prediction.escapeTime(rank: lowerRank), let t1 = prediction.escapeTime(rank: upperRank),
           t0.isFinite, t1.isFinite, t1 > t0 {
            window = t0...t1
        }
        let end = finalTime ?? (window.map { 2 * $0.upperBound } ?? 1e4)
        let first = prediction.escapeTime(rank: 1).flatMap { $0.isFinite && $0 > 0 ? $0 / 10 : nil } ?? end * 1e-4
        let decades = Swift.max(log10(end / Swift.min(first, end / 10)), 1)
        let times = try SaveTimes.logSpaced(count: saveCount, finalTime: end, decades: decades)
        let initial = try RandomInitialization(studentWidth: entry.rs, teacherWidth: entry.r, dimension: entry.d, sigma0: sigma0,
                                               seed: entry.seed, smallInitialization: smallInitialization).sample()
        if !activation.isQuadratic {
            return try runGeneralActivationPoint(entry, spectrum: spectrum, initial: initial, times: times, end: end,
                                                 ranks: (lowerRank, upperRank), shouldStop: shouldStop)
        }
        let solution = try solve(try OverlapProblem(spectrum: spectrum, initialState: initial, finalTime: end, saveTimes: times),
                                 method: .exact(ExactPropagatorOptions(factorization: factorization)), locateEscapes: false,
                                 shouldStop: shouldStop)
        if solution.status == .interrupted { return nil }
        guard solution.status.isSuccess else {
            throw .integrationFailed(status: solution.status, time: solution.times.last ?? 0,
                                     message: "α = \(entry.alpha), r = \(entry.r), r_s = \(entry.rs), d = \(entry.d): \(solution.message)")
        }
        let additive = times.map { prediction.additiveRisk(at: $0) }
        var fitted: Double?, additiveSlope: Double?
        if let window {
            fitted = try? PowerLawFit.slope(x: times, y: solution.risk, window: window)
            additiveSlope = try? PowerLawFit.slope(x: times, y: additive, window: window)
        }
        return SweepPoint(alpha: entry.alpha, teacherWidth: entry.r, studentWidth: entry.rs, dimension: entry.d, sigma0: sigma0,
                          seed: entry.seed, smallInitialization: smallInitialization, times: times, risk: solution.risk,
                          riskAdditive: additive, window: window, fittedSlope: fitted, additiveSlope: additiveSlope,
                          asymptoticSlope: ScalingPrediction.asymptoticExponent(alpha: entry.alpha), statistics: solution.statistics)
    }

    /// One grid point of a non-quadratic activation: dopri5 on `GeneralActivationFlow`, the fit window
    /// between its own located escape times of ranks `ranks`; `nil` when `shouldStop` ended it early.
    func runGeneralActivationPoint(_ entry: GridEntry, spectrum: TeacherSpectrum, initial: OverlapState, times: [Double], end: Double,
                                   ranks: (lower: Int, upper: Int), shouldStop: (@Sendable () -> Bool)?) throws(RiccatiError) -> SweepPoint? {
        let dynamics = try GeneralActivationFlow(spectrum: spectrum, studentWidth: entry.rs, activation: activation)
        let solution = try solve(try OverlapProblem(dynamics: dynamics, initialState: initial, finalTime: end, saveTimes: times),
                                 method: .dormandPrince(flowOptions), locateEscapes: true, shouldStop: shouldStop)
        if solution.status == .interrupted { return nil }
        guard solution.status.isSuccess else {
            throw .integrationFailed(status: solution.status, time: solution.times.last ?? 0,
                                     message: "α = \(entry.alpha), r = \(entry.r), r_s = \(entry.rs), d = \(entry.d): \(solution.message)")
        }
        var window: ClosedRange<Double>?
        if ranks.upper > ranks.lower, ranks.upper <= solution.escapeTimes.count,
           let t0 = solution.escapeTimes[ranks.lower - 1], let t1 = solution.escapeTimes[ranks.upper - 1], t1 > t0 {
            window = t0...t1
        }
        let fitted = window.flatMap { try? PowerLawFit.slope(x: times, y: solution.risk, window: $0) }
        return SweepPoint(alpha: entry.alpha, teacherWidth: entry.r, studentWidth: entry.rs, dimension: entry.d, sigma0: sigma0,
                          seed: entry.seed, smallInitialization: smallInitialization, times: times, risk: solution.risk,
                          riskAdditive: [], window: window, fittedSlope: fitted, additiveSlope: nil,
                          asymptoticSlope: ScalingPrediction.asymptoticExponent(alpha: entry.alpha), statistics: solution.statistics)
    }

    /// The sweep's name for a parameter of one grid point (``TeacherSpectrum/powerLaw(exponent:count:)``
    /// and ``RandomInitialization``): the list the point's value came from.
    static func gridParameterName(_ name: String) -> String {
        switch name {
        case "exponent", "alpha": return "alphas"
        case "count", "teacherWidth": return "teacherWidths"
        case "studentWidth": return "studentWidths"
        case "dimension": return "dimensions"
        case "seed": return "seeds"
        default: return name
        }
    }
}
