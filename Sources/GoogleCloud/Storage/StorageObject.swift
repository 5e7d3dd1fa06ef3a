/// A Cloud Storage object resource (JSON API v1), as returned by the API and carried as the data
/// of `google.cloud.storage.object.v1.*` CloudEvents. Numbers the API sends as strings
/// (`generation`, `size`, …) stay strings on the wire and have typed accessors.
public struct StorageObject: Codable, Sendable, Equatable {
    public var kind: String?
    public var id: String?
    public var selfLink: String?
    public var mediaLink: String?
    public var bucket: String
    public var name: String
    public var generation: String?
    public var metageneration: String?
    public var size: String?
    public var contentType: String?
    public var storageClass: String?
    public var md5Hash: String?
    public var crc32c: String?
    public var etag: String?
    public var timeCreated: String?
    public var updated: String?
    public var metadata: [String: String]?

    public init(bucket: String, name: String, generation: String? = nil, size: String? = nil, contentType: String? = nil, metadata: [String: String]? = nil) {
        self.bucket = bucket
        self.name = name
        self.generation = generation
        self.size = size
        self.contentType = contentType
        self.metadata = metadata
    }

    /// `generation` as a number.
    public var generationNumber: Int64? { generation.flatMap { Int64($0) } }
    /// `size` in bytes.
    public var byteCount: Int64? { size.flatMap { Int64($0) } }
}
