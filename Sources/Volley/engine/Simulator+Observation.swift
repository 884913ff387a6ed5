extension Simulator {
    // MARK: Spikes

    /// The recorded spikes of one population, in the order they were emitted: local neuron
    /// indices and times (ms). Empty for a population left out of `recording`.
    public func spikes(of population: PopulationID) throws -> (neurons: [UInt32], times: [Double]) {
        let p = try self.population(population)
        return (spikes.neurons[p.id.index], spikes.times[p.id.index])
    }

    /// Spike count of every neuron of one population (counted whether recorded or not).
    public func spikeCounts(of population: PopulationID) throws -> [Int] {
        let p = try self.population(population)
        return spikeCountOfNeuron[p.offset..<(p.offset + p.size)].map { Int($0) }
    }

    /// Total spikes emitted by one population so far (counted whether recorded or not).
    public func spikeCount(of population: PopulationID) throws -> Int {
        spikeCountOfPopulation[try self.population(population).id.index]
    }

    // MARK: Neuron states

    /// Membrane potential (mV) of one neuron at the current time.
    public func potential(of population: PopulationID, neuron: Int) throws -> Double {
        let p = try self.population(population)
        guard let runtime = runtimes[p.id.index] else {
            throw VolleyError.unsupported("population '\(p.name)' is a source and has no potential")
        }
        guard neuron >= 0 && neuron < p.size else {
            throw VolleyError.indexOutOfRange(index: neuron, count: p.size, context: "neuron of '\(p.name)'")
        }
        return runtime.potential(neuron, time)
    }

    /// The state of one neuron at the current time, for a population of model `M`.
    public func state<M: NeuronModel>(of population: PopulationID, neuron: Int, as model: M.Type) throws -> M.State {
        let (p, access) = try stateAccess(population, M.self)
        guard neuron >= 0 && neuron < p.size else {
            throw VolleyError.indexOutOfRange(index: neuron, count: p.size, context: "neuron of '\(p.name)'")
        }
        return access.state(neuron, at: time)
    }

    /// Replaces the states that `reset()` restores for a population of model `M` (one per
    /// neuron), e.g. the learned adaptive thresholds of a trained network. Takes effect at the
    /// next `reset()`.
    public func setInitialStates<M: NeuronModel>(_ newStates: [M.State], of population: PopulationID, as model: M.Type) throws {
        let (p, access) = try stateAccess(population, M.self)
        guard newStates.count == p.size else {
            throw VolleyError.invalidParameter(
                name: "states", value: "\(newStates.count) states", reason: "population '\(p.name)' has \(p.size) neurons")
        }
        access.setInitialStates(newStates)
    }

    func stateAccess<M: NeuronModel>(_ population: PopulationID, _: M.Type) throws -> (Population, any NeuronStateAccess<M>) {
        let p = try self.population(population)
        guard let access = runtimes[p.id.index]?.states as? any NeuronStateAccess<M> else {
            throw VolleyError.unsupported("population '\(p.name)' is not a \(M.modelName) population")
        }
        return (p, access)
    }

    /// Samples the membrane potential of `neurons` every `interval` ms from time 0 on (call
    /// before running). Returns the recording's index in `stateRecordings`.
    @discardableResult
    public func recordPotentials(of population: PopulationID, neurons: [Int], every interval: Double) throws -> Int {
        let p = try self.population(population)
        guard !p.isSource else {
            throw VolleyError.unsupported("population '\(p.name)' is a source and has no potential")
        }
        for i in neurons where i < 0 || i >= p.size {
            throw VolleyError.indexOutOfRange(index: i, count: p.size, context: "recorded neuron of '\(p.name)'")
        }
        try VolleyError.require("interval", interval, "sampling interval must be > 0 ms") { $0 > 0 }
        if let dt = timeStep {
            let ratio = interval / dt
            guard abs(ratio - ratio.rounded()) < 1e-9 * ratio else {
                throw VolleyError.invalidParameter(
                    name: "interval", value: "\(interval)", reason: "must be a multiple of the time step dt = \(dt) ms")
            }
        }
        guard time == 0 && counters.spikes == 0 else {
            throw VolleyError.unsupported("start state recordings before running (or after reset())")
        }
        stateRecordings.append(
            StateRecording(
                population: population, neurons: neurons, interval: interval,
                potentials: Array(repeating: [], count: neurons.count)))
        nextSampleTime = 0
        sampleIndex = 0
        return stateRecordings.count - 1
    }

    // MARK: Weights

    /// Current weights of a projection (learned ones for plastic projections), CSR order.
    public func weights(of projection: ProjectionID) throws -> [Double] {
        try checkProjectionID(projection)
        if let p = routing.plastic[projection.index] { return Array(p.weights.prefix(p.structure.synapseCount)) }
        return network.projections[projection.index].weights.array
    }

    /// Overwrites the current weights of a plastic projection (CSR order), e.g. to continue
    /// training from saved weights. Static projections are part of the `Network` value: change
    /// them there with `Network.setWeights`.
    public func setWeights(_ values: [Double], of projection: ProjectionID) throws {
        let runtime = try plasticRuntime(projection)
        guard values.count == runtime.structure.synapseCount else {
            throw VolleyError.invalidParameter(
                name: "weights", value: "\(values.count) values",
                reason: "projection \(projection.index) has \(runtime.structure.synapseCount) synapses")
        }
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw VolleyError.invalidWeight(value: values[bad], context: "weights[\(bad)] of projection \(projection.index)")
        }
        let p = network.projections[projection.index]
        try network.checkSigns(values, onto: network.populations[p.target.index], p.name)
        try p.plasticity?.checkBounds(values, p.name)
        for (s, w) in values.enumerated() { runtime.weights[s] = w }
    }

    /// Synaptic scaling of a plastic projection: multiplies the incoming weights of every target
    /// neuron so that they sum to `total` (Diehl & Cook 2015's weight normalisation). Targets whose
    /// incoming weights sum to 0 are left unchanged.
    public func normalizeIncomingWeights(of projection: ProjectionID, toTotal total: Double) throws {
        guard total.isFinite && total > 0 else {
            throw VolleyError.invalidParameter(name: "total", value: "\(total)", reason: "must be finite and > 0")
        }
        try plasticRuntime(projection).normalizeIncoming(toTotal: total)
    }

    /// Plasticity updates (synapse visits) performed so far.
    public var plasticityUpdates: UInt64 { routing.plastic.reduce(0) { $0 + ($1?.updates ?? 0) } }

    func checkProjectionID(_ projection: ProjectionID) throws {
        _ = try network.checkProjection(projection)
    }

    func plasticRuntime(_ projection: ProjectionID) throws -> PlasticProjection {
        try checkProjectionID(projection)
        guard let runtime = routing.plastic[projection.index] else {
            throw VolleyError.unsupported("projection \(projection.index) ('\(network.projections[projection.index].name)') is not plastic")
        }
        return runtime
    }

    // MARK: Memory

    /// Estimated bytes held by the simulation: synapses and weights, neuron and source state,
    /// queues, spike counts, recorded spikes.
    public var memoryBytes: Int {
        var bytes = network.projections.reduce(0) { $0 + $1.memoryBytes }
        bytes += runtimes.reduce(0) { $0 + ($1?.memoryBytes ?? 0) }
        bytes += sources.reduce(0) { $0 + ($1?.memoryBytes ?? 0) }
        bytes += spikeCountOfNeuron.count * 4
        bytes += routing.plastic.reduce(0) { $0 + ($1?.memoryBytes ?? 0) }
        return bytes + spikes.memoryBytes + engineMemoryBytes
    }
}
