import BenchmarkSupport
import Foundation

// The pipeline's two benchmarks (issue 7). Usage, after `swift build -c release`:
//   .build/release/PipelineBenchmark [ingest|end-to-end|all] [--rows N] [--runs N] [--images N] [--photos N] [--observability-pairs N]
// ingest: a 1,000,000-row CSV through the ingest binary (target < 10 s, < 100 MiB).
// end-to-end: 1,000 2000×1500 JPEGs drop → output CSV vs the imaging engine alone (target ≥ 0.85);
//   --observability-pairs N: N runs with metrics and tracing off, N with both on, in turn.

func option(_ name: String, default value: Int) -> Int {
    let arguments = CommandLine.arguments
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count, let parsed = Int(arguments[index + 1]) else { return value }
    return parsed
}

let mode = CommandLine.arguments.dropFirst().first { !$0.hasPrefix("--") && Int($0) == nil } ?? "all"
let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
report("Machine: \(Machine.cores) cores, \(Machine.cpuModel); load \(load); \(Machine.date)")
do {
    if mode == "ingest" || mode == "all" {
        try await IngestRun.run(rows: option("--rows", default: 1_000_000), runs: option("--runs", default: 2))
    }
    if mode == "end-to-end" || mode == "all" {
        try await EndToEndRun.run(images: option("--images", default: 1000), photos: option("--photos", default: 20), observabilityPairs: option("--observability-pairs", default: 0))
    }
} catch {
    FileHandle.standardError.write(Data("benchmark failed: \(error)\n".utf8))
    exit(1)
}
