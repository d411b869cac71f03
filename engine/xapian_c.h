/* xapian_c.h - the engine's private C view of Xapian (implemented in
 * xapian.cc, the project's only C++ file).
 *
 * Handles are opaque. Every function catches every C++ exception and maps it
 * to a vp_status, filling *err (may be NULL; untouched on success) with the
 * status and Xapian's message, so no exception ever crosses into C. Nothing outside engine/
 * includes this header. Like Xapian's own objects, handles are not
 * thread-safe: a thread uses only the handles it created. */
#ifndef VINDPLAATS_XAPIAN_C_H
#define VINDPLAATS_XAPIAN_C_H

#include <stddef.h>
#include <stdint.h>
#include "vindplaats/index.h"
#include "vindplaats/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vpx_db vpx_db;
typedef struct vpx_doc vpx_doc;
typedef struct vpx_query vpx_query;
typedef struct vpx_mset vpx_mset;
typedef struct vpx_stemmer vpx_stemmer;

/* ---- databases ---- */
/* Opens a database, or for reading a sharded index: `path` names a shard
 * list (or a folder holding one as XAPIANDB) of "auto PATH" and
 * "remote tcp HOST PORT" lines. Remote shards have operation and connect
 * timeouts; shards that are down are left out and tried again later.
 * On failure err->file is `path`. */
vp_status vpx_db_open(const char *path, int writable, vpx_db **out, vp_error *err) VP_NOEXCEPT;
void vpx_db_close(vpx_db *db) VP_NOEXCEPT;
/* Moves a reader to the newest commit; for a sharded index also tries the
 * shards that are down again (at most every 2 s) and drops one that stopped
 * answering. */
vp_status vpx_db_reopen(vpx_db *db, vp_error *err) VP_NOEXCEPT;
/* A sharded index's shard count (0 for a single database); *down_names (a
 * malloc()ed NULL-terminated array of malloc()ed names) lists those down. */
size_t vpx_db_shards(const vpx_db *db, size_t *down, char ***down_names) VP_NOEXCEPT;
/* Per shard of a sharded index, in the order of its list (see
 * vp_index_shard_stats: *out malloc()ed, NULL and *n 0 for a single
 * database); a shard that stops answering while being read counts as down
 * here and is dropped by the next reopen. Free with vpx_shard_stats_free(). */
vp_status vpx_db_shard_stats(vpx_db *db, vp_shard_stats **out, size_t *n,
                             vp_error *err) VP_NOEXCEPT;
void vpx_shard_stats_free(vp_shard_stats *s, size_t n) VP_NOEXCEPT;
/* What the reader sees now (see vp_index_version in index.h). */
vp_status vpx_db_version(vpx_db *db, vp_index_version *out, vp_error *err) VP_NOEXCEPT;
vp_status vpx_db_stats(vpx_db *db, uint64_t *revision, uint64_t *documents,
                       vp_error *err) VP_NOEXCEPT;
vp_status vpx_db_get_metadata(vpx_db *db, const char *key, char **value,
                              vp_error *err) VP_NOEXCEPT;
vp_status vpx_db_set_metadata(vpx_db *db, const char *key, const char *value,
                              vp_error *err) VP_NOEXCEPT;
vp_status vpx_db_commit(vpx_db *db, vp_error *err) VP_NOEXCEPT;
/* Replaces the document holding the unique term `uid` (adds when none),
 * and adds the spelling words `doc` collected (see vpx_doc_create). */
vp_status vpx_db_replace(vpx_db *db, const char *uid, vpx_doc *doc, vp_error *err) VP_NOEXCEPT;
/* Deletes the documents holding `uid`; VP_ERR_NOT_FOUND when there was none. */
vp_status vpx_db_delete(vpx_db *db, const char *uid, vp_error *err) VP_NOEXCEPT;
/* The data of the document holding `uid`: malloc()ed, NUL-terminated. */
vp_status vpx_db_get_data(vpx_db *db, const char *uid, char **data, vp_error *err) VP_NOEXCEPT;

/* The terms starting with `prefix` in term order, at most `max`, with the
 * number of documents holding each: malloc()ed arrays of *n entries (each
 * term malloc()ed too). */
/* Writes the union of the spelling tables of the databases `shards` (with
 * their frequencies summed) as a new database at `out` (replaced). */
vp_status vpx_spelling_merge(const char *const *shards, size_t n, const char *out,
                             vp_error *err) VP_NOEXCEPT;
/* Writers: drops every change since the last commit. */
vp_status vpx_db_discard(vpx_db *db, vp_error *err) VP_NOEXCEPT;
/* The ids (the `id_prefix` term of each document, without the prefix) of
 * the documents indexed with `term`; a malloc()ed array of malloc()ed
 * strings, NULL-terminated. */
