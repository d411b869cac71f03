/* segments.c - the segment model loaded from its two files (segments.h).
 *
 * segments.json is read with jansson and checked completely: every problem
 * is reported, not only the first one, each a vp_error entry with the file
 * and the path of the value ("segments[2].affinities.types.x") as fields. The PC4 table is read by the project's CSV reader
 * (csv_reader.h): ',' or ';' separated as spreadsheets and Mosaic or CBS
 * exports write it, an optional UTF-8 byte order mark, CRLF or LF, quoted
 * fields with "" escapes. One table parser (parse_table()) serves both the
 * strict loader (any bad row fails the load) and the lenient importer (bad
 * rows are reported and skipped), so the two never disagree about what a
 * valid row is.
 *
 * Everything a vp_segments holds is allocated at load time and never
 * changed afterwards, so any number of threads may read it. Segments are
 * few (at most MAX_SEGMENTS): lookups by id are linear; a PC4 is found
 * through a direct index over 1000..9999. */
#include "vindplaats/segments.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "vindplaats/arena.h"
#include "vindplaats/analysis.h"
#include "vindplaats/buf.h"
#include "vindplaats/csv_reader.h"
#include "vindplaats/offering.h"

#define MAX_JSON (4 * 1024 * 1024)
#define MAX_SEGMENTS 256
#define MAX_ID 64
#define MAX_NAME 200
#define MAX_DESCRIPTION 4000
#define MAX_AFFINITIES 1000    /* per field of one segment */
#define MAX_FIELD 65536        /* bytes of one CSV field */
#define MAX_TABLE (64 * 1024 * 1024) /* bytes of the PC4 table */
#define MAX_FIELDS (MAX_SEGMENTS + 1)
#define MAX_LINES 100000       /* there are only 9,000 possible PC4s */
#define MAX_PROBLEMS 50        /* listed in the error; the rest are counted */
#define PC4_MIN 1000
#define PC4_MAX 9999
#define N_PC4 (PC4_MAX - PC4_MIN + 1)
/* How far a row's shares may be off 1 (fractions) or 100 (percentages):
 * rounded percentages of ten segments easily sum to 98 or 102. */
#define SUM_TOLERANCE 0.03

typedef struct pc4_share {
    size_t segment;
    double share;
} pc4_share;

typedef struct pc4_row {
    size_t first; /* into shares */
    size_t n;
} pc4_row;

/* The PC4 table: each postcode's segment shares, strongest first. */
typedef struct pc4_table {
    uint32_t *index; /* N_PC4 entries: row + 1, 0 = not in the table */
    pc4_row *rows;
    size_t n_rows, alloc_rows;
    pc4_share *shares;
    size_t n_shares, alloc_shares;
} pc4_table;

static void pc4_free(pc4_table *p)
{
    free(p->index);
    free(p->rows);
    free(p->shares);
}

struct vp_segments {
    vp_table t;     /* the segments, and every string and array they point into */
    char *ids;      /* "a, b, c", for messages; in the arena */
    pc4_table pc4;
};

static vp_segment *seg_at(const vp_segments *s, size_t i)
{
    return (vp_segment *)s->t.rows + i;
}

static const struct {
    const char *key;  /* in "affinities" */
    const char *what; /* in messages */
} affinity_fields[VP_AFFINITY_FIELD_COUNT] = {
    {"propositions", "proposition"},
    {"societal_tasks", "societal task"},
    {"types", "type"},
    {"audiences", "audience group"},
    {"channels", "channel"},
};

/* ---- small helpers ---- */

/* Problems found in a file: the first MAX_PROBLEMS kept in `list`, each
 * with its place, all counted. */
typedef struct problems {
    vp_error list;
    size_t n;
    int oom;
} problems;

#define PROBLEMS_INIT {VP_ERROR_INIT, 0, 0}

/* A problem at `at`: the file, its line or the path of a value in it. */
VP_PRINTF(3, 4) static void add_problem(problems *p, const vp_where *at, const char *fmt, ...)
{
    p->n++;
    if (p->n > MAX_PROBLEMS)
        return;
    char *m = NULL;
    va_list ap;
    va_start(ap, fmt);
    vp_buf b;
    vp_buf_init(&b, 1 << 20);
    if (vp_buf_vprintf(&b, fmt, ap) == VP_OK)
        m = vp_buf_steal(&b);
    vp_buf_free(&b);
    va_end(ap);
    if (!m || vp_error_add(&p->list, VP_ERR_INVALID, at, "%s", m) != VP_ERR_INVALID)
        p->oom = 1;
    free(m);
}

/* Hands the problems over to *err (may be NULL), the count of those not
 * listed in one last entry; returns VP_ERR_INVALID. */
static vp_status problems_to_error(problems *p, vp_error *err)
{
    if (p->n > MAX_PROBLEMS)
        vp_error_add(&p->list, VP_ERR_INVALID, NULL, "(and %zu more problems)",
                     p->n - MAX_PROBLEMS);
    if (err) {
        vp_error_clear(err);
        *err = p->list;
        p->list = (vp_error)VP_ERROR_INIT;
    }
    vp_error_clear(&p->list);
    return VP_ERR_INVALID;
}

