import Foundation
import Testing
import Volley

/// The code of README.md and docs/api.md, compiled and run here. `documentedCodeIsTested` checks
/// that every ```swift block of those files appears line for line in this file, so a snippet
/// that stops compiling, or drifts from the tested copy, fails the suite.
@Suite struct DocSnippetTests {
    @Test("README: the first network fires, and its spikes are printed")
    func readme() throws {
        var net = Network()
        let input = try net.addPoissonSource("input", rates: Array(repeating: 20, count: 100), seed: 1)  // Hz
        let neurons = try net.addPopulation("lif", size: 50, model: LIFExp(tauM: 20, tauSynExc: 5))   // ms, mV
        try net.connect(input, to: neurons, pattern: .fixedProbability(0.2),
                        weight: .uniform(0, 20), delay: .constant(1), receptor: Receptor.excitatory, seed: 2)

        let sim = try EventDrivenSimulator(network: net)      // or TimeSteppedSimulator(network: net, dt: 0.1)
        try sim.run(until: 1000)                              // ms
        let (cells, times) = try sim.spikes(of: neurons)      // local neuron indices, spike times (ms)
        print("\(times.count) spikes; the first: neuron \(cells.first ?? 0) at \(times.first ?? .nan) ms")
        print(sim.report().summary)

        #expect(times.count > 500 && times.count < 5000, "\(times.count) spikes")
        #expect(Set(cells).count > 40)
        #expect(sim.report().populations[1].spikes == times.count)
    }

    @Test("API guide: networks as files")
    func networkFiles() throws {
        var files = Network()
        let noise = try files.addPoissonSource("noise", rates: [Double](repeating: 30, count: 50), seed: 3)
        let cells = try files.addPopulation("cells", size: 20, model: LIFExp(tauM: 20, tauSynExc: 5),
                                            initialPotentials: InitialPotentials.uniform(low: -70, high: -56, seed: 4))
        try files.connect(noise, to: cells, pattern: .fixedInDegree(10), weight: .uniform(8, 14), delay: .constant(1), seed: 5)
        var experiment = Experiment(network: files)                  // + recording, run (duration, engine, dt, seed, threads)
        experiment.run.durationMs = 500
        let text = try experiment.file().encoded()                   // or .write(to: "network.json")
        let again = try Experiment(file: NetworkFile.decode(text, source: "network.json"), source: "network.json")
        // again.network gives the same spikes; `volley run network.json` runs it without Swift

        #expect(try again.file().encoded() == text)
        let (a, b) = (try EventDrivenSimulator(network: files), try EventDrivenSimulator(network: again.network))
        try a.run(until: 500)
        try b.run(until: 500)
        #expect(try a.spikes(of: cells).times == b.spikes(of: again.network.population(named: "cells")!).times)
        #expect(try a.spikeCount(of: cells) > 20)
    }

    @Test("API guide: ANN→SNN conversion, rate and time-to-first-spike")
    func conversion() throws {
        var ann = try ReLUNetwork(layerSizes: [784, 100, 10])        // no biases; .convolution / .averagePooling layers too
        ann.initialize(seed: 1)                                      // then ReLUTrainer(network:learningRate:batch:).epoch(…)
        let images: [[Double]] = (0..<20).map { i in (0..<784).map { Double(($0 * 7 + i) % 11) / 10 } }
        let scales = try ActivationScales.measure(ann, method: .maximum, count: images.count) { images[$0] }
        let rate = try RateConversion(normalized: scales.normalized(ann), reset: .bySubtraction, input: .current)
        let counts = rate.run(images[0], index: 0, checkpoints: [10, 100])   // class scores after 10 and 100 steps
        let ttfs = try TTFSConversion(normalized: scales.normalized(ann), window: 1, delay: 0.1)
        let first = ttfs.evaluate(images[0])                        // closed form: decision, every spike time
        let (spiking, layers) = try ttfs.engineNetwork()            // the same TTFS network for the engines

        #expect(counts.scores.count == 2 && counts.spikes[1] > counts.spikes[0])
        #expect(!first.clipped && first.decision == STBPNetwork.decision(ann.activations(images[0])[2]))
        #expect(spiking.populations.count == 3 && layers.count == 3)
    }

