import Foundation
import Testing

@testable import Volley

@Suite("Time-to-first-spike learning (ReL-PSP)")
struct TTFSTests {
    func randomNetwork(seed: UInt64, sizes: [Int] = [12, 9, 4]) throws -> (TTFSNetwork, [[Double]]) {
        var net = try TTFSNetwork(layerSizes: sizes, threshold: 1, delay: 1)
        net.initialize(mean: [0.15, 0.35], sd: [0.3, 0.3], seed: seed)
        var rng = Xoshiro256(seed: seed, stream: 3)
        // Inputs on a coarse grid (simultaneous arrivals) with some silent inputs.
        let inputs = (0..<8).map { _ in (0..<sizes[0]).map { _ in rng.uniform() < 0.2 ? Double.infinity : Double(rng.index(below: 8)) * 0.5 } }
        return (net, inputs)
    }

    func loss(_ net: TTFSNetwork, _ x: [Double], _ label: Int, _ options: TTFSOptions) throws -> (Double, [Double], TTFSActivity) {
        var offsets: [Int] = []
        var total = 0
        for w in net.weights {
            offsets.append(total)
            total += w.count
        }
        var gradient = [Double](repeating: 0, count: total)
        let a = try net.forward(x)
        let l = gradient.withUnsafeMutableBufferPointer { net.lossAndGradient(a, label: label, options: options, gradient: $0.baseAddress!, layerOffsets: offsets) }
        return (l, gradient, a)
    }

    @Test("Gradients match central finite differences (relative error < 1e-5) where the causal sets do not change", arguments: 0..<6)
    func gradientCheck(seed: UInt64) throws {
        let (net, inputs) = try randomNetwork(seed: seed)
        var options = TTFSOptions()
        options.silentPenalty = 0
        options.minimumSlope = 0
        options.silentTime = 1e9
        options.temperature = 0.7
        var checked = 0
        for (s, x) in inputs.enumerated() {
            let label = s % 4
            let (_, analytic, base) = try loss(net, x, label, options)
            guard base.outputs.allSatisfy({ $0.isFinite }) else { continue }
            var flat = 0
            for l in net.weights.indices {
                for idx in net.weights[l].indices {
                    defer { flat += 1 }
                    let h = 1e-6
                    var plus = net
                    plus.weights[l][idx] += h
                    var minus = net
                    minus.weights[l][idx] -= h
                    let (lp, _, ap) = try loss(plus, x, label, options)
                    let (lm, _, am) = try loss(minus, x, label, options)
                    guard ap.causal == base.causal && am.causal == base.causal else { continue }
                    let numeric = (lp - lm) / (2 * h)
                    let a = analytic[flat]
                    let rel = abs(a - numeric) / Swift.max(abs(a), abs(numeric), 1e-4)
                    #expect(rel < 1e-5, "layer \(l) weight \(idx): analytic \(a), numeric \(numeric)")
                    if a != 0 { checked += 1 }
                }
            }
        }
        #expect(checked > 50)
    }

    @Test("The layer-wise forward pass is bit-identical to the event-driven engine", arguments: 0..<6)
    func forwardMatchesEngine(seed: UInt64) throws {
        let (net, inputs) = try randomNetwork(seed: seed, sizes: [15, 11, 5])
        let (network, layers) = try net.engineNetwork()
        let sim = try EventDrivenSimulator(network: network)
        for x in inputs {
            let activity = try net.forward(x)
            sim.reset()
            try sim.setSpikeTrains(x.map { $0.isFinite ? [$0] : [] }, for: layers[0])
            try sim.run(until: .infinity)
            for l in 1..<net.layerCount {
                var engine = [Double](repeating: .infinity, count: net.layerSizes[l])
                let (neurons, times) = try sim.spikes(of: layers[l])
                for (i, t) in zip(neurons, times) { engine[Int(i)] = t }
                #expect(engine == activity.times[l], "layer \(l)")
            }
            #expect(Int(sim.counters.synapticEvents) == activity.synapticEventsPerLayer.reduce(0, +))
        }
    }