/* The place of the value at `path` in `file`. */
#define AT(file, path) (&(vp_where){(file), 0, (path), NULL})

/* "PATH.KEY" in `out` (cut short when longer); `path` "" gives "KEY". */
static const char *child(char out[160], const char *path, const char *key)
{
    snprintf(out, 160, "%s%s%s", path, *path ? "." : "", key);
    return out;
}

/* A value from a file, made safe to quote in a message: at most 40 bytes
 * (cut on a character boundary), control characters and, when `s` is not
 * valid UTF-8, every non-ASCII byte shown as '?'. */
static const char *quoted(char out[64], const char *s)
{
    size_t len = strlen(s);
    int utf8 = vp_utf8_valid(s, len);
    size_t n = len > 40 ? 40 : len;
    if (utf8)
        while (n < len && n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        out[k++] = c < 0x20 || c == 0x7f || (!utf8 && c >= 0x80) ? '?' : (char)c;
    }
    if (n < len) {
        memcpy(out + k, "...", 3);
        k += 3;
    }
    out[k] = '\0';
    return out;
}

static int has_control(const char *s, int text)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c < 0x20 && !(text && (c == '\t' || c == '\n' || c == '\r'))) || c == 0x7f)
            return 1;
    }
    return 0;
}

/* "a, b, c" of a NULL-terminated list, or NULL when out of memory. */
static char *join_list(const char *const *list)
{
    vp_buf b;
    vp_buf_init(&b, 1 << 16);
    for (size_t i = 0; list[i]; i++)
        if (vp_buf_printf(&b, "%s%s", i ? ", " : "", list[i]) != VP_OK) {
            vp_buf_free(&b);
            return NULL;
        }
    return vp_buf_steal(&b);
}

/* ---- segments.json ---- */

static int cmp_affinity(const void *a, const void *b)
{
    const vp_affinity *x = a, *y = b;
    if (x->weight != y->weight)
        return x->weight > y->weight ? -1 : 1;
    return strcmp(x->value, y->value);
}

/* Checks that `obj` has no keys but `known`; each stranger is a problem. */
static void check_keys(problems *pr, const char *file, const char *path, json_t *obj,
                       const char *const *known)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        if (!vp_in_list(key, known)) {
            char q[64], at[160];
            add_problem(pr, AT(file, child(at, path, quoted(q, key))), "unknown field");
        }
    }
}

/* A string member: NULL when absent or bad (then a problem is recorded
 * unless it is merely absent and optional). */
static const char *string_member(problems *pr, const char *file, const char *path, json_t *obj,
                                 const char *key, size_t max, int required, int text)
{
    char at[160];
    const vp_where *where = AT(file, child(at, path, key));
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) {
        if (required)
            add_problem(pr, where, "required");
        return NULL;
    }
    if (!json_is_string(v)) {
        add_problem(pr, where, "must be a string");
        return NULL;
    }
    const char *str = json_string_value(v);
    if (json_string_length(v) > max) {
        add_problem(pr, where, "longer than %zu bytes", max);
        return NULL;
    }
    if (strlen(str) != json_string_length(v) || has_control(str, text)) {
        add_problem(pr, where, "must not contain control characters");
        return NULL;
    }
    if (required && !*str) {
        add_problem(pr, where, "must not be empty");
        return NULL;
    }
    return str;
}

/* One field of "affinities": {value: weight, ...}. Valid entries are kept
 * in seg, sorted by weight (highest first), then value. */
static vp_status parse_affinity_field(vp_segments *s, problems *pr, const char *file,
                                      const char *path, json_t *v, vp_affinity_field field,
                                      const vp_vocabulary *voc, const char *allowed,
                                      vp_segment *seg)
{
    const char *key;
    json_t *w;
    if (!json_is_object(v)) {
        add_problem(pr, AT(file, path), "must be an object {\"%s\": weight, ...}",
                    affinity_fields[field].what);
        return VP_OK;
    }
    size_t n = json_object_size(v);
    if (n > MAX_AFFINITIES) {
        add_problem(pr, AT(file, path), "more than %d values", MAX_AFFINITIES);
        return VP_OK;
    }
    if (n == 0)
        return VP_OK;
    vp_affinity *list = calloc(n, sizeof *list);
    if (vp_arena_own(&s->t.arena, list) != 0)
        return VP_ERR_NOMEM;
    size_t k = 0;
    json_object_foreach(v, key, w) {
        char q[64], at[160];
        int known;
        if (field == VP_AFFINITY_PROPOSITION)
            known = voc ? vp_vocabulary_get(voc, key) != NULL : vp_table_id_ok(key);
        else if (field == VP_AFFINITY_TASK)
            known = vp_in_list(key, vp_offering_tasks);
        else if (field == VP_AFFINITY_TYPE)
            known = vp_in_list(key, vp_offering_types);
        else if (field == VP_AFFINITY_AUDIENCE)
            known = vp_in_list(key, vp_offering_audiences);
        else
            known = vp_in_list(key, vp_offering_channels);
        if (!known) {
            add_problem(pr, AT(file, child(at, path, quoted(q, key))), "unknown %s (allowed: %s)",
                        affinity_fields[field].what, allowed);
            continue;
        }
        if (!json_is_number(w) || !isfinite(json_number_value(w)) ||
            json_number_value(w) < 0 || json_number_value(w) > 1) {
            add_problem(pr, AT(file, child(at, path, key)), "weight must be a number from 0 to 1");
            continue;
        }
        const char *value = vp_arena_strdup(&s->t.arena, key);
        if (!value)
            return VP_ERR_NOMEM;
        list[k].value = value;
        list[k].weight = json_number_value(w);
        k++;
    }
    qsort(list, k, sizeof *list, cmp_affinity);
    seg->affinities[field] = list;
    seg->n_affinities[field] = k;
    return VP_OK;
}

