import GRDB
import Runtime

/// The loopback port of each service, kept in the data directory so that push endpoints and
/// task URLs recorded before a restart still reach the same service after it.
struct ServicePorts {
    let store: EmulatorStore

    static func registerMigrations(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v1-service-ports") { db in
            try db.execute(sql: "CREATE TABLE service_ports (service TEXT PRIMARY KEY, port INTEGER NOT NULL) WITHOUT ROWID")
        }
    }

    /// A port per service: the one used before when it is still free, else a new one.
    func assign(_ services: [String]) async throws -> [String: Int] {
        let previous: [String: Int] = try await store.read { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT service, port FROM service_ports").map { ($0["service"], $0["port"]) })
        }
        var ports: [String: Int] = [:]
        for service in services {
            if let port = previous[service], LoopbackPort.isFree(port) {
                ports[service] = port
            } else {
                ports[service] = LoopbackPort.free()
            }
        }
        let assigned = ports
        try await store.write { db in
            for (service, port) in assigned {
                try db.execute(sql: "INSERT INTO service_ports(service, port) VALUES (?, ?) ON CONFLICT(service) DO UPDATE SET port = excluded.port", arguments: [service, port])
            }
        }
        return assigned
    }
}
