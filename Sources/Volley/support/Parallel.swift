import Dispatch

/// Results buffer shared by the iterations of `parallelMap`; each iteration writes only its own
/// slot, so the unchecked sendability is sound.
private struct ResultSlots<T>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<T?>
}

/// Evaluates `body(i)` for i in 0..<count on all cores (`DispatchQueue.concurrentPerform`) and
/// returns the results in index order. Callers reduce the results in that order, so every
/// result is independent of the number of threads. If some iterations throw, the error of the
/// lowest such index is thrown (after every iteration has run); a non-throwing `body` makes the
/// call non-throwing.
public func parallelMap<T: Sendable, E: Error>(_ count: Int, _ body: @Sendable (Int) throws(E) -> T) throws(E) -> [T] {
    guard count > 0 else { return [] }
    let slots = ResultSlots<Result<T, E>>(buffer: .allocate(capacity: count))
    slots.buffer.initialize(repeating: nil)
    defer {
        slots.buffer.deinitialize()
        slots.buffer.deallocate()
    }
    DispatchQueue.concurrentPerform(iterations: count) { i in
        do throws(E) {
            slots.buffer[i] = .success(try body(i))
        } catch {
            slots.buffer[i] = .failure(error)
        }
    }
    var results: [T] = []
    results.reserveCapacity(count)
    for i in 0..<count { results.append(try slots.buffer[i].unsafelyUnwrapped.get()) }
    return results
}
