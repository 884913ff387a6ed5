import Foundation
import Synchronization
import Testing
@testable import Volley

/// The order in which `parallelMap`'s iterations started.
private final class StartOrder: Sendable {
    let started = Mutex<[Int]>([])
}

private struct Failure: Error, Equatable {
    let index: Int
}

@Suite struct ParallelTests {
    /// Results come back in index order and a reduction over them is the same for every thread
    /// count, more threads than iterations or cores included.
    @Test(arguments: [1, 2, 3, 4, 17])
    func resultsInIndexOrder(threads: Int) {
        let results = parallelMap(13, threads: threads) { i in (i, Double(i) * 0.1) }
        #expect(results.map(\.0) == Array(0..<13))
        let sum = results.reduce(0.0) { $0 + $1.1 }
        let serialSum = (0..<13).reduce(0.0) { $0 + Double($1) * 0.1 }
        #expect(sum.bitPattern == serialSum.bitPattern)
    }

    /// One thread runs the iterations in order on the calling thread.
    @Test func oneThreadRunsInOrder() {
        let order = StartOrder()
        _ = parallelMap(9, threads: 1) { i in order.started.withLock { $0.append(i) } }
        #expect(order.started.withLock { $0 } == Array(0..<9))
    }

    /// Every iteration runs exactly once on several threads.
    @Test func everyIterationOnce() {
        let order = StartOrder()
        _ = parallelMap(1000, threads: 3) { i in order.started.withLock { $0.append(i) } }
        #expect(order.started.withLock { $0 }.sorted() == Array(0..<1000))
    }

    /// The error of the lowest throwing index is thrown, whatever the thread count.
    @Test(arguments: [1, 2, 4])
    func lowestErrorWins(threads: Int) {
        #expect(throws: Failure(index: 3)) {
            _ = try parallelMap(20, threads: threads) { (i: Int) throws(Failure) -> Int in
                if i == 3 || i == 11 || i == 19 { throw Failure(index: i) }
                return i
            }
        }
        #expect(parallelMap(0, threads: threads) { $0 }.isEmpty)
    }

    /// A worker that runs out of iterations waits for the others, and the wait is counted.
    @Test func waitsAreCounted() {
        _ = parallelMap(2, threads: 2) { i in
            if i == 0 { Thread.sleep(forTimeInterval: 0.05) }
            return i
        }
        let waits = Parallelism.waitSeconds
        #expect(waits.count >= 2 && waits.allSatisfy { $0 >= 0 })
        #expect((waits.max() ?? 0) >= 0.04, "one of the two workers waited ≈ 50 ms: \(waits)")
    }
}