    @Test("API guide: building a network, inputs and connections")
    func building() throws {
        var net = Network()
        // Three kinds of input: Poisson processes, fixed spike trains, and trains set per run.
        let noise = try net.addPoissonSource("noise", rates: [5, 5, 10, 10], seed: 7)           // Hz
        let cue = try net.addSpikeSource("cue", trains: [[10, 20.5], [], [15]])                 // ms
        let stimulus = try net.addSpikeSource("stimulus", size: 2)
        // Neurons: a model (its parameters in ms and mV) and, optionally, initial potentials.
        let exc = try net.addPopulation(
            "exc", size: 4, model: LIFExp(tauM: 20, tauSynExc: 5, tauSynInh: 10, vThreshold: -50),
            initialPotentials: [-70, -65, -60, -55])
        let inh = try net.addPopulation("inh", size: 2, model: LIFDelta(tauM: 10))
        // Connections: a pattern, weights (mV) and delays (ms), the target's receptor port.
        try net.connect(noise, to: exc, pattern: .oneToOne, weight: .constant(80), delay: .constant(1))
        try net.connect(cue, to: exc, pattern: .fixedProbability(0.5), weight: .uniform(40, 60),
                        delay: .uniform(1, 3), seed: 3)
        try net.connect(stimulus, to: exc, pattern: .allToAll(), weight: .normal(mean: 60, standardDeviation: 5),
                        delay: .constant(0.5), seed: 4)
        try net.connect(exc, to: inh, pattern: .fixedInDegree(2), weight: .constant(10), delay: .constant(1), seed: 5)
        // An explicit synapse list: inh neuron 0 inhibits exc neurons 0 and 1 (receptor 1).
        try net.connect(inh, to: exc, synapses: [
            Synapse(source: 0, target: 0, weight: -20, delay: 1),
            Synapse(source: 0, target: 1, weight: -20, delay: 2),
        ], receptor: Receptor.inhibitory)
        print("\(net.neuronCount) neurons, \(net.synapseCount) synapses")

        let sim = try EventDrivenSimulator(network: net)
        try sim.setSpikeTrains([[5], [5, 6]], for: stimulus)
        try sim.run(until: 100)
        print(try sim.spikeCounts(of: exc), try sim.spikeCount(of: inh))

        #expect(net.neuronCount == 4 + 3 + 2 + 4 + 2)
        #expect(try sim.spikeCount(of: stimulus) == 3)
        #expect(try sim.spikeCount(of: exc) > 0)
    }

    @Test("API guide: convolution and pooling as connectivity with a shared kernel")
    func convolutionSnippet() throws {
        var cnn = Network()
        let image = try cnn.addSpikeSource("image", size: 1 * 8 * 8)
        let conv = ConvolutionGeometry(inputChannels: 1, inputHeight: 8, inputWidth: 8, outputChannels: 2,
                                       kernelSize: 3, padding: 1)                       // 2 × 8 × 8 outputs
        let features = try cnn.addPopulation("features", size: conv.outputSize,
                                             model: LIFDelta(tauM: 5, vRest: 0, vReset: 0, vThreshold: 1, tRef: 0))
        let kernel = (0..<conv.kernelCount).map { Double($0 % 3) * 0.5 }              // 18 shared weights, mV
        let c = try cnn.connect(image, to: features, convolution: conv, kernel: kernel, delay: 1)
        let pool = PoolingGeometry(channels: 2, inputHeight: 8, inputWidth: 8, size: 2)  // 2 × 4 × 4
        let pooled = try cnn.addPopulation("pooled", size: pool.outputSize,
                                           model: LIFDelta(tauM: 5, vRest: 0, vReset: 0, vThreshold: 1, tRef: 0))
        try cnn.connect(features, to: pooled, pooling: pool, weight: 1, delay: 1)     // max of spikes
        let weights = try cnn.projection(c).weights
        print(weights.layoutName, weights.memoryBytes, "bytes for", try cnn.projection(c).synapseCount, "synapses")

        #expect(weights.layoutName == "shared")
        // 2 channels × 8 × 8 outputs, each from up to 9 inputs: 2·(6·6·9 + 4·6·6 + 4·4) synapses.
        #expect(try cnn.projection(c).synapseCount == 2 * (36 * 9 + 24 * 6 + 4 * 4))
        #expect(weights.memoryBytes == 18 * 8 + 4 * (try cnn.projection(c).synapseCount))
        let sim = try TimeSteppedSimulator(network: cnn, dt: 1)
        try sim.setSpikeTrains((0..<64).map { [Double($0 % 5)] }, for: image)
        try sim.run(until: 10)
        #expect(try sim.spikeCount(of: pooled) > 0)
    }

