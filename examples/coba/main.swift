// The COBA benchmark (Brette et al. 2007, benchmark 1; Vogels & Abbott 2005): 4000 conductance-
// based LIF neurons (NEST iaf_cond_exp, here `LIFCondExp`), 80 % excitatory, p = 0.02, with the
// parameters of auryn's sim_coba_benchmark (τm 20 ms from C 200 pF and g_L 10 nS, E_L −60 mV,
// θ −50 mV, reset −60 mV, refractory 5 ms, E_ex 0 / E_in −80 mV, τ_ex 5 / τ_in 10 ms, weights
// 4 nS / 51 nS, background current 200 pA), 0.1 ms delays. Runs in both engines: the
// event-driven engine integrates every neuron between its inputs (Dormand–Prince, tolerance
// 1e-11), the time-stepped engine per step (adaptive or forward Euler).
//
//   swift run -c release coba                          # 4000 neurons, 1 s, event-driven
//   swift run -c release coba --engine stepped --dt 0.1 [--integration euler]

import Foundation
import Volley
import VolleyExamples

/// COBA parameters (pF, nS, mV, ms, pA).
enum COBA {
    static let neuron = LIFCondExp(
        cM: 200, gL: 10, eL: -60, vTh: -50, vReset: -60, tRef: 5, eEx: 0, eIn: -80, tauSynExc: 5, tauSynInh: 10, iE: 200)
    static let wExc = 4.0
    static let wInh = 51.0
    static let connectionProbability = 0.02
    static let delay = 0.1
    static let excitatoryFraction = 0.8
}

runExample("coba") {
    var cli = CommandOptions(program: "coba", summary: "COBA benchmark (Brette et al. 2007): conductance-based LIF network in both engines")
    cli.option("engine", value: "event|stepped", default: "event", help: "simulation engine")
    cli.option("dt", value: "MS", default: "0.1", help: "time step of the stepped engine (ms)")
    cli.option("integration", value: "adaptive|euler", default: "adaptive", help: "stepped engine: Dormand–Prince per step (tolerance 1e-11) or one forward-Euler step (Brian2's and NEST's simple scheme)")
    cli.option("neurons", value: "N", default: "4000", help: "number of neurons (80% excitatory)")
    cli.option("duration", value: "MS", default: "1000", help: "simulated time (ms)")
    cli.option("seed", value: "S", default: "1", help: "seed of connectivity and initial potentials")
    cli.option("raster", value: "PATH", help: "write an SVG raster plot (first 200 neurons per population)")
    cli.threadsOption()
    cli.flag("quick", help: "seconds-long run for CI: 500 neurons, 100 ms")
    try cli.parseProcessArguments()

    let quick = cli.isSet("quick")
    let engine = try cli.choice("engine", ["event", "stepped"])
    let dt = try cli.double("dt", .init("must be in (0, 10] ms") { $0 > 0 && $0 <= 10 })
    let integrationName = try cli.choice("integration", ["adaptive", "euler"])
    if engine == "event" && (cli.isSet("dt") || integrationName == "euler") {
        throw VolleyError.usage("options '--dt'/'--integration euler' are for the stepped engine (add --engine stepped)")
    }
    let neurons = quick && !cli.isSet("neurons") ? 500 : try cli.int("neurons", .within(10...2_000_000))
    let duration = quick && !cli.isSet("duration") ? 100 : try cli.double("duration", .init("must be in (0, 1e7] ms") { $0 > 0 && $0 <= 1e7 })
    let seed = try cli.uint64("seed")
    let rasterPath = try cli.string("raster").map { try OutputPath.check($0, flag: "raster") }

    let buildStart = Date()
    var model = COBA.neuron
    if integrationName == "euler" { model.integration = .forwardEuler }
    let nExc = Int((Double(neurons) * COBA.excitatoryFraction).rounded()), nInh = neurons - nExc
    var rng = Xoshiro256(seed: seed, stream: 0xC0BA)
    func v0(_ n: Int) -> [Double] { (0..<n).map { _ in model.vReset + rng.uniform() * (model.vTh - model.vReset) } }
    var net = Network()
    let exc = try net.addPopulation("exc", size: nExc, model: model, initialPotentials: v0(nExc))
    let inh = try net.addPopulation("inh", size: nInh, model: model, initialPotentials: v0(nInh))
    var projectionSeed = seed &* 1000
    for (source, weight, receptor) in [(exc, COBA.wExc, Receptor.excitatory), (inh, COBA.wInh, Receptor.inhibitory)] {
        for target in [exc, inh] {
            projectionSeed &+= 1
            try net.connect(
                source, to: target, pattern: .fixedProbability(COBA.connectionProbability), weight: .constant(weight),
                delay: .constant(COBA.delay), receptor: receptor, seed: projectionSeed)
        }
    }
    let sim: Simulator = engine == "event" ? try EventDrivenSimulator(network: net, threads: try cli.threads(for: net)) : try TimeSteppedSimulator(network: net, dt: dt, threads: try cli.threads(for: net))
    let buildSeconds = Date().timeIntervalSince(buildStart)
    let scheme = engine == "event" ? "adaptive (tolerance 1e-11)" : "\(integrationName), dt \(dt) ms"
    print("COBA: \(neurons) neurons (\(nExc) exc, \(nInh) inh), p = \(COBA.connectionProbability), \(net.synapseCount) synapses, \(engine) engine, \(scheme); built in \(Format.fixed(buildSeconds, 2)) s")

    try runWithProgress(sim, until: duration, chunks: duration >= 200 ? 10 : 1)
    let report = sim.report()
    print(report.summary)
    if let path = rasterPath {
        try writeTextFile(sim.rasterPlot(title: "COBA, \(engine) engine, \(neurons) neurons"), to: path)
        print("raster plot written to \(path)")
    }
    let fields: JSONValue = [
        "example": "coba", "engine": .string(engine), "integration": .string(engine == "event" ? "adaptive" : integrationName),
        "dt_ms": engine == "event" ? .null : .number(dt), "seed": .unsigned(seed), "neurons": .int(neurons),
        "spikes": .int(Int(report.modelSpikes)), "mean_rate_hz": .number(report.meanRateHz), "wall_seconds": .number(report.wallSeconds),
        "build_seconds": .number(buildSeconds),
    ]
    printResultLine(try JSONValue(encoding: report).merging(fields))
}
