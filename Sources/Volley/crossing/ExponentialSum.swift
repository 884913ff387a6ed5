import Foundation

/// One term (a + b·s)·e^(−r·s) of an `ExponentialSum`, r > 0, s = time since "now" in ms.
@frozen
public struct ExponentialTerm: Sendable {
    public var a: Double
    public var b: Double
    public var rate: Double

    @inlinable
    public init(a: Double, b: Double = 0, rate: Double) {
        self.a = a
        self.b = b
        self.rate = rate
    }

    @inlinable @inline(__always)
    func value(_ s: Double) -> Double { (a + b * s) * exp(-rate * s) }

    /// The derivative is a term of the same form: (b − r·a − r·b·s)·e^(−r·s).
    @inlinable @inline(__always)
    var derivative: ExponentialTerm { ExponentialTerm(a: b - rate * a, b: -rate * b, rate: rate) }

    /// Location of the single interior extremum of (a + b·s)e^(−rs), or nil when b = 0 (monotone).
    @inlinable @inline(__always)
    var extremum: Double? { b == 0 ? nil : 1.0 / rate - a / b }

    /// Exact minimum and maximum over [lo, hi] (the term is monotone or unimodal).
    @inlinable @inline(__always)
    func range(_ lo: Double, _ hi: Double) -> (min: Double, max: Double) {
        let gl = value(lo)
        let gh = value(hi)
        var mn = Swift.min(gl, gh)
        var mx = Swift.max(gl, gh)
        if let e = extremum, e > lo, e < hi {
            let ge = value(e)
            mn = Swift.min(mn, ge)
            mx = Swift.max(mx, ge)
        }
        return (mn, mx)
    }

    /// Exact infimum and supremum over [lo, ∞).
    @inlinable @inline(__always)
    func tailRange(_ lo: Double) -> (min: Double, max: Double) {
        let gl = value(lo)
        var mn = Swift.min(gl, 0)
        var mx = Swift.max(gl, 0)
        if let e = extremum, e > lo {
            let ge = value(e)
            mn = Swift.min(mn, ge)
            mx = Swift.max(mx, ge)
        }
        return (mn, mx)
    }
}

/// f(s) = c + Σₖ (aₖ + bₖ·s)·e^(−rₖ·s) for s ≥ 0: the distance to threshold of every model whose
/// potential keeps evolving between inputs (exponential-current LIF: bₖ = 0; alpha kernels:
/// b ≠ 0; adaptive threshold: one more decaying term). At most four terms, stored inline.
///
/// The root-finding module (this folder) finds the *first* s ≥ 0 with f(s) ≥ 0, bracketed to
/// `tolerance` (1e-14 ms by default, or 4 ulps of s where those are wider). Every method rests
/// on one principle: an interval is skipped only when an exact bound proves f < 0 on it, so the
/// root returned is the first crossing, not merely some root (docs/models.md, "How exact spike
/// times are computed").
/// * `firstUpCrossingByNewton` (ExponentialSum+Newton.swift): sums of pure exponentials (every
///   bₖ = 0). Each term of f′ is monotone, which bounds f′ from above on [x, ∞) (the safe step)
///   and from below on [x, y] (a Newton point y is taken only where f provably rises).
/// * `firstUpCrossingBySafeStepping` (ExponentialSum+SafeStepping.swift): any sum, with exact
///   per-term slope bounds over a window; `firstUpCrossingByBisection` (branch and bound) is the
///   fallback of both for tangential approaches.
/// * `ModePolynomial` (ModePolynomial.swift): the Newton search of the first method carried over
///   to u = e^(−r₀·s) when every rate is an integer multiple of the slowest r₀ (no `exp` per step).
/// * `crossingLowerBound` (ExponentialSum+LowerBound.swift): a cheap proven lower bound on the
///   first crossing, from which the event-driven engine's `WakeUpPolicy` decides between a
///   wake-up and an exact search.
@frozen
public struct ExponentialSum: Sendable {
    public var constant: Double
    @usableFromInline var terms: InlineArray<4, ExponentialTerm>
    @usableFromInline var count: Int

    @inlinable
    public init(constant: Double) {
        self.constant = constant
        self.terms = InlineArray(repeating: ExponentialTerm(a: 0, rate: 1))
        self.count = 0
    }

