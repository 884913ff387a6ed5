import Foundation
import Testing

@testable import Volley

/// `LIFCondExp` (NEST `iaf_cond_exp`): closed-form limits and both engines against the reference.
@Suite("LIF with exponential conductances (LIFCondExp)")
struct LIFCondExpTests {
    @Test("Without input it is a LIF: constant current fires at t = τm·ln((V∞ − V_reset)/(V∞ − V_th)) after each refractory period")
    func constantCurrent() throws {
        let model = LIFCondExp(iE: 400)  // V∞ = E_L + I_e/g_L = −70 + 24 mV
        let tauM = model.cM / model.gL, vInf = model.eL + model.iE / model.gL
        let first = tauM * log((vInf - model.eL) / (vInf - model.vTh))
        let isi = model.tRef + tauM * log((vInf - model.vReset) / (vInf - model.vTh))
        var net = Network()
        let neuron = try net.addPopulation("n", size: 1, model: model)
        let sim = try EventDrivenSimulator(network: net)
        try sim.run(until: 200)
        let times = try sim.spikes(of: neuron).times
        #expect(times.count > 5)
        for (k, t) in times.enumerated() { #expect(abs(t - (first + Double(k) * isi)) < 1e-7, "spike \(k): \(t)") }
    }

    @Test("Excitatory and inhibitory conductance inputs: the event-driven engine equals the reference to ≤ 1e-6 ms; the time-stepped engine converges")
    func conductanceInputs() throws {
        let exc = (0..<80).map { 2 + Double($0) * 2.45 }, inh = (0..<30).map { 5 + Double($0) * 6.5 }
        let run = try DrivenReferenceRun(
            LIFCondExp(tauSynExc: 5, tauSynInh: 10, iE: 200), excitatory: exc, inhibitory: inh, weights: (6, 5), until: 200, dts: [0.1, 0.01, 0.001])
        #expect(run.event.count == run.reference.count && run.reference.count > 3, "\(run.event.count) vs \(run.reference.count)")
        for (t, r) in zip(run.event, run.reference) { #expect(abs(t - r) <= 1e-6, "\(t) vs \(r)") }
        // Time-stepped: spikes at grid times, the error shrinking with dt.
        #expect(run.steppedCounts.allSatisfy { $0 == run.reference.count }, "\(run.steppedCounts)")
        let e = run.steppedErrors
        #expect(e[2] < e[1] && e[1] < e[0] && e[2] < 0.1, "\(e)")
    }

    @Test("A small COBA network (Brette et al. 2007 parameters): both engines fire at the same mean rate within 10 %")
    func cobaNetwork() throws {
        let model = LIFCondExp(cM: 200, gL: 10, eL: -60, vTh: -50, vReset: -60, tRef: 5, eEx: 0, eIn: -80, tauSynExc: 5, tauSynInh: 10, iE: 200)
        var rng = Xoshiro256(seed: 5, stream: 1)
        var net = Network()
        let exc = try net.addPopulation("exc", size: 160, model: model, initialPotentials: (0..<160).map { _ in -60 + 10 * rng.uniform() })
        let inh = try net.addPopulation("inh", size: 40, model: model, initialPotentials: (0..<40).map { _ in -60 + 10 * rng.uniform() })
        var seed: UInt64 = 10
        for (source, weight, receptor) in [(exc, 4.0 * 4000 / 200, 0), (inh, 51.0 * 4000 / 200, 1)] {
            for target in [exc, inh] {
                seed += 1
                try net.connect(source, to: target, pattern: .fixedProbability(0.02), weight: .constant(weight), delay: .constant(0.1), receptor: receptor, seed: seed)
            }
        }
        let event = try EventDrivenSimulator(network: net)
        try event.run(until: 100)
        let stepped = try TimeSteppedSimulator(network: net, dt: 0.1)
        try stepped.run(until: 100)
        let a = event.report().meanRateHz, b = stepped.report().meanRateHz
        #expect(a > 5 && abs(a - b) <= 0.1 * b, "event \(a) Hz, stepped \(b) Hz")
    }

    @Test("Negative conductance weights and bad parameters are refused")
    func refusals() throws {
        var net = Network()
        let source = try net.addSpikeSource("in", trains: [[1]])
        let neuron = try net.addPopulation("n", size: 1, model: LIFCondExp())
        #expect(throws: VolleyError.self) { try net.connect(source, to: neuron, synapses: [Synapse(source: 0, target: 0, weight: -1, delay: 1)]) }
        #expect { try LIFCondExp(gL: 0).validate() } throws: { "\($0)".contains("gL") }
        #expect { try LIFCondExp(vReset: -50, tRef: 0).validate() } throws: { "\($0)".contains("vReset") }
        #expect { try LIFCondExp(thetaPlus: -1).validate() } throws: { "\($0)".contains("thetaPlus") }
        #expect { try LIFCondExp(tauTheta: 0).validate() } throws: { "\($0)".contains("tauTheta") }
        try LIFCondExp(vReset: -50, tRef: 2).validate()  // above threshold, but refractory: allowed
    }
}
