import Foundation
import Testing

@testable import Volley

@Suite("SNN evaluation report: memory, compute, energy; the peak spikes per step")
struct SNNEvaluationTests {
    @Test("Peak spikes per step: 1 ms bins in the event-driven engine, the grid in the time-stepped one, cleared by reset")
    func peakSpikesPerStep() throws {
        var net = Network()
        let input = try net.addSpikeSource("input", trains: [[5.1], [5.2], [5.9], [6.0], [6.05], [20]])
        let relay = try net.addPopulation("relay", size: 6, model: LIFDelta(tRef: 0))
        try net.connect(input, to: relay, pattern: .oneToOne, weight: .constant(30), delay: .constant(1))
        let event = try EventDrivenSimulator(network: net)
        try event.run(until: 30)
        // Relay spikes at 6.1, 6.2, 6.9 (bin 6), 7.0, 7.05 (bin 7), 21: at most 3 in one 1 ms bin;
        // the 6 input spikes do not count (sources).
        #expect(try event.spikes(of: relay).times == [5.1, 5.2, 5.9, 6.0, 6.05, 20].map { $0 + 1 })
        #expect(event.peakSpikesPerStep == 3)
        #expect(event.report().peakSpikesPerStep == 3)
        let stepped = try TimeSteppedSimulator(network: net, dt: 0.5)
        try stepped.run(until: 30)
        let times = try stepped.spikes(of: relay).times
        let mostOnOneStep = Dictionary(grouping: times, by: { $0 }).values.map(\.count).max() ?? 0
        #expect(stepped.peakSpikesPerStep == mostOnOneStep && mostOnOneStep >= 2)
        event.reset()
        #expect(event.peakSpikesPerStep == 0)
        #expect(SNNEvaluation.peakSpikes(inBinsOf: 1, times: [6.1, 6.2, 6.9, 7.0, 7.05, 21, .infinity]) == 3)
    }

    @Test("Memory, energy and the JSON keys follow the stated formulas")
    func formulas() throws {
        let e = SNNEvaluation(
            samples: 100, accuracy: 0.9, decision: "first_spike", neurons: 810, synapses: 635_200,
            weightBytes: 635_200 * 8, membraneBytes: 810 * 16, peakSpikesPerStep: 120, stepMs: 1,
            synopsPerSample: 100_000, annMACsPerSample: 635_200, spikesPerNeuron: 0.73, latencyMs: 9.5)
        #expect(e.spikeBytes == 480)
        #expect(e.memoryBytes == 635_200 * 8 + 810 * 16 + 480)
        #expect(abs(e.energyEstimateJoules - 100_000 * 0.9e-12) < 1e-18)
        #expect(abs(e.annEnergyEstimateJoules - 635_200 * 4.6e-12) < 1e-18)
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(e)) as! [String: Any]
        for key in ["memory_bytes", "weight_bytes", "membrane_bytes", "spike_bytes", "synops_per_sample", "ann_macs_per_sample",
                    "energy_estimate_joules", "ann_energy_estimate_joules", "spikes_per_neuron", "latency_ms", "peak_spikes_per_step"] {
            #expect(json[key] != nil, "missing \(key)")
        }
        #expect(json["memory_bytes"] as? Int == e.memoryBytes)
        #expect(e.summary.contains("SynOps") && e.summary.contains("pJ"))
        // No decided sample: the latency does not exist and is null, not an encoding error.
        var undecided = e
        undecided.latencyMs = .nan
        let json2 = try JSONSerialization.jsonObject(with: JSONEncoder().encode(undecided)) as! [String: Any]
        #expect(json2["latency_ms"] is NSNull)
    }
}
