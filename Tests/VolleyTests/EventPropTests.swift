import Foundation
import Testing

@testable import Volley

/// EventProp: exact gradients of weights and delays against central finite differences.
@Suite("EventProp exact gradients")
struct EventPropTests {
    static let hidden = LIFExp(tauM: 10, tauSynExc: 5, tauSynInh: 5, vRest: 0, vReset: 0, vThreshold: 1, tRef: 0)

    static func network(loss: EventPropLoss, recurrent: Bool = false, seed: UInt64 = 3, weightMean: Double = 1.5) -> EventPropNetwork {
        EventPropNetwork.layered(
            inputSize: 4, hidden: [6], outputs: 3, hiddenModel: hidden, readoutModel: hidden,
            readoutSpiking: loss.readoutSpikes, recurrent: recurrent, weightMean: weightMean, weightStd: 1.2,
            delay: 0.5, delaySpread: 2.5, seed: seed)
    }

    static let inputs: [[Double]] = [[1, 9], [2.5, 12], [4, 6.5], [0.5]]

    /// Worst relative difference between the gradient and Richardson-extrapolated central
    /// differences (f′ ≈ (4·D(h/2) − D(h))/3, D(k) = (f(x+k) − f(x−k))/2k, error O(h⁴)) over every
    /// weight and delay whose perturbations leave all spike counts unchanged.
    static func worstError(
        _ net: EventPropNetwork, loss: EventPropLoss, label: Int = 1, T: Double = 40, h: Double = 1e-4, spikeTimeCost: [Double] = []
    ) throws -> (error: Double, checked: Int, spikes: [Int]) {
        func run(_ net: EventPropNetwork, gradient: Bool) throws -> EventPropResult {
            try EventPropRunner(net).run(inputs: inputs, label: label, duration: T, loss: loss, spikeTimeCost: spikeTimeCost, gradient: gradient)
        }
        let base = try run(net, gradient: true)
        var worst = 0.0, checked = 0
        for p in net.projections.indices {
            for s in 0..<net.projections[p].count {
                for delay in [false, true] {
                    let g = delay ? base.delayGradients[p][s] : base.weightGradients[p][s]
                    var values: [Double] = []
                    var sameSpikes = true
                    for step in [h, -h, h / 2, -h / 2] {
                        var moved = net
                        if delay { moved.projections[p].delays[s] += step } else { moved.projections[p].weights[s] += step }
                        let r = try run(moved, gradient: false)
                        sameSpikes = sameSpikes && r.spikeCounts == base.spikeCounts
                        values.append(r.loss + r.regularisation)
                    }
                    guard sameSpikes else { continue }
                    let fd = (4 * (values[2] - values[3]) / h - (values[0] - values[1]) / (2 * h)) / 3
                    let error = abs(g - fd) / max(abs(fd), abs(g), 1e-3)
                    worst = max(worst, error)
                    checked += 1
                }
            }
        }
        return (worst, checked, base.spikeCounts)
    }

    @Test("Weights and delays, max-potential readout: the gradient equals central finite differences")
    func maxPotentialGradient() throws {
        let r = try Self.worstError(Self.network(loss: .maxPotential), loss: .maxPotential)
        print("max potential: worst \(r.error) over \(r.checked), spikes \(r.spikes)")
        #expect(r.spikes[0] > 3 && r.checked > 40)
        #expect(r.error < 1e-6)
    }

    @Test("Max-potential readout whose maxima lie at inhibitory arrivals (corners of V): the delays move the maxima")
    func maximumAtCorner() throws {
        var net = Self.network(loss: .maxPotential)
        // Hidden → readout: excitation from even, inhibition from odd hidden neurons, so that
        // inhibitory arrivals cut the readout potentials' rise.
        net.projections[1].weights = net.projections[1].pre.indices.map { s in
            net.projections[1].pre[s] % 2 == 0 ? 2.0 + 0.01 * Double(s) : -1.2 - 0.01 * Double(s)
        }
        let r = try Self.worstError(net, loss: .maxPotential)
        print("max potential at corners: worst \(r.error) over \(r.checked), spikes \(r.spikes)")
        #expect(r.spikes[0] > 3 && r.checked > 40)
        #expect(r.error < 1e-6)
    }

    @Test("Mean-potential readout and a recurrent hidden layer")
    func meanPotentialRecurrent() throws {
        let r = try Self.worstError(Self.network(loss: .meanPotential, recurrent: true), loss: .meanPotential)
        print("mean potential, recurrent: worst \(r.error) over \(r.checked), spikes \(r.spikes)")
        #expect(r.spikes[0] > 3 && r.checked > 40)
        #expect(r.error < 1e-6)
    }

