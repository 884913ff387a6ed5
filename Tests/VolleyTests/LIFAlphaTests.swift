import Foundation
import Testing

@testable import Volley

/// `LIFAlpha`: the alpha current and the PSP against the convolution integral, computed here
/// independently of the model's propagator; exact spike times in the event-driven engine; the
/// time-stepped engine converging to them.
@Suite("LIF with alpha currents (LIFAlpha)")
struct LIFAlphaTests {
    let model = LIFAlpha(tauM: 10, tauSynExc: 2, tauSynInh: 5, vRest: -70, vReset: -70, vThreshold: -55, tRef: 2)

    /// V(t) − vRest after one input of weight w at 0 from rest, by the convolution
    /// (1/τm)∫₀ᵗ e^(−(t−u)/τm)·I(u) du with I(u) = w·e·(u/τ)·e^(−u/τ):
    /// = w·e/(τ·τm)·e^(−t/τm)·(1 − e^(−a·t)(1 + a·t))/a², a = 1/τ − 1/τm.
    func psp(weight w: Double, tau: Double, tauM: Double, at t: Double) -> Double {
        let a = 1 / tau - 1 / tauM
        return w * M_E / (tau * tauM) * exp(-t / tauM) * (1 - exp(-a * t) * (1 + a * t)) / (a * a)
    }

    @Test("One input: the current peaks at w, τ_syn later; V follows the convolution integral")
    func singleInputPSP() {
        var s = model.initialState(potential: nil)
        model.receive(&s, weight: 3, receptor: Receptor.excitatory, at: 0)
        var peak = s
        model.advance(&peak, by: model.tauSynExc)
        #expect(abs(peak.iExc - 3) < 1e-12)
        for t in [0.1, 0.7, 2.0, 5.5, 13.0, 40.0] {
            var x = s
            model.advance(&x, by: t)
            #expect(abs((x.v - model.vRest) - psp(weight: 3, tau: model.tauSynExc, tauM: model.tauM, at: t)) < 1e-12, "t = \(t)")
        }
        // Inhibition on receptor 1 with its own time constant.
        var inh = model.initialState(potential: nil)
        model.receive(&inh, weight: -2, receptor: Receptor.inhibitory, at: 0)
        model.advance(&inh, by: 7)
        #expect(abs((inh.v - model.vRest) - psp(weight: -2, tau: model.tauSynInh, tauM: model.tauM, at: 7)) < 1e-12)
    }

    @Test("The propagator composes: advancing by h₁ then h₂ equals advancing by h₁ + h₂, across a refractory end")
    func propagatorComposes() {
        let distance: (LIFAlpha.State, LIFAlpha.State) -> Double = {
            abs($0.v - $1.v) + abs($0.iExc - $1.iExc) + abs($0.jExc - $1.jExc) + abs($0.iInh - $1.iInh) + abs($0.jInh - $1.jInh)
        }
        expectPropagatorComposes(model, { s in s.v = -62; s.iExc = 4; s.jExc = 3; s.iInh = -1; s.jInh = -2 }, distance)
        expectPropagatorComposes(LIFAlpha(bias: 12), { s in s.refractory = 2; s.jExc = 5 }, distance)
    }

    @Test("Event-driven spike times equal the first crossing of the convolution integral", arguments: [47.0, 60.0, 150.0])
    func exactSpikeTime(weight: Double) throws {
        let (net, _, out) = try drivenNetwork(
            model: model, trains: [[1]], synapses: [Synapse(source: 0, target: 0, weight: weight, delay: 1)])
        let sim = try EventDrivenSimulator(network: net)
        try sim.run(until: 50)
        let reference = referenceFirstCrossing(lo: 0, hi: 40) {
            psp(weight: weight, tau: model.tauSynExc, tauM: model.tauM, at: $0) - 15
        }
        let expected = try #require(reference)
        let first = try #require(sim.spikes(of: out).times.first)
        #expect(abs(first - (2 + expected)) < 1e-9, "spike at \(first), reference \(2 + expected)")
    }

