import Foundation

/// Leaky integrate-and-fire neuron with exponentially decaying synaptic currents
/// (NEST `iaf_psc_exp`, Brian2 CUBA; currents expressed as R·I in mV).
///
///     τm·dV/dt = −(V − vRest) + bias + I_exc + I_inh     (V clamped to vReset while refractory)
///     τ_exc·dI_exc/dt = −I_exc,   τ_inh·dI_inh/dt = −I_inh   (currents integrate also when refractory)
///     input of weight w (mV) on receptor 0 / 1:   I_exc ← I_exc + w  /  I_inh ← I_inh + w
///     V ≥ vThreshold  ⇒  spike;  V ← vReset for tRef ms
///
/// Exact propagator over h (Rotter & Diesmann 1999): with V∞ = vRest + bias, pₘ = e^(−h/τm),
/// pₖ = e^(−h/τₖ),
///     V ← V∞ + (V − V∞)·pₘ + Σₖ Iₖ·τₖ/(τₖ − τm)·(pₖ − pₘ),     Iₖ ← Iₖ·pₖ
/// (for τₖ = τm the coefficient is its limit (h/τm)·pₘ). Parameters with 0 < |τₖ − τm| < 1e-4·τm
/// are rejected: the propagator would lose precision to cancellation, as NEST warns.
///
/// Crossing time: V(s) − vThreshold is an `ExponentialSum` of e^(−s/τm), e^(−s/τexc), e^(−s/τinh)
/// (and s·e^(−s/τm) in the degenerate case); its first root is bracketed to ≤ 1e-12 ms. With
/// commensurate time constants (each an integer fraction, up to 1/16, of the slowest: CUBA's
/// 20/5/10 ms) it is a polynomial in u = e^(−s/τ_slowest) and the search runs on that
/// (`ModePolynomial`, no `exp` per step), with the same proofs and tolerance.
public struct LIFExp: NeuronModel {
    /// Membrane time constant τm (ms).
    public var tauM: Double { didSet { constants = Constants(tauM, tauSynExc, tauSynInh) } }
    /// Excitatory (receptor 0) synaptic current time constant (ms).
    public var tauSynExc: Double { didSet { constants = Constants(tauM, tauSynExc, tauSynInh) } }
    /// Inhibitory (receptor 1) synaptic current time constant (ms).
    public var tauSynInh: Double { didSet { constants = Constants(tauM, tauSynExc, tauSynInh) } }
    /// Resting potential E_L (mV).
    public var vRest: Double
    /// Reset potential (mV).
    public var vReset: Double
    /// Firing threshold (mV).
    public var vThreshold: Double
    /// Absolute refractory period (ms).
    public var tRef: Double
    /// Constant external drive R·I_ext (mV).
    public var bias: Double

    /// Wake-up policy: when the cheap lower bound on the next crossing is further than this (ms)
    /// the engine schedules a wake-up instead of solving exactly; more inputs usually arrive first.
    /// The exact search stops once it has proven no crossing within a few horizons
    /// (`ExponentialSum.searchLimitPerHorizon`).
    public static let wakeUpHorizon = 0.1
    /// At neuron events (wake-ups, spikes: no input caused them, so the next input is usually
    /// further away) the exact search runs when the bound is within this many ms, and as far as
    /// `ExponentialSum.searchLimitPerHorizon` times it. Chosen by instruction counts (callgrind,
    /// CUBA 4000 × 0.5 s / low drive 0.5 s / sparse 1 Hz 2 s, with the polynomial search):
    /// 0.1 ms 305.2 / 241.6 / 129.2 M, 0.3 ms 296.0 / 244.4 / 125.9 M, 1 ms 289.9 / 248.7 /
    /// 121.6 M, 2 ms 291.2 / 250.6 / 119.2 M, 4 ms 294.1 / 251.4 / 117.4 M.
    public static let eventSearchWithin = 2.0
    /// After an input, the wake-up bound stays linear (no logarithm) when that linear bound lies
    /// beyond this many mean input intervals of the population (`EpochClock.inputInterval`), or
    /// beyond `wakeUpHorizon`, whichever is later: the next input then usually arrives first
    /// (with Poisson input, the chance it does not is e^(−2) ≈ 14 %). Below it the logarithmic
    /// bound — the exact crossing time of a neuron drifting up with τm alone — saves the
    /// wake-ups a loose bound costs (each ≈ 1 000 instructions, the logarithm ≈ 40). A
    /// pacemaker receiving an input every 12.5 ms thus gets its crossing time as the bound; a
    /// CUBA neuron (an input every 2.2 ms) keeps the linear one beyond 4.4 ms. Chosen by wall
    /// time (event-driven, 10 s, medians of 5–7; sparse 1 Hz / low drive / CUBA 4000), against
    /// 0.0860 / 0.675 / 0.788 s with the linear shortcut beyond 0.1 ms only: 1 → 0.0785 /
    /// 0.690 / 0.782 s, 1.5 → 0.0746 / 0.692 / 0.781 s, 2 → 0.0748 / 0.695 / 0.776 s.
    public static let linearBoundInputIntervals = 2.0

