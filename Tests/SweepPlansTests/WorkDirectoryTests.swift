import ChildProcesses
import Foundation
import XCTest
@testable import SweepPlans

final class WorkDirectoryTests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("riccati-plans-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    func plan(_ arguments: [String] = ["scaling", "sweep", "--widths", "4,8"], count: Int = 3) -> SweepPlan {
        SweepPlan(toolVersion: "9.9.9", command: "scaling sweep", arguments: arguments + ["--backend", "slurm"],
                  identityArguments: arguments, workingDirectory: root.path, executable: "/opt/riccati it's/riccati",
                  points: (0..<count).map { PlannedPoint(index: $0, label: "point \($0)", cost: TaskCost(steps: 10, memoryBytes: 1e6)) })
    }

    struct Curve: Codable, Equatable { var values: [Double] }

    /// Every double survives a result file bit for bit, the non-finite ones included.
    func testResultsRoundTripBitForBit() throws {
        let directory = WorkDirectory(path: root.appendingPathComponent("work").path)
        let plan = plan()
        XCTAssertNil(try directory.prepare(for: plan))
        try directory.writePlan(plan)
        var values: [Double] = [0.1, 1.0 / 3.0, .pi, 5e-324, .leastNormalMagnitude, .greatestFiniteMagnitude, -0.0, .infinity, -.infinity]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 { values.append(Double(bitPattern: generator.next()) ) }
        values = values.filter { !$0.isNaN }
        try directory.writeResult(Curve(values: values + [.nan]), index: 1, plan: plan)
        let read = try directory.readResult(Curve.self, index: 1, plan: plan)
        XCTAssertEqual(read.values.count, values.count + 1)
        XCTAssertEqual(read.values.dropLast().map(\.bitPattern), values.map(\.bitPattern))
        XCTAssertTrue(read.values.last!.isNaN)
        XCTAssertEqual(directory.states(of: plan, as: Curve.self), [.missing, .done, .missing])
        // Control: a value changed in its last bit is told apart.
        XCTAssertNotEqual(read.values[2].bitPattern, values[2].nextUp.bitPattern)
    }

    func testDamagedAndForeignResultsAreReported() throws {
        let directory = WorkDirectory(path: root.appendingPathComponent("work").path)
        let plan = plan()
        _ = try directory.prepare(for: plan)
        try directory.writePlan(plan)
        try directory.writeResult(Curve(values: [1, 2]), index: 0, plan: plan)
        try directory.writeResult(Curve(values: [3]), index: 1, plan: self.plan(["scaling", "sweep", "--widths", "4,9"]))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: directory.resultPath(0)))
        try bytes.prefix(bytes.count - 5).write(to: URL(fileURLWithPath: directory.resultPath(0)))
        try directory.writeFailure("--widths 8: SGD diverged\nat step 3", index: 2)
        let states = directory.states(of: plan, as: Curve.self)
        guard case .damaged = states[0], case .damaged(let reason) = states[1], case .failed(let message) = states[2] else {
            return XCTFail("\(states)")
        }
        XCTAssertTrue(reason.contains("another plan"))
        XCTAssertEqual(message, "--widths 8: SGD diverged at step 3")
        XCTAssertThrowsError(try directory.readResult(Curve.self, index: 0, plan: plan)) { error in
            guard case SweepPlanError.damagedResult(0, _, _) = error else { return XCTFail("\(error)") }
        }
        // Clearing the points removes their files; the failure is gone and the states are missing.
        directory.clear([0, 1, 2])
        XCTAssertEqual(directory.states(of: plan, as: Curve.self), [.missing, .missing, .missing])
    }

    func testAnotherSweepsPlanIsRefusedAndTheSameIsAccepted() throws {
        let directory = WorkDirectory(path: root.appendingPathComponent("work").path)
        let first = plan()
        _ = try directory.prepare(for: first)
        try directory.writePlan(first)
        let original = try Data(contentsOf: URL(fileURLWithPath: directory.planPath))
        XCTAssertThrowsError(try directory.prepare(for: plan(["scaling", "sweep", "--widths", "4,16"]))) { error in
            guard case SweepPlanError.foreignPlan(_, let command) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(command, "riccati scaling sweep --widths 4,8")
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: directory.planPath)), original)
        // The same sweep (other run-only flags) is accepted and returned.
        var again = first
        again.arguments += ["--no-wait"]
        XCTAssertEqual(try directory.prepare(for: again), first)
        // A plan of another format version is refused.
        try Data(String(decoding: original, as: UTF8.self).replacingOccurrences(of: "\"formatVersion\":1", with: "\"formatVersion\":7").utf8)
            .write(to: URL(fileURLWithPath: directory.planPath))
        XCTAssertThrowsError(try directory.readPlan()) { error in
            XCTAssertTrue("\(error)".contains("plan format 7"), "\(error)")
        }
    }

    func testUnusableFoldersAreRefused() throws {
        let file = root.appendingPathComponent("file")
        try Data("x".utf8).write(to: file)
        XCTAssertThrowsError(try WorkDirectory(path: file.path + "/work").prepare(for: plan())) { error in
            guard case SweepPlanError.invalidWorkDirectory = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try WorkDirectory(path: file.path).prepare(for: plan())) { error in
            guard case SweepPlanError.invalidWorkDirectory = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try WorkDirectory(path: root.path).readPlan()) { error in
            XCTAssertTrue("\(error)".contains("not the work directory of a sweep"))
        }
    }

    func testAbsolutePathsDropDotSegments() {
        XCTAssertEqual(WorkDirectory.absolute("/a/./b/../c/"), "/a/c")
        XCTAssertTrue(WorkDirectory.absolute("x").hasSuffix("/x"))
    }

    func testQueueParsing() {
        let entries = QueueEntry.parse("12_3|12|3|RUNNING\n12_4|12|4|PENDING\n13|13|N/A|PENDING\ngarbage\n")
        XCTAssertEqual(entries, [QueueEntry(id: "12_3", jobID: "12", taskIndex: 3, state: "RUNNING"),
                                 QueueEntry(id: "12_4", jobID: "12", taskIndex: 4, state: "PENDING"),
                                 QueueEntry(id: "13", jobID: "13", taskIndex: nil, state: "PENDING")])
    }

    /// The array script is real bash: run with a stand-in tool, it passes the work directory and
    /// the task's index through, whatever the paths hold (spaces, quotes, `$`).
    func testArrayScriptRunsTheTaskUnderBash() throws {
        let odd = root.appendingPathComponent("work dir 'quoted' $HOME")
        let tool = root.appendingPathComponent("tool it's")
        let record = root.appendingPathComponent("arguments.txt")
        try "#!/bin/bash\nprintf '%s\\n' \"$@\" > \(ShellQuoting.quote(record.path))\n".write(to: tool, atomically: true, encoding: .utf8)
        chmod(tool.path, 0o755)
        var plan = plan()
        plan.executable = tool.path
        let directory = WorkDirectory(path: odd.path)
        _ = try directory.prepare(for: plan)
        let scripts = SlurmBatchScripts(plan: plan, directory: directory, limit: 2)
        try directory.writeScripts(scripts)
        XCTAssertTrue(scripts.array.contains("#SBATCH --array=0-2%2\n"))
        XCTAssertFalse(scripts.array.contains("#SBATCH --output"), "a path that needs quoting is passed on sbatch's command line only")
        let task = try ChildProcess.run("/bin/bash", [directory.arrayScriptPath], environment: ["SLURM_ARRAY_TASK_ID": "2", "PATH": "/usr/bin:/bin"])
        XCTAssertEqual(task.termination, .exited(0))
        let arguments = try String(contentsOf: record, encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertEqual(arguments, ["sweep", "task", odd.path, "2"])
        // Plain paths get #SBATCH lines, with % doubled in the folder part only.
        XCTAssertEqual(SlurmBatchScripts.escapePattern("/a/100%/b"), "/a/100%%/b")
        let plain = SlurmBatchScripts(plan: self.plan(), directory: WorkDirectory(path: "/scratch/sweep"), limit: nil)
        XCTAssertTrue(plain.array.contains("#SBATCH --output=/scratch/sweep/logs/task-%A_%a.out\n"))
        XCTAssertTrue(plain.array.contains("#SBATCH --array=0-2\n"))
    }
}

