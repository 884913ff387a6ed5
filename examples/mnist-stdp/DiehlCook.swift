import Volley

/// Parameters of Diehl & Cook (2015) and their published Brian code, translated from conductance-
/// to current-based synapses (Volley's `LIFExp`: τm·dV/dt = −(V − E_L) + I, weights in mV of R·I).
/// A conductance jump g on a synapse with reversal E and time constant τ_g moves V by
/// ≈ g·τ_g·(E − V)/τm; the current-based weight w with the same τ moves it by w·τ/τm, so
/// w = g·(E − V) at the neuron's typical potential (V ≈ −60 mV excitatory, −50 mV inhibitory).
enum DC {
    // Input (their code: rate = pixel/8·intensity Hz, intensity 2 ⇒ max 63.75 Hz).
    static let maxRate = 63.75  // Hz at intensity 1.0 and pixel 255
    static let presentation = 350.0  // ms
    static let rest = 150.0  // ms
    static let minimumSpikes = 5  // fewer excitatory spikes ⇒ boost the input and show again
    static let boost = 0.5  // +32 Hz max rate per repeat (their intensity += 1 of 2)
    static let maxBoosts = 12

    // Excitatory neurons: v_rest −65, v_reset −65, v_thresh −52 mV (θ₀ = 20 − offset 20), τ 100 ms,
    // refractory 5 ms, θ_plus 0.05 mV, τ_θ 1e7 ms; synapses τ_ge 1 ms, τ_gi 2 ms.
    static let excitatory = AdaptiveLIF(
        membrane: LIFExp(tauM: 100, tauSynExc: 1, tauSynInh: 2, vRest: -65, vReset: -65, vThreshold: -52, tRef: 5),
        beta: thetaPlus, tauAdapt: 1e7)
    /// θ_plus, mV added to the threshold per spike (their code's theta_plus_e; `--theta-plus`).
    static let thetaPlus = 0.05
    /// The default θ_plus for N excitatory neurons: 0.025 mV up to N = 100, chosen on training
    /// images at N = 100 (docs/stdp-mnist.md, "θ_plus at N = 100"); their code's 0.05 mV above,
    /// which matches the paper at N = 400 (sizes between 100 and 400 were not validated).
    static func defaultThetaPlus(neurons: Int) -> Double { neurons <= 100 ? 0.025 : thetaPlus }
    // Inhibitory neurons: v_rest −60, v_reset −45, v_thresh −40 mV, τ 10 ms, refractory 2 ms.
    static let inhibitory = LIFExp(tauM: 10, tauSynExc: 1, tauSynInh: 2, vRest: -60, vReset: -45, vThreshold: -40, tRef: 2)

    // Input→excitatory: g uniform in [0, 0.3], wmax 1, column sums normalised to 78 (their code);
    // E_exc = 0 mV at V ≈ −60 mV ⇒ ×60.
    static let gain = 60.0
    static let normalisation = 78.0 * gain
    static let inputDelay = 1.0  // ms (their code: random 0–10 ms; one group per source here)
    /// `--input-delays random`: their code's per-synapse input delays, uniform 0–10 ms, which Brian
    /// places on its 0.5 ms grid. Drawn here uniformly from the grid values 0.5, 1, …, 10 ms
    /// (Volley's delays are > 0), so each input's synapses fall into 20 delay groups.
    static let randomInputDelaySteps = 20
    static let randomInputDelayStep = 0.5  // ms
    // Excitatory→inhibitory one-to-one g = 10.4 (E 0 at V ≈ −50 ⇒ ×50); inhibitory→other
    // excitatory g = 17. The driving-force translation (E_inh −100 mV at V ≈ −60) gives ×40, but
    // a conductance also shunts the excitatory drive, which a current cannot; ×160 was chosen on
    // training images only (label-assignment accuracy on training images 55 000–59 999 after
    // 20 000 training images, seed 1: ×40 74.4 %, ×80 79.1 %, ×160 82.7 %, ×240 78.1 %).
    static let excToInh = 10.4 * 50
    static let inhToExc = -17.0 * 160
    static let lateralDelay = 0.5  // ms (theirs 0; Volley's delays are > 0)

    // `--synapses conductance`: their Brian code literally (`ConductanceLIF`, conductances in units
    // of the leak conductance, time-stepped engine only). Excitatory: E_exc 0 mV, E_inh −100 mV;
    // threshold v_thresh − offset + θ = −72 mV + θ with θ starting at 20 mV and decaying with
    // τ_θ = 1e7 ms like every later increment (their `theta = 20 mV` at the start of training).
    // Inhibitory: E_exc 0 mV, E_inh −85 mV. Initial potentials v_rest − 40 mV (their code).
    static let conductanceExcitatory = ConductanceLIF(
        tauM: 100, vRest: -65, vReset: -65, vThreshold: -72, tRef: 5, eExc: 0, eInh: -100,
        tauSynExc: 1, tauSynInh: 2, thetaPlus: thetaPlus, tauTheta: 1e7)
    static let conductanceInhibitory = ConductanceLIF(
        tauM: 10, vRest: -60, vReset: -45, vThreshold: -40, tRef: 2, eExc: 0, eInh: -85,
        tauSynExc: 1, tauSynInh: 2, thetaPlus: 0, tauTheta: .infinity)
    static let initialTheta = 20.0  // mV
    static let initialDepolarisation = -40.0  // mV relative to v_rest
    static let conductanceExcToInh = 10.4
    static let conductanceInhToExc = 17.0

    // Learning rule (paper eq. 4 with their code's presynaptic term): τ_pre 20 ms, τ_post 20 ms,
    // ν_post 0.01, ν_pre 0.0001 (in g units, ×gain here since μ = 0 ⇒ no weight dependence).
    // `--rule code` adds their code's triplet gate (post2before, τ_post2 40 ms); `--rule eq4` is
    // the paper's eq. 4 without it.
    static func rule(xTar: Double, triplet: Bool, gain: Double) -> DiehlCookRule {
        DiehlCookRule(
            tauPre: 20, tauPost: 20, etaPost: 0.01 * gain, etaPre: 0.0001 * gain, xTar: xTar, mu: 0, wMax: 1 * gain,
            tauPost2: triplet ? 40 : nil)
    }
}
