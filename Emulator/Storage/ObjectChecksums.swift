import Crypto
import Foundation

/// The checksums Cloud Storage reports for an object, computed while its bytes pass by.
struct ObjectChecksums: Sendable {
    private var md5 = Insecure.MD5()
    private var crc = CRC32C()
    private(set) var size: Int64 = 0

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        md5.update(bufferPointer: bytes)
        crc.update(bytes)
        size += Int64(bytes.count)
    }

    /// Base64 MD5 and CRC32C, as the JSON API's `md5Hash` and `crc32c`.
    func finish() -> (md5: String, crc32c: String) {
        (Data(md5.finalize()).base64EncodedString(), crc.base64)
    }
}
