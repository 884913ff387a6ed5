import Foundation
import Testing

@testable import Volley

@Suite("MNIST IDX files")
struct IDXTests {
    /// An IDX file: 0, 0, type 0x08, dimension count, big-endian sizes, payload.
    func idx(_ dims: [Int], _ payload: [UInt8], type: UInt8 = 0x08) -> [UInt8] {
        var b: [UInt8] = [0, 0, type, UInt8(dims.count)]
        for d in dims { b += [UInt8(d >> 24 & 255), UInt8(d >> 16 & 255), UInt8(d >> 8 & 255), UInt8(d & 255)] }
        return b + payload
    }

    func expectMalformed(_ fragment: String, _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("expected malformed data (\(fragment))")
        } catch let e as VolleyError {
            #expect(e.description.contains(fragment), "\(e) should mention \(fragment)")
        } catch { Issue.record("\(error)") }
    }

    @Test("A tiny hand-written IDX image and label file parse")
    func parse() throws {
        let images = try IDXImages.parse(idx([2, 2, 3], Array(0..<12)), source: "t")
        #expect(images.count == 2 && images.rows == 2 && images.columns == 3)
        #expect(images.image(1) == (6..<12).map { Double($0) / 255 })
        let labels = try IDXLabels.parse(idx([3], [7, 0, 9]), source: "t")
        #expect(labels.labels == [7, 0, 9])
    }

    @Test("Malformed and truncated IDX files are rejected with a reason")
    func malformed() {
        expectMalformed("truncated header") { _ = try IDXImages.parse([0, 0], source: "t") }
        expectMalformed("bad magic") { _ = try IDXImages.parse([1, 0, 8, 3] + [UInt8](repeating: 0, count: 12), source: "t") }
        expectMalformed("gzip") { _ = try IDXImages.parse([0x1F, 0x8B, 8, 0, 0], source: "t") }
        expectMalformed("element type 0x9") { _ = try IDXImages.parse(idx([1, 1, 1], [0], type: 0x09), source: "t") }
        expectMalformed("2 dimensions, expected 3") { _ = try IDXImages.parse(idx([1, 1], [0]), source: "t") }
        expectMalformed("truncated header") { _ = try IDXImages.parse([0, 0, 8, 3, 0, 0], source: "t") }
        expectMalformed("promises 12 bytes of data, file has 11") { _ = try IDXImages.parse(idx([2, 2, 3], Array(0..<11)), source: "t") }
        expectMalformed("1 unexpected trailing bytes") { _ = try IDXLabels.parse(idx([2], [1, 2, 3]), source: "t") }
        #expect(throws: VolleyError.self) { try IDXImages.load(path: "/no/such/idx") }
    }

    @Test("The shipped MNIST excerpt loads: 200 + 100 digits of 28×28")
    func excerpt() throws {
        let dir = try #require(Bundle.module.path(forResource: "mnist-excerpt", ofType: nil, inDirectory: "Fixtures"))
        let mnist = try MNIST.load(directory: dir)
        #expect(mnist.trainImages.count == 200 && mnist.testImages.count == 100)
        #expect(mnist.trainImages.rows == 28 && mnist.trainImages.columns == 28)
        #expect(mnist.trainLabels.prefix(5) == [5, 0, 4, 1, 9])
        #expect(Set(mnist.testLabels) == Set(0...9))
        // An MNIST digit covers roughly a fifth of the image.
        let ink = mnist.trainImages.image(0).filter { $0 > 0 }.count
        #expect(ink > 80 && ink < 250)
    }
}
