import Foundation
import Testing

@testable import Volley

/// `LIFExp`: exact spike times against closed forms and an independent reference; its prediction (wake-up bounds, context hints, refractoriness) and derived constants.
@Suite("LIF with exponential currents (LIFExp)")
struct LIFExpTests {
    /// V(t) of an LIFExp neuron with no spike yet, from the closed-form kernel sum.
    func lifExpPotential(_ m: LIFExp, v0: Double, inputs: [(t: Double, w: Double, receptor: Int)], at t: Double) -> Double {
        let vInf = m.vRest + m.bias
        var v = vInf + (v0 - vInf) * exp(-t / m.tauM)
        for input in inputs where input.t <= t {
            let s = t - input.t
            let tau = input.receptor == 0 ? m.tauSynExc : m.tauSynInh
            v += tau == m.tauM
                ? input.w * (s / m.tauM) * exp(-s / m.tauM)
                : input.w * tau / (tau - m.tauM) * (exp(-s / tau) - exp(-s / m.tauM))
        }
        return v
    }

    @Test("LIF-exp under constant drive (solver path) matches the closed form to 1e-9 ms")
    func lifExpConstantDrive() throws {
        let model = LIFExp(tauM: 20, tauSynExc: 5, tauSynInh: 10, vRest: -49, vReset: -60, vThreshold: -50, tRef: 5)
        let (net, _, out) = try drivenNetwork(model: model, trains: [[]], synapses: [], initialPotentials: [-55])
        let sim = try EventDrivenSimulator(network: net)
        try sim.run(until: 100)
        let first = 20 * log(6.0)
        let period = 5 + 20 * log(11.0)
        let times = try sim.spikes(of: out).times
        #expect(times.count == 2)
        #expect(abs(times[0] - first) < 1e-9)
        #expect(abs(times[1] - (first + period)) < 1e-9)
    }

    @Test(
        "LIF-exp with mixed excitatory and inhibitory inputs matches an independent reference to 1e-9 ms",
        arguments: [(5.0, 10.0, 2.2), (20.0, 20.0, 1.0), (2.0, 7.0, 8.0)])
    func lifExpInputs(tauExc: Double, tauInh: Double, scale: Double) throws {
        let model = LIFExp(tauM: 20, tauSynExc: tauExc, tauSynInh: tauInh, vRest: -65, vReset: -65, vThreshold: -50, tRef: 2, bias: 3)
        let base: [(t: Double, w: Double, receptor: Int)] = [
            (1, 12, 0), (3.5, 10, 0), (4, -8, 1), (9, 14, 0), (11.25, -6, 1), (12, 16, 0), (15, 18, 0),
        ]
        let inputs = base.map { (t: $0.t, w: $0.w * scale, receptor: $0.receptor) }
        // One source neuron per input, so that every input has its own weight and receptor.
        var net = Network()
        let src = try net.addSpikeSource("inputs", trains: inputs.map { [$0.t] })
        let out = try net.addPopulation("out", size: 1, model: model)
        let excSyn = inputs.enumerated().filter { $0.element.receptor == 0 }.map {
            Synapse(source: $0.offset, target: 0, weight: $0.element.w, delay: 1)
        }
        let inhSyn = inputs.enumerated().filter { $0.element.receptor == 1 }.map {
            Synapse(source: $0.offset, target: 0, weight: $0.element.w, delay: 1)
        }
        try net.connect(src, to: out, synapses: excSyn, receptor: 0)
        try net.connect(src, to: out, synapses: inhSyn, receptor: 1)
        let sim = try EventDrivenSimulator(network: net)
        try sim.run(until: 40)
        let arrivals = inputs.map { (t: $0.t + 1, w: $0.w, receptor: $0.receptor) }
        let expected = try #require(
            referenceFirstCrossing(lo: 0, hi: 40) { self.lifExpPotential(model, v0: -65, inputs: arrivals, at: $0) - model.vThreshold })
        let times = try sim.spikes(of: out).times
        try #require(!times.isEmpty)
        #expect(abs(times[0] - expected) < 1e-9)
    }

    @Test("LIF-exp with τsyn = τm uses the limit kernel (s/τm)·e^(−s/τm) exactly")
    func lifExpDegenerate() throws {
        let model = LIFExp(tauM: 10, tauSynExc: 10, tauSynInh: 10, vRest: -70, vReset: -70, vThreshold: -60, tRef: 2)
        let (net, _, out) = try drivenNetwork(
            model: model, trains: [[2]], synapses: [Synapse(source: 0, target: 0, weight: 30, delay: 0.5)])
        let sim = try EventDrivenSimulator(network: net)
        try sim.run(until: 50)
        let expected = try #require(
            referenceFirstCrossing(lo: 0, hi: 50) { t in
                self.lifExpPotential(model, v0: -70, inputs: [(2.5, 30, 0)], at: t) - model.vThreshold
            })
        let times = try sim.spikes(of: out).times
        #expect(times.count == 1)
        #expect(abs(times[0] - expected) < 1e-9)
    }

    @Test("LIF-exp clamps V during refractoriness while its currents keep integrating")
    func lifExpRefractory() throws {
        let model = LIFExp(tauM: 10, tauSynExc: 5, tauSynInh: 5, vRest: -70, vReset: -70, vThreshold: -55, tRef: 3)
        var s = model.initialState(potential: -70)
        model.receive(&s, weight: 4, receptor: 0, at: 0)
        model.fire(&s, at: 0)
        model.advance(&s, by: 2)
        #expect(s.v == -70)
        #expect(abs(s.iExc - 4 * exp(-2.0 / 5)) < 1e-12)
        #expect(s.refractory > 0.999 && s.refractory < 1.001)
        model.advance(&s, by: 2)
        // One free millisecond after refractoriness ended, driven by the remaining current.
        let i1 = 4 * exp(-3.0 / 5)
        let expected = -70 + i1 * 5 / (5 - 10) * (exp(-1.0 / 5) - exp(-1.0 / 10))
        #expect(abs(s.v - expected) < 1e-12)
    }

    /// The bound with every non-negative term replaced by its value at 0 (the bound before the
    /// decaying-term refinement): log(−N/P)/r̄.
    func looseBound(_ f: ExponentialSum) -> Double {
        var positive = f.constant, negative = 0.0, weighted = 0.0
        for k in 0..<f.count {
            let t = f.terms[k]
            if t.a < 0 { negative += t.a; weighted += t.a * t.rate } else { positive += t.a }
        }
        if positive < 0 || positive + negative >= 0 || negative == 0 { return positive + negative >= 0 ? 0 : .infinity }
        return log(-negative / positive) * (negative / weighted)
    }

    @Test("LIF-exp's state-based wake-up bound is a valid lower bound and equals the exponential sum's within the horizon")
    func lifExpWakeUpBound() throws {
        var rng = Xoshiro256(seed: 42)
        let model = LIFExp(tauM: 20, tauSynExc: 5, tauSynInh: 10, vRest: -49, vReset: -60, vThreshold: -50, tRef: 5)
        var withinHorizon = 0
        var beyond = 0
        var tightened = 0
        var logsTighter = 0
        for k in 0..<4000 {
            // Every fourth state close below threshold, so that bounds inside the horizon occur.
            let s = LIFExp.State(
                v: k % 4 == 0 ? -50.3 + 0.29 * rng.uniform() : -60 + 9.99 * rng.uniform(),
                iExc: 12 * rng.uniform(), iInh: -20 * rng.uniform())
            let bound = model.crossingLowerBound(of: s)
            let f = model.distanceToThreshold(of: s, threshold: model.vThreshold)
            let reference = f.crossingLowerBound
            #expect(bound <= reference)
            if reference <= LIFExp.wakeUpHorizon {
                #expect(bound == reference)
                withinHorizon += 1
            } else {
                beyond += 1
            }
            if let root = f.firstUpCrossing() { #expect(bound <= root) }
            // At neuron events the bound keeps its logarithms: then it is the sum's bound itself,
            // and the prediction's wake-up is no earlier than after an input.
            let withLogs = model.crossingLowerBound(of: s, threshold: model.vThreshold, plus: 0, rate: 0, linearBeyond: .infinity)
            #expect(withLogs == reference)
            let atEvent = model.nextCrossing(of: s, at: 0, context: .neuronEvent)
            let afterInput = model.nextCrossing(of: s, at: 0)
            if !atEvent.isExact && !afterInput.isExact && atEvent.time.isFinite {
                #expect(atEvent.time >= afterInput.time)
                if atEvent.time > afterInput.time { logsTighter += 1 }
            }
            // The decaying-positive-term bound (inhibitory current dominating) is the larger one here.
            if bound > 2 * looseBound(f) { tightened += 1 }
        }
        // Both branches were exercised, and the tighter bound mattered.
        #expect(withinHorizon > 20 && beyond > 1000 && tightened > 500 && logsTighter > 500, "\(withinHorizon) \(beyond) \(tightened) \(logsTighter)")
    }

    @Test("LIF-exp's prediction after an input, for any input-interval hint: exact roots agree, wake-ups stay below the root")
    func lifExpInputIntervalHint() throws {
        var rng = Xoshiro256(seed: 44)
        let model = LIFExp(tauM: 20, tauSynExc: 5, tauSynInh: 10, vRest: -49, vReset: -60, vThreshold: -50, tRef: 5)
        let intervals = [0, 0.5, 5, 50, Double.infinity]
        var later = 0
        for k in 0..<3000 {
            let s = LIFExp.State(
                v: k % 4 == 0 ? -50.3 + 0.29 * rng.uniform() : -60 + 9.99 * rng.uniform(),
                iExc: 12 * rng.uniform(), iInh: -20 * rng.uniform())
            let root = model.distanceToThreshold(of: s, threshold: model.vThreshold).firstUpCrossing()
            var previous = -Double.infinity
            for interval in intervals {
                let next = model.nextCrossing(of: s, at: 100, context: .afterInput(inputInterval: interval))
                if next.isExact {
                    let r = try #require(root)
                    #expect(abs(next.time - 100 - r) < 1e-9)
                } else if let r = root {
                    #expect(next.time - 100 <= r + 1e-9, "wake-up \(next.time - 100) after the root \(r)")
                } else {
                    #expect(next.time == .infinity || next.time > 100)
                }
                // A longer interval only tightens the bound (the linear shortcut is taken less).
                if !next.isExact && next.time.isFinite {
                    #expect(next.time >= previous)
                    if next.time > previous && previous.isFinite { later += 1 }
                    previous = next.time
                }
            }
            // No hint is the old policy: the linear shortcut beyond the wake-up horizon.
            #expect(model.nextCrossing(of: s, at: 100, context: .afterInput(inputInterval: 0)) == model.nextCrossing(of: s, at: 100))
        }
        #expect(later > 1000, "the hint changed only \(later) wake-ups")
    }

    @Test("LIF-exp during refractoriness predicts exactly what the state advanced to the period's end predicts")
    func lifExpRefractoryPrediction() {
        var rng = Xoshiro256(seed: 12, stream: 0x60)
        let model = LIFExp(tauM: 20, tauSynExc: 5, tauSynInh: 10, vRest: -49, vReset: -60, vThreshold: -50, tRef: 5)
        var exact = 0
        var wakeUps = 0
        for _ in 0..<400 {
            let r = 5 * rng.uniform()
            let s = LIFExp.State(
                // Currents up to 4 000 mV put some crossings within the search limit (exact).
                v: -60, iExc: rng.uniform() < 0.2 ? 0 : 4000 * pow(rng.uniform(), 3),
                iInh: rng.uniform() < 0.2 ? 0 : -12 * rng.uniform(),
                refractory: r)
            var end = s
            model.advance(&end, by: r)
            #expect(end.refractory == 0 && end.v == -60)
            let t = 3.25
            let predicted = model.nextCrossing(of: s, at: t)
            let reference = model.nextCrossing(of: end, at: t + r)
            // Bit for bit: the shortcut forms the same products as `advance`, so the same bound
            // and the same search from the same start.
            #expect(predicted == reference, "refractory \(r): \(predicted) vs \(reference)")
            if predicted.isExact && predicted.time < .infinity { exact += 1 }
            if !predicted.isExact { wakeUps += 1 }
        }
        #expect(exact > 20 && wakeUps > 20, "exact crossings \(exact), wake-ups \(wakeUps)")
    }

    @Test("LIF-exp's precomputed constants follow a time constant changed after init", arguments: [0, 1, 2])
    func lifExpConstantsFollowChanges(which: Int) {
        let base = LIFExp(tauM: 10, tauSynExc: 2, tauSynInh: 3, vRest: -45, vReset: -70, vThreshold: -50)
        var changed = base
        var tau = (m: 10.0, exc: 2.0, inh: 3.0)
        switch which {
        case 0: changed.tauM = 20; tau.m = 20
        case 1: changed.tauSynExc = 5; tau.exc = 5
        default: changed.tauSynInh = 8; tau.inh = 8
        }
        let fresh = LIFExp(
            tauM: tau.m, tauSynExc: tau.exc, tauSynInh: tau.inh, vRest: -45, vReset: -70, vThreshold: -50)
        let s = LIFExp.State(v: -58, iExc: 9, iInh: -3)
        #expect(fresh.crossingLowerBound(of: s).isFinite && fresh.crossingLowerBound(of: s) > 0)
        #expect(changed.crossingLowerBound(of: s) == fresh.crossingLowerBound(of: s))
        #expect(changed.nextCrossing(of: s, at: 2) == fresh.nextCrossing(of: s, at: 2))
        #expect(
            changed.distanceToThreshold(of: s, threshold: -50).firstUpCrossing()
                == fresh.distanceToThreshold(of: s, threshold: -50).firstUpCrossing())
        // The epoch form's input path (cₖ and the rates), after and during refractoriness, on
        // the receptor whose constant changed (both when τm changed).
        for refractory in [0.0, 1.5] {
            for receptor in [Receptor.excitatory, Receptor.inhibitory] {
                var state = s
                state.refractory = refractory
                var a = changed.epochForm(of: state, elapsed: 0.7)
                var b = fresh.epochForm(of: state, elapsed: 0.7)
                let growth = laneExp(fresh.epochRates * 1.2)
                changed.receive(&a, weight: 4, receptor: receptor, elapsed: 1.2, growth: growth)
                fresh.receive(&b, weight: 4, receptor: receptor, elapsed: 1.2, growth: growth)
                #expect(a == b)
            }
        }
        // The change matters: the unchanged model predicts differently.
        #expect(base.crossingLowerBound(of: s) != fresh.crossingLowerBound(of: s))
    }

    @Test("The propagator composes: advancing by h₁ then h₂ equals advancing by h₁ + h₂ (τsyn ≠ τm, = τm, across a refractory end)")
    func propagatorComposes() {
        expectPropagatorComposes(LIFExp(bias: 3), { s in s.iExc = 5; s.iInh = -2; s.v = -62 }) {
            abs($0.v - $1.v) + abs($0.iExc - $1.iExc) + abs($0.iInh - $1.iInh)
        }
        expectPropagatorComposes(LIFExp(tauM: 10, tauSynExc: 10, tauSynInh: 3), { s in s.iExc = 5; s.iInh = -2 }) {
            abs($0.v - $1.v) + abs($0.iExc - $1.iExc)
        }
        expectPropagatorComposes(LIFExp(tRef: 2), { s in s.refractory = 2; s.iExc = 8 }) { abs($0.v - $1.v) + abs($0.iExc - $1.iExc) }
    }

    @Test("Invalid parameters are rejected with the parameter's name and value")
    func invalidParameters() {
        #expect(throws: VolleyError.self) { try LIFExp(tauM: 10, tauSynExc: 10.000001).validate() }
        #expect(throws: VolleyError.self) { try LIFExp(vReset: -50, vThreshold: -55).validate() }
        do {
            try LIFExp(tauM: -3).validate()
            Issue.record("expected an error")
        } catch let error as VolleyError {
            #expect(error.description.contains("tauM"))
            #expect(error.description.contains("-3"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
