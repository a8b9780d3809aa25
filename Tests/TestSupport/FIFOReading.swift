import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Everything a reader of the FIFO `path` gets until the writer closes it (`Data(contentsOf:)`
/// trusts the size `stat` reports, 0 for a FIFO).
public func readFIFO(_ path: String) -> Data {
    let descriptor = open(path, O_RDONLY)
    guard descriptor >= 0 else { return Data() }
    defer { close(descriptor) }
    var result = Data()
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
        let count = read(descriptor, &buffer, buffer.count)
        if count < 0 && errno == EINTR { continue }
        if count <= 0 { return result }
        result.append(contentsOf: buffer[0..<count])
    }
}
