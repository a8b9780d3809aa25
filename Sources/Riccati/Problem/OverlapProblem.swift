import LinearAlgebra

/// An initial-value problem for the overlap ODE on `[0, finalTime]`.
public struct OverlapProblem: Sendable {
    public var spectrum: TeacherSpectrum
    public var initialState: OverlapState
    public var finalTime: Double
    /// Sorted times in `[0, finalTime]` at which states and observables are recorded.
    public var saveTimes: [Double]

    /// Validates shapes (`M0` is `r_s×r` with `r = λ.count`), `P0 ⪰ 0`, the final time and the save times.
    public init(spectrum: TeacherSpectrum, initialState: OverlapState, finalTime: Double, saveTimes: [Double]) throws(RiccatiError) {
        guard initialState.teacherWidth == spectrum.count else {
            throw .invalidInput("M0 has \(initialState.teacherWidth) columns but λ has r = \(spectrum.count) entries")
        }
        try initialState.validatePositiveSemidefinite()
        try validateTimes(finalTime: finalTime, saveTimes: saveTimes)
        self.spectrum = spectrum
        self.initialState = initialState
        self.finalTime = finalTime
        self.saveTimes = saveTimes
    }

    public var studentWidth: Int { initialState.studentWidth }
    public var teacherWidth: Int { spectrum.count }
}
