/* sqlite_fts5.c - vindplaats-peer-sqlite: the benchmark's SQLite FTS5 peer.
 *
 * Loads the offerings of a JSONL file into a fresh SQLite database (one
 * transaction, prepared statements; an FTS5 index over the text with the
 * field weights of Vindplaats's ranking), reports the indexing rate and the
 * size on disk, then replays a query mix (one API path a line) as SQL with
 * bound parameters, with 1..N threads, each thread its own read-only
 * connection, and reports latency percentiles and queries per second.
 * Reading the offerings and the mix, the threads and the figures are the
 * same for both peers and live in common.c; this file is the SQLite part.
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
#include "common.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

/* ---- SQLite ---- */

#define SYSTEM "sqlite-fts5"

static int64_t g_clock; /* offerings whose last occurrence ended before it are hidden */

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
    double d = peer_distance_km(sqlite3_value_double(argv[0]), sqlite3_value_double(argv[1]),
                                sqlite3_value_double(argv[2]), sqlite3_value_double(argv[3]));
    sqlite3_result_double(ctx, d);
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
    peer_sb_reset(b);
    for (int i = 0; i < n; i++) {
        if (i)
            peer_sb_putc(b, ' ');
        if (parts[i])
            peer_sb_puts(b, parts[i]);
    }
    return peer_sb_str(b);
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
    double t0 = peer_now_s();
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
        n = peer_read_offerings(opt->offerings, load_one, &ld, &rejected);
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
    double secs = peer_now_s() - t0;
    if (rejected)
        fprintf(stderr, "%s: %ld lines skipped\n", opt->offerings, rejected);
    struct stat sb;
    double bytes = stat(opt->target, &sb) == 0 ? (double)sb.st_size : 0;
    peer_report_index(SYSTEM, opt->label, n, secs, bytes, jf);
    return 0;
}

/* ---- searching ---- */

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
    peer_stmt_cache statements; /* sqlite3_stmt * by SQL text */
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
        char *w = peer_xmalloc((size_t)n + 1);
        memcpy(w, tok, (size_t)n);
        w[n] = '\0';
        g_stop = peer_xrealloc(g_stop, (g_nstop + 1) * sizeof *g_stop);
        g_stop[g_nstop++] = w;
        return SQLITE_OK;
    }
    if (is_stopword(tok, n))
        return SQLITE_OK;
    if (tc->n_kept++)
        peer_sb_puts(tc->out, " AND ");
    peer_sb_putc(tc->out, '"');
    for (int i = 0; i < n; i++) {
        if (tok[i] == '"')
            peer_sb_putc(tc->out, '"');
        peer_sb_putc(tc->out, tok[i]);
    }
    peer_sb_putc(tc->out, '"');
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

static void finalize(void *st)
{
    sqlite3_finalize(st);
}

static void conn_close(peer_conn *c)
{
    if (!c)
        return;
    peer_stmt_free(&c->statements, finalize);
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

/* The prepared statement for this SQL text, prepared once per connection. */
static sqlite3_stmt *statement(peer_conn *c, const char *sql, char **err)
{
    sqlite3_stmt *st = peer_stmt_get(&c->statements, sql);
    if (st)
        return st;
    if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
        *err = peer_xstrdup(sqlite3_errmsg(c->db));
        return NULL;
    }
    peer_stmt_put(&c->statements, sql, st);
    return st;
}

static void add_bind(peer_conn *c, bindv b)
{
    if (c->n_binds == c->cap_binds) {
        c->cap_binds = c->cap_binds ? c->cap_binds * 2 : 32;
        c->binds = peer_xrealloc(c->binds, c->cap_binds * sizeof *c->binds);
    }
    c->binds[c->n_binds++] = b;
}

static void add_cond(sbuf *w, const char *cond)
{
    if (w->len)
        peer_sb_puts(w, " AND ");
    peer_sb_puts(w, cond);
}

static void add_in_list(sbuf *w, size_t n)
{
    peer_sb_putc(w, '(');
    for (size_t i = 0; i < n; i++)
        peer_sb_puts(w, i ? ",?" : "?");
    peer_sb_putc(w, ')');
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
    peer_sb_reset(w);
    peer_sb_reset(&c->from);
    c->n_binds = 0;
    if (has_text) {
        peer_sb_puts(&c->from, "offering_fts JOIN offerings o ON o.rid = offering_fts.rowid");
        add_cond(w, "offering_fts MATCH ?");
        add_bind(c, (bindv){0, peer_sb_str(&c->match), 0, 0});
    } else {
        peer_sb_puts(&c->from, "offerings o");
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
            peer_sb_puts(w, peer_filter_column[k]);
            peer_sb_puts(w, " IN ");
        }
        add_in_list(w, q->f[k].n);
        if (k == F_AUDIENCE)
            peer_sb_putc(w, ')');
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
        peer_radius_box(q, box);
        add_cond(w, "(o.channel = 'online' OR (o.lat BETWEEN ? AND ? AND o.lon BETWEEN ? AND ?"
                    " AND vp_distance_km(o.lat, o.lon, ?, ?) <= ?))");
        for (int i = 0; i < 4; i++)
            add_bind(c, (bindv){2, NULL, 0, box[i]});
        add_bind(c, (bindv){2, NULL, 0, q->lat});
        add_bind(c, (bindv){2, NULL, 0, q->lon});
        add_bind(c, (bindv){2, NULL, 0, q->radius_km});
    }
    if (!w->len)
        peer_sb_puts(w, "1");
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
        *err = peer_xstrdup(sqlite3_errmsg(c->db));
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

