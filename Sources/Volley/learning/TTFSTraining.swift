import Foundation

/// Gradient buffers shared by the parallel chunks of a minibatch; chunk c writes only buffer c.
private struct ChunkBuffers: @unchecked Sendable {
    let buffers: [UnsafeMutableBufferPointer<Double>]
}

/// Minibatch training of a `TTFSNetwork` with Adam (or SGD with momentum).
///
/// A minibatch is split into a fixed number of chunks (`chunks`, independent of the number of
/// cores); each chunk accumulates its samples' gradients in its own buffer, in parallel, and the
/// update sums the chunk buffers in chunk order. Results are therefore bit-identical whatever the
/// thread count. A `final class` because it owns those buffers and the optimizer state.
public final class TTFSTrainer {
    public private(set) var network: TTFSNetwork
    public var options: TTFSOptions
    public var learningRate: Double
    public let momentumSGD: Bool
    public let chunks: Int
    let layerOffsets: [Int]
    let parameterCount: Int
    private let chunkBuffers: ChunkBuffers
    private var first: [Double]
    private var second: [Double]
    private var steps = 0
    private var rng: Xoshiro256
    /// The moving average of the weights, if kept (`averagedNetwork`).
    public private(set) var average: WeightAverage?

    /// `averageDecay`: keep an exponential moving average of the weights with this decay per
    /// update (`WeightAverage`, `averagedNetwork`); 0 keeps none.
    public init(
        network: TTFSNetwork, options: TTFSOptions, learningRate: Double, momentumSGD: Bool = false, chunks: Int = 4,
        averageDecay: Double = 0, seed: UInt64
    ) throws {
        try options.validate()
        try VolleyError.require("learningRate", learningRate, "must be > 0") { $0 > 0 }
        average = try WeightAverage.kept(decay: averageDecay, initial: network.weights)
        guard chunks >= 1 else { throw VolleyError.invalidParameter(name: "chunks", value: "\(chunks)", reason: "must be ≥ 1") }
        self.network = network
        self.options = options
        self.learningRate = learningRate
        self.momentumSGD = momentumSGD
        self.chunks = chunks
        var offsets: [Int] = []
        var total = 0
        for w in network.weights {
            offsets.append(total)
            total += w.count
        }
        layerOffsets = offsets
        parameterCount = total
        chunkBuffers = ChunkBuffers(buffers: (0..<chunks).map { _ in
            let b = UnsafeMutableBufferPointer<Double>.allocate(capacity: total)
            b.initialize(repeating: 0)
            return b
        })
        first = [Double](repeating: 0, count: total)
        second = [Double](repeating: 0, count: total)
        rng = Xoshiro256(seed: seed, stream: 0x7E57)
    }

    deinit { for b in chunkBuffers.buffers { b.deallocate() } }

    /// The network with the moving average of the weights, or the network itself when no average
    /// is kept.
    public var averagedNetwork: TTFSNetwork {
        guard let average else { return network }
        var averaged = network
        averaged.weights = average.parameters
        return averaged
    }

    /// One epoch over `inputs` (input spike times per sample) in a seeded random order.
    /// `report(samplesDone, meanLoss, accuracy)` is called after every `reportEvery` samples.
    /// Throws on inputs the network cannot take, and `VolleyError.diverged` (naming the layer and
    /// the weight) if an update leaves a weight non-finite.
    public func epoch(
        inputs: [[Double]], labels: [Int], batchSize: Int, reportEvery: Int = .max,
        report: (Int, Double, Double) -> Void = { _, _, _ in }
    ) throws -> (loss: Double, accuracy: Double) {
        try TTFSEvaluation.validate(network, inputs: inputs, labels: labels)
        guard batchSize >= 1 else { throw VolleyError.invalidParameter(name: "batchSize", value: "\(batchSize)", reason: "must be ≥ 1") }
        try VolleyError.require("learningRate", learningRate, "must be > 0") { $0 > 0 }
        var order = Array(inputs.indices)
        rng.shuffle(&order)
        var totalLoss = 0.0
        var correct = 0
        var done = 0
        var nextReport = reportEvery
        var start = 0
        while start < order.count {
            let batch = Array(order[start..<Swift.min(start + batchSize, order.count)])
            let net = network
            let opts = options
            let offsets = layerOffsets
            let buffers = chunkBuffers
            let chunkCount = chunks
            let parts = parallelMap(chunkCount) { c -> (Double, Int) in
                var loss = 0.0
                var hits = 0
                var k = c
                while k < batch.count {
                    let s = batch[k]
                    let activity = net.activity(inputs[s])
                    loss += net.lossAndGradient(activity, label: labels[s], options: opts, gradient: buffers.buffers[c].baseAddress!, layerOffsets: offsets)
                    if activity.decision?.label == labels[s] { hits += 1 }
                    k += chunkCount
                }
                return (loss, hits)
            }
            for p in parts {
                totalLoss += p.0
                correct += p.1
            }
            try update(batchSize: batch.count)
            done += batch.count
            start += batchSize
            if done >= nextReport {
                report(done, totalLoss / Double(done), Double(correct) / Double(done))
                nextReport += reportEvery
            }
        }
        return (totalLoss / Double(inputs.count), Double(correct) / Double(inputs.count))
    }

