import ChildProcesses
import AtomicFiles
import Foundation
import Testing
import TestSupport

/// ``FileDestination``, the stale-temporary clean-up of ``AtomicFile``, ``InputFile`` and
/// ``POSIXIO/writeAll(_:_:shouldStop:)``: devices, FIFOs and descriptors are written in place
/// and stay what they were; regular files (also behind links) are replaced atomically; every
/// early refusal is a failure the final write would otherwise have hit.
@Suite("File destinations, temporaries and bounded inputs", .serialized)
struct FileDestinationTests {
    func withDirectory(_ body: (String) throws -> Void) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("destination-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: path) }
        try body(path)
    }

    func type(_ path: String) -> mode_t? {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_mode & S_IFMT : nil
    }

    func listing(_ directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }

    /// The reason `FileDestination(checking:)` gives, or `nil` if it accepts.
    func refusal(_ path: String) -> String? {
        do { _ = try FileDestination(checking: path); return nil } catch { return error.reason }
    }

    @Test("one-character and relative names split without Foundation: x works; ., ./, a/ and \"\" are refused")
    func shortNames() throws {
        try withDirectory { directory in
            let previous = FileManager.default.currentDirectoryPath
            #expect(FileManager.default.changeCurrentDirectoryPath(directory))
            defer { _ = FileManager.default.changeCurrentDirectoryPath(previous) }
            try FileDestination(checking: "x").write("one\n")
            #expect(try String(contentsOfFile: directory + "/x", encoding: .utf8) == "one\n")
            #expect(refusal(".")?.contains("is a directory") == true)
            #expect(refusal("./")?.contains("ends in '/'") == true)
            #expect(refusal("a/")?.contains("ends in '/'") == true)
            #expect(refusal("")?.contains("empty") == true)
            #expect(listing(directory) == ["x"])
        }
    }

    @Test("a FIFO is opened and written, not replaced: the reader gets the bytes and it stays a FIFO")
    func fifo() throws {
        try withDirectory { directory in
            let fifo = directory + "/out.fifo"
            #expect(mkfifo(fifo, 0o600) == 0)
            let destination = try FileDestination(checking: fifo)
            #expect(destination.kind == .writeThrough(kind: "a FIFO"))
            let received = Received()
            let reader = Thread { received.set(readFIFO(fifo)) }
            reader.start()
            try destination.write("through the pipe\n")
            while !received.done { usleep(1000) }
            #expect(received.value == Data("through the pipe\n".utf8))
            #expect(type(fifo) == S_IFIFO)
            #expect(listing(directory) == ["out.fifo"])
            // AtomicFile alone refuses it rather than replacing it.
            #expect(throws: AtomicFileError.self) { try AtomicFile.write("x", to: fifo) }
            #expect(type(fifo) == S_IFIFO)
        }
    }

    @Test("a character device (mknod 1,3 as root) is written in place and stays a device",
          .enabled(if: getuid() == 0, "mknod needs root"))
    func characterDevice() throws {
        try withDirectory { directory in
            let device = directory + "/null"
            #expect(mknod(device, S_IFCHR | 0o666, dev_t(1 << 8 | 3)) == 0)   // major 1, minor 3: /dev/null
            let link = directory + "/link-to-null"
            #expect(symlink(device, link) == 0)
            for path in [device, link] {
                let destination = try FileDestination(checking: path)
                #expect(destination.kind == .writeThrough(kind: "a character device"))
                try destination.write(Array(repeating: 7, count: 100_000))
                #expect(throws: AtomicFileError.self) { try AtomicFile.write("x", to: path) }
            }
            #expect(type(device) == S_IFCHR)
            #expect(type(link) == S_IFLNK)
            #expect(listing(directory) == ["link-to-null", "null"])
        }
    }

