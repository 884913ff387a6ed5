/// A model in epoch form whose neurons can be proven unable to fire: without input the potential
/// settles below threshold. The event-driven engine keeps, per neuron, an upper bound on V − θ
/// over all later times — `marginBound(of:)` from a state, raised by `peakResponse(receptor:)`·w
/// per input of weight w > 0. While that bound is below −`quietMargin` the neuron's queued time is
/// ∞ and an input costs one addition: no prediction, no queue move, no wake-up. The bound is
/// rigorous, so spikes are unchanged (docs/architecture.md, "Quiet bounds").
public protocol QuietBounded: EpochFormRepresentable {
    /// Whether this instance's neurons settle below threshold without input.
    var canStayQuiet: Bool { get }

    /// The largest rise of V − θ, at any later time, caused by an input of unit weight on
    /// `receptor` (mV per unit weight; the peak of the postsynaptic potential), +∞ if unknown.
    func peakResponse(receptor: Int) -> Double

    /// An upper bound on V(s) − θ(s) over every s ≥ 0 of the free evolution of `state` (mV),
    /// +∞ if the model gives none for this state.
    func marginBound(of state: State) -> Double
}

/// Quiet bounds below −`quietMargin` mV prove a neuron silent; the margin absorbs rounding.
@usableFromInline let quietMargin = 1e-9
