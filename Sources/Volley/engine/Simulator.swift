import Foundation

/// What both engines share: the network, the runtime of every population, how spikes travel
/// (`SpikeRouting`), spike recording and counting, stop conditions, state sampling, and the
/// public API (run, reset, inputs, observation). The subclasses, `EventDrivenSimulator` and
/// `TimeSteppedSimulator`, hold only their rule for advancing time.
public class Simulator {
    public let network: Network
    /// Current simulation time (ms).
    public internal(set) var time: Double = 0
    public internal(set) var counters = EngineCounters()
    public internal(set) var spikes: SpikeRecord
    /// Wall-clock seconds spent inside `run` since construction or the last `reset()`.
    public internal(set) var wallSeconds: Double = 0
    public internal(set) var stateRecordings: [StateRecording] = []

    /// The runtime of each model population (nil for sources).
    let runtimes: [PopulationRuntime?]
    /// The runtime of each source population (nil for model populations).
    let sources: [SourcePopulation?]
    let routing: SpikeRouting
    var spikeCountOfNeuron: [UInt32]
    var spikeCountOfPopulation: [Int]
    var firedNeuronsOfPopulation: [Int]
    let recordSpikes: [Bool]
    var nextSampleTime = Double.infinity
    var sampleIndex = 0
    /// The most spikes of model neurons in one time step (event-driven: one 1 ms bin) since the
    /// last reset: the spike memory of `SNNEvaluation`.
    public var peakSpikesPerStep: Int { spikeTally.peak }
    /// Spikes of model neurons since the last reset (`StopCondition.modelSpikeCount`).
    var modelSpikeTotal: Int { spikeTally.total }
    var spikeTally = SpikeStepTally()
    /// Width of those steps (ms), and whether spike times lie on them (the time-stepped grid).
    lazy var spikeStepMs: Double = timeStep ?? 1
    lazy var spikesOnGrid: Bool = timeStep != nil

    /// Engine name used in reports ("event" or "stepped").
    public var engineName: String { "" }
    /// The fixed time step (ms), or nil for event-driven simulation.
    public var timeStep: Double? { nil }
    /// Threads that advanced the neurons in the last run.
    public var threadCount: Int { 1 }
    /// Seconds each thread has waited for the others since construction or `reset()` (empty on
    /// one thread).
    public var threadWaitSeconds: [Double] { [] }
    /// Why the engine (or its last run) used one thread although more were asked for; nil when
    /// it used them all.
    public internal(set) var oneThreadReason: String?

    init(network: Network, recording: SpikeRecording, runtimes: [PopulationRuntime?]) throws {
        guard network.neuronCount > 0 else {
            throw VolleyError.invalidParameter(name: "network", value: "empty", reason: "no populations")
        }
        self.network = network
        self.runtimes = runtimes
        sources = network.populations.map { p in p.source.map { SourcePopulation(layout: p.layout, kind: $0) } }
        routing = SpikeRouting(network: network)
        spikeCountOfNeuron = [UInt32](repeating: 0, count: network.neuronCount)
        spikeCountOfPopulation = [Int](repeating: 0, count: network.populations.count)
        firedNeuronsOfPopulation = spikeCountOfPopulation
        spikes = SpikeRecord(populationCount: network.populations.count)
        switch recording {
        case .all: recordSpikes = Array(repeating: true, count: network.populations.count)
        case .none: recordSpikes = Array(repeating: false, count: network.populations.count)
        case let .only(ids):
            var r = Array(repeating: false, count: network.populations.count)
            for id in ids { r[try network.checkPopulation(id, "recorded").id.index] = true }
            recordSpikes = r
        }
    }

    // MARK: Running

    /// The latest finite end time of a run (ms): 2³³ ms ≈ 99 days. Below it Doubles are spaced
    /// at most 2⁻²⁰ ms ≈ 1 µs apart; far beyond it spike times merge and a delay can add nothing.
    public static let latestEndTime: Double = 8_589_934_592

    /// Processes every event with time ≤ `end` (ms), or until `stop` holds. `end` may be
    /// `.infinity` to run until no events remain; without a stop condition that is refused while
    /// a Poisson source is firing, and for networks whose activity may sustain itself
    /// (`Network.reasonActivityMayNotEnd`: recurrent loops, neurons firing without input).
    @discardableResult
    public func run(until end: Double, stopWhen stop: StopCondition = .never) throws -> RunOutcome {
        guard !end.isNaN, end >= time else {
            throw VolleyError.invalidParameter(
                name: "end", value: "\(end)", reason: "must be ≥ the current time \(time) ms")
        }
        guard end == .infinity || end <= Self.latestEndTime else {
            throw VolleyError.invalidParameter(
                name: "end", value: "\(end)",
                reason: "must be ≤ \(Self.latestEndTime) ms (2³³ ms ≈ 99 days: later Double times cannot resolve 1 µs), or .infinity")
        }
        if let p = stop.population { _ = try population(p) }
        if end == .infinity, stop == .never, let p = sources.firstIndex(where: { $0.map { $0.isPoisson && !$0.queue.isEmpty } ?? false }) {
            throw VolleyError.unsupported(
                "run(until: .infinity) ends when no events remain, but Poisson population '\(network.populations[p].name)' never stops firing: give an end time or a stop condition")
        }
        if end == .infinity, stop == .never, let reason = network.reasonActivityMayNotEnd {
            throw VolleyError.unsupported(
                "run(until: .infinity) ends when no events remain, but \(reason): give an end time or a stop condition")
        }
        let start = DispatchTime.now().uptimeNanoseconds
        defer { wallSeconds += Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9 }
        let from = time
        let outcome = try advance(until: end, stop: stop)
        try checkIntegration(from: from)
        return outcome
    }

