@testable import ApiStage
import Foundation
import Testing

/// The console's colours, read from its stylesheet's custom properties, keep text at 4.5:1 or
/// more against every background it is drawn on (WCAG 2 AA), and borders at 3:1.
@Suite("Console contrast")
struct ConsoleContrastTests {
    /// `--name: #rrggbb` of the stylesheet's `:root`.
    static let colours: [String: String] = {
        let css = String(decoding: ConsoleAssets.files["/console/style.css"]!.bytes, as: UTF8.self)
        var colours: [String: String] = ["white": "#ffffff"]
        for match in css.matches(of: /--([a-z-]+): (#[0-9a-f]{6});/) { colours[String(match.1)] = String(match.2) }
        return colours
    }()

    @Test("text on its backgrounds is 4.5:1 or more", arguments: [
        ("text", "background"), ("text", "panel"), ("muted", "background"), ("muted", "panel"),
        ("accent", "background"), ("accent", "panel"), ("white", "accent"), ("white", "accent-dark"),
        ("danger", "background"), ("ok", "background"), ("warn", "background"), ("white", "text"),
    ])
    func text(foreground: String, background: String) throws {
        let ratio = try Self.ratio(foreground, background)
        #expect(ratio >= 4.5, "\(foreground) on \(background): \(ratio)")
    }

    @Test("the focus ring against the page is 3:1 or more")
    func focus() throws {
        #expect(try Self.ratio("focus", "background") >= 3)
    }

    /// The WCAG contrast ratio of two named colours.
    static func ratio(_ first: String, _ second: String) throws -> Double {
        let a = try luminance(try #require(colours[first], "no --\(first)"))
        let b = try luminance(try #require(colours[second], "no --\(second)"))
        return (max(a, b) + 0.05) / (min(a, b) + 0.05)
    }

    static func luminance(_ hex: String) throws -> Double {
        let value = try #require(Int(hex.dropFirst(), radix: 16))
        let channels = [(value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff].map { channel -> Double in
            let c = Double(channel) / 255
            return c <= 0.03928 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4)
        }
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]
    }
}
