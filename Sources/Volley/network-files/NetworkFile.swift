import Foundation

/// A network or whole experiment as a JSON file (docs/network-files.md, field by field):
/// populations (neuron models with their parameters, or spike sources), projections (a
/// connectivity rule with its seed, or an explicit synapse list; optional plasticity), what to
/// record and how to run. `Experiment` builds the `Network` it describes and writes one back;
/// a file Volley wrote reads back into the same network and writes out byte-identical.
///
/// Keys are snake_case; times are in ms, potentials and current-based weights in mV, rates in Hz
/// (the units of the Swift API, NeuronModel).
public struct NetworkFile: Codable, Sendable, Equatable {
    /// The only format this version reads and writes.
    public static let currentFormat = "volley-network-1"

    public var format: String
    /// Free text: what the network is.
    public var description: String?
    public var populations: [PopulationEntry]
    public var projections: [ProjectionEntry]
    public var recording: RecordingEntry?
    public var run: RunEntry?

    public init(
        description: String? = nil, populations: [PopulationEntry], projections: [ProjectionEntry],
        recording: RecordingEntry? = nil, run: RunEntry? = nil
    ) {
        format = Self.currentFormat
        self.description = description
        self.populations = populations
        self.projections = projections
        self.recording = recording
        self.run = run
    }

    /// A group of neurons of one model, or a source of spikes (exactly one of `model`, `source`).
    public struct PopulationEntry: Codable, Sendable, Equatable {
        public var name: String
        /// Number of neurons (a spike-train source may leave it out: one neuron per train).
        public var size: Int?
        /// A model of `ModelCatalog` ("lif_exp", …).
        public var model: String?
        /// The model's parameters by file name; those left out keep the model's defaults.
        public var parameters: [String: ParameterValue]?
        public var initialPotentials: InitialPotentialsEntry?
        /// Per-neuron values of the model's state variables at t = 0 (ModelCatalog's
        /// `stateVariables`, e.g. `"theta"`), one list per variable.
        public var initialState: [String: [Double]]?
        public var firstSpikeOnly: Bool?
        public var source: SourceEntry?

        enum CodingKeys: String, CodingKey {
            case name, size, model, parameters, source
            case initialPotentials = "initial_potentials", initialState = "initial_state", firstSpikeOnly = "first_spike_only"
        }
    }

    /// Membrane potentials at t = 0 (mV): one per neuron, or uniform in [low, high) from a seed.
    public enum InitialPotentialsEntry: Codable, Sendable, Equatable {
        case values([Double])
        case uniform(low: Double, high: Double, seed: UInt64?)

        struct Uniform: Codable { var uniform: [Double]; var seed: UInt64? }

        public init(from decoder: any Decoder) throws {
            if let values = try? [Double](from: decoder) {
                self = .values(values)
                return
            }
            let u = try Uniform(from: decoder)
            guard u.uniform.count == 2 else {
                throw DecodingError.dataCorrupted(.init(
                    codingPath: decoder.codingPath, debugDescription: "\"uniform\" takes [low, high] (mV)"))
            }
            self = .uniform(low: u.uniform[0], high: u.uniform[1], seed: u.seed)
        }

        public func encode(to encoder: any Encoder) throws {
            switch self {
            case let .values(v): try v.encode(to: encoder)
            case let .uniform(low, high, seed): try Uniform(uniform: [low, high], seed: seed).encode(to: encoder)
            }
        }
    }

    /// Where a source population's spikes come from: `kind` "poisson" (`rate_hz` for all, or
    /// `rates_hz` one per neuron; `seed`), "spike_trains" (`trains_ms`, one list per neuron), or
    /// "event_file" (`path` of an event-camera recording, relative to the network file, in
    /// `format` "nmnist" (34 × 34) or "caltech101" (240 × 180): one neuron per polarity and pixel,
    /// each event a spike at its exact time).
    public struct SourceEntry: Codable, Sendable, Equatable {
        public var kind: String
        public var rateHz: Double?
        public var ratesHz: [Double]?
        public var seed: UInt64?
        public var trainsMs: [[Double]]?
        public var path: String?
        public var format: String?

