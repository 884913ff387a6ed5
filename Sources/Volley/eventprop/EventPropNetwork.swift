import Foundation

/// A network of `LIFExp` layers whose weights and delays EventProp trains (Wunderlich & Pehle,
/// *Event-based backpropagation can compute exact gradients for spiking neural networks*, Sci.
/// Rep. 11:12829, 2021). Layer 0 is a spike source (the input); layers 1… are `LIFExp`
/// populations; projections are explicit synapse lists (pre, post, weight, delay) between any two
/// layers, a layer onto itself included (recurrent). `makeNetwork` turns it into an ordinary
/// `Network`, which the event-driven engine runs exactly; `EventPropNetwork+Backward` computes
/// the gradient from that run's spikes.
///
/// The adjoint of the backward pass assumes one synaptic time constant per layer (`tauSynExc` =
/// `tauSynInh`: signed weights on one current), no refractory period and reset to `vReset`;
/// `validate` refuses anything else. The last layer is the readout: non-spiking (`spiking`
/// false: its threshold is out of reach) for the potential losses, spiking for first-spike times.
public struct EventPropNetwork: Sendable {
    public struct Layer: Sendable {
        public var name: String
        public var size: Int
        public var model: LIFExp
        /// Whether the layer's neurons may spike (false: the readout of a potential loss).
        public var spiking: Bool

        public init(name: String, size: Int, model: LIFExp, spiking: Bool = true) {
            self.name = name
            self.size = size
            self.model = model
            self.spiking = spiking
        }

        /// The model the engine runs: a non-spiking layer's threshold is moved out of reach.
        var engineModel: LIFExp {
            var m = model
            if !spiking { m.vThreshold = 1e12 }
            return m
        }
    }

    public struct Projection: Sendable, Equatable {
        /// Source and target layer (0 = the input).
        public var source: Int
        public var target: Int
        public var pre: [Int]
        public var post: [Int]
        /// Weights (mV of R·I) and delays (ms), one per synapse.
        public var weights: [Double]
        public var delays: [Double]

        public init(source: Int, target: Int, pre: [Int], post: [Int], weights: [Double], delays: [Double]) {
            self.source = source
            self.target = target
            self.pre = pre
            self.post = post
            self.weights = weights
            self.delays = delays
        }

        public var count: Int { pre.count }
    }

    public var inputSize: Int
    /// Layers 1…; `layers[k - 1]` is layer k.
    public var layers: [Layer]
    public var projections: [Projection]
    /// Shortest delay a delay update may leave (ms): the engine needs delays > 0.
    public var minimumDelay: Double

    public init(inputSize: Int, layers: [Layer], projections: [Projection], minimumDelay: Double = 0.01) {
        self.inputSize = inputSize
        self.layers = layers
        self.projections = projections
        self.minimumDelay = minimumDelay
    }

    /// Number of neurons of layer k (0 = the input).
    public func size(ofLayer k: Int) -> Int { k == 0 ? inputSize : layers[k - 1].size }