    /// Adds (a + b·s)·e^(−rate·s); terms with a = b = 0 are skipped.
    @inlinable
    public mutating func add(a: Double, b: Double = 0, rate: Double) {
        guard a != 0 || b != 0 else { return }
        precondition(count < 4, "ExponentialSum holds at most four terms")
        terms[count] = ExponentialTerm(a: a, b: b, rate: rate)
        count += 1
    }

    @inlinable
    public func value(at s: Double) -> Double {
        var f = constant
        for k in 0..<count { f += terms[k].value(s) }
        return f
    }

    /// f(s) and f′(s), sharing the exponentials.
    @inlinable
    public func valueAndSlope(at s: Double) -> (value: Double, slope: Double) {
        var f = constant
        var d = 0.0
        for k in 0..<count {
            let t = terms[k]
            let e = exp(-t.rate * s)
            let p = t.a + t.b * s
            f += p * e
            d += (t.b - t.rate * p) * e
        }
        return (f, d)
    }

    @inlinable
    func upperBound(_ lo: Double, _ hi: Double) -> Double {
        var ub = constant
        for k in 0..<count { ub += terms[k].range(lo, hi).max }
        return ub
    }

    /// Bounds of f′ over [lo, hi], term by term (each derivative term is monotone or unimodal).
    @inlinable
    func slopeRange(_ lo: Double, _ hi: Double) -> (min: Double, max: Double) {
        var mn = 0.0
        var mx = 0.0
        for k in 0..<count {
            let r = terms[k].derivative.range(lo, hi)
            mn += r.min
            mx += r.max
        }
        return (mn, mx)
    }

    /// Supremum of f over [0, ∞) bounded term by term: if this is negative f never reaches 0.
    @inlinable
    public var supremumBound: Double {
        var ub = constant
        for k in 0..<count { ub += terms[k].tailRange(0).max }
        return ub
    }

    /// The first s in [0, ∞) with f(s) ≥ 0 (the upper end of a bracket of width ≤ `tolerance`),
    /// or nil if f stays negative. See the type's comment for the methods.
    @inlinable
    public func firstUpCrossing(tolerance: Double = 1e-14) -> Double? {
        switch firstUpCrossing(tolerance: tolerance, searchingUpTo: .infinity) {
        case .root(let s): return s
        case .never: return nil
        case .clearUntil: return nil  // unreachable with an infinite limit
        }
    }

    /// Result of a first-crossing search that may stop early.
    @frozen
    public enum SearchResult: Equatable, Sendable {
        /// The first root (upper end of a bracket of width ≤ tolerance).
        case root(Double)
        /// f stays negative for all s ≥ 0.
        case never
        /// f < 0 on [0, s] and s > the search limit: the first root, if any, lies beyond s.
        case clearUntil(Double)
    }

    /// `firstUpCrossing`, but the search stops as soon as it has proven f < 0 on [0, x] for some
    /// x > `limit`, returning `.clearUntil(x)` (the event-driven engine then wakes the neuron up at
    /// x instead of chasing a distant root). Roots found are those `firstUpCrossing` finds.
    @inlinable
    public func firstUpCrossing(tolerance: Double = 1e-14, searchingUpTo limit: Double) -> SearchResult {
        var pure = true
        for k in 0..<count where terms[k].b != 0 { pure = false }
        return pure
            ? firstUpCrossingByNewton(tolerance: tolerance, searchingUpTo: limit)
            : firstUpCrossingBySafeStepping(tolerance: tolerance, searchingUpTo: limit)
    }

    /// A finite H beyond which the first crossing cannot lie: either f(H) > 0 is guaranteed (c > 0)
    /// or f < 0 on [H, ∞) is. Returns nil when f < 0 on the whole tail from s = 0.
    @inlinable
    func searchHorizon() -> Double? {
        var slowest = Double.infinity
        for k in 0..<count { slowest = Swift.min(slowest, terms[k].rate) }
        // exp(−745) underflows to 0: past this point f equals its constant in floating point.
        let cap = 745.0 / slowest
        var h = 4.0 / slowest
        while h < cap {
            var inf = constant
            var sup = constant
            for k in 0..<count {
                let r = terms[k].tailRange(h)
                inf += r.min
                sup += r.max
            }
            if inf > 0 || sup < 0 { return h }
            h *= 2
        }
        return cap
    }
}
