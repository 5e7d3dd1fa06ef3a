import Foundation

/// Cloud Storage JSON API v1: buckets, uploads (media, multipart, resumable), metadata,
/// downloads (whole, ranged, chunked), listing and deletes, with generation preconditions.
public struct StorageClient: Sendable {
    /// Bodies larger than this go up as resumable uploads in chunks of this size.
    public static let resumableThreshold = 8 << 20

    /// A page of a listing.
    public struct ListPage: Decodable, Sendable {
        public var items: [StorageObject]?
        public var prefixes: [String]?
        public var nextPageToken: String?
    }

    /// Options of an upload.
    public struct UploadOptions: Sendable {
        public var contentType: String = "application/octet-stream"
        public var metadata: [String: String]?
        /// `ifGenerationMatch`: 0 creates only when absent; a generation replaces only that one.
        public var ifGenerationMatch: Int64?
        /// Chunk size for resumable uploads (a multiple of 256 KiB).
        public var chunkSize: Int = StorageClient.resumableThreshold

        public init(contentType: String = "application/octet-stream", metadata: [String: String]? = nil, ifGenerationMatch: Int64? = nil) {
            self.contentType = contentType
            self.metadata = metadata
            self.ifGenerationMatch = ifGenerationMatch
        }
    }

    let api: GoogleAPIClient

    public init(api: GoogleAPIClient) {
        self.api = api
    }

    private func objectPath(_ bucket: String, _ name: String) -> String {
        "/storage/v1/b/\(GoogleAPIClient.percentEncoded(bucket))/o/\(GoogleAPIClient.percentEncoded(name))"
    }

    // MARK: Buckets

    /// Creates a bucket in `project`; an existing one throws `isAlreadyExists`.
    public func createBucket(_ name: String, project: String) async throws {
        struct Body: Encodable { var name: String }
        _ = try await api.json(.storage, method: "POST", path: "/storage/v1/b", query: [("project", project)], body: Body(name: name), resource: "gs://\(name)", as: EmptyResponse.self)
    }

    /// Whether the bucket exists.
    public func bucketExists(_ name: String) async throws -> Bool {
        do {
            _ = try await api.send(.storage, method: "GET", path: "/storage/v1/b/\(GoogleAPIClient.percentEncoded(name))", resource: "gs://\(name)")
            return true
        } catch let error as GoogleAPIError where error.isNotFound {
            return false
        }
    }

    // MARK: Uploads

    /// Uploads `data` as `bucket/name`: media upload for plain bodies, multipart when metadata or
    /// a precondition is set, resumable over 8 MiB. Returns the stored object.
    @discardableResult
    public func upload(_ data: Data, bucket: String, name: String, options: UploadOptions = UploadOptions()) async throws -> StorageObject {
        if data.count > Self.resumableThreshold {
            return try await uploadResumable(data, bucket: bucket, name: name, options: options)
        }
        var query: [(String, String)] = []
        if let generation = options.ifGenerationMatch { query.append(("ifGenerationMatch", String(generation))) }
        let path = "/upload/storage/v1/b/\(GoogleAPIClient.percentEncoded(bucket))/o"
        let response: HTTPClient.Response
        // Conditional uploads go multipart: every Storage implementation honours preconditions
        // there, while some emulators (fake-gcs-server) ignore them on media uploads.
        if options.metadata == nil && options.ifGenerationMatch == nil {
            response = try await api.send(
                .storage, method: "POST", path: path,
                query: [("uploadType", "media"), ("name", name)] + query,
                headers: [("Content-Type", options.contentType)], body: data, resource: "gs://\(bucket)/\(name)"
            )
        } else {
            let boundary = "pixelpipe-" + UUID().uuidString
            response = try await api.send(
                .storage, method: "POST", path: path, query: [("uploadType", "multipart")] + query,
                headers: [("Content-Type", "multipart/related; boundary=\(boundary)")],
                body: try Self.multipartBody(data, name: name, options: options, boundary: boundary),
                resource: "gs://\(bucket)/\(name)"
            )
        }
        return try JSONDecoder().decode(StorageObject.self, from: response.body)
    }

    static func objectResource(name: String, options: UploadOptions) -> [String: Any] {
        var resource: [String: Any] = ["name": name, "contentType": options.contentType]
        if let metadata = options.metadata { resource["metadata"] = metadata }
        return resource
    }

    static func multipartBody(_ data: Data, name: String, options: UploadOptions, boundary: String) throws -> Data {
        var body = Data()
        body.append(Data("--\(boundary)\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n".utf8))
        body.append(try JSONSerialization.data(withJSONObject: objectResource(name: name, options: options), options: [.sortedKeys]))
        body.append(Data("\r\n--\(boundary)\r\nContent-Type: \(options.contentType)\r\n\r\n".utf8))
        body.append(data)
        body.append(Data("\r\n--\(boundary)--\r\n".utf8))
        return body
    }

