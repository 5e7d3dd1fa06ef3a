import CVipsShims
import Foundation
import PipelineModel

extension ImagePipeline {
    /// Text is rendered at this size and then scaled to the watermark's width.
    static let watermarkFont = "sans bold 48"

    /// Draws `watermark` over `image`, sized to `scale` of its width and inset by `margin`.
    func apply(_ watermark: Recipe.Watermark, to image: VipsImageRef) throws(ImagingError) -> VipsImageRef {
        let targetWidth = max(1, Int((Double(image.width) * watermark.scale).rounded()))
        let overlay: VipsImageRef
        switch watermark.content {
        case .text(let text):
            let mask = try VipsImageRef.make(.processingFailed) { pp_vips_text($0, Self.escapedMarkup(text), Self.watermarkFont, 72) }
            let scaled = try mask.map { pp_vips_resize($0, $1, Double(targetWidth) / Double(max(1, mask.width))) }
            let colour = watermark.rgb ?? (255, 255, 255)
            overlay = try scaled.map { pp_vips_overlay_from_mask($0, $1, colour.red, colour.green, colour.blue, watermark.opacity) }
        case .image(let data):
            let mark = try data.withUnsafeBytes { raw in
                Result { () throws(ImagingError) -> VipsImageRef in
                    do {
                        let probe = try ImageProbe.read(raw, limits: configuration)
                        return try decode(raw, probe: probe, width: targetWidth, height: Self.unbounded).materialized()
                    } catch {
                        throw ImagingError.invalidRecipe.with(detail: "watermark.image: \(error)")
                    }
                }
            }.get()
            overlay = try mark.map { pp_vips_scale_alpha($0, $1, watermark.opacity) }
        }
        let (x, y) = Self.origin(of: overlay, on: image, position: watermark.position, margin: watermark.margin)
        return try image.map { pp_vips_composite_over($0, overlay.pointer, $1, Int32(x), Int32(y)) }
    }

    /// Top-left corner of an overlay placed at `position`, `margin` pixels in from the edges.
    static func origin(of overlay: VipsImageRef, on base: VipsImageRef, position: Recipe.Watermark.Position, margin: Int) -> (Int, Int) {
        let left = margin, centreX = (base.width - overlay.width) / 2, right = base.width - overlay.width - margin
        let top = margin, centreY = (base.height - overlay.height) / 2, bottom = base.height - overlay.height - margin
        switch position {
        case .topLeft: return (left, top)
        case .top: return (centreX, top)
        case .topRight: return (right, top)
        case .left: return (left, centreY)
        case .centre: return (centreX, centreY)
        case .right: return (right, centreY)
        case .bottomLeft: return (left, bottom)
        case .bottom: return (centreX, bottom)
        case .bottomRight: return (right, bottom)
        }
    }

    /// vips_text takes Pango markup; user text must not be able to inject tags.
    static func escapedMarkup(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;")
            .replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
