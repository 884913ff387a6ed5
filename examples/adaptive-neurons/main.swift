// Nonlinear neurons in both engines: the AdEx firing patterns of Naud et al. (2008) and the
// Izhikevich (2003, 2004) cell types, classified from their spike trains and drawn as SVG, and the
// spike-time error of each engine setting against a tight-tolerance reference (1 s runs).
//
//   swift run -c release adaptive-neurons
//   swift run -c release adaptive-neurons --svg-adex adex.svg --svg-izhikevich izh.svg

import Foundation
import Volley
import VolleyExamples

/// One current-step protocol: a model, the pattern the literature reports, where it is from.
struct PatternCase<M: IntegratedModel> {
    var name: String
    var model: M
    var expected: FiringPattern
}

/// Naud et al. (2008), Table 1 (C pF, g_L nS, E_L mV, V_T mV, Δ_T 2 mV, a nS, τ_w ms, b pA, V_r mV,
/// step current pA; V_peak 0 mV, from rest).
func naudPatterns() -> [PatternCase<AdEx>] {
    func adex(_ c: Double, _ gL: Double, _ eL: Double, _ a: Double, _ tauW: Double, _ b: Double, _ vR: Double, _ i: Double) -> AdEx {
        AdEx(cM: c, gL: gL, eL: eL, vT: -50, deltaT: 2, a: a, b: b, tauW: tauW, vReset: vR, vPeak: 0, tRef: 0, iE: i)
    }
    return [
        PatternCase(name: "tonic", model: adex(200, 10, -70, 2, 30, 0, -58, 500), expected: .tonic),
        PatternCase(name: "adapting", model: adex(200, 12, -70, 2, 300, 60, -58, 500), expected: .adapting),
        PatternCase(name: "initial burst", model: adex(130, 18, -58, 4, 150, 120, -50, 400), expected: .initialBurst),
        PatternCase(name: "regular bursting", model: adex(200, 10, -58, 2, 120, 100, -46, 210), expected: .regularBursting),
        PatternCase(name: "delayed accelerating", model: adex(200, 12, -70, -10, 300, 0, -58, 300), expected: .delayedAccelerating),
        PatternCase(name: "irregular", model: adex(100, 12, -60, -11, 130, 30, -48, 160), expected: .irregular),
    ]
}

/// Izhikevich (2003, Fig. 2 cell classes; step I = 10 from rest).
func izhikevichTypes() -> [PatternCase<Izhikevich>] {
    func izh(_ a: Double, _ b: Double, _ c: Double, _ d: Double) -> Izhikevich { Izhikevich(a: a, b: b, c: c, d: d, iE: 10) }
    return [
        PatternCase(name: "regular spiking (RS)", model: izh(0.02, 0.2, -65, 8), expected: .adapting),
        PatternCase(name: "intrinsically bursting (IB)", model: izh(0.02, 0.2, -55, 4), expected: .initialBurst),
        PatternCase(name: "chattering (CH)", model: izh(0.02, 0.2, -50, 2), expected: .regularBursting),
        PatternCase(name: "fast spiking (FS)", model: izh(0.1, 0.2, -65, 2), expected: .tonic),
        PatternCase(name: "low-threshold spiking (LTS)", model: izh(0.02, 0.25, -65, 2), expected: .adapting),
    ]
}

/// Runs one neuron of `model` in the event-driven engine for `duration` ms; spike times and the
/// potential sampled every 0.1 ms.
func run<M: IntegratedModel & ExactlyPredictable>(_ model: M, duration: Double, inputs: [(Double, Double)] = []) throws -> (spikes: [Double], trace: [Double]) {
    var net = Network()
    let neuron = try net.addPopulation("neuron", size: 1, model: model)
    if !inputs.isEmpty {
        let source = try net.addSpikeSource("pulses", trains: inputs.map { [$0.0 - 0.5] })
        try net.connect(source, to: neuron, synapses: inputs.indices.map { Synapse(source: $0, target: 0, weight: inputs[$0].1, delay: 0.5) })
    }
    let sim = try EventDrivenSimulator(network: net)
    try sim.recordPotentials(of: neuron, neurons: [0], every: 0.1)
    try sim.run(until: duration)
    return (try sim.spikes(of: neuron).times, sim.stateRecordings[0].potentials[0])
}

