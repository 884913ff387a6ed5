import Dispatch
import Foundation
import Synchronization

/// Results buffer shared by the iterations of `parallelMap`; each iteration writes only its own
/// slot, so the unchecked sendability is sound.
private struct ResultSlots<T>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<T?>
}

/// The next iteration of a `parallelMap` call that no worker has taken yet, and the nanoseconds
/// each worker spent in its iterations.
private final class WorkerShares: @unchecked Sendable {
    let next = Atomic<Int>(0)
    /// busy[w · 8]: one cache line per worker; each worker writes only its own.
    let busy: UnsafeMutablePointer<UInt64>

    init(workers: Int) {
        busy = .allocate(capacity: 8 * workers)
        busy.initialize(repeating: 0, count: 8 * workers)
    }

    deinit { busy.deallocate() }
}

/// How many threads `parallelMap` spreads its iterations over: every core unless an example's
/// `--threads N` (or the `VOLLEY_THREADS` environment variable) said otherwise. Results never
/// depend on it: callers reduce `parallelMap`'s results in index order.
public enum Parallelism {
    /// 0: not set (every core).
    private static let limit = Atomic<Int>(0)

    /// The thread count `parallelMap` uses: the one last set, else `Simulator.coreCount`.
    public static var threads: Int {
        get {
            let n = limit.load(ordering: .relaxed)
            return n > 0 ? n : ProcessInfo.processInfo.activeProcessorCount
        }
        set { limit.store(Swift.max(newValue, 1), ordering: .relaxed) }
    }

    /// Seconds worker w of the `parallelMap` calls spent waiting — the call's wall time minus
    /// the time it spent in iterations (its share of the load imbalance and of the start-up) —
    /// summed over all calls with more than one worker since the process started or
    /// `resetWaitSeconds()`.
    public static var waitSeconds: [Double] { waits.withLock { $0 } }

    public static func resetWaitSeconds() { waits.withLock { $0 = [] } }

    private static let waits = Mutex<[Double]>([])

    static func addWaits(wall: UInt64, busy: UnsafeMutablePointer<UInt64>, workers: Int) {
        waits.withLock { total in
            if total.count < workers { total += [Double](repeating: 0, count: workers - total.count) }
            for w in 0..<workers { total[w] += Double(wall &- Swift.min(busy[w &* 8], wall)) / 1e9 }
        }
    }
}

/// Evaluates `body(i)` for i in 0..<count on `threads` threads and returns the
/// results in index order. With one thread the iterations run in order on the calling thread;
/// with n they run on n workers (`DispatchQueue.concurrentPerform`), each taking the next index
/// not yet taken until none is left. Callers reduce the results in index order, so every result is
/// independent of the number of threads. If some iterations throw, the error of the lowest such
/// index is thrown (after every iteration has run); a non-throwing `body` makes the call
/// non-throwing.
public func parallelMap<T: Sendable, E: Error>(
    _ count: Int, threads: Int = Parallelism.threads, _ body: @Sendable (Int) throws(E) -> T
) throws(E) -> [T] {
    guard count > 0 else { return [] }
    let slots = ResultSlots<Result<T, E>>(buffer: .allocate(capacity: count))
    slots.buffer.initialize(repeating: nil)
    defer {
        slots.buffer.deinitialize()
        slots.buffer.deallocate()
    }
    let workers = Swift.max(1, Swift.min(threads, count))
    @Sendable func run(_ i: Int) {
        do throws(E) {
            slots.buffer[i] = .success(try body(i))
        } catch {
            slots.buffer[i] = .failure(error)
        }
    }
    if workers == 1 {
        for i in 0..<count { run(i) }
    } else {
        let shares = WorkerShares(workers: workers)
        let start = DispatchTime.now().uptimeNanoseconds
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            while true {
                let i = shares.next.add(1, ordering: .relaxed).oldValue
                guard i < count else { break }
                let t0 = DispatchTime.now().uptimeNanoseconds
                run(i)
                shares.busy[w &* 8] &+= DispatchTime.now().uptimeNanoseconds &- t0
            }
        }
        Parallelism.addWaits(wall: DispatchTime.now().uptimeNanoseconds &- start, busy: shares.busy, workers: workers)
    }
    var results: [T] = []
    results.reserveCapacity(count)
    for i in 0..<count { results.append(try slots.buffer[i].unsafelyUnwrapped.get()) }
    return results
}
