import Foundation

/// Input spikes of one sample on the time grid: `spikes[n]` lists the input neurons that spike at
/// step n (time n·dt), ascending; a neuron listed k times spikes k times at that step.
public struct STBPInput: Sendable, Equatable {
    public var spikes: [[Int32]]

    public init(spikes: [[Int32]]) { self.spikes = spikes }

    /// Rate coding as in STBP (Wu et al. 2018): at each of `steps` steps, input i spikes with
    /// probability `intensities[i]` ∈ [0, 1] (a Bernoulli draw from `rng`).
    public static func bernoulli(_ intensities: [Double], steps: Int, rng: inout Xoshiro256) -> STBPInput {
        STBPInput(spikes: (0..<steps).map { _ in
            intensities.indices.compactMap { i in rng.uniform() < intensities[i] ? Int32(i) : nil }
        })
    }

    /// Event-camera input binned into steps of `dtMs` (OFF channel first, as
    /// `EventRecording.neuron(ofEvent:)`): every event is one spike at the step of its timestamp.
    public static func binned(_ recording: EventRecording, dtMs: Double, steps: Int) -> STBPInput {
        var spikes = [[Int32]](repeating: [], count: steps)
        for e in 0..<recording.count {
            let n = Int((Double(recording.timestamps[e]) / 1000 / dtMs).rounded(.down))
            if n < steps { spikes[n].append(Int32(recording.neuron(ofEvent: e))) }
        }
        for n in spikes.indices { spikes[n].sort() }
        return STBPInput(spikes: spikes)
    }

    /// The same spikes as spike trains (ms) for a spike-source population of `size` neurons.
    public func spikeTrains(size: Int, dt: Double) -> [[Double]] {
        var trains = [[Double]](repeating: [], count: size)
        for (n, step) in spikes.enumerated() {
            for i in step { trains[Int(i)].append(Double(n) * dt) }
        }
        return trains
    }
}

/// A feed-forward network of leaky integrate-and-fire neurons with delta synapses on a time grid,
/// trained by spatio-temporal backpropagation with a surrogate derivative (STBP: Wu et al.,
/// *Spatio-Temporal Backpropagation for Training High-Performance Spiking Neural Networks*,
/// Front. Neurosci. 12:331, 2018). Layers connect densely, by convolution or by pooling
/// (`STBPConnection`).
///
/// The dynamics are exactly the time-stepped engine's `LIFDelta` step (tRef = 0), with one step of
/// delay between layers: for step n ≥ 1, with V∞ = vRest + bias and decay = e^(−dt/τm),
///
///     aₙ = V∞ + (rₙ₋₁ − V∞)·decay + Iₙ,   Iₙ[j] = Σᵢ W[i, j]·sₙ₋₁[i]   (summed in ascending i)
///     sₙ = H(aₙ − θ),                      rₙ = sₙ·vReset + (1 − sₙ)·aₙ
///
/// (a₀ = r₋₁ + I₀: the engine does not advance at t = 0). So `forward` gives **bit-identical
/// spikes** to `TimeSteppedSimulator` running `engineNetwork()` (tested). With the `.potential`
/// readout the last layer does not spike (its threshold is the largest finite Double) and the class
/// scores are its mean potential above rest.
public struct STBPNetwork: Sendable {
    public enum Readout: String, Sendable, CaseIterable {
        /// Class scores = spike counts of the output layer.
        case spikeCount = "spike-count"
        /// Class scores = mean potential (mV above vRest) of a non-spiking output layer.
        case potential
    }

