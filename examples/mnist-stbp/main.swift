// MNIST with spatio-temporal backpropagation (STBP, Wu et al. 2018) through LIF neurons on the
// time grid: a multilayer perceptron or a small convolutional network trained with a surrogate
// gradient, whose trained network is an
// ordinary Volley network — also run spike by spike in the exact event-driven engine and in the
// time-stepped engine at other dt (`--eval-exact`).
//
//   swift run -c release mnist-stbp --data ../shared/datasets/mnist
//   swift run -c release mnist-stbp --data ../shared/datasets/mnist --load model.json --eval-exact 1000

import Foundation
import Volley
import VolleyExamples

/// The layers as "784-c16k5-maxpool2-…-10".
func architecture(_ net: STBPNetwork) -> String { STBPConnection.describe(layerSizes: net.layerSizes, connections: net.connections) }

runExample("mnist-stbp") {
    var cli = CommandOptions(program: "mnist-stbp", summary: "STBP surrogate-gradient training of a LIF multilayer perceptron on MNIST (Wu et al. 2018), checked in both engines")
    cli.option("data", value: "PATH", default: "../shared/datasets/mnist", help: "directory with the four raw MNIST IDX files")
    cli.option("arch", value: "mlp|cnn", default: "mlp", help: "architecture: mlp (784-hidden…-10) or cnn (28×28 → conv k×k C1 → pool 2 → conv k×k C2 → pool 2 → hidden… → 10, 'same' padding)")
    cli.option("hidden", value: "N[,N…]", default: "800 (mlp), 128 (cnn)", help: "hidden dense layer sizes (after the convolutions for cnn; 0 for none)")
    cli.option("channels", value: "C1,C2", default: "16,32", help: "cnn: channels of the two convolutions")
    cli.option("kernel", value: "K", default: "5", help: "cnn: side of the square kernels (odd)")
    cli.option("pool", value: "max|average", default: "max", help: "cnn: pooling layers (max: a neuron that fires iff its 2×2 window fired; average: integrates the window's spikes)")
    cli.option("epochs", value: "N", default: "25 (mlp), 8 (cnn)", help: "training epochs")
    cli.option("batch", value: "N", default: "100", help: "minibatch size")
    cli.option("average", value: "DECAY", default: "0.995 (mlp), 0 (cnn and --quick)", help: "exponential moving average of the weights (and a learned τm), a ← d·a + (1 − d)·w after every update (Polyak averaging; both defaults chosen on validation, docs/stbp.md and docs/stbp-cnn.md); per-epoch evaluation, test and --save use the averaged network; 0: off")
    cli.option("dropout", value: "P", default: "0", help: "dropout rate of the dense hidden layers' spikes in training (one mask per image over all its steps, survivors × 1/(1 − P); Lee et al. 2020); 0: off")
    cli.option("lr", value: "ETA", default: "3e-3", help: "Adam learning rate")
    cli.option("weight-decay", value: "LAMBDA", default: "0", help: "AdamW's decoupled weight decay λ: every update also shrinks the weights by the factor 1 − lr·λ (Loshchilov & Hutter 2019); 0: off")
    cli.option("lr-schedule", value: "cosine|step", default: "cosine (mlp), step (cnn); step with --lr-step or --lr-decay", help: "cosine: lr·½(1 + cos(π·(epoch − 1)/epochs)), annealed towards 0 over the run (Loshchilov & Hutter 2017); step: × --lr-decay every --lr-step epochs")
    cli.option("lr-decay", value: "F", default: "0.5", help: "step schedule: learning rate × F every --lr-step epochs")
    cli.option("lr-step", value: "N", default: "8 (mlp), 3 (cnn)", help: "step schedule: epochs between learning-rate decays")
    cli.option("steps", value: "T", default: "15 (mlp), 10 (cnn and --quick); a loaded model's own", help: "input time steps per image (Bernoulli rate coding: pixel/255 per step)")
    cli.option("eval-steps", value: "T", default: "--steps (a loaded model: the steps it was saved to run with)", help: "input time steps per image when evaluating (held-out accuracy per epoch, test, --eval-exact): a longer inference window than training's averages out more of the input's Bernoulli noise; the latency is T plus the steps the spikes need to cross the network")
    cli.option("latency-curve", value: "T[,T…]", help: "after training (or --load), evaluate the held-out images (validation with --validation, else test) with each number of input steps: accuracy, SynOps and latency per image — the accuracy–latency trade-off")
    cli.option("latency-svg", value: "PATH", help: "with --latency-curve: write the curve (accuracy against latency in ms) as SVG")
    cli.option("dt", value: "MS", default: "1", help: "time step, and the delay of every connection (ms, 0.1…100)")
    cli.option("tau-m", value: "MS", default: "0.6213", help: "membrane time constant τm (ms); 0.6213 ms gives STBP's decay factor e^(−dt/τm) ≈ 0.2 at dt = 1 ms")
    cli.option("threshold", value: "MV", default: "0.5", help: "firing threshold θ (mV above rest)")
    STBPDynamicsOptions.declare(&cli)
    cli.option("surrogate", value: "NAME", default: "rectangular", help: "surrogate derivative: rectangular (STBP), fast-sigmoid (SuperSpike), arctan, sigmoid, triangular (LSNN)")
    cli.option("surrogate-width", value: "P", default: "1", help: "its parameter: width a (mV) of the rectangle, slope β / α (1/mV), or half-width w (mV) of the triangle")
    STBPReadoutOptions.declare(&cli, readoutDefault: "spike-count (mlp), potential (cnn)", lossDefault: "mse (mlp), ce (cnn)")
    cli.flag("learn-leak", help: "learn each layer's membrane time constant τm too (starting from --tau-m)")
    cli.option("init-gain", value: "G", default: "1.155", help: "initial weights U(−b, b), b = G·θ·√(3/fan-in) (1.155: PyTorch's default 1/√fan-in at θ = 0.5)")
    cli.option("shift", value: "PIXELS", default: "1", help: "training augmentation: translate each training image by a random (dx, dy) in [−P, P]², redrawn each epoch")
    cli.option("elastic-alpha", value: "PIXELS", default: "0", help: "training augmentation: elastic distortion (Simard et al. 2003) of scale α — random displacements uniform in [−1, 1] px, smoothed by a Gaussian of --elastic-sigma, times α; applied before the shift, redrawn each epoch; 0: off")
    cli.option("elastic-sigma", value: "PIXELS", default: "4", help: "standard deviation σ of the elastic distortion's smoothing Gaussian")
    cli.option("seed", value: "S", default: "1; a loaded model's own", help: "seed of the weights, the sample order, the shifts, the distortions and every input spike (with --load: of the input spikes, so a saved model's test figure repeats)")
    cli.option("train-samples", value: "N", default: "60000", help: "use the first N training images")
    cli.option("validation", value: "N", default: "0", help: "hold out the last N of those for validation, for choosing settings: every figure (per epoch, final, --eval-exact, --latency-curve; with --load too) is then measured on them, and the test images stay unused (test keys null)")
    cli.option("test-samples", value: "N", default: "10000", help: "use the first N test images")
    cli.option("save", value: "PATH", help: "write the trained model as JSON")
    cli.option("load", value: "PATH", help: "load a model instead of training")
    cli.option("svg", value: "PATH", help: "write the training curve (train/held-out accuracy per epoch) as SVG")
    cli.option("eval-exact", value: "N", default: "0", help: "run the first N test images (validation images with --validation) in the event-driven engine (exact) and the time-stepped engine at dt = 1, 0.5, 0.25, 0.1 ms: accuracy and synaptic events per image (exact_test_accuracy, or exact_validation_accuracy, is over those N)")
    cli.flag("quick", help: "seconds-long CI run: 1000 training and 300 test images, 100 hidden neurons (cnn: channels 4,8), 3 epochs")
    cli.workThreadsOption()
    try cli.parseProcessArguments()
    let threads = try cli.applyWorkThreads()

    let quick = cli.isSet("quick")
    let arch = try cli.choice("arch", ["mlp", "cnn"])
    let hidden = try MNISTSplit.hiddenLayers(cli, arch: arch, default: arch == "cnn" ? (quick ? [] : [128]) : quick ? [100] : [800])
    let channels = try MNISTSplit.channels(cli, quick: quick)
    let kernel = try cli.int("kernel", .init("must be odd, 1…27") { $0 % 2 == 1 && $0 >= 1 && $0 <= 27 })
    let maxPool = try cli.choice("pool", ["max", "average"]) == "max"
    let epochs = !cli.isSet("epochs") ? (quick ? 3 : arch == "cnn" ? 8 : 25) : try cli.int("epochs", .within(0...10_000))
    let trainCount = quick && !cli.isSet("train-samples") ? 1000 : try cli.int("train-samples", .positive)
    let testCount = quick && !cli.isSet("test-samples") ? 300 : try cli.int("test-samples", .positive)
    let batch = try cli.int("batch", .within(1...100_000))
    let averageDecay = !cli.isSet("average") ? (arch == "mlp" && !quick ? 0.995 : 0) : try cli.double("average", .init("must be in [0, 1)") { $0 >= 0 && $0 < 1 })
    let dropout = try cli.double("dropout", .init("must be in [0, 1)") { $0 >= 0 && $0 < 1 })
    let lr = try cli.double("lr", .init("must be in (0, 1]") { $0 > 0 && $0 <= 1 })
    let weightDecay = try cli.double("weight-decay", .init("must be ≥ 0 with lr × λ < 1") { $0 >= 0 && $0 * lr < 1 })
    let lrDecay = try cli.double("lr-decay", .init("must be in (0, 1]") { $0 > 0 && $0 <= 1 })
    let lrStep = !cli.isSet("lr-step") ? (arch == "cnn" ? 3 : 8) : try cli.int("lr-step", .positive)
    // Chosen on validation (docs/stbp.md): the MLP anneals (cosine), the CNN step-decays; a
    // step setting given picks the step schedule.
    let stepGiven = ["lr-step", "lr-decay"].first(where: { cli.isSet($0) })
    let cosine = cli.isSet("lr-schedule") ? try cli.choice("lr-schedule", ["cosine", "step"]) == "cosine" : arch == "mlp" && stepGiven == nil
    if cosine, let given = stepGiven {
        throw VolleyError.usage("option '--\(given)': a step-decay setting, but --lr-schedule is cosine")
    }
    // Input steps: --steps, else a loaded model's training steps, else the default; evaluation:
    // --eval-steps, else --steps, else a loaded model's evaluation steps, else the training steps.
    let saved = try cli.string("load").map { path in try reading("load", path) { try STBPModelFile.read(from: path) } }
    let inputSteps = cli.isSet("steps") ? try cli.int("steps", .within(1...10_000)) : saved?.inputSteps ?? (quick || arch == "cnn" ? 10 : 15)
    let evalInputSteps = cli.isSet("eval-steps") ? try cli.int("eval-steps", .within(1...10_000))
        : cli.isSet("steps") ? inputSteps : saved?.evalInputSteps ?? saved?.inputSteps ?? inputSteps
    let curveSteps = cli.isSet("latency-curve") ? try cli.intList("latency-curve", .within(1...10_000)) : []
    let dt = try cli.double("dt", .within(0.1...100))
    let tauM = try cli.double("tau-m", .init("must be in (0, 10⁵] ms") { $0 > 0 && $0 <= 1e5 })
    let threshold = try cli.double("threshold", .init("must be in (0, 10⁴] mV") { $0 > 0 && $0 <= 1e4 })
    let dynamics = try STBPDynamicsOptions.parse(cli)
    let surrogate = try blaming(["surrogate", "surrogate-width"]) {
        try Surrogate(name: try cli.choice("surrogate", ["rectangular", "fast-sigmoid", "arctan", "sigmoid", "triangular"]), parameter: try cli.double("surrogate-width", .init("must be in (0, 10⁴]") { $0 > 0 && $0 <= 1e4 }))
    }
    // Defaults chosen on validation (docs/stbp.md, docs/stbp-cnn.md): the MLP's rate MSE on spike counts, the CNN's
    // cross-entropy on output potentials; one of the two given picks its partner.
    let (readout, loss) = try STBPReadoutOptions.parse(cli, default: arch == "mlp" ? .spikeCount : .potential)
    let tieBreak = try STBPReadoutOptions.tieBreak(cli)
    let gain = try cli.double("init-gain", .init("must be in (0, 100]") { $0 > 0 && $0 <= 100 })
    let seed = cli.isSet("seed") ? try cli.uint64("seed") : saved?.seed ?? 1
    let shift = try cli.int("shift", .within(0...13))
    let elastic = try ElasticDistortion(
        alpha: try cli.double("elastic-alpha", .atLeast(0)), sigma: try cli.double("elastic-sigma", .init("must be in (0, 28]") { $0 > 0 && $0 <= 28 }), seed: seed)
    let validation = try cli.int("validation", .init("must be in 0..<train-samples (\(trainCount))") { $0 >= 0 && $0 < trainCount })
    let exactCount = try cli.int("eval-exact", .within(0...1_000_000))
    let savePath = try cli.string("save").map { try OutputPath.check($0, flag: "save") }
    let svgPath = try cli.string("svg").map { try OutputPath.check($0, flag: "svg") }
    let latencySVGPath = try cli.string("latency-svg").map { try OutputPath.check($0, flag: "latency-svg") }
    if latencySVGPath != nil && curveSteps.isEmpty {
        throw VolleyError.usage("option '--latency-svg': needs --latency-curve T,… (the windows to plot)")
    }

    // The layers: sizes and how each connects.
    var layerSizes = [784], connections: [STBPConnection] = []
    if arch == "cnn" {
        var side = 28, depth = 1
        for c in channels {
            let conv = ConvolutionGeometry(inputChannels: depth, inputHeight: side, inputWidth: side, outputChannels: c, kernelSize: kernel, padding: kernel / 2)
            let pool = PoolingGeometry(channels: c, inputHeight: side, inputWidth: side, size: 2)
            connections += [.convolution(conv), maxPool ? .maxPooling(pool) : .averagePooling(pool)]
            layerSizes += [conv.outputSize, pool.outputSize]
            side /= 2
            depth = c
        }
    }
    for h in hidden + [10] {
        layerSizes.append(h)
        connections.append(.dense)
    }
    // Memory: weights with Adam's two moments and four gradient chunks, the structured layers'
    // synapse tables, plus one sample's potentials and spikes (all steps) per chunk; refused
    // beyond half of the machine's memory.
    let neurons = layerSizes.dropFirst().reduce(0, +)
    var weightCount = 0, tableEntries = 0
    for (l, c) in connections.enumerated() {
        switch c.kind {
        case .dense: weightCount += layerSizes[l] * layerSizes[l + 1]
        case .convolution: weightCount += c.convolution!.kernelCount; tableEntries += c.convolution!.outputSize * c.convolution!.inputChannels * kernel * kernel
        case .averagePooling, .maxPooling: tableEntries += c.pooling!.outputSize * 4
        }
    }
    let bytes = Double(weightCount) * 8 * 7 + Double(tableEntries) * 8 + Double(max(inputSteps, evalInputSteps) + layerSizes.count) * Double(neurons) * 16 * 4
    guard bytes < Double(ProcessInfo.processInfo.physicalMemory) / 2 else {
        throw VolleyError.usage("options '--hidden', '--channels', '--steps' and '--eval-steps': training would need \(Format.bytes(Int(bytes))), more than half of this machine's memory")
    }
    let dataPath = try cli.requiredString("data")
    let split = try MNISTSplit(path: dataPath, trainCount: trainCount, validation: validation, testCount: testCount)
    guard exactCount <= split.heldOutImages.count else {
        throw VolleyError.usage("option '--eval-exact': \(exactCount) is more than the \(split.heldOutImages.count) \(split.heldOutName) images (\(validation > 0 ? "--validation" : "--test-samples"))")
    }
    let fit = split.fit
    let (trainImages, trainLabels) = (split.trainImages, split.trainLabels)
    let (heldOutImages, heldOutLabels, heldOutName) = (split.heldOutImages, split.heldOutLabels, split.heldOutName)
    /// Bernoulli spikes of image `image` over `steps` input steps from the stream (seed, phase,
    /// index): independent of threads.
    @Sendable func encode(_ image: [Double], phase: UInt64, index: Int, steps: Int = inputSteps) -> STBPInput {
        var rng = Xoshiro256(seed: seed, stream: phase, UInt64(index))
        return STBPInput.bernoulli(image, steps: steps, rng: &rng)
    }
    let shifter = RandomShift(pixels: shift, seed: seed)
    print("MNIST from \(dataPath): \(fit) training\(validation > 0 ? ", \(validation) validation" : "") and \(testCount) test images; Bernoulli rate coding over \(inputSteps) steps of \(dt) ms\(evalInputSteps != inputSteps ? " (evaluation: \(evalInputSteps) steps)" : "")")

    var network: STBPNetwork
    var history: [(train: Double, heldOut: Double)] = []
    var trainSeconds = 0.0
    var trainFLOPs = 0.0
    var trainAccuracy = Double.nan
    let steps: Int, evalSteps: Int
    if let path = cli.string("load") {
        network = try reading("load", path) { try STBPModelFile.read(from: path).network(source: path) }
        network.tieBreak = tieBreak
        guard network.layerSizes.first == 784, network.layerSizes.last == 10 else {
            throw VolleyError.usage("option '--load': the model in \(path) has layer sizes \(network.layerSizes), expected 784-…-10")
        }
        steps = network.steps(forInputSteps: inputSteps)
        evalSteps = network.steps(forInputSteps: evalInputSteps)
        print("loaded \(architecture(network)) model from \(path)")
    } else {
        let neuron = LIFDelta(tauM: tauM, vRest: 0, vReset: 0, vThreshold: threshold, tRef: 0, reset: dynamics.reset)
        network = try STBPNetwork(
            layerSizes: layerSizes, connections: connections, neuron: neuron, synapse: dynamics.synapse, adaptation: dynamics.adaptation,
            dt: dt, readout: readout)
        network.tieBreak = tieBreak
        network.initialize(gain: gain, seed: seed)
        steps = network.steps(forInputSteps: inputSteps)
        evalSteps = network.steps(forInputSteps: evalInputSteps)
        print("network \(architecture(network)) LIF (\(STBPDynamicsOptions.describe(network))), \(network.weights.reduce(0) { $0 + $1.count }) weights, \(steps) steps of \(dt) ms per image")
        print("training: Adam lr \(lr) \(cosine ? "cosine-annealed over \(epochs) epochs" : "× \(lrDecay) every \(lrStep) epochs"), batch \(batch), random shifts ±\(shift) px, \(elastic.alpha > 0 ? "elastic distortion α \(elastic.alpha) px σ \(elastic.sigma) px, " : "")loss \(loss.rawValue), readout \(readout.rawValue), surrogate \(surrogate), \(dropout > 0 ? "dropout \(dropout), " : "")\(weightDecay > 0 ? "weight decay \(weightDecay), " : "")\(averageDecay > 0 ? "parameters averaged (decay \(averageDecay) per update), " : "")\(epochs) epochs, seed \(seed), \(threads) thread\(threads == 1 ? "" : "s")")
        var trainer = try STBPTrainer(network: network, learningRate: lr, surrogate: surrogate, loss: loss, batch: batch, learnLeak: cli.isSet("learn-leak"), averageDecay: averageDecay, dropout: dropout, dropoutSeed: seed, weightDecay: weightDecay)
        var schedule = EpochSchedule(
            samples: fit, seed: seed, learningRate: lr, schedule: cosine ? .cosine(epochs: epochs) : .step(factor: lrDecay, every: lrStep))
        for epoch in 1...max(epochs, 1) where epochs > 0 {
            let rate = schedule.begin(epoch: epoch)
            trainer.setLearningRate(rate)
            let order = schedule.order
            let t0 = Date()
            let phase = UInt64(epoch)
            let (meanLoss, accuracy) = try blaming(["lr"]) {
                try trainer.epoch(labels: trainLabels, order: order, steps: steps) {
                    encode(shifter.apply(elastic.apply(trainImages[$0], epoch: phase, index: $0), epoch: phase, index: $0), phase: phase, index: $0)
                }
            }
            let seconds = Date().timeIntervalSince(t0)
            trainSeconds += seconds
            trainFLOPs += trainer.lastEpochFLOPs
            trainAccuracy = accuracy
            let check = try STBPEvaluation.evaluate(trainer.averagedNetwork, count: heldOutImages.count, labels: heldOutLabels, steps: evalSteps) {
                encode(heldOutImages[$0], phase: 0x7E57, index: $0, steps: evalInputSteps)
            }
            // Averaging on a validation split: the current parameters' accuracy too, to compare the two.
            let current = averageDecay == 0 || validation == 0 ? nil : try STBPEvaluation.evaluate(trainer.network, count: heldOutImages.count, labels: heldOutLabels, steps: evalSteps) {
                encode(heldOutImages[$0], phase: 0x7E57, index: $0, steps: evalInputSteps)
            }.accuracy
            history.append((accuracy, check.accuracy))
            print("epoch \(epoch)/\(epochs): loss \(Format.fixed(meanLoss, 4)), train accuracy \(Format.fixed(accuracy, 4)), \(heldOutName) accuracy \(Format.fixed(check.accuracy, 4))\(current.map { " (current weights \(Format.fixed($0, 4)))" } ?? ""), \(Format.fixed(Double(fit) / seconds, 0)) samples/s (\(Format.fixed(trainer.lastEpochFLOPs / seconds / 1e9, 2)) GFLOP/s), \(Format.fixed(check.spikesPerSample, 1)) spikes/sample, \(Format.fixed(100 * check.undecided, 1))% undecided, lr \(Format.scientific(rate, 3))")
        }
        network = trainer.averagedNetwork
        if trainer.learnsLeak {
            print("learned τm per layer (ms): \(network.membraneTimeConstants.map { Format.fixed($0, 4) }.joined(separator: ", "))")
        }
        if trainSeconds > 0 {
            let peak = MachinePeak.current()
            print("training arithmetic: \(Format.fixed(trainFLOPs / Double(max(fit * epochs, 1)) / 1e6, 1)) MFLOP per sample, \(Format.fixed(trainFLOPs / trainSeconds / 1e9, 2)) GFLOP/s" + (peak.map { " of this machine's nominal peak \(Format.fixed($0.gflops, 1)) GFLOP/s (\($0.cores) cores × \(Format.fixed($0.gigahertz, 3)) GHz × \($0.flopsPerCycle) with \($0.vectorExtension))" } ?? ""))
        }
    }

    // Final evaluation (the training forward pass = the time-stepped engine) on the held-out
    // images: the test images, or with --validation the validation images only — a run that
    // chooses settings never sees a test figure.
    let finalImages = heldOutImages, finalLabels = heldOutLabels
    let finalInput: @Sendable (Int) -> STBPInput = { encode(finalImages[$0], phase: 0x7E57, index: $0, steps: evalInputSteps) }
    let eval = try STBPEvaluation.evaluate(network, count: finalImages.count, labels: finalLabels, steps: evalSteps, sample: finalInput)
    print("\(heldOutName) accuracy \(Format.fixed(100 * eval.accuracy, 2))% (\(finalImages.count) images, grid, dt = \(network.dt) ms, \(evalInputSteps) input steps), \(Format.fixed(100 * eval.undecided, 2))% undecided; \(Format.fixed(eval.spikesPerSample, 1)) spikes and \(Format.fixed(eval.synapticEventsPerSample, 0)) synaptic events per image")
    let report = eval.report(of: network, steps: evalSteps)
    print(report.summary)

    // Accuracy against latency: the held-out images with other input windows.
    var curve: [JSONValue] = []
    var curvePoints: [(latency: Double, accuracy: Double)] = []
    if !curveSteps.isEmpty { print("accuracy against latency (\(heldOutName), \(heldOutImages.count) images):") }
    for t in curveSteps {
        let n = network.steps(forInputSteps: t)
        let r = try STBPEvaluation.evaluate(network, count: heldOutImages.count, labels: heldOutLabels, steps: n) {
            encode(heldOutImages[$0], phase: 0x7E57, index: $0, steps: t)
        }
        print("  \(t) input steps (latency \(Format.fixed(Double(n) * network.dt, 1)) ms): accuracy \(Format.fixed(100 * r.accuracy, 2))%, \(Format.fixed(100 * r.undecided, 2))% undecided, \(Format.fixed(r.synapticEventsPerSample, 0)) SynOps per image")
        curvePoints.append((Double(n) * network.dt, r.accuracy))
        curve.append(["input_steps": .int(t), "latency_ms": .number(Double(n) * network.dt), "accuracy": .number(r.accuracy), "undecided": .number(r.undecided), "synops_per_sample": .number(r.synapticEventsPerSample)])
    }

    if let path = latencySVGPath {
        let latency = curvePoints.map(\.latency), accuracy = curvePoints.map(\.accuracy)
        var plot = SVGPlot(
            title: "\(architecture(network)): \(heldOutName) accuracy against latency (input windows \(curveSteps.map(String.init).joined(separator: ", ")))",
            xLabel: "latency (ms)", yLabel: "accuracy", xRange: 0...((latency.max() ?? 1) * 1.05),
            yRange: max(0, (accuracy.min() ?? 0) - 0.01)...min(1, (accuracy.max() ?? 1) + 0.005))
        plot.line(latency, accuracy, color: SVGPlot.palette[1])
        plot.points(latency, accuracy, color: SVGPlot.palette[1], radius: 2.5)
        try writeTextFile(plot.rendered, to: path)
        print("accuracy against latency written to \(path)")
    }

    // The trained network in both engines, image by image.
    var exact: JSONValue = .null
    var gridSameImages: JSONValue = .null
    var engineRows: [JSONValue] = []
    if exactCount > 0 {
        let end = Double(evalSteps - 1) * network.dt
        let trainedDt = network.dt
        func run(dt stepDt: Double?) throws -> (accuracy: Double, events: Double, seconds: Double) {
            let r = try STBPEngineEvaluation.run(
                network, engine: stepDt.map { .timeStepped(dt: $0) } ?? .eventDriven, count: exactCount, labels: finalLabels, until: end
            ) { finalInput($0).spikeTrains(size: 784, dt: trainedDt) }
            return (r.accuracy, r.synapticEventsPerSample, r.wallSeconds)
        }
        print("the trained network on the first \(exactCount) \(heldOutName) images, spike by spike (delays stay \(network.dt) ms):")
        let grid = try STBPEvaluation.evaluate(network, count: exactCount, labels: finalLabels, steps: evalSteps, sample: finalInput)
        print("  training forward pass (grid dt = \(network.dt) ms): accuracy \(Format.fixed(100 * grid.accuracy, 2))%")
        gridSameImages = .number(grid.accuracy)
        let event = try run(dt: nil)
        print("  event-driven (exact): accuracy \(Format.fixed(100 * event.accuracy, 2))%, \(Format.fixed(event.events, 0)) synaptic events per image, \(Format.fixed(event.seconds, 1)) s")
        exact = .number(event.accuracy)
        engineRows.append(["engine": "event", "dt_ms": .null, "\(heldOutName)_accuracy": .number(event.accuracy), "synops_per_sample": .number(event.events), "wall_seconds": .number(event.seconds)])
        for stepDt in [1.0, 0.5, 0.25, 0.1] {
            let r = try run(dt: stepDt)
            print("  time-stepped dt = \(stepDt) ms: accuracy \(Format.fixed(100 * r.accuracy, 2))%, \(Format.fixed(r.events, 0)) synaptic events per image, \(Format.fixed(r.seconds, 1)) s")
            engineRows.append(["engine": "stepped", "dt_ms": .number(stepDt), "\(heldOutName)_accuracy": .number(r.accuracy), "synops_per_sample": .number(r.events), "wall_seconds": .number(r.seconds)])
        }
    }

    if let path = svgPath, !history.isEmpty {
        var plot = SVGPlot(title: "STBP on MNIST: train (blue) and \(heldOutName) (red) accuracy", xLabel: "epoch", yLabel: "accuracy", xRange: 0...Double(history.count), yRange: max(0, (history.map(\.heldOut).min() ?? 0) - 0.02)...1)
        let xs = history.indices.map { Double($0 + 1) }
        plot.line(xs, history.map(\.train), color: SVGPlot.palette[0], label: "train")
        plot.line(xs, history.map(\.heldOut), color: SVGPlot.palette[1], label: heldOutName)
        try writeTextFile(plot.rendered, to: path)
        print("training curve written to \(path)")
    }
    if let path = savePath {
        try STBPModelFile(network: network, inputSteps: inputSteps, evalInputSteps: evalInputSteps, seed: seed, epochs: epochs).write(to: path)
        print("model written to \(path)")
    }
    // With --validation every figure is the validation images' and the test keys are null.
    let validating = validation > 0
    // Training settings describe this run's training only: null for a loaded model.
    let trained = cli.string("load") == nil
    let fields: JSONValue = [
        "threads": .int(threads), "thread_wait_seconds": .array(Parallelism.waitSeconds.map { .number($0) }),
        "example": "mnist-stbp", "arch": .string(network.connections.contains { $0.kind == .convolution } ? "cnn" : "mlp"),
        "layers": .string(architecture(network)),
        "test_accuracy": validating ? .null : .number(eval.accuracy), "exact_test_accuracy": validating ? .null : exact,
        "validation_accuracy": validating ? .number(eval.accuracy) : .null, "exact_validation_accuracy": validating ? exact : .null,
        "exact_\(heldOutName)_samples": .int(exactCount), "grid_\(heldOutName)_accuracy_same_images": gridSameImages, "train_accuracy": .number(trainAccuracy),
        "epochs": .int(cli.string("load") == nil ? epochs : 0), "seed": .unsigned(seed), "steps": .int(evalSteps), "input_steps": .int(inputSteps), "eval_input_steps": .int(evalInputSteps), "latency_curve": .array(curve), "latency_curve_set": curveSteps.isEmpty ? .null : .string(heldOutName), "dt_ms": .number(network.dt),
        "train_samples": .int(cli.string("load") == nil ? fit : 0), "validation_samples": .int(validation), "test_samples": .int(validating ? 0 : testCount),
        "train_seconds": .number(trainSeconds), "train_samples_per_second": .number(trainSeconds > 0 ? Double(fit * epochs) / trainSeconds : nil),
        "train_gflops_per_second": .number(trainSeconds > 0 ? trainFLOPs / trainSeconds / 1e9 : nil), "machine_peak_gflops": .number(MachinePeak.current()?.gflops),
        "undecided": .number(eval.undecided), "learning_rate": .number(trained ? lr : nil), "lr_schedule": trained ? .string(cosine ? "cosine" : "step") : .null, "batch": trained ? .int(batch) : .null, "average_decay": .number(trained ? averageDecay : nil), "dropout": .number(trained ? dropout : nil), "weight_decay": .number(trained ? weightDecay : nil), "shift_pixels": trained ? .int(shift) : .null, "elastic_alpha_pixels": .number(trained ? elastic.alpha : nil), "elastic_sigma_pixels": .number(trained ? elastic.sigma : nil), "loss": trained ? .string(loss.rawValue) : .null,
        "readout": .string(network.readout.rawValue), "tie_break": network.readout == .spikeCount ? .string(network.tieBreak.rawValue) : .null, "surrogate": trained ? .string("\(surrogate)") : .null,
        "tau_m_ms": .array(network.membraneTimeConstants.map { .number($0) }),
        "engines": .array(engineRows),
    ]
    printResultLine(fields.merging(STBPDynamicsOptions.json(network)).merging(try JSONValue(encoding: report)))
}
