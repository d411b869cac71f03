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
 * server for it. Reading the offerings and the mix, the threads and the
 * figures are the same for both peers and live in common.c; this file is
 * the PostgreSQL part.
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
#include "common.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

/* ---- PostgreSQL ---- */

#define SYSTEM "postgres-fts"
#define TS_CONFIG "vp_dutch"
/* ts_rank's weights {D, C, B, A}: Vindplaats's field weights 1, 2, 4, 6
 * scaled so that the title is 1. */
#define TS_WEIGHTS "'{0.16667, 0.33333, 0.66667, 1.0}'::float4[]"

static int64_t g_clock; /* offerings whose last occurrence ended before it are hidden */

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
        peer_sb_puts(b, "\\N");
    } else {
        for (; *s; s++) {
            switch (*s) {
            case '\\': peer_sb_puts(b, "\\\\"); break;
            case '\t': peer_sb_puts(b, "\\t"); break;
            case '\n': peer_sb_puts(b, "\\n"); break;
            case '\r': peer_sb_puts(b, "\\r"); break;
            default: peer_sb_putc(b, *s);
            }
        }
    }
    peer_sb_putc(b, last ? '\n' : '\t');
}

static int copy_flush(loader *ld, int force)
{
    if (ld->rows.len && (force || ld->rows.len >= (1u << 20))) {
        if (PQputCopyData(ld->pg, ld->rows.s, (int)ld->rows.len) != 1) {
            fprintf(stderr, "postgres: %s", PQerrorMessage(ld->pg));
            return -1;
        }
        peer_sb_reset(&ld->rows);
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
        peer_sb_printf(b, "%.17g\t%.17g\t", o->lat, o->lon);
    } else {
        peer_sb_puts(b, "\\N\t\\N\t");
    }
    if (o->has_dates)
        peer_sb_printf(b, "%lld\t%lld\t", (long long)o->first_start, (long long)o->last_end);
    else
        peer_sb_puts(b, "\\N\t\\N\t");
    if (o->has_price)
        peer_sb_printf(b, "%.17g\t", o->price);
    else
        peer_sb_puts(b, "\\N\t");
    copy_field(b, o->url, 1);
    for (size_t k = 0; k < o->groups.n; k++) {
        peer_sb_printf(&ld->audience, "%ld\t", rid);
        copy_field(&ld->audience, o->groups.v[k], 1);
    }
    for (size_t k = 0; k < o->n_days; k++)
        peer_sb_printf(&ld->days, "%ld\t%d\n", rid, o->days[k]);
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
    double t0 = peer_now_s();
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
            n = peer_read_offerings(opt->offerings, load_one, &ld, &rejected);
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
    double secs = peer_now_s() - t0;
    if (rejected)
        fprintf(stderr, "%s: %ld lines skipped\n", opt->offerings, rejected);
    double bytes = 0;
    PGresult *res = PQexec(ld.pg, "SELECT sum(pg_total_relation_size(c::regclass))::float8 FROM"
                                  " unnest(ARRAY['offerings', 'audience', 'occurrence_days']) c");
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
        bytes = strtod(PQgetvalue(res, 0, 0), NULL);
    PQclear(res);
    PQfinish(ld.pg);
    peer_report_index(SYSTEM, opt->label, n, secs, bytes, jf);
    return 0;
}

/* ---- searching ---- */

#define MAX_PARAMS (NF + 16)

struct peer_conn {
    PGconn *pg;
    peer_stmt_cache statements; /* the names of the prepared statements */
    size_t n_prepared;
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
    peer_stmt_free(&c->statements, free);
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
    return c;
}

/* The name of the prepared statement for this SQL text, prepared once per
 * connection (one per shape of query: which filters, text or not, facets). */
static const char *statement(peer_conn *c, const char *sql, char **err)
{
    const char *known = peer_stmt_get(&c->statements, sql);
    if (known)
        return known;
    char name[16];
    snprintf(name, sizeof name, "q%zu", ++c->n_prepared);
    PGresult *res = PQprepare(c->pg, name, sql, 0, NULL);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        *err = peer_xstrdup(PQresultErrorMessage(res));
        PQclear(res);
        return NULL;
    }
    PQclear(res);
    char *stored = peer_xstrdup(name);
    peer_stmt_put(&c->statements, sql, stored);
    return stored;
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
        peer_sb_puts(w, " AND ");
    va_list ap;
    va_start(ap, fmt);
    peer_sb_vprintf(w, fmt, ap);
    va_end(ap);
}

/* A text[] literal: {"a","b"} */
static const char *array_literal(sbuf *b, const slist *l)
{
    peer_sb_reset(b);
    peer_sb_putc(b, '{');
    for (size_t i = 0; i < l->n; i++) {
        if (i)
            peer_sb_putc(b, ',');
        peer_sb_putc(b, '"');
        for (const char *s = l->v[i]; *s; s++) {
            if (*s == '"' || *s == '\\')
                peer_sb_putc(b, '\\');
            peer_sb_putc(b, *s);
        }
        peer_sb_putc(b, '"');
    }
    peer_sb_putc(b, '}');
    return peer_sb_str(b);
}

/* WHERE of a query over offerings o, and its parameters ($1 is q when
 * there are words). */
static void build_where(peer_conn *c, const query *q, int has_text)
{
    sbuf *w = &c->where;
    peer_sb_reset(w);
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
            add_cond(w, "o.%s = ANY($%d::text[])", peer_filter_column[k], i);
    }
    if (q->from) {
        int i = add_number(c, "%.0f", q->from);
        int j = add_number(c, "%.0f", q->to);
        add_cond(w, "o.rid IN (SELECT offering FROM occurrence_days WHERE day BETWEEN $%d AND $%d)", i, j);
    }
    if (q->radius_km > 0) {
        double box[4];
        peer_radius_box(q, box);
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
        peer_sb_puts(w, "true");
}

static PGresult *run_statement(peer_conn *c, const char *sql, char **err)
{
    const char *name = statement(c, sql, err);
    if (!name)
        return NULL;
    PGresult *res = PQexecPrepared(c->pg, name, c->n_params, c->params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        *err = peer_xstrdup(PQresultErrorMessage(res));
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
int peer_search(peer_conn *c, const query *q, result *r, char **err)
{
    int has_text = 0;
    if (q->q[strspn(q->q, " \t")]) {
        const char *v = q->q;
        PGresult *res = PQexecPrepared(c->pg, "lexemes", 1, &v, NULL, NULL, 0);
        if (PQresultStatus(res) != PGRES_TUPLES_OK) {
            *err = peer_xstrdup(PQresultErrorMessage(res));
            PQclear(res);
            return -1;
        }
        has_text = atoi(PQgetvalue(res, 0, 0)) > 0;
        PQclear(res);
    }
    build_where(c, q, has_text);
    sbuf *s = &c->sql;
    peer_sb_reset(s);
    if (has_text)
        peer_sb_printf(s,
                       "SELECT o.id, o.title, o.type, ts_rank(" TS_WEIGHTS ", o.tsv, plainto_tsquery('" TS_CONFIG
                       "', $1)) AS score FROM offerings o WHERE %s ORDER BY score DESC, o.rid LIMIT %d",
                       peer_sb_str(&c->where), TOP_N);
    else
        peer_sb_printf(s, "SELECT o.id, o.title, o.type, 0 FROM offerings o WHERE %s ORDER BY o.rid LIMIT %d",
                       peer_sb_str(&c->where), TOP_N);
    PGresult *res = run_statement(c, peer_sb_str(s), err);
    if (!res)
        return -1;
    for (int i = 0; i < PQntuples(res); i++)
        peer_result_add_hit(r, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), PQgetvalue(res, i, 2),
                            strtod(PQgetvalue(res, i, 3), NULL));
    PQclear(res);
    peer_sb_reset(s);
    if (!q->facets) {
        peer_sb_printf(s, "SELECT count(*) FROM offerings o WHERE %s", peer_sb_str(&c->where));
        if (!(res = run_statement(c, peer_sb_str(s), err)))
            return -1;
        r->total = strtol(PQgetvalue(res, 0, 0), NULL, 10);
        PQclear(res);
        return 0;
    }
    /* Total and facets in one statement over the matches, materialised once. */
    peer_sb_printf(s,
                   "WITH m AS MATERIALIZED (SELECT o.rid, o.type, o.library, o.proposition, o.channel"
                   " FROM offerings o WHERE %s) SELECT -1, NULL, count(*) FROM m",
                   peer_sb_str(&c->where));
    static const char *const column[NFA] = {"type", "library", "proposition", NULL, "channel"};
    for (int k = 0; k < NFA; k++) {
        if (!(q->facets & (1u << k)))
            continue;
        if (k == FA_AUDIENCE)
            peer_sb_printf(s, " UNION ALL SELECT %d, a.grp, count(*) FROM m JOIN audience a"
                              " ON a.offering = m.rid GROUP BY a.grp", k);
        else
            peer_sb_printf(s, " UNION ALL SELECT %d, %s, count(*) FROM m WHERE %s IS NOT NULL GROUP BY %s", k,
                           column[k], column[k], column[k]);
    }
    if (!(res = run_statement(c, peer_sb_str(s), err)))
        return -1;
    for (int i = 0; i < PQntuples(res); i++) {
        int k = atoi(PQgetvalue(res, i, 0));
        long cnt = strtol(PQgetvalue(res, i, 2), NULL, 10);
        if (k < 0)
            r->total = cnt;
        else if (k < NFA)
            peer_result_add_facet(r, k, PQgetvalue(res, i, 1), cnt);
    }
    PQclear(res);
    peer_result_sort_facets(r);
    return 0;
}

int main(int argc, char **argv)
{
    options opt;
    int st = peer_parse_options(argc, argv, "--conninfo", &opt);
    if (st) {
        fprintf(st == 1 ? stdout : stderr,
                "usage: vindplaats-peer-postgres --offerings FILE --queries FILE --conninfo STR\n"
                "       [--threads N] [--json FILE] [--label TEXT] [--now DATE-TIME]\n"
                "       [--vocabulary FILE] [--postcodes FILE] [--show] [--skip-index]\n");
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
    int status = opt.show ? peer_show(conns[0], &mix)
                          : peer_measure(conns, opt.threads, SYSTEM, opt.label, &mix);
    for (int t = 0; t < opt.threads; t++)
        conn_close(conns[t]);
    peer_mix_close(&mix);
    return status;
}