    @Test("API guide: running either engine, recording, reading spikes, potentials and the report")
    func runningAndRecording() throws {
        var net = Network()
        let drive = try net.addPoissonSource("drive", rates: Array(repeating: 50, count: 20), seed: 1)
        let cells = try net.addPopulation("cells", size: 10, model: LIFExp(tauM: 20, tauSynExc: 5))
        try net.connect(drive, to: cells, pattern: .fixedProbability(0.5), weight: .constant(12), delay: .constant(1), seed: 2)

        for sim in [try EventDrivenSimulator(network: net) as Simulator,
                    try TimeSteppedSimulator(network: net, dt: 0.1, recording: .only([cells]))] {
            try sim.recordPotentials(of: cells, neurons: [0, 1], every: 0.5)   // before running
            let outcome = try sim.run(until: 200, stopWhen: .spikeCount(20, in: cells))
            try sim.run(until: 500)                                            // runs continue
            let (neurons, times) = try sim.spikes(of: cells)
            let trace = sim.stateRecordings[0]                                 // times, potentials[k][j]
            let report = sim.report()
            print(outcome, neurons.count, times.last ?? 0, trace.times.count, trace.potentials[0].count)
            print(report.meanRateHz, report.sparsity, report.spikesPerNeuron, report.synapticEvents)
            sim.reset()                                                        // back to t = 0

            #expect(outcome != .reachedTime(200))
            #expect(neurons.count == times.count && times.count > 20)
            #expect(trace.times.count == 1001 && trace.potentials[1].count == 1001)
            #expect(report.sparsity > 0 && report.sparsity < 1)
            #expect(sim.time == 0)
        }
    }

    @Test("API guide: a three-population STDP experiment in both engines")
    func stdpExperiment() throws {
        // Poisson input → excitatory LIF neurons with plastic (STDP) input synapses → inhibitory
        // neurons that feed back onto the excitatory ones.
        var net = Network()
        let input = try net.addPoissonSource("input", rates: Array(repeating: 15, count: 200), seed: 11)
        let exc = try net.addPopulation("exc", size: 40, model: LIFExp(tauM: 20, tauSynExc: 5, tauSynInh: 10))
        let inh = try net.addPopulation("inh", size: 10, model: LIFExp(tauM: 10, tauSynExc: 5))
        let plastic = try net.connect(input, to: exc, pattern: .fixedProbability(0.25),
                                      weight: .uniform(0, 8), delay: .constant(1), seed: 12)
        try net.connect(exc, to: inh, pattern: .fixedProbability(0.5), weight: .constant(20), delay: .constant(1), seed: 13)
        try net.connect(inh, to: exc, pattern: .allToAll(), weight: .constant(-4), delay: .constant(1),
                        receptor: Receptor.inhibitory)
        // Additive all-to-all STDP (mV; τ in ms) keeping weights in [0, 8] mV.
        let rule = STDPRule(tauPlus: 16.8, tauMinus: 33.7, aPlus: 0.05, aMinus: 0.06, pairing: .allToAll,
                            dependence: .additive, wMin: 0, wMax: 8)
        try net.setPlasticity(.stdp(rule), for: plastic)

        let before = try net.projection(plastic).weights.array
        for sim in [try EventDrivenSimulator(network: net) as Simulator, try TimeSteppedSimulator(network: net, dt: 0.1)] {
            try sim.run(until: 2000)
            let after = try sim.weights(of: plastic)                 // each simulator learns on its own copy
            let meanChange = zip(after, before).map { $0 - $1 }.reduce(0, +) / Double(after.count)
            let report = sim.report()
            print("\(report.engine): exc \(report.populations[1].meanRateHz) Hz, inh \(report.populations[2].meanRateHz) Hz, "
                  + "mean weight change \(meanChange) mV, \(sim.plasticityUpdates) plasticity updates")

            #expect(report.populations[1].spikes > 100 && report.populations[2].spikes > 10)
            #expect(after.allSatisfy { $0 >= 0 && $0 <= 8 } && after != before)
            #expect(sim.plasticityUpdates > 0)
        }
    }

