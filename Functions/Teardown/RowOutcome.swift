import PipelineModel

/// What the output CSV says about one data row: the output URLs of its images in image order,
/// a status and the reasons its images failed, went missing or were cancelled.
struct RowOutcome: Sendable, Equatable {
    var outputURLs: [String]
    /// `succeeded`, `partial` (some images succeeded), `failed`, or `missing` / `cancelled`
    /// (none recorded: the job timed out, or was cancelled).
    var status: String
    var error: String

    /// Why item `index` of row `row` has no record: `unrecorded` is `.missing` (the job was
    /// finalized at its deadline) or `.cancelled`.
    static func unrecordedReason(row: Int, index: Int, _ unrecorded: ResultLine.Status) -> String {
        let what = index == 0 ? "row \(row)" : "image \(index)"
        return unrecorded == .cancelled ? "\(what): cancelled before it was processed" : "\(what): not processed before the job's deadline"
    }

    /// The outcome of `row` given its recorded items keyed by image index; images without an
    /// item are reported as `unrecorded` (`.missing`, or `.cancelled` for a cancelled job).
    init(row: CSVRow, items: [Int: ItemRecord], unrecorded: ResultLine.Status = .missing) {
        // The items ingest and populate promised for this row: one per valid URL, one per
        // invalid URL, or one (index 0) for a wholly invalid row (see CSVRow+Items).
        let indexes = row.itemIndexes
        var urls: [String] = []
        var errors: [String] = []
        var succeeded = 0
        var missing = 0
        for index in indexes {
            guard let item = items[index] else {
                missing += 1
                errors.append(Self.unrecordedReason(row: row.number, index: index, unrecorded))
                continue
            }
            switch item.status {
            case .succeeded:
                succeeded += 1
                urls.append(contentsOf: item.outputs.map(\.url))
            case .failed:
                errors.append(item.error ?? (index == 0 ? "row \(row.number): failed" : "image \(index): failed"))
            }
        }
        outputURLs = urls
        error = errors.joined(separator: "; ")
        if !indexes.isEmpty, succeeded == indexes.count {
            status = "succeeded"
        } else if succeeded > 0 {
            status = "partial"
        } else if !indexes.isEmpty, missing == indexes.count {
            status = unrecorded == .cancelled ? "cancelled" : "missing"
        } else {
            status = "failed"
        }
    }
}
