// Cold start of a function binary: from spawn to the first `200` from `GET /healthz` on
// loopback, repeated and summarised. Run on a release build:
//
//   swift build -c release && swift run -c release ColdStartBenchmark [--runs 20] [BINARY …]
//
// BINARY defaults to the four stage binaries next to this one. Any other command that serves
// /healthz on $PORT (e.g. the Python Functions Framework) can be measured in the same run with
// `--command "functions-framework --target=hello --source=main.py"`.
import Foundation
import FunctionsFramework
import Glibc

#if canImport(Glibc)
#endif

struct Options {
    var runs = 20
    var targets: [(label: String, argv: [String])] = []
}

func parseOptions() -> Options {
    var options = Options()
    var arguments = CommandLine.arguments.dropFirst()
    // The stage binaries: beside this one, or where --bin-dir says (the benchmarks are a package
    // of their own, so cold-start.sh passes the static build's folder).
    var binDirectory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    while let argument = arguments.popFirst() {
        switch argument {
        case "--bin-dir": binDirectory = URL(fileURLWithPath: arguments.popFirst() ?? ".")
        case "--runs": options.runs = Int(arguments.popFirst() ?? "") ?? options.runs
        case "--command":
            let command = arguments.popFirst() ?? ""
            let program = command.split(separator: " ").first.map { URL(fileURLWithPath: String($0)).lastPathComponent } ?? command
            options.targets.append((program + " (comparison)", ["/bin/sh", "-c", "exec " + command]))
        default:
            let path = argument.contains("/") ? argument : binDirectory.appendingPathComponent(argument).path
            let url = URL(fileURLWithPath: path)
            options.targets.append((url.deletingLastPathComponent().lastPathComponent + "/" + url.lastPathComponent, [path]))
        }
    }
    if options.targets.isEmpty {
        options.targets = ["ingest", "populate", "process", "teardown"].map { ("release/" + $0, [binDirectory.appendingPathComponent($0).path]) }
    }
    return options
}

/// One `GET /healthz` over a fresh connection; true on a 200.
func healthy(port: UInt16) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = port.bigEndian
    let connected = withUnsafePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    guard connected == 0 else { return false }
    let request = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    _ = request.withCString { send(fd, $0, strlen($0), 0) }
    var buffer = [UInt8](repeating: 0, count: 512)
    let count = recv(fd, &buffer, buffer.count, 0)
    guard count > 12 else { return false }
    return String(decoding: buffer[0..<count], as: UTF8.self).hasPrefix("HTTP/1.1 200")
}

/// Milliseconds from spawn to the first healthy answer.
func coldStart(argv: [String]) throws -> Double {
    let port = UInt16(LoopbackPort.free())
    let process = Process()
    process.executableURL = URL(fileURLWithPath: argv[0])
    process.arguments = Array(argv.dropFirst())
    var environment = ProcessInfo.processInfo.environment
    environment["PORT"] = String(port)
    environment["HOST"] = "127.0.0.1"
    environment["LOG_FORMAT"] = "json"
    process.environment = environment
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    let start = ContinuousClock.now
    try process.run()
    defer {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
    while !healthy(port: port) {
        guard process.isRunning else { throw NSError(domain: "ColdStart", code: 1, userInfo: [NSLocalizedDescriptionKey: "\(argv[0]) exited before answering"]) }
        guard ContinuousClock.now - start < .seconds(30) else { throw NSError(domain: "ColdStart", code: 2, userInfo: [NSLocalizedDescriptionKey: "no answer in 30 s"]) }
        usleep(200)
    }
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
}

let options = parseOptions()
print("cold start to first 200 on loopback, \(options.runs) runs each (\(ProcessInfo.processInfo.activeProcessorCount) cores)")
print("target".padding(toLength: 38, withPad: " ", startingAt: 0) + "median     p90      min")
for target in options.targets {
    do {
        _ = try coldStart(argv: target.argv)  // warm the page cache
        var samples: [Double] = []
        for _ in 0..<options.runs { samples.append(try coldStart(argv: target.argv)) }
        samples.sort()
        let row = target.label.padding(toLength: 36, withPad: " ", startingAt: 0)
        print(row + String(format: "%7.1f ms %7.1f ms %6.1f ms", percentile(samples, 0.5), percentile(samples, 0.9), samples[0]))
    } catch {
        print("\(target.label): \(error.localizedDescription)")
    }
}
