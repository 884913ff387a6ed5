import Foundation
import VolleyPrefetch

/// How a thread waits for another within a run: it polls with a spin hint (x86 `pause`), and
/// after `polls` polls yields its core at every further poll (`sched_yield`). Synchronisation
/// points a few µs apart are far shorter than a condition variable's wake-up.
struct SpinWait {
    /// Polls before yielding: ≈ 20 000 pauses (well over a step or window) while `threads` fit
    /// the machine's cores, so that on idle cores a thread never sleeps within a run; none when
    /// there are more threads than cores, where a spinning thread would hold the core the thread
    /// it waits for needs.
    let polls: Int

    init(threads: Int) {
        polls = threads <= ProcessInfo.processInfo.activeProcessorCount ? 20_000 : 0
    }

    /// One wait between polls of a location another thread writes: a few spin hints (so that the
    /// poller does not take the line from its writer at every instruction), or, after `polls`
    /// polls, yielding the core.
    @inline(__always)
    func pause(poll: Int) {
        if poll > polls {
            sched_yield()
        } else {
            volley_spin_hint()
            volley_spin_hint()
            volley_spin_hint()
            volley_spin_hint()
        }
    }

    /// Returns when `done()` holds.
    @inline(__always)
    func until(_ done: () -> Bool) {
        var n = 0
        while !done() {
            n &+= 1
            if n > polls { sched_yield() } else { volley_spin_hint() }
        }
    }
}