    @Test("API guide: typed errors name the offending value")
    func errors() throws {
        var net = Network()
        let a = try net.addPopulation("a", size: 3, model: LIFExp())
        do {
            try net.connect(a, to: a, pattern: .oneToOne, weight: .constant(1), delay: .constant(-1))
        } catch let error as VolleyError {
            print(error)   // invalid delay -1.0 ms (…): names the value and the projection
        }
        var other = Network()
        let foreign = try other.addPopulation("b", size: 3, model: LIFExp())
        let sim = try EventDrivenSimulator(network: net)
        #expect(throws: VolleyError.self) { try sim.spikes(of: foreign) }   // an id of another network

        #expect(throws: VolleyError.self) {
            try net.connect(a, to: a, pattern: .oneToOne, weight: .constant(1), delay: .constant(-1))
        }
    }

    // MARK: The documents' code blocks are these

    /// Every ```swift block of README.md and docs/api.md, line by line (indentation, blank lines
    /// and `import` lines aside), must appear as consecutive lines of this file, where this file's
    /// `#expect` lines (the tests' assertions, not part of the documented code) are skipped.
    @Test("API guide: event-camera input, synthetic saccades into the event-driven engine")
    func eventCamera() throws {
        let digit = (0..<784).map { i in (8..<20).contains(i % 28) && (6..<22).contains(i / 28) ? 1.0 : 0.0 }
        let recording = try SaccadeEvents().events(image: digit, rows: 28, columns: 28, seed: 1)
        print("\(recording.count) events (\(recording.onCount) ON) over \(recording.timeRange!) µs")

        var net = Network()
        let retina = try net.addSpikeSource("retina", trains: recording.spikeTrains())
        let layer = try net.addPopulation("layer", size: 10, model: LIFExp(tauM: 20, tauSynExc: 5))
        try net.connect(retina, to: layer, pattern: .fixedProbability(0.1), weight: .uniform(0, 10),
                        delay: .constant(1), seed: 3)
        let sim = try EventDrivenSimulator(network: net)
        try sim.run(until: 320)
        print(try sim.spikeCounts(of: layer), "peak", sim.peakSpikesPerStep, "spikes in 1 ms")

        #expect(recording.count > 500 && recording.onCount > 100)
        #expect(try sim.spikeCount(of: layer) > 0)
        #expect(sim.peakSpikesPerStep >= 1 && sim.peakSpikesPerStep <= 10)
        #expect(try sim.spikeCount(of: retina) == recording.count)
    }

    @Test("API guide: a recurrent adaptive network trained by e-prop, exported to the engines")
    func eprop() throws {
        let task = EvidenceAccumulationTask()          // or StoreRecallTask(), SequentialMNISTTask(images:labels:)
        var net = try RecurrentSNN(inputs: task.inputs, regular: 10, adaptive: 10, outputs: task.outputs)
        net.initialize(seed: 1)
        var trainer = try RecurrentTrainer(
            network: net, learning: .eprop(.symmetric),   // .bptt, .eprop(.random(for: net, seed: 1))
            learningRate: 5e-3, pseudoDerivative: PseudoDerivative(surrogate: .triangular(halfWidth: 0.6), dampening: 0.3))
        for k in 0..<2 {                                  // examples/eprop: hundreds of batches of 32
            _ = try trainer.step(indices: Array((8 * k)..<(8 * k + 8))) { task.trial(seed: 1, index: $0) }
        }
        let test = try trainer.evaluate(indices: Array(0..<16)) { task.trial(seed: 2, index: $0) }
        print(test.accuracy, test.spikes)
        let (network, populations) = try trainer.network.engineNetwork()   // the same network for the engines

        #expect(test.windows == 16 && test.spikes > 0)
        #expect(trainer.network.inputWeights != net.inputWeights)
        #expect(network.populations.count == 4 && populations.adaptive != nil)
    }

    @Test("API guide: EventProp on Yin-Yang, weights and delays")
    func eventprop() throws {
        let data = YinYangDataset.training()           // Kriener et al.'s split, seed 42
        let samples = (0..<64).map {
            EventPropTrainer.Sample(inputs: YinYangDataset.encode(data.features[$0], tMin: 0, tMax: 30, tBias: 0), label: data.labels[$0])
        }
        let lif = LIFExp(tauM: 20, tauSynExc: 5, tauSynInh: 5, vRest: 0, vReset: 0, vThreshold: 1, tRef: 0)
        let net = EventPropNetwork.layered(
            inputSize: 5, hidden: [30], outputs: 3, hiddenModel: lif, readoutModel: lif, readoutSpiking: false,
            weightMean: 4, weightStd: 4, delay: 1, seed: 1)
        var trainer = try EventPropTrainer(network: net, loss: .maxPotential, duration: 60, learningRate: 5e-3, learnDelays: true)
        for k in 0..<2 { _ = try trainer.step(Array(samples[(32 * k)..<(32 * k + 32)])) }   // exact gradients, Adam
        let one = try trainer.network.run(inputs: samples[0].inputs, label: samples[0].label, duration: 60, loss: .maxPotential)
        print(one.loss, one.weightGradients[0][0], one.delayGradients[0][0])   // ∂L/∂w, ∂L/∂d
        let (network, ids) = try trainer.network.makeNetwork(inputs: samples[0].inputs)   // an ordinary Network

        #expect(one.weightGradients[0].contains { $0 != 0 } && one.delayGradients[0].contains { $0 != 0 })
        #expect(trainer.network.projections[0].delays != net.projections[0].delays)
        #expect(network.populations.count == 3 && ids.count == 3)
    }

    @Test("Every Swift block of README.md and docs/api.md is code tested here")
    func documentedCodeIsTested() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let here = try String(contentsOf: URL(fileURLWithPath: #filePath), encoding: .utf8)
        let tested = normalized(here).filter { !$0.hasPrefix("#expect") }
        func isTested(_ lines: [String]) -> Bool {
            tested.indices.contains { start in
                start + lines.count <= tested.count && Array(tested[start..<(start + lines.count)]) == lines
            }
        }
        // The check can fail: one changed value is enough.
        #expect(!isTested(["let sim = try EventDrivenSimulator(network: net)", "try sim.run(until: 1001)"]))
        var blocks = 0
        for document in ["README.md", "docs/api.md"] {
            let text = try String(contentsOf: root.appendingPathComponent(document), encoding: .utf8)
            for block in swiftBlocks(text) {
                blocks += 1
                let lines = normalized(block)
                #expect(!lines.isEmpty)
                #expect(isTested(lines), "\(document): this block is not code of DocSnippetTests.swift:\n\(block)")
            }
        }
        #expect(blocks >= 6, "only \(blocks) Swift blocks found")
    }

    func swiftBlocks(_ markdown: String) -> [String] {
        var blocks: [String] = []
        var current: [Substring]?
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line.trimmingCharacters(in: .whitespaces) == "```swift" {
                current = []
            } else if current != nil, line.trimmingCharacters(in: .whitespaces) == "```" {
                blocks.append(current!.joined(separator: "\n"))
                current = nil
            } else {
                current?.append(line)
            }
        }
        return blocks
    }

    func normalized(_ code: String) -> [String] {
        code.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("import ") }
    }
}
