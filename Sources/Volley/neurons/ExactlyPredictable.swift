/// The next time a neuron reaches threshold, as predicted from its current state with no further
/// input. `time` is absolute (ms); `.infinity` means never.
///
/// `isExact == true`: the neuron crosses threshold at `time` (closed form, or bracketed root to
/// ≤ 1e-9 ms) and the engine fires it there unless an input arrives first.
/// `isExact == false`: a *wake-up*, a proven lower bound on the crossing; the engine advances the
/// neuron to `time` and asks again. Models use wake-ups to avoid an expensive root search after
/// every input while the neuron is still far from threshold.
@frozen
public struct ThresholdCrossing: Equatable, Sendable {
    public var time: Double
    public var isExact: Bool

    @inlinable
    public init(time: Double, isExact: Bool) {
        self.time = time
        self.isExact = isExact
    }

    public static let never = ThresholdCrossing(time: .infinity, isExact: true)

    @inlinable public static func at(_ time: Double) -> ThresholdCrossing {
        ThresholdCrossing(time: time, isExact: true)
    }

    @inlinable public static func notBefore(_ time: Double) -> ThresholdCrossing {
        ThresholdCrossing(time: time, isExact: false)
    }
}

/// Why the event-driven engine asks for a prediction. A model may spend more or less on it
/// (how tight a wake-up bound, how far an exact search) depending on how soon the next input
/// is likely to make it stale; the answer must satisfy `ThresholdCrossing`'s contract either way.
@frozen
public enum PredictionContext: Equatable, Sendable {
    /// No hint: the first prediction of a run, or after an input to a population whose input
    /// rate is not measured.
    case standard
    /// Just after an input to a neuron of a population whose neurons receive, on average, one
    /// input per `inputInterval` ms (measured by the engine; +∞ while unknown).
    case afterInput(inputInterval: Double)
    /// At a neuron event (a wake-up or a spike), which no input caused: the next input is
    /// usually further away than after an input.
    case neuronEvent
}

/// A model whose next threshold crossing without input can be computed exactly (closed form,
/// or a root bracketed to ≤ 1e-9 ms), which the event-driven engine needs to place spikes.
/// Models without it run in the time-stepped engine only; the event-driven engine refuses them
/// with a typed error naming the population.
public protocol ExactlyPredictable: NeuronModel {
    /// The next threshold crossing after `time` with no further input (see `ThresholdCrossing`).
    func nextCrossing(of state: State, at time: Double) -> ThresholdCrossing

    /// `nextCrossing`, told why the engine asks (default: the context is ignored).
    func nextCrossing(of state: State, at time: Double, context: PredictionContext) -> ThresholdCrossing

    /// Whether an input of `weight` on `receptor` can only postpone the next threshold crossing
    /// (it lowers the potential at every later time, as a negative current or voltage jump does).
    /// The event-driven engine then keeps the neuron's queued prediction as a wake-up — still a
    /// valid lower bound — instead of predicting again. Default: false (always predict again).
    func inputOnlyDelaysCrossing(weight: Double, receptor: Int) -> Bool
}

extension ExactlyPredictable {
    @inlinable
    public func nextCrossing(of state: State, at time: Double, context: PredictionContext) -> ThresholdCrossing {
        nextCrossing(of: state, at: time)
    }

    @inlinable
    public func inputOnlyDelaysCrossing(weight: Double, receptor: Int) -> Bool { false }
}
