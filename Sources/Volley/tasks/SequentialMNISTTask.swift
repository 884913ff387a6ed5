import Foundation

/// Sequential (pixel-by-pixel) MNIST as the LSNN paper encodes it (Bellec et al. 2018): the 784
/// pixels of an image, row by row, one per step; `thresholds` gray levels evenly spaced in
/// (0, 255), each with an "up" and a "down" input neuron that fires at the step where the pixel
/// value crosses that level upwards or downwards from the previous pixel. After the image a cue
/// neuron (the last input) fires at every step of a `recallSteps`-step window, in which the
/// readout must report the digit.
public struct SequentialMNISTTask: Sendable {
    public let images: IDXImages
    public let labels: [Int]
    public var thresholds = 40
    public var recallSteps = 56

    public init(images: IDXImages, labels: [Int]) throws {
        guard images.count == labels.count else {
            throw VolleyError.invalidParameter(name: "labels", value: "\(labels.count)", reason: "need one per image (\(images.count))")
        }
        if let bad = labels.firstIndex(where: { !(0..<10).contains($0) }) {
            throw VolleyError.indexOutOfRange(index: labels[bad], count: 10, context: "label of image \(bad)")
        }
        self.images = images
        self.labels = labels
    }

    public var inputs: Int { 2 * thresholds + 1 }
    public let outputs = 10
    public var steps: Int { images.pixelsPerImage + recallSteps }

    /// Image `index` as a trial (deterministic: no random draws).
    public func trial(index: Int) -> RecurrentTrial {
        let P = images.pixelsPerImage
        let pixels = images.pixels[(index * P)..<((index + 1) * P)]
        var spikes = [[Int32]](repeating: [], count: steps)
        var previous = 0.0
        for (n, raw) in pixels.enumerated() {
            let value = Double(raw)
            for k in 0..<thresholds {
                let level = 255 * (Double(k) + 0.5) / Double(thresholds)
                if previous < level && value >= level { spikes[n].append(Int32(2 * k)) }
                if previous >= level && value < level { spikes[n].append(Int32(2 * k + 1)) }
            }
            previous = value
        }
        spikes[P..<steps] = ArraySlice(repeating: [Int32(inputs - 1)], count: recallSteps)
        for n in 0..<P { spikes[n].sort() }
        return RecurrentTrial(
            input: STBPInput(spikes: spikes), windows: [.init(steps: P..<steps, label: labels[index])], steps: steps)
    }
}
