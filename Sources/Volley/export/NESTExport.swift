import Foundation

/// Writes an experiment as a NEST 3 simulation (docs/scaling-out.md): a directory with the
/// network's description in NEST's models and units (`nest-network.json`), every projection as
/// explicit synapse arrays (`.npy`: the same synapses, not re-drawn), source spike trains, initial
/// potentials, and `run_nest.py`, which builds the network in NEST, records spikes and runs
/// unchanged under `mpirun -np K` with `--threads T` per process.
///
/// Models and units: `lif_exp` → `iaf_psc_exp` (`iaf_psc_exp_ps` with `precise`), `lif_delta` →
/// `iaf_psc_delta` (`iaf_psc_delta_ps`), `lif_cond_exp` → `iaf_cond_exp`, `adex` →
/// `aeif_psc_exp`, `adex_cond_exp` → `aeif_cond_exp`, `izhikevich` → `izhikevich`. Volley's
/// current-based models take weights as the jump of R·I in mV; NEST's take pA, so with C_m =
/// 250 pF a weight w (mV) becomes w·C_m/τ_m pA and a bias b (mV) the current I_e = b·C_m/τ_m.
/// NEST routes current and conductance inputs by the weight's sign (negative: the inhibitory
/// synapse), so a conductance onto receptor 1 is written negated, and a current-based weight must
/// have the sign of its receptor unless both synaptic time constants are equal. Poisson sources
/// are written as the spike trains Volley draws for the run (`spike_generator`s), so NEST sees the
/// same input. Everything else — another model, first-spike-only populations, plasticity, reset
/// by subtraction, a delay that is not a multiple of the resolution — is a typed error naming it.
public enum NESTExport {
    public struct Options: Sendable {
        /// Use NEST's precise-spike-timing models (`_ps`) where they exist.
        public var precise = false
        /// NEST's time step (ms); every delay must be a multiple of it.
        public var resolution = 0.1
        /// Also write `run_pynn.py`: the same network through PyNN's standard cell types.
        public var pynn = false
        public init() {}
    }

    /// What was written.
    public struct Summary: Sendable {
        /// Population name → NEST model ("spike_generator" for sources).
        public var models: [(population: String, nestModel: String)]
        public var synapses: Int
        /// Spikes of Poisson sources written as explicit trains.
        public var poissonSpikes: Int
        public var files: [String]
    }

    /// The membrane capacitance (pF) used to turn Volley's mV-scaled currents into NEST's pA.
    public static let capacitance = 250.0

