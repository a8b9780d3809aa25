import Foundation

/// A held `flock` on a work directory's `.lock` file (``WorkDirectory/lockForSubmission()``),
/// released when this value is released or the process ends.
public final class SubmissionLock: @unchecked Sendable {
    private let descriptor: Int32

    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
