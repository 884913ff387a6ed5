import Foundation

/// Minibatch training of a `RecurrentSNN` with Adam, by backpropagation through time or by
/// e-prop, data-parallel over four fixed chunks of each minibatch whose gradients are summed in
/// chunk order: the result does not depend on the number of threads.
public struct RecurrentTrainer: Sendable {
    public enum Learning: Sendable, Equatable {
        /// Backpropagation through time with the pseudo-derivative (the baseline).
        case bptt
        /// e-prop with symmetric or random feedback.
        case eprop(EPropFeedback)

        public var name: String {
            switch self {
            case .bptt: return "bptt"
            case .eprop(.symmetric): return "eprop-symmetric"
            case .eprop(.random): return "eprop-random"
            }
        }
    }

    /// What one pass over some trials measured.
    public struct Outcome: Sendable {
        /// Mean task loss and mean rate-regulariser loss per trial.
        public var loss: Double
        public var rateLoss: Double
        /// Windows decided right, and windows.
        public var correct: Int
        public var windows: Int
        /// Recurrent spikes, synaptic events and simulated steps, summed over the trials.
        public var spikes: Double
        public var synapticEvents: Double
        public var steps: Int

        /// Fraction of windows decided right.
        public var accuracy: Double { windows > 0 ? Double(correct) / Double(windows) : 0 }

        public mutating func add(_ o: Outcome) {
            loss += o.loss
            rateLoss += o.rateLoss
            correct += o.correct
            windows += o.windows
            spikes += o.spikes
            synapticEvents += o.synapticEvents
            steps += o.steps
        }

        public static let zero = Outcome(loss: 0, rateLoss: 0, correct: 0, windows: 0, spikes: 0, synapticEvents: 0, steps: 0)
    }

    public var network: RecurrentSNN
    public let learning: Learning
    public let pseudoDerivative: PseudoDerivative
    public let loss: RecurrentLoss
    /// Differentiate the reset in BPTT (Bellec et al. and e-prop do not).
    public let resetGradient: Bool
    var optimizer: Optimizer

    public init(
        network: RecurrentSNN, learning: Learning, learningRate: Double, pseudoDerivative: PseudoDerivative,
        loss: RecurrentLoss = RecurrentLoss(), resetGradient: Bool = false
    ) throws {
        guard learningRate.isFinite, learningRate > 0, learningRate <= 1 else {
            throw VolleyError.invalidParameter(name: "learningRate", value: "\(learningRate)", reason: "must be in (0, 1]")
        }
        try pseudoDerivative.surrogate.validate()
        guard pseudoDerivative.dampening.isFinite, pseudoDerivative.dampening > 0 else {
            throw VolleyError.invalidParameter(name: "dampening", value: "\(pseudoDerivative.dampening)", reason: "must be finite and > 0")
        }
        guard loss.rateCoefficient.isFinite, loss.rateCoefficient >= 0, loss.targetRate.isFinite, loss.targetRate >= 0 else {
            throw VolleyError.invalidParameter(
                name: "rate regulariser", value: "c_reg \(loss.rateCoefficient), f0 \(loss.targetRate) Hz", reason: "must be finite and ≥ 0")
        }
        if case let .eprop(.random(b)) = learning, b.count != network.size * network.outputs {
            throw VolleyError.invalidParameter(
                name: "feedback", value: "\(b.count) entries", reason: "random feedback needs one per recurrent neuron and output (\(network.size * network.outputs))")
        }
        self.network = network
        self.learning = learning
        self.pseudoDerivative = pseudoDerivative
        self.loss = loss
        self.resetGradient = resetGradient
        optimizer = Optimizer(
            .adam(learningRate: learningRate),
            shapes: [network.inputWeights.count, network.recurrentWeights.count, network.outputWeights.count])
    }

    public mutating func setLearningRate(_ rate: Double) { optimizer.setLearningRate(rate) }

    /// The loss gradient of one trial (summed into `g`) and what the trial measured. BPTT records
    /// the trial, then runs backwards through it; e-prop learns while it simulates.
    public func gradient(_ trial: RecurrentTrial, into g: inout RecurrentGradient) throws -> Outcome {
        let net = network
        try net.validate(trial.input)
        switch learning {
        case .bptt:
            let a = net.forward(trial.input, steps: trial.steps)
            let e = loss.evaluate(a, trial, network: net)
            net.backpropagate(
                a, input: trial.input, readoutGradient: e.readoutGradient, spikeGradient: e.spikeGradient,
                pseudoDerivative: pseudoDerivative, resetGradient: resetGradient, into: &g)
            return Outcome(
                loss: e.taskLoss, rateLoss: e.rateLoss, correct: e.correct, windows: trial.windows.count,
                spikes: a.spikeCount, synapticEvents: a.synapticEvents, steps: trial.steps)
        case let .eprop(feedback):
            return net.eprop(trial, loss: loss, pseudoDerivative: pseudoDerivative, feedback: feedback, into: &g)
        }
    }

    /// One Adam step on the mean gradient of the trials `indices` lists (`trial(index)` must
    /// depend on the index only). Throws `VolleyError.diverged` if a weight stops being finite.
    public mutating func step(indices: [Int], trial: @Sendable (Int) -> RecurrentTrial) throws -> Outcome {
        guard !indices.isEmpty else {
            throw VolleyError.invalidParameter(name: "batch", value: "0 trials", reason: "need at least one trial")
        }
        let trainer = self, chunks = 4
        let parts = try parallelMap(chunks) { c in
            Result { () throws -> (RecurrentGradient, Outcome) in
                var g = RecurrentGradient(trainer.network)
                var r = Outcome.zero
                var k = c
                while k < indices.count {
                    r.add(try trainer.gradient(trial(indices[k]), into: &g))
                    k += chunks
                }
                return (g, r)
            }
        }.map { try $0.get() }
        var g = parts[0].0, r = parts[0].1
        for p in parts.dropFirst() {
            g.add(p.0)
            r.add(p.1)
        }
        var arrays = g.arrays
        let scale = 1 / Double(indices.count)
        for l in arrays.indices { for k in arrays[l].indices { arrays[l][k] *= scale } }
        var weights = [network.inputWeights, network.recurrentWeights, network.outputWeights]
        optimizer.step(&weights, arrays)
        for (l, w) in weights.enumerated() {
            if let k = w.firstIndex(where: { !$0.isFinite }) {
                throw VolleyError.diverged(
                    "\(["input", "recurrent", "output"][l]) weight \(k) became \(w[k]) after an update; lower the learning rate")
            }
        }
        network.inputWeights = weights[0]
        network.recurrentWeights = weights[1]
        network.outputWeights = weights[2]
        return r
    }

    /// Runs the trials `indices` lists without learning.
    public func evaluate(indices: [Int], trial: @Sendable (Int) -> RecurrentTrial) throws -> Outcome {
        let net = network, loss = self.loss, chunks = 8
        let parts = try parallelMap(chunks) { c in
            Result { () throws -> Outcome in
                var r = Outcome.zero
                var k = c
                while k < indices.count {
                    let t = trial(indices[k])
                    try net.validate(t.input)
                    let a = net.forward(t.input, steps: t.steps)
                    let e = loss.evaluate(a, t, network: net)
                    r.add(Outcome(
                        loss: e.taskLoss, rateLoss: e.rateLoss, correct: e.correct, windows: t.windows.count,
                        spikes: a.spikeCount, synapticEvents: a.synapticEvents, steps: t.steps))
                    k += chunks
                }
                return r
            }
        }.map { try $0.get() }
        var r = Outcome.zero
        for p in parts { r.add(p) }
        return r
    }
}
