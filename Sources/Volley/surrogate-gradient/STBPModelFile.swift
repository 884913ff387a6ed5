import Foundation

/// The JSON file of a trained `STBPNetwork` (format "volley-stbp-1"), through Foundation's
/// `JSONEncoder`/`JSONDecoder`: layer sizes, how each layer connects (`connections`, absent for
/// an all-dense network), the LIF parameters (ms, mV; `reset`, `tau_syn_ms` and the adaptation
/// `beta_mv`/`tau_adapt_ms` absent for STBP's reset-to-value delta LIF), dt (ms), the readout, the learned weights
/// (mV; dense weights[l][i·nₗ₊₁ + j], convolution kernels, nothing for pooling), and how the
/// network was trained.
public struct STBPModelFile: Codable, Equatable, Sendable {
    public static let currentFormat = "volley-stbp-1"
    public var format: String
    public var layerSizes: [Int]
    public var connections: [STBPConnection]?
    public var tauM: Double
    /// τm (ms) of each non-input layer when it differs from `tauM` (a learned leak).
    public var layerTauM: [Double]?
    public var vRest: Double
    public var vReset: Double
    public var vThreshold: Double
    /// "value" or "subtract" (`ResetMode`); absent: "value".
    public var reset: String?
    /// τₛ (ms) of exponential synapses; absent: delta synapses.
    public var tauSyn: Double?
    /// Threshold adaptation β (mV) and τ_adapt (ms); absent: none.
    public var beta: Double?
    public var tauAdapt: Double?
    public var dt: Double
    public var readout: String
    public var weights: [[Double]]
    /// Input steps of the samples the network was trained on.
    public var inputSteps: Int?
    /// Input steps it is evaluated with, when they differ from `inputSteps` (a longer inference
    /// window); absent: `inputSteps`.
    public var evalInputSteps: Int?
    public var seed: UInt64?
    public var epochs: Int?

    enum CodingKeys: String, CodingKey {
        case format, layerSizes = "layer_sizes", connections, tauM = "tau_m_ms", vRest = "v_rest_mv", vReset = "v_reset_mv"
        case vThreshold = "v_threshold_mv", reset, tauSyn = "tau_syn_ms", beta = "beta_mv", tauAdapt = "tau_adapt_ms", layerTauM = "layer_tau_m_ms", dt = "dt_ms", readout, weights, inputSteps = "input_steps", seed, epochs
        case evalInputSteps = "eval_input_steps"
    }

    public init(network: STBPNetwork, inputSteps: Int? = nil, evalInputSteps: Int? = nil, seed: UInt64? = nil, epochs: Int? = nil) {
        format = Self.currentFormat
        layerSizes = network.layerSizes
        connections = network.connections.allSatisfy { $0.kind == .dense } ? nil : network.connections
        tauM = network.neuron.tauM
        layerTauM = network.membraneTimeConstants.allSatisfy { $0 == network.neuron.tauM } ? nil : network.membraneTimeConstants
        vRest = network.neuron.vRest
        vReset = network.neuron.vReset
        vThreshold = network.neuron.vThreshold
        reset = network.neuron.reset == .toValue ? nil : network.neuron.reset.rawValue
        tauSyn = network.synapse.tauSyn
        beta = network.adaptation?.beta
        tauAdapt = network.adaptation?.tauAdapt
        dt = network.dt
        readout = network.readout.rawValue
        weights = network.weights
        self.inputSteps = inputSteps
        self.evalInputSteps = evalInputSteps == inputSteps ? nil : evalInputSteps
        self.seed = seed
        self.epochs = epochs
    }

    /// The network the file describes, validated (parameters, sizes, finite weights).
    public func network(source: String) throws -> STBPNetwork {
        guard format == Self.currentFormat else {
            throw VolleyError.malformedData(source: source, reason: "format is \"\(format)\", expected \"\(Self.currentFormat)\"")
        }
        guard let kind = STBPNetwork.Readout(rawValue: readout) else {
            throw VolleyError.malformedData(source: source, reason: "readout \"\(readout)\" is not spike-count or potential")
        }
        guard let resetMode = ResetMode(rawValue: reset ?? ResetMode.toValue.rawValue) else {
            throw VolleyError.malformedData(source: source, reason: "reset \"\(reset!)\" is not value or subtract")
        }
        for (key, value) in [("input_steps", inputSteps), ("eval_input_steps", evalInputSteps)] {
            if let value, !(1...100_000).contains(value) {
                throw VolleyError.malformedData(source: source, reason: "\(key) is \(value), must be in 1…100000")
            }
        }
        guard (beta == nil) == (tauAdapt == nil) else {
            throw VolleyError.malformedData(source: source, reason: "beta_mv and tau_adapt_ms come together (adaptation), or neither")
        }
        var net: STBPNetwork
        do {
            net = try STBPNetwork(
                layerSizes: layerSizes, connections: connections,
                neuron: LIFDelta(tauM: tauM, vRest: vRest, vReset: vReset, vThreshold: vThreshold, tRef: 0, reset: resetMode),
                synapse: tauSyn.map { .exponential(tauSyn: $0) } ?? .delta,
                adaptation: beta.map { STBPAdaptation(beta: $0, tauAdapt: tauAdapt!) }, dt: dt, readout: kind)
        } catch let error as VolleyError {
            throw VolleyError.malformedData(source: source, reason: "\(error)")
        }
        if let taus = layerTauM {
            guard taus.count == net.layerCount - 1 else {
                throw VolleyError.malformedData(source: source, reason: "layer_tau_m_ms holds \(taus.count) values, expected \(net.layerCount - 1)")
            }
            if let k = taus.firstIndex(where: { !($0.isFinite && $0 > 0) }) {
                throw VolleyError.malformedData(source: source, reason: "layer_tau_m_ms[\(k)] is \(taus[k]), must be a finite time constant > 0 ms")
            }
            net.membraneTimeConstants = taus
        }
        net.weights = try JSONFile.weightLayers(weights, expected: net.weights.map(\.count), source: source)
        return net
    }

    /// Writes the file atomically (no half-written file on failure).
    public func write(to path: String) throws { try JSONFile.write(self, to: path) }

    public static func read(from path: String) throws -> STBPModelFile {
        try JSONFile.read(STBPModelFile.self, from: path, what: "a \(currentFormat) model file")
    }
}
