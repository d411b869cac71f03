/* oai.h - OAI-PMH 2.0 responses as records (the parsers of the connector).
 *
 * Part of the indexer library (vindplaats_indexer).
 * These functions read the bytes of one response and
 * know nothing of HTTP: oai_harvest.c drives the protocol (Identify,
 * ListRecords, resumption tokens, checkpoints) through harvest.h and hands
 * each page here. Metadata is read as oai_dc or as MARCXML (marc.h),
 * chosen by what each record contains, whatever its namespace prefix. */
#ifndef VINDPLAATS_INDEXER_OAI_H
#define VINDPLAATS_INDEXER_OAI_H

#include <stddef.h>

#include "vindplaats/connector.h"
#include "vindplaats/status.h"

typedef struct vp_oai_identify {
    char *repository_name;
    char *granularity;        /* "YYYY-MM-DD" or "YYYY-MM-DDThh:mm:ssZ" */
    char *earliest_datestamp;
} vp_oai_identify;

/* Parses an Identify response into *out (owned by the caller: free with
 * vp_oai_identify_clear). Returns VP_ERR_INVALID with *err (may be NULL)
 * when the body is not XML, not an Identify response, an OAI error
 * ("OAI error badVerb: ..."), or its granularity or earliestDatestamp is
 * not a valid UTC datestamp, the place in the body as its path ("line L,
 * column C" or "line L"); VP_ERR_NOMEM. *out is zeroed on failure. */
vp_status vp_oai_parse_identify(const char *body, size_t len, vp_oai_identify *out, vp_error *err);
void vp_oai_identify_clear(vp_oai_identify *id);

typedef struct vp_oai_page {
    char *response_date;      /* as the repository wrote it (trimmed) */
    char *token;              /* resumption token, surrounding white space trimmed;
                                 NULL when the list ends (element missing or empty) */
    long complete_list_size;  /* -1 when not given */
    char *error_code;         /* OAI error code ("noRecordsMatch", ...) or NULL */
    char *error_message;
    size_t records, deleted, rejected;
    vp_error broken;          /* set (path "line L, column C", the message) when
                                 the page breaks off or stops being well-formed:
                                 the records before the break were emitted, the
                                 rest and the resumption token are lost; else
                                 VP_OK */
} vp_oai_page;

/* Parses a ListRecords (or GetRecord) response and emits each record
 * (local_id = the header's identifier) and each deleted header
 * (status="deleted", also without a datestamp). A record without
 * identifier or without usable metadata is rejected with its position
 * ("record oai:x:1" or "record 3 (line 40)"). An OAI error is not a
 * failure of this function: it returns VP_OK with page->error_code set.
 * Nor is a page that breaks off (truncated, an unterminated tag): the
 * complete records before the break are emitted, page->broken says where
 * it broke, and no token is read from it.
 * Returns VP_ERR_INVALID with *err (may be NULL; path "line L, column C")
 * when the page is not XML or not an OAI-PMH response; VP_ERR_NOMEM;
 * VP_ERR_TOO_BIG over VP_XML_MAX_BYTES. *page is the
 * caller's (free with vp_oai_page_clear) and filled as far as parsing got.
 * When emit->record or emit->deleted asks to stop, parsing stops (VP_OK). */
vp_status vp_oai_parse_page(const char *body, size_t len, const vp_emit *emit, vp_oai_page *page,
                            vp_error *err);
void vp_oai_page_clear(vp_oai_page *p);

/* A datestamp in the repository's granularity for the `from` argument,
 * malloc()ed: day granularity cuts "2026-11-28T10:00:00Z" to "2026-11-28",
 * second granularity gives "YYYY-MM-DDThh:mm:ssZ" (a fraction dropped, a
 * bare date completed with T00:00:00Z). NULL when `response_date` is not
 * a UTC datestamp, `granularity` is unknown, or memory ran out. */
char *vp_oai_from_value(const char *response_date, const char *granularity);

#endif