static vp_status parse_segment(vp_segments *s, problems *pr, const char *file, size_t i,
                               json_t *obj, const vp_vocabulary *voc,
                               char *const allowed[VP_AFFINITY_FIELD_COUNT])
{
    static const char *const keys[] = {"id", "name", "description", "affinities", NULL};
    static const char *const aff_keys[] = {"propositions", "societal_tasks", "types",
                                           "audiences", "channels", NULL};
    char path[64];
    snprintf(path, sizeof path, "segments[%zu]", i);
    vp_segment *seg = seg_at(s, i);
    if (!json_is_object(obj)) {
        add_problem(pr, AT(file, path), "must be an object {id, name, description, affinities}");
        return VP_OK;
    }
    check_keys(pr, file, path, obj, keys);

    const char *id = string_member(pr, file, path, obj, "id", MAX_ID, 1, 0);
    if (id && !vp_table_id_ok(id)) {
        char q[64], at[160];
        add_problem(pr, AT(file, child(at, path, "id")),
                    "\"%s\" must be lower-case letters, digits and '-'", quoted(q, id));
        id = NULL;
    }
    if (id) {
        for (size_t j = 0; j < i; j++)
            if (seg_at(s, j)->id && strcmp(seg_at(s, j)->id, id) == 0) {
                char at[160];
                add_problem(pr, AT(file, child(at, path, "id")),
                            "duplicate id \"%s\" (also segments[%zu])", id, j);
                id = NULL;
                break;
            }
    }
    const char *name = string_member(pr, file, path, obj, "name", MAX_NAME, 1, 0);
    const char *desc =
        string_member(pr, file, path, obj, "description", MAX_DESCRIPTION, 0, 1);
    if (id && !(seg->id = vp_arena_strdup(&s->t.arena, id)))
        return VP_ERR_NOMEM;
    if (name && !(seg->name = vp_arena_strdup(&s->t.arena, name)))
        return VP_ERR_NOMEM;
    if (!(seg->description = vp_arena_strdup(&s->t.arena, desc ? desc : "")))
        return VP_ERR_NOMEM;

    json_t *aff = json_object_get(obj, "affinities");
    char apath[96];
    snprintf(apath, sizeof apath, "%s.affinities", path);
    if (!aff || json_is_null(aff)) {
        add_problem(pr, AT(file, apath), "required");
        return VP_OK;
    }
    if (!json_is_object(aff)) {
        add_problem(pr, AT(file, apath),
                    "must be an object {propositions, societal_tasks, types, "
                    "audiences, channels}");
        return VP_OK;
    }
    check_keys(pr, file, apath, aff, aff_keys);
    for (int f = 0; f < VP_AFFINITY_FIELD_COUNT; f++) {
        json_t *v = json_object_get(aff, affinity_fields[f].key);
        if (!v || json_is_null(v))
            continue;
        char fpath[128];
        snprintf(fpath, sizeof fpath, "%s.%s", apath, affinity_fields[f].key);
        vp_status st = parse_affinity_field(s, pr, file, fpath, v, (vp_affinity_field)f, voc,
                                            allowed[f], seg);
        if (st != VP_OK)
            return st;
    }
    return VP_OK;
}

/* Reads at most `cap` bytes of `path` into b. */
static vp_status read_file(const char *path, size_t cap, vp_buf *b, vp_error *err)
{
    vp_status st = VP_OK;
    char chunk[65536];
    FILE *f = fopen(path, "rb");
    if (!f) {
        st = vp_error_set(err, errno == ENOENT ? VP_ERR_NOT_FOUND : VP_ERR_IO, AT(path, NULL),
                          "%s", strerror(errno));
        goto done;
    }
    vp_buf_init(b, cap);
    for (;;) {
        size_t n = fread(chunk, 1, sizeof chunk, f);
        if (n == 0)
            break;
        st = vp_buf_append(b, chunk, n);
        if (st == VP_ERR_TOO_BIG) {
            vp_error_set(err, st, AT(path, NULL), "larger than %zu bytes", cap);
            goto done;
        }
        if (st != VP_OK)
            goto done;
    }
    if (ferror(f)) {
        st = vp_error_set(err, VP_ERR_IO, AT(path, NULL), "read error");
    }
done:
    if (f)
        fclose(f);
    return st;
}

