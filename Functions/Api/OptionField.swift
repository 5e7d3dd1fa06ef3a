import Foundation
import NIOCore
import PipelineModel

/// A multipart text part that sets a job option (`recipe` or `webhookUrl`), collected up to a
/// size limit and applied to the options at its end; shared by the CSV and image submissions.
struct OptionField {
    let name: String
    private var value = Data()

    init(name: String) { self.name = name }

    /// Appends a piece of the part; a part over `limit` bytes is a 413 problem naming it.
    mutating func append(_ buffer: ByteBuffer, limit: Int) throws {
        guard value.count + buffer.readableBytes <= limit else { throw Problem.tooLarge(name, limit: limit) }
        value.append(contentsOf: buffer.readableBytesView)
    }

    /// Sets the option this part names, its text trimmed.
    func apply(to options: inout JobOptions) {
        let text = String(decoding: value, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if name == "recipe" { options.recipe = text } else { options.webhookUrl = text }
    }
}
