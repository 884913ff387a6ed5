import Foundation

/// Runs samples through one `EventPropNetwork` in one event-driven simulator, reused from
/// sample to sample (reset, new input trains) and from training step to step (new weights written
/// into its network in place), with the backward pass's workspace.
public final class EventPropRunner {
    public private(set) var network: EventPropNetwork
    private(set) var simulator: EventDrivenSimulator
    private(set) var ids: [PopulationID]
    var workspace: EventPropWorkspace
    /// Per projection, the projection's synapse index of each synapse in the engine's weight
    /// order; nil where the engine's weight store cannot be overwritten in place.
    private var engineOrder: [[Int32]]?
    /// The most spikes a sample may produce, as a mean rate over all LIF neurons (Hz). EventProp
    /// neurons have no refractory period, so a network whose weights grew too strong can fire
    /// without bound; a sample beyond this budget stops at once and throws
    /// `VolleyError.diverged`, before its spikes and arrivals exhaust memory.
    public var maxMeanRate: Double = EventPropRunner.defaultMaxMeanRate
    /// 1 kHz: a mean inter-spike interval of 1 ms over the whole network.
    public static let defaultMaxMeanRate = 1000.0

    public init(_ network: EventPropNetwork) throws {
        try network.validate()
        self.network = network
        // Built once with each synapse's index + 1 as its weight, which reveals the order in which
        // the engine stores the weights; the real weights are then written in that order.
        var coded = network
        for p in coded.projections.indices { coded.projections[p].weights = (0..<coded.projections[p].count).map { Double($0 + 1) } }
        let (net, ids) = try coded.makeNetwork(inputs: [[Double]](repeating: [], count: network.inputSize))
        simulator = try EventDrivenSimulator(network: net, threads: 1)
        self.ids = ids
        workspace = EventPropWorkspace(network)
        let order = net.projections.map { $0.weights.array.map { Int32($0) - 1 } }
        // A permutation of the projection's synapse indices, or the weights cannot be written in place.
        let complete = order.count == network.projections.count && zip(order, network.projections).allSatisfy { o, p in
            guard o.count == p.count else { return false }
            var seen = [Bool](repeating: false, count: p.count)
            for i in o {
                guard i >= 0, Int(i) < p.count, !seen[Int(i)] else { return false }
                seen[Int(i)] = true
            }
            return true
        }
        engineOrder = complete ? order : nil
        try writeWeights()
    }

    /// New weights (per projection, in the projection's synapse order; delays and structure
    /// unchanged), written into the engine's network and the workspace in place: the runs that
    /// follow give the spikes a runner built anew for them would.
    public func setWeights(_ weights: [[Double]]) throws {
        guard weights.count == network.projections.count, zip(weights, network.projections).allSatisfy({ $0.count == $1.count }) else {
            throw VolleyError.invalidParameter(
                name: "weights", value: "\(weights.map(\.count)) per projection",
                reason: "the network has \(network.projections.map(\.count)) synapses per projection")
        }
        for (p, w) in weights.enumerated() {
            if let bad = w.firstIndex(where: { !$0.isFinite }) {
                throw VolleyError.invalidParameter(name: "projection \(p) weight \(bad)", value: "\(w[bad])", reason: "must be finite")
            }
            network.projections[p].weights = w
        }
        try writeWeights()
    }

    /// The network's weights into the engine (in place, or by rebuilding where that cannot be)
    /// and into the workspace.
    private func writeWeights() throws {
        workspace.setWeights(network)
        if let order = engineOrder {
            var written = true
            for (p, projection) in simulator.network.projections.enumerated() where written {
                written = network.projections[p].weights.withUnsafeBufferPointer { projection.weights.overwrite(from: $0, order: order[p]) }
            }
            if written { return }
            engineOrder = nil
        }
        let (net, ids) = try network.makeNetwork(inputs: [[Double]](repeating: [], count: network.inputSize))
        simulator = try EventDrivenSimulator(network: net, threads: 1)
        self.ids = ids
    }

    /// One sample, its gradient per projection and synapse (with `gradient`); `spikeTimeCost`:
    /// per LIF neuron (all layers, in order) the coefficient cⱼ of a regularisation Σₖ cⱼ·tⱼₖ
    /// (`EventPropRegulariser`), or empty.
    public func run(
        inputs: [[Double]], label: Int, duration: Double, loss: EventPropLoss, spikeTimeCost: [Double] = [], gradient: Bool = true
    ) throws -> EventPropResult {
        guard spikeTimeCost.isEmpty || spikeTimeCost.count == workspace.neuronCount else {
            throw VolleyError.invalidParameter(name: "spikeTimeCost", value: "\(spikeTimeCost.count) coefficients", reason: "the network has \(workspace.neuronCount) LIF neurons")
        }
        guard gradient else { return try forward(inputs: inputs, label: label, duration: duration, loss: loss, spikeTimeCost: spikeTimeCost, gw: nil, gd: nil) }
        let total = workspace.weights.count
        var gw = [Double](repeating: 0, count: total), gd = gw
        var result = try gw.withUnsafeMutableBufferPointer { w in
            try gd.withUnsafeMutableBufferPointer { d in
                try forward(inputs: inputs, label: label, duration: duration, loss: loss, spikeTimeCost: spikeTimeCost, gw: w.baseAddress, gd: d.baseAddress)
            }
        }
        let base = workspace.synapseBase
        result.weightGradients = network.projections.indices.map { Array(gw[base[$0]..<base[$0 + 1]]) }
        result.delayGradients = network.projections.indices.map { Array(gd[base[$0]..<base[$0 + 1]]) }
        return result
    }