/// Stacked membrane traces, one per case, each with its spikes marked at the spike level.
func tracesSVG(title: String, names: [String], traces: [[Double]], spikes: [[Double]], peak: Double, floor: Double, duration: Double) -> String {
    let span = peak - floor + 10
    var plot = SVGPlot(
        title: title, xLabel: "time (ms)", yLabel: "V (mV), traces offset by \(Format.fixed(span, 0)) mV",
        xRange: 0...duration, yRange: (floor - span * Double(names.count - 1))...(peak + 5))
    plot.height = 120 + 110 * Double(names.count)
    for (k, name) in names.enumerated() {
        let offset = -span * Double(k)
        let color = SVGPlot.palette[k % SVGPlot.palette.count]
        let t = traces[k].indices.map { Double($0) * 0.1 }
        plot.line(t, traces[k].map { min($0, peak) + offset }, color: color, label: name, width: 1)
        plot.points(spikes[k], spikes[k].map { _ in peak + offset }, color: color, radius: 6, ticks: true)
    }
    return plot.rendered
}

runExample("adaptive-neurons") {
    var cli = CommandOptions(program: "adaptive-neurons", summary: "AdEx and Izhikevich neurons: firing patterns (Naud et al. 2008, Izhikevich 2003) and spike-time accuracy of both engines")
    cli.option("duration", value: "MS", default: "600", help: "length of the current step of the pattern runs (ms)")
    cli.option("reference-tolerance", value: "TOL", default: "1e-12", help: "absolute and relative tolerance of the reference solution")
    cli.option("svg-adex", value: "PATH", help: "write the AdEx traces as SVG")
    cli.option("svg-izhikevich", value: "PATH", help: "write the Izhikevich traces as SVG")
    cli.option("reference-out", value: "PATH", help: "write the reference spike times of the accuracy runs as JSON ({\"adex\": […], \"izhikevich\": […]}, ms; for benchmarks/peers/adaptive_nest.py)")
    cli.flag("quick", help: "seconds-long CI run: 300 ms steps and the coarser half of the accuracy table")
    cli.workThreadsOption(work: "the pattern runs (one neuron each; the accuracy table runs on one thread, as it times each run)")
    try cli.parseProcessArguments()
    let threads = try cli.applyWorkThreads()
    let quick = cli.isSet("quick")
    let duration = quick && !cli.isSet("duration") ? 300 : try cli.double("duration", .init("must be in [50, 10⁵] ms") { $0 >= 50 && $0 <= 1e5 })
    let referenceTolerance = try cli.double("reference-tolerance", .init("must be in [1e-13, 1e-9]") { $0 >= 1e-13 && $0 <= 1e-9 })
    let adexSVG = try cli.string("svg-adex").map { try OutputPath.check($0, flag: "svg-adex") }
    let izhSVG = try cli.string("svg-izhikevich").map { try OutputPath.check($0, flag: "svg-izhikevich") }
    let referenceOut = try cli.string("reference-out").map { try OutputPath.check($0, flag: "reference-out") }

    // 1. Firing patterns in the event-driven engine.
    var rows: [JSONValue] = []
    var reproduced = 0, total = 0
    func report<M: IntegratedModel & ExactlyPredictable>(_ cases: [PatternCase<M>], model: String, svg: String?, peak: Double, floor: Double) throws {
        var traces: [[Double]] = [], spikeLists: [[Double]] = []
        print("\(model) (event-driven engine, \(Format.fixed(duration, 0)) ms step from rest):")
        let runs = parallelMap(cases.count) { k in Result { try run(cases[k].model, duration: duration) } }
        for (c, outcome) in zip(cases, runs) {
            let (spikes, trace) = try outcome.get()
            let got = FiringPattern.classify(spikes, duration: duration)
            let f = FiringPattern.features(of: spikes)
            let ok = got == c.expected
            reproduced += ok ? 1 : 0
            total += 1
            traces.append(trace)
            spikeLists.append(spikes)
            let isi = zip(spikes.dropFirst(), spikes).map { $0 - $1 }
            print("  \(c.name): \(got.rawValue) (published: \(c.expected.rawValue)) \(ok ? "✓" : "✗"); \(spikes.count) spikes, first at \(f.firstSpikeMs.map { Format.fixed($0, 2) } ?? "—") ms, ISIs \(isi.prefix(4).map { Format.fixed($0, 1) }.joined(separator: ", "))\(isi.count > 4 ? " … \(Format.fixed(isi.last!, 1))" : "") ms, adaptation index \(f.adaptationIndex.map { Format.fixed($0, 3) } ?? "—")")
            rows.append([
                "model": .string(model), "pattern": .string(c.name), "expected": .string(c.expected.rawValue), "classified": .string(got.rawValue),
                "reproduced": .bool(ok), "spikes": .int(spikes.count), "first_spike_ms": .number(f.firstSpikeMs),
                "adaptation_index": .number(f.adaptationIndex),
            ])
        }
        if let svg {
            try writeTextFile(tracesSVG(title: "\(model): \(cases.map(\.name).joined(separator: ", "))", names: cases.map(\.name), traces: traces, spikes: spikeLists, peak: peak, floor: floor, duration: duration), to: svg)
            print("  traces written to \(svg)")
        }
    }
    try report(naudPatterns(), model: "AdEx (Naud et al. 2008)", svg: adexSVG, peak: 0, floor: -75)
    try report(izhikevichTypes(), model: "Izhikevich (2003)", svg: izhSVG, peak: 30, floor: -80)

    // The resonator (Izhikevich 2004: a 0.1, b 0.26, c −60, d −1): a pair of pulses one damped
    // oscillation period P apart fires at a lower amplitude than a single pulse or a pair P/2 apart.
    let resonator = Izhikevich(a: 0.1, b: 0.26, c: -60, d: -1, iE: 0)
    // The stable rest: the lower root of 0.04v² + (5 − b)v + 140 = 0 (a focus for these a, b).
    let vStar = (-(5 - resonator.b) - ((5 - resonator.b) * (5 - resonator.b) - 4 * 0.04 * 140).squareRoot()) / (2 * 0.04)
    let fv = 0.08 * vStar + 5, trace = fv - resonator.a, det = -fv * resonator.a + resonator.a * resonator.b
    let period = 2 * Double.pi / ((4 * det - trace * trace).squareRoot() / 2)
    func threshold(_ pulses: [Double]) throws -> Double {
        var lo = 0.0, hi = 40.0
        for _ in 0..<40 {
            let mid = 0.5 * (lo + hi)
            let fired = try !run(resonator, duration: 100 + period, inputs: pulses.map { (20 + $0, mid) }).spikes.isEmpty
            if fired { hi = mid } else { lo = mid }
        }
        return hi
    }
    let single = try threshold([0]), inPhase = try threshold([0, period]), antiPhase = try threshold([0, period / 2])
    let resonates = inPhase < single && inPhase < antiPhase
    reproduced += resonates ? 1 : 0
    total += 1
    print("  resonator (RZ): damped period P = \(Format.fixed(period, 1)) ms at rest \(Format.fixed(vStar, 2)) mV; threshold pulse amplitude: single \(Format.fixed(single, 3)) mV, pair at P \(Format.fixed(inPhase, 3)) mV, pair at P/2 \(Format.fixed(antiPhase, 3)) mV \(resonates ? "✓" : "✗")")
    rows.append(["model": "Izhikevich (2004)", "pattern": "resonator", "expected": "resonator", "classified": .string(resonates ? "resonator" : "integrator"),
                 "reproduced": .bool(resonates), "period_ms": .number(period), "threshold_single_mv": .number(single),
                 "threshold_pair_period_mv": .number(inPhase), "threshold_pair_half_period_mv": .number(antiPhase)])
    print("patterns reproduced: \(reproduced) of \(total)")

    // 2. Spike-time accuracy over 1 s against the reference.
    let accuracyCases: [(String, AdEx?, Izhikevich?)] = [("AdEx (aeif_psc_exp defaults, I_e 1000 pA)", AdEx(iE: 1000), nil), ("Izhikevich RS (I 10)", nil, Izhikevich(iE: 10))]
    var accuracy: [JSONValue] = []
    var referenceTimes: [String: JSONValue] = [:]
    var defaultError = 0.0
    print("spike-time error over 1000 ms against the reference (tolerance \(referenceTolerance)):")
    for (name, adex, izh) in accuracyCases {
        func measure<M: IntegratedModel & ExactlyPredictable>(_ base: M, _ with: (inout M, ODEIntegration) -> Void) throws {
            let reference = base.referenceSpikeTimes(until: 1000, tolerance: referenceTolerance)
            referenceTimes[M.modelName] = .array(reference.map { .number($0) })
            let finer = base.referenceSpikeTimes(until: 1000, tolerance: referenceTolerance / 10)
            let referenceError = zip(reference, finer).map { abs($0 - $1) }.max() ?? 0
            print("  \(name): \(reference.count) spikes; reference vs 10× tighter: \(Format.scientific(referenceError, 2)) ms")
            var settings: [(String, String, Double, ODEIntegration)] = []
            for tol in quick ? [1e-6, 1e-9, 1e-11] : [1e-6, 1e-8, 1e-9, 1e-10, 1e-11, 1e-12] {
                settings.append(("event", "adaptive", tol, .adaptive(ODETolerance(absolute: ODEState(repeating: tol), relative: tol))))
            }
            for dt in quick ? [0.1, 0.01] : [0.1, 0.01, 0.001] {
                settings.append(("stepped", "adaptive", dt, .adaptive(ODETolerance(absolute: ODEState(repeating: 1e-11), relative: 1e-11))))
                settings.append(("stepped", "euler", dt, .forwardEuler))
            }
            for (engine, scheme, parameter, integration) in settings {
                var model = base
                with(&model, integration)
                var net = Network()
                let neuron = try net.addPopulation("neuron", size: 1, model: model)
                let sim: Simulator = engine == "event" ? try EventDrivenSimulator(network: net) : try TimeSteppedSimulator(network: net, dt: parameter)
                let t0 = Date()
                try sim.run(until: 1000)
                let wall = Date().timeIntervalSince(t0)
                let times = try sim.spikes(of: neuron).times
                let error = times.count == reference.count ? zip(times, reference).map { abs($0 - $1) }.max() ?? 0 : Double.nan
                if engine == "event" && integration == base.integration { defaultError = max(defaultError, error.isNaN ? .infinity : error) }
                let setting = engine == "event" ? "tolerance \(parameter)" : "dt \(parameter) ms"
                print("    \(engine) \(scheme), \(setting): \(times.count) spikes, max error \(error.isNaN ? "— (spike count differs)" : Format.scientific(error, 2) + " ms"), \(Format.fixed(wall * 1000, 2)) ms wall")
                accuracy.append([
                    "neuron": .string(name), "engine": .string(engine), "integration": .string(scheme),
                    "tolerance": engine == "event" ? .number(parameter) : .null, "dt_ms": engine == "event" ? .null : .number(parameter),
                    "spikes": .int(times.count), "reference_spikes": .int(reference.count),
                    "max_spike_time_error_ms": .number(error.isNaN ? nil : error), "wall_seconds": .number(wall),
                ])
            }
        }
        if let adex { try measure(adex) { $0.integration = $1 } }
        if let izh { try measure(izh) { $0.integration = $1 } }
    }
    if let path = referenceOut {
        try writeTextFile(String(decoding: try JSONEncoder().encode(JSONValue.object(referenceTimes)), as: UTF8.self), to: path)
        print("reference spike times written to \(path)")
    }
    printResultLine([
        "example": "adaptive-neurons", "patterns_reproduced": .int(reproduced), "patterns_total": .int(total),
        "max_spike_time_error_ms": .number(defaultError), "default_tolerance": .number(1e-11), "reference_tolerance": .number(referenceTolerance),
        "pattern_duration_ms": .number(duration), "patterns": .array(rows), "accuracy": .array(accuracy),
        "threads": .int(threads), "thread_wait_seconds": .array(Parallelism.waitSeconds.map { .number($0) }),
    ])
}
