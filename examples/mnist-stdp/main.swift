// Unsupervised MNIST learning with STDP: Diehl & Cook (2015), "Unsupervised learning of digit
// recognition using spike-timing-dependent plasticity", Front. Comput. Neurosci. 9:99.
//
// 784 Poisson inputs → N excitatory adaptive-threshold LIF neurons (plastic, Diehl & Cook rule,
// weight normalisation) ⇄ N inhibitory neurons (one-to-one excitation, inhibition of all other
// excitatory neurons). Labels are assigned from training-set responses only, and test images are
// classified by the most active label group. Every parameter is in `DC` below, with its source;
// docs/stdp-mnist.md has the table and the figures.
//
//   swift run -c release mnist-stdp --data ../shared/datasets/mnist --neurons 100
//   swift run -c release mnist-stdp --neurons 400 --engine stepped --synapses conductance --svg fields.svg

import Dispatch
import Foundation
import Volley

/// Parameters of Diehl & Cook (2015) and their published Brian code, translated from conductance-
/// to current-based synapses (Volley's `LIFExp`: τm·dV/dt = −(V − E_L) + I, weights in mV of R·I).
/// A conductance jump g on a synapse with reversal E and time constant τ_g moves V by
/// ≈ g·τ_g·(E − V)/τm; the current-based weight w with the same τ moves it by w·τ/τm, so
/// w = g·(E − V) at the neuron's typical potential (V ≈ −60 mV excitatory, −50 mV inhibitory).
enum DC {
    // Input (their code: rate = pixel/8·intensity Hz, intensity 2 ⇒ max 63.75 Hz).
    static let maxRate = 63.75  // Hz at intensity 1.0 and pixel 255
    static let presentation = 350.0  // ms
    static let rest = 150.0  // ms
    static let minimumSpikes = 5  // fewer excitatory spikes ⇒ boost the input and show again
    static let boost = 0.5  // +32 Hz max rate per repeat (their intensity += 1 of 2)
    static let maxBoosts = 12

    // Excitatory neurons: v_rest −65, v_reset −65, v_thresh −52 mV (θ₀ = 20 − offset 20), τ 100 ms,
    // refractory 5 ms, θ_plus 0.05 mV, τ_θ 1e7 ms; synapses τ_ge 1 ms, τ_gi 2 ms.
    static let excitatory = AdaptiveLIF(
        membrane: LIFExp(tauM: 100, tauSynExc: 1, tauSynInh: 2, vRest: -65, vReset: -65, vThreshold: -52, tRef: 5),
        beta: thetaPlus, tauAdapt: 1e7)
    /// θ_plus, mV added to the threshold per spike (their code's theta_plus_e; `--theta-plus`).
    static let thetaPlus = 0.05
    // Inhibitory neurons: v_rest −60, v_reset −45, v_thresh −40 mV, τ 10 ms, refractory 2 ms.
    static let inhibitory = LIFExp(tauM: 10, tauSynExc: 1, tauSynInh: 2, vRest: -60, vReset: -45, vThreshold: -40, tRef: 2)

    // Input→excitatory: g uniform in [0, 0.3], wmax 1, column sums normalised to 78 (their code);
    // E_exc = 0 mV at V ≈ −60 mV ⇒ ×60.
    static let gain = 60.0
    static let normalisation = 78.0 * gain
    static let inputDelay = 1.0  // ms (their code: random 0–10 ms; one group per source here)
    /// `--input-delays random`: their code's per-synapse input delays, uniform 0–10 ms, which Brian
    /// places on its 0.5 ms grid. Drawn here uniformly from the grid values 0.5, 1, …, 10 ms
    /// (Volley's delays are > 0), so each input's synapses fall into 20 delay groups.
    static let randomInputDelaySteps = 20
    static let randomInputDelayStep = 0.5  // ms
    // Excitatory→inhibitory one-to-one g = 10.4 (E 0 at V ≈ −50 ⇒ ×50); inhibitory→other
    // excitatory g = 17. The driving-force translation (E_inh −100 mV at V ≈ −60) gives ×40, but
    // a conductance also shunts the excitatory drive, which a current cannot; ×160 was chosen on
    // training images only (label-assignment accuracy on training images 55 000–59 999 after
    // 20 000 training images, seed 1: ×40 74.4 %, ×80 79.1 %, ×160 82.7 %, ×240 78.1 %).
    static let excToInh = 10.4 * 50
    static let inhToExc = -17.0 * 160
    static let lateralDelay = 0.5  // ms (theirs 0; Volley's delays are > 0)

    // `--synapses conductance`: their Brian code literally (`ConductanceLIF`, conductances in units
    // of the leak conductance, time-stepped engine only). Excitatory: E_exc 0 mV, E_inh −100 mV;
    // threshold v_thresh − offset + θ = −72 mV + θ with θ starting at 20 mV and decaying with
    // τ_θ = 1e7 ms like every later increment (their `theta = 20 mV` at the start of training).
    // Inhibitory: E_exc 0 mV, E_inh −85 mV. Initial potentials v_rest − 40 mV (their code).
    static let conductanceExcitatory = ConductanceLIF(
        tauM: 100, vRest: -65, vReset: -65, vThreshold: -72, tRef: 5, eExc: 0, eInh: -100,
        tauSynExc: 1, tauSynInh: 2, thetaPlus: thetaPlus, tauTheta: 1e7)
    static let conductanceInhibitory = ConductanceLIF(
        tauM: 10, vRest: -60, vReset: -45, vThreshold: -40, tRef: 2, eExc: 0, eInh: -85,
        tauSynExc: 1, tauSynInh: 2, thetaPlus: 0, tauTheta: .infinity)
    static let initialTheta = 20.0  // mV
    static let initialDepolarisation = -40.0  // mV relative to v_rest
    static let conductanceExcToInh = 10.4
    static let conductanceInhToExc = 17.0

