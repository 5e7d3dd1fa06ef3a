#include "CVipsShims.h"

#include <string.h>

int pp_vips_init(const char *argv0) { return VIPS_INIT(argv0); }
const char *pp_vips_version(void) { return vips_version_string(); }

// MARK: Process-wide settings

void pp_vips_configure(int concurrency) {
    vips_cache_set_max(0);
    vips_cache_set_max_mem(0);
    vips_cache_set_max_files(0);
    vips_concurrency_set(concurrency);
    vips_block_untrusted_set(TRUE);
    // Belt and braces: loaders that parse documents or delegate to large libraries, blocked
    // by name whether or not this libvips build marks them untrusted.
    static const char *blocked[] = {
        "VipsForeignLoadSvg", "VipsForeignLoadPdf", "VipsForeignLoadMagick",
        "VipsForeignLoadOpenslide", "VipsForeignLoadVips", "VipsForeignLoadMatrix",
        "VipsForeignLoadCsv", "VipsForeignLoadFits", "VipsForeignLoadAnalyze",
        "VipsForeignLoadRaw", "VipsForeignLoadOpenexr", "VipsForeignLoadMat",
        "VipsForeignLoadPpm", "VipsForeignLoadRad", "VipsForeignLoadJp2k", "VipsForeignLoadJxl",
    };
    for (size_t i = 0; i < sizeof(blocked) / sizeof(blocked[0]); i++) {
        if (g_type_from_name(blocked[i])) vips_operation_block_set(blocked[i], TRUE);
    }
}

int pp_vips_operation_is_blocked(const char *nickname) {
    GType type = vips_type_find("VipsOperation", nickname);
    if (!type) return 1;
    VipsOperation *operation = vips_operation_new(nickname);
    if (!operation) { vips_error_clear(); return 1; }
    int blocked = (vips_operation_get_flags(operation) & VIPS_OPERATION_BLOCKED) != 0;
    g_object_unref(operation);
    return blocked;
}

char *pp_vips_error_take(void) { return vips_error_buffer_copy(); }
void pp_vips_free(void *pointer) { g_free(pointer); }
void pp_vips_unref(VipsImage *image) { if (image) g_object_unref(image); }

// MARK: Loading

VipsImage *pp_vips_image_new_from_buffer(const void *buf, size_t len, const char *option_string) {
    return vips_image_new_from_buffer(buf, len, option_string ? option_string : "",
                                      "access", VIPS_ACCESS_SEQUENTIAL, NULL);
}

const char *pp_vips_image_get_loader(VipsImage *image) {
    const char *loader = NULL;
    if (vips_image_get_typeof(image, VIPS_META_LOADER) && !vips_image_get_string(image, VIPS_META_LOADER, &loader))
        return loader;
    return NULL;
}

int pp_vips_image_get_int_or(VipsImage *image, const char *name, int fallback) {
    int value;
    if (vips_image_get_typeof(image, name) && !vips_image_get_int(image, name, &value)) return value;
    return fallback;
}

int pp_vips_image_has_field(VipsImage *image, const char *name) {
    return vips_image_get_typeof(image, name) != 0;
}

int pp_vips_thumbnail_buffer(const void *buf, size_t len, VipsImage **out, int width, int height,
                             int crop, int size, int no_rotate, const char *option_string,
                             const char *export_profile) {
    if (export_profile)
        return vips_thumbnail_buffer((void *)buf, len, out, width, "height", height, "crop", crop,
                                     "size", size, "no_rotate", no_rotate,
                                     "option_string", option_string ? option_string : "",
                                     "export_profile", export_profile, NULL);
    return vips_thumbnail_buffer((void *)buf, len, out, width, "height", height, "crop", crop,
                                 "size", size, "no_rotate", no_rotate,
                                 "option_string", option_string ? option_string : "", NULL);
}

int pp_vips_thumbnail_image(VipsImage *in, VipsImage **out, int width, int height, int crop, int size) {
    return vips_thumbnail_image(in, out, width, "height", height, "crop", crop, "size", size, NULL);
}

// MARK: Colour and pixels

int pp_vips_colourspace(VipsImage *in, VipsImage **out, int interpretation) {
    return vips_colourspace(in, out, (VipsInterpretation)interpretation, NULL);
}

int pp_vips_cast(VipsImage *in, VipsImage **out, int format) {
    return vips_cast(in, out, (VipsBandFormat)format, NULL);
}

int pp_vips_icc_transform(VipsImage *in, VipsImage **out, const char *output_profile, const char *input_profile) {
    return vips_icc_transform(in, out, output_profile, "embedded", TRUE,
                              "input_profile", input_profile, "intent", VIPS_INTENT_PERCEPTUAL, NULL);
}

int pp_vips_flatten(VipsImage *in, VipsImage **out, double red, double green, double blue) {
    double values[3] = {red, green, blue};
    VipsArrayDouble *background = vips_array_double_new(values, 3);
    int result = vips_flatten(in, out, "background", background, NULL);
    vips_area_unref(VIPS_AREA(background));
    return result;
}

