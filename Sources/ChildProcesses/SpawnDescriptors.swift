import CSpawnSupport
import Glibc

/// The descriptors behind a child's three standard streams while it is being started: what the
/// child gets as 0, 1 and 2, and the pipe ends the parent keeps.
///
/// Every descriptor made here is close-on-exec and numbered 3 or above, so that duplicating one
/// onto 0, 1 or 2 in the child can never overwrite another that is still to be duplicated.
struct SpawnDescriptors {
    /// What the child duplicates onto stream `i` (`nil`: inherited, or closed).
    var childEnds: [Int32?] = [nil, nil, nil]
    /// Streams closed in the child.
    var closedInChild: Set<Int32> = []
    /// The parent's pipe ends, by stream.
    var parentEnds: [Int32?] = [nil, nil, nil]
    /// Descriptors opened here for the child only, closed once it has started.
    private var temporary: [Int32] = []

    mutating func prepare(_ stream: ChildStream, as number: Int32) throws(ChildProcessError) {
        let isInput = number == 0
        switch stream {
        case .inherit:
            break
        case .closed:
            closedInChild.insert(number)
        case .null:
            childEnds[Int(number)] = try open("/dev/null", isInput ? O_RDONLY : O_WRONLY)
        case .file(let path):
            childEnds[Int(number)] = try open(path, isInput ? O_RDONLY : O_WRONLY | O_CREAT | O_TRUNC)
        case .descriptor(let descriptor):
            let copy = fcntl(descriptor, F_DUPFD_CLOEXEC, 3)
            guard copy >= 0 else { throw .fileFailed(path: "descriptor \(descriptor)", errno: errno) }
            temporary.append(copy)
            childEnds[Int(number)] = copy
        case .pipe:
            var ends: [Int32] = [-1, -1]
            guard spawn_support_close_on_exec_pipe(&ends) == 0 else { throw .pipeFailed(errno: errno) }
            let read: Int32, write: Int32
            do {
                read = try raised(ends[0], orElse: { .pipeFailed(errno: $0) })
            } catch {
                close(ends[1])
                throw error
            }
            do {
                write = try raised(ends[1], orElse: { .pipeFailed(errno: $0) })
            } catch {
                close(read)
                throw error
            }
            temporary.append(isInput ? read : write)
            childEnds[Int(number)] = isInput ? read : write
            parentEnds[Int(number)] = isInput ? write : read
        }
    }

    /// Closes what only the child needed.
    mutating func closeChildEnds() {
        for descriptor in temporary { close(descriptor) }
        temporary = []
    }

    /// Closes the parent's pipe ends (the child could not be started).
    mutating func closeParentEnds() {
        for case let descriptor? in parentEnds { close(descriptor) }
        parentEnds = [nil, nil, nil]
    }

    private mutating func open(_ path: String, _ flags: Int32) throws(ChildProcessError) -> Int32 {
        let descriptor = Glibc.open(path, flags | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .fileFailed(path: path, errno: errno) }
        let moved = try raised(descriptor, orElse: { .fileFailed(path: path, errno: $0) })
        temporary.append(moved)
        return moved
    }

    /// `descriptor` itself when it is 3 or above, else a close-on-exec copy that is (the original is closed).
    private func raised(_ descriptor: Int32, orElse failure: (Int32) -> ChildProcessError) throws(ChildProcessError) -> Int32 {
        guard descriptor < 3 else { return descriptor }
        let copy = fcntl(descriptor, F_DUPFD_CLOEXEC, 3)
        let code = errno
        close(descriptor)
        guard copy >= 0 else { throw failure(code) }
        return copy
    }
}
