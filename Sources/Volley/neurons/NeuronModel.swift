import Foundation

/// The next time a neuron reaches threshold, as predicted from its current state with no further
/// input. `time` is absolute (ms); `.infinity` means never.
///
/// `isExact == true`: the neuron crosses threshold at `time` (closed form, or bracketed root to
/// ≤ 1e-9 ms) and the engine fires it there unless an input arrives first.
/// `isExact == false`: a *wake-up*, a proven lower bound on the crossing; the engine advances the
/// neuron to `time` and asks again. Models use wake-ups to avoid an expensive root search after
/// every input while the neuron is still far from threshold.
@frozen
public struct ThresholdCrossing: Equatable, Sendable {
    public var time: Double
    public var isExact: Bool

    @inlinable
    public init(time: Double, isExact: Bool) {
        self.time = time
        self.isExact = isExact
    }

    public static let never = ThresholdCrossing(time: .infinity, isExact: true)

    @inlinable public static func at(_ time: Double) -> ThresholdCrossing {
        ThresholdCrossing(time: time, isExact: true)
    }

    @inlinable public static func notBefore(_ time: Double) -> ThresholdCrossing {
        ThresholdCrossing(time: time, isExact: false)
    }
}

/// A spiking neuron model: one value type per model, one file per model, used unchanged by the
/// event-driven and the time-stepped engine (they differ only in how time advances).
///
/// Units: time ms, potentials mV, weights mV (the jump a spike causes in the variable its receptor
/// drives: V for delta synapses, R·I for current synapses, the PSP peak for SRM), rates Hz.
///
/// Contract (both engines follow it; see docs/architecture.md):
/// 1. Between events a neuron evolves freely: `advance(_:by:using:)` with the model's *exact*
///    propagator for that interval (`propagator(over:)`); there is no integration error. (The one
///    exception, `hasExactPropagator == false`, runs in the time-stepped engine only.)
/// 2. Inputs arriving at time t are applied with `receive` after advancing to t.
/// 3. After all inputs at t, `isAboveThreshold` decides whether it spikes at t; `fire` applies the
///    reset (refractoriness, adaptation).
/// 4. The event-driven engine also asks `nextCrossing` after every state change; the time-stepped
///    engine never does.
///
/// Conformers are generic parameters of the engines' inner loops (specialized, never existential
/// per event); mark the hot methods `@inlinable` so examples specialize them too.
public protocol NeuronModel: Sendable {
    /// Per-neuron dynamic state: a small struct of `Double`s.
    associatedtype State: Sendable
    /// Coefficients of one neuron's state in epoch form (see `supportsEpochForm`).
    associatedtype EpochForm: SIMD = SIMD4<Double> where EpochForm.Scalar == Double
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

    /// Free evolution over `h` ms using `p == propagator(over: h)`. Exact.
    func advance(_ state: inout State, by h: Double, using p: Propagator)

    /// Applies one synaptic input of `weight` on `receptor` arriving at absolute time `time`.
    func receive(_ state: inout State, weight: Double, receptor: Int, at time: Double)

    /// Whether the neuron is at or above threshold (and not refractory) at `time`.
    func isAboveThreshold(_ state: State, at time: Double) -> Bool

    /// Applies the post-spike reset for a spike at `time`.
    func fire(_ state: inout State, at time: Double)

    /// The next threshold crossing after `time` with no further input (see `ThresholdCrossing`).
    func nextCrossing(of state: State, at time: Double) -> ThresholdCrossing

    /// `nextCrossing` for the event-driven engine's neuron events (a wake-up or a spike), which
    /// no input caused. After an input the next input usually moves the prediction anyway, so
    /// models may answer there with a cheap, loose wake-up bound; here a loose bound only buys
    /// another wake-up, so a model may spend more on a tighter one. Same contract as
    /// `nextCrossing` (default: it).
    func nextCrossingAtNeuronEvent(of state: State, at time: Double) -> ThresholdCrossing

