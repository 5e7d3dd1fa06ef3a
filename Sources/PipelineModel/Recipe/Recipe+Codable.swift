import Foundation
import PixelPipeCore

// JSON shape: {"sizes":[{"name":"thumb","width":200,"height":200,"fit":"cover","crop":"attention","enlarge":false}],
// "formats":["webp","jpeg"],"quality":50,"progressive":false,"keepIccProfile":false,
// "watermark":{"text":"©","position":"bottom-right","opacity":0.5,"margin":16,"scale":0.25},
// "filters":{"grayscale":false,"blur":1.5,"sharpen":true}}. Absent fields take defaults; a key
// not listed here is an error naming it (`UnknownKeyError`), since a misspelt setting would
// otherwise be ignored and the output made with the default.

extension Recipe: Codable {
    private enum CodingKeys: String, CodingKey, CaseIterable {
        case sizes, formats, quality, progressive, keepICCProfile = "keepIccProfile", watermark, filters
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = Recipe.default
        self.init(
            sizes: try container.decodeIfPresent([Size].self, forKey: .sizes) ?? defaults.sizes,
            formats: try container.decodeIfPresent([OutputFormat].self, forKey: .formats) ?? defaults.formats,
            quality: try container.decodeIfPresent(Int.self, forKey: .quality) ?? defaults.quality,
            progressive: try container.decodeIfPresent(Bool.self, forKey: .progressive) ?? false,
            keepICCProfile: try container.decodeIfPresent(Bool.self, forKey: .keepICCProfile) ?? false,
            watermark: try container.decodeIfPresent(Watermark.self, forKey: .watermark),
            filters: try container.decodeIfPresent(Filters.self, forKey: .filters) ?? Filters()
        )
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(sizes, forKey: .sizes)
        try container.encode(formats, forKey: .formats)
        try container.encode(quality, forKey: .quality)
        try container.encode(progressive, forKey: .progressive)
        try container.encode(keepICCProfile, forKey: .keepICCProfile)
        try container.encodeIfPresent(watermark, forKey: .watermark)
        try container.encode(filters, forKey: .filters)
    }
}

extension Recipe.Size: Codable {
    private enum CodingKeys: String, CodingKey, CaseIterable { case name, width, height, fit, crop, enlarge }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            name: try container.decode(String.self, forKey: .name),
            width: try container.decodeIfPresent(Int.self, forKey: .width),
            height: try container.decodeIfPresent(Int.self, forKey: .height),
            fit: try container.decodeIfPresent(Recipe.Fit.self, forKey: .fit) ?? .inside,
            crop: try container.decodeIfPresent(Recipe.Crop.self, forKey: .crop) ?? .centre,
            enlarge: try container.decodeIfPresent(Bool.self, forKey: .enlarge) ?? false
        )
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encodeIfPresent(width, forKey: .width)
        try container.encodeIfPresent(height, forKey: .height)
        try container.encode(fit, forKey: .fit)
        try container.encode(crop, forKey: .crop)
        try container.encode(enlarge, forKey: .enlarge)
    }
}

extension Recipe.Filters: Codable {
    private enum CodingKeys: String, CodingKey, CaseIterable { case grayscale, blur, sharpen }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            grayscale: try container.decodeIfPresent(Bool.self, forKey: .grayscale) ?? false,
            blur: try container.decodeIfPresent(Double.self, forKey: .blur),
            sharpen: try container.decodeIfPresent(Bool.self, forKey: .sharpen) ?? false
        )
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(grayscale, forKey: .grayscale)
        try container.encodeIfPresent(blur, forKey: .blur)
        try container.encode(sharpen, forKey: .sharpen)
    }
}

extension Recipe.Watermark: Codable {
    private enum CodingKeys: String, CodingKey, CaseIterable { case text, image, position, opacity, margin, scale, color }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let text = try container.decodeIfPresent(String.self, forKey: .text)
        let image = try container.decodeIfPresent(Data.self, forKey: .image)
        let content: Content
        switch (text, image) {
        case (let text?, nil): content = .text(text)
        case (nil, let image?): content = .image(image)
        case (.some, .some):
            throw DecodingError.dataCorruptedError(forKey: .image, in: container, debugDescription: "give either text or image, not both")
        case (nil, nil):
            throw DecodingError.keyNotFound(CodingKeys.text, .init(codingPath: container.codingPath, debugDescription: "text or image is required"))
        }
        let defaults = Recipe.Watermark(content: content)
        self.init(
            content: content,
            position: try container.decodeIfPresent(Position.self, forKey: .position) ?? defaults.position,
            opacity: try container.decodeIfPresent(Double.self, forKey: .opacity) ?? defaults.opacity,
            margin: try container.decodeIfPresent(Int.self, forKey: .margin) ?? defaults.margin,
            scale: try container.decodeIfPresent(Double.self, forKey: .scale) ?? defaults.scale,
            color: try container.decodeIfPresent(String.self, forKey: .color) ?? defaults.color
        )
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch content {
        case .text(let text): try container.encode(text, forKey: .text)
        case .image(let image): try container.encode(image, forKey: .image)
        }
        try container.encode(position, forKey: .position)
        try container.encode(opacity, forKey: .opacity)
        try container.encode(margin, forKey: .margin)
        try container.encode(scale, forKey: .scale)
        try container.encode(color, forKey: .color)
    }
}
