import Foundation
import Testing

@testable import Volley

/// The first t in [lo, hi] with f(t) ≥ 0, by a dense scan followed by 200 bisection steps: an
/// independent reference for the engines' crossing solvers (slow, simple, obviously correct for
/// functions that do not cross and re-cross within one scan step).
func referenceFirstCrossing(lo: Double, hi: Double, steps: Int = 200_000, _ f: (Double) -> Double) -> Double? {
    if f(lo) >= 0 { return lo }
    let h = (hi - lo) / Double(steps)
    var a = lo
    for k in 1...steps {
        let b = lo + Double(k) * h
        if f(b) >= 0 {
            var l = a
            var r = b
            for _ in 0..<200 {
                let m = 0.5 * (l + r)
                if f(m) >= 0 { r = m } else { l = m }
            }
            return r
        }
        a = b
    }
    return nil
}

/// Principal branch W₀ of the Lambert W function on [−1/e, 0] (Halley iteration).
func lambertW0(_ x: Double) -> Double {
    precondition(x >= -exp(-1.0) && x <= 0)
    var w = x < -0.3 ? -1 + (2 * (1 + M_E * x)).squareRoot() : x
    for _ in 0..<100 {
        let e = exp(w)
        let f = w * e - x
        let next = w - f / (e * (w + 1) - (w + 2) * f / (2 * w + 2))
        if abs(next - w) < 1e-16 { return next }
        w = next
    }
    return w
}

/// A network with one spike-source population driving one model population through explicit
/// synapses; the usual fixture for single-neuron tests.
func drivenNetwork<M: NeuronModel>(
    model: M, neurons: Int = 1, trains: [[Double]], synapses: [Synapse], receptor: Int = 0,
    initialPotentials: [Double]? = nil, firstSpikeOnly: Bool = false
) throws -> (Network, input: PopulationID, output: PopulationID) {
    var net = Network()
    let input = try net.addSpikeSource("input", trains: trains)
    let output = try net.addPopulation(
        "output", size: neurons, model: model, initialPotentials: initialPotentials,
        firstSpikeOnly: firstSpikeOnly)
    if !synapses.isEmpty {
        try net.connect(input, to: output, synapses: synapses, receptor: receptor)
    }
    return (net, input, output)
}

/// Spike times (ms) of each neuron of a population, from a simulator's record.
func spikeTimesByNeuron(_ sim: Simulator, _ population: PopulationID) throws -> [[Double]] {
    let size = try sim.network.population(population).size
    var out = [[Double]](repeating: [], count: size)
    let (neurons, times) = try sim.spikes(of: population)
    for (i, t) in zip(neurons, times) { out[Int(i)].append(t) }
    return out
}

/// A reproducible recurrent test network: Poisson-driven LIFExp excitatory and inhibitory
/// populations (a scaled-down CUBA).
func smallRecurrentNetwork(seed: UInt64, neurons: Int = 200) throws -> Network {
    try smallRecurrentNetwork(
        seed: seed, neurons: neurons,
        model: LIFExp(tauM: 20, tauSynExc: 5, tauSynInh: 10, vRest: -49, vReset: -60, vThreshold: -50, tRef: 5))
}

/// `smallRecurrentNetwork` with any model taking CUBA's weights (mV) on receptors 0 and 1.
func smallRecurrentNetwork<M: NeuronModel>(seed: UInt64, neurons: Int = 200, model: M) throws -> Network {
    var net = Network()
    var rng = Xoshiro256(seed: seed, stream: 1)
    let nExc = neurons * 4 / 5
    let v = (0..<neurons).map { _ in -60 + 10 * rng.uniform() }
    let exc = try net.addPopulation("exc", size: nExc, model: model, initialPotentials: Array(v[..<nExc]))
    let inh = try net.addPopulation("inh", size: neurons - nExc, model: model, initialPotentials: Array(v[nExc...]))
    let p = 40.0 / Double(neurons)
    try net.connect(exc, to: exc, pattern: .fixedProbability(p), weight: .constant(1.62 * 2), delay: .constant(0.1), receptor: 0, seed: seed + 1)
    try net.connect(exc, to: inh, pattern: .fixedProbability(p), weight: .constant(1.62 * 2), delay: .uniform(0.1, 2), receptor: 0, seed: seed + 2)
    try net.connect(inh, to: exc, pattern: .fixedProbability(p), weight: .constant(-9 * 2), delay: .constant(0.1), receptor: 1, seed: seed + 3)
    try net.connect(inh, to: inh, pattern: .fixedProbability(p), weight: .constant(-9 * 2), delay: .constant(0.1), receptor: 1, seed: seed + 4)
    return net
}

