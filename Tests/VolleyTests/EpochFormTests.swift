import Foundation
import Testing

@testable import Volley

/// The event-driven engine's epoch form (NeuronModel.supportsEpochForm, LIF-exp): conversions,
/// inputs (also during refractoriness), rebasing, and whole runs against per-neuron advances.
@Suite("Epoch form")
struct EpochFormTests {
    let model = LIFExp(tauM: 20, tauSynExc: 5, tauSynInh: 10, vRest: -49, vReset: -60, vThreshold: -50, tRef: 5)

    func decay(_ x: Double) -> LIFExp.EpochForm { laneExp(-model.epochRates * x) }
    func growth(_ x: Double) -> LIFExp.EpochForm { laneExp(model.epochRates * x) }

    func close(_ a: LIFExp.State, _ b: LIFExp.State, _ tolerance: Double = 1e-11) -> Bool {
        abs(a.v - b.v) <= tolerance && abs(a.iExc - b.iExc) <= tolerance * max(1, abs(b.iExc))
            && abs(a.iInh - b.iInh) <= tolerance * max(1, abs(b.iInh)) && abs(a.refractory - b.refractory) <= tolerance
    }

    /// Runs both simulators to `end` (ms) and expects the same spikes in the same order in both
    /// populations, times within 1e-9 ms, and more than `atLeast` spikes in population 0.
    func expectSameSpikes(_ a: Simulator, _ b: Simulator, until end: Double, atLeast: Int) throws {
        try a.run(until: end)
        try b.run(until: end)
        #expect(a.spikes.times[0].count > atLeast)
        for p in 0..<2 {
            #expect(a.spikes.neurons[p] == b.spikes.neurons[p])
            let gap = zip(a.spikes.times[p], b.spikes.times[p]).map { abs($0 - $1) }.max() ?? 0
            #expect(gap <= 1e-9, "population \(p): largest spike-time difference \(gap) ms")
        }
    }

    @Test("State → form → state is the identity, refractory states included")
    func roundTrip() {
        #expect(model.supportsEpochForm)
        #expect(!LIFExp(tauM: 10, tauSynExc: 10).supportsEpochForm)
        var rng = Xoshiro256(seed: 5)
        for k in 0..<500 {
            let s = LIFExp.State(
                v: -60 + 10 * rng.uniform(), iExc: 10 * rng.uniform(), iInh: -20 * rng.uniform(),
                refractory: k % 3 == 0 ? 5 * rng.uniform() : 0)
            let x = 90 * rng.uniform()
            let back = model.state(fromEpoch: model.epochForm(of: s, elapsed: x), elapsed: x, decay: decay(x))
            #expect(close(back, k % 3 == 0 ? LIFExp.State(v: -60, iExc: s.iExc, iInh: s.iInh, refractory: s.refractory) : s), "\(s) → \(back)")
        }
    }

    @Test("Inputs in epoch form match receive-then-advance, during and after refractoriness; rebasing changes nothing")
    func inputsAndRebase() {
        var rng = Xoshiro256(seed: 9)
        for k in 0..<300 {
            // A state at x0, an input at x1 ≥ x0 (refractory at x1 for about half of them), read at x2.
            let refractory = k % 2 == 0 ? 4 + rng.uniform() : 0
            var s = LIFExp.State(v: -55 + 4 * rng.uniform(), iExc: 6 * rng.uniform(), iInh: -8 * rng.uniform(), refractory: refractory)
            let x0 = 30 * rng.uniform(), x1 = x0 + 3 * rng.uniform(), x2 = x1 + 8 * rng.uniform()
            let (w, receptor) = k % 3 == 0 ? (-9.0, 1) : (1.62 + 2 * rng.uniform(), 0)
            var form = model.epochForm(of: s, elapsed: x0)
            model.receive(&form, weight: w, receptor: receptor, elapsed: x1, growth: growth(x1))
            // Reference: per-neuron advances.
            model.advance(&s, by: x1 - x0)
            model.receive(&s, weight: w, receptor: receptor, at: x1)
            model.advance(&s, by: x2 - x1)
            let viaForm = model.state(fromEpoch: form, elapsed: x2, decay: decay(x2))
            #expect(close(viaForm, s, 1e-10), "k = \(k): \(viaForm) vs \(s)")
            // Rebasing by any shift ≤ x2 is invisible.
            let shift = x2 * rng.uniform()
            var moved = form
            model.rebase(&moved, shift: shift, decay: decay(shift))
            #expect(close(model.state(fromEpoch: moved, elapsed: x2 - shift, decay: decay(x2 - shift)), viaForm, 1e-10))
        }
    }

    @Test("Whole runs: the epoch form gives the per-neuron-advance spike trains (same spikes, times within 1e-9 ms)")
    func runsMatchPerNeuronAdvance() throws {
        for seed: UInt64 in [3, 11] {
            let withForm = try EventDrivenSimulator(network: try smallRecurrentNetwork(seed: seed))
            let plain = try EventDrivenSimulator(network: try smallRecurrentNetwork(seed: seed, model: Plain(base: model)))
            // 400 ms: the epoch moves forward every 100 ms (20·τ_exc).
            try expectSameSpikes(withForm, plain, until: 400, atLeast: 100)
            // Potentials read from the forms agree too.
            for i in [0, 7, 150] {
                let a = try withForm.potential(of: withForm.network.populations[0].id, neuron: i)
                let b = try plain.potential(of: plain.network.populations[0].id, neuron: i)
                #expect(abs(a - b) < 1e-9)
            }
        }
    }

    @Test("Adaptive LIF: round trip with the adaptation lane, and whole runs against per-neuron advances")
    func adaptive() throws {
        let alif = AdaptiveLIF(membrane: model, beta: 1.5, tauAdapt: 200)
        #expect(alif.supportsEpochForm)
        var rng = Xoshiro256(seed: 13)
        for k in 0..<200 {
            let s = AdaptiveLIF.State(
                membrane: LIFExp.State(v: -60 + 9 * rng.uniform(), iExc: 5 * rng.uniform(), iInh: -5 * rng.uniform(), refractory: k % 2 == 0 ? 3 * rng.uniform() : 0),
                adaptation: 4 * rng.uniform())
            let x = 50 * rng.uniform()
            let back = alif.state(fromEpoch: alif.epochForm(of: s, elapsed: x), elapsed: x, decay: laneExp(-alif.epochRates * x))
            #expect(abs(back.adaptation - s.adaptation) <= 1e-12 * max(1, s.adaptation))
            #expect(abs(back.membrane.iExc - s.membrane.iExc) <= 1e-12 * max(1, s.membrane.iExc))
        }
        let withForm = try EventDrivenSimulator(network: try smallRecurrentNetwork(seed: 5, model: alif))
        let plain = try EventDrivenSimulator(network: try smallRecurrentNetwork(seed: 5, model: Plain(base: alif)))
        try expectSameSpikes(withForm, plain, until: 400, atLeast: 50)
        let learned = try withForm.state(of: withForm.network.populations[0].id, neuron: 3, as: AdaptiveLIF.self)
        let reference = try plain.state(of: plain.network.populations[0].id, neuron: 3, as: Plain<AdaptiveLIF>.self)
        #expect(abs(learned.adaptation - reference.adaptation) < 1e-9 && learned.adaptation > 0)
    }

    @Test("A population large enough for the prefetching delivery loop spikes exactly as the same neurons split in two")
    func prefetchingDeliveriesChangeNothing() throws {
        // One population of 20 000 neurons (prefetch hints on) against the same neurons as two
        // populations of 10 000 (plain loop), with the same synapses and the same global ids.
        let size = 20_000
        let half = size / 2
        #expect(size >= eventPrefetchMinimumPopulation && half < eventPrefetchMinimumPopulation)
        var rng = Xoshiro256(seed: 17)
        var synapses: [Synapse] = []
        for source in 0..<100 {
            for _ in 0..<200 {
                synapses.append(
                    Synapse(source: source, target: rng.index(below: size), weight: 2 + 4 * rng.uniform(), delay: 0.5 + rng.uniform()))
            }
        }
        let rates = [Double](repeating: 40, count: 100)
        var whole = Network()
        let inputA = try whole.addPoissonSource("in", rates: rates, seed: 3)
        let big = try whole.addPopulation("big", size: size, model: model)
        try whole.connect(inputA, to: big, synapses: synapses)
        var split = Network()
        let inputB = try split.addPoissonSource("in", rates: rates, seed: 3)
        let low = try split.addPopulation("low", size: half, model: model)
        let high = try split.addPopulation("high", size: half, model: model)
        try split.connect(inputB, to: low, synapses: synapses.filter { $0.target < half })
        try split.connect(
            inputB, to: high,
            synapses: synapses.filter { $0.target >= half }.map {
                Synapse(source: $0.source, target: $0.target - half, weight: $0.weight, delay: $0.delay)
            })
        let a = try EventDrivenSimulator(network: whole)
        let b = try EventDrivenSimulator(network: split)
        try a.run(until: 120)
        try b.run(until: 120)
        #expect(a.counters.synapticEvents > 50_000 && a.counters.synapticEvents == b.counters.synapticEvents)
        let trainsA = try spikeTimesByNeuron(a, big)
        let trainsB = try spikeTimesByNeuron(b, low) + spikeTimesByNeuron(b, high)
        #expect(trainsA.reduce(0) { $0 + $1.count } > 20_000)
        var differentCounts = 0
        var gap = 0.0
        for (x, y) in zip(trainsA, trainsB) {
            guard x.count == y.count else {
                differentCounts += 1
                continue
            }
            for (s, t) in zip(x, y) { gap = max(gap, abs(s - t)) }
        }
        // Each neuron's arithmetic does not depend on which population (or thread's block) holds
        // it (`EpochClock`): identical spike times.
        #expect(differentCounts == 0, "\(differentCounts) neurons with different spike counts")
        #expect(gap == 0, "largest spike-time difference \(gap) ms")
    }

    @Test("The epoch moves in whole steps of rebaseAfter from the run's start, whatever the input")
    func epochSteps() throws {
        var net = Network()
        let source = try net.addPoissonSource("in", rates: Array(repeating: 25, count: 40), seed: 5)
        let model = LIFExp(tauM: 20, tauSynExc: 5, tauSynInh: 10, vRest: -65, vReset: -65, vThreshold: -50, tRef: 2)
        let target = try net.addPopulation("target", size: 10, model: model)
        try net.connect(source, to: target, pattern: .allToAll(), weight: .constant(0.5), delay: .constant(1), receptor: 0, seed: 6)
        let sim = try EventDrivenSimulator(network: net)
        let step = try #require(epochClock(sim, target, LIFExp.self)).rebaseAfter
        #expect(step == 100)  // 20 time constants of the fastest mode, τ_exc = 5 ms
        try sim.run(until: 50)
        #expect(try #require(epochClock(sim, target, LIFExp.self)).origin == 0)
        try sim.run(until: 1234.5)
        var expected = 0.0
        for _ in 0..<12 { expected += step }
        // The last input (≤ 1234.5 ms) lies past 1200 ms, so the epoch has taken 12 steps.
        #expect(try #require(epochClock(sim, target, LIFExp.self)).origin == expected)
        sim.reset()
        #expect(try #require(epochClock(sim, target, LIFExp.self)).origin == 0)
    }
}
