import Foundation

/// A feed-forward ReLU network built for conversion into a spiking network (Diehl et al. 2015;
/// Rueckauer et al., *Conversion of continuous-valued deep networks to efficient event-driven
/// networks*, Front. Neurosci. 11:682, 2017): no biases, average pooling instead of max pooling,
/// layers connected densely, by convolution or by average pooling (`STBPConnection`, the layer
/// kinds of the surrogate-gradient networks, so the converted network uses the same
/// connectivity and the same weight layout).
///
/// For layer l ≥ 1 with input x⁽ˡ⁻¹⁾:
///
///     z⁽ˡ⁾ = W⁽ˡ⁾ x⁽ˡ⁻¹⁾                    (dense: zⱼ = Σᵢ W[i·n + j]·xᵢ; convolution: PyTorch's
///                                           Conv2d cross-correlation; pooling: the window's mean)
///     x⁽ˡ⁾ = max(0, z⁽ˡ⁾)   (hidden),       x⁽ᴸ⁾ = z⁽ᴸ⁾  (the output logits)
///
/// A pooling layer's output is the mean of non-negative inputs, so its ReLU is the identity.
public struct ReLUNetwork: Sendable, Equatable {
    /// Neurons per layer, inputs first.
    public let layerSizes: [Int]
    /// How layer l + 1 receives from layer l.
    public let connections: [STBPConnection]
    /// weights[l]: dense W[i·n₍ₗ₊₁₎ + j] from neuron i of layer l to neuron j of layer l + 1, or a
    /// convolution's kernel (`ConvolutionGeometry.kernelIndex`); empty for pooling.
    public var weights: [[Double]]
    /// The synapses of each structured connection (nil for dense).
    let tables: [SparseConnectivity?]

    public init(layerSizes: [Int], connections: [STBPConnection]? = nil) throws(VolleyError) {
        let connections = try STBPConnection.validatedLayers(layerSizes: layerSizes, connections: connections)
        if let l = connections.firstIndex(where: { $0.kind == .maxPooling }) {
            throw VolleyError.invalidParameter(
                name: "connections", value: "max_pooling into layer \(l + 1)",
                reason: "conversion needs average pooling (a max of rates has no spiking equivalent without extra machinery)")
        }
        self.layerSizes = layerSizes
        self.connections = connections
        tables = connections.map { $0.connectivity() }
        weights = connections.indices.map { [Double](repeating: 0, count: connections[$0].weightCount(inputs: layerSizes[$0], outputs: layerSizes[$0 + 1])) }
    }

    public var layerCount: Int { layerSizes.count }
    public var parameterCount: Int { weights.reduce(0) { $0 + $1.count } }

    /// Inputs each neuron of layer l + 1 sees through connection l.
    func fanIn(_ l: Int) -> Int { connections[l].fanIn(inputs: layerSizes[l]) }

    /// He initialisation for ReLU layers: W ~ U(−b, b), b = √(6 / fan-in) (He et al. 2015, the
    /// uniform form), seeded.
    public mutating func initialize(seed: UInt64) {
        var rng = Xoshiro256(seed: seed, stream: 0xA77)
        for l in weights.indices {
            let bound = (6 / Double(fanIn(l))).squareRoot()
            for k in weights[l].indices { weights[l][k] = rng.uniform(-bound, bound) }
        }
    }

    /// Synapses of connection l (into layer l + 1) when run as a spiking network.
    public func synapseCount(_ l: Int) -> Int { tables[l]?.synapseCount ?? layerSizes[l] * layerSizes[l + 1] }

    /// Synapses leaving neuron i of layer l.
    public func outDegree(layer l: Int, neuron i: Int) -> Int { tables[l]?.row(i).count ?? layerSizes[l + 1] }

    /// Multiply-accumulates of one forward pass: one per synapse (pooling's adds counted alike).
    public var multiplyAccumulates: Int { connections.indices.reduce(0) { $0 + synapseCount($1) } }

    /// Throws unless `input` has one value per input neuron, all finite.
    public func validate(input: [Double]) throws(VolleyError) {
        guard input.count == layerSizes[0] else {
            throw VolleyError.invalidParameter(name: "input", value: "\(input.count) values", reason: "the input layer has \(layerSizes[0]) neurons")
        }
        if let bad = input.firstIndex(where: { !$0.isFinite }) {
            throw VolleyError.invalidParameter(name: "input[\(bad)]", value: "\(input[bad])", reason: "must be finite")
        }
    }

    /// Activations of every layer for one input: [x⁽⁰⁾ = input, x⁽¹⁾, …, z⁽ᴸ⁾ (logits)].
    public func activations(_ input: [Double]) -> [[Double]] {
        var out = [input]
        out.reserveCapacity(layerCount)
        for l in 1..<layerCount {
            var z = [Double](repeating: 0, count: layerSizes[l])
            propagate(into: l, from: out[l - 1], &z)
            if l < layerCount - 1 && connections[l - 1].isLearned {
                for j in z.indices where z[j] < 0 { z[j] = 0 }
            }
            out.append(z)
        }
        return out
    }

    /// z⁽ˡ⁾ += W⁽ˡ⁾·x (`z` holds layer l's neurons).
    func propagate(into l: Int, from x: [Double], _ z: inout [Double]) {
        let c = connections[l - 1]
        x.withUnsafeBufferPointer { x in
            z.withUnsafeMutableBufferPointer { z in
                switch c.kind {
                case .dense:
                    let n = z.count
                    weights[l - 1].withUnsafeBufferPointer { w in
                        for i in 0..<x.count where x[i] != 0 { axpy(n, x[i], w.baseAddress! + i * n, z.baseAddress!) }
                    }
                case .convolution:
                    weights[l - 1].withUnsafeBufferPointer { k in c.convolution!.correlate(kernel: k, x.baseAddress!, into: z) }
                case .averagePooling, .maxPooling:
                    c.pooling!.average(x.baseAddress!, into: z)
                }
            }
        }
    }
}
