import CVipsShims
import Foundation
import Imaging

/// Generates photo-sized JPEGs (a noisy gradient with coloured shapes) into a folder, once:
/// files already there are reused.
public enum SyntheticPhotos {
    public static func make(count: Int, width: Int, height: Int, in folder: URL) throws -> [URL] {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        _ = pp_vips_init("ImagingBenchmark")
        var urls: [URL] = []
        for index in 0..<count {
            let url = folder.appendingPathComponent(String(format: "photo-%02d.jpg", index))
            urls.append(url)
            if FileManager.default.fileExists(atPath: url.path) { continue }
            try jpeg(width: width, height: height, seed: index + 1).write(to: url)
        }
        return urls
    }

    private static func jpeg(width: Int, height: Int, seed: Int) throws -> Data {
        var lazy: UnsafeMutablePointer<VipsImage>?
        guard pp_vips_synthetic(&lazy, Int32(width), Int32(height), 12, Int32(seed)) == 0, let lazy else { throw failure() }
        defer { pp_vips_unref(lazy) }
        guard let image = vips_image_copy_memory(lazy) else { throw failure() }
        defer { pp_vips_unref(image) }
        var state = UInt64(seed) &* 2862933555777941757 &+ 3037000493
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(state >> 33) % bound
        }
        for _ in 0..<12 {
            let w = width / 10 + next(width / 4), h = height / 10 + next(height / 4)
            let ink = [Double(next(256)), Double(next(256)), Double(next(256))]
            _ = pp_vips_draw_rect(image, ink, 3, Int32(next(width - w)), Int32(next(height - h)), Int32(w), Int32(h))
        }
        var buffer: UnsafeMutableRawPointer?
        var length = 0
        guard pp_vips_jpegsave_buffer(image, &buffer, &length, 90, 0, 0) == 0, let buffer else { throw failure() }
        defer { pp_vips_free(buffer) }
        return Data(bytes: buffer, count: length)
    }

    private static func failure() -> any Error {
        let message = pp_vips_error_take().map { text in
            defer { pp_vips_free(text) }
            return String(cString: text)
        } ?? "unknown"
        return NSError(domain: "SyntheticPhotos", code: 1, userInfo: [NSLocalizedDescriptionKey: message])
    }
}
