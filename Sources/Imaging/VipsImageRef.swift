import CVipsShims
import Foundation

/// Owns one reference to a `VipsImage` and drops it when released. Not `Sendable`: an image
/// lives and dies on the worker thread that made it.
final class VipsImageRef {
    let pointer: UnsafeMutablePointer<VipsImage>

    init(_ pointer: UnsafeMutablePointer<VipsImage>) {
        self.pointer = pointer
    }

    deinit { pp_vips_unref(pointer) }

    var width: Int { Int(vips_image_get_width(pointer)) }
    var height: Int { Int(vips_image_get_height(pointer)) }
    var bands: Int { Int(vips_image_get_bands(pointer)) }
    var hasAlpha: Bool { vips_image_hasalpha(pointer) != 0 }
    var interpretation: VipsInterpretation { vips_image_get_interpretation(pointer) }
    var bandFormat: VipsBandFormat { vips_image_get_format(pointer) }

    /// An integer header field, or `fallback` when absent.
    func integer(_ name: String, default fallback: Int) -> Int {
        Int(pp_vips_image_get_int_or(pointer, name, Int32(clamping: fallback)))
    }

    /// Whether a header field is present.
    func has(_ name: String) -> Bool { pp_vips_image_has_field(pointer, name) != 0 }

    /// Runs a shim that writes a new image to its out-parameter, turning failure into `error`
    /// with libvips' message.
    static func make(
        _ error: ImagingError,
        _ body: (UnsafeMutablePointer<UnsafeMutablePointer<VipsImage>?>) -> Int32
    ) throws(ImagingError) -> VipsImageRef {
        var out: UnsafeMutablePointer<VipsImage>?
        guard body(&out) == 0, let out else {
            if let out { pp_vips_unref(out) }
            throw error.with(detail: VipsLibrary.takeError())
        }
        return VipsImageRef(out)
    }

    /// A new image from a shim taking this one as input.
    func map(
        _ error: ImagingError = .processingFailed,
        _ body: (UnsafeMutablePointer<VipsImage>, UnsafeMutablePointer<UnsafeMutablePointer<VipsImage>?>) -> Int32
    ) throws(ImagingError) -> VipsImageRef {
        try Self.make(error) { out in body(pointer, out) }
    }

    /// Renders every pixel into memory, so several outputs can read it without re-decoding.
    func materialized() throws(ImagingError) -> VipsImageRef {
        guard let copy = vips_image_copy_memory(pointer) else {
            throw ImagingError.undecodable.with(detail: VipsLibrary.takeError())
        }
        return VipsImageRef(copy)
    }

    /// The pixels, band-interleaved, row by row.
    func pixels() throws(ImagingError) -> [UInt8] {
        var length = 0
        guard let memory = pp_vips_write_to_memory(pointer, &length) else {
            throw ImagingError.processingFailed.with(detail: VipsLibrary.takeError())
        }
        defer { pp_vips_free(memory) }
        return Array(UnsafeRawBufferPointer(start: memory, count: length))
    }

    /// Runs a saver shim and copies its g_malloc'd buffer out.
    func save(
        _ body: (UnsafeMutablePointer<VipsImage>, UnsafeMutablePointer<UnsafeMutableRawPointer?>, UnsafeMutablePointer<Int>) -> Int32
    ) throws(ImagingError) -> Data {
        var buffer: UnsafeMutableRawPointer?
        var length = 0
        guard body(pointer, &buffer, &length) == 0, let buffer else {
            throw ImagingError.encodingFailed.with(detail: VipsLibrary.takeError())
        }
        defer { pp_vips_free(buffer) }
        return Data(bytes: buffer, count: length)
    }
}
