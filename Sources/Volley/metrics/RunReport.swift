import Foundation

/// Activity of one population over a run.
public struct PopulationReport: Sendable {
    public let name: String
    public let model: String
    public let size: Int
    public let spikes: Int
    /// spikes / (size × duration), Hz.
    public let meanRateHz: Double
    /// Fraction of neurons that fired at least once.
    public let fractionFired: Double
    public var spikesPerNeuron: Double { Double(spikes) / Double(size) }
}

/// The statistics report of a run (see docs/architecture.md for each figure's definition).
public struct RunReport: Sendable {
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
    /// Synaptic events applied (SynOps).
    public let synapticEvents: UInt64
    public let stateUpdates: UInt64
    public let queueOperations: UInt64
    public let wakeUps: UInt64
    public let wallSeconds: Double
    /// Estimated bytes of synapses, state, queues and recorded spikes.
    public let memoryBytes: Int

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
            let n = simulator.spikeCount(of: p.id)
            let fired = simulator.spikeCounts(of: p.id).filter { $0 > 0 }.count
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
        synapticEvents = simulator.counters.synapticEvents
        stateUpdates = simulator.counters.stateUpdates
        queueOperations = simulator.counters.queueOperations
        wakeUps = simulator.counters.wakeUps
        wallSeconds = simulator.wallSeconds
        memoryBytes = simulator.memoryBytes
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
        lines.append("  mean rate of model neurons \(Format.fixed(meanRateHz, 3)) Hz")
        lines.append(
            "  synaptic events \(synapticEvents), state updates \(stateUpdates), queue operations \(queueOperations)"
                + (engine == "event" ? ", wake-ups \(wakeUps)" : ""))
        lines.append(
            "  wall \(Format.fixed(wallSeconds, 3)) s, \(Format.engineering(synapticEventsPerSecond)) synaptic events/s, "
                + "memory ≈ \(Format.bytes(memoryBytes))")
        return lines.joined(separator: "\n")
    }

    /// The report as JSON fields (snake_case; times in seconds except the *_ms ones, rates in Hz).
    public var jsonFields: [(String, JSONValue)] {
        [
            ("engine", .string(engine)),
            ("dt_ms", .number(dtMs)),
            ("duration_ms", .number(durationMs)),
            ("neurons", .int(neurons)),
            ("synapses", .int(synapses)),
            ("spikes", .int(modelSpikes)),
            ("mean_rate_hz", .number(meanRateHz)),
            ("synaptic_events", .int(Int(synapticEvents))),
            ("state_updates", .int(Int(stateUpdates))),
            ("queue_operations", .int(Int(queueOperations))),
            ("wake_ups", .int(Int(wakeUps))),
            ("wall_seconds", .number(wallSeconds)),
            ("events_per_second", .number(synapticEventsPerSecond)),
            ("memory_bytes", .int(memoryBytes)),
            ("populations", .array(populations.map { p in
                .object([
                    ("name", .string(p.name)), ("model", .string(p.model)), ("size", .int(p.size)),
                    ("spikes", .int(p.spikes)), ("mean_rate_hz", .number(p.meanRateHz)),
                    ("fraction_fired", .number(p.fractionFired)),
                    ("spikes_per_neuron", .number(p.spikesPerNeuron)),
                ])
            })),
        ]
    }
}

/// Number formatting for human-readable output (no Foundation locale dependence).
public enum Format {
    /// `value` with `digits` decimals.
    public static func fixed(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite else { return "\(value)" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        var s = "\(abs(rounded))"
        if s.contains("e") { return "\(rounded)" }
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        var fraction = parts.count > 1 ? String(parts[1]) : ""
        while fraction.count < digits { fraction += "0" }
        fraction = String(fraction.prefix(digits))
        s = digits > 0 ? "\(parts[0]).\(fraction)" : String(parts[0])
        return (rounded < 0 ? "-" : "") + s
    }

    /// `value` as m.mmm·10^e with `digits` decimals of the mantissa, e.g. "1.23e-10".
    public static func scientific(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite, value != 0 else { return value == 0 ? "0" : "\(value)" }
        var exponent = Int(log10(abs(value)).rounded(.down))
        var mantissa = value / pow(10, Double(exponent))
        if abs((mantissa * pow(10, Double(digits))).rounded()) >= 10 * pow(10, Double(digits)) {
            exponent += 1
            mantissa /= 10
        }
        return "\(fixed(mantissa, digits))e\(exponent)"
    }

    /// 3 significant figures with k/M/G suffix.
    public static func engineering(_ value: Double) -> String {
        let units: [(Double, String)] = [(1e9, "G"), (1e6, "M"), (1e3, "k")]
        for (scale, suffix) in units where abs(value) >= scale {
            return fixed(value / scale, 2) + suffix
        }
        return fixed(value, 1)
    }

    public static func bytes(_ n: Int) -> String {
        let d = Double(n)
        if d >= 1_073_741_824 { return fixed(d / 1_073_741_824, 2) + " GiB" }
        if d >= 1_048_576 { return fixed(d / 1_048_576, 2) + " MiB" }
        if d >= 1024 { return fixed(d / 1024, 1) + " KiB" }
        return "\(n) B"
    }
}

/// Peak resident set size of this process so far (MB = 2^20 bytes), from `getrusage`
/// (`ru_maxrss`, kilobytes on Linux); 0 where unavailable.
public func peakResidentMegabytes() -> Double {
    #if os(Linux)
    var usage = rusage()
    guard getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage) == 0 else { return 0 }
    return Double(usage.ru_maxrss) / 1024
    #else
    return 0
    #endif
}
