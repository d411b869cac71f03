/* sqlite_fts5.c - vindplaats-peer-sqlite: the benchmark's SQLite FTS5 peer.
 *
 * Loads the offerings of a JSONL file into a fresh SQLite database (one
 * transaction, prepared statements; an FTS5 index over the text with the
 * field weights of Vindplaats's ranking), reports the indexing rate and the
 * size on disk, then replays a query mix (one API path a line) as SQL with
 * bound parameters, with 1..N threads, each thread its own read-only
 * connection, and reports latency percentiles and queries per second.
 *
 * usage: vindplaats-peer-sqlite --offerings FILE --queries FILE --db PATH
 *        [--threads N] [--json FILE] [--label TEXT] [--now DATE-TIME]
 *        [--vocabulary FILE] [--postcodes FILE] [--stopwords FILE]
 *        [--show] [--skip-index]
 *
 * --show runs every query once and prints its total, top 10 and facets
 * instead of measuring; --skip-index reuses the database at PATH. Where the
 * semantics differ from Vindplaats is said at peer_search() below.
 *
 * Schema (PATH is deleted first):
 *   offerings(rid, id, type, title, ..., lat, lon, first_start, last_end)
 *       one row per offering; first_start / last_end in UTC epoch seconds;
 *       societal_task is the offering's own or else its proposition's;
 *   audience(offering, grp)           one row per audience group;
 *   occurrence_days(offering, day)    one row per local day YYYYMMDD;
 *   offering_fts  FTS5, external content (the view offering_text), columns
 *       title | local name + proposition name | subjects + creators |
 *       description | municipality + library and branch names, ranked with
 *       bm25(6, 4, 2, 1, 1), tokenizer unicode61 remove_diacritics 2.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sqlite3.h>

/* ------------------------------------------------------------------------
 * Common part: the same text in sqlite_fts5.c and postgres.c (keep them in
 * step). Reading offerings, their dates and days, the vocabulary and the
 * postcode table, parsing a query line of the mix, running the mix with
 * 1..N threads, and printing the figures in the form of bench/latency.c.
 * ------------------------------------------------------------------------ */

#ifndef VP_DATA_DIR
#define VP_DATA_DIR "data"
#endif

#define CLOCK_DEFAULT "2026-12-01T08:00:00+01:00"
#define EARTH_RADIUS_KM 6372.7976 /* the sphere engine/geo.c uses */
#define MAX_DAYS_PER_OCCURRENCE 366
#define MAX_DAYS_PER_OFFERING 3660
#define OPEN_RANGE_DAYS 1830 /* from alone: up to 1830 days later (docs/api.md) */
#define TOP_N 10
#define VP_PI 3.14159265358979323846
#define MAX_FILTER_VALUES 50

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fputs("out of memory\n", stderr);
        exit(1);
    }
    return p;
}

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) {
        fputs("out of memory\n", stderr);
        exit(1);
    }
    return p;
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(xmalloc(n), s, n);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A growing string. */
typedef struct sbuf {
    char *s;
    size_t len, cap;
} sbuf;

static void sb_grow(sbuf *b, size_t extra)
{
    if (b->len + extra + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + extra + 1)
            cap *= 2;
        b->s = xrealloc(b->s, cap);
        b->cap = cap;
    }
}

static void sb_putn(sbuf *b, const char *s, size_t n)
{
    sb_grow(b, n);
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void sb_puts(sbuf *b, const char *s) { sb_putn(b, s, strlen(s)); }

static void sb_putc(sbuf *b, char c) { sb_putn(b, &c, 1); }

static void sb_vprintf(sbuf *b, const char *fmt, va_list ap)
{
    char small[256];
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    if (n >= 0 && (size_t)n < sizeof small) {
        sb_putn(b, small, (size_t)n);
    } else if (n >= 0) {
        sb_grow(b, (size_t)n);
        vsnprintf(b->s + b->len, (size_t)n + 1, fmt, again);
        b->len += (size_t)n;
    }
    va_end(again);
}

static void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_printf(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(b, fmt, ap);
    va_end(ap);
}

static void sb_reset(sbuf *b)
{
    b->len = 0;
    if (b->s)
        b->s[0] = '\0';
}

static const char *sb_str(const sbuf *b) { return b->s ? b->s : ""; }

/* A list of strings. */
typedef struct slist {
    char **v;
    size_t n, cap;
} slist;

static void sl_push(slist *l, const char *s)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 4;
        l->v = xrealloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n++] = xstrdup(s);
}

static void sl_free(slist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* ---- calendar ---- */

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* YYYYMMDD of a day number. */
static int day_key(int64_t z)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp + (mp < 10 ? 3 : -9);
    y += m <= 2;
    return (int)(y * 10000 + m * 100 + d);
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

static int valid_date(int y, int m, int d)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1000 || m < 1 || m > 12 || d < 1)
        return 0;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= mdays[m - 1] + (m == 2 && leap);
}

/* A date as YYYY-MM-DD: its day number, or -1e9 when it is not one. */
static int parse_ymd(const char *s, int64_t *day)
{
    int y, m, d;
    if (digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &m) || s[7] != '-' ||
        digits(s + 8, 2, &d) || !valid_date(y, m, d))
        return -1;
    *day = days_from_civil(y, m, d);
    return 0;
}

/* A date-time with offset (the local day is the date as written) or a
 * plain date (all day). */
typedef struct when {
    int set, all_day, midnight;
    int64_t day; /* local day number */
    int64_t utc; /* instant; a plain date counts as 00:00 UTC */
} when;

static int parse_when(const char *s, when *w)
{
    memset(w, 0, sizeof *w);
    if (!s || parse_ymd(s, &w->day))
        return -1;
    w->set = 1;
    if (s[10] == '\0') {
        w->all_day = 1;
        w->utc = w->day * 86400;
        return 0;
    }
    if (s[10] != 'T' && s[10] != 't' && s[10] != ' ')
        return -1;
    const char *p = s + 11;
    int hh, mi, ss = 0;
    if (digits(p, 2, &hh) || p[2] != ':' || digits(p + 3, 2, &mi) || hh > 23 || mi > 59)
        return -1;
    p += 5;
    if (*p == ':') {
        if (digits(p + 1, 2, &ss) || ss > 60)
            return -1;
        if (ss == 60)
            ss = 59;
        p += 3;
        if (*p == '.' || *p == ',')
            for (p++; *p >= '0' && *p <= '9'; p++)
                ;
    }
    int off = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh, om;
        int sign = *p == '-' ? -1 : 1;
        if (digits(p + 1, 2, &oh) || oh > 23)
            return -1;
        p += 3;
        if (*p == ':')
            p++;
        if (digits(p, 2, &om) || om > 59)
            return -1;
        p += 2;
        off = sign * (oh * 60 + om);
    } else {
        return -1;
    }
    if (*p)
        return -1;
    w->midnight = hh == 0 && mi == 0 && ss == 0;
    w->utc = w->day * 86400 + hh * 3600 + mi * 60 + ss - (int64_t)off * 60;
    return 0;
}

/* The instant an end stands for: a plain date is the whole day. */
static int64_t when_end_utc(const when *w) { return w->all_day ? w->day * 86400 + 86399 : w->utc; }

/* ---- vocabulary, postcodes, stop words ---- */

typedef struct proposition {
    char *id, *name, *task;
} proposition;

static proposition *g_props;
static size_t g_nprops;

static int load_vocabulary(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '#' || !line[0])
            continue;
        char *id = line, *name = strchr(id, '\t');
        char *task = name ? strchr(name + 1, '\t') : NULL;
        if (!task)
            continue;
        *name++ = '\0';
        *task++ = '\0';
        char *end = strchr(task, '\t');
        if (end)
            *end = '\0';
        g_props = xrealloc(g_props, (g_nprops + 1) * sizeof *g_props);
        g_props[g_nprops++] = (proposition){xstrdup(id), xstrdup(name), xstrdup(task)};
    }
    free(line);
    fclose(f);
    return 0;
}

