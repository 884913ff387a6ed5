import Foundation

/// Adaptive exponential integrate-and-fire neuron with exponential current synapses (AdEx: Brette
/// & Gerstner, J. Neurophysiol. 94:3637, 2005; NEST `aeif_psc_exp`, same parameter names and
/// units: pF, nS, mV, ms, pA).
///
///     C_m·dV/dt = −g_L·(V − E_L) + g_L·Δ_T·exp((V − V_T)/Δ_T) − w + I_ex + I_in + I_e
///     τ_w·dw/dt = a·(V − E_L) − w
///     τ_syn_ex·dI_ex/dt = −I_ex,   τ_syn_in·dI_in/dt = −I_in
///     input of weight J (pA) on receptor 0 / 1:   I_ex ← I_ex + J  /  I_in ← I_in + J
///     V ≥ V_peak  ⇒  spike;  V ← V_reset (held for t_ref ms, while w and the currents evolve);  w ← w + b
///
/// As NEST does, the exponential term is evaluated at min(V, V_peak), so the vector field stays
/// finite. Integrated numerically (`IntegratedModel`): y = (V, w, I_ex, I_in).
public struct AdEx: IntegratedModel, ExactlyPredictable {
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
    /// Excitatory / inhibitory synaptic current time constants (ms).
    public var tauSynExc: Double
    public var tauSynInh: Double
    /// Constant input current I_e (pA).
    public var iE: Double
    public var integration: ODEIntegration

    /// NEST's `aeif_psc_exp` defaults (Brette & Gerstner 2005's cortical pyramidal cell).
    public init(
        cM: Double = 281, gL: Double = 30, eL: Double = -70.6, vT: Double = -50.4, deltaT: Double = 2,
        a: Double = 4, b: Double = 80.5, tauW: Double = 144, vReset: Double = -60, vPeak: Double = 0,
        tRef: Double = 0, tauSynExc: Double = 0.2, tauSynInh: Double = 2, iE: Double = 0,
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
        self.tauSynExc = tauSynExc
        self.tauSynInh = tauSynInh
        self.iE = iE
        self.integration = integration
    }

    /// Default tolerances: 1e-11 relative; absolute 1e-11 mV for V and 1e-11 pA for w and the
    /// currents.
    public static let defaultTolerance = ODETolerance(absolute: ODEState(repeating: 1e-11), relative: 1e-11)

    public static let modelName = "adex"
    public var receptorCount: Int { 2 }
    public var spikeLevel: Double { vPeak }
    public var refractoryPeriod: Double { tRef }

    public func validate() throws {
        try VolleyError.require("cM", cM, "membrane capacitance must be > 0 pF") { $0 > 0 }
        try VolleyError.require("gL", gL, "leak conductance must be > 0 nS") { $0 > 0 }
        try VolleyError.require("deltaT", deltaT, "slope factor must be > 0 mV") { $0 > 0 }
        try VolleyError.require("tauW", tauW, "adaptation time constant must be > 0 ms") { $0 > 0 }
        try VolleyError.require("tauSynExc", tauSynExc, "synaptic time constant must be > 0 ms") { $0 > 0 }
        try VolleyError.require("tauSynInh", tauSynInh, "synaptic time constant must be > 0 ms") { $0 > 0 }
        try VolleyError.require("tRef", tRef, "refractory period must be ≥ 0 ms") { $0 >= 0 }
        for (name, value) in [("eL", eL), ("vT", vT), ("a", a), ("b", b), ("iE", iE)] {
            try VolleyError.require(name, value, "must be finite") { _ in true }
        }
        try VolleyError.require("vPeak", vPeak, "must be above vT (\(vT) mV)") { $0 > vT }
        try VolleyError.require("vReset", vReset, "must be below vPeak (\(vPeak) mV)") { $0 < vPeak }
        // Below vPeak the exponential term is g_L·Δ_T·e^((V − V_T)/Δ_T): past an exponent of 700
        // it overflows a Double (e^709.8) and V diverges numerically before it reaches vPeak.
        try VolleyError.require(
            "vPeak", vPeak, "(vPeak − vT)/deltaT = \((vPeak - vT) / deltaT) must be ≤ 700: e^((V − vT)/deltaT) overflows before V reaches vPeak (lower vPeak or raise deltaT)"
        ) { ($0 - vT) / deltaT <= 700 }
        if case .adaptive(let tolerance) = integration { try tolerance.validate() }
    }

    @inlinable
    public func initialState(potential: Double?) -> State { State(y: ODEState(potential ?? eL, 0, 0, 0)) }

    @inlinable
    public func derivative(_ y: ODEState, clamped: Bool) -> ODEState {
        let v = clamped ? vReset : y[0], w = y[1], iExc = y[2], iInh = y[3]
        let dv = clamped ? 0 : (-gL * (v - eL) + gL * deltaT * exp((Swift.min(v, vPeak) - vT) / deltaT) - w + iExc + iInh + iE) / cM
        return ODEState(dv, (a * (v - eL) - w) / tauW, -iExc / tauSynExc, -iInh / tauSynInh)
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
