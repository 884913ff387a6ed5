import Foundation

/// The JSON file of a trained `EventPropNetwork` (format "volley-eventprop-1"), written and read
/// with Foundation's `JSONEncoder`/`JSONDecoder`: the LIF layers with their parameters (ms, mV),
/// the projections as synapse lists with weights (mV of R·I) and delays (ms), the loss and trial
/// length, and the input code the network was trained on.
public struct EventPropModelFile: Codable, Sendable {
    public static let currentFormat = "volley-eventprop-1"

    public struct Layer: Codable, Sendable {
        public var name: String
        public var size: Int
        public var tauMMs: Double
        public var tauSynMs: Double
        public var vRestMv: Double
        public var vResetMv: Double
        public var vThresholdMv: Double
        public var biasMv: Double
        public var spiking: Bool

        enum CodingKeys: String, CodingKey {
            case name, size, tauMMs = "tau_m_ms", tauSynMs = "tau_syn_ms", vRestMv = "v_rest_mv", vResetMv = "v_reset_mv"
            case vThresholdMv = "v_threshold_mv", biasMv = "bias_mv", spiking
        }
    }

    public struct Projection: Codable, Sendable {
        public var source: Int
        public var target: Int
        public var pre: [Int]
        public var post: [Int]
        public var weights: [Double]
        public var delaysMs: [Double]

        enum CodingKeys: String, CodingKey { case source, target, pre, post, weights, delaysMs = "delays_ms" }
    }

    /// How samples were turned into spikes: the task and its latency window (ms).
    public struct InputCode: Codable, Sendable, Equatable {
        public var task: String
        public var tMinMs: Double
        public var tMaxMs: Double
        public var tBiasMs: Double?

        public init(task: String, tMinMs: Double, tMaxMs: Double, tBiasMs: Double?) {
            self.task = task
            self.tMinMs = tMinMs
            self.tMaxMs = tMaxMs
            self.tBiasMs = tBiasMs
        }

        enum CodingKeys: String, CodingKey { case task, tMinMs = "t_min_ms", tMaxMs = "t_max_ms", tBiasMs = "t_bias_ms" }
    }

    public var format: String
    public var inputSize: Int
    public var layers: [Layer]
    public var projections: [Projection]
    /// "max", "mean", "ttfs" (τ₀, τ₁, α — and β of the missing-label term when it is not 0 — of the first-spike loss in `ttfs`) or "count".
    public var loss: String
    public var ttfs: [Double]?
    public var durationMs: Double
    public var inputCode: InputCode
    public var seed: UInt64?
    public var epochs: Int?

    enum CodingKeys: String, CodingKey {
        case format, inputSize = "input_size", layers, projections, loss, ttfs, durationMs = "duration_ms"
        case inputCode = "input_code", seed, epochs
    }

    public init(network: EventPropNetwork, loss: EventPropLoss, duration: Double, inputCode: InputCode, seed: UInt64? = nil, epochs: Int? = nil) {
        format = Self.currentFormat
        inputSize = network.inputSize
        layers = network.layers.map {
            let m = $0.model
            return Layer(
                name: $0.name, size: $0.size, tauMMs: m.tauM, tauSynMs: m.tauSynExc, vRestMv: m.vRest, vResetMv: m.vReset,
                vThresholdMv: m.vThreshold, biasMv: m.bias, spiking: $0.spiking)
        }
        projections = network.projections.map {
            Projection(source: $0.source, target: $0.target, pre: $0.pre, post: $0.post, weights: $0.weights, delaysMs: $0.delays)
        }
        switch loss {
        case .maxPotential: self.loss = "max"
        case .meanPotential: self.loss = "mean"
        case let .firstSpike(tau0, tau1, alpha, missing):
            self.loss = "ttfs"
            ttfs = missing == 0 ? [tau0, tau1, alpha] : [tau0, tau1, alpha, missing]
        case .spikeCount: self.loss = "count"
        }
        durationMs = duration
        self.inputCode = inputCode
        self.seed = seed
        self.epochs = epochs
    }

    /// The network, loss and trial length the file describes, validated; errors name `source`.
    public func model(source: String) throws -> (network: EventPropNetwork, loss: EventPropLoss, duration: Double) {
        func fail(_ reason: String) -> VolleyError { .malformedData(source: source, reason: reason) }
        guard format == Self.currentFormat else { throw fail("format is \"\(format)\", expected \"\(Self.currentFormat)\"") }
        let loss: EventPropLoss
        switch self.loss {
        case "max": loss = .maxPotential
        case "mean": loss = .meanPotential
        case "ttfs":
            guard let t = ttfs, t.count == 3 || t.count == 4 else { throw fail("'ttfs' must hold τ₀, τ₁, α (and β) for loss \"ttfs\"") }
            loss = .firstSpike(tau0: t[0], tau1: t[1], alpha: t[2], missing: t.count == 4 ? t[3] : 0)
        case "count": loss = .spikeCount
        default: throw fail("'loss' is \"\(self.loss)\", expected max, mean, ttfs or count")
        }
        let network = EventPropNetwork(
            inputSize: inputSize,
            layers: layers.map {
                Layer.model($0)
            },
            projections: projections.map {
                EventPropNetwork.Projection(source: $0.source, target: $0.target, pre: $0.pre, post: $0.post, weights: $0.weights, delays: $0.delaysMs)
            })
        do {
            try loss.validate()
            try network.validate()
            try network.checkSample(label: 0, duration: durationMs, loss: loss)
        } catch let error as VolleyError {
            throw fail("\(error)")
        }
        return (network, loss, durationMs)
    }

    /// Writes the file atomically (no half-written file on failure).
    public func write(to path: String) throws { try JSONFile.write(self, to: path) }

    public static func read(from path: String) throws -> EventPropModelFile {
        try JSONFile.read(EventPropModelFile.self, from: path, what: "a \(currentFormat) model file")
    }
}

extension EventPropModelFile.Layer {
    static func model(_ l: Self) -> EventPropNetwork.Layer {
        EventPropNetwork.Layer(
            name: l.name, size: l.size,
            model: LIFExp(
                tauM: l.tauMMs, tauSynExc: l.tauSynMs, tauSynInh: l.tauSynMs, vRest: l.vRestMv, vReset: l.vResetMv,
                vThreshold: l.vThresholdMv, tRef: 0, bias: l.biasMv),
            spiking: l.spiking)
    }
}
