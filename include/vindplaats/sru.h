/* sru.h - SRU 1.2 and 2.0 (Search/Retrieve via URL) over the index, for
 * library clients: explain, and searchRetrieve with CQL queries parsed by
 * YAZ's CQL parser and mapped onto a structured query (structured.h).
 * docs/api.md lists the indexes, relations, schemas and diagnostics.
 *
 * A request is read once (vp_sru_request_parse*), which settles the
 * version, the operation, every parameter and the query, or the diagnostic
 * that answers it; vp_sru_respond() writes the XML answer. Errors of the
 * request are SRU diagnostics in the answer, never a vp_status. */
#ifndef VINDPLAATS_SRU_H
#define VINDPLAATS_SRU_H

#include <stddef.h>
#include <stdint.h>
#include "vindplaats/index.h"
#include "vindplaats/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VP_SRU_DEFAULT_RECORDS 10
#define VP_SRU_MAX_RECORDS 100     /* maximumRecords above it is lowered to it */
#define VP_SRU_MAX_QUERY 4096      /* bytes of CQL */
#define VP_SRU_MAX_PARAMS 64

typedef struct vp_sru_request vp_sru_request;

/* From `n` decoded parameters (a GET query or a POST form; a later value
 * of a repeated name wins). VP_ERR_NOMEM only; the caller owns *out. */
vp_status vp_sru_request_parse(const char *const *names, const char *const *values, size_t n,
                               vp_sru_request **out) VP_NOEXCEPT;
/* The same from an application/x-www-form-urlencoded body of `len` bytes. */
vp_status vp_sru_request_parse_form(const char *form, size_t len,
                                    vp_sru_request **out) VP_NOEXCEPT;
void vp_sru_request_destroy(vp_sru_request *rq) VP_NOEXCEPT;

/* The answering version: 12 (SRU 1.2, also for 1.1) or 20 (SRU 2.0). */
int vp_sru_request_version(const vp_sru_request *rq) VP_NOEXCEPT;
/* 1 for searchRetrieve, 0 for explain. */
int vp_sru_request_is_search(const vp_sru_request *rq) VP_NOEXCEPT;
/* The diagnostic that answers the request (info:srw/diagnostic/1/N), 0 when
 * none; *details (borrowed, may be NULL) says which parameter or term. */
int vp_sru_request_diagnostic(const vp_sru_request *rq, const char **details) VP_NOEXCEPT;
/* The mapped query as vp_sq_describe() writes it: malloc()ed; NULL without
 * a query (or out of memory). */
char *vp_sru_request_describe(const vp_sru_request *rq) VP_NOEXCEPT;

typedef struct vp_sru_context {
    const char *host;   /* for the explain record; NULL: "localhost" */
    unsigned port;      /* 0: 80 */
    int64_t now;        /* UTC seconds; 0: the clock */
} vp_sru_context;

/* The XML answer: *body malloc()ed (*len bytes, NUL-terminated). `idx`
 * may be NULL for a request that needs no search (explain, a diagnostic);
 * a search without one answers diagnostic 1. VP_ERR_NOMEM only. */
vp_status vp_sru_respond(vp_index *idx, const vp_sru_request *rq, const vp_sru_context *ctx,
                         char **body, size_t *len) VP_NOEXCEPT;

/* The answer to a request the server refused before reading it (a
 * parameter whose bytes are not UTF-8 or hold a control character):
 * diagnostic 6 naming `parameter`, in a searchRetrieve answer of the major
 * version `version` asks for (NULL: 2.0), since SRU answers every problem
 * inside the protocol. *body as for vp_sru_respond. VP_ERR_NOMEM only. */
vp_status vp_sru_refused(const char *version, const char *parameter, char **body,
                         size_t *len) VP_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif
