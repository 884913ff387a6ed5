/// What a spike does to the membrane potential of an integrate-and-fire model.
///
///     toValue:        V ← vReset                      (NEST's iaf_* models; STBP)
///     bySubtraction:  V ← V − (vThreshold − vReset)   ("soft reset"; Rueckauer et al. 2017,
///                                                      Bellec et al. 2018: V ← V − θ at vReset = 0)
///
/// Reset by subtraction keeps the overshoot above threshold, so a neuron driven far above
/// threshold can still be above it after the reset. The engines then differ by construction:
/// the time-stepped engine emits at most one spike per neuron and step (the overshoot carries
/// into the next step), while the event-driven engine fires again at the same instant until V
/// is below threshold (k = ⌊(V − θ)/(θ − vReset)⌋ + 1 spikes at one time; see
/// docs/event-ordering.md). Subtraction needs tRef = 0: a clamp to vReset would undo it.
public enum ResetMode: String, Sendable, Codable, CaseIterable {
    case toValue = "value"
    case bySubtraction = "subtract"
}
