import Foundation
import GoogleCloud
import HTTPTypes
import Hummingbird
import NIOCore
import PipelineModel
import PixelPipeCore
import Testing
import TestSupport

/// The client routes plus redirects and a server that drips bytes.
func downloaderTestRouter() -> Router<PeerContext> {
    let router = clientTestRouter()
    router.get("/image.png") { _, _ in
        var headers = HTTPFields()
        headers[.contentType] = "image/png"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: [0x89, 0x50, 0x4E, 0x47])))
    }
    router.get("/redirect/{hops}") { _, context in
        let hops = try context.parameters.require("hops", as: Int.self)
        var headers = HTTPFields()
        headers[.location] = hops > 0 ? "/redirect/\(hops - 1)" : "/image.png"
        return Response(status: .found, headers: headers)
    }
    router.get("/to") { request, _ in
        var headers = HTTPFields()
        headers[.location] = request.uri.queryParameters.get("url") ?? "/"
        return Response(status: .found, headers: headers)
    }
    router.get("/drip") { _, _ in
        Response(status: .ok, body: ResponseBody { writer in
            for _ in 0..<60 {
                try await writer.write(ByteBuffer(bytes: [0x78]))
                try await Task.sleep(for: .milliseconds(500))
            }
            try await writer.finish(nil)
        })
    }
    return router
}

/// A policy that lets the test reach its own loopback server.
func loopbackPolicy(_ configure: (inout DownloadPolicy) -> Void = { _ in }) -> DownloadPolicy {
    var policy = DownloadPolicy()
    policy.addresses = AddressPolicy(allowed: [CIDR("127.0.0.0/8")!, CIDR("::1/128")!])
    configure(&policy)
    return policy
}

@Suite("Safe downloader")
struct SafeDownloaderTests {
    @Test("an image is downloaded with its content type")
    func downloads() async throws {
        try await withTestServer(downloaderTestRouter()) { port in
            let download = try await SafeDownloader(policy: loopbackPolicy()).download("http://127.0.0.1:\(port)/image.png")
            #expect(download.data == Data([0x89, 0x50, 0x4E, 0x47]))
            #expect(download.contentType == "image/png")
        }
    }

