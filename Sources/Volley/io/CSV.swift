import Foundation

/// A labelled numeric data set read from CSV: numeric feature columns and one class-label column
/// — the layout of the files in `datasets/uci/` (a header row, integer labels last) and of the
/// files as UCI distributes them (`iris.data`: no header, string labels; `wdbc.data`: an id
/// column, the label second — `labelColumn: 2, droppedColumns: [1]`).
public struct LabelledData: Sendable, Equatable {
    public var featureNames: [String]
    /// rows[i] holds the features of sample i.
    public var rows: [[Double]]
    /// Class of each sample, 0 ..< classCount.
    public var labels: [Int]
    /// The class names of a file whose labels are strings, in order of first appearance (class
    /// k is `classNames[k]`); nil for integer labels.
    public var classNames: [String]?

    public var count: Int { rows.count }
    public var featureCount: Int { featureNames.count }
    public var classCount: Int { (labels.max() ?? -1) + 1 }

    public init(featureNames: [String], rows: [[Double]], labels: [Int], classNames: [String]? = nil) {
        self.featureNames = featureNames
        self.rows = rows
        self.labels = labels
        self.classNames = classNames
    }

    /// Reads a CSV file; errors name the file, line and column. See `parse(csv:…)`.
    public static func load(csv path: String, labelColumn: Int? = nil, droppedColumns: Set<Int> = []) throws -> LabelledData {
        let data = try FileProblem.read(path)
        guard let text = String(data: data, encoding: .utf8) else {
            throw VolleyError.malformedData(source: path, reason: "not UTF-8 text (expected a CSV file)")
        }
        return try parse(csv: text, source: path, labelColumn: labelColumn, droppedColumns: droppedColumns)
    }

    /// Parses CSV text: comma-separated rows of numeric features and one label column
    /// (`labelColumn`, 1-based; default the last), without the columns in `droppedColumns`
    /// (1-based, e.g. an id). The first row is a header when any of its feature fields is not a
    /// number. Labels are non-negative integers, or strings mapped to 0, 1, … in order of first
    /// appearance (`classNames`). Trailing empty lines are ignored.
    public static func parse(
        csv text: String, source: String = "CSV text", labelColumn: Int? = nil, droppedColumns: Set<Int> = []
    ) throws -> LabelledData {
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard let first = lines.first, !first.isEmpty else {
            throw VolleyError.malformedData(source: source, reason: "empty file (expected comma-separated rows)")
        }
        func fields(_ line: String) -> [String] {
            line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        }
        let width = fields(first).count
        let label = (labelColumn ?? width) - 1
        guard label >= 0 && label < width, !droppedColumns.contains(label + 1) else {
            throw VolleyError.invalidParameter(
                name: "labelColumn", value: "\(label + 1)", reason: "\(source) has \(width) columns (1-based, not a dropped one)")
        }
        if let bad = droppedColumns.first(where: { $0 < 1 || $0 > width }) {
            throw VolleyError.invalidParameter(name: "droppedColumns", value: "\(bad)", reason: "\(source) has \(width) columns (1-based)")
        }
        let featureColumns = (0..<width).filter { $0 != label && !droppedColumns.contains($0 + 1) }
        guard !featureColumns.isEmpty else {
            throw VolleyError.malformedData(source: source, reason: "\(width) columns leave no feature column")
        }
        let firstFields = fields(first)
        let hasHeader = featureColumns.contains { Double(firstFields[$0]) == nil }
        let names = hasHeader ? featureColumns.map { firstFields[$0] } : featureColumns.map { "feature\($0 + 1)" }
        var rows: [[Double]] = []
        var labelTexts: [String] = []
        var lineNumbers: [Int] = []
        for (n, line) in lines.enumerated().dropFirst(hasHeader ? 1 : 0) {
            let lineNumber = n + 1
            if line.isEmpty {
                throw VolleyError.malformedData(source: source, reason: "line \(lineNumber) is empty")
            }
            let f = fields(line)
            guard f.count == width else {
                throw VolleyError.malformedData(
                    source: source, reason: "line \(lineNumber) has \(f.count) fields, the first line \(width)")
            }
            var row: [Double] = []
            row.reserveCapacity(featureColumns.count)
            for c in featureColumns {
                guard let v = Double(f[c]), v.isFinite else {
                    let column = hasHeader ? " (\(firstFields[c]))" : ""
                    throw VolleyError.malformedData(
                        source: source, reason: "line \(lineNumber), column \(c + 1)\(column): '\(f[c])' is not a finite number")
                }
                row.append(v)
            }
            guard !f[label].isEmpty else {
                throw VolleyError.malformedData(source: source, reason: "line \(lineNumber): the label (column \(label + 1)) is empty")
            }
            rows.append(row)
            labelTexts.append(f[label])
            lineNumbers.append(lineNumber)
        }
        guard !rows.isEmpty else {
            throw VolleyError.malformedData(source: source, reason: "no data rows")
        }
        let integers = labelTexts.compactMap { Int($0) }
        if integers.count == labelTexts.count {
            if let bad = integers.firstIndex(where: { $0 < 0 || $0 > maxIntegerLabel }) {
                throw VolleyError.malformedData(
                    source: source,
                    reason: "line \(lineNumbers[bad]): label '\(labelTexts[bad])' is not a class number 0…\(maxIntegerLabel) (integer labels number the classes from 0)")
            }
            return LabelledData(featureNames: names, rows: rows, labels: integers)
        }
        var classNames: [String] = []
        var index: [String: Int] = [:]
        let labels = labelTexts.map { text -> Int in
            if let k = index[text] { return k }
            index[text] = classNames.count
            classNames.append(text)
            return classNames.count - 1
        }
        return LabelledData(featureNames: names, rows: rows, labels: labels, classNames: classNames)
    }

    /// The largest integer label accepted: classes are numbered densely from 0.
    public static let maxIntegerLabel = 9999

    /// The samples at `indices`.
    public func subset(_ indices: [Int]) -> LabelledData {
        LabelledData(
            featureNames: featureNames, rows: indices.map { rows[$0] }, labels: indices.map { labels[$0] }, classNames: classNames)
    }

    /// Stratified k-fold split, seeded: each class's samples are shuffled and dealt round-robin to
    /// the folds, so every fold has (within one sample) the class proportions of the whole set.
    /// Returns the test indices of each fold (sorted); fold f trains on the other folds.
    public func stratifiedFolds(_ k: Int, seed: UInt64) throws -> [[Int]] {
        guard k >= 2 && k <= count else {
            throw VolleyError.invalidParameter(name: "folds", value: "\(k)", reason: "need 2 ≤ k ≤ \(count) samples")
        }
        var rng = Xoshiro256(seed: seed, stream: 0xF01D)
        var folds = [[Int]](repeating: [], count: k)
        var next = 0
        for c in 0..<classCount {
            var members = labels.indices.filter { labels[$0] == c }
            rng.shuffle(&members)
            for i in members {
                folds[next % k].append(i)
                next += 1
            }
        }
        return folds.map { $0.sorted() }
    }
}
