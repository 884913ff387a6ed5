import Foundation

/// One sample through an `EventPropNetwork`: the loss, the readout's logits (or first-spike
/// times), and the exact gradient with respect to every weight and delay.
public struct EventPropResult: Sendable {
    public var loss: Double
    /// zₖ of the loss (potentials in mV, or first-spike times in ms).
    public var logits: [Double]
    public var prediction: Int
    /// Spikes of each LIF layer (1…).
    public var spikeCounts: [Int]
    /// Synaptic events delivered (arrivals before the end of the trial).
    public var synapticEvents: Int
    /// ∂L/∂w and ∂L/∂d per projection and synapse (empty without `gradient`).
    public var weightGradients: [[Double]]
    public var delayGradients: [[Double]]
}

/// EventProp's backward pass (Wunderlich & Pehle 2021), in closed form event by event.
///
/// Forward: the event-driven engine runs the `Network` exactly; its spike times are all the
/// backward pass takes from it. Each LIF neuron's synaptic current at its spikes, and the
/// readout's potentials, are then replayed from the input arrivals (closed form, `LIFExpKernel`).
///
/// Backward, over all events in reverse time order, each neuron's costate λ = (λ_V, λ_I) =
/// ∂L/∂(V, I) evolves by `LIFExpKernel.adjoint` between events, and
/// * at an input arrival at a = tₖ + d of weight w onto neuron j: ∂L/∂w += λ_I,j(a);
///   ∂L/∂d += w·λ̇_I,j(a) (λ̇_I = −λ_V/τm + λ_I/τs); the presynaptic spike's downstream term
///   Gₖ += w·λ̇_I,j(a) (moving the spike moves all its arrivals);
/// * at a spike of neuron i at t* (V̇∓ = (−(θ or V_reset − V∞) + I(t*))/τm just before / after):
///   λ_V⁻ = (λ_V⁺·V̇⁺ − ∂L/∂t* − Gₖ)/V̇⁻, λ_I unchanged — the jump of the costate across the
///   reset V ← V_reset of a hybrid system;
/// * at the maximum of a readout potential (`.maxPotential`): λ_V += ∂L/∂zₖ; a mean-potential
///   loss is the constant source c = ∂L/∂zₖ/T.
extension EventPropNetwork {
    /// Runs one sample (input trains in ms, trial length `duration` ms) in the event-driven
    /// engine, and with `gradient` back-propagates (a new simulator; `EventPropRunner` reuses one).
    public func run(
        inputs: [[Double]], label: Int, duration: Double, loss: EventPropLoss, gradient: Bool = true
    ) throws -> EventPropResult {
        try EventPropRunner(self).run(inputs: inputs, label: label, duration: duration, loss: loss, gradient: gradient)
    }

    func checkSample(label: Int, duration: Double, loss: EventPropLoss) throws {
        try loss.validate()
        guard loss.readoutSpikes == layers[layers.count - 1].spiking else {
            throw VolleyError.invalidParameter(
                name: "loss", value: "\(loss)",
                reason: loss.readoutSpikes ? "needs a spiking readout layer" : "needs a non-spiking readout layer")
        }
        guard (0..<layers[layers.count - 1].size).contains(label) else {
            throw VolleyError.invalidParameter(name: "label", value: "\(label)", reason: "no such readout neuron")
        }
        guard duration > 0, duration.isFinite else {
            throw VolleyError.invalidParameter(name: "duration", value: "\(duration)", reason: "must be > 0 ms")
        }
    }

    /// Spike times per layer and neuron from a finished run (layer 0: the input trains before
    /// `duration`).
    func recordedSpikes(_ sim: Simulator, _ ids: [PopulationID], inputs: [[Double]], duration: Double) throws -> [[[Double]]] {
        var spikes: [[[Double]]] = [inputs.map { $0.filter { $0 < duration }.sorted() }]
        for k in 1..<ids.count {
            var trains = [[Double]](repeating: [], count: size(ofLayer: k))
            let (neurons, times) = try sim.spikes(of: ids[k])
            for (n, t) in zip(neurons, times) { trains[Int(n)].append(t) }
            spikes.append(trains)
        }
        return spikes
    }

