// SpikeProp on XOR, as in Bohte, Kok & La Poutré (2002): a 3-5-1 network of SRM neurons
// (τ = 7 ms), 16 delayed terminals per connection (delays 1…16 ms), one inhibitory hidden neuron,
// inputs 0 → 0 ms and 1 → 6 ms plus a reference neuron firing at 0 ms, targets 10 ms (true) and
// 16 ms (false). Trained over many seeds; reports the fraction that converges and the median
// number of epochs.
//
//   swift run -c release xor-spikeprop --seeds 20

import Foundation
import Volley
import VolleyExamples

struct XORResult: Sendable {
    let seed: UInt64
    let epochs: Int?
    let losses: [Double]
    /// Output spike time of each pattern after every epoch.
    let times: [[Double]]
    var finalTimes: [Double] { times.last ?? [] }
}

runExample("xor-spikeprop") {
    var cli = CommandOptions(program: "xor-spikeprop", summary: "SpikeProp on XOR (Bohte et al. 2002), over many seeds")
    cli.option("seeds", value: "N", default: "20", help: "number of independent runs (seeds seed … seed+N−1)")
    cli.option("seed", value: "S", default: "1", help: "first seed")
    cli.option("epochs", value: "N", default: "1000", help: "maximum epochs per run")
    cli.option("optimizer", value: "sgd|momentum|rprop", default: "rprop", help: "update rule (online for sgd/momentum, full batch for rprop)")
    cli.option("lr", value: "ETA", default: "0.01", help: "learning rate (sgd, momentum)")
    cli.option("momentum", value: "MU", default: "0.9", help: "momentum coefficient")
    cli.option("rprop-step", value: "MV", default: "0.01", help: "RProp initial step size")
    cli.option("rprop-max-step", value: "MV", default: "0.05", help: "RProp maximum step size")
    cli.option("threshold", value: "MV", default: "1", help: "firing threshold θ")
    cli.option("init-high", value: "MV", default: "0.25", help: "initial weights uniform in [0, init-high) mV, signed by the source neuron")
    cli.option("tau", value: "MS", default: "7", help: "PSP time constant τ")
    cli.option("min-slope", value: "MV_PER_MS", default: "0.1", help: "lower bound on ∂x/∂t at a spike in the gradient")
    cli.option("converge", value: "MS2", default: "1.0", help: "convergence: summed squared error ½Σ(t−t̂)² over the 4 patterns below this (ms²)")
    cli.option("trace-seed", value: "S", help: "print loss and spike times every epoch for this seed (default: the first seed)")
    cli.option("svg", value: "PATH", help: "write the training curves (loss per epoch) as SVG")
    cli.flag("quick", help: "seconds-long run for CI: 4 seeds, at most 300 epochs")
    cli.workThreadsOption()
    try cli.parseProcessArguments()
    let threads = try cli.applyWorkThreads()

    let quick = cli.isSet("quick")
    let seeds = quick && !cli.isSet("seeds") ? 4 : try cli.int("seeds", .within(1...10_000))
    let firstSeed = try cli.uint64("seed")
    let maxEpochs = quick && !cli.isSet("epochs") ? 300 : try cli.int("epochs", .within(1...1_000_000))
    let optimizerName = try cli.choice("optimizer", ["sgd", "momentum", "rprop"])
    let lr = try cli.double("lr", .init("must be in (0, 10]") { $0 > 0 && $0 <= 10 })
    // Heavy-ball momentum converges only for 0 ≤ μ < 1.
    let mu = try cli.double("momentum", .init("must be in [0, 1)") { $0 >= 0 && $0 < 1 })
    let threshold = try cli.double("threshold", .init("must be in (0, 1000] mV") { $0 > 0 && $0 <= 1000 })
    let initHigh = try cli.double("init-high", .init("must be in (0, 100] mV") { $0 > 0 && $0 <= 100 })
    let tau = try cli.double("tau", .within(0.1...1000))
    let convergence = try cli.double("converge", .init("must be in (0, 10⁶] ms²") { $0 > 0 && $0 <= 1e6 })
    let traceSeed = cli.isSet("trace-seed") ? try cli.uint64("trace-seed") : firstSeed
    let minimumSlope = try cli.double("min-slope", .init("must be in (0, 100] mV/ms") { $0 > 0 && $0 <= 100 })
    let rpropStep = try cli.double("rprop-step", .init("must be in (0, 10] mV") { $0 > 0 && $0 <= 10 })
    let rpropMaxStep = try cli.double("rprop-max-step", .init("must be in [--rprop-step (\(rpropStep)), 10] mV") { $0 >= rpropStep && $0 <= 10 })
    let svgPath = try cli.string("svg").map { try OutputPath.check($0, flag: "svg") }

    let optimizer: OptimizerKind
    switch optimizerName {
    case "sgd": optimizer = .sgd(learningRate: lr)
    case "momentum": optimizer = .sgd(learningRate: lr, momentum: mu)
    default: optimizer = .rprop(initialStep: rpropStep, minStep: 1e-6, maxStep: rpropMaxStep)
    }

    // Patterns: (input a, input b, reference) spike times and the target output time.
    let inputs: [[Double]] = [[0, 0, 0], [0, 6, 0], [6, 0, 0], [6, 6, 0]]
    let targets: [[Double]] = [[16], [10], [10], [16]]
    let neuron = SRM(tau: tau, vThreshold: threshold)
    let delays = (1...16).map(Double.init)
    var settings = SpikePropOptions()
    settings.silentTime = 30
    settings.hiddenReferenceTime = 16
    settings.minimumSlope = minimumSlope
    let options = settings
    let template = try SpikePropNetwork(
        layerSizes: [3, 5, 1], delays: delays, neuron: neuron, signs: [[1, 1, 1], [1, 1, 1, 1, -1]])

    print("XOR SpikeProp: 3-5-1 SRM network (τ = \(tau) ms, θ = \(threshold)), 16 terminals (1…16 ms), hidden neuron 5 inhibitory")
    print("optimizer \(optimizerName)\(optimizerName == "rprop" ? "" : ", η = \(lr)")\(optimizerName == "momentum" ? ", μ = \(mu)" : ""); converged when ½Σ(t−t̂)² < \(convergence) ms²; \(seeds) seeds × ≤ \(maxEpochs) epochs")
    let start = Date()
    let results: [XORResult] = try blaming(["lr", "momentum", "optimizer", "rprop-step", "rprop-max-step", "init-high", "tau", "threshold"]) { try parallelMap(seeds) { r throws in
        let seed = firstSeed &+ UInt64(r)
        var net = template
        net.initialize(low: 0, high: initHigh, seed: seed)
        try net.calibrateFiring(on: inputs)
        var trainer = SpikePropTrainer(network: net, options: options, optimizer: optimizer, fullBatch: optimizerName == "rprop", seed: seed)
        var losses: [Double] = []
        var times: [[Double]] = []
        var converged: Int? = nil
        for epoch in 1...maxEpochs {
            _ = try trainer.epoch(inputs: inputs, targets: targets)
            // Error of the network after this epoch's updates, on all four patterns.
            var gradient = trainer.network.weights.map { [Double](repeating: 0, count: $0.count) }
            let activities = try inputs.map { try trainer.network.forward($0) }
            let sse = inputs.indices.reduce(0.0) {
                $0 + trainer.network.lossAndGradient(activities[$1], targets: targets[$1], options: options, gradient: &gradient)
            }
            losses.append(sse)
            times.append(activities.map { $0.outputs[0] })
            if sse < convergence {
                converged = epoch
                break
            }
        }
        return XORResult(seed: seed, epochs: converged, losses: losses, times: times)
    } }
    let wall = Date().timeIntervalSince(start)

    for result in results {
        if result.seed == traceSeed {
            print("trace of seed \(result.seed): epoch, ½Σ(t−t̂)² (ms²), output spike times of (0,0) (0,1) (1,0) (1,1) (ms)")
            for (e, loss) in result.losses.enumerated() {
                let t = result.times[e].map { $0.isFinite ? Format.fixed($0, 3) : "silent" }.joined(separator: " ")
                print("  epoch \(e + 1): loss \(Format.fixed(loss, 4)), times \(t)")
            }
        }
        let times = result.finalTimes.map { $0.isFinite ? Format.fixed($0, 3) : "silent" }.joined(separator: ", ")
        let status = result.epochs.map { "converged after \($0) epochs" } ?? "not converged in \(maxEpochs) epochs"
        print("seed \(result.seed): \(status); output times (0,0) (0,1) (1,0) (1,1) = \(times) ms (targets 16, 10, 10, 16)")
    }
    let convergedEpochs = results.compactMap(\.epochs).sorted()
    let fraction = Double(convergedEpochs.count) / Double(seeds)
    let median: Double? = convergedEpochs.isEmpty ? nil : (convergedEpochs.count % 2 == 1
        ? Double(convergedEpochs[convergedEpochs.count / 2])
        : Double(convergedEpochs[convergedEpochs.count / 2 - 1] + convergedEpochs[convergedEpochs.count / 2]) / 2)
    print("converged: \(convergedEpochs.count) of \(seeds) seeds (\(Format.fixed(100 * fraction, 1))%), median epochs to convergence \(median.map { Format.fixed($0, 1) } ?? "–"), wall \(Format.fixed(wall, 2)) s")

    if let path = svgPath {
        let longest = results.map(\.losses.count).max() ?? 1
        let top = results.flatMap(\.losses).filter(\.isFinite).max() ?? 1
        var plot = SVGPlot(title: "SpikeProp XOR: training error per seed", xLabel: "epoch", yLabel: "½Σ(t − t̂)² (ms²)", xRange: 0...Double(longest), yRange: 0...Swift.min(top, 200))
        for (k, r) in results.enumerated() {
            plot.line(r.losses.indices.map { Double($0 + 1) }, r.losses, color: SVGPlot.palette[k % SVGPlot.palette.count], width: 1)
        }
        plot.horizontalLine(at: convergence)
        try writeTextFile(plot.rendered, to: path)
        print("training curves written to \(path)")
    }
    printResultLine([
        "threads": .int(threads), "thread_wait_seconds": .array(Parallelism.waitSeconds.map { .number($0) }),
        "example": "xor-spikeprop", "seeds": .int(seeds), "first_seed": .unsigned(firstSeed),
        "optimizer": .string(optimizerName), "max_epochs": .int(maxEpochs),
        "converged_fraction": .number(fraction), "median_epochs_to_converge": .number(median),
        "epochs_to_converge": .array(results.map { $0.epochs.map { .int($0) } ?? .null }),
        "wall_seconds": .number(wall),
    ])
}
