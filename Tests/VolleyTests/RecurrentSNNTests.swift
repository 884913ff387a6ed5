import Foundation
import Testing

@testable import Volley

/// The recurrent LSNN: spikes bit-identical to the time-stepped engine, BPTT against finite
/// differences, e-prop equal to BPTT where the theory says so, the tasks' structure, refusals.
@Suite("Recurrent adaptive SNN (LSNN): BPTT and e-prop")
struct RecurrentSNNTests {
    func network(regular: Int = 3, adaptive: Int = 3, inputs: Int = 4, outputs: Int = 2, gain: Double = 3, seed: UInt64 = 1) throws -> RecurrentSNN {
        var p = RecurrentSNN.Parameters()
        p.beta = 0.2
        p.tauAdapt = 40
        var net = try RecurrentSNN(inputs: inputs, regular: regular, adaptive: adaptive, outputs: outputs, parameters: p)
        net.initialize(inputGain: gain, recurrentGain: gain, seed: seed)
        return net
    }

    func trial(inputs: Int = 4, steps: Int = 40, rate: Double = 0.3, seed: UInt64 = 2) -> RecurrentTrial {
        var rng = Xoshiro256(seed: seed, stream: 9)
        let input = STBPInput.bernoulli([Double](repeating: rate, count: inputs), steps: steps, rng: &rng)
        return RecurrentTrial(input: input, windows: [.init(steps: (steps - 10)..<steps, label: 1), .init(steps: 10..<15, label: 0)], steps: steps)
    }

    @Test("The training forward pass spikes bit-identically to TimeSteppedSimulator, readout included")
    func engineIdentity() throws {
        let net = try network(regular: 4, adaptive: 5, inputs: 6, outputs: 3, gain: 4)
        let t = trial(inputs: 6, steps: 300, rate: 0.2)
        let a = net.forward(t.input, steps: t.steps)
        let (engineNet, pops) = try net.engineNetwork()
        let sim = try TimeSteppedSimulator(network: engineNet, dt: net.parameters.dt)
        try sim.setSpikeTrains(t.input.spikeTrains(size: net.inputs, dt: net.parameters.dt), for: pops.input)
        try sim.run(until: Double(t.steps - 1) * net.parameters.dt)
        var engine: [String] = []
        for (pop, offset) in [(pops.regular!, 0), (pops.adaptive!, net.regular)] {
            let (cells, times) = try sim.spikes(of: pop)
            engine += zip(times, cells).map { "\(Int(($0 / net.parameters.dt).rounded())) \(Int($1) + offset)" }
        }
        let training = a.fired.enumerated().flatMap { n, js in js.map { "\(n) \($0)" } }
        #expect(training.count > 50, "the test network must be active")
        #expect(engine.sorted() == training.sorted())
        for k in 0..<net.outputs {
            #expect(try sim.potential(of: pops.readout, neuron: k) == a.readout[(t.steps - 1) * net.outputs + k])
        }
    }

    /// Total loss of the smooth network.
    func smoothLoss(_ net: RecurrentSNN, _ t: RecurrentTrial, slope: Double, loss: RecurrentLoss) -> Double {
        let a = net.forward(t.input, steps: t.steps, smoothSlope: slope)
        let e = loss.evaluate(a, t, network: net)
        return e.taskLoss + e.rateLoss
    }

    @Test("BPTT equals central finite differences on the smooth network (reset differentiated)")
    func bpttGradient() throws {
        let net = try network(gain: 2)
        let t = trial()
        let slope = 4.0, loss = RecurrentLoss(rateCoefficient: 50, targetRate: 10)
        let a = net.forward(t.input, steps: t.steps, smoothSlope: slope)
        let e = loss.evaluate(a, t, network: net)
        var g = RecurrentGradient(net)
        net.backpropagate(
            a, input: t.input, readoutGradient: e.readoutGradient, spikeGradient: e.spikeGradient,
            pseudoDerivative: PseudoDerivative(surrogate: .sigmoid(slope: slope), dampening: 1), resetGradient: true, into: &g)
        var worst = 0.0, checked = 0
        for (which, count) in [(0, net.inputWeights.count), (1, net.recurrentWeights.count), (2, net.outputWeights.count)] {
            for idx in 0..<count {
                if which == 1 && idx / net.size == idx % net.size { continue }
                var up = net, down = net
                let h = 1e-5
                switch which {
                case 0: up.inputWeights[idx] += h; down.inputWeights[idx] -= h
                case 1: up.recurrentWeights[idx] += h; down.recurrentWeights[idx] -= h
                default: up.outputWeights[idx] += h; down.outputWeights[idx] -= h
                }
                let numeric = (smoothLoss(up, t, slope: slope, loss: loss) - smoothLoss(down, t, slope: slope, loss: loss)) / (2 * h)
                let analytic = [g.input, g.recurrent, g.output][which][idx]
                guard abs(numeric) > 1e-4 else { continue }
                worst = max(worst, abs(analytic - numeric) / abs(numeric))
                checked += 1
            }
        }
        #expect(checked > 50)
        #expect(worst < 1e-5, "worst relative error \(worst)")
    }