    @Test("a link to a regular file has its target replaced and stays a link; a dangling link is refused")
    func symbolicLinks() throws {
        try withDirectory { directory in
            let target = directory + "/target.txt", link = directory + "/link.txt"
            try "old\n".write(toFile: target, atomically: false, encoding: .utf8)
            #expect(symlink("target.txt", link) == 0)
            try FileDestination(checking: link).write("new\n")
            #expect(type(link) == S_IFLNK)
            #expect(try String(contentsOfFile: target, encoding: .utf8) == "new\n")
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == "target.txt")
            let dangling = directory + "/dangling"
            #expect(symlink("missing.txt", dangling) == 0)
            #expect(refusal(dangling)?.contains("symbolic link to a missing file") == true)
            #expect(listing(directory) == ["dangling", "link.txt", "target.txt"])
        }
    }

    @Test("/dev/fd/N and - are the process's descriptors, written as they are")
    func descriptors() throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        defer { close(ends[0]) }
        let destination = try FileDestination(checking: "/dev/fd/\(ends[1])")
        #expect(destination.kind == .descriptor(ends[1]))
        try destination.write("via the descriptor\n")
        close(ends[1])
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = read(ends[0], &buffer, 64)
        #expect(String(decoding: buffer[0..<max(count, 0)], as: UTF8.self) == "via the descriptor\n")
        #expect(FileDestination.descriptorNumber("-") == 1)
        #expect(FileDestination.descriptorNumber("/proc/self/fd/7") == 7)
        #expect(FileDestination.descriptorNumber("/dev/fd/x") == nil)
        // A closed descriptor is refused before any write.
        #expect(refusal("/dev/fd/\(ends[1])")?.contains("not open") == true)
    }

    @Test("a read-only regular file is not replaced, also by root; a writable one is (control)")
    func readOnly() throws {
        try withDirectory { directory in
            let path = directory + "/report.txt"
            try "keep\n".write(toFile: path, atomically: false, encoding: .utf8)
            #expect(chmod(path, 0o444) == 0)
            #expect(refusal(path)?.contains("read-only") == true)
            #expect(throws: AtomicFileError.self) { try AtomicFile.write("lost\n", to: path) }
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "keep\n")
            #expect(chmod(path, 0o640) == 0)
            try AtomicFile.write("new\n", to: path)
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "new\n")
            var info = stat()
            #expect(stat(path, &info) == 0 && info.st_mode & 0o777 == 0o640, "the replaced file keeps its mode")
        }
    }

    @Test("NAME_MAX and PATH_MAX: a 250-byte name writes (its temporary name is shortened), 256 bytes is refused early")
    func longNames() throws {
        try withDirectory { directory in
            let long = String(repeating: "é", count: 125)             // 250 bytes
            let path = directory + "/" + long
            var temporary = ""
            try AtomicFile.write(Array("x".utf8), to: path) { temporary = $0 }
            let temporaryName = String(temporary.dropFirst(directory.count + 1))
            #expect(temporaryName.utf8.count <= 255)
            #expect(temporaryName.hasPrefix("." + String(repeating: "é", count: 108) + ".riccati-\(getpid())-"))
            #expect(listing(directory) == [long])
            #expect(refusal(directory + "/" + String(repeating: "a", count: 256))?.contains("at most 255") == true)
            let deep = directory + "/" + Array(repeating: String(repeating: "d", count: 200), count: 21).joined(separator: "/") + "/f"
            #expect(refusal(deep) != nil)
            #expect(refusal(directory + "/missing/f")?.contains("does not exist") == true)
        }
    }

    @Test("a write removes its destination's temporaries whose process is gone, and nothing else")
    func staleTemporaries() throws {
        try withDirectory { directory in
            let dead = try deadProcessID()
            let names = [
                ".ck.bin.riccati-\(dead)-abc123.tmp",            // stale: removed
                ".ck.bin.riccati-1-abc123.tmp",                  // pid 1 is alive: kept
                ".other.bin.riccati-\(dead)-abc123.tmp",         // another destination's: kept
                ".ck.bin.riccati-\(dead)-ABC.tmp",               // not the pattern: kept
            ]
            for name in names { try Data("partial".utf8).write(to: URL(fileURLWithPath: directory + "/" + name)) }
            try AtomicFile.write("checkpoint", to: directory + "/ck.bin")
            #expect(listing(directory) == Array(names.dropFirst() + ["ck.bin"]).sorted())
            #expect(AtomicFile.temporaryOwner(".ck.bin.riccati-42-z9.tmp", of: "ck.bin") == 42)
            #expect(AtomicFile.temporaryOwner(".ck.bin.riccati-42-z9.tmp", of: "ck") == nil)
        }
    }

    @Test("writeAll keeps the system's reason: /dev/full is ENOSPC, a closed descriptor EBADF")
    func writeErrors() throws {
        let full = open("/dev/full", O_WRONLY)
        #expect(full >= 0)
        #expect(POSIXIO.writeAll(full, [1, 2, 3]) == ENOSPC)
        close(full)
        #expect(POSIXIO.writeAll(full, [1]) == EBADF)
        do {
            try FileDestination(checking: "/dev/full").write("x")
            Issue.record("writing /dev/full succeeded")
        } catch {
            #expect(error.reason == "write failed: No space left on device" && error.code == ENOSPC)
        }
    }

    @Test("InputFile refuses devices and directories unopened and reads a FIFO")
    func inputTypes() throws {
        for path in ["/dev/zero", "/dev/null", "/"] {
            #expect(throws: InputFileError.self) { _ = try InputFile(opening: path) }
        }
        do { _ = try InputFile(opening: "/dev/zero") } catch {
            #expect(error.reason == "is a character device; expected a regular file, a pipe or a FIFO")
        }
        try withDirectory { directory in
            let fifo = directory + "/in.fifo"
            #expect(mkfifo(fifo, 0o600) == 0)
            let writer = Thread { try? Data(repeating: 9, count: 200_000).write(to: URL(fileURLWithPath: fifo)) }
            writer.start()
            let file = try InputFile(opening: fifo)
            #expect(!file.isRegular && file.size == nil)
            var bytes: [UInt8] = []
            try file.read(into: &bytes, upTo: 1000)
            #expect(bytes.count == 1000, "reads no more than asked")
            try file.read(into: &bytes, upTo: 1_000_000)
            #expect(bytes.count == 200_000)
        }
    }

    /// A FIFO without a writer: `open` blocks until a signal (handler without SA_RESTART, as the
    /// tool installs) interrupts it; with the stop check `true` the open gives up as interrupted,
    /// with `false` it keeps waiting and then proceeds once a writer comes (control).
    @Test("EINTR on a writer-less FIFO: the stop check decides between giving up and waiting on")
    func interruptedOpen() throws {
        installInterruptingHandler()
        try withDirectory { directory in
            let fifo = directory + "/in.fifo"
            #expect(mkfifo(fifo, 0o600) == 0)
            for stop in [true, false] {
                let outcome = Received()
                let thread = BlockedThread {
                    do {
                        let file = try InputFile(opening: fifo, shouldStop: { stop })
                        var bytes: [UInt8] = []
                        try file.read(into: &bytes, upTo: 10)
                        outcome.set(Data(bytes))
                    } catch let error as InputFileError {
                        outcome.set(Data((error.isInterrupted ? "interrupted" : error.reason).utf8))
                    } catch {
                        outcome.set(Data("\(error)".utf8))
                    }
                }
                // Signal until the thread has reacted (a signal before it blocks is simply lost).
                for _ in 0..<500 where !outcome.done {
                    thread.signal()
                    usleep(10_000)
                    if !stop { break }
                }
                if stop {
                    #expect(String(decoding: outcome.value, as: UTF8.self) == "interrupted")
                } else {
                    usleep(50_000)
                    #expect(!outcome.done, "gave up although the stop check said to wait")
                    let writer = open(fifo, O_WRONLY)
                    _ = POSIXIO.writeAll(writer, Array("data".utf8))
                    close(writer)
                    while !outcome.done { usleep(1000) }
                    #expect(String(decoding: outcome.value, as: UTF8.self) == "data")
                }
            }
        }
    }
}

