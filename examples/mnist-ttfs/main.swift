// Time-to-first-spike MNIST classification with ReL-PSP neurons (Zhang et al., IEEE TNNLS 2021),
// trained by spike-timing-dependent backpropagation on exact first-spike times, evaluated
// event-driven and in the time-stepped engine.
//
//   swift run -c release mnist-ttfs --data ../shared/datasets/mnist --hidden 800 --epochs 40
//   swift run -c release mnist-ttfs --data ../shared/datasets/mnist --load model.json --eval-stepped

import Foundation
import Volley
import VolleyExamples

runExample("mnist-ttfs") {
    var cli = CommandOptions(program: "mnist-ttfs", summary: "ReL-PSP time-to-first-spike MNIST classifier (Zhang et al. 2021), exact event-driven training and inference")
    cli.option("data", value: "PATH", default: "../shared/datasets/mnist", help: "directory with the four raw MNIST IDX files")
    cli.option("hidden", value: "N[,N…]", default: "800", help: "hidden layer sizes")
    cli.option("epochs", value: "N", default: "40", help: "training epochs")
    cli.option("batch", value: "N", default: "16", help: "minibatch size")
    cli.option("lr", value: "ETA", default: "1e-4", help: "Adam learning rate")
    cli.option("lr-decay", value: "F", default: "0.8", help: "learning rate × F every --lr-step epochs")
    cli.option("lr-step", value: "N", default: "5", help: "epochs between learning-rate decays")
    cli.option("average", value: "DECAY", default: "0.9999 (--quick: 0)", help: "exponential moving average of the weights, a ← d·a + (1 − d)·w after every update (Polyak averaging; chosen on validation, docs/ttfs-mnist.md); per-epoch evaluation, test and --save use the averaged weights; 0: off")
    cli.option("temperature", value: "MS", default: "1", help: "softmax temperature τ of the loss over −t_out/τ")
    cli.option("silent-penalty", value: "P", default: "1e-4", help: "per-sample push on the input weights of every neuron that stayed silent (keeps neurons firing)")
    cli.option("input-time", value: "MS", default: "5", help: "latency coding window: intensity 1 fires at 0 ms, faint pixels near this time; 0 never fires")
    cli.option("delay", value: "MS", default: "1", help: "synaptic delay of every connection")
    cli.option("seed", value: "S", default: "1", help: "seed of the weights and the sample order")
    cli.option("train-samples", value: "N", default: "60000", help: "use the first N training images")
    cli.option("validation", value: "N", default: "0", help: "hold out the last N of those training images for validation, for choosing settings: every figure (per epoch and final) is then measured on them, and the test images stay unused (test keys null)")
    cli.option("shift", value: "PIXELS", default: "1", help: "training augmentation: translate each training image by a random (dx, dy) in [−P, P]², redrawn each epoch (--quick: 2)")
    cli.option("jitter", value: "MS", default: "0", help: "training augmentation: Gaussian jitter (SD) of every input spike time, redrawn each epoch")
    cli.option("test-samples", value: "N", default: "10000", help: "use the first N test images")
    cli.option("save", value: "PATH", help: "write the trained model as JSON")
    cli.option("write-network", value: "PATH", help: "write the trained network, fed the first test image, as a network file for `volley run` (docs/network-files.md)")
    cli.option("load", value: "PATH", help: "load a model instead of training")
    cli.option("verify-engine", value: "N", default: "200", help: "re-run the first N test images spike by spike in the event-driven engine and compare")
    cli.option("svg", value: "PATH", help: "write the training curve (train/test accuracy per epoch) as SVG")
    cli.flag("eval-stepped", help: "also evaluate in the time-stepped engine for dt = 1, 0.5, 0.1, 0.01 ms")
    cli.flag("quick", help: "seconds-long CI run: 1000 training and 500 test images, 100 hidden neurons, 4 epochs of batch 16 at lr 5e-4 (chosen on a validation split of those 1000; docs/ttfs-mnist.md)")
    cli.workThreadsOption()
    try cli.parseProcessArguments()
    let threads = try cli.applyWorkThreads()

    let quick = cli.isSet("quick")
    let hidden = quick && !cli.isSet("hidden") ? [100] : try cli.intList("hidden", .within(1...100_000))
    let epochs = quick && !cli.isSet("epochs") ? 4 : try cli.int("epochs", .within(0...10_000))
    let requestedTrainCount = quick && !cli.isSet("train-samples") ? 1000 : try cli.int("train-samples", .positive)
    let testCount = quick && !cli.isSet("test-samples") ? 500 : try cli.int("test-samples", .positive)
    let batch = quick && !cli.isSet("batch") ? 16 : try cli.int("batch", .within(1...100_000))
    var lr = quick && !cli.isSet("lr") ? 5e-4 : try cli.double("lr", .init("must be in (0, 1]") { $0 > 0 && $0 <= 1 })
    let initialLearningRate = lr
    let validation = try cli.int("validation", .init("must be in 0..<train-samples (\(requestedTrainCount))") { $0 >= 0 && $0 < requestedTrainCount })
    let jitter = try cli.double("jitter", .within(0...100))
    let shift = quick && !cli.isSet("shift") ? 2 : try cli.int("shift", .within(0...13))
    let decay = try cli.double("lr-decay", .init("must be in (0, 1]") { $0 > 0 && $0 <= 1 })
    let lrStep = try cli.int("lr-step", .positive)
    let averageDecay = !cli.isSet("average") ? (quick ? 0 : 0.9999) : try cli.double("average", .init("must be in [0, 1)") { $0 >= 0 && $0 < 1 })
    let seed = try cli.uint64("seed")
    let inputTime = try cli.double("input-time", .within(0...1000))
    let delay = try cli.double("delay", .init("must be in (0, 1000] ms") { $0 > 0 && $0 <= 1000 })
    let verifyCount = try cli.int("verify-engine", .nonNegative)
    var options = TTFSOptions()
    options.temperature = try cli.double("temperature", .within(0.01...1000))
    options.silentPenalty = try cli.double("silent-penalty", .within(0...1))
    let savePath = try cli.string("save").map { try OutputPath.check($0, flag: "save") }
    let svgPath = try cli.string("svg").map { try OutputPath.check($0, flag: "svg") }
    let networkPath = try cli.string("write-network").map { try OutputPath.check($0, flag: "write-network") }

    let dataPath = try cli.requiredString("data")
    let mnist = try reading("data", dataPath) { try MNIST.load(directory: dataPath) }
    // A loaded model only reports its training accuracy: the default count adapts to the data.
    let trainCount = cli.isSet("load") && !cli.isSet("train-samples") ? Swift.min(requestedTrainCount, mnist.trainImages.count) : requestedTrainCount
    guard trainCount <= mnist.trainImages.count else {
        throw VolleyError.usage("option '--train-samples': \(trainCount) is more than the \(mnist.trainImages.count) training images in \(dataPath)")
    }
    guard testCount <= mnist.testImages.count else {
        throw VolleyError.usage("option '--test-samples': \(testCount) is more than the \(mnist.testImages.count) test images in \(dataPath)")
    }
    let encoder = try LatencyEncoder(minimum: 0, maximum: 1, tMin: 0, tMax: inputTime, silentAtOrBelow: 0)
    func encode(_ images: IDXImages, _ n: Int) -> [[Double]] {
        (0..<n).map { images.image($0).map { encoder.time(for: $0) ?? .infinity } }
    }
    let allTrainX = encode(mnist.trainImages, trainCount)
    /// Image i translated by (dx, dy) pixels (vacated pixels are black) and encoded.
    func shifted(_ i: Int, _ dx: Int, _ dy: Int) -> [Double] {
        let image = mnist.trainImages.image(i)
        var out = [Double](repeating: .infinity, count: 784)
        for y in 0..<28 where (0..<28).contains(y - dy) {
            for x in 0..<28 where (0..<28).contains(x - dx) {
                out[y * 28 + x] = encoder.time(for: image[(y - dy) * 28 + (x - dx)]) ?? .infinity
            }
        }
        return out
    }
    let trainX = Array(allTrainX.prefix(trainCount - validation))
    let trainY = Array(mnist.trainLabels.prefix(trainCount - validation))
    let validX = Array(allTrainX.suffix(validation))
    let validY = Array(mnist.trainLabels.prefix(trainCount).suffix(validation))
    // Every figure is measured on the held-out images: the test images, or with --validation the
    // validation images only (a run that chooses settings never sees a test figure).
    let testX = validation > 0 ? [] : encode(mnist.testImages, testCount)
    let testY = validation > 0 ? [] : Array(mnist.testLabels.prefix(testCount))
    let heldOut = validation > 0 ? (name: "validation", x: validX, y: validY) : (name: "test", x: testX, y: testY)
    print("MNIST from \(dataPath): \(trainX.count) training\(validation > 0 ? ", \(validation) validation" : "") and \(testCount) test images; latency coding over \(inputTime) ms, black pixels silent")

    let start = Date()
    var network: TTFSNetwork
    var trainAccuracy = Double.nan
    var trainSeconds = 0.0
    var history: [(train: Double, test: Double)] = []
    if let path = cli.string("load") {
        network = try reading("load", path) { try TTFSNetwork.load(path: path) }
        guard network.layerSizes.first == 784, network.layerSizes.last == 10 else {
            throw VolleyError.usage("option '--load': the model in \(path) has layer sizes \(network.layerSizes), expected 784-…-10")
        }
        print("loaded \(network.layerSizes.map(String.init).joined(separator: "-")) model from \(path)")
    } else {
        network = try TTFSNetwork(layerSizes: [784] + hidden + [10], threshold: 1, delay: delay)
        let sd = network.layerSizes.dropLast().map { 1 / Double($0).squareRoot() }
        let means = network.initializeFiring(inputs: Array(trainX.prefix(256)), sd: sd, firing: 0.95, seed: seed)
        print("network \(network.layerSizes.map(String.init).joined(separator: "-")) ReL-PSP (θ = 1, delay \(network.delay) ms), \(network.parameterCount) weights; initial weights N(μ, 1/√n) with μ = \(means.map { Format.fixed($0, 5) }) so that 95% of neurons fire")
        print("training: Adam, lr \(lr) × \(decay) every \(lrStep) epochs, batch \(batch), softmax temperature \(options.temperature) ms, silent penalty \(options.silentPenalty), input jitter \(jitter) ms, random shifts ±\(shift) px, \(averageDecay > 0 ? "weights averaged (decay \(averageDecay) per update), " : "")\(epochs) epochs, seed \(seed), \(threads) thread\(threads == 1 ? "" : "s")")
        var jitterRNG = Xoshiro256(seed: seed, stream: 0x11773)
        let trainer = try TTFSTrainer(network: network, options: options, learningRate: lr, averageDecay: averageDecay, seed: seed)
        for epoch in 0..<epochs {
            if epoch > 0 && epoch % lrStep == 0 {
                lr *= decay
                trainer.learningRate = lr
            }
            let t0 = Date()
            var inputs = trainX
            if shift > 0 {
                inputs = trainX.indices.map { i in
                    shifted(i, jitterRNG.index(below: 2 * shift + 1) - shift, jitterRNG.index(below: 2 * shift + 1) - shift)
                }
            }
            if jitter > 0 {
                inputs = inputs.map { x in x.map { $0.isFinite ? Swift.max(0, $0 + jitter * jitterRNG.normal()) : $0 } }
            }
            let (loss, accuracy) = try blaming(["lr", "batch", "temperature"]) { try trainer.epoch(inputs: inputs, labels: trainY, batchSize: batch) }
            let seconds = Date().timeIntervalSince(t0)
            trainSeconds += seconds  // training only: the held-out evaluation below is not counted
            let check = try TTFSEvaluation.evaluate(trainer.averagedNetwork, inputs: heldOut.x, labels: heldOut.y)
            // Averaging on a validation split: the current weights' accuracy too, to compare the two.
            let current = averageDecay > 0 && validation > 0 ? try TTFSEvaluation.evaluate(trainer.network, inputs: heldOut.x, labels: heldOut.y).accuracy : nil
            trainAccuracy = accuracy
            history.append((accuracy, check.accuracy))
            print("epoch \(epoch + 1)/\(epochs): loss \(Format.fixed(loss, 4)), train accuracy \(Format.fixed(accuracy, 4)), \(heldOut.name) accuracy \(Format.fixed(check.accuracy, 4))\(current.map { " (current weights \(Format.fixed($0, 4)))" } ?? ""), \(Format.fixed(Double(trainX.count) / seconds, 0)) samples/s, \(Format.fixed(check.spikesPerSample, 1)) spikes/sample, silent per layer \(check.silentFraction.map { Format.fixed($0, 3) }), \(Format.fixed(100 * check.undecided, 1))% undecided, lr \(Format.scientific(lr, 3))")
            if let silent = check.silentFraction.last, silent > 0.9 {
                print("warning: \(Format.fixed(100 * silent, 1))% of the output neurons are silent on the \(heldOut.name) images: training is collapsing (a learning rate too high for this batch size and data set; see docs/ttfs-mnist.md, \"Quick runs\")")
            }
        }
        network = trainer.averagedNetwork
        if let path = savePath {
            try TTFSModelFile(network: network, inputTime: inputTime, seed: seed, epochs: epochs).write(to: path)
            print("model written to \(path)")
        }
    }

    // Event-driven evaluation (exact first-spike times).
    let eval = try TTFSEvaluation.evaluate(network, inputs: heldOut.x, labels: heldOut.y)
    if trainAccuracy.isNaN { trainAccuracy = try TTFSEvaluation.evaluate(network, inputs: Array(trainX.prefix(10000)), labels: Array(trainY.prefix(10000))).accuracy }
    print("\(heldOut.name) accuracy \(Format.fixed(100 * eval.accuracy, 2))% (event-driven, exact spike times)")
    print("per \(heldOut.name) image: spikes per layer \(eval.spikesPerLayer.map { Format.fixed($0, 1) }) (total \(Format.fixed(eval.spikesPerSample, 1))), silent fraction per layer \(eval.silentFraction.map { Format.fixed($0, 3) }), \(Format.fixed(eval.synapticEventsPerSample, 0)) synaptic events, decision at \(Format.fixed(eval.decisionTime, 3)) ms, \(Format.fixed(100 * eval.undecided, 2))% undecided")
    let evaluation = eval.report(of: network)
    print(evaluation.summary)

    // Spike-by-spike check in the event-driven engine.
    let (engineNet, layers) = try network.engineNetwork()
    var mismatches = 0
    if verifyCount > 0 {
        let sim = try EventDrivenSimulator(network: engineNet)
        for i in 0..<min(verifyCount, heldOut.x.count) {
            sim.reset()
            try sim.setSpikeTrains(heldOut.x[i].map { $0.isFinite ? [$0] : [] }, for: layers[0])
            try sim.run(until: .infinity)
            var outputs = [Double](repeating: .infinity, count: 10)
            let (neurons, times) = try sim.spikes(of: layers[layers.count - 1])
            for (k, t) in zip(neurons, times) { outputs[Int(k)] = t }
            if try outputs != network.forward(heldOut.x[i]).outputs { mismatches += 1 }
        }
        print("event-driven engine: \(min(verifyCount, heldOut.x.count)) \(heldOut.name) images re-run spike by spike, \(mismatches) with different output spike times")
    }

    // The trained network with the first held-out image as its input, as a network file.
    var writtenDecision: JSONValue = .null
    if let path = networkPath {
        let sample = try network.forward(heldOut.x[0])
        let (net, _) = try network.engineNetwork(input: heldOut.x[0])
        var run = Experiment.Run()
        run.durationMs = (sample.times.joined().filter(\.isFinite).max() ?? inputTime) + 1
        let description = "ReL-PSP TTFS network \(network.layerSizes.map(String.init).joined(separator: "-")) trained by mnist-ttfs (seed \(seed)), fed \(heldOut.name) image 0 (label \(heldOut.y[0])); the earliest spike of the last layer is the decision"
        try Experiment(network: net, run: run, description: description).file().write(to: path)
        writtenDecision = sample.decision.map { .int($0.label) } ?? .null
        print("network file written to \(path) (\(heldOut.name) image 0: decision \(sample.decision.map { "\($0.label) at \(Format.fixed($0.time, 4)) ms" } ?? "none"))")
    }

    // Time-stepped evaluation.
    var stepped: [JSONValue] = []
    if cli.isSet("eval-stepped") {
        let window = inputTime + Double(network.layerCount) * (network.delay + 20)
        for dt in [1.0, 0.5, 0.1, 0.01] {
            let t0 = Date()
            let chunks = 8
            let parts = try parallelMap(chunks) { c -> Result<(Int, Int), VolleyError> in
                do {
                    let sim = try TimeSteppedSimulator(network: engineNet, dt: dt, recording: .only([layers[layers.count - 1]]))
                    var hits = 0
                    var spikes = 0
                    var i = c
                    while i < heldOut.x.count {
                        sim.reset()
                        try sim.setSpikeTrains(heldOut.x[i].map { $0.isFinite ? [$0] : [] }, for: layers[0])
                        try sim.run(until: window, stopWhen: .allFired(layers[layers.count - 1]))
                        spikes += Int(sim.counters.spikes)
                        // Decision: earliest output spike; ties on the grid go to the lowest index.
                        let (neurons, times) = try sim.spikes(of: layers[layers.count - 1])
                        if let first = times.min() {
                            let winner = zip(neurons, times).filter { $0.1 == first }.map { Int($0.0) }.min()!
                            if winner == heldOut.y[i] { hits += 1 }
                        }
                        i += chunks
                    }
                    return .success((hits, spikes))
                } catch let e as VolleyError {
                    return .failure(e)
                } catch {
                    return .failure(.unsupported("\(error)"))
                }
            }.map { try $0.get() }
            let accuracy = Double(parts.reduce(0) { $0 + $1.0 }) / Double(heldOut.x.count)
            let spikes = Double(parts.reduce(0) { $0 + $1.1 }) / Double(heldOut.x.count)
            print("time-stepped dt = \(dt) ms: \(heldOut.name) accuracy \(Format.fixed(100 * accuracy, 2))%, \(Format.fixed(spikes, 1)) spikes per image (until all outputs fired), \(Format.fixed(Date().timeIntervalSince(t0), 1)) s")
            stepped.append(["dt_ms": .number(dt), "\(heldOut.name)_accuracy": .number(accuracy), "spikes_per_sample": .number(spikes)])
        }
    }

    if let path = svgPath, !history.isEmpty {
        var plot = SVGPlot(title: "ReL-PSP TTFS on MNIST: train (blue) and \(validation > 0 ? "validation" : "test") (red) accuracy", xLabel: "epoch", yLabel: "accuracy", xRange: 0...Double(history.count), yRange: Swift.max(0, (history.map(\.test).min() ?? 0) - 0.02)...1)
        let xs = history.indices.map { Double($0 + 1) }
        plot.line(xs, history.map(\.train), color: SVGPlot.palette[0], label: "train")
        plot.line(xs, history.map(\.test), color: SVGPlot.palette[1], label: validation > 0 ? "validation" : "test")
        try writeTextFile(plot.rendered, to: path)
        print("training curve written to \(path)")
    }
    let wall = Date().timeIntervalSince(start)
    var fields: [String: JSONValue] = [
        "threads": .int(threads), "thread_wait_seconds": .array(Parallelism.waitSeconds.map { .number($0) }),
        "example": "mnist-ttfs", "test_accuracy": validation > 0 ? .null : .number(eval.accuracy),
        "validation_accuracy": validation > 0 ? .number(eval.accuracy) : .null, "train_accuracy": .number(trainAccuracy),
        "epochs": .int(cli.string("load") == nil ? epochs : 0), "hidden": .array(network.layerSizes.dropFirst().dropLast().map { .int($0) }),
        "seed": .unsigned(seed), "wall_seconds": .number(wall), "train_seconds": .number(trainSeconds),
        "train_samples_per_second": .number(trainSeconds > 0 ? Double(trainX.count * epochs) / trainSeconds : nil),
        "spikes_per_sample": .number(eval.spikesPerSample), "synaptic_events_per_sample": .number(eval.synapticEventsPerSample),
        "silent_fraction": .array(eval.silentFraction.map { .number($0) }), "decision_time_ms": .number(eval.decisionTime),
        "engine_mismatches": .int(mismatches), "learning_rate": .number(initialLearningRate),
        "lr_decay": .number(decay), "lr_step": .int(lrStep), "batch": .int(batch), "average_decay": .number(averageDecay), "shift_pixels": .int(shift),
        "jitter_ms": .number(jitter), "temperature_ms": .number(options.temperature), "silent_penalty": .number(options.silentPenalty), "train_samples": .int(trainX.count),
        "validation_samples": .int(validation), "test_samples": .int(validation > 0 ? 0 : testCount), "undecided": .number(eval.undecided),
    ]
    if !stepped.isEmpty { fields["stepped"] = .array(stepped) }
    if networkPath != nil { fields["written_network_decision"] = writtenDecision }
    printResultLine(JSONValue.object(fields).merging(try JSONValue(encoding: evaluation)))
}
