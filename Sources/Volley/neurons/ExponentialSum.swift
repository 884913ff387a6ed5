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
/// potential keeps evolving between inputs (exponential-current LIF: bₖ = 0; SRM alpha kernel:
/// b ≠ 0; adaptive threshold: one more decaying term). At most four terms, stored inline.
///
/// `firstUpCrossing` returns the first s ≥ 0 with f(s) ≥ 0, bracketed to `tolerance` (1e-12 ms by
/// default), by safe stepping with exact per-term slope bounds (branch and bound as a fallback);
/// sums of pure exponentials take Newton's method with proven steps (`firstUpCrossingByNewton`).
/// Both methods only ever skip intervals proven root-free, so every spike time this returns is
/// the *first* crossing, not merely some root; see docs/models.md.
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
    /// wakes a neuron a little early; about a quarter of a libm `log`'s instructions.
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

    /// How far the exact search of `prediction` goes, in multiples of the wake-up horizon: once
    /// it has proven f < 0 on [0, x] with x beyond `searchLimitPerHorizon × horizon`, it stops
    /// and the neuron wakes up at x. A neuron hovering just below threshold would otherwise have
    /// a distant crossing solved after every input, only for the next input to move it. Measured
    /// on CUBA 4000 × 10 s, event-driven (low drive, E_L = −49.99 mV / normal drive): no limit
    /// 2.18 / 1.20 s; 1× the 0.1 ms horizon 1.52 / 1.24 s; 3× 1.60 / 1.20 s; 10× 1.75 / 1.20 s.
    public static let searchLimitPerHorizon = 3.0

    /// The event-driven prediction policy shared by every model built on an `ExponentialSum`:
    /// when the cheap bound says the crossing is more than `wakeUpBeyond` ms away, return a
    /// wake-up at that bound; otherwise search for the exact first crossing, as far as
    /// `searchLimitPerHorizon × wakeUpBeyond` (beyond it, a wake-up where the search stopped).
    /// `start` is the absolute time at which s = 0.
    @inlinable
    public func prediction(from start: Double, wakeUpBeyond horizon: Double) -> ThresholdCrossing {
        let bound = crossingLowerBound
        if bound == .infinity { return .never }
        if bound > horizon { return .notBefore(start + bound) }
        return searchedPrediction(from: start, wakeUpBeyond: horizon)
    }

    /// The second half of `prediction`, for models that computed the bound themselves: the
    /// exact first crossing, searched as far as `searchLimitPerHorizon × horizon`, or a wake-up
    /// where the search stopped.
    @inlinable
    public func searchedPrediction(from start: Double, wakeUpBeyond horizon: Double) -> ThresholdCrossing {
        switch firstUpCrossing(searchingUpTo: ExponentialSum.searchLimitPerHorizon * horizon) {
        case .root(let s): return .at(start + s)
        case .never: return .never
        case .clearUntil(let s): return .notBefore(start + s)
        }
    }

    /// The first s in [0, ∞) with f(s) ≥ 0, or nil if f stays negative. See the type's comment.
    ///
    /// Primary method, *safe stepping*: from x with f(x) < 0, let M ≥ sup f′ over [x, x + w]
    /// (exact per-term bound). Then f(s) ≤ f(x) + M·(s − x) < 0 for s < x − f(x)/M, so the step to
    /// x − f(x)/M cannot pass a root; if it would leave the window, the whole window is root-free.
    /// The iterates approach the first root from below, like Newton's method with a slope that
    /// is never underestimated; the window shrinks with the step so M converges to f′(root).
    /// Returns the upper end of a bracket of width ≤ `tolerance` around the first root.
    /// Pathological tangential approaches that do not converge in 200 steps fall back to
    /// branch and bound (`firstUpCrossingByBisection`).
    @inlinable
    public func firstUpCrossing(tolerance: Double = 1e-12) -> Double? {
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

    /// `firstUpCrossing`, but the safe stepping stops as soon as it has proven f < 0 on [0, x]
    /// for some x > `limit`, returning `.clearUntil(x)`: the event-driven engine then schedules a
    /// wake-up at x instead of chasing a root that is far away (and that the next input will
    /// usually move anyway). Roots found are those `firstUpCrossing` finds.
    @inlinable
    public func firstUpCrossing(tolerance: Double = 1e-12, searchingUpTo limit: Double) -> SearchResult {
        var pure = true
        for k in 0..<count where terms[k].b != 0 { pure = false }
        return pure
            ? firstUpCrossingByNewton(tolerance: tolerance, searchingUpTo: limit)
            : firstUpCrossingBySafeStepping(tolerance: tolerance, searchingUpTo: limit)
    }

    /// `firstUpCrossing(tolerance:searchingUpTo:)` for sums of pure exponentials (every bₖ = 0:
    /// LIF-exp, the adaptive LIF): Newton's method, each step proven root-free before it is taken.
    ///
    /// For f(s) = c + Σ aₖe^(−rₖs) each term of f′ = Σ −rₖaₖe^(−rₖs) is monotone: a term with
    /// aₖ < 0 is positive and falls, one with aₖ > 0 is negative and rises towards 0. So, from x,
    /// * U = Σ_{aₖ<0} −rₖaₖe^(−rₖx) ≥ f′ on all of [x, ∞) (`rising`): f < 0 on [x, x − f(x)/U)
    ///   (the safe step);
    /// * L = Σ_{aₖ<0} −rₖaₖe^(−rₖy) + Σ_{aₖ>0} −rₖaₖe^(−rₖx) ≤ f′ on [x, y] (`risingAtY +
    ///   fallingAtX`).
    /// Take the Newton point y = x − f(x)/f′(x) (never short of the safe step, as f′(x) ≤ U). If
    /// L > 0, f rises on [x, y]: f(y) ≥ 0 brackets the only root of [x, y], refined by
    /// `refineIncreasing`; f(y) < 0 proves [x, y] root-free and x moves to y, whose exponentials
    /// are already computed. Otherwise x takes the safe step. Near a crossing with f′ > 0 this is
    /// Newton's quadratic convergence at three exponentials per step, where the windowed safe
    /// stepping of `firstUpCrossingBySafeStepping` needs nine and converges more slowly. The
    /// rules for stopping (`limit`, tangential approaches, the horizon) are that method's.
    @inlinable
    public func firstUpCrossingByNewton(tolerance: Double = 1e-12, searchingUpTo limit: Double) -> SearchResult {
        // f(0) and the supremum of f, each term at s = 0, without exponentials.
        var fx = constant
        var supremum = constant
        for k in 0..<count {
            fx += terms[k].a
            supremum += Swift.max(terms[k].a, 0)
        }
        if fx >= 0 { return .root(0) }
        if count == 0 || supremum < 0 { return .never }
        // The horizon (`searchHorizon`, at least 4/slowest rate) is computed only if the search
        // goes that far; most stop at `limit` first.
        var slowest = Double.infinity
        for k in 0..<count { slowest = Swift.min(slowest, terms[k].rate) }
        let nearestHorizon = 4 / slowest
        var horizon = Double.nan
        @inline(__always) func horizonIfBeyond(_ s: Double) -> Double {
            if s < nearestHorizon { return .infinity }
            if horizon.isNaN { horizon = searchHorizon() ?? 0 }
            return horizon
        }
        let n = count
        // e^(−rₖx) at the current point x, and at the candidate y.
        var ex = InlineArray<4, Double>(repeating: 1)
        var ey = InlineArray<4, Double>(repeating: 1)
        var x = 0.0
        for _ in 0..<200 {
            var slope = 0.0
            var rising = 0.0
            var fallingAtX = 0.0
            for k in 0..<n {
                let t = terms[k]
                let d = -t.rate * t.a * ex[k]
                slope += d
                if t.a < 0 { rising += d } else { fallingAtX += d }
            }
            // f′ ≤ rising ≤ 0 on [x, ∞) and f(x) < 0: f stays negative.
            if rising <= 0 { return .never }
            let safe = x - fx / rising
            if slope > 0 {
                let newton = x - fx / slope
                let y = Swift.min(newton, horizonIfBeyond(newton))
                if y > safe {
                    var fy = constant
                    var slopeAtY = 0.0
                    var risingAtY = 0.0
                    for k in 0..<n {
                        let t = terms[k]
                        let e = exp(-t.rate * y)
                        ey[k] = e
                        fy += t.a * e
                        let d = -t.rate * t.a * e
                        slopeAtY += d
                        if t.a < 0 { risingAtY += d }
                    }
                    if risingAtY + fallingAtX > 0 {
                        // f rises on [x, y]: refine from y's Newton point (f(y) ≥ 0, f′(y) > 0).
                        if fy >= 0 {
                            return .root(refineIncreasing(x, y, tolerance: tolerance, from: y - fy / slopeAtY))
                        }
                        if y >= horizon { return .never }
                        x = y
                        fx = fy
                        ex = ey
                        if x > limit { return .clearUntil(x) }
                        continue
                    }
                }
            }
            // The safe step (f < 0 on [x, safe)).
            if !(safe < horizonIfBeyond(safe)) { return .never }
            let step = safe - x
            x = safe
            fx = constant
            for k in 0..<n {
                let e = exp(-terms[k].rate * x)
                ex[k] = e
                fx += terms[k].a * e
            }
            if fx >= 0 { return .root(x) }
            if x > limit { return .clearUntil(x) }
            if step <= 0.5 * tolerance {
                let y = x + tolerance
                if value(at: y) >= 0 { return .root(y) }
            }
        }
        return firstUpCrossingByBisection(tolerance: tolerance).map { .root($0) } ?? .never
    }

    /// `firstUpCrossing(tolerance:searchingUpTo:)` by windowed safe stepping (see the type's
    /// comment), for any sum; the method for sums with (a + b·s)e^(−rs) terms, b ≠ 0.
    @inlinable
    public func firstUpCrossingBySafeStepping(tolerance: Double = 1e-12, searchingUpTo limit: Double) -> SearchResult {
        var fx = value(at: 0)
        if fx >= 0 { return .root(0) }
        if count == 0 || supremumBound < 0 { return .never }
        guard let horizon = searchHorizon() else { return .never }
        var x = 0.0
        var window = horizon * 0.125
        for _ in 0..<200 {
            let hi = Swift.min(x + window, horizon)
            let m = slopeRange(x, hi).max
            let step = m > 0 ? -fx / m : .infinity
            if !(step < hi - x) {
                // f < 0 on all of [x, hi].
                if hi >= horizon { return .never }
                x = hi
                fx = value(at: x)
                if fx >= 0 { return .root(x) }
                if x > limit { return .clearUntil(x) }
                window *= 2
                continue
            }
            x += step
            fx = value(at: x)
            if fx >= 0 { return .root(x) }
            if x > limit { return .clearUntil(x) }
            if step <= 0.5 * tolerance {
                let y = x + tolerance
                if value(at: y) >= 0 { return .root(y) }
            }
            window = Swift.max(4 * step, tolerance)
        }
        return firstUpCrossingByBisection(tolerance: tolerance).map { .root($0) } ?? .never
    }

    /// Branch and bound (the fallback of `firstUpCrossing`): an interval is discarded when the
    /// exact per-term upper bound of f over it is negative, refined by Newton's method when f is
    /// provably increasing on it (per-term lower bound of f′ > 0), and bisected otherwise.
    @inlinable
    public func firstUpCrossingByBisection(tolerance: Double = 1e-12) -> Double? {
        let f0 = value(at: 0)
        if f0 >= 0 { return 0 }
        if count == 0 || supremumBound < 0 { return nil }
        guard let horizon = searchHorizon() else { return nil }
        let fh = value(at: horizon)
        return withUnsafeTemporaryAllocation(of: (Double, Double, Double).self, capacity: 130) {
            stack -> Double? in
            // Entries (lo, hi, f(hi)); f(lo) < 0 holds for every entry.
            var top = 0
            stack[0] = (0, horizon, fh)
            top = 1
            while top > 0 {
                top -= 1
                let (lo, hi, fhi) = stack[top]
                if upperBound(lo, hi) < 0 { continue }
                let width = hi - lo
                if fhi >= 0 {
                    if slopeRange(lo, hi).min > 0 {
                        return refineIncreasing(lo, hi, tolerance: tolerance)
                    }
                    if width <= tolerance { return hi }
                } else if width <= tolerance {
                    // f < 0 at both ends of an interval narrower than the tolerance: a tangential
                    // touch at most `tolerance × |f′|` above threshold; not a crossing.
                    continue
                }
                let mid = lo + 0.5 * width
                let fmid = value(at: mid)
                if fmid >= 0 {
                    // The first root is in [lo, mid]; whatever lies right of mid is later.
                    stack[top] = (lo, mid, fmid)
                    top += 1
                } else if top + 2 <= 130 {
                    stack[top] = (mid, hi, fhi)
                    stack[top + 1] = (lo, mid, fmid)
                    top += 2
                } else {
                    preconditionFailure("ExponentialSum.firstUpCrossing exceeded its search depth")
                }
            }
            return nil
        }
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

    /// Newton's method on [lo, hi] where f is strictly increasing with f(lo) < 0 ≤ f(hi), from
    /// `start` (the midpoint when nil or outside the interval). Returns the upper end of a
    /// bracket no wider than `tolerance`, so f(result) ≥ 0.
    @inlinable
    func refineIncreasing(_ lo0: Double, _ hi0: Double, tolerance: Double, from start: Double? = nil) -> Double {
        var lo = lo0
        var hi = hi0
        var x = lo + 0.5 * (hi - lo)
        if let start, start > lo, start < hi { x = start }
        for _ in 0..<200 {
            let (fx, dx) = valueAndSlope(at: x)
            if fx >= 0 { hi = x } else { lo = x }
            if hi - lo <= tolerance { return hi }
            var next = dx > 0 ? x - fx / dx : lo + 0.5 * (hi - lo)
            // Newton approaches from one side; once its step is below the tolerance, probe just
            // across the root so that the bracket closes from both sides.
            if abs(next - x) < 0.5 * tolerance {
                next = fx >= 0 ? x - 0.5 * tolerance : x + 0.5 * tolerance
            }
            if !(next > lo && next < hi) { next = lo + 0.5 * (hi - lo) }
            x = next
        }
        return hi
    }
}
