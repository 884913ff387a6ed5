import Foundation

/// A ReLU network converted into time-to-first-spike coding with the exact mapping of
/// Stanojevic et al. (Nat. Commun. 15, 2024): every neuron fires at most once, a normalised
/// activation x ∈ (0, 1] is the spike at T − τ·x before the end T of its layer's window, and
/// x = 0 is no spike at all.
///
/// Layer l (l ≥ 1) is a population of `TTFSPhaseIF` neurons with θ = 1 mV, slope α = θ/τ and
/// weights α·Ŵ (the normalised ANN, `ActivationScales`), every connection with delay d. Its
/// windows follow the input's, which ends at T₀ = τ (pixel x at τ·(1 − x)):
///
///     inputEndₗ = Tₗ₋₁ + d,     Tₗ = fireEndₗ = inputEndₗ + τ     (the output layer: fireEnd = ∞)
///
/// A neuron's potential at inputEndₗ is V_end = Σᵢ α·Ŵᵢ·(Tₗ₋₁ − tᵢ) = θ·ẑ with ẑ = Σᵢ Ŵᵢxᵢ, so it
/// fires at inputEndₗ + τ·(1 − ẑ) = Tₗ − τ·x with x = min(1, max(0, ẑ)): the ANN's ReLU, clipped
/// at 1. Wherever no hidden activation exceeds 1 (the normalisation's scale) the spiking network
/// computes the ANN exactly, and the first output spike is the ANN's largest logit (output
/// neurons fire in the order of their logits; logits ≥ 1 fire together at inputEnd).
public struct TTFSConversion: Sendable {
    /// The normalised ANN.
    public let ann: ReLUNetwork
    /// Window τ (ms) of one layer: the time of one unit of activation.
    public let window: Double
    /// Delay d (ms) of every connection.
    public let delay: Double
    public static let threshold = 1.0

    public init(normalized ann: ReLUNetwork, window: Double = 1, delay: Double = 0.1) throws(VolleyError) {
        guard window.isFinite, window > 0, window <= 1e4 else {
            throw VolleyError.invalidParameter(name: "window", value: "\(window)", reason: "must be in (0, 10⁴] ms")
        }
        guard delay.isFinite, delay > 0, delay <= 1e4 else {
            throw VolleyError.invalidParameter(name: "delay", value: "\(delay)", reason: "must be in (0, 10⁴] ms")
        }
        self.ann = ann
        self.window = window
        self.delay = delay
    }

    /// α = θ/τ (mV/ms).
    public var slope: Double { Self.threshold / window }

    /// End of layer l's input phase (l ≥ 1): l·(τ + d); its firing window ends τ later.
    public func inputEnd(ofLayer l: Int) -> Double { Double(l) * (window + delay) }

    /// The model of layer l (l ≥ 1).
    public func model(ofLayer l: Int) -> TTFSPhaseIF {
        let start = inputEnd(ofLayer: l)
        return TTFSPhaseIF(vThreshold: Self.threshold, slope: slope, inputEnd: start, fireEnd: l == ann.layerCount - 1 ? .infinity : start + window)
    }

    /// The run ends 2τ after the output layer's input phase: outputs with logit ẑ ≥ −1 have fired.
    public var runEnd: Double { inputEnd(ofLayer: ann.layerCount - 1) + 2 * window }

    /// Spike time of input pixel x ∈ [0, 1] (nil for x ≤ 0: no spike).
    public func inputSpikeTime(_ x: Double) -> Double? { x > 0 ? window * (1 - min(1, x)) : nil }

    /// What one sample does, in closed form.
    public struct Outcome: Sendable, Equatable {
        /// The output neuron that fires first (nil: a tie, or none fired by `runEnd`).
        public var decision: Int?
        /// Time of the first output spike (ms; nil if none).
        public var decisionTime: Double?
        /// Spike times of every non-input neuron (nil: silent), layer by layer.
        public var spikeTimes: [[Double?]]
        /// The first layer where some neuron's ẑ exceeded 1 (clipped: the mapping is not exact
        /// from there on), or nil.
        public var firstClippedLayer: Int?
        public var clipped: Bool { firstClippedLayer != nil }
        /// Synaptic events: every spike (inputs included) times its outgoing synapses.
        public var synapticEvents: Double

