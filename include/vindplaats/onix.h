/* onix.h - ONIX for Books messages as records (the e-book and audiobook
 * platforms' catalogue feeds).
 *
 * Part of the indexer library (vindplaats_indexer).
 * Reads ONIX 3.0 (and 3.1) and 2.1, with reference
 * tags (<Product>, <ProductForm>) or short tags (<product>, <b012>), with
 * or without a namespace, with or without a UTF-8 BOM, through the safe
 * reader of xml.h. Knows nothing of HTTP or the index. */
#ifndef VINDPLAATS_INDEXER_ONIX_H
#define VINDPLAATS_INDEXER_ONIX_H

#include <stddef.h>

#include "vindplaats/connector.h"
#include "vindplaats/status.h"

/* Emits each <Product> as a record: local_id = RecordReference (else its
 * ISBN-13); "_format" from ProductForm and ProductFormDetail (2.1 also
 * EpubType): book, ebook or audiobook; "title" (distinctive title with
 * its prefix), "subtitle" appended after ": "; "creators" and
 * "contributors" ({name, role}); "subjects" (heading text, else the
 * scheme and code: "BISAC FIC022000", "Thema FFP", "NUR 301"; keywords
 * split); "isbn" (ISBN-13, ISBN-10, GTIN-13 of books); "language"
 * (language of text, else the header's default); "description" (the
 * description text, HTML and XHTML reduced to text); "publisher";
 * "published" (publication date); "price" (EUR first, else the first
 * price with a currency); "availability"; "url" (a product web page).
 * A product with NotificationType 05 is emitted as deleted. A product
 * that cannot be used (no title, no reference, not a book, e-book or
 * audiobook) is rejected with "product N (line L)". A message that
 * breaks off keeps the products before the break and reports the break
 * (emit->broken, else emit->reject) with its line and column.
 * Returns VP_ERR_INVALID with *err (may be NULL; the path "line L, column
 * C") when the bytes are not XML or not ONIX; VP_ERR_TOO_BIG; VP_ERR_NOMEM. */
vp_status vp_onix_parse(const char *data, size_t len, const vp_emit *emit, vp_error *err);

#endif
