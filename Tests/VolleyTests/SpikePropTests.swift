import Foundation
import Testing

@testable import Volley

@Suite("SpikeProp")
struct SpikePropTests {
    /// A small random multi-terminal network whose neurons fire on the given inputs.
    func randomNetwork(seed: UInt64, sizes: [Int] = [4, 5, 3], terminals: Int = 4) throws -> (SpikePropNetwork, [[Double]]) {
        var net = try SpikePropNetwork(layerSizes: sizes, delays: (1...terminals).map { Double($0) * 1.5 }, neuron: SRM(tau: 5, vThreshold: 1))
        net.initialize(low: -0.05, high: 0.4, seed: seed)
        var rng = Xoshiro256(seed: seed, stream: 7)
        let inputs = (0..<6).map { _ in (0..<sizes[0]).map { _ in rng.uniform(0, 6) } }
        try net.calibrateFiring(on: inputs)
        return (net, inputs)
    }

    /// Loss of one sample with the revival and slope clamp switched off (the exact loss).
    func loss(_ net: SpikePropNetwork, _ input: [Double], _ target: [Double], _ options: SpikePropOptions) throws -> (Double, [[Double]], SpikePropActivity) {
        var gradient = net.weights.map { [Double](repeating: 0, count: $0.count) }
        let activity = try net.forward(input)
        let l = net.lossAndGradient(activity, targets: target, options: options, gradient: &gradient)
        return (l, gradient, activity)
    }

    /// For every neuron, how many terminal arrivals precede its spike: a perturbation that moves a
    /// spike across an arrival crosses a kink of the loss (ε′ jumps at s = 0), where finite
    /// differences are meaningless.
    func causalSets(_ net: SpikePropNetwork, _ a: SpikePropActivity) -> [[Int]] {
        (1..<net.layerCount).map { l in
            a.times[l].map { tj in
                a.times[l - 1].reduce(0) { count, ti in count + net.delays.filter { ti + $0 < tj }.count }
            }
        }
    }

    @Test("Analytic gradients match central finite differences (relative error < 1e-4)", arguments: [(UInt64(0), false), (1, false), (2, false), (3, false), (4, true), (5, true), (6, true)])
    func gradientCheck(seed: UInt64, crossEntropy: Bool) throws {
        let (net, inputs) = try randomNetwork(seed: seed)
        var options = SpikePropOptions()
        options.revival = 0
        options.minimumSlope = 0
        options.weightDecay = seed == 3 ? 0.01 : 0
        options.crossEntropyTemperature = crossEntropy ? 1.5 : nil
        var checked = 0
        var worst = 0.0
        for (s, input) in inputs.enumerated() {
            let target = [9.0, 11, 13]
            let (_, analytic, base) = try loss(net, input, target, options)
            guard base.times.allSatisfy({ $0.allSatisfy(\.isFinite) }) else { continue }
            for l in net.weights.indices {
                for idx in stride(from: s % 3, to: net.weights[l].count, by: 7) {
                    let h = 1e-4
                    var plus = net
                    plus.weights[l][idx] += h
                    var minus = net
                    minus.weights[l][idx] -= h
                    let (lp, _, ap) = try loss(plus, input, target, options)
                    let (lm, _, am) = try loss(minus, input, target, options)
                    // Only where the firing set and the causal sets do not change.
                    let firing = { (a: SpikePropActivity) in a.times.map { $0.map(\.isFinite) } }
                    guard firing(ap) == firing(base) && firing(am) == firing(base) else { continue }
                    let causal = causalSets(net, base)
                    guard causalSets(net, ap) == causal && causalSets(net, am) == causal else { continue }
                    let numeric = (lp - lm) / (2 * h)
                    let a = analytic[l][idx]
                    let scale = Swift.max(abs(a), abs(numeric), 1e-3)
                    let rel = abs(a - numeric) / scale
                    worst = Swift.max(worst, rel)
                    #expect(rel < 1e-4, "layer \(l) weight \(idx): analytic \(a), numeric \(numeric)")
                    checked += 1
                }
            }
        }
        #expect(checked > 30)
        #expect(worst < 1e-4)
    }

    @Test("The layer-wise forward pass gives bit-identical spike times to the event-driven engine", arguments: 0..<6)
    func forwardMatchesEngine(seed: UInt64) throws {
        let (net, inputs) = try randomNetwork(seed: seed, sizes: [5, 6, 4], terminals: 6)
        for input in inputs {
            let activity = try net.forward(input)
            let (network, layers) = try net.engineNetwork(inputTimes: input)
            let sim = try EventDrivenSimulator(network: network)
            try sim.run(until: .infinity)
            for l in 1..<net.layerCount {
                var engine = [Double](repeating: .infinity, count: net.layerSizes[l])
                let (neurons, times) = try sim.spikes(of: layers[l])
                for (i, t) in zip(neurons, times) { engine[Int(i)] = t }
                #expect(engine == activity.times[l])
            }
            #expect(Int(sim.counters.synapticEvents) == activity.synapticEvents)
        }
    }

