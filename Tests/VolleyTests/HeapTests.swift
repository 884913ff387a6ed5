import Testing

@testable import Volley

@Suite("Priority queues")
struct HeapTests {
    @Test("4-ary heap pops in (time, key) order against a sorted reference", arguments: 0..<20)
    func quaternaryHeapAgainstReference(seed: UInt64) {
        var rng = Xoshiro256(seed: seed, stream: 0xEA)
        var heap = QuaternaryHeap<DeliveryEvent>()
        var reference: [DeliveryEvent] = []
        for _ in 0..<3000 {
            if reference.isEmpty || rng.uniform() < 0.55 {
                // Few distinct times, so that ties are frequent and the key decides.
                let e = DeliveryEvent(
                    time: Double(rng.index(below: 40)) * 0.25,
                    source: rng.index(below: 50), projection: rng.index(below: 3), group: rng.index(below: 4))
                heap.push(e)
                reference.append(e)
            } else {
                reference.sort { DeliveryEvent.precedes($0, $1) }
                let expected = reference.removeFirst()
                #expect(heap.popMin() == expected)
            }
            #expect(heap.count == reference.count)
        }
        #if VOLLEY_INTERNAL_CHECKS
        heap.checkInvariants()
        #endif
        reference.sort { DeliveryEvent.precedes($0, $1) }
        for expected in reference { #expect(heap.popMin() == expected) }
        #expect(heap.popMin() == nil)
    }

    @Test("Delivery tie-break: equal times are ordered by source, then projection, then delay group")
    func deliveryTieBreak() {
        var heap = QuaternaryHeap<DeliveryEvent>()
        let events = [
            DeliveryEvent(time: 1, source: 2, projection: 0, group: 0),
            DeliveryEvent(time: 1, source: 1, projection: 1, group: 0),
            DeliveryEvent(time: 1, source: 1, projection: 0, group: 3),
            DeliveryEvent(time: 1, source: 1, projection: 0, group: 1),
            DeliveryEvent(time: 0.5, source: 9, projection: 9, group: 9),
        ]
        for e in events.shuffled() { heap.push(e) }
        let popped = (0..<events.count).map { _ in heap.popMin()! }
        #expect(popped.map(\.source) == [9, 1, 1, 1, 2])
        #expect(popped.map(\.projection) == [9, 0, 0, 1, 0])
        #expect(popped.map(\.group) == [9, 1, 3, 0, 0])
    }

    @Test("Delivery keys round-trip their fields at the documented limits")
    func deliveryKeyFields() {
        let e = DeliveryEvent(
            time: 3, source: DeliveryEvent.maxNeurons - 1, projection: DeliveryEvent.maxProjections - 1,
            group: DeliveryEvent.maxGroupsPerRow - 1)
        #expect(e.source == DeliveryEvent.maxNeurons - 1)
        #expect(e.projection == DeliveryEvent.maxProjections - 1)
        #expect(e.group == DeliveryEvent.maxGroupsPerRow - 1)
    }

    @Test("Indexed heap: updates, removals and pops agree with a reference", arguments: 0..<20)
    func indexedHeapAgainstReference(seed: UInt64) {
        var rng = Xoshiro256(seed: seed, stream: 0x1D)
        let capacity = 64
        var heap = IndexedMinHeap(capacity: capacity)
        var reference: [Int: Double] = [:]
        func referenceMin() -> SlotKey? {
            reference.map { SlotKey(time: $0.value, id: UInt32($0.key)) }
                .min { SlotKey.precedes($0, $1) }
        }
        for _ in 0..<4000 {
            let id = rng.index(below: capacity)
            switch rng.index(below: 10) {
            case 0..<6:
                // Coarse times: many equal keys, broken by id.
                let t = rng.uniform() < 0.05 ? Double.infinity : Double(rng.index(below: 20))
                heap.update(id, time: t)
                if t == .infinity { reference[id] = nil } else { reference[id] = t }
            case 6..<8:
                heap.remove(id)
                reference[id] = nil
            default:
                let expected = referenceMin()
                let popped = heap.popMin()
                #expect(popped == expected)
                if let e = expected { reference[Int(e.id)] = nil }
            }
            #expect(heap.count == reference.count)
            #expect(heap.min == referenceMin())
            #expect(heap.time(of: id) == reference[id])
        }
        #if VOLLEY_INTERNAL_CHECKS
        heap.checkInvariants()
        #endif
        heap.removeAll()
        #expect(heap.isEmpty)
        #expect((0..<capacity).allSatisfy { !heap.contains($0) })
    }

    @Test("Indexed heap tie-break: equal times pop in ascending id")
    func indexedTieBreak() {
        var heap = IndexedMinHeap(capacity: 10)
        for id in [7, 3, 9, 0, 5] { heap.update(id, time: 2.5) }
        heap.update(4, time: 2.4)
        #expect((0..<6).map { _ in Int(heap.popMin()!.id) } == [4, 0, 3, 5, 7, 9])
    }
}
