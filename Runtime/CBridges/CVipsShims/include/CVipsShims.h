// Non-variadic wrappers around the libvips calls PixelPipe needs: the vips_* operations take
// optional arguments as NULL-terminated varargs, which Swift cannot call.
#ifndef PIXELPIPE_CVIPS_SHIMS_H
#define PIXELPIPE_CVIPS_SHIMS_H

#include <vips/vips.h>

/// Initialises libvips once; returns 0 on success.
int pp_vips_init(const char *argv0);
/// The libvips version, e.g. "8.14.1".
const char *pp_vips_version(void);

#endif