/// Model `M` exactly, without any refinement but exact prediction: every method of the core
/// contract forwards to `base`. The time-stepped engine then runs the contract's plain order
/// (advance every neuron, `receive` each delivery, threshold) — the reference for lane storage
/// and summed inputs — and the event-driven engine advances each target by its own interval —
/// the reference for the epoch form.
struct Plain<M: NeuronModel>: NeuronModel {
    var base: M
    typealias State = M.State
    typealias Propagator = M.Propagator
    static var modelName: String { "plain_" + M.modelName }
    var receptorCount: Int { base.receptorCount }
    func validate() throws { try base.validate() }
    func initialState(potential: Double?) -> State { base.initialState(potential: potential) }
    func potential(of state: State, at time: Double) -> Double { base.potential(of: state, at: time) }
    func propagator(over h: Double) -> Propagator { base.propagator(over: h) }
    func advance(_ state: inout State, by h: Double, using p: Propagator) { base.advance(&state, by: h, using: p) }
    func receive(_ state: inout State, weight: Double, receptor: Int, at time: Double) {
        base.receive(&state, weight: weight, receptor: receptor, at: time)
    }
    func isAboveThreshold(_ state: State, at time: Double) -> Bool { base.isAboveThreshold(state, at: time) }
    func fire(_ state: inout State, at time: Double) { base.fire(&state, at: time) }
}

extension Plain: ExactlyPredictable where M: ExactlyPredictable {
    func nextCrossing(of state: State, at time: Double) -> ThresholdCrossing { base.nextCrossing(of: state, at: time) }
    func nextCrossing(of state: State, at time: Double, context: PredictionContext) -> ThresholdCrossing {
        base.nextCrossing(of: state, at: time, context: context)
    }
    func inputOnlyDelaysCrossing(weight: Double, receptor: Int) -> Bool {
        base.inputOnlyDelaysCrossing(weight: weight, receptor: receptor)
    }
}

/// Model `M` with its epoch form but without quiet bounds: the reference the quiet-bound runs
/// are compared with.
struct EpochOnly<M: EpochFormRepresentable>: EpochFormRepresentable {
    var base: M
    typealias State = M.State
    typealias Propagator = M.Propagator
    typealias EpochForm = M.EpochForm
    static var modelName: String { "epoch_only_" + M.modelName }
    var receptorCount: Int { base.receptorCount }
    func validate() throws { try base.validate() }
    func initialState(potential: Double?) -> State { base.initialState(potential: potential) }
    func potential(of state: State, at time: Double) -> Double { base.potential(of: state, at: time) }
    func propagator(over h: Double) -> Propagator { base.propagator(over: h) }
    func advance(_ state: inout State, by h: Double, using p: Propagator) { base.advance(&state, by: h, using: p) }
    func receive(_ state: inout State, weight: Double, receptor: Int, at time: Double) {
        base.receive(&state, weight: weight, receptor: receptor, at: time)
    }
    func isAboveThreshold(_ state: State, at time: Double) -> Bool { base.isAboveThreshold(state, at: time) }
    func fire(_ state: inout State, at time: Double) { base.fire(&state, at: time) }
    func nextCrossing(of state: State, at time: Double) -> ThresholdCrossing { base.nextCrossing(of: state, at: time) }
    func nextCrossing(of state: State, at time: Double, context: PredictionContext) -> ThresholdCrossing {
        base.nextCrossing(of: state, at: time, context: context)
    }
    func inputOnlyDelaysCrossing(weight: Double, receptor: Int) -> Bool {
        base.inputOnlyDelaysCrossing(weight: weight, receptor: receptor)
    }
    var supportsEpochForm: Bool { base.supportsEpochForm }
    var epochRates: EpochForm { base.epochRates }
    func epochGrowth(elapsed x: Double) -> EpochForm { base.epochGrowth(elapsed: x) }
    func epochForm(of state: State, elapsed x: Double) -> EpochForm { base.epochForm(of: state, elapsed: x) }
    func state(fromEpoch form: EpochForm, elapsed x: Double, decay: EpochForm) -> State {
        base.state(fromEpoch: form, elapsed: x, decay: decay)
    }
    func receive(_ form: inout EpochForm, weight: Double, receptor: Int, elapsed x: Double, growth: EpochForm) {
        base.receive(&form, weight: weight, receptor: receptor, elapsed: x, growth: growth)
    }
    func rebase(_ form: inout EpochForm, shift: Double, decay: EpochForm) { base.rebase(&form, shift: shift, decay: decay) }
}

