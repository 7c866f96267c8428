/* json_internal.h — the one strict JSON reader every JSON the project reads
 * goes through (sweep specs, model and VAE metadata, ginv.problem, result
 * files): cJSON's parser, the whole text consumed (trailing white space
 * only), and no object may repeat a key (cJSON would keep both and lookups
 * would silently take the first). Not part of the public API. */
#ifndef GINV_JSON_INTERNAL_H
#define GINV_JSON_INTERNAL_H

#include "ginv.h"

#include <cjson/cJSON.h>

/* Parse text[0..len) (len (size_t)-1: up to the NUL) into *out (free with
 * cJSON_Delete). On failure *out is NULL and the message starts with `what`
 * (e.g. "sweep spec 'grid.json'", "__metadata__[\"ginv\"]"): "WHAT is not
 * valid JSON (near byte N of M)", "WHAT has bytes after its JSON value, at
 * byte N", or "WHAT has key \"K\" twice in PATH; JSON keys must be unique"
 * (PATH: "the top-level object", "object \"grid\"", "object \"layers\"[2]");
 * GINV_ERR_FORMAT. */
ginv_status ginv_json_parse_strict(const char *text, size_t len, const char *what, cJSON **out);

/* The duplicate-key walk alone, over a tree already parsed; the message as
 * above. */
ginv_status ginv_json_check_unique(const cJSON *root, const char *what);

#endif
