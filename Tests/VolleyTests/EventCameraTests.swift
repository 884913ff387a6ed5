import Foundation
import Testing

@testable import Volley

@Suite("Event camera: the N-MNIST format, synthetic saccades, events as spikes")
struct EventCameraTests {
    static func samplePath() throws -> String {
        try #require(Bundle.module.path(forResource: "nmnist-sample", ofType: "bin", inDirectory: "Fixtures"))
    }

    @Test("The real N-MNIST recording: 4 325 events on 34 × 34 pixels, 2 145 ON, 654–311 175 µs, in time order")
    func realRecording() throws {
        let r = try NMNISTFormat.load(path: try Self.samplePath())
        // Figures from an independent decoding of the 21 625 bytes (5 bytes per event).
        #expect(r.count == 4325 && r.onCount == 2145 && r.offCount == 2180)
        #expect(r.timeRange == 654...311_175)
        #expect((r.x[0], r.y[0], r.polarity[0], r.timestamps[0]) == (7, 15, 1, 654))
        #expect((r.x[4324], r.y[4324], r.polarity[4324], r.timestamps[4324]) == (21, 14, 1, 311_175))
        #expect(r.x.max() == 33 && r.y.max() == 33)
        // Encoding gives back the file's bytes.
        #expect(try NMNISTFormat.encode(r) == [UInt8](try Data(contentsOf: URL(fileURLWithPath: try Self.samplePath()))))
        // Each saccade of ~100 ms holds a share of the events.
        for k in 0..<3 {
            let part = r.events(fromMs: Double(k) * 105, toMs: Double(k + 1) * 105)
            #expect(part.count > 500, "saccade \(k): \(part.count) events")
        }
        // Frames hold every event once.
        let frames = try r.frames(binMs: 1)
        #expect(frames.count == 312)
        #expect(frames.reduce(0) { $0 + $1.reduce(0, +) } == 4325)
    }

