import Foundation

/// The runtime of one plastic projection inside one simulator, shared unchanged by both engines.
///
/// It owns a private copy of the projection's weights (the `Network` value is never modified), a
/// presynaptic trace per synapse, the time of the last arrival per delay group (every synapse of
/// a group receives the same arrivals), a postsynaptic trace per target neuron, and the
/// transposed index (incoming synapses per target) that post spikes need. Traces are stored as
/// (value, time of last update) and decayed exactly when used, as NEST's `stdp_synapse` does.
/// A `final class` because it owns raw buffers that the engines' projection views point into.
///
/// **Lanes** (`useLanes(_:)`): on several event-driven threads the owner of a target computes
/// (docs/event-ordering.md, "Threads"): each thread applies an arrival to its own synapses of the
/// group, and a post spike to its own neuron's incoming synapses, so weights, presynaptic and
/// postsynaptic traces are only ever written by one thread. What a group's synapses share — the
/// time of its last arrival — is kept once per thread (lane), every lane seeing the same
/// arrivals, so each thread computes exactly what one thread would.
final class PlasticProjection {
    let rule: Plasticity
    let structure: SynapseStructure
    let initialWeights: WeightStore
    let weights: UnsafeMutableBufferPointer<Double>
    let preTrace: UnsafeMutableBufferPointer<Double>
    let groupOfSynapse: UnsafeMutableBufferPointer<UInt32>
    /// Time of the last arrival of group g, as lane k saw it: `lastArrival[k·groupCount + g]`.
    private(set) var lastArrival: UnsafeMutableBufferPointer<Double>
    let postTrace: UnsafeMutableBufferPointer<Double>
    let postTime: UnsafeMutableBufferPointer<Double>
    /// Incoming synapses of target j: incoming[incomingStart[j] ..< incomingStart[j+1]].
    let incomingStart: [Int]
    let incoming: UnsafeMutableBufferPointer<UInt32>
    /// Scratch of `normalizeIncoming`: per-target sums, then scale factors.
    let factors: UnsafeMutableBufferPointer<Double>
    /// Synapse updates so far of each lane (one cache line apart: `updateCounts[k·8]`).
    private(set) var updateCounts: UnsafeMutablePointer<UInt64>
    /// Threads (lanes) that apply the rule; 1 unless `useLanes` said otherwise.
    private(set) var lanes = 1
    /// ln η_pre + 1e-6 for the Diehl & Cook rule's skip test in `preArrival` (0 otherwise).
    private let logEtaPre: Double

    init(rule: Plasticity, structure: SynapseStructure, weights: WeightStore) {
        self.rule = rule
        self.structure = structure
        self.initialWeights = weights
        if case let .diehlCook(r) = rule { logEtaPre = log(r.etaPre) + 1e-6 } else { logEtaPre = 0 }
        let n = structure.synapseCount
        self.weights = .allocate(capacity: Swift.max(n, 1))
        preTrace = .allocate(capacity: Swift.max(n, 1))
        groupOfSynapse = .allocate(capacity: Swift.max(n, 1))
        lastArrival = .allocate(capacity: Swift.max(structure.groupCount, 1))
        updateCounts = .allocate(capacity: 8)
        updateCounts.initialize(repeating: 0, count: 8)
        postTrace = .allocate(capacity: structure.targetCount)
        postTime = .allocate(capacity: structure.targetCount)
        incoming = .allocate(capacity: Swift.max(n, 1))
        factors = .allocate(capacity: Swift.max(structure.targetCount, 1))
        for g in 0..<structure.groupCount {
            for s in structure.synapses(ofGroup: g) { groupOfSynapse[s] = UInt32(g) }
        }
        var start = [Int](repeating: 0, count: structure.targetCount + 1)
        for s in 0..<n { start[structure.target(ofSynapse: s) + 1] += 1 }
        for j in 0..<structure.targetCount { start[j + 1] += start[j] }
        var cursor = start
        for s in 0..<n {
            let j = structure.target(ofSynapse: s)
            incoming[cursor[j]] = UInt32(s)
            cursor[j] += 1
        }
        incomingStart = start
        reset(keepWeights: false)
    }

    deinit {
        weights.deallocate()
        preTrace.deallocate()
        groupOfSynapse.deallocate()
        lastArrival.deallocate()
        updateCounts.deallocate()
        postTrace.deallocate()
        postTime.deallocate()
        incoming.deallocate()
        factors.deallocate()
    }

    /// Clears every trace; restores the initial weights unless `keepWeights`.
    func reset(keepWeights: Bool) {
        if !keepWeights {
            for s in 0..<structure.synapseCount { weights[s] = initialWeights[s] }
        }
        preTrace.update(repeating: 0)
        lastArrival.update(repeating: -.infinity)
        postTrace.update(repeating: 0)
        postTime.update(repeating: -.infinity)
    }

    var memoryBytes: Int { structure.synapseCount * (8 + 8 + 4 + 4) + lanes * structure.groupCount * 8 + structure.targetCount * 24 }

    /// Synapse updates so far, all lanes.
    var updates: UInt64 { (0..<lanes).reduce(0) { $0 &+ updateCounts[$1 &* 8] } }

    /// Prepares `n` lanes (one per event-driven thread), each starting from lane 0's arrival
    /// times and counting its own updates from 0 (lane 0 keeps its count).
    func useLanes(_ n: Int) {
        guard n != lanes else { return }
        let g = Swift.max(structure.groupCount, 1)
        let arrivals = UnsafeMutableBufferPointer<Double>.allocate(capacity: n * g)
        for k in 0..<n { (arrivals.baseAddress! + k * g).initialize(from: lastArrival.baseAddress!, count: g) }
        lastArrival.deallocate()
        lastArrival = arrivals
        let counts = UnsafeMutablePointer<UInt64>.allocate(capacity: 8 * n)
        counts.initialize(repeating: 0, count: 8 * n)
        counts[0] = updates
        updateCounts.deallocate()
        updateCounts = counts
        lanes = n
    }

