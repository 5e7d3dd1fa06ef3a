import BenchmarkSupport
import Foundation
import Imaging
import PipelineModel

// Imaging engine against the vips CLI. Usage:
//   swift run -c release ImagingBenchmark [--images N] [--runs N] [--leak-iterations N]
// Generates 4000x3000 JPEGs under $TMPDIR/pixelpipe-imaging-bench (reused between runs).

/// Prints a line unbuffered, so progress shows when the output is a file or pipe.
func report(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

func option(_ name: String, default value: Int) -> Int {
    let arguments = CommandLine.arguments
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count, let parsed = Int(arguments[index + 1]) else { return value }
    return parsed
}

let imageCount = option("--images", default: 20)
let runs = option("--runs", default: 3)
let leakIterations = option("--leak-iterations", default: 1000)
let cores = Machine.cores
let root = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("pixelpipe-imaging-bench")

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

func fresh(_ name: String) throws -> URL {
    let url = root.appendingPathComponent(name)
    try? FileManager.default.removeItem(at: url)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Runs `vipsthumbnail` once over every file: one process, files in sequence.
func runCLI(_ files: [URL]) throws -> Double {
    let output = try fresh("cli")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/vipsthumbnail")
    process.arguments = files.map(\.path) + ["-s", "800", "-o", output.path + "/%s.jpg[Q=50]"]
    let start = ContinuousClock.now
    try process.run()
    process.waitUntilExit()
    let elapsed = seconds(ContinuousClock.now - start)
    guard process.terminationStatus == 0 else { throw NSError(domain: "vipsthumbnail", code: Int(process.terminationStatus)) }
    return elapsed
}

/// Reads, thumbnails and writes every file, `parallel` at a time.
func runOurs(_ engine: ImagingEngine, _ files: [URL], parallel: Int, name: String) async throws -> Double {
    let output = try fresh(name)
    let start = ContinuousClock.now
    try await withThrowingTaskGroup(of: Void.self) { group in
        var next = 0
        func add() {
            let file = files[next]
            next += 1
            group.addTask {
                let rendition = try await engine.thumbnail(Data(contentsOf: file), width: 800, format: .jpeg, quality: 50)
                try rendition.data.write(to: output.appendingPathComponent(file.deletingPathExtension().lastPathComponent + ".jpg"))
            }
        }
        for _ in 0..<min(parallel, files.count) { add() }
        while try await group.next() != nil {
            if next < files.count { add() }
        }
    }
    return seconds(ContinuousClock.now - start)
}

/// The default recipe over every file, `parallel` at a time; returns seconds.
func runRecipe(_ engine: ImagingEngine, _ inputs: [Data], parallel: Int) async throws -> Double {
    let start = ContinuousClock.now
    try await withThrowingTaskGroup(of: Void.self) { group in
        var next = 0
        for _ in 0..<min(parallel, inputs.count) {
            let input = inputs[next]
            next += 1
            group.addTask { _ = try await engine.process(input, recipe: .default) }
        }
        while try await group.next() != nil {
            if next < inputs.count {
                let input = inputs[next]
                next += 1
                group.addTask { _ = try await engine.process(input, recipe: .default) }
            }
        }
    }
    return seconds(ContinuousClock.now - start)
}

if CommandLine.arguments.contains("--single-core-child") {
    let files = try SyntheticPhotos.make(count: imageCount, width: 4000, height: 3000, in: root.appendingPathComponent("src"))
    let engine = try ImagingEngine(configuration: ImagingConfiguration(workerThreads: 1, vipsConcurrency: 1))
    var times: [Double] = []
    for _ in 0..<runs { times.append(try await runOurs(engine, files, parallel: 1, name: "single")) }
    report("RATE \(Double(files.count) / median(times))")
    exit(0)
}

report("machine: \(cores) cores, \(Machine.cpuModel), libvips \(ImagingEngine.libvipsVersion), \(Machine.date)")
report("generating \(imageCount) 4000x3000 JPEGs in \(root.path) …")
let files = try SyntheticPhotos.make(count: imageCount, width: 4000, height: 3000, in: root.appendingPathComponent("src"))
let n = Double(files.count)

// 1. Sequential, same libvips concurrency as the CLI (one thread per core inside each image).
var cliTimes: [Double] = []
var oursTimes: [Double] = []
do {
    let engine = try ImagingEngine(configuration: ImagingConfiguration(workerThreads: 1, vipsConcurrency: cores))
    _ = try await runOurs(engine, Array(files.prefix(2)), parallel: 1, name: "warmup")
    for _ in 0..<runs {
        cliTimes.append(try runCLI(files))
        oursTimes.append(try await runOurs(engine, files, parallel: 1, name: "ours"))
    }
}
let cli = median(cliTimes), ours = median(oursTimes)
report(String(format: "800px JPEG Q50, sequential: vipsthumbnail %.2f s (%.1f ms/image), ours %.2f s (%.1f ms/image), ours/CLI = %.2f",
             cli, cli / n * 1000, ours, ours / n * 1000, ours / cli))

// 2. Throughput: one worker with one libvips thread pinned to one core (a child process under
// `taskset -c 0`, since libvips also starts helper threads), against one worker per core.
func singleCoreRate() throws -> Double? {
    let process = Process()
    let pipe = Pipe()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/taskset")
    process.arguments = ["-c", "0", CommandLine.arguments[0], "--single-core-child", "--images", "\(imageCount)", "--runs", "\(runs)"]
    process.standardOutput = pipe
    try process.run()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return output.split(separator: "\n").last { $0.hasPrefix("RATE ") }.flatMap { Double($0.dropFirst(5)) }
}

var allTimes: [Double] = []
let singleRate = try singleCoreRate() ?? .nan
do {
    let all = try ImagingEngine(configuration: ImagingConfiguration(workerThreads: cores, vipsConcurrency: 1))
    for _ in 0..<runs { allTimes.append(try await runOurs(all, files, parallel: cores * 2, name: "all")) }
}
let allRate = n / median(allTimes)
report(String(format: "800px JPEG Q50 throughput: one pinned core %.2f images/s, all %d cores %.2f images/s (%.2fx)",
             singleRate, cores, allRate, allRate / singleRate))

// 3. The default recipe (3 sizes x WebP + JPEG, with analysis) per image.
let inputs = try files.map { try Data(contentsOf: $0) }
var recipeSequential: [Double] = []
var recipeParallel: [Double] = []
do {
    let engine = try ImagingEngine(configuration: ImagingConfiguration(workerThreads: 1, vipsConcurrency: cores))
    for _ in 0..<runs { recipeSequential.append(try await runRecipe(engine, inputs, parallel: 1)) }
}
do {
    let engine = try ImagingEngine(configuration: ImagingConfiguration(workerThreads: cores, vipsConcurrency: 1))
    for _ in 0..<runs { recipeParallel.append(try await runRecipe(engine, inputs, parallel: cores * 2)) }
}
// The same six outputs as six independent one-size, one-format calls, each decoding afresh.
var independent: [Double] = []
do {
    let engine = try ImagingEngine(configuration: ImagingConfiguration(workerThreads: 1, vipsConcurrency: cores))
    let singles = Recipe.default.sizes.flatMap { size in Recipe.default.formats.map { Recipe(sizes: [size], formats: [$0]) } }
    for _ in 0..<runs {
        let start = ContinuousClock.now
        for input in inputs {
            for recipe in singles { _ = try await engine.process(input, recipe: recipe) }
        }
        independent.append(seconds(ContinuousClock.now - start))
    }
}
report(String(format: "default recipe (3 sizes x WebP+JPEG + analysis): %.0f ms/image sequential (six independent calls: %.0f ms); %.2f images/s on all cores",
             median(recipeSequential) / n * 1000, median(independent) / n * 1000, n / median(recipeParallel)))

// 4. Resident memory over many default recipes, on a smaller image to keep the run short.
do {
    let engine = try ImagingEngine(configuration: ImagingConfiguration(workerThreads: cores, vipsConcurrency: 1))
    let small = try await engine.thumbnail(inputs[0], width: 1600, format: .jpeg, quality: 90).data
    var samples: [(Int, Int)] = []
    for iteration in 1...leakIterations {
        _ = try await engine.process(small, recipe: .default)
        if iteration == 50 || iteration % max(1, leakIterations / 4) == 0 { samples.append((iteration, Machine.residentBytes)) }
    }
    let mib = { (bytes: Int) in String(format: "%.1f MiB", Double(bytes) / 1_048_576) }
    report("RSS over \(leakIterations) default recipes on a 1600x1200 JPEG: " + samples.map { "\($0.0): \(mib($0.1))" }.joined(separator: ", "))

    // A PNG whose header declares 100000 x 100000 (IHDR, a token IDAT, IEND; CRCs valid).
    let hex = "89504e470d0a1a0a0000000d49484452000186a0000186a0080200000027309c9f0000000949444154"
        + "789c630000000100015eff7df90000000049454e44ae426082"
    let bomb = Data(stride(from: 0, to: hex.count, by: 2).map { offset in
        let start = hex.index(hex.startIndex, offsetBy: offset)
        return UInt8(hex[start..<hex.index(start, offsetBy: 2)], radix: 16)!
    })
    let before = Machine.residentBytes
    var rejected = 0
    for _ in 0..<1000 {
        do { _ = try await engine.probe(bomb) } catch { if error == .tooManyPixels { rejected += 1 } }
    }
    report("100000x100000 PNG header: \(rejected)/1000 rejected by the probe, RSS change \(mib(Machine.residentBytes - before))")
}