extension WorkDirectoryTests {
    /// A line break in an argument (an output path, say) cannot end the script's comment and run
    /// the rest as a command: run under bash, the script does not execute it.
    func testArgumentsCannotInjectCommandsIntoTheScripts() throws {
        let marker = root.appendingPathComponent("INJECTED")
        var plan = plan(["scaling", "sweep", "--output", "out\ntouch \(marker.path); echo 'x.json", "--widths", "4\r\u{2028}8"])
        let tool = root.appendingPathComponent("tool")
        try "#!/bin/bash\nexit 0\n".write(to: tool, atomically: true, encoding: .utf8)
        chmod(tool.path, 0o755)
        plan.executable = tool.path
        let directory = WorkDirectory(path: root.appendingPathComponent("work").path)
        _ = try directory.prepare(for: plan)
        let scripts = SlurmBatchScripts(plan: plan, directory: directory, limit: nil)
        try directory.writeScripts(scripts)
        for script in [directory.arrayScriptPath, directory.mergeScriptPath] {
            _ = try ChildProcess.run("/bin/bash", [script], environment: ["SLURM_ARRAY_TASK_ID": "0", "PATH": "/usr/bin:/bin"],
                                     workingDirectory: root.path)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: marker.path), "an argument ran as a command")
        XCTAssertTrue(scripts.array.contains("\\u{a}touch "), "the line break is shown escaped in the comment")
        // Control: the unescaped comment would have run it.
        let unsafe = "#!/bin/bash\n# " + plan.commandLine + "\n"
        let unsafeScript = root.appendingPathComponent("unsafe.sh")
        try unsafe.write(to: unsafeScript, atomically: true, encoding: .utf8)
        _ = try ChildProcess.run("/bin/bash", [unsafeScript.path], workingDirectory: root.path)
        XCTAssertTrue(FileManager.default.fileExists(atPath: marker.path))
    }

    /// A FIFO or a device in place of a plan or result is refused without blocking or reading it.
    func testSpecialFilesAreRefusedWithoutReading() throws {
        let directory = WorkDirectory(path: root.appendingPathComponent("work").path)
        let plan = plan()
        _ = try directory.prepare(for: plan)
        XCTAssertEqual(mkfifo(directory.planPath, 0o644), 0)
        XCTAssertThrowsError(try directory.readPlan()) { error in
            XCTAssertTrue("\(error)".contains("not a regular file"), "\(error)")
        }
        unlink(directory.planPath)
        XCTAssertEqual(symlink("/dev/zero", directory.resultPath(1)), 0)
        XCTAssertEqual(mkfifo(directory.failurePath(2), 0o644), 0)
        let states = directory.states(of: plan, as: Curve.self)
        guard case .damaged = states[1] else { return XCTFail("\(states)") }
        XCTAssertEqual(states[2], .missing)
        // A backslash in the folder's path is refused (Slurm drops it from --output paths).
        XCTAssertThrowsError(try WorkDirectory(path: root.appendingPathComponent("a\\b").path).prepare(for: plan)) { error in
            XCTAssertTrue("\(error)".contains("backslash"), "\(error)")
        }
    }
}