    /// Quantities derived from the time constants, computed once (they would otherwise cost a
    /// division each in the event-driven engine's per-input path).
    @frozen @usableFromInline
    struct Constants: Sendable {
        /// cₖ = τₖ/(τₖ − τm): the weight of a current in V's particular solution.
        @usableFromInline let excToVoltage: Double
        @usableFromInline let inhToVoltage: Double
        /// 1/τm, 1/τ_exc, 1/τ_inh (1/ms).
        @usableFromInline let rateM: Double
        @usableFromInline let rateExc: Double
        @usableFromInline let rateInh: Double
        /// Peak PSP of a unit input on each receptor (`peakResponse`).
        @usableFromInline let excPeak: Double
        @usableFromInline let inhPeak: Double
        /// Commensurate time constants (every rate an integer multiple ≤ 16 of the slowest,
        /// `baseRate`, and τ_exc, τ_inh ≠ τm): the powers of u = e^(−baseRate·s) of the
        /// membrane and current modes, for the exact search as a `ModePolynomial`; 0 otherwise.
        /// (UInt8, and the base rate recomputed at use as the smallest rate: a model of at most
        /// 128 bytes is copied by moves, a larger one by `memcpy` in the event-driven engine.)
        @usableFromInline let powerM: UInt8
        @usableFromInline let powerExc: UInt8
        @usableFromInline let powerInh: UInt8
        @inlinable var baseRate: Double { Swift.min(rateM, rateExc, rateInh) }

        @inlinable
        init(_ tauM: Double, _ tauSynExc: Double, _ tauSynInh: Double) {
            excToVoltage = tauSynExc / (tauSynExc - tauM)
            inhToVoltage = tauSynInh / (tauSynInh - tauM)
            excPeak = LIFExp.peakResponse(tauSyn: tauSynExc, tauM: tauM)
            inhPeak = LIFExp.peakResponse(tauSyn: tauSynInh, tauM: tauM)
            rateM = 1 / tauM
            rateExc = 1 / tauSynExc
            rateInh = 1 / tauSynInh
            let slowest = Swift.max(tauM, tauSynExc, tauSynInh)
            func power(_ tau: Double) -> Int {
                let n = slowest / tau
                let rounded = n.rounded()
                return rounded >= 1 && rounded <= 16 && abs(n - rounded) <= 1e-12 * n ? Int(rounded) : 0
            }
            let powers = (power(tauM), power(tauSynExc), power(tauSynInh))
            let commensurate = powers.0 > 0 && powers.1 > 0 && powers.2 > 0 && tauSynExc != tauM
                && tauSynInh != tauM
            powerM = commensurate ? UInt8(powers.0) : 0
            powerExc = commensurate ? UInt8(powers.1) : 0
            powerInh = commensurate ? UInt8(powers.2) : 0
        }
    }
    @usableFromInline var constants: Constants

    public init(
        tauM: Double = 10, tauSynExc: Double = 2, tauSynInh: Double = 2, vRest: Double = -70,
        vReset: Double = -70, vThreshold: Double = -55, tRef: Double = 2, bias: Double = 0
    ) {
        constants = Constants(tauM, tauSynExc, tauSynInh)
        self.tauM = tauM
        self.tauSynExc = tauSynExc
        self.tauSynInh = tauSynInh
        self.vRest = vRest
        self.vReset = vReset
        self.vThreshold = vThreshold
        self.tRef = tRef
        self.bias = bias
    }

