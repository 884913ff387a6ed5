// Recurrent adaptive spiking networks (LSNN: LIF and threshold-adaptive LIF neurons, Bellec et al.
// 2018) trained online by e-prop (Bellec et al., Nat. Commun. 11:3625, 2020) or, as the baseline,
// by backpropagation through time with the same pseudo-derivative, on tasks generated here: the
// evidence-accumulation and store-recall tasks of the e-prop paper, and sequential MNIST.
//
//   swift run -c release eprop                                  # evidence accumulation, e-prop
//   swift run -c release eprop --learning bptt --seeds 5
//   swift run -c release eprop --task smnist --data ../shared/datasets/mnist --learning bptt

import Foundation
import Volley
import VolleyExamples

runExample("eprop") {
    var cli = CommandOptions(program: "eprop", summary: "recurrent adaptive SNNs (LSNN) trained by e-prop or BPTT on evidence accumulation, store-recall or sequential MNIST")
    cli.option("task", value: "evidence|store-recall|smnist", default: "evidence", help: "evidence accumulation (7 cues, 2250 ms), store-recall (12 × 200 ms), or sequential MNIST (784 pixel steps + 56 recall steps)")
    cli.option("learning", value: "eprop|bptt", default: "eprop", help: "e-prop (eligibility traces forward in time) or backpropagation through time")
    cli.option("feedback", value: "symmetric|random", default: "symmetric", help: "e-prop: learning signals through W_out (symmetric) or a fixed random matrix")
    cli.option("regular", value: "N", default: "50 (smnist: 120)", help: "recurrent LIF neurons")
    cli.option("adaptive", value: "N", default: "50 (smnist: 100)", help: "recurrent threshold-adaptive LIF neurons")
    cli.option("tau-m", value: "MS", default: "20", help: "membrane time constant τm")
    cli.option("tau-syn", value: "MS", default: "5", help: "synaptic current time constant τs")
    cli.option("threshold", value: "MV", default: "0.6", help: "baseline threshold θ₀ above rest (reset by subtraction of θ₀)")
    cli.option("beta", value: "MV", default: "0.0174 (store-recall: 0.05, smnist: 0.03)", help: "threshold increment per spike of the adaptive neurons")
    cli.option("tau-adapt", value: "MS", default: "2000 (store-recall: 1200, smnist: 700)", help: "adaptation time constant")
    cli.option("tau-out", value: "MS", default: "20", help: "readout time constant")
    cli.option("dampening", value: "G", default: "0.3 (eprop), 0.1 (bptt)", help: "pseudo-derivative ψ = G·max(0, 1 − |v − θ|/θ₀)/θ₀ (at 0.3 BPTT's gradient explodes through the recurrent connections: docs/eprop.md)")
    cli.option("rate-reg", value: "C", default: "1", help: "firing-rate regulariser coefficient c_reg (per kHz²)")
    cli.option("target-rate", value: "HZ", default: "10", help: "its target rate f₀")
    cli.option("input-gain", value: "G", default: "1", help: "initial input weights N(0, 1)·G·θ₀/(PSP peak·√inputs)")
    cli.option("recurrent-gain", value: "G", default: "1", help: "initial recurrent weights likewise over √(n − 1)")
    cli.option("lr", value: "ETA", default: "5e-3 (smnist: 1e-3)", help: "Adam learning rate")
    cli.option("batch", value: "N", default: "32", help: "trials per weight update")
    cli.option("iterations", value: "N", default: "400 (smnist: 300)", help: "weight updates at most")
    cli.option("stop-error", value: "E", default: "0.04 (evidence), 0.02 (store-recall), 0 (smnist)", help: "stop when the validation error falls below E (solved means a test error below 7 % for evidence accumulation, 5 % for store-recall)")
    cli.option("validate-every", value: "N", default: "20", help: "iterations between validations (progress lines)")
    cli.option("validation", value: "N", default: "256", help: "validation trials (fixed, from their own seed stream)")
    cli.option("test", value: "N", default: "512 (smnist: 10000)", help: "test trials (their own seed stream; smnist: the first N test images)")
    cli.option("seed", value: "S", default: "1", help: "seed of the weights, feedback and trials")
    cli.option("seeds", value: "N", default: "1", help: "train N networks, seeds S…S+N−1, and report the success rate over them")
    cli.option("data", value: "PATH", default: "../shared/datasets/mnist", help: "smnist: directory with the four raw MNIST IDX files")
    cli.option("train-samples", value: "N", default: "55000", help: "smnist: training images (the next 5000 of the training set validate)")
    cli.option("svg", value: "PATH", help: "write the training curve (validation error per validation) as SVG")
    cli.flag("quick", help: "seconds-long CI run: shorter trials, 20 neurons, 6 iterations of 8 trials")
    cli.workThreadsOption()
    try cli.parseProcessArguments()
    let threads = try cli.applyWorkThreads()

    let quick = cli.isSet("quick")
    let taskName = try cli.choice("task", ["evidence", "store-recall", "smnist"])
    let learningName = try cli.choice("learning", ["eprop", "bptt"])
    let feedbackName = try cli.choice("feedback", ["symmetric", "random"])
    if learningName == "bptt" && cli.isSet("feedback") { throw VolleyError.usage("option '--feedback' is for --learning eprop") }
    let smnist = taskName == "smnist"
    func count(_ name: String, _ normal: Int, _ forMNIST: Int, quickValue: Int, _ r: ClosedRange<Int>) throws -> Int {
        cli.isSet(name) ? try cli.int(name, .within(r)) : quick ? quickValue : smnist ? forMNIST : normal
    }
    let regular = try count("regular", 50, 120, quickValue: 10, 0...8192)
    let adaptive = try count("adaptive", 50, 100, quickValue: 10, 0...8192)
    var p = RecurrentSNN.Parameters()
    p.tauM = try cli.double("tau-m", .init("must be in [0.01, 10⁵] ms") { $0 >= 0.01 && $0 <= 1e5 })
    p.tauSyn = try cli.double("tau-syn", .init("must be in [0.01, 10⁵] ms") { $0 >= 0.01 && $0 <= 1e5 })
    p.vThreshold = try cli.double("threshold", .init("must be in [10⁻³, 10⁴] mV") { $0 >= 1e-3 && $0 <= 1e4 })
    p.beta = cli.isSet("beta") ? try cli.double("beta", .init("must be in [0, 10⁴] mV") { $0 >= 0 && $0 <= 1e4 })
        : taskName == "store-recall" ? 0.05 : smnist ? 0.03 : 0.0174
    p.tauAdapt = cli.isSet("tau-adapt") ? try cli.double("tau-adapt", .init("must be in [0.01, 10⁷] ms") { $0 >= 0.01 && $0 <= 1e7 })
        : taskName == "store-recall" ? 1200 : smnist ? 700 : 2000
    p.tauOut = try cli.double("tau-out", .init("must be in [0.01, 10⁵] ms") { $0 >= 0.01 && $0 <= 1e5 })
    let dampening = cli.isSet("dampening") ? try cli.double("dampening", .init("must be in (0, 100]") { $0 > 0 && $0 <= 100 }) : learningName == "bptt" ? 0.1 : 0.3
    let loss = RecurrentLoss(
        rateCoefficient: try cli.double("rate-reg", .init("must be in [0, 10⁶]") { $0 >= 0 && $0 <= 1e6 }),
        targetRate: try cli.double("target-rate", .init("must be in [0, 1000] Hz") { $0 >= 0 && $0 <= 1000 }))
    let inputGain = try cli.double("input-gain", .init("must be in (0, 100]") { $0 > 0 && $0 <= 100 })
    let recurrentGain = try cli.double("recurrent-gain", .init("must be in [0, 100]") { $0 >= 0 && $0 <= 100 })
    let lr = cli.isSet("lr") ? try cli.double("lr", .init("must be in (0, 1]") { $0 > 0 && $0 <= 1 }) : smnist ? 1e-3 : 5e-3
    let batch = quick && !cli.isSet("batch") ? 8 : try cli.int("batch", .within(1...100_000))
    let iterations = try count("iterations", 400, 300, quickValue: 6, 0...10_000_000)
    let stopError = cli.isSet("stop-error") ? try cli.double("stop-error", .within(0...1)) : taskName == "store-recall" ? 0.02 : smnist ? 0 : 0.04
    let validateEvery = quick && !cli.isSet("validate-every") ? 3 : try cli.int("validate-every", .within(1...1_000_000))
    let validationCount = quick && !cli.isSet("validation") ? 16 : try cli.int("validation", .within(1...1_000_000))
    let testCount = try count("test", 512, 10_000, quickValue: 32, 1...10_000_000)
    let seed = try cli.uint64("seed")
    let seedCount = try cli.int("seeds", .within(1...1000))
    let svgPath = try cli.string("svg").map { try OutputPath.check($0, flag: "svg") }

    // The task: trials as a pure function of (stream, index).
    let task: EpropTask
    switch taskName {
    case "evidence":
        var t = EvidenceAccumulationTask()
        if quick { t.delay = 300; t.cues = 3 }
        task = .evidence(t)
    case "store-recall":
        var t = StoreRecallTask()
        if quick { t.periods = 6; t.periodDuration = 100 }
        task = .storeRecall(t)
    default:
        let dataPath = try cli.requiredString("data")
        let mnist = try reading("data", dataPath) { try MNIST.load(directory: dataPath) }
        let trainCount = try count("train-samples", 55_000, 55_000, quickValue: 64, 1...mnist.trainImages.count)
        guard trainCount < mnist.trainImages.count else {
            throw VolleyError.usage("option '--train-samples': \(trainCount) leaves no validation images (the training set has \(mnist.trainImages.count))")
        }
        guard testCount <= mnist.testImages.count else {
            throw VolleyError.usage("option '--test': \(testCount) is more than the \(mnist.testImages.count) test images")
        }
        task = .smnist(
            train: try SequentialMNISTTask(images: mnist.trainImages, labels: mnist.trainLabels),
            test: try SequentialMNISTTask(images: mnist.testImages, labels: mnist.testLabels), trainCount: trainCount)
    }

    print("eprop: \(task.description); \(regular) LIF + \(adaptive) ALIF neurons (τm \(p.tauM) ms, τs \(p.tauSyn) ms, θ₀ \(p.vThreshold) mV, β \(p.beta) mV, τ_adapt \(p.tauAdapt) ms), readout τ_out \(p.tauOut) ms")
    print("learning: \(learningName == "bptt" ? "BPTT" : "e-prop, \(feedbackName) feedback"); pseudo-derivative dampening γ \(dampening); Adam lr \(lr), batch \(batch), ≤ \(iterations) iterations, rate regulariser c_reg \(loss.rateCoefficient) toward \(loss.targetRate) Hz")

    var runs: [EpropRun] = []
    for s in 0..<seedCount {
        let runSeed = seed &+ UInt64(s)
        var net = try RecurrentSNN(inputs: task.inputs, regular: regular, adaptive: adaptive, outputs: task.outputs, parameters: p)
        net.initialize(inputGain: inputGain, recurrentGain: recurrentGain, seed: runSeed)
        let learning: RecurrentTrainer.Learning = learningName == "bptt" ? .bptt
            : .eprop(feedbackName == "symmetric" ? .symmetric : .random(for: net, seed: runSeed))
        var trainer = try RecurrentTrainer(
            network: net, learning: learning, learningRate: lr,
            pseudoDerivative: PseudoDerivative(surrogate: .triangular(halfWidth: p.vThreshold), dampening: dampening), loss: loss)
        if seedCount > 1 { print("seed \(runSeed):") }
        runs.append(try blaming(["lr", "input-gain", "recurrent-gain", "dampening", "rate-reg", "threshold", "beta", "tau-m", "tau-syn", "tau-out", "tau-adapt"]) {
            try EpropRun.train(
                &trainer, task: task, seed: runSeed, iterations: iterations, batch: batch, stopError: stopError,
                validateEvery: validateEvery, validationCount: validationCount, testCount: testCount)
        })
    }
    let solvedThreshold = task.solvedBelowError
    let solved = runs.filter { run in solvedThreshold.map { 1 - run.test.accuracy < $0 } ?? false }.count
    let first = runs[0]
    if let path = svgPath {
        let maxIteration = Double(runs.map { $0.curve.last?.iteration ?? 1 }.max() ?? 1)
        var plot = SVGPlot(
            title: "\(task.description): validation error, \(learningName == "bptt" ? "BPTT" : "e-prop (\(feedbackName))")",
            xLabel: "iteration", yLabel: "validation error", xRange: 0...max(maxIteration, 1), yRange: 0...1)
        for (k, r) in runs.enumerated() {
            plot.line(r.curve.map { Double($0.iteration) }, r.curve.map { 1 - $0.accuracy }, color: SVGPlot.palette[k % SVGPlot.palette.count],
                      label: "seed \(seed &+ UInt64(k))")
        }
        try writeTextFile(plot.rendered, to: path)
        print("training curve written to \(path)")
    }
    let report = first.report(network: first.network, task: task)
    print(report.summary)
    let accuracies = runs.map(\.test.accuracy)
    print("test accuracy over \(runs.count) seed(s): \(accuracies.map { Format.fixed(100 * $0, 2) + "%" }.joined(separator: ", "))" +
          (solvedThreshold.map { " — solved (test error < \(Format.fixed(100 * $0, 0))%) by \(solved) of \(runs.count)" } ?? ""))
    let trainSeconds = runs.reduce(0) { $0 + $1.seconds }, trainTrials = runs.reduce(0) { $0 + $1.trials }
    let fields: JSONValue = [
        "threads": .int(threads), "thread_wait_seconds": .array(Parallelism.waitSeconds.map { .number($0) }),
        "example": "eprop", "task": .string(taskName), "learning": .string(learningName),
        "feedback": learningName == "eprop" ? .string(feedbackName) : .null,
        "test_accuracy": .number(accuracies.reduce(0, +) / Double(runs.count)),
        "test_accuracies": .array(accuracies.map { .number($0) }),
        "success_rate": .number(solvedThreshold == nil ? nil : Double(solved) / Double(runs.count)),
        "solved_below_error": .number(solvedThreshold),
        "seeds": .int(runs.count), "seed": .unsigned(seed), "iterations": .array(runs.map { .int($0.iterations) }),
        "batch": .int(batch), "regular": .int(regular), "adaptive": .int(adaptive),
        "test_trials": .int(testCount),
        "mean_rate_hz": .number(first.test.spikes / Double(first.network.size) / (Double(first.test.steps) * p.dt / 1000)),
        "train_seconds": .number(trainSeconds), "train_samples_per_second": .number(trainSeconds > 0 ? Double(trainTrials) / trainSeconds : nil),
    ]
    printResultLine(fields.merging(try JSONValue(encoding: report)))
}
