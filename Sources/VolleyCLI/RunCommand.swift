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
        let split = try NetworkArgument.split(
            arguments, valued: ["engine", "dt", "duration", "threads", "spikes", "raster", "potentials", "report"], command: "run")
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
        let sim: Simulator = run.engine == .event
            ? try EventDrivenSimulator(network: net, recording: recording, threads: threads)
            : try TimeSteppedSimulator(network: net, dt: run.dtMs, recording: recording, threads: threads)
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
