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

    @OptionGroup var activationOptions: ActivationOptions

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
        let d = try exactWholeValue(dimension, flag: "--d") ?? .nan
        guard d.isFinite, d == d.rounded(), d >= 2, d <= 1e8 else { throw .badInput("--d must be a whole number in [2, 1e8] for SGD, got \(dimension)") }
        if lambdas != nil, alpha != nil { throw .badInput("--lambdas and --alpha conflict: give one of them") }
        if theta != nil, teacher != .canonical { throw .badInput("--theta conflicts with --teacher \(teacher.rawValue)") }
        if steps != nil, finalTime != nil { throw .badInput("--steps and --t-end conflict: give one of them") }
        if saveAt != nil, saveCount != nil { throw .badInput("--save-at and --save-count conflict: give one of them") }
        if initW != nil, sigma0 != nil { throw .badInput("--sigma0 conflicts with --init-w (W0 is read from the file)") }
        if saveAt != nil, saveSpacing != .linear { throw .badInput("--save-at conflicts with --save-spacing") }
        let activation = try activationOptions.make()
        // Every value below is checked by SGDConfiguration.validate() (and SGDSaveSchedule), whose
        // errors reach the user through ParameterFlags; only what the tool alone knows is checked here.
        let spectrum: TeacherSpectrum
        let spectrumSource: ModelDescription.Spectrum
        do {
            if let path = lambdas {
                spectrum = try ModelOptions.spectrum(try ModelOptions.load(path, flag: "--lambdas", dimensions: 1).values, path: path)
                if let r = teacherWidth, r != spectrum.count { throw CommandFailure.badInput("--r \(r) disagrees with --lambdas \(path), which has \(spectrum.count) entries") }
                spectrumSource = .file(path)
            } else {
                let r = teacherWidth ?? 8
                // The spectrum is allocated before the configuration is validated: keep r to the
                // widths the tool accepts everywhere.
                guard r >= 1, r <= 100_000 else { throw CommandFailure.badInput("--r (teacher width) must be a positive integer ≤ 100000, got \(r)") }
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
        let stepCount: Int
        if let steps {
            stepCount = steps
        } else {
            // --t-end is the tool's way to give the step count K = round(T/η).
            let horizon = finalTime ?? 12
            guard horizon.isFinite, horizon > 0 else { throw .badInput("--t-end must be finite and > 0, got \(horizon)") }
            guard lr.isFinite, lr > 0 else { throw .badInput("--lr must be finite and > 0, got \(lr)") }
            let count = (horizon / lr).rounded()
            guard count >= 1, count <= 1e9 else { throw .badInput("--t-end/--lr gives \(count) steps; need 1 … 1e9") }
            stepCount = Int(count)
        }
        var config = SGDConfiguration(spectrum: spectrum, dimension: Int(d), studentWidth: studentWidth, batchSize: batch,
                                      learningRate: lr, steps: stepCount)
        config.sigma0 = sigma0 ?? 0.3
        config.labelNoise = noise
        config.activation = activation
        config.seed = seed
        config.threads = threads
        config.teacher = teacher == .random ? .random : .canonical
        let schedule: SGDSaveSchedule
        if let list = saveAt {
            schedule = .times(try list.split(separator: ",", omittingEmptySubsequences: false).map { (item) throws(CommandFailure) -> Double in
                try parseReal(String(item), flag: "--save-at")
            })
        } else {
            schedule = saveSpacing == .log ? .logSpaced(count: saveCount ?? 24) : .uniform(count: saveCount ?? 24)
        }
        do {
            config.saveSteps = try config.saveSteps(for: schedule)
        } catch {
            throw CommandFailure(error, flags: flags)
        }
        if let path = initW {
            let array = try ModelOptions.load(path, flag: "--init-w", dimensions: 2)
            do { config.initialWeights = try Matrix(rows: array.shape[0], columns: array.shape[1], storage: array.values) } catch {
                throw .badInput("--init-w: \(error)")
            }
        }
        if let path = theta {
            let array = try ModelOptions.load(path, flag: "--theta", dimensions: 2)
            do { config.teacher = .given(try Matrix(rows: array.shape[0], columns: array.shape[1], storage: array.values)) } catch {
                throw .badInput("--theta: \(error)")
            }
        }
        do { try config.validate() } catch {
            throw CommandFailure(error, flags: flags)
        }
        // compare keeps the ODE's states as well as SGD's (the library's 2 GiB limit is per run).
        let r = Double(spectrum.count), rs = Double(studentWidth)
        try InputChecks.storage(saves: config.saveSteps.count + 2, doublesPerState: rs * (r + rs) + r + r * r, copies: 2)
        return SGDRunDescription(configuration: config, spectrum: spectrumSource, precision: precision)
    }

    /// The flags of the library's parameters here: `spectrum` is `--lambdas FILE` or `--r`,
    /// `teacher` and `initialWeights` name their files.
    var flags: ParameterFlags {
        var overrides = ["spectrum": lambdas.map { "--lambdas \($0)" } ?? "--r"]
        if let theta { overrides["teacher"] = "--theta \(theta)" }
        if let initW { overrides["initialWeights"] = "--init-w \(initW)" }
        if saveAt == nil { overrides["saveSteps"] = "--save-count" }
        if theta == nil, teacher == .random { overrides["teacher"] = "--teacher random" }
        if steps == nil { overrides["steps"] = "--t-end" }
        return ParameterFlags(overrides)
    }

    /// Progress on stderr only when it is a terminal (and not after a hang-up: the terminal may be gone).
    var progressReporter: ((SGDProgress) -> Void)? {
        guard isatty(STDERR_FILENO) == 1 else { return nil }
        return { report in
            guard !Interruption.hungUp else { return }
            let line = String(format: "\r  step %d/%d  t = %.4g  batch loss %.4e  %.1f steps/s  ETA %.0f s   ",
                              report.step, report.totalSteps, report.time, report.batchLoss, report.stepsPerSecond, report.secondsRemaining)
            StandardStreams.writeError(line)
        }
    }

    /// Runs of a seed ensemble finished, on stderr only when it is a terminal (as ``progressReporter``).
    func seedProgressReporter(total: Int) -> (@Sendable (Int) -> Void)? {
        guard isatty(STDERR_FILENO) == 1 else { return nil }
        return { finished in
            guard !Interruption.hungUp else { return }
            StandardStreams.writeError("\r  seeds \(finished)/\(total) done   ")
        }
    }

    func finishProgress() {
        if isatty(STDERR_FILENO) == 1, !Interruption.hungUp { StandardStreams.writeError("\r\u{1B}[K") }
    }
}

