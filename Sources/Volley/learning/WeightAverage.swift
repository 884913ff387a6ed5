/// Exponential moving average of a model's parameters (Polyak averaging: Polyak & Juditsky 1992;
/// the exponential form of TensorFlow's `ExponentialMovingAverage`): after every update
/// a ← d·a + (1 − d)·w, starting from the initial parameters. The averaged parameters smooth the
/// update-to-update noise of minibatch training; training itself is unchanged. Element by
/// element, so the result does not depend on the thread count.
public struct WeightAverage: Sendable, Equatable {
    /// The decay d per update, in (0, 1): the average spans about 1/(1 − d) updates.
    public let decay: Double
    /// The averaged parameters, one array per layer.
    public private(set) var parameters: [[Double]]

    public init(decay: Double, initial: [[Double]]) throws {
        try VolleyError.require("averageDecay", decay, "must be in (0, 1)") { $0 > 0 && $0 < 1 }
        self.decay = decay
        parameters = initial
    }

    /// The average a trainer keeps for `decay` in [0, 1): none for 0 (the trainers' default).
    static func kept(decay: Double, initial: [[Double]]) throws -> WeightAverage? {
        try VolleyError.require("averageDecay", decay, "must be in [0, 1) (0: no average)") { $0 >= 0 && $0 < 1 }
        return decay == 0 ? nil : try WeightAverage(decay: decay, initial: initial)
    }

    /// Folds in the parameters after an update (same shapes as the initial ones).
    public mutating func update(_ current: [[Double]]) {
        precondition(current.count == parameters.count, "WeightAverage: layer count changed")
        let d = decay, e = 1 - decay
        for l in parameters.indices {
            precondition(current[l].count == parameters[l].count, "WeightAverage: layer \(l) changed size")
            current[l].withUnsafeBufferPointer { w in
                parameters[l].withUnsafeMutableBufferPointer { a in
                    for k in 0..<a.count { a[k] = d * a[k] + e * w[k] }
                }
            }
        }
    }
}