    /// One sample; its gradient is added into `gw`, `gd` (flat over the projections' synapses,
    /// in order) when given.
    func forward(
        inputs: [[Double]], label: Int, duration: Double, loss: EventPropLoss, spikeTimeCost: [Double] = [],
        gw: UnsafeMutablePointer<Double>?, gd: UnsafeMutablePointer<Double>?
    ) throws -> EventPropResult {
        try network.checkSample(label: label, duration: duration, loss: loss)
        guard inputs.count == network.inputSize else {
            throw VolleyError.invalidParameter(name: "inputs", value: "\(inputs.count) trains", reason: "the network has \(network.inputSize) inputs")
        }
        guard maxMeanRate > 0, !maxMeanRate.isNaN else {
            throw VolleyError.invalidParameter(name: "maxMeanRate", value: "\(maxMeanRate)", reason: "must be > 0 Hz")
        }
        simulator.reset()
        try simulator.setSpikeTrains(inputs, for: ids[0])
        let budget = spikeBudget(duration: duration)
        if case let .stopped(at: t) = try simulator.run(until: duration, stopWhen: .modelSpikeCount(budget + 1)) {
            throw try runaway(at: t, duration: duration)
        }
        let spikes = try ids.dropFirst().map { try simulator.spikes(of: $0) }
        return workspace.sample(inputs: inputs, layerSpikes: spikes, label: label, duration: duration, loss: loss, spikeTimeCost: spikeTimeCost, gw: gw, gd: gd)
    }
}

extension EventPropRunner {
    /// The spikes of all LIF neurons in one sample of `duration` ms at `maxMeanRate`.
    func spikeBudget(duration: Double) -> Int {
        let spikes = maxMeanRate * 1e-3 * duration * Double(workspace.neuronCount)
        return spikes < Double(Int.max / 2) ? Swift.max(1, Int(spikes)) : Int.max / 2
    }

    /// The error of a sample stopped at `t` for exceeding its spike budget: which layer fired most.
    func runaway(at t: Double, duration: Double) throws -> VolleyError {
        let counts = try ids.dropFirst().map { try simulator.spikeCount(of: $0) }
        let top = counts.indices.max { counts[$0] < counts[$1] } ?? 0
        let layer = network.layers[top]
        let rate = t > 0 ? Double(counts[top]) / Double(layer.size) / t * 1e3 : .infinity
        return VolleyError.diverged(
            "EventProp: the network ran away — its LIF neurons fired \(counts.reduce(0, +)) spikes by t = \(t) ms of a \(duration) ms sample, " +
            "more than the budget of \(spikeBudget(duration: duration)) (maxMeanRate \(maxMeanRate) Hz over \(workspace.neuronCount) neurons); " +
            "layer '\(layer.name)' fired \(counts[top]) of them (\(String(format: "%.0f", rate)) Hz per neuron). " +
            "Lower the learning rate or the initial weights, or raise maxMeanRate (eventprop --max-rate)")
    }

    /// Spikes of each LIF neuron (all layers, in order) in the last sample run.
    func addSpikeCounts(to counts: inout [Double]) {
        let start = workspace.spikeStart
        for n in 0..<workspace.neuronCount { counts[n] += Double(start[n + 1] - start[n]) }
    }
}

extension EventPropNetwork {
    /// Whether `other` differs from this network in its weights at most (same layers, models,
    /// synapses and delays), so that a runner built for one runs the other after `setWeights`.
    func differsOnlyInWeights(from other: EventPropNetwork) -> Bool {
        guard inputSize == other.inputSize, layers.count == other.layers.count, projections.count == other.projections.count else { return false }
        for (a, b) in zip(layers, other.layers) {
            let m = a.model, n = b.model
            guard a.size == b.size, a.spiking == b.spiking, m.tauM == n.tauM, m.tauSynExc == n.tauSynExc, m.tauSynInh == n.tauSynInh,
                m.vRest == n.vRest, m.vReset == n.vReset, m.vThreshold == n.vThreshold, m.tRef == n.tRef, m.bias == n.bias,
                m.reset == n.reset
            else { return false }
        }
        for (a, b) in zip(projections, other.projections) {
            guard a.source == b.source, a.target == b.target, a.pre == b.pre, a.post == b.post, a.delays == b.delays else { return false }
        }
        return true
    }
}

/// A training step's runners, one per chunk; chunk c uses only `runners[c]`.
struct EventPropRunners: @unchecked Sendable {
    let runners: [EventPropRunner]
}

/// Runners kept between training steps, one per chunk: a step checks them out (or builds them
/// when there are none for its network's structure), writes its weights into them, and returns
/// them. Copies of a trainer share the cache; one that finds it empty builds its own runners.
final class EventPropRunnerCache: @unchecked Sendable {
    private let lock = NSLock()
    private var runners: [EventPropRunner] = []

    /// `count` runners for `network` (its weights written in), reused where they fit.
    func checkOut(_ count: Int, for network: EventPropNetwork) throws -> EventPropRunners {
        lock.lock()
        let kept = runners
        runners = []
        lock.unlock()
        guard kept.count == count, kept.allSatisfy({ $0.network.differsOnlyInWeights(from: network) }) else {
            // Built side by side: with learned delays every step builds them anew.
            let built = try parallelMap(count) { _ in EventPropRunners(runners: [try EventPropRunner(network)]) }
            return EventPropRunners(runners: built.flatMap(\.runners))
        }
        let weights = network.projections.map(\.weights), set = EventPropRunners(runners: kept)
        _ = try parallelMap(count) { c -> Int in
            try set.runners[c].setWeights(weights)
            return 0
        }
        return set
    }

    func checkIn(_ set: EventPropRunners) {
        lock.lock()
        runners = set.runners
        lock.unlock()
    }
}

