/* common.c - the part of the benchmark's peers that does not depend on the
 * database: reading offerings (JSONL) with their dates and local days, the
 * vocabulary and the postcode table, parsing a line of the query mix,
 * running the mix with 1..N threads, and printing the figures in the form
 * of bench/latency.c. See common.h for what a peer supplies.
 *
 * The vocabulary, the postcode table and the count of errors shown are
 * process-wide statics: they are loaded once by peer_mix_open() before any
 * thread starts and only read afterwards (the error count under a mutex).
 */
#include "common.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include <jansson.h>

#ifndef VP_DATA_DIR
#define VP_DATA_DIR "data"
#endif

#define CLOCK_DEFAULT "2026-12-01T08:00:00+01:00"
#define EARTH_RADIUS_KM 6372.7976 /* the sphere engine/geo.c uses */
#define MAX_DAYS_PER_OCCURRENCE 366
#define MAX_DAYS_PER_OFFERING 3660
#define OPEN_RANGE_DAYS 1830 /* from alone: up to 1830 days later (docs/api.md) */
#define VP_PI 3.14159265358979323846
#define MAX_FILTER_VALUES 50

void *peer_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fputs("out of memory\n", stderr);
        exit(1);
    }
    return p;
}

void *peer_xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) {
        fputs("out of memory\n", stderr);
        exit(1);
    }
    return p;
}

char *peer_xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(peer_xmalloc(n), s, n);
}

/* ---- prepared statements by their SQL text ---- */

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* The slot holding sql, or the empty slot where it would go. */
static peer_stmt_slot *stmt_slot(const peer_stmt_cache *c, const char *sql)
{
    size_t k = hash_str(sql) & (c->cap - 1);
    while (c->slots[k].sql && strcmp(c->slots[k].sql, sql) != 0)
        k = (k + 1) & (c->cap - 1);
    return &c->slots[k];
}

void *peer_stmt_get(const peer_stmt_cache *c, const char *sql)
{
    return c->cap ? stmt_slot(c, sql)->value : NULL;
}

void peer_stmt_put(peer_stmt_cache *c, const char *sql, void *value)
{
    if ((c->n + 1) * 2 > c->cap) {
        peer_stmt_cache grown = {peer_xmalloc((c->cap ? c->cap * 2 : 256) * sizeof *c->slots),
                                 c->cap ? c->cap * 2 : 256, c->n};
        memset(grown.slots, 0, grown.cap * sizeof *grown.slots);
        for (size_t i = 0; i < c->cap; i++)
            if (c->slots[i].sql)
                *stmt_slot(&grown, c->slots[i].sql) = c->slots[i];
        free(c->slots);
        *c = grown;
    }
    *stmt_slot(c, sql) = (peer_stmt_slot){peer_xstrdup(sql), value};
    c->n++;
}

void peer_stmt_free(peer_stmt_cache *c, void (*free_value)(void *))
{
    for (size_t i = 0; i < c->cap; i++)
        if (c->slots[i].sql) {
            free(c->slots[i].sql);
            free_value(c->slots[i].value);
        }
    free(c->slots);
    *c = (peer_stmt_cache){0};
}

double peer_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- strings ---- */

void peer_sb_grow(sbuf *b, size_t extra)
{
    if (b->len + extra + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + extra + 1)
            cap *= 2;
        b->s = peer_xrealloc(b->s, cap);
        b->cap = cap;
    }
}

void peer_sb_vprintf(sbuf *b, const char *fmt, va_list ap)
{
    char small[256];
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    if (n >= 0 && (size_t)n < sizeof small) {
        peer_sb_putn(b, small, (size_t)n);
    } else if (n >= 0) {
        peer_sb_grow(b, (size_t)n);
        vsnprintf(b->s + b->len, (size_t)n + 1, fmt, again);
        b->len += (size_t)n;
    }
    va_end(again);
}

void peer_sb_printf(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    peer_sb_vprintf(b, fmt, ap);
    va_end(ap);
}

static void sl_push(slist *l, const char *s)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 4;
        l->v = peer_xrealloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n++] = peer_xstrdup(s);
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

