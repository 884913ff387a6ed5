import Foundation
import Testing
@testable import Volley

/// The event-driven engine on several threads gives the one-thread run's spikes bit for bit
/// (docs/event-ordering.md, "Threads"), all threads at once and one event at a time.
@Suite("Event-driven engine threads")
struct EventThreadsTests {
    /// Everything a run produces that must not depend on the thread count.
    struct Outcome: Equatable {
        var neurons: [[UInt32]]
        var times: [[Double]]
        var potentials: [[Double]]
        var synapticEvents: UInt64
        /// Where the second run ended (a stop condition may end it early).
        var secondRunEnd: Double
    }

    static func run(
        _ net: Network, until end: Double, threads: Int, record: PopulationID? = nil, stop: StopCondition = .never,
        batchesOwnSpikes: Bool? = nil
    ) throws -> Outcome {
        let sim = try EventDrivenSimulator(network: net, threads: threads)
        #expect(sim.threads == threads && sim.oneThreadReason == nil)
        if let batchesOwnSpikes { try #require(sim.parallel).batchesOwnSpikes = batchesOwnSpikes }
        if let record { _ = try sim.recordPotentials(of: record, neurons: [0, 63, 64, 65, 130, 199], every: 0.7) }
        try sim.run(until: end / 3)
        // A second and third run restart the threads from the engine's state (spikes of the
        // end of a run deliver in the next).
        try sim.run(until: end / 2, stopWhen: stop)
        let secondRunEnd = sim.time
        if threads > 1 && (record != nil || stop != .never) {
            #expect(sim.oneThreadReason?.contains(record != nil ? "state recordings" : "stop condition") == true)
            #expect(sim.threadCount == 1)
        }
        try sim.run(until: end)
        return Outcome(
            neurons: sim.spikes.neurons, times: sim.spikes.times, potentials: sim.stateRecordings.flatMap(\.potentials),
            synapticEvents: sim.counters.synapticEvents, secondRunEnd: secondRunEnd)
    }

    static func expectSameForAllThreadCounts(
        _ net: Network, until end: Double, record: PopulationID? = nil, stop: StopCondition = .never, minimumSpikes: Int
    ) throws {
        let one = try run(net, until: end, threads: 1, record: record, stop: stop)
        let spikes = one.times.reduce(0) { $0 + $1.count }
        #expect(spikes >= minimumSpikes, "the network must be active: \(spikes) spikes")
        for threads in [2, 3, 4] {
            let many = try run(net, until: end, threads: threads, record: record, stop: stop)
            #expect(many == one, "\(threads) threads differ from one")
        }
    }

    @Test("CUBA (epoch form with quiet bounds, recurrent, delays 0.1–2 ms): 1, 2, 3, 4 threads bit-identical")
    func cuba() throws {
        let net = try smallRecurrentNetwork(seed: 7, neurons: 1000)
        try Self.expectSameForAllThreadCounts(net, until: 300, minimumSpikes: 2000)
    }

    @Test("Sparse activity with Poisson sources and heterogeneous delays: bit-identical")
    func sparse() throws {
        var net = Network()
        let model = LIFExp(tauM: 20, tauSynExc: 5, tauSynInh: 10, vRest: -60, vReset: -60, vThreshold: -50, tRef: 5)
        let input = try net.addPoissonSource("in", rates: Array(repeating: 40, count: 50), seed: 11)
        let drive = try net.addPoissonSource("drive", rates: Array(repeating: 5, count: 20), seed: 16)
        let exc = try net.addPopulation("exc", size: 400, model: model)
        let inh = try net.addPopulation("inh", size: 100, model: model)
        try net.connect(input, to: exc, pattern: .fixedProbability(0.1), weight: .uniform(2, 6), delay: .uniform(0.5, 3), receptor: 0, seed: 12)
        try net.connect(drive, to: inh, pattern: .fixedProbability(0.3), weight: .uniform(2, 6), delay: .uniform(0.5, 3), receptor: 0, seed: 17)
        try net.connect(exc, to: exc, pattern: .fixedProbability(0.02), weight: .constant(3), delay: .constant(1.5), receptor: 0, seed: 13)
        try net.connect(exc, to: inh, pattern: .fixedProbability(0.05), weight: .constant(4), delay: .uniform(0.2, 1), receptor: 0, seed: 14)
        try net.connect(inh, to: exc, pattern: .fixedProbability(0.05), weight: .constant(-10), delay: .constant(0.8), receptor: 1, seed: 15)
        try Self.expectSameForAllThreadCounts(net, until: 400, minimumSpikes: 300)
    }

    @Test("Per-neuron advances (no epoch form): bit-identical")
    func perNeuronAdvances() throws {
        let net = try smallRecurrentNetwork(
            seed: 5, neurons: 600,
            model: Plain(base: LIFExp(tauM: 20, tauSynExc: 5, tauSynInh: 10, vRest: -49, vReset: -60, vThreshold: -50, tRef: 5)))
        try Self.expectSameForAllThreadCounts(net, until: 200, minimumSpikes: 600)
    }

    @Test("State recording and a stop condition run one event at a time across the threads' blocks: bit-identical")
    func serialRuns() throws {
        let net = try smallRecurrentNetwork(seed: 9, neurons: 400)
        try Self.expectSameForAllThreadCounts(net, until: 200, record: net.populations[0].id, minimumSpikes: 500)
        // A spike count reached halfway through the second run.
        let probe = try EventDrivenSimulator(network: net)
        try probe.run(until: 200.0 / 3)
        let before = try probe.spikeCount(of: net.populations[0].id)
        try probe.run(until: 100)
        let stop = StopCondition.spikeCount((before + (try probe.spikeCount(of: net.populations[0].id))) / 2, in: net.populations[0].id)
        let one = try Self.run(net, until: 200, threads: 1, stop: stop)
        #expect(one.secondRunEnd < 100, "the stop must end the second run early (\(one.secondRunEnd) ms)")
        try Self.expectSameForAllThreadCounts(net, until: 200, stop: stop, minimumSpikes: 500)
    }

    @Test("reset() restores the threads' shards: a rerun repeats the spikes")
    func resetRepeats() throws {
        let sim = try EventDrivenSimulator(network: try smallRecurrentNetwork(seed: 4, neurons: 500), threads: 2)
        try sim.run(until: 150)
        let first = sim.spikes.times
        sim.reset()
        try sim.run(until: 150)
        #expect(sim.spikes.times == first && first.reduce(0) { $0 + $1.count } > 300)
    }

    @Test("The threads' spike lists hold one segment at most: engine memory does not grow with the run")
    func segmentsBoundTheLists() throws {
        let sim = try EventDrivenSimulator(network: try smallRecurrentNetwork(seed: 7, neurons: 1000), recording: .none, threads: 2)
        try sim.run(until: 300)
        let early = sim.engineMemoryBytes
        try sim.run(until: 3000)
        let spikes = Int(sim.counters.spikes)
        #expect(spikes > 10_000, "the network must be active: \(spikes) spikes")
        // Lists kept for a whole run would grow by 16 bytes per spike.
        let growth = sim.engineMemoryBytes - early
        #expect(growth < spikes * MemoryLayout<FiredSpike>.stride / 8, "engine memory grew by \(growth) bytes over \(spikes) spikes")
    }

    @Test("Busy segments are shortened to keep the spike lists near segmentSpikes: spikes unchanged")
    func busySegmentsShrink() throws {
        let net = try smallRecurrentNetwork(seed: 7, neurons: 1000)
        let one = try Self.run(net, until: 300, threads: 1)
        let sim = try EventDrivenSimulator(network: net, threads: 2)
        let parallel = try #require(sim.parallel)
        parallel.segmentSpikes = 40
        try sim.run(until: 100)
        // 1000 neurons fire ≈ 9 spikes per ms: segments of 102 ms would list ≈ 900.
        #expect(parallel.segmentSpan < 10, "segment \(parallel.segmentSpan) ms after busy segments")
        #expect(parallel.segmentSpan >= 16 * net.minimumDelay)
        try sim.run(until: 150)
        try sim.run(until: 300)
        #expect(sim.spikes.neurons == one.neurons && sim.spikes.times == one.times)
    }

    @Test("Own spikes queued in batches (the large-network path) or one by one: both bit-identical to one thread")
    func ownSpikeBatches() throws {
        let dense = try smallRecurrentNetwork(seed: 7, neurons: 1000)
        #expect(try #require(try EventDrivenSimulator(network: dense, threads: 2).parallel).batchesOwnSpikes == false)
        let one = try Self.run(dense, until: 300, threads: 1)
        for threads in [2, 3] {
            #expect(try Self.run(dense, until: 300, threads: threads, batchesOwnSpikes: true) == one, "\(threads) threads, batches")
        }
        // Heterogeneous delays, a spike source on one thread, and threads that run out of events (∞).
        var sparse = Network()
        let model = LIFExp(tauM: 20, tauSynExc: 5, tauSynInh: 10, vRest: -60, vReset: -60, vThreshold: -50, tRef: 5)
        let trains: [[Double]] = (0..<30).map { (i: Int) -> [Double] in [5 + 0.37 * Double(i), 60 + 0.11 * Double(i)] }
        let input = try sparse.addSpikeSource("in", trains: trains)
        let exc = try sparse.addPopulation("exc", size: 300, model: model)
        try sparse.connect(input, to: exc, pattern: .fixedProbability(0.3), weight: .uniform(3, 8), delay: .uniform(0.3, 4), receptor: 0, seed: 21)
        try sparse.connect(exc, to: exc, pattern: .fixedProbability(0.03), weight: .constant(4), delay: .uniform(0.3, 2), receptor: 0, seed: 22)
        let quiet = try Self.run(sparse, until: 200, threads: 1)
        #expect(quiet.times[1].count > 50, "exc fires: \(quiet.times[1].count)")
        for threads in [2, 4] {
            #expect(try Self.run(sparse, until: 200, threads: threads, batchesOwnSpikes: true) == quiet, "\(threads) threads, batches")
        }
        // A network of 16 384 neurons or more batches by default.
        let large = try smallRecurrentNetwork(seed: 2, neurons: eventPrefetchMinimumPopulation)
        #expect(try #require(try EventDrivenSimulator(network: large, threads: 2).parallel).batchesOwnSpikes)
    }

    @Test("Counts, spike memory and partial recording on threads equal one thread's (the segments' record)")
    func countsAndPartialRecording() throws {
        // A Poisson source (not counted as model spikes) drives a recurrent network; only the
        // inhibitory population is recorded; short segments make the record run many times.
        var net = try smallRecurrentNetwork(seed: 3, neurons: 600)
        let (exc, inh) = (net.populations[0].id, net.populations[1].id)
        let drive = try net.addPoissonSource("drive", rates: Array(repeating: 30, count: 40), seed: 9)
        try net.connect(drive, to: exc, pattern: .fixedProbability(0.2), weight: .constant(2), delay: .uniform(0.5, 2), receptor: 0, seed: 10)
        struct Counts: Equatable {
            var perNeuron: [[Int]], totals: [Int], fired: [Int], peak: Int, modelSpikes: Int
            var recorded: [UInt32], recordedTimes: [Double], unrecorded: [UInt32]
        }
        func counts(threads: Int, segmentSpikes: Int? = nil) throws -> Counts {
            let sim = try EventDrivenSimulator(network: net, recording: .only([inh]), threads: threads)
            if let segmentSpikes { try #require(sim.parallel).segmentSpikes = segmentSpikes }
            try sim.run(until: 120)
            try sim.run(until: 250)
            let ids = net.populations.map(\.id)
            return Counts(
                perNeuron: try ids.map { try sim.spikeCounts(of: $0) }, totals: try ids.map { try sim.spikeCount(of: $0) },
                fired: sim.firedNeuronsOfPopulation, peak: sim.peakSpikesPerStep, modelSpikes: sim.modelSpikeTotal,
                recorded: try sim.spikes(of: inh).neurons, recordedTimes: try sim.spikes(of: inh).times,
                unrecorded: try sim.spikes(of: exc).neurons + sim.spikes(of: drive).neurons)
        }
        let one = try counts(threads: 1)
        #expect(one.totals[2] > 100 && one.totals[0] > 500 && one.totals[1] > 100, "active: \(one.totals)")
        #expect(one.modelSpikes == one.totals[0] + one.totals[1])
        #expect(one.fired[0] > 0 && one.fired[0] < net.populations[0].size, "some neurons never fire: \(one.fired)")
        #expect(one.recorded.count == one.totals[1] && one.unrecorded.isEmpty)
        for threads in [2, 3] {
            #expect(try counts(threads: threads) == one, "\(threads) threads")
            #expect(try counts(threads: threads, segmentSpikes: 30) == one, "\(threads) threads, short segments")
        }
    }

    /// A plastic network: Poisson input onto 120 LIF neurons (feed-forward, plastic) and sparse
    /// recurrent plastic excitation among them, delays 0.5–4 ms, with `rule` on both projections.
    static func plasticNetwork(_ rule: Plasticity, seed: UInt64) throws -> (Network, [ProjectionID]) {
        var net = Network()
        let input = try net.addPoissonSource("in", rates: Array(repeating: 40, count: 40), seed: seed)
        let out = try net.addPopulation("out", size: 120, model: LIFDelta(tauM: 20, vRest: -70, vReset: -70, vThreshold: -55, tRef: 2))
        let ff = try net.connect(input, to: out, pattern: .fixedProbability(0.5), weight: .uniform(0.5, 1.5), delay: .uniform(0.5, 4), seed: seed + 1)
        let rec = try net.connect(out, to: out, pattern: .fixedProbability(0.1), weight: .uniform(0, 1.2), delay: .uniform(0.5, 2), seed: seed + 2)
        try net.setPlasticity(rule, for: ff)
        try net.setPlasticity(rule, for: rec)
        return (net, [ff, rec])
    }

    /// Owner computes: on 2, 3 and 4 threads every rule gives the one-thread run's spikes, learned
    /// weights and number of synapse updates bit for bit (feed-forward and recurrent plastic
    /// synapses, targets of one group on several threads, a reset and rerun with the learned
    /// weights kept).
    @Test(
        "Plastic projections (STDP, every pairing; Diehl & Cook with and without the triplet gate): 1, 2, 3, 4 threads bit-identical",
        arguments: [
            Plasticity.stdp(STDPRule(tauPlus: 16.8, tauMinus: 33.7, aPlus: 0.02, aMinus: 0.021, pairing: .allToAll, wMin: 0, wMax: 1.5)),
            .stdp(STDPRule(aPlus: 0.03, aMinus: 0.03, pairing: .nearestSymmetric, dependence: .multiplicative(), wMin: 0, wMax: 1.5)),
            .stdp(STDPRule(aPlus: 0.03, aMinus: 0.03, pairing: .nearestPreCentred, wMin: 0, wMax: 1.5)),
            .stdp(STDPRule(aPlus: 0.03, aMinus: 0.03, pairing: .nearestRestricted, dependence: .powerLaw(mu: 0.4, w0: 1), wMin: 0, wMax: 1.5)),
            .diehlCook(DiehlCookRule(etaPost: 0.02, etaPre: 0.002, wMax: 1.5)),
            .diehlCook(DiehlCookRule(etaPost: 0.02, etaPre: 0.002, wMax: 1.5, tauPost2: 40)),
        ])
    func plastic(rule: Plasticity) throws {
        let (net, projections) = try Self.plasticNetwork(rule, seed: 31)
        func run(threads: Int) throws -> (spikes: [[Double]], neurons: [[UInt32]], weights: [[Double]], updates: UInt64, potentials: [[Double]]) {
            let sim = try EventDrivenSimulator(network: net, threads: threads)
            #expect(sim.threads == threads && sim.oneThreadReason == nil)
            try sim.run(until: 150)
            sim.reset(keepingWeights: true)
            try sim.run(until: 300)
            #expect(sim.threadCount == threads)
            // One event at a time across the threads' blocks (a state recording).
            let serial = try EventDrivenSimulator(network: net, threads: threads)
            _ = try serial.recordPotentials(of: net.populations[1].id, neurons: [0, 59, 60, 119], every: 0.5)
            try serial.run(until: 150)
            let potentials = serial.stateRecordings.flatMap(\.potentials) + (try projections.map { try serial.weights(of: $0) })
            return (sim.spikes.times, sim.spikes.neurons, try projections.map { try sim.weights(of: $0) }, sim.plasticityUpdates, potentials)
        }
        let one = try run(threads: 1)
        #expect(one.spikes[1].count > 500, "the network must be active: \(one.spikes[1].count) spikes")
        let changed = one.weights != projections.map { net.projections[$0.index].weights.array }
        #expect(changed, "the rule must change weights")
        for threads in [2, 3, 4] {
            let many = try run(threads: threads)
            let sameSpikes = many.spikes == one.spikes && many.neurons == one.neurons
            let sameWeights = many.weights == one.weights
            #expect(sameSpikes, "\(threads) threads: spikes differ")
            #expect(sameWeights, "\(threads) threads: weights differ")
            #expect(many.potentials == one.potentials, "\(threads) threads, state recorded: potentials or weights differ")
            #expect(many.updates == one.updates, "\(threads) threads: \(many.updates) updates, one thread \(one.updates)")
        }
    }

    @Test("Delays below minimumWindow run on one thread, and say why")
    func oneThreadReasons() throws {
        var short = Network()
        let source = try short.addSpikeSource("in", trains: [[1, 4, 7]])
        let target = try short.addPopulation("out", size: 5, model: LIFDelta(tauM: 20, vRest: -70, vReset: -70, vThreshold: -55, tRef: 2))
        try short.connect(source, to: target, pattern: .allToAll(), weight: .constant(20), delay: .constant(0.01), seed: 1)
        #expect(short.minimumDelay == 0.01)
        let b = try EventDrivenSimulator(network: short, threads: 4)
        #expect(b.threads == 1 && b.oneThreadReason?.contains("0.01 ms") == true)
        try b.run(until: 10)
        #expect(b.spikes.times[1].count == 15)
    }

    @Test("Thread counts out of range are typed errors naming the value")
    func invalidCounts() throws {
        let net = try smallRecurrentNetwork(seed: 1, neurons: 100)
        for bad in [0, -1, Simulator.maxThreads + 1] {
            #expect {
                try EventDrivenSimulator(network: net, threads: bad)
            } throws: { error in
                "\(error)".contains("threads") && "\(error)".contains("\(bad)")
            }
        }
    }
}
