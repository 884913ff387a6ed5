/// Index of a population in its `Network`.
public struct PopulationID: Hashable, Sendable, CustomStringConvertible {
    public let index: Int
    public init(_ index: Int) { self.index = index }
    public var description: String { "population \(index)" }
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
    /// Whether weights onto the population must be ≥ 0 (`NonNegativeWeights` models).
    public let requiresNonNegativeWeights: Bool

    public var isSource: Bool { source != nil }

    @usableFromInline
    init(
        id: PopulationID, name: String, size: Int, offset: Int, firstSpikeOnly: Bool,
        modelName: String, receptorCount: Int, model: (any NeuronModel)?, source: SourceKind?,
        kernels: PopulationKernels?
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
        self.kernels = kernels
        requiresNonNegativeWeights = model is any NonNegativeWeights
    }

    var layout: PopulationLayout {
        PopulationLayout(index: id.index, offset: offset, count: size, firstSpikeOnly: firstSpikeOnly)
    }
}