    // Learning rule (paper eq. 4 with their code's presynaptic term): τ_pre 20 ms, τ_post 20 ms,
    // ν_post 0.01, ν_pre 0.0001 (in g units, ×gain here since μ = 0 ⇒ no weight dependence).
    // `--rule code` adds their code's triplet gate (post2before, τ_post2 40 ms); `--rule eq4` is
    // the paper's eq. 4 without it.
    static func rule(xTar: Double, triplet: Bool, gain: Double) -> DiehlCookRule {
        DiehlCookRule(
            tauPre: 20, tauPost: 20, etaPost: 0.01 * gain, etaPre: 0.0001 * gain, xTar: xTar, mu: 0, wMax: 1 * gain,
            tauPost2: triplet ? 40 : nil)
    }
}

/// The two synapse variants of the example: weights scale by `gain` (60 for currents in mV, 1
/// for conductances), and the neuron models differ; everything else is shared.
struct Variant {
    let conductance: Bool
    /// θ_plus (mV per spike): their 0.05 by default, `--theta-plus`.
    var thetaPlus: Double = DC.thetaPlus
    /// The current variant's training model: `DC.excitatory` with this θ_plus as β.
    var currentExcitatory: AdaptiveLIF {
        AdaptiveLIF(membrane: DC.excitatory.membrane, beta: thetaPlus, tauAdapt: DC.excitatory.tauAdapt)
    }
    var gain: Double { conductance ? 1 : DC.gain }
    var defaultInhibition: Double { conductance ? DC.conductanceInhToExc : DC.inhToExc }
    var defaultInputTotal: Double { 78 * gain }
    var excToInh: Double { conductance ? DC.conductanceExcToInh : DC.excToInh }
    var weightUnit: String { conductance ? "leak conductance (conductance-based)" : "mV (current-based, R·I)" }

    func addExcitatory(_ net: inout Network, _ n: Int, frozen: Bool) throws -> PopulationID {
        guard conductance else {
            // Frozen: θ = β·a with β scaled down 1e6× (and a up 1e6×), so spikes no longer move θ.
            var model = currentExcitatory
            if frozen { model.beta *= 1e-6 }
            return try net.addPopulation("exc", size: n, model: model)
        }
        var model = DC.conductanceExcitatory
        model.thetaPlus = thetaPlus
        if frozen { (model.thetaPlus, model.tauTheta) = (0, .infinity) }
        let v0 = [Double](repeating: model.vRest + DC.initialDepolarisation, count: n)
        return try net.addPopulation("exc", size: n, model: model, initialPotentials: frozen ? nil : v0)
    }

    func addInhibitory(_ net: inout Network, _ n: Int, frozen: Bool) throws -> PopulationID {
        guard conductance else { return try net.addPopulation("inh", size: n, model: DC.inhibitory) }
        let model = DC.conductanceInhibitory
        let v0 = [Double](repeating: model.vRest + DC.initialDepolarisation, count: n)
        return try net.addPopulation("inh", size: n, model: model, initialPotentials: frozen ? nil : v0)
    }

    /// Training starts with θ = 20 mV (conductance variant; the current variant's −52 mV
    /// threshold already includes it and its a starts at 0).
    func prepareTraining(_ sim: Simulator, _ exc: PopulationID, _ n: Int) throws {
        guard conductance else { return }
        var s = DC.conductanceExcitatory.initialState(potential: DC.conductanceExcitatory.vRest + DC.initialDepolarisation)
        s.theta = DC.initialTheta
        try sim.setInitialStates([ConductanceLIF.State](repeating: s, count: n), of: exc, as: ConductanceLIF.self)
        sim.reset()
    }

    /// The learned thresholds: θ of every excitatory neuron (mV) and, for the current variant, its
    /// adaptation variable a (θ = β·a; nil for the conductance variant, whose state holds θ
    /// itself). a is saved with the model so that a loaded model's thresholds are bit-identical.
    func thresholds(_ sim: Simulator, _ exc: PopulationID, _ n: Int) throws -> (theta: [Double], adaptation: [Double]?) {
        if conductance { return (try (0..<n).map { try sim.state(of: exc, neuron: $0, as: ConductanceLIF.self).theta }, nil) }
        let a = try (0..<n).map { try sim.state(of: exc, neuron: $0, as: AdaptiveLIF.self).adaptation }
        return (a.map { thetaPlus * $0 }, a)
    }

    /// Excitatory states at rest with learned thresholds (θ in mV; for the current variant its
    /// adaptation a when known, else θ/β). Frozen (the evaluation network): the current variant's
    /// β is scaled down 10⁶× there, so a is scaled up 10⁶× to keep θ. Not frozen (`--resume`):
    /// training goes on from rest, as after the 150 ms rest that ends every epoch.
    func learnedStates(theta: [Double], adaptation: [Double]?, frozen: Bool) -> LearnedStates {
        if conductance {
            let rest = DC.conductanceExcitatory.initialState(potential: nil)
            return .conductance(theta.map { ConductanceLIF.State(v: rest.v, theta: $0) })
        }
        let rest = DC.excitatory.initialState(potential: nil)
        let a = adaptation ?? theta.map { $0 / thetaPlus }
        let scale = frozen ? 1e6 : 1
        return .current(a.map { AdaptiveLIF.State(membrane: rest.membrane, adaptation: $0 * scale) })
    }
}

/// A model written by `--save` and read by `--load` and `--resume`: learned input weights
/// (input-major, the order of the all-to-all projection's synapses) and thresholds. Format v2 also
/// records the network settings it was trained with, v3 also the number of epochs it has been
/// trained; v1 files (weights, θ, assignments only) take the settings from the command line.
struct SavedModel {
    static let format = "volley-diehl-cook-v3"
    static let readable = ["volley-diehl-cook-v1", "volley-diehl-cook-v2", format]
    var neurons: Int
    var theta: [Double]
    var adaptation: [Double]?
    var weights: [Double]
    /// v2 only: "current" or "conductance", "constant" or "random", the seed, the lateral
    /// inhibition weight.
    var synapses: String?
    var inputDelays: String?
    var seed: UInt64?
    var inhibition: Double?
    /// v3 only: epochs of training behind these weights (resumed runs included).
    var epochsTrained: Int?
    /// θ_plus (mV) the thresholds were learned with; absent in files written before
    /// `--theta-plus` existed, which all used their 0.05 mV.
    var thetaPlus: Double?

