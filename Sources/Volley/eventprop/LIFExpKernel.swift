import Foundation

/// The closed forms EventProp needs for one `LIFExp` neuron between events, forward and backward
/// (τm·dV/dt = −(V − V∞) + I, τs·dI/dt = −I, V∞ = vRest + bias; u = V − V∞):
///
///     forward over h:   u ← u·pₘ + I·κ(h),  I ← I·pₛ,   pₘ = e^(−h/τm), pₛ = e^(−h/τs),
///                       κ(h) = τs/(τs − τm)·(pₛ − pₘ)  (τs = τm: (h/τm)·pₘ)
///     adjoint, forward time (costate λ = ∂L/∂(V, I), source c = ∂l/∂V of a loss density):
///                       dλ_V/dt = λ_V/τm − c,   dλ_I/dt = −λ_V/τm + λ_I/τs
///     backward over h:  λ_V ← c·τm + (λ_V − c·τm)·pₘ
///                       λ_I ← λ_I·pₛ + c·τs·(1 − pₛ) + (λ_V − c·τm)·κ(h)
struct LIFExpKernel {
    let tauM: Double
    let tauS: Double
    let vInf: Double
    /// Threshold and reset relative to V∞ (u at a spike, before and after it).
    let uThreshold: Double
    let uReset: Double

    init(_ m: LIFExp) {
        tauM = m.tauM
        tauS = m.tauSynExc
        vInf = m.vRest + m.bias
        uThreshold = m.vThreshold - vInf
        uReset = m.vReset - vInf
    }

    /// κ(h) = τs/(τs − τm)·(e^(−h/τs) − e^(−h/τm)): the potential u after h ms from a unit
    /// current; (h/τm)·e^(−h/τm) when τs = τm.
    @inline(__always)
    func kappa(_ h: Double, pm: Double, ps: Double) -> Double {
        tauS == tauM ? (h / tauM) * pm : tauS / (tauS - tauM) * (ps - pm)
    }

    @inline(__always)
    func advance(u: inout Double, i: inout Double, over h: Double) {
        guard h > 0 else { return }
        let pm = exp(-h / tauM), ps = exp(-h / tauS)
        u = u * pm + i * kappa(h, pm: pm, ps: ps)
        i *= ps
    }

    /// I alone over h ms (I ← I·pₛ), as `advance` updates it.
    @inline(__always)
    func decay(current i: inout Double, over h: Double) {
        guard h > 0 else { return }
        i *= exp(-h / tauS)
    }

    /// ∫₀ʰ u dt from (u, I).
    func integral(u: Double, i: Double, over h: Double) -> Double {
        let pm = exp(-h / tauM), ps = exp(-h / tauS)
        let freeU = u * tauM * (1 - pm)
        if tauS == tauM { return freeU + i * (tauM * (1 - pm) - h * pm) }
        return freeU + i * tauS / (tauS - tauM) * (tauS * (1 - ps) - tauM * (1 - pm))
    }

    /// The offset in (0, h) where u is stationary (du/dt = 0), if any: u = A·pₘ + B·pₛ has at
    /// most one. Whether maximum or minimum, the interval's maximum is the largest of u there and
    /// at the interval's ends.
    func stationaryPoint(u: Double, i: Double, within h: Double) -> Double? {
        guard i != 0 else { return nil }
        let offset: Double
        if tauS == tauM {
            offset = tauM * (i - u) / i
        } else {
            // −u·pₘ/τm + I·c·(pₘ/τm − pₛ/τs) = 0, c = τs/(τs − τm) ⇒ e^(s(1/τs − 1/τm)) = I·c·τm/(τs·(I·c − u)).
            let c = tauS / (tauS - tauM)
            let ratio = i * c * tauM / (tauS * (i * c - u))
            guard ratio > 0 else { return nil }
            offset = log(ratio) / (1 / tauS - 1 / tauM)
        }
        return offset > 0 && offset < h && offset.isFinite ? offset : nil
    }

    /// The costate over h ms backwards (from t to t − h) with a constant source c.
    @inline(__always)
    func adjoint(lambdaV: inout Double, lambdaI: inout Double, over h: Double, source c: Double) {
        guard h > 0 else { return }
        let pm = exp(-h / tauM), ps = exp(-h / tauS)
        let a = c * tauM, b = lambdaV - a
        lambdaI = lambdaI * ps + c * tauS * (1 - ps) + b * kappa(h, pm: pm, ps: ps)
        lambdaV = a + b * pm
    }

    /// λ_V just before a spike from λ_V just after it (the jump condition): with V̇ at threshold
    /// and after the reset, V̇⁻ = (I − uθ)/τm and V̇⁺ = (I − u_reset)/τm,
    /// λ_V⁻ = (λ_V⁺·V̇⁺ − ε)/V̇⁻, where ε (`spikeTerm`) is ∂L/∂t_spike from the loss and from the
    /// spike's arrivals downstream (Σ w·λ̇_I there).
    @inline(__always)
    func lambdaVBeforeSpike(_ lambdaV: Double, current: Double, spikeTerm: Double) -> Double {
        (lambdaV * ((-uReset + current) / tauM) - spikeTerm) / ((-uThreshold + current) / tauM)
    }

    /// dλ_I/dt (forward time) at a point: the sensitivity of L to the arrival time of a unit input.
    @inline(__always)
    func lambdaIRate(lambdaV: Double, lambdaI: Double) -> Double { -lambdaV / tauM + lambdaI / tauS }
}