static vp_status load_json(vp_segments *s, const char *file, const vp_vocabulary *voc,
                           vp_error *err)
{
    vp_status st = VP_OK;
    json_t *root = NULL;
    problems pr = PROBLEMS_INIT;
    char *allowed[VP_AFFINITY_FIELD_COUNT] = {0};
    vp_buf text;
    vp_buf_init(&text, MAX_JSON);

    st = read_file(file, MAX_JSON, &text, err);
    if (st != VP_OK)
        goto done;
    json_error_t jerr;
    root = json_loadb(text.data ? text.data : "", text.len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        st = vp_error_set(err, VP_ERR_INVALID,
                        &(vp_where){file, jerr.line > 0 ? (unsigned)jerr.line : 0},
                        "not valid JSON: %s", jerr.text);
        goto done;
    }
    if (!json_is_object(root)) {
        st = vp_error_set(err, VP_ERR_INVALID, AT(file, NULL),
                          "must be an object {\"note\": ..., \"segments\": [...]}");
        goto done;
    }
    static const char *const top_keys[] = {"note", "segments", NULL};
    check_keys(&pr, file, "", root, top_keys);
    json_t *note = json_object_get(root, "note");
    if (note && !json_is_string(note) && !json_is_null(note))
        add_problem(&pr, AT(file, "note"), "must be a string");
    json_t *list = json_object_get(root, "segments");
    if (!json_is_array(list) || json_array_size(list) == 0) {
        add_problem(&pr, AT(file, "segments"), "must be a non-empty array of segments");
        goto check;
    }
    if (json_array_size(list) > MAX_SEGMENTS) {
        add_problem(&pr, AT(file, "segments"), "more than %d segments", MAX_SEGMENTS);
        goto check;
    }
    allowed[VP_AFFINITY_PROPOSITION] =
        strdup(voc ? vp_vocabulary_ids(voc) : "the ids of the proposition vocabulary");
    allowed[VP_AFFINITY_TASK] = join_list(vp_offering_tasks);
    allowed[VP_AFFINITY_TYPE] = join_list(vp_offering_types);
    allowed[VP_AFFINITY_AUDIENCE] = join_list(vp_offering_audiences);
    allowed[VP_AFFINITY_CHANNEL] = join_list(vp_offering_channels);
    for (int f = 0; f < VP_AFFINITY_FIELD_COUNT; f++)
        if (!allowed[f]) {
            st = VP_ERR_NOMEM;
            goto done;
        }
    for (size_t i = 0; i < json_array_size(list); i++)
        if (!vp_table_add(&s->t)) {
            st = VP_ERR_NOMEM;
            goto done;
        }
    for (size_t i = 0; i < s->t.n; i++) {
        st = parse_segment(s, &pr, file, i, json_array_get(list, i), voc, allowed);
        if (st != VP_OK)
            goto done;
    }
check:
    if (pr.oom) {
        st = VP_ERR_NOMEM;
        goto done;
    }
    if (pr.n) {
        st = problems_to_error(&pr, err);
        goto done;
    }
    vp_buf ids;
    vp_buf_init(&ids, 1 << 20);
    for (size_t i = 0; i < s->t.n; i++)
        if (vp_buf_printf(&ids, "%s%s", i ? ", " : "", seg_at(s, i)->id) != VP_OK) {
            vp_buf_free(&ids);
            st = VP_ERR_NOMEM;
            goto done;
        }
    s->ids = vp_buf_steal(&ids);
    if (vp_arena_own(&s->t.arena, s->ids) != VP_OK)
        st = VP_ERR_NOMEM;
done:
    if (st == VP_ERR_NOMEM)
        vp_error_set(err, st, AT(file, NULL), "out of memory");
    for (int f = 0; f < VP_AFFINITY_FIELD_COUNT; f++)
        free(allowed[f]);
    json_decref(root);
    vp_buf_free(&text);
    vp_error_clear(&pr.list);
    return st;
}

/* ---- the CSV reader: vindplaats/csv_reader.h ---- */

/* Field k, trimmed of spaces and tabs (in place: the reader's copy). */
static char *csv_field(vp_csv_reader *c, size_t k)
{
    char *p = (char *)vp_csv_field(c, k);
    while (*p == ' ' || *p == '\t')
        p++;
    size_t n = strlen(p);
    while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
        p[--n] = '\0';
    return p;
}

/* ---- the PC4 table ---- */

typedef struct table_sink {
    /* The header is valid: column k+1 holds segment columns[k]. */
    vp_status (*header)(void *ctx, const size_t *columns, size_t n);
    /* A valid row: shares[k] of column k+1, normalised to sum 1. */
    vp_status (*row)(void *ctx, unsigned pc4, const double *shares, size_t n);
    /* A bad row or header, its file and line as fields. */
    vp_status (*problem)(void *ctx, const vp_error *problem);
    void *ctx;
} table_sink;

VP_PRINTF(3, 4) static vp_status sink_problem(const table_sink *sink, const vp_where *at,
                                              const char *fmt, ...)
{
    vp_buf m;
    vp_buf_init(&m, 1 << 20);
    va_list ap;
    va_start(ap, fmt);
    vp_status st = vp_buf_vprintf(&m, fmt, ap);
    va_end(ap);
    vp_error e = VP_ERROR_INIT;
    if (st == VP_OK) {
        vp_error_set(&e, VP_ERR_INVALID, at, "%s", m.data);
        if (!e.message)
            st = VP_ERR_NOMEM;
    }
    if (st == VP_OK)
        st = sink->problem(sink->ctx, &e);
    vp_error_clear(&e);
    vp_buf_free(&m);
    return st == VP_ERR_TOO_BIG ? VP_OK : st;
}

