import Foundation

/// A multilayer time-to-first-spike network of ReL-PSP neurons (Zhang, Wang, Wu, Chua, Li &
/// Belatreche, "Rectified linear postsynaptic potential function for backpropagation in deep
/// spiking neural networks", IEEE TNNLS 2021), trained by spike-timing-dependent backpropagation.
///
/// Every neuron fires at most once. Neuron j of layer l+1 receives the spikes of layer l after a
/// fixed synaptic delay d; with its causal set C (the inputs that arrived before it fired)
///
///     Vⱼ(t) = Σ_{i∈C} wᵢⱼ·(t − aᵢ),   aᵢ = tᵢ + d,     tⱼ = (θ + Σ_{i∈C} wᵢⱼ aᵢ) / Σ_{i∈C} wᵢⱼ
///     ∂tⱼ/∂wᵢⱼ = (aᵢ − tⱼ) / W_C,     ∂tⱼ/∂tᵢ = wᵢⱼ / W_C,     W_C = Σ_{i∈C} wᵢⱼ
///
/// The causal set is found by scanning the arrivals in time order (ties by source index), exactly
/// as the event-driven engine delivers them, with the engine's decision rule after each instant
/// (`ReLPSP.nextCrossing`): the neuron fires at max(t, (θ + S)/W) if W > 0 and that precedes the
/// next arrival. A neuron with W ≤ 0 after its last input never fires. Because the engine's
/// `ReLPSP` state is (W, S) in absolute time, `forward` and `EventDrivenSimulator` give
/// bit-identical spike times (tested).
public struct TTFSNetwork: Sendable {
    /// Neurons per layer: inputs, hidden layers, outputs.
    public let layerSizes: [Int]
    /// Firing threshold θ (mV).
    public let threshold: Double
    /// Synaptic delay of every connection (ms, > 0).
    public let delay: Double
    /// weights[l][i·nₗ₊₁ + j]: from neuron i of layer l to neuron j of layer l+1 (mV/ms).
    /// Input-major, so that one arrival updates all neurons of the next layer with one
    /// contiguous (vectorised) loop.
    public var weights: [[Double]]

    public var layerCount: Int { layerSizes.count }
    public var parameterCount: Int { weights.reduce(0) { $0 + $1.count } }

    public init(layerSizes: [Int], threshold: Double = 1, delay: Double = 1) throws {
        guard layerSizes.count >= 2, layerSizes.allSatisfy({ $0 > 0 }) else {
            throw VolleyError.invalidParameter(name: "layerSizes", value: "\(layerSizes)", reason: "need ≥ 2 non-empty layers")
        }
        try VolleyError.require("threshold", threshold, "must be > 0 mV") { $0 > 0 }
        try VolleyError.require("delay", delay, "synaptic delay must be > 0 ms") { $0 > 0 }
        self.layerSizes = layerSizes
        self.threshold = threshold
        self.delay = delay
        weights = (0..<(layerSizes.count - 1)).map { [Double](repeating: 0, count: layerSizes[$0] * layerSizes[$0 + 1]) }
    }

    /// Gaussian initial weights, N(mean[l], sd[l]) for the connections out of layer l.
    public mutating func initialize(mean: [Double], sd: [Double], seed: UInt64) {
        for l in weights.indices {
            var rng = Xoshiro256(seed: seed, stream: 0x77F5, UInt64(l))
            for k in weights[l].indices { weights[l][k] = rng.normal(mean: mean[l], standardDeviation: sd[l]) }
        }
    }

    /// Initialisation that keeps neurons firing: weights N(μₗ, sdₗ) where, layer by layer, the
    /// mean μₗ ≥ 0 is found by bisection so that on `inputs` (a calibration sample) at least
    /// `firing` of the layer's neurons fire on average. ReL-PSP neurons with Σw ≤ 0 over their
    /// inputs never fire and silent neurons receive no gradient, so zero-mean initialisation
    /// leaves about half of every layer dead.
    @discardableResult
    public mutating func initializeFiring(inputs: [[Double]], sd: [Double], firing: Double = 0.95, seed: UInt64) -> [Double] {
        var means = [Double](repeating: 0, count: weights.count)
        for l in weights.indices {
            var rng = Xoshiro256(seed: seed, stream: 0x77F5, UInt64(l))
            let noise = weights[l].indices.map { _ in rng.normal() * sd[l] }
            func fraction(_ mu: Double) -> Double {
                var trial = self
                trial.weights[l] = noise.map { $0 + mu }
                let net = trial
                let counts = parallelMap(inputs.count) { net.activity(inputs[$0]).spikesPerLayer[l + 1] }
                return Double(counts.reduce(0, +)) / Double(inputs.count * layerSizes[l + 1])
            }
            var lo = 0.0
            var hi = 1e-3
            while fraction(hi) < firing && hi < 10 { hi *= 2 }
            if fraction(lo) >= firing {
                hi = lo
            } else {
                for _ in 0..<30 {
                    let mid = 0.5 * (lo + hi)
                    if fraction(mid) >= firing { hi = mid } else { lo = mid }
                }
            }
            means[l] = hi
            weights[l] = noise.map { $0 + hi }
        }
        return means
    }

