import Foundation

/// Leaky integrate-and-fire neuron with exponentially decaying synaptic currents
/// (NEST `iaf_psc_exp`, Brian2 CUBA; currents expressed as R·I in mV).
///
///     τm·dV/dt = −(V − vRest) + bias + I_exc + I_inh     (V clamped to vReset while refractory)
///     τ_exc·dI_exc/dt = −I_exc,   τ_inh·dI_inh/dt = −I_inh   (currents integrate also when refractory)
///     input of weight w (mV) on receptor 0 / 1:   I_exc ← I_exc + w  /  I_inh ← I_inh + w
///     V ≥ vThreshold  ⇒  spike;  V ← vReset for tRef ms
///                        (or V ← V − (vThreshold − vReset) with `reset` = .bySubtraction, tRef = 0)
///
/// Exact propagator over h (Rotter & Diesmann 1999): with V∞ = vRest + bias, pₘ = e^(−h/τm),
/// pₖ = e^(−h/τₖ),
///     V ← V∞ + (V − V∞)·pₘ + Σₖ Iₖ·τₖ/(τₖ − τm)·(pₖ − pₘ),     Iₖ ← Iₖ·pₖ
/// (for τₖ = τm the coefficient is its limit (h/τm)·pₘ). Parameters with 0 < |τₖ − τm| < 1e-4·τm
/// are rejected: the propagator would lose precision to cancellation, as NEST warns.
///
/// The equations are in this file; the event-driven engine's exact prediction is in
/// LIFExp+Prediction.swift, its epoch form and quiet bounds in LIFExp+EpochForm.swift and
/// LIFExp+QuietBounds.swift, the time-stepped engine's vectorised step in LIFExp+Lanes.swift.
public struct LIFExp: NeuronModel, InputSumming {
    /// Membrane time constant τm (ms).
    public var tauM: Double { didSet { constants = Constants(tauM, tauSynExc, tauSynInh) } }
    /// Excitatory (receptor 0) synaptic current time constant (ms).
    public var tauSynExc: Double { didSet { constants = Constants(tauM, tauSynExc, tauSynInh) } }
    /// Inhibitory (receptor 1) synaptic current time constant (ms).
    public var tauSynInh: Double { didSet { constants = Constants(tauM, tauSynExc, tauSynInh) } }
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
    /// What a spike does to V (`ResetMode`).
    public var reset: ResetMode

    /// Quantities derived from the time constants for the fast paths (LIFExp+Constants.swift).
    @usableFromInline var constants: Constants

    public init(
        tauM: Double = 10, tauSynExc: Double = 2, tauSynInh: Double = 2, vRest: Double = -70,
        vReset: Double = -70, vThreshold: Double = -55, tRef: Double = 2, bias: Double = 0,
        reset: ResetMode = .toValue
    ) {
        self.reset = reset
        constants = Constants(tauM, tauSynExc, tauSynInh)
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
        /// Excitatory synaptic current R·I_exc (mV).
        public var iExc: Double
        /// Inhibitory synaptic current R·I_inh (mV).
        public var iInh: Double
        /// Remaining refractory time (ms).
        public var refractory: Double

        @inlinable
        public init(v: Double, iExc: Double = 0, iInh: Double = 0, refractory: Double = 0) {
            self.v = v
            self.iExc = iExc
            self.iInh = iInh
            self.refractory = refractory
        }
    }

    @frozen
    public struct Propagator: Sendable {
        public var h: Double
        public var membrane: Double
        public var exc: Double
        public var inh: Double
        public var excToV: Double
        public var inhToV: Double

        @inlinable
        public init(h: Double, membrane: Double, exc: Double, inh: Double, excToV: Double, inhToV: Double) {
            self.h = h
            self.membrane = membrane
            self.exc = exc
            self.inh = inh
            self.excToV = excToV
            self.inhToV = inhToV
        }
    }

    public static let modelName = "lif_exp"
    public var receptorCount: Int { 2 }

