/* search.c - from a search request to hits, totals and facet counts.
 *
 * The query is the parsed free text (or everything, for browsing), filtered
 * by boolean terms: values of one field OR-ed, fields AND-ed, and a date
 * range as day and month terms. Facets are counted by value-count match
 * spies; a facet whose own field is filtered is counted in a second match
 * without that filter, so its sibling values keep their counts.
 *
 * Results are works: the match collapses on the work key (SLOT_WORK), so
 * the offerings of one work (the same e-book at many libraries) appear
 * once, as the best-ranked of them, and totals count works. Facets still
 * count offerings (a spy sees every match, collapsed or not). On request
 * a last match lists every offering of each hit's work (`available`). */
#include "vindplaats/search.h"

#include <ctype.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "schema.h"
#include "series.h"
#include "snippet.h"
#include "understand.h"
#include "vindplaats/analysis.h"
#include "vindplaats/hash.h"
#include "vindplaats/buf.h"
#include "vindplaats/geo.h"
#include "vindplaats/lexicon.h"
#include "vindplaats/store.h"
#include "vindplaats/time.h"
#include "xapian_c.h"

#define SNIPPET_WORDS 30
#define MAX_WILDCARD_EXPANSION 100
#define OPEN_YEARS 100
/* Collapsing, Xapian knows the number of works only of what it checked:
 * checking this many keeps the totals of smaller matches exact. */
#define COLLAPSE_CHECK 1000

static const char *const field_names[VP_FIELD_COUNT] = {
    [VP_FIELD_TYPE] = "type",           [VP_FIELD_LIBRARY] = "library",
    [VP_FIELD_PROPOSITION] = "proposition", [VP_FIELD_AUDIENCE] = "audience",
    [VP_FIELD_CHANNEL] = "channel",     [VP_FIELD_BRANCH] = "branch",
    [VP_FIELD_MUNICIPALITY] = "municipality", [VP_FIELD_SOCIETAL_TASK] = "societal_task",
    [VP_FIELD_LANGUAGE] = "language",
};

/* Field prefixes of the query syntax, in Dutch as residents write them. */
static const char *const text_prefixes[] = {"titel", PFX_TITLE, "onderwerp", PFX_SUBJECT,
                                            "maker", PFX_CREATOR,
                                            VP_PROPOSITION_FIELD, PFX_PROPOSITION_TEXT, NULL};
static const char *const boolean_prefixes[] = {
    "type", "XT", "bibliotheek", "XL", "propositie", "XP", "vestiging", "XB",
    "taal", "L", "kanaal", "XC", "doelgroep", "XA", NULL};

const char *vp_field_name(vp_field f)
{
    return (unsigned)f < VP_FIELD_COUNT ? field_names[f] : NULL;
}

int vp_field_by_name(const char *name)
{
    for (int f = 0; f < VP_FIELD_COUNT; f++)
        if (strcmp(field_names[f], name) == 0)
            return f;
    return -1;
}

/* OR of prefix+value terms; NULL in *out when the field has no values. */
static vp_status field_filter(const vp_search_request *req, int f, vpx_query **out, vp_error *err)
{
    *out = NULL;
    if (req->n_values[f] == 0)
        return VP_OK;
    vp_status st = VP_OK;
    vpx_query **terms = calloc(req->n_values[f], sizeof *terms);
    vp_buf t;
    vp_buf_init(&t, 4096);
    if (!terms)
        return VP_ERR_NOMEM;
    for (size_t i = 0; st == VP_OK && i < req->n_values[f]; i++) {
        char *value = f == VP_FIELD_MUNICIPALITY ? vp_text_fold(req->values[f][i], 1)
                                                 : strdup(req->values[f][i]);
        if (!value) {
            st = VP_ERR_NOMEM;
            break;
        }
        t.len = 0;
        st = vp_buf_printf(&t, "%s%s", vp_field_prefix[f], value);
        free(value);
        if (st == VP_OK)
            st = vpx_query_term(t.data, &terms[i], err);
    }
    if (st == VP_OK)
        st = vpx_query_combine(VPX_OP_OR, terms, req->n_values[f], out, err);
    for (size_t i = 0; i < req->n_values[f]; i++)
        vpx_query_destroy(terms[i]);
    free(terms);
    vp_buf_free(&t);
    return st;
}

static int last_day_of_month(int yyyymm)
{
    int64_t next = vp_day_to_epoch((yyyymm % 100 == 12 ? (yyyymm / 100 + 1) * 100 + 1
                                                       : yyyymm + 1) * 100 + 1);
    return vp_day_from_epoch(next - 1);
}

/* The OR of parts[0..n) into *out when `st` is VP_OK; frees the parts
 * and the array either way. */
static vp_status or_of(vpx_query **parts, size_t n, vp_status st, vpx_query **out, vp_error *err)
{
    if (st == VP_OK)
        st = vpx_query_combine(VPX_OP_OR, parts, n, out, err);
    for (size_t i = 0; i < n; i++)
        vpx_query_destroy(parts[i]);
    free(parts);
    return st;
}

/* [from, to] as terms: whole years as year terms, whole months as month
 * terms, the ragged ends as day terms, each with the whole-block and
 * whole-month terms of its day (schema.h: a long occurrence has those
 * instead of day terms). An open end reaches OPEN_YEARS years out, which
 * costs a few year terms, not thousands of days. NULL in *out when both
 * ends are open. */
static vp_status date_filter(int from, int to, vpx_query **out, vp_error *err)
{
    *out = NULL;
    if (!from && !to)
        return VP_OK;
    if (!from)
        from = (to / 10000 - OPEN_YEARS) * 10000 + 101;
    if (!to)
        to = (from / 10000 + OPEN_YEARS) * 10000 + 1231;
    size_t n = 0, alloc = 256;
    vpx_query **parts = calloc(alloc, sizeof *parts);
    if (!parts)
        return VP_ERR_NOMEM;
    vp_status st = VP_OK;
    int day = from, block_done = 0, month_done = 0;
    while (st == VP_OK && day <= to) {
        char term[16];
        int year = day / 10000, month = day / 100;
        int block = month * 10 + (day % 100 <= 10 ? 0 : day % 100 <= 20 ? 1 : 2);
        if (n + 3 > alloc) {
            vpx_query **p = realloc(parts, (alloc *= 2) * sizeof *p);
            if (!p) {
                st = VP_ERR_NOMEM;
                break;
            }
            parts = p;
        }
        if (day % 10000 == 101 && year * 10000 + 1231 <= to) {
            snprintf(term, sizeof term, PFX_YEAR "%04d", year);
            day = (year + 1) * 10000 + 101;
        } else if (day % 100 == 1 && last_day_of_month(month) <= to) {
            snprintf(term, sizeof term, PFX_MONTH "%06d", month);
            day = vp_day_from_epoch(vp_day_to_epoch(last_day_of_month(month)) + 1);
        } else {
            if (block != block_done) {
                block_done = block;
                snprintf(term, sizeof term, PFX_WHOLE_BLOCK "%07d", block);
                st = vpx_query_term(term, &parts[n++], err);
            }
            if (st == VP_OK && month != month_done) {
                month_done = month;
                snprintf(term, sizeof term, PFX_WHOLE_MONTH "%06d", month);
                st = vpx_query_term(term, &parts[n++], err);
            }
            snprintf(term, sizeof term, PFX_DAY "%08d", day);
            day = vp_day_from_epoch(vp_day_to_epoch(day) + 1);
        }
        if (st == VP_OK)
            st = vpx_query_term(term, &parts[n++], err);
    }
    return or_of(parts, n, st, out, err);
}

/* Blanks out the query syntax's operator words and characters. */
static void strip_operators(char *q)
{
    static const char *const ops[] = {"AND", "OR", "NOT", "XOR", "NEAR", "ADJ", NULL};
    for (char *p = q; *p; p++)
        if (strchr("\"()+-*:", *p))
            *p = ' ';
    for (size_t i = 0; ops[i]; i++) {
        size_t n = strlen(ops[i]);
        for (char *hit = strstr(q, ops[i]); hit; hit = strstr(hit + n, ops[i]))
            if ((hit == q || hit[-1] == ' ') && (hit[n] == ' ' || hit[n] == '\0'))
                memset(hit, ' ', n);
    }
}

/* The free-text part; match-all when there are no words. The query is
 * rewritten first (local names, synonyms, compounds: lexicon.h). */
static vp_status text_query(vp_index *idx, const char *q, int rewrite, int any_words,
                            vpx_query **out, int *fallback, vp_error *err)
{
    vpx_db *db = vp_index_db(idx);
    *fallback = 0;
    char *cut = vp_text_cut(q ? q : "", VP_SEARCH_MAX_QUERY);
    char *folded = cut ? vp_text_fold(cut, 0) : NULL;
    char *rewritten = folded ? vp_lexicon_rewrite(rewrite ? vp_index_lexicon(idx) : NULL, folded)
                             : NULL;
    free(cut);
    vp_status st = VP_OK;
    if (!rewritten) {
        st = VP_ERR_NOMEM;
        goto done;
    }
    const vp_lexicon *lex = vp_index_lexicon(idx);
    /* Nothing, punctuation, or only stop words: the browse order. */
    if (!folded[strspn(folded, " \t\r\n")] || (lex && vp_lexicon_only_stopwords(lex, folded))) {
        st = vpx_query_match_all(out, err);
        goto done;
    }
    vpx_parser_opts opts = {VP_STEM_LANGUAGE, text_prefixes, boolean_prefixes,
                            vp_lexicon_stopwords(lex), MAX_WILDCARD_EXPANSION, any_words};
    st = vpx_query_parse(db, rewritten, &opts, 0, out, NULL, NULL);
    if (st == VP_ERR_INVALID) {
        /* Search the words as typed, without the operators that failed. */
        *fallback = 1;
        strip_operators(folded);
        st = vpx_query_parse(db, folded, &opts, 1, out, NULL, err);
    }
    /* Only stop words or punctuation: browse instead of finding nothing. */
    if (st == VP_OK && vpx_query_is_empty(*out)) {
        vpx_query_destroy(*out);
        *out = NULL;
        st = vpx_query_match_all(out, err);
    }
done:
    free(rewritten);
    free(folded);
    return st;
}

