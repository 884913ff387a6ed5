import Foundation

/// Activity of one population over a run.
public struct PopulationReport: Sendable, Encodable {
    public let name: String
    public let model: String
    public let size: Int
    public let spikes: Int
    /// spikes / (size × duration), Hz.
    public let meanRateHz: Double
    /// Fraction of neurons that fired at least once.
    public let fractionFired: Double
    public var spikesPerNeuron: Double { Double(spikes) / Double(size) }

    enum CodingKeys: String, CodingKey {
        case name, model, size, spikes, meanRateHz = "mean_rate_hz", fractionFired = "fraction_fired"
        case spikesPerNeuron = "spikes_per_neuron"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(model, forKey: .model)
        try c.encode(size, forKey: .size)
        try c.encode(spikes, forKey: .spikes)
        try c.encode(meanRateHz, forKey: .meanRateHz)
        try c.encode(fractionFired, forKey: .fractionFired)
        try c.encode(spikesPerNeuron, forKey: .spikesPerNeuron)
    }
}

/// The statistics report of a run (see docs/architecture.md for each figure's definition).
public struct RunReport: Sendable, Encodable {
    public let engine: String
    /// Time step (ms) of the time-stepped engine; nil when event-driven.
    public let dtMs: Double?
    /// Simulated time (ms).
    public let durationMs: Double
    public let neurons: Int
    public let synapses: Int
    public let populations: [PopulationReport]
    /// All spikes, sources included.
    public let spikes: Int
    /// Spikes of model neurons only, and their mean rate (Hz).
    public let modelSpikes: Int
    public let meanRateHz: Double
    /// Spikes per model neuron over the run.
    public let spikesPerNeuron: Double
    /// Fraction of model neurons that never fired.
    public let silentFraction: Double
    /// Width (ms) of the bins `sparsity` counts in: the time step dt of the time-stepped engine,
    /// 1 ms for the event-driven one.
    public let sparsityBinMs: Double
    /// 1 − model spikes / (model neurons × bins of `sparsityBinMs` in the run): the fraction of
    /// neuron-bins without a spike, when no neuron fires twice within a bin (always true in the
    /// time-stepped engine, and whenever the refractory period is ≥ 1 ms). 1 for a silent run.
    public let sparsity: Double
    /// The most spikes of model neurons in one bin of `sparsityBinMs` (one time step).
    public let peakSpikesPerStep: Int
    /// Synaptic events applied (SynOps).
    public let synapticEvents: UInt64
    public let stateUpdates: UInt64
    public let queueOperations: UInt64
    public let wakeUps: UInt64
    public let wallSeconds: Double
    /// Estimated bytes of synapses, state, queues and recorded spikes.
    public let memoryBytes: Int
    /// Threads that advanced the neurons, and the seconds each waited for the others.
    public let threads: Int
    public let threadWaitSeconds: [Double]
    /// Why one thread ran although more were asked for (nil: all ran).
    public let oneThreadReason: String?

    /// Synaptic events per wall-clock second.
    public var synapticEventsPerSecond: Double {
        wallSeconds > 0 ? Double(synapticEvents) / wallSeconds : 0
    }

    public init(simulator: Simulator) {
        let duration = simulator.time
        let seconds = duration / 1000
        engine = simulator.engineName
        dtMs = simulator.timeStep
        durationMs = duration
        neurons = simulator.network.neuronCount
        synapses = simulator.network.synapseCount
        populations = simulator.network.populations.map { p in
            let n = simulator.spikeCountOfPopulation[p.id.index]
            let fired = simulator.spikeCountOfNeuron[p.offset..<(p.offset + p.size)].filter { $0 > 0 }.count
            return PopulationReport(
                name: p.name, model: p.modelName, size: p.size, spikes: n,
                meanRateHz: seconds > 0 ? Double(n) / (Double(p.size) * seconds) : 0,
                fractionFired: Double(fired) / Double(p.size))
        }
        spikes = populations.reduce(0) { $0 + $1.spikes }
        let models = zip(simulator.network.populations, populations).filter { !$0.0.isSource }.map(\.1)
        modelSpikes = models.reduce(0) { $0 + $1.spikes }
        let modelNeurons = models.reduce(0) { $0 + $1.size }
        meanRateHz = seconds > 0 && modelNeurons > 0 ? Double(modelSpikes) / (Double(modelNeurons) * seconds) : 0
        spikesPerNeuron = modelNeurons > 0 ? Double(modelSpikes) / Double(modelNeurons) : 0
        let silent = models.reduce(0.0) { $0 + (1 - $1.fractionFired) * Double($1.size) }
        silentFraction = modelNeurons > 0 ? silent / Double(modelNeurons) : 1
        sparsityBinMs = simulator.timeStep ?? 1
        let neuronBins = Double(modelNeurons) * (duration / sparsityBinMs).rounded(.up)
        sparsity = neuronBins > 0 ? Swift.max(0, 1 - Double(modelSpikes) / neuronBins) : 1
        peakSpikesPerStep = simulator.peakSpikesPerStep
        synapticEvents = simulator.counters.synapticEvents
        stateUpdates = simulator.counters.stateUpdates
        queueOperations = simulator.counters.queueOperations
        wakeUps = simulator.counters.wakeUps
        wallSeconds = simulator.wallSeconds
        memoryBytes = simulator.memoryBytes
        threads = simulator.threadCount
        threadWaitSeconds = simulator.threadWaitSeconds
        oneThreadReason = simulator.oneThreadReason
    }