    /// Sums the chunk gradients (in chunk order), clears them, and applies Adam (β₁ = 0.9,
    /// β₂ = 0.999, ε = 1e-8) or SGD with momentum 0.9. Element-wise, so it is split over the
    /// cores without changing any result.
    private func update(batchSize: Int) throws {
        steps += 1
        let scale = 1 / Double(batchSize)
        let lr = learningRate
        let c1 = 1 - pow(0.9, Double(steps))
        let c2 = 1 - pow(0.999, Double(steps))
        let sgd = momentumSGD
        var flat = network.weights.flatMap { $0 }
        let parts = 8
        let total = parameterCount
        flat.withUnsafeMutableBufferPointer { w in
            first.withUnsafeMutableBufferPointer { m in
                second.withUnsafeMutableBufferPointer { v in
                    let state = ChunkBuffers(buffers: [w, m, v])
                    let buffers = chunkBuffers
                    _ = parallelMap(parts) { part -> Int in
                        let w = state.buffers[0], m = state.buffers[1], v = state.buffers[2]
                        let lo = part * total / parts
                        let hi = (part + 1) * total / parts
                        for p in lo..<hi {
                            var g = 0.0
                            for b in buffers.buffers {
                                g += b[p]
                                b[p] = 0
                            }
                            g *= scale
                            if sgd {
                                m[p] = 0.9 * m[p] - lr * g
                                w[p] += m[p]
                            } else {
                                m[p] = 0.9 * m[p] + 0.1 * g
                                v[p] = 0.999 * v[p] + 0.001 * g * g
                                w[p] -= lr * (m[p] / c1) / ((v[p] / c2).squareRoot() + 1e-8)
                            }
                        }
                        return 0
                    }
                }
            }
        }
        if let p = flat.firstIndex(where: { !$0.isFinite }) {
            let l = layerOffsets.lastIndex { $0 <= p }!
            throw VolleyError.diverged("after update \(steps) weight \(p - layerOffsets[l]) of layer \(l) → \(l + 1) is \(flat[p]) (learning rate \(learningRate)); lower the learning rate")
        }
        for l in network.weights.indices {
            let offset = layerOffsets[l]
            let count = network.weights[l].count
            network.weights[l] = Array(flat[offset..<(offset + count)])
        }
        average?.update(network.weights)
    }
}

/// Evaluation figures of a TTFS network on a data set.
public struct TTFSEvaluation: Sendable {
    public let accuracy: Double
    public let samples: Int
    /// Mean spikes per layer (inputs first) and in total, per sample.
    public let spikesPerLayer: [Double]
    public var spikesPerSample: Double { spikesPerLayer.reduce(0, +) }
    /// Mean fraction of neurons of each non-input layer that stayed silent.
    public let silentFraction: [Double]
    /// Mean synaptic events (SynOps) per sample, all layers.
    public let synapticEventsPerSample: Double
    /// Mean time (ms) of the earliest output spike (the decision), over samples with one.
    public let decisionTime: Double
    /// Fraction of samples without any output spike.
    public let undecided: Double
    /// The most spikes of non-input neurons within one 1 ms bin of one sample.
    public let peakSpikesPerStep: Int