    func json(weightUnit: String, assignments: [Int]) -> JSONValue {
        var fields: [(String, JSONValue)] = [
            ("format", .string(Self.format)), ("neurons", .int(neurons)), ("synapses", .string(synapses ?? "current")),
            ("input_delays", .string(inputDelays ?? "constant")), ("seed", .unsigned(seed ?? 1)),
            ("inhibition_weight", .number(inhibition)), ("epochs_trained", epochsTrained.map { .int($0) } ?? .null),
            ("theta_plus_mv", .number(thetaPlus ?? DC.thetaPlus)),
            ("weight_unit", .string(weightUnit)),
            ("theta_mv", .array(theta.map { .number($0) })),
        ]
        if let adaptation { fields.append(("adaptation", .array(adaptation.map { .number($0) }))) }
        fields += [
            ("assignments", .array(assignments.map { .int($0) })),
            ("weights_input_major", .array(weights.map { .number($0) })),
        ]
        return .object(fields)
    }

    /// Reads and validates a saved model (every count, every number finite, weights ≥ 0).
    static func load(path: String, inputs: Int) throws -> SavedModel {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw VolleyError.fileError(path: path, reason: error.localizedDescription)
        }
        let v = try JSONValue.parse(text, source: path)
        let format = v["format"]?.stringValue
        guard let format, Self.readable.contains(format) else {
            throw VolleyError.malformedData(source: path, reason: "not a Diehl & Cook model (format field \(v["format"]?.rendered ?? "missing"), expected one of \(Self.readable.map { "\"\($0)\"" }.joined(separator: ", ")))")
        }
        func numbers(_ key: String, count: Int) throws -> [Double] {
            guard let items = v[key]?.arrayValue else {
                throw VolleyError.malformedData(source: path, reason: "missing array '\(key)'")
            }
            guard items.count == count else {
                throw VolleyError.malformedData(source: path, reason: "'\(key)' holds \(items.count) values, expected \(count)")
            }
            return try items.enumerated().map { k, item in
                guard let x = item.doubleValue, x.isFinite else {
                    throw VolleyError.malformedData(source: path, reason: "'\(key)'[\(k)] is \(item.rendered), not a finite number")
                }
                return x
            }
        }
        guard let neurons = v["neurons"]?.intValue, neurons >= 2 else {
            throw VolleyError.malformedData(source: path, reason: "'neurons' is \(v["neurons"]?.rendered ?? "missing"), expected an integer ≥ 2")
        }
        let weights = try numbers("weights_input_major", count: inputs * neurons)
        if let k = weights.firstIndex(where: { $0 < 0 }) {
            throw VolleyError.invalidWeight(value: weights[k], context: "\(path): weights_input_major[\(k)] (input weights are ≥ 0)")
        }
        var model = SavedModel(
            neurons: neurons, theta: try numbers("theta_mv", count: neurons),
            adaptation: v["adaptation"] == nil ? nil : try numbers("adaptation", count: neurons), weights: weights)
        guard format != "volley-diehl-cook-v1" else { return model }
        func choice(_ key: String, _ allowed: [String]) throws -> String {
            guard let s = v[key]?.stringValue, allowed.contains(s) else {
                throw VolleyError.malformedData(source: path, reason: "'\(key)' is \(v[key]?.rendered ?? "missing"), expected one of \(allowed.joined(separator: ", "))")
            }
            return s
        }
        model.synapses = try choice("synapses", ["current", "conductance"])
        model.inputDelays = try choice("input_delays", ["constant", "random"])
        guard let seed = v["seed"]?.uint64Value else {
            throw VolleyError.malformedData(source: path, reason: "'seed' is \(v["seed"]?.rendered ?? "missing"), expected an integer in 0…\(UInt64.max)")
        }
        model.seed = seed
        guard let inhibition = v["inhibition_weight"]?.doubleValue, inhibition.isFinite else {
            throw VolleyError.malformedData(source: path, reason: "'inhibition_weight' is \(v["inhibition_weight"]?.rendered ?? "missing"), expected a finite number")
        }
        model.inhibition = inhibition
        if let field = v["theta_plus_mv"] {
            guard let thetaPlus = field.doubleValue, thetaPlus.isFinite, thetaPlus > 0 else {
                throw VolleyError.malformedData(source: path, reason: "'theta_plus_mv' is \(field.rendered), expected a finite number > 0")
            }
            model.thetaPlus = thetaPlus
        } else {
            model.thetaPlus = DC.thetaPlus
        }
        guard format == Self.format else { return model }
        guard let epochs = v["epochs_trained"]?.intValue, epochs >= 1 else {
            throw VolleyError.malformedData(source: path, reason: "'epochs_trained' is \(v["epochs_trained"]?.rendered ?? "missing"), expected an integer ≥ 1")
        }
        model.epochsTrained = epochs
        return model
    }
}

/// Initial states of a frozen network's excitatory population (see `Variant.learnedStates`).
enum LearnedStates: Sendable {
    case current([AdaptiveLIF.State])
    case conductance([ConductanceLIF.State])

    /// Takes effect at the simulator's next reset.
    func install(in sim: Simulator, _ exc: PopulationID) throws {
        switch self {
        case let .current(states): try sim.setInitialStates(states, of: exc, as: AdaptiveLIF.self)
        case let .conductance(states): try sim.setInitialStates(states, of: exc, as: ConductanceLIF.self)
        }
    }
}

/// Poisson trains for one image: rate_i = pixel_i · maxRate · intensity, over [start, start + T).
func poissonTrains(_ image: [Double], intensity: Double, start: Double, rng: inout Xoshiro256) -> ([[Double]], Int) {
    var count = 0
    let trains = image.map { pixel -> [Double] in
        let rate = pixel * DC.maxRate * intensity / 1000  // per ms
        guard rate > 0 else { return [] }
        var t = start, train: [Double] = []
        while true {
            t += rng.exponential(mean: 1 / rate)
            if t >= start + DC.presentation { break }
            train.append(t)
        }
        count += train.count
        return train
    }
    return (trains, count)
}

/// The chosen engine, recording no spikes (the example only needs per-neuron counts).
func makeSimulator(_ network: Network, engine: String, dt: Double) throws -> Simulator {
    engine == "event"
        ? try EventDrivenSimulator(network: network, recording: .none)
        : try TimeSteppedSimulator(network: network, dt: dt, recording: .none)
}

