import Foundation

/// A feed-forward network of SRM neurons with multi-terminal delayed connections, trained by
/// SpikeProp (Bohte, Kok & La Poutré, Neurocomputing 48 (2002) 17–37).
///
/// Every connection i → j consists of K sub-synapses (terminals) with delays d¹ … dᴷ and their own
/// weights wᵢⱼᵏ; each neuron fires at most once. With ε(s) = (s/τ)e^(1−s/τ) (the `SRM` kernel)
///
///     xⱼ(t) = Σᵢ Σₖ wᵢⱼᵏ · ε(t − tᵢ − dᵏ),     tⱼ = first t with xⱼ(t) ≥ θ
///     E = ½ Σⱼ (tⱼ − t̂ⱼ)²                                   (output layer)
///
/// Gradients use Bohte's linearisation of x around the firing time, which is the implicit-function
/// derivative of the first-spike time while the set of firing neurons is unchanged:
///
///     Dⱼ = ∂xⱼ/∂t(tⱼ) = Σᵢ Σₖ wᵢⱼᵏ ε′(tⱼ − tᵢ − dᵏ)
///     ∂tⱼ/∂wᵢⱼᵏ = −ε(tⱼ − tᵢ − dᵏ) / Dⱼ,     ∂tⱼ/∂tᵢ = Σₖ wᵢⱼᵏ ε′(tⱼ − tᵢ − dᵏ) / Dⱼ
///
/// The forward pass computes exact first-spike times layer by layer by driving the `SRM` model
/// (`advance`, `receive`, `nextCrossing`) through each neuron's deliveries in the event-driven
/// engine's order, so its spike times are bit-identical to running `engineNetwork(...)` in
/// `EventDrivenSimulator` (tested). No time grid is involved.
public struct SpikePropNetwork: Sendable {
    /// Neurons per layer: inputs (encoders and the bias/reference neuron), hidden layers, outputs.
    public let layerSizes: [Int]
    /// Terminal delays d¹ … dᴷ (ms), strictly increasing, > 0.
    public let delays: [Double]
    /// The neuron model: τ (ms) and θ (mV) are used; each neuron fires once.
    public let neuron: SRM
    /// weights[l][(j·nₗ + i)·K + k]: terminal k from neuron i of layer l to neuron j of layer l+1 (mV).
    public var weights: [[Double]]
    /// signs[l][i] of every neuron of layer l that projects: +1 excitatory (its weights stay ≥ 0),
    /// −1 inhibitory (≤ 0), 0 unconstrained.
    public var signs: [[Double]]

    public var terminals: Int { delays.count }
    public var layerCount: Int { layerSizes.count }

    public init(layerSizes: [Int], delays: [Double], neuron: SRM, signs: [[Double]]? = nil) throws {
        guard layerSizes.count >= 2, layerSizes.allSatisfy({ $0 > 0 }) else {
            throw VolleyError.invalidParameter(name: "layerSizes", value: "\(layerSizes)", reason: "need ≥ 2 non-empty layers")
        }
        guard !delays.isEmpty, delays.allSatisfy({ $0.isFinite && $0 > 0 }),
            zip(delays, delays.dropFirst()).allSatisfy({ $0 < $1 })
        else {
            throw VolleyError.invalidParameter(name: "delays", value: "\(delays)", reason: "need strictly increasing delays > 0 ms")
        }
        try neuron.validate()
        self.layerSizes = layerSizes
        self.delays = delays
        self.neuron = neuron
        weights = (0..<(layerSizes.count - 1)).map {
            [Double](repeating: 0, count: layerSizes[$0] * layerSizes[$0 + 1] * delays.count)
        }
        if let s = signs {
            guard s.count == layerSizes.count - 1, zip(s, layerSizes).allSatisfy({ $0.count == $1 }) else {
                throw VolleyError.invalidParameter(name: "signs", value: "\(s.map(\.count))", reason: "need one sign per neuron of each projecting layer \(layerSizes.dropLast())")
            }
            self.signs = s
        } else {
            self.signs = layerSizes.dropLast().map { [Double](repeating: 0, count: $0) }
        }
    }

    @inlinable
    func weightIndex(layer l: Int, post j: Int, pre i: Int, terminal k: Int) -> Int {
        (j * layerSizes[l] + i) * delays.count + k
    }

    /// Random weights drawn uniformly from [low, high): sources with sign +1 get |w|, sign −1 get
    /// −|w|, unconstrained sources (sign 0) keep the drawn value (so low < 0 allows negative ones).
    public mutating func initialize(low: Double, high: Double, seed: UInt64) {
        var rng = Xoshiro256(seed: seed, stream: 0x5B1C)
        for l in weights.indices {
            let n = layerSizes[l]
            for j in 0..<layerSizes[l + 1] {
                for i in 0..<n {
                    let s = signs[l][i]
                    for k in 0..<terminals {
                        let w = rng.uniform(low, high)
                        weights[l][weightIndex(layer: l, post: j, pre: i, terminal: k)] = s < 0 ? -abs(w) : (s > 0 ? abs(w) : w)
                    }
                }
            }
        }
    }

