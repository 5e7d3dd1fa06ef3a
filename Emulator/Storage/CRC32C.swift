/// CRC-32C (Castagnoli), the checksum Cloud Storage reports as `crc32c`. Hand-written because
/// no dependency here provides it; slicing-by-8 keeps it near memory speed.
struct CRC32C: Sendable {
    private(set) var value: UInt32 = 0

    private static let tables: [[UInt32]] = {
        var tables = [[UInt32]](repeating: [UInt32](repeating: 0, count: 256), count: 8)
        for index in 0..<256 {
            var crc = UInt32(index)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
            tables[0][index] = crc
        }
        for index in 0..<256 {
            for table in 1..<8 {
                let previous = tables[table - 1][index]
                tables[table][index] = (previous >> 8) ^ tables[0][Int(previous & 0xFF)]
            }
        }
        return tables
    }()

    init() {}

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        let t = Self.tables
        var crc = ~value
        var index = 0
        let count = bytes.count
        while count - index >= 8 {
            let low = crc ^ (UInt32(bytes[index]) | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2]) << 16 | UInt32(bytes[index + 3]) << 24)
            crc = t[7][Int(low & 0xFF)] ^ t[6][Int((low >> 8) & 0xFF)] ^ t[5][Int((low >> 16) & 0xFF)] ^ t[4][Int(low >> 24)]
                ^ t[3][Int(bytes[index + 4])] ^ t[2][Int(bytes[index + 5])] ^ t[1][Int(bytes[index + 6])] ^ t[0][Int(bytes[index + 7])]
            index += 8
        }
        while index < count {
            crc = t[0][Int((crc ^ UInt32(bytes[index])) & 0xFF)] ^ (crc >> 8)
            index += 1
        }
        value = ~crc
    }

    /// Big-endian bytes, base64-encoded, as the JSON API's `crc32c` field carries it.
    var base64: String {
        let bytes: [UInt8] = [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
        return Data(bytes).base64EncodedString()
    }
}

import Foundation
