#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One tick mark on an axis.
struct Tick: Sendable, Equatable {
    /// Position in data units.
    var value: Double
    /// Text written next to the tick; `nil` for an unlabelled (minor) tick.
    var label: RichLabel?
    /// Major ticks are longer and get a grid line.
    var isMajor: Bool
}

/// Tick placement for linear and logarithmic axes.
enum TickGenerator {
    /// Ticks for an axis of the given scale over a scale-space interval
    /// (`low`, `high` are log₁₀ bounds on a logarithmic axis).
    /// - Parameter spacing: desired minimum pixel distance between labels.
    static func ticks(
        scale: AxisScale, low: Double, high: Double, pixelLength: Double, spacing: Double
    ) -> [Tick] {
        switch scale {
        case .linear:
            return linear(low: low, high: high, pixelLength: pixelLength, spacing: spacing)
        case .logarithmic:
            return logarithmic(low: low, high: high, pixelLength: pixelLength, spacing: spacing)
        }
    }

    /// The "nice" step (1, 2 or 5 times a power of ten) not smaller than `raw`.
    static func niceStep(_ raw: Double) -> Double {
        let exponent = floor(log10(raw))
        let magnitude = pow(10, exponent)
        let normalized = raw / magnitude
        let mantissa: Double = normalized <= 1 + 1e-9 ? 1 : normalized <= 2 + 1e-9 ? 2 : normalized <= 5 + 1e-9 ? 5 : 10
        return mantissa * magnitude
    }

    /// The next smaller nice step (10 → 5 → 2 → 1 → 0.5 …).
    static func smallerStep(_ step: Double) -> Double {
        let exponent = floor(log10(step) + 1e-9)
        let magnitude = pow(10, exponent)
        let mantissa = (step / magnitude).rounded()
        switch mantissa {
        case 5: return 2 * magnitude
        case 2: return magnitude
        default: return magnitude / 2
        }
    }

    /// Multiples of `step` within [low, high] (with a tiny tolerance).
    static func multiples(of step: Double, low: Double, high: Double) -> [Double] {
        let first = ceil(low / step - 1e-9), last = floor(high / step + 1e-9)
        guard first.isFinite, last.isFinite, abs(first) < 1e15, abs(last) < 1e15, last - first < 10_000
        else { return [] }
        var values: [Double] = []
        var i = first
        while i <= last {
            values.append(i == 0 ? 0 : i * step)
            i += 1
        }
        return values
    }

    /// Linear ticks at multiples of a 1-2-5 step, with about one label per
    /// `spacing` pixels and at least two ticks.
    static func linear(low: Double, high: Double, pixelLength: Double, spacing: Double) -> [Tick] {
        let target = max(2, Int(pixelLength / spacing))
        var step = niceStep((high - low) / Double(target))
        var values = multiples(of: step, low: low, high: high)
        var attempts = 0
        while values.count < 2 && attempts < 8 {
            step = smallerStep(step)
            values = multiples(of: step, low: low, high: high)
            attempts += 1
        }
        if values.count < 2 { values = [low, high] }
        let labels = linearLabels(values, step: step)
        return zip(values, labels).map { Tick(value: $0, label: $1, isMajor: true) }
    }

    /// Labels for equally spaced linear ticks: fixed decimals matching the step,
    /// or a common power of ten ("2.5×10⁶") for very large or very small values.
    static func linearLabels(_ values: [Double], step: Double) -> [RichLabel] {
        let maxAbs = values.map(abs).max() ?? 0
        if maxAbs >= 1e5 || (maxAbs > 0 && maxAbs < 1e-3) {
            let exponent = Int(floor(log10(maxAbs) + 1e-9))
            let power = pow(10, Double(exponent))
            let decimals = decimalsNeeded(values.map { $0 / power }, step: step / power)
            return values.map { v in
                if v == 0 { return RichLabel(text: "0") }
                return RichLabel(text: formatFixed(v / power, decimals: decimals) + "×10", superscript: String(exponent))
            }
        }
        let decimals = decimalsNeeded(values, step: step)
        return values.map { RichLabel(text: formatFixed($0, decimals: decimals)) }
    }

