/* marc.h - MARCXML records as offering fields (catalogue titles, e-books,
 * audiobooks).
 *
 * Part of the indexer library (vindplaats_indexer).
 * vp_marc_fields() maps one MARC 21 <record> element
 * (any namespace prefix) the way library catalogues read it; the OAI-PMH
 * connector uses it for metadataPrefix marc21/marcxml, and
 * vp_marcxml_parse() reads a whole MARCXML file. ISBNs and language codes
 * are read by the helpers every connector shares (connector.h). */
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
 * "audiobook" from leader/06, 007/00, 006/00 and 245 $h) into *out (a new
 * reference). VP_ERR_INVALID with *err (may be NULL) when the record has
 * no usable title (no 245 $a/$b/$k), VP_ERR_NOMEM; *out is then NULL. */
vp_status vp_marc_fields(xmlNodePtr record, json_t **out, vp_error *err);

/* The trimmed text of the record's first controlfield `tag` ("001"),
 * malloc()ed, or NULL when it has none (or out of memory). */
char *vp_marc_control(xmlNodePtr record, const char *tag);

/* 1 when the record is a MARC holdings record (leader/06 x, y, v, u). */
int vp_marc_is_holdings(xmlNodePtr record);

/* Where copies stand, from the record's 852 fields (each one place) and
 * 866 (textual holdings, a note on the first place): an array of
 * {"branch_name", "call_number", "shelf", "note", "_match": [$b, $a]}
 * ("_match": the texts normalisation matches against the network's
 * branch ids, names and aliases), or an empty array. NULL when out of
 * memory. */
json_t *vp_marc_holdings(xmlNodePtr record);

typedef struct vp_marc_options {
    /* The charset of ISO 2709 records ("marc8", "utf-8", "iso-8859-1",
     * any name yaz_iconv knows), or NULL: leader/09 'a' is UTF-8, blank
     * is MARC-8 unless the record is valid UTF-8 with multi-byte
     * characters and no MARC-8 escapes (the common mislabelled export). */
    const char *encoding;
} vp_marc_options;

/* Reads a MARC file: ISO 2709 (binary MARC, through YAZ, converted to
 * UTF-8) or MARCXML, told apart by its first bytes. Bibliographic records
 * are mapped as vp_marc_fields() does, with "holdings" from their 852/866
 * and from the holdings records (leader/06 x, y, v, u) in the same file
 * whose 004 names their 001. A holdings record whose bibliographic record
 * is not in the file goes to emit->holding (the harvester keeps it until
 * the record arrives), else it is rejected. A damaged record (a leader
 * that is not one, a record YAZ cannot read) is rejected with its number
 * and byte offset, "record 3 (byte 2210)", and reading goes on at the
 * next record terminator. A MARCXML file that breaks off keeps the
 * records before the break (emit->broken). Returns VP_ERR_INVALID with
 * *err (may be NULL) when the bytes are neither; VP_ERR_TOO_BIG over
 * VP_XML_MAX_BYTES; VP_ERR_NOMEM. `opt` may be NULL. */
vp_status vp_marc_parse(const char *data, size_t len, const vp_marc_options *opt,
                        const vp_emit *emit, vp_error *err);

/* Reads a MARCXML <collection> (or a single <record>) and emits each record
 * with local_id = its 001 control number (else "record N"). Records without
 * a title are rejected with their position. Returns VP_OK, or
 * VP_ERR_INVALID with *err (may be NULL; the path "line L, column C") when
 * the bytes are not XML or not MARCXML, VP_ERR_NOMEM. */
vp_status vp_marcxml_parse(const char *body, size_t len, const vp_emit *emit, vp_error *err);

#endif
