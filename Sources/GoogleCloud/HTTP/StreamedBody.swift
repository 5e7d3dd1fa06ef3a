import Foundation

/// The pieces of a streamed request body, read in order into libcurl's upload buffer: bytes
/// held in memory, and files opened when the request starts (so a missing one fails before
/// anything is sent, and the total size is known for `Content-Length`) and read as they go.
/// Touched only by the transfer's loop thread once the request is submitted.
final class StreamedBody: @unchecked Sendable {
    private enum Piece {
        case bytes(Data, offset: Int)
        case file(UnsafeMutablePointer<FILE>, path: String)
    }

    private var pieces: [Piece]
    private var current = 0
    /// Bytes the body has in all.
    let size: Int

    init(_ parts: [HTTPClient.BodyPart]) throws(HTTPClientError) {
        var pieces: [Piece] = []
        var size = 0
        for part in parts {
            switch part {
            case .bytes(let data):
                pieces.append(.bytes(data, offset: 0))
                size += data.count
            case .file(let url):
                guard let file = fopen(url.path, "rb") else {
                    let reason = String(cString: strerror(errno))
                    Self.close(pieces)
                    throw HTTPClientError.transport.with(detail: "cannot open \(url.path) to send it: \(reason)")
                }
                pieces.append(.file(file, path: url.path))
                var info = stat()
                guard fstat(fileno(file), &info) == 0 else {
                    let reason = String(cString: strerror(errno))
                    Self.close(pieces)
                    throw HTTPClientError.transport.with(detail: "cannot read the size of \(url.path): \(reason)")
                }
                size += Int(info.st_size)
            }
        }
        self.pieces = pieces
        self.size = size
    }

    /// Fills `buffer` from where the last read stopped; the count read (0 at the end), or nil
    /// when a file could not be read.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int? {
        var filled = 0
        while filled < buffer.count, current < pieces.count {
            let room = UnsafeMutableRawBufferPointer(rebasing: buffer[filled...])
            switch pieces[current] {
            case .bytes(let data, let offset):
                let count = min(room.count, data.count - offset)
                data.withUnsafeBytes { bytes in room.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)])) }
                filled += count
                if offset + count == data.count { current += 1 } else { pieces[current] = .bytes(data, offset: offset + count) }
            case .file(let file, _):
                let count = fread(room.baseAddress, 1, room.count, file)
                if count == 0 {
                    if ferror(file) != 0 { return nil }
                    current += 1
                }
                filled += count
            }
        }
        return filled
    }

    /// Closes the files.
    func close() {
        Self.close(pieces)
        pieces = []
    }

    private static func close(_ pieces: [Piece]) {
        for case .file(let file, _) in pieces { fclose(file) }
    }
}