/* ---- vocabulary and postcodes ---- */

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
        g_props = peer_xrealloc(g_props, (g_nprops + 1) * sizeof *g_props);
        g_props[g_nprops++] = (proposition){peer_xstrdup(id), peer_xstrdup(name), peer_xstrdup(task)};
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
            peer_sb_puts(&b, "; ");
        peer_sb_puts(&b, json_string_value(v));
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
        occ = peer_xmalloc(json_array_size(arr) * sizeof *occ);
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
            occ = peer_xmalloc(sizeof *occ);
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
    o->days = peer_xmalloc(cap * sizeof *o->days);
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
                o->days = peer_xrealloc(o->days, (cap *= 2) * sizeof *o->days);
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

/* Blank lines are neither offerings nor rejected. */
long peer_read_offerings(const char *path, offering_fn fn, void *ctx, long *rejected)
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

static const char *const filter_param[NF] = {"type", "library", "branch", "proposition",
                                             "societal_task", "audience", "channel", "language"};
static const char *const facet_name[NFA] = {"type", "library", "proposition", "audience", "channel"};

const char *const peer_filter_column[NF] = {"type",          "library", "branch",  "proposition",
                                            "societal_task", NULL,      "channel", "language"};

static char *url_decode(const char *s, size_t n)
{
    char *out = peer_xmalloc(n + 1), *o = out;
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
    q->error = peer_xmalloc(n);
    snprintf(q->error, n, fmt, arg ? arg : "");
}

