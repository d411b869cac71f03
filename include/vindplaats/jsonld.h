/* jsonld.h - the schema.org JSON-LD connector (and sitemaps).
 *
 * Part of the indexer library (vindplaats_indexer). */
#ifndef VINDPLAATS_INDEXER_JSONLD_H
#define VINDPLAATS_INDEXER_JSONLD_H

#include <stddef.h>

#include "vindplaats/connector.h"
#include "vindplaats/status.h"

/* Most bytes of one JSON-LD document or HTML page accepted. */
#define VP_JSONLD_MAX_BYTES (32u * 1024 * 1024)

/* A JSON-LD document (object, array, or {"@graph": [...]}) or an HTML page
 * with <script type="application/ld+json"> blocks (any number; attribute
 * quoting and case vary; a broken block is rejected with its position and
 * the others continue). page_url resolves relative urls and is the
 * fallback url.
 * Events (any "*Event" type), Course / CourseInstance, Book and Audiobook
 * items at the top level, in "@graph", or as the mainEntity of a top-level
 * page become records; other types are skipped silently. Returns
 * VP_ERR_INVALID (*err, may be NULL, with the path "line L, column C") when a JSON document
 * does not parse or the input is neither JSON nor HTML, VP_ERR_TOO_BIG
 * over VP_JSONLD_MAX_BYTES, VP_ERR_NOMEM. */
vp_status vp_jsonld_parse(const char *data, size_t len, const char *page_url,
                          const vp_emit *emit, vp_error *err);

/* URLs listed by a sitemap (<urlset><url><loc>, and
 * <sitemapindex><sitemap><loc> reported with is_index=1) or by a plain
 * text list (one URL per line, '#' comments; lines that are not http(s)
 * URLs are skipped). on_url returns 0 to go on, non-zero to stop (then
 * VP_OK is returned at once). VP_ERR_INVALID with *err (may be NULL) when the XML does
 * not parse or its root is neither urlset nor sitemapindex; VP_ERR_NOMEM. */
vp_status vp_sitemap_parse(const char *data, size_t len,
                           int (*on_url)(void *ctx, const char *url, int is_index),
                           void *ctx, vp_error *err);

#endif
