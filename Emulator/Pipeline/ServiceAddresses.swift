import FunctionsFramework
import GoogleCloud
import GRDB

/// Where each service of the pipeline is reached, kept for the life of a data directory the
/// way a Cloud Run URL is: a supervised service gets a loopback port once (or the `port:` its
/// pipeline file pins) and keeps it across restarts, because push endpoints and task URLs
/// stored before a restart must still reach it after.
///
/// When an address does change — the stored port is held by another program, the pipeline file
/// pins another port or names another `url:` — every push endpoint and pending task stored
/// with the old address is re-pointed at the new one in the same transaction that records it,
/// before anything is delivered, so no stored work keeps a dead address.
struct ServiceAddresses {
    let store: EmulatorStore

    static func registerMigrations(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v1-service-ports") { db in
            try db.execute(sql: "CREATE TABLE service_ports (service TEXT PRIMARY KEY, port INTEGER NOT NULL) WITHOUT ROWID")
        }
        // The base URL of every service, supervised (`http://127.0.0.1:PORT`, port > 0) or
        // external (`url:`, port 0), so a changed address can be recognised and re-pointed.
        migrator.registerMigration("v2-service-urls") { db in
            try db.execute(sql: """
                ALTER TABLE service_ports ADD COLUMN url TEXT;
                UPDATE service_ports SET url = 'http://127.0.0.1:' || port;
                """)
        }
    }

    /// The addresses assigned at start-up.
    struct Assignment: Sendable, Equatable {
        /// Port of each supervised service.
        var ports: [String: Int]
        /// Base URL of every service, without a trailing slash.
        var urls: [String: String]
        /// Services whose address changed since the data directory last ran them.
        var moves: [Move]
    }

    /// A service's address that changed, and what was re-pointed.
    struct Move: Sendable, Equatable {
        var service: String
        var from: String
        var to: String
        /// Why: the old port is taken, or the pipeline file says so.
        var reason: String
        /// Push subscriptions and pending tasks that now use the new address.
        var subscriptions: Int
        var tasks: Int
    }

    /// Assigns every service its address and re-points stored work from changed ones.
    /// - Parameter reserved: ports that are not to be given to a service (the emulator's own).
    func assign(_ services: [Topology.Service], reserved: Set<Int> = []) async throws -> Assignment {
        let previous: [String: StoredAddress] = try await store.read { db in
            var previous: [String: StoredAddress] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT service, port, url FROM service_ports") {
                previous[row["service"]] = StoredAddress(port: row["port"], url: row["url"])
            }
            return previous
        }
        var pins: [Int: String] = [:]
        for service in services { if let port = service.port { pins[port] = service.name } }
        // No service is given a port another one had: its stored work must not land on it.
        let stored = Set(previous.values.map(\.port).filter { $0 > 0 })
        var assignedPorts: [String: Int] = [:]
        var urls: [String: String] = [:]
        var reasons: [String: String] = [:]
        for service in services {
            if let url = service.url {
                urls[service.name] = url.hasSuffix("/") ? String(url.dropLast()) : url
                reasons[service.name] = "the pipeline file names url \(url)"
                continue
            }
            let old = previous[service.name].map(\.port).flatMap { $0 > 0 ? $0 : nil }
            let assigned = Set(assignedPorts.values)
            let port: Int
            if let pinned = service.port {
                guard LoopbackPort.isFree(pinned) else {
                    throw ServiceAddressError.pinnedPortInUse(service: service.name, port: pinned, holder: PortHolder.find(port: pinned))
                }
                port = pinned
                reasons[service.name] = "the pipeline file pins port \(pinned)"
            } else if let old, let other = pins[old] {
                port = LoopbackPort.stable(excluding: reserved.union(stored).union(pins.keys).union(assigned))
                reasons[service.name] = "port \(old) is pinned for '\(other)' by the pipeline file"
            } else if let old, !reserved.contains(old), !assigned.contains(old), LoopbackPort.isFree(old) {
                port = old
            } else {
                port = LoopbackPort.stable(excluding: reserved.union(stored).union(pins.keys).union(assigned))
                if let old { reasons[service.name] = ServiceAddressError.portInUse(port: old, holder: PortHolder.find(port: old)).description }
            }
            assignedPorts[service.name] = port
            urls[service.name] = "http://127.0.0.1:\(port)"
        }
        let ports = assignedPorts
        let assignedURLs = urls
        let assignedReasons = reasons
        let changes = assignedURLs.filter { previous[$0.key]?.baseURL != $0.value || previous[$0.key]?.url == nil }
        // Nothing changed, nothing written: a restart on a full disk still starts.
        guard !changes.isEmpty else { return Assignment(ports: ports, urls: assignedURLs, moves: []) }
        let moves: [Move] = try await store.write { db in
            var moves: [Move] = []
            // Every move through a placeholder first, so that a service taking another's old
            // address never has the other's work re-pointed onto it.
            for (service, url) in changes.sorted(by: { $0.key < $1.key }) {
                guard let from = previous[service]?.baseURL, from != url else { continue }
                let placeholder = Self.placeholder(service)
                moves.append(Move(
                    service: service, from: from, to: url, reason: assignedReasons[service] ?? "its address changed",
                    subscriptions: try PubSubStore.retargetPushEndpoints(from: from, to: placeholder, in: db),
                    tasks: try TasksStore.retarget(from: from, to: placeholder, in: db)
                ))
            }
            for move in moves {
                _ = try PubSubStore.retargetPushEndpoints(from: Self.placeholder(move.service), to: move.to, in: db)
                _ = try TasksStore.retarget(from: Self.placeholder(move.service), to: move.to, in: db)
            }
            for (service, url) in changes {
                try db.execute(sql: """
                    INSERT INTO service_ports(service, port, url) VALUES (?, ?, ?)
                    ON CONFLICT(service) DO UPDATE SET port = excluded.port, url = excluded.url
                    """, arguments: [service, ports[service] ?? 0, url])
            }
            return moves
        }
        return Assignment(ports: ports, urls: assignedURLs, moves: moves)
    }

    /// A base URL no real address starts with, for the middle of a move.
    private static func placeholder(_ service: String) -> String {
        "pixelpipe-moving:" + service
    }
}

/// A service's address as the data directory last recorded it.
private struct StoredAddress: Sendable {
    var port: Int
    var url: String?

    /// The recorded URL (rows from before URLs were recorded have the port only).
    var baseURL: String? { url ?? (port > 0 ? "http://127.0.0.1:\(port)" : nil) }
}

/// Why a service could not be given its address.
enum ServiceAddressError: Error, Equatable, CustomStringConvertible {
    /// The port the pipeline file pins for `service` is held by another program (`holder`, when
    /// /proc tells).
    case pinnedPortInUse(service: String, port: Int, holder: PortHolder?)
    /// A port is in use (the reason a service moved).
    case portInUse(port: Int, holder: PortHolder?)

    var description: String {
        switch self {
        case .pinnedPortInUse(let service, let port, let holder):
            "service '\(service)': port \(port) (pinned by its `port:` in the pipeline file) is in use\(Self.by(holder)); stop that program or pin another port"
        case .portInUse(let port, let holder):
            "port \(port) is in use\(Self.by(holder))"
        }
    }

    private static func by(_ holder: PortHolder?) -> String {
        holder.map { " by \($0)" } ?? ""
    }
}
