/// The next delay group of a spike's row that has several: its arrival, its `DeliveryEvent` key,
/// and the spike's time (arrival of group g = spike time + delay of g, the sum a group of its own
/// would be queued with).
@frozen @usableFromInline
struct RowCursor: HeapOrdered {
    @usableFromInline var time: Double
    @usableFromInline var key: UInt64
    @usableFromInline var spikeTime: Double

    @inlinable
    init(time: Double, key: UInt64, spikeTime: Double) {
        self.time = time
        self.key = key
        self.spikeTime = spikeTime
    }

    @inlinable
    static func precedes(_ a: RowCursor, _ b: RowCursor) -> Bool {
        a.time < b.time || (a.time == b.time && a.key < b.key)
    }
}

/// The event-driven engine's spikes in flight, popped in (time, emitting neuron, projection,
/// delay group) order (docs/event-ordering.md).
///
/// A row with one delay group is one `DeliveryEvent` in `groups`. A row with several (per-synapse
/// delays) is one `RowCursor` in `rows` holding only its earliest undelivered group; when that
/// group is popped the cursor moves to the row's next group in place. Within a row, groups are
/// sorted by delay, so the next group's (time, key) never precedes the current one's: every
/// pending group is either in a heap or behind a cursor that precedes it, and the pops come out in
/// exactly the order of a queue holding every group — while the heaps hold one entry per spike
/// and row instead of one per synapse.
struct DeliveryQueue {
    var groups = QuaternaryHeap<DeliveryEvent>()
    var rows = QuaternaryHeap<RowCursor>()

    init() {}

    mutating func reserveCapacity(groups: Int, rows: Int) {
        self.groups.reserveCapacity(groups)
        self.rows.reserveCapacity(rows)
    }

    var isEmpty: Bool { groups.isEmpty && rows.isEmpty }

    /// The earliest arrival time (∞ when empty).
    @inline(__always)
    var minTime: Double { Swift.min(groups.min?.time ?? .infinity, rows.min?.time ?? .infinity) }

    var capacityBytes: Int { groups.capacityBytes + rows.capacityBytes }

    mutating func removeAll() {
        groups.removeAll()
        rows.removeAll()
    }

    /// Queues the first (or only) group `group` of a row: `rowGroups` groups in all, the first
    /// arriving at `spikeTime + delay`.
    @inline(__always)
    mutating func push(spikeTime: Double, delay: Double, source: Int, projection: Int, group: Int, rowGroups: Int) {
        let event = DeliveryEvent(time: spikeTime + delay, source: source, projection: projection, group: group)
        if rowGroups == 1 {
            groups.push(event)
        } else {
            rows.push(RowCursor(time: event.time, key: event.key, spikeTime: spikeTime))
        }
    }

    /// Removes and returns the earliest delivery. When it is a row cursor's group, `next(event)`
    /// gives the row's following group to queue (its index within the row and its delay), or nil
    /// when the row is done.
    @inline(__always)
    mutating func popMin(next: (DeliveryEvent) -> (group: Int, delay: Double)?) -> DeliveryEvent {
        if let g = groups.min {
            guard let r = rows.min, RowCursor.precedes(r, RowCursor(time: g.time, key: g.key, spikeTime: 0)) else {
                return groups.popMin().unsafelyUnwrapped
            }
        }
        let cursor = rows.min.unsafelyUnwrapped
        let event = DeliveryEvent(time: cursor.time, key: cursor.key)
        if let (group, delay) = next(event) {
            let key = (cursor.key & ~UInt64(DeliveryEvent.maxGroupsPerRow - 1)) | UInt64(group)
            rows.replaceMin(with: RowCursor(time: cursor.spikeTime + delay, key: key, spikeTime: cursor.spikeTime))
        } else {
            rows.popMin()
        }
        return event
    }
}
