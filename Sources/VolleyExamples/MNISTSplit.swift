import Volley

/// The MNIST images an example trains and evaluates on: the first `trainCount` training images,
/// of which the last `validation` are held out (for choosing settings), else the first
/// `testCount` test images. Counts beyond the files are usage errors naming the flag.
public struct MNISTSplit {
    public let mnist: MNIST
    /// Training images actually fitted (trainCount − validation).
    public let fit: Int
    public let trainImages: [[Double]]
    public let trainLabels: [Int]
    public let heldOutImages: [[Double]]
    public let heldOutLabels: [Int]
    /// "validation" or "test".
    public let heldOutName: String

    public init(path: String, trainCount: Int, validation: Int, testCount: Int) throws {
        mnist = try reading("data", path) { try MNIST.load(directory: path) }
        guard trainCount <= mnist.trainImages.count else {
            throw VolleyError.usage("option '--train-samples': \(trainCount) is more than the \(mnist.trainImages.count) training images in \(path)")
        }
        guard testCount <= mnist.testImages.count else {
            throw VolleyError.usage("option '--test-samples': \(testCount) is more than the \(mnist.testImages.count) test images in \(path)")
        }
        let mnist = self.mnist
        fit = trainCount - validation
        trainImages = (0..<fit).map { mnist.trainImages.image($0) }
        trainLabels = Array(mnist.trainLabels.prefix(fit))
        let fit = self.fit
        heldOutImages = validation > 0 ? (fit..<trainCount).map { mnist.trainImages.image($0) } : (0..<testCount).map { mnist.testImages.image($0) }
        heldOutLabels = validation > 0 ? Array(mnist.trainLabels[fit..<trainCount]) : Array(mnist.testLabels.prefix(testCount))
        heldOutName = validation > 0 ? "validation" : "test"
    }

    /// `--hidden N[,N…]` of the MNIST network examples: the default when unset; "0" alone for
    /// none (a CNN only).
    public static func hiddenLayers(_ cli: CommandOptions, arch: String, default defaultSizes: [Int]) throws -> [Int] {
        guard cli.isSet("hidden") else { return defaultSizes }
        let list = try cli.intList("hidden", .within(0...100_000))
        let hidden = list == [0] ? [] : list
        if arch == "mlp" && hidden.isEmpty { throw VolleyError.usage("option '--hidden': an mlp needs at least one hidden layer") }
        if hidden.contains(0) && list != [0] { throw VolleyError.usage("option '--hidden': 0 only alone (no hidden layer), got \(list)") }
        return hidden
    }

    /// `--channels C1,C2` of the MNIST CNNs (--quick: 4,8 unless set).
    public static func channels(_ cli: CommandOptions, quick: Bool) throws -> [Int] {
        let channels = quick && !cli.isSet("channels") ? [4, 8] : try cli.intList("channels", .within(1...1024))
        guard channels.count == 2 else { throw VolleyError.usage("option '--channels': need two channel counts C1,C2, got \(channels.count)") }
        return channels
    }
}
