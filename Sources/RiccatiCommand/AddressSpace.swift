#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Riccati

/// The start-up check of the address-space and data limits (`ulimit -v`, `ulimit -d`).
///
/// OpenBLAS reserves a work buffer of 128 MiB of address space (Debian's build; barely touched)
/// for each thread of its own pool when the library is loaded, before `main`. When `malloc`
/// cannot provide it, OpenBLAS retries forever: the pool thread spins at full CPU and, at `exit`,
/// the process waits for it, so even `riccati --version` hung under `ulimit -v 262144`
/// (measured: it needs about 268 MiB; a small `integrate` about 394 MiB, a small `sgd` about
/// 604 MiB). So before parsing, the tool checks that the limits leave room for that buffer and a
/// little more, and otherwise refuses with one line and exit code 2, leaving through `_exit`,
/// which skips the exit handlers that would wait for the spinning thread. Every command's own
/// estimate is then checked against ``MemoryBudget``, which sets aside
/// ``MemoryBudget/reservedBytes`` for the process (OpenBLAS's buffers included).
enum AddressSpace {
    /// Room the process needs beyond what is mapped at start-up: OpenBLAS's pool buffer (128 MiB
    /// plus its alignment page) and 72 MiB for the argument parser, the runtime and a thread stack.
    static let startUpBytes = 200 << 20

    /// A `/proc/self/status` field in bytes (`VmSize`, `VmData`), or `nil` when it cannot be read.
    static func statusField(_ name: String) -> Double? {
        let descriptor = open("/proc/self/status", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { _ = close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 8192)
        var used = 0
        while used < buffer.count {
            let count = buffer.withUnsafeMutableBytes { raw in read(descriptor, raw.baseAddress! + used, raw.count - used) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            used += count
        }
        for line in String(decoding: buffer[0..<used], as: UTF8.self).split(separator: "\n")
        where line.hasPrefix(name + ":") {
            let kibibytes = line.dropFirst(name.count + 1).filter { $0.isNumber }
            return Double(kibibytes).map { $0 * 1024 }
        }
        return nil
    }

    /// The refusal line when a limit leaves less than ``startUpBytes`` above what is mapped now,
    /// `nil` otherwise (no limit, or the mapped size cannot be read).
    static func checkAtStartUp() -> String? {
        let room = Double(startUpBytes)
        for (limit, field, flag) in [(MemoryBudget.addressSpaceLimit, "VmSize", "-v"), (MemoryBudget.dataLimit, "VmData", "-d")] {
            guard limit.isFinite, let mapped = statusField(field), mapped + room > limit else { continue }
            // A run needs the reservation of MemoryBudget plus room for its own arrays.
            let startKiB = Int(((mapped + room) / 1024).rounded(.up))
            let runKiB = Swift.max(startKiB, Int(MemoryBudget.reservedBytes / 1024) + (256 << 10))
            return "ulimit \(flag) \(Int(limit / 1024)) (KiB) is too small to start: OpenBLAS alone reserves 128 MiB "
                + "of address space per thread, and a run needs at least ulimit \(flag) \(runKiB)"
        }
        return nil
    }
}