/* The spelling table's best word within `max_edit` edits of `word`
 * (Xapian's trigram lookup), malloc()ed in *out, "" when it has none. A
 * sharded index asks its local spelling table when it has one. */
vp_status vpx_spelling_suggest(vpx_db *db, const char *word, unsigned max_edit, char **out,
                               vp_error *err) VP_NOEXCEPT;
/* How many documents are indexed with `term`. */
vp_status vpx_db_termfreq(vpx_db *db, const char *term, uint64_t *n, vp_error *err) VP_NOEXCEPT;
vp_status vpx_db_term_ids(vpx_db *db, const char *term, const char *id_prefix, char ***ids,
                          size_t *n, vp_error *err) VP_NOEXCEPT;
vp_status vpx_db_prefix_terms(vpx_db *db, const char *prefix, size_t max, char ***terms,
                              uint64_t **freqs, size_t *n, vp_error *err) VP_NOEXCEPT;

/* ---- documents being built ---- */
/* A builder: the term generators and the stemmer (with a bounded cache of
 * the stems it made: a load stems the same words over and over) that the
 * documents it builds share. Used by one thread at a time. */
typedef struct vpx_builder vpx_builder;
vp_status vpx_builder_create(const char *stem_language, vpx_builder **out,
                             vp_error *err) VP_NOEXCEPT;
void vpx_builder_destroy(vpx_builder *b) VP_NOEXCEPT;
/* A document built by `b` until vpx_doc_done; one at a time per builder.
 * With `spelling_db` (a writer) text indexed with `spelling` set also
 * feeds that database's spelling table at once; without (NULL), the
 * document touches no database, and its words feed the spelling table of
 * the database vpx_db_replace writes it to. */
vp_status vpx_doc_create(vpx_builder *b, vpx_db *spelling_db, vpx_doc **out,
                         vp_error *err) VP_NOEXCEPT;
/* Ends the building of `doc`: the builder lets go of it, so that it may
 * go to another thread and the builder build the next one. */
void vpx_doc_done(vpx_doc *doc) VP_NOEXCEPT;
void vpx_doc_destroy(vpx_doc *doc) VP_NOEXCEPT;
vp_status vpx_doc_set_data(vpx_doc *doc, const char *data, vp_error *err) VP_NOEXCEPT;
vp_status vpx_doc_add_boolean_term(vpx_doc *doc, const char *term, vp_error *err) VP_NOEXCEPT;
/* Indexes words of `text`, each counting `wdf_inc`, under `prefix` ("" for
 * none); stemmed forms get "Z" + prefix. With `positions` (needed only
 * where phrases are searched) the next call's positions start well after
 * this one's, so phrases never straddle fields. */
vp_status vpx_doc_index_text(vpx_doc *doc, const char *text, unsigned wdf_inc,
                             const char *prefix, int spelling, int positions,
                             vp_error *err) VP_NOEXCEPT;
vp_status vpx_doc_set_value(vpx_doc *doc, unsigned slot, const char *value,
                            vp_error *err) VP_NOEXCEPT;
/* The same for a value of `len` bytes that may hold NUL bytes. */
vp_status vpx_doc_set_value_bytes(vpx_doc *doc, unsigned slot, const char *value, size_t len,
                                  vp_error *err) VP_NOEXCEPT;
/* Stores a point in `slot` the way Xapian's geospatial classes read it. */
vp_status vpx_doc_set_location(vpx_doc *doc, unsigned slot, double lat, double lon,
                               vp_error *err) VP_NOEXCEPT;

/* ---- queries (immutable once built; destroy every one you get) ---- */
typedef enum vpx_op {
    VPX_OP_AND,
    VPX_OP_OR,
    VPX_OP_FILTER,  /* first sub-query weighted, the rest only filter */
    VPX_OP_AND_NOT,
    VPX_OP_AND_MAYBE, /* first sub-query required, the rest only add weight */
    VPX_OP_MAX        /* any sub-query; weighs as the heaviest that matches, so for
                       * terms of which a document has one its bound is exact */
} vpx_op;

vp_status vpx_query_match_all(vpx_query **out, vp_error *err) VP_NOEXCEPT;
vp_status vpx_query_term(const char *term, vpx_query **out, vp_error *err) VP_NOEXCEPT;
/* NULL entries of `subs` are skipped; with none left the result matches nothing. */
vp_status vpx_query_combine(vpx_op op, vpx_query *const *subs, size_t n, vpx_query **out,
                            vp_error *err) VP_NOEXCEPT;

