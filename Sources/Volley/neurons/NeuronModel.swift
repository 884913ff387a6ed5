/// A spiking neuron model: its parameters, the state of one neuron, and the equations both
/// engines drive it with. One value type per model, one file per model (docs/models.md, "Adding
/// a model").
///
/// Units: time ms, potentials mV, weights mV (the jump a spike causes in the variable its receptor
/// drives: V for delta synapses, R·I for current synapses, the PSP peak for SRM), rates Hz.
///
/// The contract both engines follow (docs/architecture.md):
/// 1. Between events a neuron evolves freely: `advance(_:by:using:)` with `propagator(over:)`,
///    the exact solution of the model's equations for that interval (for a model that is not
///    `ExactlyPredictable`, its documented integration scheme).
/// 2. Inputs arriving at time t are applied with `receive` after advancing to t.
/// 3. After all inputs at t, `isAboveThreshold` decides whether it spikes at t; `fire` applies the
///    reset (refractoriness, adaptation).
///
/// That is all the time-stepped engine needs. Further capabilities are refinements a model opts
/// into, each a promise an engine relies on:
/// * `ExactlyPredictable` — the next threshold crossing without input, exactly: the event-driven
///   engine accepts only such models.
/// * `EpochFormRepresentable`, `QuietBounded` — faster event-driven deliveries.
/// * `InputSumming`, `LaneStorable` — faster time steps.
/// * `NonNegativeWeights` — weights onto the model are conductances.
/// Where a model type is concrete, `Network.addPopulation` picks each engine's kernel for the
/// refinements it conforms to, specialised for the model.
public protocol NeuronModel: Sendable {
    /// Per-neuron dynamic state: a small struct of `Double`s.
    associatedtype State: Sendable
    /// Precomputed coefficients (exponentials) that advance a state by a fixed interval.
    associatedtype Propagator: Sendable

    /// Short name used in reports ("lif_exp").
    static var modelName: String { get }

    /// Number of synaptic receptor ports (e.g. 2 for excitatory/inhibitory currents).
    var receptorCount: Int { get }

    /// Throws `VolleyError.invalidParameter` naming the first parameter outside its domain.
    func validate() throws

    /// The state at rest, or with membrane potential `potential` (mV) when given.
    func initialState(potential: Double?) -> State

    /// Membrane potential (mV) of `state` at absolute time `time` (for recording).
    func potential(of state: State, at time: Double) -> Double

    /// Coefficients advancing any state by `h` ms (h > 0).
    func propagator(over h: Double) -> Propagator

    /// Free evolution over `h` ms using `p == propagator(over: h)`.
    func advance(_ state: inout State, by h: Double, using p: Propagator)

    /// Applies one synaptic input of `weight` on `receptor` arriving at absolute time `time`.
    func receive(_ state: inout State, weight: Double, receptor: Int, at time: Double)

    /// Whether the neuron is at or above threshold (and not refractory) at `time`.
    func isAboveThreshold(_ state: State, at time: Double) -> Bool

    /// Applies the post-spike reset for a spike at `time`.
    func fire(_ state: inout State, at time: Double)
}

extension NeuronModel {
    /// Advances by `h` computing the propagator on the fly (event-driven updates).
    @inlinable
    public func advance(_ state: inout State, by h: Double) {
        advance(&state, by: h, using: propagator(over: h))
    }
}

/// A model whose synaptic weights are conductances and must be ≥ 0. Network construction, weight
/// updates and STDP bounds reject negative weights onto a population of such a model.
public protocol NonNegativeWeights: NeuronModel {}

/// Receptor port conventions for two-receptor models.
public enum Receptor {
    public static let excitatory = 0
    public static let inhibitory = 1
}
