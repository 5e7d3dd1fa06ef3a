/// The item document `jobs/JOB/items/ROW-INDEX`: one image's outcome, created once (with
/// precondition `exists=false`) in the same commit as the job's counters.
public struct ItemRecord: Codable, Sendable, Equatable {
    /// How the item ended.
    public enum Status: String, Codable, Sendable {
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
        /// The object name in the processed bucket.
        public var object: String
        /// The link users follow (see `ObjectLinks`).
        public var url: String
        public var contentType: String
        public var bytes: Int

        public init(size: String, format: String, width: Int, height: Int, object: String, url: String, contentType: String, bytes: Int) {
            self.size = size
            self.format = format
            self.width = width
            self.height = height
            self.object = object
            self.url = url
            self.contentType = contentType
            self.bytes = bytes
        }
    }

    /// The data row (1-based, as the CSV reader numbers them).
    public var row: Int
    /// The image's position in the row's URL cell (1-based); 0 for an item standing for a whole invalid row.
    public var index: Int
    /// The image URL (nil for a whole invalid row).
    public var url: String?
    public var product: String
    public var status: Status
    /// Why the item failed, naming the URL or row.
    public var error: String?
    /// The outputs written (empty when failed).
    public var outputs: [Output]
    /// What the image is (width, height, format, alpha, dominant colour, perceptual hash).
    public var analysis: ImageAnalysis?
    /// The task attempt that recorded the item (1 for the first).
    public var attempt: Int?
    /// When it was recorded (RFC 3339).
    public var recordedAt: String
    /// The counter shard the item is counted on (set by `JobStore.commit`; absent on items
    /// recorded before it was kept): a retry that removes the item uncounts it there.
    public var counter: Int?
    /// How long each step of the image took and how long its task waited (process writes it
    /// when metrics are on): the emulator's job waterfall reads it.
    public var timings: StepTimings?

    public init(row: Int, index: Int, url: String?, product: String, status: Status, error: String? = nil,
                outputs: [Output] = [], analysis: ImageAnalysis? = nil, attempt: Int? = nil, recordedAt: String, counter: Int? = nil, timings: StepTimings? = nil) {
        self.counter = counter
        self.timings = timings
        self.row = row
        self.index = index
        self.url = url
        self.product = product
        self.status = status
        self.error = error
        self.outputs = outputs
        self.analysis = analysis
        self.attempt = attempt
        self.recordedAt = recordedAt
    }

    /// The item's id within its job, `ROW-INDEX`.
    public var id: String { "\(row)-\(index)" }

    /// Whether a retry can run the item again: an image process recorded as failed. Items
    /// populate recorded (an invalid row or URL, no image task) would fail the same way again.
    public var isRetryable: Bool { status == .failed && url != nil && index >= 1 }
}
