/* common.h - what the benchmark's peers share: private to bench/peers/,
 * compiled into vindplaats-peer-sqlite and vindplaats-peer-postgres.
 *
 * Both peers read the same offerings (JSONL), turn their dates into the
 * same local days, parse the same query mix into the same filters, run it
 * with the same threads and report the same figures in the form of
 * bench/latency.c; only loading and searching differ per database. Keeping
 * that part in one place is what makes the peers' numbers comparable: a fix
 * to the day rules or to a query parameter reaches both.
 *
 * Conventions: this is benchmark tooling, not library code, so running out
 * of memory prints "out of memory" and exits (peer_xmalloc and friends);
 * readers print their own errors to stderr. Strings in an offering point
 * into its JSON record and live only during the callback. A peer supplies
 * struct peer_conn and peer_search(); everything else is here. */
#ifndef VINDPLAATS_BENCH_PEERS_COMMON_H
#define VINDPLAATS_BENCH_PEERS_COMMON_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define TOP_N 10 /* results a search returns, as the API's first page */

/* ---- memory and time ---- */

/* malloc, realloc and strdup that exit on failure: a peer that runs out of
 * memory has no benchmark to finish. The caller owns (and frees) the result. */
void *peer_xmalloc(size_t n);
void *peer_xrealloc(void *p, size_t n);
char *peer_xstrdup(const char *s);

/* Seconds on the monotonic clock, for timing loads and queries. */
double peer_now_s(void);

/* ---- prepared statements by their SQL text ---- */

/* Each peer prepares a shape of query (which filters, text or not, facets)
 * once per connection and finds it again by its SQL text. Zero-initialise. */
typedef struct peer_stmt_slot {
    char *sql;
    void *value;
} peer_stmt_slot;
typedef struct peer_stmt_cache {
    peer_stmt_slot *slots; /* open addressing by the SQL text */
    size_t cap, n;
} peer_stmt_cache;

/* The value stored for sql, or NULL. */
void *peer_stmt_get(const peer_stmt_cache *c, const char *sql);
/* Stores value (not NULL) for sql, which is not in the cache yet. */
void peer_stmt_put(peer_stmt_cache *c, const char *sql, void *value);
/* Hands every value to free_value and frees the cache. */
void peer_stmt_free(peer_stmt_cache *c, void (*free_value)(void *));

/* ---- a growing string ---- */

/* Zero-initialise; s stays NULL until something is appended (peer_sb_str
 * returns "" then), and the caller frees s. */
typedef struct sbuf {
    char *s;
    size_t len, cap;
} sbuf;

/* Makes room for extra more bytes and the terminating NUL. */
void peer_sb_grow(sbuf *b, size_t extra);

/* The appenders are inline because the loaders push every character of the
 * corpus through them (COPY escaping) and every query's SQL is built with
 * them: defined in common.c they could not be inlined into the peers, and
 * the figures would include a function call per byte. */
static inline void peer_sb_putn(sbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap)
        peer_sb_grow(b, n);
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static inline void peer_sb_puts(sbuf *b, const char *s) { peer_sb_putn(b, s, strlen(s)); }

static inline void peer_sb_putc(sbuf *b, char c) { peer_sb_putn(b, &c, 1); }

static inline void peer_sb_reset(sbuf *b)
{
    b->len = 0;
    if (b->s)
        b->s[0] = '\0';
}

/* The text so far, borrowed: valid until the next append. */
static inline const char *peer_sb_str(const sbuf *b) { return b->s ? b->s : ""; }

void peer_sb_vprintf(sbuf *b, const char *fmt, va_list ap);
void peer_sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A list of strings, each owned by the list. */
typedef struct slist {
    char **v;
    size_t n, cap;
} slist;

/* ---- the offering ---- */

/* One record of the offerings file as both schemas store it. The const
 * strings are borrowed from the JSON record (NULL when absent);
 * proposition_name and a societal_task taken from the proposition come
 * from the vocabulary. */
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

/* Returns 0 when the offering was stored, 1 when it was skipped (it counts
 * as rejected), -1 to stop reading. */
typedef int (*offering_fn)(void *ctx, const offering *o);

/* Calls fn for every offering of a JSONL file; counts the lines it could
 * not take in *rejected (the first five are named on stderr). Returns the
 * number of offerings fn stored, or -1 when the file cannot be read or fn
 * returned -1. Needs peer_mix_open() first: the vocabulary fills in
 * proposition names and tasks. */
