/// A small dependency-free SVG plotting canvas: axes with ticks, scatter points, polylines, a
/// legend. Used for raster plots, STDP windows and training curves.
public struct SVGPlot {
    public var width = 900.0
    public var height = 420.0
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var xRange: ClosedRange<Double>
    public var yRange: ClosedRange<Double>
    private var body: [String] = []
    private var legend: [(String, String)] = []
    let left = 70.0, right = 20.0, top = 40.0, bottom = 50.0

    public static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf"]

    public init(title: String, xLabel: String, yLabel: String, xRange: ClosedRange<Double>, yRange: ClosedRange<Double>) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.xRange = xRange.lowerBound < xRange.upperBound ? xRange : (xRange.lowerBound - 1)...(xRange.upperBound + 1)
        self.yRange = yRange.lowerBound < yRange.upperBound ? yRange : (yRange.lowerBound - 1)...(yRange.upperBound + 1)
    }

    func px(_ x: Double) -> Double {
        left + (x - xRange.lowerBound) / (xRange.upperBound - xRange.lowerBound) * (width - left - right)
    }

    func py(_ y: Double) -> Double {
        height - bottom - (y - yRange.lowerBound) / (yRange.upperBound - yRange.lowerBound) * (height - top - bottom)
    }

    static func n(_ v: Double) -> String { Format.fixed(v, 2) }

    /// Small vertical ticks (raster plots) or dots at (x, y).
    public mutating func points(_ xs: [Double], _ ys: [Double], color: String, label: String? = nil, radius: Double = 1.2, ticks: Bool = false) {
        var path = ""
        for (x, y) in zip(xs, ys) where xRange.contains(x) && yRange.contains(y) {
            if ticks {
                path += "M\(SVGPlot.n(px(x))) \(SVGPlot.n(py(y) - radius))v\(SVGPlot.n(2 * radius))"
            } else {
                body.append("<circle cx=\"\(SVGPlot.n(px(x)))\" cy=\"\(SVGPlot.n(py(y)))\" r=\"\(radius)\" fill=\"\(color)\"/>")
            }
        }
        if ticks && !path.isEmpty {
            body.append("<path d=\"\(path)\" stroke=\"\(color)\" stroke-width=\"1\"/>")
        }
        if let label { legend.append((label, color)) }
    }

    /// A polyline through (x, y).
    public mutating func line(_ xs: [Double], _ ys: [Double], color: String, label: String? = nil, width strokeWidth: Double = 1.5, dashed: Bool = false) {
        let pts = zip(xs, ys).filter { $0.0.isFinite && $0.1.isFinite }
            .map { "\(SVGPlot.n(px($0.0))),\(SVGPlot.n(py(Swift.min(Swift.max($0.1, yRange.lowerBound), yRange.upperBound))))" }
        guard !pts.isEmpty else { return }
        let dash = dashed ? " stroke-dasharray=\"5,4\"" : ""
        body.append("<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"\(strokeWidth)\"\(dash) points=\"\(pts.joined(separator: " "))\"/>")
        if let label { legend.append((label, color)) }
    }

    /// A horizontal reference line at y.
    public mutating func horizontalLine(at y: Double, color: String = "#999") {
        body.append("<line x1=\"\(SVGPlot.n(px(xRange.lowerBound)))\" x2=\"\(SVGPlot.n(px(xRange.upperBound)))\" y1=\"\(SVGPlot.n(py(y)))\" y2=\"\(SVGPlot.n(py(y)))\" stroke=\"\(color)\" stroke-dasharray=\"3,3\"/>")
    }

    static func ticks(_ r: ClosedRange<Double>) -> [Double] {
        let span = r.upperBound - r.lowerBound
        var step = 1.0
        while span / step > 10 { step *= 10 }
        while span / step < 4 { step /= 10 }
        if span / step > 8 { step *= 2 }
        var t = (r.lowerBound / step).rounded(.up) * step
        var out: [Double] = []
        while t <= r.upperBound + 1e-9 * step {
            out.append(abs(t) < 1e-12 * step ? 0 : t)
            t += step
        }
        return out
    }

    /// The complete SVG document.
    public var rendered: String {
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        s += "<text x=\"\(SVGPlot.n(width / 2))\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">\(SVGPlot.escape(title))</text>\n"
        let x0 = px(xRange.lowerBound), x1 = px(xRange.upperBound), y0 = py(yRange.lowerBound), y1 = py(yRange.upperBound)
        s += "<rect x=\"\(SVGPlot.n(x0))\" y=\"\(SVGPlot.n(y1))\" width=\"\(SVGPlot.n(x1 - x0))\" height=\"\(SVGPlot.n(y0 - y1))\" fill=\"none\" stroke=\"#333\"/>\n"
        for t in SVGPlot.ticks(xRange) {
            s += "<line x1=\"\(SVGPlot.n(px(t)))\" x2=\"\(SVGPlot.n(px(t)))\" y1=\"\(SVGPlot.n(y0))\" y2=\"\(SVGPlot.n(y0 + 5))\" stroke=\"#333\"/>"
            s += "<text x=\"\(SVGPlot.n(px(t)))\" y=\"\(SVGPlot.n(y0 + 18))\" text-anchor=\"middle\">\(SVGPlot.label(t))</text>\n"
        }
        for t in SVGPlot.ticks(yRange) {
            s += "<line x1=\"\(SVGPlot.n(x0 - 5))\" x2=\"\(SVGPlot.n(x0))\" y1=\"\(SVGPlot.n(py(t)))\" y2=\"\(SVGPlot.n(py(t)))\" stroke=\"#333\"/>"
            s += "<text x=\"\(SVGPlot.n(x0 - 8))\" y=\"\(SVGPlot.n(py(t) + 4))\" text-anchor=\"end\">\(SVGPlot.label(t))</text>\n"
        }
        s += "<text x=\"\(SVGPlot.n((x0 + x1) / 2))\" y=\"\(SVGPlot.n(height - 12))\" text-anchor=\"middle\">\(SVGPlot.escape(xLabel))</text>\n"
        s += "<text transform=\"translate(16,\(SVGPlot.n((y0 + y1) / 2))) rotate(-90)\" text-anchor=\"middle\">\(SVGPlot.escape(yLabel))</text>\n"
        s += body.joined(separator: "\n") + "\n"
        for (k, (label, color)) in legend.enumerated() {
            let y = top + 14 + Double(k) * 16
            s += "<rect x=\"\(SVGPlot.n(x1 - 150))\" y=\"\(SVGPlot.n(y - 9))\" width=\"10\" height=\"10\" fill=\"\(color)\"/>"
            s += "<text x=\"\(SVGPlot.n(x1 - 135))\" y=\"\(SVGPlot.n(y))\">\(SVGPlot.escape(label))</text>\n"
        }
        return s + "</svg>\n"
    }

    static func label(_ v: Double) -> String {
        if v == v.rounded() && abs(v) < 1e9 { return String(Int(v)) }
        return "\(Double(Format.fixed(v, 4)) ?? v)"
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
