/// `count` values of `Element`, each on cache lines of its own (starting 128 bytes apart or more,
/// so that the hardware's pairing of adjacent lines does not join two of them): per-thread
/// mailboxes that only their owner writes and the other threads read. A plain pointer (reading
/// it touches no reference count, which threads sharing it would bounce between their cores);
/// the owner calls `release()` once.
struct PaddedSlots<Element: ~Copyable> {
    let count: Int
    private let memory: UnsafeMutableRawPointer
    /// Bytes from one value to the next: whole pairs of 64-byte lines.
    private let spacing: Int

    /// Slot k holds `make(k)`.
    init(count: Int, _ make: (Int) -> Element) {
        self.count = count
        spacing = (MemoryLayout<Element>.stride + 127) / 128 * 128
        memory = .allocate(byteCount: Swift.max(count, 1) * spacing, alignment: 128)
        for k in 0..<count { (memory + k * spacing).bindMemory(to: Element.self, capacity: 1).initialize(to: make(k)) }
    }

    /// Deinitialises the values and frees the memory.
    func release() {
        for k in 0..<count { self[k].deinitialize(count: 1) }
        memory.deallocate()
    }

    /// Slot k's value.
    @inline(__always)
    subscript(_ k: Int) -> UnsafeMutablePointer<Element> {
        (memory + k &* spacing).assumingMemoryBound(to: Element.self)
    }
}
