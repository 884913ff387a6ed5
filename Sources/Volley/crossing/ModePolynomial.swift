import Foundation

/// V(s) − θ of a LIF-exp neuron with *commensurate* time constants, as a polynomial in
/// u = e^(−r₀·s), r₀ the slowest rate: f(s) = c + Σₖ aₖ·u^nₖ over its three modes (membrane,
/// excitatory and inhibitory current) with integer powers nₖ = rₖ/r₀ ≥ 1 — e.g. τm = 20 ms,
/// τ_exc = 5 ms, τ_inh = 10 ms give powers 1, 4, 2. The first crossing is then found without
/// any `exp`: s ≥ 0 maps to u ∈ (0, 1] downwards, and the first s with f(s) ≥ 0 is the largest u
/// with P(u) ≥ 0.
///
/// `firstUpCrossing` is `ExponentialSum.firstUpCrossingByNewton` carried over to u, with the same
/// proofs. The rate at which P grows as u falls is −P′(w) = Σₖ dₖ(w), dₖ(w) = −nₖ·aₖ·w^(nₖ−1),
/// and each dₖ is monotone in w > 0: for aₖ < 0 it is positive and grows with w, for aₖ > 0 it
/// is negative and shrinks towards 0 as w falls (constant −aₖ when nₖ = 1). So over (0, u]
/// −P′ ≤ D = Σ_{aₖ<0 or nₖ=1} dₖ(u), and P < 0 on [u + P(u)/D, u] (the safe step); over [y, u]
/// −P′ ≥ Σ_{aₖ<0} dₖ(y) + Σ_{aₖ>0} dₖ(u), and when that is positive P is monotone there, so the
/// Newton point y either brackets the crossing or is proven crossing-free. Brackets are refined
/// to `tolerance` in s (ds = du/(r₀·u)).
@frozen
public struct ModePolynomial: Sendable {
    public let constant: Double
    public let baseRate: Double
    @usableFromInline let a0: Double, a1: Double, a2: Double
    @usableFromInline let n0: Int, n1: Int, n2: Int

    /// c + a0·u^n0 + a1·u^n1 + a2·u^n2, u = e^(−baseRate·s); every power ≥ 1.
    @inlinable
    public init(
        constant: Double, baseRate: Double, _ a0: Double, power n0: Int, _ a1: Double, power n1: Int,
        _ a2: Double, power n2: Int
    ) {
        precondition(n0 >= 1 && n1 >= 1 && n2 >= 1, "ModePolynomial powers must be ≥ 1")
        self.constant = constant
        self.baseRate = baseRate
        self.a0 = a0
        self.a1 = a1
        self.a2 = a2
        self.n0 = n0
        self.n1 = n1
        self.n2 = n2
    }

    /// w^m for m ≥ 0; the common powers without a loop.
    @inlinable @inline(__always)
    static func power(_ w: Double, _ m: Int) -> Double {
        switch m {
        case 0: return 1
        case 1: return w
        case 2: return w * w
        case 3: return w * w * w
        case 4:
            let q = w * w
            return q * q
        default:
            var result = w
            for _ in 1..<m { result *= w }
            return result
        }
    }

    /// P(u) and the three powers u^(nₖ−1).
    @inlinable @inline(__always)
    func terms(_ u: Double) -> (value: Double, b0: Double, b1: Double, b2: Double) {
        let b0 = ModePolynomial.power(u, n0 &- 1)
        let b1 = ModePolynomial.power(u, n1 &- 1)
        let b2 = ModePolynomial.power(u, n2 &- 1)
        return (constant + a0 * (b0 * u) + a1 * (b1 * u) + a2 * (b2 * u), b0, b1, b2)
    }

    /// −P′ from the powers u^(nₖ−1) of `terms`: the rate at which P grows as u falls.
    @inlinable @inline(__always)
    func descent(_ t: (value: Double, b0: Double, b1: Double, b2: Double)) -> Double {
        -Double(n0) * a0 * t.b0 - Double(n1) * a1 * t.b1 - Double(n2) * a2 * t.b2
    }

    /// P(u) = f(s) at s = −ln(u)/r₀.
    @inlinable
    public func value(atU u: Double) -> Double { terms(u).value }

    @inlinable @inline(__always)
    func time(ofU u: Double) -> Double { -log(u) / baseRate }

