import GRDB

extension PubSubStore {
    /// Points every push subscription whose endpoint is at `old` (a base URL: the URL itself or
    /// anything under `old/`) at `new` instead, keeping path and query; runs inside the
    /// caller's transaction. Returns how many subscriptions changed.
    static func retargetPushEndpoints(from old: String, to new: String, in db: Database) throws -> Int {
        try db.execute(sql: """
            UPDATE pubsub_subscriptions
            SET body = json_set(body, '$.pushConfig.pushEndpoint', ? || substr(json_extract(body, '$.pushConfig.pushEndpoint'), ?))
            WHERE json_extract(body, '$.pushConfig.pushEndpoint') = ?
               OR substr(json_extract(body, '$.pushConfig.pushEndpoint'), 1, ?) = ?
            """, arguments: [new, old.unicodeScalars.count + 1, old, old.unicodeScalars.count + 1, old + "/"])
        return db.changesCount
    }
}