    // MARK: Forward

    /// Checks that `inputTimes` can be fed to the network: one time per input neuron, each finite
    /// or `.infinity` (silent). `sample` names the sample in the error.
    public func validate(input inputTimes: [Double], sample: Int? = nil) throws {
        let which = sample.map { "sample \($0)" } ?? "input"
        guard inputTimes.count == layerSizes[0] else {
            throw VolleyError.invalidParameter(name: which, value: "\(inputTimes.count) spike times", reason: "the network's input layer has \(layerSizes[0]) neurons")
        }
        if let k = inputTimes.firstIndex(where: { !($0.isFinite || $0 == .infinity) }) {
            throw VolleyError.invalidSpikeTime(value: inputTimes[k], context: "input \(k) of \(which); +∞ means silent")
        }
    }

    /// Exact first-spike times of every layer for the given input spike times (`.infinity`: the
    /// input does not fire).
    public func forward(_ inputTimes: [Double]) throws -> TTFSActivity {
        try validate(input: inputTimes)
        return activity(inputTimes)
    }

    /// `forward` without the input check, for callers that validated their inputs once.
    func activity(_ inputTimes: [Double]) -> TTFSActivity {
        var activity = TTFSActivity(layers: layerCount)
        activity.times[0] = inputTimes
        for l in 0..<(layerCount - 1) {
            let arrivals = sortedArrivals(activity.times[l])
            let post = layerSizes[l + 1]
            var times = [Double](repeating: .infinity, count: post)
            var causal = [Int32](repeating: 0, count: post)
            var slopes = [Double](repeating: 0, count: post)
            weights[l].withUnsafeBufferPointer { w in
                arrivals.withUnsafeBufferPointer { a in
                    times.withUnsafeMutableBufferPointer { t in
                        causal.withUnsafeMutableBufferPointer { c in
                            slopes.withUnsafeMutableBufferPointer { sl in
                                TTFSNetwork.layerForward(a, w.baseAddress!, post, threshold, t, c, sl)
                            }
                        }
                    }
                }
            }
            activity.arrivals[l] = arrivals
            activity.times[l + 1] = times
            activity.causal[l] = causal
            activity.slopes[l] = slopes
        }
        return activity
    }

    /// The spikes of a layer as arrivals (tᵢ + d, i), sorted by time then source index: the
    /// engine's delivery order.
    func sortedArrivals(_ pre: [Double]) -> [TTFSArrival] {
        var a: [TTFSArrival] = []
        a.reserveCapacity(pre.count)
        for (i, t) in pre.enumerated() where t.isFinite { a.append(TTFSArrival(time: t + delay, source: Int32(i))) }
        a.sort { $0.time < $1.time || ($0.time == $1.time && $0.source < $1.source) }
        return a
    }