        public var spikes: Int { spikeTimes.reduce(0) { $0 + $1.reduce(0) { $0 + ($1 == nil ? 0 : 1) } } }
    }

    /// Layer by layer in closed form: ẑ = Ŵx, x = min(1, max(0, ẑ)), spike at Tₗ − τ·x.
    public func evaluate(_ pixels: [Double]) -> Outcome {
        var x = pixels.map { min(1, max(0, $0)) }
        var events = 0.0
        var clipped: Int? = nil
        var times: [[Double?]] = []
        let last = ann.layerCount - 1
        for l in 1..<last {
            let z = propagated(into: l, from: x, events: &events)
            times.append(spikeTimes(z, layer: l))
            if clipped == nil && z.contains(where: { $0 > 1 }) { clipped = l }
            x = z.map { min(1, max(0, $0)) }
        }
        let output = spikeTimes(propagated(into: last, from: x, events: &events), layer: last)
        times.append(output)
        let first = output.compactMap { $0 }.min()
        let winners = first.map { f in output.indices.filter { output[$0] == f } } ?? []
        return Outcome(decision: winners.count == 1 ? winners[0] : nil, decisionTime: first, spikeTimes: times, firstClippedLayer: clipped, synapticEvents: events)
    }

    /// ẑ of layer l from the layer below's x, counting the synaptic events of its spikes.
    func propagated(into l: Int, from x: [Double], events: inout Double) -> [Double] {
        for (i, xi) in x.enumerated() where xi > 0 { events += Double(outDegree(layer: l - 1, neuron: i)) }
        var z = [Double](repeating: 0, count: ann.layerSizes[l])
        ann.propagate(into: l, from: x, &z)
        return z
    }

    /// The spike times of layer l for ẑ (nil: no spike by `runEnd`).
    func spikeTimes(_ z: [Double], layer l: Int) -> [Double?] {
        let m = model(ofLayer: l), end = runEnd
        return z.map { m.spikeTime(endPotential: Self.threshold * $0).flatMap { $0 <= end ? $0 : nil } }
    }

    func outDegree(layer l: Int, neuron i: Int) -> Int { ann.outDegree(layer: l, neuron: i) }


    // MARK: Engine

    /// The network for the engines: a spike-source input and one first-spike-only `TTFSPhaseIF`
    /// population per further layer, weights α·Ŵ (dense synapse lists, shared convolution
    /// kernels, pooling's fixed α/size²), every delay d.
    public func engineNetwork() throws -> (Network, layers: [PopulationID]) {
        var net = Network()
        var ids = [try net.addSpikeSource("input", size: ann.layerSizes[0])]
        for l in 1..<ann.layerCount {
            ids.append(try net.addPopulation("layer\(l)", size: ann.layerSizes[l], model: model(ofLayer: l), firstSpikeOnly: true))
            let c = ann.connections[l - 1]
            switch c.kind {
            case .dense:
                let post = ann.layerSizes[l]
                var synapses: [Synapse] = []
                synapses.reserveCapacity(ann.weights[l - 1].count)
                for i in 0..<ann.layerSizes[l - 1] {
                    for j in 0..<post { synapses.append(Synapse(source: i, target: j, weight: slope * ann.weights[l - 1][i * post + j], delay: delay)) }
                }
                try net.connect(ids[l - 1], to: ids[l], synapses: synapses)
            case .convolution:
                try net.connect(ids[l - 1], to: ids[l], convolution: c.convolution!, kernel: ann.weights[l - 1].map { slope * $0 }, delay: delay)
            case .averagePooling, .maxPooling:
                let g = c.pooling!
                try net.connect(ids[l - 1], to: ids[l], pooling: g, weight: slope / Double(g.size * g.size), delay: delay)
            }
        }
        return (net, ids)
    }

    /// The input spike trains of one sample.
    public func inputTrains(_ pixels: [Double]) -> [[Double]] {
        pixels.map { x in inputSpikeTime(x).map { [$0] } ?? [] }
    }
}
