import CCurlShims
import Foundation
import PixelPipeCore
import Synchronization

/// One request in flight: a curl easy handle, the buffers libcurl reads and writes through C
/// callbacks, and the continuation to resume. After `CurlMultiLoop.submit`, everything but the
/// guarded `completion` is touched only by the loop thread.
final class CurlTransfer: @unchecked Sendable {
    let easy: UnsafeMutableRawPointer
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private var requestBody: UnsafeMutableRawBufferPointer?
    /// The pieces of a streamed body (`Request.streamedBody`), read in turn by libcurl's read callback.
    private var streamedBody: StreamedBody?
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
    private let maxResponseBytes: Int
    private var responseHeaders: [(name: String, value: String)] = []
    private var responseBody = Data()
    private var exceededCap = false
    private let addressPolicy: AddressPolicy?
    /// Why the policy refused a connection, when it did.
    private var refusal: String?

    private struct Completion {
        var continuation: CheckedContinuation<HTTPClient.Response, any Error>?
        var cancelled = false
        var finished = false
    }
    private let completion = Mutex(Completion())

    init(_ request: HTTPClient.Request, configuration: HTTPClient.Configuration) throws(HTTPClientError) {
        guard let easy = curl_easy_init() else { throw HTTPClientError.transport.with(detail: "curl_easy_init failed") }
        self.easy = easy
        self.maxResponseBytes = request.maxResponseBytes ?? configuration.maxResponseBytes
        self.addressPolicy = configuration.addressPolicy
        errorBuffer.initialize(to: 0)
        try configure(request, configuration)
    }

    deinit {
        curl_easy_cleanup(easy)
        curl_slist_free_all(headerList)
        requestBody?.deallocate()
        streamedBody?.close()
        errorBuffer.deallocate()
    }