static const proposition *find_proposition(const char *id)
{
    for (size_t i = 0; id && i < g_nprops; i++)
        if (strcmp(g_props[i].id, id) == 0)
            return &g_props[i];
    return NULL;
}

/* PC4 centres: the mean of every row of a postcode. */
static double g_pc_lat[10000], g_pc_lon[10000];
static int g_pc_n[10000];

static double json_number_or_string(json_t *v, int *ok)
{
    if (json_is_number(v))
        return json_number_value(v);
    if (json_is_string(v)) {
        char *end;
        double d = strtod(json_string_value(v), &end);
        if (end != json_string_value(v) && !*end)
            return d;
    }
    *ok = 0;
    return 0;
}

static int load_postcodes(const char *path)
{
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    if (!json_is_array(root)) {
        fprintf(stderr, "%s: %s\n", path, root ? "not a JSON array" : jerr.text);
        json_decref(root);
        return -1;
    }
    size_t i;
    json_t *row;
    json_array_foreach(root, i, row) {
        const char *zip = json_string_value(json_object_get(row, "zipcode"));
        int pc, ok = 1;
        if (!zip || strlen(zip) < 4 || digits(zip, 4, &pc))
            continue;
        double lat = json_number_or_string(json_object_get(row, "latitude"), &ok);
        double lon = json_number_or_string(json_object_get(row, "longitude"), &ok);
        if (!ok)
            continue;
        g_pc_lat[pc] += lat;
        g_pc_lon[pc] += lon;
        g_pc_n[pc]++;
    }
    for (int k = 0; k < 10000; k++)
        if (g_pc_n[k]) {
            g_pc_lat[k] /= g_pc_n[k];
            g_pc_lon[k] /= g_pc_n[k];
        }
    json_decref(root);
    return 0;
}

/* ---- the offering ---- */

typedef struct occurrence {
    when start, end;
} occurrence;

typedef struct offering {
    const char *id, *type, *title, *description, *local_name, *proposition, *proposition_name,
        *societal_task, *language, *channel, *library, *library_name, *branch, *branch_name,
        *municipality, *url;
    char *creators, *subjects; /* joined with "; " */
    slist groups;
    int has_location, has_dates, has_price;
    double lat, lon, price;
    int64_t first_start, last_end; /* UTC epoch seconds */
    int *days;                     /* YYYYMMDD, ascending, distinct */
    size_t n_days;
} offering;

static const char *jstr(json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key)); /* NULL unless a string */
}

static char *join_strings(json_t *arr)
{
    sbuf b = {0};
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) {
        if (!json_is_string(v))
            continue;
        if (b.len)
            sb_puts(&b, "; ");
        sb_puts(&b, json_string_value(v));
    }
    return b.s; /* NULL when empty */
}

static int cmp_occurrence(const void *a, const void *b)
{
    const occurrence *x = a, *y = b;
    return (x->start.utc > y->start.utc) - (x->start.utc < y->start.utc);
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* Days as docs/offering.md counts them: every local day from the start's to
 * the end's, an end at local midnight not counting its day, at most 366
 * days per occurrence and 3660 per offering (occurrences in start order). */
static void offering_dates(offering *o, json_t *rec)
{
    occurrence *occ = NULL;
    size_t n = 0;
    json_t *arr = json_object_get(rec, "occurrences");
    if (json_is_array(arr) && json_array_size(arr) > 0) {
        occ = xmalloc(json_array_size(arr) * sizeof *occ);
        size_t i;
        json_t *v;
        json_array_foreach(arr, i, v) {
            occurrence oc;
            if (parse_when(jstr(v, "start"), &oc.start))
                continue;
            if (parse_when(jstr(v, "end"), &oc.end))
                oc.end.set = 0;
            occ[n++] = oc;
        }
    } else {
        occurrence oc;
        if (!parse_when(jstr(rec, "start"), &oc.start)) {
            if (parse_when(jstr(rec, "end"), &oc.end))
                oc.end.set = 0;
            occ = xmalloc(sizeof *occ);
            occ[n++] = oc;
        }
    }
    if (!n) {
        free(occ);
        return;
    }
    qsort(occ, n, sizeof *occ, cmp_occurrence);
    when given;
    o->has_dates = 1;
    o->first_start = parse_when(jstr(rec, "start"), &given) == 0 ? given.utc : occ[0].start.utc;
    o->last_end = INT64_MIN;
    size_t cap = 16, total = 0;
    o->days = xmalloc(cap * sizeof *o->days);
    for (size_t i = 0; i < n; i++) {
        const occurrence *oc = &occ[i];
        int64_t end = oc->end.set ? when_end_utc(&oc->end) : when_end_utc(&oc->start);
        if (end > o->last_end)
            o->last_end = end;
        int64_t first = oc->start.day, last = oc->end.set ? oc->end.day : first;
        if (oc->end.set && !oc->end.all_day && oc->end.midnight && last > first)
            last--;
        if (last - first >= MAX_DAYS_PER_OCCURRENCE)
            last = first + MAX_DAYS_PER_OCCURRENCE - 1;
        for (int64_t d = first; d <= last && total < MAX_DAYS_PER_OFFERING; d++, total++) {
            if (o->n_days == cap)
                o->days = xrealloc(o->days, (cap *= 2) * sizeof *o->days);
            o->days[o->n_days++] = day_key(d);
        }
    }
    qsort(o->days, o->n_days, sizeof *o->days, cmp_int);
    size_t k = 0;
    for (size_t i = 0; i < o->n_days; i++)
        if (k == 0 || o->days[k - 1] != o->days[i])
            o->days[k++] = o->days[i];
    o->n_days = k;
    free(occ);
}

/* The fields of one record; strings point into rec. Returns -1 when a
 * required field is missing. */
static int offering_from_json(json_t *rec, offering *o)
{
    memset(o, 0, sizeof *o);
    o->id = jstr(rec, "id");
    o->type = jstr(rec, "type");
    o->title = jstr(rec, "title");
    if (!o->id || !o->type || !o->title)
        return -1;
    o->description = jstr(rec, "description");
    o->local_name = jstr(rec, "local_name");
    o->proposition = jstr(rec, "proposition");
    const proposition *p = find_proposition(o->proposition);
    o->proposition_name = p ? p->name : NULL;
    o->societal_task = jstr(rec, "societal_task");
    if (!o->societal_task && p)
        o->societal_task = p->task; /* docs/api.md: the proposition's task */
    o->language = jstr(rec, "language");
    o->channel = jstr(rec, "channel");
    o->library = jstr(rec, "library");
    o->library_name = jstr(rec, "library_name");
    o->branch = jstr(rec, "branch");
    o->branch_name = jstr(rec, "branch_name");
    o->municipality = jstr(rec, "municipality");
    o->url = jstr(rec, "url");
    o->creators = join_strings(json_object_get(rec, "creators"));
    o->subjects = join_strings(json_object_get(rec, "subjects"));
    json_t *groups = json_object_get(json_object_get(rec, "audience"), "groups");
    size_t i;
    json_t *v;
    json_array_foreach(groups, i, v) {
        if (!json_is_string(v))
            continue;
        size_t k;
        for (k = 0; k < o->groups.n && strcmp(o->groups.v[k], json_string_value(v)); k++)
            ;
        if (k == o->groups.n)
            sl_push(&o->groups, json_string_value(v));
    }
    json_t *loc = json_object_get(rec, "location");
    if (json_is_number(json_object_get(loc, "lat")) && json_is_number(json_object_get(loc, "lon"))) {
        o->has_location = 1;
        o->lat = json_number_value(json_object_get(loc, "lat"));
        o->lon = json_number_value(json_object_get(loc, "lon"));
    }
    json_t *amount = json_object_get(json_object_get(rec, "price"), "amount");
    if (json_is_number(amount)) {
        o->has_price = 1;
        o->price = json_number_value(amount);
    }
    offering_dates(o, rec);
    return 0;
}

static void offering_clear(offering *o)
{
    free(o->creators);
    free(o->subjects);
    free(o->days);
    sl_free(&o->groups);
}

/* Calls fn for every offering of a JSONL file; counts the lines it could
 * not take. Returns the number of offerings passed to fn, or -1. */
typedef int (*offering_fn)(void *ctx, const offering *o);

static long read_offerings(const char *path, offering_fn fn, void *ctx, long *rejected)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long lineno = 0, n = 0;
    *rejected = 0;
    while ((len = getline(&line, &cap, f)) > 0) {
        lineno++;
        size_t k = strspn(line, " \t\r\n");
        if ((ssize_t)k == len)
            continue;
        json_error_t jerr;
        json_t *rec = json_loadb(line, (size_t)len, 0, &jerr);
        offering o;
        int st = !json_is_object(rec) ? -1 : offering_from_json(rec, &o);
        if (st == 0) {
            st = fn(ctx, &o);
            offering_clear(&o);
            if (st < 0) {
                json_decref(rec);
                free(line);
                fclose(f);
                return -1;
            }
            if (st == 0)
                n++;
        }
        if (st != 0) {
            if (++*rejected <= 5)
                fprintf(stderr, "%s:%ld: record skipped\n", path, lineno);
        }
        json_decref(rec);
    }
    free(line);
    fclose(f);
    return n;
}

