// Measures the STDP window from simulated spike pairs and compares it with the analytic curve.
//
// Each Δt gets its own pre/post pair on its own synapse: pre source k's spike *arrives* at 200 ms,
// post neuron k (LIF with delta synapses) is forced to fire at 200 + Δt ms by a strong static input.
// The plastic synapse's weight is far too small to make the neuron fire, so the pair is isolated.
//
//   swift run -c release stdp-window                                # all-to-all, both engines
//   swift run -c release stdp-window --pairing nearest_symmetric --dependence multiplicative \
//       --svg window.svg --csv window.csv

import Foundation
import Volley
import VolleyExamples

runExample("stdp-window") {
    var cli = CommandOptions(program: "stdp-window", summary: "STDP window measured from simulated pre/post pairs against the analytic curve")
    cli.option("pairing", value: STDPPairing.allCases.map(\.rawValue).joined(separator: "|"), default: "all_to_all", help: "pairing scheme (NEST: stdp_synapse, stdp_nn_symm, pre-centred, restricted)")
    cli.option("dependence", value: "additive|multiplicative|power_law", default: "additive", help: "weight dependence f(w)")
    cli.option("tau-plus", value: "MS", default: "16.8", help: "τ₊ of potentiation (ms); default Bi & Poo 1998 fit")
    cli.option("tau-minus", value: "MS", default: "33.7", help: "τ₋ of depression (ms)")
    cli.option("a-plus", value: "A", default: "0.01", help: "A₊ (weight units, mV)")
    cli.option("a-minus", value: "A", default: "0.0105", help: "A₋ (weight units, mV)")
    cli.option("w0", value: "W", default: "0.5", help: "initial weight of every plastic synapse (mV), in [0, 1]")
    cli.option("range", value: "MS", default: "100", help: "Δt runs over [−range, range] ms")
    cli.option("step", value: "MS", default: "0.5", help: "spacing of the Δt values (ms)")
    cli.option("dt", value: "MS", default: "0.1", help: "time step of the stepped engine (ms)")
    cli.option("engine", value: "event|stepped|both", default: "both", help: "which engine(s) measure the window")
    cli.option("svg", value: "PATH", help: "write Δw vs Δt (simulated points over the analytic curve) as SVG")
    cli.option("csv", value: "PATH", help: "write dt_ms,engine,dw_simulated,dw_analytic,relative_error as CSV")
    cli.flag("quick", help: "seconds-long CI run: Δt step 5 ms")
    cli.threadsOption()
    try cli.parseProcessArguments()

    let pairing = STDPPairing(rawValue: try cli.choice("pairing", STDPPairing.allCases.map(\.rawValue)))!
    let dependence: STDPWeightDependence
    switch try cli.choice("dependence", ["additive", "multiplicative", "power_law"]) {
    case "multiplicative": dependence = .multiplicative()
    case "power_law": dependence = .powerLaw(mu: 0.4, w0: 1)
    default: dependence = .additive
    }
    let rule = STDPRule(
        tauPlus: try cli.double("tau-plus", .init("must be in (0, 10⁴] ms") { $0 > 0 && $0 <= 1e4 }),
        tauMinus: try cli.double("tau-minus", .init("must be in (0, 10⁴] ms") { $0 > 0 && $0 <= 1e4 }),
        aPlus: try cli.double("a-plus", .fraction), aMinus: try cli.double("a-minus", .fraction),
        pairing: pairing, dependence: dependence, wMin: 0, wMax: 1)
    try rule.validate()
    /// The textbook window written out independently of the library's rule code, so the
    /// comparison checks the simulation (timing, traces, pairing, equal-time rule), not an identity.
    func analyticWindow(_ dt: Double, weight w: Double) -> Double {
        let wn = (w - rule.wMin) / (rule.wMax - rule.wMin)
        let change: Double
        if dt >= 0 {
            let k = rule.aPlus * exp(-dt / rule.tauPlus)
            switch dependence {
            case .additive: change = k
            case .multiplicative: change = k * (1 - wn)
            case let .powerLaw(mu, w0): change = k * pow(w0, 1 - mu) * pow(w, mu)
            }
        } else {
            let k = rule.aMinus * exp(dt / rule.tauMinus)
            switch dependence {
            case .additive: change = -k
            case .multiplicative: change = -k * wn
            case .powerLaw: change = -k * w
            }
        }
        return min(max(w + change, rule.wMin), rule.wMax) - w
    }
    let w0 = try cli.double("w0", .fraction)
    let range = try cli.double("range", .init("must be in (0, 1000] ms") { $0 > 0 && $0 <= 1000 })
    let step = cli.isSet("quick") && !cli.isSet("step") ? 5 : try cli.double("step", .init("must be in (0, range] ms") { $0 > 0 && $0 <= range })
    let dtStep = try cli.double("dt", .init("must be in (0, 10] ms") { $0 > 0 && $0 <= 10 })
    let engines = try cli.choice("engine", ["event", "stepped", "both"])
    // One synapse and one neuron per pair: the count is bounded so a tiny --step is refused
    // before anything is allocated.
    let maxPairs = 100_000
    let pairCount = (2 * range / step).rounded(.down) + 1
    guard pairCount <= Double(maxPairs) else {
        throw VolleyError.usage("option '--step': \(step) ms over ±\(range) ms gives \(Format.scientific(pairCount, 3)) pairs; at most \(maxPairs) are allowed (choose --step ≥ \(Format.fixed(2 * range / Double(maxPairs - 1) * 1.0001, 4)) ms)")
    }
    let csvPath = try cli.string("csv").map { try OutputPath.check($0, flag: "csv") }
    let svgPath = try cli.string("svg").map { try OutputPath.check($0, flag: "svg") }
    let count = Int(pairCount)
    let dts = (0..<count).map { -range + Double($0) * step }
    // The stepped engine sees spikes on its grid: the pairs must sit on it to measure the rule, not the grid.
    if engines != "event" {
        for d in dts where abs((d / dtStep).rounded() * dtStep - d) > 1e-9 {
            throw VolleyError.usage("option '--step': Δt = \(d) ms is not a multiple of --dt \(dtStep) ms")
        }
    }

    // One isolated pair per synapse.
    let delay = 1.0
    let tPre = range + 50
    var net = Network()
    let pre = try net.addSpikeSource("pre", trains: dts.map { _ in [tPre - delay] })
    let driver = try net.addSpikeSource("driver", trains: dts.map { [tPre + $0 - delay] })
    let post = try net.addPopulation("post", size: dts.count, model: LIFDelta(tauM: 10, vRest: -70, vReset: -70, vThreshold: -55, tRef: 0))
    try net.connect(driver, to: post, pattern: .oneToOne, weight: .constant(100), delay: .constant(delay))
    let plastic = try net.connect(pre, to: post, pattern: .oneToOne, weight: .constant(w0), delay: .constant(delay))
    try net.setPlasticity(.stdp(rule), for: plastic)
    print("STDP window: \(dts.count) pairs, Δt ∈ [\(-range), \(range)] ms step \(step) ms; τ₊ = \(rule.tauPlus) ms, τ₋ = \(rule.tauMinus) ms, A₊ = \(rule.aPlus), A₋ = \(rule.aMinus), pairing \(pairing.rawValue), w0 = \(w0)")

    var rows: [(dt: Double, engine: String, simulated: Double, analytic: Double, error: Double)] = []
    var maxError = 0.0
    var perEngine: [String: JSONValue] = [:]
    var threadsByEngine: [String: JSONValue] = [:]
    let threads = try cli.threads(for: net)
    let start = Date()
    for engine in engines == "both" ? ["event", "stepped"] : [engines] {
        let sim: Simulator = engine == "event"
            ? try EventDrivenSimulator(network: net, threads: threads) : try TimeSteppedSimulator(network: net, dt: dtStep, threads: threads)
        try sim.run(until: tPre + range + 50)
        let ran = sim.report()
        threadsByEngine[engine] = .int(ran.threads)
        print("  \(engine): \(ran.threads) thread\(ran.threads == 1 ? "" : "s")\(ran.oneThreadReason.map { " (\($0))" } ?? "")")
        let weights = try sim.weights(of: plastic)
        let postSpikes = try sim.spikes(of: post).times.count
        guard postSpikes == dts.count else {
            throw VolleyError.unsupported("expected one post spike per pair, got \(postSpikes) for \(dts.count) pairs")
        }
        var engineMax = 0.0
        for (k, d) in dts.enumerated() {
            let simulated = weights[k] - w0
            let analytic = analyticWindow(d, weight: w0)
            let error = analytic == 0 ? abs(simulated) : abs(simulated - analytic) / abs(analytic)
            engineMax = max(engineMax, error)
            rows.append((d, engine, simulated, analytic, error))
        }
        maxError = max(maxError, engineMax)
        perEngine[engine] = .number(engineMax)
        print("  \(engine) engine\(engine == "stepped" ? " (dt = \(dtStep) ms)" : ""): max relative error \(Format.scientific(engineMax, 2)) over \(dts.count) pairs")
    }
    let peak = rows.map(\.analytic)
    print("window: Δw(0⁺) = \(Format.scientific(analyticWindow(0, weight: w0), 4)), Δw(−step) = \(Format.scientific(analyticWindow(-step, weight: w0), 4)); max |Δw| \(Format.scientific(peak.map(abs).max() ?? 0, 3))")

    if let path = csvPath {
        var csv = "dt_ms,engine,dw_simulated,dw_analytic,relative_error\n"
        for r in rows { csv += "\(r.dt),\(r.engine),\(r.simulated),\(r.analytic),\(r.error)\n" }
        try writeTextFile(csv, to: path)
        print("CSV written to \(path)")
    }
    if let path = svgPath {
        let lo = (peak.min() ?? -1) * 1.15, hi = (peak.max() ?? 1) * 1.15
        var plot = SVGPlot(title: "STDP window (\(pairing.rawValue), \(engines) engine\(engines == "event" ? "" : "s")): simulated pairs over the analytic curve", xLabel: "Δt = t_post − t_pre (ms)", yLabel: "Δw (mV)", xRange: -range...range, yRange: min(lo, -1e-6)...max(hi, 1e-6))
        plot.horizontalLine(at: 0)
        let fine = (0...2000).map { -range + 2 * range * Double($0) / 2000 }
        let neg = fine.filter { $0 < 0 }, pos = fine.filter { $0 >= 0 }
        plot.line(neg, neg.map { analyticWindow($0, weight: w0) }, color: "#999", label: "analytic", width: 2.5)
        plot.line(pos, pos.map { analyticWindow($0, weight: w0) }, color: "#999", width: 2.5)
        for (k, engine) in (engines == "both" ? ["event", "stepped"] : [engines]).enumerated().map({ ($0.offset, $0.element) }) {
            let mine = rows.filter { $0.engine == engine }
            plot.points(mine.map(\.dt), mine.map(\.simulated), color: SVGPlot.palette[k], label: "simulated, \(engine)", radius: k == 0 ? 2.2 : 1.2)
        }
        try writeTextFile(plot.rendered, to: path)
        print("SVG written to \(path)")
    }
    printResultLine([
        "example": "stdp-window", "pairs": .int(dts.count), "max_relative_error": .number(maxError),
        "max_relative_error_by_engine": .object(perEngine), "pairing": .string(pairing.rawValue),
        "tau_plus_ms": .number(rule.tauPlus), "tau_minus_ms": .number(rule.tauMinus),
        "a_plus": .number(rule.aPlus), "a_minus": .number(rule.aMinus),
        "wall_seconds": .number(Date().timeIntervalSince(start)),
        "threads": .int(threads), "threads_by_engine": .object(threadsByEngine),
    ])
}
