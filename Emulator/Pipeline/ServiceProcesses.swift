import Foundation
import GRDB
import PixelPipeCore

/// The function binaries an emulator started, by pid and executable, kept in the data directory.
/// An emulator that dies without stopping them (SIGKILL, a crash) leaves them running on their
/// ports; the next `emulator up` on the same data directory stops those leftovers first, so the
/// services get their ports back and pushes and tasks recorded for those ports reach the new ones.
struct ServiceProcesses {
    let store: EmulatorStore

    static func registerMigrations(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v1-service-processes") { db in
            try db.execute(sql: "CREATE TABLE service_processes (service TEXT PRIMARY KEY, pid INTEGER NOT NULL, executable TEXT NOT NULL) WITHOUT ROWID")
        }
    }

    /// Remembers that `service` now runs as `pid`.
    func record(service: String, pid: Int32, executable: String) async throws {
        try await store.write { db in
            try db.execute(sql: """
                INSERT INTO service_processes(service, pid, executable) VALUES (?, ?, ?)
                ON CONFLICT(service) DO UPDATE SET pid = excluded.pid, executable = excluded.executable
                """, arguments: [service, pid, executable])
        }
    }

    /// Stops every recorded process that is still the binary it was (a pid reused by another
    /// program is left alone), and forgets them all. Returns the services it stopped.
    @discardableResult
    func stopLeftovers(grace: Duration = .seconds(5)) async throws -> [String] {
        let rows: [(service: String, pid: Int32, executable: String)] = try await store.read { db in
            try Row.fetchAll(db, sql: "SELECT service, pid, executable FROM service_processes").map { ($0["service"], $0["pid"], $0["executable"]) }
        }
        let leftovers = rows.filter { Self.isRunning($0.pid, executable: $0.executable) }
        for leftover in leftovers { kill(leftover.pid, SIGTERM) }
        let deadline = ContinuousClock.now + grace
        // `isRunning` rather than `kill(pid, 0)`: an exited orphan may linger as a zombie.
        while leftovers.contains(where: { Self.isRunning($0.pid, executable: $0.executable) }), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        for leftover in leftovers where Self.isRunning(leftover.pid, executable: leftover.executable) { kill(leftover.pid, SIGKILL) }
        // Best effort: on a full disk the rows stay, and the next start finds them not running.
        _ = try? await store.write { db in try db.execute(sql: "DELETE FROM service_processes") }
        return leftovers.map(\.service)
    }

    /// Whether `pid` is alive and runs `executable` (from `/proc/PID/exe`).
    static func isRunning(_ pid: Int32, executable: String) -> Bool {
        guard pid > 0, kill(pid, 0) == 0,
              let running = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe")
        else { return false }
        return URL(fileURLWithPath: running).resolvingSymlinksInPath().path == URL(fileURLWithPath: executable).resolvingSymlinksInPath().path
    }
}
