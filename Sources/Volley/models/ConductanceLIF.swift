import Foundation

/// Leaky integrate-and-fire neuron with exponentially decaying synaptic *conductances* and an
/// adaptive threshold — the excitatory and inhibitory neurons of Diehl & Cook (2015) (their Brian
/// code: conductances in units of the leak conductance, so weights are dimensionless).
///
///     τm·dV/dt = (vRest − V) + g_exc·(eExc − V) + g_inh·(eInh − V)   (V clamped to vReset while refractory)
///     τ_exc·dg_exc/dt = −g_exc,   τ_inh·dg_inh/dt = −g_inh          (conductances decay also when refractory)
///     τ_θ·dθ/dt = −θ
///     input of weight w ≥ 0 on receptor 0 / 1:   g_exc ← g_exc + w  /  g_inh ← g_inh + w
///     V ≥ vThreshold + θ  ⇒  spike;  V ← vReset for tRef ms;  θ ← θ + thetaPlus
///
/// With conductances the membrane equation has a time-varying coefficient, and V(t) between inputs
/// has no closed form (it involves incomplete gamma functions). This type is the time-stepped
/// engine's fast second-order scheme below; for the event-driven engine the same equations are
/// integrated to a stated tolerance by `integrated(…)`, a `LIFCondExp` with C_m = τm, g_L = 1
/// (conductances in units of g_L) and this threshold adaptation. Its weights are conductances
/// (`NonNegativeWeights`).
///
/// Scheme over a step h ("exponential integrator with step-mean conductances"): the conductances
/// are propagated exactly, gₖ ← gₖ·e^(−h/τₖ); for V each conductance is replaced by its exact mean
/// over the step, ḡₖ = gₖ·τₖ·(1 − e^(−h/τₖ))/h, and the resulting constant-coefficient equation
/// is solved exactly:
///     Λ = 1 + ḡ_exc + ḡ_inh,   V∞ = (vRest + ḡ_exc·eExc + ḡ_inh·eInh)/Λ,   V ← V∞ + (V − V∞)·e^(−Λ·h/τm)
/// The decay of V is exact (exp of the exact integral of the total conductance); the driven part
/// has local error O(h³), so spike times and V converge as O(h²) (tested against a fine-step
/// reference). V always stays within [min(eInh, vRest, V), max(eExc, vRest, V)] — the reversal
/// potentials bound it whatever the conductance, which forward Euler does not guarantee.
public struct ConductanceLIF: NeuronModel, InputSumming, NonNegativeWeights {
    /// Membrane time constant τm (ms).
    public var tauM: Double
    /// Resting potential (mV).
    public var vRest: Double
    /// Reset potential (mV).
    public var vReset: Double
    /// Baseline threshold (mV); the threshold is vThreshold + θ.
    public var vThreshold: Double
    /// Absolute refractory period (ms).
    public var tRef: Double
    /// Reversal potential of the excitatory conductance (mV).
    public var eExc: Double
    /// Reversal potential of the inhibitory conductance (mV).
    public var eInh: Double
    /// Excitatory conductance time constant (ms).
    public var tauSynExc: Double
    /// Inhibitory conductance time constant (ms).
    public var tauSynInh: Double
    /// Threshold increment per spike (mV; Diehl & Cook's θ_plus).
    public var thetaPlus: Double
    /// Threshold decay time constant (ms; `.infinity` holds θ fixed).
    public var tauTheta: Double

    public init(
        tauM: Double = 100, vRest: Double = -65, vReset: Double = -65, vThreshold: Double = -52,
        tRef: Double = 5, eExc: Double = 0, eInh: Double = -100, tauSynExc: Double = 1,
        tauSynInh: Double = 2, thetaPlus: Double = 0, tauTheta: Double = .infinity
    ) {
        self.tauM = tauM
        self.vRest = vRest
        self.vReset = vReset
        self.vThreshold = vThreshold
        self.tRef = tRef
        self.eExc = eExc
        self.eInh = eInh
        self.tauSynExc = tauSynExc
        self.tauSynInh = tauSynInh
        self.thetaPlus = thetaPlus
        self.tauTheta = tauTheta
    }

