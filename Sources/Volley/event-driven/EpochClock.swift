/// The epoch bookkeeping of one population (or one thread's block of it) in epoch form (see
/// `EpochPopulation`).
///
/// The epoch t₀ lies on a fixed grid, t₀ = start + e·`rebaseAfter` for a whole number e of steps.
/// Before an event at t, while t − t₀ > `rebaseAfter`, every form is re-expressed relative to the
/// next grid point, one step at a time. So t₀ at an event is a function of the event's time
/// alone, and every neuron sees the same sequence of operations — its events and these steps, in
/// time order — whether its population is held whole or split into blocks across threads: spike
/// trains are bit-identical for any partition (docs/event-ordering.md, "Threads"). A step that
/// changes no form (every decaying part has reached its floating-point fixed point, usually 0)
/// ends the stepping: every later step would change nothing either, so t₀ moves to its grid
/// point at once.
@usableFromInline
struct EpochClock<Form: SIMD> where Form.Scalar == Double {
    /// The epoch t₀ (ms) = `start` + `steps` · `rebaseAfter`.
    @usableFromInline var origin = 0.0
    /// The run's start (ms) and the number of steps taken since (a whole number, held as a
    /// Double so that any time span is representable).
    @usableFromInline var start = 0.0
    @usableFromInline var steps = 0.0
    /// The time whose factors `growth` = e^(r·x), `decay` = e^(−r·x) hold (NaN: none).
    @usableFromInline var factorTime = Double.nan
    @usableFromInline var growth = Form(repeating: 1)
    @usableFromInline var decay = Form(repeating: 1)
    /// One step of the epoch (ms): the fastest mode's factor stays below e^20 within a step.
    @usableFromInline let rebaseAfter: Double
    /// e^(−r·rebaseAfter), the factors one step applies to every form.
    @usableFromInline let stepDecay: Form

    @inlinable
    init(rebaseAfter: Double, stepDecay: Form) {
        self.rebaseAfter = rebaseAfter
        self.stepDecay = stepDecay
    }

    /// A new run from `time`: the epoch starts there, with no factors.
    @inlinable
    mutating func start(at time: Double) {
        start = time
        steps = 0
        origin = time
        factorTime = .nan
    }

    /// Moves t₀ to grid point `steps` (no form is touched).
    @inlinable
    mutating func move(toStep n: Double) {
        steps = n
        origin = start + n * rebaseAfter
        factorTime = .nan
    }

    /// The first grid step from which an event at `time` lies at most `rebaseAfter` ahead (at
    /// least the current one).
    @inlinable
    func covering(_ time: Double) -> Double {
        var n = Swift.max(steps, ((time - start) / rebaseAfter).rounded(.down) - 2)
        guard n.isFinite else { return steps }
        while time - (start + n * rebaseAfter) > rebaseAfter && n + 1 > n { n += 1 }
        return n
    }
}

/// Whether two values have the same bytes (NaN included, unlike `==`).
@inlinable @inline(__always)
func sameBits<T>(_ a: T, _ b: T) -> Bool {
    withUnsafeBytes(of: a) { x in withUnsafeBytes(of: b) { y in x.elementsEqual(y) } }
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
