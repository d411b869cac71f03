/* buf.h - a growable byte buffer with a hard cap (curl's dynbuf idea).
 *
 * Every buffer that input can grow has a cap: appending past it fails with
 * VP_ERR_TOO_BIG and leaves the buffer as it was. The content is always
 * NUL-terminated. A zeroed vp_buf with `cap` set is ready to use. */
#ifndef VINDPLAATS_BUF_H
#define VINDPLAATS_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include "vindplaats/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vp_buf {
    char *data;  /* NULL until the first append */
    size_t len;
    size_t alloc;
    size_t cap;  /* most bytes it may hold, without the NUL */
} vp_buf;

void vp_buf_init(vp_buf *b, size_t cap) VP_NOEXCEPT;
vp_status vp_buf_append(vp_buf *b, const char *data, size_t len) VP_NOEXCEPT;
vp_status vp_buf_puts(vp_buf *b, const char *s) VP_NOEXCEPT;
vp_status vp_buf_printf(vp_buf *b, const char *fmt, ...) VP_NOEXCEPT
#ifdef __GNUC__
    __attribute__((format(printf, 2, 3)))
#endif
    ;
vp_status vp_buf_vprintf(vp_buf *b, const char *fmt, va_list ap) VP_NOEXCEPT;
/* One item of a list built an item at a time: `sep` first when the buffer
 * holds text already, then the formatted item. */
vp_status vp_buf_vitem(vp_buf *b, const char *sep, const char *fmt, va_list ap) VP_NOEXCEPT;
/* Sticky appends, for code that builds a string in many steps and checks
 * once at the end: they append only while *st is VP_OK and leave the first
 * failure (VP_ERR_TOO_BIG, VP_ERR_NOMEM) in *st. */
void vp_buf_add(vp_buf *b, vp_status *st, const char *data, size_t len) VP_NOEXCEPT;
void vp_buf_adds(vp_buf *b, vp_status *st, const char *s) VP_NOEXCEPT;
/* Appends the place `at` as messages write it (vp_error_text): "FILE:LINE: ",
 * "FILE: ", "PATH: " or "FILE:LINE: PATH: "; nothing for NULL. */
vp_status vp_buf_where(vp_buf *b, const vp_where *at) VP_NOEXCEPT;
/* Appends `s` with &, <, >, " and ' escaped for HTML. */
vp_status vp_buf_html(vp_buf *b, const char *s, size_t len) VP_NOEXCEPT;
/* Hands the content over to the caller (malloc()ed, "" when empty; NULL
 * when out of memory) and resets the buffer. */
char *vp_buf_steal(vp_buf *b) VP_NOEXCEPT;
void vp_buf_free(vp_buf *b) VP_NOEXCEPT;

/* The value of a hexadecimal digit (either case), or -1 (for %XX escapes). */
int vp_hex_digit(char c) VP_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif
