/// One thread's steps when the threads run without the calling thread in between
/// (`TimeSteppedSimulator.advanceFreely`): each gathers the step's due keys itself from every
/// thread's posting (all threads gather the same keys and sort them the same way), advances and
/// fires its blocks, posts where its next keys and its fired neurons are, and meets the others
/// at the step's barrier (`StepBoard`).
extension StepShare {
    /// Thread k's steps `first ... last`. Thread 0 also runs `serialPart(n)` before its part of
    /// step n (the sources' emissions and the recording of step n − 1's spikes; nothing another
    /// thread touches); every other thread runs only its own part.
    mutating func runFreely(
        steps first: Int, through last: Int, dt: Double, thread k: Int, board: StepBoard,
        serialPart: ((Int, inout StepShare) -> Void)?
    ) {
        for n in first...last {
            // Every thread read slot n − 1 during step n − 1, before that step's barrier.
            if n > first { ring[(n &- 1) % layout.ringLength].removeAll(keepingCapacity: true) }
            gatherDue(step: n, board: board)
            serialPart?(n, &self)
            swap(&fired, &firedSpare)
            swap(&firedEnd, &firedEndSpare)
            let time = Double(n) * dt
            let input = dueKeys.withUnsafeBufferPointer { keys in
                dueStart.withUnsafeBufferPointer { starts in
                    noSnapshot.withUnsafeBufferPointer { none in
                        StepInput(time: time, step: n, advancing: true, keys: keys, snapshot: none.baseAddress, dueStart: starts.baseAddress)
                    }
                }
            }
            step(input, thread: k)
            post(step: n, board: board, thread: k)
            board.arrive(k, step: n)
        }
    }

    /// Posts, for step `n`'s parity, where this thread's keys due at step n + 1 and its neurons
    /// fired at step n are. Also used once by the calling thread before the threads start (for
    /// the keys due at the first step).
    mutating func post(step n: Int, board: StepBoard, thread k: Int) {
        let slot = (n &+ 1) % layout.ringLength
        var posting = StepBoard.Posting()
        ring[slot].withUnsafeBufferPointer { posting.due = $0.baseAddress; posting.dueCount = $0.count }
        fired.withUnsafeBufferPointer { posting.fired = $0.baseAddress }
        firedEnd.withUnsafeBufferPointer { posting.firedEnd = $0.baseAddress }
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
