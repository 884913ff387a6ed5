import Foundation
import Testing

@testable import Volley

@Suite("STBP dropout: masked hidden spikes in training (Srivastava et al. 2014; one mask per sample, Lee et al. 2020)")
struct STBPDropoutTests {
    func network(_ sizes: [Int], readout: STBPNetwork.Readout = .spikeCount, seed: UInt64, gain: Double) throws -> STBPNetwork {
        try STBPTests().randomNetwork(sizes, readout: readout, seed: seed, gain: gain)
    }

    func input(size: Int, steps: Int, rate: Double, seed: UInt64) -> STBPInput {
        STBPTests().randomInput(size: size, steps: steps, rate: rate, seed: seed)
    }

    /// A mask for [·, 6, 5, ·]: hidden neurons 1 and 4 of layer 1 and neuron 2 of layer 2 dropped,
    /// the others × 1/(1 − p) at p = 0.3.
    func mask(_ net: STBPNetwork) -> STBPDropout {
        let kept = 1 / (1 - 0.3)
        var f = [[Double]](repeating: [], count: net.layerCount - 1)
        f[0] = (0..<6).map { $0 == 1 || $0 == 4 ? 0 : kept }
        f[1] = (0..<5).map { $0 == 2 ? 0 : kept }
        return STBPDropout(factors: f)
    }

    @Test("Masks: only hidden layers that feed dense connections, factors 0 or 1/(1 − p), dropped fraction ≈ p, seeded")
    func draw() throws {
        let mlp = try network([20, 4000, 3000, 4], seed: 1, gain: 1)
        var rng = Xoshiro256(seed: 5, stream: 1)
        let m = try #require(STBPDropout.draw(for: mlp, rate: 0.3, rng: &rng))
        try m.validate(for: mlp)
        #expect(m.factors.map(\.count) == [4000, 3000, 0])
        for f in m.factors.prefix(2) {
            #expect(f.allSatisfy { $0 == 0 || $0 == 1 / 0.7 })
            let dropped = Double(f.filter { $0 == 0 }.count) / Double(f.count)
            #expect(abs(dropped - 0.3) < 0.03, "dropped fraction \(dropped)")
        }
        var again = Xoshiro256(seed: 5, stream: 1)
        #expect(STBPDropout.draw(for: mlp, rate: 0.3, rng: &again) == m)
        #expect(STBPDropout.draw(for: mlp, rate: 0, rng: &again) == nil)
        // A CNN: the convolution and pooling layers keep every spike; the last pooling layer feeds
        // the dense hidden layer, which feeds the output.
        let conv = ConvolutionGeometry(inputChannels: 1, inputHeight: 8, inputWidth: 8, outputChannels: 2, kernelSize: 3, padding: 1)
        let pool = PoolingGeometry(channels: 2, inputHeight: 8, inputWidth: 8, size: 2)
        let cnn = try STBPNetwork(
            layerSizes: [64, conv.outputSize, pool.outputSize, 7, 3], connections: [.convolution(conv), .maxPooling(pool), .dense, .dense],
            neuron: LIFDelta(tauM: 10, vRest: 0, vReset: 0, vThreshold: 1, tRef: 0))
        #expect(STBPDropout.maskedLayers(of: cnn) == [2, 3])
        #expect(STBPDropout.draw(for: cnn, rate: 0.5, rng: &rng)?.factors.map(\.count) == [0, 32, 7, 0])
    }

    @Test("Forward: an all-ones mask changes nothing; a dropped neuron acts as if its outgoing weights were zero (bit for bit)")
    func forward() throws {
        let net = try network([12, 6, 5, 4], seed: 2, gain: 2.5)
        let x = input(size: 12, steps: 20, rate: 0.5, seed: 2)
        let steps = net.steps(forInputSteps: 20)
        let plain = net.forward(x, steps: steps)
        let ones = net.forward(x, steps: steps, dropout: STBPDropout(factors: [[Double](repeating: 1, count: 6), [Double](repeating: 1, count: 5), []]))
        #expect(ones.spikes == plain.spikes && ones.potentials == plain.potentials)
        // Drop hidden neuron 3 of layer 1 (factor 0, the others 1) against zeroing its weight row.
        var f = [Double](repeating: 1, count: 6)
        f[3] = 0
        let dropped = net.forward(x, steps: steps, dropout: STBPDropout(factors: [f, [], []]))
        var cut = net
        for j in 0..<5 { cut.weights[1][3 * 5 + j] = 0 }
        let reference = cut.forward(x, steps: steps)
        #expect(dropped.spikes == reference.spikes && dropped.potentials == reference.potentials)
        #expect(dropped.spikes[0] == plain.spikes[0], "the dropped neuron still fires")
        #expect(plain.fired[0].contains { $0.contains(3) } && dropped.spikes[1] != plain.spikes[1], "the test must drop a neuron that matters")
    }

