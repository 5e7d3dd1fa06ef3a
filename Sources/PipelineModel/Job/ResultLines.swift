import Foundation
import GoogleCloud

/// A job's `results.ndjson` read back a line at a time by ranged reads (`StorageClient.chunks`),
/// holding one chunk and one line: what a retry walks to find the items the job was finalized
/// without.
struct ResultLines: Sendable {
    let storage: StorageClient
    let bucket: String
    let name: String

    /// Calls `body` with each line, decoded, in file (row) order.
    func forEach(_ body: (ResultLine) async throws -> Void) async throws {
        let metadata = try await storage.metadata(bucket: bucket, name: name)
        guard let generation = metadata.generationNumber, let size = metadata.byteCount.map(Int.init), size > 0 else { return }
        let decoder = JSONDecoder()
        var pending = Data()
        for try await chunk in storage.chunks(bucket: bucket, name: name, generation: generation, size: size) {
            pending.append(chunk)
            var start = pending.startIndex
            while let newline = pending[start...].firstIndex(of: 0x0A) {
                if newline > start { try await body(try decoder.decode(ResultLine.self, from: pending[start..<newline])) }
                start = pending.index(after: newline)
            }
            pending = Data(pending[start...])
        }
        if !pending.isEmpty { try await body(try decoder.decode(ResultLine.self, from: pending)) }
    }
}
