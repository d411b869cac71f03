/* buf.c - capped growable buffer (see buf.h). */
#include "vindplaats/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void vp_buf_init(vp_buf *b, size_t cap)
{
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
    b->cap = cap;
}

vp_status vp_buf_append(vp_buf *b, const char *data, size_t len)
{
    if (len > b->cap || b->len > b->cap - len)
        return VP_ERR_TOO_BIG;
    if (b->len + len + 1 > b->alloc) {
        size_t want = b->alloc ? b->alloc : 64;
        while (want < b->len + len + 1)
            want *= 2;
        if (want > b->cap + 1)
            want = b->cap + 1;
        char *p = realloc(b->data, want);
        if (!p)
            return VP_ERR_NOMEM;
        b->data = p;
        b->alloc = want;
    }
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return VP_OK;
}

vp_status vp_buf_puts(vp_buf *b, const char *s)
{
    return vp_buf_append(b, s, strlen(s));
}

void vp_buf_add(vp_buf *b, vp_status *st, const char *data, size_t len)
{
    if (*st == VP_OK)
        *st = vp_buf_append(b, data, len);
}

void vp_buf_adds(vp_buf *b, vp_status *st, const char *s)
{
    if (*st == VP_OK)
        *st = vp_buf_append(b, s, strlen(s));
}

vp_status vp_buf_vitem(vp_buf *b, const char *sep, const char *fmt, va_list ap)
{
    vp_status st = b->len ? vp_buf_puts(b, sep) : VP_OK;
    return st == VP_OK ? vp_buf_vprintf(b, fmt, ap) : st;
}

vp_status vp_buf_vprintf(vp_buf *b, const char *fmt, va_list ap)
{
    char small[256];
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    if (n < 0 || (size_t)n < sizeof small) {
        va_end(again);
        return n < 0 ? VP_ERR_INTERNAL : vp_buf_append(b, small, (size_t)n);
    }
    char *big = malloc((size_t)n + 1);
    vp_status st = VP_ERR_NOMEM;
    if (big) {
        vsnprintf(big, (size_t)n + 1, fmt, again);
        st = vp_buf_append(b, big, (size_t)n);
        free(big);
    }
    va_end(again);
    return st;
}

vp_status vp_buf_printf(vp_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vp_status st = vp_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return st;
}

vp_status vp_buf_where(vp_buf *b, const vp_where *at)
{
    vp_status st = VP_OK;
    if (at && at->file)
        st = at->line ? vp_buf_printf(b, "%s:%u: ", at->file, at->line)
                      : vp_buf_printf(b, "%s: ", at->file);
    if (st == VP_OK && at && at->path)
        st = vp_buf_printf(b, "%s: ", at->path);
    return st;
}

vp_status vp_buf_html(vp_buf *b, const char *s, size_t len)
{
    size_t before = b->len, start = 0;
    vp_status st = VP_OK;
    for (size_t i = 0; i < len; i++) {
        const char *rep = NULL;
        switch (s[i]) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default: break;
        }
        if (!rep)
            continue;
        st = vp_buf_append(b, s + start, i - start);
        if (st == VP_OK)
            st = vp_buf_puts(b, rep);
        if (st != VP_OK)
            break;
        start = i + 1;
    }
    if (st == VP_OK)
        st = vp_buf_append(b, s + start, len - start);
    if (st != VP_OK && b->data) {
        /* Leave the buffer as it was, as every append does. */
        b->len = before;
        b->data[before] = '\0';
    }
    return st;
}

char *vp_buf_steal(vp_buf *b)
{
    char *out = b->data;
    if (!out)
        out = calloc(1, 1);
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
    return out;
}

void vp_buf_free(vp_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
}

int vp_hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}
