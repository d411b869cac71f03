/* index.c - writing offerings into the Xapian index and reading them back.
 *
 * Each offering becomes one document: its JSON form as data, folded text
 * under field weights (schema.h), boolean terms for every filter, one term
 * per local day and month of every occurrence (date filters on terms stay
 * fast where value ranges do not), and value slots for sorting and facets. */
#include "vindplaats/index.h"

#include <stdio.h>
#include <dirent.h>
#include <jansson.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <time.h>

#include "schema.h"
#include "series.h"
#include "vindplaats/analysis.h"
#include "vindplaats/buf.h"
#include "vindplaats/hash.h"
#include "vindplaats/lexicon.h"
#include "vindplaats/time.h"
#include "xapian_c.h"

#define MAX_DAYS_PER_OCCURRENCE 366
#define MAX_DAYS_PER_OFFERING 3660

/* What compound_parts made of each word it met, so that a load splits a
 * word once, not at every offering that holds it. Bounded: full, it
 * starts again empty. Used by whichever thread builds this index's
 * documents, one at a time. */
#define SPLIT_CACHE_SLOTS 65536 /* a power of two; half of them filled at most */
typedef struct split_entry {
    char *word;  /* NULL: a free slot */
    char *parts; /* what the word adds, each followed by a space; "" for nothing */
} split_entry;
typedef struct split_cache {
    split_entry *slots;
    size_t used;
} split_cache;

struct vp_index {
    vpx_db *db;
    vpx_builder *builder; /* a writer's: whichever thread builds its documents */
    int writable;
    const vp_vocabulary *voc;
    const vp_lexicon *lex;
    split_cache *splits;
    vp_suggest_cache *suggest_cache;
    vp_spelling_cache *spelling_cache;
    int64_t now;  /* the clock for "next occurrence"; 0: the real one */
    int no_series; /* write as before series keys (vp_index_set_series_keys) */
    int day_by_day; /* write as before whole-month and whole-block date terms */
    int no_series_dates; /* ... or before their dates (vp_index_set_series_dates) */
    int live_from; /* META_LIVE_FROM of a writer; 0: the index has no live terms */
};

static void utc_key(int64_t utc, char out[32]);

/* The failure of a writer's function called on a reader. */
static vp_status read_only(vp_error *err)
{
    return vp_error_set(err, VP_ERR_INVALID, NULL, "index is open for reading only");
}

/* META_LIVE_FROM as a day; 0 when absent or not a day. */
static int read_live_from(vpx_db *db)
{
    char *v = NULL;
    int day = 0;
    if (vpx_db_get_metadata(db, META_LIVE_FROM, &v, NULL) == VP_OK && v && strlen(v) == 8 &&
        strspn(v, "0123456789") == 8)
        day = atoi(v);
    free(v);
    return day;
}

/* Sets META_LIVE_FROM to `day` (see schema.h). */
static vp_status write_live_from(vp_index *idx, int day, vp_error *err)
{
    char v[16];
    snprintf(v, sizeof v, "%08d", day);
    vp_status st = vpx_db_set_metadata(idx->db, META_LIVE_FROM, v, err);
    if (st == VP_OK)
        idx->live_from = day;
    return st;
}

const char *const vp_field_prefix[VP_FIELD_COUNT] = {
    [VP_FIELD_TYPE] = "XT",        [VP_FIELD_LIBRARY] = "XL",
    [VP_FIELD_PROPOSITION] = "XP", [VP_FIELD_AUDIENCE] = "XA",
    [VP_FIELD_CHANNEL] = "XC",     [VP_FIELD_BRANCH] = "XB",
    [VP_FIELD_MUNICIPALITY] = "XM", [VP_FIELD_SOCIETAL_TASK] = "XK",
    [VP_FIELD_LANGUAGE] = "L",
};

static void split_cache_clear(split_cache *c)
{
    for (size_t i = 0; c->slots && i < SPLIT_CACHE_SLOTS; i++) {
        free(c->slots[i].word);
        free(c->slots[i].parts);
        c->slots[i].word = c->slots[i].parts = NULL;
    }
    c->used = 0;
}

vp_status vp_index_open(const char *path, vp_index_mode mode, const vp_vocabulary *voc,
                        vp_index **out, vp_error *err)
{
    vp_index *idx = calloc(1, sizeof *idx);
    if (!idx)
        return vp_error_set(err, VP_ERR_NOMEM, &(vp_where){.file = path}, "out of memory");
    vp_status st = vpx_db_open(path, mode == VP_INDEX_WRITE, &idx->db, err);
    if (st != VP_OK) {
        free(idx);
        return st;
    }
    idx->writable = mode == VP_INDEX_WRITE;
    idx->voc = voc;
    uint64_t docs = 1;
    if (idx->writable && vpx_db_stats(idx->db, NULL, &docs, NULL) == VP_OK && docs == 0)
        st = vpx_db_set_metadata(idx->db, META_END_TERMS, "1", err);
    /* No offering yet: the first write lowers it to its own day. */
    if (st == VP_OK && idx->writable && docs == 0)
        st = vpx_db_set_metadata(idx->db, META_LIVE_FROM, "99991231", err);
    if (st == VP_OK && idx->writable)
        idx->live_from = read_live_from(idx->db);
    if (st == VP_OK && idx->writable && docs == 0)
        st = vpx_db_set_metadata(idx->db, META_FREE_TERMS, "1", err);
    if (st == VP_OK && idx->writable && docs == 0)
        st = vpx_db_set_metadata(idx->db, META_DAY_SPANS, "1", err);
    if (st == VP_OK && idx->writable)
        st = vpx_builder_create(VP_STEM_LANGUAGE, &idx->builder, err);
    if (st != VP_OK) {
        vpx_db_close(idx->db);
        free(idx);
        return st;
    }
    *out = idx;
    return VP_OK;
}