    /// `nextCrossing` after an input to a neuron of a population whose neurons receive, on
    /// average, one input per `inputInterval` ms (measured by the event-driven engine; +∞ while
    /// unknown). A model may use it to choose how tight a wake-up bound is worth computing: a
    /// bound far beyond the next input is rarely reached. Same contract as `nextCrossing`
    /// (default: it).
    func nextCrossing(of state: State, at time: Double, inputInterval: Double) -> ThresholdCrossing

    /// Whether `advance` is the exact solution of the model's equations (default true). A model
    /// without closed-form free evolution (conductance-based synapses: `ConductanceLIF`) sets it
    /// false and documents its integration scheme; the time-stepped engine runs it with that
    /// scheme and the event-driven engine rejects it, since it cannot place spikes exactly.
    static var hasExactPropagator: Bool { get }

    /// Whether weights onto this model must be ≥ 0 (conductance jumps; default false). Network
    /// construction and weight updates reject negative weights onto such a population.
    static var requiresNonNegativeWeights: Bool { get }

    /// Whether inputs arriving at one time on one receptor act only through their sum:
    /// `receive(w₁); receive(w₂)` ≡ `receive(w₁ + w₂)` (true for current- and voltage-jump
    /// synapses). The time-stepped engine then sums each step's inputs per neuron and receptor
    /// and runs `step` — advance, input, threshold — in one pass over the population.
    static var sumsSimultaneousInputs: Bool { get }

    /// Whether an input of `weight` on `receptor` can only postpone the next threshold crossing
    /// (it lowers the potential at every later time, as a negative current or voltage jump does).
    /// The event-driven engine then keeps the neuron's queued prediction as a wake-up — still a
    /// valid lower bound — instead of predicting again.
    func inputOnlyDelaysCrossing(weight: Double, receptor: Int) -> Bool

    /// One time step of a whole population (see the default implementation).
    func step(
        _ states: UnsafeMutablePointer<State>, count: Int, inputs: UnsafeMutablePointer<Double>,
        advancingBy h: Double?, using p: Propagator, at time: Double,
        fired: inout ContiguousArray<UInt32>)

    /// Number of `Double` state variables when the model supports struct-of-arrays storage in the
    /// time-stepped engine (see Lanes.swift); 0 (the default) keeps an array of `State`.
    /// A model with lanes promises that `receive(w, r)` is exactly `lane[inputLane(r)] += w` and
    /// that neither `isAboveThreshold` nor `fire` reads or writes an input lane — inputs act on
    /// the threshold only through later free evolution (synaptic currents). The engine then runs
    /// advance, threshold and fire in one pass (`stepLanes`) and adds deliveries straight into
    /// the input lanes, which is the contract's order with the same arithmetic.
    static var laneCount: Int { get }

    /// The lane that an input on `receptor` adds to (models with `laneCount` > 0).
    func inputLane(receptor: Int) -> Int

    /// Neuron i's state read from lane storage (`lanes[k·stride + i]`).
    func state(inLanes lanes: UnsafeMutablePointer<Double>, stride: Int, at i: Int) -> State

    /// Writes `state` as neuron i of lane storage.
    func store(_ state: State, inLanes lanes: UnsafeMutablePointer<Double>, stride: Int, at i: Int)

    /// One time step of neurons `0..<count` in lane storage, before the step's deliveries: advance
    /// by h (unless nil), then fire every neuron at threshold, appending its index to `fired` in
    /// ascending order — the same operations and rounding as `advance`, `isAboveThreshold`,
    /// `fire` neuron by neuron (models vectorise it; the default runs them per neuron).
    /// `scratch` is the population's, kept between steps (see `LaneScratch`).
    func stepLanes(
        _ lanes: UnsafeMutablePointer<Double>, stride: Int, count: Int, advancingBy h: Double?,
        using p: Propagator, at time: Double, scratch: inout LaneScratch<State>,
        fired: inout ContiguousArray<UInt32>)

    /// Whether this instance supports the *epoch form* in the event-driven engine (default
    /// false). A linear model whose free evolution is a sum of decaying modes e^(−r_k·t) can hold
    /// each neuron's state as coefficients relative to one epoch t₀ shared by the population:
    /// the state at t = t₀ + x is the coefficients times e^(−r_k·x), and an input at t adds
    /// w·e^(r_k·x) to a coefficient. The factors e^(±r_k·x) depend on t only, so the engine
    /// computes them once per delivery group and an input costs a few multiply-adds instead of
    /// advancing its target by its own interval (three `exp`s for LIF-exp). Lanes of the form are
    /// model-defined (`EpochForm`); the engine moves t₀ forward (`rebase`) before the factors
    /// grow past e^20. docs/architecture.md has the derivation for LIF-exp.
    var supportsEpochForm: Bool { get }

    /// Decay rates r_k (1/ms) of the epoch form's lanes (0 for lanes that are not modes).
    var epochRates: EpochForm { get }

    /// The growth factors e^(rₖ·x) of the lanes at x ms past the epoch (default: one `exp` per
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

    /// *Quiet bounds* (event-driven engine, epoch form; see docs/architecture.md): whether a
    /// neuron of this instance can be proven unable to fire, i.e. its potential settles below
    /// threshold without input (default false). The engine then keeps, per neuron, an upper
    /// bound on V − θ over all later times: `marginBound(of:)` from a state, raised by
    /// `peakResponse(receptor:)`·w per input of weight w > 0. While that bound is below
    /// −`quietMargin` the neuron's queued time is ∞ and an input costs one addition — no
    /// prediction, no queue move, no wake-up. The bound is rigorous, so spikes are unchanged.
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

/// e^v lane by lane (`Foundation.exp`, so the same values as the scalar code).
@inlinable @inline(__always)
func laneExp<V: SIMD>(_ v: V) -> V where V.Scalar == Double {
    var result = v
    for k in v.indices { result[k] = exp(v[k]) }
    return result
}

extension NeuronModel {
    @inlinable
    public func nextCrossingAtNeuronEvent(of state: State, at time: Double) -> ThresholdCrossing {
        nextCrossing(of: state, at: time)
    }
    @inlinable
    public func nextCrossing(of state: State, at time: Double, inputInterval: Double) -> ThresholdCrossing {
        nextCrossing(of: state, at: time)
    }
    public var canStayQuiet: Bool { false }
    public func peakResponse(receptor: Int) -> Double { .infinity }
    public func marginBound(of state: State) -> Double { .infinity }
    public var supportsEpochForm: Bool { false }
    public var epochRates: EpochForm { EpochForm() }
    @inlinable
    public func epochGrowth(elapsed x: Double) -> EpochForm { laneExp(epochRates * x) }
    public func epochForm(of state: State, elapsed x: Double) -> EpochForm {
        preconditionFailure("\(Self.modelName) has no epoch form")
    }
    public func state(fromEpoch form: EpochForm, elapsed x: Double, decay: EpochForm) -> State {
        preconditionFailure("\(Self.modelName) has no epoch form")
    }
    public func receive(
        _ form: inout EpochForm, weight: Double, receptor: Int, elapsed x: Double, growth: EpochForm
    ) {
        preconditionFailure("\(Self.modelName) has no epoch form")
    }
    public func rebase(_ form: inout EpochForm, shift: Double, decay: EpochForm) {
        preconditionFailure("\(Self.modelName) has no epoch form")
    }

    public static var sumsSimultaneousInputs: Bool { false }
    public static var hasExactPropagator: Bool { true }
    public static var requiresNonNegativeWeights: Bool { false }

    @inlinable
    public func inputOnlyDelaysCrossing(weight: Double, receptor: Int) -> Bool { false }

    /// One time step of the whole population in one pass (time-stepped engine, models with
    /// `sumsSimultaneousInputs`): for each neuron i, advance by h using `p` (unless h is nil, at
    /// t = 0), apply the
    /// summed input `inputs[r·count + i]` of each receptor r (and clear it), then fire if at
    /// threshold, appending i to `fired`. Exactly the contract's order for one grid step.
    @inlinable
    public func step(
        _ states: UnsafeMutablePointer<State>, count: Int, inputs: UnsafeMutablePointer<Double>,
        advancingBy h: Double?, using p: Propagator, at time: Double,
        fired: inout ContiguousArray<UInt32>
    ) {
        let receptors = receptorCount
        for i in 0..<count {
            var s = states[i]
            if let h { advance(&s, by: h, using: p) }
            // Unconditionally: by additivity receive(0) changes nothing, and a data-dependent
            // branch here costs more than the addition.
            for r in 0..<receptors {
                receive(&s, weight: inputs[r &* count &+ i], receptor: r, at: time)
                inputs[r &* count &+ i] = 0
            }
            if isAboveThreshold(s, at: time) {
                fire(&s, at: time)
                fired.append(UInt32(truncatingIfNeeded: i))
            }
            states[i] = s
        }
    }

    public static var laneCount: Int { 0 }

    @inlinable
    public func state(inLanes lanes: UnsafeMutablePointer<Double>, stride: Int, at i: Int) -> State {
        preconditionFailure("\(Self.modelName) has no lane storage (laneCount == 0)")
    }

    @inlinable
    public func store(
        _ state: State, inLanes lanes: UnsafeMutablePointer<Double>, stride: Int, at i: Int
    ) {
        preconditionFailure("\(Self.modelName) has no lane storage (laneCount == 0)")
    }

    @inlinable
    public func inputLane(receptor: Int) -> Int {
        preconditionFailure("\(Self.modelName) has no lane storage (laneCount == 0)")
    }

    @inlinable
    public func stepLanes(
        _ lanes: UnsafeMutablePointer<Double>, stride: Int, count: Int, advancingBy h: Double?,
        using p: Propagator, at time: Double, scratch: inout LaneScratch<State>,
        fired: inout ContiguousArray<UInt32>
    ) {
        stepLanesPerNeuron(
            lanes, stride: stride, range: 0..<count, advancingBy: h, using: p, at: time,
            fired: &fired)
    }

    /// `stepLanes` for the neurons in `range`, one at a time through `advance`,
    /// `isAboveThreshold` and `fire` (the reference the vectorised passes reproduce).
    @inlinable
    public func stepLanesPerNeuron(
        _ lanes: UnsafeMutablePointer<Double>, stride: Int, range: Range<Int>,
        advancingBy h: Double?, using p: Propagator, at time: Double,
        fired: inout ContiguousArray<UInt32>
    ) {
        for i in range {
            var s = state(inLanes: lanes, stride: stride, at: i)
            if let h { advance(&s, by: h, using: p) }
            if isAboveThreshold(s, at: time) {
                fire(&s, at: time)
                fired.append(UInt32(truncatingIfNeeded: i))
            }
            store(s, inLanes: lanes, stride: stride, at: i)
        }
    }
    /// Advances by `h` computing the propagator on the fly (event-driven updates).
    @inlinable
    public func advance(_ state: inout State, by h: Double) {
        advance(&state, by: h, using: propagator(over: h))
    }
}

/// Receptor port conventions for two-receptor models.
public enum Receptor {
    public static let excitatory = 0
    public static let inhibitory = 1
}

/// Refractory bookkeeping shared by the LIF family: the remaining refractory time is counted down
/// by every `advance`; remainders below `epsilon` are treated as elapsed, so that tRef = 2 ms ends
/// after exactly 20 steps of 0.1 ms despite binary rounding.
public enum Refractory {
    public static let epsilon = 1e-9

    /// The refractory time left after a clamped step of h ms from r: r − h, or 0 below `epsilon`.
    @inlinable @inline(__always)
    public static func remaining(_ r: Double, after h: Double) -> Double {
        let left = r - h
        return left < epsilon ? 0 : left
    }
}
