import Foundation
import Testing

@testable import Volley

/// `AdaptiveLIF`: spike times under constant drive against a reference; its wake-up bound.
@Suite("Adaptive-threshold LIF (AdaptiveLIF)")
struct AdaptiveLIFTests {
    @Test("Adaptive LIF under constant drive: growing ISIs at the reference times")
    func adaptiveLIF() throws {
        let membrane = LIFExp(tauM: 20, tauSynExc: 5, tauSynInh: 5, vRest: -70, vReset: -70, vThreshold: -55, tRef: 2, bias: 25)
        let model = AdaptiveLIF(membrane: membrane, beta: 2, tauAdapt: 100)
        let (net, _, out) = try drivenNetwork(model: model, trains: [[]], synapses: [])
        let sim = try EventDrivenSimulator(network: net)
        try sim.run(until: 300)
        // Reference: between spikes V(t) = V∞ + (vReset − V∞)·e^(−(t−tf−tRef)/τm) after the
        // refractory period; θ(t) = −55 + 2·a(t), a decaying with 100 ms and +1 per spike.
        var fired: [Double] = []
        var t0 = 0.0
        var v0 = -70.0
        while true {
            let spikes = fired
            let start = t0
            let vStart = v0
            let f: (Double) -> Double = { t in
                let v = -45 + (vStart + 45) * exp(-(t - start) / 20)
                let a = spikes.reduce(0.0) { $0 + exp(-(t - $1) / 100) }
                return v - (-55 + 2 * a)
            }
            guard let t = referenceFirstCrossing(lo: start, hi: 300, steps: 30_000, f) else { break }
            fired.append(t)
            t0 = t + 2
            v0 = -70
        }
        let times = try sim.spikes(of: out).times
        #expect(times.count == fired.count)
        for (a, b) in zip(times, fired) { #expect(abs(a - b) < 1e-8) }
        let isis = zip(times.dropFirst(), times).map { $0 - $1 }
        #expect(isis.last! > isis.first!)
    }

    @Test("Adaptive LIF's state-based wake-up bound never exceeds the exponential sum's bound or the first root")
    func adaptiveWakeUpBound() throws {
        var rng = Xoshiro256(seed: 43)
        let model = AdaptiveLIF(
            membrane: LIFExp(tauM: 100, tauSynExc: 1, tauSynInh: 2, vRest: -65, vReset: -65, vThreshold: -52, tRef: 5),
            beta: 0.05, tauAdapt: 1e4)
        var withinHorizon = 0
        for k in 0..<3000 {
            let s = AdaptiveLIF.State(
                membrane: LIFExp.State(v: -65 + 14 * rng.uniform(), iExc: 40 * rng.uniform(), iInh: k % 3 == 0 ? -30 * rng.uniform() : 0),
                adaptation: 40 * rng.uniform())
            let bound = model.membrane.crossingLowerBound(
                of: s.membrane, threshold: model.membrane.vThreshold, plus: -model.beta * s.adaptation, rate: 1 / model.tauAdapt)
            var f = model.membrane.distanceToThreshold(of: s.membrane, threshold: model.membrane.vThreshold)
            f.add(a: -model.beta * s.adaptation, rate: 1 / model.tauAdapt)
            #expect(bound <= f.crossingLowerBound)
            if f.crossingLowerBound <= LIFExp.wakeUpHorizon { withinHorizon += 1 }
            if let root = f.firstUpCrossing() { #expect(bound <= root, "\(s): bound \(bound) > root \(root)") }
            // The engine's prediction agrees with the sum's exact root when it is one.
            let prediction = model.nextCrossing(of: s, at: 0)
            if prediction.isExact, let root = f.firstUpCrossing() { #expect(abs(prediction.time - root) < 1e-9) }
        }
        #expect(withinHorizon > 10)
    }

    @Test("The propagator composes: advancing by h₁ then h₂ equals advancing by h₁ + h₂")
    func propagatorComposes() {
        expectPropagatorComposes(AdaptiveLIF(), { s in s.membrane.iExc = 3; s.adaptation = 2 }) {
            abs($0.membrane.v - $1.membrane.v) + abs($0.adaptation - $1.adaptation)
        }
    }

    @Test("Invalid parameters are rejected")
    func invalidParameters() {
        #expect(throws: VolleyError.self) { try AdaptiveLIF(beta: -1).validate() }
        #expect(throws: VolleyError.self) { try AdaptiveLIF(tauAdapt: 0).validate() }
    }
}
