import Foundation
import Testing

@testable import Volley

@Suite("STBP: surrogate-gradient training of LIF networks on the time grid")
struct STBPTests {
    func randomNetwork(_ sizes: [Int], readout: STBPNetwork.Readout = .spikeCount, seed: UInt64, gain: Double = 1.5) throws -> STBPNetwork {
        var net = try STBPNetwork(layerSizes: sizes, neuron: LIFDelta(tauM: 10, vRest: 0, vReset: 0, vThreshold: 1, tRef: 0), dt: 1, readout: readout)
        net.initialize(gain: gain, seed: seed)
        return net
    }

    func randomInput(size: Int, steps: Int, rate: Double, seed: UInt64) -> STBPInput {
        var rng = Xoshiro256(seed: seed, stream: 3)
        let intensities = (0..<size).map { _ in rng.uniform(0, rate) }
        return STBPInput.bernoulli(intensities, steps: steps, rng: &rng)
    }

    @Test("The training forward pass spikes bit-identically to TimeSteppedSimulator on the exported network", arguments: [1, 2, 3] as [UInt64])
    func engineIdentity(seed: UInt64) throws {
        for readout in STBPNetwork.Readout.allCases {
            var net = try randomNetwork([30, 20, 15, 6], readout: readout, seed: seed, gain: 2.5)
            net.membraneTimeConstants = [10, 3.7, 25]  // a learned leak: each layer its own τm
            var input = randomInput(size: 30, steps: 25, rate: 0.4, seed: seed)
            input.spikes[3] = (input.spikes[3] + [5, 5, 5]).sorted()  // a neuron spiking three times in one step
            let steps = net.steps(forInputSteps: 25) + 5
            let run = try STBPEngineRun(net, input: input, steps: steps)
            var total = 0
            for l in 1..<net.layerCount {
                #expect(run.engineSpikes[l - 1] == run.trainingSpikes[l - 1], "layer \(l), seed \(seed), \(readout)")
                total += run.trainingSpikes[l - 1].count
            }
            #expect(total > 50, "the network should be active: \(total) spikes")
            if readout == .potential { #expect(run.activity.fired[2].allSatisfy { $0.isEmpty }) }
        }
    }

    @Test("The potential readout in both engines: the training pass's mean potentials (time-stepped dt 1 ms bit for bit, event-driven to 1e-9 mV) and its decisions", arguments: [1, 2] as [UInt64])
    func potentialReadoutInEngines(seed: UInt64) throws {
        // Rest at −70 mV: the scores are potentials above rest.
        var net = try STBPNetwork(
            layerSizes: [30, 20, 15, 6], neuron: LIFDelta(tauM: 10, vRest: -70, vReset: -70, vThreshold: -69, tRef: 0), dt: 1, readout: .potential)
        net.initialize(gain: 2.5, seed: seed)
        net.membraneTimeConstants = [10, 3.7, 25]
        let steps = net.steps(forInputSteps: 25) + 5, end = Double(steps - 1) * net.dt
        let inputs = (0..<12).map { randomInput(size: 30, steps: 25, rate: 0.4, seed: seed &* 100 &+ UInt64($0)) }
        let gridScores = inputs.map { net.scores(net.forward($0, steps: steps)) }
        let (engineNet, layers) = try net.engineNetwork()
        let stepped: Simulator = try TimeSteppedSimulator(network: engineNet, dt: net.dt)
        let exact: Simulator = try EventDrivenSimulator(network: engineNet)
        for sim in [stepped, exact] {
            try sim.recordPotentials(of: layers[3], neurons: Array(0..<6), every: net.dt)
            for (x, grid) in zip(inputs, gridScores) {
                sim.reset()
                try sim.setSpikeTrains(x.spikeTrains(size: 30, dt: net.dt), for: layers[0])
                try sim.run(until: end)
                #expect(sim.stateRecordings[0].times.count == steps)
                let z = try STBPEngineEvaluation.scores(net, sim, output: layers[3])
                if sim === stepped {
                    #expect(z == grid)
                } else {
                    #expect(zip(z, grid).allSatisfy { abs($0 - $1) < 1e-9 }, "\(z) vs \(grid)")
                }
            }
        }
        #expect(Set(gridScores.compactMap { STBPNetwork.decision($0) }).count > 1, "the samples should not all decide alike")
        let labels = try gridScores.map { try #require(STBPNetwork.decision($0), "a tied sample") }
        for engine in [STBPEngineEvaluation.Engine.eventDriven, .timeStepped(dt: 1), .timeStepped(dt: 0.5)] {
            let r = try STBPEngineEvaluation.run(net, engine: engine, count: inputs.count, labels: labels, until: end) {
                inputs[$0].spikeTrains(size: 30, dt: 1)
            }
            #expect(r.accuracy == 1, "\(engine)")
        }
    }

    @Test("Backpropagated gradients equal central finite differences of the smooth network (σ(β(V − θ)) spikes)")
    func gradientCheck() throws {
        for (readout, loss) in [(STBPNetwork.Readout.spikeCount, STBPLoss.crossEntropy), (.spikeCount, .rateMSE), (.potential, .crossEntropy)] {
            let net = try randomNetwork([8, 6, 4], readout: readout, seed: 11, gain: 1.2)
            let input = randomInput(size: 8, steps: 12, rate: 0.5, seed: 5)
            let check = STBPGradientCheck(input: input, steps: net.steps(forInputSteps: 12), label: 2, loss: loss, beta: 4)
            let plain = check.weightGradient(net)
            let (worst, checked) = check.compareWeights(net, plain)
            #expect(worst < 1e-5, "\(readout) \(loss): worst relative error \(worst)")
            #expect(checked > 40, "\(checked) non-zero gradient entries")
        }
    }

    @Test("Surrogates: their formulas, unit area (fast sigmoid: 2/β), and names")
    func surrogates() throws {
        func area(_ s: Surrogate) -> Double {
            stride(from: -400.0, to: 400.0, by: 0.001).reduce(0) { $0 + s.derivative($1 + 0.0005) * 0.001 }
        }
        #expect(abs(area(.rectangular(width: 1)) - 1) < 1e-3)
        #expect(abs(area(.arctan(alpha: 2)) - 1) < 2e-3)
        #expect(abs(area(.sigmoid(slope: 4)) - 1) < 1e-6)
        #expect(abs(area(.fastSigmoid(slope: 10)) - 0.2) < 1e-3)
        #expect(Surrogate.rectangular(width: 0.5).derivative(0.2) == 2 && Surrogate.rectangular(width: 0.5).derivative(0.3) == 0)
        #expect(Surrogate.fastSigmoid(slope: 2).derivative(-0.5) == 0.25)
        #expect(abs(Surrogate.arctan(alpha: 2).derivative(0) - 1) < 1e-15)
        #expect(try Surrogate(name: "arctan", parameter: 2) == .arctan(alpha: 2))
        #expect(throws: VolleyError.self) { try Surrogate(name: "relu", parameter: 1) }
        #expect(throws: VolleyError.self) { try Surrogate(name: "arctan", parameter: .nan) }
    }

    /// `n` samples of two classes over 10 steps: class 0's inputs 0–9 fire often, class 1's 10–19.
    static func twoPatterns(_ n: Int) -> (inputs: [STBPInput], labels: [Int]) {
        var rng = Xoshiro256(seed: 9, stream: 1)
        var inputs: [STBPInput] = [], labels: [Int] = []
        for k in 0..<n {
            inputs.append(.bernoulli((0..<20).map { ($0 / 10 == k % 2) ? 0.6 : 0.05 }, steps: 10, rng: &rng))
            labels.append(k % 2)
        }
        return (inputs, labels)
    }

    @Test("Training separates two input patterns; bad settings are typed errors")
    func training() throws {
        let (inputs, labels) = Self.twoPatterns(80)
        for (readout, loss) in [(STBPNetwork.Readout.spikeCount, STBPLoss.crossEntropy), (.spikeCount, .rateMSE), (.potential, .crossEntropy)] {
            let net = try randomNetwork([20, 16, 2], readout: readout, seed: 4, gain: 1)
            var trainer = try STBPTrainer(network: net, learningRate: 0.01, surrogate: .arctan(alpha: 2), loss: loss, batch: 8)
            var last = (loss: 0.0, accuracy: 0.0)
            for _ in 0..<15 { last = try trainer.epoch(inputs, labels: labels, order: Array(0..<80), steps: 11) }
            #expect(last.accuracy >= 0.95, "\(readout) \(loss): training accuracy \(last.accuracy)")
        }
        let net = try randomNetwork([20, 16, 2], seed: 4)
        #expect(throws: VolleyError.self) { try STBPTrainer(network: net, learningRate: .nan, surrogate: .arctan(alpha: 2), loss: .crossEntropy, batch: 8) }
        let potential = try randomNetwork([20, 16, 2], readout: .potential, seed: 4)
        #expect(throws: VolleyError.self) { try STBPTrainer(network: potential, learningRate: 0.01, surrogate: .arctan(alpha: 2), loss: .rateMSE, batch: 8) }
        var trainer = try STBPTrainer(network: net, learningRate: 0.01, surrogate: .arctan(alpha: 2), loss: .crossEntropy, batch: 8)
        #expect(throws: VolleyError.self) { try trainer.epoch([STBPInput(spikes: [[25]])], labels: [0], order: [0], steps: 3) }
        #expect(throws: VolleyError.self) { try trainer.epoch([STBPInput(spikes: [[1]])], labels: [2], order: [0], steps: 3) }
        #expect(throws: VolleyError.self) { try STBPNetwork(layerSizes: [4, 2], neuron: LIFDelta(vThreshold: 1, tRef: 2)) }
        #expect(throws: VolleyError.self) { try STBPNetwork(layerSizes: [4], neuron: LIFDelta(vRest: 0, vReset: 0, vThreshold: 1, tRef: 0)) }
    }

    @Test("Model files: a lossless round trip; wrong formats, shapes and values are typed errors naming the file")
    func modelFile() throws {
        let net = try randomNetwork([6, 5, 3], readout: .potential, seed: 2)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("volley-stbp-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/model.json"
        try STBPModelFile(network: net, inputSteps: 10, seed: 2, epochs: 1).write(to: path)
        let back = try STBPModelFile.read(from: path).network(source: path)
        #expect(back.weights == net.weights && back.layerSizes == net.layerSizes && back.readout == .potential)
        #expect(back.neuron.tauM == net.neuron.tauM && back.neuron.vThreshold == net.neuron.vThreshold && back.dt == net.dt)
        var leaky = net
        leaky.membraneTimeConstants = [7.25, 13.5]
        try STBPModelFile(network: leaky).write(to: path)
        #expect(try STBPModelFile.read(from: path).network(source: path).membraneTimeConstants == [7.25, 13.5])
        var bad = STBPModelFile(network: leaky)
        bad.layerTauM = [7.25, 0]
        #expect { try bad.network(source: "m.json") } throws: { "\($0)".contains("layer_tau_m_ms[1]") }
        var file = STBPModelFile(network: net)
        file.weights[1].removeLast()
        #expect { try file.network(source: "m.json") } throws: { "\($0)".contains("m.json") && "\($0)".contains("weight layer 1") }
        file = STBPModelFile(network: net)
        file.weights[0][3] = .infinity
        #expect { try file.network(source: "m.json") } throws: { "\($0)".contains("weight 3 of layer 0") }
        file = STBPModelFile(network: net)
        file.format = "volley-ttfs-1"
        #expect(throws: VolleyError.self) { try file.network(source: "m.json") }
        file = STBPModelFile(network: net)
        file.tauM = -1
        #expect { try file.network(source: "m.json") } throws: { "\($0)".contains("tauM") }
        // Evaluation steps: kept only when they differ from the training steps; out of range is an error.
        try STBPModelFile(network: net, inputSteps: 10, evalInputSteps: 25).write(to: path)
        let steps = try STBPModelFile.read(from: path)
        #expect(steps.inputSteps == 10 && steps.evalInputSteps == 25)
        #expect(STBPModelFile(network: net, inputSteps: 10, evalInputSteps: 10).evalInputSteps == nil)
        for (key, value) in [("input_steps", 0), ("eval_input_steps", -3)] {
            file = STBPModelFile(network: net, inputSteps: key == "input_steps" ? value : 10, evalInputSteps: key == "input_steps" ? nil : value)
            #expect { try file.network(source: "m.json") } throws: { "\($0)".contains("m.json") && "\($0)".contains("\(key) is \(value)") }
        }
    }

    @Test("The learnable leak: ∂L/∂τm per layer equals central finite differences; training moves τm and stays finite")
    func leakGradient() throws {
        for (readout, loss) in [(STBPNetwork.Readout.spikeCount, STBPLoss.crossEntropy), (.potential, .crossEntropy), (.spikeCount, .rateMSE)] {
            var net = try randomNetwork([8, 6, 4], readout: readout, seed: 11, gain: 1.2)
            net.membraneTimeConstants = [4, 9]
            let input = randomInput(size: 8, steps: 12, rate: 0.5, seed: 5)
            let check = STBPGradientCheck(input: input, steps: net.steps(forInputSteps: 12), label: 2, loss: loss, beta: 4)
            let (gradient, leak) = check.backpropagated(net)
            let plain = check.weightGradient(net)
            #expect(plain == gradient, "the weight gradient does not depend on also computing the leak's")
            for l in 0..<2 {
                let numeric = check.leakDifference(net, layer: l, step: 1e-5)
                #expect(abs(numeric) > 1e-7, "\(readout): τm of layer \(l + 1) should matter")
                #expect(abs(numeric - leak[l]) <= 1e-5 * max(abs(numeric), 1e-4), "\(readout) \(loss) layer \(l + 1): \(leak[l]) vs \(numeric)")
            }
        }
        let (inputs, labels) = Self.twoPatterns(40)
        let net = try randomNetwork([20, 16, 2], seed: 4, gain: 1)
        var trainer = try STBPTrainer(network: net, learningRate: 0.05, surrogate: .arctan(alpha: 2), loss: .crossEntropy, batch: 8, learnLeak: true)
        for _ in 0..<5 { _ = try trainer.epoch(inputs, labels: labels, order: Array(0..<40), steps: 11) }
        #expect(trainer.network.membraneTimeConstants != net.membraneTimeConstants)
        #expect(trainer.network.membraneTimeConstants.allSatisfy { $0.isFinite && $0 >= 1e-3 })
        var fixed = try STBPTrainer(network: net, learningRate: 0.05, surrogate: .arctan(alpha: 2), loss: .crossEntropy, batch: 8)
        _ = try fixed.epoch(inputs, labels: labels, order: Array(0..<40), steps: 11)
        #expect(fixed.network.membraneTimeConstants == net.membraneTimeConstants)
    }

    @Test("Parameter averaging: weights and a learned τm follow a ← d·a + (1 − d)·w update by update; training unchanged")
    func parameterAverage() throws {
        let (inputs, labels) = Self.twoPatterns(40)
        let net = try randomNetwork([20, 16, 2], seed: 4, gain: 1)
        let d = 0.6
        // One update per epoch (batch = all 40 samples).
        var plain = try STBPTrainer(network: net, learningRate: 0.01, surrogate: .arctan(alpha: 2), loss: .crossEntropy, batch: 40, learnLeak: true)
        var averaged = try STBPTrainer(
            network: net, learningRate: 0.01, surrogate: .arctan(alpha: 2), loss: .crossEntropy, batch: 40, learnLeak: true, averageDecay: d)
        var (w, tau) = (net.weights, net.membraneTimeConstants)
        for _ in 0..<3 {
            _ = try plain.epoch(inputs, labels: labels, order: Array(0..<40), steps: 11)
            _ = try averaged.epoch(inputs, labels: labels, order: Array(0..<40), steps: 11)
            #expect(averaged.network.weights == plain.network.weights && averaged.network.membraneTimeConstants == plain.network.membraneTimeConstants)
            let now = averaged.network
            w = w.indices.map { l in w[l].indices.map { d * w[l][$0] + (1 - d) * now.weights[l][$0] } }
            tau = tau.indices.map { d * tau[$0] + (1 - d) * now.membraneTimeConstants[$0] }
            #expect(averaged.averagedNetwork.weights == w && averaged.averagedNetwork.membraneTimeConstants == tau)
            #expect(averaged.averagedNetwork.weights != now.weights && plain.averagedNetwork.weights == plain.network.weights)
        }
        #expect(tau != net.membraneTimeConstants)
        #expect { try STBPTrainer(network: net, learningRate: 0.01, surrogate: .arctan(alpha: 2), loss: .crossEntropy, batch: 8, averageDecay: 1) } throws: {
            "\($0)".contains("averageDecay")
        }
    }

    @Test("The backward sweep's rectangular fast path gives the general loop's gradient bit for bit (dense and CNN, both readouts)", arguments: [1, 2, 3] as [UInt64])
    func rectangularFastPath(seed: UInt64) throws {
        let dense = try randomNetwork([30, 20, 15, 6], seed: seed, gain: 2.5)
        let readoutByPotential = try randomNetwork([30, 20, 15, 6], readout: .potential, seed: seed, gain: 2.5)
        let cnn = try ConvolutionTests().smallCNN(seed: seed)
        for (name, net, loss) in [("dense", dense, STBPLoss.rateMSE), ("dense", dense, .crossEntropy), ("potential readout", readoutByPotential, .crossEntropy), ("cnn", cnn, .rateMSE)] {
            for surrogate in [Surrogate.rectangular(width: 1), .rectangular(width: 0.7)] {
                #expect(net.takesRectangularStep(layer: 1, surrogate: surrogate, leakGradient: false))
                var rng = Xoshiro256(seed: seed, stream: 5)
                let input = STBPInput.bernoulli((0..<net.layerSizes[0]).map { _ in rng.uniform(0.1, 0.7) }, steps: 15, rng: &rng)
                let steps = net.steps(forInputSteps: 15)
                let a = net.forward(input, steps: steps)
                let dz = net.loss(net.scores(a), label: 2, loss, steps: steps).1
                var fast = net.weights.map { [Double](repeating: 0, count: $0.count) }, general = fast
                net.backward(a, input: input, scoreGradient: dz, surrogate: surrogate, gradient: &fast, leakGradient: nil, fastPaths: true)
                net.backward(a, input: input, scoreGradient: dz, surrogate: surrogate, gradient: &general, leakGradient: nil, fastPaths: false)
                let bits = { (g: [[Double]]) in g.map { $0.map(\.bitPattern) } }
                #expect(bits(fast) == bits(general), "\(name), \(loss), \(surrogate), seed \(seed)")
                let nonZero = general.reduce(0) { $0 + $1.filter { $0 != 0 }.count }
                #expect(nonZero > 20, "\(name): \(nonZero) non-zero gradient entries")
            }
        }
        // Other dynamics stay on the general loop.
        #expect(!dense.takesRectangularStep(layer: 1, surrogate: .arctan(alpha: 2), leakGradient: false))
        #expect(!dense.takesRectangularStep(layer: 1, surrogate: .rectangular(width: 1), leakGradient: true))
        #expect(!readoutByPotential.takesRectangularStep(layer: 3, surrogate: .rectangular(width: 1), leakGradient: false))
    }

    @Test("The dense transposed product over the non-zero entries of ∂L/∂a equals the full dot products bit for bit")
    func sparseTransposedProduct() throws {
        let net = try randomNetwork([12, 40, 25, 6], seed: 3)
        var rng = Xoshiro256(seed: 3, stream: 8)
        for l in 1...2 {
            let size = net.layerSizes[l], upper = net.layerSizes[l + 1], w = net.weightValues(into: l + 1)
            // Three steps of ∂L/∂a above: mostly zero, with a −0 and an all-zero step.
            var above = (0..<(3 * upper)).map { _ in rng.uniform(0, 1) < 0.2 ? rng.uniform(-1, 1) : 0 }
            above[0] = 0.5
            above[1] = -0.0
            for q in upper..<(2 * upper) { above[q] = 0 }
            for n in 0..<3 {
                var out = [Double](repeating: .nan, count: size)
                net.transposedProduct(from: l, values: w, above: above, step: n, into: &out)
                let full = (0..<size).map { j in
                    var sum = 0.0
                    for q in 0..<upper { sum += w[j * upper + q] * above[n * upper + q] }
                    return sum
                }
                #expect(out.map(\.bitPattern) == full.map(\.bitPattern), "layer \(l), step \(n)")
                if n == 0 { #expect(full.contains { $0 != 0 }) }
            }
        }
    }
}
