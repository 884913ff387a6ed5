import Foundation
import Testing

@testable import Volley

/// `TTFSPhaseIF`: ramps during the input phase, a fixed slope afterwards, one spike in the window.
@Suite("Two-phase TTFS IF (TTFSPhaseIF)")
struct TTFSPhaseIFTests {
    /// The closed form t* = inputEnd + max(0, θ − Σwᵢ(inputEnd − tᵢ))/α over the inputs with
    /// tᵢ ≤ inputEnd, or no spike if t* ≥ fireEnd.
    static func expected(_ m: TTFSPhaseIF, times: [Double], weights: [Double]) -> Double? {
        var v = 0.0
        for (t, w) in zip(times, weights) where t <= m.inputEnd { v += w * (m.inputEnd - t) }
        let t = m.inputEnd + max(0, m.vThreshold - v) / m.slope
        return t < m.fireEnd ? t : nil
    }

    @Test("the event-driven engine fires at the closed form, never during the input phase, at most once", arguments: 0..<30)
    func closedForm(seed: UInt64) throws {
        var rng = Xoshiro256(seed: seed, stream: 0x7F1)
        let n = 12
        let model = TTFSPhaseIF(vThreshold: 1, slope: rng.uniform(0.5, 2), inputEnd: 5, fireEnd: 5 + rng.uniform(0.5, 3))
        // Arrival times (delay 1 ms) in [1, 7): some after inputEnd, which must be ignored.
        let times = (0..<n).map { _ in rng.uniform(0, 6) }
        let weights = (0..<n).map { _ in rng.uniform(-0.2, 0.4) }
        let (net, _, out) = try drivenNetwork(
            model: model, trains: times.map { [$0] },
            synapses: (0..<n).map { Synapse(source: $0, target: 0, weight: weights[$0], delay: 1) }, firstSpikeOnly: true)
        let sim = try EventDrivenSimulator(network: net)
        try sim.run(until: 20)
        let spikes = try sim.spikes(of: out).times
        if let e = Self.expected(model, times: times.map { $0 + 1 }, weights: weights) {
            #expect(spikes.count == 1)
            #expect(abs(spikes[0] - e) <= 1e-12)
            #expect(spikes[0] >= model.inputEnd)
        } else {
            #expect(spikes.isEmpty)
        }
    }

    @Test("a potential above threshold during the input phase fires at inputEnd, not before")
    func saturation() throws {
        let model = TTFSPhaseIF(vThreshold: 1, slope: 1, inputEnd: 4, fireEnd: 5)
        // One strong input at 1 ms: V(t) = 2·(t − 1) passes θ at 1.5 ms, inside the input phase.
        let (net, _, out) = try drivenNetwork(
            model: model, trains: [[0]], synapses: [Synapse(source: 0, target: 0, weight: 2, delay: 1)], firstSpikeOnly: true)
        let sim = try EventDrivenSimulator(network: net)
        try sim.run(until: 10)
        #expect(try sim.spikes(of: out).times == [4])
        #expect(model.potential(of: TTFSPhaseIF.State(inputSlope: 2, endPotential: 6), at: 1.5) == 1)
    }

    @Test("the time-stepped engine fires within one step after the exact time", arguments: [0.1, 0.01])
    func grid(dt: Double) throws {
        let model = TTFSPhaseIF(vThreshold: 1, slope: 0.8, inputEnd: 3, fireEnd: 6)
        let times = [0.3, 1.1, 2.45], weights = [0.1, 0.2, -0.05]
        let (net, _, out) = try drivenNetwork(
            model: model, trains: times.map { [$0] },
            synapses: (0..<3).map { Synapse(source: $0, target: 0, weight: weights[$0], delay: 0.5) }, firstSpikeOnly: true)
        let sim = try TimeSteppedSimulator(network: net, dt: dt)
        try sim.run(until: 10)
        let exact = try #require(Self.expected(model, times: times.map { $0 + 0.5 }, weights: weights))
        let spikes = try sim.spikes(of: out).times
        #expect(spikes.count == 1)
        #expect(spikes[0] >= exact - 1e-9 && spikes[0] < exact + dt + 1e-9)
    }

    @Test("parameters are checked")
    func validation() {
        #expect(throws: VolleyError.self) { try TTFSPhaseIF(vThreshold: 1, slope: 0, inputEnd: 1, fireEnd: 2).validate() }
        #expect(throws: VolleyError.self) { try TTFSPhaseIF(vThreshold: 1, slope: 1, inputEnd: 2, fireEnd: 2).validate() }
        #expect(throws: VolleyError.self) { try TTFSPhaseIF(vThreshold: -1, slope: 1, inputEnd: 1, fireEnd: 2).validate() }
        #expect(throws: Never.self) { try TTFSPhaseIF(vThreshold: 1, slope: 1, inputEnd: 1, fireEnd: .infinity).validate() }
    }
}
