import Foundation

/// One line of a job's `results.ndjson` (`PipelineNames.resultsNDJSON`): one item as the job was
/// finalized with it, recorded or not, flat enough for BigQuery to load as newline-delimited
/// JSON (`infra/bigquery/results-schema.json` is its table schema; a test keeps the two in
/// step). Absent values are left out rather than written as `null`, and `outputs` is always an
/// array, as BigQuery wants of a repeated field.
public struct ResultLine: Codable, Sendable, Equatable {
    /// How the item ended, as the job was finalized.
    public enum Status: String, Codable, Sendable, CaseIterable {
        case succeeded, failed
        /// Not recorded when the cancelled job was finalized.
        case cancelled
        /// Not recorded when the job was finalized at its deadline.
        case missing
    }

    /// One output image, as `ItemRecord.Output` without the object name.
    public struct Output: Codable, Sendable, Equatable {
        public var size: String
        public var format: String
        public var width: Int
        public var height: Int
        public var url: String
        public var bytes: Int
        public var contentType: String

        public init(_ output: ItemRecord.Output) {
            size = output.size
            format = output.format
            width = output.width
            height = output.height
            url = output.url
            bytes = output.bytes
            contentType = output.contentType
        }
    }

    public var job: JobID
    /// The data row (1-based).
    public var row: Int
    /// The image's position in the row's URL cell (1-based); 0 for an item standing for a whole invalid row.
    public var index: Int
    public var product: String
    /// The image URL (absent for a whole invalid row).
    public var url: String?
    public var status: Status
    /// Why the item failed, or was cancelled or missing.
    public var reason: String?
    public var outputs: [Output]
    public var analysis: ImageAnalysis?
    /// The task attempt that recorded the item.
    public var attempt: Int?
    /// When the item was recorded (RFC 3339); absent for items not recorded.
    public var recordedAt: String?

    /// The line of a recorded item.
    public init(job: JobID, item: ItemRecord) {
        self.job = job
        row = item.row
        index = item.index
        product = item.product
        url = item.url
        status = item.status == .succeeded ? .succeeded : .failed
        reason = item.error
        outputs = item.outputs.map(Output.init)
        analysis = item.analysis
        attempt = item.attempt
        recordedAt = item.recordedAt
    }

    /// The line of an item the job was finalized without (`status` `.cancelled` or `.missing`).
    public init(job: JobID, row: Int, index: Int, product: String, url: String?, status: Status, reason: String) {
        self.job = job
        self.row = row
        self.index = index
        self.product = product
        self.url = url
        self.status = status
        self.reason = reason
        outputs = []
    }

    /// The line's bytes, ending in a newline (keys sorted, slashes unescaped).
    public func encodedLine() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(self)
        data.append(0x0A)
        return data
    }
}
