import Foundation

extension ExponentialSum {
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
    public func firstUpCrossingByNewton(tolerance: Double = 1e-14, searchingUpTo limit: Double) -> SearchResult {
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
            // (At least 4 ulps of x: a smaller probe would not move x.)
            let probe = Swift.max(tolerance, 4 * x.ulp)
            if step <= 0.5 * probe {
                let y = x + probe
                if value(at: y) >= 0 { return .root(y) }
            }
        }
        return firstUpCrossingByBisection(tolerance: tolerance).map { .root($0) } ?? .never
    }

    /// Newton's method on [lo, hi] where f is strictly increasing with f(lo) < 0 ≤ f(hi), from
    /// `start` (the midpoint when nil or outside the interval). Returns the upper end of a
    /// bracket no wider than `tolerance`, so f(result) ≥ 0.
    @inlinable
    func refineIncreasing(_ lo0: Double, _ hi0: Double, tolerance: Double, from start: Double? = nil) -> Double {
        var lo = lo0
        var hi = hi0
        // A bracket narrower than a few ulps cannot shrink further.
        let tolerance = Swift.max(tolerance, 4 * hi0.ulp)
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
