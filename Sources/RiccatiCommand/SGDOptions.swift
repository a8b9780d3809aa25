import ArgumentParser
import Foundation
import LinearAlgebra
import NumPyFormat
import Reports
import Riccati
import SGD

extension ArithmeticPrecision: ExpressibleByArgument {}
enum TeacherName: String, ExpressibleByArgument, CaseIterable { case canonical, random }
enum SaveSpacing: String, ExpressibleByArgument, CaseIterable { case linear, log }

/// Flags shared by `riccati sgd` and `riccati compare`.
struct SGDOptions: ParsableArguments {
    @Option(name: .customLong("d"), help: "Dimension d (scientific notation accepted).")
    var dimension: String = "256"

    @Option(name: .customLong("r"), help: "Teacher width r (ignored with --lambdas, which sets it).")
    var teacherWidth: Int?

    @Option(name: .customLong("rs"), help: "Student width r_s.")
    var studentWidth: Int = 4

    @Option(help: "Power-law exponent α of λ_j = j^{-α}, normalised to Σλ² = 1 (default 1).")
    var alpha: Double?

    @Option(help: "Teacher spectrum λ from a 1-D float64 .npy file.")
    var lambdas: String?

    @Option(help: "Initial scale σ0: W0 entries ~ N(0, σ0²/d) (default 0.3; conflicts with --init-w).")
    var sigma0: Double?

    @Option(name: .customLong("init-w"), help: "W0 (r_s×d, C-order float64 .npy) instead of the random one.")
    var initW: String?

    @Option(name: .customLong("theta"), help: "Teacher directions Θ (r×d, orthonormal rows, .npy); implies a given teacher.")
    var theta: String?

    @Option(help: "Batch size B.")
    var batch: Int = 1024

    @Option(help: "Learning rate η (step k is time t = ηk).")
    var lr: Double = 0.005

    @Option(help: "Number of steps K (conflicts with --t-end).")
    var steps: Int?

    @Option(name: .customLong("t-end"), help: "Final time T; K = round(T/η) (default 12).")
    var finalTime: Double?

    @Option(help: "Label noise standard deviation ς.")
    var noise: Double = 0

    @Option(help: "Arithmetic of the simulation.")
    var precision: ArithmeticPrecision = .double

    @Option(help: "Teacher directions: canonical Θ = [I_r 0] or a random orthonormal Θ.")
    var teacher: TeacherName = .canonical

    @Option(help: "Seed.")
    var seed: UInt64 = 0

    @Option(name: .customLong("save-count"), help: "Number of recorded times after t = 0, spaced by --save-spacing (default 24).")
    var saveCount: Int?

    @Option(name: .customLong("save-spacing"), help: "linear: k·T/N; log: N times geometric over the 4 decades ending at T.")
    var saveSpacing: SaveSpacing = .linear

    @Option(name: .customLong("save-at"), help: "Comma-separated record times in [0, T] (rounded to the nearest step), instead of --save-count.")
    var saveAt: String?

    @Option(help: "Threads drawing the Gaussian batches (the results do not depend on it).")
    var threads: Int = 2

    @Option(help: "Output format.")
    var format: ReportFormat = .table

    @Option(help: "Write the report to this file (atomically) instead of standard output.")
    var output: String?

