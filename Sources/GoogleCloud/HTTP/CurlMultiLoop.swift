import CCurlShims
import Foundation
import Synchronization

/// Drives every transfer of one `HTTPClient` on a single dedicated thread with a curl multi
/// handle: libcurl's blocking and callback work never runs on Swift's cooperative pool, and the
/// multi handle's connection cache gives connection reuse across requests.
final class CurlMultiLoop: @unchecked Sendable {
    private struct Inbox {
        var submitted: [CurlTransfer] = []
        var cancelled: [CurlTransfer] = []
        var stopping = false
        /// Set by the loop just before it frees the multi handle; nothing may wake it after.
        var closed = false
    }

    private let multi: UnsafeMutableRawPointer
    private let inbox = Mutex(Inbox())
    private let stopped = DispatchSemaphore(value: 0)
    /// Transfers added to the multi handle, by easy handle (loop thread only).
    private var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]

    init(maxIdleConnections: Int) {
        CurlGlobal.initialize()
        multi = curl_multi_init()
        _ = pp_curl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, maxIdleConnections)
        let thread = Thread { [self] in run() }
        thread.name = "pixelpipe-curl"
        thread.start()
    }

    /// Hands a transfer to the loop.
    func submit(_ transfer: CurlTransfer) {
        let accepted = inbox.withLock { state -> Bool in
            guard !state.stopping else { return false }
            state.submitted.append(transfer)
            curl_multi_wakeup(multi)
            return true
        }
        if !accepted {
            transfer.finish(.failure(HTTPClientError.cancelled.with(detail: "the HTTP client was shut down")))
        }
    }

    /// Asks the loop to abort a transfer and finish it as cancelled.
    func cancel(_ transfer: CurlTransfer) {
        transfer.markCancelled()
        inbox.withLock { state in
            guard !state.closed else { return }
            state.cancelled.append(transfer)
            curl_multi_wakeup(multi)
        }
    }

    /// Stops the thread once in-flight transfers are aborted; blocks until it has.
    func shutdown() {
        let first = inbox.withLock { state in
            defer { state.stopping = true }
            return !state.stopping
        }
        guard first else { return }
        inbox.withLock { state in
            if !state.closed { curl_multi_wakeup(multi) }
        }
        stopped.wait()
    }

    private func run() {
        var stillRunning: Int32 = 0
        while true {
            let (submitted, cancelled, stopping) = inbox.withLock { state in
                defer {
                    state.submitted.removeAll()
                    state.cancelled.removeAll()
                }
                return (state.submitted, state.cancelled, state.stopping)
            }
            for transfer in submitted {
                if transfer.isCancelled {
                    transfer.finish(.failure(.cancelled))
                } else if curl_multi_add_handle(multi, transfer.easy) == CURLM_OK {
                    active[transfer.easy] = transfer
                } else {
                    transfer.finish(.failure(HTTPClientError.transport.with(detail: "curl_multi_add_handle failed")))
                }
            }
            for transfer in cancelled {
                remove(transfer.easy)?.finish(.failure(.cancelled))
            }
            if stopping {
                for easy in Array(active.keys) { remove(easy)?.finish(.failure(.cancelled)) }
                break
            }

            curl_multi_perform(multi, &stillRunning)
            var queued: Int32 = 0
            while let message = curl_multi_info_read(multi, &queued) {
                guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
                let code = message.pointee.data.result
                if let transfer = remove(easy) {
                    transfer.finish(transfer.outcome(for: code))
                }
            }
            // Sleeps until a socket is ready, libcurl's next timeout, or a wakeup from submit/cancel.
            curl_multi_poll(multi, nil, 0, 1000, nil)
        }
        inbox.withLock { $0.closed = true }
        curl_multi_cleanup(multi)
        stopped.signal()
    }

    private func remove(_ easy: UnsafeMutableRawPointer) -> CurlTransfer? {
        guard let transfer = active.removeValue(forKey: easy) else { return nil }
        curl_multi_remove_handle(multi, easy)
        return transfer
    }
}

/// libcurl's process-wide initialisation, which must happen once before any other call.
enum CurlGlobal {
    private static let initialized: Bool = {
        curl_global_init(Int(CURL_GLOBAL_ALL)) == CURLE_OK
    }()

    static func initialize() {
        _ = initialized
    }
}