static int on_hit(sqlite3_stmt *st, result *r)
{
    peer_result_add_hit(r, (const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1),
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
        peer_result_add_facet(r, k, (const char *)sqlite3_column_text(st, 1), n);
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
int peer_search(peer_conn *c, const query *q, result *r, char **err)
{
    peer_sb_reset(&c->match);
    tokctx tc = {&c->match, 0, 0, 0};
    if (c->tokapi.xTokenize(c->tok, &tc, FTS5_TOKENIZE_QUERY, q->q, (int)strlen(q->q), on_token) !=
        SQLITE_OK) {
        *err = peer_xstrdup("tokenizer failed");
        return -1;
    }
    int has_text = tc.n_kept > 0;
    build_where(c, q, has_text);
    sbuf *s = &c->sql;
    peer_sb_reset(s);
    peer_sb_printf(s, "SELECT o.id, o.title, o.type, %s FROM %s WHERE %s ORDER BY %s LIMIT %d",
                   has_text ? "offering_fts.rank" : "0.0", peer_sb_str(&c->from), peer_sb_str(&c->where),
                   has_text ? "offering_fts.rank, o.rid" : "o.rid", TOP_N);
    if (run_statement(c, peer_sb_str(s), on_hit, r, err))
        return -1;
    peer_sb_reset(s);
    if (!q->facets) {
        peer_sb_printf(s, "SELECT count(*) FROM %s WHERE %s", peer_sb_str(&c->from), peer_sb_str(&c->where));
        return run_statement(c, peer_sb_str(s), on_count, r, err);
    }
    /* Total and facets in one statement over the matches, materialised once. */
    peer_sb_printf(s,
                   "WITH m AS MATERIALIZED (SELECT o.rid AS rid, o.type AS type, o.library AS library,"
                   " o.proposition AS proposition, o.channel AS channel FROM %s WHERE %s)"
                   " SELECT -1, NULL, count(*) FROM m",
                   peer_sb_str(&c->from), peer_sb_str(&c->where));
    static const char *const column[NFA] = {"type", "library", "proposition", NULL, "channel"};
    for (int k = 0; k < NFA; k++) {
        if (!(q->facets & (1u << k)))
            continue;
        if (k == FA_AUDIENCE)
            /* CROSS JOIN keeps m outside: SQLite would otherwise scan all
             * of audience and probe m. */
            peer_sb_printf(s, " UNION ALL SELECT %d, a.grp, count(*) FROM m CROSS JOIN audience a"
                              " ON a.offering = m.rid GROUP BY a.grp", k);
        else
            peer_sb_printf(s, " UNION ALL SELECT %d, %s, count(*) FROM m WHERE %s IS NOT NULL GROUP BY %s", k,
                           column[k], column[k], column[k]);
    }
    if (run_statement(c, peer_sb_str(s), on_facet, r, err))
        return -1;
    peer_result_sort_facets(r);
    return 0;
}

int main(int argc, char **argv)
{
    options opt;
    /* No global allocation statistics: they take a mutex on every malloc,
     * which the threads of the run would share. */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    int st = peer_parse_options(argc, argv, "--db", &opt);
    if (st) {
        fprintf(st == 1 ? stdout : stderr,
                "usage: vindplaats-peer-sqlite --offerings FILE --queries FILE --db PATH\n"
                "       [--threads N] [--json FILE] [--label TEXT] [--now DATE-TIME]\n"
                "       [--vocabulary FILE] [--postcodes FILE] [--stopwords FILE]\n"
                "       [--show] [--skip-index]\n");
        return st == 1 ? 0 : 2;
    }
    peer_mix mix;
    st = peer_mix_open(&opt, &mix);
    if (st)
        return st;
    g_clock = mix.clock;
    if (!opt.skip_index && build_database(&opt, mix.json))
        return 1;

    peer_conn *conns[64] = {0};
    for (int t = 0; t < opt.threads; t++)
        if (!(conns[t] = conn_open(opt.target)))
            return 1;
    load_stopwords(conns[0], opt.stopwords);
    int status = opt.show ? peer_show(conns[0], &mix)
                          : peer_measure(conns, opt.threads, SYSTEM, opt.label, &mix);
    for (int t = 0; t < opt.threads; t++)
        conn_close(conns[t]);
    peer_mix_close(&mix);
    return status;
}
