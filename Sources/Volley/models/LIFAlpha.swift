import Foundation

/// Leaky integrate-and-fire neuron with alpha-shaped synaptic currents (NEST `iaf_psc_alpha`;
/// currents written as R·I in mV).
///
///     τm·dV/dt = −(V − vRest) + bias + I_exc + I_inh        (V clamped to vReset while refractory)
///     τₖ·dIₖ/dt = −Iₖ + Jₖ,   τₖ·dJₖ/dt = −Jₖ                 (k = exc, inh; also while refractory)
///     input of weight w (mV) on receptor 0 / 1:   J_exc ← J_exc + e·w  /  J_inh ← J_inh + e·w
///     V ≥ vThreshold  ⇒  spike;  V ← vReset for tRef ms
///
/// An input alone makes the current w·(s/τₖ)·e^(1 − s/τₖ), which peaks at w, τₖ after the input.
///
/// Exact propagator over h: with pₖ = e^(−h/τₖ), Jₖ ← Jₖ·pₖ and Iₖ ← (Iₖ + Jₖ·h/τₖ)·pₖ. The current
/// (aₖ + bₖ·s)·e^(−s/τₖ), aₖ = Iₖ, bₖ = Jₖ/τₖ, drives V through the particular solution
/// (cₖ + dₖ·s)·e^(−s/τₖ) with αₖ = τₖ/(τₖ − τm), dₖ = αₖ·bₖ, cₖ = αₖ·(aₖ − τm·dₖ), so
///
///     V(s) = V∞ + (V − V∞ − Σₖ cₖ)·e^(−s/τm) + Σₖ (cₖ + dₖ·s)·e^(−s/τₖ),   V∞ = vRest + bias.
///
/// The same expression minus vThreshold is an `ExponentialSum` whose first root is the next spike
/// (bracketed to ≤ 1e-14 ms, or 4 ulps of s), so the model runs in both engines. Synaptic time
/// constants must differ from τm by at least 1e-4·τm (αₖ would lose precision, or not exist).
public struct LIFAlpha: NeuronModel, InputSumming {
    /// Membrane time constant τm (ms).
    public var tauM: Double
    /// Rise and decay time constant of the excitatory (receptor 0) current (ms).
    public var tauSynExc: Double
    /// Rise and decay time constant of the inhibitory (receptor 1) current (ms).
    public var tauSynInh: Double
    /// Resting potential E_L (mV).
    public var vRest: Double
    /// Reset potential (mV).
    public var vReset: Double
    /// Firing threshold (mV).
    public var vThreshold: Double
    /// Absolute refractory period (ms).
    public var tRef: Double
    /// Constant external drive R·I_ext (mV).
    public var bias: Double

    public init(
        tauM: Double = 10, tauSynExc: Double = 2, tauSynInh: Double = 2, vRest: Double = -70,
        vReset: Double = -70, vThreshold: Double = -55, tRef: Double = 2, bias: Double = 0
    ) {
        self.tauM = tauM
        self.tauSynExc = tauSynExc
        self.tauSynInh = tauSynInh
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
        /// Synaptic currents R·Iₖ (mV) and their companions Jₖ (mV).
        public var iExc: Double, jExc: Double, iInh: Double, jInh: Double
        /// Remaining refractory time (ms).
        public var refractory: Double

        @inlinable
        public init(v: Double, iExc: Double = 0, jExc: Double = 0, iInh: Double = 0, jInh: Double = 0, refractory: Double = 0) {
            self.v = v
            self.iExc = iExc
            self.jExc = jExc
            self.iInh = iInh
            self.jInh = jInh
            self.refractory = refractory
        }
    }

    @frozen
    public struct Propagator: Sendable {
        public var h: Double
        /// e^(−h/τm), e^(−h/τ_exc), e^(−h/τ_inh).
        public var membrane: Double, exc: Double, inh: Double

        @inlinable
        public init(h: Double, membrane: Double, exc: Double, inh: Double) {
            self.h = h
            self.membrane = membrane
            self.exc = exc
            self.inh = inh
        }
    }

    public static let modelName = "lif_alpha"
    public var receptorCount: Int { 2 }

    public func validate() throws {
        try VolleyError.require("tauM", tauM, "membrane time constant must be > 0 ms") { $0 > 0 }
        for (name, tau) in [("tauSynExc", tauSynExc), ("tauSynInh", tauSynInh)] {
            try VolleyError.require(name, tau, "synaptic time constant must be > 0 ms") { $0 > 0 }
            try VolleyError.require(name, tau, "must differ from tauM (\(tauM) ms) by at least 1e-4·tauM") {
                abs($0 - tauM) >= 1e-4 * tauM
            }
        }
        try VolleyError.require("tRef", tRef, "refractory period must be ≥ 0 ms") { $0 >= 0 }
        try VolleyError.require("vRest", vRest, "must be finite") { _ in true }
        try VolleyError.require("bias", bias, "must be finite") { _ in true }
        try VolleyError.require("vThreshold", vThreshold, "must be finite") { _ in true }
        try VolleyError.require("vReset", vReset, "must be below vThreshold (\(vThreshold) mV)") { $0 < vThreshold }
    }

