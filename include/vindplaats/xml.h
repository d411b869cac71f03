/* xml.h - reading untrusted XML (OAI-PMH, MARCXML, feeds, sitemaps) safely.
 *
 * Part of the indexer library (vindplaats_indexer).
 * Every connector that reads XML goes through
 * vp_xml_read(), which:
 *   - never touches the network or the file system (no DTD loading, no
 *     external entities, XML_PARSE_NONET) and refuses any document whose
 *     DTD declares entities (billion laughs, external entity files);
 *   - removes characters XML 1.0 forbids (C0 controls but tab, LF, CR;
 *     U+FFFE/U+FFFF; numeric references to them) before parsing, so one bad
 *     character in one record does not cost the page;
 *   - reads UTF-16 documents (by BOM or first bytes);
 *   - re-reads a document whose bytes lie about its charset (Windows-1252
 *     bytes in a document declared or defaulting to UTF-8), taking each
 *     invalid UTF-8 sequence as a Windows-1252 character.
 * Element lookups match local names and ignore namespaces, as harvesters
 * must (repositories disagree on prefixes and namespace URIs). */
#ifndef VINDPLAATS_INDEXER_XML_H
#define VINDPLAATS_INDEXER_XML_H

#include <stddef.h>
#include <libxml/tree.h>

#include "vindplaats/status.h"

/* Most bytes of one XML document accepted. */
#define VP_XML_MAX_BYTES (64u * 1024 * 1024)

/* Parses `len` bytes into *out (free it with xmlFreeDoc()). On failure
 * *out is NULL and *err (may be NULL) says why: VP_ERR_INVALID for a
 * document that is not well-formed, with the place in the bytes as the
 * path "line L, column C" (vp_xml_fail); VP_ERR_TOO_BIG over
 * VP_XML_MAX_BYTES; VP_ERR_NOMEM. *repaired (may be NULL) is set to 1 when
 * characters had to be removed or the charset was corrected. */
vp_status vp_xml_read(const char *data, size_t len, int *repaired, xmlDocPtr *out, vp_error *err);

/* As vp_xml_read(), but a document that breaks off (a truncated page) or
 * stops being well-formed (an unterminated tag) is still returned, as far
 * as libxml2's recover mode read it, with *broken filled (VP_ERR_INVALID,
 * path "line L, column C", the message) for the first error; *broken is
 * left VP_OK for a sound document (the caller clears it either way). Of a
 * broken document only the elements that vp_xml_complete() accepts are
 * whole: read records up to the first that is not. Fails as vp_xml_read()
 * when nothing usable is left (no root element, entities declared, over
 * the size limit). */
vp_status vp_xml_read_partial(const char *data, size_t len, int *repaired, xmlDocPtr *out,
                              vp_error *broken, vp_error *err);

/* The one way a reader of XML (or of any text page) names a place in the
 * bytes it read: fills *err (may be NULL) as vp_error_set() with the path
 * "line L, column C" ("line L" when `column` is 0) and returns `st`. */
vp_status vp_xml_fail(vp_error *err, vp_status st, long line, long column, const char *fmt, ...)
    VP_PRINTF(5, 6);

/* 1 when the element's end tag was read before the document's first
 * error (every element of a sound document). */
int vp_xml_complete(xmlNodePtr node);

/* The first element child of `node` with local name `name`, or NULL. */
xmlNodePtr vp_xml_child(xmlNodePtr node, const char *name);
/* The next element sibling after `node` with local name `name` (NULL: any). */
xmlNodePtr vp_xml_next(xmlNodePtr node, const char *name);
/* 1 when `node` is an element with local name `name`. */
int vp_xml_is(xmlNodePtr node, const char *name);
/* The text content of `node` (all descendant text), malloc()ed, or NULL
 * for a NULL node or when memory ran out. Free with free(). */
char *vp_xml_text(xmlNodePtr node);
/* The value of attribute `name` (no namespace), malloc()ed, or NULL. */
char *vp_xml_attr(xmlNodePtr node, const char *name);

#endif
