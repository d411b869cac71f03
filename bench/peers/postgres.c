/* postgres.c - vindplaats-peer-postgres: the benchmark's PostgreSQL peer.
 *
 * Loads the offerings of a JSONL file into PostgreSQL (COPY in one
 * transaction, then the indexes and ANALYZE), with full-text search in the
 * `dutch` configuration (plus unaccent when the extension is there): a
 * tsvector column with the field weights of Vindplaats's ranking and a GIN
 * index. Reports the indexing rate and the size on disk, then replays a
 * query mix (one API path a line) through prepared statements, with 1..N
 * threads, each thread its own connection, and reports latency percentiles
 * and queries per second. bench/peers/run-postgres.sh starts a throwaway
 * server for it.
 *
 * usage: vindplaats-peer-postgres --offerings FILE --queries FILE --conninfo STR
 *        [--threads N] [--json FILE] [--label TEXT] [--now DATE-TIME]
 *        [--vocabulary FILE] [--postcodes FILE] [--show] [--skip-index]
 *
 * --show runs every query once and prints its total, top 10 and facets
 * instead of measuring; --skip-index reuses the tables already loaded.
 * Loading drops and recreates, in the database of STR, the tables
 * offerings, audience and occurrence_days, the text search configuration
 * vp_dutch and the function vp_distance_km. Where the semantics differ from
 * Vindplaats is said at peer_search() below.
 *
 * Schema:
 *   offerings(rid, id, type, title, ..., lat, lon, first_start, last_end, tsv)
 *       first_start / last_end in UTC epoch seconds; societal_task is the
 *       offering's own or else its proposition's; tsv is generated:
 *       A title, B local name + proposition name, C subjects + creators,
 *       D description + municipality + library and branch names;
 *   audience(offering, grp)           one row per audience group;
 *   occurrence_days(offering, day)    one row per local day YYYYMMDD.
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
#include <libpq-fe.h>

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

/* ---- PostgreSQL ---- */

#define SYSTEM "postgres-fts"
#define TS_CONFIG "vp_dutch"
/* ts_rank's weights {D, C, B, A}: Vindplaats's field weights 1, 2, 4, 6
 * scaled so that the title is 1. */
#define TS_WEIGHTS "'{0.16667, 0.33333, 0.66667, 1.0}'::float4[]"

static int64_t g_clock; /* offerings whose last occurrence ended before it are hidden */

static const char *const filter_column[NF] = {"type",          "library", "branch",  "proposition",
                                              "societal_task", NULL,      "channel", "language"};

/* Runs one or more statements; prints the error and returns -1 when one fails. */
static int exec_pg(PGconn *pg, const char *sql)
{
    PGresult *res = PQexec(pg, sql);
    ExecStatusType st = PQresultStatus(res);
    int ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (!ok)
        fprintf(stderr, "postgres: %s", PQresultErrorMessage(res));
    PQclear(res);
    return ok ? 0 : -1;
}

static PGconn *connect_pg(const char *conninfo)
{
    PGconn *pg = PQconnectdb(conninfo);
    if (PQstatus(pg) != CONNECTION_OK) {
        fprintf(stderr, "postgres: %s", PQerrorMessage(pg));
        PQfinish(pg);
        return NULL;
    }
    /* Quiet the notice that a query of only stop words gives. */
    exec_pg(pg, "SET client_min_messages = warning");
    return pg;
}

static const char *const drop_sql =
    "DROP TABLE IF EXISTS occurrence_days, audience, offerings;\n"
    "DROP FUNCTION IF EXISTS vp_distance_km(float8, float8, float8, float8);\n"
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS " TS_CONFIG ";\n";

