/// How one layer of an `STBPNetwork` receives from the layer below.
///
/// - `dense`: every neuron from every neuron, weights learned.
/// - `convolution`: `ConvolutionGeometry`, kernel learned and shared by its synapses.
/// - `averagePooling`: every neuron from its size × size window through the fixed weight
///   (θ − vRest)/size², so a pooling neuron integrates the window's spikes and fires when it has
///   received size² of them (net of the leak).
/// - `maxPooling`: the fixed weight θ − vRest: a pooling neuron fires at a step iff some neuron of
///   its window fired at the step before (the max of binary spikes), given vReset = vRest and no
///   bias, since it is then back at rest after every step.
public struct STBPConnection: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        case dense, convolution
        case averagePooling = "average_pooling"
        case maxPooling = "max_pooling"
    }

    public var kind: Kind
    public var convolution: ConvolutionGeometry?
    public var pooling: PoolingGeometry?

    public static let dense = STBPConnection(kind: .dense)
    public static func convolution(_ g: ConvolutionGeometry) -> STBPConnection { STBPConnection(kind: .convolution, convolution: g) }
    public static func averagePooling(_ g: PoolingGeometry) -> STBPConnection { STBPConnection(kind: .averagePooling, pooling: g) }
    public static func maxPooling(_ g: PoolingGeometry) -> STBPConnection { STBPConnection(kind: .maxPooling, pooling: g) }

    public init(kind: Kind, convolution: ConvolutionGeometry? = nil, pooling: PoolingGeometry? = nil) {
        self.kind = kind
        self.convolution = convolution
        self.pooling = pooling
    }

    /// Whether the connection has learned weights.
    public var isLearned: Bool { kind == .dense || kind == .convolution }

    /// Learned weights of the connection from `inputs` to `outputs` neurons: the dense matrix,
    /// the convolution's kernel, none for pooling.
    public func weightCount(inputs: Int, outputs: Int) -> Int {
        switch kind {
        case .dense: return inputs * outputs
        case .convolution: return convolution!.kernelCount
        case .averagePooling, .maxPooling: return 0
        }
    }

    /// Inputs each receiving neuron sees (the fan-in of its weights).
    public func fanIn(inputs: Int) -> Int {
        switch kind {
        case .dense: return inputs
        case .convolution: let g = convolution!; return g.inputChannels * g.kernelSize * g.kernelSize
        case .averagePooling, .maxPooling: let g = pooling!; return g.size * g.size
        }
    }

    /// The layers as "784-c16k5-maxpool2-…-10".
    public static func describe(layerSizes: [Int], connections: [STBPConnection]) -> String {
        var parts = ["\(layerSizes[0])"]
        for (l, c) in connections.enumerated() {
            switch c.kind {
            case .dense: parts.append("\(layerSizes[l + 1])")
            case .convolution: parts.append("c\(c.convolution!.outputChannels)k\(c.convolution!.kernelSize)")
            case .maxPooling: parts.append("maxpool\(c.pooling!.size)")
            case .averagePooling: parts.append("avgpool\(c.pooling!.size)")
            }
        }
        return parts.joined(separator: "-")
    }

    /// The connections of a layered network, checked: ≥ 2 layers of 1…2²⁸ neurons, one connection
    /// per non-input layer (all dense when nil), each fitting its layers, learned weights into the
    /// output layer, at most 2²⁸ weights per dense layer.
    public static func validatedLayers(layerSizes: [Int], connections: [STBPConnection]?) throws(VolleyError) -> [STBPConnection] {
        guard layerSizes.count >= 2, layerSizes.allSatisfy({ $0 >= 1 && $0 <= 1 << 28 }) else {
            throw VolleyError.invalidParameter(name: "layerSizes", value: "\(layerSizes)", reason: "need ≥ 2 layers of 1…2²⁸ neurons")
        }
        let connections = connections ?? [STBPConnection](repeating: .dense, count: layerSizes.count - 1)
        guard connections.count == layerSizes.count - 1 else {
            throw VolleyError.invalidParameter(
                name: "connections", value: "\(connections.count)", reason: "need one per non-input layer (\(layerSizes.count - 1))")
        }
        for (l, c) in connections.enumerated() { try c.validate(inputs: layerSizes[l], outputs: layerSizes[l + 1], layer: l + 1) }
        if connections.last?.isLearned == false {
            throw VolleyError.invalidParameter(name: "connections", value: "\(connections.last!.kind.rawValue)", reason: "the output layer needs learned weights")
        }
        for (l, c) in connections.enumerated() where c.kind == .dense && layerSizes[l] * layerSizes[l + 1] > 1 << 28 {
            throw VolleyError.invalidParameter(name: "layerSizes", value: "\(layerSizes[l]) × \(layerSizes[l + 1])", reason: "a dense layer holds at most 2²⁸ weights")
        }
        return connections
    }

    /// Throws unless the geometry (if any) is present, valid and maps `inputs` neurons to `outputs`.
    func validate(inputs: Int, outputs: Int, layer l: Int) throws(VolleyError) {
        let context = "layer \(l) (\(kind.rawValue))"
        let sizes: (Int, Int)
        switch kind {
        case .dense: return
        case .convolution:
            guard let g = convolution else {
                throw VolleyError.invalidParameter(name: "\(context).convolution", value: "missing", reason: "a convolution needs its geometry")
            }
            try g.validate(context: context)
            sizes = (g.inputSize, g.outputSize)
        case .averagePooling, .maxPooling:
            guard let g = pooling else {
                throw VolleyError.invalidParameter(name: "\(context).pooling", value: "missing", reason: "pooling needs its geometry")
            }
            try g.validate(context: context)
            sizes = (g.inputSize, g.outputSize)
        }
        guard sizes == (inputs, outputs) else {
            throw VolleyError.invalidParameter(
                name: "layerSizes", value: "\(inputs) → \(outputs)",
                reason: "\(context) maps \(sizes.0) neurons to \(sizes.1)")
        }
    }

    /// The synapses of a structured connection (nil for dense).
    func connectivity() -> SparseConnectivity? {
        if let g = convolution, kind == .convolution { return g.connectivity() }
        if let g = pooling, kind != .dense && kind != .convolution { return g.connectivity() }
        return nil
    }
}
