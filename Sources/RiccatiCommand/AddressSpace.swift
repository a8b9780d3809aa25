#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The address-space limit (`ulimit -v`, `RLIMIT_AS`) seen from OpenBLAS.
///
/// OpenBLAS reserves one work buffer (128 MiB of address space in Debian's build, barely touched)
/// for every thread that calls a level-3 routine, and for every thread of its own pool when the
/// library is loaded. When `malloc` cannot provide it, OpenBLAS retries forever: the process spins
/// at full CPU, ignores SIGINT and SIGTERM (a handler only sets a flag) and, at `exit`, waits for
/// a pool thread that never finishes. Measured with this build: `riccati --version` needs about
/// 268 MiB of address space, an `integrate` or `compare` run about 394 MiB, an `sgd` run about
/// 604 MiB; below that they hung.
///
/// So the tool checks the limit itself: before parsing (room for the pool's buffer) and before a
/// command's work (room for one buffer and one thread stack per thread that may call BLAS, plus
/// the command's own estimate). Too little room is refused with one line and exit code 2, left
/// through `_exit`, which skips the exit handlers that would wait for the spinning pool thread.
enum AddressSpace {
    /// One OpenBLAS work buffer (`BUFFER_SIZE` of Debian's x86-64 build, plus its alignment page),
    /// rounded up with a thread's stack (8 MiB, glibc's default).
    static let bytesPerBLASThread = 136 << 20
    /// What the process maps besides (libraries, the Swift runtime, the allocator's arenas).
    static let slackBytes = 64 << 20

    /// `RLIMIT_AS`'s soft limit in bytes, `nil` when unlimited.
    static var limit: Int? {
        var value = rlimit()
        guard getrlimit(RLIMIT_AS, &value) == 0, value.rlim_cur != RLIM_INFINITY else { return nil }
        return Int(clamping: value.rlim_cur)
    }

    /// The address space mapped now (`VmSize`, the first field of `/proc/self/statm`, in pages),
    /// or `nil` when it cannot be read.
    static var mapped: Int? {
        let descriptor = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { _ = close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 128)
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        let digits = buffer[0..<count].prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        guard let pages = Int(String(decoding: digits, as: UTF8.self)) else { return nil }
        return pages.multipliedReportingOverflow(by: Int(sysconf(Int32(_SC_PAGESIZE)))).partialValue
    }

    /// The reason `needed` more bytes of address space do not fit under the limit, or `nil` when
    /// they do (or when there is no limit, or the mapped size cannot be read).
    static func shortfall(needing needed: Int, for purpose: String) -> String? {
        guard let limit, let mapped else { return nil }
        let (total, overflow) = mapped.addingReportingOverflow(needed)
        guard overflow || total > limit else { return nil }
        let mebibyte = 1 << 20
        let required = overflow ? Int.max / mebibyte : (total + mebibyte - 1) / mebibyte
        return "the address-space limit (ulimit -v \(limit / 1024)) is too small: \(purpose) needs about "
            + "\(required) MiB of address space in all (OpenBLAS reserves 128 MiB per computing thread); "
            + "raise it with ulimit -v \(required * 1024) or more"
    }

    /// Before parsing: room for the buffer of OpenBLAS's own pool thread, which may still be
    /// waiting for it, so that `--help` and `--version` can exit.
    static func checkAtStartUp() -> String? {
        shortfall(needing: bytesPerBLASThread + slackBytes, for: "starting OpenBLAS")
    }

    /// Before a command's work: `threads` threads that may call BLAS at once, the pool thread's
    /// buffer if it is still missing, and the command's own estimate.
    static func check(blasThreads threads: Int, estimatedBytes: Int = 0) -> String? {
        let (buffers, overflowA) = (Swift.max(threads, 1) + 1).multipliedReportingOverflow(by: bytesPerBLASThread)
        let (withEstimate, overflowB) = buffers.addingReportingOverflow(Swift.min(Swift.max(estimatedBytes, 0), Int.max / 4) + slackBytes)
        return shortfall(needing: overflowA || overflowB ? Int.max : withEstimate, for: "this run")
    }
}