    /// Writes the export into `directory` (created; its parent must exist, and the directory must
    /// not exist yet or be empty). Files are written into a temporary directory beside it that is
    /// renamed into place at the end, so a failed export leaves nothing behind.
    public static func write(_ experiment: Experiment, to directory: String, options: Options = Options()) throws -> Summary {
        try VolleyError.require("resolution", options.resolution, "must be in (0, 10] ms") { $0 > 0 && $0 <= 10 }
        let net = experiment.network
        var files: [String: Data] = [:]
        var populations: [[String: Any]] = []
        var models: [(String, String)] = []
        let poisson = try poissonTrains(experiment)
        var poissonSpikes = 0
        for p in net.populations {
            var entry: [String: Any] = ["name": p.name, "size": p.size, "record": recorded(p, experiment)]
            let stem = "population-\(p.id.index)"
            if let source = p.source {
                let trains: [[Double]]
                switch source {
                case let .spikeTrains(t): trains = (0..<t.count).map { Array(t.train($0)) }
                case .poisson:
                    trains = poisson[p.id.index] ?? []
                    poissonSpikes += trains.reduce(0) { $0 + $1.count }
                }
                var starts = [0]
                for t in trains { starts.append(starts.last! + t.count) }
                files[stem + "-times.npy"] = NumPyFile.data(trains.flatMap { $0 })
                files[stem + "-starts.npy"] = NumPyFile.data(starts)
                entry["nest_model"] = "spike_generator"
                entry["spike_times"] = stem + "-times.npy"
                entry["spike_starts"] = stem + "-starts.npy"
                models.append((p.name, "spike_generator"))
            } else {
                let m = try mapping(p, precise: options.precise)
                entry["nest_model"] = m.name
                entry["params"] = m.params
                if let v0 = try p.initialPotentials?.values(count: p.size, population: p.name) {
                    files[stem + "-v_m.npy"] = NumPyFile.data(v0)
                    entry["v_m"] = stem + "-v_m.npy"
                }
                var stateFiles: [String: String] = [:]
                for (name, values) in try nestStates(p, experiment.initialStates[p.name] ?? [:], precise: options.precise) {
                    files[stem + "-state-\(name).npy"] = NumPyFile.data(values)
                    stateFiles[name] = stem + "-state-\(name).npy"
                }
                if !stateFiles.isEmpty { entry["state"] = stateFiles }
                models.append((p.name, m.name))
            }
            populations.append(entry)
        }
        var projections: [[String: Any]] = []
        for p in net.projections {
            let target = net.populations[p.target.index]
            let context = "projection '\(p.name)'"
            guard p.plasticity == nil else {
                throw VolleyError.unsupported("\(context) is plastic: the NEST export writes static synapses (remove the plasticity, or export the learned weights with Network.setWeights)")
            }
            let (scale, signs) = target.isSource ? (1.0, [1.0]) : try mapping(target, precise: options.precise).weights
            let s = p.structure
            let weights = p.weights.array
            var sources = [Int](), targets = [Int](), nestWeights = [Double](), delays = [Double]()
            for i in 0..<s.sourceCount {
                for g in s.groups(ofSource: i) {
                    let d = s.delay(ofGroup: g)
                    let steps = d / options.resolution
                    guard abs(steps - steps.rounded()) <= 1e-9 * max(1, steps), steps.rounded() >= 1 else {
                        throw VolleyError.invalidDelay(
                            value: d, context: "\(context): NEST needs delays that are multiples of its resolution \(options.resolution) ms (choose another --resolution)")
                    }
                    for k in s.synapses(ofGroup: g) {
                        sources.append(i)
                        targets.append(s.target(ofSynapse: k))
                        nestWeights.append(weights[k] * scale * signs[p.receptor])
                        delays.append(d)  // NEST rounds it to its steps (exactly a multiple, checked above)
                    }
                }
            }
            if signs.count == 2 && signs[1] > 0, let mixed = try signProblem(target, p.receptor, weights) {
                throw VolleyError.invalidWeight(value: mixed, context: "\(context): NEST's \(try mapping(target, precise: options.precise).name) routes inputs by their sign; receptor \(p.receptor) needs weights of sign \(p.receptor == 0 ? "≥ 0" : "≤ 0") unless tau_syn_exc = tau_syn_inh")
            }
            let stem = "projection-\(p.id.index)"
            files[stem + "-sources.npy"] = NumPyFile.data(sources)
            files[stem + "-targets.npy"] = NumPyFile.data(targets)
            files[stem + "-weights.npy"] = NumPyFile.data(nestWeights)
            files[stem + "-delays.npy"] = NumPyFile.data(delays)
            projections.append([
                "name": p.name, "source": p.source.index, "target": p.target.index, "receptor": p.receptor, "synapses": s.synapseCount,
                "sources": stem + "-sources.npy", "targets": stem + "-targets.npy",
                "weights": stem + "-weights.npy", "delays": stem + "-delays.npy",
            ])
        }
        let description: [String: Any] = [
            "format": "volley-nest-export-1", "resolution_ms": options.resolution, "duration_ms": experiment.run.durationMs,
            "precise": options.precise, "populations": populations, "projections": projections,
            "description": experiment.description ?? "",
        ]
        files["nest-network.json"] = try JSONSerialization.data(withJSONObject: description, options: [.prettyPrinted, .sortedKeys])
        files["run_nest.py"] = Data(NESTScript.text.utf8)
        if options.pynn {
            let pynnModels: Set = ["spike_generator", "iaf_psc_exp", "iaf_psc_exp_ps", "iaf_psc_delta", "iaf_psc_delta_ps", "iaf_cond_exp", "aeif_cond_exp"]
            if let (population, model) = models.first(where: { !pynnModels.contains($0.1) }) {
                throw VolleyError.unsupported("population '\(population)' (NEST \(model)): no PyNN standard cell type is exported for it (PyNN: lif_exp, lif_delta, lif_cond_exp, adex_cond_exp)")
            }
            for entry in populations {
                if let state = entry["state"] as? [String: String], let other = state.keys.sorted().first(where: { $0 != "V_m" }) {
                    throw VolleyError.unsupported("population '\(entry["name"] as? String ?? "")': the PyNN export sets only the membrane potential of initial_state, not NEST's \(other) (export with --nest alone)")
                }
            }
            files["run_pynn.py"] = Data(PyNNScript.text.utf8)
        }
        try writeDirectory(files, to: directory)
        return Summary(models: models, synapses: net.synapseCount, poissonSpikes: poissonSpikes, files: files.keys.sorted())
    }

    static func recorded(_ p: Population, _ e: Experiment) -> Bool {
        guard e.recording.recordsSpikes, !p.isSource else { return false }
        return e.recording.spikes.map { $0.contains(p.name) } ?? true
    }

