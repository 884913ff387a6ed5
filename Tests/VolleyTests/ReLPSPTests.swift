import Foundation
import Testing

@testable import Volley

/// `ReLPSP`: the closed-form first-spike time, bit for bit.
@Suite("ReL-PSP (ReLPSP)")
struct ReLPSPTests {
    @Test("ReL-PSP fires at the closed form (θ + Σwᵢtᵢ)/Σwᵢ over its causal inputs, bit-identically", arguments: 0..<25)
    func relpspClosedForm(seed: UInt64) throws {
        var rng = Xoshiro256(seed: seed, stream: 0x2E)
        let n = 30
        // Times on a 0.5 ms grid so that simultaneous inputs occur.
        let times = (0..<n).map { _ in Double(rng.index(below: 40)) * 0.5 }
        let weights = (0..<n).map { _ in rng.uniform(-0.05, 0.15) }
        let theta = 1.0
        let model = ReLPSP(vThreshold: theta)
        let (net, _, out) = try drivenNetwork(
            model: model, trains: times.map { [$0] },
            synapses: (0..<n).map { Synapse(source: $0, target: 0, weight: weights[$0], delay: 1) },
            firstSpikeOnly: true)
        let sim = try EventDrivenSimulator(network: net)
        try sim.run(until: .infinity)

        // Reference: inputs in (arrival time, source) order, grouped by time.
        let order = (0..<n).sorted { (times[$0], $0) < (times[$1], $1) }
        var w = 0.0, wt = 0.0
        var expected: Double? = nil
        var k = 0
        while k < n && expected == nil {
            let t = times[order[k]] + 1
            if w > 0 {
                let tStar = (theta + wt) / w
                if tStar < t { expected = tStar; break }
            }
            while k < n && times[order[k]] + 1 == t {
                w += weights[order[k]]
                wt += weights[order[k]] * t
                k += 1
            }
        }
        if expected == nil && w > 0 { expected = (theta + wt) / w }
        let spikes = try sim.spikes(of: out).times
        if let e = expected {
            #expect(spikes == [e])
        } else {
            #expect(spikes.isEmpty)
        }
    }
}