/* ---- a line of the query mix ---- */

enum { F_TYPE, F_LIBRARY, F_BRANCH, F_PROPOSITION, F_SOCIETAL_TASK, F_AUDIENCE, F_CHANNEL, F_LANGUAGE, NF };
static const char *const filter_param[NF] = {"type", "library", "branch", "proposition",
                                             "societal_task", "audience", "channel", "language"};
enum { FA_TYPE, FA_LIBRARY, FA_PROPOSITION, FA_AUDIENCE, FA_CHANNEL, NFA };
static const char *const facet_name[NFA] = {"type", "library", "proposition", "audience", "channel"};

typedef struct query {
    char *line;
    char *q;         /* decoded, "" when absent */
    slist f[NF];     /* values of each filter: OR-ed within, AND-ed across */
    int from, to;    /* YYYYMMDD, 0 when there is no date range */
    int has_place;
    double lat, lon;
    double radius_km; /* 0: no radius */
    int include_past;
    unsigned facets; /* bit per FA_ */
    char *error;     /* set when the line is not a query the peer can run */
} query;

static char *url_decode(const char *s, size_t n)
{
    char *out = xmalloc(n + 1), *o = out;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+') {
            *o++ = ' ';
        } else if (s[i] == '%' && i + 2 < n && isxdigit((unsigned char)s[i + 1]) &&
                   isxdigit((unsigned char)s[i + 2])) {
            char hex[3] = {s[i + 1], s[i + 2], 0};
            *o++ = (char)strtol(hex, NULL, 16);
            i += 2;
        } else {
            *o++ = s[i];
        }
    }
    *o = '\0';
    return out;
}

static void query_error(query *q, const char *fmt, const char *arg)
{
    if (q->error)
        return;
    size_t n = strlen(fmt) + (arg ? strlen(arg) : 0) + 1;
    q->error = xmalloc(n);
    snprintf(q->error, n, fmt, arg ? arg : "");
}

static void parse_query(const char *line, query *q)
{
    memset(q, 0, sizeof *q);
    q->line = xstrdup(line);
    q->q = xstrdup("");
    const char *p = strchr(line, '?');
    p = p ? p + 1 : line + strlen(line); /* a path without '?' has no parameters */
    int64_t from = INT64_MIN, to = INT64_MIN;
    int seen_q = 0, seen_place = 0;
    while (*p) {
        size_t n = strcspn(p, "&");
        const char *eq = memchr(p, '=', n);
        char *key = url_decode(p, eq ? (size_t)(eq - p) : n);
        char *val = eq ? url_decode(eq + 1, n - (size_t)(eq + 1 - p)) : xstrdup("");
        p += n;
        if (*p == '&')
            p++;
        int fi = -1;
        for (int k = 0; k < NF; k++)
            if (strcmp(key, filter_param[k]) == 0)
                fi = k;
        if (!*key) {
            /* an empty item (a stray '&') */
        } else if (strcmp(key, "q") == 0) {
            if (seen_q++)
                query_error(q, "q: given more than once", NULL);
            free(q->q);
            q->q = xstrdup(val);
            if (strlen(q->q) > 1000)
                q->q[1000] = '\0'; /* bytes, like the server (which cuts at a character) */
        } else if (fi >= 0) {
            if (!*val)
                query_error(q, "%s: must not be empty", key);
            else if (q->f[fi].n >= MAX_FILTER_VALUES)
                query_error(q, "%s: more than 50 values", key);
            else
                sl_push(&q->f[fi], val);
        } else if (strcmp(key, "from") == 0 || strcmp(key, "to") == 0) {
            int64_t *d = key[0] == 'f' ? &from : &to;
            if (*val && (strlen(val) != 10 || parse_ymd(val, d)))
                query_error(q, "%s: not a date YYYY-MM-DD", key);
        } else if (strcmp(key, "postcode") == 0 || strcmp(key, "near") == 0) {
            if (!*val)
                ;
            else if (seen_place++)
                query_error(q, "postcode: give near or postcode, not both", NULL);
            else if (key[0] == 'p') {
                int pc;
                if (strlen(val) < 4 || digits(val, 4, &pc) || !g_pc_n[pc])
                    query_error(q, "postcode: unknown Dutch postcode \"%s\"", val);
                else {
                    q->has_place = 1;
                    q->lat = g_pc_lat[pc];
                    q->lon = g_pc_lon[pc];
                }
            } else {
                char *end;
                q->lat = strtod(val, &end);
                if (*end != ',' || (q->lon = strtod(end + 1, &end), *end) || fabs(q->lat) > 90 ||
                    fabs(q->lon) > 180)
                    query_error(q, "near: not LAT,LON", NULL);
                q->has_place = 1;
            }
        } else if (strcmp(key, "radius_km") == 0) {
            char *end;
            if (*val) {
                q->radius_km = strtod(val, &end);
                if (*end || !(q->radius_km >= 0.1 && q->radius_km <= 1000))
                    query_error(q, "radius_km: not a number 0.1-1000", NULL);
            }
        } else if (strcmp(key, "include_past") == 0) {
            if (strcmp(val, "true") == 0 || strcmp(val, "1") == 0)
                q->include_past = 1;
            else if (*val && strcmp(val, "false") && strcmp(val, "0"))
                query_error(q, "include_past: true or false", NULL);
        } else if (strcmp(key, "facets") == 0) {
            for (char *s = val; *val && s;) {
                char *comma = strchr(s, ',');
                if (comma)
                    *comma = '\0';
                int found = 0;
                if (strcmp(s, "all") == 0)
                    q->facets = (1u << NFA) - 1, found = 1;
                for (int k = 0; k < NFA; k++)
                    if (strcmp(s, facet_name[k]) == 0)
                        q->facets |= 1u << k, found = 1;
                if (!found)
                    query_error(q, "facets: unknown facet \"%s\"", s);
                s = comma ? comma + 1 : NULL;
            }
        } else if ((strcmp(key, "sort") == 0 && (!*val || strcmp(val, "relevance") == 0)) ||
                   (strcmp(key, "page") == 0 && (!*val || strcmp(val, "1") == 0)) ||
                   (strcmp(key, "per_page") == 0 && (!*val || strcmp(val, "10") == 0))) {
            /* the only order and page the peers give */
        } else {
            query_error(q, "%s: not supported by this peer", key);
        }
        free(key);
        free(val);
    }
    if (from != INT64_MIN || to != INT64_MIN) {
        if (from == INT64_MIN)
            from = to - OPEN_RANGE_DAYS;
        if (to == INT64_MIN)
            to = from + OPEN_RANGE_DAYS;
        if (to < from)
            query_error(q, "to: before from", NULL);
        else if (to - from > MAX_DAYS_PER_OFFERING)
            query_error(q, "to: more than 3660 days after from", NULL);
        q->from = day_key(from);
        q->to = day_key(to);
    }
    if (q->radius_km > 0 && !q->has_place)
        query_error(q, "radius_km: needs near or postcode", NULL);
}

