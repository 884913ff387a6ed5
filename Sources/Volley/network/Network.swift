/// A spiking network as a value: populations (one neuron model or input process each) and
/// projections (CSR synapse matrices). Both engines run the same `Network` value; building one
/// never runs anything, and every engine made from it starts from the same initial state.
///
///     var net = Network()
///     let exc = try net.addPopulation("exc", size: 3200, model: LIFExp(tauM: 20))
///     try net.connect(exc, to: exc, pattern: .fixedProbability(0.02),
///                     weight: .constant(1.62), delay: .constant(0.1), receptor: Receptor.excitatory)
///     let sim = try EventDrivenSimulator(network: net)
public struct Network: Sendable {
    public private(set) var populations: [Population] = []
    public private(set) var projections: [Projection] = []
    /// Tags the ids this network issues (copies share it).
    public let identity = NetworkIdentity.make()

    public init() {}

    /// Total number of neurons (sources included).
    public var neuronCount: Int { populations.last.map { $0.offset + $0.size } ?? 0 }
    public var synapseCount: Int { projections.reduce(0) { $0 + $1.synapseCount } }

    /// The population with this id; a typed error for an id of another network.
    public func population(_ id: PopulationID) throws -> Population { try checkPopulation(id, "") }
    /// The projection with this id; a typed error for an id of another network.
    public func projection(_ id: ProjectionID) throws -> Projection { try checkProjection(id) }
    public func population(named name: String) -> PopulationID? {
        populations.first { $0.name == name }?.id
    }

    /// Adds `size` neurons of `model`. `initialPotentials` (mV), one per neuron, default to rest.
    /// With `firstSpikeOnly` each neuron fires at most once per run.
    @inlinable
    @discardableResult
    public mutating func addPopulation<M: NeuronModel>(
        _ name: String, size: Int, model: M, initialPotentials: [Double]? = nil,
        firstSpikeOnly: Bool = false
    ) throws -> PopulationID {
        try addPopulation(
            name, size: size, model: model, initialPotentials: initialPotentials.map { .values($0) },
            firstSpikeOnly: firstSpikeOnly)
    }

    /// Adds `size` neurons of `model` starting from `initialPotentials` (nil: rest).
    @inlinable
    @discardableResult
    public mutating func addPopulation<M: NeuronModel>(
        _ name: String, size: Int, model: M, initialPotentials: InitialPotentials?,
        firstSpikeOnly: Bool = false
    ) throws -> PopulationID {
        try model.validate()
        try checkNewPopulation(name: name, size: size)
        let v0 = try initialPotentials?.values(count: size, population: name)
        // Created here, where M is concrete, so the engines' kernels are specialised for M.
        let kernels = PopulationKernels(model: model, initialPotentials: v0, firstSpikeOnly: firstSpikeOnly)
        return appendPopulation(
            name: name, size: size, firstSpikeOnly: firstSpikeOnly, modelName: M.modelName,
            receptorCount: model.receptorCount, model: model, source: nil, kernels: kernels,
            initialPotentials: initialPotentials)
    }

    /// Adds a population of neurons that fire at the given times (ms), one train per neuron.
    @discardableResult
    public mutating func addSpikeSource(_ name: String, trains: [[Double]]) throws -> PopulationID {
        try checkNewPopulation(name: name, size: trains.count)
        let spikes = try SpikeTrains(trains, context: "spike source '\(name)'")
        return appendPopulation(
            name: name, size: trains.count, firstSpikeOnly: false, modelName: "spike_source",
            receptorCount: 0, model: nil, source: .spikeTrains(spikes), kernels: nil)
    }

    /// Adds `size` source neurons with no spikes yet (set them per sample with
    /// `setSpikeTrains(_:for:)` on the simulator).
    @discardableResult
    public mutating func addSpikeSource(_ name: String, size: Int) throws -> PopulationID {
        try checkNewPopulation(name: name, size: size)
        return appendPopulation(
            name: name, size: size, firstSpikeOnly: false, modelName: "spike_source",
            receptorCount: 0, model: nil, source: .spikeTrains(SpikeTrains(silent: size)), kernels: nil)
    }

    /// Adds independent Poisson processes with the given rates (Hz).
    @discardableResult
    public mutating func addPoissonSource(_ name: String, rates: [Double], seed: UInt64) throws
        -> PopulationID
    {
        try checkNewPopulation(name: name, size: rates.count)
        try PoissonProcesses.validate(rates, context: "Poisson source '\(name)'")
        return appendPopulation(
            name: name, size: rates.count, firstSpikeOnly: false, modelName: "poisson_source",
            receptorCount: 0, model: nil, source: .poisson(rates: rates, seed: seed), kernels: nil)
    }