void vp_index_close(vp_index *idx)
{
    if (!idx)
        return;
    if (idx->splits) {
        split_cache_clear(idx->splits);
        free(idx->splits->slots);
        free(idx->splits);
    }
    vp_suggest_cache_destroy(idx->suggest_cache);
    free(idx->spelling_cache);
    vpx_builder_destroy(idx->builder);
    vpx_db_close(idx->db);
    free(idx);
}

const vp_vocabulary *vp_index_vocabulary(const vp_index *idx)
{
    return idx->voc;
}

void vp_index_set_lexicon(vp_index *idx, const vp_lexicon *lex)
{
    idx->lex = lex;
    if (idx->splits) {
        split_cache_clear(idx->splits);
    } else if (lex && idx->writable) {
        idx->splits = calloc(1, sizeof *idx->splits);
        if (idx->splits)
            idx->splits->slots = calloc(SPLIT_CACHE_SLOTS, sizeof *idx->splits->slots);
    }
}

void vp_index_set_series_keys(vp_index *idx, int on)
{
    idx->no_series = !on;
}

void vp_index_set_whole_date_terms(vp_index *idx, int on)
{
    idx->day_by_day = !on;
}

void vp_index_set_series_dates(vp_index *idx, int on)
{
    idx->no_series_dates = !on;
}

void vp_index_set_clock(vp_index *idx, int64_t now)
{
    idx->now = now;
}

vp_status vp_index_refresh_dates(vp_index *idx, uint64_t *moved, vp_error *err)
{
    *moved = 0;
    if (!idx->writable)
        return read_only(err);
    int64_t now = idx->now ? idx->now : (int64_t)time(NULL);
    char key[32];
    utc_key(now, key);
    /* Dated documents whose slot lies before now: their next occurrence may
     * have moved on. Undated ones hold "~", which sorts after every date. */
    vpx_query *q = NULL;
    vpx_mset *ms = NULL;
    uint64_t docs = 0;
    vp_status st = vpx_query_value_range(SLOT_START, "0", key, &q, err);
    if (st == VP_OK)
        st = vpx_db_stats(idx->db, NULL, &docs, err);
    vpx_enquire_opts eo = {.sort_slot = -1, .offset = 0, .limit = docs, .check_at_least = 0};
    if (st == VP_OK)
        st = vpx_enquire(idx->db, q, &eo, &ms, err);
    for (size_t i = 0; st == VP_OK && ms && i < vpx_mset_size(ms); i++) {
        const char *json = vpx_mset_data(ms, i);
        vp_offering *o = NULL;
        if (vp_offering_parse(json, strlen(json), idx->voc, &o, NULL) != VP_OK)
            continue; /* stored by an older version that accepted it: leave it */
        st = vp_index_put(idx, o, err);
        vp_offering_destroy(o);
        (*moved)++;
    }
    vpx_mset_destroy(ms);
    vpx_query_destroy(q);
    /* Every offering that ended before today has lost its live term. */
    if (st == VP_OK && idx->live_from)
        st = write_live_from(idx, vp_nl_day(now), err);
    return st;
}

const vp_lexicon *vp_index_lexicon(const vp_index *idx)
{
    return idx->lex;
}

/* Adds the boolean term PREFIX + `value` of the offering's field at `path`
 * ("isbn[2]"); a value the index cannot hold fails with that path. */
static vp_status add_term(vpx_doc *doc, const char *prefix, const char *value, const char *path,
                          vp_error *err)
{
    if (!value || !*value)
        return VP_OK;
    vp_buf t;
    vp_buf_init(&t, 4096);
    vp_error e = VP_ERROR_INIT;
    vp_status st = vp_buf_printf(&t, "%s%s", prefix, value);
    if (st == VP_OK)
        st = vpx_doc_add_boolean_term(doc, t.data, &e);
    vp_buf_free(&t);
    if (st != VP_OK && e.status == st)
        vp_error_set(err, st, &(vp_where){.path = path}, "%s", e.message ? e.message : "");
    else if (st != VP_OK)
        vp_error_set(err, st, &(vp_where){.path = path}, "%s", vp_status_str(st));
    vp_error_clear(&e);
    return st;
}

/* Appends to `b` what the lower-case `word` adds: the singular of a
 * diminutive plural ("spelletjes" is found by "spelletje" too), and the
 * parts of a compound with their singulars ("kaartspelletjes": kaart,
 * spelletjes and spelletje), each followed by a space. */
