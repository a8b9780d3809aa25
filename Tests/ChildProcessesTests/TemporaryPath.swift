import Glibc

/// A path in /tmp that no other test (or run) uses: `label`, this process's ID and a random number.
func temporaryPath(_ label: String) -> String {
    "/tmp/riccati-child-\(label)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
}
