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

    @Test("UCI's raw files: no header, string labels numbered in order of appearance, a label column and dropped id columns")
    func rawUCIFiles() throws {
        // iris.data as UCI serves it: no header, the class name last, a trailing empty line.
        let iris = try LabelledData.parse(csv: "5.1,3.5,1.4,0.2,Iris-setosa\n7.0,3.2,4.7,1.4,Iris-versicolor\n4.9,3.0,1.4,0.2,Iris-setosa\n6.3,3.3,6.0,2.5,Iris-virginica\n\n")
        #expect(iris.count == 4 && iris.featureCount == 4)
        #expect(iris.labels == [0, 1, 0, 2])
        #expect(iris.classNames == ["Iris-setosa", "Iris-versicolor", "Iris-virginica"])
        #expect(iris.rows[1] == [7.0, 3.2, 4.7, 1.4])
        // wdbc.data: id, diagnosis M/B, then the features.
        let wdbc = try LabelledData.parse(csv: "842302,M,17.99,10.38\n8510426,B,13.54,14.36\n84300903,M,19.69,21.25\n", labelColumn: 2, droppedColumns: [1])
        #expect(wdbc.labels == [0, 1, 0] && wdbc.classNames == ["M", "B"])
        #expect(wdbc.rows == [[17.99, 10.38], [13.54, 14.36], [19.69, 21.25]])
        // A label column that is out of range or dropped, and dropped columns out of range, are refused.
        for (label, dropped) in [(5, Set<Int>()), (0, []), (2, [2]), (2, [9])] {
            #expect(throws: VolleyError.self) { try LabelledData.parse(csv: "1,M,2\n", labelColumn: label, droppedColumns: dropped) }
        }
    }

    @Test("MNIST directories whose images are not 28 × 28 are refused, naming the file")
    func mnistShape() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("volley-mnist-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func bigEndian(_ values: [UInt32]) -> [UInt8] { values.flatMap { v in (0..<4).reversed().map { UInt8(truncatingIfNeeded: v >> (8 * UInt32($0))) } } }
        for side in [10, 0] {
            for (prefix, n) in [("train", 3), ("t10k", 2)] {
                let images = bigEndian([0x803, UInt32(n), UInt32(side), UInt32(side)]) + [UInt8](repeating: 7, count: n * side * side)
                let labels = bigEndian([0x801, UInt32(n)]) + (0..<n).map { UInt8($0) }
                try Data(images).write(to: URL(fileURLWithPath: "\(dir)/\(prefix)-images-idx3-ubyte"))
                try Data(labels).write(to: URL(fileURLWithPath: "\(dir)/\(prefix)-labels-idx1-ubyte"))
            }
            do {
                _ = try MNIST.load(directory: dir)
                Issue.record("\(side) × \(side) images were accepted as MNIST")
            } catch let error as VolleyError {
                #expect(error.description.contains("train-images-idx3-ubyte") && error.description.contains("28 × 28"), "\(error)")
            }
        }
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
        try net.calibrateFiring(on: inputs)
        var options = SpikePropOptions()
        options.silentTime = 30
        options.hiddenReferenceTime = 16
        var trainer = SpikePropTrainer(network: net, options: options, optimizer: .rprop(initialStep: 0.01, minStep: 1e-6, maxStep: 0.05), fullBatch: true, seed: 1001)
        let first = try trainer.epoch(inputs: inputs, targets: targets)
        var last = first
        for _ in 0..<200 where last * 4 >= 1 { last = try trainer.epoch(inputs: inputs, targets: targets) }
        #expect(last * 4 < 1, "summed error \(last * 4) ms² after training, \(first * 4) at the start")
        let outputs = try inputs.map { try trainer.network.forward($0).outputs[0] }
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
