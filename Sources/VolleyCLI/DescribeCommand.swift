import Foundation
import Volley
import VolleyExamples

/// `volley describe NETWORK.json`: what the file builds and what each engine will do with it,
/// without running it.
enum DescribeCommand {
    static func main(_ arguments: [String]) throws {
        var cli = CommandOptions(program: "volley describe", summary: "sizes, synapses, memory, minimum delay and what each engine will do with a network file")
        cli.synopsis = "swift run -c release volley describe NETWORK.json [options]"
        cli.option("dt", value: "MS", help: "time step to check the stepped engine with (default: the file's run.dt_ms, else 0.1)")
        cli.threadsOption()
        let split = try NetworkArgument.split(arguments, valued: ["dt", "threads"], command: "describe")
        try cli.parse(split.options)
        if cli.isSet("help") {
            print(cli.usage)
            return
        }
        let experiment = try NetworkArgument.load(split.path, command: "describe")
        let path = split.path!
        let net = experiment.network
        let dt = cli.isSet("dt") ? try cli.double("dt", .init("must be in (0, 10] ms") { $0 > 0 && $0 <= 10 }) : experiment.run.dtMs
        let threads = try cli.requestedThreads() ?? experiment.run.threads ?? cli.threads(for: net)

        print("\(path)" + (experiment.description.map { ": \($0)" } ?? ""))
        print("populations:")
        for p in net.populations {
            let kind: String
            switch p.source {
            case let .poisson(rates, _)?: kind = "Poisson source, mean rate \(Format.fixed(rates.reduce(0, +) / Double(rates.count), 2)) Hz"
            case let .spikeTrains(t)?: kind = "spike-train source, \(t.spikeCount) spikes"
            case nil: kind = p.modelName + (p.firstSpikeOnly ? ", first spike only" : "")
            }
            print("  \(p.name): \(p.size) neurons, \(kind)")
        }
        print("projections:")
        var minDelay = Double.infinity
        var maxDelay = 0.0
        var offGrid = 0
        var groups = 0
        var worstRounding = 0.0
        for p in net.projections {
            let s = p.structure
            var lo = Double.infinity, hi = 0.0
            for g in 0..<s.groupCount {
                let d = s.delay(ofGroup: g)
                lo = min(lo, d)
                hi = max(hi, d)
                let steps = d / dt
                if abs(steps - steps.rounded()) > 1e-9 * max(1, steps) {
                    offGrid += 1
                    worstRounding = max(worstRounding, abs(steps - steps.rounded(.toNearestOrAwayFromZero)) * dt)
                }
            }
            groups += s.groupCount
            minDelay = min(minDelay, lo)
            maxDelay = max(maxDelay, hi)
            let delayText = s.synapseCount == 0 ? "no synapses" : lo == hi ? "delay \(Format.fixed(lo, 3)) ms" : "delays \(Format.fixed(lo, 3))–\(Format.fixed(hi, 3)) ms"
            let plastic = p.plasticity.map { ", plastic (\($0.ruleName))" } ?? ""
            print("  \(p.name): \(net.populations[p.source.index].name) → \(net.populations[p.target.index].name) receptor \(p.receptor), \(p.synapseCount) synapses, \(delayText), \(p.memoryBytes) bytes (\(p.weights.layoutName) weights)\(plastic)")
        }
        let synapseBytes = net.projections.reduce(0) { $0 + $1.memoryBytes }
        print("total: \(net.neuronCount) neurons, \(net.synapseCount) synapses, synapses and weights \(Format.fixed(Double(synapseBytes) / 1_048_576, 2)) MB")
        if minDelay.isFinite {
            print("minimum delay d_min = \(Format.fixed(minDelay, 4)) ms, maximum \(Format.fixed(maxDelay, 4)) ms")
        }

        // What each engine does: build it (nothing is run) and report, or report why it refuses.
        var fields: [String: JSONValue] = [
            "command": "describe", "network_file": .string(path), "neurons": .int(net.neuronCount),
            "synapses": .int(net.synapseCount), "populations": .int(net.populations.count),
            "projections": .int(net.projections.count), "synapse_bytes": .int(synapseBytes),
            "min_delay_ms": minDelay.isFinite ? .number(minDelay) : .null, "dt_ms": .number(dt),
            "off_grid_delay_groups": .int(offGrid),
        ]
        for engine in Experiment.Run.Engine.allCases {
            let key = engine == .event ? "event_driven" : "time_stepped"
            do {
                let sim: Simulator = engine == .event
                    ? try EventDrivenSimulator(network: net, recording: .all, threads: threads)
                    : try TimeSteppedSimulator(network: net, dt: dt, recording: .all, threads: threads)
                var text = engine == .event
                    ? "event-driven engine: exact spike times; \(sim.threadCount) thread\(sim.threadCount == 1 ? "" : "s")"
                    : "time-stepped engine: dt = \(Format.fixed(dt, 4)) ms, spikes on the grid; \(sim.threadCount) thread\(sim.threadCount == 1 ? "" : "s")"
                if let why = sim.oneThreadReason { text += " (\(why))" }
                if engine == .stepped && offGrid > 0 {
                    text += "; \(offGrid) of \(groups) delay groups are not multiples of dt and are rounded to the grid (by up to \(Format.fixed(worstRounding, 4)) ms)"
                }
                text += "; memory before recording ≈ \(Format.fixed(Double(sim.memoryBytes) / 1_048_576, 2)) MB"
                print(text)
                fields[key] = "ok"
                fields[key + "_threads"] = .int(sim.threadCount)
                fields[key + "_memory_bytes"] = .int(sim.memoryBytes)
            } catch let error as VolleyError {
                print("\(engine == .event ? "event-driven" : "time-stepped") engine: cannot run this network: \(error)")
                fields[key] = .string("refused: \(error)")
            }
        }
        printResultLine(.object(fields))
    }
}
