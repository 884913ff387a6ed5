import Foundation

/// A one-dimensional NumPy `.npy` file (format version 1.0: magic, a little-endian header length,
/// the header dictionary padded to a multiple of 64 bytes, then the raw little-endian values),
/// so that exported arrays load with `numpy.load` without parsing text.
enum NumPyFile {
    static func data(_ values: [Double]) -> Data {
        var body = Data(capacity: values.count * 8)
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { body.append(contentsOf: $0) } }
        return framed(descr: "<f8", count: values.count, body: body)
    }

    static func data(_ values: [Int]) -> Data {
        var body = Data(capacity: values.count * 8)
        for v in values { withUnsafeBytes(of: Int64(v).littleEndian) { body.append(contentsOf: $0) } }
        return framed(descr: "<i8", count: values.count, body: body)
    }

    private static func framed(descr: String, count: Int, body: Data) -> Data {
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': (\(count),), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var out = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let length = UInt16(header.utf8.count)
        out.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        out.append(contentsOf: Array(header.utf8))
        out.append(body)
        return out
    }
}
