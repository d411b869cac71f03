/* feed.h - the RSS / Atom connector, and the web-text helpers the
 * connectors that read web pages share (HTML to text, URL resolution).
 *
 * Private to indexer/. */
#ifndef VINDPLAATS_INDEXER_FEED_H
#define VINDPLAATS_INDEXER_FEED_H

#include <stddef.h>

#include "vindplaats/connector.h"
#include "vindplaats/status.h"

/* An RSS 2.0 (also 0.9x/1.0 RDF) or Atom feed of agenda items. Each
 * item/entry -> a record: local_id = guid / atom id (RSS 1.0: rdf:about),
 * else link, else a hash of title (without a title: of the description);
 * an item with none of these is rejected; title; description/summary/content (HTML tags stripped,
 * entities decoded, block tags to line breaks) -> description; link (Atom:
 * rel=alternate or no rel) -> url resolved against feed_url;
 * category/term -> _categories; author/dc:creator -> creators;
 * pubDate/updated/published -> updated (RFC 822 dates with named zones like
 * GMT, CET, +0100 -> ISO with offset); event dates if present in common
 * extensions (ev:startdate/ev:enddate of the RSS event module, xCal
 * dtstart, or schema-like <startDate>) -> start/end and occurrence.
 * Returns VP_ERR_INVALID with *errmsg (malloc()ed) when the document is not
 * XML or not a feed; VP_ERR_TOO_BIG over VP_XML_MAX_BYTES; VP_ERR_NOMEM.
 * `feed_url` may be NULL (relative links are then left out). */
vp_status vp_feed_parse(const char *data, size_t len, const char *feed_url,
                        const vp_emit *emit, char **errmsg);

/* The text of `n` bytes of HTML (UTF-8): tags removed (script and style
 * with their content, comments), character references decoded (numeric,
 * and the common named ones; 128-159 and raw C1 characters read as
 * Windows-1252, the way browsers do), block tags (p, br, div, li, h1-h6,
 * tr, ...) made line breaks. Returns a malloc()ed string the caller frees,
 * or NULL when out of memory. */
char *vp_html_to_text(const char *s, size_t n);

/* `ref` resolved against `base` (either may be NULL): a malloc()ed
 * absolute http(s) URL, or NULL when no absolute http(s) URL results (or
 * out of memory). Leading and trailing white space is ignored; a
 * reference containing spaces or control characters gives NULL. */
char *vp_url_resolve(const char *base, const char *ref);

/* The Unicode code point of Windows-1252 byte `b` (U+FFFD for the five
 * bytes it leaves undefined). */
unsigned vp_cp1252_char(unsigned char b);

/* A stable local id for a record that has none: "h-" and 16 hex digits of
 * a 64-bit FNV-1a hash of the NUL-separated parts. `out` needs 19 bytes. */
void vp_hash_id(char out[19], const char *const *parts, size_t n);

#endif
