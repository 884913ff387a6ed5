import Foundation

/// The state vector the ODE integrator works on: up to four variables of one neuron (unused
/// lanes stay 0).
public typealias ODEState = SIMD4<Double>

/// Error tolerances of the adaptive integrator: a step is accepted when
/// √(mean over components of (eᵢ / (atolᵢ + rtol·max(|y₀ᵢ|, |y₁ᵢ|)))²) ≤ 1 (Hairer, Nørsett &
/// Wanner, *Solving ODEs I*, II.4), e the difference of the 5th- and 4th-order solutions.
public struct ODETolerance: Sendable, Equatable {
    /// Absolute tolerance per component (the model's units).
    public var absolute: ODEState
    /// Relative tolerance.
    public var relative: Double

    public init(absolute: ODEState, relative: Double) {
        self.absolute = absolute
        self.relative = relative
    }

    /// Throws unless every tolerance is finite and > 0 (the unused lanes of `absolute` included).
    public func validate() throws {
        try VolleyError.require("relativeTolerance", relative, "must be > 0") { $0 > 0 }
        for k in 0..<4 {
            try VolleyError.require("absoluteTolerance[\(k)]", absolute[k], "must be > 0") { $0 > 0 }
        }
    }
}

/// One accepted Dormand–Prince step from t₀ to t₀ + h with its continuous extension.
public struct DormandPrinceStep: Sendable {
    public var h: Double
    public var start: ODEState
    public var end: ODEState
    /// Coefficients of the dense output (Hairer's `contd5`).
    @usableFromInline var r2: ODEState, r3: ODEState, r4: ODEState, r5: ODEState

    @inlinable
    init(h: Double, start: ODEState, end: ODEState, r2: ODEState, r3: ODEState, r4: ODEState, r5: ODEState) {
        self.h = h
        self.start = start
        self.end = end
        self.r2 = r2
        self.r3 = r3
        self.r4 = r4
        self.r5 = r5
    }

    /// The solution at t₀ + θ·h, θ ∈ [0, 1] (4th order, continuous across steps).
    @inlinable
    public func value(at theta: Double) -> ODEState {
        let t1 = 1 - theta
        return start + theta * (r2 + t1 * (r3 + theta * (r4 + t1 * r5)))
    }
}

/// The explicit Runge–Kutta pair of Dormand & Prince (*A family of embedded Runge–Kutta formulae*,
/// J. Comput. Appl. Math. 6:19, 1980): order 5 with an embedded order-4 error estimate, first
/// same as last, and the 4th-order dense output of Hairer's DOPRI5. `integrate` advances an
/// autonomous system y′ = f(y) over an interval with step-size control; it can stop at the first
/// point where a component reaches a level (a spike), located on the dense output by bisection
/// to ≤ `locationTolerance` ms.
public enum DormandPrince {
    /// The spike-time bracket: bisection on the dense output stops below this width (ms).
    public static let locationTolerance = 1e-12
    /// Steps one `integrate` call may take before giving up (`.stepLimit`).
    public static let maxSteps = 1_000_000

    public enum Outcome: Equatable, Sendable {
        /// Reached the end of the interval.
        case completed
        /// `component` reached `level` at this offset (ms) into the interval; the state is the
        /// dense output there.
        case reached(at: Double)
        /// The solution stopped being finite at the smallest step (1e-15 ms), or `maxSteps` steps.
        case stepLimit(at: Double)
    }

    /// Advances `y` by `duration` ms under `f`, starting with step `h` (updated to the last
    /// accepted step's successor, so consecutive calls continue smoothly). With `level`, stops at
    /// the first time `y[component] ≥ level` (when it starts at or above, immediately).
    @inlinable
    public static func integrate(
        _ y: inout ODEState, duration: Double, step h: inout Double, tolerance: ODETolerance,
        stopWhen component: Int = 0, reaches level: Double? = nil, _ f: (ODEState) -> ODEState
    ) -> Outcome {
        guard let level else {
            return integrate(&y, duration: duration, step: &h, tolerance: tolerance, until: { _ in -.infinity }, f)
        }
        return integrate(&y, duration: duration, step: &h, tolerance: tolerance, until: { $0[component] - level }, f)
    }

