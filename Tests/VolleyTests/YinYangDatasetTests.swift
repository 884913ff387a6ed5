import Foundation
import Testing

@testable import Volley

/// The Yin-Yang data set against NumPy: `MersenneTwister` reproduces `RandomState`, and the three
/// published splits reproduce the reference generator (Kriener et al.'s `dataset.py`, run with
/// NumPy 2.2.6; first and last samples and class counts listed below).
@Suite("Yin-Yang data set")
struct YinYangDatasetTests {
    @Test("MT19937 with init_genrand(42): NumPy's RandomState(42) outputs, random_sample and legacy randint")
    func mersenneTwister() {
        var rng = MersenneTwister(seed: 42)
        #expect([rng.nextUInt32(), rng.nextUInt32(), rng.nextUInt32()] == [1_608_637_542, 3_421_126_067, 4_083_286_876])
        rng = MersenneTwister(seed: 42)
        #expect(rng.randomSample() == 0.3745401188473625 && rng.randomSample() == 0.9507143064099162)
        rng = MersenneTwister(seed: 42)
        #expect((0..<10).map { _ in rng.legacyIndex(below: 3) } == [2, 0, 2, 2, 0, 0, 2, 1, 2, 2])
    }

    @Test("Train (seed 42), validation (41) and test (40) splits equal the reference generator's")
    func splits() {
        let expected: [(YinYangDataset, first: (Double, Double), last: (Double, Double), labels: [Int], counts: [Int])] = [
            (.training(), (0.6803075385877797, 0.450499251969543), (0.7690797231107925, 0.5883389337522971), [2, 1, 2, 1, 1, 1, 0, 2], [1681, 1702, 1617]),
            (.validation(), (0.6805727261759029, 0.3209733938933629), (0.7107040957004825, 0.804733352731108), [0, 1, 0, 0, 2, 1, 1, 1], [316, 336, 348]),
            (.test(), (0.23409664559563403, 0.4017249751828972), (0.32834060537145815, 0.3899830419619741), [2, 2, 1, 1, 1, 2, 2, 0], [350, 316, 334]),
        ]
        for (data, first, last, labels, counts) in expected {
            #expect(data.features[0][0] == first.0 && data.features[0][1] == first.1)
            #expect(data.features.last![0] == last.0 && data.features.last![1] == last.1)
            #expect(Array(data.labels.prefix(8)) == labels)
            #expect((0..<3).map { c in data.labels.filter { $0 == c }.count } == counts)
            #expect(data.features.allSatisfy { $0[2] == 1 - $0[0] && $0[3] == 1 - $0[1] })
        }
    }

    @Test("Classes at hand-picked points: the dots, the two halves, the rings around the dots")
    func classes() {
        #expect(YinYangDataset.classOf(x: 0.75, y: 0.5) == 2)  // centre of the right dot
        #expect(YinYangDataset.classOf(x: 0.25, y: 0.5) == 2)  // centre of the left dot
        #expect(YinYangDataset.classOf(x: 0.5, y: 0.9) == 1)  // top half, away from the right dot
        #expect(YinYangDataset.classOf(x: 0.5, y: 0.1) == 0)  // bottom half
        #expect(YinYangDataset.classOf(x: 0.25, y: 0.67) == 1)  // around the left dot
        #expect(YinYangDataset.classOf(x: 0.75, y: 0.33) == 0)  // around the right dot
        #expect(YinYangDataset.encode([0, 1, 0.5, 0.25], tMin: 2, tMax: 27, tBias: 0) == [[2], [27], [14.5], [8.25], [0]])
    }
}
