import GRPCCore
import GoogleCloud

extension RPCError {
    /// The gRPC form of an error the stores throw: the same canonical code and message a REST
    /// caller gets in `{"error":{…}}`.
    init(_ error: GoogleAPIError) {
        self.init(code: Code(error.code), message: error.message)
    }

    /// `UNIMPLEMENTED`, naming the method, for a method a served service does not implement.
    static func unimplemented(_ method: MethodDescriptor) -> RPCError {
        RPCError(code: .unimplemented, message: "\(method.fullyQualifiedMethod) is not implemented by this emulator.")
    }
}

extension RPCError.Code {
    /// gRPC and Google's REST errors share the canonical codes of google.rpc.Code.
    init(_ code: GoogleStatusCode) {
        self = switch code {
        case .cancelled: .cancelled
        case .unknown: .unknown
        case .invalidArgument: .invalidArgument
        case .deadlineExceeded: .deadlineExceeded
        case .notFound: .notFound
        case .alreadyExists: .alreadyExists
        case .permissionDenied: .permissionDenied
        case .resourceExhausted: .resourceExhausted
        case .failedPrecondition: .failedPrecondition
        case .aborted: .aborted
        case .outOfRange: .outOfRange
        case .unimplemented: .unimplemented
        case .internal: .internalError
        case .unavailable: .unavailable
        case .unauthenticated: .unauthenticated
        }
    }
}

/// Runs a gRPC method's body with the stores' errors turned into gRPC statuses, so a handler
/// reads like its REST twin.
func rpc<Result>(_ body: () async throws -> Result) async throws -> Result {
    do {
        return try await body()
    } catch let error as GoogleAPIError {
        throw RPCError(error)
    } catch let error as RPCError {
        throw error
    } catch is CancellationError {
        throw RPCError(code: .cancelled, message: "The call was cancelled.")
    } catch {
        throw RPCError(code: .internalError, message: "The emulator failed: \(error)")
    }
}
