/* lines.c - reading a line file (lines.h). */
#include "vindplaats/lines.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vindplaats/analysis.h"

vp_status vp_lines_read(const char *path, size_t max_line, unsigned flags, vp_line_fn fn,
                        void *ctx, unsigned *lines, vp_error *err)
{
    unsigned lineno = 0;
    if (lines)
        *lines = 0;
    FILE *f = fopen(path, "r");
    if (!f)
        return vp_error_set(err, VP_ERR_IO, &(vp_where){path}, "%s", strerror(errno));
    /* Room for the longest line, its line ending and the NUL. */
    char *line = malloc(max_line + 3);
    vp_status st = line ? VP_OK : VP_ERR_NOMEM;
    const char *problem = NULL;
    while (st == VP_OK && fgets(line, (int)(max_line + 3), f)) {
        lineno++;
        size_t len = strlen(line);
        int ended = len > 0 && line[len - 1] == '\n';
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len > max_line || (!ended && !feof(f))) {
            problem = "line too long";
            st = VP_ERR_INVALID;
        } else if ((flags & VP_LINES_SKIP_BLANK) && line[strspn(line, " \t")] == '\0') {
            continue;
        } else if ((flags & VP_LINES_SKIP_COMMENTS) && line[0] == '#') {
            continue;
        } else if ((flags & VP_LINES_UTF8) && !vp_utf8_valid(line, len)) {
            problem = "not valid UTF-8";
            st = VP_ERR_INVALID;
        } else {
            st = fn(ctx, line, len, &problem);
        }
    }
    if (st == VP_OK && ferror(f))
        st = vp_error_set(err, VP_ERR_IO, &(vp_where){path}, "read error");
    else if (st != VP_OK && problem)
        vp_error_set(err, st, &(vp_where){path, lineno}, "%s", problem);
    free(line);
    fclose(f);
    if (lines)
        *lines = lineno;
    return st;
}
