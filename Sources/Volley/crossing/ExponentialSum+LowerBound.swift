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

    /// A lower bound on ln x for x ≥ 1 (−∞ below 1, and for NaN), without calling `log` or
    /// dividing: with x = 2ᵉ·m, m ∈ [1, 2) in the 1/32-wide segment [mᵢ, mᵢ₊₁), mᵢ = 1 + i/32,
    /// ln x = e·ln 2 + ln mᵢ + ln(1 + u) with u = (m − mᵢ)/mᵢ ∈ [0, 1/32), and the alternating
    /// series gives u − u²/2 ≤ ln(1 + u), short by at most u³/3 < 1.02e-5. The segment is read
    /// from m's bits and m − mᵢ is exact; ln mᵢ and 1/mᵢ are tabulated (`logSegmentNodes`,
    /// correctly rounded). All terms are ≥ 0, so lowering the sum by 1e-13 relative covers its
    /// few roundings and the tables'. Like ln x, the bound stays above 1 − 1/x (the linearised
    /// bound's logarithm) but within roundings of x = 1. Used for the wake-up bounds, where a
    /// bound a little early only wakes a neuron a little early, at a fraction of a `log`'s cost.
    @inlinable @inline(__always)
    public static func logLowerBound(_ x: Double) -> Double {
        guard x >= 1 else { return -.infinity }
        guard x < .infinity else { return .infinity }
        let bits = x.bitPattern
        let e = Int(truncatingIfNeeded: bits &>> 52) &- 1023
        let i = Int(truncatingIfNeeded: (bits &>> 47) & 31)
        let m = Double(bitPattern: (bits & 0x000F_FFFF_FFFF_FFFF) | 0x3FF0_0000_0000_0000)
        let node = Double(bitPattern: (bits & 0x000F_8000_0000_0000) | 0x3FF0_0000_0000_0000)
        return logSegmentNodes.withUnsafeBufferPointer { table in
            let u = (m - node) * table[2 &* i &+ 1]
            let series = u * (1 - 0.5 * u)
            return (Double(e) * 0.693_147_180_559_945_3 + table[2 &* i] + series) * (1 - 1e-13)
        }
    }
}

/// For i = 0…31 the pair ln mᵢ, 1/mᵢ with mᵢ = 1 + i/32, each the Double nearest the exact
/// value: the segments of `ExponentialSum.logLowerBound` (checked by `ExponentialSumTests`).
@usableFromInline let logSegmentNodes: [Double] = [
    0.0, 1.0, 0.030771658666753687, 0.9696969696969697,
    0.06062462181643484, 0.9411764705882353, 0.08961215868968714, 0.9142857142857143,
    0.11778303565638346, 0.8888888888888888, 0.1451820098444979, 0.8648648648648649,
    0.17185025692665923, 0.8421052631578947, 0.19782574332991987, 0.8205128205128205,
    0.22314355131420976, 0.8, 0.24783616390458127, 0.7804878048780488,
    0.27193371548364176, 0.7619047619047619, 0.2954642128938359, 0.7441860465116279,
    0.3184537311185346, 0.7272727272727273, 0.3409265869705932, 0.7111111111111111,
    0.3629054936893685, 0.6956521739130435, 0.38441169891033206, 0.6808510638297872,
    0.4054651081081644, 0.6666666666666666, 0.4260843953109001, 0.6530612244897959,
    0.44628710262841953, 0.64, 0.46608972992459924, 0.6274509803921569,
    0.4855078157817008, 0.6153846153846154, 0.5045560107523953, 0.6037735849056604,
    0.5232481437645479, 0.5925925925925926, 0.5415972824327444, 0.5818181818181818,
    0.5596157879354227, 0.5714285714285714, 0.5773153650348236, 0.5614035087719298,
    0.5947071077466928, 0.5517241379310345, 0.6118015411059929, 0.5423728813559322,
    0.6286086594223741, 0.5333333333333333, 0.6451379613735847, 0.5245901639344263,
    0.661398482245365, 0.5161290322580645, 0.6773988235918061, 0.5079365079365079,
]
