import Foundation

/// Minibatch training of an `STBPNetwork` with Adam, data-parallel over four fixed chunks of each
/// minibatch whose gradients are summed in chunk order: the result does not depend on the number
/// of threads.
public struct STBPTrainer: Sendable {
    public var network: STBPNetwork
    public var optimizer: Optimizer
    public let surrogate: Surrogate
    public let loss: STBPLoss
    public let batch: Int
    /// Floating-point operations of the last epoch's forward and backward passes (by formula per
    /// kernel call; the optimizer's few per weight and minibatch are not counted).
    public private(set) var lastEpochFLOPs: Double = 0
    /// Whether each layer's τm is learned too (Adam with the same learning rate, kept ≥ 10⁻³ ms).
    public let learnsLeak: Bool
    var leakOptimizer: Optimizer
    /// The moving average of the weights and (if learned) the τm of every layer, as its last
    /// array, if kept (`averagedNetwork`).
    public private(set) var average: WeightAverage?
    /// Dropout rate p of the hidden layers that feed dense connections (`STBPDropout`), 0 for none.
    public let dropout: Double
    /// Seed of the dropout masks: sample k in the e-th `epoch` call (from 0) draws its mask from
    /// `Xoshiro256(seed: dropoutSeed, stream: 0xD809, e, k)`, whatever the thread count.
    public let dropoutSeed: UInt64
    /// `epoch` calls so far.
    public private(set) var epochsRun = 0

    /// `averageDecay`: keep an exponential moving average of the parameters with this decay per
    /// update (`WeightAverage`, `averagedNetwork`); 0 keeps none. `dropout`: the rate p of
    /// `STBPDropout` during training (masks seeded by `dropoutSeed`); 0 for none. `weightDecay`:
    /// AdamW's decoupled decay λ of the weights (not of a learned τm), each update shrinking them
    /// by the factor 1 − η·λ (Loshchilov & Hutter 2019); 0 for none.
    public init(
        network: STBPNetwork, learningRate: Double, surrogate: Surrogate, loss: STBPLoss, batch: Int, learnLeak: Bool = false,
        averageDecay: Double = 0, dropout: Double = 0, dropoutSeed: UInt64 = 0, weightDecay: Double = 0
    ) throws {
        guard learningRate.isFinite, learningRate > 0, learningRate <= 1 else {
            throw VolleyError.invalidParameter(name: "learningRate", value: "\(learningRate)", reason: "must be in (0, 1]")
        }
        guard weightDecay.isFinite, weightDecay >= 0, learningRate * weightDecay < 1 else {
            throw VolleyError.invalidParameter(name: "weightDecay", value: "\(weightDecay)", reason: "must be ≥ 0 with learning rate × decay < 1")
        }
        guard batch >= 1 else { throw VolleyError.invalidParameter(name: "batch", value: "\(batch)", reason: "must be ≥ 1") }
        try surrogate.validate()
        try STBPDropout.validate(rate: dropout)
        if loss == .rateMSE && network.readout != .spikeCount {
            throw VolleyError.invalidParameter(name: "loss", value: "mse", reason: "the rate MSE needs the spike-count readout")
        }
        self.network = network
        self.optimizer = Optimizer(.adam(learningRate: learningRate, weightDecay: weightDecay), shapes: network.weights.map(\.count))
        self.surrogate = surrogate
        self.loss = loss
        self.batch = batch
        learnsLeak = learnLeak
        leakOptimizer = Optimizer(.adam(learningRate: learningRate), shapes: [network.layerCount - 1])
        self.dropout = dropout
        self.dropoutSeed = dropoutSeed
        average = try WeightAverage.kept(decay: averageDecay, initial: Self.averaged(network, learnLeak))
    }

    /// The parameters the average follows: the weights, and the τm when they learn.
    private static func averaged(_ network: STBPNetwork, _ learnsLeak: Bool) -> [[Double]] {
        learnsLeak ? network.weights + [network.membraneTimeConstants] : network.weights
    }

    /// τm ≥ 1 µs; within LIFExp's cancellation band around τₛ (|τₛ − τm| < 1e-4·τm) it snaps to
    /// τₛ, where the engines use the propagator's limit form.
    private static func admissible(_ tau: [Double], _ network: STBPNetwork) -> [Double] {
        let tauSyn = network.synapse.tauSyn
        return tau.map { t in
            let t = max(t, 1e-3)
            if let ts = tauSyn, abs(ts - t) < 1e-4 * t { return ts }
            return t
        }
    }

    /// The network with the moving average of its parameters, or the network itself when no
    /// average is kept.
    public var averagedNetwork: STBPNetwork {
        guard let average else { return network }
        var averaged = network
        averaged.weights = Array(average.parameters.prefix(network.weights.count))
        if learnsLeak { averaged.membraneTimeConstants = Self.admissible(average.parameters[network.weights.count], network) }
        return averaged
    }

    /// Sets the learning rate of the weights and (if learned) the leak.
    public mutating func setLearningRate(_ rate: Double) {
        optimizer.setLearningRate(rate)
        leakOptimizer.setLearningRate(rate)
    }

