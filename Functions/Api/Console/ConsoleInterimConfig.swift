import Foundation
import GoogleCloud
import Hummingbird

// Interim: `GET /config.json` for the console under the emulator, until the api service
// serves its own (issue 15's contract); then this file goes.
extension ConsoleRoutes {
    /// Registers the interim `/config.json` when `endpoints` are the emulator's.
    static func registerInterimConfig(endpoints: GoogleEndpoints, on router: Router<BasicRequestContext>) {
        guard endpoints.firestore.isEmulator, let origin = origin(of: endpoints.firestore.baseURL) else { return }
        let body = #"{"apiKey":"local-api-key","identityToolkitURL":"\#(origin)/identitytoolkit.googleapis.com/v1","projectId":"pixelpipe-local","secureTokenURL":"\#(origin)/securetoken.googleapis.com/v1"}"#
        router.get("/config.json") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
        }
    }
}
