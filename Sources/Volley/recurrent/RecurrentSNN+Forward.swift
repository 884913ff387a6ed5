import Foundation

/// What one trial's forward pass of a `RecurrentSNN` leaves for learning: per step n and
/// recurrent neuron j (index n·size + j) the potential before the reset, the adaptation and the
/// spike; the readout; who fired.
public struct RecurrentActivity: Sendable {
    public let steps: Int
    /// vₙ (mV), before the reset.
    public var potentials: [Double]
    /// ãₙ (spikes, decayed), before the step's spike.
    public var adaptations: [Double]
    /// zₙ: 0 or 1 (σ(s·(vₙ − θₙ)) in the smooth forward pass).
    public var spikes: [Double]
    /// fired[n]: the recurrent neurons that spiked at step n, ascending (hard pass only).
    public var fired: [[Int32]]
    /// yₙ[k] at index n·outputs + k (mV).
    public var readout: [Double]
    /// Synaptic events delivered (a spike times its targets), the engines' count.
    public var synapticEvents: Double = 0
    /// Whether the spikes are the smooth σ(s·(v − θ)) of a gradient check.
    public var smooth = false

    /// Spikes of all recurrent neurons.
    public var spikeCount: Double { spikes.reduce(0, +) }
}

extension RecurrentSNN {
    /// Runs `input` for `steps` steps (the type's equations) and records every step.
    /// `smoothSlope` s replaces the Heaviside spike by σ(s·(v − θ)) everywhere (reset, adaptation,
    /// synapses, readout): for gradient checks only, as such a network is not what the engines run.
    public func forward(_ input: STBPInput, steps: Int, smoothSlope: Double? = nil) -> RecurrentActivity {
        let n = size, K = outputs
        var act = RecurrentActivity(
            steps: steps, potentials: [Double](repeating: 0, count: steps * n), adaptations: [Double](repeating: 0, count: steps * n),
            spikes: [Double](repeating: 0, count: steps * n), fired: [[Int32]](repeating: [], count: steps),
            readout: [Double](repeating: 0, count: steps * K))
        var stepper = RecurrentStepper(self, smoothSlope: smoothSlope)
        for step in 0..<steps {
            stepper.advance(inputs: input.arriving(atStep: step))
            act.potentials.replaceSubrange((step * n)..<((step + 1) * n), with: stepper.potentials)
            act.adaptations.replaceSubrange((step * n)..<((step + 1) * n), with: stepper.adaptations)
            act.spikes.replaceSubrange((step * n)..<((step + 1) * n), with: stepper.spikes)
            act.readout.replaceSubrange((step * K)..<((step + 1) * K), with: stepper.readout)
            act.fired[step] = stepper.fired
        }
        act.synapticEvents = stepper.synapticEvents
        act.smooth = smoothSlope != nil
        return act
    }
}
