import Foundation
import PipelineModel

/// The dashboard as a server-rendered HTML page that refreshes itself every two seconds: no
/// JavaScript, no build step.
enum DashboardPage {
    static func render(_ snapshot: DashboardSnapshot, refreshSeconds: Int = 2) -> String {
        var html = """
        <!doctype html><html lang="en"><head><meta charset="utf-8">
        <meta http-equiv="refresh" content="\(refreshSeconds)">
        <title>PixelPipe emulator</title>
        <style>
        body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#222}h1{font-size:1.3rem}h2{font-size:1.05rem;margin-top:1.6rem}
        table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.3rem .6rem;border-bottom:1px solid #ddd}
        th{background:#f5f5f5}.bar{background:#eee;width:14rem;height:.8rem;border-radius:.4rem;overflow:hidden}
        .bar{display:flex}.fill{height:100%}.fill.ok{background:#3a7}.fill.bad{background:#c33}.fill.stopped{background:#d90}
        .fill.cancelled{background:#999}.fill.rejected{background:#822}.reasons{font-size:.85em;color:#811;max-width:28rem}
        .status-finished{color:#2a6}.status-finished_with_errors,.status-rejected{color:#b33}.status-timed_out{color:#b70}.status-cancelled{color:#777}
        .failed{color:#b33}.alert{background:#fdd;color:#811;padding:.6rem;border-radius:.3rem;font-weight:600}.muted{color:#888}code{font-size:.9em}
        </style></head><body>
        <h1>PixelPipe emulator</h1><p class="muted">as of \(escape(snapshot.takenAt)) · refreshes every \(refreshSeconds) s</p>
        """
        if let disk = snapshot.disk {
            html += "<p class=\"alert\">\(escape(disk.summary))</p>"
        }
        if !snapshot.services.isEmpty {
            html += "<h2>Services</h2><table><tr><th>service</th><th>url</th><th>state</th><th>pid</th><th>revision</th><th>restarts</th></tr>"
            for service in snapshot.services {
                html += "<tr><td><code>\(escape(service.name))</code></td><td><code>\(escape(service.url))</code></td><td>\(escape(service.state.rawValue))</td>"
                html += "<td>\(service.pid.map(String.init) ?? "—")</td><td>\(escape(service.revision ?? "—"))</td>"
                html += "<td class=\"\(service.restarts > 0 ? "failed" : "")\">\(service.restarts)</td></tr>"
            }
            html += "</table>"
        }
        html += "<h2>Jobs</h2>"
        if snapshot.jobs.isEmpty {
            html += "<p class=\"muted\">No jobs yet. Drop a CSV into the uploads bucket folder.</p>"
        } else {
            html += "<table><tr><th>job</th><th>created</th><th>took</th><th>status</th><th>progress</th><th>done</th><th>succeeded</th><th>failed</th><th>first failures</th><th>links</th></tr>"
            for job in snapshot.jobs {
                html += "<tr><td><a href=\"/dashboard/jobs/\(escape(job.id))\"><code>\(escape(job.id))</code></a><br><span class=\"muted\">\(escape(job.sourceName))</span></td>"
                html += "<td>\(escape(shortTime(job.createdAt)))</td><td>\(job.durationSeconds.map(duration) ?? "—")</td>"
                html += "<td class=\"status-\(escape(job.status.rawValue))\">\(escape(job.status.rawValue))</td>"
                html += "<td>\(progressBar(job))</td>"
                html += "<td>\(job.done) / \(job.total)</td><td>\(job.succeeded)</td><td class=\"\(job.failed > 0 ? "failed" : "")\">\(job.failed)</td>"
                let reasons = job.error.map { [$0] } ?? job.failureReasons
                html += "<td class=\"reasons\">\(reasons.map { "<div>\(escape($0))</div>" }.joined())</td>"
                var links: [String] = []
                if let console = job.links.console { links.append("<a href=\"\(escape(console))\">console</a>") }
                if let csv = job.links.outputCsv { links.append("<a href=\"\(escape(csv))\">output CSV</a>") }
                html += "<td>\(links.isEmpty ? "—" : links.joined(separator: " · "))</td></tr>"
            }
            html += "</table>"
        }
        html += "<h2>Queues</h2>"
        if snapshot.queues.isEmpty {
            html += "<p class=\"muted\">No queues.</p>"
        } else {
            html += "<table><tr><th>queue</th><th>state</th><th>pending</th><th>in flight</th><th>retrying</th><th>failed</th><th>rate limit</th><th>last responses</th></tr>"
            for queue in snapshot.queues {
                let rate = [queue.maxDispatchesPerSecond.map { "\(formatted($0))/s" }, queue.maxConcurrentDispatches.map { "≤\($0) at once" }].compactMap { $0 }.joined(separator: ", ")
                html += "<tr><td><code>\(escape(queue.name))</code></td><td>\(escape(queue.state))</td><td>\(queue.pending)</td><td>\(queue.inFlight)</td>"
                html += "<td>\(queue.retrying)</td><td class=\"\(queue.failed > 0 ? "failed" : "")\">\(queue.failed)</td>"
                html += "<td>\(escape(rate.isEmpty ? "defaults" : rate))</td><td>\(escape(queue.lastResponses.joined(separator: " ")))</td></tr>"
            }
            html += "</table>"
        }
        html += "<h2>Subscriptions</h2>"
        if snapshot.subscriptions.isEmpty {
            html += "<p class=\"muted\">No subscriptions.</p>"
        } else {
            html += "<table><tr><th>subscription</th><th>topic</th><th>push endpoint</th><th>backlog</th><th>in flight</th><th>dead-lettered</th><th>dead letters to</th></tr>"
            for subscription in snapshot.subscriptions {
                html += "<tr><td><code>\(escape(subscription.name))</code></td><td>\(escape(subscription.topic))</td><td><code>\(escape(subscription.pushEndpoint ?? "pull"))</code></td>"
                html += "<td>\(subscription.backlog)</td><td>\(subscription.inFlight)</td><td class=\"\(subscription.deadLettered > 0 ? "failed" : "")\">\(subscription.deadLettered)</td>"
                html += "<td>\(escape(subscription.deadLetterTopic ?? "—"))</td></tr>"
            }
            html += "</table>"
        }
        if !snapshot.warnings.isEmpty {
            html += "<h2>Works here, breaks at scale</h2><table class=\"warnings\"><tr><th>last seen</th><th>what</th><th>resource</th><th>times</th><th>why</th></tr>"
            for warning in snapshot.warnings {
                html += "<tr><td>\(escape(warning.at))</td><td>\(escape(warning.kind.rawValue))</td><td><code>\(escape(warning.resource))</code></td>"
                html += "<td>\(warning.count)</td><td>\(escape(warning.message))</td></tr>"
            }
            html += "</table>"
        }
        html += "<h2>Recent invocations</h2><p class=\"muted\">\(snapshot.pendingTriggerEvents) storage event(s) waiting for delivery</p>"
        if !snapshot.recent.isEmpty {
            html += "<table><tr><th>at</th><th>kind</th><th>target</th><th>status</th><th>latency</th></tr>"
            for invocation in snapshot.recent {
                let failed = !(200..<300).contains(invocation.status)
                html += "<tr><td>\(escape(invocation.at))</td><td>\(escape(invocation.kind))</td><td>\(escape(invocation.target))</td>"
                html += "<td class=\"\(failed ? "failed" : "")\">\(invocation.status == 0 ? "no response" : String(invocation.status))</td><td>\(invocation.latencyMilliseconds) ms</td></tr>"
            }
            html += "</table>"
        }
        return html + "</body></html>\n"
    }

