import Foundation
import Testing
import Volley

/// Network files (docs/network-files.md): every model's parameter table, the lossless round trip
/// network → file → network (same bytes, same spikes), and the errors bad files give.
@Suite struct NetworkFileTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Spikes of every population as (global id, time) pairs, in the order recorded.
    func spikes(_ net: Network, engine: Experiment.Run.Engine, until end: Double, threads: Int = 1) throws -> [[Double]] {
        let sim: Simulator = engine == .event
            ? try EventDrivenSimulator(network: net, threads: threads)
            : try TimeSteppedSimulator(network: net, dt: 0.1, threads: threads)
        try sim.run(until: end)
        return try net.populations.map { p in
            let (n, t) = try sim.spikes(of: p.id)
            return zip(n, t).flatMap { [Double($0.0), $0.1] }
        }
    }

    /// A network with one of everything a file holds: per-neuron and seeded initial potentials,
    /// Poisson and spike-train sources, generated, explicit, multi-terminal, convolution and
    /// pooling projections, replaced weights, single precision and plasticity.
    func everythingNetwork() throws -> Network {
        var net = Network()
        let poisson = try net.addPoissonSource("poisson", rates: (0..<16).map { 40 + 3 * Double($0) }, seed: 7)
        let trains = try net.addSpikeSource("trains", trains: (0..<16).map { i in [0.5 + Double(i) * 0.3, 7.25, 12 + Double(i)] })
        let exc = try net.addPopulation(
            "exc", size: 40, model: LIFExp(tauM: 15, tauSynExc: 3, tauSynInh: 6, vRest: -65, vReset: -68, vThreshold: -52, tRef: 1.5),
            initialPotentials: (0..<40).map { -65 + Double($0) * 0.2 })
        let inh = try net.addPopulation(
            "inh", size: 10, model: AdaptiveLIF(membrane: LIFExp(tauM: 8), beta: 1.2, tauAdapt: 200),
            initialPotentials: InitialPotentials.uniform(low: -70, high: -56, seed: 99))
        let conv = try net.addPopulation("conv", size: 2 * 3 * 3, model: LIFDelta(tauM: 30, vRest: 0, vReset: 0, vThreshold: 1, tRef: 0))
        let pool = try net.addPopulation("pool", size: 2, model: LIFDelta(tauM: 30, vRest: 0, vReset: 0, vThreshold: 1, tRef: 0), firstSpikeOnly: true)
        try net.connect(poisson, to: exc, pattern: .fixedInDegree(10), weight: .uniform(4, 10), delay: .uniform(0.5, 2), seed: 3)
        try net.connect(trains, to: exc, pattern: .fixedProbability(0.3), weight: .normal(mean: 2, standardDeviation: 0.5), delay: .terminals([1, 2.5]), seed: 4, precision: .single)
        let ee = try net.connect(exc, to: exc, pattern: .fixedProbability(0.2, allowAutapses: false), weight: .constant(0.8), delay: .constant(1.1), seed: 5)
        try net.setPlasticity(.stdp(STDPRule(aPlus: 0.02, dependence: .multiplicative(muPlus: 0.5, muMinus: 1), wMin: 0, wMax: 2)), for: ee)
        try net.connect(exc, to: inh, pattern: .allToAll(), weight: .constant(0.6), delay: .constant(0.7), seed: 6)
        let ie = try net.connect(inh, to: exc, pattern: .fixedOutDegree(8), weight: .constant(-2), delay: .constant(0.9), receptor: Receptor.inhibitory, seed: 8)
        try net.setWeights((0..<80).map { -1 - Double($0) / 80 }, of: ie)
        // Per-synapse lists: kept once, as the synapse list (no second copy in the recipe).
        let listed = try net.connect(poisson, to: inh, pattern: .fixedOutDegree(1), weight: .values((0..<16).map { 0.5 + Double($0) / 8 }), delay: .values((0..<16).map { 0.3 + Double($0) / 10 }), seed: 11)
        if case .synapses = try net.projection(listed).recipe {} else { Issue.record("a rule with value lists keeps a generated recipe") }
        try net.connect(inh, to: inh, synapses: [Synapse(source: 0, target: 1, weight: -0.5, delay: 0.4), Synapse(source: 3, target: 2, weight: -0.25, delay: 2.2)], receptor: 1)
        let geometry = ConvolutionGeometry(inputChannels: 1, inputHeight: 4, inputWidth: 4, outputChannels: 2, kernelSize: 2, stride: 1, padding: 0)
        try net.connect(trains, to: conv, convolution: geometry, kernel: (0..<8).map { 0.3 + Double($0) * 0.1 }, delay: 0.5)
        try net.connect(conv, to: pool, pooling: PoolingGeometry(channels: 2, inputHeight: 3, inputWidth: 3, size: 3), weight: 0.4, delay: 0.3)
        return net
    }

    @Test("network → file → network: the same bytes on the second write and the same spikes in both engines")
    func losslessRoundTrip() throws {
        let net = try everythingNetwork()
        var experiment = Experiment(network: net)
        experiment.run.durationMs = 60
        let first = try experiment.file().encoded()
        let rebuilt = try Experiment(file: try NetworkFile.decode(first, source: "first"), source: "first")
        let second = try rebuilt.file().encoded()
        #expect(first == second)
        #expect(rebuilt.run == experiment.run)
        for engine in Experiment.Run.Engine.allCases {
            let original = try spikes(net, engine: engine, until: 60)
            let copy = try spikes(rebuilt.network, engine: engine, until: 60)
            #expect(original == copy, "\(engine)")
            #expect(original[2].count > 20, "exc fires (\(original[2].count / 2) spikes)")
            #expect(original[5].count > 0, "the pooling layer fires")
        }
        // The weights of every projection, the replaced and the single-precision ones included.
        for (a, b) in zip(net.projections, rebuilt.network.projections) {
            #expect(a.weights.array == b.weights.array && a.structure.delays == b.structure.delays && a.structure.targets == b.structure.targets, "\(a.name)")
            #expect(a.weights.precision == b.weights.precision && a.plasticity == b.plasticity)
        }
    }

    @Test("the example file: file → network → file is canonical and stable, spikes equal after the round trip")
    func exampleFile() throws {
        let path = Self.repository.appendingPathComponent("examples/networks/balanced-ei.json").path
        let experiment = try Experiment(contentsOf: path)
        #expect(experiment.network.populations.map(\.name) == ["input", "exc", "inh"])
        #expect(experiment.recording.potentials.count == 1)
        let canonical = try experiment.file().encoded()
        let again = try Experiment(file: try NetworkFile.decode(canonical, source: "canonical"), source: "canonical")
        #expect(try again.file().encoded() == canonical)
        #expect(try spikes(experiment.network, engine: .event, until: 200) == spikes(again.network, engine: .event, until: 200))
    }

    /// Every parameter of every catalog model: set alone to a new value, it reads back as that
    /// value and leaves every other parameter as it was (a table entry bound to the wrong
    /// property fails here).
    @Test("each model's parameter table: every parameter writes and reads its own property")
    func parameterTables() throws {
        func check<M: NeuronModel & FileRepresentable>(_: M.Type) throws {
            let base = M.fileDefault.fileParameters
            for p in M.parameters {
                let new: ParameterValue
                switch base[p.name]! {
                case let .number(x): new = .number(x.isFinite ? x + 0.375 : 123.5)
                case .string: new = p.name == "reset" ? .string("subtract") : p.name == "integration" ? .string("forward_euler") : .string("nearest_symmetric")
                case let .numbers(xs): new = .numbers(xs.map { $0 * 2 })
                case .null: new = .number(42)
                }
                let changed = try M.fromFile(base.merging([p.name: new]) { _, b in b }, context: "parameters").fileParameters
                #expect(changed[p.name] == new, "\(M.fileName).\(p.name)")
                for (name, value) in base where name != p.name && !(p.name == "integration" && name.hasSuffix("tolerance")) {
                    #expect(changed[name] == value, "setting \(M.fileName).\(p.name) changed \(name)")
                }
            }
        }
        for m: any (NeuronModel & FileRepresentable).Type in [
            LIFExp.self, LIFDelta.self, LIFAlpha.self, AdaptiveLIF.self, ConductanceLIF.self, LIFCondExp.self, AdEx.self,
            AdExCondExp.self, Izhikevich.self, SRM.self, ReLPSP.self, TTFSPhaseIF.self,
        ] {
            try check(m)
        }
        #expect(ModelCatalog.entries.count == 12)
        // The same for the learning rules.
        let stdp = STDPRule.fileDefault.fileParameters
        let changed = try STDPRule.fromFile(["weight_dependence": .string("power_law"), "mu": .number(0.7), "w0": .number(3)], context: "p").fileParameters
        #expect(changed["mu"] == .number(0.7) && changed["w0"] == .number(3) && changed["mu_plus"] == .null && stdp["mu_plus"] == .null)
        let dc = try DiehlCookRule.fromFile(["tau_post2": .number(40), "x_tar": .number(0)], context: "p")
        #expect(dc.tauPost2 == 40 && dc.xTar == 0 && dc.tauPre == DiehlCookRule().tauPre)
    }

    /// A bad file → one typed error naming the file, the JSON path and the value.
    func refusal(_ json: String, _ expected: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try Experiment(file: try NetworkFile.decode(Data(json.utf8), source: "bad.json"), source: "bad.json")
            Issue.record("accepted: \(json)", sourceLocation: sourceLocation)
        } catch let error as VolleyError {
            let text = "\(error)"
            #expect(text.hasPrefix("malformed data in bad.json"), "\(text)", sourceLocation: sourceLocation)
            for part in expected {
                #expect(text.contains(part), "'\(part)' not in: \(text)", sourceLocation: sourceLocation)
            }
        } catch {
            Issue.record("untyped error \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test("bad files: unknown model, missing field, wrong type, negative delay, index out of range, NaN, …")
    func badFiles() {
        func net(_ populations: String, _ projections: String = "") -> String {
            #"{"format": "volley-network-1", "populations": [\#(populations)], "projections": [\#(projections)]}"#
        }
        let lif = #"{"name": "a", "size": 3, "model": "lif_exp"}"#
        let src = #"{"name": "s", "size": 2, "source": {"kind": "poisson", "rate_hz": 5}}"#
        refusal(net(#"{"name": "a", "size": 3, "model": "lif_expp"}"#), ["populations[0] ('a')", "\"lif_expp\"", "unknown neuron model"])
        refusal(#"{"format": "volley-network-1", "projections": []}"#, ["missing field 'populations'"])
        refusal(net(#"{"name": "a", "size": "three", "model": "lif_exp"}"#), ["'populations[0].size'", "integer"])
        refusal(net(#"{"name": "a", "model": "lif_exp"}"#), ["populations[0] ('a')", "size"])
        refusal(net(#"{"name": "a", "size": 3, "model": "lif_exp", "parameters": {"tau_m": -5}}"#), ["parameters.tau_m", "-5"])
        refusal(net(#"{"name": "a", "size": 3, "model": "lif_exp", "parameters": {"tau_mem": 5}}"#), ["parameters.tau_mem", "no parameter 'tau_mem'"])
        refusal(net(#"{"name": "a", "size": 3, "model": "lif_exp", "parameters": {"reset": "soft"}}"#), ["parameters.reset", "\"soft\""])
        refusal(net(#"{"name": "a", "size": 3, "model": "ttfs_phase_if", "parameters": {"input_end": 1}}"#), ["parameters.fire_end", "missing"])
        refusal(net(lif + ", " + src, #"{"source": "s", "target": "a", "connectivity": {"rule": "all_to_all"}, "weight": 1, "delay": -0.5}"#), ["projections[0] ('s→a')", "-0.5"])
        refusal(net(lif + ", " + src, #"{"source": "s", "target": "a", "connectivity": {"rule": "synapses", "sources": [0, 1], "targets": [0, 3]}, "weight": 1, "delay": 1}"#), ["projections[0]", "index 3", "0..<3"])
        // Two projections that each fit in memory but together do not: refused at the second, before
        // either is generated.
        let memory = Double(ProcessInfo.processInfo.physicalMemory)
        let big = Int(memory / 1000), k = Int((0.6 * memory / 16 / Double(big)).rounded(.up))
        let huge = #"{"name": "h", "size": \#(big), "model": "lif_exp"}"#
        let degree = #"{"source": "s", "target": "h", "connectivity": {"rule": "fixed_in_degree", "k": \#(k)}, "weight": 1, "delay": 1}"#
        refusal(net(huge + ", " + src, degree + ", " + degree), ["projections[1] ('s→h')", "connectivity", "with the projections before it", "memory"])
        // One projection too large alone: refused at itself.
        let double = degree.replacingOccurrences(of: "\(k)}", with: "\(2 * k)}")
        refusal(net(huge + ", " + src, double), ["projections[0] ('s→h')", "connectivity = ≈ \(Double(2 * k * big)) synapses: more than", "memory"])
        refusal(net(lif + ", " + src, #"{"source": "s", "target": "b", "connectivity": {"rule": "all_to_all"}, "weight": 1, "delay": 1}"#), ["projections[0]", "\"b\"", "no population"])
        refusal(net(lif + ", " + src, #"{"source": "s", "target": "a", "connectivity": {"rule": "fixed_probability"}, "weight": 1, "delay": 1}"#), ["connectivity.p", "missing"])
        refusal(net(lif + ", " + src, #"{"source": "s", "target": "a", "connectivity": {"rule": "all_to_all"}, "weight": NaN, "delay": 1}"#), ["bad.json"])
        refusal(net(lif + ", " + src, #"{"source": "s", "target": "a", "connectivity": {"rule": "all_to_all"}, "weight": 1, "delay": 1, "receptor": "modulatory"}"#), ["receptor", "\"modulatory\""])
        refusal(net(lif + ", " + src, #"{"source": "s", "target": "a", "connectivity": {"rule": "all_to_all"}, "weight": 1, "delay": 1, "plasticity": {"rule": "stdp", "parameters": {"w_max": 0.5}}}"#), ["projections[0]", "weight"])
        refusal(net(#"{"name": "s", "source": {"kind": "poisson", "rates_hz": [1, -2]}}"#), ["populations[0] ('s')", "-2"])
        refusal(net(lif + ", " + lif), ["populations[1] ('a')", "already exists"])
        refusal(#"{"format": "volley-network-9", "populations": [], "projections": []}"#, ["volley-network-9"])
        refusal(net(lif) + "x", ["not valid JSON"])
        refusal(#"{"format": "volley-network-1", "populations": [\#(lif)], "projections": [], "run": {"engine": "clock"}}"#, ["run", "\"clock\""])
        refusal(#"{"format": "volley-network-1", "populations": [\#(lif)], "projections": [], "recording": {"potentials": [{"population": "a", "neurons": [5], "interval_ms": 1}]}}"#, ["recording", "index 5"])
    }

    @Test("an event-camera recording as a source: exact event times, the path kept relative, errors naming it")
    func eventFileSource() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("volley-events-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let fixture = Self.repository.appendingPathComponent("Tests/VolleyTests/Fixtures/nmnist-sample.bin")
        try FileManager.default.copyItem(at: fixture, to: dir.appendingPathComponent("digit.bin"))
        let json = #"{"format": "volley-network-1", "populations": [{"name": "retina", "source": {"kind": "event_file", "path": "digit.bin", "format": "nmnist"}}, {"name": "v1", "size": 8, "model": "lif_exp"}], "projections": [{"source": "retina", "target": "v1", "connectivity": {"rule": "fixed_in_degree", "k": 200}, "weight": 4, "delay": 1, "seed": 2}]}"#
        let path = dir.appendingPathComponent("net.json").path
        try Data(json.utf8).write(to: URL(fileURLWithPath: path))
        let experiment = try Experiment(contentsOf: path)
        let retina = try experiment.network.population(experiment.network.population(named: "retina")!)
        let recording = try NMNISTFormat.load(path: fixture.path)
        guard case let .spikeTrains(trains)? = retina.source else { Issue.record("not a spike source"); return }
        #expect(retina.size == 2 * 34 * 34 && trains.spikeCount == recording.count && recording.count == 4325)
        #expect(trains.times.sorted() == recording.timestamps.map { Double($0) / 1000 }.sorted(), "every event at its exact time (µs → ms)")
        let written = try experiment.file()
        let source = written.populations[0].source
        #expect(source?.kind == "event_file" && source?.path == "digit.bin" && source?.format == "nmnist" && source?.trainsMs == nil)
        let again = try Experiment(file: try NetworkFile.decode(written.encoded(), source: path), source: path)
        #expect(try again.file().encoded() == written.encoded())
        let sim = try EventDrivenSimulator(network: experiment.network)
        try sim.run(until: 400)
        #expect(try sim.spikeCount(of: retina.id) == 4325)
        // A missing recording and an unknown format are errors naming the population and the path.
        for (source, part) in [(#"{"kind": "event_file", "path": "missing.bin"}"#, "missing.bin"), (#"{"kind": "event_file", "path": "digit.bin", "format": "dvs128"}"#, "dvs128")] {
            let bad = #"{"format": "volley-network-1", "populations": [{"name": "retina", "source": \#(source)}], "projections": []}"#
            do {
                _ = try Experiment(file: NetworkFile.decode(Data(bad.utf8), source: path), source: path)
                Issue.record("accepted \(source)")
            } catch {
                #expect("\(error)".contains("populations[0] ('retina')") && "\(error)".contains(part), "\(error)")
            }
        }
    }

    @Test("initial_state: per-neuron state variables (learned thresholds, adaptation) set as setInitialStates does, kept on the round trip")
    func initialStates() throws {
        var net = Network()
        let input = try net.addPoissonSource("input", rates: [Double](repeating: 40, count: 30), seed: 9)
        let adaptive = try net.addPopulation("adaptive", size: 6, model: AdaptiveLIF(membrane: LIFExp(tauM: 20, tauSynExc: 5), beta: 2, tauAdapt: 300))
        let condModel = ConductanceLIF(tauTheta: 1e7).integrated()  // a LIFCondExp: both engines
        let cond = try net.addPopulation("cond", size: 4, model: condModel)
        try net.connect(input, to: adaptive, pattern: .allToAll(), weight: .uniform(1, 3), delay: .constant(1), seed: 1)
        try net.connect(input, to: cond, pattern: .allToAll(), weight: .uniform(0.2, 0.6), delay: .constant(1), seed: 2)
        let adaptation = (0..<6).map { Double($0) * 1.5 }
        let theta = [0, 2, 4, 8.0]
        var experiment = Experiment(network: net)
        experiment.initialStates = ["adaptive": ["adaptation": adaptation], "cond": ["theta": theta]]
        // Through the file …
        let text = try experiment.file().encoded()
        let again = try Experiment(file: NetworkFile.decode(text, source: "s.json"), source: "s.json")
        #expect(try again.file().encoded() == text)
        #expect(again.initialStates == experiment.initialStates)
        for engine in Experiment.Run.Engine.allCases {
            let viaFile = try again.makeSimulator(engine: engine, threads: 1)
            // … and through the Swift API.
            let direct: Simulator = engine == .event ? try EventDrivenSimulator(network: net) : try TimeSteppedSimulator(network: net, dt: 0.1)
            let rest = AdaptiveLIF(membrane: LIFExp(tauM: 20, tauSynExc: 5), beta: 2, tauAdapt: 300).initialState(potential: nil)
            try direct.setInitialStates(adaptation.map { AdaptiveLIF.State(membrane: rest.membrane, adaptation: $0) }, of: adaptive, as: AdaptiveLIF.self)
            try direct.setInitialStates(theta.map { t in var s = condModel.initialState(potential: nil); s.y[3] = t; return s }, of: cond, as: LIFCondExp.self)
            direct.reset()
            try viaFile.run(until: 300)
            try direct.run(until: 300)
            let (fileAdaptive, fileCond) = (again.network.population(named: "adaptive")!, again.network.population(named: "cond")!)
            let a = try viaFile.spikeCounts(of: fileAdaptive) + viaFile.spikeCounts(of: fileCond)
            #expect(a == (try direct.spikeCounts(of: adaptive) + direct.spikeCounts(of: cond)), "\(engine)")
            // The states matter: more adaptation, fewer spikes; a higher threshold, fewer spikes.
            let counts = try viaFile.spikeCounts(of: fileAdaptive)
            let condCounts = try viaFile.spikeCounts(of: fileCond)
            #expect(condCounts.first! > condCounts.last!, "\(condCounts)")
            #expect(counts.first! > counts.last!, "\(counts)")
        }
        // Errors name the variable.
        for (state, part) in [(#"{"thetaa": [0, 0, 0, 0]}"#, "no state variable 'thetaa'"), (#"{"theta": [0, 0]}"#, "2 values"), (#"{"theta": [0, 0, NaN, 0]}"#, "initial_state.theta[2]")] {
            let bad = #"{"format": "volley-network-1", "populations": [{"name": "c", "size": 4, "model": "lif_cond_exp", "initial_state": \#(state)}], "projections": []}"#
            do {
                _ = try Experiment(file: NetworkFile.decode(Data(bad.utf8), source: "bad.json"), source: "bad.json")
                Issue.record("accepted \(state)")
            } catch {
                #expect("\(error)".contains(part), "\(error)")
            }
        }
    }

    @Test("docs/network-files.md names every parameter of every model and rule")
    func documented() throws {
        let doc = try String(contentsOf: Self.repository.appendingPathComponent("docs/network-files.md"), encoding: .utf8)
        for entry in ModelCatalog.entries {
            #expect(doc.contains("`\(entry.name)`"), "model \(entry.name)")
            for p in entry.parameters {
                #expect(doc.contains("`\(p.name)`"), "\(entry.name).\(p.name)")
            }
            for v in entry.stateVariables {
                #expect(doc.contains("`\(v.name)`"), "state variable \(entry.name).\(v.name)")
            }
        }
        for name in STDPRule.parameters.map(\.name) + DiehlCookRule.parameters.map(\.name) {
            #expect(doc.contains("`\(name)`"), "rule parameter \(name)")
        }
    }
}