static void query_clear(query *q)
{
    free(q->line);
    free(q->q);
    free(q->error);
    for (int k = 0; k < NF; k++)
        sl_free(&q->f[k]);
}

/* The bounding box of a radius around the place (a little wider than the
 * circle; the exact distance is checked after it). */
static void radius_box(const query *q, double box[4])
{
    double dlat = q->radius_km / (EARTH_RADIUS_KM * VP_PI / 180.0) * 1.01;
    double c = cos(q->lat * VP_PI / 180.0);
    double dlon = c > 1e-6 ? dlat / c : 360.0;
    box[0] = q->lat - dlat;
    box[1] = q->lat + dlat;
    box[2] = q->lon - dlon;
    box[3] = q->lon + dlon;
}

__attribute__((unused)) /* the PostgreSQL peer computes it in SQL */
static double distance_km(double lat1, double lon1, double lat2, double lon2)
{
    const double rad = VP_PI / 180.0;
    double dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
    double a = sin(dlat / 2) * sin(dlat / 2) +
               cos(lat1 * rad) * cos(lat2 * rad) * sin(dlon / 2) * sin(dlon / 2);
    return 2 * EARTH_RADIUS_KM * atan2(sqrt(a), sqrt(1 - a));
}

/* ---- what a search returns ---- */

typedef struct facet_count {
    char *value;
    long count;
} facet_count;

typedef struct result {
    long total;
    int n;
    char *id[TOP_N], *title[TOP_N], *type[TOP_N];
    double score[TOP_N];
    facet_count *facet[NFA];
    size_t n_facet[NFA], cap_facet[NFA];
} result;

static void result_add_facet(result *r, int k, const char *value, long count)
{
    if (r->n_facet[k] == r->cap_facet[k]) {
        r->cap_facet[k] = r->cap_facet[k] ? r->cap_facet[k] * 2 : 8;
        r->facet[k] = xrealloc(r->facet[k], r->cap_facet[k] * sizeof *r->facet[k]);
    }
    r->facet[k][r->n_facet[k]++] = (facet_count){xstrdup(value ? value : ""), count};
}

static void result_add_hit(result *r, const char *id, const char *title, const char *type, double score)
{
    if (r->n >= TOP_N)
        return;
    r->id[r->n] = xstrdup(id ? id : "");
    r->title[r->n] = xstrdup(title ? title : "");
    r->type[r->n] = xstrdup(type ? type : "");
    r->score[r->n++] = score;
}

static int cmp_facet(const void *a, const void *b)
{
    const facet_count *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(x->value, y->value);
}

/* Facets by count, highest first, then by value (as the server lists them). */
static void result_sort_facets(result *r)
{
    for (int k = 0; k < NFA; k++)
        if (r->n_facet[k])
            qsort(r->facet[k], r->n_facet[k], sizeof *r->facet[k], cmp_facet);
}

static void result_clear(result *r)
{
    for (int i = 0; i < r->n; i++) {
        free(r->id[i]);
        free(r->title[i]);
        free(r->type[i]);
    }
    for (int k = 0; k < NFA; k++) {
        for (size_t i = 0; i < r->n_facet[k]; i++)
            free(r->facet[k][i].value);
        free(r->facet[k]);
    }
    memset(r, 0, sizeof *r);
}

static void result_print(const query *q, const result *r, const char *err, double ms)
{
    printf("%s\n", q->line);
    if (err) {
        printf("  error: %s\n", err);
        return;
    }
    printf("  total %ld  (%.2f ms)\n", r->total, ms);
    for (int i = 0; i < r->n; i++)
        printf("  %2d. %s [%s] %.3f  (%s)\n", i + 1, r->title[i], r->type[i], r->score[i], r->id[i]);
    for (int k = 0; k < NFA; k++) {
        if (!(q->facets & (1u << k)))
            continue;
        printf("  facet %s:", facet_name[k]);
        for (size_t i = 0; i < r->n_facet[k]; i++)
            printf(" %s %ld%s", r->facet[k][i].value, r->facet[k][i].count, i + 1 < r->n_facet[k] ? "," : "");
        printf("\n");
    }
}

/* ---- running the mix ---- */

typedef struct peer_conn peer_conn;
static int peer_search(peer_conn *c, const query *q, result *r, char **err);

typedef struct job {
    peer_conn *conn;
    const query *queries;
    size_t n, first, step;
    double *latency_ms;
    size_t errors;
} job;

static pthread_mutex_t g_err_lock = PTHREAD_MUTEX_INITIALIZER;
static int g_err_shown;

static void *worker(void *arg)
{
    job *jb = arg;
    for (size_t i = jb->first; i < jb->n; i += jb->step) {
        const query *q = &jb->queries[i];
        double t0 = now_s();
        char *err = NULL;
        result r = {0};
        int st = q->error ? -1 : peer_search(jb->conn, q, &r, &err);
        result_clear(&r);
        jb->latency_ms[i] = (now_s() - t0) * 1000.0;
        if (st != 0) {
            jb->errors++;
            pthread_mutex_lock(&g_err_lock);
            if (g_err_shown++ < 10)
                fprintf(stderr, "error: %s: %s\n", q->line, q->error ? q->error : err ? err : "?");
            pthread_mutex_unlock(&g_err_lock);
        }
        free(err);
    }
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct figures {
    double p50, p95, p99, qps;
    size_t errors, count;
} figures;

/* One pass over the mix with T threads, thread t on conns[t] taking the
 * queries t, t+T, t+2T, ... */
static figures run_mix(peer_conn **conns, const query *queries, size_t n, int threads)
{
    double *lat = calloc(n ? n : 1, sizeof *lat);
    pthread_t tid[64];
    job jobs[64];
    double t0 = now_s();
    for (int t = 0; t < threads; t++) {
        jobs[t] = (job){conns[t], queries, n, (size_t)t, (size_t)threads, lat, 0};
        if (pthread_create(&tid[t], NULL, worker, &jobs[t]) != 0) {
            fputs("pthread_create failed\n", stderr);
            exit(1);
        }
    }
    figures f = {0, 0, 0, 0, 0, n};
    for (int t = 0; t < threads; t++) {
        pthread_join(tid[t], NULL);
        f.errors += jobs[t].errors;
    }
    double elapsed = now_s() - t0;
    if (n) {
        qsort(lat, n, sizeof *lat, cmp_double);
        f.p50 = lat[n / 2];
        f.p95 = lat[(size_t)((double)n * 0.95)];
        f.p99 = lat[(size_t)((double)n * 0.99)];
        f.qps = (double)n / elapsed;
    }
    free(lat);
    return f;
}

static query *read_queries(const char *path, size_t *n)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return NULL;
    }
    size_t cap = 1024;
    query *qs = xmalloc(cap * sizeof *qs);
    char *line = NULL;
    size_t lcap = 0;
    *n = 0;
    while (getline(&line, &lcap, f) > 0) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[strspn(line, " \t")])
            continue;
        if (*n == cap)
            qs = xrealloc(qs, (cap *= 2) * sizeof *qs);
        parse_query(line, &qs[(*n)++]);
    }
    free(line);
    fclose(f);
    return qs;
}

/* The label as a JSON string (quotes included). */
static char *json_quote(const char *s)
{
    json_t *j = json_string(s);
    char *out = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
    json_decref(j);
    return out ? out : xstrdup("\"\"");
}

