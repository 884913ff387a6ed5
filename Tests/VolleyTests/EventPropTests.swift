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
    /// weight and delay whose perturbations leave every neuron's spike count and the order of its
    /// spikes among its arrivals unchanged.
    static func worstError(
        _ net: EventPropNetwork, loss: EventPropLoss, label: Int = 1, T: Double = 40, h: Double = 1e-4, spikeTimeCost: [Double] = []
    ) throws -> (error: Double, checked: Int, spikes: [Int]) {
        /// The result and the order of every neuron's events: per neuron, its spike count and, per
        /// spike, the number of its input arrivals before it. The loss is differentiable where
        /// this order holds; a spike passing an arrival at its neuron is a kink.
        func run(_ net: EventPropNetwork, gradient: Bool) throws -> (EventPropResult, [Int]) {
            let runner = try EventPropRunner(net)
            let r = try runner.run(inputs: inputs, label: label, duration: T, loss: loss, spikeTimeCost: spikeTimeCost, gradient: gradient)
            let w = runner.workspace
            var order: [Int] = []
            for n in 0..<w.neuronCount {
                order.append(Int(w.spikeStart[n + 1] - w.spikeStart[n]))
                for s in Int(w.spikeStart[n])..<Int(w.spikeStart[n + 1]) {
                    order.append((Int(w.arrivalStart[n])..<Int(w.arrivalStart[n + 1])).filter { w.arrivalTime[$0] < w.spikeTime[s] }.count)
                }
            }
            return (r, order)
        }
        let (base, baseOrder) = try run(net, gradient: true)
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
                        let (r, order) = try run(moved, gradient: true)  // (every neuron's arrivals replayed)
                        sameSpikes = sameSpikes && order == baseOrder
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
        (false, .maxPotential), (true, .meanPotential), (false, .firstSpike(tau0: 2, tau1: 20, alpha: 0.01)), (true, .spikeCount),
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

    @Test("First-spike loss with the label neuron silent: the missing-label term β·(θ − max V_label), differentiated exactly")
    func missingLabelGradient() throws {
        let plain = EventPropLoss.firstSpike(tau0: 2, tau1: 20, alpha: 0.01)
        let loss = EventPropLoss.firstSpike(tau0: 2, tau1: 20, alpha: 0.01, missing: 0.7)
        // The first network (of a fixed list) whose readout has a silent neuron besides a firing one.
        var found: (net: EventPropNetwork, label: Int)?
        search: for weightMean in [1.5, 2, 2.5, 3] {
            for seed: UInt64 in 1...6 {
                let net = Self.network(loss: plain, seed: seed, weightMean: weightMean)
                let runner = try EventPropRunner(net)
                _ = try runner.run(inputs: Self.inputs, label: 0, duration: 40, loss: plain, gradient: false)
                var counts = [Double](repeating: 0, count: 9)
                runner.addSpikeCounts(to: &counts)
                let readout = Array(counts[6...])
                if let silent = readout.firstIndex(of: 0), readout.contains(where: { $0 > 0 }), counts[..<6].contains(where: { $0 > 0 }) {
                    found = (net, silent)
                    break search
                }
            }
        }
        let (net, label) = try #require(found)
        let runner = try EventPropRunner(net)
        let without = try runner.run(inputs: Self.inputs, label: label, duration: 40, loss: plain)
        let with = try runner.run(inputs: Self.inputs, label: label, duration: 40, loss: loss)
        #expect(without.regularisation == 0 && with.regularisation > 0)
        #expect(with.loss == without.loss, "the term is reported apart from the loss")
        // Without the term nothing reaches the silent label neuron's input weights; with it they move.
        let hiddenToReadout = try #require(net.projections.firstIndex { $0.target == 2 })
        let intoLabel = net.projections[hiddenToReadout].post.indices.filter { net.projections[hiddenToReadout].post[$0] == label }
        #expect(intoLabel.allSatisfy { without.weightGradients[hiddenToReadout][$0] == 0 })
        #expect(intoLabel.contains { with.weightGradients[hiddenToReadout][$0] != 0 })
        let check = try Self.worstError(net, loss: loss, label: label)
        print("missing label spike (label \(label)): worst \(check.error) over \(check.checked), spikes \(check.spikes)")
        #expect(check.checked > 30)
        #expect(check.error < 1e-6)
    }

    @Test("Time-weighted spike-count loss: zₖ = Σ(1 − t/T) over the readout's spikes, every spike's gradient exact", arguments: [(false, 3.0, 3), (true, 1.5, 3)])
    func spikeCountGradient(recurrent: Bool, weightMean: Double, seed: UInt64) throws {
        let net = Self.network(loss: .spikeCount, recurrent: recurrent, seed: seed, weightMean: weightMean)
        let T = 40.0
        let runner = try EventPropRunner(net)
        let r = try runner.run(inputs: Self.inputs, label: 1, duration: T, loss: .spikeCount, gradient: false)
        // The logits from the recorded readout spikes, by the definition.
        let readout = try runner.simulator.spikes(of: runner.ids[2])
        var z = [Double](repeating: 0, count: 3)
        for (j, t) in zip(readout.neurons, readout.times) { z[Int(j)] += 1 - t / T }
        #expect(r.logits == z && readout.neurons.count >= 3 && Set(readout.neurons).count >= 2, "\(r.logits) vs \(z)")
        // h = 10⁻³: every one of the ~100 spikes enters the loss, and their times' rounding
        // (~10⁻¹³ ms) over h = 10⁻⁴ is already ~10⁻⁹ of a gradient; kinks within ±h are skipped.
        let check = try Self.worstError(net, loss: .spikeCount, T: T, h: 1e-3)
        print("spike count (recurrent \(recurrent)): worst \(check.error) over \(check.checked), spikes \(check.spikes)")
        #expect(check.checked > 40)
        #expect(check.error < 1e-6)
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

    @Test("Parameter averaging: weights and learned delays follow a ← d·a + (1 − d)·w update by update; training unchanged")
    func parameterAverage() throws {
        let train = Self.yinYang(40, seed: 42), net = Self.network(hidden: 12), d = 0.7
        func trainer(_ decay: Double) throws -> EventPropTrainer {
            try EventPropTrainer(
                network: net, loss: .maxPotential, duration: 60, learningRate: 1e-2, learnDelays: true, delayLearningRate: 0.5, averageDecay: decay)
        }
        var plain = try trainer(0), averaged = try trainer(d)
        var w = net.projections.map(\.weights), delays = net.projections.map(\.delays)
        for _ in 0..<3 {
            _ = try plain.step(train)
            _ = try averaged.step(train)
            let now = averaged.network
            #expect(now.projections.map(\.weights) == plain.network.projections.map(\.weights))
            #expect(now.projections.map(\.delays) == plain.network.projections.map(\.delays))
            w = w.indices.map { p in w[p].indices.map { d * w[p][$0] + (1 - d) * now.projections[p].weights[$0] } }
            delays = delays.indices.map { p in delays[p].indices.map { d * delays[p][$0] + (1 - d) * now.projections[p].delays[$0] } }
            #expect(averaged.averagedNetwork.projections.map(\.weights) == w)
            #expect(averaged.averagedNetwork.projections.map(\.delays) == delays.map { $0.map { max(now.minimumDelay, $0) } })
            #expect(averaged.averagedNetwork.projections.map(\.weights) != now.projections.map(\.weights))
            #expect(plain.averagedNetwork.projections.map(\.weights) == plain.network.projections.map(\.weights))
        }
        #expect(delays != net.projections.map(\.delays))
        #expect { try trainer(1) } throws: { "\($0)".contains("averageDecay") }
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
        // The count loss: refused on this non-spiking readout, read back on a spiking one.
        try EventPropModelFile(network: net, loss: .spikeCount, duration: 60, inputCode: code).write(to: path)
        #expect { try EventPropModelFile.read(from: path).model(source: path) } throws: { "\($0)".contains(path) && "\($0)".contains("spiking readout") }
        var spiking = net
        spiking.layers[1].spiking = true
        try EventPropModelFile(network: spiking, loss: .spikeCount, duration: 60, inputCode: code).write(to: path)
        #expect(try EventPropModelFile.read(from: path).model(source: path).loss == .spikeCount)
        // The first-spike loss with its missing-label term; a negative β is refused, naming the file.
        for missing in [0.0, 0.25] {
            let ttfs = EventPropLoss.firstSpike(tau0: 0.5, tau1: 6.4, alpha: 0.003, missing: missing)
            try EventPropModelFile(network: spiking, loss: ttfs, duration: 60, inputCode: code).write(to: path)
            #expect(try EventPropModelFile.read(from: path).model(source: path).loss == ttfs)
        }
        try EventPropModelFile(network: spiking, loss: .firstSpike(tau0: 0.5, tau1: 6.4, alpha: 0.003, missing: -1), duration: 60, inputCode: code).write(to: path)
        #expect { try EventPropModelFile.read(from: path).model(source: path) } throws: { "\($0)".contains(path) && "\($0)".contains("missing") }
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

    @Test("A forward-only run (only the readout replayed) gives the same loss, logits and counts as a run with the gradient", arguments: [EventPropLoss.maxPotential, .meanPotential, .spikeCount, .firstSpike(tau0: 2, tau1: 20, alpha: 0.01)])
    func forwardOnly(loss: EventPropLoss) throws {
        let lif = LIFExp(tauM: 20, tauSynExc: 5, tauSynInh: 5, vRest: 0, vReset: 0, vThreshold: 1, tRef: 0)
        let net = EventPropNetwork.layered(
            inputSize: 5, hidden: [20], outputs: 3, hiddenModel: lif, readoutModel: lif, readoutSpiking: loss.readoutSpikes,
            weightMean: 4, weightStd: 4, delay: 1, delaySpread: 2, seed: 2)
        let runner = try EventPropRunner(net)
        for sample in Self.yinYang(5, seed: 40) {
            let a = try runner.run(inputs: sample.inputs, label: sample.label, duration: 60, loss: loss, gradient: false)
            let b = try runner.run(inputs: sample.inputs, label: sample.label, duration: 60, loss: loss, gradient: true)
            #expect(a.loss == b.loss && a.logits == b.logits && a.prediction == b.prediction && a.decisionTime == b.decisionTime)
            #expect(a.spikeCounts == b.spikeCounts && a.synapticEvents == b.synapticEvents && a.spikeCounts[0] > 0)
        }
    }

    @Test("A runner given new weights in place runs and differentiates exactly as one built for them", arguments: [4, 1])
    func runnerWeightsInPlace(inputSize: Int) throws {
        let lif = LIFExp(tauM: 20, tauSynExc: 5, tauSynInh: 5, vRest: 0, vReset: 0, vThreshold: 1, tRef: 0)
        // inputSize 1: every projection holds one synapse, a store the engine keeps as one value
        // (not overwritable in place): the runner rebuilds its network instead.
        let hidden = inputSize == 1 ? 1 : 12
        // Synapses listed last source first, so that the engine's (source-major) weight order
        // differs from the projection's.
        func net(_ seed: UInt64) -> EventPropNetwork {
            var n = EventPropNetwork.layered(
                inputSize: inputSize, hidden: [hidden], outputs: inputSize == 1 ? 1 : 3, hiddenModel: lif, readoutModel: lif, readoutSpiking: false,
                weightMean: 4, weightStd: 4, delay: 1, delaySpread: 2, seed: seed)
            for p in n.projections.indices {
                n.projections[p].pre.reverse()
                n.projections[p].post.reverse()
                n.projections[p].weights.reverse()
                n.projections[p].delays.reverse()
            }
            return n
        }
        var second = net(1)
        let other = net(2)
        for p in second.projections.indices { second.projections[p].weights = other.projections[p].weights }
        let reused = try EventPropRunner(net(1))
        let inputs = (0..<inputSize).map { [Double($0) * 2.5 + 1] }
        let before = try reused.run(inputs: inputs, label: 0, duration: 40, loss: .maxPotential)
        try reused.setWeights(second.projections.map(\.weights))
        let fresh = try EventPropRunner(second)
        let a = try reused.run(inputs: inputs, label: 0, duration: 40, loss: .maxPotential)
        let b = try fresh.run(inputs: inputs, label: 0, duration: 40, loss: .maxPotential)
        #expect(a.logits != before.logits, "the new weights act")
        #expect(a.loss == b.loss && a.logits == b.logits && a.spikeCounts == b.spikeCounts && a.spikeCounts[0] > 0)
        #expect(a.weightGradients == b.weightGradients && a.delayGradients == b.delayGradients)
        // The engine's spikes against a plain simulator of the network built with these weights.
        let (plainNet, ids) = try second.makeNetwork(inputs: inputs)
        let plain = try EventDrivenSimulator(network: plainNet)
        try plain.run(until: 40)
        for k in 1...2 {
            let got = try reused.simulator.spikes(of: reused.ids[k]), want = try plain.spikes(of: ids[k])
            #expect(got.neurons == want.neurons && got.times == want.times)
        }
        // Refusals name the value.
        #expect { try reused.setWeights([[1]]) } throws: { "\($0)".contains("synapses per projection") }
        var bad = second.projections.map(\.weights)
        bad[0][0] = .nan
        #expect { try reused.setWeights(bad) } throws: { "\($0)".contains("projection 0 weight 0") && "\($0)".contains("nan") }
    }

    @Test("Time-weighted spike counts in the time-stepped engine approach the event-driven engine's as dt shrinks")
    func steppedCounts() throws {
        let lif = LIFExp(tauM: 20, tauSynExc: 5, tauSynInh: 5, vRest: 0, vReset: 0, vThreshold: 1, tRef: 0)
        let net = EventPropNetwork.layered(
            inputSize: 5, hidden: [20], outputs: 3, hiddenModel: lif, readoutModel: lif, readoutSpiking: true,
            weightMean: 4, weightStd: 4, delay: 1, seed: 2)
        let sample = Self.yinYang(1, seed: 40)[0]
        let exact = try net.run(inputs: sample.inputs, label: sample.label, duration: 60, loss: .spikeCount, gradient: false).logits
        let errors = try [0.5, 0.1, 0.01].map { dt in
            zip(try net.steppedLogits(inputs: sample.inputs, duration: 60, loss: .spikeCount, dt: dt), exact).map { abs($0 - $1) }.max()!
        }
        // First-order convergence: grid spikes are late by up to dt each.
        #expect(exact.reduce(0, +) > 1 && errors[1] < errors[0] / 3 && errors[2] < errors[1] / 3 && errors[2] < 5e-3, "\(exact) \(errors)")
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
