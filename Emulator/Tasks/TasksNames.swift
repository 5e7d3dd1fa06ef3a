/// Cloud Tasks resource names, checked segment by segment: REST builds them from its path,
/// gRPC receives them whole in `parent` and `name`.
enum TasksNames {
    /// `projects/P/locations/L`.
    static func parent(project: String, location: String) throws -> String {
        guard ResourceID.isValidProjectOrLocation(project), ResourceID.isValidProjectOrLocation(location) else {
            throw GoogleAPIError.invalidArgument("Invalid parent \"projects/\(project)/locations/\(location)\".")
        }
        return "projects/\(project)/locations/\(location)"
    }

    /// `PARENT/queues/Q`.
    static func queue(parent: String, id: String) throws -> String {
        guard ResourceID.isValidQueue(id) else { throw GoogleAPIError.invalidArgument("Invalid queue id \"\(id)\".") }
        return "\(parent)/queues/\(id)"
    }

    /// `QUEUE/tasks/T`.
    static func task(queue: String, id: String) throws -> String {
        guard ResourceID.isValidTask(id) else { throw GoogleAPIError.invalidArgument("Invalid task id \"\(id)\".") }
        return "\(queue)/tasks/\(id)"
    }

    /// A whole `projects/P/locations/L` name, as a gRPC request's `parent` carries it.
    static func parent(_ name: String) throws -> String {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 4, parts[0] == "projects", parts[2] == "locations" else {
            throw GoogleAPIError.invalidArgument("Invalid parent \"\(name)\"; it must be projects/PROJECT/locations/LOCATION.")
        }
        return try parent(project: parts[1], location: parts[3])
    }

    /// A whole `projects/P/locations/L/queues/Q` name.
    static func queue(_ name: String) throws -> String {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 6, parts[4] == "queues" else {
            throw GoogleAPIError.invalidArgument("Invalid queue name \"\(name)\"; it must be projects/PROJECT/locations/LOCATION/queues/QUEUE.")
        }
        return try queue(parent: parent(parts[0..<4].joined(separator: "/")), id: parts[5])
    }

    /// A whole `projects/P/locations/L/queues/Q/tasks/T` name.
    static func task(_ name: String) throws -> String {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 8, parts[6] == "tasks" else {
            throw GoogleAPIError.invalidArgument("Invalid task name \"\(name)\"; it must be projects/PROJECT/locations/LOCATION/queues/QUEUE/tasks/TASK.")
        }
        return try task(queue: queue(parts[0..<6].joined(separator: "/")), id: parts[7])
    }
}
