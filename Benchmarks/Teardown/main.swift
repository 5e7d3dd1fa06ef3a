import BenchmarkSupport
import Foundation
import PipelineModel

// Teardown of a large job (issue 13): the release `teardown` binary finalizes a job of N items
// (default 1,000,000) laid out in the release emulator as the pipeline leaves it — the job
// document, its counter shards, N item documents and the input CSV — while its peak resident
// memory (VmHWM) is read from /proc. Usage, after `swift build -c release`:
//   .build/release/TeardownBenchmark [--items N] [--concurrency N]
//   .build/release/TeardownBenchmark --data-dir DIR   (finalize again a job seeded by an earlier run
//                                                      stopped after seeding; DIR is its emulator data)
// Seeding goes through the Firestore REST API (`:commit` of 500 writes), as a client would.

func option(_ name: String, default value: Int) -> Int {
    let arguments = CommandLine.arguments
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count, let parsed = Int(arguments[index + 1]) else { return value }
    return parsed
}

let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
report("Machine: \(Machine.cores) cores, \(Machine.cpuModel); load \(load); \(Machine.date)")
do {
    if let index = CommandLine.arguments.firstIndex(of: "--data-dir"), index + 1 < CommandLine.arguments.count {
        try await TeardownRun.rerun(dataDirectory: CommandLine.arguments[index + 1])
    } else {
        try await TeardownRun.run(items: option("--items", default: 1_000_000), concurrency: option("--concurrency", default: 4))
    }
} catch {
    FileHandle.standardError.write(Data("benchmark failed: \(error)\n".utf8))
    exit(1)
}