/* ---- spelling: a guarded fallback ----
 *
 * Asked only when the plan finds too little. Only words that neither the
 * index nor the word list nor the stop words know are looked up, each in
 * the spelling table (Xapian's trigram lookup, at most two edits), and a
 * correction is offered only when it is close as a typing slip is: at most
 * two edits and the same first letter, or one a neighbouring key away
 * ("ipad" never becomes "stad"). A known word is never corrected ("koken"
 * never becomes "maken"). Lookups are cached per handle and per index
 * revision, the answer "none" too. */

#define SPELL_SLOTS 1024
#define SPELL_WORD 48
#define SPELL_MIN_LEN 3

typedef struct spell_entry {
    uint64_t revision;
    int used;
    char word[SPELL_WORD];
    char fix[SPELL_WORD]; /* "" when there is none */
} spell_entry;

struct vp_spelling_cache {
    spell_entry slots[SPELL_SLOTS];
};

/* 1 when a and b are next to each other on a QWERTY keyboard (the rows
 * below sit half a key to the right of the row above). */
static int keyboard_neighbours(char a, char b)
{
    static const char *const rows[] = {"qwertyuiop", "asdfghjkl", "zxcvbnm"};
    int ra = -1, ia = 0, rb = -1, ib = 0;
    for (int r = 0; r < 3; r++) {
        const char *pa = strchr(rows[r], a), *pb = strchr(rows[r], b);
        if (a && pa)
            ra = r, ia = (int)(pa - rows[r]);
        if (b && pb)
            rb = r, ib = (int)(pb - rows[r]);
    }
    if (ra < 0 || rb < 0)
        return 0;
    if (ra == rb)
        return ib - ia == 1 || ia - ib == 1;
    if (rb == ra + 1)
        return ib == ia || ib == ia - 1;
    if (ra == rb + 1)
        return ia == ib || ia == ib - 1;
    return 0;
}

/* Edits (insert, delete, substitute, swap two neighbours) from a to b,
 * counted up to 3. */
static int edit_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n >= SPELL_WORD || m >= SPELL_WORD)
        return 3;
    if (n > m + 2 || m > n + 2)
        return 3;
    int d[SPELL_WORD + 1][SPELL_WORD + 1];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            int cost = a[i - 1] != b[j - 1];
            int best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < best)
                best = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[n][m] < 3 ? d[n][m] : 3;
}

/* 1 when `fix` is a correction a typing slip explains. */
static int close_correction(const char *word, const char *fix)
{
    if (!*fix || strcmp(word, fix) == 0)
        return 0;
    if (word[0] != fix[0] && !keyboard_neighbours(word[0], fix[0]))
        return 0;
    return edit_distance(word, fix) <= 2;
}

/* 1 when the folded, lower-case `word` is known: a stop word, in the word
 * list, or a word of the index (its unstemmed term). */
static int known_word(vp_index *idx, const char *word)
{
    const vp_lexicon *lex = vp_index_lexicon(idx);
    if (lex && (vp_lexicon_has(lex, word) || vp_lexicon_only_stopwords(lex, word)))
        return 1;
    uint64_t n = 0;
    return vpx_db_termfreq(vp_index_db(idx), word, &n, NULL) == VP_OK && n > 0;
}

static size_t spell_slot(const char *word)
{
    return (size_t)(vp_hash_str(word) % SPELL_SLOTS);
}

/* The close correction of the unknown `word` into fix (SPELL_WORD bytes),
 * "" when there is none; from the cache when this revision has it. */
static vp_status correct_word(vp_index *idx, uint64_t revision, const char *word, char *fix)
{
    fix[0] = '\0';
    vp_spelling_cache **cp = vp_index_spelling_cache(idx);
    if (!*cp)
        *cp = calloc(1, sizeof **cp);
    spell_entry *e = *cp ? &(*cp)->slots[spell_slot(word)] : NULL;
    if (e && e->used && e->revision == revision && strcmp(e->word, word) == 0) {
        memcpy(fix, e->fix, SPELL_WORD);
        return VP_OK;
    }
    char *best = NULL;
    vp_status st = vpx_spelling_suggest(vp_index_db(idx), word, 2, &best, NULL);
    if (st == VP_ERR_NOMEM)
        return st; /* not cached: no answer was had */
    if (st == VP_OK && best && strlen(best) < SPELL_WORD && close_correction(word, best))
        snprintf(fix, SPELL_WORD, "%s", best);
    free(best);
    if (e) {
        e->used = 1;
        e->revision = revision;
        snprintf(e->word, sizeof e->word, "%s", word);
        memcpy(e->fix, fix, SPELL_WORD);
    }
    return VP_OK;
}

/* A better-spelled form of q, malloc()ed, in *out; *out NULL when it has
 * none. Words are taken between spaces; only plain ones (letters and
 * digits, after quotes, brackets and +/- around them) are looked at,
 * operators and field:value are kept as written. VP_ERR_NOMEM when memory
 * ran out on the way (the result would silently lack its correction). */
static vp_status spelling_of(vp_index *idx, const char *q, char **out)
{
    *out = NULL;
    char *cut = vp_text_cut(q ? q : "", VP_SEARCH_MAX_QUERY);
    /* Folded but not lower-cased: AND, OR and NOT must stay operators. */
    char *folded = cut ? vp_text_fold(cut, 0) : NULL;
    free(cut);
    if (!folded)
        return VP_ERR_NOMEM;
    uint64_t revision = 0;
    vpx_db_stats(vp_index_db(idx), &revision, NULL, NULL);
    vp_buf buf;
    vp_buf_init(&buf, 2 * VP_SEARCH_MAX_QUERY + 64);
    int changed = 0, failed = 0;
    const char *p = folded;
    while (*p && !failed) {
        size_t gap = strspn(p, " \t\r\n");
        failed |= gap && vp_buf_append(&buf, p, gap) != VP_OK;
        p += gap;
        size_t len = strcspn(p, " \t\r\n");
        if (!len)
            break;
        size_t lead = strspn(p, "\"(+-");
        size_t core = lead < len ? len - lead : 0;
        while (core && strchr("\")", p[lead + core - 1]))
            core--;
        char word[SPELL_WORD], fix[SPELL_WORD] = "";
        int plain = core >= SPELL_MIN_LEN && core < SPELL_WORD;
        int letters = 0;
        for (size_t i = 0; plain && i < core; i++) {
            char c = p[lead + i];
            if (c >= 'A' && c <= 'Z')
                c = (char)(c - 'A' + 'a');
            plain = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
            letters += c >= 'a' && c <= 'z';
            word[i] = c;
        }
        int operator = core <= 3 && (strncmp(p + lead, "AND", core) == 0 ||
                                     strncmp(p + lead, "OR", core) == 0 ||
                                     strncmp(p + lead, "NOT", core) == 0 ||
                                     strncmp(p + lead, "XOR", core) == 0);
        if (plain && letters && !operator) {
            word[core] = '\0';
            if (!known_word(idx, word))
                failed |= correct_word(idx, revision, word, fix) != VP_OK;
        }
        if (*fix) {
            changed = 1;
            failed |= vp_buf_append(&buf, p, lead) != VP_OK || vp_buf_puts(&buf, fix) != VP_OK ||
                      vp_buf_append(&buf, p + lead + core, len - lead - core) != VP_OK;
        } else {
            failed |= vp_buf_append(&buf, p, len) != VP_OK;
        }
        p += len;
    }
    free(folded);
    if (failed || !changed) {
        vp_buf_free(&buf);
        return failed ? VP_ERR_NOMEM : VP_OK;
    }
    *out = vp_buf_steal(&buf);
    return *out ? VP_OK : VP_ERR_NOMEM;
}

static unsigned facet_slots(int f, unsigned slots[16])
{
    switch (f) {
    case VP_FIELD_TYPE: slots[0] = SLOT_TYPE; return 1;
    case VP_FIELD_LIBRARY: slots[0] = SLOT_LIBRARY; return 1;
    case VP_FIELD_PROPOSITION: slots[0] = SLOT_PROPOSITION; return 1;
    case VP_FIELD_CHANNEL: slots[0] = SLOT_CHANNEL; return 1;
    case VP_FIELD_AUDIENCE: slots[0] = SLOT_AUDIENCE; return 1;
    default: return 0;
    }
}

static int cmp_facet(const void *a, const void *b)
{
    const vp_facet_value *x = a, *y = b;
    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    return strcmp(x->value, y->value);
}

/* Copies the counts of spies [first, first+n) of `ms` into facet f. */
/* Adds `count` to `value` in vals[0..*k) (a new entry when absent). */
static int tally(vp_facet_value *vals, size_t *k, const char *value, size_t len, uint64_t count)
{
    for (size_t i = 0; i < *k; i++)
        if (strlen(vals[i].value) == len && memcmp(vals[i].value, value, len) == 0) {
            vals[i].count += count;
            return 0;
        }
    vals[*k].value = strndup(value, len);
    if (!vals[*k].value)
        return -1;
    vals[*k].count = count;
    (*k)++;
    return 0;
}

