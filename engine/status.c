/* status.c - names of the status codes, and the one error value: filling
 * it, clearing it, and writing it as text and as JSON (see status.h). */
#include "vindplaats/status.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* A malloc()ed copy of `s`; NULL for NULL (or when memory runs out). */
static char *copy(const char *s)
{
    return s ? strdup(s) : NULL;
}

static char *vformat(const char *fmt, va_list ap)
{
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    char *m = n < 0 ? NULL : malloc((size_t)n + 1);
    if (m)
        vsnprintf(m, (size_t)n + 1, fmt, again);
    va_end(again);
    return m;
}

void vp_error_clear(vp_error *err)
{
    if (!err)
        return;
    vp_error *next = err->next;
    while (next) {
        vp_error *after = next->next;
        next->next = NULL;
        vp_error_clear(next);
        free(next);
        next = after;
    }
    free(err->message);
    free(err->parameter);
    free(err->file);
    free(err->path);
    *err = (vp_error)VP_ERROR_INIT;
}

static vp_status error_vset(vp_error *err, vp_status st, const vp_where *at, const char *fmt,
                            va_list ap)
{
    if (!err)
        return st;
    vp_error_clear(err);
    err->status = st;
    err->message = vformat(fmt, ap);
    if (at) {
        err->file = copy(at->file);
        err->line = at->file ? at->line : 0;
        err->path = copy(at->path);
        err->parameter = copy(at->parameter);
    }
    return st;
}

vp_status vp_error_set(vp_error *err, vp_status st, const vp_where *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_vset(err, st, at, fmt, ap);
    va_end(ap);
    return st;
}

vp_status vp_error_add(vp_error *err, vp_status st, const vp_where *at, const char *fmt, ...)
{
    if (!err)
        return st;
    vp_error *e = err;
    if (err->status != VP_OK) {
        vp_error **tail = &err->next;
        while (*tail)
            tail = &(*tail)->next;
        e = malloc(sizeof *e);
        if (!e)
            return VP_ERR_NOMEM;
        *e = (vp_error)VP_ERROR_INIT;
        *tail = e;
    }
    va_list ap;
    va_start(ap, fmt);
    error_vset(e, st, at, fmt, ap);
    va_end(ap);
    return e->message ? st : VP_ERR_NOMEM;
}

vp_status vp_error_append(vp_error *err, vp_error *more)
{
    if (more->status == VP_OK)
        return VP_OK;
    if (err->status == VP_OK) {
        vp_error_clear(err);
        *err = *more;
        *more = (vp_error)VP_ERROR_INIT;
        return VP_OK;
    }
    vp_error *moved = malloc(sizeof *moved);
    if (!moved) {
        vp_error_clear(more);
        return VP_ERR_NOMEM;
    }
    *moved = *more;
    *more = (vp_error)VP_ERROR_INIT;
    vp_error **tail = &err->next;
    while (*tail)
        tail = &(*tail)->next;
    *tail = moved;
    return VP_OK;
}

const char *vp_error_code(const vp_error *err)
{
    if (err->code)
        return err->code;
    if (err->parameter)
        return "invalid_parameter";
    switch (err->status) {
    case VP_OK: return "ok";
    case VP_ERR_INVALID: return "invalid";
    case VP_ERR_NOT_FOUND: return "not_found";
    case VP_ERR_TOO_BIG: return "too_big";
    case VP_ERR_DENIED: return "denied";
    case VP_ERR_NOMEM:
    case VP_ERR_IO:
    case VP_ERR_LOCKED:
    case VP_ERR_MODIFIED: return "unavailable";
    case VP_ERR_INDEX:
    case VP_ERR_INTERNAL: break;
    }
    return "internal_error";
}

char *vp_error_text(const vp_error *err)
{
    vp_buf b;
    vp_buf_init(&b, (size_t)-1 / 2);
    vp_status st = VP_OK;
    for (const vp_error *e = err; e && st == VP_OK; e = e->next) {
        vp_where at = {e->file, e->line, e->path, NULL};
        if (e != err)
            st = vp_buf_puts(&b, "\n");
        if (st == VP_OK)
            st = vp_buf_where(&b, &at);
        if (st == VP_OK)
            st = vp_buf_puts(&b, e->message ? e->message : vp_status_str(e->status));
    }
    char *m = st == VP_OK ? vp_buf_steal(&b) : NULL;
    vp_buf_free(&b);
    return m;
}

vp_status vp_error_print(FILE *out, const char *prefix, const vp_error *err)
{
    char *t = vp_error_text(err);
    int n = fprintf(out, "%s%s%s\n", prefix ? prefix : "", prefix ? ": " : "",
                    t ? t : vp_status_str(err->status));
    free(t);
    return n < 0 ? VP_ERR_IO : VP_OK;
}

json_t *vp_error_json(const vp_error *err)
{
    json_t *o = json_object();
    const char *m = err->message ? err->message : vp_status_str(err->status);
    if (!o || json_object_set_new(o, "code", json_string(vp_error_code(err))) ||
        json_object_set_new(o, "message", json_string(m)) ||
        (err->parameter && json_object_set_new(o, "parameter", json_string(err->parameter))) ||
        (err->path && json_object_set_new(o, "path", json_string(err->path)))) {
        json_decref(o);
        return NULL;
    }
    return o;
}
