import PixelPipeCore
/// Bounds on what a user's CSV may contain, so a hostile or broken file costs bounded time
/// and memory: over `maxFileBytes` the job is rejected, the other limits reject one row.
public struct CSVLimits: Sendable, Equatable {
    /// Largest file accepted, in bytes (`CSV_MAX_FILE_BYTES`, default 256 MiB: a million rows of
    /// products with two image URLs each is about 120 MiB).
    public var maxFileBytes: Int = 256 << 20
    /// Longest field kept, in bytes; a longer one makes its row invalid (`CSV_MAX_FIELD_BYTES`).
    public var maxFieldBytes: Int = 64 << 10
    /// Most fields kept per record; more make the row invalid (`CSV_MAX_FIELDS`).
    public var maxFieldsPerRecord: Int = 256
    /// Most image URLs in one row; more make the row invalid (`CSV_MAX_URLS_PER_ROW`).
    public var maxURLsPerRow: Int = 100

    public init() {}

    /// Reads the limits from the environment; unset variables keep the defaults.
    public init(environment: EnvironmentValues) throws(ConfigurationError) {
        self.init()
        maxFileBytes = try environment.integer("CSV_MAX_FILE_BYTES", default: maxFileBytes, in: 1...(1 << 40))
        maxFieldBytes = try environment.integer("CSV_MAX_FIELD_BYTES", default: maxFieldBytes, in: 1...(1 << 30))
        maxFieldsPerRecord = try environment.integer("CSV_MAX_FIELDS", default: maxFieldsPerRecord, in: 1...(1 << 20))
        maxURLsPerRow = try environment.integer("CSV_MAX_URLS_PER_ROW", default: maxURLsPerRow, in: 1...(1 << 20))
    }
}
