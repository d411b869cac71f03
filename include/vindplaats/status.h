/* status.h - the error convention shared by every Vindplaats module.
 *
 * A fallible function returns a vp_status (VP_OK is 0) and, when it has
 * more to say, takes a `vp_error *err` (may be NULL) that it fills on
 * failure only, with vp_error_set: the status, the message, and the place
 * as fields -- the request parameter refused, the file and line read, the
 * path of a value inside a file, record or request body. Callers read the
 * fields; nobody parses the text. The caller starts from VP_ERROR_INIT and
 * calls vp_error_clear when done. The one text form, for logs and the
 * command line, is vp_error_text ("FILE:LINE: PATH: message"); the one
 * JSON form, for the API's 4xx and 5xx bodies, is vp_error_json
 * ({"code","message","parameter"}).
 *
 * A function returning int reports a fact, never a failure: a predicate
 * (1/0), a count, or a value of its own (a YYYYMMDD day, an SRU
 * diagnostic number). A function that can fail (an allocation, I/O) never
 * returns void. */
#ifndef VINDPLAATS_STATUS_H
#define VINDPLAATS_STATUS_H

#include <stdio.h>

#ifdef __cplusplus
#define VP_NOEXCEPT noexcept
extern "C" {
#else
#define VP_NOEXCEPT
#endif

/* Checks a function's printf-style format string (parameter `f`) against
 * its arguments (from parameter `a`), where the compiler can. */
#ifdef __GNUC__
#define VP_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define VP_PRINTF(f, a)
#endif

typedef enum vp_status {
    VP_OK = 0,
    VP_ERR_INVALID,   /* bad input: a record, a parameter, a query */
    VP_ERR_NOT_FOUND, /* no such offering, key or file */
    VP_ERR_NOMEM,     /* an allocation failed */
    VP_ERR_IO,        /* a file or the index could not be read or written */
    VP_ERR_LOCKED,    /* another process holds the index's write lock */
    VP_ERR_INDEX,     /* any other error reported by the index library */
    VP_ERR_MODIFIED,  /* the index changed under a reader twice in a row */
    VP_ERR_TOO_BIG,   /* input exceeded a hard limit */
    VP_ERR_INTERNAL,  /* a bug: an invariant did not hold */
    VP_ERR_DENIED     /* credentials given but not accepted (an API key not in the set) */
} vp_status;

/* A short constant English description of `st`; never NULL. */
const char *vp_status_str(vp_status st) VP_NOEXCEPT;

/* Where a problem is, kept as fields until the message is written: the
 * file read and its line (0: the file as a whole), the path of a value
 * inside it, a record or a request body ("offerings[3].start",
 * "[source x]"), and the request parameter refused. A part that does not
 * apply is NULL or 0. */
typedef struct vp_where {
    const char *file;
    unsigned line;
    const char *path;
    const char *parameter;
} vp_where;

/* What went wrong. Every string is malloc()ed and owned by the vp_error;
 * a part that does not apply is NULL or 0. `code` (static, may be NULL)
 * is the word an API reply names the error by ("unknown_parameter"); when
 * NULL vp_error_code derives it. A check that finds several problems
 * (a configuration, a network file) keeps the first in the fields and
 * the others, each with its own place, in `next` (vp_error_add). */
typedef struct vp_error {
    vp_status status;  /* VP_OK: nothing went wrong */
    const char *code;
    char *message;     /* what is wrong, without the place */
    char *parameter;   /* the request parameter refused */
    char *file;        /* the file read */
    unsigned line;     /* its line; 0: the file as a whole */
    char *path;        /* the value inside the file, record or body */
    struct vp_error *next; /* the next problem, or NULL */
} vp_error;

#define VP_ERROR_INIT {VP_OK, NULL, NULL, NULL, NULL, 0, NULL, NULL}

/* The one way to fail with detail: fills *err (when err is not NULL;
 * whatever it held is replaced) with `st`, the place `at` (may be NULL)
 * and the printf-formatted message, and returns `st`. When memory runs out
 * a part may be missing; status is set and `st` returned all the same. */
vp_status vp_error_set(vp_error *err, vp_status st, const vp_where *at, const char *fmt, ...)
    VP_NOEXCEPT VP_PRINTF(4, 5);

/* One more problem for a check that reports every problem it finds: the
 * first fills *err as vp_error_set does, each later one is appended to
 * the `next` list. Returns `st`; VP_ERR_NOMEM when the problem could not
 * be kept. */
vp_status vp_error_add(vp_error *err, vp_status st, const vp_where *at, const char *fmt, ...)
    VP_NOEXCEPT VP_PRINTF(4, 5);

/* Moves every problem of `more` to the end of *err's list (`more` is left
 * cleared); VP_ERR_NOMEM when it could not, `more` then cleared all the
 * same. */
vp_status vp_error_append(vp_error *err, vp_error *more) VP_NOEXCEPT;

/* Frees what *err holds and sets it back to VP_ERROR_INIT (NULL: nothing). */
void vp_error_clear(vp_error *err) VP_NOEXCEPT;

/* The word an API reply names `err` by: its `code` when set, else
 * "invalid_parameter" for a refused parameter, else one per status
 * ("invalid", "not_found", "unavailable", "internal_error", ...). */
const char *vp_error_code(const vp_error *err) VP_NOEXCEPT;

/* The one text form, malloc()ed (NULL when memory runs out):
 * "FILE:LINE: PATH: message", leaving out the parts `err` does not have;
 * the status's own words when there is no message; one line per problem
 * when there are several. */
char *vp_error_text(const vp_error *err) VP_NOEXCEPT;

/* Writes "PREFIX: " (when `prefix` is not NULL), the text form and a line
 * end to `out`: how a program reports an error it stops on. VP_ERR_IO
 * when it could not be written. */
vp_status vp_error_print(FILE *out, const char *prefix, const vp_error *err) VP_NOEXCEPT;

/* The one JSON form, a new reference (NULL when memory runs out):
 * {"code":..., "message":..., "parameter":...}; "parameter" and "path"
 * only when set; of the first problem when there are several. The file and line read stay out: they are the server's
 * own, not the client's. */
struct json_t *vp_error_json(const vp_error *err) VP_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif
