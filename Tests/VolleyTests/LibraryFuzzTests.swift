import Foundation
import Testing
@testable import Volley

/// Seeded random networks and parameter sets through `Network` and both simulators: every case
/// must end in a valid run or a typed `VolleyError` — a trap would stop the test process. Values
/// are drawn from a mix of sensible ones and the usual suspects (NaN, ±∞, 0, negative, huge,
/// tiny, empty, mismatched sizes), so most cases hit a check and some run. Valid runs are checked
/// for the invariants every run keeps (spike times finite, ordered, within the run, counted).
@Suite struct LibraryFuzzTests {
    struct Draw {
        var rng: Xoshiro256
        mutating func chance(_ p: Double) -> Bool { rng.uniform() < p }
        mutating func pick<T>(_ values: [T]) -> T { values[rng.index(below: values.count)] }
        /// A typical value most of the time, otherwise a suspect one.
        mutating func number(_ typical: Double, suspicion: Double = 0.03) -> Double {
            guard chance(suspicion) else { return typical * (0.5 + rng.uniform()) }
            return pick([.nan, .infinity, -.infinity, 0, -typical, -1e308, 1e308, .leastNonzeroMagnitude, -0.0, 1e15])
        }
        mutating func size(_ typical: Int) -> Int {
            chance(0.05) ? pick([0, -1, -1000]) : 1 + rng.index(below: typical)
        }
    }

    enum Outcome { case ran, refused }

    /// Builds and runs one random case; returns how it ended (a trap never returns).
    func fuzzCase(seed: UInt64) throws -> Outcome {
        var d = Draw(rng: Xoshiro256(seed: seed, stream: 0xF022))
        var net = Network()
        do {
            var ids: [PopulationID] = []
            var models: [PopulationID] = []
            for p in 0..<(1 + d.rng.index(below: 4)) {
                let n = d.size(20)
                let name = d.chance(0.03) ? "dup" : "p\(p)"
                switch d.rng.index(below: 10) {
                case 0:
                    ids.append(try net.addPoissonSource(name, rates: (0..<max(n, 0)).map { _ in d.number(20) }, seed: seed))
                case 1:
                    let trains = (0..<max(n, 0)).map { _ in (0..<d.rng.index(below: 4)).map { _ in d.number(30) }.sorted() }
                    ids.append(try net.addSpikeSource(name, trains: trains))
                case 2:
                    ids.append(try net.addSpikeSource(name, size: n))
                case 3:
                    let m = LIFDelta(tauM: d.number(20), vRest: -70, vReset: d.number(-70), vThreshold: d.number(-55), tRef: d.number(2))
                    ids.append(try net.addPopulation(name, size: n, model: m)); models.append(ids.last!)
                case 4:
                    let m = LIFAlpha(tauM: d.number(10), tauSynExc: d.number(2), tauSynInh: d.number(3), vThreshold: -55, tRef: d.number(2))
                    ids.append(try net.addPopulation(name, size: n, model: m)); models.append(ids.last!)
                case 5:
                    let m = AdaptiveLIF(membrane: LIFExp(tauM: d.number(20), tauSynExc: d.number(5)), beta: d.number(1.8), tauAdapt: d.number(700))
                    ids.append(try net.addPopulation(name, size: n, model: m)); models.append(ids.last!)
                case 6:
                    let m = SRM(tau: d.number(7), vThreshold: d.number(1), tauRefractory: d.number(20))
                    ids.append(try net.addPopulation(name, size: n, model: m, firstSpikeOnly: d.chance(0.3))); models.append(ids.last!)
                case 7:
                    let m = ConductanceLIF(tauM: d.number(100), tauSynExc: d.number(1), tauSynInh: d.number(2))
                    ids.append(try net.addPopulation(name, size: n, model: m)); models.append(ids.last!)
                default:
                    let m = LIFExp(tauM: d.number(20), tauSynExc: d.number(5), tauSynInh: d.number(10), vThreshold: d.number(-55))
                    let v0 = d.chance(0.3) ? (0..<(max(n, 0) + (d.chance(0.1) ? 1 : 0))).map { _ in d.number(-60) } : nil
                    ids.append(try net.addPopulation(name, size: n, model: m, initialPotentials: v0)); models.append(ids.last!)
                }
            }
            var plastic: [ProjectionID] = []
            for _ in 0..<d.rng.index(below: 5) {
                let source = d.pick(ids), target = d.pick(models.isEmpty ? ids : models)
                let pattern: ConnectionPattern = d.pick([
                    .allToAll(), .oneToOne, .fixedProbability(d.number(0.3)), .fixedInDegree(d.size(5)),
                    .fixedOutDegree(d.size(5), allowMultapses: d.chance(0.5)),
                ])
                let weight: WeightSpec = d.pick([.constant(d.number(10)), .uniform(d.number(0.1), d.number(10)), .normal(mean: d.number(5), standardDeviation: d.number(1))])
                let delay: DelaySpec = d.pick([.constant(d.number(1)), .uniform(d.number(0.5), d.number(3)), .terminals([d.number(1), d.number(2)])])
                let id = try net.connect(source, to: target, pattern: pattern, weight: weight, delay: delay,
                                         receptor: d.chance(0.05) ? 7 : d.rng.index(below: 2), seed: d.rng.next())
                if d.chance(0.3) { plastic.append(id) }
            }
            for id in plastic {
                let rule = STDPRule(tauPlus: d.number(17), tauMinus: d.number(34), aPlus: d.number(0.01), aMinus: d.number(0.01),
                                    pairing: d.pick(STDPPairing.allCases), wMin: d.chance(0.1) ? -1 : 0, wMax: d.number(20))
                try net.setPlasticity(.stdp(rule), for: id)
            }
            let sim: Simulator = d.chance(0.5)
                ? try EventDrivenSimulator(network: net)
                : try TimeSteppedSimulator(network: net, dt: d.pick([0.1, 0.5, d.number(0.1)]))
            if let p = models.first, d.chance(0.3) {
                try sim.recordPotentials(of: p, neurons: [0, d.chance(0.1) ? 99 : 0], every: d.number(1))
            }
            let end = d.chance(0.1) ? d.pick([Double.nan, -1, .infinity, 1e308]) : d.number(80, suspicion: 0)
            try sim.run(until: end)
            if d.chance(0.3), let p = ids.first(where: { net.populations[$0.index].modelName == "spike_source" }) {
                try sim.setSpikeTrains((0..<net.populations[p.index].size).map { _ in [sim.time + d.number(5)] }, for: p)
                try sim.run(until: sim.time + 20)
            }
            // Invariants of a valid run.
            for id in ids {
                let (neurons, times) = try sim.spikes(of: id)
                #expect(neurons.count == times.count)
                #expect(times.allSatisfy { $0.isFinite && $0 >= 0 && $0 <= sim.time + 1e-9 }, "seed \(seed)")
                #expect(zip(times, times.dropFirst()).allSatisfy { $0 <= $1 }, "seed \(seed): spike times out of order")
                #expect(try sim.spikeCount(of: id) == times.count)
                #expect(neurons.allSatisfy { Int($0) < net.populations[id.index].size })
            }
            let report = sim.report()
            #expect(report.sparsity >= 0 && report.sparsity <= 1)
            return .ran
        } catch is VolleyError {
            return .refused
        }
    }