    public func validate() throws {
        try VolleyError.require("tauM", tauM, "membrane time constant must be > 0 ms") { $0 > 0 }
        for (name, tau) in [("tauSynExc", tauSynExc), ("tauSynInh", tauSynInh)] {
            try VolleyError.require(name, tau, "synaptic time constant must be > 0 ms") { $0 > 0 }
            try VolleyError.require(
                name, tau,
                "within 1e-4·tauM of tauM (\(tauM) ms) but not equal: set it equal or move it away"
            ) { $0 == tauM || abs($0 - tauM) >= 1e-4 * tauM }
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

    /// Coefficient of a synaptic current in V after h ms: τₛ/(τₛ − τm)·(pₛ − pₘ), or (h/τm)·pₘ.
    @inlinable @inline(__always)
    func currentToVoltage(h: Double, tauSyn: Double, pm: Double, ps: Double) -> Double {
        tauSyn == tauM ? (h / tauM) * pm : tauSyn / (tauSyn - tauM) * (ps - pm)
    }

    @inlinable
    public func initialState(potential: Double?) -> State { State(v: potential ?? vRest) }

    @inlinable
    public func potential(of state: State, at time: Double) -> Double { state.v }

    @inlinable
    public func propagator(over h: Double) -> Propagator {
        let pm = exp(-h / tauM)
        let pe = exp(-h / tauSynExc)
        let pi = exp(-h / tauSynInh)
        return Propagator(
            h: h, membrane: pm, exc: pe, inh: pi,
            excToV: currentToVoltage(h: h, tauSyn: tauSynExc, pm: pm, ps: pe),
            inhToV: currentToVoltage(h: h, tauSyn: tauSynInh, pm: pm, ps: pi))
    }

    @inlinable
    public func advance(_ state: inout State, by h: Double, using p: Propagator) {
        if state.refractory > 0 {
            if state.refractory >= h - Refractory.epsilon {
                state.iExc *= p.exc
                state.iInh *= p.inh
                state.v = vReset
                state.refractory = Refractory.remaining(state.refractory, after: h)
                return
            }
            // Refractoriness ends inside the interval: currents decay over the clamped part,
            // then V relaxes freely for the remainder.
            let r = state.refractory
            leaveRefractoryPeriod(&state)
            free(&state, propagator(over: h - r))
            return
        }
        free(&state, p)
    }

    /// The state at the end of its refractory period: V clamped at vReset, the currents decayed
    /// over the remaining refractory time (no membrane propagator needed).
    @inlinable @inline(__always)
    func leaveRefractoryPeriod(_ state: inout State) {
        let r = state.refractory
        state.iExc *= exp(-r / tauSynExc)
        state.iInh *= exp(-r / tauSynInh)
        state.v = vReset
        state.refractory = 0
    }

    @inlinable @inline(__always)
    func free(_ state: inout State, _ p: Propagator) {
        let vInf = vRest + bias
        state.v = LIFExp.freeVoltage(
            state.v, state.iExc, state.iInh, vInf: vInf, membrane: p.membrane, excToV: p.excToV,
            inhToV: p.inhToV)
        state.iExc = state.iExc * p.exc
        state.iInh = state.iInh * p.inh
    }

    /// V after free evolution: V∞ + (V − V∞)·pₘ + I_exc·c_exc + I_inh·c_inh, for one neuron or a
    /// lane group (the single definition of the membrane propagator, used by both).
    @inlinable @inline(__always)
    static func freeVoltage<T: LaneArithmetic>(
        _ v: T, _ iExc: T, _ iInh: T, vInf: T, membrane: T, excToV: T, inhToV: T
    ) -> T {
        vInf + (v - vInf) * membrane + iExc * excToV + iInh * inhToV
    }

    @inlinable
    public func receive(_ state: inout State, weight: Double, receptor: Int, at time: Double) {
        if receptor == Receptor.excitatory {
            state.iExc += weight
        } else {
            state.iInh += weight
        }
    }

    /// V just after a spike from V at the spike (`reset`).
    @inlinable @inline(__always)
    func afterSpike(_ v: Double) -> Double {
        reset == .toValue ? vReset : v - (vThreshold - vReset)
    }

    @inlinable
    public func isAboveThreshold(_ state: State, at time: Double) -> Bool {
        state.refractory <= 0 && state.v >= vThreshold
    }

    @inlinable
    public func fire(_ state: inout State, at time: Double) {
        state.v = afterSpike(state.v)
        state.refractory = tRef
    }
}
