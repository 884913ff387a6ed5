import Foundation

/// Adaptive-threshold LIF neuron (ALIF; Bellec et al. 2018, Yin et al. 2020; the adaptive
/// threshold of Diehl & Cook 2015): an `LIFExp` membrane whose threshold rises with every spike.
///
///     membrane and synaptic currents: exactly `LIFExp` (see there)
///     θ(t) = vThreshold + beta·a(t),    τ_adapt·da/dt = −a,    spike ⇒ a ← a + 1
///     V ≥ θ(t)  ⇒  spike;  V ← vReset for tRef ms (or by subtraction: the membrane's `reset`)
///
/// `vThreshold` is the baseline b₀, `beta` the threshold increment per spike (mV); Diehl & Cook's
/// θ_plus is beta with τ_adapt = 1e7 ms. Exact propagator: the LIFExp propagator and
/// a ← a·e^(−h/τ_adapt). The exact prediction (AdaptiveLIF+Prediction.swift) and the epoch form
/// (AdaptiveLIF+EpochForm.swift) extend LIF-exp's with the adaptation term.
public struct AdaptiveLIF: NeuronModel, InputSumming {
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
}