    /// The fewest decimals (at least those implied by the step's magnitude)
    /// with which every value is written to within 1e-6 of the step.
    static func decimalsNeeded(_ values: [Double], step: Double) -> Int {
        var decimals = min(15, max(0, -Int(floor(log10(step) + 1e-9))))
        while decimals < 15 {
            var factor = 1.0
            for _ in 0..<decimals { factor *= 10 }
            if values.allSatisfy({ abs(($0 * factor).rounded() / factor - $0) <= 1e-6 * step }) { break }
            decimals += 1
        }
        return decimals
    }

    /// A power-of-ten label "10^k".
    static func decadeLabel(_ k: Int) -> RichLabel {
        RichLabel(text: "10", superscript: String(k))
    }

    /// A compact label for m·10^k: plain decimal for moderate k, else "m×10^k".
    static func compactLabel(mantissa m: Int, exponent k: Int) -> RichLabel {
        if (-4...5).contains(k) {
            return RichLabel(text: formatFixed(Double(m) * pow(10, Double(k)), decimals: max(0, -k)))
        }
        return RichLabel(text: "\(m)×10", superscript: String(k))
    }

    /// Logarithmic ticks over log₁₀ bounds [low, high]: labelled decades (every
    /// n-th decade if they would crowd), unlabelled minor ticks at 2…9 × 10^k
    /// when the axis spans at most six decades; within less than about one
    /// decade, labelled ticks at 1-2-5 (or 1…9) × 10^k instead.
    static func logarithmic(low: Double, high: Double, pixelLength: Double, spacing: Double) -> [Tick] {
        let firstDecade = Int(ceil(low - 1e-9)), lastDecade = Int(floor(high + 1e-9))
        let decadeCount = lastDecade - firstDecade + 1
        var ticks: [Tick] = []
        if decadeCount >= 2 {
            let maxLabels = max(2, Int(pixelLength / spacing))
            var stride = max(1, Int((Double(decadeCount) / Double(maxLabels)).rounded(.up)))
            func isLabelled(_ k: Int) -> Bool { ((k % stride) + stride) % stride == 0 }
            while stride > 1 && (firstDecade...lastDecade).filter(isLabelled).count < 2 { stride -= 1 }
            for k in firstDecade...lastDecade {
                let labelled = isLabelled(k)
                ticks.append(Tick(value: pow(10, Double(k)), label: labelled ? decadeLabel(k) : nil, isMajor: labelled))
            }
            if stride == 1 && high - low <= 6 {
                for k in Int(floor(low))...Int(ceil(high)) {
                    for m in 2...9 {
                        let t = log10(Double(m)) + Double(k)
                        if t >= low - 1e-9 && t <= high + 1e-9 {
                            ticks.append(Tick(value: Double(m) * pow(10, Double(k)), label: nil, isMajor: false))
                        }
                    }
                }
            }
            return ticks.sorted { $0.value < $1.value }
        }
        // Less than two decades visible: label 1-2-5 multiples, or all of 1…9.
        let maxLabels = max(2, Int(pixelLength / spacing))
        for mantissas in [[1, 2, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9]] {
            var candidates: [(Int, Int)] = []
            for k in Int(floor(low)) - 1...Int(ceil(high)) {
                for m in mantissas {
                    let t = log10(Double(m)) + Double(k)
                    if t >= low - 1e-9 && t <= high + 1e-9 { candidates.append((m, k)) }
                }
            }
            if candidates.count >= 2 && (candidates.count <= maxLabels || mantissas.count == 3) {
                return candidates.map {
                    Tick(value: Double($0.0) * pow(10, Double($0.1)), label: compactLabel(mantissa: $0.0, exponent: $0.1), isMajor: true)
                }
            }
        }
        // Very narrow range: linear ticks in data units.
        return linear(low: pow(10, low), high: pow(10, high), pixelLength: pixelLength, spacing: spacing)
    }
}
