import Foundation
import Testing

@testable import Volley

@Suite("Data sets: CSV and cross-validation folds")
struct DatasetTests {
    static func fixture(_ name: String) throws -> String {
        try #require(Bundle.module.path(forResource: name, ofType: "csv", inDirectory: "Fixtures"))
    }

    @Test("The shipped Iris excerpt loads: 36 samples, 4 features, 3 balanced classes")
    func loadFixture() throws {
        let data = try LabelledData.load(csv: try Self.fixture("iris_excerpt"))
        #expect(data.count == 36)
        #expect(data.featureCount == 4)
        #expect(data.featureNames == ["sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm"])
        #expect(data.classCount == 3)
        #expect((0..<3).map { c in data.labels.filter { $0 == c }.count } == [12, 12, 12])
        #expect(data.rows[0] == [5.1, 3.5, 1.4, 0.2])
    }

    @Test("Malformed CSV is rejected with the line and column")
    func malformed() {
        func check(_ text: String, _ fragments: [String]) {
            do {
                _ = try LabelledData.parse(csv: text, source: "t.csv")
                Issue.record("expected an error for \(text)")
            } catch let e as VolleyError {
                for f in fragments { #expect(e.description.contains(f), "\(e) should mention \(f)") }
            } catch { Issue.record("\(error)") }
        }
        check("", ["empty file"])
        check("a,b,label\n", ["no data rows"])
        check("a,b,label\n1,2,0\n1,2\n", ["line 3", "2 fields", "3"])
        check("a,b,label\n1,x,0\n", ["line 2", "column 2", "'x'"])
        check("a,b,label\n1,nan,0\n", ["line 2", "'nan'"])
        check("a,b,label\n1,2,-1\n", ["line 2", "label '-1'"])
        check("a,b,label\n1,2,0\n\n1,2,1\n", ["line 3 is empty"])
        check("label\n1\n", ["1 column"])
        #expect(throws: VolleyError.self) { try LabelledData.load(csv: "/no/such/file.csv") }
    }

    @Test("Stratified folds: disjoint, covering, class-balanced within one sample, seeded")
    func folds() throws {
        let data = try LabelledData.load(csv: try Self.fixture("wdbc_excerpt"))
        let folds = try data.stratifiedFolds(4, seed: 3)
        #expect(folds.flatMap { $0 }.sorted() == Array(0..<data.count))
        for f in folds {
            for c in 0..<data.classCount {
                let n = f.filter { data.labels[$0] == c }.count
                #expect(n == 5)
            }
        }
        #expect(try data.stratifiedFolds(4, seed: 3) == folds)
        #expect(try data.stratifiedFolds(4, seed: 4) != folds)
        #expect(throws: VolleyError.self) { try data.stratifiedFolds(1, seed: 0) }
    }

    @Test("SpikeProp learns XOR (RProp, seed 1001) within 200 epochs")
    func xorLearns() throws {
        let inputs: [[Double]] = [[0, 0, 0], [0, 6, 0], [6, 0, 0], [6, 6, 0]]
        let targets: [[Double]] = [[16], [10], [10], [16]]
        var net = try SpikePropNetwork(layerSizes: [3, 5, 1], delays: (1...16).map(Double.init), neuron: SRM(tau: 7, vThreshold: 1), signs: [[1, 1, 1], [1, 1, 1, 1, -1]])
        net.initialize(low: 0, high: 0.25, seed: 1001)
        net.calibrateFiring(on: inputs)
        var options = SpikePropOptions()
        options.silentTime = 30
        options.hiddenReferenceTime = 16
        var trainer = SpikePropTrainer(network: net, options: options, optimizer: .rprop(initialStep: 0.01, minStep: 1e-6, maxStep: 0.05), fullBatch: true, seed: 1001)
        let first = trainer.epoch(inputs: inputs, targets: targets)
        var last = first
        for _ in 0..<200 where last * 4 >= 1 { last = trainer.epoch(inputs: inputs, targets: targets) }
        #expect(last * 4 < 1, "summed error \(last * 4) ms² after training, \(first * 4) at the start")
        let outputs = inputs.map { trainer.network.forward($0).outputs[0] }
        for (t, target) in zip(outputs, targets) { #expect(abs(t - target[0]) < 1.5) }
    }

    @Test("SpikeProp classifies the training part of the Iris excerpt")
    func irisExcerptLearns() throws {
        let data = try LabelledData.load(csv: try Self.fixture("iris_excerpt"))
        var setup = SpikePropClassifierSetup()
        setup.fieldsPerFeature = 6
        setup.epochs = 40
        setup.hidden = 6
        let folds = try data.stratifiedFolds(3, seed: 1)
        let test = Set(folds[0])
        let result = try SpikePropClassifier.runFold(
            0, train: data.subset(data.labels.indices.filter { !test.contains($0) }), test: data.subset(folds[0]),
            classes: 3, setup: setup, verifyWithEngine: true) { _ in }
        #expect(Double(result.trainCorrect) / Double(result.trainCount) > 0.9)
        #expect(result.engineMismatches == 0)
        #expect(result.losses.last! < result.losses.first!)
    }
}