    /// Throws `VolleyError.diverged` naming the first neuron whose integration gave up in the run
    /// that started at `from` (its state is meaningless from then on; `reset()` restores it).
    func checkIntegration(from: Double) throws {
        for (p, runtime) in runtimes.enumerated() {
            guard let scan = runtime?.stalledNeuron, let neuron = scan() else { continue }
            throw VolleyError.diverged(
                "neuron \(neuron) of population '\(network.populations[p].name)': the integration gave up between t = \(from) ms and t = \(time) ms " +
                "(the solution stopped being finite before reaching the spike level, or took more than \(DormandPrince.maxSteps) steps in one interval)")
        }
    }

    /// Restores the initial state (neurons, inputs, time 0, counters, recordings, plasticity
    /// traces) without reallocating any per-neuron storage. Learned weights of plastic
    /// projections are restored too, unless `keepingWeights`.
    public func reset(keepingWeights: Bool = false) {
        time = 0
        counters = EngineCounters()
        wallSeconds = 0
        spikes.removeAll()
        spikeTally = SpikeStepTally()
        for i in spikeCountOfNeuron.indices { spikeCountOfNeuron[i] = 0 }
        for p in spikeCountOfPopulation.indices {
            spikeCountOfPopulation[p] = 0
            firedNeuronsOfPopulation[p] = 0
        }
        for r in runtimes { r?.reset() }
        for s in sources { s?.reset() }
        for p in routing.plastic { p?.reset(keepWeights: keepingWeights) }
        for r in stateRecordings.indices {
            stateRecordings[r].times.removeAll(keepingCapacity: true)
            for j in stateRecordings[r].potentials.indices {
                stateRecordings[r].potentials[j].removeAll(keepingCapacity: true)
            }
        }
        sampleIndex = 0
        nextSampleTime = stateRecordings.isEmpty ? .infinity : 0
        resetEngine()
    }

    /// The engine's rule for advancing time (overridden by each engine).
    func advance(until end: Double, stop: StopCondition) throws -> RunOutcome {
        preconditionFailure("Simulator is abstract; use EventDrivenSimulator or TimeSteppedSimulator")
    }

    /// Engine-specific part of `reset` (overridden).
    func resetEngine() {}

    /// Engine-specific reaction to new spike trains or rates of source population `p` (overridden).
    func sourcesChanged(_ p: Int) {}

    /// Queue and buffer bytes of the engine itself (overridden).
    var engineMemoryBytes: Int { 0 }

    /// Records a spike (the caller counts it), applies potentiation in plastic projections onto
    /// the neuron (unless the caller's thread already has: `potentiate` false), and reports
    /// whether `stop` now holds.
    @inline(__always)
    final func noteSpike(population p: Int, local i: Int, time t: Double, stop: StopCondition, potentiate: Bool = true) -> Bool {
        let g = network.populations[p].offset + i
        if spikeCountOfNeuron[g] == 0 { firedNeuronsOfPopulation[p] += 1 }
        spikeCountOfNeuron[g] &+= 1
        spikeCountOfPopulation[p] += 1
        if runtimes[p] != nil { countModelSpikes(1, at: t) }
        if recordSpikes[p] {
            spikes.neurons[p].append(UInt32(truncatingIfNeeded: i))
            spikes.times[p].append(t)
        }
        if potentiate { routing.postSpike(population: p, local: i, at: t) }
        return holds(stop, afterSpikesOf: p)
    }

    /// Adds `n` spikes of model neurons at `t` to its step's count (`peakSpikesPerStep`).
    @inline(__always)
    private func countModelSpikes(_ n: Int, at t: Double) {
        spikeTally.add(n, at: t, width: spikeStepMs, onGrid: spikesOnGrid)
    }

    /// Whether `stop` holds now that population p has fired (the counts include its spikes).
    @inline(__always)
    private func holds(_ stop: StopCondition, afterSpikesOf p: Int) -> Bool {
        switch stop {
        case .never: return false
        case let .firstSpike(q): return q.index == p
        case let .spikeCount(n, q): return q.index == p && spikeCountOfPopulation[p] >= n
        case let .allFired(q): return q.index == p && firedNeuronsOfPopulation[p] == network.populations[p].size
        case let .modelSpikeCount(n): return runtimes[p] != nil && modelSpikeTotal >= n
        }
    }

