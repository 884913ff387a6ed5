import Foundation

/// Accuracy and activity of an `STBPNetwork` on a set of samples (the training forward pass,
/// which is bit-identical to the time-stepped engine), in parallel over fixed chunks.
public struct STBPEvaluation: Sendable {
    public let samples: Int
    public let accuracy: Double
    /// Fraction of samples without a decision: scores tied at the top (and, with
    /// `STBPNetwork.tieBreak` `.firstSpike`, the tied classes' first spikes too).
    public let undecided: Double
    /// Mean spikes of non-input neurons, input spikes, and synaptic events per sample.
    public let spikesPerSample: Double
    public let inputSpikesPerSample: Double
    public let synapticEventsPerSample: Double
    /// The most non-input spikes in one step of one sample.
    public let peakSpikesPerStep: Int

    public static func evaluate(
        _ network: STBPNetwork, count: Int, labels: [Int], steps: Int, sample: @Sendable (Int) -> STBPInput
    ) throws -> STBPEvaluation {
        guard count >= 1, labels.count >= count else {
            throw VolleyError.invalidParameter(name: "count", value: "\(count)", reason: "need 1…\(labels.count) labelled samples")
        }
        let chunks = 16
        let parts = try parallelMap(chunks) { c throws(VolleyError) -> (Int, Int, Double, Double, Double, Int) in
            var hits = 0, ties = 0, spikes = 0.0, inputs = 0.0, events = 0.0, peak = 0
            var i = c
            while i < count {
                let x = sample(i)
                try network.validate(x)
                let a = network.forward(x, steps: steps)
                if let d = network.decision(a) { if d == labels[i] { hits += 1 } } else { ties += 1 }
                spikes += a.spikeCount
                // Synaptic events: every spike reaches every neuron of the next layer.
                for (n, step) in x.spikes.enumerated() where n + 1 < steps {
                    inputs += Double(step.count)
                    for i in step { events += Double(network.outDegree(layer: 0, neuron: Int(i))) }
                }
                for l in 1..<(network.layerCount - 1) {
                    for n in 0..<(steps - 1) {
                        for i in a.fired[l - 1][n] { events += Double(network.outDegree(layer: l, neuron: Int(i))) }
                    }
                }
                for n in 0..<steps { peak = max(peak, a.fired.reduce(0) { $0 + $1[n].count }) }
                i += chunks
            }
            return (hits, ties, spikes, inputs, events, peak)
        }
        let n = Double(count)
        return STBPEvaluation(
            samples: count, accuracy: Double(parts.reduce(0) { $0 + $1.0 }) / n, undecided: Double(parts.reduce(0) { $0 + $1.1 }) / n,
            spikesPerSample: parts.reduce(0) { $0 + $1.2 } / n, inputSpikesPerSample: parts.reduce(0) { $0 + $1.3 } / n,
            synapticEventsPerSample: parts.reduce(0) { $0 + $1.4 } / n, peakSpikesPerStep: parts.map(\.5).max() ?? 0)
    }

    /// The evaluation report (Deng et al. 2020): weights as the engine stores them, one engine
    /// state (`LIFDelta`, `LIFExp` or `AdaptiveLIF`) per non-input neuron, steps of dt, the decision after the last step; the equivalent
    /// ANN does one MAC per synapse (a convolution's MACs; pooling's adds counted alike).
    public func report(of network: STBPNetwork, steps: Int) -> SNNEvaluation {
        let synapses = (0..<(network.layerCount - 1)).reduce(0) { $0 + network.synapseCount($1) }
        let neurons = network.layerSizes.dropFirst().reduce(0, +)
        // Dense: one Double per synapse; convolution: its kernel plus a 32-bit entry index per
        // synapse; pooling: one Double (the engines' WeightStore layouts).
        let weightBytes = (0..<(network.layerCount - 1)).reduce(0) { total, l in
            switch network.connections[l].kind {
            case .dense: return total + network.synapseCount(l) * 8
            case .convolution: return total + network.weights[l].count * 8 + network.synapseCount(l) * 4
            case .averagePooling, .maxPooling: return total + 8
            }
        }
        return SNNEvaluation(
            samples: samples, accuracy: accuracy,
            decision: network.readout == .potential ? "potential" : network.tieBreak == .firstSpike ? "spike_count_then_first_spike" : "spike_count",
            neurons: neurons, synapses: synapses, weightBytes: weightBytes,
            membraneBytes: neurons * network.stateBytes, peakSpikesPerStep: peakSpikesPerStep,
            stepMs: network.dt, synopsPerSample: synapticEventsPerSample, annMACsPerSample: Double(synapses),
            spikesPerNeuron: spikesPerSample / Double(neurons), latencyMs: Double(steps) * network.dt)
    }
}
