import Foundation

/// Configuration of a SpikeProp classification experiment (Bohte et al. 2002, section 4):
/// Gaussian receptive-field input coding plus a reference neuron at 0 ms, one hidden layer,
/// one output neuron per class trained to fire early for its class and late otherwise,
/// classification by the earliest output spike, stratified k-fold cross-validation.
public struct SpikePropClassifierSetup: Sendable {
    public var fieldsPerFeature = 12
    /// Coding interval (ms) of the receptive fields; responses < minimumResponse do not fire.
    public var codingInterval = 10.0
    public var minimumResponse = 0.1
    /// Map every feature through the empirical distribution function of its training values
    /// (quantile transform to [0, 1]) before the receptive fields, so that skewed features
    /// populate all fields evenly.
    public var quantileTransform = false
    /// Receptive-field ranges span the [clip, 1 − clip] quantiles of each training feature.
    public var rangeClip = 0.0
    /// Input spike times are rounded to multiples of this (ms); nil keeps them exact.
    public var inputResolution: Double? = 0.1
    public var hidden = 10
    public var delays = (1...16).map(Double.init)
    public var tau = 7.0
    public var threshold = 1.0
    /// Output targets (ms): the neuron of the sample's class should fire at `earlyTarget`, the
    /// others at `lateTarget` (or later, with `relaxLateTargets`).
    public var earlyTarget = 12.0
    public var lateTarget = 16.0
    public var relaxLateTargets = true
    public var epochs = 300
    public var optimizer = OptimizerKind.rprop(initialStep: 0.001, minStep: 1e-6, maxStep: 0.02)
    public var initialWeightHigh = 0.1
    public var folds = 10
    public var seed: UInt64 = 1
    /// Fraction of hidden neurons that are inhibitory (the rest excitatory).
    public var inhibitoryFraction = 0.0
    /// L2 weight decay (per sample).
    public var weightDecay = 0.0
    /// Training-time augmentation: every epoch, each input spike time is shifted by a fresh
    /// Gaussian sample with this standard deviation (ms) before rounding (0: off). Test inputs
    /// are never jittered.
    public var inputJitter = 0.0
    /// Cross-entropy loss on output times with this temperature (ms) instead of SpikeProp's
    /// squared error (nil).
    public var crossEntropyTemperature: Double? = nil

    public init() {}
}

/// Outcome of one cross-validation fold.
public struct SpikePropFoldResult: Sendable {
    public let fold: Int
    public let trainCorrect: Int
    public let trainCount: Int
    public let testCorrect: Int
    public let testCount: Int
    /// Mean training loss per epoch (½Σ(t − t̂)² per sample, ms²).
    public let losses: [Double]
    /// Test accuracy after each epoch.
    public let testAccuracies: [Double]
    /// Mean spikes (all layers, inputs included) and synaptic events per test sample.
    public let spikesPerSample: Double
    public let synapticEventsPerSample: Double
    /// Test samples whose output spike times differ between the layer-wise forward pass and the
    /// event-driven engine (expected: 0).
    public let engineMismatches: Int
    public let seconds: Double
    /// The evaluation report of the trained network on the fold's test samples (Deng et al.
    /// 2020): weights stored as Double (one per terminal), one SRM state per non-input neuron,
    /// 1 ms steps, the decision at the first output spike; the equivalent ANN has one weight per
    /// connection (not per terminal).
    public let evaluation: SNNEvaluation
}

public enum SpikePropClassifier {
    /// Encodes rows into input spike times: receptive fields then the reference neuron at 0 ms.
    static func encode(_ data: LabelledData, _ encoder: GaussianReceptiveFieldEncoder) throws -> [[Double]] {
        try data.rows.map { row in try encoder.times(for: row).map { $0 ?? .infinity } + [0] }
    }

    /// Number of samples whose earliest output spike is their class.
    public static func correct(_ network: SpikePropNetwork, _ inputs: [SpikePropArrivals], _ labels: [Int]) throws -> (Int, [SpikePropActivity]) {
        let activities = try parallelMap(inputs.count) { try network.forward(inputs[$0]) }
        let hits = zip(activities, labels).filter { SpikePropNetwork.earliest($0.0.outputs) == $0.1 }.count
        return (hits, activities)
    }