    /// First spikes of all `post` neurons of a layer. Per neuron this is exactly the engine's
    /// sequence (`ReLPSP.receive` for each arrival in order, `ReLPSP.nextCrossing` after each
    /// instant, a prediction fires if it precedes the next arrival), vectorised across neurons:
    /// W and S of all neurons are updated together for each arrival. After each instant a cheap
    /// test V(t_next) ≤ θ − margin rules out a crossing before the next arrival for almost all
    /// neurons; the rest evaluate the engine's expression max(t, (θ + S)/W) and compare.
    static func layerForward(
        _ arrivals: UnsafeBufferPointer<TTFSArrival>, _ w: UnsafePointer<Double>, _ post: Int, _ theta: Double,
        _ times: UnsafeMutableBufferPointer<Double>, _ causal: UnsafeMutableBufferPointer<Int32>,
        _ slopes: UnsafeMutableBufferPointer<Double>
    ) {
        let m = arrivals.count
        let slope = UnsafeMutableBufferPointer<Double>.allocate(capacity: post)
        let weighted = UnsafeMutableBufferPointer<Double>.allocate(capacity: post)
        slope.initialize(repeating: 0)
        weighted.initialize(repeating: 0)
        defer {
            slope.deallocate()
            weighted.deallocate()
        }
        var remaining = post
        var k = 0
        while k < m && remaining > 0 {
            let t = arrivals[k].time
            while k < m && arrivals[k].time == t {
                let row = w + Int(arrivals[k].source) * post
                for j in 0..<post {
                    let wi = row[j]
                    slope[j] += wi
                    weighted[j] += wi * t
                }
                k += 1
            }
            let next = k < m ? arrivals[k].time : Double.infinity
            for j in 0..<post where times[j] == .infinity {
                let W = slope[j]
                let S = weighted[j]
                // Conservative screen: with W > 0 a crossing before `next` needs V(next) > θ.
                if W * t - S >= theta {
                    times[j] = t
                } else if W > 0 && (next == .infinity || W * next - S > theta - 1e-9 * (abs(theta) + abs(S) + abs(W * next))) {
                    let tStar = Swift.max(t, (theta + S) / W)
                    if tStar < next { times[j] = tStar } else { continue }
                } else {
                    continue
                }
                causal[j] = Int32(k)
                slopes[j] = W
                remaining -= 1
            }
        }
        // Neurons that never fired received every arrival.
        for j in 0..<post where times[j] == .infinity {
            causal[j] = Int32(m)
            slopes[j] = slope[j]
        }
    }

    // MARK: Backward

    /// Cross-entropy of softmax(−t/τ) over the output spike times, plus regularisers, and its
    /// gradient (accumulated into `gradient`, same layout as the concatenated `weights`, layer l
    /// starting at `layerOffsets[l]`). Outputs that are silent or fire after `options.silentTime`
    /// count as firing then; they and silent hidden neurons get the `silentPenalty` push.
    public func lossAndGradient(_ activity: TTFSActivity, label: Int, options: TTFSOptions, gradient: UnsafeMutablePointer<Double>, layerOffsets: [Int]) -> Double {
        let L = layerCount - 1
        let out = activity.times[L]
        let tau = options.temperature
        let times = out.map { Swift.min($0, options.silentTime) }
        let m = times.min()!
        let e = times.map { exp(-($0 - m) / tau) }
        let z = e.reduce(0, +)
        var loss = -log(e[label] / z)
        var g = [Double](repeating: 0, count: out.count)
        for k in out.indices where out[k] < options.silentTime {
            g[k] = ((k == label ? 1 : 0) - e[k] / z) / tau
        }
        for l in stride(from: L - 1, through: 0, by: -1) {
            let n = layerSizes[l]
            let post = layerSizes[l + 1]
            let late = l == L - 1 ? options.silentTime : Double.infinity
            // Per post neuron: scale = (∂L/∂tⱼ)/W_C, its spike time, and the silent push.
            var scale = [Double](repeating: 0, count: post)
            var spike = [Double](repeating: 0, count: post)
            var push = [Double](repeating: 0, count: post)
            for j in 0..<post {
                let tj = activity.times[l + 1][j]
                if tj >= late {
                    push[j] = options.silentPenalty
                    loss += options.silentPenalty
                } else if g[j] != 0 {
                    scale[j] = g[j] / Swift.max(activity.slopes[l][j], options.minimumSlope)
                    spike[j] = tj
                }
            }
            var gPre = [Double](repeating: 0, count: n)
            let arrivals = activity.arrivals[l]
            let causal = activity.causal[l]
            let grad = gradient + layerOffsets[l]
            weights[l].withUnsafeBufferPointer { w in
                scale.withUnsafeBufferPointer { sc in
                    spike.withUnsafeBufferPointer { sp in
                        push.withUnsafeBufferPointer { pu in
                            causal.withUnsafeBufferPointer { c in
                                for (k, arrival) in arrivals.enumerated() {
                                    let i = Int(arrival.source)
                                    let row = grad + i * post
                                    let wrow = w.baseAddress! + i * post
                                    let a = arrival.time
                                    let kk = Int32(k)
                                    var back = 0.0
                                    for j in 0..<post where kk < c[j] {
                                        let s = sc[j]
                                        row[j] += s * (a - sp[j]) - pu[j]
                                        back += s * wrow[j]
                                    }
                                    gPre[i] = back
                                }
                            }
                        }
                    }
                }
            }
            g = gPre
        }
        return loss
    }