static void report_index(const char *system, const char *label, long n, double secs, double bytes,
                         FILE *jf)
{
    double mb = bytes / 1048576.0, rate = secs > 0 ? (double)n / secs : 0;
    printf("%s index %s: %ld offerings in %.2f s, %.0f offerings/s, size %.1f MB\n", system, label, n,
           secs, rate, mb);
    if (jf) {
        char *l = json_quote(label);
        fprintf(jf,
                "{\"system\":\"%s\",\"label\":%s,\"what\":\"index\",\"offerings\":%ld,\"seconds\":%.3f,"
                "\"per_second\":%.1f,\"size_mb\":%.1f}\n",
                system, l, n, secs, rate, mb);
        free(l);
        fflush(jf);
    }
    fflush(stdout);
}

static void report_search(const char *system, const char *label, int threads, const figures *s, FILE *jf)
{
    printf("%s search %s threads %d: %zu queries, p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, "
           "%.0f queries/s, %zu errors\n",
           system, label, threads, s->count, s->p50, s->p95, s->p99, s->qps, s->errors);
    if (jf) {
        char *l = json_quote(label);
        fprintf(jf,
                "{\"system\":\"%s\",\"label\":%s,\"what\":\"search\",\"threads\":%d,\"queries\":%zu,"
                "\"p50_ms\":%.3f,\"p95_ms\":%.3f,\"p99_ms\":%.3f,\"qps\":%.1f,\"errors\":%zu}\n",
                system, l, threads, s->count, s->p50, s->p95, s->p99, s->qps, s->errors);
        free(l);
        fflush(jf);
    }
    fflush(stdout);
}

/* ---- options both peers take ---- */

typedef struct options {
    const char *offerings, *queries, *json, *label, *vocabulary, *postcodes, *now;
    const char *target; /* --db or --conninfo */
    const char *stopwords;
    int threads, show, skip_index;
} options;

static int parse_options(int argc, char **argv, const char *target_flag, options *o)
{
    memset(o, 0, sizeof *o);
    o->threads = 2;
    o->label = "";
    o->vocabulary = VP_DATA_DIR "/vocabulary/propositions.tsv";
    o->postcodes = VP_DATA_DIR "/reference/nl_pc4_geonames.json";
    o->stopwords = VP_DATA_DIR "/lexicon/stopwords-nl.txt";
    o->now = CLOCK_DEFAULT;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--show") == 0) {
            o->show = 1;
            continue;
        }
        if (strcmp(a, "--skip-index") == 0) {
            o->skip_index = 1;
            continue;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
            return 1;
        if (i + 1 >= argc) {
            fprintf(stderr, "%s: %s needs a value\n", argv[0], a);
            return 2;
        }
        const char *v = argv[++i];
        if (strcmp(a, "--offerings") == 0) o->offerings = v;
        else if (strcmp(a, "--queries") == 0) o->queries = v;
        else if (strcmp(a, target_flag) == 0) o->target = v;
        else if (strcmp(a, "--threads") == 0) o->threads = atoi(v);
        else if (strcmp(a, "--json") == 0) o->json = v;
        else if (strcmp(a, "--label") == 0) o->label = v;
        else if (strcmp(a, "--vocabulary") == 0) o->vocabulary = v;
        else if (strcmp(a, "--postcodes") == 0) o->postcodes = v;
        else if (strcmp(a, "--stopwords") == 0) o->stopwords = v;
        else if (strcmp(a, "--now") == 0) o->now = v;
        else {
            fprintf(stderr, "%s: unknown option %s\n", argv[0], a);
            return 2;
        }
    }
    if ((!o->offerings && !o->skip_index) || !o->queries || !o->target || o->threads < 1 ||
        o->threads > 64)
        return 2;
    return 0;
}

/* The thread counts of a run: 1, 2, 4, ... up to N (as bench/latency.c). */
static int next_threads(int t, int max) { return t * 2 <= max ? t * 2 : 0; }

/* ------------------------------------------------------------------------
 * End of the common part.
 * ------------------------------------------------------------------------ */

/* ---- SQLite ---- */

#define SYSTEM "sqlite-fts5"

static int64_t g_clock; /* offerings whose last occurrence ended before it are hidden */

static const char *const filter_column[NF] = {"type",          "library", "branch",  "proposition",
                                              "societal_task", NULL,      "channel", "language"};

static const char *const schema_sql =
    "CREATE TABLE offerings(\n"
    "  rid INTEGER PRIMARY KEY,\n"
    "  id TEXT NOT NULL UNIQUE,\n"
    "  type TEXT NOT NULL,\n"
    "  title TEXT NOT NULL,\n"
    "  description TEXT, local_name TEXT, proposition TEXT, proposition_name TEXT,\n"
    "  societal_task TEXT, creators TEXT, subjects TEXT, language TEXT, channel TEXT,\n"
    "  library TEXT, library_name TEXT, branch TEXT, branch_name TEXT, municipality TEXT,\n"
    "  lat REAL, lon REAL, first_start INTEGER, last_end INTEGER, price REAL, url TEXT);\n"
    "CREATE TABLE audience(offering INTEGER NOT NULL, grp TEXT NOT NULL,\n"
    "  PRIMARY KEY (offering, grp)) WITHOUT ROWID;\n"
    "CREATE TABLE occurrence_days(offering INTEGER NOT NULL, day INTEGER NOT NULL,\n"
    "  PRIMARY KEY (offering, day)) WITHOUT ROWID;\n"
    /* What the FTS index holds; FTS5 reads it back only for snippet() and
     * the like, bm25() needs only the index. */
    "CREATE VIEW offering_text AS SELECT rid, title,\n"
    "  coalesce(local_name, '') || ' ' || coalesce(proposition_name, '') AS names,\n"
    "  coalesce(subjects, '') || ' ' || coalesce(creators, '') AS topics,\n"
    "  coalesce(description, '') AS description,\n"
    "  coalesce(municipality, '') || ' ' || coalesce(library_name, '') || ' ' ||\n"
    "  coalesce(branch_name, '') AS place\n"
    "  FROM offerings;\n"
    "CREATE VIRTUAL TABLE offering_fts USING fts5(title, names, topics, description, place,\n"
    "  content='offering_text', content_rowid='rid',\n"
    "  tokenize='unicode61 remove_diacritics 2');\n"
    /* Vindplaats's field weights: title 6, local/proposition name 4,
     * subjects and creators 2, description and place names 1. */
    "INSERT INTO offering_fts(offering_fts, rank) VALUES('rank', 'bm25(6.0, 4.0, 2.0, 1.0, 1.0)');\n";

static const char *const index_sql =
    "CREATE INDEX offerings_type ON offerings(type);\n"
    "CREATE INDEX offerings_library ON offerings(library);\n"
    "CREATE INDEX offerings_branch ON offerings(branch);\n"
    "CREATE INDEX offerings_proposition ON offerings(proposition);\n"
    "CREATE INDEX offerings_societal_task ON offerings(societal_task);\n"
    "CREATE INDEX offerings_channel ON offerings(channel);\n"
    "CREATE INDEX offerings_language ON offerings(language);\n"
    "CREATE INDEX offerings_lat ON offerings(lat);\n"
    "CREATE INDEX audience_group ON audience(grp, offering);\n"
    "CREATE INDEX occurrence_days_day ON occurrence_days(day, offering);\n"
    "INSERT INTO offering_fts(offering_fts) VALUES('optimize');\n"
    "ANALYZE;\n";

static int exec_sql(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "sqlite: %s\n", msg ? msg : sqlite3_errmsg(db));
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

static void sql_distance_km(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    for (int i = 0; i < argc; i++)
        if (sqlite3_value_type(argv[i]) == SQLITE_NULL) {
            sqlite3_result_null(ctx);
            return;
        }
    sqlite3_result_double(ctx, distance_km(sqlite3_value_double(argv[0]), sqlite3_value_double(argv[1]),
                                           sqlite3_value_double(argv[2]), sqlite3_value_double(argv[3])));
}

/* ---- loading ---- */

typedef struct loader {
    sqlite3 *db;
    sqlite3_stmt *ins, *aud, *day, *fts;
    sbuf names, topics, place;
    long rid;
} loader;

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

