import Foundation

/// The adaptive LIF in epoch form (`EpochFormRepresentable`, event-driven engine): the
/// membrane's epoch form (lanes 0–3, see LIFExp+EpochForm.swift) plus the adaptation as one more
/// mode, lane 4 = a·e^(x/τ_adapt); lanes 5–7 unused.
extension AdaptiveLIF: EpochFormRepresentable {
    public typealias EpochForm = SIMD8<Double>

    public var supportsEpochForm: Bool { membrane.supportsEpochForm }

    public var epochRates: EpochForm {
        EpochForm(lowHalf: membrane.epochRates, highHalf: SIMD4(1 / tauAdapt, 0, 0, 0))
    }

    @inlinable
    public func epochForm(of s: State, elapsed x: Double) -> EpochForm {
        EpochForm(
            lowHalf: membrane.epochForm(of: s.membrane, elapsed: x),
            highHalf: SIMD4(s.adaptation * exp(x / tauAdapt), 0, 0, 0))
    }

    @inlinable
    public func state(fromEpoch f: EpochForm, elapsed x: Double, decay d: EpochForm) -> State {
        State(
            membrane: membrane.state(fromEpoch: f.lowHalf, elapsed: x, decay: d.lowHalf),
            adaptation: f[4] * d[4])
    }

    @inlinable
    public func receive(
        _ f: inout EpochForm, weight: Double, receptor: Int, elapsed x: Double, growth g: EpochForm
    ) {
        membrane.receive(&f.lowHalf, weight: weight, receptor: receptor, elapsed: x, growth: g.lowHalf)
    }

    @inlinable
    public func rebase(_ f: inout EpochForm, shift: Double, decay d: EpochForm) {
        membrane.rebase(&f.lowHalf, shift: shift, decay: d.lowHalf)
        f[4] *= d[4]
    }
}
