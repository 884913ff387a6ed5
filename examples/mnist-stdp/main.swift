// Unsupervised MNIST learning with STDP: Diehl & Cook (2015), "Unsupervised learning of digit
// recognition using spike-timing-dependent plasticity", Front. Comput. Neurosci. 9:99.
//
// 784 Poisson inputs → N excitatory adaptive-threshold LIF neurons (plastic, Diehl & Cook rule,
// weight normalisation) ⇄ N inhibitory neurons (one-to-one excitation, inhibition of all other
// excitatory neurons). Labels are assigned from training-set responses only, and test images are
// classified by the most active label group. Every parameter is in `DC` (DiehlCook.swift), with
// its source; docs/stdp-mnist.md has the table and the figures. Files: the parameters
// (DiehlCook.swift), the current/conductance variants (Variant.swift), the training protocol
// (Training.swift), the frozen evaluation network (Evaluation.swift), label assignment
// (Labels.swift), Poisson inputs (Presentation.swift), the saved model (SavedModel.swift), the
// figures (Figures.swift), and here the command line and the run.
//
//   swift run -c release mnist-stdp --data ../shared/datasets/mnist --neurons 100
//   swift run -c release mnist-stdp --neurons 400 --engine stepped --synapses conductance --svg fields.svg

import Foundation
import Volley
import VolleyExamples

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
    cli.option("synapses", value: "current|conductance", default: "current", help: "synapse model: current-based (adaptive LIF-exp, both engines) or conductance-based as in their code (ConductanceLIF: its second-order step scheme in the stepped engine, integrated to tolerance 1e-11 in the event-driven engine)")
    cli.option("inhibition", value: "W", help: "lateral inhibition weight inhibitory → other excitatory neurons: mV of R·I ≤ 0 for current synapses (default \(DC.inhToExc) = g 17 × 160, see DC), conductance ≥ 0 for conductance synapses (default their \(DC.conductanceInhToExc))")
    cli.option("theta-plus", value: "MV", help: "θ_plus: mV added to an excitatory neuron's threshold per spike (saved with the model) (default 0.025 for N ≤ 100, chosen on training images; their code's \(DC.thetaPlus) above)")
    cli.option("input-total", value: "W", help: "sum of each excitatory neuron's input weights after normalisation (default their 78; × 60 = \(DC.normalisation) mV for current synapses)")
    cli.option("engine", value: "event|stepped", default: "event", help: "simulation engine")
    cli.option("dt", value: "MS", default: "0.5", help: "time step of the stepped engine (ms; Diehl & Cook used 0.5)")
    cli.option("seed", value: "S", default: "1", help: "seed of the initial weights and every Poisson train")
    cli.option("progress", value: "N", default: "1000", help: "presentations between progress lines (running accuracy over the last N)")
    cli.option("save", value: "PATH", help: "write the learned weights and thresholds (and the settings they were trained with) as JSON")
    cli.option("write-network", value: "PATH", help: "write the frozen trained network (learned weights and thresholds) fed test image 0 as a network file for `volley run` (docs/network-files.md)")
    cli.option("load", value: "PATH", help: "skip training: evaluate a model written by --save (labels from --assign-samples, then the test images); --neurons, --synapses, --input-delays, --seed, --inhibition and --theta-plus come from the file")
    cli.option("resume", value: "PATH", help: "continue training a model written by --save for --epochs more epochs (settings from the file, as with --load); the neurons restart from rest with the saved weights and thresholds, since membrane and trace states are not saved")
    cli.option("first-epoch", value: "N", help: "with --resume: number of the first epoch trained, which selects its Poisson trains (default: the file's epochs_trained + 1)")
    cli.option("svg", value: "PATH", help: "write the learned receptive fields (input weights per neuron) as SVG")
    cli.option("curve-svg", value: "PATH", help: "write the training curve (running accuracy per --progress window, final test accuracy) as SVG")
    cli.option("input-delays", value: "constant|random", default: "random", help: "input→excitatory delays: their code's random 0–10 ms per synapse on Brian's 0.5 ms grid (uniform over 0.5, 1, …, 10 ms: 20 delay groups per input), or one constant 1 ms (one delay group per input)")
    cli.flag("eval-continuous", help: "show the labelling and test images to the frozen network in one continuous run per core with 150 ms rest between images, as in training and their code's test mode (default: each image from a reset state)")
    cli.threadsOption()
    cli.flag("quick", help: "seconds-long CI run: 20 neurons, 200 training, 100 assignment and 100 test images")
    try cli.parseProcessArguments()

    let quick = cli.isSet("quick")
    let evalFromRest = !cli.isSet("eval-continuous")
    let pixels = 28 * 28
    // Output paths first: a long run never ends in a file it cannot write.
    let svgPath = try cli.string("svg").map { try OutputPath.check($0, flag: "svg") }
    let curvePath = try cli.string("curve-svg").map { try OutputPath.check($0, flag: "curve-svg") }
    let savePath = try cli.string("save").map { try OutputPath.check($0, flag: "save") }
    let networkPath = try cli.string("write-network").map { try OutputPath.check($0, flag: "write-network") }
    // A saved model fixes the network: settings the command line also gives must agree with it.
    let loaded = try cli.string("load").map { path in try reading("load", path) { try SavedModel.load(path: path, inputs: pixels) } }
    let resumed = try cli.string("resume").map { path in try reading("resume", path) { try SavedModel.load(path: path, inputs: pixels) } }
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
        try agree("seed", String(saved.seed)) { String(try cli.uint64("seed")) }
        try agree("inhibition", "\(saved.inhibitionWeight)") { try cli.optionalDouble("inhibition").map { "\($0)" } }
        try agree("theta-plus", "\(saved.thetaPlusMv)") { try cli.optionalDouble("theta-plus").map { "\($0)" } }
    }
    let firstEpoch: Int
    if let n = try cli.optionalInt("first-epoch", .positive) {
        guard resumed != nil else { throw VolleyError.usage("option '--first-epoch' numbers the epochs of a resumed training; it needs '--resume'") }
        firstEpoch = n
    } else if let resumed {
        firstEpoch = resumed.epochsTrained + 1
    } else {
        firstEpoch = 1
    }
    let randomDelays = try (saved?.inputDelays ?? cli.choice("input-delays", ["constant", "random"])) == "random"
    func quickInt(_ name: String, _ value: Int, _ requirement: CommandOptions.Requirement<Int>) throws -> Int {
        quick && !cli.isSet(name) ? value : try cli.int(name, requirement)
    }
    let neurons = try saved?.neurons ?? quickInt("neurons", 20, .within(2...100_000))
    let trainSamples = try quickInt("train-samples", 200, .positive)
    let epochs = try cli.int("epochs", .within(1...1000))
    let assignSamples = try quickInt("assign-samples", 100, .positive)
    let testSamples = try quickInt("test-samples", 100, .positive)
    let progressEvery = try quickInt("progress", 100, .positive)
    let ruleName = try cli.choice("rule", ["eq4", "code"])
    let xTar = try cli.double("x-tar", .fraction)
    let engine = try cli.choice("engine", ["event", "stepped"])
    let dt = try cli.double("dt", .init("must be in (0, \(DC.lateralDelay)] ms") { $0 > 0 && $0 <= DC.lateralDelay })
    if engine == "event" && cli.isSet("dt") {
        throw VolleyError.usage("option '--dt' sets the step of the stepped engine; the event-driven engine has no time step (add --engine stepped, or drop --dt)")
    }
    let threads = try cli.requestedThreads()
    if let threads { Parallelism.threads = threads }
    let thetaPlus = try saved?.thetaPlusMv ?? cli.optionalDouble("theta-plus", .init("must be in (0, 100] mV") { $0 > 0 && $0 <= 100 }) ?? DC.defaultThetaPlus(neurons: neurons)
    let variant = Variant(
        conductance: try (saved?.synapses ?? cli.choice("synapses", ["current", "conductance"])) == "conductance",
        eventDriven: engine == "event", thetaPlus: thetaPlus)
    let inhibitionRequirement: CommandOptions.Requirement<Double> = variant.conductance
        ? .init("must be in [0, 10⁵] (a conductance)") { $0 >= 0 && $0 <= 1e5 } : .init("must be in [−10⁵, 0] mV (an inhibitory current)") { $0 <= 0 && $0 >= -1e5 }
    let inhibition = try saved?.inhibitionWeight ?? cli.optionalDouble("inhibition", inhibitionRequirement) ?? variant.defaultInhibition
    let inputTotal = try cli.optionalDouble("input-total", .init("must be in (0, 10⁶]") { $0 > 0 && $0 <= 1e6 }) ?? variant.defaultInputTotal
    let seed = try saved?.seed ?? cli.uint64("seed")

    let settings = Settings(
        neurons: neurons, trainSamples: trainSamples, epochs: epochs, firstEpoch: firstEpoch, assignSamples: assignSamples,
        testSamples: testSamples, progressEvery: progressEvery, ruleName: ruleName, xTar: xTar, engine: engine, dt: dt, threads: threads,
        variant: variant, inhibition: inhibition, inputTotal: inputTotal, seed: seed, randomDelays: randomDelays,
        evalFromRest: evalFromRest)

    let dataPath = try cli.requiredString("data")
    let mnist = try reading("data", dataPath) { try MNIST.load(directory: dataPath) }
    for (name, n, available) in [("train-samples", trainSamples, mnist.trainImages.count), ("assign-samples", assignSamples, mnist.trainImages.count), ("test-samples", testSamples, mnist.testImages.count)] {
        guard n <= available else { throw VolleyError.usage("option '--\(name)': \(n) is more than the \(available) images in \(dataPath)") }
    }
    let assignStart = mnist.trainImages.count - assignSamples
    let trainingPlan = resumed == nil
        ? "\(trainSamples) training images × \(epochs) epoch(s)"
        : "\(trainSamples) training images × \(epochs) more epoch(s) (epochs \(firstEpoch)…\(firstEpoch + epochs - 1)) from \(cli.string("resume")!)"
    print("MNIST from \(dataPath): \(loaded == nil ? trainingPlan : "no training (model loaded from \(cli.string("load")!))"), labels assigned from training images \(assignStart)…\(mnist.trainImages.count - 1), \(testSamples) test images")

    let training = try TrainingNetwork(settings, pixels: pixels)
    print("network: 784 inputs → \(neurons) excitatory adaptive LIF ⇄ \(neurons) inhibitory LIF (\(variant.conductance ? "conductance" : "current")-based), \(training.network.synapseCount) synapses; \(engine) engine\(engine == "stepped" ? " (dt = \(dt) ms)" : ""); rule \(ruleName), x_tar = \(xTar), input delays \(randomDelays ? "random 0.5–10 ms (0.5 ms grid)" : "1 ms"), seed \(seed)")

    let trained: Trained
    let trainStart = Date()
    if let loaded {
        trained = Trained(weights: loaded.weightsInputMajor, theta: loaded.thetaMv, adaptation: loaded.adaptation)
        print("model: \(neurons) neurons loaded, θ mean \(Format.fixed(loaded.thetaMv.reduce(0, +) / Double(neurons), 2)) mV, max \(Format.fixed(loaded.thetaMv.max() ?? 0, 2)) mV")
    } else {
        let images = (0..<trainSamples).map { mnist.trainImages.image($0) }
        trained = try train(
            training, settings, images: images, labels: Array(mnist.trainLabels.prefix(trainSamples)), resumed: resumed,
            resumedFrom: cli.string("resume"))
    }

    // Evaluation: labels from the last training images, then the test images, in the frozen network.
    let frozen = try FrozenNetwork(trained, training, settings, pixels: pixels)
    let evalStart = Date()
    let assignIndices = Array(assignStart..<mnist.trainImages.count)
    let assignRun = try frozen.responses(mnist.trainImages, assignIndices, stream: 2)
    let finalAssignments = assignLabels(responses: assignRun.responses, labels: assignIndices.map { mnist.trainLabels[$0] }, neurons: neurons)
    let assignAccuracy = Double(zip(assignRun.responses, assignIndices).filter { classify($0, assignments: finalAssignments) == mnist.trainLabels[$1] }.count) / Double(assignIndices.count)
    let testIndices = Array(0..<testSamples)
    let testRun = try frozen.responses(mnist.testImages, testIndices, stream: 3)
    let correct = zip(testRun.responses, testIndices).filter { classify($0, assignments: finalAssignments) == mnist.testLabels[$1] }.count
    let testAccuracy = Double(correct) / Double(testSamples)
    let evalSeconds = Date().timeIntervalSince(evalStart)
    let perClass = (0..<10).map { c in finalAssignments.filter { $0 == c }.count }
    print("labels from \(assignSamples) training images (neurons per class \(perClass), \(finalAssignments.filter { $0 < 0 }.count) silent; \(assignRun.boosted) needed a boost); accuracy on them \(Format.fixed(assignAccuracy * 100, 2))%")
    print("test accuracy \(Format.fixed(testAccuracy * 100, 2))% (\(correct)/\(testSamples)); \(Format.fixed(Double(testRun.spikes) / Double(testSamples), 0)) spikes and \(Format.fixed(Double(testRun.synapticEvents) / Double(testSamples), 0)) synaptic events per test image, \(testRun.boosted) test images boosted; evaluation \(Format.fixed(evalSeconds, 1)) s on \(min(2, Parallelism.threads)) thread\(Parallelism.threads == 1 ? "" : "s")")

    var writtenSpikes: JSONValue = .null
    if let path = networkPath {
        let spikes = try frozen.writeNetwork(
            to: path, image: mnist.testImages.image(0), index: 0,
            description: "Diehl & Cook network trained by mnist-stdp (seed \(seed)), frozen, fed test image 0 (label \(mnist.testLabels[0]))")
        writtenSpikes = .int(spikes)
        print("network file written to \(path) (test image 0: \(spikes) excitatory spikes)")
    }
    let evaluation = frozen.report(testRun, accuracy: testAccuracy, samples: testSamples)
    print(evaluation.summary)

    let trainedHere = loaded == nil
    if let path = svgPath {
        let origin = trainedHere ? "\(trained.presentations) presentations" : "loaded model"
        try writeTextFile(
            try receptiveFieldsSVG(
                trained, training, neurons: neurons, pixels: pixels,
                title: "Diehl & Cook receptive fields: \(neurons) neurons, \(origin), test accuracy \(Format.fixed(testAccuracy * 100, 2))%"),
            to: path)
        print("receptive fields written to \(path)")
    }
    if let path = curvePath {
        try writeTextFile(trainingCurveSVG(trained, settings, testAccuracy: testAccuracy), to: path)
        print("training curve written to \(path)")
    }
    if let path = savePath {
        let model = SavedModel(
            neurons: neurons, synapses: variant.conductance ? "conductance" : "current",
            inputDelays: randomDelays ? "random" : "constant", seed: seed, inhibitionWeight: inhibition,
            epochsTrained: trainedHere ? firstEpoch - 1 + epochs : loaded!.epochsTrained, thetaPlusMv: thetaPlus,
            weightUnit: variant.weightUnit, thetaMv: trained.theta, adaptation: trained.adaptation,
            assignments: finalAssignments, weightsInputMajor: trained.weights)
        try model.write(to: path)
        print("model written to \(path)")
    }
    // Training figures are null for a loaded model.
    func perPresentation(_ x: Double) -> JSONValue { trainedHere ? .number(x / Double(trained.presentations)) : .null }
    let fields: JSONValue = [
        "example": "mnist-stdp", "neurons": .int(neurons), "engine": .string(engine),
        "dt_ms": engine == "stepped" ? .number(dt) : .null, "seed": .unsigned(seed), "threads": .int(trained.threads),
        "loaded_model": cli.string("load").map { .string($0) } ?? .null, "epochs": .int(trainedHere ? epochs : 0),
        "resumed_model": cli.string("resume").map { .string($0) } ?? .null, "first_epoch": trainedHere ? .int(firstEpoch) : .null,
        "train_samples": .int(trainedHere ? trainSamples : 0), "train_presentations": .int(trained.presentations),
        "boosted_repeats": .int(trained.boosts), "theta_plus_mv": .number(thetaPlus),
        "assign_samples": .int(assignSamples), "test_samples": .int(testSamples),
        "test_accuracy": .number(testAccuracy), "assign_accuracy": .number(assignAccuracy),
        "test_boosted_fraction": .number(Double(testRun.boosted) / Double(testSamples)),
        "wall_seconds": .number(Date().timeIntervalSince(trainStart)), "train_seconds": .number(trained.seconds), "eval_seconds": .number(evalSeconds),
        "presentations_per_second": trainedHere ? .number(Double(trained.presentations) / trained.seconds) : .null,
        "spikes_per_presentation": perPresentation(trained.spikes),
        "excitatory_spikes_per_image": trainedHere ? .number(Double(trained.excitatorySpikes) / Double(epochs * trainSamples)) : .null,
        "synaptic_events_per_presentation": perPresentation(Double(trained.synapticEvents)),
        "plasticity_updates_per_presentation": perPresentation(Double(trained.plasticityUpdates)),
        "rule": trainedHere ? .string(ruleName) : .null, "synapses": .string(variant.conductance ? "conductance" : "current"),
        "x_tar": trainedHere ? .number(xTar) : .null, "eval_from_rest": .bool(evalFromRest),
        "input_delays": .string(randomDelays ? "random" : "constant"), "inhibition_weight": .number(inhibition),
        "input_total": trainedHere ? .number(inputTotal) : .null,
    ]
    printResultLine(fields.merging(try JSONValue(encoding: evaluation)).merging(networkPath == nil ? [:] : ["written_network_exc_spikes": writtenSpikes]))
}
