import AtomicFiles
import Foundation

/// The folder a distributed sweep lives in.
///
/// Layout: `plan.json` (``SweepPlan``), `sweep-array.sh` and `sweep-merge.sh` (the batch
/// scripts), `submissions.json` (the Slurm job ids, ``SweepSubmission``), `results/point-N.json`
/// (one per finished point, written atomically by its task), `results/point-N.failed` (a
/// task's failure message), `logs/` (Slurm's output of every task and merge) and
/// `merged-report` (what the merge wrote on standard output; its presence means the merge
/// succeeded). A task writes only its own files, so a killed or failed task loses nothing else.
public struct WorkDirectory: Sendable {
    /// The absolute path.
    public let path: String

    public var planPath: String { path + "/plan.json" }
    public var arrayScriptPath: String { path + "/sweep-array.sh" }
    public var mergeScriptPath: String { path + "/sweep-merge.sh" }
    public var submissionsPath: String { path + "/submissions.json" }
    public var resultsPath: String { path + "/results" }
    public var logsPath: String { path + "/logs" }
    public var mergedReportPath: String { path + "/merged-report" }

    /// Largest plan or result file read, in bytes (a sweep's plan is a few hundred bytes per point).
    static let maximumFileBytes = 1 << 30

    /// The work directory at `path` (made absolute against the current directory); nothing is
    /// created or checked.
    public init(path: String) {
        self.path = Self.absolute(path)
    }

