import PixelPipeCore

extension Recipe {
    /// Largest box side a size may ask for.
    public static let maxDimension = 8192
    /// Most sizes and formats a recipe may list (each pair is one encode).
    public static let maxOutputs = 24

    /// Checks every field, throwing for the first one at fault.
    public func validate() throws(RecipeError) {
        if sizes.isEmpty { throw .invalid("sizes", "at least one size is required") }
        if formats.isEmpty { throw .invalid("formats", "at least one format is required") }
        if sizes.count * formats.count > Self.maxOutputs {
            throw .invalid("sizes", "\(sizes.count) sizes x \(formats.count) formats exceeds \(Self.maxOutputs) outputs")
        }
        var names: Set<String> = []
        for (index, size) in sizes.enumerated() {
            try size.validate(at: "sizes[\(index)]")
            if !names.insert(size.name).inserted { throw .invalid("sizes[\(index)].name", "\"\(size.name)\" is used twice") }
        }
        var seen: Set<OutputFormat> = []
        for (index, format) in formats.enumerated() where !seen.insert(format).inserted {
            throw .invalid("formats[\(index)]", "\(format.rawValue) is listed twice")
        }
        if !(1...100).contains(quality) { throw .invalid("quality", "must be 1...100, got \(quality)") }
        if let blur = filters.blur, !(blur > 0 && blur <= 100) {
            throw .invalid("filters.blur", "sigma must be in (0, 100], got \(blur)")
        }
        try watermark?.validate()
    }
}

extension Recipe.Size {
    func validate(at path: String) throws(RecipeError) {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-_")
        if name.isEmpty || name.count > 32 || !name.allSatisfy(allowed.contains) {
            throw .invalid("\(path).name", "must be 1-32 characters of a-z, 0-9, - and _, got \"\(name)\"")
        }
        for (key, value) in [("width", width), ("height", height)] {
            if let value, !(1...Recipe.maxDimension).contains(value) {
                throw .invalid("\(path).\(key)", "must be 1...\(Recipe.maxDimension), got \(value)")
            }
        }
        switch fit {
        case .inside:
            if width == nil, height == nil { throw .missing("\(path).width") }
        case .cover, .fill:
            if width == nil { throw .missing("\(path).width") }
            if height == nil { throw .missing("\(path).height") }
        }
    }
}

extension Recipe.Watermark {
    func validate() throws(RecipeError) {
        switch content {
        case .text(let text):
            if text.trimmingWhitespace.isEmpty || text.count > 200 {
                throw .invalid("watermark.text", "must be 1-200 characters")
            }
        case .image(let image):
            if image.isEmpty { throw .invalid("watermark.image", "must be a non-empty base64 image") }
        }
        if !(opacity >= 0 && opacity <= 1) { throw .invalid("watermark.opacity", "must be 0...1, got \(opacity)") }
        if !(0...2000).contains(margin) { throw .invalid("watermark.margin", "must be 0...2000, got \(margin)") }
        if !(scale > 0 && scale <= 1) { throw .invalid("watermark.scale", "must be in (0, 1], got \(scale)") }
        if rgb == nil { throw .invalid("watermark.color", "must be #rrggbb, got \"\(color)\"") }
    }
}