/* Documents whose value in `slot` lies in [lo, hi] (string order). For
 * batch jobs only: value ranges are slow on the query path. */
vp_status vpx_query_value_range(unsigned slot, const char *lo, const char *hi, vpx_query **out,
                                vp_error *err) VP_NOEXCEPT;
/* Every document, each weighing `weight` (a boost to combine with a filter). */
vp_status vpx_query_fixed_weight(double weight, vpx_query **out, vp_error *err) VP_NOEXCEPT;
/* A window of days (days since 1970-01-01, both ends included) and the
 * weight an offering gets when one of its day spans meets it. */
typedef struct vpx_day_window {
    int64_t first, last;
    double weight;
} vpx_day_window;
/* Documents with a value in `slot` of day spans (vpx_day_span_put), each
 * weighing the sum of the weights of the `n` windows its spans meet (0 when
 * none). Not for remote shards: xapian-tcpsrv cannot rebuild it. */
vp_status vpx_query_day_spans(unsigned slot, const vpx_day_window *windows, size_t n,
                              vpx_query **out, vp_error *err) VP_NOEXCEPT;
/* A day span's end as 4 bytes, big-endian, offset by 2^31 (a value
 * holds first, last pairs); and back. */
static inline void vpx_day_span_put(int64_t day, char out[4])
{
    uint32_t u = (uint32_t)(day + 2147483648LL);
    out[0] = (char)(u >> 24);
    out[1] = (char)(u >> 16);
    out[2] = (char)(u >> 8);
    out[3] = (char)u;
}
static inline int64_t vpx_day_span_read(const char *in)
{
    const unsigned char *p = (const unsigned char *)in;
    uint32_t u = ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
    return (int64_t)u - 2147483648LL;
}
/* 1 when any shard of `db` is remote. */
int vpx_db_remote(const vpx_db *db) VP_NOEXCEPT;
/* `q` with its weights multiplied by `factor`. */
vp_status vpx_query_scale(const vpx_query *q, double factor, vpx_query **out,
                          vp_error *err) VP_NOEXCEPT;
/* Documents with a point in `slot` within `max_km` (0: any distance) of
 * (lat, lon), weighing more the nearer they are: half at `half_km`. */
vp_status vpx_query_near(unsigned slot, double lat, double lon, double max_km, double half_km,
                         vpx_query **out, vp_error *err) VP_NOEXCEPT;

/* Query parser settings: field prefixes as NULL-terminated pairs
 * { "titel", "S", ..., NULL }. */
typedef struct vpx_parser_opts {
    const char *stem_language;
    const char *const *prefixes;
    const char *const *boolean_prefixes;
    const char *const *stopwords;   /* NULL-terminated; may be NULL */
    unsigned max_wildcard_expansion;
    int default_or;                 /* words OR-ed (ranked by how many match) */
} vpx_parser_opts;

/* Parses `text` (already folded) with phrases, boolean operators, +/- and
 * trailing wildcards, words AND-ed by default. `plain` switches every
 * operator off. With `corrected` non-NULL, also asks the spelling table
 * for a better-spelled query: *corrected is malloc()ed, "" when none.
 * VP_ERR_INVALID when Xapian cannot parse it. */
vp_status vpx_query_parse(vpx_db *db, const char *text, const vpx_parser_opts *opts, int plain,
                          vpx_query **out, char **corrected, vp_error *err) VP_NOEXCEPT;
/* The words of `text` (already folded) as one query on the text indexed
 * under `prefix` ("" for the unprefixed text), analysed as the indexer
 * analyses them (stems, stop words): every word (`any_word` 0) or any
 * word; with `phrase` the words in this order instead (needs positions).
 * A word ending in '*' stands for the words it begins. No operators are
 * read. Empty (vpx_query_is_empty) when `text` holds no words. */
vp_status vpx_query_words(vpx_db *db, const char *text, const char *prefix, int any_word,
                          int phrase, const vpx_parser_opts *opts, vpx_query **out,
                          vp_error *err) VP_NOEXCEPT;
int vpx_query_is_empty(const vpx_query *q) VP_NOEXCEPT;
/* 1 when `q` holds a phrase or NEAR: the matcher of Xapian 1.4.22, stopping
 * early under an OR of such a query, was seen to miss better documents. */
int vpx_query_positional(const vpx_query *q) VP_NOEXCEPT;
/* The distinct terms of `q`: a malloc()ed array of malloc()ed strings. */
vp_status vpx_query_terms(const vpx_query *q, char ***terms, size_t *n, vp_error *err) VP_NOEXCEPT;
void vpx_query_destroy(vpx_query *q) VP_NOEXCEPT;