/* a || ' ' || b, NULL counting as '' (the view's expressions) */
static const char *concat(sbuf *b, const char *const *parts, int n)
{
    sb_reset(b);
    for (int i = 0; i < n; i++) {
        if (i)
            sb_putc(b, ' ');
        if (parts[i])
            sb_puts(b, parts[i]);
    }
    return sb_str(b);
}

static int step_done(loader *ld, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc == SQLITE_DONE)
        return 0;
    if (rc == SQLITE_CONSTRAINT)
        return 1;
    fprintf(stderr, "sqlite: %s\n", sqlite3_errmsg(ld->db));
    return -1;
}

static int load_one(void *ctx, const offering *o)
{
    loader *ld = ctx;
    sqlite3_stmt *st = ld->ins;
    long rid = ld->rid + 1;
    const char *text[] = {o->id,       o->type,          o->title,         o->description,
                          o->local_name, o->proposition, o->proposition_name, o->societal_task,
                          o->creators, o->subjects,      o->language,      o->channel,
                          o->library,  o->library_name,  o->branch,        o->branch_name,
                          o->municipality};
    int i = 1;
    sqlite3_bind_int64(st, i++, rid);
    for (size_t k = 0; k < sizeof text / sizeof text[0]; k++)
        bind_text(st, i++, text[k]);
    if (o->has_location) {
        sqlite3_bind_double(st, i++, o->lat);
        sqlite3_bind_double(st, i++, o->lon);
    } else {
        i += 2;
    }
    if (o->has_dates) {
        sqlite3_bind_int64(st, i++, o->first_start);
        sqlite3_bind_int64(st, i++, o->last_end);
    } else {
        i += 2;
    }
    if (o->has_price)
        sqlite3_bind_double(st, i, o->price);
    i++;
    bind_text(st, i, o->url);
    int rc = step_done(ld, st);
    if (rc == 1)
        fprintf(stderr, "%s: id given twice; the later record is skipped\n", o->id);
    if (rc)
        return rc;
    ld->rid = rid;
    for (size_t k = 0; k < o->groups.n; k++) {
        sqlite3_bind_int64(ld->aud, 1, rid);
        bind_text(ld->aud, 2, o->groups.v[k]);
        if (step_done(ld, ld->aud) < 0)
            return -1;
    }
    for (size_t k = 0; k < o->n_days; k++) {
        sqlite3_bind_int64(ld->day, 1, rid);
        sqlite3_bind_int(ld->day, 2, o->days[k]);
        if (step_done(ld, ld->day) < 0)
            return -1;
    }
    const char *names[] = {o->local_name, o->proposition_name};
    const char *topics[] = {o->subjects, o->creators};
    const char *place[] = {o->municipality, o->library_name, o->branch_name};
    sqlite3_bind_int64(ld->fts, 1, rid);
    bind_text(ld->fts, 2, o->title);
    bind_text(ld->fts, 3, concat(&ld->names, names, 2));
    bind_text(ld->fts, 4, concat(&ld->topics, topics, 2));
    bind_text(ld->fts, 5, o->description ? o->description : "");
    bind_text(ld->fts, 6, concat(&ld->place, place, 3));
    return step_done(ld, ld->fts) ? -1 : 0;
}

static int prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st)
{
    if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK) {
        fprintf(stderr, "sqlite: %s\n  in %s\n", sqlite3_errmsg(db), sql);
        return -1;
    }
    return 0;
}

static int build_database(const options *opt, FILE *jf)
{
    double t0 = now_s();
    const char *suffix[] = {"", "-journal", "-wal", "-shm"};
    for (size_t i = 0; i < 4; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s%s", opt->target, suffix[i]);
        if (unlink(path) != 0 && errno != ENOENT) {
            fprintf(stderr, "%s: %s\n", path, strerror(errno));
            return -1;
        }
    }
    loader ld = {0};
    if (sqlite3_open_v2(opt->target, &ld.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        fprintf(stderr, "%s: %s\n", opt->target, sqlite3_errmsg(ld.db));
        sqlite3_close(ld.db);
        return -1;
    }
    long n = -1, rejected = 0;
    if (exec_sql(ld.db, "PRAGMA cache_size = -262144") == 0 && exec_sql(ld.db, schema_sql) == 0 &&
        exec_sql(ld.db, "BEGIN") == 0 &&
        prepare(ld.db,
                "INSERT INTO offerings(rid, id, type, title, description, local_name, proposition,"
                " proposition_name, societal_task, creators, subjects, language, channel, library,"
                " library_name, branch, branch_name, municipality, lat, lon, first_start, last_end,"
                " price, url) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                &ld.ins) == 0 &&
        prepare(ld.db, "INSERT OR IGNORE INTO audience(offering, grp) VALUES (?, ?)", &ld.aud) == 0 &&
        prepare(ld.db, "INSERT OR IGNORE INTO occurrence_days(offering, day) VALUES (?, ?)", &ld.day) == 0 &&
        prepare(ld.db,
                "INSERT INTO offering_fts(rowid, title, names, topics, description, place)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                &ld.fts) == 0) {
        n = read_offerings(opt->offerings, load_one, &ld, &rejected);
    }
    sqlite3_finalize(ld.ins);
    sqlite3_finalize(ld.aud);
    sqlite3_finalize(ld.day);
    sqlite3_finalize(ld.fts);
    free(ld.names.s);
    free(ld.topics.s);
    free(ld.place.s);
    if (n < 0 || exec_sql(ld.db, "COMMIT") || exec_sql(ld.db, index_sql)) {
        sqlite3_close(ld.db);
        return -1;
    }
    if (sqlite3_close(ld.db) != SQLITE_OK) {
        fprintf(stderr, "%s: could not close the database\n", opt->target);
        return -1;
    }
    double secs = now_s() - t0;
    if (rejected)
        fprintf(stderr, "%s: %ld lines skipped\n", opt->offerings, rejected);
    struct stat sb;
    double bytes = stat(opt->target, &sb) == 0 ? (double)sb.st_size : 0;
    report_index(SYSTEM, opt->label, n, secs, bytes, jf);
    return 0;
}

/* ---- searching ---- */

typedef struct cached {
    char *sql;
    sqlite3_stmt *st;
} cached;

typedef struct bindv {
    int kind; /* 0 text, 1 integer, 2 real */
    const char *s;
    int64_t i;
    double d;
} bindv;

struct peer_conn {
    sqlite3 *db;
    fts5_tokenizer tokapi;
    Fts5Tokenizer *tok;
    cached *cache; /* open addressing by the SQL text */
    size_t cache_cap, cache_n;
    sbuf where, from, sql, match;
    bindv *binds;
    size_t n_binds, cap_binds;
};

/* Stop words, folded by the index's own tokenizer, sorted. */
static char **g_stop;
static size_t g_nstop;

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int is_stopword(const char *tok, int n)
{
    char buf[64];
    if (n <= 0 || n >= (int)sizeof buf || !g_nstop)
        return 0;
    memcpy(buf, tok, (size_t)n);
    buf[n] = '\0';
    const char *key = buf;
    return bsearch(&key, g_stop, g_nstop, sizeof *g_stop, cmp_str) != NULL;
}

typedef struct tokctx {
    sbuf *out;
    int n_tokens, n_kept, collect; /* collect: the stop-word list is being read */
} tokctx;

/* One token of q becomes a quoted FTS5 string, so nothing the resident
 * types is FTS5 syntax; the strings are AND-ed. */
static int on_token(void *pctx, int tflags, const char *tok, int n, int start, int end)
{
    (void)start;
    (void)end;
    tokctx *tc = pctx;
    if (tflags & FTS5_TOKEN_COLOCATED)
        return SQLITE_OK;
    tc->n_tokens++;
    if (tc->collect) {
        char *w = xmalloc((size_t)n + 1);
        memcpy(w, tok, (size_t)n);
        w[n] = '\0';
        g_stop = xrealloc(g_stop, (g_nstop + 1) * sizeof *g_stop);
        g_stop[g_nstop++] = w;
        return SQLITE_OK;
    }
    if (is_stopword(tok, n))
        return SQLITE_OK;
    if (tc->n_kept++)
        sb_puts(tc->out, " AND ");
    sb_putc(tc->out, '"');
    for (int i = 0; i < n; i++) {
        if (tok[i] == '"')
            sb_putc(tc->out, '"');
        sb_putc(tc->out, tok[i]);
    }
    sb_putc(tc->out, '"');
    return SQLITE_OK;
}

static fts5_api *get_fts5_api(sqlite3 *db)
{
    fts5_api *api = NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
        sqlite3_step(st);
    }
    sqlite3_finalize(st);
    return api;
}

static void conn_close(peer_conn *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->cache_cap; i++)
        if (c->cache[i].sql) {
            free(c->cache[i].sql);
            sqlite3_finalize(c->cache[i].st);
        }
    free(c->cache);
    if (c->tok)
        c->tokapi.xDelete(c->tok);
    sqlite3_close(c->db);
    free(c->where.s);
    free(c->from.s);
    free(c->sql.s);
    free(c->match.s);
    free(c->binds);
    free(c);
}

static peer_conn *conn_open(const char *path)
{
    peer_conn *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        fprintf(stderr, "%s: %s\n", path, sqlite3_errmsg(c->db));
        conn_close(c);
        return NULL;
    }
    fts5_api *api = get_fts5_api(c->db);
    void *user = NULL;
    const char *args[] = {"remove_diacritics", "2"};
    if (!api || api->xFindTokenizer(api, "unicode61", &user, &c->tokapi) != SQLITE_OK ||
        c->tokapi.xCreate(user, args, 2, &c->tok) != SQLITE_OK) {
        fprintf(stderr, "sqlite: no FTS5 unicode61 tokenizer\n");
        c->tok = NULL;
        conn_close(c);
        return NULL;
    }
    if (exec_sql(c->db, "PRAGMA query_only = 1; PRAGMA cache_size = -65536; PRAGMA mmap_size = 1073741824") ||
        sqlite3_create_function(c->db, "vp_distance_km", 4,
                                SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
                                sql_distance_km, NULL, NULL) != SQLITE_OK) {
        conn_close(c);
        return NULL;
    }
    c->cache_cap = 256;
    c->cache = calloc(c->cache_cap, sizeof *c->cache);
    return c;
}

