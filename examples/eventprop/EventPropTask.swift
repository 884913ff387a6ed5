import Foundation
import Volley
import VolleyExamples

/// The data of the example's tasks as spike-time samples: training, validation and test splits.
struct EventPropTask {
    var name: String
    var inputs: Int
    var classes: Int
    var train: [EventPropTrainer.Sample]
    var validation: [EventPropTrainer.Sample]
    var test: [EventPropTrainer.Sample]
    /// Yin-Yang only: the test points (x, y), for the decision map.
    var points: [(x: Double, y: Double)] = []
    /// MNIST only: the training images and their code, for translated copies (augmentation).
    var trainImages: IDXImages?
    var encoder: LatencyEncoder?

    /// Training sample `i` of epoch `epoch`: as stored, or (MNIST with a shift) its image
    /// translated by the shift's (dx, dy) for (epoch, i) and encoded anew.
    func trainingSample(_ i: Int, shift: RandomShift?, epoch: Int) -> EventPropTrainer.Sample {
        guard let shift, shift.pixels > 0, let images = trainImages, let encoder else { return train[i] }
        return EventPropTrainer.Sample(inputs: encoder.encode(shift.apply(images.image(i), epoch: UInt64(epoch), index: i)), label: train[i].label)
    }

    /// Kriener et al.'s splits (seeds 42 / 41 / 40), features (x, y, 1 − x, 1 − y) at
    /// tMin + v·(tMax − tMin) ms plus a bias spike at tBias.
    static func yinYang(tMin: Double, tMax: Double, tBias: Double, trainCount: Int) -> EventPropTask {
        func samples(_ d: YinYangDataset, _ n: Int) -> [EventPropTrainer.Sample] {
            (0..<min(n, d.labels.count)).map {
                EventPropTrainer.Sample(inputs: YinYangDataset.encode(d.features[$0], tMin: tMin, tMax: tMax, tBias: tBias), label: d.labels[$0])
            }
        }
        let test = YinYangDataset.test()
        return EventPropTask(
            name: "yinyang", inputs: 5, classes: 3, train: samples(.training(), trainCount), validation: samples(.validation(), 1000),
            test: samples(test, 1000), points: test.features.map { ($0[0], $0[1]) })
    }

    /// Latency-coded MNIST: pixel p > 0 fires once at tMin + (1 − p/255)·(tMax − tMin) ms
    /// (brighter earlier), black pixels are silent; training images 0..<trainCount, the
    /// next `validationCount` validate.
    static func mnist(_ data: MNIST, tMin: Double, tMax: Double, trainCount: Int, validationCount: Int, testCount: Int) throws -> EventPropTask {
        for labels in [data.trainLabels, data.testLabels] {
            if let bad = labels.first(where: { !(0...9).contains($0) }) {
                throw VolleyError.malformedData(source: "MNIST labels", reason: "label \(bad) is not a digit 0–9")
            }
        }
        let encoder = try LatencyEncoder(minimum: 0, maximum: 1, tMin: tMin, tMax: tMax, silentAtOrBelow: 0)
        func samples(_ images: IDXImages, _ labels: [Int], _ range: Range<Int>) -> [EventPropTrainer.Sample] {
            range.map { i in
                EventPropTrainer.Sample(inputs: encoder.encode(images.image(i)), label: labels[i])
            }
        }
        return EventPropTask(
            name: "mnist", inputs: 784, classes: 10,
            train: samples(data.trainImages, data.trainLabels, 0..<trainCount),
            validation: samples(data.trainImages, data.trainLabels, trainCount..<(trainCount + validationCount)),
            test: samples(data.testImages, data.testLabels, 0..<testCount), trainImages: data.trainImages, encoder: encoder)
    }
}