    /// Neurons per layer, inputs first.
    public let layerSizes: [Int]
    /// How layer l + 1 receives from layer l (one per non-input layer).
    public let connections: [STBPConnection]
    /// The learned weights (mV) into layer l + 1: dense weights[l][i·n₍ₗ₊₁₎ + j] from neuron i of
    /// layer l to neuron j of layer l + 1; a convolution's kernel (`ConvolutionGeometry.kernelIndex`);
    /// empty for pooling (fixed weight, `poolingWeight(ofLayer:)`).
    public var weights: [[Double]]
    /// The neuron of every non-input layer (tRef must be 0); its τm is the initial leak of
    /// every layer.
    public let neuron: LIFDelta
    /// How spikes reach the membrane (`STBPSynapse`): delta (`LIFDelta`) or exponential
    /// currents (`LIFExp`).
    public let synapse: STBPSynapse
    /// Threshold adaptation (`STBPAdaptation`; the engines run `AdaptiveLIF`), or nil.
    public let adaptation: STBPAdaptation?
    /// Membrane time constant τm (ms) of each non-input layer: `neuron.tauM` unless learned
    /// (`STBPTrainer(learnLeak:)`).
    public var membraneTimeConstants: [Double]
    /// Time step (ms); also the delay of every connection.
    public let dt: Double
    public let readout: Readout
    /// How the spike-count readout decides between classes tied at the highest count
    /// (`STBPTieBreak`; evaluation only: training's loss does not depend on it).
    public var tieBreak: STBPTieBreak = .none
    /// The synapses of each structured connection (nil for dense).
    let tables: [SparseConnectivity?]

    public init(
        layerSizes: [Int], connections: [STBPConnection]? = nil,
        neuron: LIFDelta = LIFDelta(tauM: 20, vRest: 0, vReset: 0, vThreshold: 1, tRef: 0), synapse: STBPSynapse = .delta,
        adaptation: STBPAdaptation? = nil, dt: Double = 1, readout: Readout = .spikeCount
    ) throws {
        let connections = try STBPConnection.validatedLayers(layerSizes: layerSizes, connections: connections)
        try neuron.validate()
        guard neuron.tRef == 0 else {
            throw VolleyError.invalidParameter(name: "tRef", value: "\(neuron.tRef)", reason: "STBP's LIF has no refractory period: use tRef = 0")
        }
        try STBPNetwork.validate(synapse: synapse, adaptation: adaptation, neuron: neuron)
        if synapse != .delta, let pooling = connections.firstIndex(where: { !$0.isLearned }) {
            throw VolleyError.invalidParameter(
                name: "connections", value: "\(connections[pooling].kind.rawValue) into layer \(pooling + 1)",
                reason: "pooling needs delta synapses (its fixed weight makes a pooling neuron fire with its window)")
        }
        guard dt.isFinite, dt > 0, dt <= 100 else {
            throw VolleyError.invalidParameter(name: "dt", value: "\(dt)", reason: "must be in (0, 100] ms")
        }
        self.layerSizes = layerSizes
        self.connections = connections
        self.neuron = neuron
        self.synapse = synapse
        self.adaptation = adaptation
        self.dt = dt
        self.readout = readout
        tables = connections.map { $0.connectivity() }
        membraneTimeConstants = [Double](repeating: neuron.tauM, count: layerSizes.count - 1)
        weights = connections.indices.map { [Double](repeating: 0, count: connections[$0].weightCount(inputs: layerSizes[$0], outputs: layerSizes[$0 + 1])) }
    }

    public var layerCount: Int { layerSizes.count }

    /// Steps a sample of `inputSteps` steps needs so that its last input reaches the output (a
    /// layer with exponential synapses passes a spike on one step later than a delta layer).
    public func steps(forInputSteps inputSteps: Int) -> Int { inputSteps + (layerCount - 2) * (synapse == .delta ? 1 : 2) }

    /// Inputs each neuron of layer l + 1 sees through connection l (the fan-in of its weights).
    func fanIn(_ l: Int) -> Int { connections[l].fanIn(inputs: layerSizes[l]) }

