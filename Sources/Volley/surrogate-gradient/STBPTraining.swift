import Foundation

/// Losses on the class scores z of the readout (spike counts, or mean potentials).
public enum STBPLoss: String, Sendable, CaseIterable {
    /// Cross-entropy of softmax(z) against the label.
    case crossEntropy = "ce"
    /// STBP's mean squared error on output firing rates, ½ Σₖ (cₖ/N − yₖ)² (spike-count readout;
    /// N steps, y one-hot).
    case rateMSE = "mse"
}

extension STBPNetwork {
    /// Class scores of a forward pass: spike counts, or mean potentials above rest.
    public func scores(_ a: STBPActivity) -> [Double] {
        let size = layerSizes[layerCount - 1]
        switch readout {
        case .spikeCount: return a.outputCounts(size: size)
        case .potential:
            let v = a.potentials[a.potentials.count - 1]
            var z = [Double](repeating: 0, count: size)
            for n in 0..<a.steps { for k in 0..<size { z[k] += (v[n * size + k] - neuron.vRest) / Double(a.steps) } }
            return z
        }
    }

    /// The predicted class: the unique highest score, or nil on a tie (an all-silent output
    /// decides nothing, rather than defaulting to class 0).
    public static func decision(_ z: [Double]) -> Int? {
        guard let top = z.max() else { return nil }
        let winners = z.indices.filter { z[$0] == top }
        return winners.count == 1 ? winners[0] : nil
    }

    /// Loss of one sample and its gradient with respect to the scores.
    public func loss(_ z: [Double], label: Int, _ loss: STBPLoss, steps: Int) -> (Double, [Double]) {
        switch loss {
        case .crossEntropy:
            let top = z.max() ?? 0
            let e = z.map { exp($0 - top) }
            let total = e.reduce(0, +)
            var g = e.map { $0 / total }
            let l = -log(max(g[label], .leastNonzeroMagnitude))
            g[label] -= 1
            return (l, g)
        case .rateMSE:
            let n = Double(steps)
            var l = 0.0
            var g = [Double](repeating: 0, count: z.count)
            for k in z.indices {
                let d = z[k] / n - (k == label ? 1 : 0)
                l += 0.5 * d * d
                g[k] = d / n
            }
            return (l, g)
        }
    }

    /// Backpropagation through time of one sample: adds dL/dW to `gradient` (shapes of
    /// `weights`) for the score gradient `dz`. With the spike function's derivative replaced by
    /// `surrogate` (Wu et al. 2018, eqs. 5–6), including the path through the reset:
    ///
    ///     ∂L/∂aₙ = ∂L/∂rₙ·(1 − sₙ) + ∂L/∂sₙ·σ′(aₙ − θ) (+ ∂L/∂aₙ of the readout),
    ///     ∂L/∂sₙ = Σₖ W[·, k]·∂L/∂a⁽ˡ⁺¹⁾ₙ₊₁[k] + ∂L/∂rₙ·(vReset − aₙ) (+ the readout's),
    ///     ∂L/∂rₙ = ∂L/∂aₙ₊₁·decay,   ∂L/∂W[i, j] = Σₙ sₙ₋₁[i]·∂L/∂aₙ[j].
    ///
    /// Returns the floating-point operations performed (per call by formula, for GFLOP/s).
    @discardableResult
    public func backward(
        _ a: STBPActivity, input: STBPInput, scoreGradient dz: [Double], surrogate: Surrogate, gradient: inout [[Double]]
    ) -> Double {
        backward(a, input: input, scoreGradient: dz, surrogate: surrogate, gradient: &gradient, leakGradient: nil)
    }

