/* lines.h - the one reader of line files: the reference tables that are
 * kept one entry a line (the proposition vocabulary, the lexicon's word
 * lists, synonyms, stop words and type words).
 *
 * Each line reaches the callback without its line ending (LF, CR LF),
 * NUL-terminated and writable, in order. A failure names the file and,
 * where one is to blame, the line, as fields of *err (vp_error_set; the
 * message shown here after the place, in the one text form):
 *   "FILE: No such file or directory"   VP_ERR_IO, the file cannot be opened
 *   "FILE: read error"                  VP_ERR_IO
 *   "FILE:LINE: line too long"          VP_ERR_INVALID, past `max_line` bytes
 *   "FILE:LINE: not valid UTF-8"        VP_ERR_INVALID, with VP_LINES_UTF8
 *   "FILE:LINE: PROBLEM"                the callback's own status, when it
 *                                       names a problem with the line
 * A callback that fails without naming a problem (VP_ERR_NOMEM) stops the
 * reading with its status and no message. */
#ifndef VINDPLAATS_LINES_H
#define VINDPLAATS_LINES_H

#include <stddef.h>

#include "vindplaats/status.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
    VP_LINES_SKIP_BLANK = 1,    /* lines of nothing but spaces and tabs */
    VP_LINES_SKIP_COMMENTS = 2, /* lines starting with '#' */
    VP_LINES_UTF8 = 4           /* a line that is not valid UTF-8 is refused */
};

/* One line: VP_OK to go on; anything else stops the reading. `problem`
 * (a static string) says what is wrong with the line, for the message. */
typedef vp_status (*vp_line_fn)(void *ctx, char *line, size_t len, const char **problem);

/* Reads `path` line by line into `fn`; `flags` are VP_LINES_*. *lines
 * (may be NULL) is the number of lines read, skipped ones included. */
vp_status vp_lines_read(const char *path, size_t max_line, unsigned flags, vp_line_fn fn,
                        void *ctx, unsigned *lines, vp_error *err) VP_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif
