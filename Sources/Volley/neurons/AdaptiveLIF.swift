import Foundation

/// Adaptive-threshold LIF neuron (ALIF; Bellec et al. 2018, Yin et al. 2020; the adaptive
/// threshold of Diehl & Cook 2015): an `LIFExp` membrane whose threshold rises with every spike.
///
///     membrane and synaptic currents: exactly `LIFExp` (see there)
///     θ(t) = vThreshold + beta·a(t),    τ_adapt·da/dt = −a,    spike ⇒ a ← a + 1
///     V ≥ θ(t)  ⇒  spike;  V ← vReset for tRef ms
///
/// `vThreshold` is the baseline b₀, `beta` the threshold increment per spike (mV); Diehl & Cook's
/// θ_plus is beta with τ_adapt = 1e7 ms. Exact propagator: the LIFExp propagator and
/// a ← a·e^(−h/τ_adapt). Crossing time: V(s) − θ(s) is the LIFExp `ExponentialSum` plus the term
/// −beta·a·e^(−s/τ_adapt); its first root is bracketed to ≤ 1e-12 ms.
public struct AdaptiveLIF: NeuronModel {
    /// Membrane, synapses, reset and refractoriness (its vThreshold is the baseline b₀).
    public var membrane: LIFExp
    /// Threshold increment per spike (mV).
    public var beta: Double
    /// Adaptation time constant τ_adapt (ms).
    public var tauAdapt: Double

    public init(membrane: LIFExp = LIFExp(), beta: Double = 1.8, tauAdapt: Double = 700) {
        self.membrane = membrane
        self.beta = beta
        self.tauAdapt = tauAdapt
    }

    @frozen
    public struct State: Sendable, Equatable {
        public var membrane: LIFExp.State
        /// Adaptation variable a (dimensionless; +1 per spike).
        public var adaptation: Double

        @inlinable public init(membrane: LIFExp.State, adaptation: Double = 0) {
            self.membrane = membrane
            self.adaptation = adaptation
        }
    }

    @frozen
    public struct Propagator: Sendable {
        public var membrane: LIFExp.Propagator
        public var adaptation: Double

        @inlinable
        public init(membrane: LIFExp.Propagator, adaptation: Double) {
            self.membrane = membrane
            self.adaptation = adaptation
        }
    }

    public static let modelName = "adaptive_lif"
    /// Inputs add to a current (or to V): simultaneous inputs act through their sum.
    public static var sumsSimultaneousInputs: Bool { true }

    /// As the membrane's (the threshold does not depend on the input).
    @inlinable
    public func inputOnlyDelaysCrossing(weight: Double, receptor: Int) -> Bool {
        membrane.inputOnlyDelaysCrossing(weight: weight, receptor: receptor)
    }
    public var receptorCount: Int { 2 }

    public func validate() throws {
        try membrane.validate()
        try VolleyError.require("beta", beta, "threshold increment must be ≥ 0 mV") { $0 >= 0 }
        try VolleyError.require("tauAdapt", tauAdapt, "adaptation time constant must be > 0 ms") {
            $0 > 0
        }
    }

    /// The current threshold θ = vThreshold + beta·a (mV).
    @inlinable
    public func threshold(of state: State) -> Double {
        membrane.vThreshold + beta * state.adaptation
    }

    @inlinable
    public func initialState(potential: Double?) -> State {
        State(membrane: membrane.initialState(potential: potential))
    }

    @inlinable
    public func potential(of state: State, at time: Double) -> Double { state.membrane.v }

    @inlinable
    public func propagator(over h: Double) -> Propagator {
        Propagator(membrane: membrane.propagator(over: h), adaptation: exp(-h / tauAdapt))
    }

    @inlinable
    public func advance(_ state: inout State, by h: Double, using p: Propagator) {
        membrane.advance(&state.membrane, by: h, using: p.membrane)
        state.adaptation *= p.adaptation
    }

    @inlinable
    public func receive(_ state: inout State, weight: Double, receptor: Int, at time: Double) {
        membrane.receive(&state.membrane, weight: weight, receptor: receptor, at: time)
    }

    @inlinable
    public func isAboveThreshold(_ state: State, at time: Double) -> Bool {
        state.membrane.refractory <= 0 && state.membrane.v >= threshold(of: state)
    }

    @inlinable
    public func fire(_ state: inout State, at time: Double) {
        membrane.fire(&state.membrane, at: time)
        state.adaptation += 1
    }

    // MARK: Epoch form (event-driven engine)

    /// The membrane's epoch form (lanes 0–3, see `LIFExp`) plus the adaptation as one more mode:
    /// lane 4 = a·e^(x/τ_adapt); lanes 5–7 unused.
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

    /// Always inlined: the state (five `Double`s) is passed in memory, and the engine has just
    /// written it field by field, so a call's vector load of it stalled on store forwarding
    /// (a third of this function's time in `mnist-stdp --engine event`).
    @inlinable @inline(__always)
    public func nextCrossing(of state: State, at time: Double) -> ThresholdCrossing {
        var s = state
        var start = time
        if s.membrane.refractory > 0 {
            start = time + s.membrane.refractory
            advance(&s, by: s.membrane.refractory)
        }
        if s.membrane.v >= threshold(of: s) { return .at(start) }
        if membrane.tauSynExc != membrane.tauM && membrane.tauSynInh != membrane.tauM {
            // The sum's wake-up test from the state, without building the sum (LIF-exp's bound
            // plus the adaptation term); the sum's `prediction` below recomputes the same bound.
            let bound = membrane.crossingLowerBound(
                of: s.membrane, threshold: membrane.vThreshold, plus: -beta * s.adaptation,
                rate: 1 / tauAdapt)
            if bound == .infinity { return .never }
            if bound > LIFExp.wakeUpHorizon { return .notBefore(start + bound) }
        }
        var f = membrane.distanceToThreshold(of: s.membrane, threshold: membrane.vThreshold)
        f.add(a: -beta * s.adaptation, rate: 1 / tauAdapt)
        return f.prediction(from: start, wakeUpBeyond: LIFExp.wakeUpHorizon)
    }
}
