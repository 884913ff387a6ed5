import Foundation

/// Adaptive exponential integrate-and-fire neuron with exponentially decaying synaptic
/// conductances (AdEx: Brette & Gerstner, J. Neurophysiol. 94:3637, 2005; NEST `aeif_cond_exp`,
/// same parameter names and units: pF, nS, mV, ms, pA).
///
///     C_m·dV/dt = −g_L·(V − E_L) + g_L·Δ_T·exp((V − V_T)/Δ_T) − g_ex·(V − E_ex) − g_in·(V − E_in) − w + I_e
///     τ_w·dw/dt = a·(V − E_L) − w
///     τ_syn_ex·dg_ex/dt = −g_ex,   τ_syn_in·dg_in/dt = −g_in
///     input of weight J ≥ 0 (nS) on receptor 0 / 1:   g_ex ← g_ex + J  /  g_in ← g_in + J
///     V ≥ V_peak  ⇒  spike;  V ← V_reset (held for t_ref ms, while w and the conductances evolve);  w ← w + b
///
/// As NEST does, the exponential term is evaluated at min(V, V_peak). Integrated numerically
/// (`IntegratedModel`): y = (V, w, g_ex, g_in). Weights are conductances (`NonNegativeWeights`).
/// The current-based variant is `AdEx`.
public struct AdExCondExp: IntegratedModel, ExactlyPredictable, NonNegativeWeights {
    /// Membrane capacitance C_m (pF).
    public var cM: Double
    /// Leak conductance g_L (nS).
    public var gL: Double
    /// Leak reversal potential E_L (mV).
    public var eL: Double
    /// Spike-initiation threshold V_T (NEST's V_th, mV).
    public var vT: Double
    /// Slope factor Δ_T (mV).
    public var deltaT: Double
    /// Subthreshold adaptation a (nS).
    public var a: Double
    /// Spike-triggered adaptation b (pA).
    public var b: Double
    /// Adaptation time constant τ_w (ms).
    public var tauW: Double
    /// Reset potential V_reset (mV).
    public var vReset: Double
    /// Spike detection level V_peak (mV).
    public var vPeak: Double
    /// Refractory period t_ref (ms).
    public var tRef: Double
    /// Excitatory / inhibitory reversal potentials E_ex, E_in (mV).
    public var eEx: Double
    public var eIn: Double
    /// Excitatory / inhibitory conductance time constants (ms).
    public var tauSynExc: Double
    public var tauSynInh: Double
    /// Constant input current I_e (pA).
    public var iE: Double
    public var integration: ODEIntegration

    /// NEST's `aeif_cond_exp` defaults.
    public init(
        cM: Double = 281, gL: Double = 30, eL: Double = -70.6, vT: Double = -50.4, deltaT: Double = 2,
        a: Double = 4, b: Double = 80.5, tauW: Double = 144, vReset: Double = -60, vPeak: Double = 0,
        tRef: Double = 0, eEx: Double = 0, eIn: Double = -85, tauSynExc: Double = 0.2, tauSynInh: Double = 2, iE: Double = 0,
        integration: ODEIntegration = .adaptive(AdEx.defaultTolerance)
    ) {
        self.cM = cM
        self.gL = gL
        self.eL = eL
        self.vT = vT
        self.deltaT = deltaT
        self.a = a
        self.b = b
        self.tauW = tauW
        self.vReset = vReset
        self.vPeak = vPeak
        self.tRef = tRef
        self.eEx = eEx
        self.eIn = eIn
        self.tauSynExc = tauSynExc
        self.tauSynInh = tauSynInh
        self.iE = iE
        self.integration = integration
    }

    public static let modelName = "adex_cond_exp"
    public var receptorCount: Int { 2 }
    public var spikeLevel: Double { vPeak }
    public var refractoryPeriod: Double { tRef }

    /// The same membrane and adaptation with current synapses: its parameter checks are shared.
    var currentBased: AdEx {
        AdEx(cM: cM, gL: gL, eL: eL, vT: vT, deltaT: deltaT, a: a, b: b, tauW: tauW, vReset: vReset, vPeak: vPeak,
             tRef: tRef, tauSynExc: tauSynExc, tauSynInh: tauSynInh, iE: iE, integration: integration)
    }

    public func validate() throws {
        try currentBased.validate()
        for (name, value) in [("eEx", eEx), ("eIn", eIn)] {
            try VolleyError.require(name, value, "must be finite") { _ in true }
        }
    }

    @inlinable
    public func initialState(potential: Double?) -> State { State(y: ODEState(potential ?? eL, 0, 0, 0)) }

    @inlinable
    public func derivative(_ y: ODEState, clamped: Bool) -> ODEState {
        let v = clamped ? vReset : y[0], w = y[1], gEx = y[2], gIn = y[3]
        let dv = clamped ? 0
            : (-gL * (v - eL) + gL * deltaT * exp((Swift.min(v, vPeak) - vT) / deltaT) - gEx * (v - eEx) - gIn * (v - eIn) - w + iE) / cM
        return ODEState(dv, (a * (v - eL) - w) / tauW, -gEx / tauSynExc, -gIn / tauSynInh)
    }

    @inlinable
    public func deliver(_ state: inout State, weight: Double, receptor: Int) {
        state.y[receptor == Receptor.excitatory ? 2 : 3] += weight
    }

    @inlinable
    public func reset(_ state: inout State) {
        state.y[0] = vReset
        state.y[1] += b
        state.refractory = tRef
    }
}
