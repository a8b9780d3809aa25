import ChildProcesses
import Foundation
import Testing
@testable import NumPyFormat

/// Runs `python3 -c script args...`; nil if python3 cannot be started.
private func runPython(_ script: String, _ arguments: [String] = []) -> (status: Int32, output: String)? {
    // Both streams together, as a shell's 2>&1 would give them (python's errors explain a failure).
    guard let run = try? ChildProcess.run("/bin/sh", ["-c", "exec /usr/bin/env python3 \"$@\" 2>&1", "sh", "-c", script] + arguments) else {
        return nil
    }
    return (run.termination.shellStatus, run.standardOutputText)
}

private func numpyAvailable() -> Bool {
    runPython("import numpy")?.status == 0
}

@Suite("NPY numpy interoperability")
struct NumPyInteropTests {
    @Test("files written by NPY.write load in numpy with identical values")
    func numpyReadsOurFiles() throws {
        // Optional: without python3 + numpy there is nothing to compare against.
        guard numpyAvailable() else { return }
        let script = """
        import sys, numpy as np
        a = np.load(sys.argv[1])
        print("dtype", a.dtype.str)
        print("fortran", a.flags.f_contiguous and not a.flags.c_contiguous and a.ndim > 1)
        print("shape", " ".join(str(d) for d in a.shape))
        flat = a.ravel(order="C")
        for v, b in zip(flat.tolist(), flat.view("<u8").tolist()):
            print("value", repr(v), format(b, "016x"))
        """
        let arrays: [NPYArray] = [
            try NPYArray(shape: [3, 4], values: [
                -0.0, 1.0 / 3.0, Double("1e-310")!, .infinity, -.infinity, .nan, .pi, 0.1,
                Double(bitPattern: 0x7FF4_DEAD_BEEF_0001), -1e300, .leastNonzeroMagnitude, 123456789.125,
            ]),
            try NPYArray(shape: [], values: [2.5]),
            try NPYArray(shape: [0], values: []),
            try NPYArray(shape: [2, 3, 4], values: (0..<24).map { Double($0) * -0.75 }),
        ]
        try withTemporaryDirectory { directory in
            for (index, array) in arrays.enumerated() {
                let path = directory + "/ours\(index).npy"
                try NPY.write(array, to: path)
                guard let (status, output) = runPython(script, [path]) else {
                    Issue.record("python3 could not be started")
                    return
                }
                #expect(status == 0, "\(output)")
                let lines = output.split(separator: "\n").map(String.init)
                #expect(lines.contains("dtype <f8"), "\(output)")
                #expect(lines.contains("fortran False"), "\(output)")
                let shapeLine = lines.first { $0.hasPrefix("shape") } ?? ""
                let shape = shapeLine.dropFirst(5).split(separator: " ").compactMap { Int($0) }
                #expect(shape == array.shape)
                let valueLines = lines.filter { $0.hasPrefix("value ") }.map { $0.split(separator: " ") }
                #expect(valueLines.count == array.values.count)
                for (line, value) in zip(valueLines, array.values) where line.count == 3 {
                    // numpy's repr round-trips, so parsing it must give our exact value.
                    if value.isNaN {
                        #expect(line[1] == "nan")
                    } else {
                        #expect(Double(String(line[1]))?.bitPattern == value.bitPattern, "\(line[1]) vs \(value)")
                    }
                    #expect(UInt64(line[2], radix: 16) == value.bitPattern)
                }
            }
        }
    }

    @Test("numpy.save output: C-order float64 accepted, everything else rejected")
    func weReadNumpyFiles() throws {
        // Optional: without python3 + numpy there is nothing to compare against.
        guard numpyAvailable() else { return }
        let script = """
        import sys, os, numpy as np
        d = sys.argv[1]
        c = (np.arange(12, dtype="<f8").reshape(3, 4) - 5.5) / 7.0
        c[0, 0] = -0.0; c[0, 1] = np.inf; c[0, 2] = 5e-324; c[0, 3] = np.nan
        np.save(os.path.join(d, "c.npy"), c)
        np.save(os.path.join(d, "fortran.npy"), np.asfortranarray(c))
        np.save(os.path.join(d, "f4.npy"), c.astype("<f4"))
        np.save(os.path.join(d, "be.npy"), c.astype(">f8"))
        np.save(os.path.join(d, "i8.npy"), np.arange(6, dtype="<i8"))
        np.save(os.path.join(d, "scalar.npy"), np.array(2.5))
        np.save(os.path.join(d, "empty.npy"), np.zeros((0, 3)))
        np.save(os.path.join(d, "structured.npy"), np.zeros(2, dtype=[("a", "<f8"), ("b", "<f8")]))
        for major in (2, 3):
            with open(os.path.join(d, "v%d.npy" % major), "wb") as f:
                np.lib.format.write_array(f, c, version=(major, 0))
        for b in c.ravel().view("<u8").tolist():
            print("bits", format(b, "016x"))
        """
        try withTemporaryDirectory { directory in
            guard let (status, output) = runPython(script, [directory]) else {
                Issue.record("python3 could not be started")
                return
            }
            #expect(status == 0, "\(output)")
            let expectedBits = output.split(separator: "\n").filter { $0.hasPrefix("bits ") }
                .compactMap { UInt64($0.dropFirst(5), radix: 16) }
            #expect(expectedBits.count == 12)

            for name in ["c.npy", "v2.npy", "v3.npy"] {
                let array = try NPY.read(contentsOf: directory + "/" + name, expectingDimensions: 2, exactShape: [3, 4])
                #expect(bits(array.values) == expectedBits, "\(name)")
                #expect(array.values[0].sign == .minus && array.values[3].isNaN, "\(name)")
            }
            #expect(fileBytes(directory + "/v2.npy")?[6] == 2)
            #expect(fileBytes(directory + "/v3.npy")?[6] == 3)

            let scalar = try NPY.read(contentsOf: directory + "/scalar.npy")
            #expect(scalar.shape == [] && scalar.values == [2.5])
            let empty = try NPY.read(contentsOf: directory + "/empty.npy")
            #expect(empty.shape == [0, 3] && empty.values.isEmpty)

            let rejected: [(String, NPYError)] = [
                ("fortran.npy", .fortranOrderNotSupported(source: directory + "/fortran.npy")),
                ("f4.npy", .unsupportedDtype(source: directory + "/f4.npy", descr: "'<f4'")),
                ("be.npy", .unsupportedDtype(source: directory + "/be.npy", descr: "'>f8'")),
                ("i8.npy", .unsupportedDtype(source: directory + "/i8.npy", descr: "'<i8'")),
                ("structured.npy", .unsupportedDtype(source: directory + "/structured.npy",
                                                     descr: "[('a', '<f8'), ('b', '<f8')]")),
            ]
            for (name, expected) in rejected {
                #expect(throws: expected, "\(name)") { try NPY.read(contentsOf: directory + "/" + name) }
            }
        }
    }
}
