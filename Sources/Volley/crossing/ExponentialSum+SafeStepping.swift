import Foundation

extension ExponentialSum {
    /// `firstUpCrossing(tolerance:searchingUpTo:)` by windowed *safe stepping*, for any sum; the
    /// method for sums with (a + b·s)e^(−rs) terms, b ≠ 0.
    ///
    /// From x with f(x) < 0, let M ≥ sup f′ over [x, x + w] (exact per-term bound). Then
    /// f(s) ≤ f(x) + M·(s − x) < 0 for s < x − f(x)/M, so the step to x − f(x)/M cannot pass a
    /// root; if it would leave the window, the whole window is root-free. The iterates approach
    /// the first root from below, like Newton's method with a slope that is never
    /// underestimated; the window shrinks with the step so M converges to f′(root). Tangential
    /// approaches that do not converge in 200 steps fall back to branch and bound
    /// (`firstUpCrossingByBisection`).
    @inlinable
    public func firstUpCrossingBySafeStepping(tolerance: Double = 1e-14, searchingUpTo limit: Double) -> SearchResult {
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
            // (At least 4 ulps of x: a smaller probe would not move x.)
            let probe = Swift.max(tolerance, 4 * x.ulp)
            if step <= 0.5 * probe {
                let y = x + probe
                if value(at: y) >= 0 { return .root(y) }
            }
            window = Swift.max(4 * step, probe)
        }
        return firstUpCrossingByBisection(tolerance: tolerance).map { .root($0) } ?? .never
    }

    /// Branch and bound (the fallback of `firstUpCrossing`): an interval is discarded when the
    /// exact per-term upper bound of f over it is negative, refined by Newton's method when f is
    /// provably increasing on it (per-term lower bound of f′ > 0), and bisected otherwise.
    @inlinable
    public func firstUpCrossingByBisection(tolerance: Double = 1e-14) -> Double? {
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
                // (A bracket narrower than a few ulps cannot shrink further.)
                let tolerance = Swift.max(tolerance, 4 * hi.ulp)
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
}
