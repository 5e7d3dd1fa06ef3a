/// `oidcToken` of a push subscription's `pushConfig` and of a task's `httpRequest`: the service
/// account whose ID token goes in `Authorization: Bearer`, and the audience it is minted for
/// (the push endpoint or the task's URL when unset).
struct OIDCToken: Codable, Sendable, Equatable {
    var serviceAccountEmail: String?
    var audience: String?
}
