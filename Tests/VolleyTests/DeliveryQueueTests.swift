import Testing

@testable import Volley

/// The delivery queue's row cursors (a row with several delay groups holds only its next group)
/// against a queue of every group, and the engine's spikes against the same synapses with one
/// delay group per row.
@Suite("Delivery queue")
struct DeliveryQueueTests {
    @Test("4-ary heap replaceMin keeps the (time, key) order of a sorted reference", arguments: 0..<10)
    func replaceMin(seed: UInt64) {
        var rng = Xoshiro256(seed: seed, stream: 0xC0)
        var heap = QuaternaryHeap<DeliveryEvent>()
        var reference: [DeliveryEvent] = []
        func random(after time: Double) -> DeliveryEvent {
            DeliveryEvent(
                time: time + Double(rng.index(below: 8)) * 0.5, source: rng.index(below: 30), projection: rng.index(below: 2),
                group: rng.index(below: 3))
        }
        for _ in 0..<2000 {
            if reference.isEmpty || rng.uniform() < 0.3 {
                let e = random(after: 0)
                heap.push(e)
                reference.append(e)
            } else {
                reference.sort { DeliveryEvent.precedes($0, $1) }
                #expect(heap.min == reference[0])
                // The replacement may precede the rest or belong anywhere behind them.
                let e = random(after: reference[0].time)
                heap.replaceMin(with: e)
                reference[0] = e
            }
        }
        reference.sort { DeliveryEvent.precedes($0, $1) }
        for expected in reference { #expect(heap.popMin() == expected) }
        #expect(heap.isEmpty)
    }

    @Test("Row cursors pop every delay group in the order of a queue holding each group, ties included", arguments: 0..<10)
    func cursorsAgainstEveryGroup(seed: UInt64) {
        var rng = Xoshiro256(seed: seed, stream: 0xC1)
        // Rows keyed by (source, projection): strictly increasing delays on a 0.25 ms grid, so that
        // arrivals of different spikes and rows coincide often and the keys decide.
        var delays: [[[Double]]] = (0..<40).map { _ in
            (0..<3).map { _ in
                var row: [Double] = []
                var d = 0.25 * Double(1 + rng.index(below: 4))
                for _ in 0..<(1 + rng.index(below: 6)) {
                    row.append(d)
                    d += 0.25 * Double(1 + rng.index(below: 3))
                }
                return row
            }
        }
        delays[0][0] = []  // a row without synapses is never queued
        var queue = DeliveryQueue()
        var reference = QuaternaryHeap<DeliveryEvent>()
        var now = 0.0, popped = 0, pushed = 0
        let next = { (e: DeliveryEvent) -> (group: Int, delay: Double)? in
            let row = delays[e.source][e.projection]
            return e.group + 1 < row.count ? (e.group + 1, row[e.group + 1]) : nil
        }
        for _ in 0..<4000 {
            if queue.isEmpty || rng.uniform() < 0.4 {
                // A spike now: every row of the source, as the engine queues them.
                let source = rng.index(below: 40)
                for projection in 0..<3 {
                    let row = delays[source][projection]
                    guard !row.isEmpty else { continue }
                    queue.push(spikeTime: now, delay: row[0], source: source, projection: projection, group: 0, rowGroups: row.count)
                    for (g, d) in row.enumerated() { reference.push(DeliveryEvent(time: now + d, source: source, projection: projection, group: g)) }
                    pushed += row.count
                }
            } else {
                #expect(queue.minTime == reference.min!.time)
                let event = queue.popMin(next: next)
                #expect(event == reference.popMin()!)
                now = event.time
                popped += 1
            }
        }
        while !queue.isEmpty {
            #expect(queue.popMin(next: next) == reference.popMin()!)
            popped += 1
        }
        #expect(reference.isEmpty)
        #expect(popped == pushed)
        #expect(queue.minTime == .infinity)
    }

    /// Poisson inputs onto a recurrent LIF population, every synapse with its own delay from a
    /// short list (rows of up to 6 groups); or the same synapses as one projection per delay
    /// (every row one group).
    static func network(splitByDelay: Bool) throws -> (Network, PopulationID) {
        var net = Network()
        let model = LIFExp(tauM: 20, tauSynExc: 5, tauSynInh: 10, vRest: -60, vReset: -60, vThreshold: -50, tRef: 2)
        let input = try net.addPoissonSource("in", rates: Array(repeating: 60, count: 40), seed: 3)
        let cells = try net.addPopulation("cells", size: 120, model: model)
        var rng = Xoshiro256(seed: 7, stream: 0xC2)
        let choices = [0.3, 0.7, 1.1, 1.6, 2.2, 3.5]
        func synapses(_ sources: Int, _ p: Double, _ weight: ClosedRange<Double>) -> [Synapse] {
            var list: [Synapse] = []
            for i in 0..<sources {
                for j in 0..<120 where rng.uniform() < p {
                    list.append(Synapse(source: i, target: j, weight: rng.uniform(weight.lowerBound, weight.upperBound), delay: choices[rng.index(below: choices.count)]))
                }
            }
            return list
        }
        let feed = synapses(40, 0.3, 3.0...7.0), recurrent = synapses(120, 0.05, -3.0...2.5)
        for (source, list) in [(input, feed), (cells, recurrent)] {
            if splitByDelay {
                for d in choices {
                    let part = list.filter { $0.delay == d }
                    if !part.isEmpty { try net.connect(source, to: cells, synapses: part) }
                }
            } else {
                try net.connect(source, to: cells, synapses: list)
            }
        }
        return (net, cells)
    }

    @Test("Rows of many delay groups spike as the same synapses with one group per row, on 1 and 3 threads")
    func cursorRowsMatchSingleGroups() throws {
        let (rows, cells) = try Self.network(splitByDelay: false)
        let (single, singleCells) = try Self.network(splitByDelay: true)
        let groupsPerRow = rows.projections.map { p in (0..<p.structure.sourceCount).map { p.structure.groups(ofSource: $0).count }.max() ?? 0 }
        #expect(groupsPerRow.allSatisfy { $0 >= 4 })
        #expect(single.projections.allSatisfy { p in (0..<p.structure.sourceCount).allSatisfy { p.structure.groups(ofSource: $0).count <= 1 } })
        let reference = try EventDrivenSimulator(network: single, threads: 1)
        try reference.run(until: 500)
        let expected = try reference.spikes(of: singleCells)
        #expect(expected.times.count > 500)
        for threads in [1, 3] {
            let sim = try EventDrivenSimulator(network: rows, threads: threads)
            try sim.run(until: 500)
            let got = try sim.spikes(of: cells)
            #expect(got.neurons == expected.neurons)
            #expect(got.times == expected.times)
            if threads == 1 {
                #expect(sim.counters.deliveryPops == reference.counters.deliveryPops)
                #expect(sim.counters.deliveryPushes == reference.counters.deliveryPushes)
            }
        }
    }
}
