import Foundation

/// The format and pixel size of an encoded image, read from its header bytes (JPEG SOF marker,
/// WebP `VP8 `/`VP8L`/`VP8X` chunk, PNG IHDR), so hundreds of outputs can be checked without
/// starting a decoder for each.
struct ImageHeader: Equatable, Sendable {
    let format: String
    let width: Int
    let height: Int

    init?(_ data: Data) {
        let bytes = [UInt8](data)
        if let header = Self.jpeg(bytes) ?? Self.webp(bytes) ?? Self.png(bytes) {
            self = header
        } else {
            return nil
        }
    }

    private init(format: String, width: Int, height: Int) {
        self.format = format
        self.width = width
        self.height = height
    }

    private static func jpeg(_ b: [UInt8]) -> ImageHeader? {
        guard b.count > 4, b[0] == 0xFF, b[1] == 0xD8 else { return nil }
        var i = 2
        while i + 9 < b.count {
            guard b[i] == 0xFF else { return nil }
            let marker = b[i + 1]
            if marker == 0xFF { i += 1; continue }
            if marker == 0xD8 || marker == 0x01 || (0xD0...0xD7).contains(marker) { i += 2; continue }
            let length = Int(b[i + 2]) << 8 | Int(b[i + 3])
            // SOF0…SOF15 except DHT (C4), JPG (C8) and DAC (CC).
            if (0xC0...0xCF).contains(marker), ![0xC4, 0xC8, 0xCC].contains(marker) {
                let height = Int(b[i + 5]) << 8 | Int(b[i + 6])
                let width = Int(b[i + 7]) << 8 | Int(b[i + 8])
                return ImageHeader(format: "jpeg", width: width, height: height)
            }
            i += 2 + length
        }
        return nil
    }

    private static func webp(_ b: [UInt8]) -> ImageHeader? {
        guard b.count >= 30, Array(b[0..<4]) == Array("RIFF".utf8), Array(b[8..<12]) == Array("WEBP".utf8) else { return nil }
        let chunk = String(decoding: b[12..<16], as: UTF8.self)
        switch chunk {
        case "VP8 ":
            // Frame tag (3 bytes), start code (3 bytes), then 14-bit width and height.
            let width = (Int(b[26]) | Int(b[27]) << 8) & 0x3FFF
            let height = (Int(b[28]) | Int(b[29]) << 8) & 0x3FFF
            return ImageHeader(format: "webp", width: width, height: height)
        case "VP8L":
            let bits = UInt32(b[21]) | UInt32(b[22]) << 8 | UInt32(b[23]) << 16 | UInt32(b[24]) << 24
            return ImageHeader(format: "webp", width: Int(bits & 0x3FFF) + 1, height: Int((bits >> 14) & 0x3FFF) + 1)
        case "VP8X":
            let width = (Int(b[24]) | Int(b[25]) << 8 | Int(b[26]) << 16) + 1
            let height = (Int(b[27]) | Int(b[28]) << 8 | Int(b[29]) << 16) + 1
            return ImageHeader(format: "webp", width: width, height: height)
        default:
            return nil
        }
    }

    private static func png(_ b: [UInt8]) -> ImageHeader? {
        guard b.count >= 24, Array(b[0..<8]) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] else { return nil }
        let width = Int(b[16]) << 24 | Int(b[17]) << 16 | Int(b[18]) << 8 | Int(b[19])
        let height = Int(b[20]) << 24 | Int(b[21]) << 16 | Int(b[22]) << 8 | Int(b[23])
        return ImageHeader(format: "png", width: width, height: height)
    }
}
