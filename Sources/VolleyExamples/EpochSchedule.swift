import Foundation
import Volley

/// The epoch loop of the minibatch examples: each epoch a new Fisher–Yates shuffle of the
/// previous order (seeded), and its learning rate — step-decayed, η·decay^⌊(epoch − 1)/step⌋, or
/// cosine-annealed over E epochs (Loshchilov & Hutter 2017, SGDR without restarts),
/// η·½(1 + cos(π·(epoch − 1)/E)).
public struct EpochSchedule {
    /// How the learning rate changes from epoch to epoch.
    public enum Decay: Equatable, Sendable {
        /// × `factor` every `every` epochs.
        case step(factor: Double, every: Int)
        /// Half a cosine from η at epoch 1 towards 0 after `epochs` epochs.
        case cosine(epochs: Int)
    }

    public private(set) var order: [Int]
    var rng: Xoshiro256
    public let learningRate: Double
    public let schedule: Decay

    public init(samples: Int, seed: UInt64, learningRate: Double, schedule: Decay) {
        order = Array(0..<samples)
        rng = Xoshiro256(seed: seed, stream: 0x0DE)
        self.learningRate = learningRate
        self.schedule = schedule
    }

    public init(samples: Int, seed: UInt64, learningRate: Double, decay: Double, step: Int) {
        self.init(samples: samples, seed: seed, learningRate: learningRate, schedule: .step(factor: decay, every: step))
    }

    /// The learning rate of `epoch` (1-based).
    public func rate(epoch: Int) -> Double {
        switch schedule {
        case let .step(factor, every): return learningRate * pow(factor, Double((epoch - 1) / every))
        case let .cosine(epochs): return learningRate * 0.5 * (1 + cos(Double.pi * Double(epoch - 1) / Double(max(epochs, 1))))
        }
    }

    /// Shuffles for `epoch` (1-based) and returns its learning rate.
    public mutating func begin(epoch: Int) -> Double {
        for k in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(k, rng.index(below: k + 1)) }
        return rate(epoch: epoch)
    }
}
