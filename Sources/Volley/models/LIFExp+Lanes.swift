import Foundation

/// LIF-exp in lane storage (`LaneStorable`), for the time-stepped engine: the vectorised step.
extension LIFExp: LaneStorable {
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
            // Ascending again, each block once (a second scan could fire a neuron reset by
            // subtraction twice).
            if added {
                scratch.candidateBlocks.sort()
                var unique = 0
                for b in scratch.candidateBlocks.indices where unique == 0 || scratch.candidateBlocks[b] != scratch.candidateBlocks[unique - 1] {
                    scratch.candidateBlocks[unique] = scratch.candidateBlocks[b]
                    unique &+= 1
                }
                scratch.candidateBlocks.removeLast(scratch.candidateBlocks.count - unique)
            }
        }

        // 4. Fire every neuron at threshold in the flagged blocks, in ascending order.
        for b in scratch.candidateBlocks {
            for i in (b &* blockWidth)..<Swift.min(b &* blockWidth &+ blockWidth, vectorCount)
            where vLane[i] >= vThreshold {
                fired.append(UInt32(truncatingIfNeeded: i))
                vLane[i] = afterSpike(vLane[i])
                refLane[i] = tRef
                if tRef > 0 { scratch.refractory.append(UInt32(truncatingIfNeeded: i)) }
            }
        }
        stepLanesPerNeuron(
            lanes, stride: stride, range: vectorCount..<count, advancingBy: h, using: p, at: time,
            fired: &fired)
    }
}