    @inlinable
    public func initialState(potential: Double?) -> State { State(v: potential ?? vRest) }

    @inlinable
    public func potential(of state: State, at time: Double) -> Double { state.v }

    @inlinable
    public func propagator(over h: Double) -> Propagator {
        Propagator(h: h, membrane: exp(-h / tauM), exc: exp(-h / tauSynExc), inh: exp(-h / tauSynInh))
    }

    /// The membrane's particular-solution coefficients (c, d) of a current (I, J) with time
    /// constant τ (see the type's comment).
    @inlinable @inline(__always)
    func drive(i: Double, j: Double, tau: Double) -> (c: Double, d: Double) {
        let alpha = tau / (tau - tauM)
        let d = alpha * (j / tau)
        return (alpha * (i - tauM * d), d)
    }

    @inlinable
    public func advance(_ state: inout State, by h: Double, using p: Propagator) {
        if state.refractory > 0 {
            if state.refractory >= h - Refractory.epsilon {
                // V stays at vReset while the currents evolve.
                evolveCurrents(&state, by: h, exc: p.exc, inh: p.inh)
                state.v = vReset
                state.refractory = Refractory.remaining(state.refractory, after: h)
                return
            }
            // Refractoriness ends inside the interval: clamped, then free from vReset.
            let r = state.refractory
            evolveCurrents(&state, by: r, exc: exp(-r / tauSynExc), inh: exp(-r / tauSynInh))
            state.v = vReset
            state.refractory = 0
            free(&state, by: h - r, using: propagator(over: h - r))
            return
        }
        free(&state, by: h, using: p)
    }

    /// Free evolution of a non-refractory state over h ms (see the type's comment).
    @inlinable @inline(__always)
    func free(_ state: inout State, by h: Double, using p: Propagator) {
        let e = drive(i: state.iExc, j: state.jExc, tau: tauSynExc)
        let n = drive(i: state.iInh, j: state.jInh, tau: tauSynInh)
        let vInf = vRest + bias
        state.v = vInf + (state.v - vInf - e.c - n.c) * p.membrane + (e.c + e.d * h) * p.exc + (n.c + n.d * h) * p.inh
        evolveCurrents(&state, by: h, exc: p.exc, inh: p.inh)
    }

    /// Jₖ ← Jₖ·pₖ, Iₖ ← (Iₖ + Jₖ·h/τₖ)·pₖ over h ms.
    @inlinable @inline(__always)
    func evolveCurrents(_ state: inout State, by h: Double, exc pe: Double, inh pi: Double) {
        state.iExc = (state.iExc + state.jExc * (h / tauSynExc)) * pe
        state.jExc *= pe
        state.iInh = (state.iInh + state.jInh * (h / tauSynInh)) * pi
        state.jInh *= pi
    }

    @inlinable
    public func receive(_ state: inout State, weight: Double, receptor: Int, at time: Double) {
        if receptor == Receptor.excitatory {
            state.jExc += M_E * weight
        } else {
            state.jInh += M_E * weight
        }
    }

    @inlinable
    public func isAboveThreshold(_ state: State, at time: Double) -> Bool {
        state.refractory <= 0 && state.v >= vThreshold
    }

    @inlinable
    public func fire(_ state: inout State, at time: Double) {
        state.v = vReset
        state.refractory = tRef
    }
}

/// The exact next crossing, for the event-driven engine: V(s) − vThreshold of the type's
/// comment as an `ExponentialSum`, searched under the engine's `WakeUpPolicy`.
extension LIFAlpha: ExactlyPredictable {
    /// V(s) − vThreshold of a non-refractory state as an exponential sum in s (ms).
    @inlinable
    public func distanceToThreshold(of s: State) -> ExponentialSum {
        let e = drive(i: s.iExc, j: s.jExc, tau: tauSynExc)
        let n = drive(i: s.iInh, j: s.jInh, tau: tauSynInh)
        let vInf = vRest + bias
        var f = ExponentialSum(constant: vInf - vThreshold)
        f.add(a: s.v - vInf - e.c - n.c, rate: 1 / tauM)
        f.add(a: e.c, b: e.d, rate: 1 / tauSynExc)
        f.add(a: n.c, b: n.d, rate: 1 / tauSynInh)
        return f
    }

    @inlinable
    public func nextCrossing(of state: State, at time: Double) -> ThresholdCrossing {
        var s = state
        var start = time
        if s.refractory > 0 {
            start = time + s.refractory
            advance(&s, by: s.refractory)
        }
        if s.v >= vThreshold { return .at(start) }
        return WakeUpPolicy(searchWithin: 1).prediction(of: distanceToThreshold(of: s), from: start)
    }

    /// An input of weight w ≤ 0 lowers V at every later time (the alpha PSP is ≥ 0), so it can
    /// only postpone the next crossing.
    @inlinable
    public func inputOnlyDelaysCrossing(weight: Double, receptor: Int) -> Bool { weight <= 0 }
}
