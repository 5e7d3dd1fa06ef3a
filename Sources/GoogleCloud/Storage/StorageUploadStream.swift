import Foundation

/// An object written piece by piece through one resumable upload session, so that something
/// too large to hold (a job's output CSV) streams out with memory bounded by the chunk size:
/// bytes are buffered until a chunk is full, then `PUT` with `Content-Range: bytes A-B/*` (total
/// still unknown); `finish` sends the rest with the total. A `308` answer's `Range` says what
/// the server holds, and anything it did not take is sent again.
public struct StorageUploadStream: Sendable {
    private let api: GoogleAPIClient
    private let session: String
    private let resource: String
    private let chunkSize: Int
    /// Bytes after `persisted` that the server does not hold yet. An array, not `Data`: taking
    /// bytes off the front of a `Data` only moves its start, so its storage would grow with
    /// everything ever written.
    private var buffer: [UInt8] = []
    /// Bytes the server holds.
    private var persisted = 0
    private var finished = false

    init(api: GoogleAPIClient, session: String, resource: String, chunkSize: Int) {
        self.api = api
        self.session = session
        self.resource = resource
        self.chunkSize = max(256 << 10, chunkSize / (256 << 10) * (256 << 10))
    }

    /// Bytes written so far.
    public var count: Int { persisted + buffer.count }

    /// Appends `bytes`; full chunks go to the server.
    public mutating func write(_ bytes: some Sequence<UInt8>) async throws {
        precondition(!finished, "write after finish")
        buffer.append(contentsOf: bytes)
        while buffer.count >= chunkSize {
            try await send(length: chunkSize, total: nil)
        }
    }

    /// Sends what is left and completes the object.
    public mutating func finish() async throws -> StorageObject {
        precondition(!finished, "finish twice")
        finished = true
        var rounds = 0
        while true {
            rounds += 1
            guard rounds <= 8 else {
                throw GoogleAPIError(httpStatus: 308, status: "ABORTED", message: "resumable upload made no progress", resource: resource)
            }
            if let object = try await send(length: buffer.count, total: count) { return object }
        }
    }

    /// Abandons the upload: the session is deleted (Storage answers 499) and no object is
    /// created, so a refused upload leaves nothing behind.
    public mutating func cancel() async throws {
        guard !finished else { return }
        finished = true
        buffer = []
        _ = try await api.send(.storage, method: "DELETE", path: "", resource: resource, accept: [200, 204, 404, 410, 499], absoluteURL: session)
    }

    /// PUTs the first `length` buffered bytes; returns the object once the server completed it.
    @discardableResult
    private mutating func send(length: Int, total: Int?) async throws -> StorageObject? {
        let range: String
        if length == 0 {
            range = "bytes */\(total.map(String.init) ?? "*")"
        } else {
            range = "bytes \(persisted)-\(persisted + length - 1)/\(total.map(String.init) ?? "*")"
        }
        let response = try await api.send(
            .storage, method: "PUT", path: "", headers: [("Content-Range", range)],
            body: Data(buffer[0..<length]), resource: resource, accept: [200, 201, 308], absoluteURL: session
        )
        if response.status != 308 {
            return try JSONDecoder().decode(StorageObject.self, from: response.body)
        }
        // "bytes=0-N": the server holds N + 1 bytes; no Range header: it holds none.
        var held = 0
        if let header = response.header("Range"), let last = header.split(separator: "-").last.flatMap({ Int($0) }) {
            held = last + 1
        }
        let taken = min(max(held - persisted, 0), buffer.count)
        guard taken > 0 || length == 0 else {
            throw GoogleAPIError(httpStatus: 308, status: "ABORTED", message: "resumable upload made no progress at byte \(persisted)", resource: resource)
        }
        buffer.removeFirst(taken)
        persisted += taken
        return nil
    }
}

extension StorageClient {
    /// Starts a resumable upload of `bucket/name` whose bytes are written later, piece by piece
    /// (`StorageUploadStream`), in chunks of `options.chunkSize`.
    public func uploadStream(bucket: String, name: String, options: UploadOptions = UploadOptions()) async throws -> StorageUploadStream {
        let resource = "gs://\(bucket)/\(name)"
        var query: [(String, String)] = [("uploadType", "resumable"), ("name", name)]
        if let generation = options.ifGenerationMatch { query.append(("ifGenerationMatch", String(generation))) }
        let start = try await api.send(
            .storage, method: "POST", path: "/upload/storage/v1/b/\(GoogleAPIClient.percentEncoded(bucket))/o", query: query,
            headers: [("Content-Type", "application/json; charset=UTF-8"), ("X-Upload-Content-Type", options.contentType)],
            body: try JSONSerialization.data(withJSONObject: Self.objectResource(name: name, options: options), options: [.sortedKeys]),
            resource: resource
        )
        guard let session = start.header("Location") else {
            throw GoogleAPIError(httpStatus: start.status, status: "INTERNAL", message: "resumable upload started without a Location header", resource: resource)
        }
        return StorageUploadStream(api: api, session: session, resource: resource, chunkSize: options.chunkSize)
    }
}
