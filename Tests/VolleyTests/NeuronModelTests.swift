import Foundation
import Testing

@testable import Volley

/// Exact spike times of every model against analytic values or an independent reference.
@Suite("Neuron models: exact spike times")
struct NeuronModelTests {
    // MARK: LIF, delta synapses

    @Test("LIF-delta under constant drive fires at t = τm·ln((V∞−Vreset)/(V∞−θ)) + k·(tRef + that)")
    func lifDeltaConstantDrive() throws {
        let model = LIFDelta(tauM: 10, vRest: -70, vReset: -70, vThreshold: -55, tRef: 2, bias: 20)
        let (net, _, out) = try drivenNetwork(model: model, trains: [[]], synapses: [])
        let sim = try EventDrivenSimulator(network: net)
        try sim.run(until: 200)
        let isi = 10 * log(20.0 / 5.0)
        let times = sim.spikes(of: out).times
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
        #expect(sim.spikes(of: out).times == [6])
        // Refractory until 10 ms: V is clamped at vReset, the 8 ms input was discarded.
        #expect(try sim.potential(of: out, neuron: 0) == -70)
        try sim.run(until: 20)
        #expect(try sim.potential(of: out, neuron: 0) == -70)
    }

    // MARK: LIF, exponential currents

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
        let times = sim.spikes(of: out).times
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
        let times = sim.spikes(of: out).times
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
        let times = sim.spikes(of: out).times
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

    // MARK: ReL-PSP

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
        let spikes = sim.spikes(of: out).times
        if let e = expected {
            #expect(spikes == [e])
        } else {
            #expect(spikes.isEmpty)
        }
    }

    // MARK: SRM

    @Test("SRM alpha PSP crosses at s = −τ·W₀(−θ/(w·e)) after a single input", arguments: [1.5, 2.0, 5.0])
    func srmLambertW(weight: Double) throws {
        let model = SRM(tau: 7, vThreshold: 1)
        let (net, _, out) = try drivenNetwork(
            model: model, trains: [[0]], synapses: [Synapse(source: 0, target: 0, weight: weight, delay: 3)],
            firstSpikeOnly: true)
        let sim = try EventDrivenSimulator(network: net)
        try sim.run(until: 100)
        let s = -7 * lambertW0(-1 / (weight * M_E))
        let times = sim.spikes(of: out).times
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
        let times = sim.spikes(of: out).times
        #expect(times.count == fired.count)
        #expect(fired.count >= 2)
        for (a, b) in zip(times, fired) { #expect(abs(a - b) < 1e-8) }
    }

    // MARK: Adaptive LIF

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
        let times = sim.spikes(of: out).times
        #expect(times.count == fired.count)
        for (a, b) in zip(times, fired) { #expect(abs(a - b) < 1e-8) }
        let isis = zip(times.dropFirst(), times).map { $0 - $1 }
        #expect(isis.last! > isis.first!)
    }

    // MARK: Propagators

    @Test("Every propagator is exact: advancing by h₁ then h₂ equals advancing by h₁ + h₂")
    func semigroup() {
        func check<M: NeuronModel>(_ model: M, _ prepare: (inout M.State) -> Void, _ compare: (M.State, M.State) -> Double) {
            var a = model.initialState(potential: nil)
            prepare(&a)
            var b = a
            model.advance(&a, by: 1.3)
            model.advance(&a, by: 2.45)
            model.advance(&b, by: 3.75)
            #expect(compare(a, b) < 1e-12)
        }
        check(LIFDelta(bias: 5), { $0.v = -60 }) { abs($0.v - $1.v) }
        check(LIFExp(bias: 3), { s in s.iExc = 5; s.iInh = -2; s.v = -62 }) {
            abs($0.v - $1.v) + abs($0.iExc - $1.iExc) + abs($0.iInh - $1.iInh)
        }
        check(LIFExp(tauM: 10, tauSynExc: 10, tauSynInh: 3), { s in s.iExc = 5; s.iInh = -2 }) {
            abs($0.v - $1.v) + abs($0.iExc - $1.iExc)
        }
        check(SRM(), { s in s.y = 2; s.x = 0.5; s.r = -1 }) { abs($0.x - $1.x) + abs($0.y - $1.y) + abs($0.r - $1.r) }
        check(AdaptiveLIF(), { s in s.membrane.iExc = 3; s.adaptation = 2 }) {
            abs($0.membrane.v - $1.membrane.v) + abs($0.adaptation - $1.adaptation)
        }
        // Refractory periods ending inside an interval split the propagation exactly.
        check(LIFExp(tRef: 2), { s in s.refractory = 2; s.iExc = 8 }) { abs($0.v - $1.v) + abs($0.iExc - $1.iExc) }
        check(LIFDelta(tRef: 2, bias: 20), { s in s.refractory = 2 }) { abs($0.v - $1.v) }
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
            let atEvent = model.nextCrossingAtNeuronEvent(of: s, at: 0)
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
                let next = model.nextCrossing(of: s, at: 100, inputInterval: interval)
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
            #expect(model.nextCrossing(of: s, at: 100, inputInterval: 0) == model.nextCrossing(of: s, at: 100))
        }
        #expect(later > 1000, "the hint changed only \(later) wake-ups")
    }

    @Test("The event-driven engine measures each population's mean input interval per epoch")
    func measuredInputInterval() throws {
        var net = Network()
        // 40 sources at 25 Hz onto every one of 10 neurons: one input per ms per neuron.
        let source = try net.addPoissonSource("in", rates: Array(repeating: 25, count: 40), seed: 5)
        let model = LIFExp(tauM: 20, tauSynExc: 5, tauSynInh: 10, vRest: -65, vReset: -65, vThreshold: -50, tRef: 2)
        let target = try net.addPopulation("target", size: 10, model: model)
        try net.connect(source, to: target, pattern: .allToAll(), weight: .constant(0.5), delay: .constant(1), receptor: 0, seed: 6)
        let sim = try EventDrivenSimulator(network: net)
        let runtime = try #require(sim.kernels[target.index]?.runtime as? ModelPopulation<LIFExp>)
        try sim.run(until: 50)
        // Before the first epoch has ended (100 ms for τ_exc = 5 ms) there is no estimate.
        #expect(runtime.clock.pointee.inputInterval == .infinity)
        try sim.run(until: 2000)
        let interval = runtime.clock.pointee.inputInterval
        #expect(abs(interval - 1) < 0.2, "measured \(interval) ms")
        sim.reset()
        #expect(runtime.clock.pointee.inputInterval == .infinity)
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

    @Test("Time-stepped fused pass (`step`, for LIF-exp) equals advance, receive, threshold, fire neuron by neuron, bit for bit")
    func lifExpFusedStep() {
        var rng = Xoshiro256(seed: 7)
        let model = LIFExp(tauM: 20, tauSynExc: 5, tauSynInh: 10, vRest: -49, vReset: -60, vThreshold: -50, tRef: 5)
        let n = 500
        let dt = 0.1
        let p = model.propagator(over: dt)
        var states = (0..<n).map { _ in
            LIFExp.State(v: -60 + 10.5 * rng.uniform(), iExc: 5 * rng.uniform(), iInh: -5 * rng.uniform(),
                         refractory: rng.uniform() < 0.2 ? 5 * rng.uniform() : 0)
        }
        var reference = states
        var inputs = (0..<2 * n).map { _ in rng.uniform() < 0.3 ? 3 * rng.uniform() - 1 : 0 }
        var expectedFired: [UInt32] = []
        for i in 0..<n {
            var s = reference[i]
            model.advance(&s, by: dt, using: p)
            model.receive(&s, weight: inputs[i], receptor: Receptor.excitatory, at: dt)
            model.receive(&s, weight: inputs[n + i], receptor: Receptor.inhibitory, at: dt)
            if model.isAboveThreshold(s, at: dt) {
                model.fire(&s, at: dt)
                expectedFired.append(UInt32(i))
            }
            reference[i] = s
        }
        var fired = ContiguousArray<UInt32>()
        states.withUnsafeMutableBufferPointer { st in
            inputs.withUnsafeMutableBufferPointer { inp in
                model.step(st.baseAddress!, count: n, inputs: inp.baseAddress!, advancingBy: dt, using: p, at: dt, fired: &fired)
            }
        }
        #expect(states == reference)
        #expect(Array(fired) == expectedFired)
        #expect(expectedFired.count > 5)
        #expect(inputs.allSatisfy { $0 == 0 })
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

    @Test("Invalid model parameters are rejected with the parameter's name")
    func invalidParameters() {
        #expect(throws: VolleyError.self) { try LIFDelta(tauM: 0).validate() }
        #expect(throws: VolleyError.self) { try LIFExp(tauM: 10, tauSynExc: 10.000001).validate() }
        #expect(throws: VolleyError.self) { try LIFExp(vReset: -50, vThreshold: -55).validate() }
        #expect(throws: VolleyError.self) { try SRM(tau: .nan).validate() }
        #expect(throws: VolleyError.self) { try AdaptiveLIF(beta: -1).validate() }
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