static const char *const schema_sql =
    "CREATE TEXT SEARCH CONFIGURATION " TS_CONFIG " (COPY = pg_catalog.dutch);\n"
    /* The haversine on the sphere engine/geo.c uses; plain SQL, so the
     * planner inlines it. */
    "CREATE FUNCTION vp_distance_km(lat1 float8, lon1 float8, lat2 float8, lon2 float8)\n"
    "  RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$\n"
    "  SELECT 2 * 6372.7976 * asin(least(1.0, sqrt(\n"
    "    sin(radians(lat2 - lat1) / 2) ^ 2 +\n"
    "    cos(radians(lat1)) * cos(radians(lat2)) * sin(radians(lon2 - lon1) / 2) ^ 2)))\n"
    "$$;\n"
    "CREATE TABLE offerings(\n"
    "  rid integer NOT NULL,\n"
    "  id text NOT NULL,\n"
    "  type text NOT NULL,\n"
    "  title text NOT NULL,\n"
    "  description text, local_name text, proposition text, proposition_name text,\n"
    "  societal_task text, creators text, subjects text, language text, channel text,\n"
    "  library text, library_name text, branch text, branch_name text, municipality text,\n"
    "  lat float8, lon float8, first_start bigint, last_end bigint, price float8, url text,\n"
    "  tsv tsvector GENERATED ALWAYS AS (\n"
    "    setweight(to_tsvector('" TS_CONFIG "'::regconfig, title), 'A') ||\n"
    "    setweight(to_tsvector('" TS_CONFIG "'::regconfig,\n"
    "      coalesce(local_name, '') || ' ' || coalesce(proposition_name, '')), 'B') ||\n"
    "    setweight(to_tsvector('" TS_CONFIG "'::regconfig,\n"
    "      coalesce(subjects, '') || ' ' || coalesce(creators, '')), 'C') ||\n"
    "    setweight(to_tsvector('" TS_CONFIG "'::regconfig,\n"
    "      coalesce(description, '') || ' ' || coalesce(municipality, '') || ' ' ||\n"
    "      coalesce(library_name, '') || ' ' || coalesce(branch_name, '')), 'D')) STORED);\n"
    "CREATE TABLE audience(offering integer NOT NULL, grp text NOT NULL);\n"
    "CREATE TABLE occurrence_days(offering integer NOT NULL, day integer NOT NULL);\n";

static const char *const index_sql =
    "ALTER TABLE offerings ADD PRIMARY KEY (rid);\n"
    "CREATE UNIQUE INDEX offerings_id ON offerings(id);\n"
    "CREATE INDEX offerings_tsv ON offerings USING gin(tsv);\n"
    "CREATE INDEX offerings_type ON offerings(type);\n"
    "CREATE INDEX offerings_library ON offerings(library);\n"
    "CREATE INDEX offerings_branch ON offerings(branch);\n"
    "CREATE INDEX offerings_proposition ON offerings(proposition);\n"
    "CREATE INDEX offerings_societal_task ON offerings(societal_task);\n"
    "CREATE INDEX offerings_channel ON offerings(channel);\n"
    "CREATE INDEX offerings_language ON offerings(language);\n"
    "CREATE INDEX offerings_lat ON offerings(lat);\n"
    "ALTER TABLE audience ADD PRIMARY KEY (offering, grp);\n"
    "CREATE INDEX audience_group ON audience(grp, offering);\n"
    "ALTER TABLE occurrence_days ADD PRIMARY KEY (offering, day);\n"
    "CREATE INDEX occurrence_days_day ON occurrence_days(day, offering);\n"
    "ANALYZE offerings;\n"
    "ANALYZE audience;\n"
    "ANALYZE occurrence_days;\n";

/* ---- loading ---- */

typedef struct loader {
    PGconn *pg;
    sbuf rows, audience, days;
    long rid;
    int failed;
} loader;

/* A field of COPY's text format; NULL is \N. */
static void copy_field(sbuf *b, const char *s, int last)
{
    if (!s) {
        sb_puts(b, "\\N");
    } else {
        for (; *s; s++) {
            switch (*s) {
            case '\\': sb_puts(b, "\\\\"); break;
            case '\t': sb_puts(b, "\\t"); break;
            case '\n': sb_puts(b, "\\n"); break;
            case '\r': sb_puts(b, "\\r"); break;
            default: sb_putc(b, *s);
            }
        }
    }
    sb_putc(b, last ? '\n' : '\t');
}

static int copy_flush(loader *ld, int force)
{
    if (ld->rows.len && (force || ld->rows.len >= (1u << 20))) {
        if (PQputCopyData(ld->pg, ld->rows.s, (int)ld->rows.len) != 1) {
            fprintf(stderr, "postgres: %s", PQerrorMessage(ld->pg));
            return -1;
        }
        sb_reset(&ld->rows);
    }
    return 0;
}

