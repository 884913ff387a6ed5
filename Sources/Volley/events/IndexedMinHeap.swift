import VolleyPrefetch

/// One slot of an `IndexedMinHeap`: the slot's id and its current key (a time in ms).
@frozen
public struct SlotKey: Equatable, Sendable {
    public var time: Double
    public var id: UInt32

    @inlinable
    public init(time: Double, id: UInt32) {
        self.time = time
        self.id = id
    }

    /// Order (time, id): equal times are broken by ascending id.
    @inlinable @inline(__always)
    public static func precedes(_ a: SlotKey, _ b: SlotKey) -> Bool {
        a.time < b.time || (a.time == b.time && a.id < b.id)
    }
}

/// A 4-ary min-heap with at most one entry per slot `0..<capacity` and in-place key updates.
///
/// The event-driven engine keeps one slot per neuron holding the time of that neuron's next
/// spike (predicted threshold crossing, wake-up or next source spike). When an input changes a
/// neuron's prediction the slot's key is moved up or down in place, so a stale prediction is never
/// popped: there is nothing to discard lazily and the heap never holds more than one entry per
/// neuron. Order is (time, id); see docs/event-ordering.md.
public struct IndexedMinHeap {
    @usableFromInline var heap: ContiguousArray<SlotKey>
    /// position[id] = index in `heap`, or -1 when the slot is not queued.
    @usableFromInline var position: ContiguousArray<Int32>

    @inlinable
    public init(capacity: Int) {
        heap = []
        heap.reserveCapacity(capacity)
        position = ContiguousArray(repeating: -1, count: capacity)
    }

    @inlinable public var count: Int { heap.count }
    @inlinable public var isEmpty: Bool { heap.isEmpty }
    @inlinable public var capacity: Int { position.count }
    @inlinable public var capacityBytes: Int { heap.capacity * 16 + position.count * 4 }

    /// The slot with the smallest (time, id), if any.
    @inlinable public var min: SlotKey? { heap.first }

    @inlinable
    public func contains(_ id: Int) -> Bool { position[id] >= 0 }

    /// The queued time of `id`, or nil.
    @inlinable
    public func time(of id: Int) -> Double? {
        let p = position[id]
        return p >= 0 ? heap[Int(p)].time : nil
    }

    /// Empties the heap without releasing its storage.
    @inlinable
    public mutating func removeAll() {
        for entry in heap { position[Int(entry.id)] = -1 }
        heap.removeAll(keepingCapacity: true)
    }

    /// Sets the key of `id` to `time`, inserting it if absent. `time = +∞` removes the slot.
    @inlinable
    public mutating func update(_ id: Int, time: Double) {
        if time == .infinity {
            remove(id)
            return
        }
        let current = position[id]
        if current < 0 {
            heap.append(SlotKey(time: time, id: UInt32(truncatingIfNeeded: id)))
            siftUp(from: heap.count - 1)
            return
        }
        let i = Int(current)
        let old = heap[i].time
        if time < old {
            heap[i].time = time
            siftUp(from: i)
        } else if time > old {
            heap[i].time = time
            siftDown(from: i)
        }
    }

    /// Starts loading `id`'s position entry into the cache (a hint; no effect on the heap).
    @inlinable @inline(__always)
    public func prefetchPosition(_ id: Int) {
        position.withUnsafeBufferPointer { volley_prefetch($0.baseAddress.unsafelyUnwrapped + id) }
    }

    /// Starts loading `id`'s heap entry into the cache, if `id` is queued (a hint).
    @inlinable @inline(__always)
    public func prefetchEntry(_ id: Int) {
        let p = position[id]
        if p >= 0 { heap.withUnsafeBufferPointer { volley_prefetch($0.baseAddress.unsafelyUnwrapped + Int(p)) } }
    }

    /// Removes `id` if queued.
    @inlinable
    public mutating func remove(_ id: Int) {
        let current = position[id]
        guard current >= 0 else { return }
        let i = Int(current)
        position[id] = -1
        let last = heap.removeLast()
        guard i < heap.count else { return }
        // Put the former last entry into the vacated place and restore order in either direction.
        let removed = heap[i]
        heap[i] = last
        position[Int(last.id)] = Int32(i)
        if SlotKey.precedes(last, removed) {
            siftUp(from: i)
        } else {
            siftDown(from: i)
        }
    }

    /// Removes and returns the minimal slot.
    @inlinable
    @discardableResult
    public mutating func popMin() -> SlotKey? {
        guard let top = heap.first else { return nil }
        remove(Int(top.id))
        return top
    }

    @inlinable
    mutating func siftUp(from start: Int) {
        heap.withUnsafeMutableBufferPointer { h in
            position.withUnsafeMutableBufferPointer { pos in
                let entry = h[start]
                var hole = start
                while hole > 0 {
                    let parent = (hole &- 1) >> 2
                    let p = h[parent]
                    guard SlotKey.precedes(entry, p) else { break }
                    h[hole] = p
                    pos[Int(p.id)] = Int32(truncatingIfNeeded: hole)
                    hole = parent
                }
                h[hole] = entry
                pos[Int(entry.id)] = Int32(truncatingIfNeeded: hole)
            }
        }
    }

    @inlinable
    mutating func siftDown(from start: Int) {
        heap.withUnsafeMutableBufferPointer { h in
            position.withUnsafeMutableBufferPointer { pos in
                let n = h.count
                let entry = h[start]
                var hole = start
                while true {
                    let first = (hole << 2) &+ 1
                    if first >= n { break }
                    var best = first
                    var bestEntry = h[first]
                    let end = Swift.min(first &+ 4, n)
                    var child = first &+ 1
                    while child < end {
                        let candidate = h[child]
                        if SlotKey.precedes(candidate, bestEntry) {
                            best = child
                            bestEntry = candidate
                        }
                        child &+= 1
                    }
                    guard SlotKey.precedes(bestEntry, entry) else { break }
                    h[hole] = bestEntry
                    pos[Int(bestEntry.id)] = Int32(truncatingIfNeeded: hole)
                    hole = best
                }
                h[hole] = entry
                pos[Int(entry.id)] = Int32(truncatingIfNeeded: hole)
            }
        }
    }

    #if VOLLEY_INTERNAL_CHECKS
    /// Verifies heap order and the position map (debug builds only; O(n + capacity)).
    public func checkInvariants() {
        for (i, entry) in heap.enumerated() {
            precondition(position[Int(entry.id)] == Int32(i), "position map out of sync at \(i)")
            if i > 0 {
                precondition(
                    !SlotKey.precedes(entry, heap[(i - 1) >> 2]), "heap order violated at \(i)")
            }
        }
        precondition(position.filter { $0 >= 0 }.count == heap.count, "stray positions")
    }
    #endif
}