    @Test("Refractoriness clamps V at vReset while the current keeps its alpha shape; a subthreshold input never fires")
    func refractoryAndSubthreshold() throws {
        // Inputs of 120 mV (a PSP peaking near 39 mV) arrive at 1 and 5 ms: the first fires the
        // neuron at t₁ < 3 ms, which is then refractory until t₁ + 2 ms; the second fires it again.
        let (net, _, out) = try drivenNetwork(
            model: model, trains: [[0, 4]], synapses: [Synapse(source: 0, target: 0, weight: 120, delay: 1)])
        let crossing = try #require(referenceFirstCrossing(lo: 0, hi: 10) {
            psp(weight: 120, tau: model.tauSynExc, tauM: model.tauM, at: $0) - 15
        })
        let t1 = 1 + crossing
        let sim = try EventDrivenSimulator(network: net)
        try sim.run(until: t1 + 1)
        #expect(try #require(sim.spikes(of: out).times.first).distance(to: t1).magnitude < 1e-9)
        let state = try sim.state(of: out, neuron: 0, as: LIFAlpha.self)
        #expect(abs(state.refractory - 1) < 1e-9)
        #expect(state.v == model.vReset)
        let s = t1 + 1 - 1
        let current = 120 * M_E * (s / model.tauSynExc) * exp(-s / model.tauSynExc)
        #expect(abs(state.iExc - current) < 1e-9, "I_exc \(state.iExc), alpha current \(current)")
        try sim.run(until: 50)
        let times = try sim.spikes(of: out).times
        #expect(times.count >= 2)
        for (a, b) in zip(times, times.dropFirst()) { #expect(b - a >= model.tRef - 1e-12) }
        // Subthreshold: the PSP of w = 45 mV peaks at 14.6 mV < 15 mV, so never a spike.
        let (quiet, _, qout) = try drivenNetwork(
            model: model, trains: [[1]], synapses: [Synapse(source: 0, target: 0, weight: 45, delay: 1)])
        let q = try EventDrivenSimulator(network: quiet)
        try q.run(until: 100)
        #expect(try q.spikes(of: qout).times.isEmpty)
    }

    @Test("The time-stepped engine converges to the event-driven spike times at first order as dt → 0")
    func steppedConverges() throws {
        var net = Network()
        let input = try net.addPoissonSource("in", rates: Array(repeating: 40, count: 30), seed: 3)
        let out = try net.addPopulation("out", size: 10, model: model)
        try net.connect(input, to: out, pattern: .fixedProbability(0.5), weight: .uniform(0, 30), delay: .uniform(1, 2), receptor: 0, seed: 4)
        try net.connect(input, to: out, pattern: .fixedProbability(0.2), weight: .uniform(-20, 0), delay: .uniform(1, 2), receptor: 1, seed: 5)
        let exact = try EventDrivenSimulator(network: net)
        try exact.run(until: 500)
        let reference = try spikeTimesByNeuron(exact, out)
        #expect(reference.reduce(0) { $0 + $1.count } > 50)
        var errors: [Double] = []
        for dt in [0.01, 0.002] {
            let stepped = try TimeSteppedSimulator(network: net, dt: dt)
            try stepped.run(until: 500)
            let trains = try spikeTimesByNeuron(stepped, out)
            #expect(trains.map(\.count) == reference.map(\.count), "spike counts differ at dt = \(dt)")
            let diffs = zip(trains, reference).flatMap { zip($0, $1).map { abs($0 - $1) } }.sorted()
            // The median: a few spikes near a threshold graze move by more than the grid.
            errors.append(diffs[diffs.count / 2])
        }
        // First order: spikes land on the next grid point and a neuron's lateness carries over
        // to its next interval, so the error is a few dt and shrinks with dt (0.0183 → 0.0038 ms).
        #expect(errors[0] <= 3 * 0.01 && errors[1] <= 3 * 0.002 && errors[1] < errors[0] / 3, "median errors \(errors)")
    }

    @Test("Invalid parameters are rejected with the parameter's name")
    func invalidParameters() {
        #expect(throws: VolleyError.self) { try LIFAlpha(tauM: 10, tauSynExc: 10).validate() }
        #expect(throws: VolleyError.self) { try LIFAlpha(tauSynInh: -1).validate() }
        #expect(throws: VolleyError.self) { try LIFAlpha(vReset: -50, vThreshold: -55).validate() }
        do {
            try LIFAlpha(tauM: 5, tauSynExc: 5).validate()
            Issue.record("expected an error")
        } catch let error as VolleyError {
            #expect(error.description.contains("tauSynExc"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
