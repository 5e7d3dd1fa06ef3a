import Foundation
import FunctionsFramework
import Logging
import PixelPipeCore

/// A function binary for the live tests: an HTTP function that answers after `?sleep_ms=`,
/// with `?status=` (as an `InvocationError` disposition) or with the request echoed back.
struct FixtureHandler: InvocationHandler {
    func handle(_ request: InvocationRequest, context: InvocationContext) async throws -> InvocationResponse {
        if let sleep = request.queryValue("sleep_ms").flatMap(Int.init) {
            context.logger.info("fixture request started", metadata: ["pixelpipe.sleep_ms": .stringConvertible(sleep)])
            try await Task.sleep(for: .milliseconds(sleep))
        }
        switch request.queryValue("fail") {
        case "transient": throw InvocationError.transient("fixture asked to fail transiently", retryAfter: .seconds(3))
        case "permanent": throw InvocationError.permanent("fixture asked to fail permanently")
        default: break
        }
        return .text("handled \(request.method) \(request.path) (\(request.body.count) bytes) trace=\(context.trace?.traceID ?? "-")")
    }
}

await FunctionMain.run(name: "function-fixture") { _, _ in
    FunctionDefinition(name: "function-fixture", http: FixtureHandler())
}