    /// The backward pass from the recorded spikes (`spikes[k][n]`: ascending times of neuron n of
    /// layer k, layer 0 the input).
    func backward(spikes: [[[Double]]], label: Int, duration T: Double, loss: EventPropLoss, gradient: Bool) -> EventPropResult {
        let layerCount = layers.count + 1
        let kernels = layers.map { LIFExpKernel($0.model) }
        // Flat numbering of LIF neurons and of their spikes.
        var neuronBase = [Int](repeating: 0, count: layerCount + 1)
        for k in 1..<layerCount { neuronBase[k + 1] = neuronBase[k] + layers[k - 1].size }
        var spikeBase: [[Int]] = [[]]
        var spikeTotal = 0
        for k in 1..<layerCount {
            spikeBase.append(spikes[k].map { train in defer { spikeTotal += train.count }; return spikeTotal })
        }
        // Input arrivals per LIF neuron: (time, weight, projection, synapse, source spike or −1).
        struct Arrival { var time: Double; var weight: Double; var projection: Int32; var synapse: Int32; var sourceSpike: Int32 }
        var arrivals = [[Arrival]](repeating: [], count: neuronBase[layerCount])
        for (p, projection) in projections.enumerated() {
            let sourceTrains = spikes[projection.source]
            for s in 0..<projection.count {
                let pre = projection.pre[s], target = neuronBase[projection.target] + projection.post[s]
                for (k, t) in sourceTrains[pre].enumerated() {
                    let a = t + projection.delays[s]
                    guard a < T else { break }
                    let flat = projection.source == 0 ? -1 : spikeBase[projection.source][pre] + k
                    arrivals[target].append(Arrival(time: a, weight: projection.weights[s], projection: Int32(p), synapse: Int32(s), sourceSpike: Int32(flat)))
                }
            }
        }
        // Forward replay: I at every spike; the readout's logits.
        let readout = layerCount - 1
        let readoutModel = layers[readout - 1].model
        var currentAtSpike = [Double](repeating: 0, count: spikeTotal)
        var logits = [Double](repeating: 0, count: layers[readout - 1].size)
        var maximumTime = [Double](repeating: 0, count: logits.count)
        var events = 0
        for k in 1..<layerCount {
            let kernel = kernels[k - 1], model = layers[k - 1].model
            for n in 0..<layers[k - 1].size {
                let flat = neuronBase[k] + n
                arrivals[flat].sort { $0.time < $1.time }
                events += arrivals[flat].count
                var u = model.vRest - kernel.vInf, i = 0.0, t = 0.0
                let own = spikes[k][n]
                var next = 0
                var best = (value: u + model.bias, time: 0.0), integral = 0.0
                func advance(to time: Double) {
                    let h = time - t
                    if k == readout {
                        if case .meanPotential = loss { integral += kernel.integral(u: u, i: i, over: h) + model.bias * h }
                        if let s = kernel.stationaryPoint(u: u, i: i, within: h) {
                            var (us, ispk) = (u, i)
                            kernel.advance(u: &us, i: &ispk, over: s)
                            if us + model.bias > best.value { best = (us + model.bias, t + s) }
                        }
                    }
                    kernel.advance(u: &u, i: &i, over: h)
                    t = time
                    if k == readout, u + model.bias > best.value { best = (u + model.bias, t) }
                }
                for arrival in arrivals[flat] {
                    while next < own.count && own[next] < arrival.time {
                        advance(to: own[next])
                        currentAtSpike[spikeBase[k][n] + next] = i
                        u = model.vReset - kernel.vInf
                        next += 1
                    }
                    advance(to: arrival.time)
                    i += arrival.weight
                }
                while next < own.count {
                    advance(to: own[next])
                    currentAtSpike[spikeBase[k][n] + next] = i
                    u = model.vReset - kernel.vInf
                    next += 1
                }
                advance(to: T)
                if k == readout {
                    switch loss {
                    case .maxPotential: (logits[n], maximumTime[n]) = (best.value, best.time)
                    case .meanPotential: logits[n] = integral / T
                    case .firstSpike: logits[n] = own.first ?? T
                    }
                }
            }
        }
        let (value, dz) = loss.evaluate(logits, label: label)
        let counts = (1..<layerCount).map { spikes[$0].reduce(0) { $0 + $1.count } }
        var result = EventPropResult(
            loss: value, logits: logits, prediction: loss.prediction(logits), spikeCounts: counts, synapticEvents: events,
            weightGradients: [], delayGradients: [])
        guard gradient else { return result }

        // Backward sweep over all events, latest first.
        struct Event { var time: Double; var kind: UInt8; var a: Int32; var b: Int32 }  // kind 0 arrival (neuron, index), 1 spike (neuron, flat), 2 readout jump (neuron, readout index)
        var queue: [Event] = []
        queue.reserveCapacity(events + spikeTotal + logits.count)
        for (flat, list) in arrivals.enumerated() {
            for index in list.indices { queue.append(Event(time: list[index].time, kind: 0, a: Int32(flat), b: Int32(index))) }
        }
        var spikeTerm = [Double](repeating: 0, count: spikeTotal)  // ∂L/∂t* (direct) + Gₖ
        for k in 1..<layerCount {
            for n in 0..<layers[k - 1].size {
                for (index, t) in spikes[k][n].enumerated() {
                    queue.append(Event(time: t, kind: 1, a: Int32(neuronBase[k] + n), b: Int32(spikeBase[k][n] + index)))
                }
            }
        }
        var source = [Double](repeating: 0, count: neuronBase[layerCount])
        let readoutBase = neuronBase[readout]
        for n in logits.indices {
            switch loss {
            case .maxPotential: queue.append(Event(time: maximumTime[n], kind: 2, a: Int32(readoutBase + n), b: Int32(n)))
            case .meanPotential: source[readoutBase + n] = dz[n] / T
            case .firstSpike: if !spikes[readout][n].isEmpty { spikeTerm[spikeBase[readout][n]] += dz[n] }
            }
        }
        // Latest first; at equal times readout jumps, then spikes, then arrivals (the reverse of
        // the forward order: arrivals are applied before the threshold test at the same time).
        queue.sort { $0.time != $1.time ? $0.time > $1.time : $0.kind > $1.kind }
        var layerOf = [Int](repeating: 0, count: neuronBase[layerCount])
        for k in 1..<layerCount { for n in neuronBase[k]..<neuronBase[k + 1] { layerOf[n] = k } }
        var lambdaV = [Double](repeating: 0, count: neuronBase[layerCount]), lambdaI = lambdaV
        var clock = [Double](repeating: T, count: neuronBase[layerCount])
        var gw = projections.map { [Double](repeating: 0, count: $0.count) }, gd = gw
        for event in queue {
            let n = Int(event.a), k = layerOf[n], kernel = kernels[k - 1]
            kernel.adjoint(lambdaV: &lambdaV[n], lambdaI: &lambdaI[n], over: clock[n] - event.time, source: source[n])
            clock[n] = event.time
            switch event.kind {
            case 0:
                let arrival = arrivals[n][Int(event.b)]
                let rate = kernel.lambdaIRate(lambdaV: lambdaV[n], lambdaI: lambdaI[n])
                let p = Int(arrival.projection), s = Int(arrival.synapse)
                gw[p][s] += lambdaI[n]
                gd[p][s] += arrival.weight * rate
                if arrival.sourceSpike >= 0 { spikeTerm[Int(arrival.sourceSpike)] += arrival.weight * rate }
            case 1:
                let model = layers[k - 1].model, current = currentAtSpike[Int(event.b)]
                let before = (-(model.vThreshold - kernel.vInf) + current) / model.tauM
                let after = (-(model.vReset - kernel.vInf) + current) / model.tauM
                lambdaV[n] = (lambdaV[n] * after - spikeTerm[Int(event.b)]) / before
            default:
                lambdaV[n] += dz[Int(event.b)]
            }
        }
        result.weightGradients = gw
        result.delayGradients = gd
        return result
    }
}
