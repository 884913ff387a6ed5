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

    @Test(
        "Indexed min tree: updates, removals and pops agree with a reference",
        arguments: [(1, 0), (31, 1), (64, 2), (1000, 3), (5000, 4), (40_000, 5)] as [(Int, UInt64)])
    func indexedTreeAgainstReference(capacity: Int, seed: UInt64) {
        var rng = Xoshiro256(seed: seed, stream: 0x1D)
        let tree = IndexedMinTree(capacity: capacity)
        var reference: [Int: Double] = [:]
        func referenceMin() -> SlotKey? {
            reference.map { SlotKey(time: $0.value, id: UInt32($0.key)) }
                .min { SlotKey.precedes($0, $1) }
        }
        for round in 0..<2 {
            for _ in 0..<4000 {
                // Half of the operations hit a few hot ids, so that block minima change often.
                let id = rng.uniform() < 0.5 ? rng.index(below: Swift.min(capacity, 40)) : rng.index(below: capacity)
                switch rng.index(below: 10) {
                case 0..<6:
                    // Coarse times: many equal keys, broken by id.
                    let t = rng.uniform() < 0.05 ? Double.infinity : Double(rng.index(below: 20))
                    tree.update(id, time: t)
                    if t == .infinity { reference[id] = nil } else { reference[id] = t }
                case 6..<8:
                    tree.remove(id)
                    reference[id] = nil
                default:
                    let expected = referenceMin()
                    let popped = tree.popMin()
                    #expect(popped == expected)
                    if let e = expected { reference[Int(e.id)] = nil }
                }
                #expect(tree.count == reference.count)
                #expect(tree.min == referenceMin())
                #expect(tree.time(of: id) == reference[id])
            }
            #if VOLLEY_INTERNAL_CHECKS
            tree.checkInvariants()
            #endif
            // Drain in order, then start again on the emptied (not reallocated) tree.
            var drained: [SlotKey] = []
            while let top = tree.popMin() { drained.append(top) }
            let sorted = reference.map { SlotKey(time: $0.value, id: UInt32($0.key)) }
                .sorted { SlotKey.precedes($0, $1) }
            #expect(drained == sorted)
            reference.removeAll()
            if round == 0 {
                tree.update(0, time: 1)
                tree.removeAll()
            }
            #expect(tree.isEmpty && tree.min == nil)
            #expect((0..<capacity).allSatisfy { !tree.contains($0) })
        }
    }

    @Test("Indexed min tree: a batch of updates through its handle equals the same updates one by one", arguments: [64, 5000] as [Int])
    func indexedTreeHandleBatches(capacity: Int) {
        var rng = Xoshiro256(seed: UInt64(capacity), stream: 0x1E)
        let oneByOne = IndexedMinTree(capacity: capacity)
        let batched = IndexedMinTree(capacity: capacity)
        var reference: [Int: Double] = [:]
        for _ in 0..<300 {
            // A batch like one delivery group: inserts, moves and removals of scattered slots.
            let batch = (0..<rng.index(below: 40)).map { _ -> (Int, Double) in
                let id = rng.index(below: capacity)
                return (id, rng.uniform() < 0.1 ? .infinity : Double(rng.index(below: 30)))
            }
            for (id, t) in batch {
                oneByOne.update(id, time: t)
                reference[id] = t == .infinity ? nil : t
            }
            let handle = batched.handle
            for (id, t) in batch { handle.update(id, time: t) }
            #expect(batched.count == reference.count && oneByOne.count == reference.count)
            #expect(batched.min == oneByOne.min)
            if rng.uniform() < 0.3, let top = batched.popMin() {
                #expect(top == oneByOne.popMin())
                reference[Int(top.id)] = nil
            }
        }
        #if VOLLEY_INTERNAL_CHECKS
        batched.checkInvariants()
        #endif
        var a: [SlotKey] = [], b: [SlotKey] = []
        while let top = oneByOne.popMin() { a.append(top) }
        while let top = batched.popMin() { b.append(top) }
        #expect(!a.isEmpty && a == b)
    }

    @Test("Indexed min tree tie-break: equal times pop in ascending id, across blocks")
    func indexedTieBreak() {
        let tree = IndexedMinTree(capacity: 3000)
        // Ids in different blocks (32 slots) and different level-1 blocks (1 024 slots).
        let ids = [2047, 7, 3, 1500, 9, 0, 33, 5, 2999, 1024]
        for id in ids { tree.update(id, time: 2.5) }
        tree.update(4, time: 2.4)
        tree.update(2998, time: 2.4)
        // Raising the minimum's key makes its block and the blocks above rescan.
        tree.update(0, time: 2.6)
        #expect((0..<12).map { _ in Int(tree.popMin()!.id) } == [4, 2998, 3, 5, 7, 9, 33, 1024, 1500, 2047, 2999, 0])
        #expect(tree.popMin() == nil)
    }
}