    /// Trains and tests one fold. `progress` receives one line per reported epoch.
    public static func runFold(
        _ fold: Int, train: LabelledData, test: LabelledData, classes: Int, setup: SpikePropClassifierSetup,
        verifyWithEngine: Bool, progress: @Sendable (String) -> Void
    ) throws -> SpikePropFoldResult {
        let start = Date()
        var train = train
        var test = test
        if setup.quantileTransform {
            let transform = QuantileTransform(fittedTo: train.rows)
            train.rows = train.rows.map(transform.apply)
            test.rows = test.rows.map(transform.apply)
        }
        let encoder = try GaussianReceptiveFieldEncoder(
            fieldsPerFeature: setup.fieldsPerFeature, fittedTo: train.rows, clipFraction: setup.rangeClip, tMax: setup.codingInterval,
            minimumResponse: setup.minimumResponse, resolution: setup.inputResolution)
        let trainInputs = try encode(train, encoder)
        let testInputs = try encode(test, encoder)
        let targets = train.labels.map { c in (0..<classes).map { $0 == c ? setup.earlyTarget : setup.lateTarget } }
        let inhibitory = Int((Double(setup.hidden) * setup.inhibitoryFraction).rounded())
        var network = try SpikePropNetwork(
            layerSizes: [encoder.neuronCount + 1, setup.hidden, classes], delays: setup.delays,
            neuron: SRM(tau: setup.tau, vThreshold: setup.threshold),
            signs: [[Double](repeating: 1, count: encoder.neuronCount + 1),
                    (0..<setup.hidden).map { $0 < setup.hidden - inhibitory ? 1 : -1 }])
        network.initialize(low: 0, high: setup.initialWeightHigh, seed: setup.seed &+ UInt64(fold) &* 7919)
        try network.calibrateFiring(on: trainInputs)
        let trainArrivals = try trainInputs.map { try network.inputArrivals($0) }
        let testArrivals = try testInputs.map { try network.inputArrivals($0) }
        var options = SpikePropOptions()
        options.relaxLateTargets = setup.relaxLateTargets
        options.lateTarget = setup.lateTarget
        options.silentTime = setup.lateTarget + 10
        options.hiddenReferenceTime = setup.lateTarget
        options.weightDecay = setup.weightDecay
        options.crossEntropyTemperature = setup.crossEntropyTemperature
        let fullBatch: Bool
        if case .rprop = setup.optimizer { fullBatch = true } else { fullBatch = false }
        var trainer = SpikePropTrainer(network: network, options: options, optimizer: setup.optimizer, fullBatch: fullBatch, seed: setup.seed &+ UInt64(fold))
        var losses: [Double] = []
        var testAccuracies: [Double] = []
        let report = Swift.max(1, setup.epochs / 10)
        var jitterRNG = Xoshiro256(seed: setup.seed, stream: 0x117, UInt64(fold))
        for epoch in 1...setup.epochs {
            if setup.inputJitter > 0 {
                let jittered = trainInputs.map { x in
                    x.map { t -> Double in
                        guard t.isFinite, t > 0 else { return t }
                        var u = Swift.max(0, t + setup.inputJitter * jitterRNG.normal())
                        if let r = setup.inputResolution { u = (u / r).rounded() * r }
                        return u
                    }
                }
                let arrivals = try jittered.map { try trainer.network.inputArrivals($0) }
                losses.append(try trainer.epoch(inputs: arrivals, targets: targets))
            } else {
                losses.append(try trainer.epoch(inputs: trainArrivals, targets: targets))
            }
            let testHits = try correct(trainer.network, testArrivals, test.labels).0
            testAccuracies.append(Double(testHits) / Double(test.count))
            if epoch % report == 0 || epoch == setup.epochs {
                let elapsed = Date().timeIntervalSince(start)
                progress("fold \(fold + 1) epoch \(epoch): loss \(Format.fixed(losses.last!, 3))\(setup.crossEntropyTemperature == nil ? " ms²" : ""), test accuracy \(Format.fixed(testAccuracies.last!, 4)), \(Format.fixed(Double(epoch * train.count) / elapsed, 0)) samples/s")
            }
        }
        let trained = trainer.network
        let (trainHits, _) = try correct(trained, trainArrivals, train.labels)
        let (testHits, activities) = try correct(trained, testArrivals, test.labels)
        var mismatches = 0
        if verifyWithEngine {
            // Run every test sample spike by spike in the event-driven engine.
            let (net, layers) = try trained.engineNetwork(inputTimes: [Double](repeating: .infinity, count: trained.layerSizes[0]))
            let sim = try EventDrivenSimulator(network: net)
            for (x, activity) in zip(testInputs, activities) {
                sim.reset()
                try sim.setSpikeTrains(x.map { $0.isFinite ? [$0] : [] }, for: layers[0])
                try sim.run(until: .infinity)
                var outputs = [Double](repeating: .infinity, count: classes)
                let (neurons, times) = try sim.spikes(of: layers[layers.count - 1])
                for (i, t) in zip(neurons, times) { outputs[Int(i)] = t }
                if outputs != activity.outputs { mismatches += 1 }
            }
        }
        let n = Double(activities.count)
        let synapses = trained.weights.reduce(0) { $0 + $1.count }
        let neurons = trained.layerSizes.dropFirst().reduce(0, +)
        let decisions = activities.compactMap { $0.outputs.min() }.filter(\.isFinite)
        let evaluation = SNNEvaluation(
            samples: activities.count, accuracy: Double(testHits) / n, decision: "first_spike", neurons: neurons,
            synapses: synapses, weightBytes: synapses * MemoryLayout<Double>.stride,
            membraneBytes: neurons * MemoryLayout<SRM.State>.stride,
            peakSpikesPerStep: activities.map { SNNEvaluation.peakSpikes(inBinsOf: 1, times: $0.times.dropFirst().joined()) }.max() ?? 0,
            stepMs: 1, synopsPerSample: Double(activities.reduce(0) { $0 + $1.synapticEvents }) / n,
            annMACsPerSample: Double(zip(trained.layerSizes, trained.layerSizes.dropFirst()).reduce(0) { $0 + $1.0 * $1.1 }),
            spikesPerNeuron: Double(activities.reduce(0) { $0 + $1.times.dropFirst().joined().filter(\.isFinite).count }) / n / Double(neurons),
            latencyMs: decisions.isEmpty ? .nan : decisions.reduce(0, +) / Double(decisions.count))
        return SpikePropFoldResult(
            fold: fold, trainCorrect: trainHits, trainCount: train.count, testCorrect: testHits,
            testCount: test.count, losses: losses, testAccuracies: testAccuracies,
            spikesPerSample: Double(activities.reduce(0) { $0 + $1.spikes }) / n,
            synapticEventsPerSample: Double(activities.reduce(0) { $0 + $1.synapticEvents }) / n,
            engineMismatches: mismatches, seconds: Date().timeIntervalSince(start), evaluation: evaluation)
    }
}