    /// Scales the incoming weights of every target so that they sum to `total` (targets whose
    /// weights sum to 0 are left alone).
    ///
    /// Two sequential passes over the synapses in CSR order instead of a walk through the
    /// transposed index: each target's sum still adds its weights in increasing synapse index,
    /// the order of `incoming`, so the result is bit-identical, without the scattered loads.
    func normalizeIncoming(toTotal total: Double) {
        let targets = structure.targetIndex
        factors.update(repeating: 0)
        for s in 0..<structure.synapseCount { factors[Int(targets[s])] += weights[s] }
        for j in 0..<structure.targetCount {
            let sum = factors[j]
            factors[j] = sum > 0 ? total / sum : 1
        }
        for s in 0..<structure.synapseCount { weights[s] *= factors[Int(targets[s])] }
    }

    /// A spike of delay group `group` (synapses first..<first+count) arrives at `time`: each
    /// synapse is depressed by its target's postsynaptic trace, then its presynaptic trace is
    /// updated. Called before the spike is delivered, so it is delivered with the new weights.
    /// On several threads each calls it with its `lane` for its own synapses of the group.
    func preArrival(group: Int, first: Int, count: Int, time t: Double, lane: Int = 0) {
        let arrival = lane &* structure.groupCount &+ group
        let previous = lastArrival[arrival]
        lastArrival[arrival] = t
        updateCounts[lane &* 8] &+= UInt64(count)
        switch rule {
        case let .stdp(r):
            let decay = exp(-(t - previous) / r.tauPlus)
            for s in first..<(first + count) {
                let j = structure.target(ofSynapse: s)
                let since = t - postTime[j]
                var y: Double
                switch r.pairing {
                case .allToAll: y = postTrace[j] * exp(-since / r.tauMinus)
                case .nearestSymmetric, .nearestPreCentred: y = exp(-since / r.tauMinus)
                case .nearestRestricted: y = previous <= postTime[j] ? exp(-since / r.tauMinus) : 0
                }
                if y > 0 { weights[s] = r.depressed(weights[s], trace: y) }
                switch r.pairing {
                case .allToAll, .nearestPreCentred: preTrace[s] = preTrace[s] * decay + 1
                case .nearestSymmetric, .nearestRestricted: preTrace[s] = 1
                }
            }
        case let .diehlCook(r):
            // Skipping no-op depressions (bit-identical): for 0 < w ≤ wMax with binary exponent e,
            // a decrement δ = η_pre·y < 2^(e−54) (a quarter ulp of w) rounds back to w, and
            // η_pre·exp(−a) < 2^(e−54) whenever a > ln η_pre + (54 − e)·ln 2 (+ a margin for the
            // rounding of exp). Most targets last spiked long ago, so most `exp` calls vanish;
            // w = 0 stays 0 either way (max(0 − δ, 0) = 0).
            for s in first..<(first + count) {
                let j = structure.target(ofSynapse: s)
                let w = weights[s]
                let age = (t - postTime[j]) / r.tauPost
                if w == 0 || (w <= r.wMax && w.isNormal && age > logEtaPre + Double(54 - Int(w.exponent)) * M_LN2) {
                    preTrace[s] = 1
                    continue
                }
                let y = exp(-age)
                if y > 0 { weights[s] = Swift.min(Swift.max(w - r.etaPre * y, 0), r.wMax) }
                preTrace[s] = 1
            }
        }
    }

    /// Target `j` spiked at `time`: potentiate its incoming synapses by their presynaptic
    /// traces, then update its postsynaptic trace. On several threads, j's owner calls it with its
    /// `lane`.
    func postSpike(_ j: Int, time t: Double, lane: Int = 0) {
        let lo = incomingStart[j]
        let hi = incomingStart[j + 1]
        let arrivals = lastArrival.baseAddress! + lane &* structure.groupCount
        updateCounts[lane &* 8] &+= UInt64(hi - lo)
        switch rule {
        case let .stdp(r):
            for k in lo..<hi {
                let s = Int(incoming[k])
                let x = preTrace[s] * exp(-(t - arrivals[Int(groupOfSynapse[s])]) / r.tauPlus)
                if x > 0 { weights[s] = r.potentiated(weights[s], trace: x) }
                // Pre-centred and restricted pairing: each pre spike pairs with the first post
                // spike after it only.
                if r.pairing == .nearestPreCentred || r.pairing == .nearestRestricted { preTrace[s] = 0 }
            }
            postTrace[j] = r.pairing == .allToAll ? postTrace[j] * exp(-(t - postTime[j]) / r.tauMinus) + 1 : 1
        case let .diehlCook(r):
            // Triplet gate: the second post trace before this spike resets it (1 without gate).
            let gate = r.tauPost2.map { exp(-(t - postTime[j]) / $0) } ?? 1
            for k in lo..<hi {
                let s = Int(incoming[k])
                let x = preTrace[s] * exp(-(t - arrivals[Int(groupOfSynapse[s])]) / r.tauPre)
                let w = weights[s]
                let room = Swift.max(r.wMax - w, 0)
                let dw = r.etaPost * gate * (x - r.xTar) * (r.mu == 1 ? room : pow(room, r.mu))
                weights[s] = Swift.min(Swift.max(w + dw, 0), r.wMax)
            }
            postTrace[j] = 1
        }
        postTime[j] = t
    }
}
