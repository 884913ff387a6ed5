/// Index of a projection in its `Network`.
public struct ProjectionID: Hashable, Sendable, CustomStringConvertible {
    public let index: Int
    /// The network that issued the id (see `PopulationID`).
    public let network: NetworkIdentity
    init(_ index: Int, network: NetworkIdentity) {
        self.index = index
        self.network = network
    }
    public var description: String { "projection \(index)" }
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
