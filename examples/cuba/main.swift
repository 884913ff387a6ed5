// The Vogels & Abbott (2005) CUBA network as in Brian2's examples/CUBA.py, with a 0.1 ms synaptic
// delay so that NEST and Brian2 can run the identical network (benchmarks/peers/).
//
//   swift run -c release cuba                              # 4000 neurons, 1 s, event-driven
//   swift run -c release cuba --engine stepped --dt 0.1    # same network, clock-driven
//   swift run -c release cuba --neurons 100000 --duration 1000 --raster cuba.svg
//   swift run -c release cuba --duration 10000 --pacemakers 0.07 --quiet-drive -52
//       # the sparse ≈ 1 Hz variant: 7 % pacemakers (E_L −49 mV), the rest 2 mV below threshold

import Foundation
import Volley
import VolleyExamples

/// Network parameters of Brian2's CUBA.py (mV, ms).
enum CUBA {
    static let tauM = 20.0
    static let tauExc = 5.0
    static let tauInh = 10.0
    static let vThreshold = -50.0
    static let vReset = -60.0
    static let vRest = -49.0
    static let tRef = 5.0
    /// we = (60 · 0.27 / 10) mV, wi = (−20 · 4.5 / 10) mV.
    static let wExc = 60 * 0.27 / 10
    static let wInh = -20 * 4.5 / 10
    static let delay = 0.1
    static let excitatoryFraction = 0.8
}

