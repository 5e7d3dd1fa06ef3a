/// What ingest publishes and populate receives: a block of rows as a byte range of the CSV that
/// starts at a row boundary and re-parses on its own with the header it carries.
public struct ShardMessage: Codable, Sendable, Equatable {
    public var job: JobID
    public var bucket: String
    public var object: String
    /// The object generation the job was made from; populate reads exactly that generation.
    public var generation: String
    /// The header's columns, so the range parses without reading the file's start.
    public var header: [String]
    /// First byte of the shard (the first row's start).
    public var start: Int
    /// One past the last byte of the shard.
    public var end: Int
    /// The number of the shard's first data row.
    public var firstRow: Int
    /// Data rows in the shard.
    public var rows: Int
    /// The message's number among the job's shard messages (0-based): with the job's
    /// `counterShards`, which counter shard each of its items counts on (`CounterShard`).
    public var number: Int?

    public init(job: JobID, bucket: String, object: String, generation: String, header: [String], start: Int, end: Int, firstRow: Int, rows: Int,
                number: Int? = nil) {
        self.job = job
        self.bucket = bucket
        self.object = object
        self.generation = generation
        self.header = header
        self.start = start
        self.end = end
        self.firstRow = firstRow
        self.rows = rows
        self.number = number
    }
}
