import Foundation
import Testing
@testable import Volley

/// `NESTExport` without NEST: the files it writes (NumPy arrays read back here), the unit
/// conversions, the Poisson trains, and every refusal. The comparison with NEST itself is
/// tools/nest/check-export.sh (docs/scaling-out.md).
@Suite struct NESTExportTests {
    /// Reads a one-dimensional .npy file written by `NumPyFile` (little-endian f8 or i8).
    func readNumPy(_ url: URL) throws -> (descr: String, values: [Double]) {
        let data = try Data(contentsOf: url)
        #expect(data.prefix(6) == Data([0x93] + Array("NUMPY".utf8)))
        let headerLength = Int(data[8]) | Int(data[9]) << 8
        #expect((10 + headerLength) % 64 == 0, "header padded to 64 bytes")
        let header = String(decoding: data[10..<(10 + headerLength)], as: UTF8.self)
        let descr = header.contains("'<f8'") ? "<f8" : "<i8"
        var values: [Double] = []
        var k = 10 + headerLength
        while k < data.count {
            let bits = data[k..<(k + 8)].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
            values.append(descr == "<f8" ? Double(bitPattern: bits) : Double(Int64(bitPattern: bits)))
            k += 8
        }
        #expect(header.contains("'shape': (\(values.count),)"))
        return (descr, values)
    }

