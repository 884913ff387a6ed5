import Foundation

/// LIF-exp's quiet bounds (`QuietBounded`, event-driven engine): each current evolves as an input
/// of its own size would, so V(s) − θ = (V∞ − θ) + (V − V∞)·e^(−s/τm) + Σₖ Iₖ·PSPₖ(s) with the unit
/// PSP PSPₖ(s) = τₖ/(τₖ − τm)·(e^(−s/τₖ) − e^(−s/τm)) ≥ 0; bounding each term by its supremum
/// bounds V − θ for all s ≥ 0.
extension LIFExp: QuietBounded {
    /// With V∞ = vRest + bias below threshold a neuron without input settles below it.
    @inlinable
    public var canStayQuiet: Bool { vRest + bias < vThreshold - quietMargin && supportsEpochForm }

    /// Peak of the PSP of a unit input on receptor k: c·(e^(−s/τₖ) − e^(−s/τm)), c = τₖ/(τₖ − τm),
    /// is greatest at s* = ln(τm/τₖ)/(1/τₖ − 1/τm); for τₖ = τm, (s/τm)·e^(−s/τm) peaks at 1/e.
    /// Inflated by 1e-12 relative so that rounding cannot make it an underestimate.
    @inlinable
    public func peakResponse(receptor: Int) -> Double {
        receptor == Receptor.excitatory ? constants.excPeak : constants.inhPeak
    }

    @inlinable
    static func peakResponse(tauSyn tau: Double, tauM: Double) -> Double {
        if tau == tauM { return exp(-1) * (1 + 1e-12) }
        let peakTime = log(tauM / tau) / (1 / tau - 1 / tauM)
        let c = tau / (tau - tauM)
        return c * (exp(-peakTime / tau) - exp(-peakTime / tauM)) * (1 + 1e-12)
    }

    /// V(s) − θ = (V∞ − θ) + (V − V∞)·e^(−s/τm) + Σₖ Iₖ·PSPₖ(s), where PSPₖ is the response to
    /// a unit input on k (each current evolves as an input of weight Iₖ at s = 0 would), so it is
    /// at most (V∞ − θ) + max(V − V∞, 0) + Σₖ max(Iₖ, 0)·`peakResponse(k)`: a negative current
    /// only lowers V. +∞ while refractory (V is clamped, then restarts from vReset).
    @inlinable
    public func marginBound(of state: State) -> Double {
        guard state.refractory <= 0 else { return .infinity }
        let vInf = vRest + bias
        return (vInf - vThreshold) + Swift.max(state.v - vInf, 0)
            + Swift.max(state.iExc, 0) * constants.excPeak + Swift.max(state.iInh, 0) * constants.inhPeak
    }
}
