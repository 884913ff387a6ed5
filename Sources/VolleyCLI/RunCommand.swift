import Foundation
import Volley
import VolleyExamples

/// `volley run NETWORK.json`: builds the experiment, runs it in the engine the file (or
/// `--engine`) names, and writes what was asked for.
enum RunCommand {
    static func main(_ arguments: [String]) throws {
        var cli = CommandOptions(program: "volley run", summary: "simulate the experiment in a network file (docs/network-files.md)")
        cli.synopsis = "swift run -c release volley run NETWORK.json [options]"
        cli.option("engine", value: "event|stepped", help: "simulation engine (default: the file's run.engine, else event)")
        cli.option("dt", value: "MS", help: "time step of the stepped engine (default: the file's run.dt_ms, else 0.1)")
        cli.option("duration", value: "MS", help: "simulated time (default: the file's run.duration_ms, else 1000)")
        cli.threadsOption()
        cli.option("spikes", value: "PATH", help: "write every recorded spike as CSV (population,neuron,time_ms)")
        cli.option("raster", value: "PATH", help: "write an SVG raster plot (first 200 neurons per population)")
        cli.option("potentials", value: "PATH", help: "write the sampled membrane potentials of the file's recording.potentials as CSV (population,neuron,time_ms,v_mv)")
        cli.option("report", value: "PATH", help: "write the run report (the JSON object of the last output line) to a file")
        cli.option("samples", value: "PATH", help: "run every sample of a samples file (volley-samples-1: spike trains of one source population per sample, optional labels) from the initial state and classify by the readout (--decision)")
        cli.option("readout", value: "NAME", help: "with --samples: the population whose neurons are the classes (default: the samples file's readout)")
        cli.option("decision", value: "spike-count|final-potential|max-potential", default: "spike-count", help: "with --samples: the class is the readout neuron with the most spikes, or the highest potential at the end, or the highest potential sampled every --potential-every ms (for non-spiking readouts such as NIR's LI; ties undecided)")
        cli.option("potential-every", value: "MS", default: "0.1", help: "with --decision max-potential: the sampling interval (ms)")
        cli.option("predictions", value: "PATH", help: "with --samples: write sample,label,prediction as CSV")
        let split = try NetworkArgument.split(
            arguments, valued: [
                "engine", "dt", "duration", "threads", "spikes", "raster", "potentials", "report", "samples", "readout", "decision",
                "potential-every", "predictions",
            ], command: "run")
        try cli.parse(split.options)
        if cli.isSet("help") {
            print(cli.usage)
            return
        }
        let outputs = try ["spikes", "raster", "potentials", "report"].map { flag in
            try cli.string(flag).map { try OutputPath.check($0, flag: flag) }
        }
        let buildStart = Date()
        var experiment = try NetworkArgument.load(split.path, command: "run")
        let path = split.path!
        if cli.isSet("engine") {
            experiment.run.engine = Experiment.Run.Engine(rawValue: try cli.choice("engine", ["event", "stepped"]))!
        }
        if cli.isSet("dt") {
            guard experiment.run.engine == .stepped else {
                throw VolleyError.usage("option '--dt' sets the step of the stepped engine; the event-driven engine has no time step (add --engine stepped, or drop --dt)")
            }
            experiment.run.dtMs = try cli.double("dt", .init("must be in (0, 10] ms") { $0 > 0 && $0 <= 10 })
        }
        if cli.isSet("duration") {
            experiment.run.durationMs = try cli.double("duration", .init("must be in (0, \(Simulator.latestEndTime)] ms") { $0 > 0 && $0 <= Simulator.latestEndTime })
        }
        if let samplesPath = cli.string("samples") {
            try runSamples(experiment, path: path, samplesPath: samplesPath, cli: cli, outputs: outputs)
            return
        }
        for flag in ["readout", "decision", "potential-every", "predictions"] where cli.isSet(flag) {
            throw VolleyError.usage("option '--\(flag)' needs --samples")
        }
        let net = experiment.network
        let recording = try spikeRecording(experiment)
        if case .none = recording, outputs[0] != nil || outputs[1] != nil {
            throw VolleyError.usage("the file's recording.spikes is \"none\", but --spikes/--raster need spikes (record them in the file)")
        }
        if outputs[2] != nil && experiment.recording.potentials.isEmpty {
            throw VolleyError.usage("option '--potentials': the file's recording.potentials names no neurons to sample")
        }
        let threads = try cli.requestedThreads() ?? experiment.run.threads ?? cli.threads(for: net)
        let run = experiment.run
        let sim = try experiment.makeSimulator(threads: threads, recording: recording)
        for p in experiment.recording.potentials {
            try sim.recordPotentials(of: net.population(named: p.population)!, neurons: p.neurons, every: p.intervalMs)
        }
        let buildSeconds = Date().timeIntervalSince(buildStart)
        let stepText = run.engine == .stepped ? ", dt = \(Format.fixed(run.dtMs, 3)) ms" : ""
        print("\(path): \(net.neuronCount) neurons in \(net.populations.count) populations, \(net.synapseCount) synapses; \(run.engine == .event ? "event-driven" : "time-stepped") engine\(stepText), \(Format.fixed(run.durationMs, 1)) ms; built in \(Format.fixed(buildSeconds, 2)) s")
        try runWithProgress(sim, until: run.durationMs, chunks: run.durationMs * Double(net.neuronCount) >= 4e6 ? 10 : 1)

        let report = sim.report()
        print(report.summary)
        let fields: JSONValue = [
            "command": "run", "network_file": .string(path), "build_seconds": .number(buildSeconds),
            "run_seconds": .number(report.wallSeconds),
        ]
        let result = try JSONValue(encoding: report).merging(fields)
        if let out = outputs[0] {
            try writeTextFile(sim.spikeCSV(), to: out)
            print("spikes written to \(out)")
        }
        if let out = outputs[1] {
            try writeTextFile(sim.rasterPlot(title: "\(URL(fileURLWithPath: path).lastPathComponent), \(report.engine) engine"), to: out)
            print("raster plot written to \(out)")
        }
        if let out = outputs[2] {
            try writeTextFile(potentialCSV(sim), to: out)
            print("potentials written to \(out)")
        }
        if let out = outputs[3] {
            try writeTextFile(result.rendered + "\n", to: out)
            print("report written to \(out)")
        }
        printResultLine(result)
    }

