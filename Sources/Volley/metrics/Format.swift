import Foundation

/// Number formatting for human-readable output (no Foundation locale dependence).
public enum Format {
    /// `value` with `digits` decimals.
    public static func fixed(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite else { return "\(value)" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        var s = "\(abs(rounded))"
        if s.contains("e") { return "\(rounded)" }
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        var fraction = parts.count > 1 ? String(parts[1]) : ""
        while fraction.count < digits { fraction += "0" }
        fraction = String(fraction.prefix(digits))
        s = digits > 0 ? "\(parts[0]).\(fraction)" : String(parts[0])
        return (rounded < 0 ? "-" : "") + s
    }

    /// `value` as m.mmm·10^e with `digits` decimals of the mantissa, e.g. "1.23e-10".
    public static func scientific(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite, value != 0 else { return value == 0 ? "0" : "\(value)" }
        var exponent = Int(log10(abs(value)).rounded(.down))
        var mantissa = value / pow(10, Double(exponent))
        if abs((mantissa * pow(10, Double(digits))).rounded()) >= 10 * pow(10, Double(digits)) {
            exponent += 1
            mantissa /= 10
        }
        return "\(fixed(mantissa, digits))e\(exponent)"
    }

    /// 3 significant figures with k/M/G suffix.
    public static func engineering(_ value: Double) -> String {
        let units: [(Double, String)] = [(1e9, "G"), (1e6, "M"), (1e3, "k")]
        for (scale, suffix) in units where abs(value) >= scale {
            return fixed(value / scale, 2) + suffix
        }
        return fixed(value, 1)
    }

    public static func bytes(_ n: Int) -> String {
        let d = Double(n)
        if d >= 1_073_741_824 { return fixed(d / 1_073_741_824, 2) + " GiB" }
        if d >= 1_048_576 { return fixed(d / 1_048_576, 2) + " MiB" }
        if d >= 1024 { return fixed(d / 1024, 1) + " KiB" }
        return "\(n) B"
    }
}
