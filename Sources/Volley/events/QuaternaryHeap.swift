/// A strict total order used by Volley's heaps. `precedes(a, b)` must be irreflexive, transitive
/// and total on distinct elements, so that pops are deterministic (no two elements tie).
public protocol HeapOrdered {
    static func precedes(_ a: Self, _ b: Self) -> Bool
}

/// A 4-ary min-heap on contiguous storage.
///
/// Every operation takes one unsafe buffer for its whole duration and moves a *hole* along the
/// sift path (one store per level instead of a swap), as swift-collections' `Heap` does. A 4-ary
/// heap is shallower than a binary one (log₄ n levels) and its four children share a cache line
/// for 16-byte elements, which is what event queues hold.
public struct QuaternaryHeap<Element: HeapOrdered> {
    @usableFromInline var storage: ContiguousArray<Element>

    @inlinable public init() { storage = [] }

    @inlinable public var count: Int { storage.count }
    @inlinable public var isEmpty: Bool { storage.isEmpty }
    /// Bytes currently reserved by the heap's storage.
    @inlinable public var capacityBytes: Int { storage.capacity * MemoryLayout<Element>.stride }

    /// The minimal element, if any.
    @inlinable public var min: Element? { storage.first }

    @inlinable
    public mutating func reserveCapacity(_ n: Int) { storage.reserveCapacity(n) }

    /// Removes all elements; keeps the allocation so that `reset()` between samples does not allocate.
    @inlinable
    public mutating func removeAll() { storage.removeAll(keepingCapacity: true) }

    @inlinable
    public mutating func push(_ element: Element) {
        storage.append(element)
        storage.withUnsafeMutableBufferPointer { buffer in
            var hole = buffer.count &- 1
            while hole > 0 {
                let parent = (hole &- 1) >> 2
                let parentElement = buffer[parent]
                guard Element.precedes(element, parentElement) else { break }
                buffer[hole] = parentElement
                hole = parent
            }
            buffer[hole] = element
        }
    }

    @inlinable
    @discardableResult
    public mutating func popMin() -> Element? {
        guard let last = storage.popLast() else { return nil }
        if storage.isEmpty { return last }
        return storage.withUnsafeMutableBufferPointer { buffer in
            let result = buffer[0]
            Self.siftDown(last, in: buffer)
            return result
        }
    }

    /// Replaces the minimal element by `element` (one sift down, no pop and push); the heap must
    /// not be empty.
    @inlinable
    public mutating func replaceMin(with element: Element) {
        precondition(!storage.isEmpty, "replaceMin on an empty heap")
        storage.withUnsafeMutableBufferPointer { Self.siftDown(element, in: $0) }
    }

    /// Moves the hole at the root down to where `last` belongs and stores it there.
    @inlinable @inline(__always)
    static func siftDown(_ last: Element, in buffer: UnsafeMutableBufferPointer<Element>) {
        let n = buffer.count
        var hole = 0
        while true {
            let first = (hole << 2) &+ 1
            if first >= n { break }
            var best = first
            var bestElement = buffer[first]
            let end = Swift.min(first &+ 4, n)
            var child = first &+ 1
            while child < end {
                let candidate = buffer[child]
                if Element.precedes(candidate, bestElement) {
                    best = child
                    bestElement = candidate
                }
                child &+= 1
            }
            guard Element.precedes(bestElement, last) else { break }
            buffer[hole] = bestElement
            hole = best
        }
        buffer[hole] = last
    }

    #if VOLLEY_INTERNAL_CHECKS
    /// Verifies the heap property everywhere (debug builds only; O(n)).
    public func checkInvariants() {
        for i in 1..<Swift.max(storage.count, 1) {
            let parent = (i - 1) >> 2
            precondition(
                !Element.precedes(storage[i], storage[parent]), "heap order violated at \(i)")
        }
    }
    #endif
}