/// Expects advancing by 1.3 then 2.45 ms to equal advancing by 3.75 ms (an exact propagator
/// composes), from the initial state changed by `prepare`, to within 1e-12 by `distance`.
func expectPropagatorComposes<M: NeuronModel>(
    _ model: M, _ prepare: (inout M.State) -> Void, _ distance: (M.State, M.State) -> Double,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    var a = model.initialState(potential: nil)
    prepare(&a)
    var b = a
    model.advance(&a, by: 1.3)
    model.advance(&a, by: 2.45)
    model.advance(&b, by: 3.75)
    #expect(distance(a, b) < 1e-12, sourceLocation: sourceLocation)
}

/// The epoch-form population of `p` in an event-driven simulator (nil if it has none).
func epochClock<M: QuietBounded>(_ sim: EventDrivenSimulator, _ p: PopulationID, _: M.Type) -> EpochClock<M.EpochForm>? {
    let states = sim.kernels[p.index]?.runtime.states
    if let q = states as? EpochPopulation<M, WithQuietBounds<M>> { return q.clock.pointee }
    if let q = states as? EpochPopulation<M, WithoutQuietBounds<M>> { return q.clock.pointee }
    return nil
}

/// One integrated neuron driven by an excitatory (receptor 0) and an inhibitory (receptor 1)
/// spike train through delay-1 synapses: its spike times in the event-driven engine and in the
/// reference solution, and the time-stepped engine's spike counts and worst spike-time error
/// against the reference at each dt.
struct DrivenReferenceRun {
    var event: [Double]
    var reference: [Double]
    var steppedCounts: [Int]
    var steppedErrors: [Double]

    init<M: IntegratedModel>(_ model: M, excitatory exc: [Double], inhibitory inh: [Double], weights: (Double, Double), until end: Double, dts: [Double]) throws {
        let inputs = exc.map { (time: $0 + 1, weight: weights.0, receptor: 0) } + inh.map { (time: $0 + 1, weight: weights.1, receptor: 1) }
        reference = model.referenceSpikeTimes(until: end, inputs: inputs)
        var net = Network()
        let source = try net.addSpikeSource("in", trains: [exc, inh])
        let neuron = try net.addPopulation("n", size: 1, model: model)
        try net.connect(source, to: neuron, synapses: [Synapse(source: 0, target: 0, weight: weights.0, delay: 1)], receptor: 0)
        try net.connect(source, to: neuron, synapses: [Synapse(source: 1, target: 0, weight: weights.1, delay: 1)], receptor: 1)
        let sim = try EventDrivenSimulator(network: net)
        try sim.run(until: end)
        event = try sim.spikes(of: neuron).times
        steppedCounts = []
        steppedErrors = []
        for dt in dts {
            let stepped = try TimeSteppedSimulator(network: net, dt: dt)
            try stepped.run(until: end)
            let grid = try stepped.spikes(of: neuron).times
            steppedCounts.append(grid.count)
            steppedErrors.append(zip(grid, reference).map { abs($0 - $1) }.max() ?? .infinity)
        }
    }
}
