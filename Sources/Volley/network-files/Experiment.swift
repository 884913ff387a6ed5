import Foundation

/// A network together with what to record and how to run it: what a network file describes.
/// `init(file:source:)` builds the network (every error names the JSON path and the value);
/// `file()` writes the canonical file back.
public struct Experiment: Sendable {
    public var network: Network
    public var recording: Recording
    public var run: Run
    public var description: String?
    /// Source populations presented from event-camera files, by population name: written back as
    /// the file reference, not as the trains.
    public var eventFiles: [String: EventFile] = [:]
    /// Per-neuron state variables at t = 0, by population and variable name (`initial_state`):
    /// applied by `makeSimulator`, kept by `file()`.
    public var initialStates: [String: [String: [Double]]] = [:]

    /// An event-camera recording a source population presents (`NMNISTFormat`).
    public struct EventFile: Sendable, Equatable {
        /// As the network file gives it (relative paths: to the network file's directory).
        public var path: String
        /// "nmnist" or "caltech101".
        public var format: String
        public init(path: String, format: String) {
            self.path = path
            self.format = format
        }
    }

    public struct Recording: Sendable, Equatable {
        /// Populations whose spikes are kept (nil: all).
        public var spikes: [String]? = nil
        public var recordsSpikes = true
        public var potentials: [NetworkFile.RecordingEntry.PotentialEntry] = []
        public init() {}
    }

    public struct Run: Sendable, Equatable {
        public enum Engine: String, Sendable, CaseIterable { case event, stepped }
        public var durationMs: Double = 1000
        public var engine: Engine = .event
        public var dtMs: Double = 0.1
        /// nil: automatic (`TimeSteppedSimulator.automaticThreads(for:)`).
        public var threads: Int? = nil
        /// The seed of every rule and source that states none (each gets its own stream of it).
        public var seed: UInt64 = 1
        public init() {}
    }

    public init(network: Network, recording: Recording = Recording(), run: Run = Run(), description: String? = nil) {
        self.network = network
        self.recording = recording
        self.run = run
        self.description = description
    }

    /// Reads and builds the experiment in the file at `path`.
    public init(contentsOf path: String) throws {
        try self.init(file: try NetworkFile.read(from: path), source: path)
    }

    /// Builds the experiment `file` describes; `source` (its path) prefixes every error.
    public init(file: NetworkFile, source: String) throws {
        func at<T>(_ where_: String, _ body: () throws -> T) throws -> T {
            do {
                return try body()
            } catch let error as VolleyError {
                switch error {
                case .malformedData: throw error
                case let .invalidParameter(name, value, reason):
                    // The file's spelling of a Swift parameter name (initialPotentials → initial_potentials).
                    let named = VolleyError.invalidParameter(name: snakeCase(name), value: value, reason: reason)
                    throw VolleyError.malformedData(source: source, reason: "\(where_): \(named)")
                default: throw VolleyError.malformedData(source: source, reason: "\(where_): \(error)")
                }
            }
        }
        var run = Run()
        try at("run") {
            if let r = file.run {
                if let d = r.durationMs {
                    try VolleyError.require("duration_ms", d, "must be in (0, \(Simulator.latestEndTime)] ms") { $0 > 0 && $0 <= Simulator.latestEndTime }
                    run.durationMs = d
                }
                if let e = r.engine {
                    guard let engine = Run.Engine(rawValue: e) else {
                        throw VolleyError.invalidParameter(name: "engine", value: "\"\(e)\"", reason: "must be \"event\" or \"stepped\"")
                    }
                    run.engine = engine
                }
                if let dt = r.dtMs {
                    try VolleyError.require("dt_ms", dt, "must be in (0, 10] ms") { $0 > 0 && $0 <= 10 }
                    run.dtMs = dt
                }
                if let n = r.threads {
                    guard (1...Simulator.maxThreads).contains(n) else {
                        throw VolleyError.invalidParameter(name: "threads", value: "\(n)", reason: "must be from 1 to \(Simulator.maxThreads)")
                    }
                    run.threads = n
                }
                if let s = r.seed { run.seed = s }
            }
        }
        var net = Network()
        var ids: [String: PopulationID] = [:]
        var eventFiles: [String: EventFile] = [:]
        var initialStates: [String: [String: [Double]]] = [:]
        let directory = URL(fileURLWithPath: source).deletingLastPathComponent()
        for (i, entry) in file.populations.enumerated() {
            let path = "populations[\(i)] ('\(entry.name)')"
            ids[entry.name] = try at(path) {
                if let s = entry.source, s.kind == "event_file" {
                    let reference = try Self.eventFile(s)
                    eventFiles[entry.name] = reference
                    let resolved = reference.path.hasPrefix("/") ? reference.path : directory.appendingPathComponent(reference.path).path
                    return try Self.addEventSource(entry, reference, resolved: resolved, to: &net)
                }
                let id = try Self.addPopulation(entry, index: i, to: &net, defaultSeed: run.seed)
                if let state = entry.initialState, !state.isEmpty {
                    try Self.checkInitialState(state, of: try net.population(id))
                    initialStates[entry.name] = state
                }
                return id
            }
        }
        func path(_ i: Int, _ entry: NetworkFile.ProjectionEntry) -> String { "projections[\(i)] ('\(entry.name ?? "\(entry.source)→\(entry.target)")')" }
        // All projections' synapses counted before any is generated: together they must fit in memory.
        var planned = 0.0, counted = 0
        for (i, entry) in file.projections.enumerated() {
            guard let s = ids[entry.source], let t = ids[entry.target] else { continue }  // refused by name below
            planned += Self.expectedSynapses(entry, sources: try net.population(s).size, targets: try net.population(t).size)
            counted += 1
            try at(path(i, entry)) { try Self.checkMemory(synapses: planned, alone: counted == 1) }
        }
        for (i, entry) in file.projections.enumerated() {
            try at(path(i, entry)) {
                func population(_ name: String, _ role: String) throws -> PopulationID {
                    guard let id = ids[name] else {
                        throw VolleyError.invalidParameter(
                            name: role, value: "\"\(name)\"",
                            reason: "no population of that name (populations: \(file.populations.map(\.name).joined(separator: ", ")))")
                    }
                    return id
                }
                try Self.addProjection(
                    entry, index: i, from: try population(entry.source, "source"), to: try population(entry.target, "target"),
                    in: &net, defaultSeed: run.seed)
            }
        }
        var recording = Recording()
        try at("recording") {
            guard let r = file.recording else { return }
            switch r.spikes ?? .all {
            case .all: break
            case .none: recording.recordsSpikes = false
            case let .populations(names):
                for name in names where ids[name] == nil {
                    throw VolleyError.invalidParameter(name: "spikes", value: "\"\(name)\"", reason: "no population of that name")
                }
                recording.spikes = names
            }
            for (k, p) in (r.potentials ?? []).enumerated() {
                guard let id = ids[p.population] else {
                    throw VolleyError.invalidParameter(name: "potentials[\(k)].population", value: "\"\(p.population)\"", reason: "no population of that name")
                }
                let pop = try net.population(id)
                guard !pop.isSource else {
                    throw VolleyError.invalidParameter(name: "potentials[\(k)].population", value: "\"\(p.population)\"", reason: "a source has no membrane potential")
                }
                for n in p.neurons where n < 0 || n >= pop.size {
                    throw VolleyError.indexOutOfRange(index: n, count: pop.size, context: "potentials[\(k)].neurons of '\(p.population)'")
                }
                try VolleyError.require("potentials[\(k)].interval_ms", p.intervalMs, "must be > 0 ms") { $0 > 0 }
                recording.potentials.append(p)
            }
        }
        self.init(network: net, recording: recording, run: run, description: file.description)
        self.eventFiles = eventFiles
        self.initialStates = initialStates
    }