/* Copies the counts of spies [first, first+n) of `ms` into facet f. The
 * audience slot holds combinations ("ouders|peuter"), split here. */
static vp_status collect_facet(vp_search_result *res, int f, const vpx_mset *ms, size_t first,
                               size_t n)
{
    size_t total = 0;
    for (size_t s = first; s < first + n; s++)
        total += vpx_mset_spy_size(ms, s);
    if (f == VP_FIELD_AUDIENCE)
        total += 16; /* at most every group once more than the combinations */
    vp_facet_value *vals = calloc(total + 1, sizeof *vals);
    if (!vals)
        return VP_ERR_NOMEM;
    size_t k = 0;
    vp_status st = VP_OK;
    for (size_t s = first; st == VP_OK && s < first + n; s++)
        for (size_t i = 0; st == VP_OK && i < vpx_mset_spy_size(ms, s); i++) {
            uint64_t count;
            const char *v = vpx_mset_spy_value(ms, s, i, &count);
            if (f != VP_FIELD_AUDIENCE) {
                if (tally(vals, &k, v, strlen(v), count) != 0)
                    st = VP_ERR_NOMEM;
                continue;
            }
            for (const char *p = v; *p && st == VP_OK;) {
                size_t len = strcspn(p, "|");
                if (k < total && tally(vals, &k, p, len, count) != 0)
                    st = VP_ERR_NOMEM;
                p += len + (p[len] == '|');
            }
        }
    if (st != VP_OK) {
        for (size_t j = 0; j < k; j++)
            free(vals[j].value);
        free(vals);
        return st;
    }
    qsort(vals, k, sizeof *vals, cmp_facet);
    res->facets[f] = vals;
    res->n_facets[f] = k;
    return VP_OK;
}

/* The hits of `ms`; a hit of a series shows its next date (`series`,
 * may be NULL) and lists the others. */
static vp_status make_hits(vp_search_result *res, const vpx_mset *ms, const vpx_query *text,
                           int browsing, const vp_search_request *req,
                           const vp_series_page *series)
{
    vp_status st = VP_OK;
    vp_snippet_terms terms;
    vpx_stemmer *stemmer = NULL;
    memset(&terms, 0, sizeof terms);
    size_t n = vpx_mset_size(ms);
    res->hits = calloc(n + 1, sizeof *res->hits);
    if (!res->hits)
        return VP_ERR_NOMEM;
    if (!browsing) {
        st = vp_snippet_terms_from_query(text, &terms, NULL);
        if (st == VP_OK)
            st = vpx_stemmer_create(VP_STEM_LANGUAGE, &stemmer, NULL);
    }
    for (size_t i = 0; st == VP_OK && i < n; i++) {
        vp_search_hit *h = &res->hits[i];
        const char *data = vp_series_page_shown(series, i);
        if (!data)
            data = vpx_mset_data(ms, i);
        json_t *doc = json_loads(data, 0, NULL);
        if (!doc) {
            st = VP_ERR_NOMEM; /* the index wrote it: only memory can fail */
            break;
        }
        h->doc = doc;
        const char *id = json_string_value(json_object_get(doc, "id"));
        const char *desc = json_string_value(json_object_get(doc, "description"));
        json_t *loc = json_object_get(doc, "location");
        h->score = vpx_mset_weight(ms, i);
        h->distance_km = -1;
        if (req->has_near && json_is_number(json_object_get(loc, "lat")))
            h->distance_km = vp_geo_distance_km(req->near_lat, req->near_lon,
                                         json_number_value(json_object_get(loc, "lat")),
                                         json_number_value(json_object_get(loc, "lon")));
        h->id = strdup(id ? id : "");
        h->json = strdup(data);
        if (!h->id || !h->json)
            st = VP_ERR_NOMEM;
        else if (desc)
            st = vp_snippet_make(desc, &terms, stemmer, SNIPPET_WORDS, &h->snippet);
        if (st == VP_OK)
            st = vp_series_page_fill(series, i, h);
        res->n_hits++;
    }
    vp_snippet_terms_free(&terms);
    vpx_stemmer_destroy(stemmer);
    return st;
}

/* Scores this close (a share of the higher one) are equally relevant. */
#define EQUAL_SHARE 0.05

typedef struct dated_hit {
    vp_search_hit hit;
    int64_t start; /* its next occurrence, UTC */
} dated_hit;

static int cmp_dated(const void *a, const void *b)
{
    const dated_hit *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return x->hit.score > y->hit.score ? -1 : x->hit.score < y->hit.score;
}

int64_t vp_search_shown_from(const vp_search_request *req)
{
    int64_t now = req->now ? req->now : (int64_t)time(NULL);
    if (!req->from_day || !vp_day_valid(req->from_day))
        return now;
    int y = req->from_day / 10000, mo = req->from_day / 100 % 100, d = req->from_day % 100;
    int64_t from = vp_day_to_epoch(req->from_day) * 86400 - vp_nl_wall_offset(y, mo, d, 0, 0);
    return from > now ? from : now;
}

/* Among equally relevant hits the sooner first: in each run of hits whose
 * scores lie within EQUAL_SHARE of the run's first, the dated ones trade
 * places by next occurrence; undated ones keep theirs. Within the page
 * only, so paging never shows a hit twice. */
static vp_status soonest_first(vp_search_result *res, int64_t now)
{
    size_t n = res->n_hits;
    dated_hit *d = calloc(n + 1, sizeof *d);
    size_t *pos = calloc(n + 1, sizeof *pos);
    int64_t *start = calloc(n + 1, sizeof *start);
    if (!d || !pos || !start) {
        free(d);
        free(pos);
        free(start);
        return VP_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        const char *s = NULL, *e = NULL;
        start[i] = INT64_MAX;
        if (vp_offering_json_next(res->hits[i].doc, now, &s, &e, &start[i], NULL) != 0)
            start[i] = INT64_MAX;
    }
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && res->hits[j].score >= res->hits[i].score * (1 - EQUAL_SHARE))
            j++;
        size_t k = 0;
        for (size_t m = i; m < j; m++)
            if (start[m] != INT64_MAX) {
                pos[k] = m;
                d[k].hit = res->hits[m];
                d[k++].start = start[m];
            }
        qsort(d, k, sizeof *d, cmp_dated);
        for (size_t m = 0; m < k; m++)
            res->hits[pos[m]] = d[m].hit;
        i = j;
    }
    free(d);
    free(pos);
    free(start);
    return VP_OK;
}

/* Past days the live term may still cover: beyond this many since the
 * last refresh, the end terms are the cheaper filter. */
#define LIVE_MAX_DAYS 31

/* Not yet past on `today` from the live term (schema.h): PFX_LIVE but not
 * ending on a day from META_LIVE_FROM to yesterday; *used 0 (and *out
 * untouched) when the index has no live day, or one after today or too
 * long ago. One term on the day of a refresh, a handful a few days on. */
static vp_status live_filter(vpx_db *db, int today, vpx_query **out, int *used, vp_error *err)
{
    *used = 0;
    char *v = NULL;
    int from = 0;
    if (vpx_db_get_metadata(db, META_LIVE_FROM, &v, NULL) == VP_OK && v && strlen(v) == 8 &&
        strspn(v, "0123456789") == 8)
        from = atoi(v);
    free(v);
    int64_t first = vp_day_to_epoch(from), last = vp_day_to_epoch(today) - 1;
    if (!from || from > today || last - first >= LIVE_MAX_DAYS)
        return VP_OK;
    vpx_query *live = NULL, *ended = NULL;
    vpx_query *days[LIVE_MAX_DAYS] = {0};
    size_t n = 0;
    vp_status st = vpx_query_term(PFX_LIVE, &live, err);
    char term[24];
    for (int64_t d = first; st == VP_OK && d <= last; d++) {
        snprintf(term, sizeof term, PFX_END_DAY "%08d", vp_day_from_epoch(d));
        st = vpx_query_term(term, &days[n++], err);
    }
    if (st == VP_OK && n)
        st = vpx_query_combine(VPX_OP_OR, days, n, &ended, err);
    if (st == VP_OK && n) {
        vpx_query *parts[2] = {live, ended};
        st = vpx_query_combine(VPX_OP_AND_NOT, parts, 2, out, err);
    } else if (st == VP_OK) {
        *out = live;
        live = NULL;
    }
    for (size_t i = 0; i < n; i++)
        vpx_query_destroy(days[i]);
    vpx_query_destroy(ended);
    vpx_query_destroy(live);
    *used = st == VP_OK;
    return st;
}

/* Not yet past on `today`: the last day of the offering today or later,
 * from the end terms (one of each per offering, so the OR's lists never
 * overlap) of an index that has them in every offering, else from the
 * day, month and year terms of every day. */
