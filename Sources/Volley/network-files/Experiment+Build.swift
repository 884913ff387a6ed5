import Foundation

/// Turning the entries of a network file into populations and projections of a `Network`.
extension Experiment {
    /// The synapses a projection entry's rule would generate between populations of `n` and `m`
    /// neurons (convolution and pooling: at most one per source and kernel entry, counted as n·m
    /// bounded by the kernel; unknown rules: 0, refused later with their own error).
    static func expectedSynapses(_ entry: NetworkFile.ProjectionEntry, sources n: Int, targets m: Int) -> Double {
        let c = entry.connectivity, (n, m) = (Double(n), Double(m))
        var terminals = 1.0
        if case let .terminals(ds)? = entry.delay { terminals = Double(ds.count) }
        switch c.rule {
        case "all_to_all": return n * m * terminals
        case "one_to_one": return n * terminals
        case "fixed_probability": return (c.p.map { $0.isFinite ? max(0, min($0, 1)) : 0 } ?? 0) * n * m * terminals
        case "fixed_in_degree": return Double(max(c.k ?? 0, 0)) * m * terminals
        case "fixed_out_degree": return Double(max(c.k ?? 0, 0)) * n * terminals
        case "pairs": return Double(c.pairs?.count ?? 0) * terminals
        case "synapses": return Double(c.sources?.count ?? 0)
        default: return 0
        }
    }

    /// Refuses `total` synapses (the projections so far together; `alone`: the first one) if
    /// building them would need more memory than this machine has (≈ 16 bytes each while building).
    static func checkMemory(synapses total: Double, alone: Bool) throws {
        let memory = Double(ProcessInfo.processInfo.physicalMemory)
        guard total * 16 < memory else {
            throw VolleyError.invalidParameter(
                name: "connectivity", value: "≈ \(total) synapses" + (alone ? "" : " with the projections before it"),
                reason: "more than this machine's memory holds (\(Int(memory / 1_048_576)) MB)")
        }
    }

    static func addPopulation(
        _ entry: NetworkFile.PopulationEntry, index: Int, to net: inout Network, defaultSeed: UInt64
    ) throws -> PopulationID {
        func checkSize(_ n: Int?) throws -> Int? {
            if let n, n <= 0 {
                throw VolleyError.invalidParameter(name: "size", value: "\(n)", reason: "must be ≥ 1")
            }
            return n
        }
        switch (entry.model, entry.source) {
        case (nil, nil), (.some, .some):
            throw VolleyError.invalidParameter(
                name: "model/source", value: entry.model == nil ? "neither" : "both",
                reason: "a population has either a \"model\" (neurons) or a \"source\" (input spikes)")
        case let (model?, nil):
            guard let size = try checkSize(entry.size) else {
                throw VolleyError.invalidParameter(name: "size", value: "missing", reason: "a model population needs its number of neurons")
            }
            let memory = Double(ProcessInfo.processInfo.physicalMemory)
            guard Double(size) * 64 < memory else {
                throw VolleyError.invalidParameter(
                    name: "size", value: "\(size)", reason: "the neurons' state would need more memory than this machine has (\(Int(memory / 1_048_576)) MB)")
            }
            guard let catalog = ModelCatalog.entry(named: model) else {
                throw VolleyError.invalidParameter(
                    name: "model", value: "\"\(model)\"",
                    reason: "unknown neuron model (known: \(ModelCatalog.entries.map(\.name).joined(separator: ", ")))")
            }
            let v0: InitialPotentials? = entry.initialPotentials.map {
                switch $0 {
                case let .values(v): return .values(v)
                case let .uniform(low, high, seed):
                    return .uniform(low: low, high: high, seed: seed ?? derivedSeed(defaultSeed, kind: 1, index: index))
                }
            }
            return try catalog.add(
                &net, .init(name: entry.name, size: size, initialPotentials: v0, firstSpikeOnly: entry.firstSpikeOnly ?? false),
                entry.parameters ?? [:], "parameters")
        case let (nil, source?):
            guard entry.initialPotentials == nil, entry.initialState == nil, entry.firstSpikeOnly == nil, entry.parameters == nil else {
                throw VolleyError.invalidParameter(
                    name: "source", value: "\"\(source.kind)\"",
                    reason: "a source has no parameters, initial_potentials, initial_state or first_spike_only")
            }
            let size = try checkSize(entry.size)
            switch source.kind {
            case "poisson":
                guard source.trainsMs == nil else {
                    throw VolleyError.invalidParameter(name: "source.trains_ms", value: "given", reason: "a Poisson source takes rate_hz or rates_hz")
                }
                let rates: [Double]
                switch (source.rateHz, source.ratesHz) {
                case let (r?, nil):
                    guard let size else {
                        throw VolleyError.invalidParameter(name: "size", value: "missing", reason: "a Poisson source with one rate_hz needs its size")
                    }
                    rates = [Double](repeating: r, count: size)
                case let (nil, rs?):
                    if let size, size != rs.count {
                        throw VolleyError.invalidParameter(name: "source.rates_hz", value: "\(rs.count) rates", reason: "size is \(size)")
                    }
                    rates = rs
                default:
                    throw VolleyError.invalidParameter(name: "source", value: "poisson", reason: "give exactly one of rate_hz, rates_hz")
                }
                return try net.addPoissonSource(entry.name, rates: rates, seed: source.seed ?? derivedSeed(defaultSeed, kind: 2, index: index))
            case "spike_trains":
                guard let trains = source.trainsMs, source.rateHz == nil, source.ratesHz == nil, source.seed == nil else {
                    throw VolleyError.invalidParameter(name: "source", value: "spike_trains", reason: "takes trains_ms (one list of times per neuron) only")
                }
                if let size, size != trains.count {
                    throw VolleyError.invalidParameter(name: "source.trains_ms", value: "\(trains.count) trains", reason: "size is \(size)")
                }
                return try net.addSpikeSource(entry.name, trains: trains)
            default:
                throw VolleyError.invalidParameter(
                    name: "source.kind", value: "\"\(source.kind)\"", reason: "must be \"poisson\", \"spike_trains\" or \"event_file\"")
            }
        }
    }