    @frozen
    public struct State: Sendable, Equatable {
        /// Membrane potential (mV).
        public var v: Double
        /// Excitatory conductance (in units of the leak conductance).
        public var gExc: Double
        /// Inhibitory conductance (in units of the leak conductance).
        public var gInh: Double
        /// Remaining refractory time (ms).
        public var refractory: Double
        /// Threshold adaptation θ (mV).
        public var theta: Double

        @inlinable
        public init(v: Double, gExc: Double = 0, gInh: Double = 0, refractory: Double = 0, theta: Double = 0) {
            self.v = v
            self.gExc = gExc
            self.gInh = gInh
            self.refractory = refractory
            self.theta = theta
        }
    }

    @frozen
    public struct Propagator: Sendable {
        public var h: Double
        /// e^(−h/τ_exc), e^(−h/τ_inh), e^(−h/τ_θ).
        public var exc: Double
        public var inh: Double
        public var theta: Double
        /// τₖ·(1 − e^(−h/τₖ))/h: the step mean of a conductance per unit of its start value.
        public var excMean: Double
        public var inhMean: Double
        /// e^(−h/τm), the membrane's decay over the step without conductances.
        public var leak: Double

        @inlinable
        public init(h: Double, exc: Double, inh: Double, theta: Double, excMean: Double, inhMean: Double, leak: Double) {
            self.h = h
            self.leak = leak
            self.exc = exc
            self.inh = inh
            self.theta = theta
            self.excMean = excMean
            self.inhMean = inhMean
        }
    }

    public static let modelName = "conductance_lif"
    public var receptorCount: Int { 2 }

    public func validate() throws {
        for (name, tau) in [("tauM", tauM), ("tauSynExc", tauSynExc), ("tauSynInh", tauSynInh)] {
            try VolleyError.require(name, tau, "time constant must be > 0 ms") { $0 > 0 }
        }
        guard tauTheta > 0 && !tauTheta.isNaN else {
            throw VolleyError.invalidParameter(
                name: "tauTheta", value: "\(tauTheta)", reason: "must be > 0 ms (or infinity: θ fixed)")
        }
        try VolleyError.require("tRef", tRef, "refractory period must be ≥ 0 ms") { $0 >= 0 }
        try VolleyError.require("thetaPlus", thetaPlus, "threshold increment must be ≥ 0 mV") { $0 >= 0 }
        try VolleyError.require("vRest", vRest, "must be finite") { _ in true }
        try VolleyError.require("vThreshold", vThreshold, "must be finite") { _ in true }
        try VolleyError.require("eExc", eExc, "excitatory reversal must be above vThreshold (\(vThreshold) mV)") {
            $0 > vThreshold
        }
        try VolleyError.require("eInh", eInh, "inhibitory reversal must be below vThreshold (\(vThreshold) mV)") {
            $0 < vThreshold
        }
        // vReset may lie above the baseline vThreshold (Diehl & Cook: reset −65 mV, baseline
        // −72 mV + θ with θ₀ = 20 mV); it must lie strictly between the reversal potentials.
        try VolleyError.require("vReset", vReset, "must lie between eInh (\(eInh) mV) and eExc (\(eExc) mV)") {
            $0 > eInh && $0 < eExc
        }
    }

    @inlinable
    public func initialState(potential: Double?) -> State { State(v: potential ?? vRest) }

    /// The same equations as an `IntegratedModel` (`LIFCondExp` with C_m = τm ms, g_L = 1, the
    /// same reversal potentials, time constants and θ adaptation), for the event-driven engine or
    /// the time-stepped engine's `ODEIntegration` schemes.
    public func integrated(
        integration: ODEIntegration = .adaptive(LIFCondExp.defaultTolerance)
    ) -> LIFCondExp {
        LIFCondExp(
            cM: tauM, gL: 1, eL: vRest, vTh: vThreshold, vReset: vReset, tRef: tRef, eEx: eExc, eIn: eInh,
            tauSynExc: tauSynExc, tauSynInh: tauSynInh, iE: 0, thetaPlus: thetaPlus, tauTheta: tauTheta,
            integration: integration)
    }