static vp_status upcoming_filter(vpx_db *db, int today, vpx_query **out, vp_error *err)
{
    int used = 0;
    vp_status lst = live_filter(db, today, out, &used, err);
    if (lst != VP_OK || used)
        return lst;
    char *mark = NULL;
    int end_terms = vpx_db_get_metadata(db, META_END_TERMS, &mark, NULL) == VP_OK && mark &&
                    strcmp(mark, "1") == 0;
    free(mark);
    if (!end_terms)
        return date_filter(today, 0, out, err);
    int year = today / 10000, month = today / 100;
    int last = last_day_of_month(month);
    size_t n = 0, cap = 31 + 12 + OPEN_YEARS;
    vpx_query **parts = calloc(cap, sizeof *parts);
    if (!parts)
        return VP_ERR_NOMEM;
    vp_status st = VP_OK;
    char term[24];
    for (int day = today; st == VP_OK && day <= last; day++) {
        snprintf(term, sizeof term, PFX_END_DAY "%08d", day);
        st = vpx_query_term(term, &parts[n++], err);
    }
    for (int m = month % 100 + 1; st == VP_OK && m <= 12; m++) {
        snprintf(term, sizeof term, PFX_END_MONTH "%04d%02d", year, m);
        st = vpx_query_term(term, &parts[n++], err);
    }
    for (int y = year + 1; st == VP_OK && y <= year + OPEN_YEARS; y++) {
        snprintf(term, sizeof term, PFX_END_YEAR "%04d", y);
        st = vpx_query_term(term, &parts[n++], err);
    }
    return or_of(parts, n, st, out, err);
}

/* free=true: the offerings marked free when they were indexed. */
static vp_status free_filter(vpx_db *db, vpx_query **out, vp_error *err)
{
    char *mark = NULL;
    int marked = vpx_db_get_metadata(db, META_FREE_TERMS, &mark, NULL) == VP_OK && mark &&
                 strcmp(mark, "1") == 0;
    free(mark);
    if (!marked) {
        return vp_error_set(err, VP_ERR_NOT_FOUND, &(vp_where){.parameter = "free"},
                            "free: this index was built before free offerings were marked; "
                            "rebuild it to use free=true");
    }
    return vpx_query_term(PFX_FREE, out, err);
}

/* The parts of one search, built once and combined as needed. */
typedef struct plan {
    vpx_query *text;                  /* the weighted query */
    vpx_query *filters[VP_FIELD_COUNT];
    vpx_query *dates;                 /* from/to */
    vpx_query *upcoming;              /* hides what has ended */
    vpx_query *near;                  /* the radius around near */
    vpx_query *free_only;             /* free=true */
    vpx_query *boosts[6];
    vpx_query *understood;            /* place, day and age words (understand.c) */
    int browsing;
    int fallback;
    int collapse;                     /* one hit per work (SLOT_WORK) */
} plan;

static void plan_free(plan *p)
{
    vpx_query_destroy(p->text);
    for (int f = 0; f < VP_FIELD_COUNT; f++)
        vpx_query_destroy(p->filters[f]);
    vpx_query_destroy(p->dates);
    vpx_query_destroy(p->upcoming);
    vpx_query_destroy(p->near);
    vpx_query_destroy(p->free_only);
    for (int i = 0; i < 6; i++)
        vpx_query_destroy(p->boosts[i]);
    vpx_query_destroy(p->understood);
    memset(p, 0, sizeof *p);
}

/* FILTER(term-filter wrapped weight `w`) for boosts. */
static vp_status boost(vpx_query *filter, double w, vpx_query **out, vp_error *err)
{
    *out = NULL;
    if (!filter || w <= 0)
        return VP_OK;
    vpx_query *fixed = NULL;
    vp_status st = vpx_query_fixed_weight(w, &fixed, err);
    vpx_query *parts[2] = {fixed, filter};
    if (st == VP_OK)
        st = vpx_query_combine(VPX_OP_FILTER, parts, 2, out, err);
    vpx_query_destroy(fixed);
    return st;
}

/* 1 when every dated offering of `db` has its day spans (SLOT_DAYS) and
 * the match runs here: a remote shard cannot run the source that reads them. */
static int day_spans(vpx_db *db)
{
    char *mark = NULL;
    int spans = vpx_db_get_metadata(db, META_DAY_SPANS, &mark, NULL) == VP_OK && mark &&
                strcmp(mark, "1") == 0;
    free(mark);
    return spans && !vpx_db_remote(db);
}

/* ---- dated offerings: the sooner, the higher ----
 *
 * Nested windows from today, each adding a quarter of rk->upcoming to
 * the offerings with an occurrence in it: within a week, within
 * upcoming_days, up to the end of next month, up to the end of the third
 * month ahead. An offering a week away gets all four, one two months away
 * one. The far windows are whole months from the first of this one (a
 * month term each: the past is hidden anyway), so the boost costs about
 * 25 day and 6 month terms, all on the index's own date terms. An index
 * with day spans (SLOT_DAYS) gives the same weights from one value read per
 * candidate instead of advancing those terms' lists for every candidate. */
static vp_status soon_boost(vpx_db *db, int spans, int today, const vp_ranking *rk,
                            vpx_query **out, vp_error *err)
{
    *out = NULL;
    int64_t t = vp_day_to_epoch(today);
    int month = today / 100;
    int next = month % 100 == 12 ? (month / 100 + 1) * 100 + 1 : month + 1;
    int third = next;
    for (int i = 0; i < 2; i++)
        third = third % 100 == 12 ? (third / 100 + 1) * 100 + 1 : third + 1;
    int from[4] = {today, today, month * 100 + 1, month * 100 + 1};
    int to[4] = {vp_day_from_epoch(t + 7),
                 vp_day_from_epoch(t + (rk->upcoming_days > 7 ? rk->upcoming_days : 7)),
                 last_day_of_month(next), last_day_of_month(third)};
    if (spans && day_spans(db)) {
        vpx_day_window w[4];
        for (int i = 0; i < 4; i++) {
            w[i].first = vp_day_to_epoch(from[i]);
            w[i].last = vp_day_to_epoch(to[i]);
            w[i].weight = rk->upcoming / 4;
        }
        return rk->upcoming / 4 > 0 ? vpx_query_day_spans(SLOT_DAYS, w, 4, out, err) : VP_OK;
    }
    vpx_query *bands[4] = {0};
    vp_status st = VP_OK;
    for (int i = 0; st == VP_OK && i < 4; i++) {
        vpx_query *window = NULL;
        st = date_filter(from[i], to[i], &window, err);
        if (st == VP_OK)
            st = boost(window, rk->upcoming / 4, &bands[i], err);
        vpx_query_destroy(window);
    }
    if (st == VP_OK)
        st = vpx_query_combine(VPX_OP_OR, bands, 4, out, err);
    for (int i = 0; i < 4; i++)
        vpx_query_destroy(bands[i]);
    return st;
}

/* 1 when `q` holds two or more words (runs of letters and digits) and no
 * operator a phrase would change: quotes, '*'. */
static int several_words(const char *q)
{
    if (strpbrk(q, "\"*"))
        return 0;
    int words = 0, in = 0;
    for (const unsigned char *c = (const unsigned char *)q; *c; c++) {
        int w = isalnum(*c) || *c >= 0x80;
        words += w && !in;
        in = w;
    }
    return words >= 2;
}

