import Foundation

/// Leaky integrate-and-fire neuron with exponentially decaying synaptic conductances (NEST
/// `iaf_cond_exp`, same parameter names and units: pF, nS, mV, ms, pA; the neuron of the COBA
/// benchmark, Brette et al. 2007).
///
///     C_m·dV/dt = −g_L·(V − E_L) − g_ex·(V − E_ex) − g_in·(V − E_in) + I_e
///     τ_syn_ex·dg_ex/dt = −g_ex,   τ_syn_in·dg_in/dt = −g_in
///     input of weight w ≥ 0 (nS) on receptor 0 / 1:   g_ex ← g_ex + w  /  g_in ← g_in + w
///     τ_θ·dθ/dt = −θ                                      (adaptive threshold; θ ≡ 0 by default)
///     V ≥ V_th + θ  ⇒  spike;  V ← V_reset, held for t_ref ms (the conductances evolve);  θ ← θ + θ_plus
///
/// The membrane equation has time-varying coefficients and no closed-form threshold crossing, so
/// both engines integrate it (`IntegratedModel`): y = (V, g_ex, g_in, θ). Weights are conductances
/// (`NonNegativeWeights`). The threshold adaptation is Diehl & Cook's (2015; NEST's
/// `iaf_cond_exp` has none): with C_m = τm, g_L = 1 their dimensionless neuron, `ConductanceLIF`,
/// is this model (`ConductanceLIF.integrated`), which is how it runs event-driven.
public struct LIFCondExp: IntegratedModel, ExactlyPredictable, NonNegativeWeights {
    /// Membrane capacitance C_m (pF).
    public var cM: Double
    /// Leak conductance g_L (nS).
    public var gL: Double
    /// Leak reversal potential E_L (mV).
    public var eL: Double
    /// Threshold V_th (mV).
    public var vTh: Double
    /// Reset potential V_reset (mV).
    public var vReset: Double
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
    /// Threshold increment per spike θ_plus (mV; Diehl & Cook), 0 for none.
    public var thetaPlus: Double
    /// Decay time constant of θ (ms; `.infinity` holds θ fixed).
    public var tauTheta: Double
    public var integration: ODEIntegration

    /// NEST's `iaf_cond_exp` defaults.
    public init(
        cM: Double = 250, gL: Double = 16.6667, eL: Double = -70, vTh: Double = -55, vReset: Double = -60,
        tRef: Double = 2, eEx: Double = 0, eIn: Double = -85, tauSynExc: Double = 0.2, tauSynInh: Double = 2,
        iE: Double = 0, thetaPlus: Double = 0, tauTheta: Double = .infinity,
        integration: ODEIntegration = .adaptive(LIFCondExp.defaultTolerance)
    ) {
        self.cM = cM
        self.gL = gL
        self.eL = eL
        self.vTh = vTh
        self.vReset = vReset
        self.tRef = tRef
        self.eEx = eEx
        self.eIn = eIn
        self.tauSynExc = tauSynExc
        self.tauSynInh = tauSynInh
        self.iE = iE
        self.thetaPlus = thetaPlus
        self.tauTheta = tauTheta
        self.integration = integration
    }

    /// Default tolerances: 1e-11 relative and absolute (mV, nS, mV).
    public static let defaultTolerance = ODETolerance(absolute: ODEState(repeating: 1e-11), relative: 1e-11)

    public static let modelName = "lif_cond_exp"
    public var receptorCount: Int { 2 }
    public var spikeLevel: Double { vTh }
    @inlinable
    public func spikeMargin(_ y: ODEState) -> Double { y[0] - (vTh + y[3]) }
    public var refractoryPeriod: Double { tRef }

    public func validate() throws {
        try VolleyError.require("cM", cM, "membrane capacitance must be > 0 pF") { $0 > 0 }
        try VolleyError.require("gL", gL, "leak conductance must be > 0 nS") { $0 > 0 }
        try VolleyError.require("tauSynExc", tauSynExc, "synaptic time constant must be > 0 ms") { $0 > 0 }
        try VolleyError.require("tauSynInh", tauSynInh, "synaptic time constant must be > 0 ms") { $0 > 0 }
        try VolleyError.require("tRef", tRef, "refractory period must be ≥ 0 ms") { $0 >= 0 }
        for (name, value) in [("eL", eL), ("eEx", eEx), ("eIn", eIn), ("iE", iE)] {
            try VolleyError.require(name, value, "must be finite") { _ in true }
        }
        try VolleyError.require("vTh", vTh, "must be finite") { _ in true }
        try VolleyError.require("thetaPlus", thetaPlus, "threshold increment must be ≥ 0 mV") { $0 >= 0 }
        guard tauTheta > 0 && !tauTheta.isNaN else {
            throw VolleyError.invalidParameter(
                name: "tauTheta", value: "\(tauTheta)", reason: "must be > 0 ms (or infinity: θ fixed)")
        }
        // A reset at or above the threshold fires again as soon as the neuron may: allowed only
        // with a refractory period (Diehl & Cook reset above their baseline −72 mV + θ).
        try VolleyError.require("vReset", vReset, "must be below vTh (\(vTh) mV) unless tRef > 0") {
            $0 < vTh || tRef > 0
        }
        if case .adaptive(let tolerance) = integration { try tolerance.validate() }
    }

    @inlinable
    public func initialState(potential: Double?) -> State { State(y: ODEState(potential ?? eL, 0, 0, 0)) }

    @inlinable
    public func derivative(_ y: ODEState, clamped: Bool) -> ODEState {
        let v = y[0], gEx = y[1], gIn = y[2]
        let dv = clamped ? 0 : (-gL * (v - eL) - gEx * (v - eEx) - gIn * (v - eIn) + iE) / cM
        return ODEState(dv, -gEx / tauSynExc, -gIn / tauSynInh, -y[3] / tauTheta)
    }

    @inlinable
    public func deliver(_ state: inout State, weight: Double, receptor: Int) {
        state.y[receptor == Receptor.excitatory ? 1 : 2] += weight
    }

    @inlinable
    public func reset(_ state: inout State) {
        state.y[0] = vReset
        state.y[3] += thetaPlus
        state.refractory = tRef
    }
}
