import Foundation

/// A 64-bit DCT perceptual hash (pHash): images that look alike have hashes a small Hamming
/// distance apart, whatever their size or encoding.
public struct PerceptualHash: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The 64 bits, most significant first in row-major order of the low 8x8 frequencies.
    public var value: UInt64

    /// Wraps raw bits.
    public init(_ value: UInt64) { self.value = value }

    /// Parses 16 hex digits, as written by `description`.
    public init?(hex: String) {
        guard hex.count == 16, let value = UInt64(hex, radix: 16) else { return nil }
        self.value = value
    }

    /// Number of differing bits, 0 (same) to 64.
    public func distance(to other: PerceptualHash) -> Int { (value ^ other.value).nonzeroBitCount }

    /// Whether the two are at most `threshold` bits apart (see `ImagingConfiguration.nearDuplicateDistance`).
    public func isNearDuplicate(of other: PerceptualHash, threshold: Int) -> Bool { distance(to: other) <= threshold }

    /// 16 lowercase hex digits.
    public var description: String {
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let hash = PerceptualHash(hex: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "expected 16 hex digits"))
        }
        self = hash
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// Side of the grey thumbnail the hash is computed from.
    package static let sampleSide = 32

    /// The hash of a 32x32 grey image (row-major bytes): the 8x8 lowest DCT frequencies,
    /// excluding DC, each compared with their median. Written by hand because it is 30 lines
    /// and no Swift package offers it without pulling in an image stack of its own.
    package init(grey pixels: [UInt8]) {
        let n = Self.sampleSide
        precondition(pixels.count == n * n)
        let cosines: [[Double]] = (0..<8).map { u in
            (0..<n).map { x in cos(Double(2 * x + 1) * Double(u) * .pi / Double(2 * n)) }
        }
        // Separable DCT-II: rows first (keeping 8 frequencies), then columns.
        var rows = [Double](repeating: 0, count: n * 8)
        for y in 0..<n {
            for u in 0..<8 {
                var sum = 0.0
                for x in 0..<n { sum += Double(pixels[y * n + x]) * cosines[u][x] }
                rows[y * 8 + u] = sum
            }
        }
        var coefficients = [Double](repeating: 0, count: 64)
        for v in 0..<8 {
            for u in 0..<8 {
                var sum = 0.0
                for y in 0..<n { sum += rows[y * 8 + u] * cosines[v][y] }
                coefficients[v * 8 + u] = sum
            }
        }
        let median = coefficients.dropFirst().sorted()[31]
        var bits: UInt64 = 0
        for coefficient in coefficients {
            bits = bits << 1 | (coefficient > median ? 1 : 0)
        }
        self.value = bits
    }
}