    /// Clips weights to their sources' signs (Dale's law for excitatory/inhibitory neurons).
    public mutating func applySignConstraints() {
        for l in weights.indices where signs[l].contains(where: { $0 != 0 }) {
            let n = layerSizes[l]
            let k = terminals
            weights[l].withUnsafeMutableBufferPointer { w in
                for j in 0..<layerSizes[l + 1] {
                    for i in 0..<n {
                        let s = signs[l][i]
                        if s == 0 { continue }
                        let base = (j * n + i) * k
                        for t in base..<(base + k) {
                            if s > 0 { w[t] = Swift.max(w[t], 0) } else { w[t] = Swift.min(w[t], 0) }
                        }
                    }
                }
            }
        }
    }

    // MARK: Forward pass

    /// Exact first-spike times of every layer (`.infinity` = silent) for input spike times
    /// (`.infinity` = the input does not fire). Throws `VolleyError.diverged` when the weights
    /// have left the range where the search for a first spike means anything (see `firstSpike`).
    public func forward(_ inputTimes: [Double]) throws -> SpikePropActivity {
        try forward(inputArrivals(inputTimes))
    }

    /// The sorted terminal deliveries of the input layer for one sample. They do not depend on
    /// the weights, so trainers compute them once per sample instead of once per epoch.
    public func inputArrivals(_ inputTimes: [Double]) throws -> SpikePropArrivals {
        guard inputTimes.count == layerSizes[0] else {
            throw VolleyError.invalidParameter(
                name: "inputTimes", value: "\(inputTimes.count) times", reason: "the input layer has \(layerSizes[0]) neurons")
        }
        if let bad = inputTimes.firstIndex(where: { !($0 >= 0) }) {
            throw VolleyError.invalidSpikeTime(value: inputTimes[bad], context: "SpikeProp input \(bad) (+∞ for no spike)")
        }
        var arrivals: [(time: Double, index: Int32)] = []
        buildArrivals(inputTimes, into: &arrivals)
        return SpikePropArrivals(inputTimes: inputTimes, arrivals: arrivals)
    }

    /// The forward pass from precomputed input arrivals.
    public func forward(_ input: SpikePropArrivals) throws -> SpikePropActivity {
        var times: [[Double]] = [input.inputTimes]
        var events = 0
        var arrivals: [(time: Double, index: Int32)] = []
        for l in 0..<(layerCount - 1) {
            if l == 0 { arrivals = input.arrivals } else { buildArrivals(times[l], into: &arrivals) }
            var out = [Double](repeating: .infinity, count: layerSizes[l + 1])
            let span = layerSizes[l] * terminals
            try arrivals.withUnsafeBufferPointer { a in
                try weights[l].withUnsafeBufferPointer { w in
                    for j in out.indices {
                        let weights = w.baseAddress! + j * span
                        guard let r = SpikePropNetwork.firstSpike(neuron, a, weights) else {
                            throw divergence(layer: l + 1, neuron: j, weights: UnsafeBufferPointer(start: weights, count: span))
                        }
                        out[j] = r.time
                        events += r.delivered
                    }
                }
            }
            times.append(out)
        }
        return SpikePropActivity(times: times, synapticEvents: events)
    }

    /// The error for neuron j of `layer` whose first-spike search failed.
    func divergence(layer: Int, neuron j: Int, weights: UnsafeBufferPointer<Double>) -> VolleyError {
        let largest = weights.max { abs($0) < abs($1) } ?? 0
        let total = weights.reduce(0) { $0 + abs($1) }
        return .diverged(
            "SpikeProp neuron \(j) of layer \(layer): its potential left the finite range or it woke up \(SpikePropNetwork.wakeUpBudget) times "
                + "without reaching threshold; its \(weights.count) incoming weights sum to \(total) mV in absolute value, "
                + "the largest is \(largest) mV. The weights have diverged: lower the learning rate or the momentum")
    }

    /// Every terminal delivery of a layer as (arrival time, i·K + k), in the engine's order for
    /// simultaneous deliveries: (time, source, delay group).
    func buildArrivals(_ pre: [Double], into arrivals: inout [(time: Double, index: Int32)]) {
        arrivals.removeAll(keepingCapacity: true)
        for (i, t) in pre.enumerated() where t.isFinite {
            for (k, d) in delays.enumerated() {
                arrivals.append((t + d, Int32(i * terminals + k)))
            }
        }
        arrivals.sort { $0.time < $1.time || ($0.time == $1.time && $0.index < $1.index) }
    }

    /// Wake-ups (neuron events without a spike) allowed per neuron and sample; a first-spike
    /// search beyond it has stopped making progress.
    public static let wakeUpBudget = 10_000

