import Foundation

/// A linear model whose free evolution is a sum of decaying modes e^(−r_k·t) can hold each
/// neuron's state as coefficients relative to one epoch t₀ shared by the population — its
/// *epoch form*. The state at t = t₀ + x is the coefficients times e^(−r_k·x), and an input at t
/// adds w·e^(r_k·x) to a coefficient. The factors e^(±r_k·x) depend on t only, so the
/// event-driven engine computes them once per delivery group and an input costs a few
/// multiply-adds instead of advancing its target by its own interval. The engine moves t₀
/// forward (`rebase`) before the factors grow past e^20. docs/architecture.md, "Epoch form", has
/// the derivation for LIF-exp.
public protocol EpochFormRepresentable: ExactlyPredictable {
    /// Coefficients of one neuron's state in epoch form (lanes are model-defined).
    associatedtype EpochForm: SIMD where EpochForm.Scalar == Double

    /// Whether this instance has an epoch form (default true; LIF-exp has none when a synaptic
    /// time constant equals τm). Without it the engine advances each neuron by its own interval.
    var supportsEpochForm: Bool { get }

    /// Decay rates r_k (1/ms) of the form's lanes (0 for lanes that are not modes).
    var epochRates: EpochForm { get }

    /// The growth factors e^(r_k·x) of the lanes at x ms past the epoch (default: one `exp` per
    /// lane of `epochRates`).
    func epochGrowth(elapsed x: Double) -> EpochForm

    /// The epoch form of `state`, valid at t = t₀ + x.
    func epochForm(of state: State, elapsed x: Double) -> EpochForm

    /// The state at t = t₀ + x from its epoch form; `decay` = e^(−r_k·x) lane-wise.
    func state(fromEpoch form: EpochForm, elapsed x: Double, decay: EpochForm) -> State

    /// Applies one input at t = t₀ + x to an epoch form; `growth` = e^(r_k·x) lane-wise.
    /// Equivalent to `receive` on the state at t (up to rounding).
    func receive(
        _ form: inout EpochForm, weight: Double, receptor: Int, elapsed x: Double, growth: EpochForm)

    /// Re-expresses a form relative to the new epoch t₀ + shift; `decay` = e^(−r_k·shift).
    func rebase(_ form: inout EpochForm, shift: Double, decay: EpochForm)
}

extension EpochFormRepresentable {
    public var supportsEpochForm: Bool { true }

    @inlinable
    public func epochGrowth(elapsed x: Double) -> EpochForm { laneExp(epochRates * x) }
}

/// e^v lane by lane (`Foundation.exp`, so the same values as the scalar code).
@inlinable @inline(__always)
public func laneExp<V: SIMD>(_ v: V) -> V where V.Scalar == Double {
    var result = v
    for k in v.indices { result[k] = exp(v[k]) }
    return result
}