    /// The first weight of a projection onto a current-based two-receptor model whose sign NEST
    /// would route to the other synapse (nil: none, or both time constants equal).
    static func signProblem(_ target: Population, _ receptor: Int, _ weights: [Double]) throws -> Double? {
        var taus: (Double, Double)?
        if let m = target.model as? LIFExp { taus = (m.tauSynExc, m.tauSynInh) }
        if let m = target.model as? AdEx { taus = (m.tauSynExc, m.tauSynInh) }
        guard let (exc, inh) = taus, exc != inh else { return nil }
        return weights.first { receptor == 0 ? $0 < 0 : $0 > 0 }
    }

    /// The NEST model of a population, its parameters, and how its weights convert: the scale and
    /// the sign per receptor.
    static func mapping(_ p: Population, precise: Bool) throws -> (name: String, params: [String: Double], weights: (Double, [Double])) {
        let c = capacitance
        func fail(_ why: String) -> VolleyError {
            .unsupported("population '\(p.name)' (\(p.modelName)): \(why)")
        }
        guard !p.firstSpikeOnly else { throw fail("first-spike-only populations have no NEST equivalent") }
        switch p.model {
        case let m as LIFExp:
            guard m.reset == .toValue else { throw fail("NEST has no reset by subtraction") }
            return (precise ? "iaf_psc_exp_ps" : "iaf_psc_exp", [
                "C_m": c, "tau_m": m.tauM, "tau_syn_ex": m.tauSynExc, "tau_syn_in": m.tauSynInh, "t_ref": m.tRef,
                "E_L": m.vRest, "V_reset": m.vReset, "V_th": m.vThreshold, "I_e": m.bias * c / m.tauM,
            ], (c / m.tauM, [1, 1]))
        case let m as LIFDelta:
            guard m.reset == .toValue else { throw fail("NEST has no reset by subtraction") }
            guard m.tauM.isFinite else { throw fail("NEST's iaf_psc_delta needs a finite tau_m") }
            return (precise ? "iaf_psc_delta_ps" : "iaf_psc_delta", [
                "C_m": c, "tau_m": m.tauM, "t_ref": m.tRef, "E_L": m.vRest, "V_reset": m.vReset, "V_th": m.vThreshold,
                "I_e": m.bias * c / m.tauM,
            ], (1, [1]))
        case let m as LIFCondExp:
            guard m.thetaPlus == 0 else { throw fail("NEST's iaf_cond_exp has no adaptive threshold (theta_plus must be 0)") }
            return ("iaf_cond_exp", [
                "C_m": m.cM, "g_L": m.gL, "E_L": m.eL, "V_th": m.vTh, "V_reset": m.vReset, "t_ref": m.tRef,
                "E_ex": m.eEx, "E_in": m.eIn, "tau_syn_ex": m.tauSynExc, "tau_syn_in": m.tauSynInh, "I_e": m.iE,
            ], (1, [1, -1]))
        case let m as AdEx:
            return ("aeif_psc_exp", [
                "C_m": m.cM, "g_L": m.gL, "E_L": m.eL, "V_th": m.vT, "Delta_T": m.deltaT, "a": m.a, "b": m.b,
                "tau_w": m.tauW, "V_reset": m.vReset, "V_peak": m.vPeak, "t_ref": m.tRef,
                "tau_syn_ex": m.tauSynExc, "tau_syn_in": m.tauSynInh, "I_e": m.iE,
            ], (1, [1, 1]))
        case let m as AdExCondExp:
            return ("aeif_cond_exp", [
                "C_m": m.cM, "g_L": m.gL, "E_L": m.eL, "V_th": m.vT, "Delta_T": m.deltaT, "a": m.a, "b": m.b,
                "tau_w": m.tauW, "V_reset": m.vReset, "V_peak": m.vPeak, "t_ref": m.tRef, "E_ex": m.eEx, "E_in": m.eIn,
                "tau_syn_ex": m.tauSynExc, "tau_syn_in": m.tauSynInh, "I_e": m.iE,
            ], (1, [1, -1]))
        case let m as Izhikevich:
            return ("izhikevich", ["a": m.a, "b": m.b, "c": m.c, "d": m.d, "V_th": m.vTh, "I_e": m.iE], (1, [1]))
        default:
            throw fail("no NEST equivalent is exported (exported: lif_exp, lif_delta, lif_cond_exp, adex, adex_cond_exp, izhikevich)")
        }
    }

