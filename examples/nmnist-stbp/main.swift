// Event-camera digits with STBP: a LIF network trained on event frames (binned to the grid), then
// run on the sensor's exact event times in the event-driven engine. By default on *synthetic*
// saccade recordings of MNIST digits (SaccadeEvents: no sensor noise); on real N-MNIST with --data.
//
//   swift run -c release nmnist-stbp --mnist ../shared/datasets/mnist
//   swift run -c release nmnist-stbp --data PATH/TO/N-MNIST     # Train/0…9/*.bin, Test/0…9/*.bin

import Foundation
import Volley
import VolleyExamples

runExample("nmnist-stbp") {
    var cli = CommandOptions(program: "nmnist-stbp", summary: "STBP on event-camera digits (synthetic saccades of MNIST by default, N-MNIST with --data), grid training and exact event-driven inference")
    cli.option("mnist", value: "PATH", default: "../shared/datasets/mnist", help: "MNIST IDX directory the synthetic recordings are made from (when --data is not given)")
    cli.option("data", value: "PATH", help: "N-MNIST directory (Train/0…9/*.bin and Test/0…9/*.bin, Orchard et al. 2015) instead of synthetic recordings")
    cli.option("hidden", value: "N[,N…]", default: "200", help: "hidden layer sizes")
    cli.option("epochs", value: "N", default: "10", help: "training epochs")
    cli.option("batch", value: "N", default: "50", help: "minibatch size")
    cli.option("lr", value: "ETA", default: "2e-3", help: "Adam learning rate (halved every 4 epochs)")
    cli.option("dropout", value: "P", default: "0", help: "dropout rate of the hidden layers' spikes in training (one mask per recording over all its steps, survivors × 1/(1 − P); docs/stbp.md); 0: off")
    cli.option("bin", value: "MS", default: "5", help: "time step of the grid the events are binned to, and the delay of every connection (ms, 0.5…50)")
    cli.option("tau-m", value: "MS", default: "20", help: "membrane time constant τm (ms)")
    cli.option("threshold", value: "MV", default: "1", help: "firing threshold θ (mV above rest)")
    // Reset by subtraction: chosen on validation (docs/event-camera.md).
    STBPDynamicsOptions.declare(&cli, reset: .bySubtraction)
    STBPReadoutOptions.declare(&cli, readoutDefault: "spike-count", lossDefault: "mse")
    cli.option("train-samples", value: "N", default: "6000", help: "training recordings (synthetic: the first N MNIST training images)")
    cli.option("validation", value: "N", default: "0", help: "hold out the last N training recordings for validation, for choosing settings: every figure (per epoch, final, --eval-exact) is then measured on them, and the test recordings stay unused (test keys null)")
    cli.option("test-samples", value: "N", default: "1000", help: "test recordings (synthetic: the first N MNIST test images)")
    cli.option("eval-exact", value: "N", default: "1000", help: "run the first N test recordings (validation recordings with --validation) in the event-driven engine on their exact event times, and in the time-stepped engine on the grid")
    cli.option("seed", value: "S", default: "1", help: "seed of the weights, the order, and the synthetic sensors' thresholds")
    cli.option("svg", value: "PATH", help: "write the first test recording's events in three windows as SVG")
    cli.flag("quick", help: "seconds-long CI run: 200 training and 100 test recordings, 32 hidden neurons, 2 epochs")
    cli.workThreadsOption()
    try cli.parseProcessArguments()
    let threads = try cli.applyWorkThreads()

    let quick = cli.isSet("quick")
    let hidden = quick && !cli.isSet("hidden") ? [32] : try cli.intList("hidden", .within(1...10_000))
    let epochs = quick && !cli.isSet("epochs") ? 2 : try cli.int("epochs", .within(0...10_000))
    let trainCount = quick && !cli.isSet("train-samples") ? 200 : try cli.int("train-samples", .within(1...1_000_000))
    let testCount = quick && !cli.isSet("test-samples") ? 100 : try cli.int("test-samples", .within(1...1_000_000))
    let validation = try cli.int("validation", .init("must be in 0..<train-samples (\(trainCount))") { $0 >= 0 && $0 < trainCount })
    let fit = trainCount - validation
    let exactRequested = quick && !cli.isSet("eval-exact") ? 50 : try cli.int("eval-exact", .within(0...1_000_000))
    let batch = try cli.int("batch", .within(1...100_000))
    let lr = try cli.double("lr", .init("must be in (0, 1]") { $0 > 0 && $0 <= 1 })
    let dropout = try cli.double("dropout", .init("must be in [0, 1)") { $0 >= 0 && $0 < 1 })
    let bin = try cli.double("bin", .within(0.5...50))
    let tauM = try cli.double("tau-m", .init("must be in (0, 10⁵] ms") { $0 > 0 && $0 <= 1e5 })
    let threshold = try cli.double("threshold", .init("must be in (0, 10⁴] mV") { $0 > 0 && $0 <= 1e4 })
    let dynamics = try STBPDynamicsOptions.parse(cli)
    let (readout, loss) = try STBPReadoutOptions.parse(cli, default: .spikeCount)
    let tieBreak = try STBPReadoutOptions.tieBreak(cli)
    let seed = try cli.uint64("seed")
    let svgPath = try cli.string("svg").map { try OutputPath.check($0, flag: "svg") }
    guard exactRequested <= (validation > 0 ? validation : testCount) else {
        throw VolleyError.usage("option '--eval-exact': \(exactRequested) is more than the \(validation > 0 ? "\(validation) validation recordings (--validation)" : "\(testCount) test recordings (--test-samples)")")
    }

    // Recordings and labels.
    let start = Date()
    let train: [EventRecording], trainLabels: [Int], test: [EventRecording], testLabels: [Int], source: String
    if let dir = cli.string("data") {
        func split(_ name: String, _ count: Int) throws -> ([EventRecording], [Int]) {
            var files: [(String, Int)] = []
            for digit in 0...9 {
                let folder = "\(dir)/\(name)/\(digit)"
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
                    throw VolleyError.usage("option '--data': \(folder) is not a directory (expected N-MNIST's Train/0…9 and Test/0…9 folders of .bin files)")
                }
                let names: [String]
                do { names = try FileManager.default.contentsOfDirectory(atPath: folder) } catch {
                    throw VolleyError.usage("option '--data': cannot list \(folder): \(FileProblem.describe(folder, fallback: error))")
                }
                files += names.filter { $0.hasSuffix(".bin") }.sorted().map { ("\(folder)/\($0)", digit) }
            }
            // Interleave the classes in a seeded order, then take the first `count`.
            var rng = Xoshiro256(seed: seed, stream: 0x5EC)
            for k in stride(from: files.count - 1, to: 0, by: -1) { files.swapAt(k, rng.index(below: k + 1)) }
            guard files.count >= count else {
                throw VolleyError.usage("option '--data': \(dir)/\(name) holds \(files.count) recordings, fewer than the \(count) asked for")
            }
            let chosen = Array(files.prefix(count))
            let recordings = try parallelMap(chosen.count) { i in Result { try NMNISTFormat.load(path: chosen[i].0) } }.map { r in
                try reading("data", dir) { try r.get() }
            }
            return (recordings, chosen.map(\.1))
        }
        (train, trainLabels) = try split("Train", trainCount)
        (test, testLabels) = try split("Test", testCount)
        source = "N-MNIST recordings from \(dir)"
    } else {
        let mnistPath = try cli.requiredString("mnist")
        let mnist = try reading("mnist", mnistPath) { try MNIST.load(directory: mnistPath) }
        guard trainCount <= mnist.trainImages.count, testCount <= mnist.testImages.count else {
            throw VolleyError.usage("options '--train-samples'/'--test-samples': \(mnistPath) has \(mnist.trainImages.count) training and \(mnist.testImages.count) test images")
        }
        let generator = SaccadeEvents()
        func make(_ images: IDXImages, _ count: Int, stream: UInt64) throws -> [EventRecording] {
            try parallelMap(count) { i in Result { try generator.events(image: images.image(i), rows: 28, columns: 28, seed: seed &+ stream &* 1_000_003 &+ UInt64(i)) } }
                .map { try $0.get() }
        }
        train = try make(mnist.trainImages, trainCount, stream: 1)
        test = try make(mnist.testImages, testCount, stream: 2)
        trainLabels = Array(mnist.trainLabels.prefix(trainCount))
        testLabels = Array(mnist.testLabels.prefix(testCount))
        source = "SYNTHETIC saccade recordings (SaccadeEvents: three 100 ms saccades, contrast threshold 0.15, no sensor noise) of MNIST from \(mnistPath)"
    }
    let width = train[0].width, height = train[0].height
    let lastMs = (train + test).map { Double($0.timeRange?.upperBound ?? 0) / 1000 }.max() ?? 0
    let inputSteps = Int((lastMs / bin).rounded(.down)) + 1
    let meanEvents = Double((train + test).reduce(0) { $0 + $1.count }) / Double(train.count + test.count)
    print("\(source): \(train.count) training and \(test.count) test recordings, \(width) × \(height) pixels, \(Format.fixed(meanEvents, 0)) events per recording, binned to \(inputSteps) steps of \(bin) ms (\(Format.fixed(Date().timeIntervalSince(start), 1)) s)")

    var network = try STBPNetwork(
        layerSizes: [2 * width * height] + hidden + [10],
        neuron: LIFDelta(tauM: tauM, vRest: 0, vReset: 0, vThreshold: threshold, tRef: 0, reset: dynamics.reset),
        synapse: dynamics.synapse, adaptation: dynamics.adaptation, dt: bin, readout: readout)
    network.tieBreak = tieBreak
    network.initialize(gain: 1, seed: seed)
    let steps = network.steps(forInputSteps: inputSteps)
    let trainInputs = train.map { STBPInput.binned($0, dtMs: bin, steps: inputSteps) }
    let testInputs = test.map { STBPInput.binned($0, dtMs: bin, steps: inputSteps) }
    print("network \(network.layerSizes.map(String.init).joined(separator: "-")) LIF (\(STBPDynamicsOptions.describe(network))), \(steps) steps of \(bin) ms; Adam lr \(lr) halved every 4 epochs, batch \(batch), \(loss == .rateMSE ? "rate MSE" : "cross-entropy") on \(readout == .spikeCount ? "spike counts" : "mean output potentials"), rectangular surrogate, \(dropout > 0 ? "dropout \(dropout), " : "")\(epochs) epochs, seed \(seed)")
    var trainer = try STBPTrainer(network: network, learningRate: lr, surrogate: .rectangular(width: threshold), loss: loss, batch: batch, dropout: dropout, dropoutSeed: seed)
    var order = Array(0..<fit)
    let heldOutName = validation > 0 ? "validation" : "test"
    let heldOut = validation > 0 ? Array(trainInputs[fit...]) : testInputs
    let heldOutLabels = validation > 0 ? Array(trainLabels[fit...]) : testLabels
    let heldOutRecordings = validation > 0 ? Array(train[fit...]) : test
    var rng = Xoshiro256(seed: seed, stream: 0x0DE)
    var trainSeconds = 0.0, trainAccuracy = Double.nan
    for epoch in 1...max(epochs, 1) where epochs > 0 {
        trainer.setLearningRate(lr * pow(0.5, Double((epoch - 1) / 4)))
        for k in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(k, rng.index(below: k + 1)) }
        let t0 = Date()
        let (loss, accuracy) = try blaming(["lr"]) { try trainer.epoch(trainInputs, labels: trainLabels, order: order, steps: steps) }
        trainSeconds += Date().timeIntervalSince(t0)
        trainAccuracy = accuracy
        let check = try STBPEvaluation.evaluate(trainer.network, count: heldOut.count, labels: heldOutLabels, steps: steps) { heldOut[$0] }
        print("epoch \(epoch)/\(epochs): loss \(Format.fixed(loss, 4)), train accuracy \(Format.fixed(accuracy, 4)), \(heldOutName) accuracy \(Format.fixed(check.accuracy, 4)), \(Format.fixed(Double(fit) / Date().timeIntervalSince(t0), 0)) samples/s, \(Format.fixed(check.spikesPerSample, 1)) spikes/sample")
    }
    network = trainer.network
    // The final figures on the held-out recordings: the test set, or with --validation the
    // validation recordings only (a run that chooses settings never sees a test figure).
    let eval = try STBPEvaluation.evaluate(network, count: heldOut.count, labels: heldOutLabels, steps: steps) { heldOut[$0] }
    let report = eval.report(of: network, steps: steps)
    print("\(heldOutName) accuracy \(Format.fixed(100 * eval.accuracy, 2))% (\(heldOut.count) recordings, binned events, grid dt = \(bin) ms)")
    print(report.summary)

    // The trained network on the sensor's exact event times, and on the grid, in the engines.
    var rows: [JSONValue] = []
    var exactAccuracy: JSONValue = .null
    if exactRequested > 0 {
        let end = Double(steps - 1) * bin
        let size = 2 * width * height
        func run(event: Bool) throws -> (accuracy: Double, events: Double, seconds: Double) {
            // Event-driven: every event at its own time (µs); stepped: on the grid of the bins.
            let r = try STBPEngineEvaluation.run(
                network, engine: event ? .eventDriven : .timeStepped(dt: bin), count: exactRequested, labels: heldOutLabels, until: end
            ) { event ? heldOutRecordings[$0].spikeTrains() : heldOut[$0].spikeTrains(size: size, dt: bin) }
            return (r.accuracy, r.synapticEventsPerSample, r.wallSeconds)
        }
        let grid = try STBPEvaluation.evaluate(network, count: exactRequested, labels: heldOutLabels, steps: steps) { heldOut[$0] }
        let stepped = try run(event: false)
        let exact = try run(event: true)
        print("the first \(exactRequested) \(heldOutName) recordings:")
        print("  training forward pass (binned, \(bin) ms): accuracy \(Format.fixed(100 * grid.accuracy, 2))%")
        print("  time-stepped engine (binned, dt = \(bin) ms): accuracy \(Format.fixed(100 * stepped.accuracy, 2))%, \(Format.fixed(stepped.events, 0)) synaptic events per recording, \(Format.fixed(stepped.seconds, 2)) s")
        print("  event-driven engine (exact event times): accuracy \(Format.fixed(100 * exact.accuracy, 2))%, \(Format.fixed(exact.events, 0)) synaptic events per recording, \(Format.fixed(exact.seconds, 2)) s")
        exactAccuracy = .number(exact.accuracy)
        rows = [
            ["engine": "stepped", "input": "binned", "dt_ms": .number(bin), "\(heldOutName)_accuracy": .number(stepped.accuracy), "synops_per_sample": .number(stepped.events), "wall_seconds": .number(stepped.seconds)],
            ["engine": "event", "input": "exact", "dt_ms": .null, "\(heldOutName)_accuracy": .number(exact.accuracy), "synops_per_sample": .number(exact.events), "wall_seconds": .number(exact.seconds)],
        ]
    }
    if let path = svgPath {
        try writeTextFile(test[0].framesSVG(windows: [(0, 105), (105, 210), (210, 315)], title: "\(cli.isSet("data") ? "N-MNIST" : "synthetic saccades"): test recording 0 (label \(testLabels[0])), ON red, OFF blue"), to: path)
        print("event windows written to \(path)")
    }
    let fields: JSONValue = [
        "threads": .int(threads), "thread_wait_seconds": .array(Parallelism.waitSeconds.map { .number($0) }),
        "example": "nmnist-stbp", "synthetic": .bool(!cli.isSet("data")), "hidden": .array(hidden.map { .int($0) }),
        "test_accuracy": validation > 0 ? .null : .number(eval.accuracy), "exact_test_accuracy": validation > 0 ? .null : exactAccuracy,
        "exact_validation_accuracy": validation > 0 ? exactAccuracy : .null, "exact_\(heldOutName)_samples": .int(exactRequested),
        "train_accuracy": .number(trainAccuracy), "epochs": .int(epochs), "bin_ms": .number(bin), "steps": .int(steps),
        "train_samples": .int(fit), "validation_samples": .int(validation),
        "validation_accuracy": .number(validation > 0 ? eval.accuracy : nil), "test_samples": .int(validation > 0 ? 0 : test.count), "events_per_recording": .number(meanEvents),
        "train_seconds": .number(trainSeconds), "train_samples_per_second": .number(trainSeconds > 0 ? Double(fit * epochs) / trainSeconds : nil),
        "seed": .unsigned(seed), "dropout": .number(dropout), "readout": .string(readout.rawValue), "tie_break": readout == .spikeCount ? .string(tieBreak.rawValue) : .null, "loss": .string(loss.rawValue), "engines": .array(rows),
    ]
    printResultLine(fields.merging(STBPDynamicsOptions.json(network)).merging(try JSONValue(encoding: report)))
}
