import Foundation

/// LIF-exp's next threshold crossing, for the event-driven engine.
///
/// V(s) − θ of a non-refractory state is an `ExponentialSum` of the modes e^(−s/τm), e^(−s/τ_exc)
/// and e^(−s/τ_inh) (and s·e^(−s/τm) when a synaptic time constant equals τm); its first root is
/// bracketed to ≤ 1e-14 ms (4 ulps of s where wider). With commensurate time constants (each an
/// integer fraction, up to 1/16, of the slowest: CUBA's 20/5/10 ms) it is a polynomial in
/// u = e^(−s/τ_slowest), searched as a `ModePolynomial` with no `exp` per step. Before any search
/// a proven lower bound L on the crossing, computed from the state without building the sum, lets
/// the engine's `WakeUpPolicy` answer with a wake-up at L while the neuron is far from threshold.
extension LIFExp: ExactlyPredictable {
    /// The exact search runs only when the lower bound on the crossing is within this (ms); a
    /// farther crossing is usually moved by the next input before it is reached.
    public static let wakeUpHorizon = 0.1
    /// At neuron events (wake-ups, spikes), which no input caused, the next input is usually
    /// further away: the exact search runs when the bound is within this many ms.
    public static let eventSearchWithin = 2.0
    /// After an input, the wake-up bound stays linear (no logarithm) only when that linear bound
    /// lies beyond this many mean input intervals of the population (or beyond `wakeUpHorizon`,
    /// whichever is later): the next input then usually arrives first (with Poisson input, the
    /// chance it does not is e^(−2) ≈ 14 %). Closer than that, the logarithmic bound — the exact
    /// crossing time of a neuron drifting up with τm alone — saves the wake-ups a loose bound
    /// would cost.
    public static let linearBoundInputIntervals = 2.0

    /// How far each kind of prediction searches (see the three constants above).
    @inlinable @inline(__always)
    func wakeUpPolicy(_ context: PredictionContext) -> WakeUpPolicy {
        switch context {
        case .standard:
            return WakeUpPolicy(searchWithin: LIFExp.wakeUpHorizon, linearBeyond: LIFExp.wakeUpHorizon)
        case .afterInput(let inputInterval):
            return WakeUpPolicy(
                searchWithin: LIFExp.wakeUpHorizon,
                linearBeyond: Swift.max(LIFExp.wakeUpHorizon, LIFExp.linearBoundInputIntervals * inputInterval))
        case .neuronEvent:
            return WakeUpPolicy(searchWithin: LIFExp.eventSearchWithin, linearBeyond: .infinity)
        }
    }

    /// A negative jump lowers the potential at every later time (the PSP kernel is ≥ 0).
    @inlinable
    public func inputOnlyDelaysCrossing(weight: Double, receptor: Int) -> Bool {
        weight <= 0
    }

    @inlinable @inline(__always)
    public func nextCrossing(of state: State, at time: Double) -> ThresholdCrossing {
        nextCrossing(of: state, at: time, context: .standard)
    }

    @inlinable @inline(__always)
    public func nextCrossing(of state: State, at time: Double, context: PredictionContext) -> ThresholdCrossing {
        var s = state
        var start = time
        if s.refractory > 0 {
            start = time + s.refractory
            leaveRefractoryPeriod(&s)
        }
        if s.v >= vThreshold { return .at(start) }
        return predictCrossing(
            of: s, from: start, threshold: vThreshold, extra: 0, extraRate: 0, policy: wakeUpPolicy(context),
            searchesModePolynomial: true)
    }

    /// The crossing of a non-refractory state below threshold, from absolute time `start`, where
    /// V − θ may have one more mode `extra`·e^(−extraRate·s) (the adaptive LIF's threshold term
    /// −β·a·e^(−s/τ_adapt)); shared by LIF-exp and `AdaptiveLIF`. With both synaptic time
    /// constants ≠ τm the lower bound is computed from the state; a bound beyond the policy's
    /// search distance is a wake-up; otherwise the exact search runs from the bound (which
    /// proves V < θ before it), on the mode polynomial when `searchesModePolynomial` and the
    /// time constants are commensurate (LIF-exp's three modes only), else on the exponential sum.
    @inlinable @inline(__always)
    func predictCrossing(
        of s: State, from start: Double, threshold: Double, extra: Double, extraRate: Double,
        policy: WakeUpPolicy, searchesModePolynomial: Bool
    ) -> ThresholdCrossing {
        guard tauSynExc != tauM && tauSynInh != tauM else {
            var f = distanceToThreshold(of: s, threshold: threshold)
            f.add(a: extra, rate: extraRate)
            return WakeUpPolicy(searchWithin: LIFExp.wakeUpHorizon).prediction(of: f, from: start)
        }
        let bound = crossingLowerBound(
            of: s, threshold: threshold, plus: extra, rate: extraRate, linearBeyond: policy.linearBeyond)
        if let wakeUp = policy.wakeUp(lowerBound: bound, from: start) { return wakeUp }
        if searchesModePolynomial && constants.powerM > 0,
            let found = modePolynomial(of: s).firstUpCrossing(searchingUpTo: policy.searchLimit, from: bound)
        {
            return WakeUpPolicy.prediction(found, from: start)
        }
        var f = distanceToThreshold(of: s, threshold: threshold)
        f.add(a: extra, rate: extraRate)
        return policy.searchedPrediction(of: f, from: start)
    }