    /// `noteSpike` for the spikes of neurons `locals` (in that order) of model population p, all
    /// at `t`: the same counts, recording and potentiation, with what is per population looked up
    /// once (the time-stepped engine's step 3). Reports whether `stop` holds after them, which
    /// for every stop condition is whether it held after any one of them.
    final func noteSpikes(population p: Int, locals: UnsafeBufferPointer<UInt32>, time t: Double, stop: StopCondition) -> Bool {
        guard !locals.isEmpty else { return false }
        let offset = network.populations[p].offset
        var newlyFired = 0
        spikeCountOfNeuron.withUnsafeMutableBufferPointer { counts in
            for i in locals {
                let g = offset &+ Int(i)
                if counts[g] == 0 { newlyFired &+= 1 }
                counts[g] &+= 1
            }
        }
        firedNeuronsOfPopulation[p] += newlyFired
        spikeCountOfPopulation[p] += locals.count
        if runtimes[p] != nil { countModelSpikes(locals.count, at: t) }
        if recordSpikes[p] {
            spikes.neurons[p].append(contentsOf: locals)
            spikes.times[p].append(contentsOf: repeatElement(t, count: locals.count))
        }
        if !routing.plasticByTarget[p].isEmpty {
            for i in locals { routing.postSpike(population: p, local: Int(i), at: t) }
        }
        return holds(stop, afterSpikesOf: p)
    }

    /// `noteSpike` for spikes already in the engine's order (ascending time, equal times by
    /// ascending global id) whose potentiation the threads have applied, without a stop
    /// condition: the same counts and recording, with the arrays taken out once per call rather
    /// than once per spike (the event-driven engine's record of a segment on several threads).
    final func noteSpikes(inOrder merged: UnsafeBufferPointer<FiredSpike>) {
        guard !merged.isEmpty else { return }
        let populationCount = network.populations.count
        var perPopulation = [Int](repeating: 0, count: populationCount)
        var newlyFired = [Int](repeating: 0, count: populationCount)
        let offsets = network.populations.map(\.offset)
        let isModel = runtimes.map { $0 != nil }
        spikeCountOfNeuron.withUnsafeMutableBufferPointer { counts in
            for s in merged {
                let p = Int(s.population)
                let g = offsets[p] &+ Int(s.local)
                if counts[g] == 0 { newlyFired[p] &+= 1 }
                counts[g] &+= 1
                perPopulation[p] &+= 1
            }
        }
        for p in 0..<populationCount where perPopulation[p] > 0 {
            firedNeuronsOfPopulation[p] += newlyFired[p]
            spikeCountOfPopulation[p] += perPopulation[p]
        }
        // The spike-memory count (`countModelSpikes`), spike by spike in order, on a local copy.
        let (width, onGrid) = (spikeStepMs, spikesOnGrid)
        var tally = spikeTally
        for s in merged where isModel[Int(s.population)] { tally.add(1, at: s.time, width: width, onGrid: onGrid) }
        spikeTally = tally
        for p in 0..<populationCount where recordSpikes[p] && perPopulation[p] > 0 {
            var (neurons, times) = ([UInt32](), [Double]())
            swap(&neurons, &spikes.neurons[p])
            swap(&times, &spikes.times[p])
            for s in merged where Int(s.population) == p {
                neurons.append(s.local)
                times.append(s.time)
            }
            swap(&neurons, &spikes.neurons[p])
            swap(&times, &spikes.times[p])
        }
    }

    /// Samples every state recording at all sample times ≤ `limit`.
    final func sampleStates(upTo limit: Double) {
        while nextSampleTime <= limit {
            let t = nextSampleTime
            for r in stateRecordings.indices {
                let rec = stateRecordings[r]
                guard let runtime = runtimes[rec.population.index] else { continue }
                stateRecordings[r].times.append(t)
                for (k, i) in rec.neurons.enumerated() {
                    stateRecordings[r].potentials[k].append(runtime.potential(i, t))
                }
            }
            sampleIndex += 1
            nextSampleTime = stateRecordings.map { Double(sampleIndex) * $0.interval }.min() ?? .infinity
        }
    }

    // MARK: Inputs

    /// Replaces the spike trains (ms) of a spike-source population from the current time on.
    public func setSpikeTrains(_ trains: [[Double]], for population: PopulationID) throws {
        let p = try self.population(population)
        guard let source = sources[p.id.index] else {
            throw VolleyError.unsupported("population '\(p.name)' is not a spike source")
        }
        try source.setTrains(trains, now: time, name: p.name)
        sourcesChanged(p.id.index)
    }

    /// Changes the rates (Hz) of a Poisson population from the current time on.
    public func setRates(_ rates: [Double], for population: PopulationID) throws {
        let p = try self.population(population)
        guard let source = sources[p.id.index] else {
            throw VolleyError.unsupported("population '\(p.name)' is not a Poisson source")
        }
        try source.setRates(rates, now: time, name: p.name)
        sourcesChanged(p.id.index)
    }

    /// The population with this id, or a typed error.
    func population(_ id: PopulationID) throws -> Population {
        try network.checkPopulation(id, "")
    }
}
