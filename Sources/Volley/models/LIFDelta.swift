import Foundation

/// Leaky integrate-and-fire neuron with delta synapses (NEST `iaf_psc_delta`).
///
///     τm·dV/dt = −(V − vRest) + bias                      (subthreshold, not refractory)
///     input of weight w (mV) at t:   V ← V + w             (ignored while refractory)
///     V ≥ vThreshold  ⇒  spike;  V ← vReset, clamped for tRef ms
///                              (or V ← V − (vThreshold − vReset) with `reset` = .bySubtraction, tRef = 0)
///
/// Exact propagator over h: V(h) = V∞ + (V − V∞)·e^(−h/τm), V∞ = vRest + bias. τm = +∞ is the
/// non-leaky integrate-and-fire neuron (decay e^(−h/∞) = 1 exactly; ANN→SNN rate conversion).
/// Crossing time (closed form): between inputs V relaxes monotonically towards V∞, so it reaches
/// threshold only at an input (a jump, tested at the input time) or, when V∞ > vThreshold, at
///     t* = τm · ln((V∞ − V) / (V∞ − vThreshold)).
/// One receptor (port 0); inhibition is a negative weight.
public struct LIFDelta: NeuronModel, InputSumming {
    /// Membrane time constant τm (ms).
    public var tauM: Double
    /// Resting potential E_L (mV).
    public var vRest: Double
    /// Reset potential after a spike (mV).
    public var vReset: Double
    /// Firing threshold (mV).
    public var vThreshold: Double
    /// Absolute refractory period (ms).
    public var tRef: Double
    /// Constant external drive R·I_ext (mV): shifts the steady state to vRest + bias.
    public var bias: Double
    /// What a spike does to V (`ResetMode`).
    public var reset: ResetMode

    public init(
        tauM: Double = 20, vRest: Double = -70, vReset: Double = -70, vThreshold: Double = -55,
        tRef: Double = 2, bias: Double = 0, reset: ResetMode = .toValue
    ) {
        self.reset = reset
        self.tauM = tauM
        self.vRest = vRest
        self.vReset = vReset
        self.vThreshold = vThreshold
        self.tRef = tRef
        self.bias = bias
    }

    @frozen
    public struct State: Sendable, Equatable {
        /// Membrane potential (mV).
        public var v: Double
        /// Remaining refractory time (ms); 0 when not refractory.
        public var refractory: Double

        @inlinable public init(v: Double, refractory: Double = 0) {
            self.v = v
            self.refractory = refractory
        }
    }

    @frozen
    public struct Propagator: Sendable {
        public var h: Double
        public var decay: Double

        @inlinable
        public init(h: Double, decay: Double) {
            self.h = h
            self.decay = decay
        }
    }

    public static let modelName = "lif_delta"
    public var receptorCount: Int { 1 }

    public func validate() throws {
        if tauM != .infinity {
            try VolleyError.require("tauM", tauM, "membrane time constant must be > 0 ms (+∞ for the non-leaky integrate-and-fire neuron)") { $0 > 0 }
        }
        try VolleyError.require("tRef", tRef, "refractory period must be ≥ 0 ms") { $0 >= 0 }
        try VolleyError.require("vRest", vRest, "must be finite") { _ in true }
        try VolleyError.require("bias", bias, "must be finite") { _ in true }
        try VolleyError.require("vThreshold", vThreshold, "must be finite") { _ in true }
        try VolleyError.require("vReset", vReset, "must be below vThreshold (\(vThreshold) mV)") {
            $0 < vThreshold
        }
        if reset == .bySubtraction {
            try VolleyError.require("tRef", tRef, "reset by subtraction needs tRef = 0 ms") { $0 == 0 }
        }
    }

    @inlinable
    public func initialState(potential: Double?) -> State { State(v: potential ?? vRest) }

    @inlinable
    public func potential(of state: State, at time: Double) -> Double { state.v }

    @inlinable
    public func propagator(over h: Double) -> Propagator { Propagator(h: h, decay: exp(-h / tauM)) }

    @inlinable
    public func advance(_ state: inout State, by h: Double, using p: Propagator) {
        var decay = p.decay
        if state.refractory > 0 {
            if state.refractory >= h - Refractory.epsilon {
                state.refractory = Refractory.remaining(state.refractory, after: h)
                state.v = vReset
                return
            }
            // Refractoriness ends inside the interval: clamp, then relax for the remainder.
            decay = exp(-(h - state.refractory) / tauM)
            state.refractory = 0
            state.v = vReset
        }
        let vInf = vRest + bias
        state.v = vInf + (state.v - vInf) * decay
    }

    @inlinable
    public func receive(_ state: inout State, weight: Double, receptor: Int, at time: Double) {
        if state.refractory <= 0 { state.v += weight }
    }

    @inlinable
    public func isAboveThreshold(_ state: State, at time: Double) -> Bool {
        state.refractory <= 0 && state.v >= vThreshold
    }

    @inlinable
    public func fire(_ state: inout State, at time: Double) {
        state.v = reset == .toValue ? vReset : state.v - (vThreshold - vReset)
        state.refractory = tRef
    }
}

/// The closed-form crossing (see the type's comment) for the event-driven engine.
extension LIFDelta: ExactlyPredictable {
    /// A negative jump lowers the potential at every later time.
    @inlinable
    public func inputOnlyDelaysCrossing(weight: Double, receptor: Int) -> Bool {
        weight <= 0
    }

    @inlinable
    public func nextCrossing(of state: State, at time: Double) -> ThresholdCrossing {
        var start = time
        var v = state.v
        if state.refractory > 0 {
            start = time + state.refractory
            v = vReset
        } else if v >= vThreshold {
            return .at(time)
        }
        let vInf = vRest + bias
        guard vInf > vThreshold else { return .never }
        return .at(start + tauM * log((vInf - v) / (vInf - vThreshold)))
    }
}
