import VolleyPrefetch

/// One slot of an `IndexedMinTree`: the slot's id and its current key (a time in ms).
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

/// A min-queue with one slot per id `0..<capacity`, keyed by (time, id), with O(1) key updates in
/// the common case: a tournament tree of block minima, 32 children per node.
///
/// The event-driven engine keeps one slot per neuron holding the time of that neuron's next
/// spike (predicted threshold crossing, wake-up or next source spike), and moves it after every
/// input, about ten times as often as it pops. A heap pays a sift for each move. Here the slots'
/// times sit in a flat array indexed by id (level 0); each level above stores, for every block of
/// 32 consecutive entries below it, the block's minimal (time, id); the single entry at the top
/// is the queue's minimum. Changing a slot's time touches the levels above only when the slot
/// becomes, or was, its block's minimum:
///
/// * the new key precedes the block's minimum → it becomes the minimum (and so on upwards);
/// * the slot *was* the block's minimum and its key grew → the block is rescanned (32 times,
///   vectorised) and the new minimum passed up;
/// * otherwise nothing above changes: one store.
///
/// A rescan takes the first minimal time in slot order, and blocks cover ascending id ranges, so
/// equal times are broken by ascending id exactly as `SlotKey.precedes` orders them: the pop
/// order is the same total order (time, id) as a heap's (docs/event-ordering.md). An absent slot
/// holds +∞. Nothing is ever popped lazily: a stale key is overwritten in place.
///
/// A `final class` owning raw storage allocated once, so that the event-driven engine's
/// populations can each keep their queue and a permanent `UnsafeHandle` on it (no uniqueness
/// checks per update).
public final class IndexedMinTree {
    /// Children per node (a power of two); a rescan reads this many entries.
    @usableFromInline static var fanOut: Int { 32 }
    @usableFromInline static var fanOutShift: Int { 5 }

    /// Level 0: every slot's time (+∞ when absent), padded to a multiple of `fanOut`.
    @usableFromInline let leaves: UnsafeMutableBufferPointer<Double>
    /// Levels 1…top, concatenated: each entry is the minimum (time, id) of one block below.
    @usableFromInline let nodeTimes: UnsafeMutableBufferPointer<Double>
    @usableFromInline let nodeIds: UnsafeMutableBufferPointer<UInt32>
    /// Start of level k (k ≥ 1) in `nodeTimes`/`nodeIds` is `levelStart[k - 1]`; the last level
    /// has one entry, the root.
    @usableFromInline let levelStart: UnsafeMutableBufferPointer<Int>
    /// Number of slots with a finite time.
    @usableFromInline let queued: UnsafeMutablePointer<Int>
    @usableFromInline let slotCount: Int

    public init(capacity: Int) {
        precondition(capacity >= 0 && capacity <= Int(UInt32.max), "capacity out of range: \(capacity)")
        slotCount = capacity
        let f = Self.fanOut
        var width = Swift.max(f, (capacity + f - 1) / f * f)
        leaves = .allocate(capacity: width)
        leaves.initialize(repeating: .infinity)
        var starts: [Int] = []
        var nodes = 0
        while true {
            let entries = width / f
            let padded = entries == 1 ? 1 : (entries + f - 1) / f * f
            starts.append(nodes)
            nodes += padded
            if padded == 1 { break }
            width = padded
        }
        nodeTimes = .allocate(capacity: nodes)
        nodeTimes.initialize(repeating: .infinity)
        nodeIds = .allocate(capacity: nodes)
        nodeIds.initialize(repeating: 0)
        levelStart = .allocate(capacity: starts.count)
        _ = levelStart.initialize(from: starts)
        queued = .allocate(capacity: 1)
        queued.initialize(to: 0)
        resetNodeIds()
    }

    deinit {
        leaves.deallocate()
        nodeTimes.deallocate()
        nodeIds.deallocate()
        levelStart.deallocate()
        queued.deallocate()
    }

    /// Gives every block entry the id an empty block reports, its first slot (entry e of level k
    /// covers slots from e·fanOutᵏ on), as a rescan of an empty block would.
    func resetNodeIds() {
        var span = Self.fanOut
        for level in 0..<levelStart.count {
            let start = levelStart[level]
            let end = level + 1 < levelStart.count ? levelStart[level + 1] : nodeIds.count
            for e in 0..<(end - start) {
                nodeIds[start + e] = UInt32(truncatingIfNeeded: Swift.min(e * span, Int(UInt32.max)))
            }
            span = Swift.min(span * Self.fanOut, Int(UInt32.max) + 1)
        }
    }

    @inlinable public var count: Int { queued.pointee }
    @inlinable public var isEmpty: Bool { queued.pointee == 0 }
    @inlinable public var capacity: Int { slotCount }
    @inlinable public var capacityBytes: Int {
        leaves.count * 8 + nodeTimes.count * 8 + nodeIds.count * 4
    }

