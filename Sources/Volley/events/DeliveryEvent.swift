/// A spike in flight: one entry per (emitting neuron, projection, delay group), not per synapse.
///
/// `key` packs the tie-break order for events at equal times (see docs/event-ordering.md):
/// bits 63…32 global id of the emitting neuron, bits 31…20 projection index, bits 19…0 the delay
/// group within the emitting neuron's row (groups are sorted by delay).
@frozen
public struct DeliveryEvent: HeapOrdered, Equatable, Sendable {
    public var time: Double
    public var key: UInt64

    @inlinable
    public init(time: Double, key: UInt64) {
        self.time = time
        self.key = key
    }

    @inlinable
    public init(time: Double, source: Int, projection: Int, group: Int) {
        self.time = time
        self.key = (UInt64(source) << 32) | (UInt64(projection) << 20) | UInt64(group)
    }

    @inlinable public var source: Int { Int(key >> 32) }
    @inlinable public var projection: Int { Int((key >> 20) & 0xFFF) }
    @inlinable public var group: Int { Int(key & 0xF_FFFF) }

    public static let maxProjections = 1 << 12
    public static let maxGroupsPerRow = 1 << 20
    public static let maxNeurons = Int(UInt32.max)

    @inlinable
    public static func precedes(_ a: DeliveryEvent, _ b: DeliveryEvent) -> Bool {
        a.time < b.time || (a.time == b.time && a.key < b.key)
    }
}
