import Foundation

/// The backward sweep of `EventPropWorkspace.sample`: each neuron's costate integrated in reverse
/// time, in closed form between its events (`LIFExpKernel.adjoint`), with the jumps at its spikes
/// and the gradient terms at its input arrivals (docs/eventprop.md, "Equations").
extension EventPropWorkspace {
    @inline(__always)
    private mutating func arrive(_ n: Int, _ e: Int, _ kernel: LIFExpKernel, gw: UnsafeMutablePointer<Double>, gd: UnsafeMutablePointer<Double>) {
        let g = Int(arrivalSynapse[e]), w = weights[g]
        let rate = kernel.lambdaIRate(lambdaV: lambdaV[n], lambdaI: lambdaI[n])
        gw[g] += lambdaI[n]
        gd[g] += w * rate
        let src = Int(arrivalSource[e])
        if src >= 0 { spikeTerm[src] += w * rate }
    }

    @inline(__always)
    private mutating func spike(_ n: Int, _ s: Int, _ kernel: LIFExpKernel) {
        lambdaV[n] = kernel.lambdaVBeforeSpike(lambdaV[n], current: currentAtSpike[s], spikeTerm: spikeTerm[s])
    }

    @inline(__always)
    private mutating func rewind(_ n: Int, to time: Double, _ kernel: LIFExpKernel) {
        kernel.adjoint(lambdaV: &lambdaV[n], lambdaI: &lambdaI[n], over: clock[n] - time, source: source[n])
        clock[n] = time
    }

    /// One neuron's events in reverse time: a readout jump, then spikes, then arrivals at equal
    /// times (the reverse of the forward order, where arrivals precede the threshold test).
    ///
    /// Without a loss density (c = 0) the costate stays exactly zero from T back to the neuron's
    /// latest non-zero jump or spike term, so the arrivals and spikes after it add exact zeros
    /// (gradient terms λ_I and w·λ̇_I): they are skipped.
    mutating func backwardAlone(_ n: Int, gw: UnsafeMutablePointer<Double>, gd: UnsafeMutablePointer<Double>, jump: (time: Double, value: Double)?) {
        let k = layerOf[n], kernel = kernels[k - 1]
        let arrivalTime = self.arrivalTime, arrivalSynapse = self.arrivalSynapse, arrivalSource = self.arrivalSource
        let spikeTime = self.spikeTime, currentAtSpike = self.currentAtSpike, weights = self.weights
        var e = Int(arrivalStart[n + 1]) - 1, s = Int(spikeStart[n + 1]) - 1
        let firstArrival = Int(arrivalStart[n]), firstSpike = Int(spikeStart[n])
        var lv = lambdaV[n], li = lambdaI[n], clock = self.clock[n]
        let c = source[n]
        var pending = jump
        if c == 0 && lv == 0 && li == 0 {
            var start = -Double.infinity
            if let j = pending, j.value != 0 { start = j.time }
            var z = s
            while z >= firstSpike && spikeTime[z] > start && spikeTerm[z] == 0 { z -= 1 }
            if z >= firstSpike { start = Swift.max(start, spikeTime[z]) }
            while s >= firstSpike && spikeTime[s] > start { s -= 1 }
            while e >= firstArrival && arrivalTime[e] > start { e -= 1 }
            if let j = pending, j.time > start { pending = nil }
        }
        spikeTerm.withUnsafeMutableBufferPointer { spikeTerm in
            while true {
                let ta = e >= firstArrival ? arrivalTime[e] : -.infinity
                let ts = s >= firstSpike ? spikeTime[s] : -.infinity
                if let j = pending, j.time >= ts && j.time >= ta {
                    kernel.adjoint(lambdaV: &lv, lambdaI: &li, over: clock - j.time, source: c)
                    clock = j.time
                    lv += j.value
                    pending = nil
                } else if s >= firstSpike && ts >= ta {
                    kernel.adjoint(lambdaV: &lv, lambdaI: &li, over: clock - ts, source: c)
                    clock = ts
                    lv = kernel.lambdaVBeforeSpike(lv, current: currentAtSpike[s], spikeTerm: spikeTerm[s])
                    s -= 1
                } else if e >= firstArrival {
                    kernel.adjoint(lambdaV: &lv, lambdaI: &li, over: clock - ta, source: c)
                    clock = ta
                    let g = Int(arrivalSynapse[e]), w = weights[g]
                    let rate = kernel.lambdaIRate(lambdaV: lv, lambdaI: li)
                    gw[g] += li
                    gd[g] += w * rate
                    let src = Int(arrivalSource[e])
                    if src >= 0 { spikeTerm[src] += w * rate }
                    e -= 1
                } else {
                    break
                }
            }
        }
        lambdaV[n] = lv
        lambdaI[n] = li
        self.clock[n] = clock
    }

    /// A recurrent layer: all its neurons' events in one reverse-time order (a spike's arrivals
    /// at its own layer's neurons must be processed before the spike).
    mutating func backwardTogether(_ range: Range<Int>, gw: UnsafeMutablePointer<Double>, gd: UnsafeMutablePointer<Double>, jump: (Int) -> (time: Double, value: Double)?) {
        // Events: kind 2 jump, 1 spike, 0 arrival; (time, kind, neuron, index).
        var queue: [(time: Double, kind: UInt8, neuron: Int32, index: Int32)] = []
        for n in range {
            for e in Int(arrivalStart[n])..<Int(arrivalStart[n + 1]) { queue.append((arrivalTime[e], 0, Int32(n), Int32(e))) }
            for s in Int(spikeStart[n])..<Int(spikeStart[n + 1]) { queue.append((spikeTime[s], 1, Int32(n), Int32(s))) }
            if let j = jump(n) { queue.append((j.time, 2, Int32(n), 0)) }
        }
        queue.sort { $0.time != $1.time ? $0.time > $1.time : $0.kind != $1.kind ? $0.kind > $1.kind : $0.index > $1.index }
        for event in queue {
            let n = Int(event.neuron), k = layerOf[n], kernel = kernels[k - 1]
            rewind(n, to: event.time, kernel)
            switch event.kind {
            case 0: arrive(n, Int(event.index), kernel, gw: gw, gd: gd)
            case 1: spike(n, Int(event.index), kernel)
            default: lambdaV[n] += jump(n)!.value
            }
        }
    }
}