static void parse_query(const char *line, query *q)
{
    memset(q, 0, sizeof *q);
    q->line = peer_xstrdup(line);
    q->q = peer_xstrdup("");
    const char *p = strchr(line, '?');
    p = p ? p + 1 : line + strlen(line); /* a path without '?' has no parameters */
    int64_t from = INT64_MIN, to = INT64_MIN;
    int seen_q = 0, seen_place = 0;
    while (*p) {
        size_t n = strcspn(p, "&");
        const char *eq = memchr(p, '=', n);
        char *key = url_decode(p, eq ? (size_t)(eq - p) : n);
        char *val = eq ? url_decode(eq + 1, n - (size_t)(eq + 1 - p)) : peer_xstrdup("");
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
            q->q = peer_xstrdup(val);
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
void peer_radius_box(const query *q, double box[4])
{
    double dlat = q->radius_km / (EARTH_RADIUS_KM * VP_PI / 180.0) * 1.01;
    double c = cos(q->lat * VP_PI / 180.0);
    double dlon = c > 1e-6 ? dlat / c : 360.0;
    box[0] = q->lat - dlat;
    box[1] = q->lat + dlat;
    box[2] = q->lon - dlon;
    box[3] = q->lon + dlon;
}

/* The PostgreSQL peer computes the same in SQL (vp_distance_km). */
double peer_distance_km(double lat1, double lon1, double lat2, double lon2)
{
    const double rad = VP_PI / 180.0;
    double dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
    double a = sin(dlat / 2) * sin(dlat / 2) +
               cos(lat1 * rad) * cos(lat2 * rad) * sin(dlon / 2) * sin(dlon / 2);
    return 2 * EARTH_RADIUS_KM * atan2(sqrt(a), sqrt(1 - a));
}

/* ---- what a search returns ---- */

void peer_result_add_facet(result *r, int k, const char *value, long count)
{
    if (r->n_facet[k] == r->cap_facet[k]) {
        r->cap_facet[k] = r->cap_facet[k] ? r->cap_facet[k] * 2 : 8;
        r->facet[k] = peer_xrealloc(r->facet[k], r->cap_facet[k] * sizeof *r->facet[k]);
    }
    r->facet[k][r->n_facet[k]++] = (facet_count){peer_xstrdup(value ? value : ""), count};
}

void peer_result_add_hit(result *r, const char *id, const char *title, const char *type, double score)
{
    if (r->n >= TOP_N)
        return;
    r->id[r->n] = peer_xstrdup(id ? id : "");
    r->title[r->n] = peer_xstrdup(title ? title : "");
    r->type[r->n] = peer_xstrdup(type ? type : "");
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
void peer_result_sort_facets(result *r)
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

typedef struct job {
    peer_conn *conn;
    const query *queries;
    size_t n, first, step;
    double *latency_ms;
    size_t errors;
} job;

/* The first ten failures of the process are printed, the rest only
 * counted: a broken peer would otherwise bury the figures in messages. */
static pthread_mutex_t g_err_lock = PTHREAD_MUTEX_INITIALIZER;
static int g_err_shown;

static void *worker(void *arg)
{
    job *jb = arg;
    for (size_t i = jb->first; i < jb->n; i += jb->step) {
        const query *q = &jb->queries[i];
        double t0 = peer_now_s();
        char *err = NULL;
        result r = {0};
        int st = q->error ? -1 : peer_search(jb->conn, q, &r, &err);
        result_clear(&r);
        jb->latency_ms[i] = (peer_now_s() - t0) * 1000.0;
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
    double t0 = peer_now_s();
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
    double elapsed = peer_now_s() - t0;
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
    query *qs = peer_xmalloc(cap * sizeof *qs);
    char *line = NULL;
    size_t lcap = 0;
    *n = 0;
    while (getline(&line, &lcap, f) > 0) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[strspn(line, " \t")])
            continue;
        if (*n == cap)
            qs = peer_xrealloc(qs, (cap *= 2) * sizeof *qs);
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
    return out ? out : peer_xstrdup("\"\"");
}

void peer_report_index(const char *system, const char *label, long n, double secs, double bytes, FILE *jf)
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

int peer_parse_options(int argc, char **argv, const char *target_flag, options *o)
{
    memset(o, 0, sizeof *o);
    o->threads = 2;
    o->index_threads = 1;
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
        else if (strcmp(a, "--index-threads") == 0) o->index_threads = atoi(v);
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
        o->threads > 64 || o->index_threads < 1 || o->index_threads > 64)
        return 2;
    return 0;
}

/* The thread counts of a run: 1, 2, 4, ... up to N (as bench/latency.c). */
static int next_threads(int t, int max) { return t * 2 <= max ? t * 2 : 0; }

/* ---- what main() does in both peers ---- */

static const char *default_label(const char *path, char *buf, size_t n)
{
    const char *base = strrchr(path, '/');
    snprintf(buf, n, "%s", base ? base + 1 : path);
    char *dot = strrchr(buf, '.');
    if (dot && dot != buf)
        *dot = '\0';
    return buf;
}

int peer_mix_open(options *opt, peer_mix *mix)
{
    memset(mix, 0, sizeof *mix);
    if (!*opt->label && opt->offerings)
        opt->label = default_label(opt->offerings, mix->label, sizeof mix->label);
    when clock;
    if (parse_when(opt->now, &clock) || clock.all_day) {
        fprintf(stderr, "--now: not a date-time with offset\n");
        return 2;
    }
    mix->clock = clock.utc;
    if (load_vocabulary(opt->vocabulary) || load_postcodes(opt->postcodes))
        return 1;
    mix->queries = read_queries(opt->queries, &mix->n);
    if (!mix->queries)
        return 1;
    if (opt->json && !(mix->json = fopen(opt->json, "a"))) {
        fprintf(stderr, "%s: %s\n", opt->json, strerror(errno));
        return 1;
    }
    return 0;
}

void peer_mix_close(peer_mix *mix)
{
    for (size_t i = 0; i < mix->n; i++)
        query_clear(&mix->queries[i]);
    free(mix->queries);
    if (mix->json)
        fclose(mix->json);
    memset(mix, 0, sizeof *mix);
}

int peer_show(peer_conn *c, const peer_mix *mix)
{
    for (size_t i = 0; i < mix->n; i++) {
        const query *q = &mix->queries[i];
        result r = {0};
        char *err = NULL;
        double t0 = peer_now_s();
        int rc = q->error ? -1 : peer_search(c, q, &r, &err);
        double ms = (peer_now_s() - t0) * 1000.0;
        result_print(q, &r, rc ? (q->error ? q->error : err) : NULL, ms);
        result_clear(&r);
        free(err);
    }
    return 0;
}

int peer_measure(peer_conn **conns, int threads, const char *system, const char *label,
                 const peer_mix *mix)
{
    int status = 0;
    /* One warm-up pass, spread over every connection, then the runs. */
    figures w = run_mix(conns, mix->queries, mix->n, threads);
    if (w.errors)
        status = 1;
    for (int t = 1; t; t = next_threads(t, threads)) {
        figures f = run_mix(conns, mix->queries, mix->n, t);
        report_search(system, label, t, &f, mix->json);
        if (f.errors)
            status = 1;
    }
    return status;
}
