import Foundation

/// The binary event format of N-MNIST and N-Caltech101 (Orchard et al., *Converting static image
/// datasets to spiking neuromorphic datasets using saccades*, Front. Neurosci. 9:437, 2015): one
/// file per sample, 5 bytes (40 bits) per event, big-endian fields:
///
///     byte 0: x (8 bits)   byte 1: y (8 bits)
///     byte 2: bit 7 polarity (1 = ON), bits 6…0 timestamp bits 22…16
///     bytes 3, 4: timestamp bits 15…0 (µs)
///
/// An event with y = 240 is not an event but a timestamp-overflow marker: every later timestamp
/// gains 2¹³ µs (the convention of the dataset authors' reader, eventvision.py, and of the
/// readers derived from it).
public enum NMNISTFormat {
    public static let bytesPerEvent = 5
    /// Sensor size of N-MNIST: 34 × 34 pixels (28 × 28 digits moved by the saccades).
    public static let nmnistSize = (width: 34, height: 34)
    /// Largest sensor area used by N-Caltech101 (ATIS, 240 × 180 pixels).
    public static let caltech101Size = (width: 240, height: 180)
    static let overflowMarkerY: UInt8 = 240
    static let overflowIncrement: UInt64 = 1 << 13

    /// Reads one sample file. Errors (typed, naming the path): missing or unreadable file, a size
    /// that is not a whole number of 40-bit events, coordinates outside `width × height`,
    /// timestamps out of order.
    public static func load(
        path: String, width: Int = nmnistSize.width, height: Int = nmnistSize.height
    ) throws -> EventRecording {
        try parse([UInt8](try FileProblem.read(path)), source: path, width: width, height: height)
    }

    public static func parse(
        _ bytes: [UInt8], source: String = "N-MNIST data", width: Int = nmnistSize.width, height: Int = nmnistSize.height
    ) throws -> EventRecording {
        guard bytes.count % bytesPerEvent == 0 else {
            throw VolleyError.malformedData(
                source: source,
                reason: "\(bytes.count) bytes is not a whole number of 5-byte events (truncated, or not an N-MNIST / N-Caltech101 file)")
        }
        let n = bytes.count / bytesPerEvent
        var x = [UInt16](), y = [UInt16](), polarity = [UInt8](), timestamps = [UInt64]()
        x.reserveCapacity(n); y.reserveCapacity(n); polarity.reserveCapacity(n); timestamps.reserveCapacity(n)
        var overflow: UInt64 = 0
        for e in 0..<n {
            let b = e * bytesPerEvent
            if bytes[b + 1] == overflowMarkerY {
                overflow += overflowIncrement
                continue
            }
            let t = (UInt64(bytes[b + 2] & 0x7F) << 16) | (UInt64(bytes[b + 3]) << 8) | UInt64(bytes[b + 4])
            x.append(UInt16(bytes[b]))
            y.append(UInt16(bytes[b + 1]))
            polarity.append(bytes[b + 2] >> 7)
            timestamps.append(t + overflow)
        }
        return try EventRecording(width: width, height: height, x: x, y: y, polarity: polarity, timestamps: timestamps, source: source)
    }

    /// The recording in this format. Refused when a coordinate does not fit 8 bits (or is the
    /// overflow marker 240 as y) or a timestamp does not fit 23 bits.
    public static func encode(_ recording: EventRecording) throws -> [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(recording.count * bytesPerEvent)
        for i in 0..<recording.count {
            let x = recording.x[i], y = recording.y[i], t = recording.timestamps[i]
            guard x <= 255, y <= 255, y != UInt16(overflowMarkerY), t < 1 << 23 else {
                throw VolleyError.invalidParameter(
                    name: "event \(i)", value: "x \(x), y \(y), t \(t) µs",
                    reason: "the N-MNIST format holds x, y ≤ 255 (y ≠ 240) and timestamps < 2²³ µs")
            }
            bytes.append(UInt8(x))
            bytes.append(UInt8(y))
            bytes.append(recording.polarity[i] << 7 | UInt8(t >> 16))
            bytes.append(UInt8(truncatingIfNeeded: t >> 8))
            bytes.append(UInt8(truncatingIfNeeded: t))
        }
        return bytes
    }
}