    /// `backward` that also adds the gradient with respect to each layer's membrane time constant
    /// τm (the learnable leak; decay = e^(−dt/τm)) to `leakGradient` (one per non-input layer):
    ///
    ///     ∂L/∂τm = Σₙ≥₁ Σⱼ ∂L/∂aₙ[j]·(rₙ₋₁[j] − V∞)·decay·dt/τm².
    @discardableResult
    public func backward(
        _ a: STBPActivity, input: STBPInput, scoreGradient dz: [Double], surrogate: Surrogate, gradient: inout [[Double]],
        leakGradient: UnsafeMutableBufferPointer<Double>?
    ) -> Double {
        let layers = layerCount - 1, steps = a.steps
        var flops = 0.0
        var above = [Double]()  // ∂L/∂a of the layer above, all steps
        // ∂L/∂a of layer l at step n reaches a weight gradient only through some layer m ≤ l at
        // step n − (l − m) (or earlier) times a spike of layer m − 1 one step before; so before
        // needed[l] = minₘ (first active step of layer m − 1 + l − m + 1) it is not computed.
        var firstActive = [Int](repeating: Int.max / 2, count: layers)
        firstActive[0] = input.spikes.firstIndex { !$0.isEmpty } ?? Int.max / 2
        for m in 1..<layers {
            let size = layerSizes[m]
            if let k = a.spikes[m - 1].firstIndex(where: { $0 != 0 }) { firstActive[m] = k / size }
        }
        var needed = [Int](repeating: 0, count: layers + 1)
        for l in 1...layers { needed[l] = (1...l).map { firstActive[$0 - 1] + l - $0 + 1 }.min()! }
        // The leak's gradient needs ∂L/∂a at every step.
        if leakGradient != nil { needed = [Int](repeating: 0, count: layers + 1) }
        for l in stride(from: layers, through: 1, by: -1) {
            let size = layerSizes[l], m = model(ofLayer: l)
            let decay = m.propagator(over: dt).decay
            let spiking = !(readout == .potential && l == layers)
            let v = a.potentials[l - 1], s = a.spikes[l - 1]
            var da = [Double](repeating: 0, count: steps * size)
            var next = [Double](repeating: 0, count: size)  // ∂L/∂aₙ₊₁
            let upperValues = l < layers ? weightValues(into: l + 1) : []
            var upstream = [Double](repeating: 0, count: l < layers ? size : 0)  // Σₖ W[j, k]·∂L/∂a⁽ˡ⁺¹⁾ₙ₊₁[k]
            for n in stride(from: steps - 1, through: 0, by: -1) {
                if l < layers && n + 1 < steps && n >= needed[l] {
                    flops += transposedProduct(from: l, values: upperValues, above: above, step: n + 1, into: &upstream)
                } else if l < layers {
                    for j in 0..<size { upstream[j] = 0 }
                }
                for j in 0..<size {
                    let k = n * size + j
                    let dr = n + 1 < steps ? next[j] * decay : 0
                    var ds = 0.0, direct = 0.0
                    if l == layers {
                        if readout == .spikeCount { ds = dz[j] } else { direct = dz[j] / Double(steps) }
                    } else if n + 1 < steps {
                        ds = upstream[j]
                    }
                    if spiking {
                        ds += dr * (m.vReset - v[k])
                        da[k] = direct + dr * (1 - s[k]) + ds * surrogate.derivative(v[k] - m.vThreshold)
                    } else {
                        da[k] = direct + dr
                    }
                }
                for j in 0..<size { next[j] = da[n * size + j] }
                flops += Double(size * (spiking ? 12 : 2))
            }
            if let leak = leakGradient {
                let vInf = m.vRest + m.bias
                var sum = 0.0
                for n in 1..<max(steps, 1) {
                    for j in 0..<size {
                        let k = (n - 1) * size + j
                        let r = s[k] * m.vReset + (1 - s[k]) * v[k]  // rₙ₋₁ (s ∈ {0, 1}: exactly vReset or aₙ₋₁)
                        sum += da[n * size + j] * (r - vInf)
                    }
                }
                leak[l - 1] += sum * decay * dt / (m.tauM * m.tauM)
                flops += Double(6 * size * steps)
            }
            // ∂L/∂W of the projection into layer l: presynaptic spikes at n − 1 times ∂L/∂aₙ.
            let pre = layerSizes[l - 1]
            if let table = tables[l - 1] {
                if connections[l - 1].isLearned { flops += kernelGradient(table, layer: l, activity: a, input: input, da: da, into: &gradient[l - 1]) }
            } else {
            gradient[l - 1].withUnsafeMutableBufferPointer { g in
                for n in 1..<max(steps, 1) {
                    let d = n * size
                    if l == 1 {
                        guard n - 1 < input.spikes.count else { continue }
                        for i in input.spikes[n - 1] {
                            let row = Int(i) * size
                            for j in 0..<size { g[row + j] += da[d + j] }
                        }
                        flops += Double(input.spikes[n - 1].count * size)
                    } else {
                        let sp = a.spikes[l - 2]
                        for i in 0..<pre {
                            let si = sp[(n - 1) * pre + i]
                            if si == 0 { continue }
                            let row = i * size
                            for j in 0..<size { g[row + j] += si * da[d + j] }
                            flops += Double(2 * size)
                        }
                    }
                }
            }
            }
            above = da
        }
        return flops
    }