    @Test("up to five redirects are followed; the sixth is refused as permanent")
    func redirectLimit() async throws {
        try await withTestServer(downloaderTestRouter()) { port in
            let downloader = SafeDownloader(policy: loopbackPolicy())
            let followed = try await downloader.download("http://127.0.0.1:\(port)/redirect/4")  // 5 hops
            #expect(followed.finalURL.hasSuffix("/image.png"))

            let error = await #expect(throws: DownloadError.self) {
                _ = try await downloader.download("http://127.0.0.1:\(port)/redirect/5")  // 6 hops
            }
            #expect(error?.description.contains("more than 5 redirects") == true)
            #expect(error?.isTransient == false)
        }
    }

    @Test("a redirect to the metadata server, a private address or another scheme is refused before connecting", arguments: [
        ("http://169.254.169.254/computeMetadata/v1/instance/service-accounts/default/token", true),
        ("http://10.1.2.3/internal.png", true),
        ("http://[fd00::1]/internal.png", true),
        ("http://[::ffff:169.254.169.254]/latest", true),
        ("file:///etc/passwd", false),
    ])
    func redirectToBlocked(_ target: String, _ blockedByAddress: Bool) async throws {
        try await withTestServer(downloaderTestRouter()) { port in
            let encoded = target.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let error = await #expect(throws: DownloadError.self) {
                _ = try await SafeDownloader(policy: loopbackPolicy()).download("http://127.0.0.1:\(port)/to?url=\(encoded)")
            }
            let failure = try #require(error)
            // Addresses are refused at socket open; another scheme by curl's redirect protocols.
            #expect(blockedByAddress ? failure.isBlockedAddress : failure.isInvalidURL, "\(failure)")
            #expect(!failure.isTransient)
        }
    }

    @Test("localhost is blocked by default and allowed by the allow-list")
    func localhost() async throws {
        try await withTestServer(downloaderTestRouter()) { port in
            let error = await #expect(throws: DownloadError.self) {
                _ = try await SafeDownloader().download("http://localhost:\(port)/image.png")
            }
            #expect(error?.isBlockedAddress == true)
            #expect(error?.description.contains("loopback") == true)

            let allowed = try await SafeDownloader(policy: loopbackPolicy()).download("http://localhost:\(port)/image.png")
            #expect(allowed.data.count == 4)
        }
    }

    @Test("URLs that are not http(s) are rejected without a connection", arguments: [
        "javascript:alert(1)", "file:///etc/passwd", "ftp://example.com/a.jpg", "data:image/png;base64,AAAA", "not a url", "http:///nohost.jpg",
    ])
    func schemes(_ url: String) async {
        let error = await #expect(throws: DownloadError.self) { _ = try await SafeDownloader().download(url) }
        #expect(error?.isInvalidURL == true)
        #expect(error?.isTransient == false)
        #expect(error?.url == url)
    }

    @Test("the size cap holds with and without Content-Length", arguments: [true, false])
    func sizeCap(_ declareLength: Bool) async throws {
        try await withTestServer(downloaderTestRouter()) { port in
            let downloader = SafeDownloader(policy: loopbackPolicy { $0.maxBytes = 50_000 })
            let error = await #expect(throws: DownloadError.self) {
                _ = try await downloader.download("http://127.0.0.1:\(port)/bytes?count=5000000&length=\(declareLength ? 1 : 0)")
            }
            #expect(error?.isTooLarge == true)
            #expect(error?.isTransient == false)
        }
    }

    @Test("a server that drips bytes is aborted by the low-speed limit, as a transient failure")
    func slowServer() async throws {
        try await withTestServer(downloaderTestRouter()) { port in
            let downloader = SafeDownloader(policy: loopbackPolicy { $0.lowSpeedWindow = .seconds(1) })
            let error = await #expect(throws: DownloadError.self) {
                _ = try await downloader.download("http://127.0.0.1:\(port)/drip")
            }
            #expect(error?.isTransient == true)
            #expect(error?.description.contains("too slow") == true)
        }
    }

    @Test("HTTP statuses are classified: 404 and 410 permanent, 429 and 5xx transient", arguments: [
        (404, false), (410, false), (403, false), (429, true), (500, true), (503, true), (408, true),
    ])
    func statuses(_ status: Int, _ transient: Bool) async throws {
        try await withTestServer(downloaderTestRouter()) { port in
            let error = await #expect(throws: DownloadError.self) {
                _ = try await SafeDownloader(policy: loopbackPolicy()).download("http://127.0.0.1:\(port)/status/\(status)")
            }
            #expect(error?.httpStatus == status)
            #expect(error?.isTransient == transient)
        }
    }
}

@Suite("Address policy")
struct AddressPolicyTests {
    @Test("blocked by default", arguments: [
        "127.0.0.1", "127.255.0.1", "10.0.0.1", "172.16.5.4", "172.31.255.255", "192.168.1.1", "169.254.169.254",
        "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255", "::1", "::", "fe80::1", "fd12:3456::1", "fc00::1",
        "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "64:ff9b::a9fe:a9fe",
    ])
    func blocked(_ address: String) {
        #expect(AddressPolicy.publicOnly.refusal(for: IPAddress(address)!) != nil)
    }

    @Test("public addresses pass", arguments: ["8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
    func allowed(_ address: String) {
        #expect(AddressPolicy.publicOnly.refusal(for: IPAddress(address)!) == nil)
    }

    @Test("an allow-list opens exactly the networks it names")
    func allowList() throws {
        let policy = try AddressPolicy(allowList: "127.0.0.0/8, ::1")
        #expect(policy.refusal(for: IPAddress("127.0.0.1")!) == nil)
        #expect(policy.refusal(for: IPAddress("::1")!) == nil)
        #expect(policy.refusal(for: IPAddress("::ffff:127.0.0.1")!) == nil)
        #expect(policy.refusal(for: IPAddress("10.0.0.1")!) != nil)
        #expect(policy.refusal(for: IPAddress("169.254.169.254")!) != nil)
        #expect(throws: ConfigurationError.self) { try AddressPolicy(allowList: "127.0.0.0/33") }
    }
}
