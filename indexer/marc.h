/* marc.h - MARCXML records as offering fields (catalogue titles, e-books,
 * audiobooks).
 *
 * Private to indexer/. vp_marc_fields() maps one MARC 21 <record> element
 * (any namespace prefix) the way library catalogues read it; the OAI-PMH
 * connector uses it for metadataPrefix marc21/marcxml, and
 * vp_marcxml_parse() reads a whole MARCXML file. The two small helpers for
 * ISBNs and language codes are shared with the oai_dc mapping (oai.c). */
#ifndef VINDPLAATS_INDEXER_MARC_H
#define VINDPLAATS_INDEXER_MARC_H

#include <stddef.h>
#include <jansson.h>
#include <libxml/tree.h>

#include "vindplaats/connector.h"
#include "vindplaats/status.h"

/* The offering fields of one MARC <record> element: "title" (245 $a $b $n
 * $p, ISBD end punctuation trimmed), "creators" (100/110/700/710 $a),
 * "subjects" (650 $a -- $x, 600/651/655 $a), "isbn" (020 $a, checked),
 * "language" (008/35-37, else 041 $a, as ISO 639-1), "description" (520
 * $a), "url" (856 $u, http/https) and "_format" ("book", "ebook",
 * "audiobook" from leader/06, 007/00, 006/00 and 245 $h). Returns a new
 * reference, or NULL with *why (malloc()ed, may be NULL when out of memory
 * too) when the record has no usable title (no 245 $a/$b/$k) or memory ran
 * out. */
json_t *vp_marc_fields(xmlNodePtr record, char **why);

/* Reads a MARCXML <collection> (or a single <record>) and emits each record
 * with local_id = its 001 control number (else "record N"). Records without
 * a title are rejected with their position. Returns VP_OK, or
 * VP_ERR_INVALID with *errmsg "line L, column C: ..." when the bytes are
 * not XML or not MARCXML, VP_ERR_NOMEM. */
vp_status vp_marcxml_parse(const char *body, size_t len, const vp_emit *emit, char **errmsg);

/* The ISBN written in `s` (hyphens and spaces kept, surrounding blanks and
 * a leading "urn:isbn:" or "ISBN" removed), malloc()ed, or NULL when `s`
 * holds no ISBN-10/13 with a correct check digit (or memory ran out).
 * With `allow_qualifier`, text after the number ("(pbk.)", ": EUR 12.50")
 * is cut off; without it the number must be all there is. */
char *vp_marc_isbn_dup(const char *s, int allow_qualifier);

/* The ISO 639-1 code (a static string) for a language code or name:
 * ISO 639-2/B, 639-2/T, 639-3 for the common languages, 639-1 itself,
 * "nl-NL"/"en_GB" forms and English and Dutch names ("Dutch",
 * "Nederlands", "Engels"). NULL when it cannot be mapped. */
const char *vp_marc_language(const char *s);

#endif