    public func validate() throws {
        guard (1...10_000_000).contains(inputSize), !layers.isEmpty else {
            throw VolleyError.invalidParameter(name: "layers", value: "\(layers.count)", reason: "need an input and at least one LIF layer")
        }
        for layer in layers {
            let m = layer.model
            try m.validate()
            guard (1...10_000_000).contains(layer.size) else {
                throw VolleyError.invalidParameter(name: "\(layer.name).size", value: "\(layer.size)", reason: "must be in 1…10⁷")
            }
            guard m.tauSynExc == m.tauSynInh else {
                throw VolleyError.invalidParameter(
                    name: "\(layer.name).tauSynInh", value: "\(m.tauSynInh)",
                    reason: "EventProp needs one synaptic time constant per layer (tauSynExc \(m.tauSynExc) ms)")
            }
            guard m.tRef == 0, m.reset == .toValue else {
                throw VolleyError.invalidParameter(
                    name: "\(layer.name).tRef", value: "\(m.tRef)", reason: "EventProp needs tRef = 0 ms and reset to vReset")
            }
        }
        for (p, projection) in projections.enumerated() {
            let name = "projection \(p)"
            guard (0...layers.count).contains(projection.source), (1...layers.count).contains(projection.target) else {
                throw VolleyError.invalidParameter(
                    name: "\(name).target", value: "\(projection.source)→\(projection.target)", reason: "no such layer")
            }
            guard projection.target >= projection.source else {
                throw VolleyError.invalidParameter(
                    name: "\(name).target", value: "\(projection.source)→\(projection.target)",
                    reason: "projections run forward or within a layer (the backward pass goes layer by layer from the readout)")
            }
            let n = projection.count
            guard projection.post.count == n, projection.weights.count == n, projection.delays.count == n else {
                throw VolleyError.invalidParameter(name: name, value: "\(n) synapses", reason: "pre, post, weights and delays differ in length")
            }
            let sourceSize = size(ofLayer: projection.source), targetSize = size(ofLayer: projection.target)
            for s in 0..<n {
                guard (0..<sourceSize).contains(projection.pre[s]), (0..<targetSize).contains(projection.post[s]) else {
                    throw VolleyError.invalidParameter(
                        name: "\(name).synapse \(s)", value: "\(projection.pre[s])→\(projection.post[s])", reason: "neuron index out of range")
                }
                guard projection.weights[s].isFinite else {
                    throw VolleyError.invalidParameter(name: "\(name).weight \(s)", value: "\(projection.weights[s])", reason: "must be finite")
                }
                guard projection.delays[s] > 0, projection.delays[s].isFinite else {
                    throw VolleyError.invalidParameter(name: "\(name).delay \(s)", value: "\(projection.delays[s])", reason: "must be > 0 ms")
                }
            }
        }
    }

    /// The network as an ordinary `Network` with the input trains (ms) of one sample; the
    /// population of layer k is `ids[k]`.
    public func makeNetwork(inputs: [[Double]]) throws -> (network: Network, ids: [PopulationID]) {
        var net = Network()
        var ids = [try net.addSpikeSource("input", trains: inputs)]
        for layer in layers {
            ids.append(try net.addPopulation(layer.name, size: layer.size, model: layer.engineModel))
        }
        for p in projections {
            let synapses = (0..<p.count).map {
                Synapse(source: p.pre[$0], target: p.post[$0], weight: p.weights[$0], delay: p.delays[$0])
            }
            try net.connect(ids[p.source], to: ids[p.target], synapses: synapses, receptor: Receptor.excitatory)
        }
        return (net, ids)
    }

    /// A layered network with all-to-all projections input → hidden… → readout (plus each hidden
    /// layer onto itself with `recurrent`), weights N(mean, std) scaled by 1/√fan-in as given,
    /// delays `delay` ms (uniform in [delay, delay + delaySpread)).
    public static func layered(
        inputSize: Int, hidden: [Int], outputs: Int, hiddenModel: LIFExp, readoutModel: LIFExp,
        readoutSpiking: Bool, recurrent: Bool = false, weightMean: Double, weightStd: Double,
        delay: Double, delaySpread: Double = 0, seed: UInt64
    ) -> EventPropNetwork {
        var layers = hidden.enumerated().map { Layer(name: "hidden\($0.offset + 1)", size: $0.element, model: hiddenModel) }
        layers.append(Layer(name: "readout", size: outputs, model: readoutModel, spiking: readoutSpiking))
        var rng = Xoshiro256(seed: seed, stream: 30)
        var projections: [Projection] = []
        func allToAll(_ source: Int, _ target: Int, _ nSource: Int, _ nTarget: Int) {
            var p = Projection(source: source, target: target, pre: [], post: [], weights: [], delays: [])
            let scale = 1 / Double(nSource).squareRoot()
            for i in 0..<nSource {
                for j in 0..<nTarget where !(source == target && i == j) {
                    p.pre.append(i)
                    p.post.append(j)
                    p.weights.append((weightMean + weightStd * rng.normal()) * scale)
                    p.delays.append(delay + delaySpread * rng.uniform())
                }
            }
            projections.append(p)
        }
        var previous = inputSize
        for (k, n) in hidden.enumerated() {
            allToAll(k, k + 1, previous, n)
            if recurrent { allToAll(k + 1, k + 1, n, n) }
            previous = n
        }
        allToAll(hidden.count, hidden.count + 1, previous, outputs)
        return EventPropNetwork(inputSize: inputSize, layers: layers, projections: projections)
    }
}
