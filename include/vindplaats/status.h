/* status.h - the error convention shared by every Vindplaats module.
 *
 * A fallible function returns a vp_status (VP_OK is 0). Detail, when the
 * function takes a `char **errmsg`, is a malloc()ed message stored there on
 * failure only (the pointer is left untouched on success); the caller frees
 * it with free(). Several problems are separated by newlines, each one
 * "path: message" where a path applies ("FILE:LINE: message" for a file,
 * "offerings[3].start: message" for a record). A request parameter that is
 * refused is a vp_param_error (search.h): the parameter, a code and the
 * message, kept apart so the server can name the field in its 4xx reply.
 *
 * A function returning int reports a fact, never a failure: a predicate
 * (1/0), a count, or a value of its own (a YYYYMMDD day, an SRU
 * diagnostic number). */
#ifndef VINDPLAATS_STATUS_H
#define VINDPLAATS_STATUS_H

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

/* The one way to report a failure with detail: sets *errmsg (when errmsg
 * is not NULL) to the printf-formatted message, malloc()ed, and returns
 * `st`. When memory runs out *errmsg is left untouched; `st` is returned
 * all the same. */
vp_status vp_fail(char **errmsg, vp_status st, const char *fmt, ...) VP_NOEXCEPT
#ifdef __GNUC__
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Where a problem is, kept as fields until the message is written: the
 * file read and its line (0: the file as a whole), and the path of a value
 * inside it, a record or a request ("offerings[3].start", "[source x]",
 * a parameter's name). A part that does not apply is NULL or 0. */
typedef struct vp_where {
    const char *file;
    unsigned line;
    const char *path;
} vp_where;

/* vp_fail with the place `at` (may be NULL) in front of the message, in
 * the one form: "FILE:LINE: PATH: message", leaving out the parts `at`
 * does not have ("FILE:LINE: message", "PATH: message"). */
vp_status vp_fail_at(char **errmsg, vp_status st, const vp_where *at, const char *fmt, ...)
    VP_NOEXCEPT VP_PRINTF(4, 5);

#ifdef __cplusplus
}
#endif
#endif