    /// `integrate`, stopping at the first time `margin(y) ≥ 0` (a spike level that moves with
    /// the state, such as an adaptive threshold: margin = V − (V_th + θ)).
    @inlinable
    public static func integrate(
        _ y: inout ODEState, duration: Double, step h: inout Double, tolerance: ODETolerance,
        until margin: (ODEState) -> Double, _ f: (ODEState) -> ODEState
    ) -> Outcome {
        if margin(y) >= 0 { return .reached(at: 0) }
        guard duration > 0 else { return .completed }
        var t = 0.0
        var k1 = f(y)
        var steps = 0
        if !(h > 0) || !h.isFinite { h = min(duration, 0.1) }
        while t < duration {
            steps += 1
            if steps > maxSteps { return .stepLimit(at: t) }
            // The smallest step: 1e-15 ms or a few ulps of t. A step that small is accepted even
            // above the tolerance (its time error is below it), so a solution that steepens
            // towards the spike level (AdEx's exponential) still reaches it.
            let hMin = Swift.max(1e-15, 4 * t.ulp)
            h = Swift.max(h, hMin)
            let last = t + h >= duration
            let hh = last ? duration - t : h
            let (step, k7, error) = attempt(y, k1, hh, tolerance, f)
            let finite = step.end.x.isFinite && step.end.y.isFinite && step.end.z.isFinite && step.end.w.isFinite
            if !finite && hh <= hMin { return .stepLimit(at: t) }
            guard finite, error <= 1 || hh <= hMin else {
                let factor = error.isFinite ? max(0.2, 0.9 * pow(error, -0.2)) : 0.2
                h = hh * min(factor, 0.9)
                continue
            }
            if margin(step.end) >= 0 {
                // Bisect the dense output for the first θ with margin ≥ 0.
                var lo = 0.0, hi = 1.0
                while (hi - lo) * hh > locationTolerance {
                    let mid = 0.5 * (lo + hi)
                    if mid <= lo || mid >= hi { break }
                    if margin(step.value(at: mid)) >= 0 { hi = mid } else { lo = mid }
                }
                y = step.value(at: hi)
                return .reached(at: t + hi * hh)
            }
            y = step.end
            k1 = k7
            t = last ? duration : t + hh
            let factor = error > 0 ? min(5, max(0.2, 0.9 * pow(error, -0.2))) : 5
            if !last || hh == h { h = hh * factor }
        }
        return .completed
    }

    /// One Dormand–Prince step of size h from y (k1 = f(y)): the step, f at its end (FSAL) and the
    /// scaled error norm.
    @inlinable
    static func attempt(
        _ y: ODEState, _ k1: ODEState, _ h: Double, _ tol: ODETolerance, _ f: (ODEState) -> ODEState
    ) -> (DormandPrinceStep, ODEState, Double) {
        typealias C = Double
        let k2 = f(y + h * (C(1) / 5 * k1))
        var t3 = C(3) / 40 * k1
        t3 += C(9) / 40 * k2
        let k3 = f(y + h * t3)
        var t4 = C(44) / 45 * k1
        t4 -= C(56) / 15 * k2
        t4 += C(32) / 9 * k3
        let k4 = f(y + h * t4)
        var t5 = C(19372) / 6561 * k1
        t5 -= C(25360) / 2187 * k2
        t5 += C(64448) / 6561 * k3
        t5 -= C(212) / 729 * k4
        let k5 = f(y + h * t5)
        var t6 = C(9017) / 3168 * k1
        t6 -= C(355) / 33 * k2
        t6 += C(46732) / 5247 * k3
        t6 += C(49) / 176 * k4
        t6 -= C(5103) / 18656 * k5
        let k6 = f(y + h * t6)
        var t7 = C(35) / 384 * k1
        t7 += C(500) / 1113 * k3
        t7 += C(125) / 192 * k4
        t7 -= C(2187) / 6784 * k5
        t7 += C(11) / 84 * k6
        let y1 = y + h * t7
        let k7 = f(y1)
        var e = C(71) / 57600 * k1
        e -= C(71) / 16695 * k3
        e += C(71) / 1920 * k4
        e -= C(17253) / 339200 * k5
        e += C(22) / 525 * k6
        e -= C(1) / 40 * k7
        let magnitude = pointwiseMax(pointwiseMax(y, -y), pointwiseMax(y1, -y1))
        let scale = tol.absolute + tol.relative * magnitude
        let q = h * e / scale
        let error = ((q * q).sum() / 4).squareRoot()
        let diff = y1 - y
        let bspl = h * k1 - diff
        var dd = C(-12715105075) / 11282082432 * k1
        dd += C(87487479700) / 32700410799 * k3
        dd -= C(10690763975) / 1880347072 * k4
        dd += C(701980252875) / 199316789632 * k5
        dd -= C(1453857185) / 822651844 * k6
        dd += C(69997945) / 29380423 * k7
        let d = h * dd
        let step = DormandPrinceStep(h: h, start: y, end: y1, r2: diff, r3: bspl, r4: diff - h * k7 - bspl, r5: d)
        return (step, k7, error)
    }
}
