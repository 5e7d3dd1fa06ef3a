// Non-variadic wrappers around the libvips calls PixelPipe needs: the vips_* operations take
// optional arguments as NULL-terminated varargs, which Swift cannot call.
// Every function returning int returns 0 on success and -1 with the libvips error buffer set.
#ifndef PIXELPIPE_CVIPS_SHIMS_H
#define PIXELPIPE_CVIPS_SHIMS_H

#include <vips/vips.h>

/// Initialises libvips once; returns 0 on success.
int pp_vips_init(const char *argv0);
/// The libvips version, e.g. "8.14.1".
const char *pp_vips_version(void);

// MARK: Process-wide settings

/// Operation cache off, `concurrency` worker threads per pipeline, untrusted and
/// document/vector loaders blocked.
void pp_vips_configure(int concurrency);
/// Whether an operation (by nickname, e.g. "svgload_buffer") is blocked.
int pp_vips_operation_is_blocked(const char *nickname);
/// Takes the error buffer's text (g_free it with pp_vips_free) and clears the buffer.
char *pp_vips_error_take(void);
/// Frees memory libvips or GLib allocated.
void pp_vips_free(void *pointer);
/// Drops a reference to an image.
void pp_vips_unref(VipsImage *image);

// MARK: Loading

/// A lazy, header-only image over `buf` (which must outlive it), sequential access.
VipsImage *pp_vips_image_new_from_buffer(const void *buf, size_t len, const char *option_string);
/// The loader nickname recorded on a loaded image ("jpegload_buffer"), or NULL.
const char *pp_vips_image_get_loader(VipsImage *image);
/// An integer header field, or `fallback` when absent.
int pp_vips_image_get_int_or(VipsImage *image, const char *name, int fallback);
/// Whether a header field exists.
int pp_vips_image_has_field(VipsImage *image, const char *name);
/// Decodes `buf` with shrink-on-load to fit `width` x `height`; `crop` is a VipsInteresting,
/// `size` a VipsSize. `export_profile` (or NULL) is the ICC profile to transform to.
int pp_vips_thumbnail_buffer(const void *buf, size_t len, VipsImage **out, int width, int height,
                             int crop, int size, int no_rotate, const char *option_string,
                             const char *export_profile);
/// Resizes an already-decoded image the way pp_vips_thumbnail_buffer does.
int pp_vips_thumbnail_image(VipsImage *in, VipsImage **out, int width, int height, int crop, int size);

// MARK: Colour and pixels

int pp_vips_colourspace(VipsImage *in, VipsImage **out, int interpretation);
int pp_vips_cast(VipsImage *in, VipsImage **out, int format);
/// Transforms to `output_profile` using the embedded profile, or `input_profile` when none.
int pp_vips_icc_transform(VipsImage *in, VipsImage **out, const char *output_profile, const char *input_profile);
/// Removes alpha by blending over an RGB background.
int pp_vips_flatten(VipsImage *in, VipsImage **out, double red, double green, double blue);
int pp_vips_gaussblur(VipsImage *in, VipsImage **out, double sigma);
int pp_vips_sharpen(VipsImage *in, VipsImage **out);
int pp_vips_extract_bands(VipsImage *in, VipsImage **out, int first, int count);
int pp_vips_extract_area(VipsImage *in, VipsImage **out, int left, int top, int width, int height);
/// Copies with every metadata item removed (the ICC profile kept if `keep_icc`); savers then
/// have nothing to write even where their own `strip` is incomplete.
int pp_vips_remove_metadata(VipsImage *in, VipsImage **out, int keep_icc);

// MARK: Watermarks

/// A one-band text mask rendered with Pango.
int pp_vips_text(VipsImage **out, const char *text, const char *font, int dpi);
/// Resizes by `scale` (Lanczos).
int pp_vips_resize(VipsImage *in, VipsImage **out, double scale);
/// An sRGB+alpha overlay of a solid colour whose alpha is `mask` x `opacity`.
int pp_vips_overlay_from_mask(VipsImage *mask, VipsImage **out, double red, double green, double blue, double opacity);
/// Gives an sRGB image an alpha band (opaque if it had none), multiplied by `opacity`.
int pp_vips_scale_alpha(VipsImage *in, VipsImage **out, double opacity);
/// `overlay` over `base` at (x, y) in sRGB; the result has alpha only if the base had.
int pp_vips_composite_over(VipsImage *base, VipsImage *overlay, VipsImage **out, int x, int y);

// MARK: Saving (the buffer is g_malloc'd: free with pp_vips_free)

int pp_vips_jpegsave_buffer(VipsImage *in, void **buf, size_t *len, int quality, int progressive, int strip);
int pp_vips_webpsave_buffer(VipsImage *in, void **buf, size_t *len, int quality, int effort, int strip);
/// AVIF: HEIF container, AV1 compression, 8 bits; effort 0 (fastest) to 9 (= 9 - speed).
int pp_vips_heifsave_buffer(VipsImage *in, void **buf, size_t *len, int quality, int effort, int strip);
int pp_vips_pngsave_buffer(VipsImage *in, void **buf, size_t *len, int compression, int strip);
/// Writes the pixels to a g_malloc'd buffer.
void *pp_vips_write_to_memory(VipsImage *in, size_t *len);

// MARK: Synthetic images (tests and benchmarks)

/// A `width` x `height` sRGB image: a colour gradient with Gaussian noise of `noise` sigma.
int pp_vips_synthetic(VipsImage **out, int width, int height, double noise, int seed);
/// A solid sRGB image of `bands` bands (3 or 4) filled with `ink`.
int pp_vips_solid(VipsImage **out, int width, int height, int bands, const double *ink);
/// Fills a rectangle with `ink` (n values, one per band), in place on a memory image.
int pp_vips_draw_rect(VipsImage *image, const double *ink, int n, int left, int top, int width, int height);
/// Sets an integer header field (e.g. "orientation") on an image; copies first.
int pp_vips_set_int(VipsImage *in, VipsImage **out, const char *name, int value);
/// Saves a GIF with `pages` frames of height `page_height` stacked vertically in `in`.
int pp_vips_gifsave_buffer(VipsImage *in, void **buf, size_t *len, int page_height);
/// Saves a 16-bit PNG.
int pp_vips_pngsave16_buffer(VipsImage *in, void **buf, size_t *len);
/// Copies with a different interpretation label (e.g. to mark four bands as CMYK).
int pp_vips_copy_interpretation(VipsImage *in, VipsImage **out, int interpretation);
/// Rotates by a multiple of 90 degrees clockwise (a VipsAngle).
int pp_vips_rot(VipsImage *in, VipsImage **out, int angle);
/// Mirrors (a VipsDirection: 0 horizontal, 1 vertical).
int pp_vips_flip(VipsImage *in, VipsImage **out, int direction);
/// Loads any buffer fully (tests checking that an output decodes).
int pp_vips_decode_buffer(const void *buf, size_t len, VipsImage **out);

#endif