static int load_one(void *ctx, const offering *o)
{
    loader *ld = ctx;
    long rid = ++ld->rid;
    sbuf *b = &ld->rows;
    char num[64];
    snprintf(num, sizeof num, "%ld", rid);
    copy_field(b, num, 0);
    const char *text[] = {o->id,       o->type,          o->title,         o->description,
                          o->local_name, o->proposition, o->proposition_name, o->societal_task,
                          o->creators, o->subjects,      o->language,      o->channel,
                          o->library,  o->library_name,  o->branch,        o->branch_name,
                          o->municipality};
    for (size_t k = 0; k < sizeof text / sizeof text[0]; k++)
        copy_field(b, text[k], 0);
    if (o->has_location) {
        sb_printf(b, "%.17g\t%.17g\t", o->lat, o->lon);
    } else {
        sb_puts(b, "\\N\t\\N\t");
    }
    if (o->has_dates)
        sb_printf(b, "%lld\t%lld\t", (long long)o->first_start, (long long)o->last_end);
    else
        sb_puts(b, "\\N\t\\N\t");
    if (o->has_price)
        sb_printf(b, "%.17g\t", o->price);
    else
        sb_puts(b, "\\N\t");
    copy_field(b, o->url, 1);
    for (size_t k = 0; k < o->groups.n; k++) {
        sb_printf(&ld->audience, "%ld\t", rid);
        copy_field(&ld->audience, o->groups.v[k], 1);
    }
    for (size_t k = 0; k < o->n_days; k++)
        sb_printf(&ld->days, "%ld\t%d\n", rid, o->days[k]);
    return copy_flush(ld, 0);
}

static int copy_end(PGconn *pg)
{
    if (PQputCopyEnd(pg, NULL) != 1) {
        fprintf(stderr, "postgres: %s", PQerrorMessage(pg));
        return -1;
    }
    int ok = 1;
    PGresult *res;
    while ((res = PQgetResult(pg))) {
        if (PQresultStatus(res) != PGRES_COMMAND_OK) {
            fprintf(stderr, "postgres: %s", PQresultErrorMessage(res));
            ok = 0;
        }
        PQclear(res);
    }
    return ok ? 0 : -1;
}

static int copy_buffer(PGconn *pg, const char *sql, const sbuf *b)
{
    PGresult *res = PQexec(pg, sql);
    int st = PQresultStatus(res);
    PQclear(res);
    if (st != PGRES_COPY_IN) {
        fprintf(stderr, "postgres: %s", PQerrorMessage(pg));
        return -1;
    }
    for (size_t off = 0; off < b->len;) {
        size_t n = b->len - off < (1u << 20) ? b->len - off : (1u << 20);
        if (PQputCopyData(pg, b->s + off, (int)n) != 1) {
            fprintf(stderr, "postgres: %s", PQerrorMessage(pg));
            return -1;
        }
        off += n;
    }
    return copy_end(pg);
}

static int build_database(const options *opt, FILE *jf)
{
    double t0 = now_s();
    loader ld = {0};
    if (!(ld.pg = connect_pg(opt->target)))
        return -1;
    /* unaccent folds diacritics before the Dutch stemmer (café = cafe), as
     * Vindplaats does; without the contrib extension the peer goes on
     * without it and says so. */
    int unaccent = exec_pg(ld.pg, "CREATE EXTENSION IF NOT EXISTS unaccent") == 0;
    if (!unaccent)
        fprintf(stderr, "postgres: the unaccent extension is not available; searching without it\n");
    long n = -1, rejected = 0;
    if (exec_pg(ld.pg, "SET maintenance_work_mem = '512MB'") == 0 && exec_pg(ld.pg, "BEGIN") == 0 &&
        exec_pg(ld.pg, drop_sql) == 0 && exec_pg(ld.pg, schema_sql) == 0 &&
        (!unaccent || exec_pg(ld.pg, "ALTER TEXT SEARCH CONFIGURATION " TS_CONFIG
                                     " ALTER MAPPING FOR hword, hword_part, word WITH unaccent, dutch_stem") == 0)) {
        PGresult *res = PQexec(ld.pg, "COPY offerings(rid, id, type, title, description, local_name,"
                                      " proposition, proposition_name, societal_task, creators, subjects,"
                                      " language, channel, library, library_name, branch, branch_name,"
                                      " municipality, lat, lon, first_start, last_end, price, url) FROM STDIN");
        int st = PQresultStatus(res);
        PQclear(res);
        if (st != PGRES_COPY_IN) {
            fprintf(stderr, "postgres: %s", PQerrorMessage(ld.pg));
        } else {
            n = read_offerings(opt->offerings, load_one, &ld, &rejected);
            if ((n >= 0 && copy_flush(&ld, 1)) || copy_end(ld.pg))
                n = -1;
        }
    }
    if (n >= 0 &&
        (copy_buffer(ld.pg, "COPY audience(offering, grp) FROM STDIN", &ld.audience) ||
         copy_buffer(ld.pg, "COPY occurrence_days(offering, day) FROM STDIN", &ld.days) ||
         exec_pg(ld.pg, index_sql) || exec_pg(ld.pg, "COMMIT")))
        n = -1;
    free(ld.rows.s);
    free(ld.audience.s);
    free(ld.days.s);
    if (n < 0) {
        PQfinish(ld.pg);
        return -1;
    }
    double secs = now_s() - t0;
    if (rejected)
        fprintf(stderr, "%s: %ld lines skipped\n", opt->offerings, rejected);
    double bytes = 0;
    PGresult *res = PQexec(ld.pg, "SELECT sum(pg_total_relation_size(c::regclass))::float8 FROM"
                                  " unnest(ARRAY['offerings', 'audience', 'occurrence_days']) c");
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
        bytes = strtod(PQgetvalue(res, 0, 0), NULL);
    PQclear(res);
    PQfinish(ld.pg);
    report_index(SYSTEM, opt->label, n, secs, bytes, jf);
    return 0;
}

/* ---- searching ---- */

typedef struct cached {
    char *sql;
    char name[16];
} cached;

#define MAX_PARAMS (NF + 16)

struct peer_conn {
    PGconn *pg;
    cached *cache; /* open addressing by the SQL text */
    size_t cache_cap, cache_n, n_prepared;
    sbuf where, sql;
    sbuf arrays[NF];
    char numbers[12][40];
    int n_numbers;
    const char *params[MAX_PARAMS];
    int n_params;
};

static void conn_close(peer_conn *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->cache_cap; i++)
        free(c->cache[i].sql);
    free(c->cache);
    PQfinish(c->pg);
    free(c->where.s);
    free(c->sql.s);
    for (int k = 0; k < NF; k++)
        free(c->arrays[k].s);
    free(c);
}

static peer_conn *conn_open(const char *conninfo)
{
    peer_conn *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    /* Read only; no JIT (compiling these short queries costs more than it
     * saves). */
    if (!(c->pg = connect_pg(conninfo)) ||
        exec_pg(c->pg, "SET default_transaction_read_only = on; SET jit = off")) {
        conn_close(c);
        return NULL;
    }
    PGresult *res = PQprepare(c->pg, "lexemes", "SELECT numnode(plainto_tsquery('" TS_CONFIG "', $1))", 0, NULL);
    int ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!ok)
        fprintf(stderr, "postgres: %s", PQresultErrorMessage(res));
    PQclear(res);
    if (!ok) {
        conn_close(c);
        return NULL;
    }
    c->cache_cap = 256;
    c->cache = calloc(c->cache_cap, sizeof *c->cache);
    return c;
}

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* The name of the prepared statement for this SQL text, prepared once per
 * connection (one per shape of query: which filters, text or not, facets). */
static const char *statement(peer_conn *c, const char *sql, char **err)
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
            return c->cache[k].name;
        k = (k + 1) & (c->cache_cap - 1);
    }
    cached e;
    snprintf(e.name, sizeof e.name, "q%zu", ++c->n_prepared);
    PGresult *res = PQprepare(c->pg, e.name, sql, 0, NULL);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        *err = xstrdup(PQresultErrorMessage(res));
        PQclear(res);
        return NULL;
    }
    PQclear(res);
    e.sql = xstrdup(sql);
    c->cache[k] = e;
    c->cache_n++;
    return c->cache[k].name;
}

static int add_param(peer_conn *c, const char *value)
{
    c->params[c->n_params++] = value;
    return c->n_params;
}

static int add_number(peer_conn *c, const char *fmt, double v)
{
    char *buf = c->numbers[c->n_numbers++];
    snprintf(buf, sizeof c->numbers[0], fmt, v);
    return add_param(c, buf);
}

/* Adds " AND " and a condition to a WHERE. */
static void add_cond(sbuf *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add_cond(sbuf *w, const char *fmt, ...)
{
    if (w->len)
        sb_puts(w, " AND ");
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(w, fmt, ap);
    va_end(ap);
}

/* A text[] literal: {"a","b"} */
static const char *array_literal(sbuf *b, const slist *l)
{
    sb_reset(b);
    sb_putc(b, '{');
    for (size_t i = 0; i < l->n; i++) {
        if (i)
            sb_putc(b, ',');
        sb_putc(b, '"');
        for (const char *s = l->v[i]; *s; s++) {
            if (*s == '"' || *s == '\\')
                sb_putc(b, '\\');
            sb_putc(b, *s);
        }
        sb_putc(b, '"');
    }
    sb_putc(b, '}');
    return sb_str(b);
}

/* WHERE of a query over offerings o, and its parameters ($1 is q when
 * there are words). */
static void build_where(peer_conn *c, const query *q, int has_text)
{
    sbuf *w = &c->where;
    sb_reset(w);
    c->n_params = 0;
    c->n_numbers = 0;
    if (has_text)
        add_cond(w, "o.tsv @@ plainto_tsquery('" TS_CONFIG "', $%d)", add_param(c, q->q));
    if (!q->include_past)
        add_cond(w, "(o.last_end IS NULL OR o.last_end >= $%d)", add_number(c, "%.0f", (double)g_clock));
    for (int k = 0; k < NF; k++) {
        if (!q->f[k].n)
            continue;
        int i = add_param(c, array_literal(&c->arrays[k], &q->f[k]));
        if (k == F_AUDIENCE)
            add_cond(w, "o.rid IN (SELECT offering FROM audience WHERE grp = ANY($%d::text[]))", i);
        else
            add_cond(w, "o.%s = ANY($%d::text[])", filter_column[k], i);
    }
    if (q->from) {
        int i = add_number(c, "%.0f", q->from);
        int j = add_number(c, "%.0f", q->to);
        add_cond(w, "o.rid IN (SELECT offering FROM occurrence_days WHERE day BETWEEN $%d AND $%d)", i, j);
    }
    if (q->radius_km > 0) {
        double box[4];
        radius_box(q, box);
        int i = add_number(c, "%.17g", box[0]);
        add_number(c, "%.17g", box[1]);
        add_number(c, "%.17g", box[2]);
        add_number(c, "%.17g", box[3]);
        add_number(c, "%.17g", q->lat);
        add_number(c, "%.17g", q->lon);
        add_number(c, "%.17g", q->radius_km);
        add_cond(w,
                 "(o.channel = 'online' OR (o.lat BETWEEN $%d AND $%d AND o.lon BETWEEN $%d AND $%d"
                 " AND vp_distance_km(o.lat, o.lon, $%d, $%d) <= $%d))",
                 i, i + 1, i + 2, i + 3, i + 4, i + 5, i + 6);
    }
    if (!w->len)
        sb_puts(w, "true");
}

static PGresult *run_statement(peer_conn *c, const char *sql, char **err)
{
    const char *name = statement(c, sql, err);
    if (!name)
        return NULL;
    PGresult *res = PQexecPrepared(c->pg, name, c->n_params, c->params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        *err = xstrdup(PQresultErrorMessage(res));
        PQclear(res);
        return NULL;
    }
    return res;
}

/* One query of the mix: the top 10 by ts_rank (or, without words, in load
 * order), the total, and the requested facets over all matches.
 *
 * Where this differs from Vindplaats: PostgreSQL's own Dutch stemmer and
 * stop words (snowball) instead of Xapian's; no compound splitting,
 * synonyms, local-name rewriting, spelling correction, phrase or boolean
 * syntax, or "some of the words" fallback; plainto_tsquery AND-s the
 * lexemes of q, and a q without any (only stop words or punctuation)
 * browses, as in Vindplaats. ts_rank counts weighted term frequencies
 * without BM25's saturation or length normalisation, and there are no
 * boosts. Facets count over the same WHERE as the results (Vindplaats
 * leaves a facet's own filter out of its counts). Past offerings: last end
 * before the clock. */
static int peer_search(peer_conn *c, const query *q, result *r, char **err)
{
    int has_text = 0;
    if (q->q[strspn(q->q, " \t")]) {
        const char *v = q->q;
        PGresult *res = PQexecPrepared(c->pg, "lexemes", 1, &v, NULL, NULL, 0);
        if (PQresultStatus(res) != PGRES_TUPLES_OK) {
            *err = xstrdup(PQresultErrorMessage(res));
            PQclear(res);
            return -1;
        }
        has_text = atoi(PQgetvalue(res, 0, 0)) > 0;
        PQclear(res);
    }
    build_where(c, q, has_text);
    sbuf *s = &c->sql;
    sb_reset(s);
    if (has_text)
        sb_printf(s,
                  "SELECT o.id, o.title, o.type, ts_rank(" TS_WEIGHTS ", o.tsv, plainto_tsquery('" TS_CONFIG
                  "', $1)) AS score FROM offerings o WHERE %s ORDER BY score DESC, o.rid LIMIT %d",
                  sb_str(&c->where), TOP_N);
    else
        sb_printf(s, "SELECT o.id, o.title, o.type, 0 FROM offerings o WHERE %s ORDER BY o.rid LIMIT %d",
                  sb_str(&c->where), TOP_N);
    PGresult *res = run_statement(c, sb_str(s), err);
    if (!res)
        return -1;
    for (int i = 0; i < PQntuples(res); i++)
        result_add_hit(r, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), PQgetvalue(res, i, 2),
                       strtod(PQgetvalue(res, i, 3), NULL));
    PQclear(res);
    sb_reset(s);
    if (!q->facets) {
        sb_printf(s, "SELECT count(*) FROM offerings o WHERE %s", sb_str(&c->where));
        if (!(res = run_statement(c, sb_str(s), err)))
            return -1;
        r->total = strtol(PQgetvalue(res, 0, 0), NULL, 10);
        PQclear(res);
        return 0;
    }
    /* Total and facets in one statement over the matches, materialised once. */
    sb_printf(s,
              "WITH m AS MATERIALIZED (SELECT o.rid, o.type, o.library, o.proposition, o.channel"
              " FROM offerings o WHERE %s) SELECT -1, NULL, count(*) FROM m",
              sb_str(&c->where));
    static const char *const column[NFA] = {"type", "library", "proposition", NULL, "channel"};
    for (int k = 0; k < NFA; k++) {
        if (!(q->facets & (1u << k)))
            continue;
        if (k == FA_AUDIENCE)
            sb_printf(s, " UNION ALL SELECT %d, a.grp, count(*) FROM m JOIN audience a"
                         " ON a.offering = m.rid GROUP BY a.grp", k);
        else
            sb_printf(s, " UNION ALL SELECT %d, %s, count(*) FROM m WHERE %s IS NOT NULL GROUP BY %s", k,
                      column[k], column[k], column[k]);
    }
    if (!(res = run_statement(c, sb_str(s), err)))
        return -1;
    for (int i = 0; i < PQntuples(res); i++) {
        int k = atoi(PQgetvalue(res, i, 0));
        long cnt = strtol(PQgetvalue(res, i, 2), NULL, 10);
        if (k < 0)
            r->total = cnt;
        else if (k < NFA)
            result_add_facet(r, k, PQgetvalue(res, i, 1), cnt);
    }
    PQclear(res);
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
    int st = parse_options(argc, argv, "--conninfo", &opt);
    if (st) {
        fprintf(st == 1 ? stdout : stderr,
                "usage: vindplaats-peer-postgres --offerings FILE --queries FILE --conninfo STR\n"
                "       [--threads N] [--json FILE] [--label TEXT] [--now DATE-TIME]\n"
                "       [--vocabulary FILE] [--postcodes FILE] [--show] [--skip-index]\n");
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
