import Foundation
import PixelPipeCore

/// The process listening on a TCP port of this machine, so that "address already in use" can
/// say who holds it. Read from Linux's /proc: the listening socket's inode from /proc/net/tcp
/// and /proc/net/tcp6, then the process with a descriptor linked to `socket:[INODE]`. Nothing
/// to depend on does this; lsof or ss would be a child process and often are not installed.
public struct PortHolder: Sendable, Equatable, CustomStringConvertible {
    /// The holder's process id.
    public let pid: Int32
    /// Its command name (`/proc/PID/comm`, at most 15 characters).
    public let command: String

    /// A holder; `find` builds these.
    public init(pid: Int32, command: String) {
        self.pid = pid
        self.command = command
    }

    /// `python3 (pid 1234)`.
    public var description: String { "\(command) (pid \(pid))" }

    /// The process listening on TCP `port` (IPv4 or IPv6, any address), or nil when nobody
    /// listens there or it cannot be told: another user's process (whose descriptors are not
    /// readable), a process in another network namespace, or a system without /proc.
    public static func find(port: Int, proc: String = "/proc") -> PortHolder? {
        let inodes = Set(["net/tcp", "net/tcp6"].flatMap { listeningInodes(port: port, table: "\(proc)/\($0)") })
        guard !inodes.isEmpty else { return nil }
        let files = FileManager.default
        guard let entries = try? files.contentsOfDirectory(atPath: proc) else { return nil }
        for entry in entries {
            guard let pid = Int32(entry), let descriptors = try? files.contentsOfDirectory(atPath: "\(proc)/\(entry)/fd") else { continue }
            for descriptor in descriptors {
                guard let target = try? files.destinationOfSymbolicLink(atPath: "\(proc)/\(entry)/fd/\(descriptor)"),
                      target.hasPrefix("socket:["), inodes.contains(String(target.dropFirst("socket:[".count).dropLast())) else { continue }
                let command = (try? String(contentsOfFile: "\(proc)/\(entry)/comm", encoding: .utf8))?.trimmingWhitespace
                return PortHolder(pid: pid, command: command.map(String.init) ?? "pid \(pid)")
            }
        }
        return nil
    }

    /// Inodes of the sockets in state LISTEN (`0A`) on local `port` in one /proc/net table, whose
    /// lines read `sl local_address rem_address st … uid timeout inode`, addresses as `HEX:PORT`.
    static func listeningInodes(port: Int, table: String) -> [String] {
        guard let text = readWhole(table) else { return [] }
        return text.split(separator: "\n").dropFirst().compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count > 9, fields[3] == "0A", let colon = fields[1].lastIndex(of: ":"),
                  Int(fields[1][fields[1].index(after: colon)...], radix: 16) == port, fields[9] != "0" else { return nil }
            return String(fields[9])
        }
    }

    /// The whole of a /proc file. Read until EOF with plain `read` calls: these files report a
    /// size of 0 and are produced a page per call, so a reader that trusts the size or stops
    /// after one call sees only the first few dozen sockets of a busy machine.
    static func readWhole(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            bytes += buffer[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
