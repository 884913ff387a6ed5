import Foundation
import Testing

@testable import Volley

/// `LIFDelta`: exact spike times against the closed form.
@Suite("LIF with delta synapses (LIFDelta)")
struct LIFDeltaTests {
    @Test("LIF-delta under constant drive fires at t = τm·ln((V∞−Vreset)/(V∞−θ)) + k·(tRef + that)")
    func lifDeltaConstantDrive() throws {
        let model = LIFDelta(tauM: 10, vRest: -70, vReset: -70, vThreshold: -55, tRef: 2, bias: 20)
        let (net, _, out) = try drivenNetwork(model: model, trains: [[]], synapses: [])
        let sim = try EventDrivenSimulator(network: net)
        try sim.run(until: 200)
        let isi = 10 * log(20.0 / 5.0)
        let times = try sim.spikes(of: out).times
        #expect(times.count == Int((200 - isi) / (isi + 2)) + 1)
        for (k, t) in times.enumerated() {
            #expect(abs(t - (isi + Double(k) * (isi + 2))) < 1e-9)
        }
    }

    @Test("LIF-delta fires exactly at the arrival of a suprathreshold jump; inputs during refractoriness are ignored")
    func lifDeltaJumpAndRefractoriness() throws {
        let model = LIFDelta(tauM: 10, vRest: -70, vReset: -70, vThreshold: -55, tRef: 4, bias: 0)
        // Input at 5 ms (+1 ms delay): V(6) = −70 + 16 > θ. A second input at 7 ms arrives refractory.
        let (net, _, out) = try drivenNetwork(
            model: model, trains: [[5, 7]], synapses: [Synapse(source: 0, target: 0, weight: 16, delay: 1)])
        let sim = try EventDrivenSimulator(network: net)
        try sim.run(until: 9)
        #expect(try sim.spikes(of: out).times == [6])
        // Refractory until 10 ms: V is clamped at vReset, the 8 ms input was discarded.
        #expect(try sim.potential(of: out, neuron: 0) == -70)
        try sim.run(until: 20)
        #expect(try sim.potential(of: out, neuron: 0) == -70)
    }

    @Test("The propagator composes: advancing by h₁ then h₂ equals advancing by h₁ + h₂, across a refractory end")
    func propagatorComposes() {
        expectPropagatorComposes(LIFDelta(bias: 5), { $0.v = -60 }) { abs($0.v - $1.v) }
        expectPropagatorComposes(LIFDelta(tRef: 2, bias: 20), { s in s.refractory = 2 }) { abs($0.v - $1.v) }
    }

    @Test("Reset by subtraction: the event-driven engine fires ⌊(V − θ)/(θ − vReset)⌋ + 1 times at the jump, the time-stepped engine once per step")
    func resetBySubtraction() throws {
        // θ − vReset = 1 mV; a 2.5 mV jump at 1 ms (0.5 ms input + 0.5 ms delay) leaves V = 2.5.
        let model = LIFDelta(tauM: 20, vRest: 0, vReset: 0, vThreshold: 1, tRef: 0, reset: .bySubtraction)
        let (net, _, out) = try drivenNetwork(
            model: model, trains: [[0.5]], synapses: [Synapse(source: 0, target: 0, weight: 2.5, delay: 0.5)])
        let event = try EventDrivenSimulator(network: net)
        try event.run(until: 5)
        #expect(try event.spikes(of: out).times == [1, 1])
        #expect(try event.potential(of: out, neuron: 0) == 0.5 * exp(-4.0 / 20))
        // Stepped at dt = 0.1: 2.5 → 1.5 at 1 ms; 1.5·e^(−0.1/20) ≥ 1 fires at 1.1 ms; then below.
        let stepped = try TimeSteppedSimulator(network: net, dt: 0.1)
        try stepped.run(until: 5)
        #expect(try stepped.spikes(of: out).times.map { ($0 * 10).rounded() / 10 } == [1, 1.1])
        let left = 1.5 * exp(-0.1 / 20) - 1
        #expect(abs(try stepped.potential(of: out, neuron: 0) - left * exp(-3.9 / 20)) < 1e-12)
        // A clamp to vReset after the spike would undo the subtraction.
        #expect(throws: VolleyError.self) { try LIFDelta(tRef: 2, reset: .bySubtraction).validate() }
        #expect(throws: VolleyError.self) { try LIFExp(tRef: 2, reset: .bySubtraction).validate() }
    }

    @Test("τm = +∞ is the non-leaky integrate-and-fire neuron: inputs add up, nothing decays, in both engines")
    func nonLeaky() throws {
        let model = LIFDelta(tauM: .infinity, vRest: 0, vReset: 0, vThreshold: 1, tRef: 0, reset: .bySubtraction)
        try model.validate()
        let (net, _, out) = try drivenNetwork(
            model: model, trains: [[0, 10, 500]], synapses: [Synapse(source: 0, target: 0, weight: 0.45, delay: 1)])
        for sim in [try EventDrivenSimulator(network: net) as Simulator, try TimeSteppedSimulator(network: net, dt: 0.5)] {
            try sim.run(until: 1000)
            // 0.45 + 0.45 + 0.45 = 1.35 ≥ 1 at 501 ms: one spike, 0.35 left (no leak over 1000 ms).
            #expect(try sim.spikes(of: out).times == [501])
            #expect(abs(try sim.potential(of: out, neuron: 0) - 0.35) < 1e-15)
        }
        #expect(throws: VolleyError.self) { try LIFDelta(tauM: -.infinity).validate() }
        #expect(throws: VolleyError.self) { try LIFDelta(tauM: .nan).validate() }
    }

    @Test("Invalid parameters are rejected with the parameter's name")
    func invalidParameters() {
        #expect(throws: VolleyError.self) { try LIFDelta(tauM: 0).validate() }
        #expect(throws: VolleyError.self) { try LIFDelta(vReset: -50, vThreshold: -55).validate() }
    }
}
