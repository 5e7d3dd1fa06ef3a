import PipelineModel

/// What the output CSV says about one data row: the output URLs of its images in image order,
/// a status and the reasons its images failed or went missing.
struct RowOutcome: Sendable, Equatable {
    var outputURLs: [String]
    /// `succeeded`, `partial` (some images succeeded), `failed` or `missing` (none recorded).
    var status: String
    var error: String

    /// The outcome of `row` given its recorded items keyed by image index.
    init(row: CSVRow, items: [Int: ItemRecord]) {
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
                errors.append(index == 0 ? "row \(row.number): not processed before the job's deadline" : "image \(index): not processed before the job's deadline")
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
            status = "missing"
        } else {
            status = "failed"
        }
    }
}