    /// Human-readable summary, several lines.
    public var summary: String {
        var lines: [String] = []
        let dt = dtMs.map { "dt = \($0) ms" } ?? "exact event-driven"
        lines.append("engine \(engine) (\(dt)), \(Format.fixed(durationMs, 1)) ms simulated, \(neurons) neurons, \(synapses) synapses")
        for p in populations {
            lines.append(
                "  \(p.name) [\(p.model)] \(p.size) neurons: \(p.spikes) spikes, \(Format.fixed(p.meanRateHz, 3)) Hz, "
                    + "\(Format.fixed(100 * p.fractionFired, 1))% fired, \(Format.fixed(p.spikesPerNeuron, 3)) spikes/neuron")
        }
        lines.append(
            "  model neurons: mean rate \(Format.fixed(meanRateHz, 3)) Hz, \(Format.fixed(spikesPerNeuron, 3)) spikes/neuron, "
                + "\(Format.fixed(100 * silentFraction, 1))% silent, sparsity \(Format.fixed(sparsity, 4)) (\(sparsityBinMs) ms bins), at most \(peakSpikesPerStep) spikes in one bin")
        lines.append(
            "  synaptic events \(synapticEvents), state updates \(stateUpdates), queue operations \(queueOperations)"
                + (engine == "event" ? ", wake-ups \(wakeUps)" : ""))
        lines.append(
            "  wall \(Format.fixed(wallSeconds, 3)) s, \(Format.engineering(synapticEventsPerSecond)) synaptic events/s, "
                + "memory ≈ \(Format.bytes(memoryBytes)), "
                + (threads == 1 ? "1 thread" : "\(threads) threads (waiting \(threadWaitSeconds.map { Format.fixed($0, 3) }.joined(separator: " / ")) s)")
                + (oneThreadReason.map { " — one thread: \($0)" } ?? ""))
        return lines.joined(separator: "\n")
    }

    enum CodingKeys: String, CodingKey {
        case engine, dtMs = "dt_ms", durationMs = "duration_ms", neurons, synapses, spikes
        case meanRateHz = "mean_rate_hz", synapticEvents = "synaptic_events", stateUpdates = "state_updates"
        case queueOperations = "queue_operations", wakeUps = "wake_ups", wallSeconds = "wall_seconds"
        case eventsPerSecond = "events_per_second", memoryBytes = "memory_bytes", populations
        case spikesPerNeuron = "spikes_per_neuron", silentFraction = "silent_fraction", sparsity
        case sparsityBinMs = "sparsity_bin_ms", synopsPerSecond = "synaptic_events_per_second"
        case peakSpikesPerStep = "peak_spikes_per_step", threads, threadWaitSeconds = "thread_wait_seconds"
        case oneThreadReason = "one_thread_reason"
    }

    /// The report as JSON (snake_case keys; times in seconds except the *_ms ones, rates in Hz;
    /// `spikes` counts model neurons only; `dt_ms` is null when event-driven).
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(engine, forKey: .engine)
        if let dtMs { try c.encode(dtMs, forKey: .dtMs) } else { try c.encodeNil(forKey: .dtMs) }
        try c.encode(durationMs, forKey: .durationMs)
        try c.encode(neurons, forKey: .neurons)
        try c.encode(synapses, forKey: .synapses)
        try c.encode(modelSpikes, forKey: .spikes)
        try c.encode(meanRateHz, forKey: .meanRateHz)
        try c.encode(spikesPerNeuron, forKey: .spikesPerNeuron)
        try c.encode(silentFraction, forKey: .silentFraction)
        try c.encode(sparsity, forKey: .sparsity)
        try c.encode(sparsityBinMs, forKey: .sparsityBinMs)
        try c.encode(peakSpikesPerStep, forKey: .peakSpikesPerStep)
        try c.encode(synapticEvents, forKey: .synapticEvents)
        try c.encode(stateUpdates, forKey: .stateUpdates)
        try c.encode(queueOperations, forKey: .queueOperations)
        try c.encode(wakeUps, forKey: .wakeUps)
        try c.encode(wallSeconds, forKey: .wallSeconds)
        try c.encode(synapticEventsPerSecond, forKey: .eventsPerSecond)
        try c.encode(synapticEventsPerSecond, forKey: .synopsPerSecond)
        try c.encode(memoryBytes, forKey: .memoryBytes)
        try c.encode(threads, forKey: .threads)
        try c.encode(threadWaitSeconds, forKey: .threadWaitSeconds)
        try c.encode(oneThreadReason, forKey: .oneThreadReason)
        try c.encode(populations, forKey: .populations)
    }
}
