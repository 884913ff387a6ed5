import Foundation
import Testing

@testable import Volley

/// ANN→SNN conversion: the ReLU network's gradient, the normalisation, the rate network against
/// the time-stepped engine, the TTFS network against the ANN and the event-driven engine.
@Suite("ANN→SNN conversion")
struct ConversionTests {
    /// A small CNN (1×8×8 → conv 3×3, 2 channels → avgpool 2 → dense 5 → 3) or MLP (16-6-3).
    static func network(cnn: Bool, seed: UInt64) throws -> ReLUNetwork {
        var net: ReLUNetwork
        if cnn {
            let conv = ConvolutionGeometry(inputChannels: 1, inputHeight: 8, inputWidth: 8, outputChannels: 2, kernelSize: 3, padding: 1)
            let pool = PoolingGeometry(channels: 2, inputHeight: 8, inputWidth: 8, size: 2)
            net = try ReLUNetwork(layerSizes: [64, 128, 32, 5, 3], connections: [.convolution(conv), .averagePooling(pool), .dense, .dense])
        } else {
            net = try ReLUNetwork(layerSizes: [16, 6, 3])
        }
        net.initialize(seed: seed)
        return net
    }

    static func inputs(_ count: Int, size: Int, seed: UInt64) -> [[Double]] {
        var rng = Xoshiro256(seed: seed, stream: 0x1A9)
        return (0..<count).map { _ in (0..<size).map { _ in rng.uniform() < 0.3 ? 0 : rng.uniform() } }
    }

