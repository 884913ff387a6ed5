import Foundation

/// The adaptive LIF's next threshold crossing, for the event-driven engine: V(s) − θ(s) is
/// LIF-exp's exponential sum plus the term −beta·a·e^(−s/τ_adapt), searched by LIF-exp's
/// prediction (`LIFExp.predictCrossing`) with the adaptation as its extra mode and a 0.1 ms
/// search distance in every context. The mode polynomial does not apply: τ_adapt is in general
/// not commensurate with the membrane's time constants.
extension AdaptiveLIF: ExactlyPredictable {
    /// As the membrane's (the threshold does not depend on the input).
    @inlinable
    public func inputOnlyDelaysCrossing(weight: Double, receptor: Int) -> Bool {
        membrane.inputOnlyDelaysCrossing(weight: weight, receptor: receptor)
    }

    /// Always inlined: the state (five `Double`s) is passed in memory, and the engine has just
    /// written it field by field, so a call would reload it through a stalled store forward.
    @inlinable @inline(__always)
    public func nextCrossing(of state: State, at time: Double) -> ThresholdCrossing {
        var s = state
        var start = time
        if s.membrane.refractory > 0 {
            start = time + s.membrane.refractory
            advance(&s, by: s.membrane.refractory)
        }
        if s.membrane.v >= threshold(of: s) { return .at(start) }
        return membrane.predictCrossing(
            of: s.membrane, from: start, threshold: membrane.vThreshold, extra: -beta * s.adaptation,
            extraRate: 1 / tauAdapt,
            policy: WakeUpPolicy(searchWithin: LIFExp.wakeUpHorizon, linearBeyond: LIFExp.wakeUpHorizon),
            searchesModePolynomial: false)
    }
}
