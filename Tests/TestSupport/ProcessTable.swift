import Foundation

/// What `/proc` says about processes: a parent's children by executable, and whether a pid is
/// still a live process. Tests use it to find (and kill) the stage processes an emulator runs.
public enum ProcessTable {
    /// Direct children of `parent` with the base name of their executable.
    public static func children(of parent: Int32) -> [(pid: Int32, executable: String)] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> (Int32, String)? in
            guard let pid = Int32(entry), let fields = statFields(pid), fields.count > 1, Int32(fields[1]) == parent,
                  let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe") else { return nil }
            return (pid, URL(fileURLWithPath: exe).lastPathComponent)
        }
    }

    /// Whether `pid` is a live process (not gone, not a zombie waiting to be reaped).
    public static func isAlive(_ pid: Int32) -> Bool {
        guard let state = statFields(pid)?.first else { return false }
        return state != "Z" && state != "X"
    }

    /// The fields of `/proc/PID/stat` after the command name: state, ppid, …
    private static func statFields(_ pid: Int32) -> [Substring]? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return nil }
        return stat[stat.index(after: close)...].split(separator: " ")
    }
}