int pp_vips_gaussblur(VipsImage *in, VipsImage **out, double sigma) {
    return vips_gaussblur(in, out, sigma, NULL);
}

int pp_vips_sharpen(VipsImage *in, VipsImage **out) { return vips_sharpen(in, out, NULL); }

int pp_vips_extract_bands(VipsImage *in, VipsImage **out, int first, int count) {
    return vips_extract_band(in, out, first, "n", count, NULL);
}

int pp_vips_extract_area(VipsImage *in, VipsImage **out, int left, int top, int width, int height) {
    return vips_extract_area(in, out, left, top, width, height, NULL);
}

static void *collect_metadata(VipsImage *image, const char *name, GValue *value, void *names) {
    (void)image; (void)value;
    g_ptr_array_add((GPtrArray *)names, g_strdup(name));
    return NULL;
}

int pp_vips_remove_metadata(VipsImage *in, VipsImage **out, int keep_icc) {
    if (vips_copy(in, out, NULL)) return -1;
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    vips_image_map(*out, collect_metadata, names);
    for (guint i = 0; i < names->len; i++) {
        const char *name = g_ptr_array_index(names, i);
        if (keep_icc && strcmp(name, VIPS_META_ICC_NAME) == 0) continue;
        vips_image_remove(*out, name);
    }
    g_ptr_array_free(names, TRUE);
    return 0;
}

// MARK: Watermarks

int pp_vips_text(VipsImage **out, const char *text, const char *font, int dpi) {
    return vips_text(out, text, "font", font, "dpi", dpi, NULL);
}

int pp_vips_resize(VipsImage *in, VipsImage **out, double scale) {
    return vips_resize(in, out, scale, NULL);
}

int pp_vips_overlay_from_mask(VipsImage *mask, VipsImage **out, double red, double green, double blue, double opacity) {
    VipsImage *alpha = NULL, *joined = NULL, *cast = NULL;
    double rgb[3] = {red, green, blue};
    VipsImage *colour = vips_image_new_from_image(mask, rgb, 3);
    int result = -1;
    if (!colour) return -1;
    if (vips_linear1(mask, &alpha, opacity, 0.0, NULL)) goto done;
    if (vips_bandjoin2(colour, alpha, &joined, NULL)) goto done;
    if (vips_cast(joined, &cast, VIPS_FORMAT_UCHAR, NULL)) goto done;
    result = vips_copy(cast, out, "interpretation", VIPS_INTERPRETATION_sRGB, NULL);
done:
    VIPS_UNREF(colour); VIPS_UNREF(alpha); VIPS_UNREF(joined); VIPS_UNREF(cast);
    return result;
}

int pp_vips_scale_alpha(VipsImage *in, VipsImage **out, double opacity) {
    VipsImage *withAlpha = NULL, *scaled = NULL;
    int result = -1;
    if (vips_image_hasalpha(in)) {
        withAlpha = in;
        g_object_ref(in);
    } else if (vips_bandjoin_const1(in, &withAlpha, 255.0, NULL)) {
        return -1;
    }
    int bands = withAlpha->Bands;
    double a[bands], b[bands];
    for (int i = 0; i < bands; i++) { a[i] = 1.0; b[i] = 0.0; }
    a[bands - 1] = opacity;
    if (vips_linear(withAlpha, &scaled, a, b, bands, NULL)) goto done;
    result = vips_cast(scaled, out, VIPS_FORMAT_UCHAR, NULL);
done:
    VIPS_UNREF(withAlpha); VIPS_UNREF(scaled);
    return result;
}

int pp_vips_composite_over(VipsImage *base, VipsImage *overlay, VipsImage **out, int x, int y) {
    int baseHasAlpha = vips_image_hasalpha(base);
    VipsImage *composited = NULL;
    if (vips_composite2(base, overlay, &composited, VIPS_BLEND_MODE_OVER, "x", x, "y", y,
                        "compositing_space", VIPS_INTERPRETATION_sRGB, NULL))
        return -1;
    int result;
    if (!baseHasAlpha && vips_image_hasalpha(composited))
        result = vips_extract_band(composited, out, 0, "n", composited->Bands - 1, NULL);
    else
        result = vips_copy(composited, out, NULL);
    g_object_unref(composited);
    return result;
}

// MARK: Saving

int pp_vips_jpegsave_buffer(VipsImage *in, void **buf, size_t *len, int quality, int progressive, int strip) {
    return vips_jpegsave_buffer(in, buf, len, "Q", quality, "interlace", progressive,
                                "optimize_coding", TRUE, "strip", strip, NULL);
}

int pp_vips_webpsave_buffer(VipsImage *in, void **buf, size_t *len, int quality, int effort, int strip) {
    return vips_webpsave_buffer(in, buf, len, "Q", quality, "effort", effort, "strip", strip, NULL);
}

int pp_vips_heifsave_buffer(VipsImage *in, void **buf, size_t *len, int quality, int effort, int strip) {
    return vips_heifsave_buffer(in, buf, len, "Q", quality, "compression", VIPS_FOREIGN_HEIF_COMPRESSION_AV1,
                                "effort", effort, "bitdepth", 8, "strip", strip, NULL);
}