    /// `path` made absolute against the current directory, without `.` and `..` segments.
    public static func absolute(_ path: String) -> String {
        let base = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var parts: [Substring] = []
        for part in base.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." { _ = parts.popLast(); continue }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }

    /// Creates the folders (when missing) and checks that they are writable; an existing
    /// `plan.json` must describe the same sweep as `plan`. Returns the existing plan, if any
    /// (the same sweep), or `nil` when the plan is new. Writes nothing else.
    public func prepare(for plan: SweepPlan) throws(SweepPlanError) -> SweepPlan? {
        // Slurm drops a backslash from `--output` paths (and stops expanding `%A`), so every log
        // would go to a folder that does not exist.
        guard !path.contains("\\") else {
            throw .invalidWorkDirectory(path: path, reason: "holds a backslash, which Slurm's --output paths do not keep; choose a path without one")
        }
        try createFolder(path)
        let existing: SweepPlan?
        if FileManager.default.fileExists(atPath: planPath) {
            let current: SweepPlan
            do {
                current = try readPlan()
            } catch {
                throw .foreignPlan(path: path, command: "its plan.json cannot be read: \(error)")
            }
            guard current.isSameSweep(as: plan) else {
                let place = current.workingDirectory == plan.workingDirectory ? "" : ", run in \(current.workingDirectory)"
                throw .foreignPlan(path: path, command: current.commandLine + place)
            }
            existing = current
        } else {
            existing = nil
        }
        try createFolder(resultsPath)
        try createFolder(logsPath)
        for folder in [path, resultsPath, logsPath] { try checkWritable(folder) }
        return existing
    }

    func createFolder(_ folder: String) throws(SweepPlanError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw .invalidWorkDirectory(path: path, reason: "\(folder) exists and is not a folder") }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw .invalidWorkDirectory(path: path, reason: "cannot create \(folder): \(Self.reason(error))")
        }
    }

    /// Writes and removes a probe file (`access(2)` says nothing of read-only mounts).
    func checkWritable(_ folder: String) throws(SweepPlanError) {
        let probe = folder + "/.riccati-write-probe-\(getpid())"
        do {
            try AtomicFile.write("", to: probe)
        } catch {
            throw .invalidWorkDirectory(path: path, reason: "cannot write into \(folder): \(error.reason)")
        }
        unlink(probe)
    }

    static func reason(_ error: Error) -> String {
        if let posix = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError, posix.domain == NSPOSIXErrorDomain,
           let message = strerror(Int32(posix.code)) {
            return String(cString: message)
        }
        return (error as NSError).localizedDescription
    }

    /// Takes the work directory's submission lock (`flock` on `.lock`) for as long as the returned
    /// value lives, so that two commands never submit or wait on one sweep at once.
    public func lockForSubmission() throws(SweepPlanError) -> SubmissionLock {
        let file = path + "/.lock"
        let descriptor = open(file, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard descriptor >= 0 else {
            throw .invalidWorkDirectory(path: path, reason: "cannot open \(file): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw .invalidWorkDirectory(path: path, reason: "another riccati is submitting or waiting on this sweep now")
        }
        return SubmissionLock(descriptor: descriptor)
    }

    // MARK: Plan and submissions

    /// Writes `plan.json` atomically.
    public func writePlan(_ plan: SweepPlan) throws(SweepPlanError) {
        try writeJSON(plan, to: planPath)
    }

    /// Reads `plan.json`; a missing, damaged or other-version plan is an ``SweepPlanError/invalidPlan(path:reason:)``.
    public func readPlan() throws(SweepPlanError) -> SweepPlan {
        guard FileManager.default.fileExists(atPath: planPath) else {
            throw .invalidPlan(path: planPath, reason: "no plan here: not the work directory of a sweep")
        }
        let plan: SweepPlan
        do {
            plan = try Self.decoder.decode(SweepPlan.self, from: try readBounded(planPath))
        } catch let error as SweepPlanError {
            throw error
        } catch {
            throw .invalidPlan(path: planPath, reason: "damaged plan (\(Self.decodingReason(error)))")
        }
        guard plan.formatVersion == SweepPlan.currentFormatVersion else {
            throw .invalidPlan(path: planPath, reason: "plan format \(plan.formatVersion); this tool reads format \(SweepPlan.currentFormatVersion)")
        }
        guard plan.points.enumerated().allSatisfy({ $0.offset == $0.element.index }), !plan.points.isEmpty else {
            throw .invalidPlan(path: planPath, reason: "damaged plan (its points are not numbered 0, 1, …)")
        }
        return plan
    }

    /// The submissions recorded so far (none when the file is missing).
    public func readSubmissions() throws(SweepPlanError) -> [SweepSubmission] {
        guard FileManager.default.fileExists(atPath: submissionsPath) else { return [] }
        do {
            return try Self.decoder.decode([SweepSubmission].self, from: try readBounded(submissionsPath))
        } catch {
            throw .invalidPlan(path: submissionsPath, reason: "damaged submissions file (\(Self.decodingReason(error)))")
        }
    }

    /// Appends `submission` to `submissions.json` (rewritten atomically).
    public func recordSubmission(_ submission: SweepSubmission) throws(SweepPlanError) {
        let all = (try? readSubmissions()) ?? []
        try writeJSON(all + [submission], to: submissionsPath)
    }

    /// Writes the two batch scripts (atomically, mode 755).
    public func writeScripts(_ scripts: SlurmBatchScripts) throws(SweepPlanError) {
        for (text, file) in [(scripts.array, arrayScriptPath), (scripts.merge, mergeScriptPath)] {
            do {
                try AtomicFile.write(text, to: file)
            } catch {
                throw .invalidWorkDirectory(path: path, reason: "cannot write \(file): \(error.reason)")
            }
            chmod(file, 0o755)
        }
    }

    // MARK: Results

    public func resultPath(_ index: Int) -> String { resultsPath + "/point-\(index).json" }
    public func failurePath(_ index: Int) -> String { resultsPath + "/point-\(index).failed" }

    /// Writes point `index`'s result atomically and removes an earlier failure record.
    public func writeResult<Value: Codable>(_ value: Value, index: Int, plan: SweepPlan) throws(SweepPlanError) {
        try writeJSON(PointResult(plan: plan.identityArguments, toolVersion: plan.toolVersion, index: index, value: value), to: resultPath(index))
        unlink(failurePath(index))
    }

    /// Records that point `index` failed with `message` (one line).
    public func writeFailure(_ message: String, index: Int) throws(SweepPlanError) {
        do {
            try AtomicFile.write(message.replacingOccurrences(of: "\n", with: " ") + "\n", to: failurePath(index))
        } catch {
            throw .invalidWorkDirectory(path: path, reason: "cannot record the failure of point \(index): \(error.reason)")
        }
    }

    /// Point `index`'s result; a missing one is ``SweepPlanError/incomplete(missing:message:)``,
    /// a damaged one ``SweepPlanError/damagedResult(index:path:reason:)``.
    public func readResult<Value: Codable>(_ type: Value.Type, index: Int, plan: SweepPlan) throws(SweepPlanError) -> Value {
        let file = resultPath(index)
        guard FileManager.default.fileExists(atPath: file) else {
            throw .incomplete(missing: [index], message: "point \(index) has no result")
        }
        let result: PointResult<Value>
        do {
            result = try Self.decoder.decode(PointResult<Value>.self, from: try readBounded(file))
        } catch {
            throw .damagedResult(index: index, path: file, reason: "cannot be decoded (\(Self.decodingReason(error)))")
        }
        guard result.index == index, result.plan == plan.identityArguments, result.toolVersion == plan.toolVersion else {
            throw .damagedResult(index: index, path: file, reason: "belongs to another plan or point")
        }
        return result.value
    }

    /// The state of every point of `plan`; `decode` checks a result file (see ``readResult(_:index:plan:)``).
    public func states<Value: Codable>(of plan: SweepPlan, as type: Value.Type) -> [PointState] {
        var states: [PointState] = []
        for point in plan.points {
            do throws(SweepPlanError) {
                _ = try readResult(type, index: point.index, plan: plan)
                states.append(.done)
            } catch {
                if case .damagedResult(_, _, let reason) = error {
                    states.append(.damaged(reason))
                } else if let message = try? readBounded(failurePath(point.index)) {
                    states.append(.failed(String(decoding: message.prefix(4096), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
                } else {
                    states.append(.missing)
                }
            }
        }
        return states
    }

    /// Whether point `index` has a result file (not checked; cheap, for progress lines).
    public func hasResultFile(_ index: Int) -> Bool { FileManager.default.fileExists(atPath: resultPath(index)) }
    /// Whether point `index` has a failure record.
    public func hasFailureRecord(_ index: Int) -> Bool { FileManager.default.fileExists(atPath: failurePath(index)) }

    /// Removes the failure records and damaged results of `indices` before they run again.
    public func clear(_ indices: [Int]) {
        for index in indices {
            unlink(failurePath(index))
            unlink(resultPath(index))
        }
        unlink(mergedReportPath)
    }

    // MARK: Files

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Non-finite numbers (a risk of NaN) survive the round trip as strings.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }()

    func writeJSON<Value: Encodable>(_ value: Value, to file: String) throws(SweepPlanError) {
        let data: Data
        do {
            data = try Self.encoder.encode(value)
        } catch {
            throw .invalidWorkDirectory(path: path, reason: "cannot encode \(file): \(error)")
        }
        do {
            try AtomicFile.write([UInt8](data) + [10], to: file)
        } catch {
            throw .invalidWorkDirectory(path: path, reason: "cannot write \(file): \(error.reason)")
        }
    }

    /// The bytes of the regular file `file` (a FIFO, device or folder is refused before it is
    /// opened, so nothing blocks), at most ``maximumFileBytes``.
    func readBounded(_ file: String) throws(SweepPlanError) -> Data {
        var status = stat()
        guard stat(file, &status) == 0 else {
            throw .invalidPlan(path: file, reason: "cannot be read: \(String(cString: strerror(errno)))")
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else { throw .invalidPlan(path: file, reason: "is not a regular file") }
        guard status.st_size <= Self.maximumFileBytes else { throw .invalidPlan(path: file, reason: "larger than 1 GiB") }
        guard let handle = FileHandle(forReadingAtPath: file) else {
            throw .invalidPlan(path: file, reason: "cannot be read")
        }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: Self.maximumFileBytes + 1) ?? Data()
        } catch {
            throw .invalidPlan(path: file, reason: "cannot be read: \(Self.reason(error))")
        }
        guard data.count <= Self.maximumFileBytes else { throw .invalidPlan(path: file, reason: "larger than 1 GiB") }
        return data
    }

    static func decodingReason(_ error: Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context): return context.debugDescription
        case DecodingError.keyNotFound(let key, _): return "no \(key.stringValue)"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "\(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
        default: return "\(error)"
        }
    }
}
