import Foundation

/// Minibatch training of a `ReLUNetwork` (softmax cross-entropy, Adam), data-parallel over four
/// fixed chunks of each minibatch whose gradients are summed in chunk order: the result does not
/// depend on the number of threads.
public struct ReLUTrainer: Sendable {
    public var network: ReLUNetwork
    public var optimizer: Optimizer
    public let batch: Int
    static let chunks = 4

    public init(network: ReLUNetwork, learningRate: Double, batch: Int) throws(VolleyError) {
        guard learningRate.isFinite, learningRate > 0, learningRate <= 1 else {
            throw VolleyError.invalidParameter(name: "learningRate", value: "\(learningRate)", reason: "must be in (0, 1]")
        }
        guard batch >= 1 else { throw VolleyError.invalidParameter(name: "batch", value: "\(batch)", reason: "must be ≥ 1") }
        self.network = network
        optimizer = Optimizer(.adam(learningRate: learningRate), shapes: network.weights.map(\.count))
        self.batch = batch
    }

    public mutating func setLearningRate(_ rate: Double) { optimizer.setLearningRate(rate) }

    /// One pass over the samples `order` lists, each made by `sample(index)` when needed (a
    /// function of the index only); returns the mean loss and the training accuracy on the fly.
    /// Throws `VolleyError.diverged` if a weight stops being finite.
    public mutating func epoch(
        labels: [Int], order: [Int], sample: @Sendable (Int) -> [Double]
    ) throws(VolleyError) -> (loss: Double, accuracy: Double) {
        guard !order.isEmpty else {
            throw VolleyError.invalidParameter(name: "order", value: "0 samples", reason: "need at least one sample")
        }
        let classes = network.layerSizes[network.layerCount - 1]
        if let bad = order.first(where: { !labels.indices.contains($0) }) {
            throw VolleyError.indexOutOfRange(index: bad, count: labels.count, context: "sample index in the epoch's order")
        }
        if let bad = labels.firstIndex(where: { !(0..<classes).contains($0) }) {
            throw VolleyError.indexOutOfRange(index: labels[bad], count: classes, context: "label of sample \(bad)")
        }
        var totalLoss = 0.0, hits = 0
        var start = 0
        while start < order.count {
            let members = Array(order[start..<min(start + batch, order.count)])
            start += batch
            let net = network
            let parts = try parallelMap(Self.chunks) { c throws(VolleyError) -> ([[Double]], Double, Int) in
                var g = net.weights.map { [Double](repeating: 0, count: $0.count) }
                var loss = 0.0, h = 0
                var k = c
                while k < members.count {
                    let x = sample(members[k])
                    try net.validate(input: x)
                    let a = net.activations(x)
                    loss += net.accumulateGradient(a, label: labels[members[k]], into: &g)
                    let z = a[net.layerCount - 1]
                    if STBPNetwork.decision(z) == labels[members[k]] { h += 1 }
                    k += Self.chunks
                }
                return (g, loss, h)
            }
            let gradient = chunkMean(parts.map(\.0), samples: members.count)
            optimizer.step(&network.weights, gradient)
            for (l, w) in network.weights.enumerated() {
                if let k = w.firstIndex(where: { !$0.isFinite }) {
                    throw VolleyError.diverged("ANN weight \(k) of layer \(l + 1) became \(w[k]) after an update; lower the learning rate")
                }
            }
            totalLoss += parts.reduce(0) { $0 + $1.1 }
            hits += parts.reduce(0) { $0 + $1.2 }
        }
        return (totalLoss / Double(order.count), Double(hits) / Double(order.count))
    }

    /// Accuracy of `network` on `count` samples (largest logit; ties count as wrong), in parallel
    /// over fixed chunks.
    public static func accuracy(of network: ReLUNetwork, count: Int, labels: [Int], sample: @Sendable (Int) -> [Double]) -> Double {
        guard count > 0 else { return .nan }
        let hits = parallelMap(16) { c -> Int in
            var h = 0
            var i = c
            while i < count {
                if STBPNetwork.decision(network.activations(sample(i))[network.layerCount - 1]) == labels[i] { h += 1 }
                i += 16
            }
            return h
        }
        return Double(hits.reduce(0, +)) / Double(count)
    }
}
