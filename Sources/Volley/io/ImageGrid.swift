import Foundation

/// A grid of grayscale tiles (e.g. the learned input weights of each neuron as a 28×28 image),
/// written as an SVG that embeds one 8-bit grayscale PNG. The PNG is encoded here with stored
/// (uncompressed) deflate blocks, CRC-32 and Adler-32 (RFC 1950/1951, PNG spec), so no image or
/// compression library is needed; a few hundred kB for 400 MNIST-sized tiles.
public struct ImageGrid {
    public let tileRows: Int
    public let tileColumns: Int
    public let gridColumns: Int
    /// Tiles as values in [0, 1] (0 = black), row-major, `tileRows·tileColumns` each.
    public private(set) var tiles: [[Double]] = []

    public init(tileRows: Int, tileColumns: Int, gridColumns: Int) {
        self.tileRows = tileRows
        self.tileColumns = tileColumns
        self.gridColumns = max(1, gridColumns)
    }

    /// Adds a tile; values are mapped linearly so that `range` spans black…white (clamped).
    public mutating func append(_ values: [Double], range: ClosedRange<Double>) throws {
        guard values.count == tileRows * tileColumns else {
            throw VolleyError.invalidParameter(name: "tile", value: "\(values.count) values", reason: "expected \(tileRows)×\(tileColumns)")
        }
        let span = range.upperBound - range.lowerBound
        tiles.append(values.map { span > 0 ? min(max(($0 - range.lowerBound) / span, 0), 1) : 0 })
    }

    /// The grid as 8-bit gray pixels (1-pixel dark gap between tiles): (width, height, pixels).
    public func raster() -> (width: Int, height: Int, pixels: [UInt8]) {
        let gridRows = (tiles.count + gridColumns - 1) / gridColumns
        let width = gridColumns * (tileColumns + 1) + 1
        let height = max(gridRows, 1) * (tileRows + 1) + 1
        var pixels = [UInt8](repeating: 40, count: width * height)
        for (k, tile) in tiles.enumerated() {
            let x0 = 1 + (k % gridColumns) * (tileColumns + 1)
            let y0 = 1 + (k / gridColumns) * (tileRows + 1)
            for r in 0..<tileRows {
                for c in 0..<tileColumns {
                    pixels[(y0 + r) * width + x0 + c] = UInt8((tile[r * tileColumns + c] * 255).rounded())
                }
            }
        }
        return (width, height, pixels)
    }

    /// SVG document showing the grid scaled by `scale` (pixelated), with a title.
    public func svg(title: String, scale: Int = 4) -> String {
        let (w, h, pixels) = raster()
        let png = PNG.grayscale(width: w, height: h, pixels: pixels).base64EncodedString()
        let sw = w * scale, sh = h * scale + 30
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(sw)" height="\(sh)" viewBox="0 0 \(sw) \(sh)">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(sw / 2)" y="20" font-family="sans-serif" font-size="14" text-anchor="middle">\(SVGPlot.escape(title))</text>
            <image x="0" y="30" width="\(w * scale)" height="\(h * scale)" style="image-rendering:pixelated" preserveAspectRatio="none" href="data:image/png;base64,\(png)"/>
            </svg>

            """
    }
}

/// Minimal PNG encoder: 8-bit grayscale, no filtering, stored deflate blocks.
public enum PNG {
    public static func grayscale(width: Int, height: Int, pixels: [UInt8]) -> Data {
        precondition(pixels.count == width * height, "PNG.grayscale: pixel count does not match size")
        var raw = [UInt8]()
        raw.reserveCapacity((width + 1) * height)
        for y in 0..<height {
            raw.append(0)  // filter type None
            raw.append(contentsOf: pixels[(y * width)..<((y + 1) * width)])
        }
        var z: [UInt8] = [0x78, 0x01]  // zlib header: deflate, 32 K window, no dictionary
        var offset = 0
        repeat {
            let n = min(65_535, raw.count - offset)
            let final: UInt8 = offset + n == raw.count ? 1 : 0
            z.append(final)
            z.append(contentsOf: [UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)])
            z.append(contentsOf: raw[offset..<(offset + n)])
            offset += n
        } while offset < raw.count
        z.append(contentsOf: bigEndian(adler32(raw)))
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        png += chunk("IHDR", bigEndian(UInt32(width)) + bigEndian(UInt32(height)) + [8, 0, 0, 0, 0])
        png += chunk("IDAT", z)
        png += chunk("IEND", [])
        return Data(png)
    }

    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        return bigEndian(UInt32(data.count)) + body + bigEndian(crc32(body))
    }

    static func bigEndian(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
    }

    /// CRC-32 (ISO 3309, polynomial 0xEDB88320), as PNG chunks use.
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            crc ^= UInt32(b)
            for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    /// Adler-32 (RFC 1950).
    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        for x in bytes {
            a = (a + UInt32(x)) % 65_521
            b = (b + a) % 65_521
        }
        return (b << 16) | a
    }
}
