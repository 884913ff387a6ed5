import Foundation

/// One trial of a sequence task for a `RecurrentSNN`: input spikes on the grid and the windows in
/// which the readout must report a class.
public struct RecurrentTrial: Sendable {
    /// A stretch of steps with its target class: the loss is the cross-entropy of softmax(yₙ) at
    /// every step of it; the decision is the class of the highest mean readout over it.
    public struct Window: Sendable, Equatable {
        public var steps: Range<Int>
        public var label: Int

        public init(steps: Range<Int>, label: Int) {
            self.steps = steps
            self.label = label
        }
    }

    public var input: STBPInput
    public var windows: [Window]
    /// Steps the trial lasts.
    public var steps: Int

    public init(input: STBPInput, windows: [Window], steps: Int) {
        self.input = input
        self.windows = windows
        self.steps = steps
    }

    /// Steps in all windows.
    var windowSteps: Int { windows.reduce(0) { $0 + $1.steps.count } }

    /// For every step, the index of its window (windows in time order, not overlapping), or −1.
    var windowOfStep: [Int] {
        var out = [Int](repeating: -1, count: steps)
        for (w, window) in windows.enumerated() { for n in window.steps where n < steps { out[n] = w } }
        return out
    }
}

/// The loss of a `RecurrentSNN` trial: the mean over all window steps of the cross-entropy of
/// softmax(yₙ) against the window's class, plus the firing-rate regulariser of Bellec et al. 2020,
/// c_reg·Σⱼ (fⱼ − f₀)², fⱼ the trial's mean rate of neuron j.
public struct RecurrentLoss: Sendable, Equatable {
    /// c_reg (per kHz²).
    public var rateCoefficient: Double
    /// f₀ (Hz).
    public var targetRate: Double

    public init(rateCoefficient: Double = 1, targetRate: Double = 10) {
        self.rateCoefficient = rateCoefficient
        self.targetRate = targetRate
    }

    /// What a trial's forward pass scores: loss terms, per-step readout gradient ∂ℓ/∂yₙ, the
    /// regulariser's ∂E/∂zⱼ (the same at every step), window decisions.
    struct Evaluation {
        var taskLoss: Double
        var rateLoss: Double
        /// ∂ℓ/∂yₙ[k] at n·outputs + k (zero outside the windows).
        var readoutGradient: [Double]
        var spikeGradient: [Double]
        var correct: Int
    }

    func evaluate(_ a: RecurrentActivity, _ trial: RecurrentTrial, network net: RecurrentSNN) -> Evaluation {
        let K = net.outputs, n = net.size
        var g = [Double](repeating: 0, count: a.steps * K)
        let total = Double(trial.windowSteps)
        var loss = 0.0, correct = 0
        var stepGradient = [Double](repeating: 0, count: K)
        for w in trial.windows {
            var mean = [Double](repeating: 0, count: K)
            for step in w.steps {
                let y = Array(a.readout[(step * K)..<(step * K + K)])
                loss -= RecurrentLoss.crossEntropy(y, label: w.label, total: total, gradient: &stepGradient)
                for q in 0..<K {
                    g[step * K + q] = stepGradient[q]
                    mean[q] += y[q]
                }
            }
            if STBPNetwork.decision(mean) == w.label { correct += 1 }
        }
        var counts = [Double](repeating: 0, count: n)
        for step in 0..<a.steps { for j in 0..<n { counts[j] += a.spikes[step * n + j] } }
        let (rateLoss, spikeGradient) = rateTerms(counts: counts, duration: Double(a.steps) * net.parameters.dt)
        return Evaluation(taskLoss: loss, rateLoss: rateLoss, readoutGradient: g, spikeGradient: spikeGradient, correct: correct)
    }

    /// One window step's cross-entropy term: writes (softmax(y) − onehot)/`total` into `gradient`
    /// and returns log softmax(y)[label]/`total` (the loss is its negative).
    static func crossEntropy(_ y: [Double], label: Int, total: Double, gradient: inout [Double]) -> Double {
        let top = y.max()!
        let e = y.map { exp($0 - top) }
        let sum = e.reduce(0, +)
        for q in y.indices { gradient[q] = (e[q] / sum - (q == label ? 1 : 0)) / total }
        return log(max(e[label] / sum, .leastNonzeroMagnitude)) / total
    }

    /// The regulariser from the trial's spike counts over `duration` ms: c_reg·Σⱼ (fⱼ − f₀)² and
    /// its ∂/∂zⱼ,ₙ (the same at every step), fⱼ and f₀ in spikes per ms.
    func rateTerms(counts: [Double], duration: Double) -> (loss: Double, gradient: [Double]) {
        let f0 = targetRate / 1000
        var loss = 0.0
        var gradient = [Double](repeating: 0, count: counts.count)
        for j in counts.indices {
            let d = counts[j] / duration - f0
            loss += rateCoefficient * d * d
            gradient[j] = 2 * rateCoefficient * d / duration
        }
        return (loss, gradient)
    }
}
