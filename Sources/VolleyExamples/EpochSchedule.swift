import Foundation
import Volley

/// The epoch loop of the minibatch examples: each epoch a new Fisher–Yates shuffle of the
/// previous order (seeded), and a step-decayed learning rate η·decay^⌊(epoch − 1)/step⌋.
public struct EpochSchedule {
    public private(set) var order: [Int]
    var rng: Xoshiro256
    public let learningRate: Double
    public let decay: Double
    public let step: Int

    public init(samples: Int, seed: UInt64, learningRate: Double, decay: Double, step: Int) {
        order = Array(0..<samples)
        rng = Xoshiro256(seed: seed, stream: 0x0DE)
        self.learningRate = learningRate
        self.decay = decay
        self.step = step
    }

    /// Shuffles for `epoch` (1-based) and returns its learning rate.
    public mutating func begin(epoch: Int) -> Double {
        for k in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(k, rng.index(below: k + 1)) }
        return learningRate * pow(decay, Double((epoch - 1) / step))
    }
}