    /// The recording reference of an "event_file" source.
    static func eventFile(_ s: NetworkFile.SourceEntry) throws -> EventFile {
        guard let path = s.path, !path.isEmpty else {
            throw VolleyError.invalidParameter(name: "source.path", value: "missing", reason: "an event_file source names its recording")
        }
        guard s.rateHz == nil, s.ratesHz == nil, s.seed == nil, s.trainsMs == nil else {
            throw VolleyError.invalidParameter(name: "source", value: "event_file", reason: "takes path and format only")
        }
        let format = s.format ?? "nmnist"
        guard ["nmnist", "caltech101"].contains(format) else {
            throw VolleyError.invalidParameter(name: "source.format", value: "\"\(format)\"", reason: "must be \"nmnist\" (34 × 34) or \"caltech101\" (240 × 180)")
        }
        return EventFile(path: path, format: format)
    }

    /// A spike source presenting an event-camera recording: neuron (polarity, y, x), each event
    /// a spike at its timestamp (µs → ms), no binning.
    static func addEventSource(
        _ entry: NetworkFile.PopulationEntry, _ reference: EventFile, resolved: String, to net: inout Network
    ) throws -> PopulationID {
        guard entry.model == nil, entry.parameters == nil, entry.initialPotentials == nil, entry.initialState == nil, entry.firstSpikeOnly == nil else {
            throw VolleyError.invalidParameter(name: "source", value: "event_file", reason: "a source has no model, parameters, initial_potentials or first_spike_only")
        }
        let size = reference.format == "nmnist" ? NMNISTFormat.nmnistSize : NMNISTFormat.caltech101Size
        let recording = try NMNISTFormat.load(path: resolved, width: size.width, height: size.height)
        if let n = entry.size, n != recording.neuronCount {
            throw VolleyError.invalidParameter(
                name: "size", value: "\(n)", reason: "a \(reference.format) recording needs 2 × \(size.width) × \(size.height) = \(recording.neuronCount) neurons")
        }
        return try net.addSpikeSource(entry.name, trains: recording.spikeTrains())
    }