static vp_status plan_build(vp_index *idx, const vp_search_request *req, const char *q,
                            int any_words, plan *p, vp_error *err)
{
    const vp_ranking *rk = req->ranking ? req->ranking : &vp_ranking_default;
    int rewrite = !(req->without & VP_WITHOUT_REWRITE);
    memset(p, 0, sizeof *p);
    p->collapse = !req->all_offerings;
    vp_status st = text_query(idx, q, rewrite, any_words, &p->text, &p->fallback, err);
    p->browsing = !q || !q[strspn(q, " \t\r\n")];
    for (int f = 0; st == VP_OK && f < VP_FIELD_COUNT; f++)
        st = field_filter(req, f, &p->filters[f], err);
    if (st == VP_OK)
        st = date_filter(req->from_day, req->to_day, &p->dates, err);
    int today = vp_nl_day(req->now ? req->now : (int64_t)time(NULL));
    if (st == VP_OK && !req->include_past) {
        /* Not yet past: an occurrence today or later, or no dates at all. */
        vpx_query *parts[2] = {NULL, NULL};
        st = upcoming_filter(vp_index_db(idx), today, &parts[0], err);
        if (st == VP_OK)
            st = vpx_query_term(PFX_UNDATED, &parts[1], err);
        if (st == VP_OK)
            st = vpx_query_combine(VPX_OP_OR, parts, 2, &p->upcoming, err);
        vpx_query_destroy(parts[0]);
        vpx_query_destroy(parts[1]);
    }
    if (st == VP_OK && req->has_near && req->radius_km > 0) {
        /* Online offerings are near everyone; channel=offline removes them. */
        vpx_query *parts[2] = {NULL, NULL};
        char term[32];
        snprintf(term, sizeof term, "%sonline", vp_field_prefix[VP_FIELD_CHANNEL]);
        st = vpx_query_near(SLOT_LOCATION, req->near_lat, req->near_lon, req->radius_km, 1.0,
                            &parts[0], err);
        if (st == VP_OK)
            st = vpx_query_term(term, &parts[1], err);
        if (st == VP_OK)
            st = vpx_query_combine(VPX_OP_OR, parts, 2, &p->near, err);
        vpx_query_destroy(parts[0]);
        vpx_query_destroy(parts[1]);
    }
    if (st == VP_OK && req->free_only)
        st = free_filter(vp_index_db(idx), &p->free_only, err);
    /* Boosts: own library, soon, nearby. */
    if (st == VP_OK && req->prefer_library && *req->prefer_library) {
        vp_buf t;
        vp_buf_init(&t, 4096);
        vpx_query *term = NULL;
        st = vp_buf_printf(&t, "%s%s", vp_field_prefix[VP_FIELD_LIBRARY], req->prefer_library);
        if (st == VP_OK)
            st = vpx_query_term(t.data, &term, err);
        if (st == VP_OK)
            st = boost(term, rk->prefer_library, &p->boosts[0], err);
        vpx_query_destroy(term);
        vp_buf_free(&t);
    }
    if (st == VP_OK && rk->upcoming > 0)
        st = soon_boost(vp_index_db(idx), !(req->without & VP_WITHOUT_DAY_SPANS), today, rk,
                        &p->boosts[1], err);
    if (st == VP_OK && req->has_near && rk->nearby > 0) {
        vpx_query *nearby = NULL;
        st = vpx_query_near(SLOT_LOCATION, req->near_lat, req->near_lon, 0, rk->nearby_half_km,
                            &nearby, err);
        if (st == VP_OK)
            st = vpx_query_scale(nearby, rk->nearby, &p->boosts[2], err);
        vpx_query_destroy(nearby);
    }
    /* What residents use most (signals): a boost scaled by use. */
    size_t n_pop = req->n_popular < VP_SEARCH_MAX_POPULAR ? req->n_popular : VP_SEARCH_MAX_POPULAR;
    if (st == VP_OK && n_pop && rk->popularity > 0 && req->popular[0].score > 0) {
        vpx_query *each[VP_SEARCH_MAX_POPULAR] = {0};
        vp_buf t;
        vp_buf_init(&t, 512);
        for (size_t i = 0; st == VP_OK && i < n_pop; i++) {
            vpx_query *term = NULL;
            t.len = 0;
            st = vp_buf_printf(&t, PFX_ID "%s", req->popular[i].key);
            if (st == VP_OK)
                st = vpx_query_term(t.data, &term, err);
            if (st == VP_OK)
                st = boost(term, rk->popularity * req->popular[i].score / req->popular[0].score,
                           &each[i], err);
            vpx_query_destroy(term);
        }
        vp_buf_free(&t);
        if (st == VP_OK)
            st = vpx_query_combine(VPX_OP_OR, each, n_pop, &p->boosts[4], err);
        for (size_t i = 0; i < n_pop; i++)
            vpx_query_destroy(each[i]);
    }
    /* The types the words name: "cursus engels" prefers courses. */
    unsigned types = rewrite && q ? vp_lexicon_types_named(vp_index_lexicon(idx), q) : 0;
    if (st == VP_OK && types && rk->type_intent > 0) {
        vpx_query *terms[16] = {0}, *any = NULL;
        char term[64];
        size_t n = 0;
        for (int t = 0; st == VP_OK && vp_offering_types[t] && t < 16; t++)
            if (types & (1u << t)) {
                snprintf(term, sizeof term, "%s%s", vp_field_prefix[VP_FIELD_TYPE],
                         vp_offering_types[t]);
                st = vpx_query_term(term, &terms[n++], err);
            }
        if (st == VP_OK)
            st = vpx_query_combine(VPX_OP_OR, terms, n, &any, err);
        if (st == VP_OK)
            st = boost(any, rk->type_intent, &p->boosts[3], err);
        vpx_query_destroy(any);
        for (size_t i = 0; i < n; i++)
            vpx_query_destroy(terms[i]);
    }
    /* Two or more words as they stand in a title: "de avonden" is the book
     * De avonden before the Auteursavonden its stem and parts find. Only
     * for words the lexicon leaves as typed: a proposition, local name or
     * synonym ("klik en tik") finds every town's own title for it, and a
     * phrase would put one way of writing it first. */
    if (st == VP_OK && rewrite && q && rk->title_phrase > 0 && several_words(q)) {
        char *folded = vp_text_fold(q, 0);
        char *rewritten = folded ? vp_lexicon_rewrite(vp_index_lexicon(idx), folded) : NULL;
        vpx_parser_opts opts = {VP_STEM_LANGUAGE, NULL, NULL, NULL, MAX_WILDCARD_EXPANSION, 0};
        vpx_query *phrase = NULL;
        if (!rewritten)
            st = VP_ERR_NOMEM;
        else if (strcmp(rewritten, folded) == 0)
            st = vpx_query_words(vp_index_db(idx), folded, PFX_TITLE, 0, 1, &opts, &phrase,
                                 err);
        if (st == VP_OK && phrase && !vpx_query_is_empty(phrase))
            st = boost(phrase, rk->title_phrase, &p->boosts[5], err);
        vpx_query_destroy(phrase);
        free(rewritten);
        free(folded);
    }
    return st;
}

/* FILTER(AND_MAYBE(text, boosts), every filter but those in `skip`).
 * Bits of `skip`: fields, then VP_RELAX_DATES, VP_RELAX_NEAR and VP_RELAX_FREE.
 * Without `weighted` the words only select (weight 0, no boosts): a count
 * needs no ranking, and a boolean match opens no boost lists and weighs
 * nothing. */
static vp_status plan_query(const plan *p, unsigned skip, int weighted, vpx_query **out,
                            vp_error *err)
{
    vpx_query *words = NULL;
    vp_status st;
    if (weighted) {
        vpx_query *maybe[8] = {p->text,      p->boosts[0], p->boosts[1], p->boosts[2],
                               p->boosts[3], p->boosts[4], p->boosts[5], p->understood};
        st = vpx_query_combine(VPX_OP_AND_MAYBE, maybe, 8, &words, err);
    } else {
        st = vpx_query_scale(p->text, 0.0, &words, err);
    }
    if (st != VP_OK)
        return st;
    vpx_query *parts[VP_FIELD_COUNT + 5];
    size_t n = 0;
    parts[n++] = words;
    for (int f = 0; f < VP_FIELD_COUNT; f++)
        parts[n++] = (skip & (1u << f)) ? NULL : p->filters[f];
    parts[n++] = (skip & (1u << VP_RELAX_DATES)) ? NULL : p->dates;
    parts[n++] = p->upcoming;
    parts[n++] = (skip & (1u << VP_RELAX_NEAR)) ? NULL : p->near;
    parts[n++] = (skip & (1u << VP_RELAX_FREE)) ? NULL : p->free_only;
    st = vpx_query_combine(VPX_OP_FILTER, parts, n, out, err);
    vpx_query_destroy(words);
    return st;
}

/* How many `p` matches without the filters in `skip`: exact up to `need`
 * (the caller's question is "more than N?"), Xapian's estimate above it, so
 * a broad query is not counted to the last document for nothing. Works
 * when `collapse` is set and the plan collapses, else offerings (whether
 * there is any at all needs no collapse). */
static vp_status count_matches(vpx_db *db, const plan *p, unsigned skip, uint64_t need,
                               int collapse, uint64_t *total, vp_error *err)
{
    vpx_query *q = NULL;
    vpx_mset *ms = NULL;
    vp_status st = plan_query(p, skip, 0, &q, err);
    vpx_enquire_opts eo = {.sort_slot = -1, .limit = 0, .check_at_least = need,
                           .collapse_slot = collapse && p->collapse ? SLOT_WORK : -1};
    if (st == VP_OK)
        st = vpx_enquire(db, q, &eo, &ms, err);
    if (st == VP_OK)
        vpx_mset_totals(ms, NULL, total, NULL);
    vpx_mset_destroy(ms);
    vpx_query_destroy(q);
    return st;
}

