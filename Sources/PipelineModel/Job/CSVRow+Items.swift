/// How a validated row becomes items (ARCHITECTURE §5): each valid URL one image task, each
/// invalid URL one failed item at its index, a wholly invalid row one failed item at index 0.
/// Ingest counts with `itemCount`, populate creates exactly those items, so a job's `total`
/// and what is recorded always agree.
extension CSVRow {
    /// Items this row adds to its job's `total`.
    public var itemCount: Int { urls.count + invalid.count }

    /// The indexes of this row's items in image order (0 for a wholly invalid row).
    public var itemIndexes: [Int] { (urls.map(\.index) + invalid.map { $0.index ?? 0 }).sorted() }

    /// The image tasks of this row's valid URLs; `counter` gives each image's counter shard by index.
    public func imageTasks(job: JobID, recipe: String, counter: (Int) -> Int = { _ in 0 }) -> [ImageTask] {
        urls.map { ImageTask(job: job, row: number, index: $0.index, url: $0.url, product: product, recipe: recipe, counter: counter($0.index)) }
    }

    /// Failed items for this row's invalid URLs, or for the whole row when it is invalid.
    public func failedItems(recordedAt: String) -> [ItemRecord] {
        invalid.map { problem in
            let reason = problem.index.map { "row \(number), image \($0): \(problem.reason)" } ?? "row \(number): \(problem.reason)"
            return ItemRecord(row: number, index: problem.index ?? 0, url: nil, product: product, status: .failed, error: reason, recordedAt: recordedAt)
        }
    }
}
