/// The epoch bookkeeping of one population in epoch form (see `EpochPopulation`).
@usableFromInline
struct EpochClock<Form: SIMD> where Form.Scalar == Double {
    /// The epoch t₀ (ms).
    @usableFromInline var origin = 0.0
    /// The time whose factors `growth` = e^(r·x), `decay` = e^(−r·x) hold (NaN: none).
    @usableFromInline var factorTime = Double.nan
    @usableFromInline var growth = Form(repeating: 1)
    @usableFromInline var decay = Form(repeating: 1)
    /// The epoch moves forward once the fastest mode's factor would pass e^20.
    @usableFromInline let rebaseAfter: Double
    /// Synaptic events delivered to the population since the epoch began, and the mean input
    /// interval per neuron (ms) over the previous epoch (+∞ before the first rebase, or if it
    /// had no input): the hint `PredictionContext.afterInput` gives the model.
    @usableFromInline var windowInputs = 0
    @usableFromInline var inputInterval = Double.infinity

    @inlinable
    init(rebaseAfter: Double) {
        self.rebaseAfter = rebaseAfter
    }

    /// A new run from `time`: the epoch starts there, with no factors and no measured rate.
    @inlinable
    mutating func start(at time: Double) {
        origin = time
        factorTime = .nan
        windowInputs = 0
        inputInterval = .infinity
    }
}

/// Whether an event-driven delivery loop issues cache prefetch hints (a compile-time choice:
/// the loops are specialised for each, so the flag costs nothing at run time).
@usableFromInline protocol PrefetchPolicy { static var prefetches: Bool { get } }
@usableFromInline enum PrefetchAhead: PrefetchPolicy {
    @inlinable static var prefetches: Bool { true }
}
@usableFromInline enum NoPrefetch: PrefetchPolicy {
    @inlinable static var prefetches: Bool { false }
}

/// Whether an epoch-form population keeps quiet bounds, a compile-time choice like
/// `PrefetchPolicy`: populations without them pay nothing per input.
@usableFromInline protocol QuietBoundPolicy {
    associatedtype Model: EpochFormRepresentable
    static var enabled: Bool { get }
    static func peakResponse(_ model: Model, receptor: Int) -> Double
    static func marginBound(_ model: Model, of state: Model.State) -> Double
}

@usableFromInline enum WithQuietBounds<Model: QuietBounded>: QuietBoundPolicy {
    @inlinable static var enabled: Bool { true }
    @inlinable @inline(__always)
    static func peakResponse(_ model: Model, receptor: Int) -> Double { model.peakResponse(receptor: receptor) }
    @inlinable @inline(__always)
    static func marginBound(_ model: Model, of state: Model.State) -> Double { model.marginBound(of: state) }
}

@usableFromInline enum WithoutQuietBounds<Model: EpochFormRepresentable>: QuietBoundPolicy {
    @inlinable static var enabled: Bool { false }
    @inlinable static func peakResponse(_ model: Model, receptor: Int) -> Double { .infinity }
    @inlinable static func marginBound(_ model: Model, of state: Model.State) -> Double { .infinity }
}
