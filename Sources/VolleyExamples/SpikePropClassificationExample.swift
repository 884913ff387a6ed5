import Foundation
import Volley

/// The shared body of the `iris-spikeprop` and `wbcd-spikeprop` examples.
public func runSpikePropClassificationExample(program: String, title: String, defaultDataFile: String, defaults: SpikePropClassifierSetup, quick: SpikePropClassifierSetup) throws {
    var cli = CommandOptions(program: program, summary: "SpikeProp classification of \(title) (Bohte et al. 2002), stratified k-fold cross-validation")
    cli.option("data", value: "PATH", default: "../shared/datasets/uci/\(defaultDataFile)", help: "CSV file: numeric features and a class label (an integer, or a string as in UCI's raw files); a header row is optional")
    cli.option("label-column", value: "N", help: "1-based column of the class label (default: the last)")
    cli.option("drop-columns", value: "N[,N…]", help: "1-based columns to ignore, e.g. an id (UCI's wdbc.data: --label-column 2 --drop-columns 1)")
    cli.option("epochs", value: "N", default: "\(defaults.epochs)", help: "training epochs per fold")
    cli.option("folds", value: "K", default: "\(defaults.folds)", help: "stratified cross-validation folds")
    cli.option("hidden", value: "N", default: "\(defaults.hidden)", help: "hidden SRM neurons")
    cli.option("fields", value: "M", default: "\(defaults.fieldsPerFeature)", help: "Gaussian receptive fields per feature")
    cli.option("seed", value: "S", default: "\(defaults.seed)", help: "seed of the folds and weights")
    cli.option("early", value: "MS", default: "\(defaults.earlyTarget)", help: "target time of the output neuron of the sample's class")
    cli.option("late", value: "MS", default: "\(defaults.lateTarget)", help: "target time (or earliest allowed time) of the other outputs")
    cli.option("inhibitory", value: "FRACTION", default: "\(defaults.inhibitoryFraction)", help: "fraction of hidden neurons that are inhibitory")
    cli.option("weight-decay", value: "LAMBDA", default: "\(defaults.weightDecay)", help: "L2 weight decay per sample")
    cli.option("optimizer", value: "rprop|momentum|adam", default: defaults.optimizer.name, help: "rprop: full batch; momentum (μ = 0.9) and adam: online, one update per sample")
    cli.option("lr", value: "ETA", default: "0.001", help: "learning rate of momentum and adam")
    cli.option("terminals", value: "K", default: "\(defaults.delays.count)", help: "delayed terminals per connection, delays 1…K ms")
    cli.option("loss", value: "mse|ce", default: defaults.crossEntropyTemperature == nil ? "mse" : "ce", help: "SpikeProp's squared time error (mse) or cross-entropy of softmax(−t/T) (ce)")
    cli.option("temperature", value: "MS", default: "\(defaults.crossEntropyTemperature ?? 1)", help: "softmax temperature T of the ce loss")
    cli.option("jitter", value: "MS", default: "\(defaults.inputJitter)", help: "training augmentation: Gaussian jitter (SD, ms) of input spike times, redrawn every epoch")
    cli.flag("quantile", help: "quantile-transform every feature by its training distribution before encoding")
    cli.option("range-clip", value: "FRACTION", default: "\(defaults.rangeClip)", help: "fit receptive-field ranges to these lower/upper quantiles of each training feature")
    cli.option("resolution", value: "MS", default: defaults.inputResolution.map { "\($0)" } ?? "exact", help: "round input spike times to multiples of this (ms), or 'exact'")
    cli.option("init-high", value: "MV", default: "\(defaults.initialWeightHigh)", help: "initial weights uniform in [0, init-high) mV before calibration")
    cli.option("svg", value: "PATH", help: "write the training curves (loss and test accuracy per epoch) as SVG")
    cli.flag("no-engine-check", help: "skip re-running the test samples in the event-driven engine")
    cli.flag("quick", help: "seconds-long run for CI: 3 folds, few epochs, 40 samples per class")
    cli.workThreadsOption()
    try cli.parseProcessArguments()
    let threads = try cli.applyWorkThreads()

    let isQuick = cli.isSet("quick")
    var setup = isQuick ? quick : defaults
    if !isQuick || cli.isSet("epochs") { setup.epochs = try cli.int("epochs", .within(1...100_000)) }
    if !isQuick || cli.isSet("folds") { setup.folds = try cli.int("folds", .atLeast(2)) }
    if !isQuick || cli.isSet("hidden") { setup.hidden = try cli.int("hidden", .within(1...10_000)) }
    if !isQuick || cli.isSet("fields") { setup.fieldsPerFeature = try cli.int("fields", .within(3...1_000)) }
    setup.seed = try cli.uint64("seed")
    setup.earlyTarget = try cli.double("early", .within(0...1000))
    setup.lateTarget = try cli.double("late", .init("must be later than --early (\(setup.earlyTarget) ms) and ≤ 1000 ms") { $0 > setup.earlyTarget && $0 <= 1000 })
    setup.inhibitoryFraction = try cli.double("inhibitory", .fraction)
    setup.weightDecay = try cli.double("weight-decay", .within(0...1))
    setup.initialWeightHigh = try cli.double("init-high", .init("must be in (0, 100] mV") { $0 > 0 && $0 <= 100 })
    setup.rangeClip = try cli.double("range-clip", .init("must be in [0, 0.5)") { $0 >= 0 && $0 < 0.5 })
    if cli.isSet("quantile") { setup.quantileTransform = true }
    setup.inputJitter = try cli.double("jitter", .within(0...100))
    let temperature = try cli.double("temperature", .within(0.01...1000))
    setup.crossEntropyTemperature = try cli.choice("loss", ["mse", "ce"]) == "ce" ? temperature : nil
    let lr = try cli.double("lr", .init("must be in (0, 10]") { $0 > 0 && $0 <= 10 })
    switch try cli.choice("optimizer", ["rprop", "momentum", "adam"]) {
    case "momentum": setup.optimizer = .sgd(learningRate: lr, momentum: 0.9)
    case "adam": setup.optimizer = .adam(learningRate: lr)
    default: break
    }
    let terminals = try cli.int("terminals", .within(1...100))
    setup.delays = (1...terminals).map(Double.init)
    setup.inputResolution = cli.string("resolution") == "exact" ? nil : try cli.double("resolution", .init("must be in [1e-6, 10] ms, or 'exact'") { $0 >= 1e-6 && $0 <= 10 })
    let svgPath = try cli.string("svg").map { try OutputPath.check($0, flag: "svg") }
    let labelColumn = try cli.optionalInt("label-column", .positive)
    let dropped = cli.isSet("drop-columns") ? Set(try cli.intList("drop-columns", .positive)) : []
    let path = try cli.requiredString("data")
    var data = try reading("data", path) { try LabelledData.load(csv: path, labelColumn: labelColumn, droppedColumns: dropped) }
    if let names = data.classNames {
        print("class labels: " + names.enumerated().map { "'\($1)' → \($0)" }.joined(separator: ", ") + " (in order of first appearance)")
    }
    if isQuick {
        // A small stratified subset keeps the CI run to seconds.
        let keep = data.labels.indices.filter { i in data.labels[..<i].filter { $0 == data.labels[i] }.count < 40 }
        data = data.subset(keep)
    }
    guard data.classCount >= 2 else {
        throw VolleyError.usage("option '--data': \(path) holds \(data.classCount) class; classification needs at least 2")
    }
    guard setup.folds <= data.count else {
        throw VolleyError.usage("option '--folds': \(setup.folds) folds for \(data.count) samples")
    }
    let classes = data.classCount
    let folds = try data.stratifiedFolds(setup.folds, seed: setup.seed)
    print("\(title): \(data.count) samples, \(data.featureCount) features, \(classes) classes, read from \(path)")
    print("network \(data.featureCount * setup.fieldsPerFeature + 1)-\(setup.hidden)-\(classes) SRM (τ = \(setup.tau) ms, θ = \(setup.threshold)), \(setup.delays.count) terminals (\(Format.fixed(setup.delays.first!, 0))…\(Format.fixed(setup.delays.last!, 0)) ms), \(setup.fieldsPerFeature) receptive fields per feature over \(setup.codingInterval) ms + reference neuron at 0 ms")
    print("input spike times \(setup.inputResolution.map { "rounded to \($0) ms" } ?? "exact")")
    print("loss: \(setup.crossEntropyTemperature.map { "cross-entropy of softmax(−t/\($0) ms)" } ?? "½Σ(t − t̂)², targets own class \(setup.earlyTarget) ms, others \(setup.lateTarget) ms\(setup.relaxLateTargets ? " or later" : "")"); classification by earliest output spike; \(setup.optimizer.name), \(setup.epochs) epochs; \(setup.folds)-fold stratified cross-validation, seed \(setup.seed)")

    let start = Date()
    // Folds are independent: they run in parallel (each is deterministic; only the interleaving
    // of progress lines depends on scheduling).
    let data0 = data
    let setup0 = setup
    let verify = !cli.isSet("no-engine-check")
    let outcomes: [Result<SpikePropFoldResult, VolleyError>] = parallelMap(folds.count) { f in
        let testSet = Set(folds[f])
        let trainIndices = data0.labels.indices.filter { !testSet.contains($0) }
        do {
            let r = try SpikePropClassifier.runFold(
                f, train: data0.subset(trainIndices), test: data0.subset(folds[f]), classes: classes, setup: setup0,
                verifyWithEngine: verify) { print("  " + $0) }
            print("fold \(f + 1)/\(setup0.folds): train \(r.trainCorrect)/\(r.trainCount), test \(r.testCorrect)/\(r.testCount), \(Format.fixed(r.seconds, 1)) s, engine mismatches \(r.engineMismatches)")
            return .success(r)
        } catch let e as VolleyError {
            return .failure(e)
        } catch {
            return .failure(.unsupported("\(error)"))
        }
    }
    let results = try blaming(["lr", "optimizer", "init-high", "weight-decay", "temperature"]) { try outcomes.map { try $0.get() } }
    let wall = Date().timeIntervalSince(start)
    let trainAccuracy = Double(results.reduce(0) { $0 + $1.trainCorrect }) / Double(results.reduce(0) { $0 + $1.trainCount })
    let testAccuracy = Double(results.reduce(0) { $0 + $1.testCorrect }) / Double(results.reduce(0) { $0 + $1.testCount })
    let foldAccuracies = results.map { Double($0.testCorrect) / Double($0.testCount) }
    let mean = foldAccuracies.reduce(0, +) / Double(foldAccuracies.count)
    let sd = (foldAccuracies.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(Swift.max(foldAccuracies.count - 1, 1))).squareRoot()
    let tested = Double(results.reduce(0) { $0 + $1.testCount })
    let spikes = results.reduce(0) { $0 + $1.spikesPerSample * Double($1.testCount) } / tested
    let synops = results.reduce(0) { $0 + $1.synapticEventsPerSample * Double($1.testCount) } / tested
    let mismatches = results.reduce(0) { $0 + $1.engineMismatches }
    let checkpoints = Set((1...10).map { Swift.max(1, $0 * setup.epochs / 10) })
    let curve = checkpoints.sorted().map { e -> String in
        let hits = results.reduce(0.0) { $0 + $1.testAccuracies[e - 1] * Double($1.testCount) }
        return "\(e): \(Format.fixed(100 * hits / Double(data.count), 2))%"
    }
    print("cross-validated test accuracy after epoch " + curve.joined(separator: ", "))
    print("cross-validated accuracy: train \(Format.fixed(100 * trainAccuracy, 2))%, test \(Format.fixed(100 * testAccuracy, 2))% (fold mean \(Format.fixed(100 * mean, 2))% ± \(Format.fixed(100 * sd, 2))%)")
    print("per test sample: \(Format.fixed(spikes, 1)) spikes, \(Format.fixed(synops, 0)) synaptic events; engine mismatches \(mismatches); wall \(Format.fixed(wall, 1)) s")
    let evaluation = SNNEvaluation.pooled(results.map(\.evaluation))!
    print(evaluation.summary)

    if let svgPath {
        let topLoss = results.flatMap(\.losses).max() ?? 1
        var plot = SVGPlot(
            title: "SpikeProp \(title): test accuracy (dashed) and training loss ÷ \(Format.fixed(topLoss, 3)) (solid), one colour per fold",
            xLabel: "epoch", yLabel: "accuracy / relative loss", xRange: 0...Double(setup.epochs), yRange: 0...1)
        for (k, r) in results.enumerated() {
            let xs = r.losses.indices.map { Double($0 + 1) }
            let color = SVGPlot.palette[k % SVGPlot.palette.count]
            plot.line(xs, r.losses.map { $0 / topLoss }, color: color, width: 1)
            plot.line(xs, r.testAccuracies, color: color, width: 1, dashed: true)
        }
        try writeTextFile(plot.rendered, to: svgPath)
        print("training curves written to \(svgPath)")
    }
    let fields: JSONValue = [
        "example": .string(program), "samples": .int(data.count), "folds": .int(setup.folds), "seed": .unsigned(setup.seed),
        "train_accuracy": .number(trainAccuracy), "test_accuracy": .number(testAccuracy),
        "test_accuracy_fold_sd": .number(sd), "epochs": .int(setup.epochs), "hidden": .int(setup.hidden),
        "fields_per_feature": .int(setup.fieldsPerFeature), "optimizer": .string(setup.optimizer.name),
        "wall_seconds": .number(wall), "spikes_per_sample": .number(spikes),
        "synaptic_events_per_sample": .number(synops), "engine_mismatches": .int(mismatches),
        "threads": .int(threads), "thread_wait_seconds": .array(Parallelism.waitSeconds.map { .number($0) }),
    ]
    printResultLine(fields.merging(try JSONValue(encoding: evaluation)))
}
