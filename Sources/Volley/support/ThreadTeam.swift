import Foundation
import Synchronization

/// A fixed team of threads that run one job together, many times a second, for the duration of
/// one simulation run: the calling thread is member 0, `size − 1` worker threads are the others.
/// `run()` starts the job on every member and returns when all have finished it — one fork and
/// one join, synchronised by spinning on two atomic counters (a time-stepped CUBA step is a few
/// µs, far shorter than a condition variable's wake-up). A waiting member spins, then yields its
/// core (`SpinWait`), so more threads than cores still make progress.
///
/// The job reads what the caller wrote before `run()` (the generation counter is released by
/// `run()` and acquired by each worker) and the caller reads what the members wrote (the finish
/// counter is released by each worker and acquired by `run()`).
final class ThreadTeam: @unchecked Sendable {
    /// Number of members, the calling thread included.
    let size: Int
    private let job: (Int) -> Void
    private let spin: SpinWait
    private let generation = Atomic<Int>(0)
    private let finished = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    private let exited = DispatchGroup()
    /// Nanoseconds each member spent waiting for the others (padded: one cache line per member).
    private let waits: UnsafeMutablePointer<UInt64>
    private static let pad = 8

    /// Starts `size − 1` worker threads that wait for `run()`; `job(k)` is member k's share.
    init(size: Int, job: @escaping (Int) -> Void) {
        precondition(size >= 1)
        self.size = size
        self.job = job
        spin = SpinWait(threads: size)
        waits = .allocate(capacity: size * Self.pad)
        waits.initialize(repeating: 0, count: size * Self.pad)
        for member in 1..<Swift.max(size, 1) {
            exited.enter()
            let thread = Thread { [self] in work(as: member) }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    deinit {
        waits.deallocate()
    }

    /// Runs the job on every member (this thread is member 0) and returns when all are done.
    func run() {
        guard size > 1 else { return job(0) }
        finished.store(0, ordering: .relaxed)
        generation.add(1, ordering: .releasing)
        job(0)
        let start = DispatchTime.now().uptimeNanoseconds
        spin.until { finished.load(ordering: .acquiring) == size - 1 }
        waits[0] &+= DispatchTime.now().uptimeNanoseconds &- start
    }

    /// Stops the workers and waits until they have exited. Required before the team is dropped.
    func finish() {
        guard size > 1 else { return }
        stopping.store(true, ordering: .relaxed)
        generation.add(1, ordering: .releasing)
        exited.wait()
    }

    /// Seconds member k has spent waiting: workers for the next `run()` (while the calling thread
    /// does the serial part of a step), member 0 for the slowest worker.
    func waitSeconds(_ member: Int) -> Double { Double(waits[member * Self.pad]) * 1e-9 }

    private func work(as member: Int) {
        var seen = 0
        while true {
            let start = DispatchTime.now().uptimeNanoseconds
            spin.until { generation.load(ordering: .acquiring) != seen }
            seen = generation.load(ordering: .acquiring)
            waits[member * Self.pad] &+= DispatchTime.now().uptimeNanoseconds &- start
            if stopping.load(ordering: .relaxed) { break }
            job(member)
            finished.add(1, ordering: .releasing)
        }
        exited.leave()
    }
}
