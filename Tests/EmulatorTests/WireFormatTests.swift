import Foundation
import GoogleCloud
import Testing

@testable import Emulator

/// The pure pieces: durations, timestamps, checksums, field paths and the name mapping.
@Suite("Wire formats")
struct WireFormatTests {
    @Test("durations parse and print as protobuf JSON does", arguments: [
        ("0.100s", "0.100s"), ("3.5s", "3.500s"), ("3600s", "3600s"), ("0.000001s", "0.000001s"), ("1.000000001s", "1.000000001s"),
    ])
    func durations(input: String, printed: String) throws {
        #expect(try #require(GoogleDuration(text: input)).text == printed)
    }

    @Test("malformed durations are refused", arguments: ["", "5", "-1s", "1.s", "abcs", "315576000000s", "1.0000000001s"])
    func badDurations(input: String) {
        #expect(GoogleDuration(text: input) == nil)
    }

    @Test("timestamps parse with offsets and fractions and print in UTC with microseconds", arguments: [
        ("2030-01-01T00:00:00Z", "2030-01-01T00:00:00.000000Z"),
        ("2030-01-01T01:30:00.5+01:30", "2030-01-01T00:00:00.500000Z"),
        ("1999-12-31T23:59:59.123456789Z", "1999-12-31T23:59:59.123456Z"),
        ("2000-01-01T00:00:00.1234567891234Z", "2000-01-01T00:00:00.123456Z"),
    ])
    func timestamps(input: String, printed: String) throws {
        #expect(try #require(GoogleTimestamp(rfc3339: input)).rfc3339 == printed)
    }

    @Test("CRC-32C matches the standard check value")
    func crc32c() {
        var crc = CRC32C()
        Data("123456789".utf8).withUnsafeBytes { crc.update($0) }
        #expect(crc.value == 0xE306_9283)
    }

    @Test("field paths split on dots and honour backticks", arguments: [
        ("a", ["a"]), ("a.b.c", ["a", "b", "c"]), ("`a.b`.c", ["a.b", "c"]), ("`x\\`y`", ["x`y"]),
    ])
    func fieldPaths(text: String, segments: [String]) {
        #expect(FieldPath(text)?.segments == segments)
    }

    @Test("only safe relative names map to files", arguments: [
        ("a/b.csv", true), ("x", true), ("../x", false), ("a/../b", false), ("/abs", false), ("dir/", false),
        ("a//b", false), ("nul\u{0}", false), ("./x", false), (String(repeating: "y", count: 256), false),
    ])
    func mapping(name: String, mapped: Bool) {
        #expect((ObjectLayout.mappedComponents(name) != nil) == mapped)
    }

    @Test("Range headers resolve against the size", arguments: [
        ("bytes=0-0", 0...0), ("bytes=5-", 5...9), ("bytes=-3", 7...9), ("bytes=2-50", 2...9),
    ] as [(String, ClosedRange<Int64>)])
    func ranges(header: String, range: ClosedRange<Int64>) throws {
        #expect(try ByteRange.resolve(header, size: 10) == range)
    }
}
