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
        let total = Double(trial.windows.reduce(0) { $0 + $1.steps.count })
        var loss = 0.0, correct = 0
        for w in trial.windows {
            var mean = [Double](repeating: 0, count: K)
            for step in w.steps {
                let y = Array(a.readout[(step * K)..<(step * K + K)])
                let top = y.max()!
                let e = y.map { exp($0 - top) }
                let sum = e.reduce(0, +)
                loss -= log(max(e[w.label] / sum, .leastNonzeroMagnitude)) / total
                for q in 0..<K {
                    g[step * K + q] = (e[q] / sum - (q == w.label ? 1 : 0)) / total
                    mean[q] += y[q]
                }
            }
            if STBPNetwork.decision(mean) == w.label { correct += 1 }
        }
        // fⱼ in spikes per ms (kHz), f₀ likewise.
        let duration = Double(a.steps) * net.parameters.dt, f0 = targetRate / 1000
        var counts = [Double](repeating: 0, count: n)
        for step in 0..<a.steps { for j in 0..<n { counts[j] += a.spikes[step * n + j] } }
        var rateLoss = 0.0
        var spikeGradient = [Double](repeating: 0, count: n)
        for j in 0..<n {
            let d = counts[j] / duration - f0
            rateLoss += rateCoefficient * d * d
            spikeGradient[j] = 2 * rateCoefficient * d / duration
        }
        return Evaluation(taskLoss: loss, rateLoss: rateLoss, readoutGradient: g, spikeGradient: spikeGradient, correct: correct)
    }
}
