import Foundation
import PixelPipeCore

/// An object read in ranged pieces (`StorageClient.chunks`), pulled by the consumer with one
/// read in flight ahead of it. Unlike a pushing stream, a slow consumer never makes the reads
/// pile up in memory.
public struct StorageChunks: AsyncSequence, Sendable {
    public typealias Element = Data

    let client: StorageClient
    let bucket: String
    let name: String
    let generation: Int64
    let size: Int
    let chunkSize: Int

    public func makeAsyncIterator() -> Iterator {
        Iterator(chunks: self)
    }

    /// Yields the pieces in order; cancelling the consuming task cancels the read ahead.
    public struct Iterator: AsyncIteratorProtocol {
        private let chunks: StorageChunks
        private var offset = 0
        private var ahead: Task<Data, any Error>?

        init(chunks: StorageChunks) {
            self.chunks = chunks
        }

        public mutating func next() async throws -> Data? {
            let current = ahead ?? read(at: offset)
            ahead = nil
            guard let current else { return nil }
            offset = Swift.min(offset + chunks.chunkSize, chunks.size)
            ahead = read(at: offset)
            return try await withTaskCancellationHandler {
                try await current.value
            } onCancel: { [ahead] in
                current.cancel()
                ahead?.cancel()
            }
        }

        /// Starts the read of the piece at `start`, or nil past the end.
        private func read(at start: Int) -> Task<Data, any Error>? {
            guard start < chunks.size else { return nil }
            let range = start...(Swift.min(start + chunks.chunkSize, chunks.size) - 1)
            let chunks = chunks
            return Task {
                let data = try await chunks.client.download(bucket: chunks.bucket, name: chunks.name, range: range, generation: chunks.generation)
                // A server that ignores Range (or a short read) must not shift every later byte.
                guard data.count == range.count else {
                    throw GoogleAPIError(
                        httpStatus: 206, status: "OUT_OF_RANGE",
                        message: "asked for bytes \(range.lowerBound)-\(range.upperBound), got \(data.count) bytes",
                        resource: "gs://\(chunks.bucket)/\(chunks.name)#\(chunks.generation)"
                    )
                }
                return data
            }
        }
    }
}