    func gradient(_ net: RecurrentSNN, _ t: RecurrentTrial, _ learning: RecurrentTrainer.Learning) throws -> RecurrentGradient {
        let trainer = try RecurrentTrainer(
            network: net, learning: learning, learningRate: 1e-3,
            pseudoDerivative: PseudoDerivative(surrogate: .triangular(halfWidth: net.parameters.vThreshold)),
            loss: RecurrentLoss(rateCoefficient: 20, targetRate: 10))
        var g = RecurrentGradient(net)
        _ = try trainer.gradient(t, into: &g)
        return g
    }

    @Test("Symmetric e-prop equals BPTT without recurrent weights; differs with them")
    func epropMatchesBPTT() throws {
        var net = try network(regular: 3, adaptive: 4, gain: 4)
        let t = trial(steps: 120)
        let withRecurrence = (try gradient(net, t, .bptt), try gradient(net, t, .eprop(.symmetric)))
        for k in net.recurrentWeights.indices { net.recurrentWeights[k] = 0 }
        let bptt = try gradient(net, t, .bptt), eprop = try gradient(net, t, .eprop(.symmetric))
        var worst = 0.0, nonzero = 0
        for (x, y) in zip(bptt.input + bptt.recurrent + bptt.output, eprop.input + eprop.recurrent + eprop.output) {
            let scale = max(abs(x), 1e-12)
            if abs(x) > 1e-9 { nonzero += 1 }
            worst = max(worst, abs(x - y) / scale)
        }
        #expect(nonzero > 30)
        #expect(worst < 1e-9, "worst relative difference \(worst)")
        let (b, e) = withRecurrence
        let differ = zip(b.input, e.input).contains { abs($0 - $1) > 1e-9 * max(abs($0), 1e-12) }
        #expect(differ, "with recurrent weights e-prop drops the gradient through other neurons")
    }

    @Test("Adam steps on a fixed set of store-recall trials lower their loss, for BPTT and both e-prop feedbacks")
    func trainingLowersLoss() throws {
        var variant = StoreRecallTask()
        variant.periods = 5
        variant.periodDuration = 60
        variant.expectedDelay = 1
        let task = variant
        var p = RecurrentSNN.Parameters()
        p.beta = 0.05
        p.tauAdapt = 300
        var net = try RecurrentSNN(inputs: task.inputs, regular: 8, adaptive: 8, outputs: 2, parameters: p)
        net.initialize(inputGain: 2, seed: 3)
        let trials = Array(0..<8)
        for learning in [RecurrentTrainer.Learning.bptt, .eprop(.symmetric), .eprop(.random(for: net, seed: 4))] {
            var trainer = try RecurrentTrainer(
                network: net, learning: learning, learningRate: 0.005,
                pseudoDerivative: PseudoDerivative(surrogate: .triangular(halfWidth: p.vThreshold)))
            let before = try trainer.evaluate(indices: trials) { task.trial(seed: 1, index: $0) }
            for _ in 0..<15 { _ = try trainer.step(indices: trials) { task.trial(seed: 1, index: $0) } }
            let after = try trainer.evaluate(indices: trials) { task.trial(seed: 1, index: $0) }
            #expect(after.loss < 0.9 * before.loss, "\(learning.name): \(before.loss) → \(after.loss)")
        }
    }

    @Test("On evidence-accumulation trials BPTT's gradient explodes at dampening 0.3 and not at 0.1 (docs/eprop.md); e-prop's stays small")
    func bpttExplodesAtPaperDampening() throws {
        let task = EvidenceAccumulationTask()
        var net = try RecurrentSNN(inputs: task.inputs, regular: 50, adaptive: 50, outputs: 2)
        net.initialize(seed: 1)
        func inputGradientNorm(_ learning: RecurrentTrainer.Learning, dampening: Double) throws -> Double {
            let trainer = try RecurrentTrainer(
                network: net, learning: learning, learningRate: 1e-3,
                pseudoDerivative: PseudoDerivative(surrogate: .triangular(halfWidth: 0.6), dampening: dampening))
            var g = RecurrentGradient(net)
            for i in 0..<4 { _ = try trainer.gradient(task.trial(seed: 3, index: i), into: &g) }
            return g.input.reduce(0) { $0 + $1 * $1 }.squareRoot()
        }
        let eprop = try inputGradientNorm(.eprop(.symmetric), dampening: 0.3)
        let exploding = try inputGradientNorm(.bptt, dampening: 0.3), tame = try inputGradientNorm(.bptt, dampening: 0.1)
        print("input-weight gradient norms: e-prop 0.3 \(eprop), BPTT 0.3 \(exploding), BPTT 0.1 \(tame)")
        #expect(eprop > 0.1 && eprop < 10)
        #expect(exploding > 1e10 * eprop)
        #expect(tame < 10 * eprop)
    }

