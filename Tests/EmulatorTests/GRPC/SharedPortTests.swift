import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import GoogleAPIsGRPC
import NIOCore
import NIOPosix
import SwiftProtobuf
import Testing
import TestSupport

/// One port, two transports: REST and gRPC reach the same stores through the emulator's single
/// listener, a connection's first bytes decide which, and no opening confuses it.
@Suite("gRPC and REST on one port")
struct SharedPortTests {
    @Test("a queue created over gRPC is read over REST, and one created over REST is read over gRPC, alike", .timeLimit(.minutes(2)))
    func bothTransports() async throws {
        try await TestEmulator.run { emulator in
            try await withTasksClient(emulator) { tasks in
                var request = Google_Cloud_Tasks_V2_CreateQueueRequest()
                request.parent = "projects/shared/locations/here"
                request.queue.name = "projects/shared/locations/here/queues/by-grpc"
                request.queue.rateLimits.maxDispatchesPerSecond = 7
                let created = try await tasks.createQueue(request, options: Self.fast)
                #expect(created.state == .running && created.rateLimits.maxConcurrentDispatches == 1000)

                let rest = try await emulator.send("GET", "/v2/projects/shared/locations/here/queues/by-grpc")
                #expect(rest.status == 200)
                #expect(rest.json["state"] as? String == "RUNNING")
                #expect((rest.json["rateLimits"] as? [String: Any])?["maxDispatchesPerSecond"] as? Double == 7)

                let made = try await emulator.send("POST", "/v2/projects/shared/locations/here/queues",
                                                   json: #"{"name":"projects/shared/locations/here/queues/by-rest","retryConfig":{"maxAttempts":3}}"#)
                #expect(made.status == 200)
                var get = Google_Cloud_Tasks_V2_GetQueueRequest()
                get.name = "projects/shared/locations/here/queues/by-rest"
                let read = try await tasks.getQueue(get, options: Self.fast)
                #expect(read.retryConfig.maxAttempts == 3 && read.retryConfig.minBackoff.nanos == 100_000_000)

                var missing = Google_Cloud_Tasks_V2_GetQueueRequest()
                missing.name = "projects/shared/locations/here/queues/absent"
                let error = await #expect(throws: RPCError.self) { try await tasks.getQueue(missing, options: Self.fast) }
                #expect(error?.code == .notFound)
                #expect(error?.message == (try await emulator.send("GET", "/v2/projects/shared/locations/here/queues/absent")).json["error"].flatMap { ($0 as? [String: Any])?["message"] as? String })
            }
        }
    }

    @Test("a method no service serves fails at once with UNIMPLEMENTED naming it", .timeLimit(.minutes(1)))
    func unknownMethod() async throws {
        try await TestEmulator.run { emulator in
            try await withGRPCClient(transport: try transport(emulator)) { client in
                let schemas = Google_Pubsub_V1_SchemaService.Client(wrapping: client)
                var request = Google_Pubsub_V1_ListSchemasRequest()
                request.parent = "projects/shared"
                let error = await #expect(throws: RPCError.self) { try await schemas.listSchemas(request, options: Self.fast) }
                #expect(error?.code == .unimplemented)
                #expect(error?.message == "google.pubsub.v1.SchemaService/ListSchemas is not implemented by this emulator.")
            }
        }
    }

    @Test("HTTP/1.1 requests that open like the HTTP/2 preface (PUT, POST, PRI) are HTTP/1.1; a cut-off preface harms nothing", .timeLimit(.minutes(1)))
    func prefaceLookalikes() async throws {
        try await TestEmulator.run { emulator in
            let port = Int(emulator.baseURL.split(separator: ":").last!)!
            let put = try await exchange(port: port, "PUT /v1/projects/shared/topics/topic-1 HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
            #expect(put.hasPrefix("HTTP/1.1 200"), "\(put)")
            let post = try await exchange(port: port, "POST /v1/projects/shared/topics/topic-1:publish HTTP/1.1\r\nHost: x\r\nContent-Length: 37\r\nConnection: close\r\n\r\n{\"messages\":[{\"data\":\"aGVsbG8=\"}]}   ")
            #expect(post.hasPrefix("HTTP/1.1 200"), "\(post)")
            let pri = try await exchange(port: port, "PRI * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(pri.hasPrefix("HTTP/1.1 4") || pri.isEmpty, "\(pri)")
            _ = try await exchange(port: port, "PRI * HTTP/2.0\r\n", expectReply: false)
            #expect(try await emulator.send("GET", "/healthz").status == 200)
        }
    }

    /// Fails in seconds rather than waiting for a connection that will not come.
    static let fast: CallOptions = {
        var options = CallOptions.defaults
        options.timeout = .seconds(10)
        options.waitForReady = false
        return options
    }()

    @Test("a connection that never says which protocol it speaks does not hold the emulator's shutdown", .timeLimit(.minutes(1)))
    func silentConnection() async throws {
        let silent = try await TestEmulator.run { emulator in
            let port = Int(emulator.baseURL.split(separator: ":").last!)!
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port).get()
            #expect(try await emulator.send("GET", "/healthz").status == 200)
            return channel
        }
        // The emulator stopped with the connection open and closed it on the way.
        try await silent.closeFuture.get()
    }

    private func transport(_ emulator: TestEmulator) throws -> HTTP2ClientTransport.Posix {
        let port = Int(emulator.baseURL.split(separator: ":").last!)!
        return try HTTP2ClientTransport.Posix(target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext)
    }

    private func withTasksClient(_ emulator: TestEmulator, _ body: (Google_Cloud_Tasks_V2_CloudTasks.Client<HTTP2ClientTransport.Posix>) async throws -> Void) async throws {
        try await withGRPCClient(transport: try transport(emulator)) { client in
            try await body(Google_Cloud_Tasks_V2_CloudTasks.Client(wrapping: client))
        }
    }

    /// Writes `text` on a new connection and reads until the server closes it.
    private func exchange(port: Int, _ text: String, expectReply: Bool = true) async throws -> String {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: text))
            guard expectReply else { return "" }
            var reply = ""
            for try await chunk in inbound { reply += String(buffer: chunk) }
            return reply
        }
    }
}
