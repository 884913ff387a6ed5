import Foundation

/// The backward pass's index structures, built once per network (outgoing synapses per source
/// neuron, flat weights and delays), and its per-sample arrays (spikes and arrivals as CSR,
/// costates), sized anew for each sample. A struct, so that its arrays are accessed without
/// dynamic exclusivity checks.
struct EventPropWorkspace {
    private(set) var network: EventPropNetwork
    let kernels: [LIFExpKernel]
    /// First flat LIF-neuron index of layer k (index 0 unused: the input); `neuronBase[k + 1]`
    /// ends it.
    let neuronBase: [Int]
    let layerOf: [Int]
    /// First global synapse index of projection p.
    let synapseBase: [Int]
    private(set) var weights: [Double]
    let delays: [Double]
    let targetNeuron: [Int32]
    /// Outgoing synapses of each source neuron, per projection: `outgoing[p]` is a CSR over the
    /// source layer (`start` has size + 1 entries) of global synapse indices.
    let outgoing: [(start: [Int32], synapses: [Int32])]
    let recurrentLayer: [Bool]
    /// Every LIF layer receives one projection, all of whose delays are equal: each neuron's
    /// arrivals are then filled in time order (source spikes in time order, one delay).
    let arrivalsInOrder: Bool

    // Per-sample scratch.
    var spikeStart: [Int32] = []
    var spikeTime: [Double] = []
    var currentAtSpike: [Double] = []
    var spikeTerm: [Double] = []
    var arrivalStart: [Int32] = []
    var arrivalTime: [Double] = []
    var arrivalSynapse: [Int32] = []
    var arrivalSource: [Int32] = []
    var fill: [Int32] = []
    var lambdaV: [Double] = []
    var lambdaI: [Double] = []
    var clock: [Double] = []
    var source: [Double] = []
    /// Record position → CSR spike index, per LIF layer; the input spikes in time order.
    var recordToSpike: [[Int32]] = []
    /// Spiking neurons with a regularisation coefficient (or the missing-label term) that did not
    /// fire: the time and value (V − vRest) of their maximum potential, the arrival it lies at (or
    /// −1) with V̇ after it, and the term's coefficient.
    var silentPeaks: [(neuron: Int32, time: Double, value: Double, corner: Int32, slope: Double, cost: Double)] = []
    var inputOrder: [(time: Double, neuron: Int32)] = []

    init(_ network: EventPropNetwork) {
        self.network = network
        kernels = network.layers.map { LIFExpKernel($0.model) }
        var base = [0, 0]
        for layer in network.layers { base.append(base[base.count - 1] + layer.size) }
        neuronBase = base
        var layerOf = [Int](repeating: 0, count: base[base.count - 1])
        for k in 1...network.layers.count { for n in base[k]..<base[k + 1] { layerOf[n] = k } }
        self.layerOf = layerOf
        var synapseBase = [0]
        for p in network.projections { synapseBase.append(synapseBase[synapseBase.count - 1] + p.count) }
        self.synapseBase = synapseBase
        weights = network.projections.flatMap(\.weights)
        delays = network.projections.flatMap(\.delays)
        targetNeuron = network.projections.flatMap { p in p.post.map { Int32(base[p.target] + $0) } }
        outgoing = network.projections.enumerated().map { (p, projection) in
            let n = network.size(ofLayer: projection.source)
            var start = [Int32](repeating: 0, count: n + 1)
            for i in projection.pre { start[i + 1] += 1 }
            for i in 0..<n { start[i + 1] += start[i] }
            var next = start, synapses = [Int32](repeating: 0, count: projection.count)
            for s in 0..<projection.count {
                let i = projection.pre[s]
                synapses[Int(next[i])] = Int32(synapseBase[p] + s)
                next[i] += 1
            }
            return (start, synapses)
        }
        recurrentLayer = (0...network.layers.count).map { k in network.projections.contains { $0.source == k && $0.target == k } }
        arrivalsInOrder = (1...network.layers.count).allSatisfy { k in
            let incoming = network.projections.filter { $0.target == k }
            return incoming.count <= 1 && incoming.allSatisfy { p in p.delays.allSatisfy { $0 == p.delays.first } }
        }
    }