/* One full search of `q`: hits, totals and facets into `res`. */
static vp_status search_once(vp_index *idx, const vp_search_request *req, const plan *p,
                             uint64_t doccount, vp_search_result *res, vp_error *err)
{
    vpx_db *db = vp_index_db(idx);
    vpx_query *full = NULL;
    vpx_mset *ms = NULL;
    vp_status st = plan_query(p, 0, 1, &full, err);
    if (st != VP_OK)
        return st;
    /* Facets of unfiltered fields are counted with every match: on one
     * database by a counting match apart (selecting only: no weights,
     * boosts, order or collapse; the works counted by their distinct
     * keys), over shards by spies on the page match. */
    unsigned spy_slots[64];
    size_t n_spies = 0, spy_first[VP_FACET_COUNT], spy_count[VP_FACET_COUNT];
    for (int f = 0; f < VP_FACET_COUNT; f++) {
        spy_first[f] = n_spies;
        spy_count[f] = 0;
        if ((req->facets & (1u << f)) && !p->filters[f]) {
            spy_count[f] = facet_slots(f, spy_slots + n_spies);
            n_spies += spy_count[f];
        }
    }
    int one_db = vpx_db_shards(db, NULL, NULL) == 0;
    int counting = req->facets && one_db;
    /* On one database the works of a page match that stops early are
     * counted by a selecting match apart (below), so the page match weighs,
     * boosts and tie-breaks only what can reach the page, not the first
     * COLLAPSE_CHECK candidates. Over shards it checks them itself, and so
     * it does for words with a phrase: Xapian 1.4.22's matcher, stopping
     * early, missed better documents under an OR holding a phrase (the
     * some-of-the-words match of "luisterboek workshop", with the phrase
     * "gesproken boek" among its synonyms). */
    int count_apart = p->collapse && one_db && !counting && !vpx_query_positional(p->text) &&
                      !(req->without & VP_WITHOUT_COUNT_APART);
    vpx_mset *counts = NULL;
    if (counting) {
        vpx_query *selecting = NULL;
        st = plan_query(p, 0, 0, &selecting, err);
        vpx_enquire_opts co = {.sort_slot = -1, .limit = 0, .check_at_least = doccount,
                               .spy_slots = spy_slots, .n_spy_slots = n_spies,
                               .distinct_slot = p->collapse ? SLOT_WORK : 0,
                               .keep_counts = !(req->without & VP_WITHOUT_COUNT_CACHE)};
        if (st == VP_OK)
            st = vpx_enquire(db, selecting, &co, &counts, err);
        vpx_query_destroy(selecting);
        if (st != VP_OK) {
            vpx_query_destroy(full);
            return st;
        }
    }
    vpx_enquire_opts eo = {
        .sort_slot = req->sort == VP_SORT_DATE       ? SLOT_START
                     : req->sort == VP_SORT_DISTANCE ? SLOT_LOCATION
                                                     : -1,
        .sort_near = req->sort == VP_SORT_DISTANCE,
        .tiebreak_slot = SLOT_ID,
        .near_lat = req->near_lat,
        .near_lon = req->near_lon,
        .offset = (uint64_t)(req->page - 1) * req->per_page,
        .limit = req->per_page,
        .check_at_least = req->facets && !counting ? doccount
                          : p->collapse && !count_apart ? COLLAPSE_CHECK
                                                        : 0,
        .spy_slots = counting ? NULL : spy_slots,
        .n_spy_slots = counting ? 0 : n_spies,
        .collapse_slot = p->collapse ? SLOT_WORK : -1,
    };
    st = vpx_enquire(db, full, &eo, &ms, err);
    vpx_query_destroy(full);
    /* The dates of the page's series, when the index has series keys:
     * what they are matched by, not how well (no weights, no boosts). */
    vp_series_page *series = NULL;
    vpx_query *selecting = NULL;
    if (st == VP_OK && p->collapse)
        st = plan_query(p, 0, 0, &selecting, err);
    if (st == VP_OK && p->collapse)
        st = vp_series_page_build(db, selecting, ms, vp_search_shown_from(req), doccount,
                                  &series, err);
    /* The page match saw every match when its bounds meet; else the works
     * are counted as the page match counted them with COLLAPSE_CHECK:
     * exact below it, Xapian's estimate above. */
    uint64_t page_lower = 0, page_upper = 0;
    if (st == VP_OK && count_apart)
        vpx_mset_totals(ms, &page_lower, NULL, &page_upper);
    if (st == VP_OK && count_apart && page_lower != page_upper) {
        vpx_enquire_opts co = {.sort_slot = -1, .limit = 0, .check_at_least = COLLAPSE_CHECK,
                               .collapse_slot = SLOT_WORK};
        st = vpx_enquire(db, selecting, &co, &counts, err);
    }
    vpx_query_destroy(selecting);
    if (st != VP_OK) {
        vpx_mset_destroy(ms);
        vpx_mset_destroy(counts);
        return st;
    }
    uint64_t lower, estimated, upper;
    const vpx_mset *counted = counts ? counts : ms;
    vpx_mset_totals(counted, &lower, &estimated, &upper);
    res->total = estimated;
    res->total_offerings = vpx_mset_documents(counted);
    res->total_exact = lower == upper;
    res->query_fallback = p->fallback;
    for (int f = 0; st == VP_OK && f < VP_FACET_COUNT; f++)
        if (spy_count[f])
            st = collect_facet(res, f, counted, spy_first[f], spy_count[f]);
    vpx_mset_destroy(counts);
    if (st == VP_OK)
        st = make_hits(res, ms, p->text, p->browsing, req, series);
    if (st == VP_OK && req->sort == VP_SORT_RELEVANCE)
        st = soonest_first(res, vp_search_shown_from(req));
    vp_series_page_destroy(series);
    vpx_mset_destroy(ms);

    /* Facets of filtered fields: count without their own filter. */
    for (int f = 0; st == VP_OK && f < VP_FACET_COUNT; f++) {
        if (!(req->facets & (1u << f)) || !p->filters[f])
            continue;
        vpx_query *without = NULL;
        ms = NULL;
        st = plan_query(p, 1u << f, 0, &without, err);
        unsigned slots[16];
        vpx_enquire_opts fo = {.sort_slot = -1, .offset = 0, .limit = 0,
                               .check_at_least = doccount, .spy_slots = slots,
                               .n_spy_slots = facet_slots(f, slots),
                               .keep_counts = !(req->without & VP_WITHOUT_COUNT_CACHE)};
        if (st == VP_OK)
            st = vpx_enquire(db, without, &fo, &ms, err);
        if (st == VP_OK)
            st = collect_facet(res, f, ms, 0, fo.n_spy_slots);
        vpx_mset_destroy(ms);
        vpx_query_destroy(without);
    }
    return st;
}

static void offer_free(vp_search_offer *o)
{
    free(o->id);
    free(o->type);
    free(o->library);
    free(o->library_name);
    free(o->branch);
    free(o->branch_name);
    free(o->url);
    json_decref(o->holdings);
    memset(o, 0, sizeof *o);
}

static void clear_hits(vp_search_result *res)
{
    for (size_t i = 0; i < res->n_hits; i++) {
        free(res->hits[i].id);
        free(res->hits[i].json);
        json_decref(res->hits[i].doc);
        free(res->hits[i].snippet);
        for (size_t k = 0; k < res->hits[i].n_available; k++)
            offer_free(&res->hits[i].available[k]);
        free(res->hits[i].available);
        vp_search_dates_free(res->hits[i].series, res->hits[i].n_series);
    }
    free(res->hits);
    res->hits = NULL;
    res->n_hits = 0;
    for (int f = 0; f < VP_FACET_COUNT; f++) {
        for (size_t i = 0; i < res->n_facets[f]; i++)
            free(res->facets[f][i].value);
        free(res->facets[f]);
        res->facets[f] = NULL;
        res->n_facets[f] = 0;
    }
}

/* ---- the offerings of each hit's work ---- */

/* The work key of an offering's JSON (borrowed), or NULL without one. */
static const char *work_of(json_t *doc)
{
    const char *w = json_string_value(json_object_get(doc, "work_key"));
    return w && *w ? w : NULL;
}

/* A malloc()ed copy of `key` of `doc`; NULL when absent (or, setting
 * *oom, when out of memory). With `or_empty` absent is "". */
static char *dup_field(json_t *doc, const char *key, int or_empty, int *oom)
{
    const char *v = json_string_value(json_object_get(doc, key));
    if (!v && !or_empty)
        return NULL;
    char *c = strdup(v ? v : "");
    if (!c)
        *oom = 1;
    return c;
}

static vp_status offer_fill(vp_search_offer *o, json_t *doc)
{
    int oom = 0;
    o->id = dup_field(doc, "id", 1, &oom);
    o->type = dup_field(doc, "type", 1, &oom);
    o->library = dup_field(doc, "library", 0, &oom);
    o->library_name = dup_field(doc, "library_name", 0, &oom);
    o->branch = dup_field(doc, "branch", 0, &oom);
    o->branch_name = dup_field(doc, "branch_name", 0, &oom);
    o->url = dup_field(doc, "url", 0, &oom);
    json_t *holdings = json_object_get(doc, "holdings");
    if (json_is_array(holdings) && json_array_size(holdings))
        o->holdings = json_incref(holdings);
    return oom ? VP_ERR_NOMEM : VP_OK;
}

/* By library name (the id when it has none), then offering id. */
static int cmp_offer(const void *a, const void *b)
{
    const vp_search_offer *x = a, *y = b;
    const char *nx = x->library_name ? x->library_name : x->library ? x->library : "";
    const char *ny = y->library_name ? y->library_name : y->library ? y->library : "";
    int c = strcmp(nx, ny);
    return c ? c : strcmp(x->id, y->id);
}

/* A document of the works' match, parsed. */
typedef struct work_row {
    json_t *doc;
    const char *work; /* borrowed from doc */
} work_row;

static int cmp_row(const void *a, const void *b)
{
    const work_row *x = a, *y = b;
    return strcmp(x->work, y->work);
}

/* The offerings of the work `key` that are not yet past (unless `upcoming`
 * is NULL): boolean, weighing nothing. */
static vp_status work_query(const char *key, const vpx_query *upcoming, vpx_query **out,
                            vp_error *err)
{
    vp_buf t;
    vp_buf_init(&t, 512);
    vpx_query *term = NULL, *flat = NULL;
    vp_status st = vp_buf_printf(&t, PFX_WORK "%s", key);
    if (st == VP_OK)
        st = vpx_query_term(t.data, &term, err);
    if (st == VP_OK)
        st = vpx_query_scale(term, 0.0, &flat, err);
    vpx_query *parts[2] = {flat, (vpx_query *)upcoming};
    if (st == VP_OK)
        st = vpx_query_combine(VPX_OP_FILTER, parts, 2, out, err);
    vpx_query_destroy(flat);
    vpx_query_destroy(term);
    vp_buf_free(&t);
    return st;
}

/* Fills `available` of every hit with a work key: one match for the works
 * of the whole page, collapsed to VP_SEARCH_MAX_AVAILABLE offerings per
 * work (the first by id); a work that fills that is counted on its own. */