    @Test("The closed form is (θ + Σ wᵢ aᵢ)/Σ wᵢ over the causal set")
    func closedForm() throws {
        var net = try TTFSNetwork(layerSizes: [3, 1], threshold: 1, delay: 1)
        // Input-major weights: w₀ = 0.5, w₁ = 0.25, w₂ = 2 (arriving too late to matter).
        net.weights[0] = [0.5, 0.25, 2]
        let a = try net.forward([0, 1, 10])
        // V(t) = 0.5(t − 1) + 0.25(t − 2) for t ≥ 2 reaches 1 at t = (1 + 0.5 + 0.5)/0.75.
        #expect(a.outputs[0] == (1 + 0.5 * 1 + 0.25 * 2) / 0.75)
        #expect(a.causal[0][0] == 2)
        #expect(a.slopes[0][0] == 0.75)
        // Negative total weight: never fires.
        net.weights[0] = [-0.5, 0.25, 0.1]
        #expect(try net.forward([0, 1, 2]).outputs[0] == .infinity)
    }

    @Test("Save and load round-trip the model exactly; malformed files are rejected")
    func saveLoad() throws {
        let (net, inputs) = try randomNetwork(seed: 9)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("volley-ttfs-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try TTFSModelFile(network: net, inputTime: 5, seed: 3, epochs: 2).write(to: path)
        let back = try TTFSNetwork.load(path: path)
        #expect(try TTFSModelFile.read(from: path) == TTFSModelFile(network: net, inputTime: 5, seed: 3, epochs: 2))
        #expect(back.weights == net.weights)
        #expect(back.layerSizes == net.layerSizes)
        #expect(try back.forward(inputs[0]).outputs == net.forward(inputs[0]).outputs)
        for malformed in [
            "{\"format\": \"other\", \"layer_sizes\": [2, 1], \"threshold\": 1, \"delay\": 1, \"weights\": [[1, 1]]}",
            "{\"format\": \"volley-ttfs-1\", \"layer_sizes\": [2, 1], \"threshold\": 1, \"delay\": 1, \"weights\": [[1]]}",
            "{\"format\": \"volley-ttfs-1\", \"layer_sizes\": [2, 1], \"threshold\": 1, \"delay\": 1}",
            "not json",
        ] {
            try Data(malformed.utf8).write(to: URL(fileURLWithPath: path))
            #expect(throws: VolleyError.self) { try TTFSNetwork.load(path: path) }
        }
    }

    @Test("Training is deterministic and independent of the number of threads (fixed chunks)")
    func deterministicTraining() throws {
        let (net, inputs) = try randomNetwork(seed: 4, sizes: [12, 20, 4])
        let labels = inputs.indices.map { $0 % 4 }
        func train() throws -> [[Double]] {
            let trainer = try TTFSTrainer(network: net, options: TTFSOptions(), learningRate: 1e-3, chunks: 3, seed: 5)
            for _ in 0..<3 { _ = try trainer.epoch(inputs: inputs, labels: labels, batchSize: 5) }
            return trainer.network.weights
        }
        let a = try train()
        #expect(try a == train())
        #expect(a != net.weights)
    }

    @Test("Weight averaging: a ← d·a + (1 − d)·w after every update, from the initial weights; training itself unchanged")
    func weightAverage() throws {
        let (net, inputs) = try randomNetwork(seed: 4, sizes: [12, 20, 4])
        let labels = inputs.indices.map { $0 % 4 }
        let d = 0.75
        let plain = try TTFSTrainer(network: net, options: TTFSOptions(), learningRate: 1e-2, chunks: 3, seed: 5)
        let averaged = try TTFSTrainer(network: net, options: TTFSOptions(), learningRate: 1e-2, chunks: 3, averageDecay: d, seed: 5)
        #expect(plain.averagedNetwork.weights == net.weights && averaged.averagedNetwork.weights == net.weights)
        // One update per epoch (the whole set is one batch): the average by hand, update by update.
        var expected = net.weights
        for _ in 0..<3 {
            _ = try plain.epoch(inputs: inputs, labels: labels, batchSize: inputs.count)
            _ = try averaged.epoch(inputs: inputs, labels: labels, batchSize: inputs.count)
            #expect(averaged.network.weights == plain.network.weights)
            let w = averaged.network.weights
            expected = expected.indices.map { l in expected[l].indices.map { d * expected[l][$0] + (1 - d) * w[l][$0] } }
            #expect(averaged.averagedNetwork.weights == expected)
            #expect(averaged.averagedNetwork.weights != w && plain.averagedNetwork.weights == w)
        }
        for bad in [1.0, -0.1, .nan] {
            #expect { try TTFSTrainer(network: net, options: TTFSOptions(), learningRate: 1e-2, averageDecay: bad, seed: 5) } throws: { "\($0)".contains("averageDecay") }
        }
    }
}