    var neuronCount: Int { neuronBase[neuronBase.count - 1] }

    /// New weights of the same network (structure and delays unchanged).
    mutating func setWeights(_ network: EventPropNetwork) {
        self.network = network
        weights = network.projections.flatMap(\.weights)
    }
}

extension EventPropWorkspace {
    /// The forward record, the loss and (into `gw`, `gd`, flat over global synapse indices) the
    /// gradient of one sample. `layerSpikes[k]`: (neuron, time) of LIF layer k ≥ 1 in time order;
    /// `inputs`: the input trains; `spikeTimeCost`: per flat LIF neuron, the coefficient cⱼ of a
    /// term Σₖ cⱼ·tⱼₖ over its spikes (`EventPropRegulariser`), or empty.
    mutating func sample(
        inputs: [[Double]], layerSpikes: [(neurons: [UInt32], times: [Double])], label: Int, duration T: Double,
        loss: EventPropLoss, spikeTimeCost: [Double] = [], gw: UnsafeMutablePointer<Double>?, gd: UnsafeMutablePointer<Double>?
    ) -> EventPropResult {
        let net = network, layerCount = net.layers.count + 1, N = neuronCount
        // Spikes per LIF neuron (CSR, ascending times).
        spikeStart = [Int32](repeating: 0, count: N + 1)
        for k in 1..<layerCount { for n in layerSpikes[k - 1].neurons { spikeStart[neuronBase[k] + Int(n) + 1] += 1 } }
        for n in 0..<N { spikeStart[n + 1] += spikeStart[n] }
        let spikeTotal = Int(spikeStart[N])
        spikeTime = [Double](repeating: 0, count: spikeTotal)
        fill = Array(spikeStart[0..<N])
        recordToSpike = layerSpikes.map { [Int32](repeating: 0, count: $0.neurons.count) }
        for k in 1..<layerCount {
            for (r, (n, t)) in zip(layerSpikes[k - 1].neurons, layerSpikes[k - 1].times).enumerated() {
                let flat = neuronBase[k] + Int(n)
                spikeTime[Int(fill[flat])] = t
                recordToSpike[k - 1][r] = fill[flat]
                fill[flat] += 1
            }
        }
        inputOrder.removeAll(keepingCapacity: true)
        for (i, train) in inputs.enumerated() { for t in train where t < T { inputOrder.append((t, Int32(i))) } }
        inputOrder.sort { $0.time != $1.time ? $0.time < $1.time : $0.neuron < $1.neuron }
        // Arrivals per LIF neuron (CSR): source spikes in time order, fanned out (so that with
        // one delay per projection each neuron's arrivals come out sorted).
        let inputOrder = self.inputOrder, recordToSpike = self.recordToSpike
        func forEachSourceSpike(_ k: Int, _ body: (Int, Double, Int32) -> Void) {
            if k == 0 {
                for (t, i) in inputOrder { body(Int(i), t, -1) }
            } else {
                let record = layerSpikes[k - 1]
                for r in record.neurons.indices { body(Int(record.neurons[r]), record.times[r], recordToSpike[k - 1][r]) }
            }
        }
        // (Filled through raw buffers of local arrays: no uniqueness check per arrival.)
        let delays = self.delays, targetNeuron = self.targetNeuron
        var starts = [Int32](repeating: 0, count: N + 1)
        starts.withUnsafeMutableBufferPointer { count in
            for (p, projection) in net.projections.enumerated() {
                let out = outgoing[p]
                forEachSourceSpike(projection.source) { i, t, _ in
                    for e in Int(out.start[i])..<Int(out.start[i + 1]) {
                        let g = Int(out.synapses[e])
                        if t + delays[g] < T { count[Int(targetNeuron[g]) + 1] += 1 }
                    }
                }
            }
            for n in 0..<N { count[n + 1] += count[n] }
        }
        arrivalStart = starts
        let events = Int(starts[N])
        var times = [Double](repeating: 0, count: events), synapses = [Int32](repeating: 0, count: events), sources = synapses
        var next = Array(starts[0..<N])
        // Without a gradient only the neurons whose potential enters the loss are replayed: the
        // readout and, with a regulariser, the silent neurons.
        let replayAll = gw != nil || !spikeTimeCost.isEmpty
        let readout = layerCount - 1
        times.withUnsafeMutableBufferPointer { time in
            synapses.withUnsafeMutableBufferPointer { synapse in
                sources.withUnsafeMutableBufferPointer { source in
                    next.withUnsafeMutableBufferPointer { next in
                        for (p, projection) in net.projections.enumerated() where replayAll || projection.target == readout {
                            let out = outgoing[p]
                            forEachSourceSpike(projection.source) { i, t, spike in
                                for e in Int(out.start[i])..<Int(out.start[i + 1]) {
                                    let g = Int(out.synapses[e]), a = t + delays[g]
                                    guard a < T else { continue }
                                    let j = Int(targetNeuron[g]), slot = Int(next[j])
                                    time[slot] = a
                                    synapse[slot] = Int32(g)
                                    source[slot] = spike
                                    next[j] += 1
                                }
                            }
                        }
                    }
                }
            }
        }
        (arrivalTime, arrivalSynapse, arrivalSource) = (times, synapses, sources)
        if !arrivalsInOrder { sortArrivals(from: replayAll ? 0 : neuronBase[readout]) }

        // Forward replay: I at every spike; the readout's logits.
        currentAtSpike = [Double](repeating: 0, count: spikeTotal)
        silentPeaks.removeAll(keepingCapacity: true)
        var logits = [Double](repeating: 0, count: net.layers[readout - 1].size)
        var maximumTime = [Double](repeating: 0, count: logits.count)
        var maximumCorner = [(arrival: Int32, slope: Double)](repeating: (-1, 0), count: logits.count)
        for n in (replayAll ? 0 : neuronBase[readout])..<N {
            let k = layerOf[n], kernel = kernels[k - 1], model = net.layers[k - 1].model
            var u = model.vRest - kernel.vInf, i = 0.0, t = 0.0
            // The maximum of V − vRest; when it lies at an input arrival (a corner of V), that
            // arrival and V̇ just after it: moving the arrival moves the maximum.
            var best = (value: u + model.bias, time: 0.0, corner: Int32(-1), slope: 0.0), integral = 0.0
            // A silent neuron's maximum enters the loss with the regulariser's cⱼ > 0 and, for the
            // label neuron under the first-spike loss, the missing-label term's β.
            var peakCost = 0.0
            if spikeStart[n] == spikeStart[n + 1] {
                if (k != readout || loss.readoutSpikes) && !spikeTimeCost.isEmpty && spikeTimeCost[n] > 0 { peakCost += spikeTimeCost[n] }
                if k == readout && n - neuronBase[readout] == label { peakCost += loss.missingLabelCost }
            }
            let silentCost = peakCost > 0
            let track = k == readout || silentCost
            if !track {
                replayCurrent(n, kernel)
                continue
            }
            func advance(to time: Double, arrival: Int = -1) {
                let h = time - t
                if track {
                    if k == readout, case .meanPotential = loss { integral += kernel.integral(u: u, i: i, over: h) + model.bias * h }
                    if let s = kernel.stationaryPoint(u: u, i: i, within: h) {
                        var (us, current) = (u, i)
                        kernel.advance(u: &us, i: &current, over: s)
                        if us + model.bias > best.value { best = (us + model.bias, t + s, -1, 0) }
                    }
                }
                kernel.advance(u: &u, i: &i, over: h)
                t = time
                if track, u + model.bias > best.value {
                    let w = arrival >= 0 ? weights[Int(arrivalSynapse[arrival])] : 0
                    best = (u + model.bias, t, Int32(arrival), (-u + i + w) / model.tauM)
                }
            }
            var s = Int(spikeStart[n])
            let lastSpike = Int(spikeStart[n + 1])
            for e in Int(arrivalStart[n])..<Int(arrivalStart[n + 1]) {
                while s < lastSpike && spikeTime[s] < arrivalTime[e] {
                    advance(to: spikeTime[s])
                    currentAtSpike[s] = i
                    u = model.vReset - kernel.vInf
                    s += 1
                }
                advance(to: arrivalTime[e], arrival: e)
                i += weights[Int(arrivalSynapse[e])]
            }
            while s < lastSpike {
                advance(to: spikeTime[s])
                currentAtSpike[s] = i
                u = model.vReset - kernel.vInf
                s += 1
            }
            advance(to: T)
            if silentCost { silentPeaks.append((Int32(n), best.time, best.value, best.corner, best.slope, peakCost)) }
            if k == readout {
                let j = n - neuronBase[readout]
                switch loss {
                case .maxPotential: (logits[j], maximumTime[j], maximumCorner[j]) = (best.value, best.time, (best.corner, best.slope))
                case .meanPotential: logits[j] = integral / T
                case .firstSpike: logits[j] = spikeStart[n] < spikeStart[n + 1] ? spikeTime[Int(spikeStart[n])] : T
                case .spikeCount: logits[j] = (Int(spikeStart[n])..<Int(spikeStart[n + 1])).reduce(0) { $0 + (1 - spikeTime[$1] / T) }
                }
            }
        }
        let (value, dz) = loss.evaluate(logits, label: label)
        var regularisation = 0.0
        if !spikeTimeCost.isEmpty {
            for n in 0..<N where spikeTimeCost[n] != 0 {
                for s in Int(spikeStart[n])..<Int(spikeStart[n + 1]) { regularisation += spikeTimeCost[n] * spikeTime[s] }
            }
        }
        for peak in silentPeaks {
            let model = net.layers[layerOf[Int(peak.neuron)] - 1].model
            regularisation += peak.cost * (model.vThreshold - model.vRest - peak.value)
        }
        let prediction = loss.prediction(logits)
        let decisionTime: Double
        switch loss {
        case .maxPotential: decisionTime = maximumTime[prediction]
        case .meanPotential, .spikeCount: decisionTime = T
        case .firstSpike: decisionTime = logits[prediction]
        }
        let result = EventPropResult(
            loss: value, regularisation: regularisation, logits: logits, prediction: prediction,
            spikeCounts: (1..<layerCount).map { Int(spikeStart[neuronBase[$0 + 1]] - spikeStart[neuronBase[$0]]) },
            synapticEvents: events, decisionTime: decisionTime,
            peakSpikesPerMs: SNNEvaluation.peakSpikes(inBinsOf: 1, times: spikeTime),
            weightGradients: [], delayGradients: [])
        guard let gw, let gd else { return result }

        // Backward, layer by layer from the readout.
        spikeTerm = [Double](repeating: 0, count: spikeTotal)
        if !spikeTimeCost.isEmpty {
            for n in 0..<N where spikeTimeCost[n] != 0 {
                for s in Int(spikeStart[n])..<Int(spikeStart[n + 1]) { spikeTerm[s] = spikeTimeCost[n] }
            }
        }
        source = [Double](repeating: 0, count: N)
        let readoutBase = neuronBase[readout]
        for j in logits.indices {
            switch loss {
            case .maxPotential, .firstSpike: break
            case .meanPotential: source[readoutBase + j] = dz[j] / T
            case .spikeCount:
                for s in Int(spikeStart[readoutBase + j])..<Int(spikeStart[readoutBase + j + 1]) { spikeTerm[s] -= dz[j] / T }
            }
            if case .firstSpike = loss, spikeStart[readoutBase + j] < spikeStart[readoutBase + j + 1] {
                spikeTerm[Int(spikeStart[readoutBase + j])] += dz[j]
            }
        }
        // A maximum at an input arrival a moves with it: ∂z/∂d = V̇(a⁻), of which the adjoint's
        // arrival term (with the jump ∂L/∂z after the arrival) gives −w/τm; the rest, ∂L/∂z·V̇(a⁺),
        // goes to the delay and to the presynaptic spike directly.
        func corner(_ e: Int32, _ value: Double) {
            guard e >= 0 else { return }
            gd[Int(arrivalSynapse[Int(e)])] += value
            let src = Int(arrivalSource[Int(e)])
            if src >= 0 { spikeTerm[src] += value }
        }
        if case .maxPotential = loss { for j in logits.indices { corner(maximumCorner[j].arrival, dz[j] * maximumCorner[j].slope) } }
        for peak in silentPeaks { corner(peak.corner, -peak.cost * peak.slope) }
        lambdaV = [Double](repeating: 0, count: N)
        lambdaI = lambdaV
        clock = [Double](repeating: T, count: N)
        for k in stride(from: readout, through: 1, by: -1) {
            let range = neuronBase[k]..<neuronBase[k + 1]
            var jump: (Int) -> (time: Double, value: Double)? = { _ in nil }
            if k == readout, case .maxPotential = loss { jump = { n in (maximumTime[n - readoutBase], dz[n - readoutBase]) } }
            if !(k == readout && loss == .maxPotential), !silentPeaks.isEmpty {
                // ∂/∂z of cⱼ·(θ − z) at the silent neurons' maxima.
                var peaks: [Int: (time: Double, value: Double)] = [:]
                for peak in silentPeaks where range.contains(Int(peak.neuron)) {
                    peaks[Int(peak.neuron)] = (peak.time, -peak.cost)
                }
                jump = { n in peaks[n] }
            }
            if recurrentLayer[k] {
                backwardTogether(range, gw: gw, gd: gd, jump: jump)
            } else {
                for n in range { backwardAlone(n, gw: gw, gd: gd, jump: jump(n)) }
            }
        }
        return result
    }