static vp_status list_available(vpx_db *db, const plan *p, uint64_t doccount,
                                vp_search_result *res, vp_error *err)
{
    size_t n = res->n_hits, n_keys = 0, n_rows = 0;
    json_t **own = calloc(n + 1, sizeof *own);
    vpx_query **terms = calloc(n + 1, sizeof *terms);
    vpx_query *any = NULL, *q = NULL;
    vpx_mset *ms = NULL;
    work_row *rows = NULL;
    vpx_enquire_opts eo = {.sort_slot = -1, .tiebreak_slot = SLOT_ID,
                           .collapse_slot = SLOT_WORK, .collapse_max = VP_SEARCH_MAX_AVAILABLE};
    vp_status st = own && terms ? VP_OK : VP_ERR_NOMEM;
    for (size_t i = 0; st == VP_OK && i < n; i++) {
        own[i] = res->hits[i].doc; /* borrowed */
        if (work_of(own[i]))
            st = work_query(work_of(own[i]), NULL, &terms[n_keys++], err);
    }
    if (st != VP_OK || n_keys == 0)
        goto done;
    st = vpx_query_combine(VPX_OP_OR, terms, n_keys, &any, err);
    if (st == VP_OK) {
        vpx_query *parts[2] = {any, p->upcoming};
        st = vpx_query_combine(VPX_OP_FILTER, parts, 2, &q, err);
    }
    eo.limit = (uint64_t)n_keys * VP_SEARCH_MAX_AVAILABLE;
    if (st == VP_OK)
        st = vpx_enquire(db, q, &eo, &ms, err);
    if (st == VP_OK && !(rows = calloc(vpx_mset_size(ms) + 1, sizeof *rows)))
        st = VP_ERR_NOMEM;
    for (size_t i = 0; st == VP_OK && i < vpx_mset_size(ms); i++) {
        json_t *doc = json_loads(vpx_mset_data(ms, i), 0, NULL);
        if (!doc) {
            st = VP_ERR_NOMEM;
        } else if (!work_of(doc)) {
            json_decref(doc);
        } else {
            rows[n_rows].doc = doc;
            rows[n_rows++].work = work_of(doc);
        }
    }
    if (st == VP_OK)
        qsort(rows, n_rows, sizeof *rows, cmp_row);

    for (size_t i = 0; st == VP_OK && i < n; i++) {
        vp_search_hit *h = &res->hits[i];
        const char *key = work_of(own[i]);
        if (!key)
            continue;
        /* The first row of the work, and how many follow. */
        size_t lo = 0, hi = n_rows, m = 0;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (strcmp(rows[mid].work, key) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        while (lo + m < n_rows && strcmp(rows[lo + m].work, key) == 0)
            m++;
        h->available = calloc(m + 1, sizeof *h->available);
        if (!h->available) {
            st = VP_ERR_NOMEM;
            break;
        }
        int self = 0;
        for (size_t k = 0; st == VP_OK && k < m; k++) {
            st = offer_fill(&h->available[h->n_available++], rows[lo + k].doc);
            self |= st == VP_OK && strcmp(h->available[k].id, h->id) == 0;
        }
        /* The hit itself is always there: in place of the last when the
         * list is full (a work past the cap), after the rest otherwise. */
        if (st == VP_OK && !self) {
            if (h->n_available == VP_SEARCH_MAX_AVAILABLE)
                offer_free(&h->available[--h->n_available]);
            st = offer_fill(&h->available[h->n_available++], own[i]);
        }
        if (st != VP_OK)
            break;
        qsort(h->available, h->n_available, sizeof *h->available, cmp_offer);
        h->available_count = h->n_available;
        if (m == VP_SEARCH_MAX_AVAILABLE) {
            vpx_query *one = NULL;
            vpx_mset *counted = NULL;
            vpx_enquire_opts co = {.sort_slot = -1, .limit = 0, .check_at_least = doccount};
            st = work_query(key, p->upcoming, &one, err);
            if (st == VP_OK)
                st = vpx_enquire(db, one, &co, &counted, err);
            if (st == VP_OK)
                vpx_mset_totals(counted, NULL, &h->available_count, NULL);
            vpx_mset_destroy(counted);
            vpx_query_destroy(one);
        }
    }

done:
    for (size_t i = 0; rows && i < n_rows; i++)
        json_decref(rows[i].doc);
    free(rows);
    vpx_mset_destroy(ms);
    vpx_query_destroy(q);
    vpx_query_destroy(any);
    for (size_t i = 0; terms && i < n_keys; i++)
        vpx_query_destroy(terms[i]);
    free(terms);
    free(own);
    return st;
}

/* The proposition the words of q point to: a word of q equal to a word
 * (4+ letters) of its name or a local name scores 2, a word of q that
 * starts with one scores 1; the best score wins, the vocabulary's order
 * breaks ties. Words after NOT or '-' do not count. */
static vp_status proposition_for(const vp_vocabulary *voc, const char *q, const char **out)
{
    *out = NULL;
    char *fq = vp_text_fold(q, 0);
    if (!fq)
        return VP_ERR_NOMEM;
    char *qwords[64];
    size_t nq = 0;
    int negate = 0;
    for (char *w = strtok(fq, " \t\"()+:&'/"); w && nq < 64; w = strtok(NULL, " \t\"()+:&'/")) {
        if (strcmp(w, "NOT") == 0) {
            negate = 1;
            continue;
        }
        if (negate || w[0] == '-') {
            negate = 0;
            continue;
        }
        for (char *c = w; *c; c++)
            if (*c >= 'A' && *c <= 'Z')
                *c = (char)(*c - 'A' + 'a');
        qwords[nq++] = w;
    }
    const char *best = NULL;
    int best_score = 0;
    for (size_t i = 0; i < vp_vocabulary_count(voc); i++) {
        const vp_proposition *pr = vp_vocabulary_at(voc, i);
        int score = 0;
        for (size_t a = 0; a == 0 || pr->aliases[a - 1]; a++) {
            char *fp = vp_text_fold(a == 0 ? pr->name : pr->aliases[a - 1], 1);
            if (!fp) {
                free(fq);
                return VP_ERR_NOMEM;
            }
            char *save = NULL;
            for (char *w = strtok_r(fp, " -&'/", &save); w; w = strtok_r(NULL, " -&'/", &save)) {
                if (strlen(w) < 4)
                    continue;
                for (size_t k = 0; k < nq; k++) {
                    if (strcmp(qwords[k], w) == 0 && score < 2)
                        score = 2;
                    else if (strncmp(qwords[k], w, strlen(w)) == 0 && score < 1)
                        score = 1;
                }
            }
            free(fp);
        }
        if (score > best_score) {
            best_score = score;
            best = pr->id;
        }
    }
    free(fq);
    *out = best;
    return VP_OK;
}

vp_status vp_search_filter_query(vp_index *idx, const vp_search_request *req, vpx_query **out,
                                 vp_error *err)
{
    plan p;
    *out = NULL;
    vp_status st = plan_build(idx, req, NULL, 0, &p, err);
    if (st == VP_OK) {
        vpx_query *parts[VP_FIELD_COUNT + 4];
        size_t n = 0;
        for (int f = 0; f < VP_FIELD_COUNT; f++)
            if (p.filters[f])
                parts[n++] = p.filters[f];
        if (p.dates)
            parts[n++] = p.dates;
        if (p.upcoming)
            parts[n++] = p.upcoming;
        if (p.near)
            parts[n++] = p.near;
        if (p.free_only)
            parts[n++] = p.free_only;
        if (n)
            st = vpx_query_combine(VPX_OP_AND, parts, n, out, err);
    }
    plan_free(&p);
    return st;
}

/* ---- place, day and age words ----
 *
 * understand.c takes them out of q; every plan of the search is built on
 * the words left (u->rest, or q as typed) with their boost. */

typedef struct understanding {
    char *rest;                          /* malloc()ed, or NULL: q as typed */
    vp_understood items[VP_UNDERSTOOD_MAX];
    size_t n;
} understanding;

static vp_status plan_understood(vp_index *idx, const vp_search_request *req, const char *q,
                                 int any_words, const understanding *u, plan *p, vp_error *err)
{
    const vp_ranking *rk = req->ranking ? req->ranking : &vp_ranking_default;
    vp_status st = plan_build(idx, req, q, any_words, p, err);
    vpx_query *each[VP_UNDERSTOOD_MAX] = {0};
    char term[128];
    for (size_t i = 0; st == VP_OK && i < u->n && rk->understood > 0; i++) {
        const vp_understood *it = &u->items[i];
        vpx_query *match = NULL;
        if (it->near) {
            st = understood_near(it, rk->understood, rk->nearby_half_km, &each[i], err);
            continue;
        }
        if (it->kind == VP_UNDERSTOOD_DATE) {
            st = date_filter(it->from_day, it->to_day, &match, err);
        } else {
            snprintf(term, sizeof term, "%s%s",
                     vp_field_prefix[it->kind == VP_UNDERSTOOD_PLACE ? VP_FIELD_MUNICIPALITY
                                                                      : VP_FIELD_AUDIENCE],
                     it->value);
            st = vpx_query_term(term, &match, err);
        }
        if (st == VP_OK)
            st = boost(match, rk->understood, &each[i], err);
        st = st == VP_OK ? understood_branch(it, rk->understood, &each[i], err) : st;
        vpx_query_destroy(match);
    }
    if (st == VP_OK && u->n && rk->understood > 0)
        st = vpx_query_combine(VPX_OP_OR, each, u->n, &p->understood, err);
    for (size_t i = 0; i < u->n; i++)
        vpx_query_destroy(each[i]);
    return st;
}

/* ---- the words left out ----
 *
 * When only some of the words matched, the resident is told which ones no
 * offering has (within the filters): each plain word of q, searched alone
 * with the same rewriting and filters, that finds nothing. Operators, stop
 * words, field:value and excluded (-word) words are not asked about. */

#define MISSING_MAX_WORDS 16

static int is_plain_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (unsigned char)c >= 0x80;
}

