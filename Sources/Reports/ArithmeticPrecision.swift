/// The arithmetic of an SGD simulation (`SGDSimulator<Double>` or `SGDSimulator<Float>`), as
/// recorded in the reports.
public enum ArithmeticPrecision: String, CaseIterable, Sendable {
    case double, float
}