    @Test("Evidence accumulation: 2250 ms, the label is the majority side, cues in their slots")
    func evidenceTask() {
        let task = EvidenceAccumulationTask()
        #expect(task.steps == 2250)
        for index in 0..<20 {
            let t = task.trial(seed: 7, index: index)
            #expect(t.windows == [.init(steps: 2100..<2250, label: t.windows[0].label)])
            var left = 0, right = 0, recallBefore = 0
            for (n, step) in t.input.spikes.enumerated() {
                for i in step {
                    let t = Double(n), slotTime = (t - 50).truncatingRemainder(dividingBy: 150)
                    switch i / 10 {
                    case 0, 1:
                        #expect(t >= 50 && t < 1100 && slotTime < 100, "cue spike at \(n) ms")
                        if i / 10 == 0 { left += 1 } else { right += 1 }
                    case 2: if n < 2100 { recallBefore += 1 }
                    default: break
                    }
                }
            }
            #expect(recallBefore == 0)
            // Each cue gives ≈ 40 spikes (10 neurons × 40 Hz × 100 ms): the side with more spikes
            // is the side with more cues unless counts are close.
            if abs(left - right) > 60 { #expect(t.windows[0].label == (right > left ? 1 : 0)) }
        }
        #expect(task.trial(seed: 7, index: 3).input == task.trial(seed: 7, index: 3).input)
    }

    @Test("Store-recall: each recall window asks for the bit of the latest store")
    func storeRecallTask() {
        let task = StoreRecallTask()
        for index in 0..<30 {
            let t = task.trial(seed: 5, index: index)
            #expect(!t.windows.isEmpty)
            var stored: Int? = nil
            for k in 0..<task.periods {
                let range = (k * 200)..<((k + 1) * 200)
                var counts = [0, 0, 0, 0]
                for n in range { for i in t.input.spikes[n] { counts[Int(i) / 10] += 1 } }
                if let w = t.windows.first(where: { $0.steps == range }) {
                    #expect(counts[0] == 0 && counts[1] == 0 && counts[3] > 0)
                    #expect(w.label == stored)
                } else if counts[2] > 0 {
                    stored = counts[1] > counts[0] ? 1 : 0
                }
            }
        }
    }

    @Test("Sequential MNIST: one up spike per level crossed, the cue in the recall window")
    func sequentialMNIST() throws {
        var pixels = [UInt8](repeating: 0, count: 784)
        pixels[10] = 255
        pixels[11] = 128
        let task = try SequentialMNISTTask(images: IDXImages(count: 1, rows: 28, columns: 28, pixels: pixels), labels: [7])
        let t = task.trial(index: 0)
        #expect(t.steps == 840 && t.windows == [.init(steps: 784..<840, label: 7)])
        let up: [Int32] = (0..<40).map { Int32(2 * $0) }
        let downFromTop: [Int32] = (20..<40).map { Int32(2 * $0 + 1) }
        let downToZero: [Int32] = (0..<20).map { Int32(2 * $0 + 1) }
        #expect(t.input.spikes[10] == up)
        #expect(t.input.spikes[11] == downFromTop)
        #expect(t.input.spikes[12] == downToZero)
        #expect(t.input.spikes[800] == [80])
        #expect(throws: VolleyError.self) { try SequentialMNISTTask(images: IDXImages(count: 1, rows: 28, columns: 28, pixels: pixels), labels: [10]) }
    }

    @Test("Bad parameters are refused with the value named")
    func refusals() throws {
        var p = RecurrentSNN.Parameters()
        p.tauAdapt = -1
        #expect(throws: VolleyError.invalidParameter(name: "tauAdapt", value: "-1.0", reason: "must be finite and > 0")) {
            try RecurrentSNN(inputs: 2, regular: 1, adaptive: 1, outputs: 2, parameters: p)
        }
        #expect(throws: VolleyError.self) { try RecurrentSNN(inputs: 2, regular: 0, adaptive: 0, outputs: 2) }
        let net = try network()
        #expect(throws: VolleyError.self) {
            try RecurrentTrainer(network: net, learning: .bptt, learningRate: .nan, pseudoDerivative: PseudoDerivative(surrogate: .triangular(halfWidth: 1)))
        }
        #expect(throws: VolleyError.self) {
            try RecurrentTrainer(network: net, learning: .eprop(.random([1, 2])), learningRate: 0.01, pseudoDerivative: PseudoDerivative(surrogate: .triangular(halfWidth: 1)))
        }
        let trainer = try RecurrentTrainer(network: net, learning: .bptt, learningRate: 0.01, pseudoDerivative: PseudoDerivative(surrogate: .triangular(halfWidth: 1)))
        var g = RecurrentGradient(net)
        #expect(throws: VolleyError.indexOutOfRange(index: 9, count: 4, context: "input spike at step 0")) {
            _ = try trainer.gradient(RecurrentTrial(input: STBPInput(spikes: [[9]]), windows: [], steps: 3), into: &g)
        }
    }
}