    /// out[j] = Σ over the synapses j → k of connection l (into layer l + 1) of W·∂L/∂aₙ[k], for the
    /// step n whose ∂L/∂a of layer l + 1 starts at above[n·size₍ₗ₊₁₎].
    @discardableResult
    func transposedProduct(from l: Int, values: [Double], above: [Double], step n: Int, into out: inout [Double]) -> Double {
        let size = layerSizes[l], upper = layerSizes[l + 1], base = n * upper
        var flops = 0.0
        values.withUnsafeBufferPointer { w in
            above.withUnsafeBufferPointer { above in
                out.withUnsafeMutableBufferPointer { out in
                    if !above[base..<(base + upper)].contains(where: { $0 != 0 }) {
                        out.update(repeating: 0)  // e.g. the last steps, from which no path reaches the output
                    } else if connections[l].kind == .convolution, let g = connections[l].convolution {
                        // Plane axpys (2 per entry) and their col2im adds (at most 1 per entry).
                        flops = Double(3 * g.kernelCount * g.outputHeight * g.outputWidth)
                        var scratch = [Double](repeating: 0, count: g.outputHeight * g.outputWidth)
                        scratch.withUnsafeMutableBufferPointer { g.transposed(kernel: w, above.baseAddress! + base, scratch: $0, into: out) }
                    } else if let table = tables[l] {
                        flops = Double(2 * table.synapseCount)
                        table.targets.withUnsafeBufferPointer { target in
                            table.weightIndex.withUnsafeBufferPointer { entry in
                                table.rowStart.withUnsafeBufferPointer { rowStart in
                                    for j in 0..<size {
                                        var sum = 0.0
                                        for k in Int(rowStart[j])..<Int(rowStart[j + 1]) { sum += w[Int(entry[k])] * above[base + Int(target[k])] }
                                        out[j] = sum
                                    }
                                }
                            }
                        }
                    } else {
                        flops = Double(2 * size * upper)
                        for j in 0..<size {
                            let row = j * upper
                            var sum = 0.0
                            for q in 0..<upper { sum += w[row + q] * above[base + q] }
                            out[j] = sum
                        }
                    }
                }
            }
        }
        return flops
    }

