import Foundation
import PipelineModel

/// Removes metadata blocks from encoded JPEG and WebP files.
///
/// Hand-written because libvips 8.14 cannot be told to write none: its WebP saver ignores
/// `strip` (libvips#3340), and every saver given `strip=false` (the only way to keep an ICC
/// profile before 8.15's `keep`) rebuilds an EXIF block from the image's resolution. Both
/// containers are simple enough to edit safely: segments and chunks are length-prefixed.
enum MetadataScrubber {
    /// `data` without EXIF, XMP and IPTC, and without the ICC profile unless `keepICCProfile`.
    /// Unrecognised or malformed input is returned unchanged.
    static func scrub(_ data: Data, format: OutputFormat, keepICCProfile: Bool) -> Data {
        switch format {
        case .jpeg: return scrubJPEG(data, keepICCProfile: keepICCProfile) ?? data
        case .webp: return scrubWebP(data, keepICCProfile: keepICCProfile) ?? data
        case .avif, .png: return data
        }
    }

    /// Drops APP1 (EXIF, XMP), APP13 (IPTC) and, unless kept, APP2 (ICC) segments before the scan.
    private static func scrubJPEG(_ data: Data, keepICCProfile: Bool) -> Data? {
        let bytes = [UInt8](data)
        guard bytes.count > 4, bytes[0] == 0xFF, bytes[1] == 0xD8 else { return nil }
        var output: [UInt8] = [0xFF, 0xD8]
        output.reserveCapacity(bytes.count)
        var index = 2
        while index + 4 <= bytes.count {
            guard bytes[index] == 0xFF else { return nil }
            let marker = bytes[index + 1]
            if marker == 0xDA {
                output.append(contentsOf: bytes[index...])
                return Data(output)
            }
            let length = Int(bytes[index + 2]) << 8 | Int(bytes[index + 3])
            let end = index + 2 + length
            guard length >= 2, end <= bytes.count else { return nil }
            let drop = marker == 0xE1 || marker == 0xED || (marker == 0xE2 && !keepICCProfile)
            if !drop { output.append(contentsOf: bytes[index..<end]) }
            index = end
        }
        return nil
    }

    /// Drops EXIF, XMP and, unless kept, ICCP chunks, clearing their flags in VP8X.
    private static func scrubWebP(_ data: Data, keepICCProfile: Bool) -> Data? {
        let bytes = [UInt8](data)
        guard bytes.count >= 12, bytes[0..<4].elementsEqual("RIFF".utf8), bytes[8..<12].elementsEqual("WEBP".utf8) else { return nil }
        var dropped: Set<String> = ["EXIF", "XMP "]
        if !keepICCProfile { dropped.insert("ICCP") }
        var chunks: [[UInt8]] = []
        var index = 12
        while index + 8 <= bytes.count {
            let fourCC = String(decoding: bytes[index..<index + 4], as: UTF8.self)
            let size = Int(bytes[index + 4]) | Int(bytes[index + 5]) << 8 | Int(bytes[index + 6]) << 16 | Int(bytes[index + 7]) << 24
            let end = index + 8 + size + (size & 1)
            guard end <= bytes.count || index + 8 + size == bytes.count else { return nil }
            let chunk = Array(bytes[index..<min(end, bytes.count)])
            if !dropped.contains(fourCC) { chunks.append(chunk) }
            index = end
        }
        for (position, chunk) in chunks.enumerated() where chunk.starts(with: "VP8X".utf8) && chunk.count > 8 {
            var flags = chunk[8] & ~(0x08 | 0x04)
            if !keepICCProfile { flags &= ~0x20 }
            chunks[position][8] = flags
        }
        let body = chunks.flatMap { $0 }
        let riffSize = UInt32(4 + body.count)
        var output = Array("RIFF".utf8)
        output += [UInt8(riffSize & 0xFF), UInt8(riffSize >> 8 & 0xFF), UInt8(riffSize >> 16 & 0xFF), UInt8(riffSize >> 24)]
        output += Array("WEBP".utf8) + body
        return Data(output)
    }
}
