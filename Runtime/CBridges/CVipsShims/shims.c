#include "CVipsShims.h"

int pp_vips_init(const char *argv0) { return VIPS_INIT(argv0); }
const char *pp_vips_version(void) { return vips_version_string(); }
