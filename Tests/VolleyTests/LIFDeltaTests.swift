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

    @Test("Invalid parameters are rejected with the parameter's name")
    func invalidParameters() {
        #expect(throws: VolleyError.self) { try LIFDelta(tauM: 0).validate() }
        #expect(throws: VolleyError.self) { try LIFDelta(vReset: -50, vThreshold: -55).validate() }
    }
}