    /// The simulator of this experiment's network in `engine` (default: the run's), with the
    /// file's initial states in place.
    public func makeSimulator(
        engine: Run.Engine? = nil, dt: Double? = nil, threads: Int, recording: SpikeRecording = .all
    ) throws -> Simulator {
        let sim: Simulator = (engine ?? run.engine) == .event
            ? try EventDrivenSimulator(network: network, recording: recording, threads: threads)
            : try TimeSteppedSimulator(network: network, dt: dt ?? run.dtMs, recording: recording, threads: threads)
        for (name, values) in initialStates.sorted(by: { $0.key < $1.key }) {
            guard let id = network.population(named: name) else {
                throw VolleyError.invalidParameter(name: "initial_state", value: name, reason: "no population of that name")
            }
            let p = try network.population(id)
            guard let entry = ModelCatalog.entry(named: p.modelName) else {
                throw VolleyError.unsupported("population '\(name)': \(p.modelName) is not in ModelCatalog")
            }
            try Self.checkInitialState(values, of: p)
            try entry.applyStates(sim, p, values)
        }
        return sim
    }

    /// Checks `initial_state` against the population's model: known variables, one finite value
    /// per neuron.
    static func checkInitialState(_ state: [String: [Double]], of p: Population) throws {
        let known = ModelCatalog.entry(named: p.modelName)?.stateVariables.map(\.name) ?? []
        for name in state.keys.sorted() {
            guard known.contains(name) else {
                throw VolleyError.invalidParameter(
                    name: "initial_state.\(name)", value: "given",
                    reason: known.isEmpty ? "\(p.modelName) has no state variables in network files" : "\(p.modelName) has no state variable '\(name)' (its variables: \(known.joined(separator: ", ")))")
            }
            let column = state[name]!
            guard column.count == p.size else {
                throw VolleyError.invalidParameter(name: "initial_state.\(name)", value: "\(column.count) values", reason: "population '\(p.name)' has \(p.size) neurons")
            }
            if let bad = column.firstIndex(where: { !$0.isFinite }) {
                throw VolleyError.invalidParameter(name: "initial_state.\(name)[\(bad)]", value: "\(column[bad])", reason: "must be finite")
            }
        }
    }

    /// The seed of element `index` of kind `kind` when the file states none: a hash of the
    /// run's seed, so that elements never share a stream.
    static func derivedSeed(_ seed: UInt64, kind: UInt64, index: Int) -> UInt64 {
        var rng = Xoshiro256(seed: seed, stream: 0xF11E, kind, UInt64(index))
        return rng.next()
    }
}
