// ANN→SNN conversion on MNIST: a ReLU network (no biases, average pooling) trained with Adam,
// converted into rate-coded non-leaky integrate-and-fire neurons (data-based weight
// normalisation; Diehl et al. 2015, Rueckauer et al. 2017) and into time-to-first-spike neurons
// with the exact ReLU mapping (after Stanojevic et al. 2024), run in both engines.
//
//   swift run -c release convert-ann --data ../shared/datasets/mnist
//   swift run -c release convert-ann --data ../shared/datasets/mnist --arch cnn

import Foundation
import Volley
import VolleyExamples

runExample("convert-ann") {
    var cli = CommandOptions(program: "convert-ann", summary: "train a ReLU network on MNIST and convert it into rate-coded and time-to-first-spike SNNs, run in both engines")
    cli.option("data", value: "PATH", default: "../shared/datasets/mnist", help: "directory with the four raw MNIST IDX files")
    cli.option("arch", value: "mlp|cnn", default: "mlp", help: "mlp (784-hidden…-10) or cnn (28×28 → conv k×k C1 → avgpool 2 → conv k×k C2 → avgpool 2 → hidden… → 10, no padding)")
    cli.option("hidden", value: "N[,N…]", default: "800 (mlp), 128 (cnn)", help: "hidden dense layer sizes (after the convolutions for cnn; 0 for none)")
    cli.option("channels", value: "C1,C2", default: "16,32", help: "cnn: channels of the two convolutions")
    cli.option("kernel", value: "K", default: "5", help: "cnn: side of the square kernels")
    cli.option("epochs", value: "N", default: "12 (mlp), 15 (cnn)", help: "ANN training epochs")
    cli.option("batch", value: "N", default: "100", help: "minibatch size")
    cli.option("lr", value: "ETA", default: "1e-3", help: "Adam learning rate")
    cli.option("lr-decay", value: "F", default: "0.5", help: "learning rate × F every --lr-step epochs")
    cli.option("lr-step", value: "N", default: "4 (mlp), 5 (cnn)", help: "epochs between learning-rate decays")
    cli.option("shift", value: "PIXELS", default: "1", help: "training augmentation: translate each training image by a random (dx, dy) in [−P, P]², redrawn each epoch")
    cli.option("seed", value: "S", default: "1", help: "seed of the weights, the sample order, the shifts and the Poisson input")
    cli.option("train-samples", value: "N", default: "60000", help: "use the first N training images")
    cli.option("validation", value: "N", default: "0", help: "hold out the last N of those: every figure is then measured on them instead of the test set (for choosing settings)")
    cli.option("test-samples", value: "N", default: "10000", help: "use the first N test images")
    cli.option("norm", value: "max|pP", default: "p99.9", help: "rate conversion: weight normalisation by each layer's largest activation (max) or its P-th percentile (e.g. p99.9) on training images")
    cli.option("norm-samples", value: "N", default: "2000", help: "training images used to measure the activation scales")
    cli.option("reset", value: "subtract|zero", default: "subtract", help: "rate conversion: reset by subtraction (V ← V − θ) or to zero")
    cli.option("input", value: "current|poisson", default: "current", help: "rate conversion: pixels as a constant current into the first layer, or Poisson spikes")
    cli.option("steps", value: "T[,T…]", default: "10,25,50,100,200,500", help: "rate conversion: time steps (dt = 1 ms) at which accuracy is read")
    cli.option("window", value: "MS", default: "1", help: "TTFS conversion: window τ of one layer (ms per unit of activation)")
    cli.option("delay", value: "MS", default: "0.1", help: "TTFS conversion: delay of every connection (ms)")
    cli.option("engine-samples", value: "N", default: "200", help: "run the first N evaluation images in the engines (rate: time-stepped and event-driven; TTFS: event-driven and time-stepped at dt = 0.01 ms) and compare")
    cli.option("save", value: "PATH", help: "write the trained ANN as JSON")
    cli.option("load", value: "PATH", help: "load an ANN instead of training")
    cli.option("svg", value: "PATH", help: "write accuracy against latency (ms) of both codings as SVG")
    cli.flag("quick", help: "seconds-long CI run: 1000 training and 300 test images, 100 hidden neurons (cnn: channels 4,8, no hidden layer), 2 epochs, steps 10,50, 20 engine images")
    cli.workThreadsOption()
    try cli.parseProcessArguments()
    let threads = try cli.applyWorkThreads()

    let quick = cli.isSet("quick")
    let arch = try cli.choice("arch", ["mlp", "cnn"])
    let hidden = try MNISTSplit.hiddenLayers(cli, arch: arch, default: arch == "cnn" ? (quick ? [] : [128]) : quick ? [100] : [800])
    let channels = try MNISTSplit.channels(cli, quick: quick)
    let kernel = try cli.int("kernel", .within(1...9))
    let epochs = !cli.isSet("epochs") ? (quick ? 2 : arch == "cnn" ? 15 : 12) : try cli.int("epochs", .within(0...10_000))
    let trainCount = quick && !cli.isSet("train-samples") ? 1000 : try cli.int("train-samples", .positive)
    let testCount = quick && !cli.isSet("test-samples") ? 300 : try cli.int("test-samples", .positive)
    let batch = try cli.int("batch", .within(1...100_000))
    let lr = try cli.double("lr", .init("must be in (0, 1]") { $0 > 0 && $0 <= 1 })
    let lrDecay = try cli.double("lr-decay", .init("must be in (0, 1]") { $0 > 0 && $0 <= 1 })
    let lrStep = !cli.isSet("lr-step") ? (arch == "cnn" ? 5 : 4) : try cli.int("lr-step", .positive)
    let shift = try cli.int("shift", .within(0...13))
    let seed = try cli.uint64("seed")
    let validation = try cli.int("validation", .init("must be in 0..<train-samples (\(trainCount))") { $0 >= 0 && $0 < trainCount })
    let normText = try cli.requiredString("norm")
    let norm: ActivationScales.Method
    if normText == "max" {
        norm = .maximum
    } else if normText.hasPrefix("p"), let p = Double(normText.dropFirst()), p > 0, p <= 100 {
        norm = .percentile(p)
    } else {
        throw VolleyError.usage("option '--norm': '\(normText)' is not max or pP with 0 < P ≤ 100 (e.g. p99.9)")
    }
    let normCount = try cli.int("norm-samples", .positive)
    let reset: ResetMode = try cli.choice("reset", ["subtract", "zero"]) == "subtract" ? .bySubtraction : .toValue
    let inputMode = try cli.choice("input", ["current", "poisson"]) == "current" ? RateConversion.Input.current : .poisson
    let steps = quick && !cli.isSet("steps") ? [10, 50] : try cli.intList("steps", .within(1...100_000)).sorted()
    let window = try cli.double("window", .within(1e-3...1e4))
    let delay = try cli.double("delay", .within(1e-3...1e4))
    let engineCount = quick && !cli.isSet("engine-samples") ? 20 : try cli.int("engine-samples", .nonNegative)
    let savePath = try cli.string("save").map { try OutputPath.check($0, flag: "save") }
    let svgPath = try cli.string("svg").map { try OutputPath.check($0, flag: "svg") }

    var layerSizes = [784], connections: [STBPConnection] = []
    if arch == "cnn" {
        var side = 28, depth = 1
        for c in channels {
            guard side >= kernel else { throw VolleyError.usage("option '--kernel': \(kernel) does not fit the \(side)×\(side) input of a convolution") }
            let conv = ConvolutionGeometry(inputChannels: depth, inputHeight: side, inputWidth: side, outputChannels: c, kernelSize: kernel)
            side = conv.outputHeight
            guard side >= 2 else { throw VolleyError.usage("option '--kernel': \(kernel) leaves \(side)×\(side) outputs, too few to pool") }
            let pool = PoolingGeometry(channels: c, inputHeight: side, inputWidth: side, size: 2)
            connections += [.convolution(conv), .averagePooling(pool)]
            layerSizes += [conv.outputSize, pool.outputSize]
            side = pool.outputHeight
            depth = c
        }
    }
    for h in hidden + [10] {
        layerSizes.append(h)
        connections.append(.dense)
    }

    // Memory of training: weights, Adam's two moments and four gradient chunks; refused beyond
    // half of the machine's memory.
    let weightCount = connections.indices.reduce(0) { $0 + connections[$1].weightCount(inputs: layerSizes[$1], outputs: layerSizes[$1 + 1]) }
    guard Double(weightCount) * 8 * 7 < Double(ProcessInfo.processInfo.physicalMemory) / 2 else {
        throw VolleyError.usage("options '--hidden' and '--channels': \(weightCount) weights would need \(Format.bytes(weightCount * 56)) to train, more than half of this machine's memory")
    }
    let dataPath = try cli.requiredString("data")
    let split = try MNISTSplit(path: dataPath, trainCount: trainCount, validation: validation, testCount: testCount)
    let fit = split.fit
    let (trainImages, trainLabels) = (split.trainImages, split.trainLabels)
    let (evalImages, evalLabels, evalName) = (split.heldOutImages, split.heldOutLabels, split.heldOutName)
    guard engineCount <= evalImages.count else {
        throw VolleyError.usage("option '--engine-samples': \(engineCount) is more than the \(evalImages.count) \(evalName) images")
    }
    let shifter = RandomShift(pixels: shift, seed: seed)
    print("MNIST from \(dataPath): \(fit) training\(validation > 0 ? ", \(validation) validation" : "") and \(testCount) test images")

    // 1. The ANN.
    var ann: ReLUNetwork
    var trainSeconds = 0.0
    var curve: [(train: Double, heldOut: Double)] = []
    if let path = cli.string("load") {
        ann = try reading("load", path) { try ReLUModelFile.read(from: path).network(source: path) }
        guard ann.layerSizes.first == 784, ann.layerSizes.last == 10 else {
            throw VolleyError.usage("option '--load': the network in \(path) has layer sizes \(ann.layerSizes), expected 784-…-10")
        }
        print("loaded \(ConversionReport.architecture(ann)) from \(path)")
    } else {
        ann = try ReLUNetwork(layerSizes: layerSizes, connections: connections)
        ann.initialize(seed: seed)
        print("ANN \(ConversionReport.architecture(ann)), ReLU, no biases, \(ann.parameterCount) weights, \(ann.multiplyAccumulates) MACs per image")
        print("training: Adam lr \(lr) × \(lrDecay) every \(lrStep) epochs, batch \(batch), random shifts ±\(shift) px, \(epochs) epochs, seed \(seed)")
        var trainer = try ReLUTrainer(network: ann, learningRate: lr, batch: batch)
        var schedule = EpochSchedule(samples: fit, seed: seed, learningRate: lr, decay: lrDecay, step: lrStep)
        for epoch in 1...max(epochs, 1) where epochs > 0 {
            let rate = schedule.begin(epoch: epoch)
            trainer.setLearningRate(rate)
            let order = schedule.order
            let t0 = Date()
            let phase = UInt64(epoch)
            let (loss, accuracy) = try blaming(["lr"]) {
                try trainer.epoch(labels: trainLabels, order: order) { shifter.apply(trainImages[$0], epoch: phase, index: $0) }
            }
            let seconds = Date().timeIntervalSince(t0)
            trainSeconds += seconds
            let net = trainer.network
            let check = ReLUTrainer.accuracy(of: net, count: evalImages.count, labels: evalLabels) { evalImages[$0] }
            curve.append((accuracy, check))
            print("epoch \(epoch)/\(epochs): loss \(Format.fixed(loss, 4)), train accuracy \(Format.fixed(accuracy, 4)), \(evalName) accuracy \(Format.fixed(check, 4)), \(Format.fixed(Double(fit) / seconds, 0)) samples/s, lr \(Format.scientific(rate, 3))")
        }
        ann = trainer.network
    }
    if let path = savePath {
        try ReLUModelFile(network: ann, seed: seed, epochs: epochs).write(to: path)
        print("ANN written to \(path)")
    }
    let annNet = ann
    let annPredictions = parallelMap(evalImages.count) { STBPNetwork.decision(annNet.activations(evalImages[$0])[annNet.layerCount - 1]) }
    let annAccuracy = Double(zip(annPredictions, evalLabels).filter { $0 == $1 }.count) / Double(evalImages.count)
    print("ANN \(evalName) accuracy \(Format.fixed(100 * annAccuracy, 2))%")

    // 2. Activation scales on training images (never the evaluation set).
    let scaleImages = Array(trainImages.prefix(min(normCount, fit)))
    let rateScales = try ActivationScales.measure(ann, method: norm, count: scaleImages.count) { scaleImages[$0] }
    let maxScales = norm == .maximum ? rateScales : try ActivationScales.measure(ann, method: .maximum, count: scaleImages.count) { scaleImages[$0] }
    print("activation scales λ per layer (\(scaleImages.count) training images): \(norm): \(rateScales.scales.dropFirst().map { Format.fixed($0, 3) }.joined(separator: ", ")); max: \(maxScales.scales.dropFirst().map { Format.fixed($0, 3) }.joined(separator: ", "))")

    var report = ConversionReport(ann: ann, annAccuracy: annAccuracy, annPredictions: annPredictions, images: evalImages, labels: evalLabels, evalName: evalName)
    // 3. Rate conversion.
    let rate = try RateConversion(normalized: rateScales.normalized(ann), reset: reset, input: inputMode, seed: seed)
    try report.rate(rate, steps: steps, norm: "\(norm)", engineCount: engineCount)
    // 4. TTFS conversion (max normalisation: nothing clipped on the training images).
    let ttfs = try TTFSConversion(normalized: maxScales.normalized(ann), window: window, delay: delay)
    try report.ttfs(ttfs, engineCount: engineCount)

    if let path = svgPath {
        try writeTextFile(report.latencyPlot(), to: path)
        print("accuracy against latency written to \(path)")
    }
    let fields: JSONValue = [
        "threads": .int(threads), "thread_wait_seconds": .array(Parallelism.waitSeconds.map { .number($0) }),
        "example": "convert-ann", "arch": .string(arch), "layers": .string(ConversionReport.architecture(ann)),
        "epochs": .int(cli.string("load") == nil ? epochs : 0), "seed": .unsigned(seed),
        "train_samples": .int(cli.string("load") == nil ? fit : 0), "validation_samples": .int(validation), "test_samples": .int(evalImages.count),
        "train_seconds": .number(trainSeconds), "train_samples_per_second": .number(trainSeconds > 0 ? Double(fit * epochs) / trainSeconds : nil),
        "norm": .string("\(norm)"), "reset": .string(reset == .bySubtraction ? "subtract" : "zero"), "input": .string(inputMode.rawValue),
        "ttfs_window_ms": .number(window), "ttfs_delay_ms": .number(delay), "engine_samples": .int(engineCount),
    ]
    printResultLine(fields.merging(report.json))
}