/// Labels each neuron with the class of its highest mean response; -1 if it never responded.
func assignLabels(responses: [[Int]], labels: [Int], neurons: Int) -> [Int] {
    var sum = [[Double]](repeating: [Double](repeating: 0, count: 10), count: neurons)
    var perClass = [Double](repeating: 0, count: 10)
    for (r, y) in zip(responses, labels) {
        perClass[y] += 1
        for j in 0..<neurons { sum[j][y] += Double(r[j]) }
    }
    return (0..<neurons).map { j in
        var best = -1, bestRate = 0.0
        for c in 0..<10 where perClass[c] > 0 {
            let rate = sum[j][c] / perClass[c]
            if rate > bestRate { (best, bestRate) = (c, rate) }
        }
        return best
    }
}

/// Diehl & Cook's classification: the class whose assigned neurons have the highest mean count.
func classify(_ response: [Int], assignments: [Int]) -> Int {
    var sum = [Double](repeating: 0, count: 10), n = [Double](repeating: 0, count: 10)
    for (j, c) in assignments.enumerated() where c >= 0 {
        sum[c] += Double(response[j])
        n[c] += 1
    }
    var best = 0, bestScore = -1.0
    for c in 0..<10 where n[c] > 0 {
        let score = sum[c] / n[c]
        if score > bestScore { (best, bestScore) = (c, score) }
    }
    return best
}