    private func configure(_ request: HTTPClient.Request, _ configuration: HTTPClient.Configuration) throws(HTTPClientError) {
        let unmanagedSelf = Unmanaged.passUnretained(self).toOpaque()
        var failed: CURLcode = CURLE_OK
        func check(_ code: CURLcode) { if code != CURLE_OK, failed == CURLE_OK { failed = code } }

        check(pp_curl_setopt_string(easy, CURLOPT_URL, request.url))
        check(pp_curl_setopt_long(easy, CURLOPT_NOSIGNAL, 1))
        check(pp_curl_setopt_string(easy, CURLOPT_PROTOCOLS_STR, "http,https"))
        check(pp_curl_setopt_string(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"))
        check(pp_curl_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errorBuffer))
        check(pp_curl_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(configuration.connectTimeout)))
        check(pp_curl_setopt_long(easy, CURLOPT_TIMEOUT_MS, Self.milliseconds(request.timeout ?? configuration.timeout)))
        if let limit = configuration.lowSpeedLimit {
            check(pp_curl_setopt_long(easy, CURLOPT_LOW_SPEED_LIMIT, limit.bytesPerSecond))
            check(pp_curl_setopt_long(easy, CURLOPT_LOW_SPEED_TIME, max(1, Self.milliseconds(limit.duration) / 1000)))
        }
        if configuration.maxRedirects > 0 {
            check(pp_curl_setopt_long(easy, CURLOPT_FOLLOWLOCATION, 1))
            check(pp_curl_setopt_long(easy, CURLOPT_MAXREDIRS, configuration.maxRedirects))
        }
        // Refuses a declared Content-Length over the cap before any body arrives; the write
        // callback enforces the cap for bodies without one.
        check(pp_curl_setopt_offset(easy, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(maxResponseBytes)))
        check(pp_curl_setopt_string(easy, CURLOPT_USERAGENT, configuration.userAgent))

        var list: UnsafeMutablePointer<curl_slist>?
        for header in request.headers {
            // Unicode scalars, not Characters: "\r\n" is a single Character.
            let forbidden: Set<Unicode.Scalar> = ["\r", "\n", "\0"]
            if header.name.unicodeScalars.contains(where: forbidden.contains) || header.value.unicodeScalars.contains(where: forbidden.contains)
                || header.name.contains(":") {
                curl_slist_free_all(list)
                throw HTTPClientError.invalidHeader.with(detail: "header \(header.name.debugDescription) has a line break, NUL or colon in it")
            }
            list = curl_slist_append(list, "\(header.name): \(header.value)")
        }
        // curl would wait for `100 Continue` before large bodies; servers here never need it.
        list = curl_slist_append(list, "Expect:")
        headerList = list
        check(pp_curl_setopt_slist(easy, CURLOPT_HTTPHEADER, list))

        let method = request.method.uppercased()
        switch (method, request.body) {
        case _ where request.streamedBody != nil:
            // Streamed: libcurl pulls the pieces through the read callback as it sends.
            let body = try StreamedBody(request.streamedBody!)
            streamedBody = body
            check(pp_curl_setopt_long(easy, CURLOPT_POST, 1))
            check(pp_curl_setopt_offset(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.size)))
            check(pp_curl_setopt_data_callback(easy, CURLOPT_READFUNCTION, { data, size, count, context in
                let transfer = Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
                guard let body = transfer.streamedBody, let data else { return 0x1000_0000 }  // CURL_READFUNC_ABORT
                return body.read(into: UnsafeMutableRawBufferPointer(start: data, count: size * count)) ?? 0x1000_0000
            }))
            check(pp_curl_setopt_pointer(easy, CURLOPT_READDATA, unmanagedSelf))
            if method != "POST" { check(pp_curl_setopt_string(easy, CURLOPT_CUSTOMREQUEST, method)) }
        case ("GET", nil):
            check(pp_curl_setopt_long(easy, CURLOPT_HTTPGET, 1))
        case ("HEAD", _):
            check(pp_curl_setopt_long(easy, CURLOPT_NOBODY, 1))
        case (_, let body?):
            // The body stays owned by this transfer until libcurl is done with it.
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(body.count, 1), alignment: 1)
            _ = body.copyBytes(to: buffer.bindMemory(to: UInt8.self))
            requestBody = buffer
            check(pp_curl_setopt_offset(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)))
            check(pp_curl_setopt_pointer(easy, CURLOPT_POSTFIELDS, buffer.baseAddress))
            if method != "POST" { check(pp_curl_setopt_string(easy, CURLOPT_CUSTOMREQUEST, method)) }
        case (_, nil):
            check(pp_curl_setopt_string(easy, CURLOPT_CUSTOMREQUEST, method))
        }

        check(pp_curl_setopt_data_callback(easy, CURLOPT_WRITEFUNCTION, { data, size, count, context in
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
            return transfer.receiveBody(UnsafeRawBufferPointer(start: data, count: size * count))
        }))
        check(pp_curl_setopt_pointer(easy, CURLOPT_WRITEDATA, unmanagedSelf))
        check(pp_curl_setopt_data_callback(easy, CURLOPT_HEADERFUNCTION, { data, size, count, context in
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
            return transfer.receiveHeader(UnsafeRawBufferPointer(start: data, count: size * count))
        }))
        check(pp_curl_setopt_pointer(easy, CURLOPT_HEADERDATA, unmanagedSelf))

        if addressPolicy != nil {
            // No proxy from `http_proxy`/`HTTPS_PROXY`: through one, only the proxy's address
            // would be checked and the proxy could reach the metadata server for us.
            check(pp_curl_setopt_string(easy, CURLOPT_PROXY, ""))
            check(pp_curl_setopt_opensocket_callback(easy, { context, _, address in
                let transfer = Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
                return transfer.openSocket(address!)
            }))
            check(pp_curl_setopt_pointer(easy, CURLOPT_OPENSOCKETDATA, unmanagedSelf))
        }

        if failed != CURLE_OK {
            throw HTTPClientError.transport.with(detail: "curl rejected an option: \(String(cString: curl_easy_strerror(failed)))")
        }
    }

    private func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Int {
        if responseBody.count + bytes.count > maxResponseBytes {
            exceededCap = true
            return 0  // anything but bytes.count aborts the transfer with CURLE_WRITE_ERROR
        }
        responseBody.append(contentsOf: bytes)
        return bytes.count
    }

    /// Opens the socket libcurl asked for only if the policy allows its address; refusing here
    /// happens before any packet is sent.
    private func openSocket(_ address: UnsafeMutablePointer<curl_sockaddr>) -> curl_socket_t {
        var raw = [UInt8](repeating: 0, count: 16)
        let family = pp_curl_sockaddr_ip(address, &raw)
        let ip: IPAddress? = switch family {
        case AF_INET: IPAddress(bytes: Array(raw[0..<4]))
        case AF_INET6: IPAddress(bytes: raw)
        default: nil
        }
        guard let ip else {
            refusal = "a non-IP address family (\(family))"
            return -1  // CURL_SOCKET_BAD
        }
        if let reason = addressPolicy?.refusal(for: ip) {
            refusal = reason
            return -1
        }
        return pp_curl_open_socket(address)
    }

    private func receiveHeader(_ bytes: UnsafeRawBufferPointer) -> Int {
        let line = String(decoding: bytes, as: UTF8.self)
        if line.hasPrefix("HTTP/") {
            responseHeaders.removeAll()  // a new response begins (after a redirect or 1xx)
        } else if let colon = line.firstIndex(of: ":") {
            let name = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
            responseHeaders.append((name, value))
        }
        return bytes.count
    }

    // MARK: Completion

    /// Stores the continuation; false when the transfer was cancelled before it started.
    func attach(_ continuation: CheckedContinuation<HTTPClient.Response, any Error>) -> Bool {
        completion.withLock { state in
            if state.cancelled {
                state.finished = true
                return false
            }
            state.continuation = continuation
            return true
        }
    }

    /// Marks the transfer cancelled; the loop finishes it on its next turn.
    func markCancelled() {
        completion.withLock { $0.cancelled = true }
    }

    var isCancelled: Bool { completion.withLock { $0.cancelled } }

    /// Builds the outcome from libcurl's result code (loop thread only).
    func outcome(for code: CURLcode) -> Result<HTTPClient.Response, HTTPClientError> {
        guard code == CURLE_OK else { return .failure(error(for: code)) }
        var status = 0
        _ = pp_curl_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
        var connects = 0
        _ = pp_curl_getinfo_long(easy, CURLINFO_NUM_CONNECTS, &connects)
        var url: UnsafePointer<CChar>?
        _ = pp_curl_getinfo_string(easy, CURLINFO_EFFECTIVE_URL, &url)
        return .success(HTTPClient.Response(
            status: status,
            headers: responseHeaders,
            body: responseBody,
            effectiveURL: url.map { String(cString: $0) },
            newConnections: connects
        ))
    }

    private func error(for code: CURLcode) -> HTTPClientError {
        let message = errorBuffer.pointee != 0 ? String(cString: errorBuffer) : String(cString: curl_easy_strerror(code))
        // A refused address matters only when no connection could be made at all: curl may have
        // fallen back from a blocked IPv6 address to an allowed IPv4 one and failed later.
        if let refusal, code == CURLE_COULDNT_CONNECT {
            return HTTPClientError.blockedAddress.with(detail: "refused to connect: \(refusal)")
        }
        switch code {
        case CURLE_WRITE_ERROR where exceededCap, CURLE_FILESIZE_EXCEEDED:
            return HTTPClientError.responseTooLarge.with(detail: "response body exceeds \(maxResponseBytes) bytes")
        case CURLE_URL_MALFORMAT: return HTTPClientError.invalidURL.with(detail: message)
        case CURLE_UNSUPPORTED_PROTOCOL: return HTTPClientError.unsupportedScheme.with(detail: message)
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: return HTTPClientError.resolveFailed.with(detail: message)
        case CURLE_COULDNT_CONNECT: return HTTPClientError.connectFailed.with(detail: message)
        case CURLE_OPERATION_TIMEDOUT: return HTTPClientError.timeout.with(detail: message)
        case CURLE_TOO_MANY_REDIRECTS: return HTTPClientError.tooManyRedirects.with(detail: message)
        case CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_HTTP2, CURLE_HTTP2_STREAM:
            return HTTPClientError.connectionReset.with(detail: message)
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CACERT_BADFILE:
            return HTTPClientError.tls.with(detail: message)
        default:
            return HTTPClientError.transport.with(detail: "curl error \(code.rawValue): \(message)")
        }
    }

    /// Resumes the caller exactly once.
    func finish(_ result: Result<HTTPClient.Response, HTTPClientError>) {
        let continuation = completion.withLock { state -> CheckedContinuation<HTTPClient.Response, any Error>? in
            guard !state.finished else { return nil }
            state.finished = true
            defer { state.continuation = nil }
            return state.continuation
        }
        continuation?.resume(with: result.mapError { $0 as any Error })
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        Int(max(1, duration.milliseconds))
    }
}