    @frozen
    public struct State: Sendable, Equatable {
        /// Membrane potential (mV).
        public var v: Double
        /// Excitatory synaptic current R·I_exc (mV).
        public var iExc: Double
        /// Inhibitory synaptic current R·I_inh (mV).
        public var iInh: Double
        /// Remaining refractory time (ms).
        public var refractory: Double

        @inlinable
        public init(v: Double, iExc: Double = 0, iInh: Double = 0, refractory: Double = 0) {
            self.v = v
            self.iExc = iExc
            self.iInh = iInh
            self.refractory = refractory
        }
    }

    @frozen
    public struct Propagator: Sendable {
        public var h: Double
        public var membrane: Double
        public var exc: Double
        public var inh: Double
        public var excToV: Double
        public var inhToV: Double

        @inlinable
        public init(h: Double, membrane: Double, exc: Double, inh: Double, excToV: Double, inhToV: Double) {
            self.h = h
            self.membrane = membrane
            self.exc = exc
            self.inh = inh
            self.excToV = excToV
            self.inhToV = inhToV
        }
    }

    public static let modelName = "lif_exp"
    /// Inputs add to a current (or to V): simultaneous inputs act through their sum.
    public static var sumsSimultaneousInputs: Bool { true }

    /// A negative jump lowers the potential at every later time (the PSP kernel is ≥ 0).
    @inlinable
    public func inputOnlyDelaysCrossing(weight: Double, receptor: Int) -> Bool {
        weight <= 0
    }
    public var receptorCount: Int { 2 }

    public func validate() throws {
        try VolleyError.require("tauM", tauM, "membrane time constant must be > 0 ms") { $0 > 0 }
        for (name, tau) in [("tauSynExc", tauSynExc), ("tauSynInh", tauSynInh)] {
            try VolleyError.require(name, tau, "synaptic time constant must be > 0 ms") { $0 > 0 }
            try VolleyError.require(
                name, tau,
                "within 1e-4·tauM of tauM (\(tauM) ms) but not equal: set it equal or move it away"
            ) { $0 == tauM || abs($0 - tauM) >= 1e-4 * tauM }
        }
        try VolleyError.require("tRef", tRef, "refractory period must be ≥ 0 ms") { $0 >= 0 }
        try VolleyError.require("vRest", vRest, "must be finite") { _ in true }
        try VolleyError.require("bias", bias, "must be finite") { _ in true }
        try VolleyError.require("vThreshold", vThreshold, "must be finite") { _ in true }
        try VolleyError.require("vReset", vReset, "must be below vThreshold (\(vThreshold) mV)") {
            $0 < vThreshold
        }
    }

    /// Coefficient of a synaptic current in V after h ms: τₛ/(τₛ − τm)·(pₛ − pₘ), or (h/τm)·pₘ.
    @inlinable @inline(__always)
    func currentToVoltage(h: Double, tauSyn: Double, pm: Double, ps: Double) -> Double {
        tauSyn == tauM ? (h / tauM) * pm : tauSyn / (tauSyn - tauM) * (ps - pm)
    }

    @inlinable
    public func initialState(potential: Double?) -> State { State(v: potential ?? vRest) }

    @inlinable
    public func potential(of state: State, at time: Double) -> Double { state.v }

    @inlinable
    public func propagator(over h: Double) -> Propagator {
        let pm = exp(-h / tauM)
        let pe = exp(-h / tauSynExc)
        let pi = exp(-h / tauSynInh)
        return Propagator(
            h: h, membrane: pm, exc: pe, inh: pi,
            excToV: currentToVoltage(h: h, tauSyn: tauSynExc, pm: pm, ps: pe),
            inhToV: currentToVoltage(h: h, tauSyn: tauSynInh, pm: pm, ps: pi))
    }