    /// The first s ≥ `start` with f(s) ≥ 0, where the caller has proven f < 0 on [0, start),
    /// searched as far as `limit` (beyond it `.clearUntil(s)`, f < 0 on [0, s]), with the results
    /// and the stopping rules of `ExponentialSum.firstUpCrossing(tolerance:searchingUpTo:)`.
    /// After 100 steps without a result (a slow, near-tangential approach) it stops with
    /// `.clearUntil` at the point proven so far, even below `limit`; nil if it made no progress
    /// at all (the caller then searches with exponentials).
    @inlinable
    public func firstUpCrossing(
        tolerance: Double = 1e-14, searchingUpTo limit: Double, from start: Double = 0
    ) -> ExponentialSum.SearchResult? {
        let supremum = constant + Swift.max(a0, 0) + Swift.max(a1, 0) + Swift.max(a2, 0)
        var u = start > 0 ? exp(-baseRate * start) : 1.0
        var (pu, b0, b1, b2) = terms(u)
        if pu >= 0 { return .root(start) }
        if supremum < 0 { return .never }
        let uLimit = limit < .infinity ? exp(-baseRate * limit) : 0
        let m0 = Double(n0), m1 = Double(n1), m2 = Double(n2)
        let uStart = u
        for _ in 0..<100 {
            let d0 = -m0 * a0 * b0
            let d1 = -m1 * a1 * b1
            let d2 = -m2 * a2 * b2
            let descent = d0 + d1 + d2
            let bound = (a0 < 0 || n0 == 1 ? d0 : 0) + (a1 < 0 || n1 == 1 ? d1 : 0)
                + (a2 < 0 || n2 == 1 ? d2 : 0)
            // −P′ ≤ bound on (0, u]: if it is ≤ 0, P cannot rise as u falls (s grows).
            if bound <= 0 { return .never }
            let safe = u + pu / bound
            if descent > 0 {
                let y = u + pu / descent
                if y < safe && y > 0 {
                    let at = terms(y)
                    let risingAtY = (a0 < 0 ? -m0 * a0 * at.b0 : 0) + (a1 < 0 ? -m1 * a1 * at.b1 : 0)
                        + (a2 < 0 ? -m2 * a2 * at.b2 : 0)
                    let fallingAtU = (a0 > 0 ? d0 : 0) + (a1 > 0 ? d1 : 0) + (a2 > 0 ? d2 : 0)
                    if risingAtY + fallingAtU > 0 {
                        // P rises monotonically as u falls from u to y.
                        if at.value >= 0 { return .root(refine(y, u, tolerance: tolerance)) }
                        u = y
                        (pu, b0, b1, b2) = at
                        if u < uLimit { return .clearUntil(time(ofU: u)) }
                        continue
                    }
                }
            }
            // The safe step (P < 0 on [safe, u]); safe ≤ 0: P < 0 for every s.
            if !(safe > 0) { return .never }
            let step = u - safe
            u = safe
            (pu, b0, b1, b2) = terms(u)
            if pu >= 0 { return .root(time(ofU: u)) }
            if u < uLimit { return .clearUntil(time(ofU: u)) }
            let tolU = Swift.max(tolerance * baseRate * u, 4 * u.ulp)
            if step <= 0.5 * tolU {
                let y = u - tolU
                if y > 0 && value(atU: y) >= 0 { return .root(time(ofU: y)) }
            }
        }
        // Not settled (a slow, near-tangential approach): a wake-up where the proof got to.
        return u < uStart ? .clearUntil(time(ofU: u)) : nil
    }

    /// Refines a crossing in [lo, hi] (u), where P(lo) ≥ 0 > P(hi) and P is monotone, by Newton
    /// steps kept inside the bracket, to a width ≤ `tolerance` in s; returns the s of `lo`'s end
    /// (f ≥ 0 there), the upper end of the bracket in s.
    @inlinable
    func refine(_ lo0: Double, _ hi0: Double, tolerance: Double) -> Double {
        var lo = lo0
        var hi = hi0
        let first = terms(lo)
        let d = descent(first)
        var x = d > 0 ? lo + first.value / d : lo + 0.5 * (hi - lo)
        if !(x > lo && x < hi) { x = lo + 0.5 * (hi - lo) }
        for _ in 0..<200 {
            if hi - lo <= Swift.max(tolerance * baseRate * lo, 4 * lo.ulp) { break }
            let t = terms(x)
            if t.value >= 0 { lo = x } else { hi = x }
            let tolU = Swift.max(tolerance * baseRate * lo, 4 * lo.ulp)
            if hi - lo <= tolU { break }
            let slope = descent(t)
            var next = slope > 0 ? x + t.value / slope : lo + 0.5 * (hi - lo)
            // Newton approaches from one side; once its step is below the tolerance, probe just
            // across the root so that the bracket closes from both sides.
            if abs(next - x) < 0.5 * tolU {
                next = t.value >= 0 ? x + 0.5 * tolU : x - 0.5 * tolU
            }
            if !(next > lo && next < hi) { next = lo + 0.5 * (hi - lo) }
            x = next
        }
        return time(ofU: lo)
    }
}
