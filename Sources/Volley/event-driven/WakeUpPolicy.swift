/// The event-driven engine's rule for how much a prediction may cost.
///
/// Solving a neuron's next crossing exactly after every input is wasteful while it is far from
/// threshold: the next input usually moves the crossing first. A model therefore first computes
/// a cheap proven lower bound L on the crossing (`ExponentialSum.crossingLowerBound`, or its
/// own from the state), and the policy decides:
/// * L = ∞: the neuron never fires without input;
/// * L > `searchWithin`: a *wake-up* at L — the engine advances the neuron there and asks again;
/// * otherwise the exact first crossing, searched as far as `searchLimit`; beyond it, a wake-up
///   where the search stopped (a neuron hovering just below threshold would otherwise have a
///   distant crossing solved after every input).
/// A wake-up is only ever early, never late, so spike times stay exact whatever the policy.
/// Each model chooses its policy per `PredictionContext` (LIFExp+Prediction.swift).
@frozen
public struct WakeUpPolicy: Sendable, Equatable {
    /// The exact search runs only when the lower bound is within this many ms.
    public var searchWithin: Double
    /// A model's bound may take a cheaper, looser form (no logarithm) when that form already
    /// lies beyond this many ms (LIF-exp's `crossingLowerBound(of:threshold:plus:rate:linearBeyond:)`).
    public var linearBeyond: Double

    /// How far the exact search goes, in multiples of `searchWithin`.
    public static let searchLimitPerHorizon = 3.0

    @inlinable
    public init(searchWithin: Double, linearBeyond: Double = .infinity) {
        self.searchWithin = searchWithin
        self.linearBeyond = linearBeyond
    }

    /// The distance (ms) beyond which the exact search stops with a wake-up.
    @inlinable
    public var searchLimit: Double { WakeUpPolicy.searchLimitPerHorizon * searchWithin }

    /// The answer for a lower bound L on the crossing at s = 0 ↔ absolute time `start`: never
    /// (L = ∞), a wake-up at L (L > `searchWithin`), or nil: search exactly.
    @inlinable @inline(__always)
    public func wakeUp(lowerBound bound: Double, from start: Double) -> ThresholdCrossing? {
        if bound == .infinity { return .never }
        if bound > searchWithin { return .notBefore(start + bound) }
        return nil
    }

    /// A search's result as a prediction from absolute time `start`.
    @inlinable @inline(__always)
    public static func prediction(_ result: ExponentialSum.SearchResult, from start: Double) -> ThresholdCrossing {
        switch result {
        case .root(let s): return .at(start + s)
        case .never: return .never
        case .clearUntil(let s): return .notBefore(start + s)
        }
    }

    /// The whole policy on an exponential sum f(s) = V(s) − θ(s) from absolute time `start`.
    @inlinable
    public func prediction(of f: ExponentialSum, from start: Double) -> ThresholdCrossing {
        if let wakeUp = wakeUp(lowerBound: f.crossingLowerBound, from: start) { return wakeUp }
        return searchedPrediction(of: f, from: start)
    }

    /// The exact first crossing of f, searched as far as `searchLimit`, or a wake-up where the
    /// search stopped (for models that computed the lower bound themselves).
    @inlinable
    public func searchedPrediction(of f: ExponentialSum, from start: Double) -> ThresholdCrossing {
        WakeUpPolicy.prediction(f.firstUpCrossing(searchingUpTo: searchLimit), from: start)
    }
}
