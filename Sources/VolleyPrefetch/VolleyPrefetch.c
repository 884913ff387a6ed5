// Header-only module: see include/VolleyPrefetch.h. This file exists because SwiftPM needs one
// source file per C target.
#include "VolleyPrefetch.h"
