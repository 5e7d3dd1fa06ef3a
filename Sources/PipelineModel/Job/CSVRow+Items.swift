/// How a validated row becomes items (ARCHITECTURE §5): each valid URL one image task, each
/// invalid URL one failed item at its index, a wholly invalid row one failed item at index 0.
/// Ingest counts with `itemCount`, populate creates exactly those items, so a job's `total`
/// and what is recorded always agree.
extension CSVRow {
    /// Items this row adds to its job's `total`.
    public var itemCount: Int { urls.count + invalid.count }

    /// The image tasks of this row's valid URLs.
    public func imageTasks(job: String, recipe: String) -> [ImageTask] {
        urls.map { ImageTask(job: job, row: number, index: $0.index, url: $0.url, product: product, recipe: recipe) }
    }

    /// Failed items for this row's invalid URLs, or for the whole row when it is invalid.
    public func failedItems(recordedAt: String) -> [ItemRecord] {
        invalid.map { problem in
            let reason = problem.index.map { "row \(number), image \($0): \(problem.reason)" } ?? "row \(number): \(problem.reason)"
            return ItemRecord(row: number, index: problem.index ?? 0, url: nil, product: product, status: .failed, error: reason, recordedAt: recordedAt)
        }
    }
}
