import Foundation

/// One sample through an `EventPropNetwork`: the loss, the readout's logits (or first-spike
/// times), and the exact gradient with respect to every weight and delay.
public struct EventPropResult: Sendable {
    /// The loss of the readout (`EventPropLoss`), without `regularisation`.
    public var loss: Double
    /// Σⱼ cⱼ Σₖ tⱼₖ of an `EventPropRegulariser`'s coefficients with cⱼ·(θ − max V) of its silent
    /// neurons, plus the first-spike loss's missing-label term β·(θ − max V_label) (0 without
    /// either); its gradient is included in `weightGradients` and `delayGradients`.
    public var regularisation: Double
    /// zₖ of the loss (potentials in mV, or first-spike times in ms).
    public var logits: [Double]
    public var prediction: Int
    /// Spikes of each LIF layer (1…).
    public var spikeCounts: [Int]
    /// Synaptic events delivered (arrivals before the end of the trial).
    public var synapticEvents: Int
    /// When the decision was available (ms): the winning readout's maximum, the trial's end
    /// (mean potential) or the first readout spike.
    public var decisionTime: Double
    /// Most spikes of the LIF layers within one 1 ms bin.
    public var peakSpikesPerMs: Int
    /// ∂L/∂w and ∂L/∂d per projection and synapse (empty without `gradient`).
    public var weightGradients: [[Double]]
    public var delayGradients: [[Double]]
}

/// EventProp's backward pass (Wunderlich & Pehle 2021), in closed form event by event.
///
/// Forward: the event-driven engine runs the `Network` exactly; its spike times are all the
/// backward pass takes from it. Each LIF neuron's synaptic current at its spikes, and the
/// readout's potentials, are then replayed from the input arrivals (closed form, `LIFExpKernel`).
///
/// Backward, layer by layer from the readout (a recurrent layer's neurons together, in one
/// reverse-time order), each neuron's costate λ = (λ_V, λ_I) = ∂L/∂(V, I) evolves by
/// `LIFExpKernel.adjoint` between its events, and
/// * at an input arrival at a = tₖ + d of weight w onto neuron j: ∂L/∂w += λ_I,j(a);
///   ∂L/∂d += w·λ̇_I,j(a) (λ̇_I = −λ_V/τm + λ_I/τs); the presynaptic spike's downstream term
///   Gₖ += w·λ̇_I,j(a) (moving the spike moves all its arrivals);
/// * at a spike of neuron i at t* (V̇∓ = (−(θ or V_reset − V∞) + I(t*))/τm just before / after):
///   λ_V⁻ = (λ_V⁺·V̇⁺ − ∂L/∂t* − Gₖ)/V̇⁻, λ_I unchanged — the jump of the costate across the
///   reset V ← V_reset of a hybrid system;
/// * at the maximum of a readout potential (`.maxPotential`): λ_V += ∂L/∂zₖ; a mean-potential
///   loss is the constant source c = ∂L/∂zₖ/T.
extension EventPropNetwork {
    /// Runs one sample (input trains in ms, trial length `duration` ms) in the event-driven
    /// engine, and with `gradient` back-propagates (a new simulator; `EventPropRunner` reuses one).
    public func run(
        inputs: [[Double]], label: Int, duration: Double, loss: EventPropLoss, gradient: Bool = true
    ) throws -> EventPropResult {
        try EventPropRunner(self).run(inputs: inputs, label: label, duration: duration, loss: loss, gradient: gradient)
    }

    func checkSample(label: Int, duration: Double, loss: EventPropLoss) throws {
        try loss.validate()
        guard loss.readoutSpikes == layers[layers.count - 1].spiking else {
            throw VolleyError.invalidParameter(
                name: "loss", value: "\(loss)",
                reason: loss.readoutSpikes ? "needs a spiking readout layer" : "needs a non-spiking readout layer")
        }
        guard (0..<layers[layers.count - 1].size).contains(label) else {
            throw VolleyError.invalidParameter(name: "label", value: "\(label)", reason: "no such readout neuron")
        }
        guard duration > 0, duration.isFinite else {
            throw VolleyError.invalidParameter(name: "duration", value: "\(duration)", reason: "must be > 0 ms")
        }
    }
}