    @Test("5 000 seeded random networks and parameter sets: a valid run or a typed error, never a trap")
    func randomNetworks() throws {
        var ran = 0, refused = 0
        let verbose = ProcessInfo.processInfo.environment["VOLLEY_FUZZ_VERBOSE"] != nil
        // VOLLEY_FUZZ_SEED=N reruns one case (printed with VOLLEY_FUZZ_VERBOSE=1).
        let only = ProcessInfo.processInfo.environment["VOLLEY_FUZZ_SEED"].flatMap { UInt64($0) }
        for seed: UInt64 in only.map({ $0...$0 }) ?? 1...5000 {
            if verbose { FileHandle.standardError.write(Data("library fuzz: seed \(seed)\n".utf8)) }
            switch try fuzzCase(seed: seed) {
            case .ran: ran += 1
            case .refused: refused += 1
            }
        }
        print("library fuzz: \(ran) runs, \(refused) typed errors")
        // Both kinds occur in numbers, so the sweep exercises the checks and the engines.
        #expect(only != nil || (ran >= 700 && refused >= 700), "\(ran) runs, \(refused) typed errors")
    }

    @Test("Ids of another network are refused by every entry point")
    func foreignIds() throws {
        var a = Network(), b = Network()
        let pa = try a.addPopulation("x", size: 2, model: LIFExp())
        let pb = try b.addPopulation("x", size: 2, model: LIFExp())
        let qb = try b.connect(pb, to: pb, pattern: .oneToOne, weight: .constant(1), delay: .constant(1))
        let sim = try EventDrivenSimulator(network: a)
        func expectForeign(_ body: () throws -> Void) {
            #expect { try body() } throws: { error in
                guard case let VolleyError.idFromAnotherNetwork(what) = error else { return false }
                return what.contains("id")
            }
        }
        expectForeign { _ = try sim.spikes(of: pb) }
        expectForeign { _ = try sim.spikeCounts(of: pb) }
        expectForeign { _ = try sim.spikeCount(of: pb) }
        expectForeign { _ = try sim.potential(of: pb, neuron: 0) }
        expectForeign { _ = try sim.weights(of: qb) }
        expectForeign { try sim.setSpikeTrains([[1], [2]], for: pb) }
        expectForeign { try sim.run(until: 1, stopWhen: .firstSpike(in: pb)) }
        expectForeign { _ = try EventDrivenSimulator(network: a, recording: .only([pb])) }
        expectForeign { try a.connect(pa, to: pb, pattern: .oneToOne, weight: .constant(1), delay: .constant(1)) }
        expectForeign { try a.setPlasticity(nil, for: qb) }
        expectForeign { _ = try a.population(pb) }
        // A copy of a network shares its ids.
        let copy = a
        #expect(try copy.population(pa).name == "x")
        #expect(try sim.spikeCount(of: pa) == 0)
    }

    @Test("run(until: .infinity) with a firing Poisson source is refused; with a stop condition it ends")
    func infiniteRunWithPoisson() throws {
        var net = Network()
        let noise = try net.addPoissonSource("noise", rates: [50], seed: 1)
        let out = try net.addPopulation("out", size: 1, model: LIFDelta())
        try net.connect(noise, to: out, pattern: .allToAll(), weight: .constant(20), delay: .constant(1))
        for sim in [try EventDrivenSimulator(network: net) as Simulator, try TimeSteppedSimulator(network: net, dt: 0.1)] {
            #expect(throws: VolleyError.self) { try sim.run(until: .infinity) }
            #expect(try sim.run(until: .infinity, stopWhen: .spikeCount(3, in: out)) != .reachedTime(.infinity))
            #expect(try sim.spikeCount(of: out) == 3)
        }
    }

    @Test("run(until: .infinity) without a stop condition is refused for networks that may never fall silent")
    func infiniteRunThatMayNotEnd() throws {
        func network(loop: Bool, bias: Double = 0, firstSpikeOnly: Bool = false) throws -> (Network, PopulationID) {
            var net = Network()
            let input = try net.addSpikeSource("input", trains: [[1]])
            let a = try net.addPopulation("a", size: 1, model: LIFDelta(bias: bias), firstSpikeOnly: firstSpikeOnly)
            let b = try net.addPopulation("b", size: 1, model: LIFDelta(), firstSpikeOnly: firstSpikeOnly)
            try net.connect(input, to: a, pattern: .allToAll(), weight: .constant(20), delay: .constant(1))
            try net.connect(a, to: b, pattern: .allToAll(), weight: .constant(20), delay: .constant(1))
            if loop { try net.connect(b, to: a, pattern: .allToAll(), weight: .constant(20), delay: .constant(1)) }
            return (net, b)
        }
        for make in [{ try network(loop: true) }, { try network(loop: false, bias: 30) }] {
            let (net, b) = try make()
            for sim in [try EventDrivenSimulator(network: net) as Simulator, try TimeSteppedSimulator(network: net, dt: 0.1)] {
                #expect { try sim.run(until: .infinity) } throws: { error in
                    let text = "\(error)"
                    return text.contains("'a' → 'b' → 'a'") || text.contains("'a' fires without input")
                }
                // With an end time or a stop condition the same network runs (the loop fires on).
                try sim.run(until: 100)
                #expect(try sim.spikeCount(of: b) > 5)
            }
        }
        // Feedforward, or a loop of neurons that fire once: the run ends when the queue is empty.
        for (loop, once) in [(false, false), (true, true)] {
            let (net, b) = try network(loop: loop, firstSpikeOnly: once)
            let sim = try EventDrivenSimulator(network: net)
            guard case .queueEmpty = try sim.run(until: .infinity) else { Issue.record("did not end at an empty queue"); continue }
            #expect(try sim.spikeCount(of: b) == 1)
        }
    }

    @Test("STDP weights outside the rule's bounds are refused, not clipped at the first update")
    func plasticWeightsOutsideBounds() throws {
        var net = Network()
        let pre = try net.addSpikeSource("pre", trains: [[1]])
        let post = try net.addPopulation("post", size: 1, model: LIFDelta())
        let p = try net.connect(pre, to: post, pattern: .allToAll(), weight: .constant(1.5), delay: .constant(1))
        #expect { try net.setPlasticity(.stdp(STDPRule(wMin: 0, wMax: 1)), for: p) } throws: { error in
            "\(error)".contains("1.5") && "\(error)".contains("[0.0, 1.0]")
        }
        try net.setPlasticity(.stdp(STDPRule(wMin: 0, wMax: 2)), for: p)
        #expect(throws: VolleyError.self) { try net.setWeights([2.5], of: p) }
        let sim = try EventDrivenSimulator(network: net)
        #expect(throws: VolleyError.self) { try sim.setWeights([-0.5], of: p) }
        try sim.setWeights([1.9], of: p)
        #expect(try sim.weights(of: p) == [1.9])
    }

    @Test("The time-stepped engine refuses delays of more than 2²⁴ steps instead of allocating them")
    func hugeDelayRing() throws {
        var net = Network()
        let a = try net.addSpikeSource("a", trains: [[1]])
        let b = try net.addPopulation("b", size: 1, model: LIFDelta())
        try net.connect(a, to: b, pattern: .allToAll(), weight: .constant(1), delay: .constant(1e6))
        #expect(throws: VolleyError.self) { _ = try TimeSteppedSimulator(network: net, dt: 0.001) }
        _ = try TimeSteppedSimulator(network: net, dt: 0.1)
    }
}
