import Foundation
import PixelPipeCore
import Testing

@Suite("Unknown keys and suggestions")
struct KeySuggestionTests {
    @Test("a near miss suggests the known key; another word suggests nothing", arguments: [
        ("qualty", ["sizes", "formats", "quality"], "quality"),
        ("widht", ["name", "width", "height"], "width"),
        ("subscripshuns", ["topics", "subscriptions", "queues"], "subscriptions"),
        ("Quality", ["quality"], "quality"),
        ("sepia", ["grayscale", "blur", "sharpen"], nil),
        ("x", ["name", "url"], nil),
    ] as [(String, [String], String?)])
    func nearest(key: String, known: [String], suggestion: String?) {
        #expect(KeySuggestion.nearest(to: key, among: known) == suggestion)
    }

    @Test("an alias and its misspellings suggest the key it stands for")
    func aliases() {
        let aliases = ["environment": "env"]
        #expect(KeySuggestion.nearest(to: "enviroment", among: ["env", "services"], aliases: aliases) == "env")
        #expect(KeySuggestion.nearest(to: "environment", among: ["env", "services"], aliases: aliases) == "env")
        #expect(KeySuggestion.nearest(to: "enviroment", among: ["env", "services"]) == nil)
    }

    private struct Strict: Decodable {
        enum CodingKeys: String, CodingKey, CaseIterable { case name, width }
        var name: String
        init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            name = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .name)
        }
    }

    @Test("a strict decoder names the unknown key's path and suggests the near miss")
    func strictDecoding() throws {
        #expect(try JSONDecoder().decode([Strict].self, from: Data(#"[{"name":"a","width":1}]"#.utf8)).map(\.name) == ["a"])
        let error = #expect(throws: UnknownKeyError.self) {
            try JSONDecoder().decode([Strict].self, from: Data(#"[{"name":"a"},{"name":"b","widht":1}]"#.utf8))
        }
        #expect(error?.path.description == "[1].widht")
        #expect(error?.description == "unknown key [1].widht; did you mean 'width'?")
        let far = #expect(throws: UnknownKeyError.self) { try JSONDecoder().decode(Strict.self, from: Data(#"{"name":"a","colour":1}"#.utf8)) }
        #expect(far?.description == "unknown key colour; expected one of name, width")
    }
}
