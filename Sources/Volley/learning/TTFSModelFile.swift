import Foundation

/// The JSON file of a trained `TTFSNetwork` (format "volley-ttfs-1"), written and read with
/// Foundation's `JSONEncoder` (sorted keys) and `JSONDecoder`: layer sizes, threshold θ (mV),
/// synaptic delay (ms), weights[l][i·nₗ₊₁ + j] (mV/ms, shortest round-trip decimals), and how the
/// network was trained.
public struct TTFSModelFile: Codable, Equatable, Sendable {
    public static let currentFormat = "volley-ttfs-1"
    public var format: String
    public var layerSizes: [Int]
    public var threshold: Double
    public var delay: Double
    public var weights: [[Double]]
    /// Latency-coding window of the inputs the network was trained on (ms).
    public var inputTime: Double?
    public var seed: UInt64?
    public var epochs: Int?

    enum CodingKeys: String, CodingKey {
        case format, layerSizes = "layer_sizes", threshold, delay, weights, inputTime = "input_time", seed, epochs
    }

    public init(network: TTFSNetwork, inputTime: Double? = nil, seed: UInt64? = nil, epochs: Int? = nil) {
        format = Self.currentFormat
        layerSizes = network.layerSizes
        threshold = network.threshold
        delay = network.delay
        weights = network.weights
        self.inputTime = inputTime
        self.seed = seed
        self.epochs = epochs
    }

    /// The network the file describes, validated (sizes, weight counts).
    public func network(source: String) throws -> TTFSNetwork {
        guard format == Self.currentFormat else {
            throw VolleyError.malformedData(source: source, reason: "format is \"\(format)\", expected \"\(Self.currentFormat)\"")
        }
        var net = try TTFSNetwork(layerSizes: layerSizes, threshold: threshold, delay: delay)
        net.weights = try JSONFile.weightLayers(weights, expected: net.weights.map(\.count), source: source)
        return net
    }

    /// Writes the file atomically (no half-written file on failure).
    public func write(to path: String) throws { try JSONFile.write(self, to: path) }

    /// Reads a file written by `write(to:)`.
    public static func read(from path: String) throws -> TTFSModelFile {
        try JSONFile.read(TTFSModelFile.self, from: path, what: "a \(currentFormat) model file")
    }
}

extension TTFSNetwork {
    /// Reads a model file written by `TTFSModelFile.write(to:)`.
    public static func load(path: String) throws -> TTFSNetwork {
        try TTFSModelFile.read(from: path).network(source: path)
    }
}