    /// Connects `source` to `target` by a generated pattern. Weights (mV) and delays (ms) are drawn
    /// per synapse from stream (seed, row), so the result does not depend on generation order.
    /// `precision: .single` stores the weights as `Float` (4 instead of 8 bytes per synapse).
    @discardableResult
    public mutating func connect(
        _ source: PopulationID, to target: PopulationID, pattern: ConnectionPattern,
        weight: WeightSpec, delay: DelaySpec, receptor: Int = 0, seed: UInt64 = 0,
        precision: WeightPrecision = .double, name: String? = nil
    ) throws -> ProjectionID {
        let (src, tgt, label) = try checkProjection(source, target, receptor: receptor, name: name)
        let (structure, weights) = try ConnectivityGenerator.generate(
            pattern: pattern, weight: weight, delay: delay, sourceCount: src.size,
            targetCount: tgt.size, samePopulation: source == target, seed: seed,
            context: "projection '\(label)'")
        return try appendProjection(
            label, src, tgt, receptor, structure,
            try stored(weights, precision, label),
            recipe: ProjectionRecipe(pattern: pattern, weight: weight, delay: delay, seed: seed))
    }

    /// Connects `source` to `target` with an explicit synapse list (local indices).
    @discardableResult
    public mutating func connect(
        _ source: PopulationID, to target: PopulationID, synapses: [Synapse], receptor: Int = 0,
        precision: WeightPrecision = .double, name: String? = nil
    ) throws -> ProjectionID {
        let (src, tgt, label) = try checkProjection(source, target, receptor: receptor, name: name)
        var builder = SynapseListBuilder(
            sourceCount: src.size, targetCount: tgt.size, context: "projection '\(label)'")
        builder.reserve(synapses.count)
        for s in synapses {
            try builder.append(source: s.source, target: s.target, weight: s.weight, delay: s.delay)
        }
        let (structure, weights) = try builder.build()
        return try appendProjection(
            label, src, tgt, receptor, structure,
            try stored(weights, precision, label), recipe: .synapses)
    }

    /// The weights in the requested precision; single precision must hold every weight finitely.
    func stored(_ weights: WeightStore, _ precision: WeightPrecision, _ label: String) throws -> WeightStore {
        guard precision == .single else { return weights }
        let values = weights.array
        if let bad = values.firstIndex(where: { !Float($0).isFinite }) {
            throw VolleyError.invalidWeight(
                value: values[bad], context: "synapse \(bad) of projection '\(label)' (beyond Float's range for precision .single)")
        }
        return WeightStore(values, precision: .single)
    }

    /// Replaces the weights of a projection (one per synapse, CSR order), e.g. after training.
    /// For a plastic projection the weights must lie in the rule's bounds.
    public mutating func setWeights(_ weights: [Double], of projection: ProjectionID) throws {
        let p = try checkProjection(projection)
        guard weights.count == p.synapseCount else {
            throw VolleyError.invalidParameter(
                name: "weights", value: "\(weights.count) values",
                reason: "projection '\(p.name)' has \(p.synapseCount) synapses")
        }
        if let bad = weights.firstIndex(where: { !$0.isFinite }) {
            throw VolleyError.invalidWeight(
                value: weights[bad], context: "synapse \(bad) of projection '\(p.name)'")
        }
        try checkSigns(weights, onto: populations[p.target.index], p.name)
        try p.plasticity?.checkBounds(weights, p.name)
        projections[projection.index].weights = try stored(WeightStore(weights), p.weights.precision, p.name)
        projections[projection.index].recipe = .synapses
    }

    /// Makes a projection plastic (or static again with nil). Each simulator built from the
    /// network learns on its own copy of the weights; read them with `Simulator.weights(of:)`.
    /// The projection's weights must already lie in the rule's bounds (`Plasticity.weightBounds`).
    public mutating func setPlasticity(_ plasticity: Plasticity?, for projection: ProjectionID) throws {
        let p = try checkProjection(projection)
        try plasticity?.validate()
        try plasticity?.checkBounds(p.weights.array, p.name)
        if case let .stdp(rule)? = plasticity, rule.wMin < 0 {
            try checkSigns([rule.wMin], onto: populations[p.target.index], "\(p.name) (STDP wMin)")
        }
        projections[projection.index].plasticity = plasticity
    }

    // MARK: - Validation helpers

