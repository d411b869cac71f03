/* status.c - names of the status codes, and failing with detail (see
 * status.h). */
#include "vindplaats/status.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "vindplaats/buf.h"

const char *vp_status_str(vp_status st)
{
    switch (st) {
    case VP_OK: return "ok";
    case VP_ERR_INVALID: return "invalid input";
    case VP_ERR_NOT_FOUND: return "not found";
    case VP_ERR_NOMEM: return "out of memory";
    case VP_ERR_IO: return "input/output error";
    case VP_ERR_LOCKED: return "index locked by another writer";
    case VP_ERR_INDEX: return "index error";
    case VP_ERR_MODIFIED: return "index modified during the operation";
    case VP_ERR_TOO_BIG: return "input too large";
    case VP_ERR_INTERNAL: return "internal error";
    case VP_ERR_DENIED: return "access denied";
    }
    return "unknown status";
}

vp_status vp_fail(char **errmsg, vp_status st, const char *fmt, ...)
{
    if (!errmsg)
        return st;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return st;
    char *m = malloc((size_t)n + 1);
    if (!m)
        return st;
    va_start(ap, fmt);
    vsnprintf(m, (size_t)n + 1, fmt, ap);
    va_end(ap);
    *errmsg = m;
    return st;
}

vp_status vp_fail_at(char **errmsg, vp_status st, const vp_where *at, const char *fmt, ...)
{
    if (!errmsg)
        return st;
    vp_buf b;
    vp_buf_init(&b, (size_t)-1 / 2);
    vp_status bst = vp_buf_where(&b, at);
    if (bst == VP_OK) {
        va_list ap;
        va_start(ap, fmt);
        bst = vp_buf_vprintf(&b, fmt, ap);
        va_end(ap);
    }
    char *m = bst == VP_OK ? vp_buf_steal(&b) : NULL;
    vp_buf_free(&b);
    if (m)
        *errmsg = m;
    return st;
}
