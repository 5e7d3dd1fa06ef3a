import HTTPTypes

/// What a function binary serves: its name, its signature handler (reached at any path not
/// claimed by a route, as Cloud Run delivers events to `/`), and extra HTTP routes.
public struct FunctionDefinition: Sendable {
    /// An extra HTTP route, such as `GET /jobs/{id}`.
    public struct Route: Sendable {
        public var method: HTTPRequest.Method
        /// A path with optional `{name}` segments.
        public var path: String
        public var handler: any InvocationHandler
    }

    /// The stage name (`ingest`, `process`, …), used in logs and `--version`.
    public let name: String
    /// How the primary handler is invoked.
    public let signature: SignatureType
    /// The primary handler, already adapted to bytes.
    public let handler: any InvocationHandler
    /// Extra routes, answered as `http` invocations.
    public private(set) var routes: [Route] = []

    /// A function triggered by CloudEvents.
    public init<Function: CloudEventFunction>(name: String, cloudEvent function: Function) {
        self.init(name: name, signature: .cloudEvent, handler: CloudEventAdapter(function: function))
    }

    /// A function triggered by a Pub/Sub push subscription.
    public init<Function: PubSubFunction>(name: String, pubSubPush function: Function) {
        self.init(name: name, signature: .pubSubPush, handler: PubSubAdapter(function: function))
    }

    /// A function triggered by Cloud Tasks.
    public init<Function: CloudTaskFunction>(name: String, cloudTask function: Function) {
        self.init(name: name, signature: .cloudTask, handler: CloudTaskAdapter(function: function))
    }

    /// A plain HTTP function.
    public init(name: String, http handler: any InvocationHandler) {
        self.init(name: name, signature: .http, handler: handler)
    }

    private init(name: String, signature: SignatureType, handler: any InvocationHandler) {
        self.name = name
        self.signature = signature
        self.handler = handler
    }

    /// Adds an HTTP route served next to the signature handler.
    public mutating func route(_ method: HTTPRequest.Method, _ path: String, _ handler: any InvocationHandler) {
        routes.append(Route(method: method, path: path, handler: handler))
    }
}
