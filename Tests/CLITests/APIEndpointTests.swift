import Foundation
import FunctionsFramework
import GoogleCloud
import Hummingbird
import PixelPipeCLI
import Testing
import TestSupport

@Suite("API endpoint and the gcloud identity token")
struct APIEndpointTests {
    @Test("--api wins over PIXELPIPE_API, which wins over the running emulator's api service, which wins over the default")
    func resolutionOrder() async throws {
        let router = Router(context: PeerContext.self)
        router.get("/_emulator/status") { _, _ in
            #"{"services":[{"name":"ingest","url":"http://127.0.0.1:20001"},{"name":"api","url":"http://127.0.0.1:20999"}],"jobs":[]}"#
        }
        let client = HTTPClient()
        try await withTestServer(router) { port in
            let emulator = ["PIXELPIPE_PORT": String(port)]
            let both = emulator.merging(["PIXELPIPE_API": "http://127.0.0.1:2"]) { $1 }
            let fromOption = try await APIEndpoint.resolve(option: "http://127.0.0.1:1/", environment: both, client: client)
            let fromVariable = try await APIEndpoint.resolve(option: nil, environment: both, client: client)
            let discovered = try await APIEndpoint.resolve(option: nil, environment: emulator, client: client)
            #expect(fromOption == APIEndpoint(baseURL: "http://127.0.0.1:1"))
            #expect(fromVariable == APIEndpoint(baseURL: "http://127.0.0.1:2"))
            #expect(discovered == APIEndpoint(baseURL: "http://127.0.0.1:20999"))
        }
        let nothing = ["PIXELPIPE_PORT": String(LoopbackPort.free())]
        let fallback = try await APIEndpoint.resolve(option: nil, environment: nothing, client: client)
        #expect(fallback == APIEndpoint(baseURL: "http://127.0.0.1:8086"))
    }

    @Test("the identity token (--gcloud-token) is what gcloud prints; a failing or missing gcloud is an error saying why")
    func identityToken() async throws {
        let directory = try CLIRun.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        func script(_ name: String, _ body: String) throws -> String {
            let path = directory.appendingPathComponent(name).path
            try Data("#!/bin/sh\n\(body)\n".utf8).write(to: URL(fileURLWithPath: path))
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
            return path
        }
        // A script just written may be briefly "busy" (ETXTBSY) while a process another test
        // forks at that moment still holds its write descriptor; such a run is tried again.
        func token(_ gcloud: String) async -> Result<String, CLIError> {
            for _ in 0..<20 {
                do {
                    return .success(try await IdentityTokenSource(gcloud: gcloud).token())
                } catch where error.message.contains("Text file busy") {
                    continue
                } catch {
                    return .failure(error)
                }
            }
            return .failure(.identityToken("\(gcloud) stayed busy"))
        }
        let good = try script("gcloud-good", #"[ "$1 $2" = "auth print-identity-token" ] && echo "eyJ.token.sig" || exit 3"#)
        #expect(try await token(good).get() == "eyJ.token.sig")

        let refusing = try script("gcloud-refusing", #"echo "ERROR: (gcloud.auth.print-identity-token) You do not currently have an active account selected." >&2; exit 1"#)
        guard case .failure(let refusal) = await token(refusing) else {
            Issue.record("a gcloud exiting 1 gave a token")
            return
        }
        #expect(refusal.message.contains("exited 1") && refusal.message.contains("You do not currently have an active account selected."), "\(refusal)")
        #expect(refusal.exitStatus == 1)
        await #expect {
            _ = try await IdentityTokenSource(gcloud: directory.appendingPathComponent("no-gcloud-here").path).token()
        } throws: { error in
            ((error as? CLIError)?.message ?? "").contains("was not found on PATH")
        }
    }
}
