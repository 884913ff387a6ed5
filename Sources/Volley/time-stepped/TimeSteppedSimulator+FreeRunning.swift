/// Free-running steps on threads: where nothing between two steps needs every thread's results
/// at once — no plasticity (its rule runs on the step's arrivals before the update), no stop
/// condition (checked on the step's spikes), no state sample due — the threads run many steps
/// without the calling thread's serial part in between, exchanging their spikes through
/// `StepBoard` instead of a fork and a join: pipelined with lane kernels (a thread fires step n
/// before it waits for the others' step n − 1, `StepShare.runPipelined`), else at a barrier per
/// step (`StepShare.runFreely`). Each thread gathers and sorts the step's due keys
/// from all threads' postings itself, so every thread applies the same keys in the same order
/// as the one-thread engine, and the spikes stay bit-identical. Thread 0 emits the sources' spikes
/// and records each step's spikes during the next step (population by population, threads'
/// blocks in order: the one-thread order).
extension TimeSteppedSimulator {
    /// The fewest steps worth a free run (each costs a fork and a join of its own).
    static let minimumFreeSteps = 2

    /// The last step a free run from the current step may end with, or nil where steps must run
    /// one at a time (one thread, plasticity, a stop condition, an unbounded run, a state sample
    /// due before `minimumFreeSteps` have passed).
    func freeRunEnd(lastStep: Int, end: Double, stop: StopCondition) -> Int? {
        guard threads > 1, stop == .never, !hasPlasticity, end < .infinity else { return nil }
        var through = lastStep
        if nextSampleTime <= Double(lastStep) * dt + 1e-9 * dt {
            // The first step whose sampling (`sampleStates(upTo: tₙ + 10⁻⁹·dt)`) takes the next
            // sample runs on its own.
            var sampleStep = Swift.max(step, Int(((nextSampleTime - 1e-9 * dt) / dt).rounded(.up)))
            while sampleStep > step && nextSampleTime <= Double(sampleStep - 1) * dt + 1e-9 * dt { sampleStep -= 1 }
            while nextSampleTime > Double(sampleStep) * dt + 1e-9 * dt { sampleStep += 1 }
            through = sampleStep - 1
        }
        return through &- step >= Self.minimumFreeSteps ? through : nil
    }

    /// Runs steps step + 1 … `through` on all threads freely (see the extension's comment).
    func advanceFreely(through last: Int) {
        let first = step + 1
        // Keys the sources scheduled into the calling thread's ring go to thread 0's.
        for slot in ring.indices where !ring[slot].isEmpty {
            share(0).pointee.ring[slot].append(contentsOf: ring[slot])
            ring[slot].removeAll(keepingCapacity: true)
        }
        board.reset(before: first)
        for k in 0..<threads { share(k).pointee.post(step: step, board: board, thread: k) }
        input.pointee.free = first..<(last + 1)
        team.unsafelyUnwrapped.run()
        input.pointee.free = 0..<0
        for k in 0..<threads { barrierWaitSeconds[k] += board.waitSeconds(k) }
        recordFreeSpikes(ofStep: last, into: &share(0).pointee.counters)
        // The slots the threads have not cleared (the last three; only the last one when they met
        // at every step), none of them pending: the ring holds d_max + 3 slots.
        for k in 0..<threads {
            for n in Swift.max(0, last - 2)...last { share(k).pointee.ring[n % ring.count].removeAll(keepingCapacity: true) }
        }
        if !share(0).pointee.splitSteps.isEmpty { pipelinedSteps += last - step }
        freeSteps += last - step
        step = last
        time = Double(last) * dt
        sampleStates(upTo: time + 1e-9 * dt)
    }

    /// Thread 0's serial work in free step n: recording step n − 1's spikes (the first step's
    /// predecessor ran serially and is recorded) and counting the step's due keys, once all
    /// threads have posted step n − 1; emitting the sources' spikes of step n into thread 0's ring
    /// before it posts step n.
    func freeSerialPart(_ work: FreeSerialWork, step n: Int, share: inout StepShare) {
        guard work == .emitSources else {
            share.counters.deliveryPops &+= UInt64(share.merged.count)
            if n > input.pointee.free.lowerBound { recordFreeSpikes(ofStep: n - 1, into: &share.counters) }
            return
        }
        let t = Double(n) * dt
        for p in network.populations.indices where kernels[p] == nil {
            sourceFired.removeAll(keepingCapacity: true)
            sources[p].unsafelyUnwrapped.emitDue(step: n, gridStep: gridStep, into: &sourceFired, &share.counters)
            for local in sourceFired {
                share.counters.spikes &+= 1
                share.counters.deliveryPushes &+= UInt64(share.layout.schedule(p, Int(local), at: n, into: &share.ring))
                _ = noteSpike(population: p, local: Int(local), time: t, stop: .never)
            }
        }
    }

    /// Records the model neurons' spikes of free step n from the threads' postings.
    func recordFreeSpikes(ofStep n: Int, into counters: inout EngineCounters) {
        let t = Double(n) * dt
        for p in network.populations.indices where kernels[p] != nil {
            for k in 0..<threads {
                let posting = board.posting(k, step: n)
                let firedEnd = posting.firedEnd.unsafelyUnwrapped
                let start = p == 0 ? 0 : firedEnd[p - 1], end = firedEnd[p]
                guard end > start else { continue }
                counters.spikes &+= UInt64(end - start)
                _ = noteSpikes(population: p, locals: UnsafeBufferPointer(start: posting.fired.unsafelyUnwrapped + start, count: end - start), time: t, stop: .never)
            }
        }
    }
}
