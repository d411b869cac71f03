/* structured.h - structured queries: a boolean tree of field/value nodes
 * searched in the index, for clients that say which field each word is for
 * (SRU with CQL; see docs/api.md). The JSON API's free-text query is
 * search.h; both read the same index, analyse words the same way and hide
 * what has ended the same way.
 *
 * The caller builds and owns the tree (nodes and strings are borrowed).
 * vp_sq_search() returns a result the caller owns and frees with
 * vp_sq_result_destroy(). */
#ifndef VINDPLAATS_STRUCTURED_H
#define VINDPLAATS_STRUCTURED_H

#include <stddef.h>
#include <stdint.h>
#include "vindplaats/index.h"
#include "vindplaats/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VP_SQ_MAX_DEPTH 64    /* nested booleans */
#define VP_SQ_MAX_NODES 256   /* nodes of one tree */
#define VP_SQ_MAX_LIMIT 100   /* records per search */
#define VP_SQ_MAX_WINDOW 10000 /* offset + limit */

typedef enum vp_sq_kind {
    VP_SQ_TERM = 0,
    VP_SQ_AND,
    VP_SQ_OR,
    VP_SQ_NOT   /* left and not right */
} vp_sq_kind;

typedef enum vp_sq_field {
    VP_SQ_ANY = 0,      /* every text field (title, names, subjects, description, places) */
    VP_SQ_ALL_RECORDS,  /* every offering; text is ignored */
    VP_SQ_TITLE,
    VP_SQ_CREATOR,
    VP_SQ_SUBJECT,
    VP_SQ_DATE,         /* from_day/to_day: any occurrence in the range */
    VP_SQ_ISBN,         /* any form of ISBN-10 or ISBN-13 */
    VP_SQ_IDENTIFIER,   /* an offering id or an ISBN */
    VP_SQ_TYPE,
    VP_SQ_LIBRARY,
    VP_SQ_PROPOSITION,
    VP_SQ_MUNICIPALITY,
    VP_SQ_FIELD_COUNT
} vp_sq_field;

typedef enum vp_sq_match {
    VP_SQ_ALL_WORDS = 0, /* every word (text fields) or every value (others) */
    VP_SQ_ANY_WORD,      /* at least one */
    VP_SQ_PHRASE,        /* the words in this order (title and VP_SQ_ANY; all words elsewhere) */
    VP_SQ_EXACT          /* the value as one (phrase for text fields) */
} vp_sq_match;

typedef struct vp_sq_node {
    vp_sq_kind kind;
    /* VP_SQ_TERM */
    vp_sq_field field;
    vp_sq_match match;
    const char *text;      /* words or value; a word may end in '*' (text fields) */
    int from_day, to_day;  /* VP_SQ_DATE: YYYYMMDD, 0 for an open end (not both) */
    /* VP_SQ_AND, VP_SQ_OR, VP_SQ_NOT */
    const struct vp_sq_node *left, *right;
} vp_sq_node;

typedef struct vp_sq_options {
    uint64_t offset;   /* 0-based */
    unsigned limit;    /* 0: only count; at most VP_SQ_MAX_LIMIT */
    int include_past;  /* show offerings that have ended */
    int64_t now;       /* UTC seconds; 0: the clock */
} vp_sq_options;

/* Results are works, as in search.h: of the offerings sharing a work key
 * only the best-ranked is a record, and total counts works. */
typedef struct vp_sq_result {
    uint64_t total;
    char **records;    /* the offerings' JSON forms, best first */
    /* The same, parsed once by the engine (NULL where a stored form is not
     * JSON): owned by the result; read them instead of parsing records. */
    struct json_t **docs;
    size_t n_records;
} vp_sq_result;

/* The tree as one line of text ("and(title all \"klik\", library exact \"x\")"),
 * for logs and tests: malloc()ed, NULL when out of memory. */
char *vp_sq_describe(const vp_sq_node *root) VP_NOEXCEPT;

/* Searches `root`. VP_ERR_INVALID for a tree that breaks the rules above
 * (a date without bounds) or a bad window (err->parameter "limit" or
 * "offset"), VP_ERR_TOO_BIG past VP_SQ_MAX_DEPTH or VP_SQ_MAX_NODES; the
 * message in `err` (may be NULL, filled on failure only) says which. */
vp_status vp_sq_search(vp_index *idx, const vp_sq_node *root, const vp_sq_options *opt,
                       vp_sq_result **out, vp_error *err) VP_NOEXCEPT;
void vp_sq_result_destroy(vp_sq_result *res) VP_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif
