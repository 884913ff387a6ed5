/// The event-driven engine's order of populations: each population's earliest neuron event (a
/// predicted crossing or wake-up, or a source's next spike), earliest first, ties broken by the
/// lower population index — that is, by the lower global neuron id, as docs/event-ordering.md
/// requires. Up to `flatLimit` populations (the usual case) the times are a flat array whose
/// minimum is recomputed after each change, a few compares; more populations use an
/// `IndexedMinTree`.
final class PopulationQueue {
    /// Populations up to which the flat array is used.
    static let flatLimit = 8

    let count: Int
    /// Flat form: every population's earliest time (+∞: none).
    private let times: UnsafeMutablePointer<Double>
    /// The earliest population and its time. Unchecked exclusivity: only the engine's own thread
    /// touches them, once or twice per event.
    @exclusivity(unchecked) private(set) var minPopulation = 0
    @exclusivity(unchecked) private(set) var minTime = Double.infinity
    /// Tree form (more than `flatLimit` populations).
    private let tree: IndexedMinTree?
    private let handle: IndexedMinTree.UnsafeHandle?

    init(count: Int) {
        self.count = count
        times = .allocate(capacity: Swift.max(count, 1))
        times.initialize(repeating: .infinity, count: Swift.max(count, 1))
        tree = count > PopulationQueue.flatLimit ? IndexedMinTree(capacity: count) : nil
        handle = tree?.handle
    }

    deinit { times.deallocate() }

    /// Sets population p's earliest event time.
    @inline(__always)
    func update(_ p: Int, time: Double) {
        if let handle {
            handle.update(p, time: time)
            minTime = handle.minTime
            minPopulation = Int(handle.min?.id ?? 0)
            return
        }
        times[p] = time
        var best = times[0]
        var index = 0
        for q in 1..<count where times[q] < best {
            best = times[q]
            index = q
        }
        minTime = best
        minPopulation = index
    }

    /// Empties the queue.
    func removeAll() {
        tree?.removeAll()
        times.update(repeating: .infinity, count: count)
        minTime = .infinity
        minPopulation = 0
    }

    var capacityBytes: Int { count * 8 + (tree?.capacityBytes ?? 0) }
}