static int is_query_operator(const char *w)
{
    static const char *const ops[] = {"AND", "OR", "NOT", "XOR", "NEAR", "ADJ", NULL};
    for (size_t i = 0; ops[i]; i++)
        if (strcmp(w, ops[i]) == 0)
            return 1;
    return 0;
}

static void free_words(char **list)
{
    for (size_t i = 0; list && list[i]; i++)
        free(list[i]);
    free(list);
}

static vp_status missing_words_of(vp_index *idx, const vp_search_request *req,
                                  const plan *filters, const char *q, char ***out)
{
    *out = NULL;
    char *cut = vp_text_cut(q ? q : "", VP_SEARCH_MAX_QUERY);
    char *folded = cut ? vp_text_fold(cut, 0) : NULL;
    free(cut);
    char **list = calloc(MISSING_MAX_WORDS + 1, sizeof *list);
    if (!folded || !list) {
        free(folded);
        free(list);
        return VP_ERR_NOMEM;
    }
    const vp_lexicon *lex = vp_index_lexicon(idx);
    vpx_db *db = vp_index_db(idx);
    size_t n = 0, asked = 0;
    vp_status st = VP_OK;
    for (char *p = folded; *p && st == VP_OK && asked < MISSING_MAX_WORDS;) {
        if (!is_plain_char(*p)) {
            p++;
            continue;
        }
        char *b = p;
        while (is_plain_char(*p))
            p++;
        char *e = p;
        char saved = *e;
        *e = '\0';
        int skip = (b > folded && strchr(":-", b[-1])) || saved == ':' || saved == '*' ||
                   e - b < 2 || is_query_operator(b);
        for (char *c = b; *c; c++)
            if (*c >= 'A' && *c <= 'Z')
                *c = (char)(*c - 'A' + 'a');
        if (!skip && !(lex && vp_lexicon_only_stopwords(lex, b))) {
            /* The word alone within the same filters: is there any? */
            plan wp = *filters;
            int fallback = 0;
            uint64_t t = 0;
            asked++;
            wp.text = NULL;
            st = text_query(idx, b, !(req->without & VP_WITHOUT_REWRITE), 0, &wp.text, &fallback,
                            NULL);
            if (st == VP_OK)
                st = count_matches(db, &wp, 0, 1, 0, &t, NULL);
            vpx_query_destroy(wp.text);
            if (st == VP_OK && t == 0 && !(list[n++] = strdup(b)))
                st = VP_ERR_NOMEM;
        }
        *e = saved;
    }
    free(folded);
    if (st != VP_OK || n == 0) {
        free_words(list);
        return st;
    }
    *out = list;
    return VP_OK;
}

const vp_ranking vp_ranking_default = {
    .prefer_library = 5.0,
    .upcoming = 0.5,
    .upcoming_days = 14,
    .nearby = 5.0,
    .nearby_half_km = 10.0,
    .type_intent = 12.0,
    .popularity = 2.0,
    .understood = 8.0,
    .title_phrase = 3.0,
};

vp_status vp_search_execute(vp_index *idx, const vp_search_request *req, vp_search_result **out,
                            vp_error *err)
{
    vp_status st = vp_search_request_check(req, err);
    if (st != VP_OK)
        return st;
    vpx_db *db = vp_index_db(idx);
    plan p;
    memset(&p, 0, sizeof p);
    vp_search_result *res = calloc(1, sizeof *res);
    uint64_t doccount = 0;
    if (!res)
        return VP_ERR_NOMEM;
    res->relaxed = -1;

    understanding und = {NULL, {{0}}, 0};
    st = vpx_db_reopen(db, err);
    if (st == VP_OK)
        st = vpx_db_stats(db, NULL, &doccount, err);
    if (st == VP_OK && !(req->without & VP_WITHOUT_REWRITE))
        st = understand_query(idx, req->q, req->without,
                              vp_nl_day(req->now ? req->now : (int64_t)time(NULL)),
                              &und.rest, und.items, &und.n);
    /* The words to match: q without the place, day and age words. */
    const char *words = und.rest ? und.rest : req->q;
    if (st == VP_OK)
        st = plan_understood(idx, req, words, 0, &und, &p, err);
    if (st == VP_OK)
        st = search_once(idx, req, &p, doccount, res, err);

    /* Spelling: nothing found, or clearly more found when spelled better. */
    int has_words = req->q && req->q[strspn(req->q, " \t\r\n")];
    if (st == VP_OK && has_words && res->total < 3 && !p.fallback &&
        !(req->without & VP_WITHOUT_SPELLING)) {
        /* Best effort, but not under memory shortage: the answer would
         * silently lack its correction. */
        char *corrected = NULL;
        vp_status sst = spelling_of(idx, words, &corrected);
        plan cp;
        memset(&cp, 0, sizeof cp);
        if (sst == VP_OK && corrected)
            sst = plan_understood(idx, req, corrected, 0, &und, &cp, NULL);
        uint64_t better = 0;
        if (sst == VP_OK && corrected)
            sst = count_matches(db, &cp, 0, 2 * res->total + 1, 1, &better, NULL);
        /* Said as the whole query, place, day and age words included:
         * they are words the index knows, so they stay as typed. */
        char *whole = NULL;
        if (sst == VP_OK && corrected && und.rest)
            sst = spelling_of(idx, req->q, &whole);
        if (whole) {
            free(corrected);
            corrected = whole;
        }
        if (sst == VP_ERR_NOMEM)
            st = sst;
        else if (sst == VP_OK && corrected && res->total == 0 && better > 0) {
            clear_hits(res);
            st = search_once(idx, req, &cp, doccount, res, err);
            res->corrected_query = corrected;
            corrected = NULL;
        } else if (sst == VP_OK && corrected && better > 2 * res->total) {
            res->did_you_mean = corrected;
            corrected = NULL;
        }
        plan_free(&cp);
        free(corrected);
    }

    /* Few results with every word: offer those with some of the words,
     * most words first (BM25 ranks them so), and say so. */
    if (st == VP_OK && has_words && res->total < 3 && !p.fallback && !res->corrected_query &&
        !res->did_you_mean && !(req->without & VP_WITHOUT_ANY_WORDS)) {
        plan op;
        memset(&op, 0, sizeof op);
        vp_search_result *wider = calloc(1, sizeof *wider);
        /* One run of the wider query, kept only if it finds more; as
         * above, running out of memory fails the search. */
        vp_status wst = wider ? plan_understood(idx, req, words, 1, &und, &op, NULL) : VP_ERR_NOMEM;
        if (wst == VP_OK)
            wst = search_once(idx, req, &op, doccount, wider, NULL);
        if (wst == VP_ERR_NOMEM)
            st = wst;
        else if (wst == VP_OK && wider->total > res->total) {
            clear_hits(res);
            res->hits = wider->hits;
            res->n_hits = wider->n_hits;
            memcpy(res->facets, wider->facets, sizeof res->facets);
            memcpy(res->n_facets, wider->n_facets, sizeof res->n_facets);
            res->total = wider->total;
            res->total_offerings = wider->total_offerings;
            res->total_exact = wider->total_exact;
            res->any_words = 1;
            st = missing_words_of(idx, req, &p, words, &res->missing_words);
            wider->hits = NULL;
            wider->n_hits = 0;
            memset(wider->facets, 0, sizeof wider->facets);
            memset(wider->n_facets, 0, sizeof wider->n_facets);
        }
        vp_search_result_destroy(wider);
        plan_free(&op);
    }

    /* Zero results are never a dead end: which filter to drop, which
     * proposition the words point to. */
    if (st == VP_OK && res->total == 0) {
        plan *use = &p;
        for (int f = 0; st == VP_OK && f < VP_RELAX_FREE + 1; f++) {
            int active = f < VP_FIELD_COUNT ? use->filters[f] != NULL
                         : f == VP_RELAX_DATES ? use->dates != NULL
                         : f == VP_RELAX_NEAR  ? use->near != NULL
                                               : use->free_only != NULL;
            if (!active)
                continue;
            /* Counted to the last work, as the search without the filter
             * would count it: an estimate here overstated it. */
            uint64_t t = 0;
            st = count_matches(db, use, 1u << f, doccount, 1, &t, err);
            if (st == VP_OK && t > res->relaxed_total) {
                res->relaxed_total = t;
                res->relaxed = f;
            }
        }
        if (st == VP_OK && has_words)
            st = proposition_for(vp_index_vocabulary(idx), req->q, &res->suggested_proposition);
    }
    /* Every plan hides the same past offerings: p's filter serves for all. */
    if (st == VP_OK && req->list_available && res->n_hits)
        st = list_available(db, &p, doccount, res, err);
    plan_free(&p);
    if (st == VP_OK) {
        memcpy(res->understood, und.items, sizeof res->understood);
        res->n_understood = und.n;
    }
    free(und.rest);
    /* Answered from fewer shards than the index has: say which are missing. */
    size_t down = 0;
    if (st == VP_OK && vpx_db_shards(db, &down, NULL) && down)
        vpx_db_shards(db, &down, &res->missing_shards);
    if (st == VP_OK)
        *out = res;
    else
        vp_search_result_destroy(res);
    return st;
}

void vp_search_result_destroy(vp_search_result *res)
{
    if (!res)
        return;
    clear_hits(res);
    for (size_t i = 0; res->missing_shards && res->missing_shards[i]; i++)
        free(res->missing_shards[i]);
    free(res->missing_shards);
    free_words(res->missing_words);
    free(res->corrected_query);
    free(res->did_you_mean);
    free(res);
}