static vp_status split_word(const vp_lexicon *lex, const char *word, vp_buf *b)
{
    char parts[VP_COMPOUND_MAX_PARTS][VP_COMPOUND_PART_SIZE];
    vp_status st = VP_OK;
    if (vp_lexicon_diminutive_singular(word, parts[0]))
        st = vp_buf_printf(b, "%s ", parts[0]);
    size_t k = st == VP_OK ? vp_lexicon_split(lex, word, parts) : 0;
    char one[VP_COMPOUND_PART_SIZE];
    for (size_t i = 0; st == VP_OK && i < k; i++) {
        st = vp_buf_printf(b, "%s ", parts[i]);
        if (st == VP_OK && vp_lexicon_diminutive_singular(parts[i], one))
            st = vp_buf_printf(b, "%s ", one);
    }
    return st;
}

/* split_word through the index's cache (made when a writer is given its
 * lexicon; without memory for it, every word is split again). */
static vp_status split_cached(const vp_index *idx, const char *word, vp_buf *b)
{
    split_cache *c = idx->splits;
    if (!c || !c->slots)
        return split_word(idx->lex, word, b);
    size_t j = vp_hash_str(word) & (SPLIT_CACHE_SLOTS - 1);
    while (c->slots[j].word) {
        if (strcmp(c->slots[j].word, word) == 0)
            return vp_buf_puts(b, c->slots[j].parts);
        j = (j + 1) & (SPLIT_CACHE_SLOTS - 1);
    }
    size_t before = b->len;
    vp_status st = split_word(idx->lex, word, b);
    if (st != VP_OK)
        return st;
    if (c->used + 1 > SPLIT_CACHE_SLOTS / 2) {
        split_cache_clear(c);
        j = vp_hash_str(word) & (SPLIT_CACHE_SLOTS - 1);
    }
    char *w = strdup(word), *parts = strndup(b->data ? b->data + before : "", b->len - before);
    if (!w || !parts) {
        free(w);
        free(parts);
        return VP_OK; /* not kept; the split itself stands */
    }
    c->slots[j] = (split_entry){w, parts};
    c->used++;
    return VP_OK;
}

/* The parts of the compound words of folded `text`, space-separated, so
 * that "cursus" finds "computercursus", and the singular of diminutive
 * plurals; NULL when there are none. */
