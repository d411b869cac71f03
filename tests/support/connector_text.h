/* connector_text.h - the connectors' parsers with their failure in the
 * one text form, as error_text.h does for the offering (header-only). */
#ifndef VINDPLAATS_CONNECTOR_TEXT_H
#define VINDPLAATS_CONNECTOR_TEXT_H

#include "error_text.h"
#include "vindplaats/address.h"
#include "vindplaats/csv.h"
#include "vindplaats/feed.h"
#include "vindplaats/fetch.h"
#include "vindplaats/ical.h"
#include "vindplaats/jsonld.h"
#include "vindplaats/marc.h"
#include "vindplaats/normalise.h"
#include "vindplaats/onix.h"

static inline vp_status csv_options_from_text(vp_csv_options *opt, const char *const *keys,
                                              const char *const *values, size_t n, char **msg)
{
    vp_error e = VP_ERROR_INIT;
    return error_text_of(&e, vp_csv_options_from(opt, keys, values, n, &e), msg);
}

static inline vp_status csv_parse_text(const char *data, size_t len, const vp_csv_options *opt,
                                       const vp_emit *emit, char **msg)
{
    vp_error e = VP_ERROR_INIT;
    return error_text_of(&e, vp_csv_parse(data, len, opt, emit, &e), msg);
}

static inline vp_status feed_parse_text(const char *data, size_t len, const char *url,
                                        const vp_emit *emit, char **msg)
{
    vp_error e = VP_ERROR_INIT;
    return error_text_of(&e, vp_feed_parse(data, len, url, emit, &e), msg);
}

static inline vp_status jsonld_parse_text(const char *data, size_t len, const char *url,
                                          const vp_emit *emit, char **msg)
{
    vp_error e = VP_ERROR_INIT;
    return error_text_of(&e, vp_jsonld_parse(data, len, url, emit, &e), msg);
}

static inline vp_status sitemap_parse_text(const char *data, size_t len,
                                           int (*on_url)(void *ctx, const char *url, int is_index),
                                           void *ctx, char **msg)
{
    vp_error e = VP_ERROR_INIT;
    return error_text_of(&e, vp_sitemap_parse(data, len, on_url, ctx, &e), msg);
}

static inline vp_status marc_parse_text(const char *data, size_t len, const vp_marc_options *opt,
                                        const vp_emit *emit, char **msg)
{
    vp_error e = VP_ERROR_INIT;
    return error_text_of(&e, vp_marc_parse(data, len, opt, emit, &e), msg);
}

static inline vp_status onix_parse_text(const char *data, size_t len, const vp_emit *emit,
                                        char **msg)
{
    vp_error e = VP_ERROR_INIT;
    return error_text_of(&e, vp_onix_parse(data, len, emit, &e), msg);
}

static inline vp_status ical_parse_text(const char *data, size_t len, const vp_ical_options *opt,
                                        const vp_emit *emit, char **msg)
{
    vp_error e = VP_ERROR_INIT;
    return error_text_of(&e, vp_ical_parse(data, len, opt, emit, &e), msg);
}

static inline vp_status normalise_text(const vp_normaliser *n, const vp_source *src,
                                       const char *local_id, json_t *fields, vp_offering **out,
                                       char **msg)
{
    vp_error e = VP_ERROR_INIT;
    return error_text_of(&e, vp_normalise(n, src, local_id, fields, out, &e), msg);
}

static inline vp_status fetch_text(const char *url, const vp_fetch_options *opt, const char *etag,
                                   const char *last_modified, vp_fetch_result *out, char **msg)
{
    vp_error e = VP_ERROR_INIT;
    return error_text_of(&e, vp_fetch(url, opt, etag, last_modified, out, &e), msg);
}

static inline vp_status address_allow_parse_text(const char *text, vp_address_allow *out, char **msg)
{
    vp_error e = VP_ERROR_INIT;
    return error_text_of(&e, vp_address_allow_parse(text, out, &e), msg);
}

#endif