runExample("mnist-stdp") {
    var cli = CommandOptions(program: "mnist-stdp", summary: "Diehl & Cook (2015) unsupervised STDP learning of MNIST")
    cli.option("data", value: "PATH", default: "../shared/datasets/mnist", help: "directory with the four raw MNIST IDX files")
    cli.option("neurons", value: "N", default: "100", help: "excitatory (and inhibitory) neurons: 100, 400, 1600, …")
    cli.option("train-samples", value: "N", default: "60000", help: "training images presented per epoch (first N)")
    cli.option("epochs", value: "N", default: "1", help: "passes over the training images")
    cli.option("assign-samples", value: "N", default: "10000", help: "training images (the last N) whose frozen-network responses assign the labels")
    cli.option("test-samples", value: "N", default: "10000", help: "test images classified (first N)")
    cli.option("rule", value: "eq4|code", default: "eq4", help: "learning rule: the paper's eq. 4, or their published code's (potentiation gated by a 40 ms second post trace)")
    cli.option("x-tar", value: "X", default: "0", help: "x_tar of the rule (target presynaptic trace at a post spike; their code: 0, the paper's text: 0.4)")
    cli.option("synapses", value: "current|conductance", default: "current", help: "synapse model: current-based (adaptive LIF-exp, both engines) or conductance-based as in their code (ConductanceLIF, time-stepped engine only)")
    cli.option("inhibition", value: "W", help: "lateral inhibition weight inhibitory → other excitatory neurons: mV of R·I ≤ 0 for current synapses (default \(DC.inhToExc) = g 17 × 160, see DC), conductance ≥ 0 for conductance synapses (default their \(DC.conductanceInhToExc))")
    cli.option("theta-plus", value: "MV", help: "θ_plus: mV added to an excitatory neuron's threshold per spike (their code's theta_plus_e; saved with the model) (default \(DC.thetaPlus))")
    cli.option("input-total", value: "W", help: "sum of each excitatory neuron's input weights after normalisation (default their 78; × 60 = \(DC.normalisation) mV for current synapses)")
    cli.option("engine", value: "event|stepped", default: "event", help: "simulation engine")
    cli.option("dt", value: "MS", default: "0.5", help: "time step of the stepped engine (ms; Diehl & Cook used 0.5)")
    cli.option("seed", value: "S", default: "1", help: "seed of the initial weights and every Poisson train")
    cli.option("progress", value: "N", default: "1000", help: "presentations between progress lines (running accuracy over the last N)")
    cli.option("save", value: "PATH", help: "write the learned weights and thresholds (and the settings they were trained with) as JSON")
    cli.option("load", value: "PATH", help: "skip training: evaluate a model written by --save (labels from --assign-samples, then the test images); --synapses, --input-delays, --seed, --inhibition and --theta-plus come from the file (for files of format v1, from the command line)")
    cli.option("resume", value: "PATH", help: "continue training a model written by --save for --epochs more epochs (settings from the file, as with --load); the neurons restart from rest with the saved weights and thresholds, since membrane and trace states are not saved")
    cli.option("first-epoch", value: "N", help: "with --resume: number of the first epoch trained, which selects its Poisson trains (default: the file's epochs_trained + 1; needed for files of format v1 and v2)")
    cli.option("svg", value: "PATH", help: "write the learned receptive fields (input weights per neuron) as SVG")
    cli.option("curve-svg", value: "PATH", help: "write the training curve (running accuracy per --progress window, final test accuracy) as SVG")
    cli.option("input-delays", value: "constant|random", default: "constant", help: "input→excitatory delays: one constant 1 ms (one delay group per input), or their code's random 0–10 ms per synapse on Brian's 0.5 ms grid (uniform over 0.5, 1, …, 10 ms: 20 delay groups per input)")
    cli.flag("eval-continuous", help: "show the labelling and test images to the frozen network in one continuous run per core with 150 ms rest between images, as in training and their code's test mode (default: each image from a reset state)")
    cli.flag("quick", help: "seconds-long CI run: 20 neurons, 200 training, 100 assignment and 100 test images")
    try cli.parseProcessArguments()

    let quick = cli.isSet("quick")
    let evalFromRest = !cli.isSet("eval-continuous")
    let pixels = 28 * 28
    // A saved model fixes the network: settings the command line also gives must agree with it.
    let loaded = try cli.string("load").map { try SavedModel.load(path: $0, inputs: pixels) }
    let resumed = try cli.string("resume").map { try SavedModel.load(path: $0, inputs: pixels) }
    if loaded != nil && resumed != nil { throw VolleyError.usage("options '--load' and '--resume' exclude each other: --load evaluates a model, --resume trains it further") }
    /// The model whose network settings this run takes, if any.
    let saved = loaded ?? resumed
    func agree(_ name: String, _ fileValue: String?, _ flagValue: () throws -> String?) throws {
        guard let fileValue, cli.isSet(name), let flag = try flagValue(), flag != fileValue else { return }
        throw VolleyError.usage("option '--\(name)': \(flag) contradicts the model file's \(fileValue)")
    }
    if loaded != nil {
        for name in ["train-samples", "epochs", "rule", "x-tar", "input-total", "progress", "curve-svg"] where cli.isSet(name) {
            throw VolleyError.usage("option '--\(name)' configures training, which '--load' skips")
        }
    }
    if let saved {
        try agree("neurons", String(saved.neurons)) { cli.string("neurons") }
        try agree("synapses", saved.synapses) { cli.string("synapses") }
        try agree("input-delays", saved.inputDelays) { cli.string("input-delays") }
        try agree("seed", saved.seed.map { String($0) }) { try cli.uint64("seed").map { String($0) } }
        try agree("inhibition", saved.inhibition.map { "\($0)" }) { try cli.double("inhibition").map { "\($0)" } }
        try agree("theta-plus", saved.thetaPlus.map { "\($0)" }) { try cli.double("theta-plus").map { "\($0)" } }
    }
    let firstEpoch: Int
    if let n = try cli.int("first-epoch") {
        guard resumed != nil else { throw VolleyError.usage("option '--first-epoch' numbers the epochs of a resumed training; it needs '--resume'") }
        guard n >= 1 else { throw VolleyError.usage("option '--first-epoch': \(n) must be ≥ 1") }
        firstEpoch = n
    } else if let resumed {
        guard let done = resumed.epochsTrained else {
            throw VolleyError.usage("option '--resume': \(cli.string("resume")!) does not record how many epochs it was trained (format v1/v2); give '--first-epoch'")
        }
        firstEpoch = done + 1
    } else {
        firstEpoch = 1
    }
    let randomDelays = (try saved?.inputDelays ?? cli.choice("input-delays", ["constant", "random"])!) == "random"
    func quickInt(_ name: String, _ value: Int) throws -> Int { quick && !cli.isSet(name) ? value : try cli.int(name)! }
    let neurons = try saved?.neurons ?? quickInt("neurons", 20)
    let trainSamples = try quickInt("train-samples", 200)
    let epochs = try cli.int("epochs")!
    let assignSamples = try quickInt("assign-samples", 100)
    let testSamples = try quickInt("test-samples", 100)
    let progressEvery = try quickInt("progress", 100)
    let ruleName = try cli.choice("rule", ["eq4", "code"])!
    let xTar = try cli.double("x-tar")!
    let engine = try cli.choice("engine", ["event", "stepped"])!
    let dt = try cli.double("dt")!
    let thetaPlus = try saved?.thetaPlus ?? cli.double("theta-plus") ?? DC.thetaPlus
    guard thetaPlus.isFinite && thetaPlus > 0 else {
        throw VolleyError.usage("option '--theta-plus': \(thetaPlus) must be a finite number of mV > 0")
    }
    let variant = Variant(conductance: (try saved?.synapses ?? cli.choice("synapses", ["current", "conductance"])!) == "conductance", thetaPlus: thetaPlus)
    if variant.conductance && engine == "event" {
        throw VolleyError.usage("option '--synapses conductance' needs '--engine stepped': conductance-based neurons have no exact event-driven solution")
    }
    let inhibition = try saved?.inhibition ?? cli.double("inhibition") ?? variant.defaultInhibition
    let inputTotal = try cli.double("input-total") ?? variant.defaultInputTotal
    guard inhibition.isFinite && (variant.conductance ? inhibition >= 0 : inhibition <= 0) else {
        throw VolleyError.usage("option '--inhibition': \(inhibition) must be \(variant.conductance ? "≥ 0 (a conductance)" : "≤ 0 mV (an inhibitory current)")")
    }
    guard inputTotal > 0 && inputTotal.isFinite else { throw VolleyError.usage("option '--input-total': \(inputTotal) must be > 0") }
    let seed = try saved?.seed ?? cli.uint64("seed")!
    guard neurons >= 2 else { throw VolleyError.usage("option '--neurons': \(neurons) must be ≥ 2") }
    guard epochs >= 1 else { throw VolleyError.usage("option '--epochs': \(epochs) must be ≥ 1") }
    guard progressEvery >= 1 else { throw VolleyError.usage("option '--progress': \(progressEvery) must be ≥ 1") }
    guard xTar >= 0 && xTar <= 1 else { throw VolleyError.usage("option '--x-tar': \(xTar) must be in [0, 1]") }
    guard dt > 0 && dt <= DC.lateralDelay else { throw VolleyError.usage("option '--dt': \(dt) must be in (0, \(DC.lateralDelay)] ms") }

    let dataPath = cli.string("data")!
    let mnist = try MNIST.load(directory: dataPath)
    for (name, n, available) in [("train-samples", trainSamples, mnist.trainImages.count), ("assign-samples", assignSamples, mnist.trainImages.count), ("test-samples", testSamples, mnist.testImages.count)] {
        guard n >= 1 && n <= available else { throw VolleyError.usage("option '--\(name)': \(n) is outside 1…\(available)") }
    }
    for images in [mnist.trainImages, mnist.testImages] where images.pixelsPerImage != pixels {
        throw VolleyError.malformedData(source: dataPath, reason: "images have \(images.rows) × \(images.columns) pixels, expected 28 × 28")
    }
    let trainImages = loaded == nil ? (0..<trainSamples).map { mnist.trainImages.image($0) } : []
    let assignStart = mnist.trainImages.count - assignSamples
    let trainingPlan = resumed == nil
        ? "\(trainSamples) training images × \(epochs) epoch(s)"
        : "\(trainSamples) training images × \(epochs) more epoch(s) (epochs \(firstEpoch)…\(firstEpoch + epochs - 1)) from \(cli.string("resume")!)"
    print("MNIST from \(dataPath): \(loaded == nil ? trainingPlan : "no training (model loaded from \(cli.string("load")!))"), labels assigned from training images \(assignStart)…\(mnist.trainImages.count - 1), \(testSamples) test images")

    // Network.
    var net = Network()
    let input = try net.addSpikeSource("input", size: pixels)
    let exc = try variant.addExcitatory(&net, neurons, frozen: false)
    let inh = try variant.addInhibitory(&net, neurons, frozen: false)
    var delayRng = Xoshiro256(seed: seed, stream: 9)
    let inputDelays: DelaySpec = randomDelays
        ? .values((0..<(pixels * neurons)).map { _ in Double(1 + delayRng.index(below: DC.randomInputDelaySteps)) * DC.randomInputDelayStep })
        : .constant(DC.inputDelay)
    let plastic = try net.connect(input, to: exc, pattern: .allToAll(), weight: .uniform(0, 0.3 * variant.gain), delay: inputDelays, seed: seed)
    try net.setPlasticity(.diehlCook(DC.rule(xTar: xTar, triplet: ruleName == "code", gain: variant.gain)), for: plastic)
    try net.connect(exc, to: inh, pattern: .oneToOne, weight: .constant(variant.excToInh), delay: .constant(DC.lateralDelay))
    let lateral = (0..<neurons).flatMap { i in
        (0..<neurons).compactMap { j in i == j ? nil : Synapse(source: i, target: j, weight: inhibition, delay: DC.lateralDelay) }
    }
    try net.connect(inh, to: exc, synapses: lateral, receptor: 1)
    print("network: 784 inputs → \(neurons) excitatory adaptive LIF ⇄ \(neurons) inhibitory LIF (\(variant.conductance ? "conductance" : "current")-based), \(net.synapseCount) synapses; \(engine) engine\(engine == "stepped" ? " (dt = \(dt) ms)" : ""); rule \(ruleName), x_tar = \(xTar), input delays \(randomDelays ? "random 0.5–10 ms (0.5 ms grid)" : "1 ms"), seed \(seed)")

    /// The learned weights and thresholds (trained here, or loaded), and training's figures.
    struct Trained {
        var weights: [Double]
        var theta: [Double]
        var adaptation: [Double]?
        var presentations = 0, boosts = 0
        var seconds = 0.0, spikes = 0.0
        var synapticEvents: UInt64 = 0, plasticityUpdates: UInt64 = 0
        var excitatorySpikes = 0
        /// (images presented, running accuracy) per progress window.
        var curve: [(images: Double, accuracy: Double)] = []
    }
    let trained: Trained
    let trainStart = Date()
    if let loaded {
        trained = Trained(weights: loaded.weights, theta: loaded.theta, adaptation: loaded.adaptation)
        print("model: \(neurons) neurons loaded, θ mean \(Format.fixed(loaded.theta.reduce(0, +) / Double(neurons), 2)) mV, max \(Format.fixed(loaded.theta.max() ?? 0, 2)) mV")
    } else {
        // Training: one continuous simulation, weights and thresholds carried from image to image.
        let sim = try makeSimulator(net, engine: engine, dt: dt)
        try variant.prepareTraining(sim, exc, neurons)
        if let resumed {
            try variant.learnedStates(theta: resumed.theta, adaptation: resumed.adaptation, frozen: false).install(in: sim, exc)
            sim.reset()
            try sim.setWeights(resumed.weights, of: plastic)
            print("resuming: \(neurons) neurons from \(cli.string("resume")!), θ mean \(Format.fixed(resumed.theta.reduce(0, +) / Double(neurons), 2)) mV; first epoch \(firstEpoch)")
        }
        try sim.normalizeIncomingWeights(of: plastic, toTotal: inputTotal)
        var presentations = 0, inputSpikes = 0, boosts = 0
        var excSpikesTotal = 0
        var window: [(response: [Int], label: Int)] = []
        var assignments = [Int](repeating: -1, count: neurons)
        var windowCorrect = 0, windowScored = 0
        var curve: [(images: Double, accuracy: Double)] = []
        var previous = sim.spikeCounts(of: exc)
        // Images presented before this run (earlier epochs of a resumed model), for the curve.
        let imagesBefore = (firstEpoch - 1) * trainSamples
        for epoch in firstEpoch..<(firstEpoch + epochs) {
            for k in 0..<trainSamples {
                var intensity = 1.0
                var response: [Int] = []
                for attempt in 0...DC.maxBoosts {
                    var rng = Xoshiro256(seed: seed, stream: 1, UInt64(epoch), UInt64(k), UInt64(attempt))
                    let (trains, n) = poissonTrains(trainImages[k], intensity: intensity, start: sim.time, rng: &rng)
                    inputSpikes += n
                    try sim.setSpikeTrains(trains, for: input)
                    try sim.run(until: sim.time + DC.presentation)
                    let counts = sim.spikeCounts(of: exc)
                    response = zip(counts, previous).map { $0 - $1 }
                    previous = counts
                    try sim.run(until: sim.time + DC.rest)
                    let after = sim.spikeCounts(of: exc)
                    for j in 0..<neurons { response[j] += after[j] - previous[j] }
                    previous = after
                    try sim.normalizeIncomingWeights(of: plastic, toTotal: inputTotal)
                    presentations += 1
                    if response.reduce(0, +) >= DC.minimumSpikes || attempt == DC.maxBoosts { break }
                    intensity += DC.boost
                    boosts += 1
                }
                excSpikesTotal += response.reduce(0, +)
                let label = mnist.trainLabels[k]
                if assignments.contains(where: { $0 >= 0 }) {
                    windowScored += 1
                    if classify(response, assignments: assignments) == label { windowCorrect += 1 }
                }
                window.append((response, label))
                let done = (epoch - firstEpoch) * trainSamples + k + 1
                if window.count == progressEvery {
                    let elapsed = Date().timeIntervalSince(trainStart)
                    let running = windowScored > 0 ? Double(windowCorrect) / Double(windowScored) : .nan
                    if windowScored > 0 { curve.append((Double(imagesBefore + done), running)) }
                    print("epoch \(epoch), image \(done)/\(epochs * trainSamples): running accuracy \(windowScored > 0 ? Format.fixed(running * 100, 1) + "%" : "n/a") (last \(progressEvery), labels from the \(progressEvery) before), \(Format.fixed(Double(done) / elapsed, 1)) images/s, \(Format.fixed(Double(excSpikesTotal) / Double(done), 1)) exc spikes/image, \(boosts) boosts")
                    assignments = assignLabels(responses: window.map(\.response), labels: window.map(\.label), neurons: neurons)
                    window.removeAll(keepingCapacity: true)
                    windowCorrect = 0
                    windowScored = 0
                }
            }
        }
        let trainSeconds = Date().timeIntervalSince(trainStart)
        let counters = sim.counters
        let (theta, adaptation) = try variant.thresholds(sim, exc, neurons)
        let trainSpikes = Double(counters.spikes)  // sources included
        trained = Trained(
            weights: try sim.weights(of: plastic), theta: theta, adaptation: adaptation,
            presentations: presentations, boosts: boosts, seconds: trainSeconds, spikes: trainSpikes,
            synapticEvents: counters.synapticEvents, plasticityUpdates: sim.plasticityUpdates, excitatorySpikes: excSpikesTotal,
            curve: curve)
        print("training: \(presentations) presentations (\(boosts) boosted repeats) in \(Format.fixed(trainSeconds, 1)) s = \(Format.fixed(Double(presentations) / trainSeconds, 1)) presentations/s; \(Format.fixed(trainSpikes / Double(presentations), 0)) spikes and \(Format.fixed(Double(counters.synapticEvents) / Double(presentations), 0)) synaptic events per presentation; θ mean \(Format.fixed(theta.reduce(0, +) / Double(neurons), 2)) mV, max \(Format.fixed(theta.max() ?? 0, 2)) mV")
    }

    // Frozen network: learned weights, thresholds fixed at their learned values.
    var frozen = Network()
    let fInput = try frozen.addSpikeSource("input", size: pixels)
    let fExc = try variant.addExcitatory(&frozen, neurons, frozen: true)
    let fInh = try variant.addInhibitory(&frozen, neurons, frozen: true)
    let structure = net.projection(plastic).structure
    let delays = structure.delays
    let learnedSynapses = (0..<structure.sourceCount).flatMap { i in
        structure.synapses(ofSource: i).map { s in
            Synapse(source: i, target: structure.target(ofSynapse: s), weight: trained.weights[s], delay: delays[s])
        }
    }
    let longestInputDelay = delays.max() ?? DC.inputDelay
    try frozen.connect(fInput, to: fExc, synapses: learnedSynapses)
    try frozen.connect(fExc, to: fInh, pattern: .oneToOne, weight: .constant(variant.excToInh), delay: .constant(DC.lateralDelay))
    try frozen.connect(fInh, to: fExc, synapses: lateral, receptor: 1)
    let learnedStates = variant.learnedStates(theta: trained.theta, adaptation: trained.adaptation, frozen: true)

    /// Responses of the frozen network to images, boosted like training: by default each image from
    /// a reset state; with `--eval-continuous` one continuous run per worker with 150 ms of rest
    /// between images (as during training). Two workers (a fixed partition: image k goes to worker
    /// k mod 2), so results do not depend on the thread count.
    /// Returns the responses, spikes and synaptic events (all presentations), and how many images
    /// needed a boosted repeat.
    func responses(_ images: IDXImages, _ indices: [Int], stream: UInt64) throws -> ([[Int]], Int, UInt64, Int) {
        let workers = min(2, indices.count)
        let frozen = frozen, learnedStates = learnedStates, engine = engine, dt = dt, evalFromRest = evalFromRest
        let longestInputDelay = longestInputDelay
        let results = parallelMap(workers) { w in Result { () throws -> ([[Int]], Int, UInt64, Int) in
            let mine = stride(from: w, to: indices.count, by: workers).map { indices[$0] }
            let s = try makeSimulator(frozen, engine: engine, dt: dt)
            try learnedStates.install(in: s, fExc)
            s.reset()  // the learned thresholds take effect at a reset
            var out: [[Int]] = [], spikes = 0, boosted = 0
            var events: UInt64 = 0
            for i in mine {
                let image = images.image(i)
                var intensity = 1.0
                for attempt in 0...DC.maxBoosts {
                    if evalFromRest { s.reset() }
                    let start = s.time, before = s.spikeCounts(of: fExc)
                    let (spikesBefore, eventsBefore) = (Int(s.counters.spikes), s.counters.synapticEvents)
                    var rng = Xoshiro256(seed: seed, stream: stream, UInt64(i), UInt64(attempt))
                    let (trains, _) = poissonTrains(image, intensity: intensity, start: start, rng: &rng)
                    try s.setSpikeTrains(trains, for: fInput)
                    try s.run(until: start + DC.presentation + longestInputDelay + DC.lateralDelay)
                    if !evalFromRest { try s.run(until: start + DC.presentation + DC.rest) }
                    spikes += Int(s.counters.spikes) - spikesBefore  // sources included
                    events += s.counters.synapticEvents - eventsBefore
                    let r = zip(s.spikeCounts(of: fExc), before).map { $0 - $1 }
                    if r.reduce(0, +) >= DC.minimumSpikes || attempt == DC.maxBoosts {
                        out.append(r)
                        if attempt > 0 { boosted += 1 }
                        break
                    }
                    intensity += DC.boost
                }
            }
            return (out, spikes, events, boosted)
        } }
        // Re-interleave the strided chunks into the original order.
        var ordered = [[Int]](repeating: [], count: indices.count)
        var spikes = 0, boosted = 0
        var events: UInt64 = 0
        for w in 0..<workers {
            let (out, s, e, b) = try results[w].get()
            for (k, r) in out.enumerated() { ordered[w + k * workers] = r }
            spikes += s
            events += e
            boosted += b
        }
        return (ordered, spikes, events, boosted)
    }

    let evalStart = Date()
    let assignIndices = Array(assignStart..<mnist.trainImages.count)
    let (assignResponses, _, _, assignBoosted) = try responses(mnist.trainImages, assignIndices, stream: 2)
    let finalAssignments = assignLabels(responses: assignResponses, labels: assignIndices.map { mnist.trainLabels[$0] }, neurons: neurons)
    let assignAccuracy = Double(zip(assignResponses, assignIndices).filter { classify($0, assignments: finalAssignments) == mnist.trainLabels[$1] }.count) / Double(assignIndices.count)
    let testIndices = Array(0..<testSamples)
    let (testResponses, testSpikes, testEvents, testBoosted) = try responses(mnist.testImages, testIndices, stream: 3)
    let correct = zip(testResponses, testIndices).filter { classify($0, assignments: finalAssignments) == mnist.testLabels[$1] }.count
    let testAccuracy = Double(correct) / Double(testSamples)
    let evalSeconds = Date().timeIntervalSince(evalStart)
    let perClass = (0..<10).map { c in finalAssignments.filter { $0 == c }.count }
    print("labels from \(assignSamples) training images (neurons per class \(perClass), \(finalAssignments.filter { $0 < 0 }.count) silent; \(assignBoosted) needed a boost); accuracy on them \(Format.fixed(assignAccuracy * 100, 2))%")
    print("test accuracy \(Format.fixed(testAccuracy * 100, 2))% (\(correct)/\(testSamples)); \(Format.fixed(Double(testSpikes) / Double(testSamples), 0)) spikes and \(Format.fixed(Double(testEvents) / Double(testSamples), 0)) synaptic events per test image, \(testBoosted) test images boosted; evaluation \(Format.fixed(evalSeconds, 1)) s on both cores")

    if let path = cli.string("svg") {
        var grid = ImageGrid(tileRows: 28, tileColumns: 28, gridColumns: Int(Double(neurons).squareRoot().rounded(.up)))
        var incoming = [[Double]](repeating: [Double](repeating: 0, count: pixels), count: neurons)
        for i in 0..<structure.sourceCount {
            for s in structure.synapses(ofSource: i) { incoming[structure.target(ofSynapse: s)][i] = trained.weights[s] }
        }
        for j in 0..<neurons { try grid.append(incoming[j], range: 0...(incoming[j].max() ?? 1)) }
        let origin = loaded == nil ? "\(trained.presentations) presentations" : "loaded model"
        try writeTextFile(grid.svg(title: "Diehl & Cook receptive fields: \(neurons) neurons, \(origin), test accuracy \(Format.fixed(testAccuracy * 100, 2))%"), to: path)
        print("receptive fields written to \(path)")
    }
    let trainedHere = loaded == nil
    if let path = cli.string("curve-svg") {
        let before = Double((firstEpoch - 1) * trainSamples)
        let images = before + Double(epochs * trainSamples)
        let low = Swift.min(testAccuracy, trained.curve.map(\.accuracy).min() ?? testAccuracy)
        var plot = SVGPlot(
            title: "Diehl & Cook, \(neurons) neurons: running accuracy per \(progressEvery)-image window (blue), test accuracy \(Format.fixed(testAccuracy * 100, 2))% (red)",
            xLabel: "training images presented", yLabel: "accuracy", xRange: before...images, yRange: Swift.max(0, low - 0.05)...1)
        plot.line(trained.curve.map(\.images), trained.curve.map(\.accuracy), color: SVGPlot.palette[0], label: "running (plastic)")
        plot.points(trained.curve.map(\.images), trained.curve.map(\.accuracy), color: SVGPlot.palette[0], radius: 2.5)
        plot.line([before, images], [testAccuracy, testAccuracy], color: SVGPlot.palette[1], label: "test (frozen)", dashed: true)
        try writeTextFile(plot.rendered, to: path)
        print("training curve written to \(path)")
    }
    if let path = cli.string("save") {
        let model = SavedModel(
            neurons: neurons, theta: trained.theta, adaptation: trained.adaptation, weights: trained.weights,
            synapses: variant.conductance ? "conductance" : "current", inputDelays: randomDelays ? "random" : "constant",
            seed: seed, inhibition: inhibition, epochsTrained: trainedHere ? firstEpoch - 1 + epochs : loaded?.epochsTrained,
            thetaPlus: thetaPlus)
        try writeTextFile(model.json(weightUnit: variant.weightUnit, assignments: finalAssignments).rendered + "\n", to: path)
        print("model written to \(path)")
    }
    // Training figures are null for a loaded model.
    func perPresentation(_ x: Double) -> JSONValue { trainedHere ? .number(x / Double(trained.presentations)) : .null }
    print(JSONValue.object([
        ("example", "mnist-stdp"), ("neurons", .int(neurons)), ("engine", .string(engine)),
        ("dt_ms", engine == "stepped" ? .number(dt) : .null), ("seed", .unsigned(seed)),
        ("loaded_model", cli.string("load").map { .string($0) } ?? .null), ("epochs", .int(trainedHere ? epochs : 0)),
        ("resumed_model", cli.string("resume").map { .string($0) } ?? .null), ("first_epoch", trainedHere ? .int(firstEpoch) : .null),
        ("train_samples", .int(trainedHere ? trainSamples : 0)), ("train_presentations", .int(trained.presentations)),
        ("boosted_repeats", .int(trained.boosts)), ("theta_plus_mv", .number(thetaPlus)),
        ("assign_samples", .int(assignSamples)), ("test_samples", .int(testSamples)),
        ("test_accuracy", .number(testAccuracy)), ("assign_accuracy", .number(assignAccuracy)),
        ("test_boosted_fraction", .number(Double(testBoosted) / Double(testSamples))),
        ("wall_seconds", .number(Date().timeIntervalSince(trainStart))), ("train_seconds", .number(trained.seconds)), ("eval_seconds", .number(evalSeconds)),
        ("presentations_per_second", trainedHere ? .number(Double(trained.presentations) / trained.seconds) : .null),
        ("spikes_per_presentation", perPresentation(trained.spikes)),
        ("excitatory_spikes_per_image", trainedHere ? .number(Double(trained.excitatorySpikes) / Double(epochs * trainSamples)) : .null),
        ("synaptic_events_per_presentation", perPresentation(Double(trained.synapticEvents))),
        ("plasticity_updates_per_presentation", perPresentation(Double(trained.plasticityUpdates))),
        ("rule", trainedHere ? .string(ruleName) : .null), ("synapses", .string(variant.conductance ? "conductance" : "current")),
        ("x_tar", trainedHere ? .number(xTar) : .null), ("eval_from_rest", .bool(evalFromRest)),
        ("input_delays", .string(randomDelays ? "random" : "constant")), ("inhibition_weight", .number(inhibition)),
        ("input_total", trainedHere ? .number(inputTotal) : .null),
    ]).rendered)
}