long peer_read_offerings(const char *path, offering_fn fn, void *ctx, long *rejected);

/* ---- a line of the query mix ---- */

/* The filters, in the order of the API's parameters. */
enum { F_TYPE, F_LIBRARY, F_BRANCH, F_PROPOSITION, F_SOCIETAL_TASK, F_AUDIENCE, F_CHANNEL, F_LANGUAGE, NF };
/* The column of offerings each filter compares; NULL for audience, which
 * is a side table in both schemas. */
extern const char *const peer_filter_column[NF];

enum { FA_TYPE, FA_LIBRARY, FA_PROPOSITION, FA_AUDIENCE, FA_CHANNEL, NFA };

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

/* The bounding box of q's radius, {lat min, lat max, lon min, lon max}: a
 * little wider than the circle, so an index can narrow the rows before the
 * exact distance is checked. */
void peer_radius_box(const query *q, double box[4]);

/* Great-circle distance on the sphere engine/geo.c uses, so that a radius
 * keeps the same offerings as in Vindplaats. */
double peer_distance_km(double lat1, double lon1, double lat2, double lon2);

/* ---- what a search returns ---- */

typedef struct facet_count {
    char *value;
    long count;
} facet_count;

/* Zero-initialise; the mix runner clears it after each search. */
typedef struct result {
    long total;
    int n;
    char *id[TOP_N], *title[TOP_N], *type[TOP_N];
    double score[TOP_N];
    facet_count *facet[NFA];
    size_t n_facet[NFA], cap_facet[NFA];
} result;

/* Copies the strings (NULL counts as ""); hits after the TOP_N-th are
 * dropped. */
void peer_result_add_hit(result *r, const char *id, const char *title, const char *type, double score);
void peer_result_add_facet(result *r, int k, const char *value, long count);

/* Facets by count, highest first, then by value (as the server lists them),
 * so that --show output compares line by line with Vindplaats's. */
void peer_result_sort_facets(result *r);

/* ---- what each peer supplies ---- */

/* One connection of a peer: one per thread, never shared. */
typedef struct peer_conn peer_conn;

/* Runs q (never one with q->error set) and fills r. Returns 0, or -1 with
 * *err a malloc'ed message the caller frees. Called from the mix's threads,
 * each with its own c. */
int peer_search(peer_conn *c, const query *q, result *r, char **err);

/* ---- options, setup and the run ---- */

typedef struct options {
    const char *offerings, *queries, *json, *label, *vocabulary, *postcodes, *now;
    const char *target; /* --db or --conninfo */
    const char *stopwords;
    int threads, show, skip_index;
    int index_threads; /* --index-threads: also index with N writers at once (peers that can) */
} options;

/* Parses argv into *o, with target_flag ("--db", "--conninfo") naming the
 * peer's target; the strings are borrowed from argv. Returns 0, 1 for
 * --help, or 2 for a usage error (the caller prints its usage). */
int peer_parse_options(int argc, char **argv, const char *target_flag, options *o);

/* What both peers set up from the options before loading. */
typedef struct peer_mix {
    query *queries;
    size_t n;
    int64_t clock;   /* --now, UTC epoch seconds: offerings that ended before it are past */
    FILE *json;      /* --json, opened for appending; NULL without it */
    char label[256]; /* the default --label, the offerings file's base name */
} peer_mix;

/* In order: fills in the default label (opt->label may then point into
 * *mix, which must outlive it), parses --now, loads the vocabulary and the
 * postcode table (process-wide: peer_read_offerings and the query parser
 * use them), reads the query mix and opens --json. Returns 0, or the exit
 * status for main() after printing why. */
int peer_mix_open(options *opt, peer_mix *mix);
void peer_mix_close(peer_mix *mix);

/* --show: runs every query once on c and prints its total, top 10 and
 * facets. Returns 0. */
int peer_show(peer_conn *c, const peer_mix *mix);

/* One warm-up pass over threads connections, then the mix with 1, 2, 4, ...
 * up to threads threads, thread t on conns[t]; prints each run and appends
 * it to --json. Returns 1 when any query failed, else 0. */
int peer_measure(peer_conn **conns, int threads, const char *system, const char *label,
                 const peer_mix *mix);

/* Prints the loading figures and appends them to --json (jf may be NULL). */
void peer_report_index(const char *system, const char *label, long n, double secs, double bytes, FILE *jf);

#endif