    /// `state` as the corresponding state of `integrated(…)`: y = (V, g_exc, g_inh, θ).
    public static func integratedState(_ state: State) -> IntegratedState {
        IntegratedState(y: ODEState(state.v, state.gExc, state.gInh, state.theta), refractory: state.refractory)
    }

    @inlinable
    public func potential(of state: State, at time: Double) -> Double { state.v }

    /// The current threshold vThreshold + θ (mV).
    @inlinable
    public func threshold(of state: State) -> Double { vThreshold + state.theta }

    /// τ·(1 − e^(−h/τ))/h, the mean of e^(−s/τ) over [0, h].
    @inlinable
    static func stepMean(h: Double, tau: Double) -> Double {
        // −expm1(−h/τ) keeps full precision when h ≪ τ.
        tau * -expm1(-h / tau) / h
    }

    @inlinable
    public func propagator(over h: Double) -> Propagator {
        let pe = exp(-h / tauSynExc)
        let pi = exp(-h / tauSynInh)
        return Propagator(
            h: h, exc: pe, inh: pi, theta: exp(-h / tauTheta),
            excMean: Self.stepMean(h: h, tau: tauSynExc),
            inhMean: Self.stepMean(h: h, tau: tauSynInh), leak: exp(-h / tauM))
    }

    /// Always inlined into the population loops (`step`): the state (five `Double`s) is passed
    /// in memory, and a call per neuron stalled on reloading what the loop had just stored.
    @inlinable @inline(__always)
    public func advance(_ state: inout State, by h: Double, using p: Propagator) {
        state.theta *= p.theta
        if state.refractory > 0 {
            if state.refractory >= h - Refractory.epsilon {
                state.gExc *= p.exc
                state.gInh *= p.inh
                state.v = vReset
                state.refractory = Refractory.remaining(state.refractory, after: h)
                return
            }
            // Refractoriness ends inside the step: the conductances decay over the clamped part,
            // then V evolves for the remainder (θ has already been advanced over the whole step).
            let r = state.refractory
            state.gExc *= exp(-r / tauSynExc)
            state.gInh *= exp(-r / tauSynInh)
            state.v = vReset
            state.refractory = 0
            var rest = propagator(over: h - r)
            rest.theta = 1
            free(&state, rest)
            return
        }
        free(&state, p)
    }

    /// The scheme of the type's documentation, for a non-refractory neuron (θ excluded).
    @inlinable @inline(__always)
    func free(_ state: inout State, _ p: Propagator) {
        let gE = state.gExc * p.excMean
        let gI = state.gInh * p.inhMean
        let total = 1 + gE + gI
        let vInf = (vRest + gE * eExc + gI * eInh) / total
        // e^(−(1 + ḡ)h/τm) = e^(−h/τm)·e^(−a) with a = ḡh/τm; for a < 1e-8, e^(−a) = 1 − a within
        // a²/2 < 5e-17 (below double rounding), so the `exp` is skipped. Quiet neurons and the
        // rest between stimuli take this branch.
        let a = (gE + gI) * (p.h / tauM)
        let decay = a < 1e-8 ? p.leak * (1 - a) : exp(-total * p.h / tauM)
        state.v = vInf + (state.v - vInf) * decay
        state.gExc *= p.exc
        state.gInh *= p.inh
    }

    @inlinable
    public func receive(_ state: inout State, weight: Double, receptor: Int, at time: Double) {
        if receptor == Receptor.excitatory {
            state.gExc += weight
        } else {
            state.gInh += weight
        }
    }

    @inlinable
    public func isAboveThreshold(_ state: State, at time: Double) -> Bool {
        state.refractory <= 0 && state.v >= threshold(of: state)
    }

    @inlinable
    public func fire(_ state: inout State, at time: Double) {
        state.v = vReset
        state.refractory = tRef
        state.theta += thetaPlus
    }
}
