// EventProp (Wunderlich & Pehle, Sci. Rep. 11:12829, 2021): exact gradients of leaky
// integrate-and-fire networks with exponential synaptic currents — for weights and (the Yin-Yang
// default, or --learn-delays) delays — computed from the event-driven engine's exact spike times by an
// adjoint solved in closed form backwards in time. Tasks: the Yin-Yang data set (Kriener et al.
// 2022, generated here with their seeds) and latency-coded MNIST.
//
//   swift run -c release eventprop                       # Yin-Yang, max-potential readout, learned delays
//   swift run -c release eventprop --fixed-delays
//   swift run -c release eventprop --task mnist --data ../shared/datasets/mnist

import Foundation
import Volley
import VolleyExamples

runExample("eventprop") {
    var cli = CommandOptions(program: "eventprop", summary: "EventProp: exact gradients of LIF networks (weights and delays) on Yin-Yang or latency-coded MNIST")
    cli.option("task", value: "yinyang|mnist", default: "yinyang", help: "Yin-Yang (5 000 / 1 000 / 1 000, seeds 42/41/40) or latency-coded MNIST")
    cli.option("loss", value: "max|mean|ttfs|count", default: "max", help: "cross-entropy on the readout's maximum or mean potential (non-spiking readout), or on first-spike times or time-weighted spike counts Σ(1 − t/T) (spiking readout)")
    cli.option("ttfs", value: "TAU0,TAU1,ALPHA[,BETA]", default: "0.5,6.4,0.003", help: "--loss ttfs: −log softmax(−t/τ₀)[label] + α·(e^(t_label/τ₁) − 1), τ₀ and τ₁ in ms; + β·(θ − max V_label) when the label neuron stays silent")
    cli.option("hidden", value: "N", default: "200 (mnist: 350)", help: "hidden LIF neurons (≤ 10 000)")
    cli.flag("recurrent", help: "all-to-all recurrent connections within the hidden layer")
    cli.flag("learn-delays", help: "learn every synaptic delay too, by its exact gradient (the Yin-Yang default)")
    cli.flag("fixed-delays", help: "keep every delay at its initial value (the MNIST default)")
    cli.option("epochs", value: "N", default: "100 (mnist: 30)", help: "training epochs")
    cli.option("batch", value: "N", default: "32", help: "samples per update")
    cli.option("lr", value: "ETA", default: "5e-3 (mnist: 1e-2; ttfs: 2e-3)", help: "Adam learning rate of the weights (× --lr-decay after every epoch)")
    cli.option("lr-decay", value: "F", default: "0.97", help: "learning rate × F after every epoch")
    cli.option("delay-lr", value: "MS", default: "0.01", help: "Adam learning rate of the delays (ms)")
    cli.option("average", value: "DECAY", default: "0 (mnist: 0.999, chosen on validation; --quick: 0)", help: "exponential moving average of the weights (and learned delays), a ← d·a + (1 − d)·w after every update (Polyak averaging); validation, best-epoch choice, test and --save use the averaged network; 0: off")
    cli.option("reg-lower", value: "NU,RHO|off", default: "0.5,0.05", help: "spike-count regulariser of the hidden layers (and a spiking readout): a neuron with fewer than NU spikes per sample (previous batch) gets ∂L/∂t = RHO·(NU − n̄) at each spike, or its maximum potential raised when silent")
    cli.option("reg-upper", value: "NU,RHO|off", default: "off", help: "… and a neuron with more than NU spikes per sample ∂L/∂t = −RHO·(n̄ − NU)")
    cli.option("tau-m", value: "MS", default: "20", help: "membrane time constant τm (hidden and readout)")
    cli.option("tau-syn", value: "MS", default: "5", help: "synaptic current time constant τs")
    cli.option("t-min", value: "MS", default: "0", help: "earliest input spike time")
    cli.option("t-max", value: "MS", default: "30", help: "latest input spike time")
    cli.option("t-bias", value: "MS", default: "0", help: "Yin-Yang: time of the bias spike")
    cli.option("duration", value: "MS", default: "60", help: "trial length")
    cli.option("delay", value: "MS", default: "1", help: "initial delays (uniform in [D, D + spread))")
    cli.option("delay-spread", value: "MS", default: "0", help: "spread of the initial delays")
    cli.option("input-weight", value: "MEAN,STD", default: "4,4", help: "input weights N(mean, std)/√fan-in (mV of R·I)")
    cli.option("readout-weight", value: "MEAN,STD", default: "0,10 (ttfs: 13,1.4 for the readout)", help: "readout (and recurrent) weights N(mean, std)/√fan-in")
    cli.option("max-rate", value: "HZ", default: "1000", help: "spike budget of a sample: stop with an error naming the layer when the LIF neurons' mean rate exceeds HZ (a network that ran away)")
    cli.option("seed", value: "S", default: "1", help: "seed of the weights and the sample order")
    cli.option("train-samples", value: "N", default: "5000 (mnist: 55000)", help: "training samples")
    cli.option("shift", value: "PIXELS", default: "1 (mnist; chosen on validation, docs/eventprop.md)", help: "mnist: training augmentation, each training image translated by a random (dx, dy) in [−P, P]², redrawn every epoch; 0: none")
    cli.option("data", value: "PATH", default: "../shared/datasets/mnist", help: "mnist: directory with the four MNIST IDX files")
    cli.option("save", value: "PATH", help: "write the trained network (the best validation epoch) as JSON")
    cli.option("load", value: "PATH", help: "evaluate a saved network instead of training")
    cli.option("verify-dt", value: "MS,…", default: "0.5,0.1,0.01", help: "re-run the test samples in the time-stepped engine at these steps")
    cli.option("verify-samples", value: "N", default: "1000", help: "test samples re-run in the time-stepped engine")
    cli.option("svg", value: "PATH", help: "write the training curve as SVG")
    cli.option("decision-svg", value: "PATH", help: "yinyang: write the decision map with the test points as SVG")
    cli.flag("quick", help: "seconds-long CI run")
    cli.workThreadsOption()
    try cli.parseProcessArguments()
    let threads = try cli.applyWorkThreads()

    let quick = cli.isSet("quick")
    let taskName = try cli.choice("task", ["yinyang", "mnist"])
    let mnist = taskName == "mnist"
    let savePath = try cli.string("save").map { try OutputPath.check($0, flag: "save") }
    let svgPath = try cli.string("svg").map { try OutputPath.check($0, flag: "svg") }
    let decisionPath = try cli.string("decision-svg").map { try OutputPath.check($0, flag: "decision-svg") }
    if mnist && decisionPath != nil { throw VolleyError.usage("option '--decision-svg' is for --task yinyang") }
    if !mnist && cli.isSet("shift") { throw VolleyError.usage("option '--shift' is for --task mnist") }
    let loadPath = cli.string("load")
    let shift = cli.isSet("shift") ? try cli.int("shift", .within(0...13)) : mnist && loadPath == nil ? 1 : 0
    if loadPath != nil {
        for flag in ["save", "epochs", "learn-delays", "fixed-delays", "average", "recurrent", "hidden", "loss", "ttfs", "lr", "reg-lower", "reg-upper", "shift", "t-min", "t-max", "t-bias", "duration", "svg"] where cli.isSet(flag) {
            throw VolleyError.usage("option '--\(flag)' shapes training; with '--load' the network, its loss and input code come from the file")
        }
    }
    let verifyText = quick && !cli.isSet("verify-dt") ? "0.1" : cli.string("verify-dt") ?? ""
    let verifyDts = try verifyText.split(separator: ",").map { part -> Double in
        guard let dt = Double(part), dt >= 0.001, dt <= 10 else {
            throw VolleyError.usage("option '--verify-dt': '\(part)' is not a step in [0.001, 10] ms")
        }
        return dt
    }
    let verifySamples = quick && !cli.isSet("verify-samples") ? 30 : try cli.int("verify-samples", .within(0...100_000))
    let seed = try cli.uint64("seed")
    let shifter = shift > 0 ? RandomShift(pixels: shift, seed: seed) : nil
    let maxRate = try cli.double("max-rate", .init("must be in (0, 10⁶] Hz") { $0 > 0 && $0 <= 1e6 })

    // The model: read, or built from the options.
    var loss: EventPropLoss, lossName: String, duration: Double, code: EventPropModelFile.InputCode
    var network: EventPropNetwork
    var learnDelays = false, averageUsed = 0.0
    var regulariserUsed: EventPropRegulariser?
    if let path = loadPath {
        let file = try reading("load", path) { try EventPropModelFile.read(from: path) }
        (network, loss, duration) = try file.model(source: path)
        (lossName, code) = (file.loss, file.inputCode)
        guard code.task == taskName else {
            throw VolleyError.usage("option '--load': \(path) was trained on task '\(code.task)', not '\(taskName)' (add --task \(code.task))")
        }
    } else {
        lossName = try cli.choice("loss", ["max", "mean", "ttfs", "count"])
        switch lossName {
        case "max": loss = .maxPotential
        case "mean": loss = .meanPotential
        case "ttfs":
            let t = (cli.string("ttfs") ?? "").split(separator: ",").compactMap { Double($0) }
            guard t.count == 3 || t.count == 4, t.allSatisfy({ $0.isFinite && $0 >= 0 && $0 <= 1e4 }), t[0] > 0, t[1] > 0 else {
                throw VolleyError.usage("option '--ttfs': expected TAU0,TAU1,ALPHA[,BETA] with τ₀, τ₁ in (0, 10⁴] ms and α, β in [0, 10⁴], got '\(cli.string("ttfs") ?? "")'")
            }
            loss = .firstSpike(tau0: t[0], tau1: t[1], alpha: t[2], missing: t.count == 4 ? t[3] : 0)
        default: loss = .spikeCount
        }
        let hidden = cli.isSet("hidden") ? try cli.int("hidden", .within(1...10_000)) : quick ? 20 : mnist ? 350 : 200
        let tauM = try cli.double("tau-m", .init("must be in [0.1, 10⁴] ms") { $0 >= 0.1 && $0 <= 1e4 })
        let tauSyn = try cli.double("tau-syn", .init("must be in [0.1, 10⁴] ms") { $0 >= 0.1 && $0 <= 1e4 })
        let tMin = try cli.double("t-min", .init("must be in [0, 10⁴] ms") { $0 >= 0 && $0 <= 1e4 })
        let tMax = try cli.double("t-max", .init("must be in (t-min, 10⁴] ms") { $0 > tMin && $0 <= 1e4 })
        let tBias = try cli.double("t-bias", .init("must be in [0, 10⁴] ms") { $0 >= 0 && $0 <= 1e4 })
        duration = try cli.double("duration", .init("must be in (t-max, 10⁵] ms") { $0 > tMax && $0 <= 1e5 })
        code = .init(task: taskName, tMinMs: tMin, tMaxMs: tMax, tBiasMs: mnist ? nil : tBias)
        let delay = try cli.double("delay", .init("must be in [0.01, 10³] ms") { $0 >= 0.01 && $0 <= 1e3 })
        let spread = try cli.double("delay-spread", .init("must be in [0, 10³] ms") { $0 >= 0 && $0 <= 1e3 })
        func pair(_ name: String) throws -> (Double, Double) {
            let parts = (cli.string(name) ?? "").split(separator: ",").compactMap { Double($0) }
            guard parts.count == 2, parts.allSatisfy({ $0.isFinite && abs($0) <= 1e4 }), parts[1] >= 0 else {
                throw VolleyError.usage("option '--\(name)': expected MEAN,STD (finite, |value| ≤ 10⁴, STD ≥ 0), got '\(cli.string(name) ?? "")'")
            }
            return (parts[0], parts[1])
        }
        // A spiking first-spike readout starts from positive weights, so that every readout neuron fires.
        let inputWeight = try pair("input-weight")
        let readoutWeight = cli.isSet("readout-weight") ? try pair("readout-weight") : lossName == "ttfs" ? (13, 1.4) : (0, 10)
        let lif = LIFExp(tauM: tauM, tauSynExc: tauSyn, tauSynInh: tauSyn, vRest: 0, vReset: 0, vThreshold: 1, tRef: 0)
        network = EventPropNetwork.layered(
            inputSize: mnist ? 784 : 5, hidden: [hidden], outputs: mnist ? 10 : 3, hiddenModel: lif, readoutModel: lif,
            readoutSpiking: loss.readoutSpikes, recurrent: cli.isSet("recurrent"), weightMean: inputWeight.0, weightStd: inputWeight.1,
            delay: delay, delaySpread: spread, seed: seed)
        // Hidden→readout and recurrent weights: their own distribution (a first-spike readout's
        // positive default is for the readout only; recurrent weights keep the zero-mean default).
        var rng = Xoshiro256(seed: seed, stream: 31)
        for p in network.projections.indices where network.projections[p].source != 0 {
            let fanIn = Double(network.size(ofLayer: network.projections[p].source)).squareRoot()
            let recurrent = network.projections[p].source == network.projections[p].target
            let w = recurrent && !cli.isSet("readout-weight") ? (0.0, 10.0) : readoutWeight
            network.projections[p].weights = network.projections[p].weights.map { _ in (w.0 + w.1 * rng.normal()) / fanIn }
        }
        if cli.isSet("learn-delays") && cli.isSet("fixed-delays") {
            throw VolleyError.usage("options '--learn-delays' and '--fixed-delays' contradict each other")
        }
        learnDelays = cli.isSet("learn-delays") || (!mnist && !cli.isSet("fixed-delays"))
    }

    let task: EventPropTask
    if mnist {
        let dataPath = try cli.requiredString("data")
        let data = try reading("data", dataPath) { try MNIST.load(directory: dataPath) }
        let available = data.trainLabels.count
        guard data.trainImages.pixelsPerImage == 784, available >= 2, !data.testLabels.isEmpty else {
            throw VolleyError.usage("option '--data': expected 28×28 images, at least 2 training and 1 test image (\(dataPath) has \(available) of \(data.trainImages.rows)×\(data.trainImages.columns), \(data.testLabels.count) test)")
        }
        let trainCount = cli.isSet("train-samples") ? try cli.int("train-samples", .within(1...55_000)) : quick ? min(150, available - 1) : min(55_000, available - 1)
        guard trainCount < available else {
            throw VolleyError.usage("option '--train-samples': \(trainCount) leaves no validation images (the training set has \(available))")
        }
        task = try reading("data", dataPath) {
            try EventPropTask.mnist(
                data, tMin: code.tMinMs, tMax: code.tMaxMs, trainCount: trainCount, validationCount: min(quick ? 50 : 5000, available - trainCount),
                testCount: min(quick ? 100 : 10_000, data.testLabels.count))
        }
    } else {
        let trainCount = cli.isSet("train-samples") ? try cli.int("train-samples", .within(1...5000)) : quick ? 600 : 5000
        task = EventPropTask.yinYang(tMin: code.tMinMs, tMax: code.tMaxMs, tBias: code.tBiasMs ?? code.tMinMs, trainCount: trainCount)
    }
    let sizes = ([network.inputSize] + network.layers.map(\.size)).map(String.init).joined(separator: "-")
    print("eventprop: \(task.name); \(sizes) LIF network (τm \(network.layers[0].model.tauM) ms, τs \(network.layers[0].model.tauSynExc) ms)\(network.projections.contains { $0.source == $0.target } ? ", recurrent" : ""), loss \(lossName), inputs in [\(code.tMinMs), \(code.tMaxMs)] ms, trial \(duration) ms, seed \(seed)")

    // Training: Adam on the exact gradients; the epoch with the best validation accuracy is kept.
    var best = (accuracy: -1.0, epoch: 0, network: network)
    var curve: [(epoch: Int, train: Double, validation: Double)] = []
    var trainSeconds = 0.0, trained = 0, epochs = 0, forwardSeconds = 0.0, forwardSamples = 0, comparisonSeconds = 0.0
    if loadPath == nil {
        epochs = cli.isSet("epochs") ? try cli.int("epochs", .within(1...10_000)) : quick ? 3 : mnist ? 30 : 100
        let batch = try cli.int("batch", .within(1...100_000))
        var rate = cli.isSet("lr") ? try cli.double("lr", .init("must be in (0, 1]") { $0 > 0 && $0 <= 1 }) : lossName == "ttfs" ? 2e-3 : mnist ? 1e-2 : 5e-3
        let lrDecay = try cli.double("lr-decay", .init("must be in (0, 1]") { $0 > 0 && $0 <= 1 })
        let delayLR = try cli.double("delay-lr", .init("must be in (0, 100] ms") { $0 > 0 && $0 <= 100 })
        let averageDecay = cli.isSet("average")
            ? try cli.double("average", .init("must be in [0, 1) (0: off)") { $0 >= 0 && $0 < 1 }) : mnist && !quick ? 0.999 : 0
        averageUsed = averageDecay
        func bound(_ name: String) throws -> (nu: Double, rho: Double)? {
            guard let text = cli.string(name), text != "off" else { return nil }
            let parts = text.split(separator: ",").compactMap { Double($0) }
            guard parts.count == 2, parts.allSatisfy({ $0.isFinite && $0 >= 0 && $0 <= 1e4 }) else {
                throw VolleyError.usage("option '--\(name)': expected NU,RHO (spikes per sample and strength, each in [0, 10⁴]) or off, got '\(text)'")
            }
            return (parts[0], parts[1])
        }
        let lower = try bound("reg-lower"), upper = try bound("reg-upper")
        if let lower, let upper, upper.nu < lower.nu {
            throw VolleyError.usage("option '--reg-upper': NU \(upper.nu) is below --reg-lower's NU \(lower.nu)")
        }
        let regulariser = lower == nil && upper == nil ? nil : EventPropRegulariser(
            lowerTarget: lower?.nu ?? 0, lowerStrength: lower?.rho ?? 0, upperTarget: upper?.nu ?? .infinity, upperStrength: upper?.rho ?? 0)
        regulariserUsed = regulariser
        var trainer = try EventPropTrainer(
            network: network, loss: loss, duration: duration, learningRate: rate, learnDelays: learnDelays, delayLearningRate: delayLR, regulariser: regulariser,
            averageDecay: averageDecay)
        trainer.maxMeanRate = maxRate
        let regText = regulariser.map { r in ", spike-count regulariser \(r.lowerStrength > 0 ? "≥ \(r.lowerTarget) (ρ \(r.lowerStrength))" : "")\(r.upperStrength > 0 ? " ≤ \(r.upperTarget) (ρ \(r.upperStrength))" : "")" } ?? ""
        print("training: \(task.train.count) samples, \(epochs) epochs of batches of \(batch), Adam lr \(rate) × \(lrDecay) per epoch, delays \(learnDelays ? "learned (lr \(delayLR) ms)" : "fixed")\(regText)\(averageDecay > 0 ? ", parameters averaged (decay \(averageDecay) per update)" : "")\(shift > 0 ? ", random shifts ±\(shift) px" : ""); validation \(task.validation.count)")
        var order = Array(task.train.indices)
        var shuffler = Xoshiro256(seed: seed, stream: 32)
        let start = Date()
        for epoch in 1...epochs {
            for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, shuffler.index(below: i + 1)) }
            let t0 = Date()
            var lossSum = 0.0, accuracySum = 0.0, batches = 0
            for b in stride(from: 0, to: order.count, by: batch) {
                let samples = order[b..<min(b + batch, order.count)].map { task.trainingSample($0, shift: shifter, epoch: epoch) }
                let r = try blaming(["lr", "input-weight", "readout-weight", "tau-m", "tau-syn", "delay-lr", "max-rate"]) { try trainer.step(samples) }
                lossSum += r.loss * Double(samples.count)
                accuracySum += r.accuracy * Double(samples.count)
                batches += 1
            }
            let seconds = Date().timeIntervalSince(t0)
            let t1 = Date()
            let evaluated = trainer.averagedNetwork
            let v = try EventPropTrainer.evaluate(evaluated, task.validation, loss: loss, duration: duration, maxMeanRate: maxRate)
            forwardSeconds += Date().timeIntervalSince(t1)
            forwardSamples += task.validation.count
            // With an average, the current weights' validation accuracy beside it (a comparison, not
            // a choice; its time counts neither as training nor as the forward-only speed).
            let t2 = Date()
            let current = averageDecay > 0 ? try trainer.evaluate(task.validation).accuracy : nil
            comparisonSeconds += Date().timeIntervalSince(t2)
            curve.append((epoch, accuracySum / Double(order.count), v.accuracy))
            if v.accuracy > best.accuracy { best = (v.accuracy, epoch, evaluated) }
            print("epoch \(epoch)/\(epochs): loss \(Format.fixed(lossSum / Double(order.count), 4)), train accuracy \(Format.fixed(100 * accuracySum / Double(order.count), 2))%, validation \(Format.fixed(100 * v.accuracy, 2))%\(current.map { " (current weights \(Format.fixed(100 * $0, 2))%)" } ?? ""), \(Format.fixed(Double(order.count) / seconds, 0)) samples/s, \(Format.fixed(v.spikesPerNeuron, 2)) spikes/neuron, \(Format.fixed(100 * v.silentHiddenFraction, 1))% of hidden neurons silent")
            rate *= lrDecay
            trainer.setLearningRate(rate)
        }
        trainSeconds = Date().timeIntervalSince(start) - forwardSeconds - comparisonSeconds
        trained = order.count * epochs
        print("speed: \(Format.fixed(Double(trained) / trainSeconds, 0)) training samples/s (forward, backward, update), \(Format.fixed(Double(forwardSamples) / forwardSeconds, 0)) samples/s forward only (validation)")
        if let path = savePath {
            try EventPropModelFile(network: best.network, loss: loss, duration: duration, inputCode: code, seed: seed, epochs: best.epoch).write(to: path)
            print("network of epoch \(best.epoch) written to \(path)")
        }
    }
    let model = best.network, finalLoss = loss, trialLength = duration

    // Test in the event-driven engine, the evaluation report, and the time-stepped re-runs.
    let test = try blaming(["max-rate"]) { try EventPropTrainer.evaluate(model, task.test, loss: loss, duration: duration, maxMeanRate: maxRate) }
    print("test accuracy \(Format.fixed(100 * test.accuracy, 2))% on \(task.test.count) samples" + (loadPath == nil ? " (epoch \(best.epoch), validation \(Format.fixed(100 * best.accuracy, 2))%)" : ""))
    let (built, _) = try model.makeNetwork(inputs: [[Double]](repeating: [], count: model.inputSize))
    let report = SNNEvaluation(
        samples: test.samples, accuracy: test.accuracy, decision: lossName == "ttfs" ? "first_spike" : lossName == "count" ? "spike_count" : "\(lossName)_potential",
        neurons: model.layers.reduce(0) { $0 + $1.size }, synapses: built.synapseCount,
        weightBytes: SNNEvaluation.weightBytes(of: built), membraneBytes: SNNEvaluation.membraneBytes(of: built),
        peakSpikesPerStep: test.peakSpikesPerMs, stepMs: 1, synopsPerSample: test.synapticEventsPerSample,
        annMACsPerSample: Double(model.projections.reduce(0) { $0 + $1.count }), spikesPerNeuron: test.spikesPerNeuron,
        latencyMs: test.decisionTime)
    print(report.summary)
    let verified = Array(task.test.prefix(verifySamples))
    var stepped: [JSONValue] = []
    let shortestDelay = model.projections.flatMap(\.delays).min() ?? .infinity
    for dt in verifyDts where !verified.isEmpty {
        guard shortestDelay >= dt / 2 else {
            print("time-stepped engine, dt \(dt) ms: not run — the shortest delay (\(Format.fixed(shortestDelay, 3)) ms) rounds to 0 steps")
            stepped.append(["dt_ms": .number(dt), "accuracy": .null, "agreement": .null])
            continue
        }
        let predictions = try parallelMap(verified.count) { k in
            try model.steppedPrediction(inputs: verified[k].inputs, duration: trialLength, loss: finalLoss, dt: dt)
        }
        let accuracy = Double(zip(predictions, verified).filter { $0 == $1.label }.count) / Double(verified.count)
        let agree = Double(zip(predictions, test.predictions).filter { $0 == $1 }.count) / Double(verified.count)
        print("time-stepped engine, dt \(dt) ms: accuracy \(Format.fixed(100 * accuracy, 2))% on the first \(verified.count) test samples, same class as the event-driven engine on \(Format.fixed(100 * agree, 2))%")
        stepped.append(["dt_ms": .number(dt), "accuracy": .number(accuracy), "agreement": .number(agree)])
    }
    if let path = svgPath, !curve.isEmpty {
        try writeTextFile(EventPropFigures.curve(curve, test: test.accuracy, title: "EventProp on \(task.name): accuracy per epoch"), to: path)
        print("training curve written to \(path)")
    }
    if let path = decisionPath {
        let map = try EventPropFigures.decisionMap(
            model, loss: loss, duration: duration, code: code, points: task.points, labels: task.test.map(\.label),
            predictions: test.predictions, grid: quick ? 12 : 60)
        try writeTextFile(map, to: path)
        print("decision map written to \(path)")
    }
    let fields: JSONValue = [
        "threads": .int(threads), "thread_wait_seconds": .array(Parallelism.waitSeconds.map { .number($0) }),
        "example": "eventprop", "task": .string(task.name), "loss": .string(lossName), "test_accuracy": .number(test.accuracy),
        "validation_accuracy": .number(loadPath == nil ? best.accuracy : nil), "best_epoch": loadPath == nil ? .int(best.epoch) : .null,
        "epochs": .int(epochs), "learn_delays": .bool(learnDelays), "shift_pixels": loadPath == nil ? .int(shift) : .null, "average_decay": loadPath == nil ? .number(averageUsed) : .null,
        "hidden_silent_fraction": .number(test.silentHiddenFraction),
        "reg_lower": regulariserUsed.map { $0.lowerStrength > 0 ? [.number($0.lowerTarget), .number($0.lowerStrength)] : .null } ?? .null,
        "reg_upper": regulariserUsed.map { $0.upperStrength > 0 ? [.number($0.upperTarget), .number($0.upperStrength)] : .null } ?? .null, "recurrent": .bool(model.projections.contains { $0.source == $0.target }),
        "hidden": .int(model.layers[0].size), "seed": .unsigned(seed), "train_seconds": .number(trainSeconds),
        "train_samples_per_second": .number(trainSeconds > 0 ? Double(trained) / trainSeconds : nil),
        "forward_samples_per_second": .number(forwardSeconds > 0 ? Double(forwardSamples) / forwardSeconds : nil),
        "loaded_model": .bool(loadPath != nil), "stepped": .array(stepped),
    ]
    printResultLine(fields.merging(try JSONValue(encoding: report)))
}