    /// (recurrent hidden layer, loss): the first-spike loss's spiking readout is regularised too.
    static let regulariserCases: [(Bool, EventPropLoss)] = [
        (false, .maxPotential), (true, .meanPotential), (false, .firstSpike(tau0: 2, tau1: 20, alpha: 0.01)),
    ]

    @Test("Spike-count regulariser: Σ cⱼ·tⱼₖ over spikes and cⱼ·(θ − max V) of silent neurons, differentiated exactly", arguments: regulariserCases)
    func regulariserGradient(recurrent: Bool, loss: EventPropLoss) throws {
        let net = Self.network(loss: loss, recurrent: recurrent, weightMean: 1.2)
        let regulated = loss.readoutSpikes ? 9 : 6
        let runner = try EventPropRunner(net)
        _ = try runner.run(inputs: Self.inputs, label: 1, duration: 40, loss: loss, gradient: false)
        var counts = [Double](repeating: 0, count: 9)
        runner.addSpikeCounts(to: &counts)
        let hiddenCounts = counts.prefix(6)
        #expect(hiddenCounts.contains(0) && hiddenCounts.contains { $0 > 0 }, "both silent and firing hidden neurons: \(hiddenCounts)")
        // Silent neurons pushed up, firing ones later.
        let regulariser = EventPropRegulariser(lowerTarget: 0.5, lowerStrength: 0.4, upperTarget: 0.5, upperStrength: 0.3)
        let cost = counts.enumerated().map { $0.offset < regulated ? regulariser.coefficient(meanCount: $0.element) : 0 }
        let r = try runner.run(inputs: Self.inputs, label: 1, duration: 40, loss: loss, spikeTimeCost: cost, gradient: false)
        let spikeTerm = try runner.run(inputs: Self.inputs, label: 1, duration: 40, loss: loss,
            spikeTimeCost: cost.enumerated().map { counts[$0.offset] == 0 ? 0 : $0.element }, gradient: false)
        #expect(r.regularisation != spikeTerm.regularisation, "the silent neurons' maxima enter the loss")
        if loss.readoutSpikes {
            let hiddenOnly = try runner.run(inputs: Self.inputs, label: 1, duration: 40, loss: loss,
                spikeTimeCost: cost.enumerated().map { $0.offset < 6 ? $0.element : 0 }, gradient: false)
            #expect(r.regularisation != hiddenOnly.regularisation, "the silent readout neurons' maxima enter the loss")
        }
        let check = try Self.worstError(net, loss: loss, spikeTimeCost: cost)
        print("regulariser (recurrent \(recurrent), \(loss)): worst \(check.error) over \(check.checked), spikes \(check.spikes)")
        #expect(check.checked > 40)
        #expect(check.error < 1e-6)
    }

    @Test("First-spike-time loss on a spiking readout")
    func firstSpikeGradient() throws {
        let loss = EventPropLoss.firstSpike(tau0: 2, tau1: 20, alpha: 0.01)
        let r = try Self.worstError(Self.network(loss: loss, weightMean: 3), loss: loss)
        print("first spike: worst \(r.error) over \(r.checked), spikes \(r.spikes)")
        #expect(r.spikes[1] >= 3 && r.checked > 30)
        #expect(r.error < 1e-6)
    }
}

/// EventProp's training, model file, time-stepped re-run and refusals.
@Suite("EventProp training and files")
struct EventPropTrainingTests {
    static func yinYang(_ n: Int, seed: UInt32) -> [EventPropTrainer.Sample] {
        let d = YinYangDataset(size: n, seed: seed)
        return (0..<n).map { EventPropTrainer.Sample(inputs: YinYangDataset.encode(d.features[$0], tMin: 0, tMax: 30, tBias: 0), label: d.labels[$0]) }
    }

    static func network(hidden: Int = 40) -> EventPropNetwork {
        let lif = LIFExp(tauM: 20, tauSynExc: 5, tauSynInh: 5, vRest: 0, vReset: 0, vThreshold: 1, tRef: 0)
        return EventPropNetwork.layered(
            inputSize: 5, hidden: [hidden], outputs: 3, hiddenModel: lif, readoutModel: lif, readoutSpiking: false,
            weightMean: 4, weightStd: 4, delay: 1, seed: 2)
    }