/* The `n_terms` terms that best describe the document holding `uid`
 * (Xapian's relevance-set expansion, stemmed text terms only), OR-ed:
 * a query for documents like it. VP_ERR_NOT_FOUND when there is none. */
vp_status vpx_query_like(vpx_db *db, const char *uid, unsigned n_terms, vpx_query **out,
                         vp_error *err) VP_NOEXCEPT;

/* ---- matching ---- */
typedef struct vpx_enquire_opts {
    int sort_slot;                /* -1: relevance; else ascending by value, then relevance */
    int sort_near;                /* ascending distance from near_lat/lon in sort_slot */
    int tiebreak_slot;            /* > 0: relevance ties ordered by this value */
    int coord_weight;             /* each matching term weighs 1 (times its scale) instead of BM25 */
    double near_lat, near_lon;
    uint64_t offset;
    uint64_t limit;
    uint64_t check_at_least;
    const unsigned *spy_slots;    /* value slots to count (facets) */
    size_t n_spy_slots;
    /* > 0: at most collapse_max (0: 1) documents per value of this slot,
     * the best-ranked ones; the totals then count values, not documents,
     * but spies still count every matching document. 0 or -1: none (slot 0,
     * the start time, is never a collapse key, so zeroed options collapse
     * nothing). Documents with an empty value are never collapsed. */
    int collapse_slot;
    unsigned collapse_max;
    /* > 0 (one machine only): the totals count the distinct values of this
     * slot among every match, as a collapse on it would, and the documents
     * behind them; for a counting match (limit 0, check_at_least at least
     * the document count) that needs no collapse, weights or order. */
    int distinct_slot;
    /* A counting match (limit 0, no collapse, check_at_least at least the
     * document count) of one database: its counts are kept for the index
     * version read now when it matched many documents, and answered from
     * there until a commit or a rebuild switched in changes the version. */
    int keep_counts;
    /* Per result, the values of these slots (vpx_mset_value); with
     * `without_data` its stored data is not read (vpx_mset_data gives ""). */
    const unsigned *value_slots;
    size_t n_value_slots;
    int without_data;
} vpx_enquire_opts;

/* Runs `q`. A DatabaseModifiedError reopens the database and reruns once. */
vp_status vpx_enquire(vpx_db *db, const vpx_query *q, const vpx_enquire_opts *opts,
                      vpx_mset **out, vp_error *err) VP_NOEXCEPT;
void vpx_mset_destroy(vpx_mset *ms) VP_NOEXCEPT;
size_t vpx_mset_size(const vpx_mset *ms) VP_NOEXCEPT;
void vpx_mset_totals(const vpx_mset *ms, uint64_t *lower, uint64_t *estimated,
                     uint64_t *upper) VP_NOEXCEPT;
/* With collapsing, the matching documents before collapsing (Xapian's
 * estimate; exact when the totals are); else the estimated total. */
uint64_t vpx_mset_documents(const vpx_mset *ms) VP_NOEXCEPT;
/* The collapse value of result i ("" without collapsing), *len bytes.
 * Borrowed: valid until vpx_mset_destroy(). */
const char *vpx_mset_collapse_key(const vpx_mset *ms, size_t i, size_t *len) VP_NOEXCEPT;
/* Borrowed: valid until vpx_mset_destroy(). */
const char *vpx_mset_data(const vpx_mset *ms, size_t i) VP_NOEXCEPT;
double vpx_mset_weight(const vpx_mset *ms, size_t i) VP_NOEXCEPT;
/* The value of opts->value_slots[k] of result i ("" when it has none), *len
 * bytes. Borrowed: valid until vpx_mset_destroy(). */
const char *vpx_mset_value(const vpx_mset *ms, size_t i, size_t k, size_t *len) VP_NOEXCEPT;
/* The document id of result i: the same document when two matches of one
 * revision name the same id. */
uint64_t vpx_mset_docid(const vpx_mset *ms, size_t i) VP_NOEXCEPT;
size_t vpx_mset_spy_size(const vpx_mset *ms, size_t spy) VP_NOEXCEPT;
const char *vpx_mset_spy_value(const vpx_mset *ms, size_t spy, size_t i,
                               uint64_t *count) VP_NOEXCEPT;

/* ---- stemming ---- */
vp_status vpx_stemmer_create(const char *language, vpx_stemmer **out, vp_error *err) VP_NOEXCEPT;
void vpx_stemmer_destroy(vpx_stemmer *st) VP_NOEXCEPT;
/* The stem of the lower-case `word`, malloc()ed; NULL when out of memory. */
char *vpx_stem(vpx_stemmer *st, const char *word) VP_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif
