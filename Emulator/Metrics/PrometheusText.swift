import Foundation

/// Prometheus text exposition, merged: the emulator's own metrics and every service's, each
/// service's samples labelled `service="NAME"`, every family's lines together under one `# TYPE`
/// (the format allows a family's lines in one place only, so texts cannot just be concatenated).
///
/// Written by hand because no library here parses the text format; swift-prometheus only writes it.
enum PrometheusText {
    /// One metric family: its `# HELP` and `# TYPE` lines and its samples.
    struct Family: Equatable {
        var name: String
        var help: String?
        var type: String?
        var samples: [String] = []
    }

    /// `own` unchanged, then each scraped text with its samples labelled by service, families merged.
    static func merge(own: String, services: [(service: String, text: String)]) -> String {
        var families: [Family] = []
        var index: [String: Int] = [:]
        func add(_ parsed: [Family]) {
            for family in parsed {
                if let at = index[family.name] {
                    families[at].help = families[at].help ?? family.help
                    families[at].type = families[at].type ?? family.type
                    families[at].samples += family.samples
                } else {
                    index[family.name] = families.count
                    families.append(family)
                }
            }
        }
        add(parse(own, service: nil))
        for (service, text) in services { add(parse(text, service: service)) }
        var output = ""
        for family in families {
            if let help = family.help { output += "# HELP \(family.name) \(help)\n" }
            if let type = family.type { output += "# TYPE \(family.name) \(type)\n" }
            for sample in family.samples { output += sample + "\n" }
        }
        return output
    }

    /// The families of `text` in order; with `service`, each sample gets that label first.
    static func parse(_ text: String, service: String?) -> [Family] {
        var families: [Family] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("#") {
                let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: true)
                guard parts.count >= 3, parts[1] == "HELP" || parts[1] == "TYPE" else { continue }
                let name = String(parts[2])
                if families.last?.name != name { families.append(Family(name: name)) }
                let rest = parts.count > 3 ? String(parts[3]) : ""
                if parts[1] == "HELP" { families[families.count - 1].help = rest } else { families[families.count - 1].type = rest }
                continue
            }
            let sample = service.map { labelled(String(line), service: $0) } ?? String(line)
            let name = sampleName(line)
            // A histogram's `_bucket`, `_sum` and `_count` samples belong to the family above them.
            if let last = families.last, name == last.name || name.hasPrefix(last.name + "_") {
                families[families.count - 1].samples.append(sample)
            } else {
                families.append(Family(name: name, samples: [sample]))
            }
        }
        return families
    }

    /// The metric name of a sample line (up to `{` or a space).
    static func sampleName<S: StringProtocol>(_ line: S) -> String {
        String(line.prefix { $0 != "{" && $0 != " " })
    }

    /// `name{a="b"} 1` → `name{service="S",a="b"} 1`; `name 1` → `name{service="S"} 1`.
    static func labelled(_ line: String, service: String) -> String {
        let label = "service=\"\(escape(service))\""
        let name = sampleName(line)
        let rest = line.dropFirst(name.count)
        if rest.hasPrefix("{}") { return name + "{" + label + "}" + rest.dropFirst(2) }
        if rest.hasPrefix("{") { return name + "{" + label + "," + rest.dropFirst() }
        return name + "{" + label + "}" + rest
    }

    private static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }
}
