import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The memory this process may use, and the check every command's up-front estimate goes
/// through.
///
/// **Budget.** The smallest of: physical memory (`sysconf(_SC_PHYS_PAGES) · _SC_PAGESIZE`), the
/// address-space and data-segment limits (`getrlimit(RLIMIT_AS)`, `RLIMIT_DATA`: `ulimit -v`,
/// `ulimit -d`) and the cgroup's `memory.max` (`/sys/fs/cgroup/memory.max`, when readable and not
/// `max`), less ``reservedBytes`` for what every run holds whatever its inputs (the Swift
/// runtime and Foundation, OpenBLAS's buffers, thread stacks and the address space glibc reserves
/// per thread). Memory other processes use is not subtracted: the check refuses what could never
/// fit, not what does not fit right now.
///
/// **Estimates.** Each estimate (``OverlapProblem/memoryEstimate(method:)``, the SGD and sweep
/// estimates) counts every allocation that grows with the inputs, in floating point (so it
/// never overflows), and the check compares it with the budget before any work is done.
public enum MemoryBudget {
    /// Bytes set aside for the process itself (measured: a small `riccati integrate` peaks near
    /// 40 MB resident and 400 MB of address space, most of it reserved by glibc's per-thread arenas and
    /// OpenBLAS; an address-space limit counts the reservations too).
    public static let reservedBytes: Double = 768 * 1024 * 1024

    /// Of ``reservedBytes``, OpenBLAS's GEMM packing buffer (32 MiB per thread that calls it):
    /// allocated at start-up, its pages become resident as larger products use more of it, so a
    /// large run's resident peak can exceed its estimate by up to this much over a small run's.
    public static let blasBufferBytes: Double = 32 * 1024 * 1024

    /// Physical memory in bytes (`+∞` when unknown).
    public static var physicalBytes: Double {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), pageSize = sysconf(Int32(_SC_PAGESIZE))
        guard pages > 0, pageSize > 0 else { return .infinity }
        return Double(pages) * Double(pageSize)
    }

    /// The soft limit of `resource` in bytes (`+∞` when unlimited or unknown).
    static func softLimit(_ resource: Int32) -> Double {
        var limit = rlimit()
        #if canImport(Glibc)
        let result = getrlimit(__rlimit_resource_t(UInt32(resource)), &limit)
        #else
        let result = getrlimit(resource, &limit)
        #endif
        guard result == 0, limit.rlim_cur != rlim_t.max else { return .infinity }
        return Double(limit.rlim_cur)
    }

    /// `ulimit -v` in bytes (`+∞` when unlimited).
    public static var addressSpaceLimit: Double { softLimit(Int32(RLIMIT_AS.rawValue)) }
    /// `ulimit -d` in bytes (`+∞` when unlimited).
    public static var dataLimit: Double { softLimit(Int32(RLIMIT_DATA.rawValue)) }

    /// The cgroup (v2) `memory.max` in bytes (`+∞` when absent, unreadable or `max`).
    public static var cgroupLimit: Double {
        guard let text = try? String(contentsOfFile: "/sys/fs/cgroup/memory.max", encoding: .utf8),
              let value = Double(text.trimmingCharacters(in: .whitespacesAndNewlines)), value > 0 else { return .infinity }
        return value
    }

    /// The limit before the reservation: the smallest of physical memory, `RLIMIT_AS`,
    /// `RLIMIT_DATA` and the cgroup's `memory.max`.
    public static var limitBytes: Double {
        Swift.min(physicalBytes, addressSpaceLimit, dataLimit, cgroupLimit)
    }

    /// The bytes an estimate may take: ``limitBytes`` less ``reservedBytes`` (at least 0).
    public static var availableBytes: Double { Swift.max(0, limitBytes - reservedBytes) }

    /// `bytes` as `1.23 GB`.
    public static func format(_ bytes: Double) -> String {
        if bytes >= 1e9 { return String(format: "%.3g GB", bytes / 1e9) }
        return String(format: "%.3g MB", bytes / 1e6)
    }

    /// Throws ``RiccatiError/exceedsLimit(names:reason:)`` naming `names` (the parameters that
    /// drive the size) when `bytes` exceed ``availableBytes``; `what` says what needs them.
    public static func check(_ bytes: Double, names: [String], what: String) throws(RiccatiError) {
        let available = availableBytes
        guard bytes.isFinite, bytes <= available else {
            throw .exceedsLimit(names: names, reason: refusal(bytes, what: what, available: available))
        }
    }

    /// The reason of a refusal: what needs how much, against what this process may use.
    public static func refusal(_ bytes: Double, what: String, available: Double = availableBytes) -> String {
        "\(what) need about \(format(bytes)), more than the \(format(available)) this process may use "
            + "(the least of physical memory, ulimit -v/-d and the cgroup's memory.max, less \(format(reservedBytes)) for the process itself)"
    }
}