    @inlinable
    public func advance(_ state: inout State, by h: Double, using p: Propagator) {
        if state.refractory > 0 {
            if state.refractory >= h - Refractory.epsilon {
                state.iExc *= p.exc
                state.iInh *= p.inh
                state.v = vReset
                state.refractory = Refractory.remaining(state.refractory, after: h)
                return
            }
            // Refractoriness ends inside the interval: currents decay over the clamped part,
            // then V relaxes freely for the remainder.
            let r = state.refractory
            leaveRefractoryPeriod(&state)
            free(&state, propagator(over: h - r))
            return
        }
        free(&state, p)
    }

    /// The state at the end of its refractory period: V clamped at vReset, the currents decayed
    /// over the remaining refractory time (no membrane propagator needed).
    @inlinable @inline(__always)
    func leaveRefractoryPeriod(_ state: inout State) {
        let r = state.refractory
        state.iExc *= exp(-r / tauSynExc)
        state.iInh *= exp(-r / tauSynInh)
        state.v = vReset
        state.refractory = 0
    }

    @inlinable @inline(__always)
    func free(_ state: inout State, _ p: Propagator) {
        let vInf = vRest + bias
        state.v = LIFExp.freeVoltage(
            state.v, state.iExc, state.iInh, vInf: vInf, membrane: p.membrane, excToV: p.excToV,
            inhToV: p.inhToV)
        state.iExc = state.iExc * p.exc
        state.iInh = state.iInh * p.inh
    }

    /// V after free evolution: V∞ + (V − V∞)·pₘ + I_exc·c_exc + I_inh·c_inh, for one neuron or a
    /// lane group (the single definition of the membrane propagator, used by both).
    @inlinable @inline(__always)
    static func freeVoltage<T: LaneArithmetic>(
        _ v: T, _ iExc: T, _ iInh: T, vInf: T, membrane: T, excToV: T, inhToV: T
    ) -> T {
        vInf + (v - vInf) * membrane + iExc * excToV + iInh * inhToV
    }

    @inlinable
    public func receive(_ state: inout State, weight: Double, receptor: Int, at time: Double) {
        if receptor == Receptor.excitatory {
            state.iExc += weight
        } else {
            state.iInh += weight
        }
    }

    @inlinable
    public func isAboveThreshold(_ state: State, at time: Double) -> Bool {
        state.refractory <= 0 && state.v >= vThreshold
    }

