import Foundation

/// Images and labels in the IDX format of the MNIST files (LeCun et al.): a big-endian header
/// (two zero bytes, a type byte 0x08 = unsigned byte, the number of dimensions, then one 32-bit
/// size per dimension) followed by the data. Malformed or truncated files raise
/// `VolleyError.malformedData` naming the file and the problem.
public struct IDXImages: Sendable {
    public let count: Int
    public let rows: Int
    public let columns: Int
    /// Pixel intensities 0…255, image after image, row-major.
    public let pixels: [UInt8]

    public var pixelsPerImage: Int { rows * columns }

    /// Intensities of image `i` scaled to [0, 1].
    public func image(_ i: Int) -> [Double] {
        let n = pixelsPerImage
        return pixels[(i * n)..<((i + 1) * n)].map { Double($0) / 255 }
    }

    public init(count: Int, rows: Int, columns: Int, pixels: [UInt8]) {
        self.count = count
        self.rows = rows
        self.columns = columns
        self.pixels = pixels
    }

    public static func load(path: String) throws -> IDXImages {
        try parse(IDX.read(path), source: path)
    }

    public static func parse(_ data: [UInt8], source: String) throws -> IDXImages {
        let (dims, offset) = try IDX.header(data, source: source, expectedDimensions: 3)
        let n = dims[0] * dims[1] * dims[2]
        try IDX.checkLength(data, offset: offset, payload: n, source: source)
        return IDXImages(count: dims[0], rows: dims[1], columns: dims[2], pixels: Array(data[offset..<(offset + n)]))
    }
}

/// Class labels in IDX format (one unsigned byte per item).
public struct IDXLabels: Sendable {
    public let labels: [Int]

    public static func load(path: String) throws -> IDXLabels {
        try parse(IDX.read(path), source: path)
    }

    public static func parse(_ data: [UInt8], source: String) throws -> IDXLabels {
        let (dims, offset) = try IDX.header(data, source: source, expectedDimensions: 1)
        try IDX.checkLength(data, offset: offset, payload: dims[0], source: source)
        return IDXLabels(labels: data[offset..<(offset + dims[0])].map { Int($0) })
    }
}

/// The MNIST training and test sets from a directory holding the four raw IDX files.
public struct MNIST: Sendable {
    public let trainImages: IDXImages
    public let trainLabels: [Int]
    public let testImages: IDXImages
    public let testLabels: [Int]

    public static let fileNames = (
        trainImages: "train-images-idx3-ubyte", trainLabels: "train-labels-idx1-ubyte",
        testImages: "t10k-images-idx3-ubyte", testLabels: "t10k-labels-idx1-ubyte")

    public static func load(directory: String) throws -> MNIST {
        func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
        let trainImages = try IDXImages.load(path: path(fileNames.trainImages))
        let trainLabels = try IDXLabels.load(path: path(fileNames.trainLabels)).labels
        let testImages = try IDXImages.load(path: path(fileNames.testImages))
        let testLabels = try IDXLabels.load(path: path(fileNames.testLabels)).labels
        for (name, images) in [(fileNames.trainImages, trainImages), (fileNames.testImages, testImages)] where images.rows != 28 || images.columns != 28 {
            throw VolleyError.malformedData(source: path(name), reason: "images are \(images.rows) × \(images.columns) pixels; MNIST images are 28 × 28")
        }
        guard trainImages.count == trainLabels.count else {
            throw VolleyError.malformedData(source: directory, reason: "\(trainImages.count) training images but \(trainLabels.count) labels")
        }
        guard testImages.count == testLabels.count else {
            throw VolleyError.malformedData(source: directory, reason: "\(testImages.count) test images but \(testLabels.count) labels")
        }
        if let bad = (trainLabels + testLabels).first(where: { $0 > 9 }) {
            throw VolleyError.malformedData(source: directory, reason: "label \(bad) is not a digit 0…9")
        }
        return MNIST(trainImages: trainImages, trainLabels: trainLabels, testImages: testImages, testLabels: testLabels)
    }
}

enum IDX {
    static func read(_ path: String) throws -> [UInt8] {
        [UInt8](try FileProblem.read(path))
    }

    /// Parses the header; returns the dimension sizes and the offset of the payload.
    static func header(_ data: [UInt8], source: String, expectedDimensions: Int) throws -> ([Int], Int) {
        guard data.count >= 4 else {
            throw VolleyError.malformedData(source: source, reason: "truncated header: \(data.count) bytes")
        }
        if data[0] == 0x1F && data[1] == 0x8B {
            throw VolleyError.malformedData(source: source, reason: "gzip-compressed; decompress it first (gunzip)")
        }
        guard data[0] == 0, data[1] == 0 else {
            throw VolleyError.malformedData(source: source, reason: "bad magic number (first bytes \(data[0]), \(data[1]); expected 0, 0)")
        }
        guard data[2] == 0x08 else {
            throw VolleyError.malformedData(source: source, reason: "element type 0x\(String(data[2], radix: 16)) is not unsigned byte (0x08)")
        }
        let d = Int(data[3])
        guard d == expectedDimensions else {
            throw VolleyError.malformedData(source: source, reason: "\(d) dimensions, expected \(expectedDimensions)")
        }
        let offset = 4 + 4 * d
        guard data.count >= offset else {
            throw VolleyError.malformedData(source: source, reason: "truncated header: \(data.count) bytes, need \(offset)")
        }
        let dims = (0..<d).map { k -> Int in
            let b = data[(4 + 4 * k)..<(8 + 4 * k)].map { Int($0) }
            return (b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]
        }
        return (dims, offset)
    }

    static func checkLength(_ data: [UInt8], offset: Int, payload: Int, source: String) throws {
        let have = data.count - offset
        guard have >= payload else {
            throw VolleyError.malformedData(source: source, reason: "truncated: header promises \(payload) bytes of data, file has \(have)")
        }
        guard have == payload else {
            throw VolleyError.malformedData(source: source, reason: "\(have - payload) unexpected trailing bytes after \(payload) bytes of data")
        }
    }
}
