import Foundation

/// The JSON file of a trained `ReLUNetwork` (format "volley-relu-1", through `JSONEncoder`/
/// `JSONDecoder`): layer sizes, how each layer connects (absent for an all-dense network), the
/// weights (dense weights[l][i·nₗ₊₁ + j], convolution kernels, nothing for pooling) and how the
/// network was trained.
public struct ReLUModelFile: Codable, Equatable, Sendable {
    public static let currentFormat = "volley-relu-1"
    public var format: String
    public var layerSizes: [Int]
    public var connections: [STBPConnection]?
    public var weights: [[Double]]
    public var seed: UInt64?
    public var epochs: Int?

    enum CodingKeys: String, CodingKey {
        case format, layerSizes = "layer_sizes", connections, weights, seed, epochs
    }

    public init(network: ReLUNetwork, seed: UInt64? = nil, epochs: Int? = nil) {
        format = Self.currentFormat
        layerSizes = network.layerSizes
        connections = network.connections.allSatisfy { $0.kind == .dense } ? nil : network.connections
        weights = network.weights
        self.seed = seed
        self.epochs = epochs
    }

    /// The network the file describes, validated (sizes, connections, finite weights).
    public func network(source: String) throws -> ReLUNetwork {
        guard format == Self.currentFormat else {
            throw VolleyError.malformedData(source: source, reason: "format is \"\(format)\", expected \"\(Self.currentFormat)\"")
        }
        var net: ReLUNetwork
        do {
            net = try ReLUNetwork(layerSizes: layerSizes, connections: connections)
        } catch {
            throw VolleyError.malformedData(source: source, reason: "\(error)")
        }
        net.weights = try JSONFile.weightLayers(weights, expected: net.weights.map(\.count), source: source)
        return net
    }

    /// Writes the file atomically (no half-written file on failure).
    public func write(to path: String) throws { try JSONFile.write(self, to: path) }

    public static func read(from path: String) throws -> ReLUModelFile {
        try JSONFile.read(ReLUModelFile.self, from: path, what: "a \(currentFormat) model file")
    }
}