    @inlinable
    public func fire(_ state: inout State, at time: Double) {
        state.v = vReset
        state.refractory = tRef
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

    @inlinable @inline(__always)
    public func nextCrossing(of state: State, at time: Double) -> ThresholdCrossing {
        nextCrossing(of: state, at: time, linearBeyond: LIFExp.wakeUpHorizon)
    }

    /// After an input: the bound's linear shortcut only beyond `linearBoundInputIntervals` mean
    /// input intervals (and `wakeUpHorizon`).
    @inlinable @inline(__always)
    public func nextCrossing(of state: State, at time: Double, inputInterval: Double) -> ThresholdCrossing {
        nextCrossing(
            of: state, at: time,
            linearBeyond: Swift.max(LIFExp.wakeUpHorizon, LIFExp.linearBoundInputIntervals * inputInterval))
    }

    /// At a neuron event the wake-up bound takes its logarithms (no linear shortcut): a neuron
    /// drifting towards threshold, V − θ = c + A·e^(−s/τm), then gets its crossing time itself as
    /// the bound instead of a linearised one that wakes it again and again (`lowerBound`); and
    /// the exact search runs when that bound is within `eventSearchWithin` (2 ms), not 0.1 ms.
    @inlinable @inline(__always)
    public func nextCrossingAtNeuronEvent(of state: State, at time: Double) -> ThresholdCrossing {
        nextCrossing(of: state, at: time, linearBeyond: .infinity, searchWithin: LIFExp.eventSearchWithin)
    }

    /// `nextCrossing` with the wake-up bound's linear shortcut beyond `linearBeyond` ms and the
    /// exact search for bounds within `searchWithin` ms (started at the bound, which proves
    /// V < θ before it).
    @inlinable @inline(__always)
    func nextCrossing(
        of state: State, at time: Double, linearBeyond: Double, searchWithin: Double = LIFExp.wakeUpHorizon
    ) -> ThresholdCrossing {
        var s = state
        var start = time
        if s.refractory > 0 {
            start = time + s.refractory
            leaveRefractoryPeriod(&s)
        }
        if s.v >= vThreshold { return .at(start) }
        if tauSynExc != tauM && tauSynInh != tauM {
            // The wake-up test of `ExponentialSum.prediction`, computed from the state without
            // building the sum (the common case of an input that leaves the neuron far from
            // threshold); `crossingLowerBound(of:)` equals the sum's bound (tested).
            let bound = crossingLowerBound(of: s, threshold: vThreshold, plus: 0, rate: 0, linearBeyond: linearBeyond)
            if bound == .infinity { return .never }
            if bound > searchWithin { return .notBefore(start + bound) }
            if constants.powerM > 0, let found = modePolynomial(of: s).firstUpCrossing(
                searchingUpTo: ExponentialSum.searchLimitPerHorizon * searchWithin, from: bound)
            {
                switch found {
                case .root(let r): return .at(start + r)
                case .never: return .never
                case .clearUntil(let x): return .notBefore(start + x)
                }
            }
            return distanceToThreshold(of: s, threshold: vThreshold)
                .searchedPrediction(from: start, wakeUpBeyond: searchWithin)
        }
        return distanceToThreshold(of: s, threshold: vThreshold)
            .prediction(from: start, wakeUpBeyond: LIFExp.wakeUpHorizon)
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

    // MARK: Quiet bounds (event-driven engine)

    /// With V∞ = vRest + bias below threshold a neuron without input settles below it.
    @inlinable
    public var canStayQuiet: Bool { vRest + bias < vThreshold - quietMargin && supportsEpochForm }

    /// Peak of the PSP of a unit input on receptor k: c·(e^(−s/τₖ) − e^(−s/τm)), c = τₖ/(τₖ − τm),
    /// is greatest at s* = ln(τm/τₖ)/(1/τₖ − 1/τm); for τₖ = τm, (s/τm)·e^(−s/τm) peaks at 1/e.
    /// Inflated by 1e-12 relative so that rounding cannot make it an underestimate.
    @inlinable
    public func peakResponse(receptor: Int) -> Double {
        receptor == Receptor.excitatory ? constants.excPeak : constants.inhPeak
    }

    @inlinable
    static func peakResponse(tauSyn tau: Double, tauM: Double) -> Double {
        if tau == tauM { return exp(-1) * (1 + 1e-12) }
        let peakTime = log(tauM / tau) / (1 / tau - 1 / tauM)
        let c = tau / (tau - tauM)
        return c * (exp(-peakTime / tau) - exp(-peakTime / tauM)) * (1 + 1e-12)
    }

    /// V(s) − θ = (V∞ − θ) + (V − V∞)·e^(−s/τm) + Σₖ Iₖ·PSPₖ(s), where PSPₖ is the response to
    /// a unit input on k (each current evolves as an input of weight Iₖ at s = 0 would), so it is
    /// at most (V∞ − θ) + max(V − V∞, 0) + Σₖ max(Iₖ, 0)·`peakResponse(k)`: a negative current
    /// only lowers V. +∞ while refractory (V is clamped, then restarts from vReset).
    @inlinable
    public func marginBound(of state: State) -> Double {
        guard state.refractory <= 0 else { return .infinity }
        let vInf = vRest + bias
        return (vInf - vThreshold) + Swift.max(state.v - vInf, 0)
            + Swift.max(state.iExc, 0) * constants.excPeak + Swift.max(state.iInh, 0) * constants.inhPeak
    }

    // MARK: Epoch form (event-driven engine)

    /// The epoch form exists when both synaptic time constants differ from τm (for τₖ = τm the
    /// propagator has an s·e^(−s/τm) term, not a pure mode; that case keeps per-neuron advances).
    /// Lanes, at t = t₀ + x and with cₖ = τₖ/(τₖ − τm):
    ///     0: A, 1: B_exc, 2: B_inh, 3: x_end (end of the refractory period, −∞ if none)
    ///     Iₖ(x) = Bₖ·e^(−x/τₖ),   V(x) = V∞ + A·e^(−x/τm) + Σₖ cₖ·Iₖ(x)   for x ≥ x_end,
    ///     V = vReset for x < x_end, with A chosen so that V(x_end) = vReset.
    /// An input w on k at x adds w·e^(x/τₖ) to Bₖ and, to leave V continuous, subtracts
    /// cₖ·w·e^(x/τm) from A — or, while refractory, cₖ·w·e^(x/τₖ)·e^((1/τm − 1/τₖ)·x_end), which
    /// keeps V(x_end) = vReset (one `exp`, only for inputs during refractoriness).
    public var supportsEpochForm: Bool { tauSynExc != tauM && tauSynInh != tauM }

    public var epochRates: EpochForm { EpochForm(1 / tauM, 1 / tauSynExc, 1 / tauSynInh, 0) }

    /// e^(x/τm), e^(x/τ_exc), e^(x/τ_inh), 1. With commensurate time constants one `exp`,
    /// w = e^(x/τ_slowest), and its integer powers w^nₖ (`ModePolynomial.power`): a few ulp from
    /// the three `exp`, and deterministic.
    @inlinable @inline(__always)
    public func epochGrowth(elapsed x: Double) -> EpochForm {
        guard constants.powerM > 0 else {
            return EpochForm(exp(x * constants.rateM), exp(x * constants.rateExc), exp(x * constants.rateInh), 1)
        }
        let w = exp(x * constants.baseRate)
        return EpochForm(
            ModePolynomial.power(w, Int(constants.powerM)), ModePolynomial.power(w, Int(constants.powerExc)),
            ModePolynomial.power(w, Int(constants.powerInh)), 1)
    }

    /// cₖ = τₖ/(τₖ − τm): the weight of a current in V's particular solution.
    @inlinable var excToVoltage: Double { constants.excToVoltage }
    @inlinable var inhToVoltage: Double { constants.inhToVoltage }

    @inlinable
    public func epochForm(of s: State, elapsed x: Double) -> EpochForm {
        let vInf = vRest + bias
        if constants.powerM > 0 {
            // Commensurate time constants: the factors from one `exp` per time (`epochGrowth`),
            // e^(−r/τₖ) over the remaining refractory time r as a ratio of two of them. (The
            // general path below keeps its own `exp`s, so its values stay bit for bit.)
            let g = epochGrowth(elapsed: x)
            let bExc = s.iExc * g[1]
            let bInh = s.iInh * g[2]
            if s.refractory > 0 {
                let end = x + s.refractory
                let atEndGrowth = epochGrowth(elapsed: end)
                let atEnd = vReset - vInf - excToVoltage * bExc / atEndGrowth[1]
                    - inhToVoltage * bInh / atEndGrowth[2]
                return EpochForm(atEnd * atEndGrowth[0], bExc, bInh, end)
            }
            let membrane = s.v - vInf - excToVoltage * s.iExc - inhToVoltage * s.iInh
            return EpochForm(membrane * g[0], bExc, bInh, -.infinity)
        }
        let bExc = s.iExc * exp(x / tauSynExc)
        let bInh = s.iInh * exp(x / tauSynInh)
        if s.refractory > 0 {
            let end = x + s.refractory
            let atEnd = vReset - vInf - excToVoltage * bExc * exp(-end / tauSynExc)
                - inhToVoltage * bInh * exp(-end / tauSynInh)
            return EpochForm(atEnd * exp(end / tauM), bExc, bInh, end)
        }
        let membrane = s.v - vInf - excToVoltage * s.iExc - inhToVoltage * s.iInh
        return EpochForm(membrane * exp(x / tauM), bExc, bInh, -.infinity)
    }

    @inlinable
    public func state(fromEpoch f: EpochForm, elapsed x: Double, decay d: EpochForm) -> State {
        let iExc = f[1] * d[1]
        let iInh = f[2] * d[2]
        let remaining = f[3] - x
        if remaining >= Refractory.epsilon {
            return State(v: vReset, iExc: iExc, iInh: iInh, refractory: remaining)
        }
        let v = (vRest + bias) + f[0] * d[0] + excToVoltage * iExc + inhToVoltage * iInh
        return State(v: v, iExc: iExc, iInh: iInh, refractory: 0)
    }

    @inlinable
    public func receive(
        _ f: inout EpochForm, weight w: Double, receptor: Int, elapsed x: Double, growth g: EpochForm
    ) {
        let excitatory = receptor == Receptor.excitatory
        let added = w * (excitatory ? g[1] : g[2])
        let c = excitatory ? excToVoltage : inhToVoltage
        let membrane: Double
        if x < f[3] {
            let rate = excitatory ? constants.rateExc : constants.rateInh
            membrane = c * added * exp((constants.rateM - rate) * f[3])
        } else {
            membrane = c * w * g[0]
        }
        // One vector addition with a 0/1 lane mask (adding 0 leaves a lane unchanged, × 1 is
        // exact): writing a lane chosen at run time went through memory and stalled the next
        // vector load of the form for ~30 % of the engine's delivery loop.
        let lane = excitatory ? EpochForm(0, 1, 0, 0) : EpochForm(0, 0, 1, 0)
        f += EpochForm(-membrane, 0, 0, 0) + added * lane
    }

    @inlinable
    public func rebase(_ f: inout EpochForm, shift: Double, decay d: EpochForm) {
        f = EpochForm(f[0] * d[0], f[1] * d[1], f[2] * d[2], f[3] - shift)
    }

    // MARK: Lane storage (time-stepped engine)

    /// Lanes: 0 = v, 1 = iExc, 2 = iInh, 3 = refractory.
    public static var laneCount: Int { 4 }

    @inlinable
    public func state(inLanes lanes: UnsafeMutablePointer<Double>, stride: Int, at i: Int) -> State {
        State(
            v: lanes[i], iExc: lanes[stride &+ i], iInh: lanes[2 &* stride &+ i],
            refractory: lanes[3 &* stride &+ i])
    }

    @inlinable
    public func store(
        _ state: State, inLanes lanes: UnsafeMutablePointer<Double>, stride: Int, at i: Int
    ) {
        lanes[i] = state.v
        lanes[stride &+ i] = state.iExc
        lanes[2 &* stride &+ i] = state.iInh
        lanes[3 &* stride &+ i] = state.refractory
    }

    /// Inputs add to the synaptic currents: receptor 0 → lane 1, receptor 1 → lane 2.
    @inlinable
    public func inputLane(receptor: Int) -> Int { receptor == Receptor.excitatory ? 1 : 2 }

    /// `stepLanes` for `LaneVector.scalarCount` neurons per operation, in four passes:
    ///  1. neurons on the refractory list whose period ends inside this step (off the grid, where
    ///     `advance` splits the step exactly) get their exact state from the state before it;
    ///  2. every group evolves freely — the propagator (`freeVoltage`, current decay), no
    ///     refractory test — and the threshold masks are OR-ed per block of 64 neurons;
    ///  3. the listed refractory neurons are corrected: V back to vReset and the countdown (their
    ///     currents decayed exactly as in `advance`'s clamped branch, the same product), or the
    ///     exact state of pass 1;
    ///  4. the blocks flagged in 2 (or holding a pass-1 neuron at threshold) are scanned, and every
    ///     neuron at threshold fires, in ascending order; it joins the refractory list.
    /// The population's tail (count mod 4) takes the per-neuron path. Bit-identical to `advance`,
    /// `isAboveThreshold`, `fire` neuron by neuron (tested). A refractory neuron holds
    /// V = vReset < vThreshold (validated), so at pass 4 `isAboveThreshold` is V ≥ vThreshold.
    @inlinable
    public func stepLanes(
        _ lanes: UnsafeMutablePointer<Double>, stride: Int, count: Int, advancingBy h: Double?,
        using p: Propagator, at time: Double, scratch: inout LaneScratch<State>,
        fired: inout ContiguousArray<UInt32>
    ) {
        typealias V = LaneVector
        let width = V.scalarCount
        guard let h else {
            // Threshold only (step 0): per neuron, and the list is rebuilt at the next step.
            scratch.invalidate()
            stepLanesPerNeuron(
                lanes, stride: stride, range: 0..<count, advancingBy: nil, using: p, at: time,
                fired: &fired)
            return
        }
        let blockWidth = 16 &* width
        let vectorCount = count / width &* width
        let groups = vectorCount / width
        let vLane = lanes, excLane = lanes + stride, inhLane = lanes + 2 &* stride
        let refLane = lanes + 3 &* stride
        let lastClamped = h - Refractory.epsilon
        if !scratch.isValid {
            scratch.refractory.removeAll(keepingCapacity: true)
            for i in 0..<vectorCount where refLane[i] > 0 {
                scratch.refractory.append(UInt32(truncatingIfNeeded: i))
            }
            scratch.isValid = true
        }

        // 1. Off-grid ends of refractoriness: exact states from the states before the step.
        scratch.exactStates.removeAll(keepingCapacity: true)
        for k in scratch.refractory {
            let i = Int(k)
            let r = refLane[i]
            if r > 0 && !(r >= lastClamped) {
                var s = state(inLanes: lanes, stride: stride, at: i)
                advance(&s, by: h, using: p)
                scratch.exactStates.append((i, s))
            }
        }

        // 2. Free evolution of every group; a mask-to-flag test costs more than a group's update,
        //    so the threshold masks are OR-ed over a block and tested once per block.
        let vInf = V(repeating: vRest + bias), membrane = V(repeating: p.membrane)
        let excToV = V(repeating: p.excToV), inhToV = V(repeating: p.inhToV)
        let excDecay = V(repeating: p.exc), inhDecay = V(repeating: p.inh)
        let threshold = V(repeating: vThreshold)
        scratch.candidateBlocks.removeAll(keepingCapacity: true)
        var blockStart = 0
        while blockStart < groups {
            let blockEnd = Swift.min(blockStart &+ 16, groups)
            var above = SIMDMask<V.MaskStorage>(repeating: false)
            for g in blockStart..<blockEnd {
                let i = g &* width
                let exc = excLane.loadLanes(i), inh = inhLane.loadLanes(i)
                let v = LIFExp.freeVoltage(
                    vLane.loadLanes(i), exc, inh, vInf: vInf, membrane: membrane, excToV: excToV,
                    inhToV: inhToV)
                excLane.storeLanes(exc * excDecay, i)
                inhLane.storeLanes(inh * inhDecay, i)
                vLane.storeLanes(v, i)
                above .|= v .>= threshold
            }
            if any(above) { scratch.candidateBlocks.append(blockStart / 16) }
            blockStart = blockEnd
        }

        // 3. The refractory neurons: clamped through the step (`advance`'s first branch), or the
        //    exact state of pass 1; the list keeps those still refractory.
        var kept = 0
        scratch.refractory.withUnsafeMutableBufferPointer { list in
            for j in 0..<list.count {
                let i = Int(list[j])
                let r = refLane[i]
                guard r >= lastClamped else { continue }
                vLane[i] = vReset
                let remaining = Refractory.remaining(r, after: h)
                refLane[i] = remaining
                if remaining > 0 {
                    list[kept] = list[j]
                    kept &+= 1
                }
            }
        }
        scratch.refractory.removeLast(scratch.refractory.count &- kept)
        if !scratch.exactStates.isEmpty {
            var added = false
            for (i, s) in scratch.exactStates {
                store(s, inLanes: lanes, stride: stride, at: i)
                if isAboveThreshold(s, at: time) {
                    scratch.candidateBlocks.append(i / blockWidth)
                    added = true
                }
            }
            // Ascending again; a block listed twice is scanned twice, and the second scan fires
            // nothing (the first left its neurons at vReset < vThreshold).
            if added { scratch.candidateBlocks.sort() }
        }

        // 4. Fire every neuron at threshold in the flagged blocks, in ascending order.
        for b in scratch.candidateBlocks {
            for i in (b &* blockWidth)..<Swift.min(b &* blockWidth &+ blockWidth, vectorCount)
            where vLane[i] >= vThreshold {
                fired.append(UInt32(truncatingIfNeeded: i))
                vLane[i] = vReset
                refLane[i] = tRef
                if tRef > 0 { scratch.refractory.append(UInt32(truncatingIfNeeded: i)) }
            }
        }
        stepLanesPerNeuron(
            lanes, stride: stride, range: vectorCount..<count, advancingBy: h, using: p, at: time,
            fired: &fired)
    }
}
