import Foundation

/// Minibatch training of an `EventPropNetwork` with Adam on the exact gradients, data-parallel
/// over a fixed number of chunks (each with its own simulator; chunk gradients summed in chunk
/// order), so that results do not depend on the number of threads.
public struct EventPropTrainer: Sendable {
    public struct Sample: Sendable {
        public var inputs: [[Double]]
        public var label: Int
        public init(inputs: [[Double]], label: Int) {
            self.inputs = inputs
            self.label = label
        }
    }

    public struct Evaluation: Sendable {
        public var accuracy: Double
        public var loss: Double
        public var samples: Int
        /// Spikes per LIF neuron per sample, and synaptic events per sample.
        public var spikesPerNeuron: Double
        /// Hidden neurons that fired on none of the samples.
        public var silentHiddenFraction: Double
        public var synapticEventsPerSample: Double
        /// Mean decision time (ms) and the most LIF spikes in one 1 ms bin of any sample.
        public var decisionTime: Double
        public var peakSpikesPerMs: Int
        public var predictions: [Int]
    }

    public var network: EventPropNetwork
    public var loss: EventPropLoss
    /// Trial length (ms).
    public var duration: Double
    /// Whether delays learn too (their own Adam learning rate `delayLearningRate`, ms per step).
    public let learnDelays: Bool
    /// Keeps the spike counts of the hidden layers (and of a spiking readout) in bounds (nil:
    /// off); its coefficients come from `meanSpikeCounts`, the previous batch's.
    public var regulariser: EventPropRegulariser?
    /// The spike budget of a sample, as a mean rate over all LIF neurons (Hz): a sample beyond it
    /// throws `VolleyError.diverged` naming the layer that fired most (`EventPropRunner.maxMeanRate`).
    public var maxMeanRate = EventPropRunner.defaultMaxMeanRate
    /// Mean spikes per sample of every LIF neuron (all layers, in order) in the last batch.
    public private(set) var meanSpikeCounts: [Double] = []
    /// The moving average of every projection's weights and, when they learn, delays (one array
    /// per projection, weights first), if kept (`averagedNetwork`).
    public private(set) var average: WeightAverage?
    var weightOptimizer: Optimizer
    var delayOptimizer: Optimizer
    /// The chunks' runners, reused from step to step while only the weights change.
    let runnerCache = EventPropRunnerCache()
    public static let chunks = 4

    public init(
        network: EventPropNetwork, loss: EventPropLoss, duration: Double, learningRate: Double, learnDelays: Bool = false,
        delayLearningRate: Double = 0.01, regulariser: EventPropRegulariser? = nil, averageDecay: Double = 0
    ) throws {
        try network.validate()
        try loss.validate()
        try regulariser?.validate()
        guard learningRate > 0, learningRate.isFinite else {
            throw VolleyError.invalidParameter(name: "learningRate", value: "\(learningRate)", reason: "must be > 0")
        }
        guard delayLearningRate > 0, delayLearningRate.isFinite else {
            throw VolleyError.invalidParameter(name: "delayLearningRate", value: "\(delayLearningRate)", reason: "must be > 0 ms")
        }
        try network.checkSample(label: 0, duration: duration, loss: loss)
        self.network = network
        self.loss = loss
        self.duration = duration
        self.learnDelays = learnDelays
        self.regulariser = regulariser
        let shapes = network.projections.map(\.count)
        weightOptimizer = Optimizer(.adam(learningRate: learningRate), shapes: shapes)
        delayOptimizer = Optimizer(.adam(learningRate: delayLearningRate), shapes: shapes)
        average = try WeightAverage.kept(decay: averageDecay, initial: Self.averaged(network, learnDelays))
    }

    /// The parameters the average follows: the weights, and the delays when they learn.
    private static func averaged(_ network: EventPropNetwork, _ learnDelays: Bool) -> [[Double]] {
        network.projections.map(\.weights) + (learnDelays ? network.projections.map(\.delays) : [])
    }

    /// The network with the moving average of its weights (and learned delays, kept ≥ the
    /// network's minimum delay as training keeps them), or the network itself when no average
    /// is kept.
    public var averagedNetwork: EventPropNetwork {
        guard let average else { return network }
        var averaged = network
        let count = network.projections.count
        for p in 0..<count {
            averaged.projections[p].weights = average.parameters[p]
            if learnDelays { averaged.projections[p].delays = average.parameters[count + p].map { Swift.max(network.minimumDelay, $0) } }
        }
        return averaged
    }

    public mutating func setLearningRate(_ rate: Double) { weightOptimizer.setLearningRate(rate) }

