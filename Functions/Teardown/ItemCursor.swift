import PipelineModel

/// A job's items read page by page in row order (`JobStore.items`) and handed out a row at a
/// time, alongside the streamed CSV: one page is held, never the job. Every item read is
/// counted once into `tally`, which also keeps what near-duplicate detection needs.
struct ItemCursor {
    private var pages: ItemPages.AsyncIterator
    private var page: [ItemRecord] = []
    private var position = 0
    private var exhausted = false
    private(set) var tally = ItemTally()

    init(_ pages: ItemPages) {
        self.pages = pages.makeAsyncIterator()
    }

    /// The items of data row `row`, by image index. Items of earlier rows not asked for (a row
    /// the CSV no longer has) are passed over, still counted.
    mutating func items(ofRow row: Int) async throws -> [Int: ItemRecord] {
        var found: [Int: ItemRecord] = [:]
        while let item = try await peek(), item.row <= row {
            advance()
            if item.row == row { found[item.index] = item }
        }
        return found
    }

    /// The items of the next row that has any, in image order; nil once all are read.
    mutating func nextRow() async throws -> [ItemRecord]? {
        guard let first = try await peek() else { return nil }
        var items: [ItemRecord] = []
        while let item = try await peek(), item.row == first.row {
            advance()
            items.append(item)
        }
        return items
    }

    /// Reads (and counts) whatever is left.
    mutating func drain() async throws {
        while try await peek() != nil { advance() }
    }

    private mutating func peek() async throws -> ItemRecord? {
        while position == page.count {
            guard !exhausted, let next = try await pages.next() else {
                exhausted = true
                return nil
            }
            page = next
            position = 0
        }
        return page[position]
    }

    private mutating func advance() {
        tally.add(page[position])
        position += 1
    }
}

/// What the items of a job add up to, as teardown read them: the counts the job is finalized
/// with, and the first `NearDuplicate.maxImages` succeeded images' hashes in row order.
struct ItemTally: Sendable {
    var succeeded = 0
    var failed = 0
    var candidates: [NearDuplicate.Candidate] = []

    mutating func add(_ item: ItemRecord) {
        switch item.status {
        case .succeeded:
            succeeded += 1
            if candidates.count < NearDuplicate.maxImages, let hash = item.analysis?.perceptualHash {
                candidates.append(.init(row: item.row, index: item.index, hash: hash.value))
            }
        case .failed:
            failed += 1
        }
    }
}
