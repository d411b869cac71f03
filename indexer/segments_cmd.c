/* segments_cmd.c - `vindplaats-indexer segments check|import FILE`.
 *
 * check validates a postcode table in the wide shape of a PC4-level Mosaic
 * or CBS export against the segment model and reports every bad row as
 * FILE:LINE: message. import does the same and writes the valid rows,
 * normalised, to --out: into a temporary file next to it that is loaded
 * back as a test and only then renamed over --out, so a crash or a full
 * disk never leaves half a table behind. When every row is bad nothing is
 * written. Everything goes through segments.h; this file only wires it to
 * files and the exit status. */
#include "segments_cmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vindplaats/segments.h"
#include "vindplaats/vocabulary.h"

#ifndef VP_DATA_DIR
#define VP_DATA_DIR "data"
#endif
#define DEFAULT_SEGMENTS VP_DATA_DIR "/segments/segments.json"
#define DEFAULT_OUT VP_DATA_DIR "/segments/pc4-segments.csv"
#define DEFAULT_VOCABULARY VP_DATA_DIR "/vocabulary/propositions.tsv"

static void segments_usage(FILE *out)
{
    fprintf(out,
            "usage: vindplaats-indexer segments check FILE [--segments FILE] [--vocabulary FILE]\n"
            "       vindplaats-indexer segments import FILE [--segments FILE] [--out FILE]\n"
            "                                               [--vocabulary FILE]\n"
            "\n"
            "FILE is a PC4 table: a header \"pc4,<segment id>,...\" (',' or ';') and one row\n"
            "per PC4 with the share of each segment, as fractions or percentages.\n"
            "  check   report bad rows as FILE:LINE: message\n"
            "  import  also write the valid rows, normalised to fractions, to --out\n"
            "          (replaced in one step; nothing is written when every row is bad)\n"
            "\n"
            "  --segments FILE    the segment model (default: %s)\n"
            "  --out FILE         where import writes (default: %s)\n"
            "  --vocabulary FILE  the proposition vocabulary (default: %s)\n"
            "\n"
            "Exit status: 0 when every row is valid, 1 when any row was rejected or the\n"
            "command failed, 2 for a usage error.\n",
            DEFAULT_SEGMENTS, DEFAULT_OUT, DEFAULT_VOCABULARY);
}

/* Writes the valid rows of `file` to a temporary file beside `out_path`,
 * checks that it loads, and renames it over `out_path`. Returns 0 when the
 * file was replaced. */
static int write_table(const vp_segments *segs, const char *file, const char *out_path,
                       const char *segments_path, const vp_vocabulary *voc, size_t *ok,
                       size_t *bad, vp_status *st)
{
    int rc = -1;
    vp_error err = VP_ERROR_INIT;
    char *tmp = NULL;
    FILE *out = NULL;
    int fd = -1;
    vp_segments *check = NULL;
    size_t n = strlen(out_path) + sizeof ".tmp.XXXXXX";
    tmp = malloc(n);
    if (!tmp) {
        fprintf(stderr, "vindplaats-indexer: out of memory\n");
        goto done;
    }
    snprintf(tmp, n, "%s.tmp.XXXXXX", out_path);
    fd = mkstemp(tmp);
    if (fd < 0) {
        fprintf(stderr, "vindplaats-indexer: cannot create a file beside %s: %s\n", out_path,
                strerror(errno));
        free(tmp);
        tmp = NULL;
        goto done;
    }
    /* mkstemp() makes the file private; a data file is as readable as any. */
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) != 0) {
        fprintf(stderr, "vindplaats-indexer: %s: %s\n", tmp, strerror(errno));
        goto done;
    }
    out = fdopen(fd, "w");
    if (!out) {
        fprintf(stderr, "vindplaats-indexer: %s: %s\n", tmp, strerror(errno));
        goto done;
    }
    fd = -1;
    *st = vp_segments_import_postcodes(segs, file, out, stderr, ok, bad, &err);
    if (*st != VP_OK && *st != VP_ERR_INVALID) {
        vp_error_print(stderr, "vindplaats-indexer", &err);
        goto done;
    }
    if (*ok == 0) {
        fprintf(stderr, "vindplaats-indexer: %s: no valid rows; %s left as it was\n", file,
                out_path);
        goto done;
    }
    if (fflush(out) != 0 || fsync(fileno(out)) != 0) {
        fprintf(stderr, "vindplaats-indexer: %s: %s\n", tmp, strerror(errno));
        goto done;
    }
    int closed = fclose(out);
    out = NULL;
    if (closed != 0) {
        fprintf(stderr, "vindplaats-indexer: %s: %s\n", tmp, strerror(errno));
        goto done;
    }
    vp_error_clear(&err);
    vp_status lst = vp_segments_load(segments_path, tmp, voc, &check, &err);
    if (lst != VP_OK) {
        vp_error_print(stderr, "vindplaats-indexer: the written table does not load (a bug)",
                       &err);
        goto done;
    }
    if (rename(tmp, out_path) != 0) {
        fprintf(stderr, "vindplaats-indexer: %s: %s\n", out_path, strerror(errno));
        goto done;
    }
    free(tmp);
    tmp = NULL;
    rc = 0;
