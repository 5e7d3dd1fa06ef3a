/// `GET /config.json`: what a client (the CLI, the web console) needs to sign users in before it
/// can call `/v1` — the Firebase project, its Web API key and the Identity Toolkit and Secure
/// Token endpoints (the emulator's locally, Google's in the cloud). Public by design: a Web API
/// key identifies the project, it grants nothing.
struct ClientConfiguration: Codable, Sendable, Equatable {
    var projectId: String
    var apiKey: String
    var identityToolkitURL: String
    var secureTokenURL: String

    init(_ auth: AuthConfiguration) {
        projectId = auth.firebaseProject
        apiKey = auth.apiKey
        identityToolkitURL = auth.identityToolkitURL
        secureTokenURL = auth.secureTokenURL
    }
}