static char *compound_parts(const vp_index *idx, const char *text)
{
    if (!idx->lex)
        return NULL;
    vp_buf b;
    vp_buf_init(&b, 64 * 1024);
    char word[VP_COMPOUND_PART_SIZE];
    const char *p = text;
    while (*p) {
        while (*p && !((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
            p++;
        size_t n = 0;
        int letters = 1;
        const char *start = p;
        while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (unsigned char)*p >= 0x80 ||
               (*p >= '0' && *p <= '9')) {
            if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
                letters = 0;
            p++;
        }
        n = (size_t)(p - start);
        if (!letters || n < 2 * VP_COMPOUND_MIN_PART || n >= sizeof word)
            continue;
        for (size_t i = 0; i < n; i++)
            word[i] = (char)(start[i] >= 'A' && start[i] <= 'Z' ? start[i] - 'A' + 'a' : start[i]);
        word[n] = '\0';
        if (split_cached(idx, word, &b) != VP_OK)
            break;
    }
    return b.len ? vp_buf_steal(&b) : (vp_buf_free(&b), NULL);
}

/* Text flags: what a field's words feed besides the index itself. */
enum { TEXT_SPELLING = 1, TEXT_POSITIONS = 2 };

/* One way a field's text is indexed: its weight, prefix and text flags. */
typedef struct text_use {
    unsigned weight;
    const char *prefix;
    int flags;
} text_use;

/* Indexes `text` folded, with the parts of its compounds after it under
 * the same weight, once per use in `uses` (in order: positions follow one
 * another), folding and splitting it only once. TEXT_SPELLING feeds the
 * spelling table; TEXT_POSITIONS keeps word positions, which only phrase
 * searches need, so only the fields residents quote (title, names,
 * description) pay for them. */
static vp_status add_text_as(const vp_index *idx, vpx_doc *doc, const char *text,
                             const text_use *uses, size_t n, vp_error *err)
{
    if (!text || !*text)
        return VP_OK;
    char *folded = vp_text_fold(text, 0);
    if (!folded)
        return VP_ERR_NOMEM;
    char *parts = NULL;
    vp_status st = VP_OK;
    for (size_t i = 0; st == VP_OK && i < n; i++) {
        unsigned weight = uses[i].weight;
        st = vpx_doc_index_text(doc, folded, weight, uses[i].prefix, uses[i].flags & TEXT_SPELLING,
                                uses[i].flags & TEXT_POSITIONS, err);
        if (st == VP_OK && i == 0)
            parts = compound_parts(idx, folded);
        /* A part weighs less than the whole word: "avond" in "Auteursavond"
         * is not the title "De avonden". */
        if (st == VP_OK && parts)
            st = vpx_doc_index_text(doc, parts, weight > 2 ? weight / 2 : 1, uses[i].prefix, 0, 0,
                                    err);
    }
    free(parts);
    free(folded);
    return st;
}

static vp_status add_text(const vp_index *idx, vpx_doc *doc, const char *text, unsigned weight,
                          const char *prefix, int flags, vp_error *err)
{
    const text_use use = {weight, prefix, flags};
    return add_text_as(idx, doc, text, &use, 1, err);
}

/* The block (0, 1, 2) of day-of-month `dom`: days 1-10, 11-20, 21 on. */
static int block_of(int dom)
{
    return dom <= 10 ? 0 : dom <= 20 ? 1 : 2;
}

/* Adds PREFIX + number unless it is the term added last with `prefix`
 * (*last holds its number): the days of an occurrence come in order. */
static vp_status add_date_term(vpx_doc *doc, const char *prefix, const char *fmt, int number,
                               int *last, vp_error *err)
{
    if (*last == number)
        return VP_OK;
    *last = number;
    char term[24];
    int n = snprintf(term, sizeof term, "%s", prefix);
    snprintf(term + n, sizeof term - (size_t)n, fmt, number);
    return vpx_doc_add_boolean_term(doc, term, err);
}

/* Appends the span [first, last] to a SLOT_DAYS value. */
static vp_status put_day_span(vp_buf *spans, int64_t first, int64_t last)
{
    char b[8];
    vpx_day_span_put(first, b);
    vpx_day_span_put(last, b + 4);
    return vp_buf_append(spans, b, sizeof b);
}

/* The date terms of every local day an occurrence touches (schema.h): its
 * month and year terms, a whole-month or whole-block term for the months
 * and blocks it spans entirely (unless `day_by_day`), day terms for the
 * other days; the end terms of its last day, and the live term when that
 * is `today` or later. */
static vp_status add_date_terms(vpx_doc *doc, const vp_offering *o, int today, int day_by_day,
                                vp_error *err)
{
    size_t total = 0;
    int last_day = 0;
    int last_month = 0, last_year = 0, last_whole = 0, last_block = 0, last_dd = 0;
    vp_status st = VP_OK;
    vp_buf spans; /* SLOT_DAYS: the days marked, as merged spans */
    vp_buf_init(&spans, 1u << 16);
    int64_t span_first = 0, span_last = 0;
    int spanning = 0;
    for (size_t i = 0; st == VP_OK && i < o->n_occurrences && total < MAX_DAYS_PER_OFFERING; i++) {
        const vp_occurrence *oc = &o->occurrences[i];
        int64_t first = vp_day_to_epoch(vp_datetime_local_day(&oc->start));
        int64_t last = oc->end.set ? vp_day_to_epoch(vp_datetime_local_day(&oc->end)) : first;
        /* An end at local midnight belongs to the day before. */
        if (oc->end.set && !oc->end.all_day && last > first &&
            (oc->end.utc + oc->end.offset_min * 60) % 86400 == 0)
            last--;
        if (last - first >= MAX_DAYS_PER_OCCURRENCE)
            last = first + MAX_DAYS_PER_OCCURRENCE - 1;
        int64_t d = first;
        while (st == VP_OK && d <= last && total < MAX_DAYS_PER_OFFERING) {
            int day = vp_day_from_epoch(d), dom = day % 100, month = day / 100;
            int64_t month_end = d + (vp_days_in_month(day / 10000, month % 100) - dom);
            int block = block_of(dom);
            int64_t block_start = d - (dom - 1) + 10 * block;
            int64_t block_end = block < 2 ? block_start + 9 : month_end;
            int64_t next = d + 1;
            st = add_date_term(doc, PFX_MONTH, "%06d", month, &last_month, err);
            if (st == VP_OK)
                st = add_date_term(doc, PFX_YEAR, "%04d", day / 10000, &last_year, err);
            if (st != VP_OK)
                break;
            if (day_by_day) {
                st = add_date_term(doc, PFX_DAY, "%08d", day, &last_dd, err);
            } else if (dom == 1 && month_end <= last) {
                st = add_date_term(doc, PFX_WHOLE_MONTH, "%06d", month, &last_whole, err);
                next = month_end + 1;
            } else if (d == block_start && block_end <= last) {
                st = add_date_term(doc, PFX_WHOLE_BLOCK, "%07d", month * 10 + block, &last_block,
                                   err);
                next = block_end + 1;
            } else {
                st = add_date_term(doc, PFX_DAY, "%08d", day, &last_dd, err);
            }
            int end_day = vp_day_from_epoch(next - 1);
            if (end_day > last_day)
                last_day = end_day;
            if (spanning && d >= span_first && d <= span_last + 1) {
                if (next - 1 > span_last)
                    span_last = next - 1;
            } else {
                if (spanning)
                    st = put_day_span(&spans, span_first, span_last);
                spanning = 1;
                span_first = d;
                span_last = next - 1;
            }
            total += (size_t)(next - d);
            d = next;
        }
    }
    if (st == VP_OK && spanning)
        st = put_day_span(&spans, span_first, span_last);
    if (st == VP_OK && spans.len)
        st = vpx_doc_set_value_bytes(doc, SLOT_DAYS, spans.data, spans.len, err);
    vp_buf_free(&spans);
    if (st != VP_OK)
        return st;
    /* The last of those days, as a day, a month and a year term. */
    char term[16];
    if (last_day) {
        snprintf(term, sizeof term, PFX_END_DAY "%08d", last_day);
        st = vpx_doc_add_boolean_term(doc, term, err);
    }
    if (st == VP_OK && last_day) {
        snprintf(term, sizeof term, PFX_END_MONTH "%06d", last_day / 100);
        st = vpx_doc_add_boolean_term(doc, term, err);
    }
    if (st == VP_OK && last_day) {
        snprintf(term, sizeof term, PFX_END_YEAR "%04d", last_day / 10000);
        st = vpx_doc_add_boolean_term(doc, term, err);
    }
    if (st == VP_OK && last_day >= today)
        st = vpx_doc_add_boolean_term(doc, PFX_LIVE, err);
    return st;
}

static void utc_key(int64_t utc, char out[32])
{
    int64_t days = utc >= 0 ? utc / 86400 : -((-utc + 86399) / 86400);
    int64_t secs = utc - days * 86400;
    snprintf(out, 32, "%08d%02d%02d%02d", vp_day_from_epoch(days), (int)(secs / 3600),
             (int)(secs / 60 % 60), (int)(secs % 60));
}

/* A completion term: folded key, kind letter, the text as shown. Long
 * texts are cut at a word so the term stays under Xapian's limit. */
static vp_status add_suggestion(vpx_doc *doc, char kind, const char *text, vp_error *err)
{
    if (!text || !*text)
        return VP_OK;
    char *shown = vp_text_cut(text, 90);
    if (!shown)
        return VP_ERR_NOMEM;
    if (strlen(shown) < strlen(text)) {
        char *space = strrchr(shown, ' ');
        if (space && space > shown + 20)
            *space = '\0';
    }
    /* One line: no control characters in a term. */
    for (char *p = shown; *p; p++)
        if ((unsigned char)*p < 0x20)
            *p = ' ';
    char *key = vp_text_fold(shown, 1);
    vp_buf t;
    vp_buf_init(&t, 240);
    vp_status st = key ? vp_buf_printf(&t, PFX_SUGGEST "%s\x1f%c%s", key, kind, shown) : VP_ERR_NOMEM;
    if (st == VP_OK)
        st = vpx_doc_add_boolean_term(doc, t.data, err);
    else if (st == VP_ERR_TOO_BIG)
        st = VP_OK; /* too long to complete: skip it */
    vp_buf_free(&t);
    free(key);
    free(shown);
    return st;
}

static vp_status build_document(const vp_index *idx, const vp_offering *o, vpx_doc *doc,
                                vp_error *err)
{
    vp_status st = vpx_doc_set_data(doc, o->json, err);
    const vp_proposition *prop = vp_vocabulary_get(idx->voc, o->proposition);
    const char *task = o->societal_task ? o->societal_task : prop ? prop->societal_task : NULL;

    /* Text, most important first so its positions are lowest. */
    /* Titles and names feed the spelling table ("did you mean"); title,
     * names and description keep positions for phrase searches. */
    const int named = TEXT_SPELLING | TEXT_POSITIONS;
    const text_use title[] = {{WEIGHT_TITLE, "", named}, {1, PFX_TITLE, TEXT_POSITIONS}};
    if (st == VP_OK)
        st = add_text_as(idx, doc, o->title, title, 2, err);
    if (st == VP_OK)
        st = add_text(idx, doc, o->local_name, WEIGHT_PROPOSITION, "", named, err);
    if (st == VP_OK && prop)
        st = add_text(idx, doc, prop->name, WEIGHT_PROPOSITION, "", named, err);
    if (st == VP_OK && prop) {
        char *token = vp_proposition_token(prop->id);
        st = token ? vpx_doc_index_text(doc, token, WEIGHT_PROPOSITION, PFX_PROPOSITION_TEXT, 0, 0,
                                        err)
                   : VP_ERR_NOMEM;
        free(token);
    }
    const text_use subject[] = {{WEIGHT_SUBJECT, "", TEXT_SPELLING}, {1, PFX_SUBJECT, 0}};
    for (size_t i = 0; st == VP_OK && i < o->subjects.count; i++)
        st = add_text_as(idx, doc, o->subjects.items[i], subject, 2, err);
    const text_use creator[] = {{WEIGHT_SUBJECT, "", TEXT_POSITIONS}, {1, PFX_CREATOR, 0}};
    for (size_t i = 0; st == VP_OK && i < o->creators.count; i++)
        st = add_text_as(idx, doc, o->creators.items[i], creator, 2, err);
    if (st == VP_OK)
        st = add_text(idx, doc, o->description, WEIGHT_DESCRIPTION, "", TEXT_POSITIONS, err);
    const char *places[] = {o->municipality, o->library_name, o->branch_name};
    for (size_t i = 0; st == VP_OK && i < 3; i++)
        st = add_text(idx, doc, places[i], WEIGHT_PLACE, "", 0, err);

    /* Completions. */
    if (st == VP_OK)
        st = add_suggestion(doc, 't', o->title, err);
    if (st == VP_OK && prop)
        st = add_suggestion(doc, 'p', prop->name, err);
    if (st == VP_OK && o->local_name && (!prop || strcmp(o->local_name, prop->name) != 0))
        st = add_suggestion(doc, 'p', o->local_name, err);
    for (size_t i = 0; st == VP_OK && i < o->subjects.count; i++)
        st = add_suggestion(doc, 's', o->subjects.items[i], err);
    for (size_t i = 0; st == VP_OK && i < o->creators.count; i++)
        st = add_suggestion(doc, 'c', o->creators.items[i], err);

    /* Filters. */
    char *municipality = o->municipality ? vp_text_fold(o->municipality, 1) : NULL;
    if (o->municipality && !municipality)
        return VP_ERR_NOMEM;
    /* Prefix, value and the field's path in the offering. */
    const char *single[][3] = {
        {PFX_ID, o->id, "id"},
        {vp_field_prefix[VP_FIELD_TYPE], o->type, "type"},
        {vp_field_prefix[VP_FIELD_LIBRARY], o->library, "library"},
        {vp_field_prefix[VP_FIELD_BRANCH], o->branch, "branch"},
        {vp_field_prefix[VP_FIELD_MUNICIPALITY], municipality, "municipality"},
        {vp_field_prefix[VP_FIELD_PROPOSITION], o->proposition, "proposition"},
        {vp_field_prefix[VP_FIELD_SOCIETAL_TASK], task, "societal_task"},
        {vp_field_prefix[VP_FIELD_CHANNEL], o->channel, "channel"},
        {vp_field_prefix[VP_FIELD_LANGUAGE], o->language, "language"},
        {PFX_SOURCE, o->source, "source"},
        {PFX_WORK, o->work_key, "work_key"},
    };
    for (size_t i = 0; st == VP_OK && i < sizeof single / sizeof single[0]; i++)
        st = add_term(doc, single[i][0], single[i][1], single[i][2], err);
    free(municipality);
    char path[48];
    for (size_t i = 0; st == VP_OK && i < o->audience_groups.count; i++) {
        snprintf(path, sizeof path, "audience.groups[%zu]", i);
        st = add_term(doc, vp_field_prefix[VP_FIELD_AUDIENCE], o->audience_groups.items[i], path,
                      err);
    }
    for (size_t i = 0; st == VP_OK && i < o->isbn.count; i++) {
        snprintf(path, sizeof path, "isbn[%zu]", i);
        st = add_term(doc, PFX_ISBN, o->isbn.items[i], path, err);
    }
    int64_t now = idx->now ? idx->now : (int64_t)time(NULL);
    if (st == VP_OK && (!o->has_price || o->price_amount == 0))
        st = vpx_doc_add_boolean_term(doc, PFX_FREE, err);
    if (st == VP_OK)
        st = o->n_occurrences ? add_date_terms(doc, o, vp_nl_day(now), idx->day_by_day, err)
                              : vpx_doc_add_boolean_term(doc, PFX_UNDATED, err);
    if (st == VP_OK && o->has_location)
        st = vpx_doc_set_location(doc, SLOT_LOCATION, o->lat, o->lon, err);

    /* Values for sorting and facets. */
    /* Sorting by date means soonest upcoming first: the slot holds the next
     * occurrence at the time of indexing (a running series sorts by its
     * next session, not its first); `vindplaats-indexer refresh` moves it
     * on as occurrences pass. */
    char key[32] = "~";
    const vp_occurrence *next = NULL;
    for (size_t i = 0; i < o->n_occurrences && !next; i++) {
        const vp_occurrence *oc = &o->occurrences[i];
        const vp_datetime *last = oc->end.set ? &oc->end : &oc->start;
        if ((last->all_day ? last->utc + 86399 : last->utc) >= now)
            next = oc;
    }
    if (!next && o->n_occurrences)
        next = &o->occurrences[o->n_occurrences - 1];
    if (next)
        utc_key(next->start.utc, key);
    if (st == VP_OK)
        st = vpx_doc_set_value(doc, SLOT_START, key, err);
    /* The dates of one activity are one result: its series key, as a term
     * to fetch them by and, without a work key, as its collapse value. */
    int oom = 0;
    char *series = st == VP_OK && !idx->no_series ? vp_series_key(o, &oom) : NULL;
    char *group = NULL;
    if (oom)
        st = VP_ERR_NOMEM;
    if (st == VP_OK && series)
        st = add_term(doc, PFX_SERIES, series, NULL, err);
    if (st == VP_OK && series && !idx->no_series_dates)
        st = vp_series_set_dates(doc, o, err);
    if (st == VP_OK && series && !(o->work_key && *o->work_key)) {
        group = malloc(strlen(series) + 2);
        if (group)
            sprintf(group, "%c%s", SERIES_MARK, series);
        else
            st = VP_ERR_NOMEM;
    }
    free(series);
    const struct {
        unsigned slot;
        const char *value;
    } values[] = {{SLOT_ID, o->id},
                  {SLOT_TYPE, o->type},
                  {SLOT_LIBRARY, o->library},
                  {SLOT_PROPOSITION, o->proposition},
                  {SLOT_CHANNEL, o->channel},
                  {SLOT_WORK, o->work_key && *o->work_key ? o->work_key : group ? group : o->id}};
    for (size_t i = 0; st == VP_OK && i < sizeof values / sizeof values[0]; i++)
        if (values[i].value)
            st = vpx_doc_set_value(doc, values[i].slot, values[i].value, err);
    free(group);
    /* One value of every group joined: a single match spy counts the
     * combinations, which search.c splits into groups. */
    vp_buf groups;
    vp_buf_init(&groups, 1024);
    for (size_t g = 0; st == VP_OK && vp_offering_audiences[g]; g++)
        for (size_t i = 0; i < o->audience_groups.count; i++)
            if (strcmp(o->audience_groups.items[i], vp_offering_audiences[g]) == 0) {
                st = vp_buf_printf(&groups, "%s%s", groups.len ? "|" : "", vp_offering_audiences[g]);
                break;
            }
    if (st == VP_OK && groups.len)
        st = vpx_doc_set_value(doc, SLOT_AUDIENCE, groups.data, err);
    vp_buf_free(&groups);
    return st;
}

struct vp_index_doc {
    vpx_doc *doc;
    char *uid;
};

/* Fills d with the document of `o` and its id term; the spelling words go
 * to `spelling` at once, or (NULL) wait in the document for its writer. */
static vp_status fill_doc(const vp_index *idx, const vp_offering *o, vpx_db *spelling,
                          vp_index_doc *d, vp_error *err)
{
    vp_buf uid;
    vp_buf_init(&uid, 4096);
    vp_status st = idx->builder ? vpx_doc_create(idx->builder, spelling, &d->doc, err)
                                : read_only(err);
    if (st == VP_OK)
        st = build_document(idx, o, d->doc, err);
    vpx_doc_done(d->doc);
    if (st == VP_OK)
        st = vp_buf_printf(&uid, PFX_ID "%s", o->id);
    if (st == VP_OK) {
        d->uid = vp_buf_steal(&uid);
        if (!d->uid)
            st = VP_ERR_NOMEM;
    }
    vp_buf_free(&uid);
    return st;
}

vp_status vp_index_put(vp_index *idx, const vp_offering *o, vp_error *err)
{
    if (!idx->writable)
        return read_only(err);
    /* A clock behind the index's live day lowers it (schema.h). */
    int today = vp_nl_day(idx->now ? idx->now : (int64_t)time(NULL));
    vp_status st = VP_OK;
    if (idx->live_from && today < idx->live_from)
        st = write_live_from(idx, today, err);
    vp_index_doc d = {NULL, NULL};
    if (st == VP_OK)
        st = fill_doc(idx, o, idx->db, &d, err);
    if (st == VP_OK)
        st = vpx_db_replace(idx->db, d.uid, d.doc, err);
    vpx_doc_destroy(d.doc);
    free(d.uid);
    return st;
}

vp_status vp_index_doc_build(const vp_index *idx, const vp_offering *o, vp_index_doc **out,
                             vp_error *err)
{
    vp_index_doc *d = calloc(1, sizeof *d);
    if (!d)
        return VP_ERR_NOMEM;
    vp_status st = fill_doc(idx, o, NULL, d, err);
    if (st != VP_OK) {
        vp_index_doc_destroy(d);
        return st;
    }
    *out = d;
    return VP_OK;
}

void vp_index_doc_destroy(vp_index_doc *d)
{
    if (!d)
        return;
    vpx_doc_destroy(d->doc);
    free(d->uid);
    free(d);
}

vp_status vp_index_put_doc(vp_index *idx, vp_index_doc *d, vp_error *err)
{
    /* As vp_index_put, on the writer's own thread: the document was built
     * elsewhere, and only this thread touches idx->live_from. */
    int today = vp_nl_day(idx->now ? idx->now : (int64_t)time(NULL));
    vp_status st = idx->writable ? VP_OK : read_only(err);
    if (st == VP_OK && idx->live_from && today < idx->live_from)
        st = write_live_from(idx, today, err);
    if (st == VP_OK)
        st = vpx_db_replace(idx->db, d->uid, d->doc, err);
    vp_index_doc_destroy(d);
    return st;
}

vp_status vp_index_delete(vp_index *idx, const char *id, vp_error *err)
{
    vp_buf uid;
    vp_buf_init(&uid, 4096);
    vp_status st = vp_buf_printf(&uid, PFX_ID "%s", id);
    if (st == VP_OK)
        st = vpx_db_delete(idx->db, uid.data, err);
    vp_buf_free(&uid);
    return st;
}

/* Removes a database directory (its files; Xapian keeps no subdirectories). */
static void remove_db_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

vp_status vp_index_merge_spelling(const char *const *shards, size_t n, const char *dir,
                                  vp_error *err)
{
    char next[4200], old[4200], final[4096];
    if ((size_t)snprintf(final, sizeof final, "%s/spelling", dir) >= sizeof final)
        return vp_error_set(err, VP_ERR_INVALID, &(vp_where){.file = dir}, "path too long");
    snprintf(next, sizeof next, "%s.new", final);
    snprintf(old, sizeof old, "%s.old", final);
    remove_db_dir(next);
    vp_status st = vpx_spelling_merge(shards, n, next, err);
    if (st != VP_OK) {
        remove_db_dir(next);
        return st;
    }
    /* Swapped in by renames: a server opening it meanwhile finds either
     * table or, for a moment, none (and then corrects nothing). */
    remove_db_dir(old);
    rename(final, old);
    if (rename(next, final) != 0)
        return vp_error_set(err, VP_ERR_IO, &(vp_where){.file = final},
                            "cannot put the spelling table in place");
    remove_db_dir(old);
    return VP_OK;
}

vp_status vp_index_discard(vp_index *idx, vp_error *err)
{
    vp_status st = vpx_db_discard(idx->db, err);
    /* A lowered live day may have been discarded with the rest. */
    if (st == VP_OK && idx->live_from)
        idx->live_from = read_live_from(idx->db);
    return st;
}

vp_status vp_index_source_ids(vp_index *idx, const char *source, char ***ids, size_t *n,
                              vp_error *err)
{
    vp_buf term;
    vp_buf_init(&term, 4096);
    vp_status st = vp_buf_printf(&term, PFX_SOURCE "%s", source);
    if (st == VP_OK)
        st = vpx_db_term_ids(idx->db, term.data, PFX_ID, ids, n, err);
    vp_buf_free(&term);
    return st;
}

vp_status vp_index_source_count(vp_index *idx, const char *source, uint64_t *n, vp_error *err)
{
    vp_buf term;
    vp_buf_init(&term, 4096);
    vp_status st = vp_buf_printf(&term, PFX_SOURCE "%s", source);
    if (st == VP_OK)
        st = vpx_db_termfreq(idx->db, term.data, n, err);
    vp_buf_free(&term);
    return st;
}

vp_status vp_index_set_meta(vp_index *idx, const char *key, const char *value, vp_error *err)
{
    return vpx_db_set_metadata(idx->db, key, value, err);
}

vp_status vp_index_commit(vp_index *idx, vp_error *err)
{
    return vpx_db_commit(idx->db, err);
}

vp_status vp_index_get_meta(vp_index *idx, const char *key, char **value, vp_error *err)
{
    return vpx_db_get_metadata(idx->db, key, value, err);
}

vp_status vp_index_get(vp_index *idx, const char *id, char **json, vp_error *err)
{
    vp_buf uid;
    vp_buf_init(&uid, 4096);
    vp_status st = vp_buf_printf(&uid, PFX_ID "%s", id);
    if (st == VP_OK)
        st = vpx_db_get_data(idx->db, uid.data, json, err);
    vp_buf_free(&uid);
    return st;
}

vp_status vp_index_get_doc(vp_index *idx, const char *id, json_t **doc, vp_error *err)
{
    *doc = NULL;
    char *text = NULL;
    vp_status st = vp_index_get(idx, id, &text, err);
    if (st != VP_OK)
        return st;
    json_error_t je;
    *doc = json_loads(text, 0, &je);
    free(text);
    if (json_is_object(*doc))
        return VP_OK;
    json_decref(*doc);
    *doc = NULL;
    return vp_error_set(err, VP_ERR_INDEX, &(vp_where){.path = id},
                        "stored offering is not a JSON object");
}

vp_status vp_index_stats(vp_index *idx, uint64_t *revision, uint64_t *documents, vp_error *err)
{
    return vpx_db_stats(idx->db, revision, documents, err);
}

vp_status vp_index_version_get(vp_index *idx, vp_index_version *out, vp_error *err)
{
    return vpx_db_version(idx->db, out, err);
}

vp_status vp_index_refresh(vp_index *idx, vp_error *err)
{
    return vpx_db_reopen(idx->db, err);
}

size_t vp_index_shards(vp_index *idx, size_t *down, char ***down_names)
{
    return vpx_db_shards(idx->db, down, down_names);
}

vp_status vp_index_shard_stats(vp_index *idx, vp_shard_stats **out, size_t *n, vp_error *err)
{
    return vpx_db_shard_stats(idx->db, out, n, err);
}

void vp_index_shard_stats_free(vp_shard_stats *s, size_t n)
{
    vpx_shard_stats_free(s, n);
}

int vp_index_writable(const vp_index *idx)
{
    return idx->writable;
}

vp_suggest_cache **vp_index_suggest_cache(vp_index *idx)
{
    return &idx->suggest_cache;
}

vp_spelling_cache **vp_index_spelling_cache(vp_index *idx)
{
    return &idx->spelling_cache;
}

vpx_db *vp_index_db(vp_index *idx)
{
    return idx->db;
}