done:
    if (out)
        fclose(out);
    if (fd >= 0)
        close(fd);
    if (tmp) {
        unlink(tmp);
        free(tmp);
    }
    vp_segments_destroy(check);
    vp_error_clear(&err);
    return rc;
}

int cmd_segments(int argc, char **argv)
{
    int rc = 1;
    const char *segments_path = DEFAULT_SEGMENTS, *out_path = DEFAULT_OUT;
    const char *voc_path = DEFAULT_VOCABULARY;
    const char *action = NULL, *file = NULL;
    int seen_command = 0, out_given = 0;
    vp_error err = VP_ERROR_INIT;
    vp_vocabulary *voc = NULL;
    vp_segments *segs = NULL;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            segments_usage(stdout);
            return 0;
        } else if (strcmp(a, "--segments") == 0 && i + 1 < argc) {
            segments_path = argv[++i];
        } else if (strcmp(a, "--out") == 0 && i + 1 < argc) {
            out_path = argv[++i];
            out_given = 1;
        } else if (strcmp(a, "--vocabulary") == 0 && i + 1 < argc) {
            voc_path = argv[++i];
        } else if (a[0] == '-' && a[1] == '-') {
            fprintf(stderr, "vindplaats-indexer: segments: unknown or incomplete option %s\n", a);
            segments_usage(stderr);
            return 2;
        } else if (!seen_command && strcmp(a, "segments") == 0) {
            seen_command = 1;
        } else if (!action) {
            action = a;
        } else if (!file) {
            file = a;
        } else {
            fprintf(stderr, "vindplaats-indexer: segments: unexpected argument %s\n", a);
            return 2;
        }
    }
    int importing = action && strcmp(action, "import") == 0;
    if (!action || (!importing && strcmp(action, "check") != 0) || !file) {
        fprintf(stderr, "vindplaats-indexer: segments needs check or import and a FILE\n");
        segments_usage(stderr);
        return 2;
    }
    if (out_given && !importing) {
        fprintf(stderr, "vindplaats-indexer: segments check writes nothing; --out is for import\n");
        return 2;
    }

    vp_status st = vp_vocabulary_load(voc_path, &voc, &err);
    if (st != VP_OK) {
        vp_error_print(stderr, "vindplaats-indexer: vocabulary", &err);
        goto done;
    }
    st = vp_segments_load(segments_path, NULL, voc, &segs, &err);
    if (st != VP_OK) {
        fputs("vindplaats-indexer: segment model:\n", stderr);
        vp_error_print(stderr, NULL, &err);
        goto done;
    }
    size_t ok = 0, bad = 0;
    if (importing) {
        st = VP_ERR_INTERNAL; /* until the table has been read */
        int written = write_table(segs, file, out_path, segments_path, voc, &ok, &bad, &st);
        if (st == VP_OK || st == VP_ERR_INVALID)
            fprintf(stderr, "%s: %zu rows ok, %zu rejected\n", file, ok, bad);
        if (written == 0)
            fprintf(stderr, "wrote %zu rows to %s\n", ok, out_path);
        rc = written == 0 && st == VP_OK ? 0 : 1;
    } else {
        st = vp_segments_import_postcodes(segs, file, NULL, stderr, &ok, &bad, &err);
        if (st != VP_OK && st != VP_ERR_INVALID)
            vp_error_print(stderr, "vindplaats-indexer", &err);
        else
            fprintf(stderr, "%s: %zu rows ok, %zu rejected\n", file, ok, bad);
        rc = st == VP_OK ? 0 : 1;
    }
done:
    vp_segments_destroy(segs);
    vp_vocabulary_destroy(voc);
    vp_error_clear(&err);
    return rc;
}