    // MARK: Engine

    /// The same network for the simulators: a spike-source input population, one
    /// first-spike-only `ReLPSP` population per further layer, all-to-all projections with
    /// delay `delay`. With `input` (one spike time per input neuron, ms; +∞: no spike) the input
    /// population fires that sample; without, it is silent until `setSpikeTrains`.
    public func engineNetwork(input: [Double]? = nil) throws -> (Network, layers: [PopulationID]) {
        var net = Network()
        var ids: [PopulationID]
        if let input {
            guard input.count == layerSizes[0] else {
                throw VolleyError.invalidParameter(name: "input", value: "\(input.count) times", reason: "the input layer has \(layerSizes[0]) neurons")
            }
            ids = [try net.addSpikeSource("input", trains: input.map { $0.isFinite ? [$0] : [] })]
        } else {
            ids = [try net.addSpikeSource("input", size: layerSizes[0])]
        }
        for l in 1..<layerCount {
            ids.append(try net.addPopulation("layer\(l)", size: layerSizes[l], model: ReLPSP(vThreshold: threshold), firstSpikeOnly: true))
            let post = layerSizes[l]
            var synapses: [Synapse] = []
            synapses.reserveCapacity(weights[l - 1].count)
            for i in 0..<layerSizes[l - 1] {
                for j in 0..<post {
                    synapses.append(Synapse(source: i, target: j, weight: weights[l - 1][i * post + j], delay: delay))
                }
            }
            try net.connect(ids[l - 1], to: ids[l], synapses: synapses)
        }
        return (net, ids)
    }
}

/// One arrival at a layer: time (ms) and presynaptic index.
@frozen
public struct TTFSArrival: Sendable, Equatable {
    public var time: Double
    public var source: Int32
}

/// Spike times and causal sets of every layer for one sample.
public struct TTFSActivity: Sendable {
    /// times[l][j] (ms); `.infinity` if neuron j of layer l did not fire.
    public var times: [[Double]]
    /// arrivals[l]: the sorted arrivals at layer l+1.
    public var arrivals: [[TTFSArrival]]
    /// causal[l][j]: how many of arrivals[l] neuron j of layer l+1 received before firing.
    public var causal: [[Int32]]
    /// slopes[l][j]: W over that causal set.
    public var slopes: [[Double]]

    init(layers: Int) {
        times = Array(repeating: [], count: layers)
        arrivals = Array(repeating: [], count: layers - 1)
        causal = Array(repeating: [], count: layers - 1)
        slopes = Array(repeating: [], count: layers - 1)
    }

    public var outputs: [Double] { times[times.count - 1] }
    /// Earliest output spike: the decision and its time (nil if no output fired).
    public var decision: (label: Int, time: Double)? {
        guard let k = outputs.indices.min(by: { outputs[$0] < outputs[$1] }), outputs[k].isFinite else { return nil }
        return (k, outputs[k])
    }
    /// Spikes per layer.
    public var spikesPerLayer: [Int] { times.map { $0.filter(\.isFinite).count } }
    /// Synaptic events applied per layer (deliveries to neurons that had not yet fired; the
    /// event-driven engine's SynOps count).
    public var synapticEventsPerLayer: [Int] { causal.map { $0.reduce(0) { $0 + Int($1) } } }
}

/// TTFS training options.
public struct TTFSOptions: Sendable {
    /// Softmax temperature τ (ms) of the cross-entropy over −t_out/τ.
    public var temperature = 1.0
    /// Output times later than this (or silent) count as this time in the loss (ms).
    public var silentTime = 30.0
    /// Lower bound on W_C in the gradient (mV/ms): a crossing with a tiny slope would give an
    /// exploding gradient.
    public var minimumSlope = 1e-3
    /// Per-sample push on the input weights of a neuron that stayed silent (keeps neurons firing;
    /// like Mostafa 2017's firing regulariser, applied per sample).
    public var silentPenalty = 1e-4

    public init() {}

    /// Throws `invalidParameter` naming the first option outside its domain.
    public func validate() throws {
        try VolleyError.require("temperature", temperature, "softmax temperature must be > 0 ms") { $0 > 0 }
        try VolleyError.require("silentTime", silentTime, "must be > 0 ms") { $0 > 0 }
        try VolleyError.require("minimumSlope", minimumSlope, "must be > 0") { $0 > 0 }
        try VolleyError.require("silentPenalty", silentPenalty, "must be ≥ 0") { $0 >= 0 }
    }
}
