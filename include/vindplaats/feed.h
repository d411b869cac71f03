/* feed.h - the RSS / Atom connector.
 *
 * Part of the indexer library (vindplaats_indexer). */
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
 * Returns VP_ERR_INVALID with *err (may be NULL) when the document is not
 * XML or not a feed; VP_ERR_TOO_BIG over VP_XML_MAX_BYTES; VP_ERR_NOMEM.
 * `feed_url` may be NULL (relative links are then left out). */
vp_status vp_feed_parse(const char *data, size_t len, const char *feed_url,
                        const vp_emit *emit, vp_error *err);

#endif