    /// ∂L/∂(kernel entry) of a convolution into layer l: Σₙ Σ over synapses i → j reading the entry
    /// of sₙ₋₁[i]·∂L/∂aₙ[j].
    @discardableResult
    func kernelGradient(_ table: SparseConnectivity, layer l: Int, activity a: STBPActivity, input: STBPInput, da: [Double], into gradient: inout [Double]) -> Double {
        let size = layerSizes[l], pre = layerSizes[l - 1], steps = a.steps
        var flops = 0
        gradient.withUnsafeMutableBufferPointer { g in
            da.withUnsafeBufferPointer { da in
                table.targets.withUnsafeBufferPointer { target in
                    table.weightIndex.withUnsafeBufferPointer { entry in
                        for n in 1..<max(steps, 1) {
                            let d = n * size
                            if l == 1 {
                                guard n - 1 < input.spikes.count else { continue }
                                for i in input.spikes[n - 1] {
                                    for k in table.row(Int(i)) { g[Int(entry[k])] += da[d + Int(target[k])] }
                                    flops += table.row(Int(i)).count
                                }
                            } else {
                                let sp = a.spikes[l - 2]
                                for i in 0..<pre {
                                    let si = sp[(n - 1) * pre + i]
                                    if si == 0 { continue }
                                    for k in table.row(i) { g[Int(entry[k])] += si * da[d + Int(target[k])] }
                                    flops += 2 * table.row(i).count
                                }
                            }
                        }
                    }
                }
            }
        }
        return Double(flops)
    }
}

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

    public init(network: STBPNetwork, learningRate: Double, surrogate: Surrogate, loss: STBPLoss, batch: Int, learnLeak: Bool = false) throws {
        guard learningRate.isFinite, learningRate > 0, learningRate <= 1 else {
            throw VolleyError.invalidParameter(name: "learningRate", value: "\(learningRate)", reason: "must be in (0, 1]")
        }
        guard batch >= 1 else { throw VolleyError.invalidParameter(name: "batch", value: "\(batch)", reason: "must be ≥ 1") }
        try surrogate.validate()
        if loss == .rateMSE && network.readout != .spikeCount {
            throw VolleyError.invalidParameter(name: "loss", value: "mse", reason: "the rate MSE needs the spike-count readout")
        }
        self.network = network
        self.optimizer = Optimizer(.adam(learningRate: learningRate), shapes: network.weights.map(\.count))
        self.surrogate = surrogate
        self.loss = loss
        self.batch = batch
        learnsLeak = learnLeak
        leakOptimizer = Optimizer(.adam(learningRate: learningRate), shapes: [network.layerCount - 1])
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
                    let a = net.forward(x, steps: steps)
                    let z = net.scores(a)
                    let (value, dz) = net.loss(z, label: y, loss, steps: steps)
                    l += value
                    if STBPNetwork.decision(z) == y { h += 1 }
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
            var gradient = parts[0].0
            let scale = 1 / Double(members.count)
            for l in gradient.indices {
                gradient[l].withUnsafeMutableBufferPointer { g in
                    for p in parts.dropFirst() {
                        p.0[l].withUnsafeBufferPointer { q in for k in 0..<g.count { g[k] += q[k] } }
                    }
                    for k in 0..<g.count { g[k] *= scale }
                }
            }
            optimizer.step(&network.weights, gradient)
            if learnsLeak {
                var leak = [parts[0].4]
                for p in parts.dropFirst() { for k in leak[0].indices { leak[0][k] += p.4[k] } }
                for k in leak[0].indices { leak[0][k] *= scale }
                var tau = [network.membraneTimeConstants]
                leakOptimizer.step(&tau, leak)
                network.membraneTimeConstants = tau[0].map { max($0, 1e-3) }
                if let k = network.membraneTimeConstants.firstIndex(where: { !$0.isFinite }) {
                    throw VolleyError.diverged("STBP τm of layer \(k + 1) became \(network.membraneTimeConstants[k]) after an update; lower the learning rate")
                }
            }
            for (l, w) in network.weights.enumerated() {
                if let k = w.firstIndex(where: { !$0.isFinite }) {
                    throw VolleyError.diverged("STBP weight \(k) of layer \(l) became \(w[k]) after an update; lower the learning rate")
                }
            }
            totalLoss += parts.reduce(0) { $0 + $1.1 }
            hits += parts.reduce(0) { $0 + $1.2 }
            flops += parts.reduce(0) { $0 + $1.3 }
        }
        lastEpochFLOPs = flops
        return (totalLoss / Double(order.count), Double(hits) / Double(order.count))
    }
}

/// Accuracy and activity of an `STBPNetwork` on a set of samples (the training forward pass,
/// which is bit-identical to the time-stepped engine), in parallel over fixed chunks.
public struct STBPEvaluation: Sendable {
    public let samples: Int
    public let accuracy: Double
    /// Fraction of samples whose scores tie at the top (no decision).
    public let undecided: Double
    /// Mean spikes of non-input neurons, input spikes, and synaptic events per sample.
    public let spikesPerSample: Double
    public let inputSpikesPerSample: Double
    public let synapticEventsPerSample: Double
    /// The most non-input spikes in one step of one sample.
    public let peakSpikesPerStep: Int