        enum CodingKeys: String, CodingKey {
            case kind, seed, path, format, rateHz = "rate_hz", ratesHz = "rates_hz", trainsMs = "trains_ms"
        }
    }

    /// Synapses from `source` to `target` onto one receptor (0 / "excitatory", 1 / "inhibitory").
    public struct ProjectionEntry: Codable, Sendable, Equatable {
        public var name: String?
        public var source: String
        public var target: String
        public var receptor: ReceptorEntry?
        public var connectivity: ConnectivityEntry
        /// Weights (mV; dimensionless or nS for conductance models, see the model).
        public var weight: ValueEntry?
        /// Delays (ms).
        public var delay: ValueEntry?
        /// Seed of the connectivity rule and of drawn weights and delays.
        public var seed: UInt64?
        /// "double" (8 bytes per weight) or "single" (4).
        public var precision: String?
        public var plasticity: PlasticityEntry?
    }

    /// A receptor port: its index or "excitatory" (0) / "inhibitory" (1).
    public enum ReceptorEntry: Codable, Sendable, Equatable {
        case index(Int)
        case named(String)

        public init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let i = try? c.decode(Int.self) { self = .index(i) } else { self = .named(try c.decode(String.self)) }
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case let .index(i): try c.encode(i)
            case let .named(s): try c.encode(s)
            }
        }
    }

    /// Which pairs are connected: `rule` is "all_to_all", "one_to_one", "fixed_probability"
    /// (`p`), "fixed_in_degree" / "fixed_out_degree" (`k`), "pairs" (`pairs`: [[source, target]]),
    /// "synapses" (`sources`, `targets`: one entry per synapse, weights and delays in `weight`,
    /// `delay`), "convolution" / "pooling" (`geometry`; a convolution's `weight` is its kernel).
    public struct ConnectivityEntry: Codable, Sendable, Equatable {
        public var rule: String
        public var p: Double?
        public var k: Int?
        public var allowAutapses: Bool?
        public var allowMultapses: Bool?
        public var pairs: [[Int]]?
        public var sources: [Int]?
        public var targets: [Int]?
        public var convolution: ConvolutionGeometry?
        public var pooling: PoolingGeometry?

        enum CodingKeys: String, CodingKey {
            case rule, p, k, pairs, sources, targets, convolution, pooling
            case allowAutapses = "allow_autapses", allowMultapses = "allow_multapses"
        }

        public init(rule: String) { self.rule = rule }
    }

    /// Weights or delays: a number (the same for every synapse), a list (one per synapse, in
    /// generation order), or a distribution: {"distribution": "uniform", "low", "high"},
    /// {"distribution": "normal", "mean", "sd"}; delays also {"terminals": [d₁, …]} (one synapse
    /// per delay and connected pair, SpikeProp's multi-terminal connections).
    public enum ValueEntry: Codable, Sendable, Equatable {
        case constant(Double)
        case values([Double])
        case uniform(low: Double, high: Double)
        case normal(mean: Double, sd: Double)
        case terminals([Double])

        struct Object: Codable {
            var distribution: String?
            var low, high, mean, sd: Double?
            var terminals: [Double]?
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let x = try? c.decode(Double.self) {
                self = .constant(x)
                return
            }
            if let xs = try? c.decode([Double].self) {
                self = .values(xs)
                return
            }
            guard let o = try? c.decode(Object.self) else {
                throw DecodingError.dataCorruptedError(
                    in: c, debugDescription: "expected a number, a list of numbers, {\"distribution\": \"uniform\"|\"normal\", …} or {\"terminals\": […]}")
            }
            func need(_ x: Double?, _ key: String) throws -> Double {
                guard let x else {
                    throw DecodingError.dataCorruptedError(in: c, debugDescription: "distribution \"\(o.distribution ?? "")\" needs \"\(key)\"")
                }
                return x
            }
            switch (o.distribution, o.terminals) {
            case ("uniform", nil): self = .uniform(low: try need(o.low, "low"), high: try need(o.high, "high"))
            case ("normal", nil): self = .normal(mean: try need(o.mean, "mean"), sd: try need(o.sd, "sd"))
            case (nil, let t?): self = .terminals(t)
            default:
                throw DecodingError.dataCorruptedError(
                    in: c, debugDescription: "expected a number, a list, {\"distribution\": \"uniform\"|\"normal\", …} or {\"terminals\": […]}")
            }
        }

        public func encode(to encoder: any Encoder) throws {
            switch self {
            case let .constant(x):
                var c = encoder.singleValueContainer()
                try c.encode(x)
            case let .values(xs): try xs.encode(to: encoder)
            case let .uniform(low, high): try Object(distribution: "uniform", low: low, high: high).encode(to: encoder)
            case let .normal(mean, sd): try Object(distribution: "normal", mean: mean, sd: sd).encode(to: encoder)
            case let .terminals(t): try Object(terminals: t).encode(to: encoder)
            }
        }
    }

    /// A learning rule (`rule`: "stdp" or "diehl_cook") and its parameters.
    public struct PlasticityEntry: Codable, Sendable, Equatable {
        public var rule: String
        public var parameters: [String: ParameterValue]?
    }

    /// What to record: the spikes of "all", "none" or the named populations, and the membrane
    /// potential of some neurons every `interval_ms`.
    public struct RecordingEntry: Codable, Sendable, Equatable {
        public var spikes: SpikeSelection?
        public var potentials: [PotentialEntry]?

        public struct PotentialEntry: Codable, Sendable, Equatable {
            public var population: String
            public var neurons: [Int]
            public var intervalMs: Double
            enum CodingKeys: String, CodingKey { case population, neurons, intervalMs = "interval_ms" }
        }
    }

    /// "all", "none", or a list of population names.
    public enum SpikeSelection: Codable, Sendable, Equatable {
        case all
        case none
        case populations([String])

        public init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let names = try? c.decode([String].self) {
                self = .populations(names)
                return
            }
            switch try c.decode(String.self) {
            case "all": self = .all
            case "none": self = .none
            default: throw DecodingError.dataCorruptedError(in: c, debugDescription: "expected \"all\", \"none\" or a list of population names")
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .all: try c.encode("all")
            case .none: try c.encode("none")
            case let .populations(names): try c.encode(names)
            }
        }
    }

    /// How to run: `duration_ms`, `engine` ("event" or "stepped"), `dt_ms` (stepped engine),
    /// `threads` (absent: automatic), `seed` (of every rule or source that states none).
    public struct RunEntry: Codable, Sendable, Equatable {
        public var durationMs: Double?
        public var engine: String?
        public var dtMs: Double?
        public var threads: Int?
        public var seed: UInt64?

        enum CodingKeys: String, CodingKey {
            case engine, threads, seed, durationMs = "duration_ms", dtMs = "dt_ms"
        }
    }
}

extension NetworkFile {
    /// The file at `path`; a typed error naming the path and the JSON path of what is wrong.
    public static func read(from path: String) throws -> NetworkFile {
        try decode(try FileProblem.read(path), source: path)
    }

    /// Decodes a network file from `data` (`source` names it in errors).
    public static func decode(_ data: Data, source: String) throws -> NetworkFile {
        try JSONFile.decodeFormat(
            NetworkFile.self, from: data, source: source, what: "a network file", format: currentFormat, formatOf: \.format)
    }

    /// The canonical text: sorted keys, indented, shortest round-trip numbers.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        var data = try encoder.encode(self)
        data.append(0x0A)
        return data
    }

    /// Writes the canonical text atomically (never a half-written file).
    public func write(to path: String) throws {
        do {
            try encoded().write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw VolleyError.fileError(path: path, reason: FileProblem.describe(path, writing: true, fallback: error))
        }
    }
}
