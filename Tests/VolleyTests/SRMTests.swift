import Foundation
import Testing

@testable import Volley

/// `SRM`: the alpha-kernel crossing against the Lambert-W closed form and an independent reference.
@Suite("Spike Response Model (SRM)")
struct SRMTests {
    @Test("SRM alpha PSP crosses at s = −τ·W₀(−θ/(w·e)) after a single input", arguments: [1.5, 2.0, 5.0])
    func srmLambertW(weight: Double) throws {
        let model = SRM(tau: 7, vThreshold: 1)
        let (net, _, out) = try drivenNetwork(
            model: model, trains: [[0]], synapses: [Synapse(source: 0, target: 0, weight: weight, delay: 3)],
            firstSpikeOnly: true)
        let sim = try EventDrivenSimulator(network: net)
        try sim.run(until: 100)
        let s = -7 * lambertW0(-1 / (weight * M_E))
        let times = try sim.spikes(of: out).times
        #expect(times.count == 1)
        #expect(abs(times[0] - (3 + s)) < 1e-9)
    }

    @Test("SRM with multi-terminal inputs and its refractory kernel matches an independent reference")
    func srmMultiSpike() throws {
        let model = SRM(tau: 5, vThreshold: 1, refractoryAmplitude: 2, tauRefractory: 8)
        let delays = [1.0, 2, 3, 4, 5]
        let weights = [0.3, 0.25, 0.4, 0.2, 0.35]
        var net = Network()
        let src = try net.addSpikeSource("in", trains: [[0, 14]])
        let out = try net.addPopulation("out", size: 1, model: model)
        try net.connect(src, to: out, synapses: zip(weights, delays).map { Synapse(source: 0, target: 0, weight: $0, delay: $1) })
        let sim = try EventDrivenSimulator(network: net)
        try sim.run(until: 60)
        func eps(_ s: Double) -> Double { s > 0 ? (s / 5) * exp(1 - s / 5) : 0 }
        var fired: [Double] = []
        func u(_ t: Double) -> Double {
            var v = 0.0
            for spike in [0.0, 14] {
                for (w, d) in zip(weights, delays) { v += w * eps(t - spike - d) }
            }
            for f in fired where t > f { v -= 2 * exp(-(t - f) / 8) }
            return v - 1
        }
        var from = 0.0
        while let t = referenceFirstCrossing(lo: from, hi: 60, steps: 60_000, u) {
            fired.append(t)
            from = t + 1e-6
        }
        let times = try sim.spikes(of: out).times
        #expect(times.count == fired.count)
        #expect(fired.count >= 2)
        for (a, b) in zip(times, fired) { #expect(abs(a - b) < 1e-8) }
    }

    @Test("The propagator composes: advancing by h₁ then h₂ equals advancing by h₁ + h₂")
    func propagatorComposes() {
        expectPropagatorComposes(SRM(), { s in s.y = 2; s.x = 0.5; s.r = -1 }) { abs($0.x - $1.x) + abs($0.y - $1.y) + abs($0.r - $1.r) }
    }

    @Test("Invalid parameters are rejected")
    func invalidParameters() {
        #expect(throws: VolleyError.self) { try SRM(tau: .nan).validate() }
        #expect(throws: VolleyError.self) { try SRM(vThreshold: 0).validate() }
    }
}