    public static func evaluate(
        _ network: STBPNetwork, count: Int, labels: [Int], steps: Int, sample: @Sendable (Int) -> STBPInput
    ) throws -> STBPEvaluation {
        guard count >= 1, labels.count >= count else {
            throw VolleyError.invalidParameter(name: "count", value: "\(count)", reason: "need 1…\(labels.count) labelled samples")
        }
        let chunks = 16
        let parts = try parallelMap(chunks) { c throws(VolleyError) -> (Int, Int, Double, Double, Double, Int) in
            var hits = 0, ties = 0, spikes = 0.0, inputs = 0.0, events = 0.0, peak = 0
            var i = c
            while i < count {
                let x = sample(i)
                try network.validate(x)
                let a = network.forward(x, steps: steps)
                let z = network.scores(a)
                if let d = STBPNetwork.decision(z) { if d == labels[i] { hits += 1 } } else { ties += 1 }
                spikes += a.spikeCount
                // Synaptic events: every spike reaches every neuron of the next layer.
                for (n, step) in x.spikes.enumerated() where n + 1 < steps {
                    inputs += Double(step.count)
                    for i in step { events += Double(network.outDegree(layer: 0, neuron: Int(i))) }
                }
                for l in 1..<(network.layerCount - 1) {
                    for n in 0..<(steps - 1) {
                        for i in a.fired[l - 1][n] { events += Double(network.outDegree(layer: l, neuron: Int(i))) }
                    }
                }
                for n in 0..<steps { peak = max(peak, a.fired.reduce(0) { $0 + $1[n].count }) }
                i += chunks
            }
            return (hits, ties, spikes, inputs, events, peak)
        }
        let n = Double(count)
        return STBPEvaluation(
            samples: count, accuracy: Double(parts.reduce(0) { $0 + $1.0 }) / n, undecided: Double(parts.reduce(0) { $0 + $1.1 }) / n,
            spikesPerSample: parts.reduce(0) { $0 + $1.2 } / n, inputSpikesPerSample: parts.reduce(0) { $0 + $1.3 } / n,
            synapticEventsPerSample: parts.reduce(0) { $0 + $1.4 } / n, peakSpikesPerStep: parts.map(\.5).max() ?? 0)
    }

    /// The evaluation report (Deng et al. 2020): weights as the engine stores them, one `LIFDelta`
    /// state per non-input neuron, steps of dt, the decision after the last step; the equivalent
    /// ANN does one MAC per synapse (a convolution's MACs; pooling's adds counted alike).
    public func report(of network: STBPNetwork, steps: Int) -> SNNEvaluation {
        let synapses = (0..<(network.layerCount - 1)).reduce(0) { $0 + network.synapseCount($1) }
        let neurons = network.layerSizes.dropFirst().reduce(0, +)
        // Dense: one Double per synapse; convolution: its kernel plus a 32-bit entry index per
        // synapse; pooling: one Double (the engines' WeightStore layouts).
        let weightBytes = (0..<(network.layerCount - 1)).reduce(0) { total, l in
            switch network.connections[l].kind {
            case .dense: return total + network.synapseCount(l) * 8
            case .convolution: return total + network.weights[l].count * 8 + network.synapseCount(l) * 4
            case .averagePooling, .maxPooling: return total + 8
            }
        }
        return SNNEvaluation(
            samples: samples, accuracy: accuracy, decision: network.readout == .spikeCount ? "spike_count" : "potential",
            neurons: neurons, synapses: synapses, weightBytes: weightBytes,
            membraneBytes: neurons * MemoryLayout<LIFDelta.State>.stride, peakSpikesPerStep: peakSpikesPerStep,
            stepMs: network.dt, synopsPerSample: synapticEventsPerSample, annMACsPerSample: Double(synapses),
            spikesPerNeuron: spikesPerSample / Double(neurons), latencyMs: Double(steps) * network.dt)
    }
}
