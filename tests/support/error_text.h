/* error_text.h - a failure in the one text form (vp_error_text), for the
 * checks that compare a whole message (header-only, like check.h).
 * Each *_text function calls its vp_ function with a vp_error and sets
 * *msg (may be NULL) to the text of the failure, malloc()ed, or NULL on
 * VP_OK. Checks on the place of a failure read the vp_error's fields
 * instead (file, line, path). connector_text.h does the same for the
 * connectors' parsers. */
#ifndef VINDPLAATS_ERROR_TEXT_H
#define VINDPLAATS_ERROR_TEXT_H

#include <stdlib.h>

#include "vindplaats/offering.h"
#include "vindplaats/status.h"

/* Hands the text of *e (when `st` failed) to *msg and clears *e. */
static inline vp_status error_text_of(vp_error *e, vp_status st, char **msg)
{
    if (msg)
        *msg = st != VP_OK ? vp_error_text(e) : NULL;
    vp_error_clear(e);
    return st;
}

static inline vp_status offering_parse_text(const char *json, size_t len, const vp_vocabulary *voc,
                                            vp_offering **out, char **msg)
{
    vp_error e = VP_ERROR_INIT;
    return error_text_of(&e, vp_offering_parse(json, len, voc, out, &e), msg);
}

static inline vp_status offering_from_json_text(struct json_t *root, const vp_vocabulary *voc,
                                                vp_offering **out, char **msg)
{
    vp_error e = VP_ERROR_INIT;
    return error_text_of(&e, vp_offering_from_json(root, voc, out, &e), msg);
}

#endif
