import Foundation

/// One image of a job as the jobs API shows it (`GET /v1/jobs/{id}/items`): its outcome, its
/// outputs and what the image is.
public struct ItemResource: Codable, Sendable, Equatable {
    /// How the item ended.
    public enum Status: String, Codable, Sendable, CaseIterable {
        case succeeded, failed
    }

    /// One stored output image.
    public struct Output: Codable, Sendable, Equatable {
        /// The recipe size (`thumb`, `large`, …).
        public var size: String
        /// The encoding (`jpeg`, `webp`, `avif`, `png`).
        public var format: String
        public var width: Int
        public var height: Int
        /// Where the output can be read.
        public var url: String
        public var bytes: Int
        public var contentType: String
        /// The API path that serves the image under the caller's authority
        /// (`/v1/jobs/JOB/items/ITEM/outputs/SIZE.FORMAT`), for clients that cannot read `url`.
        public var href: String?

        /// An output.
        public init(size: String, format: String, width: Int, height: Int, url: String, bytes: Int, contentType: String, href: String? = nil) {
            self.href = href
            self.size = size
            self.format = format
            self.width = width
            self.height = height
            self.url = url
            self.bytes = bytes
            self.contentType = contentType
        }
    }

    /// `ROW-INDEX`.
    public var id: String
    /// The data row (1-based).
    public var row: Int
    /// The image's position in the row's URL cell (1-based); 0 for an item standing for a whole invalid row.
    public var index: Int
    /// The image URL (absent for a whole invalid row).
    public var url: String?
    public var product: String
    public var status: Status
    /// Why the item failed, naming the URL or row.
    public var reason: String?
    /// The task attempt that recorded the item (1 for the first).
    public var attempt: Int?
    /// When the item was recorded (RFC 3339).
    public var recordedAt: String
    public var outputs: [Output]
    /// What the image is (dimensions, format, alpha, dominant colour, perceptual hash).
    public var analysis: ImageAnalysis?

    /// An item resource.
    public init(
        id: String, row: Int, index: Int, url: String?, product: String, status: Status, reason: String? = nil,
        attempt: Int? = nil, recordedAt: String, outputs: [Output] = [], analysis: ImageAnalysis? = nil
    ) {
        self.id = id
        self.row = row
        self.index = index
        self.url = url
        self.product = product
        self.status = status
        self.reason = reason
        self.attempt = attempt
        self.recordedAt = recordedAt
        self.outputs = outputs
        self.analysis = analysis
    }
}

extension ItemResource {
    /// The resource of the item document `record`.
    public init(_ record: ItemRecord, job: JobID) {
        self.init(
            id: record.id, row: record.row, index: record.index, url: record.url, product: record.product,
            status: record.status == .succeeded ? .succeeded : .failed, reason: record.error, attempt: record.attempt,
            recordedAt: record.recordedAt,
            outputs: record.outputs.map {
                Output(size: $0.size, format: $0.format, width: $0.width, height: $0.height, url: $0.url, bytes: $0.bytes, contentType: $0.contentType,
                       href: Self.outputPath(job: job.rawValue, item: record.id, size: $0.size, format: $0.format))
            },
            analysis: record.analysis
        )
    }

    /// The API path of one output image of an item.
    public static func outputPath(job: String, item: String, size: String, format: String) -> String {
        "/v1/jobs/\(job)/items/\(item)/outputs/\(size).\(format)"
    }
}
