/* web.h - text from the web, for every connector that reads pages or feeds
 * (feed, JSON-LD, ONIX): HTML to plain text, and URLs resolved against the
 * page they stand on.
 *
 * Part of the indexer library (vindplaats_indexer). */
#ifndef VINDPLAATS_INDEXER_WEB_H
#define VINDPLAATS_INDEXER_WEB_H

#include <stddef.h>
#include <libxml/HTMLparser.h>

/* `n` bytes of HTML (UTF-8) as libxml2's HTML parser reads them (broken
 * markup repaired, nothing fetched, no messages printed). Free with
 * xmlFreeDoc(); NULL when out of memory (or over 2 GB). */
htmlDocPtr vp_html_read(const char *s, size_t n);

/* The text of `n` bytes of HTML (UTF-8), read by vp_html_read(): tags
 * removed (script, style, template, noscript and head with their content,
 * comments), character references decoded (all of HTML's; 128-159 and raw
 * C1 characters read as Windows-1252, the way browsers do; a no-break
 * space as a space), block elements (p, br, div, li, h1-h6, tr, ...) made
 * line breaks before and after. Returns a malloc()ed string the caller
 * frees, or NULL when out of memory. */
char *vp_html_to_text(const char *s, size_t n);

/* 1 when `s` (after leading spaces) is an absolute http(s) URL with a host
 * and no blanks or control characters, as a record's url must be. */
int vp_is_http_url(const char *s);

/* `ref` resolved against `base` (either may be NULL) by libcurl's URL API
 * (RFC 3986): a malloc()ed absolute http(s) URL in libcurl's normal form
 * (scheme in lower case, dot segments removed, "/" for an empty path), or
 * NULL when no absolute http(s) URL results (or out of memory). Leading and
 * trailing white space is ignored; a reference containing spaces or
 * control characters gives NULL. */
char *vp_url_resolve(const char *base, const char *ref);

#endif