    /// V(s) − threshold for a non-refractory state, as an exponential sum in s (ms).
    @inlinable
    public func distanceToThreshold(of state: State, threshold: Double) -> ExponentialSum {
        let vInf = vRest + bias
        var f = ExponentialSum(constant: vInf - threshold)
        var membraneA = state.v - vInf
        var membraneB = 0.0
        addCurrent(
            state.iExc, tau: tauSynExc, coefficient: constants.excToVoltage, to: &f,
            membraneA: &membraneA, membraneB: &membraneB)
        addCurrent(
            state.iInh, tau: tauSynInh, coefficient: constants.inhToVoltage, to: &f,
            membraneA: &membraneA, membraneB: &membraneB)
        f.add(a: membraneA, b: membraneB, rate: 1 / tauM)
        return f
    }

    /// V(s) − θ of a non-refractory state as a polynomial in u = e^(−s/τ_slowest), for
    /// commensurate time constants (`Constants.powerM` > 0): the same three modes as
    /// `distanceToThreshold`.
    @inlinable @inline(__always)
    public func modePolynomial(of state: State) -> ModePolynomial {
        let (exc, inh, membrane) = modeAmplitudes(of: state)
        return ModePolynomial(
            constant: vRest + bias - vThreshold, baseRate: constants.baseRate, exc, power: Int(constants.powerExc),
            inh, power: Int(constants.powerInh), membrane, power: Int(constants.powerM))
    }

    /// Amplitudes of V's three decay modes for a non-refractory state (τ_exc, τ_inh ≠ τm):
    /// V(s) = V∞ + exc·e^(−s/τ_exc) + inh·e^(−s/τ_inh) + membrane·e^(−s/τm), with
    /// exc = c_exc·I_exc, inh = c_inh·I_inh and membrane = V − V∞ − exc − inh.
    @inlinable @inline(__always)
    func modeAmplitudes(of state: State) -> (exc: Double, inh: Double, membrane: Double) {
        let exc = state.iExc * constants.excToVoltage
        let inh = state.iInh * constants.inhToVoltage
        return (exc, inh, state.v - (vRest + bias) - exc - inh)
    }

    /// A current I decaying with τ contributes I·c·(e^(−s/τ) − e^(−s/τm)) to V(s) with
    /// c = `coefficient` = τ/(τ − τm), or (I/τm)·s·e^(−s/τm) when τ = τm.
    @inlinable @inline(__always)
    func addCurrent(
        _ current: Double, tau: Double, coefficient: Double, to f: inout ExponentialSum,
        membraneA: inout Double, membraneB: inout Double
    ) {
        guard current != 0 else { return }
        if tau == tauM {
            membraneB += current / tauM
        } else {
            let c = current * coefficient
            membraneA -= c
            f.add(a: c, rate: 1 / tau)
        }
    }

    /// A lower bound on the first crossing, no greater than
    /// `distanceToThreshold(of: state, threshold: vThreshold).crossingLowerBound` (equal to it when
    /// that is within the wake-up horizon), for a non-refractory state when both synaptic time
    /// constants differ from τm: the terms c = V∞ − θ, cₖ·e^(−s/τₖ) (cₖ = Iₖ·τₖ/(τₖ − τm)) and
    /// (V − V∞ − Σcₖ)·e^(−s/τm) go into `ExponentialSum.lowerBound` without building the sum.
    /// When its linearised bound already clears the wake-up horizon, that is returned (the neuron
    /// wakes a little early) and no logarithm is taken.
    @inlinable @inline(__always)
    public func crossingLowerBound(of state: State) -> Double {
        crossingLowerBound(of: state, threshold: vThreshold, plus: 0, rate: 0)
    }

    /// `crossingLowerBound(of:)` for threshold θ with one more term a·e^(−rate·s) in V − θ (an
    /// adaptive threshold's −β·a·e^(−s/τ_adapt)), in `ExponentialSum` order: currents, membrane,
    /// then the extra term.
    @inlinable @inline(__always)
    public func crossingLowerBound(
        of state: State, threshold: Double, plus extra: Double, rate extraRate: Double,
        linearBeyond: Double = LIFExp.wakeUpHorizon
    ) -> Double {
        let vInf = vRest + bias
        let (exc, inh, membrane) = modeAmplitudes(of: state)
        var decaying = 0.0
        var slowestDecaying = Double.infinity
        var negative = 0.0
        var weightedRate = 0.0
        @inline(__always) func add(_ a: Double, _ rate: Double) {
            if a < 0 {
                negative += a
                weightedRate += a * rate
            } else if a > 0 {
                decaying += a
                slowestDecaying = Swift.min(slowestDecaying, rate)
            }
        }
        add(exc, constants.rateExc)
        add(inh, constants.rateInh)
        add(membrane, constants.rateM)
        add(extra, extraRate)
        return ExponentialSum.lowerBound(
            fixed: vInf - threshold, decaying: decaying, slowestDecaying: slowestDecaying,
            negative: negative, weightedRate: weightedRate, linearBeyond: linearBeyond)
    }
}
