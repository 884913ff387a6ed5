import Foundation
import Testing
import Volley
import VolleyExamples

/// The training examples' learning-rate schedules and epoch order.
@Suite struct EpochScheduleTests {
    @Test("Step decay: η·decay^⌊(epoch − 1)/step⌋")
    func stepDecay() {
        let s = EpochSchedule(samples: 10, seed: 1, learningRate: 0.004, decay: 0.5, step: 3)
        #expect((1...7).map { s.rate(epoch: $0) } == [0.004, 0.004, 0.004, 0.002, 0.002, 0.002, 0.001])
    }

    @Test("Cosine annealing: η at epoch 1, η/2 half-way, η·½(1 + cos(π·24/25)) at the last of 25, strictly decreasing")
    func cosine() {
        let s = EpochSchedule(samples: 10, seed: 1, learningRate: 0.003, schedule: .cosine(epochs: 25))
        #expect(s.rate(epoch: 1) == 0.003)
        // Half-way through 24 epochs (epoch 13 starts at 12/24 of the run): η/2.
        #expect(abs(EpochSchedule(samples: 1, seed: 1, learningRate: 0.003, schedule: .cosine(epochs: 24)).rate(epoch: 13) - 0.0015) < 1e-15)
        #expect(abs(s.rate(epoch: 25) - 0.003 * 0.5 * (1 + cos(Double.pi * 24 / 25))) < 1e-18)
        #expect(s.rate(epoch: 25) < 0.003 * 0.005)
        let rates = (1...25).map { s.rate(epoch: $0) }
        #expect(zip(rates, rates.dropFirst()).allSatisfy { $0 > $1 }, "strictly decreasing")
        // Symmetric about the half-way point: rate(e) + rate(E + 2 − e) = η.
        #expect((1...25).allSatisfy { abs(s.rate(epoch: $0) + s.rate(epoch: 27 - $0) - 0.003) < 1e-15 })
    }

    @Test("Each epoch is a permutation, repeatable per seed and independent of the schedule")
    func order() {
        var a = EpochSchedule(samples: 50, seed: 9, learningRate: 1, decay: 0.5, step: 2)
        var b = EpochSchedule(samples: 50, seed: 9, learningRate: 1, schedule: .cosine(epochs: 4))
        for epoch in 1...3 {
            _ = a.begin(epoch: epoch)
            _ = b.begin(epoch: epoch)
            #expect(a.order == b.order && a.order.sorted() == Array(0..<50) && a.order != Array(0..<50))
        }
    }
}