    /// Evaluates by the exact layer-wise forward pass, in parallel over fixed chunks.
    public static func evaluate(_ network: TTFSNetwork, inputs: [[Double]], labels: [Int]) throws -> TTFSEvaluation {
        try validate(network, inputs: inputs, labels: labels)
        let chunks = 16
        let parts = parallelMap(chunks) { c -> (Int, [Int], [Int], Int, Double, Int, Int) in
            var hits = 0
            var spikes = [Int](repeating: 0, count: network.layerCount)
            var silent = [Int](repeating: 0, count: network.layerCount)
            var synops = 0
            var decision = 0.0
            var decided = 0
            var peak = 0
            var s = c
            while s < inputs.count {
                let a = network.activity(inputs[s])
                let perLayer = a.spikesPerLayer
                for l in perLayer.indices {
                    spikes[l] += perLayer[l]
                    silent[l] += network.layerSizes[l] - perLayer[l]
                }
                synops += a.synapticEventsPerLayer.reduce(0, +)
                peak = max(peak, SNNEvaluation.peakSpikes(inBinsOf: 1, times: a.times.dropFirst().joined()))
                if let d = a.decision {
                    decided += 1
                    decision += d.time
                    if d.label == labels[s] { hits += 1 }
                }
                s += chunks
            }
            return (hits, spikes, silent, synops, decision, decided, peak)
        }
        let n = Double(inputs.count)
        var spikes = [Double](repeating: 0, count: network.layerCount)
        var silent = [Double](repeating: 0, count: network.layerCount)
        for p in parts {
            for l in spikes.indices {
                spikes[l] += Double(p.1[l]) / n
                silent[l] += Double(p.2[l]) / n
            }
        }
        let decided = parts.reduce(0) { $0 + $1.5 }
        return TTFSEvaluation(
            accuracy: Double(parts.reduce(0) { $0 + $1.0 }) / n, samples: inputs.count, spikesPerLayer: spikes,
            silentFraction: (1..<network.layerCount).map { silent[$0] / Double(network.layerSizes[$0]) },
            synapticEventsPerSample: Double(parts.reduce(0) { $0 + $1.3 }) / n,
            decisionTime: decided > 0 ? parts.reduce(0) { $0 + $1.4 } / Double(decided) : .nan,
            undecided: 1 - Double(decided) / n, peakSpikesPerStep: parts.map(\.6).max() ?? 0)
    }

    /// The evaluation report (Deng et al. 2020) of this evaluation of `network`: weights stored as
    /// Double, one `ReLPSP` state per non-input neuron, 1 ms steps, the decision at the first
    /// output spike; the equivalent ANN does one MAC per weight.
    public func report(of network: TTFSNetwork) -> SNNEvaluation {
        let synapses = network.weights.reduce(0) { $0 + $1.count }
        let neurons = network.layerSizes.dropFirst().reduce(0, +)
        return SNNEvaluation(
            samples: samples, accuracy: accuracy, decision: "first_spike", neurons: neurons, synapses: synapses,
            weightBytes: synapses * MemoryLayout<Double>.stride, membraneBytes: neurons * MemoryLayout<ReLPSP.State>.stride,
            peakSpikesPerStep: peakSpikesPerStep, stepMs: 1, synopsPerSample: synapticEventsPerSample,
            annMACsPerSample: Double(synapses), spikesPerNeuron: spikesPerLayer.dropFirst().reduce(0, +) / Double(neurons),
            latencyMs: decisionTime)
    }
}

extension TTFSEvaluation {
    /// Throws unless there is at least one sample, inputs and labels pair up, every input fits the
    /// network and every label names an output neuron.
    static func validate(_ network: TTFSNetwork, inputs: [[Double]], labels: [Int]) throws {
        guard !inputs.isEmpty else { throw VolleyError.invalidParameter(name: "inputs", value: "0 samples", reason: "need at least one sample") }
        guard inputs.count == labels.count else {
            throw VolleyError.invalidParameter(name: "labels", value: "\(labels.count) labels", reason: "there are \(inputs.count) input samples")
        }
        let classes = network.layerSizes[network.layerCount - 1]
        if let k = labels.firstIndex(where: { !(0..<classes).contains($0) }) {
            throw VolleyError.indexOutOfRange(index: labels[k], count: classes, context: "label of sample \(k); the output layer has \(classes) neurons")
        }
        for (k, x) in inputs.enumerated() { try network.validate(input: x, sample: k) }
    }
}