    @Test("Integer input times and delays (many simultaneous arrivals) also match the engine exactly")
    func simultaneousArrivals() throws {
        var net = try SpikePropNetwork(layerSizes: [3, 5, 1], delays: (1...16).map(Double.init), neuron: SRM(tau: 7, vThreshold: 1), signs: [[1, 1, 1], [1, 1, 1, 1, -1]])
        net.initialize(low: 0, high: 0.05, seed: 3)
        let inputs: [[Double]] = [[0, 0, 0], [0, 6, 0], [6, 0, 0], [6, 6, 0]]
        try net.calibrateFiring(on: inputs)
        for input in inputs {
            let activity = try net.forward(input)
            let (network, layers) = try net.engineNetwork(inputTimes: input)
            let sim = try EventDrivenSimulator(network: network)
            try sim.run(until: .infinity)
            #expect(try sim.spikes(of: layers[2]).times == [activity.outputs[0]])
            #expect(activity.times[1].allSatisfy { $0.isFinite })
        }
    }

    @Test("Sign constraints keep excitatory weights ≥ 0 and inhibitory ≤ 0")
    func signConstraints() throws {
        var net = try SpikePropNetwork(layerSizes: [2, 2, 1], delays: [1, 2], neuron: SRM(), signs: [[1, 0], [1, -1]])
        for l in net.weights.indices { for i in net.weights[l].indices { net.weights[l][i] = i % 2 == 0 ? -1 : 1 } }
        net.applySignConstraints()
        // Layer 0: source 0 excitatory (terminals 0,1 of each post), source 1 free.
        #expect(net.weights[0] == [0, 1, -1, 1, 0, 1, -1, 1])
        // Layer 1: source 0 excitatory, source 1 inhibitory.
        #expect(net.weights[1] == [0, 1, -1, 0])
    }

    @Test("Calibration makes every neuron fire on every sample")
    func calibration() throws {
        var net = try SpikePropNetwork(layerSizes: [4, 6, 2], delays: [1, 2, 3], neuron: SRM(tau: 5, vThreshold: 1))
        net.initialize(low: 0, high: 0.01, seed: 1)
        let inputs = (0..<5).map { s in (0..<4).map { Double(($0 + s) % 4) } }
        #expect(try net.forward(inputs[0]).spikes == 4)
        try net.calibrateFiring(on: inputs)
        for x in inputs { #expect(try net.forward(x).spikes == 12) }
    }

    @Test("Diverging weights end the search for a first spike with a typed error naming the neuron, never an endless search")
    func divergedWeights() throws {
        // Weights that overflow the potential: the forward pass must throw, not search forever.
        var net = try SpikePropNetwork(layerSizes: [2, 1], delays: [1, 2], neuron: SRM(tau: 7, vThreshold: 1))
        net.weights[0] = [1e308, -1e308, 1e308, -1e308]
        do {
            _ = try net.forward([0, 0.5])
            Issue.record("overflowing weights gave a spike time")
        } catch VolleyError.diverged(let message) {
            #expect(message.contains("neuron 0 of layer 1") && message.contains("4 incoming weights"), "\(message)")
        }
        // The configuration that used to hang (XOR, momentum 5): every epoch ends, and training
        // stops with .diverged once the weights blow up.
        let inputs: [[Double]] = [[0, 0, 0], [0, 6, 0], [6, 0, 0], [6, 6, 0]]
        let targets: [[Double]] = [[16], [10], [10], [16]]
        var xor = try SpikePropNetwork(layerSizes: [3, 5, 1], delays: (1...16).map(Double.init), neuron: SRM(tau: 7, vThreshold: 1), signs: [[1, 1, 1], [1, 1, 1, 1, -1]])
        xor.initialize(low: 0, high: 0.25, seed: 1)
        try xor.calibrateFiring(on: inputs)
        var options = SpikePropOptions()
        options.silentTime = 30
        options.hiddenReferenceTime = 16
        var trainer = SpikePropTrainer(network: xor, options: options, optimizer: .sgd(learningRate: 0.01, momentum: 5), fullBatch: false, seed: 1)
        var diverged = false
        for _ in 0..<200 {
            do { _ = try trainer.epoch(inputs: inputs, targets: targets) } catch VolleyError.diverged(let message) {
                #expect(message.contains("lower the learning rate or the momentum"), "\(message)")
                diverged = true
                break
            }
        }
        #expect(diverged, "momentum 5 should make the weights diverge within 200 epochs")
    }
}
