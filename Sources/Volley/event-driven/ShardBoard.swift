import Foundation
import Synchronization

/// What the threads of the event-driven engine tell each other while they run, one mailbox per
/// thread, written only by its owner (each its own cache lines): its **clock** — every spike its
/// neurons fire before that time is already in its list — and its list of spikes (the storage's
/// address and the number written). This is conservative parallel simulation with lookahead
/// (Chandy & Misra 1979; Bryant 1977): no spike that thread m has yet to list can reach another
/// thread before clock_m + d_min, so thread k may process every event earlier than
/// min over m ≠ k of clock_m + d_min, without a meeting of all threads.
///
/// The owner stores the list entries, then the count, then the clock (each a releasing store); a
/// reader loads them in the opposite order (acquiring), so the count it sees covers every spike
/// before the clock it saw, and the storage it sees holds at least that many entries.
final class ShardBoard: @unchecked Sendable {
    struct Mailbox: ~Copyable {
        /// The clock's bit pattern (a non-negative `Double`, ∞ included).
        let clock = Atomic<UInt64>(0)
        let count = Atomic<Int>(0)
        let storage = Atomic<UInt>(0)
        /// Nanoseconds the owner has waited for the others' clocks.
        var waitedNanoseconds: UInt64 = 0
    }

    let threads: Int
    private let mailboxes: PaddedSlots<Mailbox>

    init(threads: Int) {
        self.threads = threads
        mailboxes = PaddedSlots(count: threads) { _ in Mailbox() }
    }

    deinit { mailboxes.release() }

    @inline(__always)
    func mailbox(_ k: Int) -> UnsafeMutablePointer<Mailbox> { mailboxes[k] }

    /// Before the threads start: every clock at `time`, every list `lists[k]` empty, no waiting.
    func reset(at time: Double, lists: (Int) -> FiredList) {
        for k in 0..<threads {
            let box = mailbox(k)
            box.pointee.clock.store(time.bitPattern, ordering: .relaxed)
            box.pointee.count.store(0, ordering: .relaxed)
            box.pointee.storage.store(UInt(bitPattern: lists(k).spikes), ordering: .relaxed)
            box.pointee.waitedNanoseconds = 0
        }
    }

    /// Thread k's clock: it will list no more spikes before `time`.
    @inline(__always)
    func publishClock(_ k: Int, _ time: Double) {
        mailbox(k).pointee.clock.store(time.bitPattern, ordering: .releasing)
    }

    /// Thread k has listed a spike: its list now holds `list.count` of them.
    @inline(__always)
    func publishList(_ k: Int, _ list: FiredList) {
        let box = mailbox(k)
        box.pointee.storage.store(UInt(bitPattern: list.spikes), ordering: .releasing)
        box.pointee.count.store(list.count, ordering: .releasing)
    }

    /// Thread m's clock, then its listed spikes (covering at least every spike before the clock).
    @inline(__always)
    func read(_ m: Int) -> (clock: Double, spikes: UnsafePointer<FiredSpike>, count: Int) {
        let box = mailbox(m)
        let clock = Double(bitPattern: box.pointee.clock.load(ordering: .acquiring))
        let count = box.pointee.count.load(ordering: .acquiring)
        let storage = box.pointee.storage.load(ordering: .acquiring)
        return (clock, UnsafePointer(bitPattern: storage).unsafelyUnwrapped, count)
    }

    @inline(__always)
    func addWait(_ k: Int, nanoseconds: UInt64) { mailbox(k).pointee.waitedNanoseconds &+= nanoseconds }

    /// Seconds thread k has waited since `reset`.
    func waitSeconds(_ k: Int) -> Double { Double(mailbox(k).pointee.waitedNanoseconds) * 1e-9 }
}