    /// A population's `initial_state` in NEST's state variables and units: V_m for every model;
    /// the synaptic currents of `iaf_psc_exp_ps` (pA = mV·C_m/τm; NEST's `iaf_psc_exp` does not
    /// let them be set, so nonzero ones need `--precise`) and of `aeif_psc_exp` (whose I_syn_in is
    /// the magnitude of Volley's i_in ≤ 0); the conductances of `iaf_cond_exp` and `aeif_cond_exp`;
    /// w of the AdEx models; U_m of `izhikevich`. A variable NEST has no counterpart for is a
    /// typed error unless it is 0 for every neuron.
    static func nestStates(_ p: Population, _ state: [String: [Double]], precise: Bool) throws -> [(String, [Double])] {
        try Experiment.checkInitialState(state, of: p)
        let c = capacitance
        var out: [(String, [Double])] = []
        for (variable, values) in state.sorted(by: { $0.key < $1.key }) {
            let name: String?
            var factor = 1.0
            switch (p.model, variable) {
            case (_, "v"): name = "V_m"
            case let (m as LIFExp, "i_exc") where precise: (name, factor) = ("I_syn_ex", c / m.tauM)
            case let (m as LIFExp, "i_inh") where precise: (name, factor) = ("I_syn_in", c / m.tauM)
            case (is LIFCondExp, "g_ex"), (is AdExCondExp, "g_ex"): name = "g_ex"
            case (is LIFCondExp, "g_in"), (is AdExCondExp, "g_in"): name = "g_in"
            case (is AdEx, "w"), (is AdExCondExp, "w"): name = "w"
            case (is AdEx, "i_ex"): name = "I_syn_ex"
            case (is AdEx, "i_in"):
                if let positive = values.first(where: { $0 > 0 }) {
                    throw VolleyError.invalidParameter(
                        name: "initial_state.i_in", value: "\(positive)",
                        reason: "population '\(p.name)': NEST's aeif_psc_exp keeps the inhibitory current as a magnitude, so Volley's i_in must be ≤ 0 pA")
                }
                (name, factor) = ("I_syn_in", -1)
            case (is Izhikevich, "u"): name = "U_m"
            default: name = nil
            }
            if let name {
                out.append((name, values.map { $0 * factor }))
            } else if values.contains(where: { $0 != 0 }) {
                let hint = p.model is LIFExp && variable.hasPrefix("i_") ? " (NEST's iaf_psc_exp does not let synaptic currents be set; export with --precise for iaf_psc_exp_ps)" : ""
                throw VolleyError.unsupported("population '\(p.name)' (\(p.modelName)): initial_state.\(variable) has no settable NEST counterpart\(hint)")
            }
        }
        return out
    }

    /// The spike trains Volley's Poisson sources draw up to the run's duration: the same
    /// populations (so the same random streams), without neurons' dynamics or synapses.
    static func poissonTrains(_ e: Experiment) throws -> [Int: [[Double]]] {
        var sources = Network()
        var ids: [PopulationID] = []
        for p in e.network.populations {
            if case let .poisson(rates, seed)? = p.source {
                ids.append(try sources.addPoissonSource(p.name, rates: rates, seed: seed))
            } else {
                _ = try sources.addSpikeSource(p.name, size: p.size)
            }
        }
        guard !ids.isEmpty else { return [:] }
        let sim = try EventDrivenSimulator(network: sources, recording: .only(ids), threads: 1)
        try sim.run(until: e.run.durationMs)
        var out: [Int: [[Double]]] = [:]
        for id in ids {
            let (neurons, times) = try sim.spikes(of: id)
            var trains = [[Double]](repeating: [], count: try sources.population(id).size)
            for (n, t) in zip(neurons, times) where t < e.run.durationMs { trains[Int(n)].append(t) }
            out[id.index] = trains
        }
        return out
    }

    static func writeDirectory(_ files: [String: Data], to directory: String) throws {
        let fm = FileManager.default
        let url = URL(fileURLWithPath: directory).standardizedFileURL
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue, (try? fm.contentsOfDirectory(atPath: url.path))?.isEmpty == true else {
                throw VolleyError.fileError(path: directory, reason: "exists and is not an empty directory (the export never overwrites)")
            }
        }
        let staging = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial-\(ProcessInfo.processInfo.processIdentifier)")
        do {
            try fm.createDirectory(at: staging, withIntermediateDirectories: false)
        } catch {
            throw VolleyError.fileError(path: directory, reason: FileProblem.describe(staging.path, writing: true, fallback: error))
        }
        do {
            for (name, data) in files { try data.write(to: staging.appendingPathComponent(name)) }
            if fm.fileExists(atPath: url.path) { try fm.removeItem(at: url) }
            try fm.moveItem(at: staging, to: url)
        } catch {
            try? fm.removeItem(at: staging)
            throw VolleyError.fileError(path: directory, reason: FileProblem.describe(directory, writing: true, fallback: error))
        }
    }
}
