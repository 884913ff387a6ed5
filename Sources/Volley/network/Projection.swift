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
    /// How the synapses were made, so a network file can say it the same way (`ProjectionRecipe`).
    public internal(set) var recipe: ProjectionRecipe

    public var synapseCount: Int { structure.synapseCount }
    /// Bytes of the CSR structure plus weights.
    public var memoryBytes: Int { structure.memoryBytes + weights.memoryBytes }
}

/// How a projection's synapses were made: what a network file writes for it. Generated and
/// structured projections are written as their rule (a few lines, re-generated identically);
/// explicit ones, and any projection whose weights were replaced, as their synapse list.
public enum ProjectionRecipe: Sendable {
    /// `Network.connect(_:to:pattern:weight:delay:…)` with these arguments.
    case generated(pattern: ConnectionPattern, weight: WeightSpec, delay: DelaySpec, seed: UInt64)
    /// An explicit synapse list, or weights replaced after construction.
    case synapses
    /// `Network.connect(_:to:convolution:kernel:delay:…)`.
    case convolution(ConvolutionGeometry, kernel: [Double], delay: Double)
    /// `Network.connect(_:to:pooling:weight:delay:…)`.
    case pooling(PoolingGeometry, weight: Double, delay: Double)
}

extension ProjectionRecipe {
    /// The recipe of a generated projection: its rule and seed — unless the arguments are
    /// per-synapse lists (`.values`, `.explicit` pairs), which would keep a second copy of every
    /// synapse's data; those are written as their synapse list, which says the same.
    init(pattern: ConnectionPattern, weight: WeightSpec, delay: DelaySpec, seed: UInt64) {
        switch (pattern, weight, delay) {
        case (.explicit, _, _), (_, .values, _), (_, _, .values): self = .synapses
        default: self = .generated(pattern: pattern, weight: weight, delay: delay, seed: seed)
        }
    }
}
