import Foundation
import Testing
import Volley

/// `Simulator.run(samples:…)` and samples files (`volley run --samples`).
@Suite struct SampleSetTests {
    /// Two inputs → two LIFDelta readouts, each input driving its own readout above threshold.
    func network() throws -> (Network, PopulationID, PopulationID) {
        var net = Network()
        let input = try net.addSpikeSource("input", size: 2)
        let out = try net.addPopulation("out", size: 2, model: LIFDelta(tauM: 10, vRest: 0, vReset: 0, vThreshold: 1, tRef: 0))
        try net.connect(input, to: out, pattern: .oneToOne, weight: .constant(1.5), delay: .constant(0.5))
        return (net, input, out)
    }

    @Test("each sample runs from the initial state; the class is the most active readout neuron, ties to the lower index, silence undecided")
    func classification() throws {
        let (net, input, out) = try network()
        func sample(_ label: Int?, _ a: [Double], _ b: [Double]) -> SampleSet.Sample { .init(label: label, trainsMs: [a, b]) }
        let set = SampleSet(format: SampleSet.currentFormat, population: "input", readout: "out", durationMs: 10, samples: [
            sample(0, [1, 2, 3], [1]), sample(1, [1], [2, 3]), sample(1, [1], [1]), sample(0, [], []), sample(nil, [9.6], []),
        ])
        for sim in [try EventDrivenSimulator(network: net) as Simulator, try TimeSteppedSimulator(network: net, dt: 0.1)] {
            let r = try sim.run(samples: set, input: input, readout: out, duration: 10)
            // Sample 5's spike arrives at 10.1 ms, after the 10 ms window: silent.
            #expect(r.predictions == [0, 1, 0, nil, nil])
            #expect(r.accuracy == 0.5, "2 of the 4 labelled right (the tie goes to 0, the silent one is wrong)")
            #expect(r.undecided == 0.4)
            #expect(r.spikes == 4 + 3 + 2 + 0 + 1 + 4 + 3 + 2, "inputs and readouts of every sample")
        }
        let wrong = SampleSet(format: SampleSet.currentFormat, population: "input", readout: nil, durationMs: nil, samples: [.init(label: 0, trainsMs: [[1]])])
        #expect(throws: VolleyError.self) { try EventDrivenSimulator(network: net).run(samples: wrong, input: input, readout: out, duration: 5) }
    }

    @Test("a non-spiking readout (NIR's LI) decides by its final or largest sampled potential; equal potentials are undecided")
    func potentialReadout() throws {
        var net = Network()
        let input = try net.addSpikeSource("input", size: 2)
        let li = LIFDelta(tauM: 10, vRest: 0, vReset: 0, vThreshold: .greatestFiniteMagnitude, tRef: 0)
        let out = try net.addPopulation("out", size: 2, model: li)
        try net.connect(input, to: out, pattern: .oneToOne, weight: .constant(1.5), delay: .constant(0.5))
        func sample(_ label: Int?, _ a: [Double], _ b: [Double]) -> SampleSet.Sample { .init(label: label, trainsMs: [a, b]) }
        // 1: one early input to neuron 0 against one late input to neuron 1 — the final potential
        // favours 1 (less decay), the largest potential ties (both reach 1.5 mV at arrival).
        let set = SampleSet(format: SampleSet.currentFormat, population: "input", readout: "out", durationMs: 10, samples: [
            sample(0, [1, 2, 3], [1]), sample(1, [1], [8]), sample(0, [2], [2]), sample(nil, [], []),
        ])
        for sim in [try EventDrivenSimulator(network: net) as Simulator, try TimeSteppedSimulator(network: net, dt: 0.1)] {
            let counts = try sim.run(samples: set, input: input, readout: out, duration: 10)
            #expect(counts.predictions == [nil, nil, nil, nil], "the readout never spikes")
            let final = try sim.run(samples: set, input: input, readout: out, duration: 10, decision: .finalPotential)
            #expect(final.predictions == [0, 1, nil, nil])
            #expect(final.accuracy == 2.0 / 3.0)
            let peak = try sim.run(samples: set, input: input, readout: out, duration: 10, decision: .maxPotential(every: 0.5))
            #expect(peak.predictions == [0, nil, nil, nil])
            // The final potential is the closed form: Σ 1.5·exp(−(10 − t − 0.5)/10) mV.
            let expected = [1.0, 2.0, 3.0].reduce(0.0) { $0 + 1.5 * exp(-(10 - $1 - 0.5) / 10) }
            sim.reset()
            try sim.setSpikeTrains([[1, 2, 3], [1]], for: input)
            try sim.run(until: 10)
            #expect(abs(try sim.potential(of: out, neuron: 0) - expected) < 1e-12)
        }
        #expect(throws: VolleyError.self) {
            try EventDrivenSimulator(network: net).run(samples: set, input: input, readout: out, duration: 10, decision: .maxPotential(every: 0))
        }
        #expect(throws: VolleyError.self) {
            try EventDrivenSimulator(network: net).run(samples: set, input: input, readout: input, duration: 10, decision: .finalPotential)
        }
    }

    @Test("samples files: format, empty, bad duration and wrong types are typed errors naming the file")
    func files() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("volley-samples-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func check(_ json: String, _ part: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
            let path = dir.appendingPathComponent("s.json").path
            try Data(json.utf8).write(to: URL(fileURLWithPath: path))
            do {
                _ = try SampleSet.read(from: path)
                Issue.record("accepted \(json)", sourceLocation: sourceLocation)
            } catch let e as VolleyError {
                #expect("\(e)".contains(path) && "\(e)".contains(part), "\(e)", sourceLocation: sourceLocation)
            }
        }
        try check(#"{"format": "volley-samples-2", "population": "input", "samples": [{"trains_ms": [[]]}]}"#, "volley-samples-2")
        try check(#"{"format": "volley-samples-1", "population": "input", "samples": []}"#, "no samples")
        try check(#"{"format": "volley-samples-1", "population": "input", "duration_ms": -1, "samples": [{"trains_ms": [[]]}]}"#, "duration_ms")
        try check(#"{"format": "volley-samples-1", "population": "input", "samples": [{"trains_ms": [["x"]]}]}"#, "samples[0].trains_ms[0][0]")
        let ok = dir.appendingPathComponent("ok.json").path
        try Data(#"{"format": "volley-samples-1", "population": "input", "readout": "out", "samples": [{"label": 1, "trains_ms": [[1], [2, 3]]}]}"#.utf8).write(to: URL(fileURLWithPath: ok))
        let set = try SampleSet.read(from: ok)
        #expect(set.samples[0].trainsMs == [[1], [2, 3]] && set.readout == "out" && set.durationMs == nil)
    }
}