/* A PC4: exactly four digits, 1000..9999; -1 when `s` is not one. */
static int parse_pc4(const char *s)
{
    for (int i = 0; i < 4; i++)
        if (s[i] < '0' || s[i] > '9')
            return -1;
    if (s[4] != '\0')
        return -1;
    int n = atoi(s);
    return n >= PC4_MIN && n <= PC4_MAX ? n : -1;
}

/* A share: a plain decimal number ("0.25", "25", "1e-3"); a decimal comma
 * ("0,25", as Dutch spreadsheets write it) is accepted when the field has
 * no point. Returns -1 when `s` is not a finite number. */
static int parse_share(const char *s, double *out)
{
    char tmp[64];
    size_t n = strlen(s);
    if (n == 0 || n >= sizeof tmp)
        return -1;
    memcpy(tmp, s, n + 1);
    int digits = 0;
    char *comma = strchr(tmp, ',');
    if (comma && !strchr(tmp, '.') && !strchr(comma + 1, ','))
        *comma = '.';
    for (char *p = tmp; *p; p++) {
        if (*p >= '0' && *p <= '9')
            digits++;
        else if (!strchr(".+-eE", *p))
            return -1;
    }
    if (!digits)
        return -1;
    char *end = NULL;
    errno = 0;
    double v = strtod(tmp, &end);
    if (end != tmp + n || errno == ERANGE || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

/* The problems of one row, joined by "; ". A row is bad when it has any,
 * whether or not its text could be kept. */
typedef struct row_check {
    vp_buf *why;
    int bad;
    int oom;
} row_check;

VP_PRINTF(2, 3) static void row_problem(row_check *rc, const char *fmt, ...)
{
    rc->bad = 1;
    va_list ap;
    va_start(ap, fmt);
    if (vp_buf_vitem(rc->why, "; ", fmt, ap) == VP_ERR_NOMEM)
        rc->oom = 1;
    va_end(ap);
}

/* Reads the table at `path`, hands header, valid rows and problems to
 * `sink`. Returns VP_OK when the whole file was read (rows may have been
 * bad: see *bad), VP_ERR_INVALID when the header is bad (reported to the
 * sink too), VP_ERR_NOT_FOUND / VP_ERR_IO / VP_ERR_TOO_BIG / VP_ERR_NOMEM
 * with *err. */
static vp_status parse_table(const vp_segments *s, const char *path, const table_sink *sink,
                             size_t *ok, size_t *bad, vp_error *err)
{
    vp_status st = VP_OK;
    vp_csv_reader *c = NULL;
    uint32_t *seen = NULL; /* line of each PC4 seen, 0 = not yet */
    size_t *columns = NULL;
    double *shares = NULL;
    vp_buf text;
    vp_buf_init(&text, MAX_TABLE);
    vp_buf why;
    vp_buf_init(&why, 1 << 16);
    unsigned long line = 0;
    *ok = *bad = 0;

    seen = calloc(N_PC4, sizeof *seen);
    columns = calloc(MAX_FIELDS, sizeof *columns);
    shares = calloc(MAX_FIELDS, sizeof *shares);
    if (!seen || !columns || !shares) {
        st = VP_ERR_NOMEM;
        goto done;
    }
    st = read_file(path, MAX_TABLE, &text, err);
    if (st != VP_OK)
        goto failed;
    /* ',' or ';', whichever the header uses */
    vp_csv_dialect dialect = {0, '"', MAX_FIELD, MAX_FIELDS};
    st = vp_csv_reader_create(text.data ? text.data : "", text.len, &dialect, &c, err);
    if (st != VP_OK)
        goto done;

    /* The header: the first record that is not blank. */
    int got = 0;
    do {
        st = vp_csv_next(c, &got);
        if (st != VP_OK)
            goto done;
        line = got ? (unsigned long)vp_csv_line(c) : 1;
    } while (got && vp_csv_blank(c));
    if (!got) {
        st = VP_ERR_INVALID;
        sink_problem(sink, &(vp_where){path, (unsigned)line},
                     "empty file: expected a header \"pc4,<segment id>,...\"");
        vp_error_set(err, st, AT(path, NULL), "empty file");
        goto done;
    }
    size_t nfields = vp_csv_count(c);
    size_t ncols = nfields > 0 ? nfields - 1 : 0;
    size_t header_problems = 0;
    char q[64];
    if (nfields > MAX_FIELDS) {
        header_problems++;
        sink_problem(sink, &(vp_where){path, (unsigned)line},
                     "header: more than %d segment columns",
                     MAX_SEGMENTS);
    } else if (vp_csv_defect(c)) {
        header_problems++;
        sink_problem(sink, &(vp_where){path, (unsigned)line}, "header: %s", vp_csv_defect(c));
    } else {
        const char *first = csv_field(c, 0);
        if (strcasecmp(first, "pc4") != 0 && strcasecmp(first, "postcode") != 0) {
            header_problems++;
            sink_problem(sink, &(vp_where){path, (unsigned)line},
                         "header: the first column must be \"pc4\", not \"%s\"", quoted(q, first));
        }
        if (ncols == 0) {
            header_problems++;
            sink_problem(sink, &(vp_where){path, (unsigned)line},
                         "header: no segment columns (expected \"pc4,<segment "
                         "id>,...\" separated by ',' or ';')");
        }
        for (size_t k = 0; k < ncols; k++) {
            const char *name = csv_field(c, k + 1);
            size_t idx = s->t.n;
            for (size_t i = 0; i < s->t.n; i++)
                if (strcmp(seg_at(s, i)->id, name) == 0)
                    idx = i;
            columns[k] = idx;
            if (!*name) {
                header_problems++;
                sink_problem(sink, &(vp_where){path, (unsigned)line},
                             "header: column %zu has no name", k + 2);
            } else if (idx == s->t.n) {
                header_problems++;
                sink_problem(sink, &(vp_where){path, (unsigned)line},
                             "unknown segment column \"%s\" (segments: %s)", quoted(q, name),
                             s->ids);
            } else {
                for (size_t j = 0; j < k; j++)
                    if (columns[j] == idx) {
                        header_problems++;
                        sink_problem(sink, &(vp_where){path, (unsigned)line},
                                     "segment column \"%s\" appears twice", name);
                        break;
                    }
            }
        }
    }
    if (header_problems) {
        st = vp_error_set(err, VP_ERR_INVALID, &(vp_where){path, (unsigned)line}, "bad header");
        goto done;
    }
    if (sink->header) {
        st = sink->header(sink->ctx, columns, ncols);
        if (st != VP_OK)
            goto done;
    }

    for (;;) {
        st = vp_csv_next(c, &got);
        if (st != VP_OK)
            goto done;
        if (!got)
            break;
        line = (unsigned long)vp_csv_line(c);
        if (line > MAX_LINES) {
            st = vp_error_set(err, VP_ERR_TOO_BIG, &(vp_where){path, (unsigned)line}, "more than %d lines",
                            MAX_LINES);
            goto done;
        }
        if (vp_csv_blank(c))
            continue;
        row_check rc = {&why, 0, 0};
        why.len = 0;
        if (why.data)
            why.data[0] = '\0';
        int pc4 = -1;
        if (vp_csv_defect(c)) {
            row_problem(&rc, "%s", vp_csv_defect(c));
        } else if (vp_csv_count(c) != ncols + 1) {
            row_problem(&rc, "expected %zu fields like the header, got %zu", ncols + 1,
                        vp_csv_count(c));
        } else {
            const char *p = csv_field(c, 0);
            pc4 = parse_pc4(p);
            if (!*p)
                row_problem(&rc, "PC4 is missing");
            else if (pc4 < 0)
                row_problem(&rc, "PC4 \"%s\" is not 4 digits from %d to %d", quoted(q, p),
                            PC4_MIN, PC4_MAX);
            else if (seen[pc4 - PC4_MIN])
                row_problem(&rc, "duplicate PC4 %d (first on line %lu)", pc4,
                            (unsigned long)seen[pc4 - PC4_MIN]);
            else
                seen[pc4 - PC4_MIN] = (uint32_t)line;
            double sum = 0, max = 0;
            int numbers_ok = 1;
            for (size_t k = 0; k < ncols; k++) {
                const char *v = csv_field(c, k + 1);
                const char *col = seg_at(s, columns[k])->id;
                if (!*v) {
                    row_problem(&rc, "%s: share is missing", col);
                    numbers_ok = 0;
                } else if (parse_share(v, &shares[k]) != 0) {
                    row_problem(&rc, "%s: share \"%s\" is not a number", col, quoted(q, v));
                    numbers_ok = 0;
                } else if (shares[k] < 0) {
                    row_problem(&rc, "%s: share %s is negative", col, quoted(q, v));
                    numbers_ok = 0;
                } else {
                    sum += shares[k];
                    if (shares[k] > max)
                        max = shares[k];
                }
            }
            if (numbers_ok) {
                if (sum <= 0)
                    row_problem(&rc, "the shares sum to 0");
                else if (!(max <= 1 && sum <= 1 + SUM_TOLERANCE) &&
                         fabs(sum - 100) > 100 * SUM_TOLERANCE)
                    row_problem(&rc,
                                "the shares sum to %.4g: expected fractions (each at most 1, "
                                "together at most 1) or percentages summing to 100",
                                sum);
            }
            if (!rc.bad)
                for (size_t k = 0; k < ncols; k++)
                    shares[k] /= sum;
        }
        if (rc.oom) {
            st = VP_ERR_NOMEM;
            goto done;
        }
        if (rc.bad) {
            (*bad)++;
            st = sink_problem(sink, &(vp_where){path, (unsigned)line},
                              "%s", why.data ? why.data : "bad row");
        } else {
            (*ok)++;
            st = sink->row(sink->ctx, (unsigned)pc4, shares, ncols);
        }
        if (st != VP_OK)
            goto done;
    }
done:
    if (st == VP_ERR_NOMEM)
        vp_error_set(err, st, AT(path, NULL), "out of memory");
failed:
    vp_csv_reader_destroy(c);
    vp_buf_free(&text);
    free(seen);
    free(columns);
    free(shares);
    vp_buf_free(&why);
    return st;
}

/* -- the loader's sink: keeps the rows -- */

typedef struct load_ctx {
    vp_segments *s;
    size_t col_seg[MAX_FIELDS];
    problems pr;
} load_ctx;

static vp_status load_header(void *ctx, const size_t *columns, size_t n)
{
    load_ctx *lc = ctx;
    memcpy(lc->col_seg, columns, n * sizeof *columns);
    return VP_OK;
}

static int cmp_share(const void *a, const void *b)
{
    const pc4_share *x = a, *y = b;
    if (x->share != y->share)
        return x->share > y->share ? -1 : 1;
    return x->segment < y->segment ? -1 : x->segment > y->segment;
}

static vp_status load_row(void *ctx, unsigned pc4, const double *shares, size_t n)
{
    load_ctx *lc = ctx;
    vp_segments *s = lc->s;
    pc4_row *r = vp_grow(s->pc4.rows, &s->pc4.alloc_rows, s->pc4.n_rows + 1, sizeof *r);
    if (!r)
        return VP_ERR_NOMEM;
    s->pc4.rows = r;
    pc4_share *sh = vp_grow(s->pc4.shares, &s->pc4.alloc_shares, s->pc4.n_shares + n, sizeof *sh);
    if (!sh)
        return VP_ERR_NOMEM;
    s->pc4.shares = sh;
    pc4_row *row = &s->pc4.rows[s->pc4.n_rows];
    row->first = s->pc4.n_shares;
    row->n = 0;
    for (size_t k = 0; k < n; k++)
        if (shares[k] > 0) {
            s->pc4.shares[row->first + row->n].segment = lc->col_seg[k];
            s->pc4.shares[row->first + row->n].share = shares[k];
            row->n++;
        }
    qsort(s->pc4.shares + row->first, row->n, sizeof *s->pc4.shares, cmp_share);
    s->pc4.n_shares += row->n;
    s->pc4.n_rows++;
    s->pc4.index[pc4 - PC4_MIN] = (uint32_t)s->pc4.n_rows;
    return VP_OK;
}

static vp_status load_problem(void *ctx, const vp_error *problem)
{
    load_ctx *lc = ctx;
    add_problem(&lc->pr, &(vp_where){problem->file, problem->line, problem->path, NULL}, "%s",
                problem->message);
    return lc->pr.oom ? VP_ERR_NOMEM : VP_OK;
}

static vp_status load_table(vp_segments *s, const char *path, vp_error *err)
{
    vp_status st = VP_OK;
    load_ctx *lc = calloc(1, sizeof *lc);
    if (!lc) {
        st = vp_error_set(err, VP_ERR_NOMEM, AT(path, NULL), "out of memory");
        goto done;
    }
    lc->s = s;
    s->pc4.index = calloc(N_PC4, sizeof *s->pc4.index);
    if (!s->pc4.index) {
        st = vp_error_set(err, VP_ERR_NOMEM, AT(path, NULL), "out of memory");
        goto done;
    }
    table_sink sink = {load_header, load_row, load_problem, lc};
    size_t ok = 0, bad = 0;
    vp_error fatal = VP_ERROR_INIT;
    st = parse_table(s, path, &sink, &ok, &bad, &fatal);
    if (st != VP_OK && st != VP_ERR_INVALID) {
        if (err) {
            vp_error_clear(err);
            *err = fatal;
        } else {
            vp_error_clear(&fatal);
        }
        goto done;
    }
    vp_error_clear(&fatal);
    if (lc->pr.oom) {
        st = vp_error_set(err, VP_ERR_NOMEM, AT(path, NULL), "out of memory");
        goto done;
    }
    if (st == VP_OK && ok + bad == 0)
        add_problem(&lc->pr, AT(path, NULL), "no PC4 rows");
    if (lc->pr.n) {
        st = problems_to_error(&lc->pr, err);
        goto done;
    }
done:
    if (lc)
        vp_error_clear(&lc->pr.list);
    free(lc);
    return st;
}

/* ---- the public interface ---- */

vp_status vp_segments_load(const char *segments_json, const char *postcodes_csv,
                           const vp_vocabulary *voc, vp_segments **out, vp_error *err)
{
    vp_status st = VP_OK;
    vp_segments *s = NULL;
    if (!segments_json || !out) {
        st = vp_error_set(err, VP_ERR_INVALID, NULL, "vp_segments_load: no segments file given");
        goto done;
    }
    s = calloc(1, sizeof *s);
    if (s)
        s->t = (vp_table)VP_TABLE_INIT(vp_segment, id);
    if (!s) {
        st = vp_error_set(err, VP_ERR_NOMEM, AT(segments_json, NULL), "out of memory");
        goto done;
    }
    st = load_json(s, segments_json, voc, err);
    if (st != VP_OK)
        goto done;
    if (postcodes_csv) {
        st = load_table(s, postcodes_csv, err);
        if (st != VP_OK)
            goto done;
    }
    *out = s;
    s = NULL;
done:
    vp_segments_destroy(s);
    return st;
}

void vp_segments_destroy(vp_segments *s)
{
    if (s) {
        vp_table_free(&s->t);
        pc4_free(&s->pc4);
    }
    free(s);
}

VP_TABLE_LOOKUPS(vp_segments, vp_segments, vp_segment)

double vp_segment_affinity(const vp_segment *seg, vp_affinity_field field, const char *value)
{
    if (!seg || !value || (int)field < 0 || field >= VP_AFFINITY_FIELD_COUNT)
        return 0;
    for (size_t i = 0; i < seg->n_affinities[field]; i++)
        if (strcmp(seg->affinities[field][i].value, value) == 0)
            return seg->affinities[field][i].weight;
    return 0;
}

/* Accepts "1234" and, for convenience, a full postcode "1234AB" or
 * "1234 AB" (of which only the PC4 counts). The shares written are the
 * PC4's own: when `max` cuts the list short they sum to less than 1. */
size_t vp_segments_for_postcode(const vp_segments *s, const char *pc4,
                                const vp_segment **segments, double *shares, size_t max)
{
    if (!s || !s->pc4.index || !pc4 || max == 0)
        return 0;
    char digits[5];
    for (int i = 0; i < 4; i++) {
        if (pc4[i] < '0' || pc4[i] > '9')
            return 0;
        digits[i] = pc4[i];
    }
    digits[4] = '\0';
    const char *rest = pc4 + 4;
    if (*rest == ' ')
        rest++;
    if (*rest && !(isalpha((unsigned char)rest[0]) && isalpha((unsigned char)rest[1]) &&
                   rest[2] == '\0'))
        return 0;
    if (rest == pc4 + 5 && !*rest)
        return 0; /* "1234 " */
    int n = parse_pc4(digits);
    if (n < 0 || !s->pc4.index[n - PC4_MIN])
        return 0;
    const pc4_row *row = &s->pc4.rows[s->pc4.index[n - PC4_MIN] - 1];
    size_t k = row->n < max ? row->n : max;
    for (size_t i = 0; i < k; i++) {
        if (segments)
            segments[i] = seg_at(s, s->pc4.shares[row->first + i].segment);
        if (shares)
            shares[i] = s->pc4.shares[row->first + i].share;
    }
    return k;
}

/* -- the importer's sink: writes the normalised rows -- */

typedef struct import_ctx {
    const vp_segments *s;
    FILE *out;
    FILE *report;
} import_ctx;

/* A share as the shortest of "%.6f" without trailing zeros: "0.25", "1", "0". */
static void format_share(char out[32], double v)
{
    snprintf(out, 32, "%.6f", v);
    size_t n = strlen(out);
    while (n > 0 && out[n - 1] == '0')
        out[--n] = '\0';
    if (n > 0 && out[n - 1] == '.')
        out[--n] = '\0';
}

static vp_status import_header(void *ctx, const size_t *columns, size_t n)
{
    import_ctx *ic = ctx;
    if (!ic->out)
        return VP_OK;
    fputs("pc4", ic->out);
    for (size_t k = 0; k < n; k++)
        fprintf(ic->out, ",%s", seg_at(ic->s, columns[k])->id);
    fputc('\n', ic->out);
    return ferror(ic->out) ? VP_ERR_IO : VP_OK;
}

static vp_status import_row(void *ctx, unsigned pc4, const double *shares, size_t n)
{
    import_ctx *ic = ctx;
    if (!ic->out)
        return VP_OK;
    fprintf(ic->out, "%u", pc4);
    for (size_t k = 0; k < n; k++) {
        char v[32];
        format_share(v, shares[k]);
        fprintf(ic->out, ",%s", v);
    }
    fputc('\n', ic->out);
    return ferror(ic->out) ? VP_ERR_IO : VP_OK;
}

static vp_status import_problem(void *ctx, const vp_error *problem)
{
    import_ctx *ic = ctx;
    if (ic->report)
        vp_error_print(ic->report, NULL, problem);
    return VP_OK;
}

vp_status vp_segments_import_postcodes(const vp_segments *s, const char *path, FILE *out,
                                       FILE *report, size_t *rows_ok, size_t *rows_bad,
                                       vp_error *err)
{
    vp_status st = VP_OK;
    size_t ok = 0, bad = 0;
    if (!s || !path || !s->t.n) {
        st = vp_error_set(err, VP_ERR_INVALID, NULL,
                          "vp_segments_import_postcodes: no segments or no file given");
        goto done;
    }
    import_ctx ic = {s, out, report};
    table_sink sink = {import_header, import_row, import_problem, &ic};
    st = parse_table(s, path, &sink, &ok, &bad, err);
    if (st == VP_ERR_IO && (!err || err->status == VP_OK))
        vp_error_set(err, st, AT(path, NULL), "could not write the normalised table");
    if (st != VP_OK)
        goto done;
    if (out && fflush(out) != 0) {
        st = vp_error_set(err, VP_ERR_IO, AT(path, NULL), "could not write the normalised table");
        goto done;
    }
    if (ok + bad == 0) {
        st = VP_ERR_INVALID;
        if (report)
            fprintf(report, "%s: no PC4 rows\n", path);
        vp_error_set(err, st, AT(path, NULL), "no PC4 rows");
        goto done;
    }
    if (bad) {
        st = vp_error_set(err, VP_ERR_INVALID, AT(path, NULL), "%zu of %zu rows rejected", bad,
                          ok + bad);
        goto done;
    }
done:
    if (rows_ok)
        *rows_ok = ok;
    if (rows_bad)
        *rows_bad = bad;
    return st;
}