/// A value handed from a thread.
final class Received: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Data?
    func set(_ value: Data) { lock.withLock { stored = value } }
    var done: Bool { lock.withLock { stored != nil } }
    var value: Data { lock.withLock { stored ?? Data() } }
}

/// A thread running `body` that can be sent SIGUSR1.
final class BlockedThread: @unchecked Sendable {
    private var thread = pthread_t()
    private let ready = DispatchSemaphore(value: 0)

    init(_ body: @escaping @Sendable () -> Void) {
        let box = Unmanaged.passRetained(Box(body: body, ready: ready))
        pthread_create(&thread, nil, { raw in
            let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
            var mask = sigset_t()
            sigemptyset(&mask)
            sigaddset(&mask, SIGUSR1)
            pthread_sigmask(SIG_UNBLOCK, &mask, nil)
            box.ready.signal()
            box.body()
            return nil
        }, box.toOpaque())
        ready.wait()
    }

    func signal() { pthread_kill(thread, SIGUSR1) }

    private final class Box: @unchecked Sendable {
        let body: @Sendable () -> Void
        let ready: DispatchSemaphore
        init(body: @escaping @Sendable () -> Void, ready: DispatchSemaphore) { self.body = body; self.ready = ready }
    }
}

/// SIGUSR1 with an empty handler and no SA_RESTART, so that it interrupts blocking calls.
func installInterruptingHandler() {
    var action = sigaction()
    action.__sigaction_handler.sa_handler = { _ in }
    sigemptyset(&action.sa_mask)
    action.sa_flags = 0
    sigaction(SIGUSR1, &action, nil)
    var mask = sigset_t()
    sigemptyset(&mask)
    sigaddset(&mask, SIGUSR1)
    pthread_sigmask(SIG_UNBLOCK, &mask, nil)
}

/// The id of a process that has exited and been reaped.
func deadProcessID() throws -> Int32 {
    let child = try ChildProcess(executable: "/bin/true")
    child.wait()
    return child.processIdentifier
}

