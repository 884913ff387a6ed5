import Foundation

/// LIF-exp in epoch form (`EpochFormRepresentable`), for the event-driven engine. It exists when
/// both synaptic time constants differ from τm (for τₖ = τm the propagator has an s·e^(−s/τm)
/// term, not a pure mode; that case keeps per-neuron advances).
/// Lanes, at t = t₀ + x and with cₖ = τₖ/(τₖ − τm):
///     0: A, 1: B_exc, 2: B_inh, 3: x_end (end of the refractory period, −∞ if none)
///     Iₖ(x) = Bₖ·e^(−x/τₖ),   V(x) = V∞ + A·e^(−x/τm) + Σₖ cₖ·Iₖ(x)   for x ≥ x_end,
///     V = vReset for x < x_end, with A chosen so that V(x_end) = vReset.
/// An input w on k at x adds w·e^(x/τₖ) to Bₖ and, to leave V continuous, subtracts
/// cₖ·w·e^(x/τm) from A — or, while refractory, cₖ·w·e^(x/τₖ)·e^((1/τm − 1/τₖ)·x_end), which
/// keeps V(x_end) = vReset (one `exp`, only for inputs during refractoriness).
extension LIFExp: EpochFormRepresentable {
    public typealias EpochForm = SIMD4<Double>

    /// Both synaptic time constants differ from τm.
    public var supportsEpochForm: Bool { tauSynExc != tauM && tauSynInh != tauM }

    public var epochRates: EpochForm { EpochForm(1 / tauM, 1 / tauSynExc, 1 / tauSynInh, 0) }

    /// e^(x/τm), e^(x/τ_exc), e^(x/τ_inh), 1. With commensurate time constants one `exp`,
    /// w = e^(x/τ_slowest), and its integer powers w^nₖ (`ModePolynomial.power`): a few ulp from
    /// the three `exp`, and deterministic.
    @inlinable @inline(__always)
    public func epochGrowth(elapsed x: Double) -> EpochForm {
        guard constants.powerM > 0 else {
            return EpochForm(exp(x * constants.rateM), exp(x * constants.rateExc), exp(x * constants.rateInh), 1)
        }
        let w = exp(x * constants.baseRate)
        return EpochForm(
            ModePolynomial.power(w, Int(constants.powerM)), ModePolynomial.power(w, Int(constants.powerExc)),
            ModePolynomial.power(w, Int(constants.powerInh)), 1)
    }

    /// cₖ = τₖ/(τₖ − τm): the weight of a current in V's particular solution.
    @inlinable var excToVoltage: Double { constants.excToVoltage }
    @inlinable var inhToVoltage: Double { constants.inhToVoltage }

    @inlinable
    public func epochForm(of s: State, elapsed x: Double) -> EpochForm {
        let vInf = vRest + bias
        if constants.powerM > 0 {
            // Commensurate time constants: the factors from one `exp` per time (`epochGrowth`),
            // e^(−r/τₖ) over the remaining refractory time r as a ratio of two of them. (The
            // general path below keeps its own `exp`s, so its values stay bit for bit.)
            let g = epochGrowth(elapsed: x)
            let bExc = s.iExc * g[1]
            let bInh = s.iInh * g[2]
            if s.refractory > 0 {
                let end = x + s.refractory
                let atEndGrowth = epochGrowth(elapsed: end)
                let atEnd = vReset - vInf - excToVoltage * bExc / atEndGrowth[1]
                    - inhToVoltage * bInh / atEndGrowth[2]
                return EpochForm(atEnd * atEndGrowth[0], bExc, bInh, end)
            }
            let membrane = s.v - vInf - excToVoltage * s.iExc - inhToVoltage * s.iInh
            return EpochForm(membrane * g[0], bExc, bInh, -.infinity)
        }
        let bExc = s.iExc * exp(x / tauSynExc)
        let bInh = s.iInh * exp(x / tauSynInh)
        if s.refractory > 0 {
            let end = x + s.refractory
            let atEnd = vReset - vInf - excToVoltage * bExc * exp(-end / tauSynExc)
                - inhToVoltage * bInh * exp(-end / tauSynInh)
            return EpochForm(atEnd * exp(end / tauM), bExc, bInh, end)
        }
        let membrane = s.v - vInf - excToVoltage * s.iExc - inhToVoltage * s.iInh
        return EpochForm(membrane * exp(x / tauM), bExc, bInh, -.infinity)
    }

    @inlinable
    public func state(fromEpoch f: EpochForm, elapsed x: Double, decay d: EpochForm) -> State {
        let iExc = f[1] * d[1]
        let iInh = f[2] * d[2]
        let remaining = f[3] - x
        if remaining >= Refractory.epsilon {
            return State(v: vReset, iExc: iExc, iInh: iInh, refractory: remaining)
        }
        let v = (vRest + bias) + f[0] * d[0] + excToVoltage * iExc + inhToVoltage * iInh
        return State(v: v, iExc: iExc, iInh: iInh, refractory: 0)
    }

    @inlinable
    public func receive(
        _ f: inout EpochForm, weight w: Double, receptor: Int, elapsed x: Double, growth g: EpochForm
    ) {
        let excitatory = receptor == Receptor.excitatory
        let added = w * (excitatory ? g[1] : g[2])
        let c = excitatory ? excToVoltage : inhToVoltage
        let membrane: Double
        if x < f[3] {
            let rate = excitatory ? constants.rateExc : constants.rateInh
            membrane = c * added * exp((constants.rateM - rate) * f[3])
        } else {
            membrane = c * w * g[0]
        }
        // One vector addition with a 0/1 lane mask (adding 0 leaves a lane unchanged, × 1 is
        // exact): writing a lane chosen at run time would go through memory and stall the next
        // vector load of the form.
        let lane = excitatory ? EpochForm(0, 1, 0, 0) : EpochForm(0, 0, 1, 0)
        f += EpochForm(-membrane, 0, 0, 0) + added * lane
    }

    @inlinable
    public func rebase(_ f: inout EpochForm, shift: Double, decay d: EpochForm) {
        f = EpochForm(f[0] * d[0], f[1] * d[1], f[2] * d[2], f[3] - shift)
    }
}
