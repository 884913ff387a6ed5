/// Event frames as SVG: the events of a time window accumulated per pixel, ON in red, OFF in blue
/// (opacity ∝ count, the brightest pixel fully opaque), on a light background.
extension EventRecording {
    /// One panel per window (ms), side by side, each titled with its window and event counts.
    public func framesSVG(windows: [(fromMs: Double, toMs: Double)], scale: Int = 6, title: String) -> String {
        let panel = width * scale, gap = 12, top = 40, bottom = 22
        let totalWidth = max(1, windows.count) * (panel + gap) + gap
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(totalWidth)" height="\(top + height * scale + bottom)" font-family="sans-serif" font-size="11">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(gap)" y="16" font-size="13">\(SVGPlot.escape(title))</text>

            """
        for (w, window) in windows.enumerated() {
            let part = events(fromMs: window.fromMs, toMs: window.toMs)
            var on = [Int](repeating: 0, count: width * height), off = on
            for i in 0..<part.count {
                let p = Int(part.y[i]) * width + Int(part.x[i])
                if part.polarity[i] == 1 { on[p] += 1 } else { off[p] += 1 }
            }
            let peak = Double(max(on.max() ?? 0, off.max() ?? 0, 1))
            let left = gap + w * (panel + gap)
            svg += "<g transform=\"translate(\(left),\(top))\">\n"
            svg += "<rect width=\"\(panel)\" height=\"\(height * scale)\" fill=\"#eeeeee\"/>\n"
            for p in 0..<(width * height) where on[p] + off[p] > 0 {
                let (colour, count) = on[p] >= off[p] ? ("#d62728", on[p] - off[p]) : ("#1f77b4", off[p] - on[p])
                guard count > 0 else { continue }
                svg += "<rect x=\"\(p % width * scale)\" y=\"\(p / width * scale)\" width=\"\(scale)\" height=\"\(scale)\" fill=\"\(colour)\" fill-opacity=\"\(Format.fixed(0.15 + 0.85 * Double(count) / peak, 3))\"/>\n"
            }
            svg += "<text x=\"0\" y=\"-6\">\(Format.fixed(window.fromMs, 0))–\(Format.fixed(window.toMs, 0)) ms</text>\n"
            svg += "<text x=\"0\" y=\"\(height * scale + 15)\">ON \(part.onCount), OFF \(part.offCount)</text>\n</g>\n"
        }
        return svg + "</svg>\n"
    }
}