    @Test("the ANN's grid convolution equals the synapse table's scatter, for strides and paddings", arguments: [(1, 0), (1, 2), (2, 1), (3, 0)])
    func gridConvolution(stride: Int, padding: Int) {
        let g = ConvolutionGeometry(inputChannels: 2, inputHeight: 9, inputWidth: 7, outputChannels: 3, kernelSize: 3, stride: stride, padding: padding)
        var rng = Xoshiro256(seed: UInt64(stride * 10 + padding), stream: 0xC0)
        let kernel = (0..<g.kernelCount).map { _ in rng.uniform(-1, 1) }
        let x = (0..<g.inputSize).map { _ in rng.uniform() }
        var grid = [Double](repeating: 0, count: g.outputSize)
        kernel.withUnsafeBufferPointer { k in x.withUnsafeBufferPointer { x in grid.withUnsafeMutableBufferPointer { g.correlate(kernel: k, x.baseAddress!, into: $0) } } }
        var scatter = [Double](repeating: 0, count: g.outputSize)
        let table = g.connectivity()
        for i in 0..<g.inputSize { for s in table.row(i) { scatter[Int(table.targets[s])] += x[i] * kernel[Int(table.weightIndex[s])] } }
        for j in 0..<g.outputSize { #expect(abs(grid[j] - scatter[j]) < 1e-12) }
    }

    @Test("the cross-entropy gradient matches central finite differences", arguments: [false, true])
    func gradient(cnn: Bool) throws {
        let net = try Self.network(cnn: cnn, seed: 3)
        let x = Self.inputs(1, size: net.layerSizes[0], seed: 4)[0]
        var g = net.weights.map { [Double](repeating: 0, count: $0.count) }
        net.accumulateGradient(net.activations(x), label: 1, into: &g)
        func loss(_ n: ReLUNetwork) -> Double { ReLUNetwork.crossEntropy(n.activations(x)[n.layerCount - 1], label: 1).loss }
        var worst = 0.0, checked = 0
        for l in net.weights.indices {
            for k in net.weights[l].indices {
                var plus = net, minus = net
                let h = 1e-6
                plus.weights[l][k] += h
                minus.weights[l][k] -= h
                let numeric = (loss(plus) - loss(minus)) / (2 * h)
                worst = max(worst, abs(numeric - g[l][k]) / max(1e-4, abs(numeric) + abs(g[l][k])))
                checked += 1
            }
        }
        #expect(checked == net.parameterCount)
        #expect(worst < 1e-5)
        #expect(g.joined().contains { $0 != 0 })
    }

    @Test("training separates a toy problem; max normalisation scales every learned layer's largest activation to 1")
    func trainingAndScales() throws {
        var net = try Self.network(cnn: false, seed: 5)
        let xs = Self.inputs(300, size: 16, seed: 6)
        // Class: which quarter of the input has the largest sum.
        let labels = xs.map { x in (0..<3).max { a, b in x[a * 4..<a * 4 + 4].reduce(0, +) < x[b * 4..<b * 4 + 4].reduce(0, +) }! }
        var trainer = try ReLUTrainer(network: net, learningRate: 1e-2, batch: 20)
        var accuracy = 0.0
        for _ in 0..<60 { accuracy = try trainer.epoch(labels: labels, order: Array(0..<300)) { xs[$0] }.accuracy }
        #expect(accuracy > 0.9)
        net = trainer.network
        let scales = try ActivationScales.measure(net, method: .maximum, count: xs.count) { xs[$0] }
        let normalized = scales.normalized(net)
        var top = [Double](repeating: 0, count: net.layerCount)
        for x in xs {
            let a = normalized.activations(x)
            for l in 1..<net.layerCount { top[l] = max(top[l], a[l].max()!) }
            #expect(STBPNetwork.decision(a[net.layerCount - 1]) == STBPNetwork.decision(net.activations(x)[net.layerCount - 1]))
        }
        for l in 1..<net.layerCount { #expect(abs(top[l] - 1) < 1e-12) }
        let p = try ActivationScales.measure(net, method: .percentile(50), count: xs.count) { xs[$0] }
        for l in 1..<net.layerCount { #expect(p.scales[l] < scales.scales[l]) }
    }

    @Test("the rate network's fast pass equals the time-stepped engine bit for bit", arguments: [false, true], [RateConversion.Input.current, .poisson])
    func rateEngineIdentity(cnn: Bool, input: RateConversion.Input) throws {
        let ann = try Self.network(cnn: cnn, seed: 7)
        let xs = Self.inputs(6, size: ann.layerSizes[0], seed: 8)
        let scales = try ActivationScales.measure(ann, method: .percentile(99), count: xs.count) { xs[$0] }
        for reset in [ResetMode.bySubtraction, .toValue] {
            let rate = try RateConversion(normalized: scales.normalized(ann), reset: reset, input: input, seed: 9)
            let base = try rate.network.engineNetwork()
            var spiking = 0
            for (i, x) in xs.enumerated() {
                let lean = rate.run(x, index: i, checkpoints: [3, 12, 30])
                let engine = try rate.engineScores(x, index: i, checkpoints: [3, 12, 30], engine: .timeStepped(dt: rate.network.dt), base: base)
                #expect(engine.scores == lean.scores)
                #expect(engine.spikes == lean.spikes)
                spiking += lean.spikes.last!
            }
            #expect(spiking > 0)
        }
    }

    @Test("an IF neuron driven by a constant current accumulates exactly T·I: count + V/θ")
    func rateCharge() throws {
        var ann = try ReLUNetwork(layerSizes: [2, 3])
        // Currents with exact binary fractions, so that ⌊T·I⌋ is not a rounding question.
        ann.weights[0] = [0.25, 0.5, 1.5, 0.0, 0.25, 0.0]
        let rate = try RateConversion(normalized: ann, reset: .bySubtraction, input: .current)
        let x = [1.0, 0.5]
        let current = [0.25, 0.625, 1.5]
        let o = rate.run(x, index: 0, checkpoints: [7, 40])
        for (k, t) in [7.0, 40.0].enumerated() {
            for j in 0..<3 { #expect(abs(o.scores[k][j] - t * current[j]) < 1e-9) }
        }
        // Rates: ⌊T·I⌋ spikes for I ≤ 1 (0.25 → 10 in 40 steps), one per step above (1.5 → 40).
        #expect(o.spikes[1] == 10 + 25 + 40)
    }

    @Test("TTFS: the event-driven engine's spikes equal the closed form and the class equals the ANN's", arguments: [false, true])
    func ttfsExact(cnn: Bool) throws {
        let ann = try Self.network(cnn: cnn, seed: 11)
        let xs = Self.inputs(20, size: ann.layerSizes[0], seed: 12)
        // Max normalisation on the same inputs with 1 % headroom: nothing is clipped, so the
        // mapping is exact.
        let measured = try ActivationScales.measure(ann, method: .maximum, count: xs.count) { xs[$0] }
        let scales = ActivationScales(scales: [1] + measured.scales.dropFirst().map { $0 * 1.01 }, method: .maximum)
        let ttfs = try TTFSConversion(normalized: scales.normalized(ann), window: 2, delay: 0.5)
        let (net, layers) = try ttfs.engineNetwork()
        let sim = try EventDrivenSimulator(network: net)
        var silent = 0, fired = 0
        for x in xs {
            let closed = ttfs.evaluate(x)
            #expect(!closed.clipped)
            #expect(closed.decision == STBPNetwork.decision(ann.activations(x)[ann.layerCount - 1]))
            sim.reset()
            try sim.setSpikeTrains(ttfs.inputTrains(x), for: layers[0])
            try sim.run(until: ttfs.runEnd)
            for l in 1..<layers.count {
                var engine = [Double?](repeating: nil, count: ann.layerSizes[l])
                let (who, when) = try sim.spikes(of: layers[l])
                for (j, t) in zip(who, when) {
                    #expect(engine[Int(j)] == nil)
                    engine[Int(j)] = t
                }
                for (a, b) in zip(engine, closed.spikeTimes[l - 1]) {
                    #expect((a == nil) == (b == nil))
                    if let a, let b { #expect(abs(a - b) < 1e-12) }
                    if b == nil { silent += 1 } else { fired += 1 }
                }
            }
            // A spike at Tₗ − τ·x encodes x: the hidden layer's times give back the clipped ReLU.
            let a = ttfs.ann.activations(x)
            let end = ttfs.inputEnd(ofLayer: 1) + ttfs.window
            for (j, t) in closed.spikeTimes[0].enumerated() {
                #expect(abs((t.map { (end - $0) / ttfs.window } ?? 0) - min(1, a[1][j])) < 1e-12)
            }
        }
        #expect(silent > 0 && fired > 0)
    }

    @Test("bad networks, files and settings are refused with the offending value")
    func errors() throws {
        let pool = PoolingGeometry(channels: 1, inputHeight: 4, inputWidth: 4, size: 2)
        #expect(throws: VolleyError.self) { try ReLUNetwork(layerSizes: [16, 4, 2], connections: [.maxPooling(pool), .dense]) }
        #expect(throws: VolleyError.self) { try ReLUNetwork(layerSizes: [16, 4, 2], connections: [.averagePooling(pool), .averagePooling(pool)]) }
        let ann = try Self.network(cnn: false, seed: 1)
        #expect(throws: VolleyError.self) { try TTFSConversion(normalized: ann, window: 0) }
        #expect(throws: VolleyError.self) { try TTFSConversion(normalized: ann, delay: .nan) }
        #expect(throws: VolleyError.self) { try ActivationScales.measure(ann, method: .percentile(0), count: 1) { _ in [Double](repeating: 0, count: 16) } }
        #expect(throws: VolleyError.self) { try ReLUTrainer(network: ann, learningRate: .nan, batch: 1) }
        #expect(throws: VolleyError.self) { try ann.validate(input: [1, 2]) }
        var file = ReLUModelFile(network: ann)
        file.weights[1].removeLast()
        #expect(throws: VolleyError.self) { try file.network(source: "test.json") }
        file = ReLUModelFile(network: ann)
        file.format = "volley-relu-0"
        #expect(throws: VolleyError.self) { try file.network(source: "test.json") }
        #expect(try ReLUModelFile(network: ann).network(source: "test.json") == ann)
    }
}
