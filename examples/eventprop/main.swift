// EventProp (Wunderlich & Pehle, Sci. Rep. 11:12829, 2021): exact gradients of leaky
// integrate-and-fire networks with exponential synaptic currents — for weights and, with
// --learn-delays, delays — computed from the event-driven engine's exact spike times by an
// adjoint solved in closed form backwards in time. Tasks: the Yin-Yang data set (Kriener et al.
// 2022, generated here with their seeds) and latency-coded MNIST.
//
//   swift run -c release eventprop                       # Yin-Yang, max-potential readout
//   swift run -c release eventprop --learn-delays
//   swift run -c release eventprop --task mnist --data ../shared/datasets/mnist

import Foundation
import Volley
import VolleyExamples

runExample("eventprop") {
    var cli = CommandOptions(program: "eventprop", summary: "EventProp: exact gradients of LIF networks (weights and delays) on Yin-Yang or latency-coded MNIST")
    cli.option("task", value: "yinyang|mnist", default: "yinyang", help: "Yin-Yang (5 000 / 1 000 / 1 000, seeds 42/41/40) or latency-coded MNIST")
    cli.option("loss", value: "max|mean|ttfs", default: "max", help: "cross-entropy on the readout's maximum or mean potential (non-spiking readout), or first-spike times (spiking readout)")
    cli.option("hidden", value: "N", default: "200 (mnist: 350)", help: "hidden LIF neurons")
    cli.flag("recurrent", help: "all-to-all recurrent connections within the hidden layer")
    cli.flag("learn-delays", help: "learn every synaptic delay too (exact delay gradients)")
    cli.option("epochs", value: "N", default: "30 (mnist: 10)", help: "training epochs")
    cli.option("batch", value: "N", default: "32", help: "samples per update")
    cli.option("lr", value: "ETA", default: "2e-3", help: "Adam learning rate of the weights (halved every 10 epochs... see --lr-decay)")
    cli.option("lr-decay", value: "F", default: "0.95", help: "learning rate × F after every epoch")
    cli.option("delay-lr", value: "MS", default: "0.1", help: "Adam learning rate of the delays (ms)")
    cli.option("tau-m", value: "MS", default: "20", help: "membrane time constant τm (hidden and readout)")
    cli.option("tau-syn", value: "MS", default: "5", help: "synaptic current time constant τs")
    cli.option("t-min", value: "MS", default: "0", help: "earliest input spike time")
    cli.option("t-max", value: "MS", default: "30", help: "latest input spike time")
    cli.option("t-bias", value: "MS", default: "0", help: "Yin-Yang: time of the bias spike")
    cli.option("duration", value: "MS", default: "60", help: "trial length")
    cli.option("delay", value: "MS", default: "1", help: "initial delays (uniform in [D, D + spread))")
    cli.option("delay-spread", value: "MS", default: "0", help: "spread of the initial delays")
    cli.option("input-weight", value: "MEAN,STD", default: "4,4", help: "input weights N(mean, std)/√fan-in (mV of R·I)")
    cli.option("readout-weight", value: "MEAN,STD", default: "0,4", help: "readout weights N(mean, std)/√fan-in")
    cli.option("seed", value: "S", default: "1", help: "seed of the weights and the sample order")
    cli.option("train-samples", value: "N", default: "5000 (mnist: 55000)", help: "training samples")
    cli.option("data", value: "PATH", default: "../shared/datasets/mnist", help: "mnist: directory with the four MNIST IDX files")
    cli.flag("quick", help: "seconds-long CI run")
    try cli.parseProcessArguments()

    let quick = cli.isSet("quick")
    let taskName = try cli.choice("task", ["yinyang", "mnist"])
    let mnist = taskName == "mnist"
    let lossName = try cli.choice("loss", ["max", "mean", "ttfs"])
    let loss: EventPropLoss = lossName == "max" ? .maxPotential : lossName == "mean" ? .meanPotential : .firstSpike(tau0: 2, tau1: 20, alpha: 0.003)
    let hidden = cli.isSet("hidden") ? try cli.int("hidden", .within(1...100_000)) : quick ? 20 : mnist ? 350 : 200
    let epochs = cli.isSet("epochs") ? try cli.int("epochs", .within(1...100_000)) : quick ? 2 : mnist ? 10 : 30
    let batch = try cli.int("batch", .within(1...100_000))
    let lr = try cli.double("lr", .init("must be in (0, 1]") { $0 > 0 && $0 <= 1 })
    let lrDecay = try cli.double("lr-decay", .init("must be in (0, 1]") { $0 > 0 && $0 <= 1 })
    let delayLR = try cli.double("delay-lr", .init("must be in (0, 100] ms") { $0 > 0 && $0 <= 100 })
    let tauM = try cli.double("tau-m", .init("must be in [0.1, 10⁴] ms") { $0 >= 0.1 && $0 <= 1e4 })
    let tauSyn = try cli.double("tau-syn", .init("must be in [0.1, 10⁴] ms") { $0 >= 0.1 && $0 <= 1e4 })
    let tMin = try cli.double("t-min", .init("must be in [0, 10⁴] ms") { $0 >= 0 && $0 <= 1e4 })
    let tMax = try cli.double("t-max", .init("must be in (t-min, 10⁴] ms") { $0 > tMin && $0 <= 1e4 })
    let tBias = try cli.double("t-bias", .init("must be in [0, 10⁴] ms") { $0 >= 0 && $0 <= 1e4 })
    let duration = try cli.double("duration", .init("must be in (t-max, 10⁵] ms") { $0 > tMax && $0 <= 1e5 })
    let delay = try cli.double("delay", .init("must be in [0.01, 10³] ms") { $0 >= 0.01 && $0 <= 1e3 })
    let spread = try cli.double("delay-spread", .init("must be in [0, 10³] ms") { $0 >= 0 && $0 <= 1e3 })
    func pair(_ name: String) throws -> (Double, Double) {
        let parts = (cli.string(name) ?? "").split(separator: ",").compactMap { Double($0) }
        guard parts.count == 2, parts.allSatisfy({ $0.isFinite && abs($0) <= 1e4 }), parts[1] >= 0 else {
            throw VolleyError.usage("option '--\(name)': expected MEAN,STD (finite, |value| ≤ 10⁴, STD ≥ 0), got '\(cli.string(name) ?? "")'")
        }
        return (parts[0], parts[1])
    }
    let inputWeight = try pair("input-weight"), readoutWeight = try pair("readout-weight")
    let seed = try cli.uint64("seed")

    let task: EventPropTask
    if mnist {
        let dataPath = try cli.requiredString("data")
        let data = try reading("data", dataPath) { try MNIST.load(directory: dataPath) }
        let trainCount = cli.isSet("train-samples") ? try cli.int("train-samples", .within(1...55_000)) : quick ? 200 : 55_000
        task = try EventPropTask.mnist(data, tMin: tMin, tMax: tMax, trainCount: trainCount, validationCount: quick ? 100 : 5000, testCount: quick ? 100 : data.testLabels.count)
    } else {
        let trainCount = cli.isSet("train-samples") ? try cli.int("train-samples", .within(1...5000)) : quick ? 300 : 5000
        task = EventPropTask.yinYang(tMin: tMin, tMax: tMax, tBias: tBias, trainCount: trainCount)
    }

    let lif = LIFExp(tauM: tauM, tauSynExc: tauSyn, tauSynInh: tauSyn, vRest: 0, vReset: 0, vThreshold: 1, tRef: 0)
    var network = EventPropNetwork.layered(
        inputSize: task.inputs, hidden: [hidden], outputs: task.classes, hiddenModel: lif, readoutModel: lif,
        readoutSpiking: loss.readoutSpikes, recurrent: cli.isSet("recurrent"), weightMean: inputWeight.0, weightStd: inputWeight.1,
        delay: delay, delaySpread: spread, seed: seed)
    // Readout (and recurrent) weights: their own distribution.
    var rng = Xoshiro256(seed: seed, stream: 31)
    for p in network.projections.indices where network.projections[p].source != 0 {
        let fanIn = Double(network.size(ofLayer: network.projections[p].source)).squareRoot()
        network.projections[p].weights = network.projections[p].weights.map { _ in (readoutWeight.0 + readoutWeight.1 * rng.normal()) / fanIn }
    }
    var trainer = try EventPropTrainer(network: network, loss: loss, duration: duration, learningRate: lr, learnDelays: cli.isSet("learn-delays"), delayLearningRate: delayLR)
    print("eventprop: \(task.name), \(task.train.count) training samples; \(task.inputs)-\(hidden)-\(task.classes) LIF (τm \(tauM) ms, τs \(tauSyn) ms), loss \(lossName), delays \(cli.isSet("learn-delays") ? "learned" : "fixed"), seed \(seed)")

    var order = Array(task.train.indices)
    var shuffler = Xoshiro256(seed: seed, stream: 32)
    var best = (accuracy: -1.0, epoch: 0, network: trainer.network)
    var curve: [(epoch: Int, train: Double, validation: Double)] = []
    let start = Date()
    var rate = lr
    for epoch in 1...epochs {
        for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, shuffler.index(below: i + 1)) }
        let t0 = Date()
        var lossSum = 0.0, accSum = 0.0, batches = 0
        for b in stride(from: 0, to: order.count, by: batch) {
            let samples = order[b..<min(b + batch, order.count)].map { task.train[$0] }
            let r = try blaming(["lr", "input-weight", "readout-weight", "tau-m", "tau-syn"]) { try trainer.step(samples) }
            lossSum += r.loss
            accSum += r.accuracy
            batches += 1
        }
        let v = try trainer.evaluate(task.validation)
        let seconds = Date().timeIntervalSince(t0)
        curve.append((epoch, accSum / Double(batches), v.accuracy))
        if v.accuracy > best.accuracy { best = (v.accuracy, epoch, trainer.network) }
        print("epoch \(epoch): loss \(Format.fixed(lossSum / Double(batches), 4)), train accuracy \(Format.fixed(100 * accSum / Double(batches), 2))%, validation \(Format.fixed(100 * v.accuracy, 2))%, \(Format.fixed(Double(order.count) / seconds, 0)) samples/s, \(Format.fixed(v.spikesPerNeuron, 2)) spikes/neuron")
        rate *= lrDecay
        trainer.setLearningRate(rate)
    }
    let trainSeconds = Date().timeIntervalSince(start)
    let test = try EventPropTrainer.evaluate(best.network, task.test, loss: loss, duration: duration)
    print("test accuracy \(Format.fixed(100 * test.accuracy, 2))% (epoch \(best.epoch), best validation \(Format.fixed(100 * best.accuracy, 2))%)")
    printResultLine([
        "example": "eventprop", "task": .string(task.name), "loss": .string(lossName), "test_accuracy": .number(test.accuracy),
        "validation_accuracy": .number(best.accuracy), "best_epoch": .int(best.epoch), "epochs": .int(epochs),
        "learn_delays": .bool(cli.isSet("learn-delays")), "recurrent": .bool(cli.isSet("recurrent")), "hidden": .int(hidden),
        "seed": .unsigned(seed), "train_seconds": .number(trainSeconds),
        "train_samples_per_second": .number(Double(task.train.count * epochs) / trainSeconds),
        "spikes_per_neuron": .number(test.spikesPerNeuron), "synaptic_events_per_sample": .number(test.synapticEventsPerSample),
    ])
}
