import Foundation

/// Keeps the spike counts of hidden neurons (and of a spiking readout) between two bounds
/// (Nowotny, Turner & Knight, *Loss shaping enhances exact gradient learning with EventProp in
/// spiking neural networks*, 2024).
///
/// A spike count is piecewise constant in the parameters, so it has no gradient. As in their
/// mlGeNN code, each regulated neuron j gets a coefficient from its mean spike count n̄ⱼ per sample
/// over the previous minibatch,
///
///     cⱼ = ρ_lower·(ν_lower − n̄ⱼ)   if n̄ⱼ < ν_lower,
///     cⱼ = −ρ_upper·(n̄ⱼ − ν_upper)  if n̄ⱼ > ν_upper,   else 0,
///
/// and the term L_reg = Σⱼ cⱼ Σₖ tⱼₖ over that neuron's spike times tⱼₖ in the sample (with cⱼ held
/// fixed) is added to the loss. Its exact gradient enters the adjoint as ∂L/∂tⱼₖ = cⱼ at every
/// spike: descending it moves the spikes of too quiet neurons earlier (towards more spikes) and
/// those of too busy neurons later (towards the trial's end). A neuron with cⱼ > 0 that is silent
/// in the sample has no spike to move; for it the term is cⱼ·(θ − maxₜ Vⱼ(t)) (θ − V in mV
/// counted like ms), whose exact gradient raises its highest potential towards threshold — so
/// neurons silent from the start (dead neurons) come back.
public struct EventPropRegulariser: Sendable, Equatable {
    /// ν_lower, ν_upper: spikes per neuron per sample.
    public var lowerTarget: Double
    public var lowerStrength: Double
    public var upperTarget: Double
    public var upperStrength: Double

    public init(lowerTarget: Double, lowerStrength: Double, upperTarget: Double = .infinity, upperStrength: Double = 0) {
        self.lowerTarget = lowerTarget
        self.lowerStrength = lowerStrength
        self.upperTarget = upperTarget
        self.upperStrength = upperStrength
    }

    public func validate() throws {
        try VolleyError.require("lowerTarget", lowerTarget, "must be ≥ 0 spikes per sample") { $0 >= 0 }
        try VolleyError.require("lowerStrength", lowerStrength, "must be ≥ 0") { $0 >= 0 }
        guard upperTarget >= lowerTarget else {
            throw VolleyError.invalidParameter(name: "upperTarget", value: "\(upperTarget)", reason: "must be ≥ lowerTarget (\(lowerTarget))")
        }
        try VolleyError.require("upperStrength", upperStrength, "must be ≥ 0") { $0 >= 0 }
    }

    /// cⱼ for a neuron with `meanCount` spikes per sample.
    public func coefficient(meanCount n: Double) -> Double {
        if n < lowerTarget { return lowerStrength * (lowerTarget - n) }
        if n > upperTarget { return -upperStrength * (n - upperTarget) }
        return 0
    }
}