runExample("cuba") {
    var cli = CommandOptions(
        program: "cuba",
        summary: "Vogels & Abbott (2005) CUBA network (Brian2 examples/CUBA.py, 0.1 ms delays)")
    cli.option("engine", value: "event|stepped", default: "event", help: "simulation engine")
    cli.option("dt", value: "MS", default: "0.1", help: "time step of the stepped engine (ms)")
    cli.option("neurons", value: "N", default: "4000", help: "number of neurons (80% excitatory)")
    cli.option("duration", value: "MS", default: "1000", help: "simulated time (ms)")
    cli.option("out-degree", value: "K", default: "80", help: "mean out-degree; connection probability p = K/N")
    cli.option("drive", value: "MV", default: "-49", help: "resting potential E_L (mV); below -50 the network is input-starved")
    cli.option("pacemakers", value: "F", default: "1", help: "fraction of the excitatory and of the inhibitory neurons whose E_L is --drive (the first of each); the others get --quiet-drive (low-activity variant)")
    cli.option("quiet-drive", value: "MV", default: "-60", help: "E_L (mV) of the neurons that are not pacemakers (with --pacemakers F < 1)")
    cli.option("seed", value: "S", default: "1", help: "seed of connectivity and initial potentials")
    cli.option("weight-jitter", value: "F", default: "0", help: "heterogeneous weights: each drawn uniformly in w·[1 − F, 1 + F] (0: the shared we, wi)")
    cli.option("weight-precision", value: "double|single", default: "double", help: "per-synapse weight storage: Double (8 B) or Float (4 B); equal weights are always stored once")
    cli.option("raster", value: "PATH", help: "write an SVG raster plot (first 200 neurons per population)")
    cli.option("spikes", value: "PATH", help: "write every spike as CSV (population,neuron,time_ms)")
    cli.option("record", value: "all|none", default: "all", help: "keep every spike in memory (all: needed by --raster and --spikes) or only count them (none: memory stays flat however long the run)")
    cli.option("write-network", value: "PATH", help: "write the network and this run as a network file; `volley run PATH` then gives the same spikes (docs/network-files.md)")
    cli.threadsOption()
    cli.flag("quick", help: "seconds-long run for CI: 1000 neurons, 200 ms")
    try cli.parseProcessArguments()

    let quick = cli.isSet("quick")
    let engine = try cli.choice("engine", ["event", "stepped"])
    let dt = try cli.double("dt", .init("must be in (0, 10] ms") { $0 > 0 && $0 <= 10 })
    if engine == "event" && cli.isSet("dt") {
        throw VolleyError.usage("option '--dt' sets the step of the stepped engine; the event-driven engine has no time step (add --engine stepped, or drop --dt)")
    }
    // Upper bounds refuse sizes no machine runs (they would only exhaust memory or never end).
    let neurons = quick && !cli.isSet("neurons") ? 1000 : try cli.int("neurons", .within(5...20_000_000))
    let duration = quick && !cli.isSet("duration") ? 200 : try cli.double("duration", .init("must be in (0, 1e8] ms") { $0 > 0 && $0 <= 1e8 })
    let outDegree = try cli.double("out-degree", .positive)
    let vRest = try cli.double("drive", .within(-200...200))
    let pacemakerFraction = try cli.double("pacemakers", .fraction)
    let quietRest = try cli.double("quiet-drive", .within(-200...200))
    let seed = try cli.uint64("seed")
    let jitter = try cli.double("weight-jitter", .init("must be in [0, 1)") { $0 >= 0 && $0 < 1 })
    let precision = WeightPrecision(rawValue: try cli.choice("weight-precision", ["double", "single"]))!
    let p = outDegree / Double(neurons)
    guard p <= 1 else {
        throw VolleyError.usage("option '--out-degree': \(outDegree) gives p = \(p), more than 1 (at most --neurons \(neurons))")
    }
    let expectedSynapses = Double(neurons) * Double(neurons) * p
    let memoryBytes = Double(ProcessInfo.processInfo.physicalMemory)
    guard expectedSynapses * 12 < memoryBytes else {
        throw VolleyError.usage("options '--neurons' \(neurons), '--out-degree' \(outDegree): ≈ \(Int(expectedSynapses)) synapses need more memory than this machine has (\(Int(memoryBytes / 1_048_576)) MB)")
    }
    let rasterPath = try cli.string("raster").map { try OutputPath.check($0, flag: "raster") }
    let spikesPath = try cli.string("spikes").map { try OutputPath.check($0, flag: "spikes") }
    let networkPath = try cli.string("write-network").map { try OutputPath.check($0, flag: "write-network") }
    let record = try cli.choice("record", ["all", "none"]) == "all"
    if !record && (rasterPath != nil || spikesPath != nil) {
        throw VolleyError.usage("option '--record none' keeps no spikes, but --raster/--spikes need them (drop --record none)")
    }

    // Build the network.
    let buildStart = Date()
    let nExc = Int((Double(neurons) * CUBA.excitatoryFraction).rounded())
    let nInh = neurons - nExc
    func model(_ rest: Double) -> LIFExp {
        LIFExp(
            tauM: CUBA.tauM, tauSynExc: CUBA.tauExc, tauSynInh: CUBA.tauInh, vRest: rest,
            vReset: CUBA.vReset, vThreshold: CUBA.vThreshold, tRef: CUBA.tRef)
    }
    var rng = Xoshiro256(seed: seed, stream: 0xC0BA)
    func v0(_ n: Int) -> [Double] {
        (0..<n).map { _ in CUBA.vReset + rng.uniform() * (CUBA.vThreshold - CUBA.vReset) }
    }
    var net = Network()
    // With --pacemakers F < 1 each type is split into its pacemakers (E_L = --drive) and the
    // quiet rest (E_L = --quiet-drive); connectivity is the same p between every pair of neurons.
    var excitatory: [PopulationID] = []
    var inhibitory: [PopulationID] = []
    for (name, size) in [("exc", nExc), ("inh", nInh)] {
        let paced = pacemakerFraction == 1 ? size : Int((Double(size) * pacemakerFraction).rounded())
        let parts = paced == size
            ? [(name, size, vRest)]
            : [(name + "_pace", paced, vRest), (name + "_quiet", size - paced, quietRest)]
        for (partName, n, rest) in parts where n > 0 {
            let id = try net.addPopulation(partName, size: n, model: model(rest), initialPotentials: v0(n))
            if name == "exc" { excitatory.append(id) } else { inhibitory.append(id) }
        }
    }
    var projectionSeed = seed &* 1000
    for (sources, weight, receptor) in [(excitatory, CUBA.wExc, Receptor.excitatory), (inhibitory, CUBA.wInh, Receptor.inhibitory)] {
        for source in sources {
            for target in excitatory + inhibitory {
                projectionSeed &+= 1
                try net.connect(
                    source, to: target, pattern: .fixedProbability(p),
                    weight: jitter == 0 ? .constant(weight) : .uniform(weight * (weight > 0 ? 1 - jitter : 1 + jitter), weight * (weight > 0 ? 1 + jitter : 1 - jitter)),
                    delay: .constant(CUBA.delay), receptor: receptor, seed: projectionSeed, precision: precision)
            }
        }
    }
    if let path = networkPath {
        var run = Experiment.Run()
        (run.durationMs, run.engine, run.dtMs, run.seed) = (duration, engine == "event" ? .event : .stepped, dt, seed)
        run.threads = try cli.requestedThreads()
        var recording = Experiment.Recording()
        recording.recordsSpikes = record
        let description = "CUBA (Vogels & Abbott 2005; Brian2 examples/CUBA.py), written by: cuba \(CommandLine.arguments.dropFirst().joined(separator: " "))"
        try Experiment(network: net, recording: recording, run: run, description: description).file().write(to: path)
        print("network file written to \(path)")
    }
    let sim: Simulator =
        engine == "event"
        ? try EventDrivenSimulator(network: net, recording: record ? .all : .none, threads: try cli.threads(for: net))
        : try TimeSteppedSimulator(network: net, dt: dt, recording: record ? .all : .none, threads: try cli.threads(for: net))
    let buildSeconds = Date().timeIntervalSince(buildStart)
    print("CUBA: \(neurons) neurons (\(nExc) exc, \(nInh) inh), p = \(Format.fixed(p, 5)), \(net.synapseCount) synapses, built in \(Format.fixed(buildSeconds, 2)) s")

    // Run, with progress lines on long runs.
    try runWithProgress(sim, until: duration, chunks: duration * Double(neurons) >= 4e6 ? 10 : 1)

    let report = sim.report()
    print(report.summary)
    if let path = rasterPath {
        try writeTextFile(sim.rasterPlot(title: "CUBA, \(engine) engine, \(neurons) neurons"), to: path)
        print("raster plot written to \(path)")
    }
    if let path = spikesPath {
        try writeTextFile(sim.spikeCSV(), to: path)
        print("spikes written to \(path)")
    }
    // The fields the peer scripts (benchmarks/peers/) print too: run_seconds, synapse_bytes, peak_rss_mb.
    let synapseBytes = net.projections.reduce(0) { $0 + $1.memoryBytes }
    let fields: JSONValue = [
        "example": "cuba", "simulator": "volley", "seed": .unsigned(seed), "out_degree": .number(outDegree),
        "drive_mv": .number(vRest), "build_seconds": .number(buildSeconds), "run_seconds": .number(report.wallSeconds),
        "synapse_bytes": .int(synapseBytes), "weight_layout": .string(net.projections[0].weights.layoutName),
        "bytes_per_synapse": .number(Double(synapseBytes) / Double(max(1, net.synapseCount))),
        "peak_rss_mb": ProcessMemory.peakResidentMegabytes().map(JSONValue.number) ?? .null,
    ]
    printResultLine(try JSONValue(encoding: report).merging(fields))
}
