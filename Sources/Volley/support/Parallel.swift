import Dispatch

/// Results buffer shared by the iterations of `parallelMap`; each iteration writes only its own
/// slot, so the unchecked sendability is sound.
private struct ResultSlots<T>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<T?>
}

/// Evaluates `body(i)` for i in 0..<count on all cores (`DispatchQueue.concurrentPerform`) and
/// returns the results in index order. Callers reduce the results in that order, so every
/// result is independent of the number of threads.
public func parallelMap<T: Sendable>(_ count: Int, _ body: @Sendable (Int) -> T) -> [T] {
    guard count > 0 else { return [] }
    let slots = ResultSlots<T>(buffer: .allocate(capacity: count))
    slots.buffer.initialize(repeating: nil)
    defer {
        slots.buffer.deinitialize()
        slots.buffer.deallocate()
    }
    DispatchQueue.concurrentPerform(iterations: count) { i in
        slots.buffer[i] = body(i)
    }
    return slots.buffer.map { $0! }
}
