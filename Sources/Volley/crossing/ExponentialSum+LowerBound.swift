import Foundation

extension ExponentialSum {
    /// A cheap lower bound L on the first crossing (one bound on a logarithm, `logLowerBound`, and
    /// no exponentials), or
    /// +∞ when f < 0 for all s ≥ 0. The negative monotone terms, Σaₖe^(−rₖs) with N = Σaₖ < 0,
    /// are bounded above by N·e^(−r̄s) with r̄ = Σaₖrₖ / N (Jensen: e^x is convex). Then:
    /// 1. every other term is replaced by its supremum; with P the constant plus those suprema,
    ///    f ≤ P + N·e^(−r̄s), increasing, inverted in closed form;
    /// 2. when the positive monotone terms (sum D) all decay at least as fast as r̄, they are
    ///    ≤ D·e^(−r̄s) too, so f ≤ C + (D + N)·e^(−r̄s) with C the constant plus the unimodal
    ///    suprema — much tighter when a decaying positive term (an inhibitory current in LIF-exp)
    ///    dominates P. L is the larger of the two roots. Used to schedule wake-ups.
    @inlinable
    public var crossingLowerBound: Double {
        var fixed = constant
        var decaying = 0.0
        var slowestDecaying = Double.infinity
        var negative = 0.0
        var weightedRate = 0.0
        for k in 0..<count {
            let t = terms[k]
            if t.b == 0 && t.a < 0 {
                negative += t.a
                weightedRate += t.a * t.rate
            } else if t.b == 0 {
                if t.a > 0 {
                    decaying += t.a
                    slowestDecaying = Swift.min(slowestDecaying, t.rate)
                }
            } else {
                fixed += t.tailRange(0).max
            }
        }
        return ExponentialSum.lowerBound(
            fixed: fixed, decaying: decaying, slowestDecaying: slowestDecaying, negative: negative,
            weightedRate: weightedRate, linearBeyond: .infinity)
    }

    /// The two bounds of `crossingLowerBound` from its sums (shared with LIF-exp's state-based
    /// bound). When the cheaper, weaker linearised bound (e^(−r̄s) ≥ 1 − r̄s) already exceeds
    /// `linearBeyond`, it is returned without logarithms.
    @inlinable @inline(__always)
    public static func lowerBound(
        fixed: Double, decaying: Double, slowestDecaying: Double, negative: Double,
        weightedRate: Double, linearBeyond: Double
    ) -> Double {
        let positive = fixed + decaying
        if positive < 0 || (positive == 0 && negative < 0) { return .infinity }
        if positive + negative >= 0 { return 0 }
        // Here N < 0, W = Σaₖrₖ < 0 and f(0) ≤ P + N < 0; r̄ = W/N. Written with one division
        // on the common path (this runs after every excitatory input in the event-driven
        // engine): D decays at least as fast as r̄ ⇔ slowest·N ≤ W, and with S = D + N < 0 and
        // S·W > 0 the larger linear root max((P + N)/W, (F + S)/(S·r̄)) is
        // max((P + N)·S, (F + S)·N)/(S·W).
        let tight = decaying > 0 && slowestDecaying * negative <= weightedRate
        let slope = decaying + negative
        if tight && (slope >= 0 || fixed <= 0) { return .infinity }
        if linearBeyond < .infinity {
            let linear = tight
                ? Swift.max((positive + negative) * slope, (fixed + slope) * negative)
                    / (slope * weightedRate)
                : (positive + negative) / weightedRate
            if linear > linearBeyond { return linear }
        }
        // The log bound: e^(−r̄s) ≥ … gives s ≥ ln(−N/P)/r̄, and when tight also ln(−S/F)/r̄
        // (F > 0 and P = F + D > 0 here); ln is monotone, so one logarithm of the larger ratio,
        // −N/P or −S/F, i.e. max(−N·F, −S·P)/(P·F).
        let ratio = tight ? Swift.max(-negative * fixed, -slope * positive) / (positive * fixed) : -negative / positive
        return logLowerBound(ratio) * (negative / weightedRate)
    }

    /// A lower bound on ln x for x ≥ 1 (−∞ below 1, and for NaN), without calling `log`:
    /// with x = 2ᵉ·m, m ∈ [1, 2), ln x = e·ln 2 + 2·atanh(y), y = (m − 1)/(m + 1) ∈ [0, 1/3), and
    /// the atanh series has only positive terms, so 2(y + y³/3 + y⁵/5) ≤ ln m, short by at most
    /// 2·y⁷/7·(1 + y² + …) < 1.6e-4. The sum is then lowered by 1e-13 relative, far more than its
    /// few roundings can add. Used for the wake-up bounds, where a bound a little early only
    /// wakes a neuron a little early, at a fraction of a `log`'s cost.
    @inlinable @inline(__always)
    public static func logLowerBound(_ x: Double) -> Double {
        guard x >= 1 else { return -.infinity }
        guard x < .infinity else { return .infinity }
        let bits = x.bitPattern
        let e = Int(truncatingIfNeeded: bits &>> 52) &- 1023
        let m = Double(bitPattern: (bits & 0x000F_FFFF_FFFF_FFFF) | 0x3FF0_0000_0000_0000)
        let y = (m - 1) / (m + 1)
        let y2 = y * y
        let series = 2 * y * (1 + y2 * (1.0 / 3 + y2 * 0.2))
        return (Double(e) * 0.693_147_180_559_945_3 + series) * (1 - 1e-13)
    }
}
