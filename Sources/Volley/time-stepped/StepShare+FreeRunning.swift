/// Thread 0's serial work in a free-running step (`TimeSteppedSimulator.freeSerialPart`): the
/// sources' spikes of step n, and the recording of every thread's spikes of step n − 1.
enum FreeSerialWork {
    case emitSources
    case recordPrevious
}

/// One thread's steps when the threads run without the calling thread in between
/// (`TimeSteppedSimulator.advanceFreely`): each gathers the step's due keys itself from every
/// thread's posting (all threads gather the same keys and sort them the same way), advances and
/// fires its blocks, posts where its next keys and its fired neurons are, and meets the others
/// (`StepBoard`).
extension StepShare {
    /// Thread k's steps `first ... last`, one barrier per step. Thread 0 also runs
    /// `serialPart` in each (the recording of step n − 1's spikes and the sources' emissions;
    /// nothing another thread touches); every other thread runs only its own part.
    mutating func runFreely(
        steps first: Int, through last: Int, dt: Double, thread k: Int, board: StepBoard,
        serialPart: ((FreeSerialWork, Int, inout StepShare) -> Void)?
    ) {
        for n in first...last {
            // Every thread read slot n − 1 during step n − 1, before that step's barrier.
            if n > first { ring[(n &- 1) % layout.ringLength].removeAll(keepingCapacity: true) }
            gatherDue(step: n, board: board)
            serialPart?(.recordPrevious, n, &self)
            serialPart?(.emitSources, n, &self)
            let time = Double(n) * dt
            let input = dueKeys.withUnsafeBufferPointer { keys in
                dueStart.withUnsafeBufferPointer { starts in
                    noSnapshot.withUnsafeBufferPointer { none in
                        StepInput(time: time, step: n, advancing: true, keys: keys, snapshot: none.baseAddress, dueStart: starts.baseAddress)
                    }
                }
            }
            step(input, thread: k)
            keepFired(step: n)
            post(step: n, board: board, thread: k)
            board.arrive(k, step: n)
        }
    }

    /// Thread k's steps `first ... last` for kernels in two halves (`splitSteps`): a neuron's
    /// firing at step n does not read step n's inputs, so each thread advances and fires its
    /// blocks, posts its spikes and next keys, and only then waits for the others' posts of step
    /// n − 1 (the keys due now) and adds its inputs. A thread may thus run up to one step ahead
    /// of the slowest instead of meeting it at every step. Memory a thread reuses: ring slot n − 3
    /// at step n (every thread read it at step n − 3, before arriving at n − 2, which this thread
    /// waited for at step n − 1; the ring holds d_max + 3 slots), postings and fired lists four
    /// steps apart (`StepBoard`). The same keys in the same order as `runFreely`, so the same
    /// spikes.
    mutating func runPipelined(
        steps first: Int, through last: Int, dt: Double, thread k: Int, board: StepBoard,
        serialPart: ((FreeSerialWork, Int, inout StepShare) -> Void)?
    ) {
        let threads = layout.threads
        for n in first...last {
            if n >= 3 { ring[(n &- 3) % layout.ringLength].removeAll(keepingCapacity: true) }
            serialPart?(.emitSources, n, &self)
            let time = Double(n) * dt
            firePopulations(step: n) { p, share in
                share.splitSteps[p].unsafelyUnwrapped.advanceAndFire(
                    time, share.layout.blockOf[p &* threads &+ k], k, &share.fired, &share.counters)
            }
            keepFired(step: n)
            post(step: n, board: board, thread: k)
            board.publish(k, step: n)
            board.wait(k, forOthersAt: n &- 1)
            gatherDue(step: n, board: board)
            serialPart?(.recordPrevious, n, &self)
            addInputs(time: time, thread: k)
        }
    }

    /// The second half of a pipelined step: thread k's part of the due keys (`dueKeys`) added
    /// to its blocks, population by population.
    @inline(__always)
    mutating func addInputs(time: Double, thread k: Int) {
        let (layout, starts) = (self.layout, dueStart)
        dueKeys.withUnsafeBufferPointer { keys in
            noSnapshot.withUnsafeBufferPointer { none in
                for p in modelPopulations {
                    let due = DueDeliveries(
                        keys: UnsafeBufferPointer(rebasing: keys[starts[p]..<starts[p + 1]]), snapshotOffsets: nil,
                        snapshot: none.baseAddress.unsafelyUnwrapped, views: layout.views, splits: layout.splits,
                        parts: layout.threads, part: k)
                    splitSteps[p].unsafelyUnwrapped.addInputs(time, due, &counters)
                }
            }
        }
    }

    /// Keeps step n's fired lists (`fired`, `firedEnd`) in the history entry of n mod 4, where
    /// `post` points the others; `fired` takes that entry's old buffers (four steps old).
    @inline(__always)
    mutating func keepFired(step n: Int) {
        swap(&fired, &firedHistory[n & 3])
        swap(&firedEnd, &firedEndHistory[n & 3])
    }

    /// Posts, for step `n`, where this thread's keys due at step n + 1 and its neurons fired at
    /// step n (kept by `keepFired`) are. Also used once by the calling thread before the threads
    /// start (for the keys due at the first step).
    mutating func post(step n: Int, board: StepBoard, thread k: Int) {
        let slot = (n &+ 1) % layout.ringLength
        var posting = StepBoard.Posting()
        ring[slot].withUnsafeBufferPointer { posting.due = $0.baseAddress; posting.dueCount = $0.count }
        firedHistory[n & 3].withUnsafeBufferPointer { posting.fired = $0.baseAddress }
        firedEndHistory[n & 3].withUnsafeBufferPointer { posting.firedEnd = $0.baseAddress }
        board.post(k, step: n, posting)
    }

    /// The keys due at step `n` from every thread's posting of step n − 1, sorted in delivery
    /// order and grouped by target population into `dueKeys` / `dueStart`.
    mutating func gatherDue(step n: Int, board: StepBoard) {
        merged.removeAll(keepingCapacity: true)
        for m in 0..<layout.threads {
            let posting = board.posting(m, step: n &- 1)
            if posting.dueCount > 0 {
                merged.append(contentsOf: UnsafeBufferPointer(start: posting.due, count: posting.dueCount))
            }
        }
        merged.sort()
        merged.withUnsafeBufferPointer { keys in
            StepShare.group(keys, views: layout.views, populations: layout.populationCount, into: &dueKeys, start: &dueStart, cursor: &dueCursor)
        }
    }

    /// Groups sorted delivery keys by their projection's target population (a stable counting
    /// sort): population p's are `grouped[start[p] ..< start[p + 1]]`.
    static func group(
        _ keys: UnsafeBufferPointer<UInt64>, views: UnsafeMutableBufferPointer<ProjectionView>, populations: Int,
        into grouped: inout ContiguousArray<UInt64>, start: inout [Int], cursor: inout [Int]
    ) {
        for p in 0...populations { start[p] = 0 }
        grouped.removeAll(keepingCapacity: true)
        guard !keys.isEmpty else { return }
        for key in keys { start[views[DeliveryEvent(time: 0, key: key).projection].targetPopulation &+ 1] &+= 1 }
        for p in 0..<populations { start[p &+ 1] &+= start[p] }
        grouped.append(contentsOf: repeatElement(0, count: keys.count))
        for p in 0...populations { cursor[p] = start[p] }
        for key in keys {
            let target = views[DeliveryEvent(time: 0, key: key).projection].targetPopulation
            grouped[cursor[target]] = key
            cursor[target] &+= 1
        }
    }
}
