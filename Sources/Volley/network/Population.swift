/// A population of one `Network`: its index there and the identity of the network that issued it.
/// Only `Network.addPopulation`/`addSpikeSource`/`addPoissonSource` create ids; an id used with a
/// simulator or network that did not issue it (or a copy of it) raises
/// `VolleyError.idFromAnotherNetwork` instead of reading another population's data.
public struct PopulationID: Hashable, Sendable, CustomStringConvertible {
    public let index: Int
    public let network: NetworkIdentity
    init(_ index: Int, network: NetworkIdentity) {
        self.index = index
        self.network = network
    }
    public var description: String { "population \(index)" }
}

/// The identity of a `Network` value, shared by its copies: a random 64-bit tag drawn when the
/// network is created, so ids of two networks are never confused.
public struct NetworkIdentity: Hashable, Sendable {
    let tag: UInt64
    static func make() -> NetworkIdentity { NetworkIdentity(tag: UInt64.random(in: 1...UInt64.max)) }
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
    /// Builders of the population's runtime in each engine (model populations; created where the
    /// model type is concrete).
    @usableFromInline let kernels: PopulationKernels?
    /// The potentials the population starts from (nil: rest; always nil for sources).
    public let initialPotentials: InitialPotentials?
    /// Whether weights onto the population must be ≥ 0 (`NonNegativeWeights` models).
    public let requiresNonNegativeWeights: Bool

    public var isSource: Bool { source != nil }

    @usableFromInline
    init(
        id: PopulationID, name: String, size: Int, offset: Int, firstSpikeOnly: Bool,
        modelName: String, receptorCount: Int, model: (any NeuronModel)?, source: SourceKind?,
        kernels: PopulationKernels?, initialPotentials: InitialPotentials? = nil
    ) {
        self.initialPotentials = initialPotentials
        self.id = id
        self.name = name
        self.size = size
        self.offset = offset
        self.firstSpikeOnly = firstSpikeOnly
        self.modelName = modelName
        self.receptorCount = receptorCount
        self.model = model
        self.source = source
        self.kernels = kernels
        requiresNonNegativeWeights = model is any NonNegativeWeights
    }

    var layout: PopulationLayout {
        PopulationLayout(index: id.index, offset: offset, count: size, firstSpikeOnly: firstSpikeOnly)
    }
}