    @Test("Corrupt files are typed errors naming the file and what is wrong")
    func corruptFiles() throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: try Self.samplePath())))
        func expectError(_ data: [UInt8], _ fragments: [String], width: Int = 34, height: Int = 34) {
            do {
                _ = try NMNISTFormat.parse(data, source: "x.bin", width: width, height: height)
                Issue.record("accepted: \(fragments)")
            } catch let e as VolleyError {
                for f in fragments { #expect(e.description.contains(f), "\(e) should mention \(f)") }
            } catch { Issue.record("\(error)") }
        }
        expectError(Array(bytes.dropLast(2)), ["x.bin", "21623 bytes", "5-byte events"])
        var outside = bytes
        outside[5 * 10] = 34  // x of event 10
        expectError(outside, ["event 10", "x 34", "34 × 34"])
        var backwards = bytes
        backwards[5 * 20 + 2] = 0x7F | (backwards[5 * 20 + 2] & 0x80)  // event 20 at ≥ 8.3 s
        expectError(backwards, ["event 21", "precedes event 20"])
        // An overflow marker (y = 240) shifts later timestamps by 2¹³ µs and is not an event.
        var marked = Array(bytes[0..<50]) + [0, 240, 0, 0, 0] + Array(bytes[50..<100])
        let r = try NMNISTFormat.parse(marked, source: "x.bin")
        let plain = try NMNISTFormat.parse(Array(bytes[0..<100]))
        #expect(r.count == 20 && r.timestamps[9] == plain.timestamps[9] && r.timestamps[10] == plain.timestamps[10] + 8192)
        marked[0] = 200
        expectError(marked, ["event 0", "x 200"])
        #expect(throws: VolleyError.self) { try NMNISTFormat.load(path: "/no/such/file.bin") }
        #expect(throws: VolleyError.self) { try NMNISTFormat.load(path: FileManager.default.temporaryDirectory.path) }
        // A sensor larger than the format can address is fine to read into (N-Caltech101).
        let wide = try NMNISTFormat.parse(bytes, width: 240, height: 180)
        #expect(wide.count == 4325 && wide.neuronCount == 2 * 240 * 180)
    }

    @Test("Events enter the event-driven engine at their exact times and the stepped engine on its grid")
    func eventsAsSpikes() throws {
        let r = try NMNISTFormat.load(path: try Self.samplePath()).events(fromMs: 0, toMs: 40)
        var net = Network()
        let retina = try net.addSpikeSource("retina", trains: r.spikeTrains())
        _ = retina
        let trains = r.spikeTrains()
        #expect(trains.count == 2 * 34 * 34 && trains.reduce(0) { $0 + $1.count } == r.count)
        let first = r.neuron(ofEvent: 0)
        #expect(trains[first].first == Double(r.timestamps[0]) / 1000)
        // A one-to-one layer of neurons that fire on every input: its spikes are the events, 1 ms later.
        let relay = try net.addPopulation("relay", size: r.neuronCount, model: LIFDelta(tRef: 0))
        try net.connect(retina, to: relay, pattern: .oneToOne, weight: .constant(30), delay: .constant(1))
        let event = try EventDrivenSimulator(network: net)
        try event.run(until: 50)
        let (cells, times) = try event.spikes(of: relay)
        var expected = (0..<r.count).map { (Double(r.timestamps[$0]) / 1000 + 1, Int32(r.neuron(ofEvent: $0))) }
        expected.sort { $0 < $1 }
        let got = zip(times, cells).map { ($0, Int32($1)) }.sorted { $0 < $1 }
        #expect(got.count == expected.count)
        #expect(zip(got, expected).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }, "exact times, no binning")
        let stepped = try TimeSteppedSimulator(network: net, dt: 0.5)
        try stepped.run(until: 50)
        let (_, gridTimes) = try stepped.spikes(of: relay)
        #expect(gridTimes.count == r.count)
        #expect(gridTimes.allSatisfy { ($0 / 0.5).rounded() * 0.5 == $0 }, "stepped spikes lie on the grid")
    }

    @Test("Synthetic saccades: seeded, both polarities, ON events lead a bright edge that moves")
    func syntheticSaccades() throws {
        // A bright 8 × 8 square in a 28 × 28 image.
        let image = (0..<784).map { i -> Double in (10..<18).contains(i / 28) && (10..<18).contains(i % 28) ? 1 : 0 }
        let generator = SaccadeEvents()
        let a = try generator.events(image: image, rows: 28, columns: 28, seed: 1)
        let b = try generator.events(image: image, rows: 28, columns: 28, seed: 1)
        let c = try generator.events(image: image, rows: 28, columns: 28, seed: 2)
        #expect(a == b && a != c)
        #expect(a.width == 34 && a.count > 500 && a.onCount > 100 && a.offCount > 100)
        #expect(a.timeRange!.upperBound <= 300_000)
        // First saccade: the square moves +x and +y (corner (0, −2) → (2, 2)); ON events are on
        // its leading (right, lower) edges, OFF events on its trailing ones.
        let first = a.events(fromMs: 0, toMs: 100)
        func mean(_ values: [UInt16], _ on: UInt8) -> Double {
            let picked = values.indices.filter { first.polarity[$0] == on }.map { Double(values[$0]) }
            return picked.reduce(0, +) / Double(max(picked.count, 1))
        }
        #expect(mean(first.x, 1) > mean(first.x, 0) + 1)
        #expect(mean(first.y, 1) > mean(first.y, 0) + 3)
        // Along x alone the edges are 8 px apart: ON at the right edge, OFF at the left.
        var sideways = generator
        sideways.corners = [SIMD2(0, 0), SIMD2(3, 0)]
        let s = try sideways.events(image: image, rows: 28, columns: 28, seed: 1).events(fromMs: 0, toMs: 100)
        #expect(Set(s.x.indices.filter { s.polarity[$0] == 1 }.map { s.x[$0] }) == [21, 22, 23])
        #expect(Set(s.x.indices.filter { s.polarity[$0] == 0 }.map { s.x[$0] }) == [13, 14, 15])
        // A black image makes no events; bad images are refused.
        #expect(try generator.events(image: [Double](repeating: 0, count: 784), rows: 28, columns: 28, seed: 1).count == 0)
        #expect(throws: VolleyError.self) { try generator.events(image: [Double](repeating: 0.5, count: 783), rows: 28, columns: 28, seed: 1) }
        #expect(throws: VolleyError.self) { try generator.events(image: [.nan] + [Double](repeating: 0, count: 783), rows: 28, columns: 28, seed: 1) }
        var bad = generator
        bad.contrastThreshold = 0
        #expect(throws: VolleyError.self) { try bad.events(image: image, rows: 28, columns: 28, seed: 1) }
        // Round trip through the file format.
        #expect(try NMNISTFormat.parse(NMNISTFormat.encode(a)) == a)
    }

    @Test("Frames and windows count each event once; the SVG has one panel per window")
    func framesAndSVG() throws {
        let r = try NMNISTFormat.load(path: try Self.samplePath())
        let frames = try r.frames(binMs: 10, binCount: 5)
        #expect(frames.count == 5 && frames[0].count == 2312)
        #expect(Int(frames.reduce(0) { $0 + $1.reduce(0, +) }) == r.events(fromMs: 0, toMs: 50).count)
        #expect(throws: VolleyError.self) { try r.frames(binMs: 0) }
        #expect(throws: VolleyError.self) { try r.frames(binMs: .nan) }
        let svg = r.framesSVG(windows: [(0, 105), (105, 210), (210, 315)], title: "N-MNIST sample")
        #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>\n"))
        #expect(svg.components(separatedBy: "<g transform").count == 4)
        #expect(svg.contains("ON \(r.events(fromMs: 0, toMs: 105).onCount)"))
    }
}