    /// `--samples`: every sample from the initial state, classified by the readout's spike counts.
    static func runSamples(_ experiment: Experiment, path: String, samplesPath: String, cli: CommandOptions, outputs: [String?]) throws {
        if let used = zip(["spikes", "raster", "potentials"], outputs).first(where: { $0.1 != nil }) {
            throw VolleyError.usage("option '--\(used.0)' describes one run; with --samples use --predictions and --report")
        }
        let predictionsPath = try cli.string("predictions").map { try OutputPath.check($0, flag: "predictions") }
        let set = try reading("samples", samplesPath) { try SampleSet.read(from: samplesPath) }
        let net = experiment.network
        func population(_ name: String, _ flag: String) throws -> PopulationID {
            guard let id = net.population(named: name) else {
                throw VolleyError.usage("option '--\(flag)': the network has no population '\(name)' (populations: \(net.populations.map(\.name).joined(separator: ", ")))")
            }
            return id
        }
        let input = try population(set.population, "samples")
        guard try net.population(input).isSource else {
            throw VolleyError.usage("option '--samples': population '\(set.population)' is not a spike source")
        }
        guard let readoutName = cli.string("readout") ?? set.readout else {
            throw VolleyError.usage("option '--samples': name the readout population (--readout NAME, or \"readout\" in the samples file)")
        }
        let readout = try population(readoutName, "readout")
        let decision: SampleDecision
        switch try cli.choice("decision", ["spike-count", "final-potential", "max-potential"]) {
        case "final-potential": decision = .finalPotential
        case "max-potential":
            decision = .maxPotential(every: try cli.double("potential-every", .init("must be in (0, 1000] ms") { $0 > 0 && $0 <= 1000 }))
        default: decision = .spikeCount
        }
        if cli.isSet("potential-every") && decision.name != "max-potential" {
            throw VolleyError.usage("option '--potential-every' needs --decision max-potential")
        }
        if decision != .spikeCount, try net.population(readout).isSource {
            throw VolleyError.usage("option '--decision': '\(readoutName)' is a spike source and has no potential")
        }
        let duration = cli.isSet("duration") ? experiment.run.durationMs : set.durationMs ?? experiment.run.durationMs
        let threads = try cli.requestedThreads() ?? experiment.run.threads ?? cli.threads(for: net)
        let run = experiment.run
        let sim = try experiment.makeSimulator(threads: threads, recording: .none)
        print("\(path): \(set.samples.count) samples of '\(set.population)' from \(samplesPath), \(Format.fixed(duration, 2)) ms each, \(run.engine == .event ? "event-driven" : "time-stepped") engine; class = \(decision == .spikeCount ? "most active neuron" : decision == .finalPotential ? "highest final potential" : "highest potential sampled every \(cli.string("potential-every") ?? "") ms") of '\(readoutName)'")
        let start = Date()
        let step = max(1, set.samples.count / 10)
        let result = try blamingSamples(samplesPath) {
            try sim.run(samples: set, input: input, readout: readout, duration: duration, decision: decision) { k in
                if (k + 1) % step == 0 && set.samples.count >= 100 {
                    print("  \(k + 1) of \(set.samples.count) samples, \(Format.fixed(Double(k + 1) / Date().timeIntervalSince(start), 1)) samples/s")
                }
            }
        }
        let wall = Date().timeIntervalSince(start)
        let accuracyText = result.accuracy.map { "accuracy \(Format.fixed(100 * $0, 2)) %, " } ?? ""
        print("\(accuracyText)\(Format.fixed(100 * result.undecided, 2)) % undecided, \(Format.fixed(Double(result.spikes) / Double(set.samples.count), 1)) spikes per sample, \(Format.fixed(Double(set.samples.count) / wall, 1)) samples/s")
        if let out = predictionsPath {
            var lines = ["sample,label,prediction"]
            for (k, (p, l)) in zip(result.predictions, result.labels).enumerated() {
                lines.append("\(k),\(l.map(String.init) ?? ""),\(p.map(String.init) ?? "")")
            }
            try writeTextFile(lines.joined(separator: "\n") + "\n", to: out)
            print("predictions written to \(out)")
        }
        let fields: JSONValue = [
            "command": "run", "network_file": .string(path), "samples_file": .string(samplesPath),
            "samples": .int(set.samples.count), "accuracy": .number(result.accuracy), "undecided": .number(result.undecided),
            "decision": .string(decision.name),
            "engine": .string(run.engine.rawValue), "dt_ms": run.engine == .stepped ? .number(run.dtMs) : .null,
            "duration_ms": .number(duration), "spikes_per_sample": .number(Double(result.spikes) / Double(set.samples.count)),
            "synaptic_events_per_sample": .number(Double(result.synapticEvents) / Double(set.samples.count)),
            "run_seconds": .number(result.wallSeconds), "samples_per_second": .number(Double(set.samples.count) / wall),
            "threads": .int(sim.threadCount),
        ]
        if let out = outputs[3] {
            try writeTextFile(fields.rendered + "\n", to: out)
            print("report written to \(out)")
        }
        printResultLine(fields)
    }

    /// A sample that does not fit the network is the samples file's fault: say so.
    static func blamingSamples<T>(_ path: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let VolleyError.invalidParameter(name, value, reason) where name.hasPrefix("samples[") {
            throw VolleyError.malformedData(source: path, reason: "\(name) = \(value): \(reason)")
        } catch let VolleyError.invalidSpikeTime(value, context) {
            throw VolleyError.usage("option '--samples': \(VolleyError.invalidSpikeTime(value: value, context: context)) in \(path)")
        }
    }

    static func spikeRecording(_ e: Experiment) throws -> SpikeRecording {
        guard e.recording.recordsSpikes else { return .none }
        guard let names = e.recording.spikes else { return .all }
        return .only(names.map { e.network.population(named: $0)! })
    }

    /// population,neuron,time_ms,v_mv: every sample of every state recording.
    static func potentialCSV(_ sim: Simulator) throws -> String {
        var lines = ["population,neuron,time_ms,v_mv"]
        for r in sim.stateRecordings {
            let name = try sim.network.population(r.population).name
            for (k, neuron) in r.neurons.enumerated() {
                for (j, t) in r.times.enumerated() {
                    lines.append("\(name),\(neuron),\(t),\(r.potentials[k][j])")
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
