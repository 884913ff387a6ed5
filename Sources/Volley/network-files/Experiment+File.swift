/// Writing an experiment as a network file: each projection as its recipe (`ProjectionRecipe`),
/// every seed and parameter stated, so the file rebuilds the same network on its own.
extension Experiment {
    /// The canonical network file of this experiment. Throws for a population whose model is
    /// outside `ModelCatalog`.
    public func file() throws -> NetworkFile {
        let names = network.populations.map(\.name)
        let populations = try network.populations.map { p in
            guard let reference = eventFiles[p.name], p.isSource else {
                var e = try Self.entry(for: p)
                if let state = initialStates[p.name], !state.isEmpty, !p.isSource { e.initialState = state }
                return e
            }
            return NetworkFile.PopulationEntry(
                name: p.name, size: p.size, source: .init(kind: "event_file", path: reference.path, format: reference.format))
        }
        let projections = network.projections.map { p in Self.entry(for: p, names: names) }
        var recordingEntry = NetworkFile.RecordingEntry()
        recordingEntry.spikes = !recording.recordsSpikes ? NetworkFile.SpikeSelection.none : recording.spikes.map { .populations($0) } ?? .all
        recordingEntry.potentials = recording.potentials
        let runEntry = NetworkFile.RunEntry(
            durationMs: run.durationMs, engine: run.engine.rawValue, dtMs: run.dtMs, threads: run.threads, seed: run.seed)
        return NetworkFile(
            description: description, populations: populations, projections: projections, recording: recordingEntry,
            run: runEntry)
    }

    static func entry(for p: Population) throws -> NetworkFile.PopulationEntry {
        var e = NetworkFile.PopulationEntry(name: p.name, size: p.size)
        switch p.source {
        case let .poisson(rates, seed)?:
            let uniform = rates.allSatisfy { $0 == rates[0] }
            e.source = .init(kind: "poisson", rateHz: uniform ? rates[0] : nil, ratesHz: uniform ? nil : rates, seed: seed)
        case let .spikeTrains(trains)?:
            e.source = .init(kind: "spike_trains", trainsMs: (0..<trains.count).map { Array(trains.train($0)) })
        case nil:
            guard let model = p.model, let parameters = ModelCatalog.parameters(of: model) else {
                throw VolleyError.unsupported("population '\(p.name)': model \(p.modelName) cannot be written to a network file (not in ModelCatalog)")
            }
            e.model = p.modelName
            e.parameters = parameters
            e.firstSpikeOnly = p.firstSpikeOnly
            switch p.initialPotentials {
            case let .values(v)?: e.initialPotentials = .values(v)
            case let .uniform(low, high, seed)?: e.initialPotentials = .uniform(low: low, high: high, seed: seed)
            case nil: break
            }
        }
        return e
    }

    static func entry(for p: Projection, names: [String]) -> NetworkFile.ProjectionEntry {
        var e = NetworkFile.ProjectionEntry(
            name: p.name, source: names[p.source.index], target: names[p.target.index], receptor: .index(p.receptor),
            connectivity: .init(rule: "synapses"))
        switch p.recipe {
        case let .generated(pattern, weight, delay, seed):
            var c = NetworkFile.ConnectivityEntry(rule: "")
            switch pattern {
            case let .allToAll(autapses): (c.rule, c.allowAutapses) = ("all_to_all", autapses)
            case .oneToOne: c.rule = "one_to_one"
            case let .fixedProbability(prob, autapses): (c.rule, c.p, c.allowAutapses) = ("fixed_probability", prob, autapses)
            case let .fixedInDegree(k, autapses, multapses):
                (c.rule, c.k, c.allowAutapses, c.allowMultapses) = ("fixed_in_degree", k, autapses, multapses)
            case let .fixedOutDegree(k, autapses, multapses):
                (c.rule, c.k, c.allowAutapses, c.allowMultapses) = ("fixed_out_degree", k, autapses, multapses)
            case let .explicit(pairs): (c.rule, c.pairs) = ("pairs", pairs.map { [$0.source, $0.target] })
            }
            e.connectivity = c
            switch weight {
            case let .constant(x): e.weight = .constant(x)
            case let .uniform(low, high): e.weight = .uniform(low: low, high: high)
            case let .normal(mean, sd): e.weight = .normal(mean: mean, sd: sd)
            case let .values(xs): e.weight = .values(xs)
            }
            switch delay {
            case let .constant(x): e.delay = .constant(x)
            case let .uniform(low, high): e.delay = .uniform(low: low, high: high)
            case let .values(xs): e.delay = .values(xs)
            case let .terminals(ds): e.delay = .terminals(ds)
            }
            e.seed = seed
        case .synapses:
            let s = p.structure
            var sources = [Int]()
            sources.reserveCapacity(s.synapseCount)
            for i in 0..<s.sourceCount {
                sources.append(contentsOf: repeatElement(i, count: s.synapses(ofSource: i).count))
            }
            e.connectivity.sources = sources
            e.connectivity.targets = s.targets
            e.weight = compact(p.weights.array)
            e.delay = compact(s.delays)
        case let .convolution(geometry, kernel, delay):
            e.connectivity = .init(rule: "convolution")
            e.connectivity.convolution = geometry
            e.weight = .values(kernel)
            e.delay = .constant(delay)
        case let .pooling(geometry, weight, delay):
            e.connectivity = .init(rule: "pooling")
            e.connectivity.pooling = geometry
            e.weight = .constant(weight)
            e.delay = .constant(delay)
        }
        e.precision = p.weights.precision.rawValue
        if let rule = p.plasticity?.fileForm {
            e.plasticity = .init(rule: rule.rule, parameters: rule.parameters)
        }
        return e
    }

    /// One number when every value is the same, else the list.
    static func compact(_ values: [Double]) -> NetworkFile.ValueEntry {
        if let first = values.first, values.allSatisfy({ $0.bitPattern == first.bitPattern }) { return .constant(first) }
        return .values(values)
    }
}