    @Test("Adam on the exact gradients learns Yin-Yang: validation accuracy rises from chance to > 60 % in 5 epochs of 300 samples")
    func learns() throws {
        let train = Self.yinYang(300, seed: 42), validation = Self.yinYang(200, seed: 41)
        var trainer = try EventPropTrainer(network: Self.network(hidden: 30), loss: .maxPotential, duration: 60, learningRate: 1e-2)
        let before = try trainer.evaluate(validation).accuracy
        for _ in 0..<5 {
            for b in stride(from: 0, to: train.count, by: 20) { _ = try trainer.step(Array(train[b..<(b + 20)])) }
        }
        let after = try trainer.evaluate(validation).accuracy
        #expect(before < 0.5 && after > 0.6, "validation accuracy \(before) → \(after)")
    }

    @Test("Learned delays move, stay ≥ the minimum delay, and the loss falls")
    func learnsDelays() throws {
        let train = Self.yinYang(200, seed: 42)
        var trainer = try EventPropTrainer(network: Self.network(hidden: 20), loss: .maxPotential, duration: 60, learningRate: 1e-3, learnDelays: true, delayLearningRate: 0.5)
        let first = try trainer.step(train).loss
        for _ in 0..<30 { _ = try trainer.step(train) }
        let last = try trainer.step(train).loss
        let delays = trainer.network.projections.flatMap(\.delays)
        #expect(last < first, "loss \(first) → \(last)")
        #expect(delays.contains { $0 != 1 } && delays.allSatisfy { $0 >= trainer.network.minimumDelay })
    }

    @Test("The model file round trip is lossless: same weights, delays and results")
    func modelFile() throws {
        let net = Self.network(hidden: 10)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("eventprop-\(UInt64.random(in: 0...UInt64.max)).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let code = EventPropModelFile.InputCode(task: "yinyang", tMinMs: 0, tMaxMs: 30, tBiasMs: 0)
        try EventPropModelFile(network: net, loss: .maxPotential, duration: 60, inputCode: code, seed: 2, epochs: 1).write(to: path)
        let (loaded, loss, duration) = try EventPropModelFile.read(from: path).model(source: path)
        #expect(loaded.projections.map(\.weights) == net.projections.map(\.weights))
        #expect(loaded.projections.map(\.delays) == net.projections.map(\.delays) && loss == .maxPotential && duration == 60)
        let sample = Self.yinYang(1, seed: 40)[0]
        #expect(try loaded.run(inputs: sample.inputs, label: sample.label, duration: 60, loss: loss).logits
            == net.run(inputs: sample.inputs, label: sample.label, duration: 60, loss: loss).logits)
        // A corrupt file: a delay ≤ 0 is named with the file.
        var text = try String(contentsOfFile: path, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"format\"", with: "\"formatX\"")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        #expect { try EventPropModelFile.read(from: path) } throws: { "\($0)".contains(path) }
    }

    @Test("The time-stepped engine's readout maxima converge to the event-driven engine's as dt shrinks")
    func steppedConverges() throws {
        let net = Self.network(hidden: 20), sample = Self.yinYang(1, seed: 40)[0]
        let exact = try net.run(inputs: sample.inputs, label: sample.label, duration: 45, loss: .maxPotential, gradient: false).logits
        let errors = try [0.1, 0.01].map { dt in
            zip(try net.steppedLogits(inputs: sample.inputs, duration: 45, loss: .maxPotential, dt: dt), exact).map { abs($0 - $1) }.max()!
        }
        #expect(errors[1] < errors[0] / 3 && errors[1] < 0.05, "\(errors)")
    }

    @Test("Bad input is refused with the value named")
    func refusals() throws {
        let net = Self.network(hidden: 4)
        #expect { try EventPropTrainer(network: net, loss: .maxPotential, duration: 60, learningRate: .nan) } throws: { "\($0)".contains("learningRate") }
        #expect { try net.run(inputs: [[1], [], [], [], []], label: 3, duration: 60, loss: .maxPotential) } throws: { "\($0)".contains("label") }
        #expect { try net.run(inputs: [[1], [], [], [], []], label: 0, duration: 60, loss: .firstSpike(tau0: 1, tau1: 1, alpha: 0)) } throws: { "\($0)".contains("spiking readout") }
        var bad = net
        bad.projections[0].delays[0] = -1
        #expect { try bad.validate() } throws: { "\($0)".contains("delay 0") && "\($0)".contains("-1") }
        bad = net
        bad.layers[0].model.tRef = 2
        #expect { try bad.validate() } throws: { "\($0)".contains("tRef") }
    }
}