    /// One pass over `inputs` in the given order; returns the mean loss and the training accuracy
    /// (on the fly). Throws `VolleyError.diverged` if a weight stops being finite.
    public mutating func epoch(_ inputs: [STBPInput], labels: [Int], order: [Int], steps: Int) throws -> (loss: Double, accuracy: Double) {
        guard inputs.count == labels.count else {
            throw VolleyError.invalidParameter(name: "labels", value: "\(labels.count)", reason: "need one label per input (\(inputs.count))")
        }
        return try epoch(labels: labels, order: order, steps: steps) { inputs[$0] }
    }

    /// One pass over the samples `order` lists, each made by `sample(index)` when it is needed
    /// (so that inputs drawn per epoch need not be stored: the function must depend on the index
    /// only, which keeps the result independent of the thread count).
    public mutating func epoch(
        labels: [Int], order: [Int], steps: Int, sample: @Sendable (Int) -> STBPInput
    ) throws -> (loss: Double, accuracy: Double) {
        guard !order.isEmpty else {
            throw VolleyError.invalidParameter(name: "order", value: "0 samples", reason: "need at least one sample")
        }
        guard steps >= 1 else { throw VolleyError.invalidParameter(name: "steps", value: "\(steps)", reason: "must be ≥ 1") }
        let classes = network.layerSizes[network.layerCount - 1]
        if let bad = order.first(where: { !labels.indices.contains($0) }) {
            throw VolleyError.indexOutOfRange(index: bad, count: labels.count, context: "sample index in the epoch's order")
        }
        if let bad = labels.firstIndex(where: { !(0..<classes).contains($0) }) {
            throw VolleyError.indexOutOfRange(index: labels[bad], count: classes, context: "label of sample \(bad)")
        }
        var totalLoss = 0.0, hits = 0, flops = 0.0
        var start = 0
        let dropout = dropout, dropoutSeed = dropoutSeed, epochIndex = UInt64(epochsRun)
        epochsRun += 1
        while start < order.count {
            let members = Array(order[start..<min(start + batch, order.count)])
            start += batch
            let net = network, surrogate = surrogate, loss = loss, learnsLeak = learnsLeak
            let chunks = 4
            let parts = try parallelMap(chunks) { c throws(VolleyError) -> ([[Double]], Double, Int, Double, [Double]) in
                var g = net.weights.map { [Double](repeating: 0, count: $0.count) }
                var leak = [Double](repeating: 0, count: net.layerCount - 1)
                var l = 0.0, h = 0, f = 0.0
                var k = c
                while k < members.count {
                    let x = sample(members[k]), y = labels[members[k]]
                    try net.validate(x)
                    var rng = Xoshiro256(seed: dropoutSeed, stream: 0xD809, epochIndex, UInt64(members[k]))
                    let a = net.forward(x, steps: steps, dropout: STBPDropout.draw(for: net, rate: dropout, rng: &rng))
                    let z = net.scores(a)
                    let (value, dz) = net.loss(z, label: y, loss, steps: steps)
                    l += value
                    if net.decision(a) == y { h += 1 }
                    f += a.flops
                    if learnsLeak {
                        f += leak.withUnsafeMutableBufferPointer {
                            net.backward(a, input: x, scoreGradient: dz, surrogate: surrogate, gradient: &g, leakGradient: $0)
                        }
                    } else {
                        f += net.backward(a, input: x, scoreGradient: dz, surrogate: surrogate, gradient: &g)
                    }
                    k += chunks
                }
                return (g, l, h, f, leak)
            }
            let gradient = chunkMean(parts.map(\.0), samples: members.count)
            optimizer.step(&network.weights, gradient)
            if learnsLeak {
                var leak = [parts[0].4]
                for p in parts.dropFirst() { for k in leak[0].indices { leak[0][k] += p.4[k] } }
                for k in leak[0].indices { leak[0][k] *= 1 / Double(members.count) }
                var tau = [network.membraneTimeConstants]
                leakOptimizer.step(&tau, leak)
                network.membraneTimeConstants = Self.admissible(tau[0], network)
                if let k = network.membraneTimeConstants.firstIndex(where: { !$0.isFinite }) {
                    throw VolleyError.diverged("STBP τm of layer \(k + 1) became \(network.membraneTimeConstants[k]) after an update; lower the learning rate")
                }
            }
            for (l, w) in network.weights.enumerated() {
                if let k = w.firstIndex(where: { !$0.isFinite }) {
                    throw VolleyError.diverged("STBP weight \(k) of layer \(l) became \(w[k]) after an update; lower the learning rate")
                }
            }
            average?.update(Self.averaged(network, learnsLeak))
            totalLoss += parts.reduce(0) { $0 + $1.1 }
            hits += parts.reduce(0) { $0 + $1.2 }
            flops += parts.reduce(0) { $0 + $1.3 }
        }
        lastEpochFLOPs = flops
        return (totalLoss / Double(order.count), Double(hits) / Double(order.count))
    }
}

