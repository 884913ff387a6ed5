import Foundation
import Volley

/// The example's three tasks: trials for training (stream 0), validation (stream 1) and test
/// (stream 2), each a pure function of (seed, index).
enum EpropTask: Sendable {
    case evidence(EvidenceAccumulationTask)
    case storeRecall(StoreRecallTask)
    /// Training images [0, trainCount), validation images [trainCount, trainCount + validation);
    /// test images from the test set.
    case smnist(train: SequentialMNISTTask, test: SequentialMNISTTask, trainCount: Int)

    enum Split: UInt64 { case train = 0, validation = 1, test = 2 }

    var inputs: Int {
        switch self {
        case let .evidence(t): return t.inputs
        case let .storeRecall(t): return t.inputs
        case let .smnist(t, _, _): return t.inputs
        }
    }

    var outputs: Int {
        switch self {
        case let .evidence(t): return t.outputs
        case let .storeRecall(t): return t.outputs
        case let .smnist(t, _, _): return t.outputs
        }
    }

    var steps: Int {
        switch self {
        case let .evidence(t): return t.steps
        case let .storeRecall(t): return t.steps
        case let .smnist(t, _, _): return t.steps
        }
    }

    /// The test error below which the task counts as solved (evidence accumulation: the stopping
    /// criterion of the e-prop paper's tutorial; store-recall: 5 % of recalls), nil for MNIST.
    var solvedBelowError: Double? {
        switch self {
        case .evidence: return 0.07
        case .storeRecall: return 0.05
        case .smnist: return nil
        }
    }

    var description: String {
        switch self {
        case let .evidence(t): return "evidence accumulation (\(t.cues) cues, \(t.steps) ms trials)"
        case let .storeRecall(t): return "store-recall (\(t.periods) periods of \(t.periodDuration) ms)"
        case let .smnist(_, _, n): return "sequential MNIST (\(n) training images, 784 + 56 steps)"
        }
    }

    /// Trial `index` of a split for the run seeded `seed`.
    func trial(_ split: Split, seed: UInt64, index: Int) -> RecurrentTrial {
        switch self {
        case let .evidence(t): return t.trial(seed: seed &* 3 &+ split.rawValue, index: index)
        case let .storeRecall(t): return t.trial(seed: seed &* 3 &+ split.rawValue, index: index)
        case let .smnist(train, test, n):
            switch split {
            case .train: return train.trial(index: index % n)
            case .validation: return train.trial(index: n + index % (train.images.count - n))
            case .test: return test.trial(index: index)
            }
        }
    }

    /// Training trial `k` of the run: fresh trials for the generated tasks; for MNIST the images in
    /// an order reshuffled every pass (seeded).
    func trainingIndex(_ k: Int, seed: UInt64) -> Int {
        guard case let .smnist(_, _, n) = self else { return k }
        let pass = k / n
        var rng = Xoshiro256(seed: seed, stream: 0x5EC, UInt64(pass))
        // A seeded affine permutation of 0..<n per pass: a·k + b mod n with a coprime to n.
        var a = Int(rng.next() % UInt64(n)) | 1
        while gcd(a, n) != 1 { a += 2 }
        let b = Int(rng.next() % UInt64(n))
        return (a * (k % n) + b) % n
    }
}

private func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