    /// The validated configuration, with save steps at `k·T/N`, `k = 0 … N`, and how the reports describe it.
    func configuration() throws(CommandFailure) -> SGDRunDescription {
        let d = try parseReal(dimension, flag: "--d")
        guard d.isFinite, d == d.rounded(), d >= 2, d <= 1e8 else { throw .badInput("--d must be a whole number in [2, 1e8] for SGD, got \(dimension)") }
        if lambdas != nil, alpha != nil { throw .badInput("--lambdas and --alpha conflict: give one of them") }
        if theta != nil, teacher != .canonical { throw .badInput("--theta conflicts with --teacher \(teacher.rawValue)") }
        if steps != nil, finalTime != nil { throw .badInput("--steps and --t-end conflict: give one of them") }
        guard lr.isFinite, lr > 0 else { throw .badInput("--lr must be finite and > 0, got \(lr)") }
        if saveAt != nil, saveCount != nil { throw .badInput("--save-at and --save-count conflict: give one of them") }
        if initW != nil, sigma0 != nil { throw .badInput("--sigma0 conflicts with --init-w (W0 is read from the file)") }
        let saveCount = saveCount ?? 24
        guard saveCount >= 1, saveCount <= 100_000 else { throw .badInput("--save-count must lie in [1, 100000], got \(saveCount)") }
        if saveAt != nil, saveSpacing != .linear { throw .badInput("--save-at conflicts with --save-spacing") }
        let sigma0 = sigma0 ?? 0.3
        try InputChecks.scale(sigma0, flag: "--sigma0")
        try InputChecks.scale(noise, flag: "--noise", allowZero: true)
        guard threads >= 1, threads <= 256 else { throw .badInput("--threads must lie in [1, 256], got \(threads)") }
        guard studentWidth >= 1, Double(studentWidth) <= d else {
            throw .badInput("--rs must be a positive integer ≤ --d = \(Int(d)) (got \(studentWidth))")
        }
        guard Double(studentWidth) * d <= InputChecks.maximumMatrixEntries else {
            throw .badInput("--rs × --d = \(studentWidth)×\(Int(d)) exceeds 5e8 entries of W")
        }
        if let steps, !(steps >= 1 && Double(steps) <= InputChecks.maximumSteps) {
            throw .badInput("--steps must lie in [1, 1e9], got \(steps)")
        }
        let spectrum: TeacherSpectrum
        let spectrumSource: ModelDescription.Spectrum
        do {
            if let path = lambdas {
                spectrum = try ModelOptions.spectrum(try ModelOptions.load(path, flag: "--lambdas", dimensions: 1).values, path: path)
                if let r = teacherWidth, r != spectrum.count { throw CommandFailure.badInput("--r \(r) disagrees with --lambdas \(path), which has \(spectrum.count) entries") }
                guard Double(spectrum.count) < d else {
                    throw CommandFailure.badInput("--lambdas \(path) has r = \(spectrum.count) entries; r must be below --d = \(Int(d))")
                }
                spectrumSource = .file(path)
            } else {
                let r = teacherWidth ?? 8
                guard r >= 1, r <= 100_000 else { throw CommandFailure.badInput("--r (teacher width) must be a positive integer ≤ 100000, got \(r)") }
                guard r < Int(d) else { throw CommandFailure.badInput("--r must be below --d, got r = \(r), d = \(Int(d))") }
                spectrum = try TeacherSpectrum.powerLaw(exponent: alpha ?? 1, count: r)
                spectrumSource = .powerLaw(alpha: alpha ?? 1, normalized: true)
            }
        } catch let failure as CommandFailure {
            throw failure
        } catch let error as RiccatiError {
            throw CommandFailure(error, flags: flags)
        } catch {
            throw .badInput("\(error)")
        }
        if theta != nil || teacher == .random, Double(spectrum.count) * d > InputChecks.maximumMatrixEntries {
            throw .badInput("\(theta != nil ? "--theta" : "--teacher random"): Θ would have r × d = \(spectrum.count)×\(Int(d)) entries; at most 5e8")
        }
        let stepCount: Int
        if let steps {
            stepCount = steps
        } else {
            let horizon = finalTime ?? 12
            guard horizon.isFinite, horizon > 0 else { throw .badInput("--t-end must be finite and > 0, got \(horizon)") }
            let count = (horizon / lr).rounded()
            guard count >= 1, count <= 1e9 else { throw .badInput("--t-end/--lr gives \(count) steps; need 1 … 1e9") }
            stepCount = Int(count)
        }
        var config = SGDConfiguration(spectrum: spectrum, dimension: Int(d), studentWidth: studentWidth, batchSize: batch,
                                      learningRate: lr, steps: stepCount)
        config.sigma0 = sigma0
        config.labelNoise = noise
        config.seed = seed
        config.threads = threads
        config.teacher = teacher == .random ? .random : .canonical
        let horizon = Double(stepCount) * lr
        if let list = saveAt {
            let times = try list.split(separator: ",", omittingEmptySubsequences: false).map { (item) throws(CommandFailure) -> Double in
                let t = try parseReal(String(item), flag: "--save-at")
                guard t.isFinite, t >= 0, t <= horizon * (1 + 1e-12) else { throw .badInput("--save-at: \(item) must lie in [0, T = \(horizon)]") }
                return t
            }
            config.saveSteps = times.map { Swift.min(stepCount, Int(($0 / lr).rounded())) }
        } else if saveSpacing == .log {
            do {
                config.saveSteps = try SaveTimes.logSpaced(count: saveCount, finalTime: horizon).map { Swift.min(stepCount, Int(($0 / lr).rounded())) }
            } catch {
                throw CommandFailure(error, flags: ParameterFlags(["count": "--save-count", "finalTime": "--t-end"]))
            }
        } else {
            config.saveSteps = (0...saveCount).map { Int((Double($0) * Double(stepCount) / Double(saveCount)).rounded()) }
        }
        // Each record keeps M and P (and G for the reports); compare keeps the ODE's states as well.
        let r = Double(spectrum.count), rs = Double(studentWidth)
        try InputChecks.storage(saves: config.saveSteps.count + 2, doublesPerState: rs * (r + rs) + r + r * r, copies: 2)
        if let path = initW {
            let array = try ModelOptions.load(path, flag: "--init-w", dimensions: 2)
            do { config.initialWeights = try Matrix(rows: array.shape[0], columns: array.shape[1], storage: array.values) } catch {
                throw .badInput("--init-w: \(error)")
            }
        }
        if let path = theta {
            let array = try ModelOptions.load(path, flag: "--theta", dimensions: 2)
            guard array.shape == [spectrum.count, Int(d)] else {
                throw .badInput("--theta \(path) has shape \(array.shape); expected r×d = [\(spectrum.count), \(Int(d))]")
            }
            do { config.teacher = .given(try Matrix(rows: array.shape[0], columns: array.shape[1], storage: array.values)) } catch {
                throw .badInput("--theta: \(error)")
            }
        }
        do { try config.validate() } catch {
            throw CommandFailure(error, flags: flags)
        }
        return SGDRunDescription(configuration: config, spectrum: spectrumSource, precision: precision)
    }

    /// The flags of the library's parameters here: `spectrum` is `--lambdas FILE` or `--alpha`,
    /// `teacher` and `initialWeights` name their files.
    var flags: ParameterFlags {
        var overrides = ["spectrum": lambdas.map { "--lambdas \($0)" } ?? "--alpha"]
        if let theta { overrides["teacher"] = "--theta \(theta)" }
        if let initW { overrides["initialWeights"] = "--init-w \(initW)" }
        if saveAt == nil { overrides["saveSteps"] = "--save-count" }
        if steps == nil { overrides["steps"] = "--t-end" }
        return ParameterFlags(overrides)
    }

    /// Progress on stderr only when it is a terminal.
    var progressReporter: ((SGDProgress) -> Void)? {
        guard isatty(STDERR_FILENO) == 1 else { return nil }
        return { report in
            let line = String(format: "\r  step %d/%d  t = %.4g  batch loss %.4e  %.1f steps/s  ETA %.0f s   ",
                              report.step, report.totalSteps, report.time, report.batchLoss, report.stepsPerSecond, report.secondsRemaining)
            FileHandle.standardError.write(Data(line.utf8))
        }
    }

    func finishProgress() {
        if isatty(STDERR_FILENO) == 1 { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}