    @Test("Gradients with a mask equal central finite differences of the masked smooth network; dropped rows get none")
    func gradient() throws {
        for (readout, loss) in [(STBPNetwork.Readout.spikeCount, STBPLoss.crossEntropy), (.spikeCount, .rateMSE), (.potential, .crossEntropy)] {
            let net = try network([8, 6, 5, 4], readout: readout, seed: 11, gain: 1.2)
            let x = input(size: 8, steps: 12, rate: 0.5, seed: 5)
            var check = STBPGradientCheck(input: x, steps: net.steps(forInputSteps: 12), label: 2, loss: loss, beta: 4)
            let unmasked = check.weightGradient(net)
            check.dropout = mask(net)
            let g = check.weightGradient(net)
            let (worst, checked) = check.compareWeights(net, g)
            #expect(worst < 1e-5, "\(readout) \(loss): worst relative error \(worst)")
            #expect(checked > 40, "\(checked) non-zero gradient entries")
            // The rows of weights out of dropped neurons get exactly zero.
            #expect((0..<5).allSatisfy { g[1][1 * 5 + $0] == 0 && g[1][4 * 5 + $0] == 0 } && (0..<4).allSatisfy { g[2][2 * 4 + $0] == 0 })
            #expect((0..<5).contains { unmasked[1][1 * 5 + $0] != 0 }, "the unmasked row has a gradient")
            // No gradient reaches a dropped neuron's incoming weights from above.
            #expect((0..<8).allSatisfy { g[0][$0 * 6 + 1] == 0 && g[0][$0 * 6 + 4] == 0 })
        }
    }

    @Test("Training with dropout: seeded and repeatable, rate 0 is no dropout bit for bit, still learns; bad rates and masks are typed errors")
    func training() throws {
        let (inputs, labels) = STBPTests.twoPatterns(80)
        let net = try network([20, 16, 2], seed: 4, gain: 1)
        func train(_ dropout: Double, seed: UInt64 = 1, epochs: Int = 3) throws -> (STBPNetwork, Double) {
            var t = try STBPTrainer(network: net, learningRate: 0.01, surrogate: .arctan(alpha: 2), loss: .crossEntropy, batch: 8, dropout: dropout, dropoutSeed: seed)
            var accuracy = 0.0
            for _ in 0..<epochs { accuracy = try t.epoch(inputs, labels: labels, order: Array(0..<80), steps: 11).accuracy }
            #expect(t.epochsRun == epochs)
            return (t.network, accuracy)
        }
        var none = try STBPTrainer(network: net, learningRate: 0.01, surrogate: .arctan(alpha: 2), loss: .crossEntropy, batch: 8)
        for _ in 0..<3 { _ = try none.epoch(inputs, labels: labels, order: Array(0..<80), steps: 11) }
        let zero = try train(0), a = try train(0.3), b = try train(0.3), other = try train(0.3, seed: 2), long = try train(0.3, epochs: 15)
        #expect(zero.0.weights == none.network.weights)
        #expect(a.0.weights == b.0.weights)
        #expect(a.0.weights != none.network.weights && a.0.weights != other.0.weights)
        #expect(long.1 >= 0.9, "training accuracy \(long.1)")
        for bad in [-0.1, 1, .nan] {
            #expect { try STBPTrainer(network: net, learningRate: 0.01, surrogate: .arctan(alpha: 2), loss: .crossEntropy, batch: 8, dropout: bad) } throws: {
                "\($0)".contains("dropout") && "\($0)".contains("\(bad)")
            }
        }
        let deep = try network([8, 6, 5, 4], seed: 1, gain: 1)
        #expect(throws: VolleyError.self) { try STBPDropout(factors: [[1, 1]]).validate(for: deep) }
        #expect(throws: VolleyError.self) { try STBPDropout(factors: [[1, 1, 1], [], []]).validate(for: deep) }
        #expect(throws: VolleyError.self) { try STBPDropout(factors: [[], [], [1, 1, 1, 1]]).validate(for: deep) }
        #expect(throws: VolleyError.self) { try STBPDropout(factors: [[1, 1, .nan, 1, 1, 1], [], []]).validate(for: deep) }
        try mask(deep).validate(for: deep)
    }
}