    func scratch() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("volley-nest-\(UUID().uuidString)")
    }

    func network() throws -> (Network, PopulationID, PopulationID) {
        var net = Network()
        let input = try net.addPoissonSource("input", rates: [30, 50, 80], seed: 4)
        let lif = try net.addPopulation("lif", size: 4, model: LIFExp(tauM: 20, tauSynExc: 5, tauSynInh: 10, bias: 3), initialPotentials: [-70, -65, -60, -58])
        try net.connect(input, to: lif, pattern: .allToAll(), weight: .uniform(1, 3), delay: .constant(1.2), seed: 2)
        try net.connect(lif, to: lif, pattern: .allToAll(allowAutapses: false), weight: .constant(-2), delay: .constant(0.5), receptor: Receptor.inhibitory)
        return (net, input, lif)
    }

    @Test("the export holds the synapses in NEST's units, the initial potentials, and the Poisson trains Volley draws")
    func filesAndUnits() throws {
        let (net, input, lif) = try network()
        var experiment = Experiment(network: net)
        experiment.run.durationMs = 300
        let dir = scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let summary = try NESTExport.write(experiment, to: dir.path)
        #expect(summary.models.map(\.nestModel) == ["spike_generator", "iaf_psc_exp"])
        #expect(summary.files.contains("run_nest.py") && !summary.files.contains("run_pynn.py"))
        let p0 = try net.projection(net.projections[0].id)
        let weights = try readNumPy(dir.appendingPathComponent("projection-0-weights.npy"))
        #expect(weights.descr == "<f8" && weights.values == p0.weights.array.map { $0 * (250 / 20) })
        #expect(try readNumPy(dir.appendingPathComponent("projection-0-delays.npy")).values == [Double](repeating: 1.2, count: 12))
        #expect(try readNumPy(dir.appendingPathComponent("projection-0-targets.npy")).values == p0.structure.targets.map(Double.init))
        #expect(try readNumPy(dir.appendingPathComponent("projection-1-weights.npy")).values.allSatisfy { $0 == -2 * 250 / 20 })
        #expect(try readNumPy(dir.appendingPathComponent("population-1-v_m.npy")).values == [-70, -65, -60, -58])
        let spec = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("nest-network.json"))) as! [String: Any]
        let params = ((spec["populations"] as! [[String: Any]])[1]["params"] as! [String: Double])
        #expect(params["I_e"] == 3 * 250 / 20 && params["tau_syn_in"] == 10 && params["V_th"] == -55)
        // The Poisson trains are those of the full network's run.
        let sim = try EventDrivenSimulator(network: net)
        try sim.run(until: 300)
        let (neurons, times) = try sim.spikes(of: input)
        let exported = try readNumPy(dir.appendingPathComponent("population-0-times.npy")).values
        let starts = try readNumPy(dir.appendingPathComponent("population-0-starts.npy")).values.map(Int.init)
        for i in 0..<3 {
            let expected = zip(neurons, times).filter { Int($0.0) == i && $0.1 < 300 }.map(\.1)
            #expect(Array(exported[starts[i]..<starts[i + 1]]) == expected, "input \(i)")
        }
        #expect(summary.poissonSpikes == exported.count && exported.count > 30)
        _ = lif
    }

    @Test("refusals name the population or projection, and leave no directory behind")
    func refusals() throws {
        func refused(_ net: Network, _ expected: String, options: NESTExport.Options = .init(), sourceLocation: SourceLocation = #_sourceLocation) {
            let dir = scratch()
            do {
                _ = try NESTExport.write(Experiment(network: net), to: dir.path, options: options)
                Issue.record("exported", sourceLocation: sourceLocation)
            } catch {
                #expect("\(error)".contains(expected), "\(error)", sourceLocation: sourceLocation)
            }
            #expect(!FileManager.default.fileExists(atPath: dir.path), sourceLocation: sourceLocation)
            let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: dir.deletingLastPathComponent().path))?.filter { $0.contains(dir.lastPathComponent) } ?? []
            #expect(leftovers.isEmpty, "\(leftovers)", sourceLocation: sourceLocation)
        }
        var alpha = Network()
        _ = try alpha.addPopulation("a", size: 2, model: LIFAlpha())
        refused(alpha, "population 'a' (lif_alpha)")
        var (net, input, lif) = try network()
        var offGrid = net
        try offGrid.connect(input, to: lif, pattern: .allToAll(), weight: .constant(1), delay: .constant(0.15))
        refused(offGrid, "multiples of its resolution")
        var wrongSign = net
        try wrongSign.connect(lif, to: lif, pattern: .allToAll(), weight: .constant(-1), delay: .constant(1), receptor: Receptor.excitatory, name: "neg")
        refused(wrongSign, "projection 'neg'")
        let plasticID = try net.connect(input, to: lif, pattern: .allToAll(), weight: .constant(0.5), delay: .constant(1), name: "learning")
        try net.setPlasticity(.stdp(STDPRule()), for: plasticID)
        refused(net, "projection 'learning' is plastic")
        var izhikevich = Network()
        _ = try izhikevich.addPopulation("iz", size: 2, model: Izhikevich())
        var withPyNN = NESTExport.Options()
        withPyNN.pynn = true
        refused(izhikevich, "population 'iz' (NEST izhikevich): no PyNN standard cell type", options: withPyNN)
        var subtract = Network()
        _ = try subtract.addPopulation("s", size: 2, model: LIFExp(tRef: 0, reset: .bySubtraction))
        refused(subtract, "reset by subtraction")
        // An existing, non-empty directory is never overwritten.
        let dir = scratch()
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: false)
        try Data("keep".utf8).write(to: dir.appendingPathComponent("keep.txt"))
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(throws: VolleyError.self) { try NESTExport.write(Experiment(network: try network().0), to: dir.path) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["keep.txt"])
    }

    @Test("initial_state in NEST's variables and units (iaf_psc_exp_ps currents in pA, aeif_psc_exp's I_syn_in as a magnitude, Izhikevich's U_m); what NEST cannot set is refused")
    func initialStates() throws {
        let (net, _, _) = try network()
        var experiment = Experiment(network: net)
        experiment.initialStates["lif"] = ["v": [-66, -64, -62, -60], "i_exc": [0, 1, 2, 3], "i_inh": [-1, 0, 0, -2]]
        var precise = NESTExport.Options()
        precise.precise = true
        let dir = scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try NESTExport.write(experiment, to: dir.path, options: precise)
        #expect(try readNumPy(dir.appendingPathComponent("population-1-state-V_m.npy")).values == [-66, -64, -62, -60])
        #expect(try readNumPy(dir.appendingPathComponent("population-1-state-I_syn_ex.npy")).values == [0, 1, 2, 3].map { $0 * 250 / 20 })
        #expect(try readNumPy(dir.appendingPathComponent("population-1-state-I_syn_in.npy")).values == [-1, 0, 0, -2].map { $0 * 250 / 20 })
        // iaf_psc_exp cannot set its currents: nonzero ones are refused, zero ones are not written.
        let grid = scratch()
        #expect { try NESTExport.write(experiment, to: grid.path) } throws: { "\($0)".contains("initial_state.i_exc has no settable NEST counterpart") && "\($0)".contains("--precise") }
        #expect(!FileManager.default.fileExists(atPath: grid.path))
        experiment.initialStates["lif"] = ["v": [-66, -64, -62, -60], "i_exc": [0, 0, 0, 0]]
        defer { try? FileManager.default.removeItem(at: grid) }
        _ = try NESTExport.write(experiment, to: grid.path)
        #expect(try FileManager.default.contentsOfDirectory(atPath: grid.path).filter { $0.contains("state") } == ["population-1-state-V_m.npy"])

        var adex = Network()
        let a = try adex.addPopulation("adex", size: 2, model: AdEx())
        _ = a
        var e2 = Experiment(network: adex)
        e2.initialStates["adex"] = ["v": [-65, -60], "w": [10, 20], "i_in": [-30, 0]]
        let d2 = scratch()
        defer { try? FileManager.default.removeItem(at: d2) }
        _ = try NESTExport.write(e2, to: d2.path)
        #expect(try readNumPy(d2.appendingPathComponent("population-0-state-I_syn_in.npy")).values == [30, 0])
        #expect(try readNumPy(d2.appendingPathComponent("population-0-state-w.npy")).values == [10, 20])
        e2.initialStates["adex"] = ["i_in": [5, 0]]
        #expect { try NESTExport.write(e2, to: scratch().path) } throws: { "\($0)".contains("i_in must be ≤ 0") }

        var iz = Network()
        _ = try iz.addPopulation("iz", size: 2, model: Izhikevich())
        var e3 = Experiment(network: iz)
        e3.initialStates["iz"] = ["u": [-14, -13]]
        let d3 = scratch()
        defer { try? FileManager.default.removeItem(at: d3) }
        _ = try NESTExport.write(e3, to: d3.path)
        #expect(try readNumPy(d3.appendingPathComponent("population-0-state-U_m.npy")).values == [-14, -13])
    }
}
