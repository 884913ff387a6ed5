import Foundation
import Testing

@testable import Volley

/// `AdExCondExp` (NEST `aeif_cond_exp`): the current-based AdEx without input, conductance
/// inputs in both engines against the reference, refusals.
@Suite("AdEx with exponential conductances (AdExCondExp)")
struct AdExCondExpTests {
    @Test("Without synaptic input it is AdEx: the same spike train under constant current (adapting, 1 s)")
    func equalsAdExWithoutInput() throws {
        let conductance = AdExCondExp(iE: 1000)
        let current = AdEx(iE: 1000)
        var times: [[Double]] = []
        for model in [conductance as any NeuronModel, current] {
            var net = Network()
            let neuron = try net.addPopulation("n", size: 1, model: model)
            let sim = try EventDrivenSimulator(network: net)
            try sim.run(until: 1000)
            times.append(try sim.spikes(of: neuron).times)
        }
        #expect(times[0].count > 10 && times[0].count == times[1].count)
        for (x, y) in zip(times[0], times[1]) { #expect(abs(x - y) <= 1e-9, "\(x) vs \(y)") }
        // Spike-frequency adaptation: the intervals lengthen.
        let isi = zip(times[0].dropFirst(), times[0]).map { $0 - $1 }
        #expect(isi.last! > 1.5 * isi.first!)
    }

    @Test("Excitatory and inhibitory conductance inputs: event-driven spike times equal the reference to ≤ 1e-6 ms; the time-stepped engine converges")
    func conductanceInputs() throws {
        let exc = (0..<60).map { 2 + Double($0) * 2.45 }, inh = (0..<20).map { 5 + Double($0) * 7.5 }
        let run = try DrivenReferenceRun(
            AdExCondExp(tauSynExc: 5, tauSynInh: 10, iE: 800), excitatory: exc, inhibitory: inh, weights: (4, 6), until: 150, dts: [0.1, 0.01, 0.001])
        #expect(run.event.count == run.reference.count && run.reference.count > 3, "\(run.event.count) vs \(run.reference.count)")
        for (t, r) in zip(run.event, run.reference) { #expect(abs(t - r) <= 1e-6, "\(t) vs \(r)") }
        #expect(run.steppedCounts.allSatisfy { $0 == run.reference.count }, "\(run.steppedCounts)")
        let e = run.steppedErrors
        #expect(e[2] < e[1] && e[1] < e[0] && e[2] < 0.1, "\(e)")
    }

    @Test("Negative conductance weights and bad parameters are refused, naming them")
    func refusals() throws {
        var net = Network()
        let source = try net.addSpikeSource("in", trains: [[1]])
        let neuron = try net.addPopulation("n", size: 1, model: AdExCondExp())
        #expect(throws: VolleyError.self) { try net.connect(source, to: neuron, synapses: [Synapse(source: 0, target: 0, weight: -1, delay: 1)]) }
        #expect { try AdExCondExp(deltaT: -1).validate() } throws: { "\($0)".contains("deltaT") }
        #expect { try AdExCondExp(tauW: -5).validate() } throws: { "\($0)".contains("tauW") }
        #expect { try AdExCondExp(eIn: .nan).validate() } throws: { "\($0)".contains("eIn") }
    }
}