static int load_stopwords(peer_conn *c, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "%s: %s (stop words are not dropped)\n", path, strerror(errno));
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    tokctx tc = {NULL, 0, 0, 1};
    while (getline(&line, &cap, f) > 0) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] && line[0] != '#')
            c->tokapi.xTokenize(c->tok, &tc, FTS5_TOKENIZE_QUERY, line, (int)strlen(line), on_token);
    }
    free(line);
    fclose(f);
    qsort(g_stop, g_nstop, sizeof *g_stop, cmp_str);
    return 0;
}

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* The prepared statement for this SQL text, prepared once per connection. */
static sqlite3_stmt *statement(peer_conn *c, const char *sql, char **err)
{
    if (c->cache_n * 2 >= c->cache_cap) {
        cached *old = c->cache;
        size_t old_cap = c->cache_cap;
        c->cache_cap *= 2;
        c->cache = calloc(c->cache_cap, sizeof *c->cache);
        for (size_t i = 0; i < old_cap; i++)
            if (old[i].sql) {
                size_t k = hash_str(old[i].sql) & (c->cache_cap - 1);
                while (c->cache[k].sql)
                    k = (k + 1) & (c->cache_cap - 1);
                c->cache[k] = old[i];
            }
        free(old);
    }
    size_t k = hash_str(sql) & (c->cache_cap - 1);
    while (c->cache[k].sql) {
        if (strcmp(c->cache[k].sql, sql) == 0)
            return c->cache[k].st;
        k = (k + 1) & (c->cache_cap - 1);
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
        *err = xstrdup(sqlite3_errmsg(c->db));
        return NULL;
    }
    c->cache[k] = (cached){xstrdup(sql), st};
    c->cache_n++;
    return st;
}

static void add_bind(peer_conn *c, bindv b)
{
    if (c->n_binds == c->cap_binds) {
        c->cap_binds = c->cap_binds ? c->cap_binds * 2 : 32;
        c->binds = xrealloc(c->binds, c->cap_binds * sizeof *c->binds);
    }
    c->binds[c->n_binds++] = b;
}

static void add_cond(sbuf *w, const char *cond)
{
    if (w->len)
        sb_puts(w, " AND ");
    sb_puts(w, cond);
}

static void add_in_list(sbuf *w, size_t n)
{
    sb_putc(w, '(');
    for (size_t i = 0; i < n; i++)
        sb_puts(w, i ? ",?" : "?");
    sb_putc(w, ')');
}

/* FROM and WHERE of a query, and the values bound to its '?'s in order.
 * With words, the audience and date filters are correlated EXISTS probes
 * of the side tables' primary keys: SQLite would otherwise build the whole
 * list of offerings with a day in the range (a two-month range is over
 * 100,000 rows at 100,000 offerings) before looking at the few the words
 * match. Without words they are IN lists, which SQLite can drive the
 * search from. */
static void build_where(peer_conn *c, const query *q, int has_text)
{
    sbuf *w = &c->where;
    sb_reset(w);
    sb_reset(&c->from);
    c->n_binds = 0;
    if (has_text) {
        sb_puts(&c->from, "offering_fts JOIN offerings o ON o.rid = offering_fts.rowid");
        add_cond(w, "offering_fts MATCH ?");
        add_bind(c, (bindv){0, sb_str(&c->match), 0, 0});
    } else {
        sb_puts(&c->from, "offerings o");
    }
    if (!q->include_past) {
        add_cond(w, "(o.last_end IS NULL OR o.last_end >= ?)");
        add_bind(c, (bindv){1, NULL, g_clock, 0});
    }
    for (int k = 0; k < NF; k++) {
        if (!q->f[k].n)
            continue;
        if (k == F_AUDIENCE) {
            add_cond(w, has_text ? "EXISTS (SELECT 1 FROM audience a WHERE a.offering = o.rid AND a.grp IN "
                                 : "o.rid IN (SELECT offering FROM audience WHERE grp IN ");
        } else {
            add_cond(w, "o.");
            sb_puts(w, filter_column[k]);
            sb_puts(w, " IN ");
        }
        add_in_list(w, q->f[k].n);
        if (k == F_AUDIENCE)
            sb_putc(w, ')');
        for (size_t i = 0; i < q->f[k].n; i++)
            add_bind(c, (bindv){0, q->f[k].v[i], 0, 0});
    }
    if (q->from) {
        add_cond(w, has_text ? "EXISTS (SELECT 1 FROM occurrence_days d WHERE d.offering = o.rid"
                               " AND d.day BETWEEN ? AND ?)"
                             : "o.rid IN (SELECT offering FROM occurrence_days WHERE day BETWEEN ? AND ?)");
        add_bind(c, (bindv){1, NULL, q->from, 0});
        add_bind(c, (bindv){1, NULL, q->to, 0});
    }
    if (q->radius_km > 0) {
        double box[4];
        radius_box(q, box);
        add_cond(w, "(o.channel = 'online' OR (o.lat BETWEEN ? AND ? AND o.lon BETWEEN ? AND ?"
                    " AND vp_distance_km(o.lat, o.lon, ?, ?) <= ?))");
        for (int i = 0; i < 4; i++)
            add_bind(c, (bindv){2, NULL, 0, box[i]});
        add_bind(c, (bindv){2, NULL, 0, q->lat});
        add_bind(c, (bindv){2, NULL, 0, q->lon});
        add_bind(c, (bindv){2, NULL, 0, q->radius_km});
    }
    if (!w->len)
        sb_puts(w, "1");
}

