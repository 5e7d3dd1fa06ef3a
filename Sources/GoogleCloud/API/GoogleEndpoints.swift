import PixelPipeCore
/// Where each Google API is reached. Each `*_EMULATOR_HOST` variable, following the client
/// libraries' conventions, selects plain HTTP without credentials for its service; otherwise
/// the real `https://*.googleapis.com` endpoint with an OAuth token.
public struct GoogleEndpoints: Sendable, Equatable {
    /// One service's base URL and whether requests carry a token.
    public struct Endpoint: Sendable, Equatable {
        /// Scheme, host and port, without a trailing slash.
        public var baseURL: String
        /// True for an emulator: no `Authorization` header is sent.
        public var isEmulator: Bool

        public init(baseURL: String, isEmulator: Bool) {
            self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
            self.isEmulator = isEmulator
        }
    }

    public var storage: Endpoint
    public var pubSub: Endpoint
    public var cloudTasks: Endpoint
    public var firestore: Endpoint
    /// Identity Toolkit (Firebase Authentication's accounts API). An emulator serves it under
    /// `/identitytoolkit.googleapis.com`, as Firebase's emulator does, so that is part of the
    /// base URL; the Secure Token API and the signing keys sit beside it (`IdentityEndpoints`).
    public var identityToolkit: Endpoint

    /// Google Cloud's own endpoints.
    public static let production = GoogleEndpoints(
        storage: Endpoint(baseURL: "https://storage.googleapis.com", isEmulator: false),
        pubSub: Endpoint(baseURL: "https://pubsub.googleapis.com", isEmulator: false),
        cloudTasks: Endpoint(baseURL: "https://cloudtasks.googleapis.com", isEmulator: false),
        firestore: Endpoint(baseURL: "https://firestore.googleapis.com", isEmulator: false),
        identityToolkit: Endpoint(baseURL: "https://identitytoolkit.googleapis.com", isEmulator: false)
    )

    /// Every service at one emulator base URL (e.g. `http://127.0.0.1:8085`).
    public static func emulator(_ baseURL: String) -> GoogleEndpoints {
        let endpoint = Endpoint(baseURL: baseURL, isEmulator: true)
        return GoogleEndpoints(storage: endpoint, pubSub: endpoint, cloudTasks: endpoint, firestore: endpoint,
                               identityToolkit: Endpoint(baseURL: endpoint.baseURL + identityToolkitEmulatorPath, isEmulator: true))
    }

    /// Where an emulator serves Identity Toolkit: under the API's host name, as Firebase's does.
    public static let identityToolkitEmulatorPath = "/identitytoolkit.googleapis.com"

    public init(storage: Endpoint, pubSub: Endpoint, cloudTasks: Endpoint, firestore: Endpoint,
                identityToolkit: Endpoint = GoogleEndpoints.production.identityToolkit) {
        self.storage = storage
        self.pubSub = pubSub
        self.cloudTasks = cloudTasks
        self.firestore = firestore
        self.identityToolkit = identityToolkit
    }

    /// Reads `STORAGE_EMULATOR_HOST` (with scheme, e.g. `http://127.0.0.1:8085`) and
    /// `PUBSUB_EMULATOR_HOST`, `CLOUD_TASKS_EMULATOR_HOST`, `FIRESTORE_EMULATOR_HOST` and
    /// `FIREBASE_AUTH_EMULATOR_HOST` (`host:port`).
    public init(environment: EnvironmentValues) {
        func emulator(_ key: String, production: Endpoint) -> Endpoint {
            guard let value = environment[key] else { return production }
            let base = value.contains("://") ? value : "http://" + value
            return Endpoint(baseURL: base, isEmulator: true)
        }
        let google = GoogleEndpoints.production
        self.init(
            storage: emulator("STORAGE_EMULATOR_HOST", production: google.storage),
            pubSub: emulator("PUBSUB_EMULATOR_HOST", production: google.pubSub),
            cloudTasks: emulator("CLOUD_TASKS_EMULATOR_HOST", production: google.cloudTasks),
            firestore: emulator("FIRESTORE_EMULATOR_HOST", production: google.firestore),
            identityToolkit: environment["FIREBASE_AUTH_EMULATOR_HOST"].map {
                Endpoint(baseURL: ($0.contains("://") ? $0 : "http://" + $0) + Self.identityToolkitEmulatorPath, isEmulator: true)
            } ?? google.identityToolkit
        )
    }

    /// Whether any service needs a real token.
    public var needsCredentials: Bool {
        [storage, pubSub, cloudTasks, firestore, identityToolkit].contains { !$0.isEmulator }
    }
}
