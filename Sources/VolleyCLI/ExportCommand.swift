import Foundation
import Volley
import VolleyExamples

/// `volley export --nest NETWORK.json -o DIR`: the experiment as a NEST 3 simulation
/// (docs/scaling-out.md).
enum ExportCommand {
    static func main(_ arguments: [String]) throws {
        var cli = CommandOptions(program: "volley export", summary: "write the experiment of a network file as a NEST 3 simulation (docs/scaling-out.md)")
        cli.synopsis = "swift run -c release volley export --nest NETWORK.json --out DIR [options]"
        cli.flag("nest", help: "export for NEST 3: run_nest.py, nest-network.json and the synapse arrays (.npy)")
        cli.flag("pynn", help: "also (or only) for PyNN: run_pynn.py, the same network through PyNN's standard cell types (backend NEST by default)")
        cli.option("out", value: "DIR", help: "directory to create (its parent must exist; an existing one must be empty)")
        cli.flag("precise", help: "use NEST's precise-spike-timing models (iaf_psc_exp_ps, iaf_psc_delta_ps) where they exist")
        cli.option("resolution", value: "MS", default: "0.1", help: "NEST's time step; every delay must be a multiple of it")
        cli.option("duration", value: "MS", help: "simulated time, and how long Poisson sources are drawn (default: the file's run.duration_ms)")
        let split = try NetworkArgument.split(arguments, valued: ["out", "resolution", "duration"], command: "export")
        try cli.parse(split.options)
        if cli.isSet("help") {
            print(cli.usage)
            return
        }
        guard cli.isSet("nest") || cli.isSet("pynn") else {
            throw VolleyError.usage("volley export: say the target: --nest and/or --pynn")
        }
        let out = try cli.requiredString("out")
        try checkDirectory(out)
        var options = NESTExport.Options()
        options.precise = cli.isSet("precise")
        options.pynn = cli.isSet("pynn")
        options.resolution = try cli.double("resolution", .init("must be in (0, 10] ms") { $0 > 0 && $0 <= 10 })
        var experiment = try NetworkArgument.load(split.path, command: "export")
        if cli.isSet("duration") {
            experiment.run.durationMs = try cli.double("duration", .init("must be in (0, 1e8] ms") { $0 > 0 && $0 <= 1e8 })
        }
        let summary: NESTExport.Summary
        do {
            summary = try NESTExport.write(experiment, to: out, options: options)
        } catch let error as VolleyError {
            if case .fileError = error { throw VolleyError.usage("option '--out': \(error)") }
            throw VolleyError.unsupported("cannot export \(split.path!) to NEST: \(error)")
        }
        print("\(split.path!) exported to \(out)/ for NEST: \(summary.models.map { "\($0.population) → \($0.nestModel)" }.joined(separator: ", ")); \(summary.synapses) synapses" + (summary.poissonSpikes > 0 ? "; \(summary.poissonSpikes) Poisson spikes as explicit trains" : ""))
        print("run it: python \(out)/run_nest.py --threads 2   (or: mpirun -np K python \(out)/run_nest.py --threads T)")
        if options.pynn { print("or through PyNN: python \(out)/run_pynn.py --simulator nest --threads 2") }
        printResultLine([
            "command": "export", "target": options.pynn ? "nest+pynn" : "nest", "network_file": .string(split.path!), "directory": .string(out),
            "precise": .bool(options.precise), "resolution_ms": .number(options.resolution),
            "synapses": .int(summary.synapses), "poisson_spikes": .int(summary.poissonSpikes),
            "files": .int(summary.files.count),
            "models": .object(Dictionary(uniqueKeysWithValues: summary.models.map { ($0.population, JSONValue.string($0.nestModel)) })),
        ])
    }

    /// Refuses, before any work, a directory that cannot be created or is not empty.
    static func checkDirectory(_ path: String) throws {
        let fm = FileManager.default
        func fail(_ why: String) -> VolleyError { .usage("option '--out': cannot export to '\(path)': \(why)") }
        guard !path.isEmpty else { throw fail("the path is empty") }
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw fail("it is a file") }
            guard (try? fm.contentsOfDirectory(atPath: path))?.isEmpty == true else { throw fail("the directory is not empty (the export never overwrites)") }
        }
        let parent = URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent().path
        guard fm.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw fail("the directory '\(parent)' does not exist (it is not created)")
        }
        guard fm.isWritableFile(atPath: parent) else { throw fail("'\(parent)' is not writable") }
    }
}