int pp_vips_pngsave_buffer(VipsImage *in, void **buf, size_t *len, int compression, int strip) {
    return vips_pngsave_buffer(in, buf, len, "compression", compression, "strip", strip, NULL);
}

void *pp_vips_write_to_memory(VipsImage *in, size_t *len) { return vips_image_write_to_memory(in, len); }

// MARK: Synthetic images

int pp_vips_synthetic(VipsImage **out, int width, int height, double noise, int seed) {
    VipsImage *xyz = NULL, *x = NULL, *y = NULL, *sum = NULL, *joined = NULL, *scaled = NULL;
    VipsImage *grain = NULL, *noisy = NULL, *cast = NULL;
    int result = -1;
    if (vips_xyz(&xyz, width, height, NULL)) goto done;
    if (vips_extract_band(xyz, &x, 0, NULL) || vips_extract_band(xyz, &y, 1, NULL)) goto done;
    if (vips_add(x, y, &sum, NULL)) goto done;
    VipsImage *bands[3] = {x, y, sum};
    if (vips_bandjoin(bands, &joined, 3, NULL)) goto done;
    double a[3] = {255.0 / width, 255.0 / height, 255.0 / (width + height)};
    double b[3] = {(double)(seed * 37 % 64), (double)(seed * 91 % 64), (double)(seed * 53 % 64)};
    if (vips_linear(joined, &scaled, a, b, 3, NULL)) goto done;
    if (noise > 0) {
        if (vips_gaussnoise(&grain, width, height, "sigma", noise, "mean", 0.0, "seed", seed, NULL)) goto done;
        if (vips_add(scaled, grain, &noisy, NULL)) goto done;
    } else {
        noisy = scaled;
        g_object_ref(noisy);
    }
    if (vips_cast(noisy, &cast, VIPS_FORMAT_UCHAR, NULL)) goto done;
    result = vips_copy(cast, out, "interpretation", VIPS_INTERPRETATION_sRGB, NULL);
done:
    VIPS_UNREF(xyz); VIPS_UNREF(x); VIPS_UNREF(y); VIPS_UNREF(sum); VIPS_UNREF(joined);
    VIPS_UNREF(scaled); VIPS_UNREF(grain); VIPS_UNREF(noisy); VIPS_UNREF(cast);
    return result;
}

int pp_vips_solid(VipsImage **out, int width, int height, int bands, const double *ink) {
    VipsImage *black = NULL, *filled = NULL, *cast = NULL;
    int result = -1;
    double zero[4] = {0, 0, 0, 0};
    if (vips_black(&black, width, height, "bands", bands, NULL)) goto done;
    if (vips_linear(black, &filled, zero, (double *)ink, bands, NULL)) goto done;
    if (vips_cast(filled, &cast, VIPS_FORMAT_UCHAR, NULL)) goto done;
    VipsImage *copied = NULL;
    if (vips_copy(cast, &copied, "interpretation", VIPS_INTERPRETATION_sRGB, NULL)) goto done;
    *out = vips_image_copy_memory(copied);
    g_object_unref(copied);
    result = *out ? 0 : -1;
done:
    VIPS_UNREF(black); VIPS_UNREF(filled); VIPS_UNREF(cast);
    return result;
}

int pp_vips_draw_rect(VipsImage *image, const double *ink, int n, int left, int top, int width, int height) {
    return vips_draw_rect(image, (double *)ink, n, left, top, width, height, "fill", TRUE, NULL);
}

int pp_vips_set_int(VipsImage *in, VipsImage **out, const char *name, int value) {
    if (vips_copy(in, out, NULL)) return -1;
    vips_image_set_int(*out, name, value);
    return 0;
}

int pp_vips_gifsave_buffer(VipsImage *in, void **buf, size_t *len, int page_height) {
    VipsImage *copy = NULL;
    if (vips_copy(in, &copy, NULL)) return -1;
    vips_image_set_int(copy, VIPS_META_PAGE_HEIGHT, page_height);
    int result = vips_gifsave_buffer(copy, buf, len, NULL);
    g_object_unref(copy);
    return result;
}

int pp_vips_pngsave16_buffer(VipsImage *in, void **buf, size_t *len) {
    return vips_pngsave_buffer(in, buf, len, "bitdepth", 16, NULL);
}

int pp_vips_copy_interpretation(VipsImage *in, VipsImage **out, int interpretation) {
    return vips_copy(in, out, "interpretation", interpretation, NULL);
}

int pp_vips_rot(VipsImage *in, VipsImage **out, int angle) { return vips_rot(in, out, (VipsAngle)angle, NULL); }

int pp_vips_flip(VipsImage *in, VipsImage **out, int direction) {
    return vips_flip(in, out, (VipsDirection)direction, NULL);
}

int pp_vips_decode_buffer(const void *buf, size_t len, VipsImage **out) {
    VipsImage *lazy = vips_image_new_from_buffer(buf, len, "", NULL);
    if (!lazy) return -1;
    *out = vips_image_copy_memory(lazy);
    g_object_unref(lazy);
    return *out ? 0 : -1;
}