    /// Resumable upload: start a session, then `PUT` chunks with `Content-Range`; a `308` answer's
    /// `Range` says how much the server has, and the next chunk starts there.
    public func uploadResumable(_ data: Data, bucket: String, name: String, options: UploadOptions = UploadOptions()) async throws -> StorageObject {
        let resource = "gs://\(bucket)/\(name)"
        var query: [(String, String)] = [("uploadType", "resumable"), ("name", name)]
        if let generation = options.ifGenerationMatch { query.append(("ifGenerationMatch", String(generation))) }
        let start = try await api.send(
            .storage, method: "POST", path: "/upload/storage/v1/b/\(GoogleAPIClient.percentEncoded(bucket))/o", query: query,
            headers: [
                ("Content-Type", "application/json; charset=UTF-8"),
                ("X-Upload-Content-Type", options.contentType),
                ("X-Upload-Content-Length", String(data.count)),
            ],
            body: try JSONSerialization.data(withJSONObject: Self.objectResource(name: name, options: options), options: [.sortedKeys]),
            resource: resource
        )
        guard let session = start.header("Location") else {
            throw GoogleAPIError(httpStatus: start.status, status: "INTERNAL", message: "resumable upload started without a Location header", resource: resource)
        }
        let chunkSize = max(256 << 10, options.chunkSize / (256 << 10) * (256 << 10))
        var offset = 0
        var rounds = 0
        while true {
            rounds += 1
            // Each round should move forward; a server that keeps answering 308 without taking
            // bytes would otherwise keep us here forever.
            guard rounds <= 2 * (data.count / chunkSize + 2) else {
                throw GoogleAPIError(httpStatus: 308, status: "ABORTED", message: "resumable upload made no progress", resource: resource)
            }
            let end = min(offset + chunkSize, data.count)
            let range = data.isEmpty ? "bytes */0" : "bytes \(offset)-\(end - 1)/\(data.count)"
            let response = try await api.send(
                .storage, method: "PUT", path: "", headers: [("Content-Range", range)],
                body: data.subdata(in: offset..<end), resource: resource, accept: [200, 201, 308], absoluteURL: session
            )
            if response.status != 308 {
                return try JSONDecoder().decode(StorageObject.self, from: response.body)
            }
            // "bytes=0-N": the server holds N + 1 bytes; no Range header: it holds none.
            if let persisted = response.header("Range"), let last = persisted.split(separator: "-").last.flatMap({ Int($0) }) {
                offset = min(max(last + 1, 0), data.count)
            } else {
                offset = 0
            }
        }
    }

    // MARK: Reads

    /// The object's metadata.
    public func metadata(bucket: String, name: String, generation: Int64? = nil) async throws -> StorageObject {
        try await api.json(
            .storage, method: "GET", path: objectPath(bucket, name), query: generation.map { [("generation", String($0))] } ?? [],
            resource: "gs://\(bucket)/\(name)"
        )
    }

    /// The object's bytes, or `range` of them (`Range` header, answered with 206). `generation`
    /// pins one version.
    public func download(bucket: String, name: String, range: ClosedRange<Int>? = nil, generation: Int64? = nil) async throws -> Data {
        var query = [("alt", "media")]
        if let generation { query.append(("generation", String(generation))) }
        var headers: [(name: String, value: String)] = []
        if let range { headers.append(("Range", "bytes=\(range.lowerBound)-\(range.upperBound)")) }
        let response = try await api.send(
            .storage, method: "GET", path: objectPath(bucket, name), query: query, headers: headers,
            resource: "gs://\(bucket)/\(name)", accept: [200, 206]
        )
        return response.body
    }

    /// The object's bytes in `chunkSize` pieces read by successive ranged requests against one
    /// generation, so a large object is streamed without being held whole. Reads are pulled by
    /// the consumer with one chunk fetched ahead: memory stays at two chunks however slow the
    /// consumer is.
    public func chunks(bucket: String, name: String, generation: Int64, size: Int, chunkSize: Int = 1 << 20) -> StorageChunks {
        StorageChunks(client: self, bucket: bucket, name: name, generation: generation, size: size, chunkSize: chunkSize)
    }

    /// One page of objects under `prefix`, grouped by `delimiter` into `prefixes`.
    public func list(bucket: String, prefix: String? = nil, delimiter: String? = nil, pageToken: String? = nil, maxResults: Int? = nil) async throws -> ListPage {
        var query: [(String, String)] = []
        if let prefix { query.append(("prefix", prefix)) }
        if let delimiter { query.append(("delimiter", delimiter)) }
        if let pageToken { query.append(("pageToken", pageToken)) }
        if let maxResults { query.append(("maxResults", String(maxResults))) }
        return try await api.json(.storage, method: "GET", path: "/storage/v1/b/\(GoogleAPIClient.percentEncoded(bucket))/o", query: query, resource: "gs://\(bucket)")
    }

    /// Every object under `prefix`, following page tokens.
    public func listAll(bucket: String, prefix: String? = nil) async throws -> [StorageObject] {
        var objects: [StorageObject] = []
        var token: String?
        repeat {
            let page = try await list(bucket: bucket, prefix: prefix, pageToken: token)
            objects += page.items ?? []
            token = page.nextPageToken
        } while token != nil
        return objects
    }

    // MARK: Deletes

    /// Deletes the object (only that generation when `ifGenerationMatch` is given).
    public func delete(bucket: String, name: String, ifGenerationMatch: Int64? = nil) async throws {
        var query: [(String, String)] = []
        if let generation = ifGenerationMatch { query.append(("ifGenerationMatch", String(generation))) }
        _ = try await api.send(.storage, method: "DELETE", path: objectPath(bucket, name), query: query, resource: "gs://\(bucket)/\(name)")
    }
}
