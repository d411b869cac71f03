/* jsonld.h - the schema.org JSON-LD connector (and sitemaps), and the
 * Europe/Amsterdam local time rule every connector uses for date-times
 * written without an offset.
 *
 * Private to indexer/. */
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
 * VP_ERR_INVALID (*errmsg "line L, column C: ...") when a JSON document
 * does not parse or the input is neither JSON nor HTML, VP_ERR_TOO_BIG
 * over VP_JSONLD_MAX_BYTES, VP_ERR_NOMEM. */
vp_status vp_jsonld_parse(const char *data, size_t len, const char *page_url,
                          const vp_emit *emit, char **errmsg);

/* URLs listed by a sitemap (<urlset><url><loc>, and
 * <sitemapindex><sitemap><loc> reported with is_index=1) or by a plain
 * text list (one URL per line, '#' comments; lines that are not http(s)
 * URLs are skipped). on_url returns 0 to go on, non-zero to stop (then
 * VP_OK is returned at once). VP_ERR_INVALID with *errmsg when the XML does
 * not parse or its root is neither urlset nor sitemapindex; VP_ERR_NOMEM. */
vp_status vp_sitemap_parse(const char *data, size_t len,
                           int (*on_url)(void *ctx, const char *url, int is_index),
                           void *ctx, char **errmsg);

/* The UTC offset in minutes (60 or 120) of the wall-clock time y-mo-d h:mi
 * in Europe/Amsterdam: summer time from the last Sunday of March 01:00 UTC
 * to the last Sunday of October 01:00 UTC. A time in the skipped spring
 * hour gets +01:00; one in the repeated autumn hour the first (+02:00). */
int vp_amsterdam_offset_min(int y, int mo, int d, int h, int mi);

/* Writes into `out` (at least 32 bytes) the form of date or date-time `s`
 * the offering accepts: "YYYY-MM-DD" for a date, and
 * "YYYY-MM-DDThh:mm:ss+hh:mm" for a date-time, taking a date-time without
 * an offset as Europe/Amsterdam wall-clock time. Reads ISO 8601 extended
 * ("2026-12-03T19:30", "2026-12-03 19:30:00.000Z", "...+0100") and basic
 * ("20261203T193000Z", "20261203") forms. Returns 1 for a date-time, 0 for
 * a date, -1 when `s` is neither (or an impossible date or time). */
int vp_local_datetime(const char *s, char out[32]);

/* An amount from a price text: "13.00", "€ 5,00", "EUR 1.234,50",
 * "Gratis", "free", "0". The last '.' or ',' is the decimal separator.
 * Returns 0 and sets *amount, or -1 when `s` holds no amount. */
int vp_price_parse(const char *s, double *amount);

#endif