    /// The current at each spike of neuron `n`, whose potential the loss does not need: I alone,
    /// from the arrivals (the same arithmetic as `LIFExpKernel.advance` applies to I).
    private mutating func replayCurrent(_ n: Int, _ kernel: LIFExpKernel) {
        var s = Int(spikeStart[n])
        let lastSpike = Int(spikeStart[n + 1])
        guard s < lastSpike else { return }
        var i = 0.0, t = 0.0
        for e in Int(arrivalStart[n])..<Int(arrivalStart[n + 1]) {
            let a = arrivalTime[e]
            while s < lastSpike && spikeTime[s] < a {
                kernel.decay(current: &i, over: spikeTime[s] - t)
                t = spikeTime[s]
                currentAtSpike[s] = i
                s += 1
            }
            if s == lastSpike { return }
            kernel.decay(current: &i, over: a - t)
            t = a
            i += weights[Int(arrivalSynapse[e])]
        }
        while s < lastSpike {
            kernel.decay(current: &i, over: spikeTime[s] - t)
            t = spikeTime[s]
            currentAtSpike[s] = i
            s += 1
        }
    }

    /// Sorts each neuron's arrivals (from neuron `first` on) by time where they are not
    /// (heterogeneous delays).
    private mutating func sortArrivals(from first: Int) {
        let N = neuronCount
        for n in first..<N {
            let lo = Int(arrivalStart[n]), hi = Int(arrivalStart[n + 1])
            guard hi - lo > 1 else { continue }
            var sorted = true
            for e in (lo + 1)..<hi where arrivalTime[e] < arrivalTime[e - 1] {
                sorted = false
                break
            }
            if sorted { continue }
            var items = (lo..<hi).map { (time: arrivalTime[$0], synapse: arrivalSynapse[$0], source: arrivalSource[$0], index: $0) }
            items.sort { $0.time != $1.time ? $0.time < $1.time : $0.index < $1.index }
            for (m, e) in (lo..<hi).enumerated() { (arrivalTime[e], arrivalSynapse[e], arrivalSource[e]) = (items[m].time, items[m].synapse, items[m].source) }
        }
    }
}