    /// The job's bar: succeeded items green and failed ones red, except that the succeeded part
    /// of a job that timed out (amber) or was cancelled (grey) is not green, and a rejected job's
    /// bar is dark red throughout, so no outcome but success looks like one.
    static func progressBar(_ job: DashboardSnapshot.Job) -> String {
        let percent = Int((job.progress * 100).rounded())
        let title = "\(percent)%: \(job.succeeded) succeeded, \(job.failed) failed of \(job.total)"
        var segments: [(kind: String, percent: Double)]
        switch job.status.rawValue {
        case "rejected":
            segments = [("rejected", 100)]
        default:
            let total = Double(max(job.total, 1))
            let okKind = switch job.status.rawValue {
            case "timed_out": "stopped"
            case "cancelled": "cancelled"
            default: "ok"
            }
            segments = [(okKind, Double(job.succeeded) / total * 100), ("bad", Double(job.failed) / total * 100)]
        }
        let fills = segments.filter { $0.percent > 0 }.map { "<div class=\"fill \($0.kind)\" style=\"width:\(formatted(($0.percent * 10).rounded() / 10))%\"></div>" }
        return "<div class=\"bar\" title=\"\(escape(title))\">\(fills.joined())</div> \(percent)%"
    }

    /// `2026-11-26 04:40:20Z` from an RFC 3339 timestamp.
    static func shortTime(_ timestamp: String) -> String {
        var text = timestamp.replacingOccurrences(of: "T", with: " ")
        if let dot = text.firstIndex(of: ".") , let zone = text[dot...].firstIndex(where: { $0 == "Z" || $0 == "+" || $0 == "-" }) {
            text.removeSubrange(dot..<zone)
        }
        return text
    }

    /// `12 s`, `3 min 4 s`, `2 h 5 min`.
    static func duration(_ seconds: Int) -> String {
        if seconds < 60 { return "\(seconds) s" }
        if seconds < 3600 { return "\(seconds / 60) min \(seconds % 60) s" }
        return "\(seconds / 3600) h \(seconds % 3600 / 60) min"
    }

    static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    private static func formatted(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
