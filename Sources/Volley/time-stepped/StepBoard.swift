import Foundation
import Synchronization

/// What the threads of the time-stepped engine tell each other when they step without the
/// calling thread in between (`TimeSteppedSimulator.advanceFreely`): one mailbox per thread,
/// written only by its owner, each on cache lines of its own. After its part of step n a thread
/// posts, for the parity of n, where its delivery keys due at step n + 1 are (its ring slot) and
/// where the neurons it fired at step n are (local indices and per-population ends), then stores
/// n as its **arrival** (a releasing store); a thread passes the step's barrier when every other
/// thread's arrival is ≥ n (acquiring loads), and then reads what they posted.
///
/// Two entries per mailbox, by the parity of the step: a thread posts step n + 1's entry while a
/// slower one may still read step n's, and it posts into step n's parity again only after the
/// barrier of step n + 1, which every reader of step n's entry has passed.
final class StepBoard: @unchecked Sendable {
    struct Posting {
        var due: UnsafePointer<UInt64>?
        var dueCount = 0
        var fired: UnsafePointer<UInt32>?
        /// Population p's fired neurons are `fired[firedEnd[p − 1] ..< firedEnd[p]]`.
        var firedEnd: UnsafePointer<Int>?
    }

    struct Mailbox: ~Copyable {
        let arrival = Atomic<Int>(-1)
        var postings = (Posting(), Posting())
        /// Nanoseconds the owner has waited at barriers.
        var waitedNanoseconds: UInt64 = 0
    }

    let threads: Int
    private let mailboxes: PaddedSlots<Mailbox>
    private let spin: SpinWait

    init(threads: Int) {
        self.threads = threads
        spin = SpinWait(threads: threads)
        mailboxes = PaddedSlots(count: threads) { _ in Mailbox() }
    }

    deinit { mailboxes.release() }

    @inline(__always)
    private func mailbox(_ k: Int) -> UnsafeMutablePointer<Mailbox> { mailboxes[k] }

    /// Before the threads start at step `first`: no arrivals, no waiting.
    func reset(before first: Int) {
        for k in 0..<threads {
            mailbox(k).pointee.arrival.store(first - 1, ordering: .relaxed)
            mailbox(k).pointee.waitedNanoseconds = 0
        }
    }

    /// Thread k's posting for step `step` (written by thread k only, before its arrival).
    @inline(__always)
    func post(_ k: Int, step: Int, _ posting: Posting) {
        if step & 1 == 0 { mailbox(k).pointee.postings.0 = posting } else { mailbox(k).pointee.postings.1 = posting }
    }

    /// Thread m's posting for `step`; valid after the barrier of `step` until that of `step + 1`.
    @inline(__always)
    func posting(_ m: Int, step: Int) -> Posting {
        step & 1 == 0 ? mailbox(m).pointee.postings.0 : mailbox(m).pointee.postings.1
    }

    /// Thread k has finished step `step` (its posting included); returns when every thread has.
    @inline(__always)
    func arrive(_ k: Int, step: Int) {
        mailbox(k).pointee.arrival.store(step, ordering: .releasing)
        var start: UInt64 = 0
        for m in 0..<threads where m != k {
            let box = mailbox(m)
            if box.pointee.arrival.load(ordering: .acquiring) >= step { continue }
            if start == 0 { start = DispatchTime.now().uptimeNanoseconds }
            spin.until { box.pointee.arrival.load(ordering: .acquiring) >= step }
        }
        if start != 0 { mailbox(k).pointee.waitedNanoseconds &+= DispatchTime.now().uptimeNanoseconds &- start }
    }

    /// Seconds thread k has waited at barriers since `reset`.
    func waitSeconds(_ k: Int) -> Double { Double(mailbox(k).pointee.waitedNanoseconds) * 1e-9 }
}
