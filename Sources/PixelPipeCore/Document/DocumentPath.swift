/// Where a value sits in a JSON or YAML document, written as people read it: `sizes[1].width`.
/// Error messages about recipes and pipeline files name the value at fault this way.
public struct DocumentPath: Sendable, Hashable, CustomStringConvertible {
    /// One step down: a mapping key or a list index.
    public enum Element: Sendable, Hashable {
        /// A key of a mapping (object).
        case key(String)
        /// A 0-based index into a list (array).
        case index(Int)
    }

    /// The steps from the document's root.
    public var elements: [Element]

    /// The path of `elements`; empty is the document itself.
    public init(_ elements: [Element] = []) {
        self.elements = elements
    }

    /// The path a `Decoder` reports, e.g. from a `DecodingError`'s context.
    public init(_ codingPath: [any CodingKey]) {
        elements = codingPath.map { key in key.intValue.map(Element.index) ?? .key(key.stringValue) }
    }

    /// This path one step further down.
    public func appending(_ element: Element) -> DocumentPath {
        DocumentPath(elements + [element])
    }

    /// `sizes[1].width`; the empty string for the document itself.
    public var description: String {
        var text = ""
        for element in elements {
            switch element {
            case .key(let key): text += text.isEmpty ? key : ".\(key)"
            case .index(let index): text += "[\(index)]"
            }
        }
        return text
    }
}