    static func addProjection(
        _ entry: NetworkFile.ProjectionEntry, index: Int, from source: PopulationID, to target: PopulationID,
        in net: inout Network, defaultSeed: UInt64
    ) throws {
        let receptor: Int
        switch entry.receptor ?? .index(0) {
        case let .index(i): receptor = i
        case .named("excitatory"): receptor = Receptor.excitatory
        case .named("inhibitory"): receptor = Receptor.inhibitory
        case let .named(s):
            throw VolleyError.invalidParameter(name: "receptor", value: "\"\(s)\"", reason: "must be an index, \"excitatory\" or \"inhibitory\"")
        }
        let precision: WeightPrecision
        switch entry.precision ?? "double" {
        case "double": precision = .double
        case "single": precision = .single
        case let s: throw VolleyError.invalidParameter(name: "precision", value: "\"\(s)\"", reason: "must be \"double\" or \"single\"")
        }
        let c = entry.connectivity
        let seed = entry.seed ?? derivedSeed(defaultSeed, kind: 3, index: index)
        let name = entry.name
        func need<T>(_ value: T?, _ key: String) throws -> T {
            guard let value else {
                throw VolleyError.invalidParameter(name: key, value: "missing", reason: "rule \"\(c.rule)\" needs it")
            }
            return value
        }
        func constant(_ v: NetworkFile.ValueEntry?, _ key: String) throws -> Double {
            guard case let .constant(x)? = v else {
                throw VolleyError.invalidParameter(name: key, value: v == nil ? "missing" : "not a number", reason: "rule \"\(c.rule)\" takes one \(key) for every synapse")
            }
            return x
        }
        let id: ProjectionID
        switch c.rule {
        case "convolution":
            guard case let .values(kernel)? = entry.weight else {
                throw VolleyError.invalidParameter(name: "weight", value: "not a list", reason: "a convolution's weight is its kernel: a list of kernel entries")
            }
            id = try net.connect(
                source, to: target, convolution: try need(c.convolution, "connectivity.convolution"), kernel: kernel,
                delay: try constant(entry.delay, "delay"), receptor: receptor, name: name)
        case "pooling":
            id = try net.connect(
                source, to: target, pooling: try need(c.pooling, "connectivity.pooling"), weight: try constant(entry.weight, "weight"),
                delay: try constant(entry.delay, "delay"), receptor: receptor, name: name)
        case "synapses":
            let sources = try need(c.sources, "connectivity.sources")
            let targets = try need(c.targets, "connectivity.targets")
            guard sources.count == targets.count else {
                throw VolleyError.invalidParameter(name: "connectivity.targets", value: "\(targets.count) entries", reason: "sources has \(sources.count)")
            }
            func perSynapse(_ v: NetworkFile.ValueEntry?, _ key: String) throws -> [Double] {
                switch v {
                case let .constant(x)?: return [Double](repeating: x, count: sources.count)
                case let .values(xs)? where xs.count == sources.count: return xs
                case let .values(xs)?:
                    throw VolleyError.invalidParameter(name: key, value: "\(xs.count) values", reason: "there are \(sources.count) synapses")
                default:
                    throw VolleyError.invalidParameter(name: key, value: v == nil ? "missing" : "a distribution", reason: "rule \"synapses\" takes a number or one value per synapse")
                }
            }
            let w = try perSynapse(entry.weight, "weight")
            let d = try perSynapse(entry.delay, "delay")
            let synapses = sources.indices.map { Synapse(source: sources[$0], target: targets[$0], weight: w[$0], delay: d[$0]) }
            id = try net.connect(source, to: target, synapses: synapses, receptor: receptor, precision: precision, name: name)
        default:
            let pattern: ConnectionPattern
            switch c.rule {
            case "all_to_all": pattern = .allToAll(allowAutapses: c.allowAutapses ?? true)
            case "one_to_one": pattern = .oneToOne
            case "fixed_probability": pattern = .fixedProbability(try need(c.p, "connectivity.p"), allowAutapses: c.allowAutapses ?? true)
            case "fixed_in_degree":
                pattern = .fixedInDegree(try need(c.k, "connectivity.k"), allowAutapses: c.allowAutapses ?? true, allowMultapses: c.allowMultapses ?? false)
            case "fixed_out_degree":
                pattern = .fixedOutDegree(try need(c.k, "connectivity.k"), allowAutapses: c.allowAutapses ?? true, allowMultapses: c.allowMultapses ?? false)
            case "pairs":
                let pairs = try need(c.pairs, "connectivity.pairs")
                if let bad = pairs.firstIndex(where: { $0.count != 2 }) {
                    throw VolleyError.invalidParameter(name: "connectivity.pairs[\(bad)]", value: "\(pairs[bad])", reason: "a pair is [source, target]")
                }
                pattern = .explicit(pairs.map { Connection(source: $0[0], target: $0[1]) })
            default:
                throw VolleyError.invalidParameter(
                    name: "connectivity.rule", value: "\"\(c.rule)\"",
                    reason: "unknown rule (known: all_to_all, one_to_one, fixed_probability, fixed_in_degree, fixed_out_degree, pairs, synapses, convolution, pooling)")
            }
            let weight: WeightSpec
            switch try need(entry.weight, "weight") as NetworkFile.ValueEntry {
            case let .constant(x): weight = .constant(x)
            case let .values(xs): weight = .values(xs)
            case let .uniform(low, high): weight = .uniform(low, high)
            case let .normal(mean, sd): weight = .normal(mean: mean, standardDeviation: sd)
            case .terminals: throw VolleyError.invalidParameter(name: "weight", value: "terminals", reason: "terminals are delays")
            }
            let delay: DelaySpec
            switch try need(entry.delay, "delay") as NetworkFile.ValueEntry {
            case let .constant(x): delay = .constant(x)
            case let .values(xs): delay = .values(xs)
            case let .uniform(low, high): delay = .uniform(low, high)
            case let .terminals(ds): delay = .terminals(ds)
            case .normal: throw VolleyError.invalidParameter(name: "delay", value: "normal", reason: "delays are constant, uniform, a list or terminals (a normal draw could be ≤ 0)")
            }
            id = try net.connect(
                source, to: target, pattern: pattern, weight: weight, delay: delay, receptor: receptor, seed: seed,
                precision: precision, name: name)
        }
        if let p = entry.plasticity {
            try net.setPlasticity(try Plasticity.fromFile(rule: p.rule, parameters: p.parameters ?? [:], context: "plasticity.parameters"), for: id)
        }
    }
}