    /// The slot with the smallest (time, id), if any.
    @inlinable public var min: SlotKey? { handle.min }

    @inlinable
    public func contains(_ id: Int) -> Bool { leaves[id] < .infinity }

    /// The queued time of `id`, or nil.
    @inlinable
    public func time(of id: Int) -> Double? {
        let t = leaves[id]
        return t < .infinity ? t : nil
    }

    /// Empties the queue without releasing its storage.
    public func removeAll() {
        guard queued.pointee > 0 else { return }
        leaves.update(repeating: .infinity)
        nodeTimes.update(repeating: .infinity)
        resetNodeIds()
        queued.pointee = 0
    }

    /// Removes `id` if queued.
    @inlinable
    public func remove(_ id: Int) { update(id, time: .infinity) }

    /// Removes and returns the minimal slot.
    @inlinable
    @discardableResult
    public func popMin() -> SlotKey? {
        guard let top = min else { return nil }
        update(Int(top.id), time: .infinity)
        return top
    }

    /// Sets the key of `id` to `time`, inserting it if absent. `time = +∞` removes the slot.
    @inlinable
    public func update(_ id: Int, time: Double) { handle.update(id, time: time) }

    /// The tree's storage as raw pointers, valid as long as the tree: the engines' loops keep one
    /// in a local and update through it.
    @inlinable
    public var handle: UnsafeHandle {
        UnsafeHandle(
            leaf: leaves.baseAddress.unsafelyUnwrapped, times: nodeTimes.baseAddress.unsafelyUnwrapped,
            ids: nodeIds.baseAddress.unsafelyUnwrapped, starts: UnsafeBufferPointer(levelStart),
            slotCount: slotCount, root: nodeTimes.count &- 1, queued: queued)
    }

    /// Pointers to a tree's storage (see `handle`).
    @frozen
    public struct UnsafeHandle {
        @usableFromInline let leaf: UnsafeMutablePointer<Double>
        @usableFromInline let times: UnsafeMutablePointer<Double>
        @usableFromInline let ids: UnsafeMutablePointer<UInt32>
        @usableFromInline let starts: UnsafeBufferPointer<Int>
        @usableFromInline let slotCount: Int
        /// Index of the root entry in `times`/`ids`.
        @usableFromInline let root: Int
        @usableFromInline let queued: UnsafeMutablePointer<Int>

        @inlinable
        init(
            leaf: UnsafeMutablePointer<Double>, times: UnsafeMutablePointer<Double>,
            ids: UnsafeMutablePointer<UInt32>, starts: UnsafeBufferPointer<Int>, slotCount: Int,
            root: Int, queued: UnsafeMutablePointer<Int>
        ) {
            self.leaf = leaf
            self.times = times
            self.ids = ids
            self.starts = starts
            self.slotCount = slotCount
            self.root = root
            self.queued = queued
        }

        /// `IndexedMinTree.min`.
        @inlinable @inline(__always)
        public var min: SlotKey? {
            let t = times[root]
            return t < .infinity ? SlotKey(time: t, id: ids[root]) : nil
        }

        /// The time of the minimal slot (+∞ when empty).
        @inlinable @inline(__always)
        public var minTime: Double { times[root] }

        /// `IndexedMinTree.update`.
        @inlinable @inline(__always)
        public func update(_ id: Int, time: Double) {
            precondition(id >= 0 && id < slotCount, "slot \(id) out of range 0..<\(slotCount)")
            assert(!time.isNaN, "a queue key must not be NaN")
            let old = leaf[id]
            if old == time { return }
            if old == .infinity { queued.pointee &+= 1 } else if time == .infinity { queued.pointee &-= 1 }
            // The common case inline (the slot neither is nor becomes its block's minimum: one
            // store); the climb and the rescans out of line, to keep the callers' loops small.
            let node = starts[0] &+ (id &>> IndexedMinTree.fanOutShift)
            let nodeId = ids[node]
            let slot = UInt32(truncatingIfNeeded: id)
            if nodeId != slot && !SlotKey.precedes(SlotKey(time: time, id: slot), SlotKey(time: times[node], id: nodeId)) {
                leaf[id] = time
                return
            }
            IndexedMinTree.propagate(id, time, leaf, times, ids, starts)
        }

        /// Starts loading `id`'s time into the cache (a hint; no effect on the queue).
        @inlinable @inline(__always)
        public func prefetchSlot(_ id: Int) { volley_prefetch(leaf + id) }
    }

    /// Stores the leaf and repairs the block minima above it (see the type's comment).
    @inlinable @inline(never)
    static func propagate(
        _ id: Int, _ time: Double, _ leaf: UnsafeMutablePointer<Double>,
        _ times: UnsafeMutablePointer<Double>, _ ids: UnsafeMutablePointer<UInt32>,
        _ starts: UnsafeBufferPointer<Int>
    ) {
        leaf[id] = time
        // The entry that changed at the level below: its old id and its new (time, id).
        var changedId = UInt32(truncatingIfNeeded: id)
        var newTime = time
        var newId = changedId
        var index = id
        var level = 0
        while level < starts.count {
            let block = index >> fanOutShift
            let node = starts[level] &+ block
            let nodeTime = times[node]
            let nodeId = ids[node]
            if newTime < nodeTime || (newTime == nodeTime && newId < nodeId) {
                // The changed entry is the block's new minimum.
                times[node] = newTime
                ids[node] = newId
            } else if nodeId == changedId {
                // The changed entry was the block's minimum and grew: rescan the block.
                let first = block << fanOutShift
                let found: (Double, Int) =
                    level == 0
                    ? scan(leaf + first)
                    : scan(times + (starts[level &- 1] &+ first))
                newTime = found.0
                newId = level == 0 ? UInt32(truncatingIfNeeded: first &+ found.1) : ids[starts[level &- 1] &+ first &+ found.1]
                if newTime == nodeTime && newId == nodeId { return }
                times[node] = newTime
                ids[node] = newId
            } else {
                return
            }
            changedId = nodeId
            index = block
            level &+= 1
        }
    }

    /// The minimal time of `fanOut` consecutive entries and the index of its first occurrence:
    /// eight running minima over the block (written as scalar selects `x < m ? x : m`, which the
    /// compiler turns into packed `minpd` even for the portable x86-64 target, where a `SIMD8`
    /// masked replace costs six instructions per pair of lanes), reduced, then the first entry
    /// equal to it, four entries per branch. Keys are never NaN.
    @inlinable @inline(__always)
    static func scan(_ p: UnsafeMutablePointer<Double>) -> (Double, Int) {
        var m0 = p[0], m1 = p[1], m2 = p[2], m3 = p[3], m4 = p[4], m5 = p[5], m6 = p[6], m7 = p[7]
        var c = 8
        while c < fanOut {
            let q = p + c
            m0 = q[0] < m0 ? q[0] : m0
            m1 = q[1] < m1 ? q[1] : m1
            m2 = q[2] < m2 ? q[2] : m2
            m3 = q[3] < m3 ? q[3] : m3
            m4 = q[4] < m4 ? q[4] : m4
            m5 = q[5] < m5 ? q[5] : m5
            m6 = q[6] < m6 ? q[6] : m6
            m7 = q[7] < m7 ? q[7] : m7
            c &+= 8
        }
        m0 = m4 < m0 ? m4 : m0
        m1 = m5 < m1 ? m5 : m1
        m2 = m6 < m2 ? m6 : m2
        m3 = m7 < m3 ? m7 : m3
        m0 = m2 < m0 ? m2 : m0
        m1 = m3 < m1 ? m3 : m1
        let t = m1 < m0 ? m1 : m0
        c = 0
        while true {
            let q = p + c
            if q[0] == t || q[1] == t || q[2] == t || q[3] == t {
                if q[0] == t { return (t, c) }
                if q[1] == t { return (t, c &+ 1) }
                if q[2] == t { return (t, c &+ 2) }
                return (t, c &+ 3)
            }
            c &+= 4
        }
    }

    #if VOLLEY_INTERNAL_CHECKS
    /// Verifies every block minimum against a rescan (debug builds only; O(capacity)).
    public func checkInvariants() {
        precondition(leaves.filter { $0 < .infinity }.count == queued.pointee, "count out of sync")
        var belowTimes = Array(leaves)
        var belowIds = (0..<leaves.count).map { UInt32($0) }
        for level in 0..<levelStart.count {
            let start = levelStart[level]
            let end = level + 1 < levelStart.count ? levelStart[level + 1] : nodeTimes.count
            for e in start..<end {
                let block = e - start
                var best = SlotKey(time: .infinity, id: UInt32.max)
                for j in 0..<Self.fanOut where block * Self.fanOut + j < belowTimes.count {
                    let k = SlotKey(time: belowTimes[block * Self.fanOut + j], id: belowIds[block * Self.fanOut + j])
                    if best.id == UInt32.max || SlotKey.precedes(k, best) { best = k }
                }
                if best.id != UInt32.max {
                    precondition(nodeTimes[e] == best.time && nodeIds[e] == best.id, "block minimum wrong at level \(level + 1), entry \(block)")
                }
            }
            belowTimes = Array(nodeTimes[start..<end])
            belowIds = Array(nodeIds[start..<end])
        }
    }
    #endif
}
