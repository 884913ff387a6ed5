/// Index of a population in its `Network`.
public struct PopulationID: Hashable, Sendable, CustomStringConvertible {
    public let index: Int
    public init(_ index: Int) { self.index = index }
    public var description: String { "population \(index)" }
}

/// Index of a projection in its `Network`.
public struct ProjectionID: Hashable, Sendable, CustomStringConvertible {
    public let index: Int
    public init(_ index: Int) { self.index = index }
    public var description: String { "projection \(index)" }
}

/// Explicit spike times (ms) for each neuron of a source population, stored flat.
public struct SpikeTrains: Sendable, Equatable {
    /// Train i is `times[starts[i] ..< starts[i+1]]`, sorted ascending.
    public private(set) var starts: [Int]
    public private(set) var times: [Double]

    /// Validates (finite, ≥ 0) and sorts each train. Duplicate times are kept: two spikes at the
    /// same instant deliver twice.
    public init(_ trains: [[Double]], context: String = "spike trains") throws {
        starts = [0]
        starts.reserveCapacity(trains.count + 1)
        times = []
        times.reserveCapacity(trains.reduce(0) { $0 + $1.count })
        for (i, train) in trains.enumerated() {
            for t in train where !(t.isFinite && t >= 0) {
                throw VolleyError.invalidSpikeTime(value: t, context: "\(context), neuron \(i)")
            }
            times.append(contentsOf: train.sorted())
            starts.append(times.count)
        }
    }

    /// `count` neurons that never fire.
    public init(silent count: Int) {
        starts = [Int](repeating: 0, count: count + 1)
        times = []
    }

    public var count: Int { starts.count - 1 }
    public var spikeCount: Int { times.count }
    public func train(_ i: Int) -> ArraySlice<Double> { times[starts[i]..<starts[i + 1]] }
}

/// Where a source population's spikes come from.
public enum SourceKind: Sendable {
    /// Explicit spike times per neuron (replaceable between runs).
    case spikeTrains(SpikeTrains)
    /// Independent homogeneous Poisson processes, rates in Hz (changeable during a run); neuron i
    /// draws from stream (seed, population index, i), identically in both engines.
    case poisson(rates: [Double], seed: UInt64)
}

/// Placement of a population's neurons inside an engine.
public struct PopulationLayout: Sendable {
    public let index: Int
    /// Global id of the first neuron.
    public let offset: Int
    public let count: Int
    public let firstSpikeOnly: Bool
}

/// A group of neurons sharing one model (or one input process).
public struct Population: Sendable {
    public let id: PopulationID
    public let name: String
    public let size: Int
    /// Global id of the first neuron: neurons are numbered population by population.
    public let offset: Int
    /// Each neuron fires at most once per run (time-to-first-spike coding); later inputs to a
    /// neuron that has fired are ignored and it is never queued again.
    public let firstSpikeOnly: Bool
    /// Model name ("lif_exp"), or "spike_source" / "poisson_source".
    public let modelName: String
    public let receptorCount: Int
    /// Parameters of the model, for introspection; nil for sources.
    public let model: (any NeuronModel)?
    /// Source process; nil for model populations.
    public let source: SourceKind?
    /// Builds the specialized per-engine runtime (created where the model type is concrete).
    @usableFromInline let makeKernel: (@Sendable (PopulationLayout) -> PopulationKernel)?

    public var isSource: Bool { source != nil }

    @usableFromInline
    init(
        id: PopulationID, name: String, size: Int, offset: Int, firstSpikeOnly: Bool,
        modelName: String, receptorCount: Int, model: (any NeuronModel)?, source: SourceKind?,
        makeKernel: (@Sendable (PopulationLayout) -> PopulationKernel)?
    ) {
        self.id = id
        self.name = name
        self.size = size
        self.offset = offset
        self.firstSpikeOnly = firstSpikeOnly
        self.modelName = modelName
        self.receptorCount = receptorCount
        self.model = model
        self.source = source
        self.makeKernel = makeKernel
    }

    var layout: PopulationLayout {
        PopulationLayout(index: id.index, offset: offset, count: size, firstSpikeOnly: firstSpikeOnly)
    }
}

/// Synapses from one population to another, onto one receptor port of the target model.
public struct Projection: Sendable {
    public let id: ProjectionID
    public let name: String
    public let source: PopulationID
    public let target: PopulationID
    public let receptor: Int
    public let structure: SynapseStructure
    public internal(set) var weights: WeightStore
    /// Learning rule of the projection (nil: static weights); see `Network.setPlasticity`.
    public internal(set) var plasticity: Plasticity? = nil

    public var synapseCount: Int { structure.synapseCount }
    /// Bytes of the CSR structure plus weights.
    public var memoryBytes: Int { structure.memoryBytes + weights.memoryBytes }
}