    @usableFromInline
    func checkNewPopulation(name: String, size: Int) throws {
        guard size > 0 else { throw VolleyError.emptyPopulation(name: name) }
        guard populations.allSatisfy({ $0.name != name }) else {
            throw VolleyError.invalidParameter(
                name: "name", value: name, reason: "a population with this name already exists")
        }
        guard neuronCount + size <= DeliveryEvent.maxNeurons else {
            throw VolleyError.unsupported("network would exceed \(DeliveryEvent.maxNeurons) neurons")
        }
    }

    @usableFromInline
    mutating func appendPopulation(
        name: String, size: Int, firstSpikeOnly: Bool, modelName: String, receptorCount: Int,
        model: (any NeuronModel)?, source: SourceKind?, kernels: PopulationKernels?,
        initialPotentials: InitialPotentials? = nil
    ) -> PopulationID {
        let id = PopulationID(populations.count, network: identity)
        populations.append(
            Population(
                id: id, name: name, size: size, offset: neuronCount, firstSpikeOnly: firstSpikeOnly,
                modelName: modelName, receptorCount: receptorCount, model: model, source: source,
                kernels: kernels, initialPotentials: initialPotentials))
        return id
    }

    /// The population of `id` (`role`: "source", "target", … for the message), or a typed error.
    func checkPopulation(_ id: PopulationID, _ role: String) throws -> Population {
        let what = role.isEmpty ? "population id" : "\(role) population id"
        guard id.network == identity else { throw VolleyError.idFromAnotherNetwork("\(what) \(id.index)") }
        guard id.index >= 0 && id.index < populations.count else {
            throw VolleyError.indexOutOfRange(index: id.index, count: populations.count, context: what)
        }
        return populations[id.index]
    }

    /// The projection of `id`, or a typed error.
    func checkProjection(_ id: ProjectionID) throws -> Projection {
        guard id.network == identity else { throw VolleyError.idFromAnotherNetwork("projection id \(id.index)") }
        guard id.index >= 0 && id.index < projections.count else {
            throw VolleyError.indexOutOfRange(index: id.index, count: projections.count, context: "projection id")
        }
        return projections[id.index]
    }

    func checkProjection(
        _ source: PopulationID, _ target: PopulationID, receptor: Int, name: String?
    ) throws -> (Population, Population, String) {
        let src = try checkPopulation(source, "source")
        let tgt = try checkPopulation(target, "target")
        let label = name ?? "\(src.name)→\(tgt.name)"
        guard !tgt.isSource else {
            throw VolleyError.invalidParameter(
                name: "target", value: tgt.name,
                reason: "\(tgt.modelName) population cannot receive synapses (projection '\(label)')")
        }
        guard receptor >= 0 && receptor < tgt.receptorCount else {
            throw VolleyError.indexOutOfRange(
                index: receptor, count: tgt.receptorCount,
                context: "receptor of projection '\(label)' onto \(tgt.modelName)")
        }
        guard projections.count < DeliveryEvent.maxProjections else {
            throw VolleyError.unsupported("a network holds at most \(DeliveryEvent.maxProjections) projections")
        }
        return (src, tgt, label)
    }

    /// Rejects a negative weight onto a model whose inputs are conductances.
    /// `weights` is evaluated only for such a model (no copy of a large projection otherwise).
    func checkSigns(_ weights: @autoclosure () -> [Double], onto target: Population, _ label: String) throws {
        guard target.requiresNonNegativeWeights else { return }
        let weights = weights()
        guard let bad = weights.firstIndex(where: { $0 < 0 }) else { return }
        throw VolleyError.invalidWeight(
            value: weights[bad],
            context: "synapse \(bad) of projection '\(label)': \(target.modelName) weights are conductances and must be ≥ 0")
    }

    mutating func appendProjection(
        _ label: String, _ src: Population, _ tgt: Population, _ receptor: Int,
        _ structure: SynapseStructure, _ weights: WeightStore, recipe: ProjectionRecipe
    ) throws -> ProjectionID {
        for i in 0..<structure.sourceCount
        where structure.groups(ofSource: i).count >= DeliveryEvent.maxGroupsPerRow {
            throw VolleyError.unsupported(
                "projection '\(label)': neuron \(i) has more than \(DeliveryEvent.maxGroupsPerRow) distinct delays")
        }
        try checkSigns(weights.array, onto: tgt, label)
        let id = ProjectionID(projections.count, network: identity)
        projections.append(
            Projection(
                id: id, name: label, source: src.id, target: tgt.id, receptor: receptor,
                structure: structure, weights: weights, recipe: recipe))
        return id
    }
}
