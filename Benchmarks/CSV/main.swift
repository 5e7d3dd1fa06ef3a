import Foundation
import PipelineModel

// Reading a 1,000,000-row CSV in 1 MiB chunks: `swift run -c release CSVBenchmark [rows]`.
// The file is generated chunk by chunk, never held whole, and only the reader's time is
// counted. Pass 1 reads records; pass 2 reads validated rows (header, URL checks).

let rowCount = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 1_000_000 : 1_000_000
let chunkSize = 1 << 20

/// Produces the file in chunks of about `chunkSize` bytes, cut at arbitrary byte positions.
struct Generator {
    var next = 1
    var pending: [UInt8] = Array("S. No.,Product Name,Input Image Urls\r\n".utf8)

    mutating func chunk() -> [UInt8]? {
        while pending.count < chunkSize && next <= rowCount {
            let i = next
            pending.append(contentsOf: "\(i),\"Product \(i), size M\",\"https://images.example.com/p/\(i)/front.jpg,https://images.example.com/p/\(i)/back.jpg\"\r\n".utf8)
            next += 1
        }
        guard !pending.isEmpty else { return nil }
        let cut = min(chunkSize, pending.count)
        let chunk = Array(pending[..<cut])
        pending.removeFirst(cut)
        return chunk
    }
}

func peakRSSKiB() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return -1 }
    return Int(line.split(separator: " ").dropFirst().first ?? "") ?? -1
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

let clock = ContinuousClock()
// The generated file is ~120 MiB, within the 256 MiB default; larger row counts raise the limit,
// which is not what is measured.
var limits = CSVLimits()
limits.maxFileBytes = 1 << 30

func measure(_ name: String, _ body: ([UInt8]) throws -> Int, finish: () throws -> Int) rethrows {
    var generator = Generator()
    var elapsed = Duration.zero
    var bytes = 0
    var items = 0
    while let chunk = generator.chunk() {
        bytes += chunk.count
        let start = clock.now
        items += try body(chunk)
        elapsed += clock.now - start
    }
    let start = clock.now
    items += try finish()
    elapsed += clock.now - start
    let time = seconds(elapsed)
    print(String(format: "%@: %d items, %.1f MiB in %.2f s — %.0f rows/s, %.0f MiB/s; peak RSS so far %.1f MiB",
                 name, items, Double(bytes) / 1_048_576, time, Double(items) / time, Double(bytes) / 1_048_576 / time,
                 Double(peakRSSKiB()) / 1024))
}

let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
    .split(separator: "\n").first(where: { $0.hasPrefix("model name") })?
    .split(separator: ":").last?.trimmingCharacters(in: .whitespaces) ?? "unknown"
let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
print("\(Date()) — \(ProcessInfo.processInfo.activeProcessorCount) cores, \(cpu), load average \(load)")
print("peak RSS at start: \(String(format: "%.1f", Double(peakRSSKiB()) / 1024)) MiB")

var records = CSVRecordReader(limits: limits)
try measure("records (CSVRecordReader)", { try records.consume($0).count }, finish: { try records.finish().count })

var rows = CSVRowReader(limits: limits)
var urls = 0
try measure("validated rows (CSVRowReader)", { chunk in
    let batch = try rows.consume(chunk)
    for row in batch { urls += row.urls.count }
    return batch.count
}, finish: { try rows.finish().count })
print("valid URLs: \(urls)")