    /// Uniform initialisation U(−b, b) of the learned weights, b = gain·(θ − vRest)·√(3 / fan-in)/P
    /// (seeded), P the peak of the potential a unit weight causes in the receiving layer on the grid
    /// (1 for delta synapses; `unitPSPPeak`), so that every synapse type starts equally excitable.
    public mutating func initialize(gain: Double, seed: UInt64) {
        var rng = Xoshiro256(seed: seed, stream: 0x57B9)
        let scale = neuron.vThreshold - neuron.vRest
        for l in weights.indices {
            let bound = gain * scale * (3 / Double(fanIn(l))).squareRoot() / unitPSPPeak(ofLayer: l + 1)
            for k in weights[l].indices { weights[l][k] = rng.uniform(-bound, bound) }
        }
    }

    /// The fixed weight (mV) of a pooling connection into layer l (see `STBPConnection`).
    public func poolingWeight(ofLayer l: Int) -> Double {
        let c = connections[l - 1]
        let full = neuron.vThreshold - neuron.vRest
        if c.kind == .maxPooling {
            // Exactly θ from rest, rounded up if vRest + (θ − vRest) falls short of θ.
            var w = full
            while neuron.vRest + w < neuron.vThreshold { w = w.nextUp }
            return w
        }
        let k = Double(c.pooling?.size ?? 1)
        return full / (k * k)
    }

    /// The weight values connection l − 1 reads (the learned ones, or the one pooling weight).
    func weightValues(into l: Int) -> [Double] {
        connections[l - 1].isLearned ? weights[l - 1] : [poolingWeight(ofLayer: l)]
    }

    /// Synapses of connection l (into layer l + 1).
    public func synapseCount(_ l: Int) -> Int { tables[l]?.synapseCount ?? layerSizes[l] * layerSizes[l + 1] }

    /// Synapses leaving neuron i of layer l.
    func outDegree(layer l: Int, neuron i: Int) -> Int { tables[l]?.row(i).count ?? layerSizes[l + 1] }

    /// The model of layer l (l ≥ 1) as the engine runs it.
    func model(ofLayer l: Int) -> LIFDelta {
        var m = neuron
        m.tauM = membraneTimeConstants[l - 1]
        if readout == .potential && l == layerCount - 1 { m.vThreshold = .greatestFiniteMagnitude }
        return m
    }

    /// Throws unless every input index fits the input layer.
    public func validate(_ input: STBPInput) throws(VolleyError) {
        for (n, step) in input.spikes.enumerated() {
            if let bad = step.first(where: { $0 < 0 || Int($0) >= layerSizes[0] }) {
                throw VolleyError.indexOutOfRange(index: Int(bad), count: layerSizes[0], context: "input spike at step \(n)")
            }
        }
    }

    // MARK: Engine

    /// The same network for the simulators: a spike-source input, one `LIFDelta` population per
    /// further layer; dense layers as all-to-all synapse lists (weights as `Double`), convolutions
    /// with their kernel shared in the weight store, pooling with its one fixed weight; every
    /// delay dt.
    public func engineNetwork() throws -> (Network, layers: [PopulationID]) {
        var net = Network()
        var ids = [try net.addSpikeSource("input", size: layerSizes[0])]
        for l in 1..<layerCount {
            ids.append(try addLayer(l, to: &net))
            let c = connections[l - 1]
            switch c.kind {
            case .dense:
                let post = layerSizes[l]
                var synapses: [Synapse] = []
                synapses.reserveCapacity(weights[l - 1].count)
                for i in 0..<layerSizes[l - 1] {
                    for j in 0..<post { synapses.append(Synapse(source: i, target: j, weight: weights[l - 1][i * post + j], delay: dt)) }
                }
                try net.connect(ids[l - 1], to: ids[l], synapses: synapses)
            case .convolution:
                try net.connect(ids[l - 1], to: ids[l], convolution: c.convolution!, kernel: weights[l - 1], delay: dt)
            case .averagePooling, .maxPooling:
                try net.connect(ids[l - 1], to: ids[l], pooling: c.pooling!, weight: poolingWeight(ofLayer: l), delay: dt)
            }
        }
        return (net, ids)
    }
}
