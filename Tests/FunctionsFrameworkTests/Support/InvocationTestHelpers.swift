import Foundation
import FunctionsFramework
import GoogleCloud
import HTTPTypes
import Logging
import TestSupport

/// Builds a request the way a Google service would send it.
func makeRequest(method: HTTPRequest.Method = .post, path: String = "/", headers: [String: String] = [:], body: String = "") -> InvocationRequest {
    var fields = HTTPFields()
    for (name, value) in headers.sorted(by: { $0.key < $1.key }) {
        fields.append(HTTPField(name: HTTPField.Name(name)!, value: value))
    }
    return InvocationRequest(method: method, path: path, headers: fields, body: Data(body.utf8))
}

/// Serves one request through the dispatcher exactly as the live server would, without sockets.
func dispatch(
    _ definition: FunctionDefinition, _ request: InvocationRequest, timeout: Duration = .seconds(60), tracing: TracingConfiguration = TracingConfiguration()
) async -> InvocationResponse {
    var logger = Logger(label: "test")
    logger.logLevel = .critical
    let configuration = FunctionConfiguration(service: definition.name, requestTimeout: timeout)
    return await InvocationDispatcher(configuration: configuration, tracing: tracing, logger: logger)
        .respond(to: request, with: definition.handler, signature: definition.signature)
}

extension InvocationResponse {
    /// The `error.message` of a JSON error body.
    var errorMessage: String? {
        struct Body: Decodable { struct Detail: Decodable { var message: String }; var error: Detail }
        return (try? JSONDecoder().decode(Body.self, from: body))?.error.message
    }
}