    /// One Adam step on the mean gradient of `batch`; returns the batch's mean loss and accuracy.
    public mutating func step(_ batch: [Sample]) throws -> (loss: Double, accuracy: Double) {
        let network = self.network, loss = self.loss, duration = self.duration
        let neurons = network.layers.reduce(0) { $0 + $1.size }
        var cost: [Double] = []
        if let regulariser, meanSpikeCounts.count == neurons {
            // Every spiking layer: the hidden ones, and a spiking readout (whose silent neurons
            // would otherwise pass no gradient under the first-spike loss).
            let regulated = network.layers[network.layers.count - 1].spiking ? neurons : neurons - network.layers[network.layers.count - 1].size
            cost = (0..<neurons).map { $0 < regulated ? regulariser.coefficient(meanCount: meanSpikeCounts[$0]) : 0 }
        }
        let spikeTimeCost = cost
        let runners = try runnerCache.checkOut(Self.chunks, for: network)
        for runner in runners.runners { runner.maxMeanRate = maxMeanRate }
        let parts = try parallelMap(Self.chunks) { c -> (gw: [Double], gd: [Double], loss: Double, correct: Int, counts: [Double]) in
            let runner = runners.runners[c]
            let total = runner.workspace.weights.count
            var gw = [Double](repeating: 0, count: total), gd = gw
            var lossSum = 0.0, correct = 0
            var counts = [Double](repeating: 0, count: neurons)
            try gw.withUnsafeMutableBufferPointer { w in
                try gd.withUnsafeMutableBufferPointer { d in
                    for k in stride(from: c, to: batch.count, by: Self.chunks) {
                        let r = try runner.forward(
                            inputs: batch[k].inputs, label: batch[k].label, duration: duration, loss: loss, spikeTimeCost: spikeTimeCost,
                            gw: w.baseAddress, gd: d.baseAddress)
                        lossSum += r.loss
                        if r.prediction == batch[k].label { correct += 1 }
                        runner.addSpikeCounts(to: &counts)
                    }
                }
            }
            return (gw, gd, lossSum, correct, counts)
        }
        runnerCache.checkIn(runners)
        var flatW = parts[0].gw, flatD = parts[0].gd, counts = parts[0].counts
        let scale = 1 / Double(batch.count)
        for part in parts.dropFirst() {
            for g in flatW.indices {
                flatW[g] += part.gw[g]
                flatD[g] += part.gd[g]
            }
            for n in counts.indices { counts[n] += part.counts[n] }
        }
        meanSpikeCounts = counts.map { $0 * scale }
        var base = [0]
        for p in network.projections { base.append(base[base.count - 1] + p.count) }
        let gw = network.projections.indices.map { p in flatW[base[p]..<base[p + 1]].map { $0 * scale } }
        let gd = network.projections.indices.map { p in flatD[base[p]..<base[p + 1]].map { $0 * scale } }
        guard gw.allSatisfy({ $0.allSatisfy(\.isFinite) }) else {
            throw VolleyError.diverged("EventProp: a weight gradient is not finite (a spike with V̇ ≈ 0 at threshold, or weights grown out of range)")
        }
        var weights = network.projections.map(\.weights)
        weightOptimizer.step(&weights, gw)
        for p in weights.indices { self.network.projections[p].weights = weights[p] }
        if learnDelays {
            var delays = network.projections.map(\.delays)
            delayOptimizer.step(&delays, gd.map { $0.map { $0.isFinite ? $0 : 0 } })
            for p in delays.indices {
                self.network.projections[p].delays = delays[p].map { Swift.max(network.minimumDelay, $0) }
            }
        }
        average?.update(Self.averaged(self.network, learnDelays))
        let lossSum = parts.reduce(0) { $0 + $1.loss }, correct = parts.reduce(0) { $0 + $1.correct }
        return (lossSum * scale, Double(correct) * scale)
    }

    /// Accuracy, loss and activity of the current network on `samples` (no gradient).
    public func evaluate(_ samples: [Sample]) throws -> Evaluation {
        try Self.evaluate(network, samples, loss: loss, duration: duration, maxMeanRate: maxMeanRate)
    }

    public static func evaluate(
        _ network: EventPropNetwork, _ samples: [Sample], loss: EventPropLoss, duration: Double,
        maxMeanRate: Double = EventPropRunner.defaultMaxMeanRate
    ) throws -> Evaluation {
        let neurons = network.layers.reduce(0) { $0 + $1.size }, hidden = neurons - network.layers[network.layers.count - 1].size
        let parts = try parallelMap(chunks) { c -> (loss: Double, spikes: Int, events: Int, time: Double, peak: Int, predictions: [(Int, Int)], counts: [Double]) in
            let runner = try EventPropRunner(network)
            runner.maxMeanRate = maxMeanRate
            var counts = [Double](repeating: 0, count: neurons)
            var total = 0.0, spikes = 0, events = 0, time = 0.0, peak = 0
            var predictions: [(Int, Int)] = []
            for k in stride(from: c, to: samples.count, by: chunks) {
                let r = try runner.run(inputs: samples[k].inputs, label: samples[k].label, duration: duration, loss: loss, gradient: false)
                total += r.loss
                spikes += r.spikeCounts.reduce(0, +)
                events += r.synapticEvents
                time += r.decisionTime
                peak = max(peak, r.peakSpikesPerMs)
                predictions.append((k, r.prediction))
                runner.addSpikeCounts(to: &counts)
            }
            return (total, spikes, events, time, peak, predictions, counts)
        }
        let silent = (0..<hidden).filter { n in parts.allSatisfy { $0.counts[n] == 0 } }.count
        var predictions = [Int](repeating: 0, count: samples.count)
        for part in parts { for (k, p) in part.predictions { predictions[k] = p } }
        let n = Double(max(samples.count, 1))
        let correct = zip(predictions, samples).filter { $0 == $1.label }.count
        return Evaluation(
            accuracy: Double(correct) / n, loss: parts.reduce(0) { $0 + $1.loss } / n, samples: samples.count,
            spikesPerNeuron: Double(parts.reduce(0) { $0 + $1.spikes }) / n / Double(neurons),
            silentHiddenFraction: hidden > 0 ? Double(silent) / Double(hidden) : 0,
            synapticEventsPerSample: Double(parts.reduce(0) { $0 + $1.events }) / n,
            decisionTime: parts.reduce(0) { $0 + $1.time } / n, peakSpikesPerMs: parts.map(\.peak).max() ?? 0, predictions: predictions)
    }
}
