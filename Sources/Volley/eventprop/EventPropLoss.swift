import Foundation

/// What EventProp minimises for one sample with class `label`, from the readout (the last layer).
///
/// * `.maxPotential`: cross-entropy of softmax(zₖ), zₖ = maxₜ (Vₖ(t) − vRest) over the trial of a
///   non-spiking readout (Nowotny et al. 2024's loss shaping; its gradient enters the adjoint as a
///   jump of λ_V at the time of the maximum).
/// * `.meanPotential`: cross-entropy of softmax(zₖ), zₖ = (1/T)∫₀ᵀ (Vₖ − vRest) dt (a constant
///   source ∂L/∂zₖ/T in λ_V).
/// * `.firstSpike(tau0:tau1:alpha:missing:)`: time-to-first-spike cross-entropy of a spiking readout
///   (Göltz et al. 2021; Wunderlich & Pehle 2021): −log softmax(−tₖ/τ₀)[label] +
///   α·(e^(t_label/τ₁) − 1), tₖ the first spike of readout neuron k (T when it is silent, which
///   then passes no gradient); it enters the adjoint at those spikes as ∂L/∂tₖ. With `missing`
///   β > 0, a sample whose label neuron stays silent adds β·(θ − maxₜ V_label(t)) (mV counted like
///   ms, as `EventPropRegulariser` counts a silent neuron), whose exact gradient raises the label
///   neuron's highest potential towards threshold: without it, a label neuron that falls silent
///   on a sample gets no gradient from that sample.
/// * `.spikeCount`: cross-entropy of softmax(zₖ) with zₖ = Σₛ (1 − tₖₛ/T) the **time-weighted spike
///   count** of spiking readout neuron k over the trial [0, T]: each spike counts 1 at t = 0 and
///   nothing at the trial's end. The plain count is piecewise constant (its exact gradient is zero
///   almost everywhere); zₖ equals it up to the spikes' lateness, is continuous where a spike
///   enters or leaves the trial through T, and passes ∂L/∂tₖₛ = −(∂L/∂zₖ)/T to every spike.
public enum EventPropLoss: Sendable, Equatable {
    case maxPotential
    case meanPotential
    case firstSpike(tau0: Double, tau1: Double, alpha: Double, missing: Double = 0)
    case spikeCount

    public func validate() throws {
        if case let .firstSpike(tau0, tau1, alpha, missing) = self {
            try VolleyError.require("tau0", tau0, "must be > 0 ms") { $0 > 0 }
            try VolleyError.require("tau1", tau1, "must be > 0 ms") { $0 > 0 }
            try VolleyError.require("alpha", alpha, "must be ≥ 0") { $0 >= 0 }
            try VolleyError.require("missing", missing, "must be ≥ 0") { $0 >= 0 }
        }
    }

    /// Whether the readout spikes under this loss.
    public var readoutSpikes: Bool {
        switch self {
        case .firstSpike, .spikeCount: return true
        case .maxPotential, .meanPotential: return false
        }
    }

    /// The loss of logits z (for `.firstSpike`, z = first spike times) and ∂L/∂z.
    func evaluate(_ z: [Double], label: Int) -> (loss: Double, gradient: [Double]) {
        switch self {
        case .maxPotential, .meanPotential, .spikeCount:
            var g = [Double](repeating: 0, count: z.count)
            let logP = RecurrentLoss.crossEntropy(z, label: label, total: 1, gradient: &g)
            return (-logP, g)
        case let .firstSpike(tau0, tau1, alpha, _):
            let scores = z.map { -$0 / tau0 }
            var g = [Double](repeating: 0, count: z.count)
            let logP = RecurrentLoss.crossEntropy(scores, label: label, total: 1, gradient: &g)
            let penalty = alpha * expm1(z[label] / tau1)
            var dz = g.map { -$0 / tau0 }
            dz[label] += alpha * exp(z[label] / tau1) / tau1
            return (-logP + penalty, dz)
        }
    }

    /// β of the missing-label-spike term (`.firstSpike`; else 0).
    var missingLabelCost: Double {
        if case let .firstSpike(_, _, _, missing) = self { return missing }
        return 0
    }

    /// The predicted class: the largest logit (potential or time-weighted count: of equal counts,
    /// the earlier spikes win), or the earliest first spike.
    func prediction(_ z: [Double]) -> Int {
        switch self {
        case .maxPotential, .meanPotential, .spikeCount: return z.indices.max { z[$0] < z[$1] } ?? 0
        case .firstSpike: return z.indices.min { z[$0] < z[$1] } ?? 0
        }
    }
}