typedef int (*row_fn)(sqlite3_stmt *st, result *r);

static int run_statement(peer_conn *c, const char *sql, row_fn fn, result *r, char **err)
{
    sqlite3_stmt *st = statement(c, sql, err);
    if (!st)
        return -1;
    for (size_t i = 0; i < c->n_binds; i++) {
        const bindv *b = &c->binds[i];
        int idx = (int)i + 1;
        if (b->kind == 0)
            sqlite3_bind_text(st, idx, b->s, -1, SQLITE_STATIC);
        else if (b->kind == 1)
            sqlite3_bind_int64(st, idx, b->i);
        else
            sqlite3_bind_double(st, idx, b->d);
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        fn(st, r);
    if (rc != SQLITE_DONE)
        *err = xstrdup(sqlite3_errmsg(c->db));
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

static int on_hit(sqlite3_stmt *st, result *r)
{
    result_add_hit(r, (const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1),
                   (const char *)sqlite3_column_text(st, 2), 0.0 - sqlite3_column_double(st, 3));
    return 0;
}

static int on_count(sqlite3_stmt *st, result *r)
{
    r->total = (long)sqlite3_column_int64(st, 0);
    return 0;
}

static int on_facet(sqlite3_stmt *st, result *r)
{
    int k = sqlite3_column_int(st, 0);
    long n = (long)sqlite3_column_int64(st, 2);
    if (k < 0)
        r->total = n;
    else if (k < NFA)
        result_add_facet(r, k, (const char *)sqlite3_column_text(st, 1), n);
    return 0;
}

/* One query of the mix: the top 10 by bm25 (or, without words, in load
 * order), the total, and the requested facets over all matches.
 *
 * Where this differs from Vindplaats: no stemming, compound splitting,
 * synonyms, local-name rewriting, spelling correction, phrase or boolean
 * syntax, or "some of the words" fallback; the words of q are folded by
 * the unicode61 tokenizer (case, diacritics), Dutch stop words are dropped
 * (a q of only stop words browses, as in Vindplaats), the rest AND-ed.
 * The ranking is bm25 alone, without Vindplaats's boosts. Facets count over
 * the same WHERE as the results (Vindplaats leaves a facet's own filter
 * out of its counts). Past offerings: last end before the clock. */
static int peer_search(peer_conn *c, const query *q, result *r, char **err)
{
    sb_reset(&c->match);
    tokctx tc = {&c->match, 0, 0, 0};
    if (c->tokapi.xTokenize(c->tok, &tc, FTS5_TOKENIZE_QUERY, q->q, (int)strlen(q->q), on_token) !=
        SQLITE_OK) {
        *err = xstrdup("tokenizer failed");
        return -1;
    }
    int has_text = tc.n_kept > 0;
    build_where(c, q, has_text);
    sbuf *s = &c->sql;
    sb_reset(s);
    sb_printf(s, "SELECT o.id, o.title, o.type, %s FROM %s WHERE %s ORDER BY %s LIMIT %d",
              has_text ? "offering_fts.rank" : "0.0", sb_str(&c->from), sb_str(&c->where),
              has_text ? "offering_fts.rank, o.rid" : "o.rid", TOP_N);
    if (run_statement(c, sb_str(s), on_hit, r, err))
        return -1;
    sb_reset(s);
    if (!q->facets) {
        sb_printf(s, "SELECT count(*) FROM %s WHERE %s", sb_str(&c->from), sb_str(&c->where));
        return run_statement(c, sb_str(s), on_count, r, err);
    }
    /* Total and facets in one statement over the matches, materialised once. */
    sb_printf(s,
              "WITH m AS MATERIALIZED (SELECT o.rid AS rid, o.type AS type, o.library AS library,"
              " o.proposition AS proposition, o.channel AS channel FROM %s WHERE %s)"
              " SELECT -1, NULL, count(*) FROM m",
              sb_str(&c->from), sb_str(&c->where));
    static const char *const column[NFA] = {"type", "library", "proposition", NULL, "channel"};
    for (int k = 0; k < NFA; k++) {
        if (!(q->facets & (1u << k)))
            continue;
        if (k == FA_AUDIENCE)
            /* CROSS JOIN keeps m outside: SQLite would otherwise scan all
             * of audience and probe m. */
            sb_printf(s, " UNION ALL SELECT %d, a.grp, count(*) FROM m CROSS JOIN audience a"
                         " ON a.offering = m.rid GROUP BY a.grp", k);
        else
            sb_printf(s, " UNION ALL SELECT %d, %s, count(*) FROM m WHERE %s IS NOT NULL GROUP BY %s", k,
                      column[k], column[k], column[k]);
    }
    if (run_statement(c, sb_str(s), on_facet, r, err))
        return -1;
    result_sort_facets(r);
    return 0;
}

static const char *default_label(const char *path, char *buf, size_t n)
{
    const char *base = strrchr(path, '/');
    snprintf(buf, n, "%s", base ? base + 1 : path);
    char *dot = strrchr(buf, '.');
    if (dot && dot != buf)
        *dot = '\0';
    return buf;
}

int main(int argc, char **argv)
{
    options opt;
    /* No global allocation statistics: they take a mutex on every malloc,
     * which the threads of the run would share. */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    int st = parse_options(argc, argv, "--db", &opt);
    if (st) {
        fprintf(st == 1 ? stdout : stderr,
                "usage: vindplaats-peer-sqlite --offerings FILE --queries FILE --db PATH\n"
                "       [--threads N] [--json FILE] [--label TEXT] [--now DATE-TIME]\n"
                "       [--vocabulary FILE] [--postcodes FILE] [--stopwords FILE]\n"
                "       [--show] [--skip-index]\n");
        return st == 1 ? 0 : 2;
    }
    char labelbuf[256];
    if (!*opt.label && opt.offerings)
        opt.label = default_label(opt.offerings, labelbuf, sizeof labelbuf);
    when clock;
    if (parse_when(opt.now, &clock) || clock.all_day) {
        fprintf(stderr, "--now: not a date-time with offset\n");
        return 2;
    }
    g_clock = clock.utc;
    if (load_vocabulary(opt.vocabulary) || load_postcodes(opt.postcodes))
        return 1;
    size_t nq = 0;
    query *queries = read_queries(opt.queries, &nq);
    if (!queries)
        return 1;
    FILE *jf = NULL;
    if (opt.json && !(jf = fopen(opt.json, "a"))) {
        fprintf(stderr, "%s: %s\n", opt.json, strerror(errno));
        return 1;
    }
    if (!opt.skip_index && build_database(&opt, jf))
        return 1;

    peer_conn *conns[64] = {0};
    for (int t = 0; t < opt.threads; t++)
        if (!(conns[t] = conn_open(opt.target)))
            return 1;
    load_stopwords(conns[0], opt.stopwords);
    int status = 0;
    if (opt.show) {
        for (size_t i = 0; i < nq; i++) {
            result r = {0};
            char *err = NULL;
            double t0 = now_s();
            int rc = queries[i].error ? -1 : peer_search(conns[0], &queries[i], &r, &err);
            double ms = (now_s() - t0) * 1000.0;
            result_print(&queries[i], &r, rc ? (queries[i].error ? queries[i].error : err) : NULL, ms);
            result_clear(&r);
            free(err);
        }
    } else {
        /* One warm-up pass, spread over every connection, then the runs. */
        figures w = run_mix(conns, queries, nq, opt.threads);
        if (w.errors)
            status = 1;
        for (int t = 1; t; t = next_threads(t, opt.threads)) {
            figures f = run_mix(conns, queries, nq, t);
            report_search(SYSTEM, opt.label, t, &f, jf);
            if (f.errors)
                status = 1;
        }
    }
    for (int t = 0; t < opt.threads; t++)
        conn_close(conns[t]);
    for (size_t i = 0; i < nq; i++)
        query_clear(&queries[i]);
    free(queries);
    if (jf)
        fclose(jf);
    return status;
}
