import Foundation

extension SpikePropNetwork {
    /// Data-driven initialisation that makes neurons fire: while a neuron of layers 1… fires on
    /// fewer than `minimumFraction` of `inputs`, its excitatory (positive) incoming weights are
    /// multiplied by `factor` (and raised to `floor` where they are smaller). Returns the number of
    /// rounds used. SpikeProp gives no gradient to silent neurons, so this is what lets training
    /// start at all (docs/spikeprop.md).
    @discardableResult
    public mutating func calibrateFiring(
        on inputs: [[Double]], minimumFraction: Double = 1, factor: Double = 1.1, floor: Double = 1e-3,
        rounds: Int = 200
    ) throws -> Int {
        for round in 0..<rounds {
            let net = self
            let activities = try parallelMap(inputs.count) { try net.forward(inputs[$0]) }
            var changed = false
            for l in 1..<layerCount {
                for j in 0..<layerSizes[l] {
                    let fired = activities.reduce(0) { $0 + ($1.times[l][j].isFinite ? 1 : 0) }
                    guard Double(fired) < minimumFraction * Double(inputs.count) else { continue }
                    changed = true
                    let span = layerSizes[l - 1] * terminals
                    for idx in (j * span)..<((j + 1) * span) {
                        let source = (idx - j * span) / terminals
                        if signs[l - 1][source] < 0 { continue }
                        let w = weights[l - 1][idx]
                        if w >= 0 { weights[l - 1][idx] = Swift.max(w * factor, floor) }
                    }
                }
                // Re-measure deeper layers after this one changed.
                if changed { break }
            }
            if !changed { return round }
        }
        return rounds
    }
}

/// Trains a `SpikePropNetwork` on timed inputs and output targets.
public struct SpikePropTrainer: Sendable {
    public var network: SpikePropNetwork
    public var options: SpikePropOptions
    public var optimizer: Optimizer
    /// true: one update per epoch from the full-batch gradient, computed in parallel over fixed
    /// chunks and summed in chunk order (thread-count independent). false: Bohte's online
    /// learning, one update per sample in a seeded random order.
    public let fullBatch: Bool
    var rng: Xoshiro256

    public init(network: SpikePropNetwork, options: SpikePropOptions, optimizer: OptimizerKind, fullBatch: Bool, seed: UInt64) {
        self.network = network
        self.options = options
        self.optimizer = Optimizer(optimizer, shapes: network.weights.map(\.count))
        self.fullBatch = fullBatch
        self.rng = Xoshiro256(seed: seed, stream: 0x7EA1)
    }

    /// One pass over the training set; returns the mean loss per sample (measured during the pass).
    public mutating func epoch(inputs: [[Double]], targets: [[Double]]) throws -> Double {
        try epoch(inputs: inputs.map { try network.inputArrivals($0) }, targets: targets)
    }

    /// One pass over precomputed input arrivals (`SpikePropNetwork.inputArrivals`). Throws
    /// `VolleyError.diverged` when an update leaves a weight non-finite or the forward pass
    /// cannot place a first spike (diverging weights).
    public mutating func epoch(inputs: [SpikePropArrivals], targets: [[Double]]) throws -> Double {
        guard inputs.count == targets.count && !inputs.isEmpty else {
            throw VolleyError.invalidParameter(
                name: "targets", value: "\(targets.count) targets", reason: "need one per input sample (\(inputs.count)), at least one")
        }
        if fullBatch {
            let (loss, gradient) = try SpikePropTrainer.batchGradient(network, options, inputs, targets)
            optimizer.step(&network.weights, gradient)
            network.applySignConstraints()
            try checkWeights()
            return loss / Double(inputs.count)
        }
        var order = Array(inputs.indices)
        rng.shuffle(&order)
        var total = 0.0
        var gradient = network.weights.map { [Double](repeating: 0, count: $0.count) }
        for s in order {
            for l in gradient.indices { for i in gradient[l].indices { gradient[l][i] = 0 } }
            let activity = try network.forward(inputs[s])
            total += network.lossAndGradient(activity, targets: targets[s], options: options, gradient: &gradient)
            optimizer.step(&network.weights, gradient)
            network.applySignConstraints()
            try checkWeights()
        }
        return total / Double(inputs.count)
    }

    /// Throws `VolleyError.diverged` naming the first weight that is no longer finite.
    func checkWeights() throws {
        for (l, layer) in network.weights.enumerated() {
            guard let k = layer.firstIndex(where: { !$0.isFinite }) else { continue }
            let pre = network.layerSizes[l] * network.terminals
            throw VolleyError.diverged(
                "SpikeProp weight of terminal \(k % network.terminals) from neuron \(k % pre / network.terminals) of layer \(l) "
                    + "to neuron \(k / pre) of layer \(l + 1) became \(layer[k]) after an update (\(optimizer.kind.name)); "
                    + "lower the learning rate or the momentum")
        }
    }

    /// Summed loss and gradient over all samples, computed in 16 fixed chunks on all cores.
    public static func batchGradient(
        _ network: SpikePropNetwork, _ options: SpikePropOptions, _ inputs: [SpikePropArrivals], _ targets: [[Double]]
    ) throws -> (Double, [[Double]]) {
        let chunks = Swift.min(16, inputs.count)
        let parts = try parallelMap(chunks) { c throws -> (Double, [[Double]]) in
            var gradient = network.weights.map { [Double](repeating: 0, count: $0.count) }
            var loss = 0.0
            var s = c
            while s < inputs.count {
                let activity = try network.forward(inputs[s])
                loss += network.lossAndGradient(activity, targets: targets[s], options: options, gradient: &gradient)
                s += chunks
            }
            return (loss, gradient)
        }
        var total = parts[0]
        for part in parts.dropFirst() {
            total.0 += part.0
            for l in total.1.indices {
                for i in total.1[l].indices { total.1[l][i] += part.1[l][i] }
            }
        }
        return total
    }
}
