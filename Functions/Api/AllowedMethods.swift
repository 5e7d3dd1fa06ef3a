/// Which methods each route of the jobs API takes, so a known path asked with another method
/// answers 405 with `Allow` (RFC 9110) instead of Hummingbird's 404 for an unmatched route.
enum AllowedMethods {
    /// The methods `path` takes, or nil when no route has that path.
    static func of(_ path: String) -> [String]? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
        switch segments.count {
        case 1 where ["healthz", "openapi.json", "config.json"].contains(segments[0]): return ["GET"]
        case 2 where segments == ["v1", "me"]: return ["GET"]
        case 2 where segments == ["v1", "jobs"]: return ["GET", "POST"]
        case 2 where segments == ["v1", "images"]: return ["POST"]
        case 3 where segments[0] == "v1" && segments[1] == "jobs" && !segments[2].isEmpty:
            if segments[2].hasSuffix(":cancel") || segments[2].hasSuffix(":retry") { return ["POST"] }
            return ["GET"]
        case 4 where segments[0] == "v1" && segments[1] == "jobs" && ["items", "output.csv", "results.ndjson"].contains(segments[3]): return ["GET"]
        case 7 where segments[0] == "v1" && segments[1] == "jobs" && segments[3] == "items" && segments[5] == "outputs": return ["GET"]
        default: return nil
        }
    }
}