    /// The first spike of one SRM neuron receiving `arrivals` (sorted) with weights
    /// `weights[index]`: exactly the event-driven engine's sequence of operations for this neuron
    /// (advance to each delivery time, receive, predict; wake-ups advance and re-predict; a
    /// prediction fires only if it precedes the next delivery). nil when the search cannot mean
    /// anything: the potential is no longer finite (diverged weights overflow it), or the neuron
    /// woke up `wakeUpBudget` times without reaching threshold.
    @inlinable
    static func firstSpike(
        _ model: SRM, _ arrivals: UnsafeBufferPointer<(time: Double, index: Int32)>,
        _ weights: UnsafePointer<Double>
    ) -> (time: Double, delivered: Int)? {
        var s = model.initialState(potential: nil)
        var last = 0.0
        var prediction = model.nextCrossing(of: s, at: 0)
        var a = 0
        var delivered = 0
        var wakeUps = 0
        let n = arrivals.count
        while true {
            let next = a < n ? arrivals[a].time : .infinity
            // Neuron events strictly before the next delivery.
            while prediction.time < next {
                let t = prediction.time
                let h = t - last
                if h > 0 {
                    model.advance(&s, by: h)
                    last = t
                }
                if prediction.isExact || model.isAboveThreshold(s, at: t) { return (t, delivered) }
                wakeUps &+= 1
                if wakeUps > wakeUpBudget { return nil }
                prediction = model.nextCrossing(of: s, at: t)
            }
            if a == n { return (.infinity, delivered) }
            let h = next - last
            if h > 0 {
                model.advance(&s, by: h)
                last = next
            }
            while a < n && arrivals[a].time == next {
                model.receive(&s, weight: weights[Int(arrivals[a].index)], receptor: 0, at: next)
                delivered += 1
                a += 1
            }
            guard s.x.isFinite && s.y.isFinite && s.r.isFinite else { return nil }
            prediction = model.nextCrossing(of: s, at: next)
        }
    }

    // MARK: Engine

    /// The same network as a `Network` for the simulators: a spike-source input population, one
    /// first-spike-only SRM population per further layer, and multi-terminal projections with
    /// the learned weights.
    public func engineNetwork(inputTimes: [Double]) throws -> (Network, layers: [PopulationID]) {
        var net = Network()
        var ids = [try net.addSpikeSource("layer0", trains: inputTimes.map { $0.isFinite ? [$0] : [] })]
        for l in 1..<layerCount {
            ids.append(try net.addPopulation("layer\(l)", size: layerSizes[l], model: neuron, firstSpikeOnly: true))
            var synapses: [Synapse] = []
            synapses.reserveCapacity(weights[l - 1].count)
            for j in 0..<layerSizes[l] {
                for i in 0..<layerSizes[l - 1] {
                    for k in 0..<terminals {
                        synapses.append(Synapse(source: i, target: j, weight: weights[l - 1][weightIndex(layer: l - 1, post: j, pre: i, terminal: k)], delay: delays[k]))
                    }
                }
            }
            try net.connect(ids[l - 1], to: ids[l], synapses: synapses)
        }
        return (net, ids)
    }
}

/// The input layer's terminal deliveries for one sample, sorted in the engine's order.
public struct SpikePropArrivals: Sendable {
    public let inputTimes: [Double]
    let arrivals: [(time: Double, index: Int32)]
}

/// Spike times of every layer for one sample.
public struct SpikePropActivity: Sendable {
    /// times[l][j] (ms); `.infinity` when neuron j of layer l did not fire.
    public var times: [[Double]]
    /// Terminal deliveries applied to neurons that had not yet fired (SynOps).
    public var synapticEvents: Int
    public var spikes: Int { times.reduce(0) { $0 + $1.filter(\.isFinite).count } }
    public var outputs: [Double] { times[times.count - 1] }
}

/// SpikeProp training options and the remedies for its known brittleness (docs/spikeprop.md).
public struct SpikePropOptions: Sendable {
    /// Lower bound on Dⱼ = ∂x/∂t at the firing time (mV/ms): a crossing with a near-zero slope
    /// would otherwise give an exploding gradient (Bohte 2002, sec. 3; later SpikeProp papers).
    public var minimumSlope: Double = 0.1
    /// Revival rate for silent neurons (0: off): their incoming weights receive the pseudo-gradient
    /// −revival·ε(t_ref − tᵢ − dᵏ), raising the terminals that would contribute at t_ref (the
    /// target for outputs, `hiddenReferenceTime` for hidden neurons).
    public var revival: Double = 0.05
    public var hiddenReferenceTime: Double = 20
    /// Loss value assigned to a silent output (as if it fired at this time, ms).
    public var silentTime: Double = 30
    /// Classification coding: outputs with target ≥ lateTarget may fire later than it (or not at
    /// all) without error ("relaxed" targets).
    public var relaxLateTargets = false
    public var lateTarget: Double = .infinity
    /// L2 weight decay λ: adds λ/2·Σw² to the loss (and λ·w to the gradient) of every sample.
    public var weightDecay: Double = 0
    /// When set, the output loss is the cross-entropy −log softmax(−t/T)_c of the first-spike times
    /// with temperature T (ms) instead of ½Σ(t − t̂)² (Mostafa 2017; Comsa et al. 2020); the class c
    /// is the output with the earliest target. Silent outputs count as firing at `silentTime`.
    public var crossEntropyTemperature: Double? = nil

    public init() {}
}
