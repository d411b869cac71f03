/* suggest.c - completions (see suggest.h).
 *
 * A completion term is PFX_SUGGEST + folded key + '\x1f' + kind letter +
 * the text as shown, so one scan of the key prefix finds every kind. Long
 * prefixes are answered by scanning their terms; the two- and
 * three-character prefixes, which match too many terms to rank on every
 * keystroke, are ranked once per index revision and kept per handle.
 * Lookups in those caches are counted process-wide for /metrics. */
#include "vindplaats/suggest.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"
#include "vindplaats/analysis.h"
#include "vindplaats/buf.h"
#include "xapian_c.h"

#define SCAN_LONG 20000      /* terms read for a prefix of 4+ characters */
#define SCAN_SHORT 1000000   /* terms read to rank a short prefix once */
#define CACHE_SLOTS 4096
#define CACHED_PREFIX 3

static const char kind_letters[VP_SUGGEST_KIND_COUNT] = {'p', 't', 's', 'c'};
static const char *const kind_names[VP_SUGGEST_KIND_COUNT] = {"proposition", "title", "subject",
                                                              "creator"};

const char *vp_suggest_kind_name(vp_suggest_kind k)
{
    return (unsigned)k < VP_SUGGEST_KIND_COUNT ? kind_names[k] : "unknown";
}

typedef struct candidate {
    char *key;       /* folded, points into the term */
    char *text;
    vp_suggest_kind kind;
    uint64_t count;
    uint64_t best;   /* count of the variant whose text is kept */
    char *same;      /* the key without punctuation and plural endings */
    double score;    /* count weighed by kind */
} candidate;

/* How much one offering's use of a completion counts, by kind: a
 * proposition or local name is what most residents look for, a subject
 * word the least ("taal" offers Taalcafé before "taalontwikkeling"). */
static const double kind_weight[VP_SUGGEST_KIND_COUNT] = {2.0, 1.0, 0.5, 1.0};

typedef struct cache_entry {
    char prefix[CACHED_PREFIX * 4 + 1];
    uint64_t revision;
    vp_suggestion items[VP_SUGGEST_MAX_LIMIT];
    size_t n;
    int used;
} cache_entry;

struct vp_suggest_cache {
    cache_entry slots[CACHE_SLOTS];
};

/* Lookups in the caches of every handle (each worker thread has its own):
 * only prefixes of two or three characters are looked up. A hit is a
 * slot holding this prefix ranked at the revision being read, answered
 * without a scan; a miss is anything that has it ranked again (slot empty,
 * holding another prefix or an older revision, or no cache for want of
 * memory). Global, unlike the rest of the state: the caches are per
 * handle and /metrics (on any worker) reports the sum over all of them. */
static _Atomic uint64_t cache_hits, cache_misses;

void vp_suggest_cache_counts(uint64_t *hits, uint64_t *misses)
{
    if (hits)
        *hits = atomic_load_explicit(&cache_hits, memory_order_relaxed);
    if (misses)
        *misses = atomic_load_explicit(&cache_misses, memory_order_relaxed);
}

void vp_suggest_cache_destroy(vp_suggest_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < CACHE_SLOTS; i++)
        for (size_t k = 0; k < c->slots[i].n; k++)
            free(c->slots[i].items[k].text);
    free(c);
}

/* `key` as one completion whatever its form: the words' letters and
 * digits, each without a plural or diminutive ending ("e-books", "E-book"
 * and "ebook" are one; "thrillers" is "thriller"). Written into `out`
 * (strlen(key)+1 bytes). */
static void same_key(const char *key, char *out)
{
    static const char *const endings[] = {"tjes", "jes", "en", "s", NULL};
    size_t n = 0;
    for (const char *p = key; *p;) {
        size_t w = n;
        while ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || (unsigned char)*p >= 0x80)
            out[n++] = *p++;
        for (size_t i = 0; n > w && endings[i]; i++) {
            size_t e = strlen(endings[i]);
            if (n - w > e + 3 && memcmp(out + n - e, endings[i], e) == 0) {
                /* -tjes and -jes keep their -je: the singular diminutive. */
                n -= endings[i][0] == 't' || endings[i][0] == 'j' ? 1 : e;
                break;
            }
        }
        while (*p && !((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
                       (unsigned char)*p >= 0x80))
            p++;
    }
    out[n] = '\0';
}

static int cmp_same(const void *a, const void *b)
{
    const candidate *x = a, *y = b;
    int c = strcmp(x->same, y->same);
    if (c)
        return c;
    if (x->kind != y->kind)
        return (int)x->kind - (int)y->kind;
    return x->count < y->count ? 1 : x->count > y->count ? -1 : 0;
}

static int cmp_candidate(const void *a, const void *b)
{
    const candidate *x = a, *y = b;
    /* A proposition or local name first, however used: "taal" offers
     * Taalpunt and Taalmaatje before the subject taalontwikkeling. */
    int xp = x->kind == VP_SUGGEST_PROPOSITION, yp = y->kind == VP_SUGGEST_PROPOSITION;
    if (xp != yp)
        return xp ? -1 : 1;
    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    if (x->kind != y->kind)
        return (int)x->kind - (int)y->kind;
    return strcmp(x->key, y->key);
}

void vp_suggestions_free(vp_suggestion *s, size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        free(s[i].text);
    free(s);
}

/* Reads the terms of `folded`, merges variants, ranks, keeps `limit`. */
static vp_status rank(vpx_db *db, const char *folded, size_t scan, unsigned limit,
                      vp_suggestion *out, size_t *n_out, vp_error *err)
{
    vp_buf prefix;
    vp_buf_init(&prefix, 512);
    char **terms = NULL;
    uint64_t *freqs = NULL;
    size_t n = 0;
    vp_status st = vp_buf_printf(&prefix, "%s%s", PFX_SUGGEST, folded);
    if (st == VP_OK)
        st = vpx_db_prefix_terms(db, prefix.data, scan, &terms, &freqs, &n, err);
    vp_buf_free(&prefix);
    if (st != VP_OK)
        return st;
    candidate *c = calloc(n + 1, sizeof *c);
    size_t k = 0;
    if (!c)
        st = VP_ERR_NOMEM;
    size_t skip = strlen(PFX_SUGGEST);
    for (size_t i = 0; st == VP_OK && i < n; i++) {
        char *key = terms[i] + skip;
        char *sep = strchr(key, '\x1f');
        if (!sep || !sep[1])
            continue;
        *sep = '\0';
        vp_suggest_kind kind = VP_SUGGEST_TITLE;
        for (int kk = 0; kk < VP_SUGGEST_KIND_COUNT; kk++)
            if (sep[1] == kind_letters[kk])
                kind = (vp_suggest_kind)kk;
        /* Terms come sorted, so variants of one key and kind are neighbours. */
        if (k > 0 && c[k - 1].kind == kind && strcmp(c[k - 1].key, key) == 0) {
            c[k - 1].count += freqs[i];
            if (freqs[i] > c[k - 1].best) {
                c[k - 1].best = freqs[i];
                c[k - 1].text = sep + 2;
            }
            continue;
        }
        c[k].key = key;
        c[k].text = sep + 2;
        c[k].kind = kind;
        c[k].count = freqs[i];
        c[k].best = freqs[i];
        k++;
    }
    /* One completion per form: the variants of a word (plural, hyphen,
     * case, kind) are one, shown as its best kind's most used text and
     * counted together. */
    size_t bytes = 0;
    for (size_t i = 0; i < k; i++)
        bytes += strlen(c[i].key) + 1;
    char *same = st == VP_OK ? malloc(bytes + 1) : NULL;
    if (st == VP_OK && !same)
        st = VP_ERR_NOMEM;
    if (st == VP_OK) {
        char *o = same;
        for (size_t i = 0; i < k; i++) {
            c[i].same = o;
            same_key(c[i].key, o);
            o += strlen(o) + 1;
        }
        qsort(c, k, sizeof *c, cmp_same);
        size_t m = 0;
        for (size_t i = 0; i < k; i++) {
            if (m > 0 && strcmp(c[m - 1].same, c[i].same) == 0) {
                c[m - 1].count += c[i].count;
                c[m - 1].score += c[i].count * kind_weight[c[i].kind];
                continue;
            }
            c[m] = c[i];
            c[m].score = c[i].count * kind_weight[c[i].kind];
            m++;
        }
        k = m;
    }
    if (st == VP_OK) {
        qsort(c, k, sizeof *c, cmp_candidate);
        size_t m = k < limit ? k : limit;
        for (size_t i = 0; i < m; i++) {
            out[i].text = strdup(c[i].text);
            out[i].kind = c[i].kind;
            out[i].count = c[i].count;
            if (!out[i].text) {
                for (size_t j = 0; j < i; j++)
                    free(out[j].text);
                st = VP_ERR_NOMEM;
                m = 0;
                break;
            }
        }
        *n_out = m;
    }
    free(same);
    free(c);
    for (size_t i = 0; i < n; i++)
        free(terms[i]);
    free(terms);
    free(freqs);
    return st;
}

static size_t slot_of(const char *prefix)
{
    size_t h = 5381;
    for (const char *p = prefix; *p; p++)
        h = h * 33 + (unsigned char)*p;
    return h % CACHE_SLOTS;
}

vp_status vp_suggest(vp_index *idx, const char *prefix, unsigned limit, vp_suggestion **out,
                     size_t *n, vp_error *err)
{
    if (limit < 1 || limit > VP_SUGGEST_MAX_LIMIT)
        return vp_error_set(err, VP_ERR_INVALID, &(vp_where){.parameter = "limit"},
                            "limit: must be from 1 to %d", VP_SUGGEST_MAX_LIMIT);
    char *cut = vp_text_cut(prefix ? prefix : "", VP_SUGGEST_MAX_PREFIX);
    char *folded = cut ? vp_text_fold(cut, 1) : NULL;
    free(cut);
    if (!folded)
        return VP_ERR_NOMEM;
    /* Leading and trailing blanks do not count; inner ones do ("klik en"). */
    char *start = folded + strspn(folded, " \t");
    size_t len = strlen(start);
    while (len > 0 && (start[len - 1] == ' ' || start[len - 1] == '\t'))
        len--;
    size_t chars = 0;
    for (size_t i = 0; i < len; i++)
        chars += ((unsigned char)start[i] & 0xC0) != 0x80;
    if (chars < VP_SUGGEST_MIN_PREFIX) {
        free(folded);
        return vp_error_set(err, VP_ERR_INVALID, &(vp_where){.parameter = "q"},
                            "q: type at least %d characters", VP_SUGGEST_MIN_PREFIX);
    }
    vpx_db *db = vp_index_db(idx);
    uint64_t revision = 0;
    vp_status st = vpx_db_reopen(db, err);
    if (st == VP_OK)
        st = vpx_db_stats(db, &revision, NULL, err);
    vp_suggestion *res = calloc(VP_SUGGEST_MAX_LIMIT + 1, sizeof *res);
    size_t got = 0;
    if (st == VP_OK && !res)
        st = VP_ERR_NOMEM;
    if (st == VP_OK && chars <= CACHED_PREFIX) {
        vp_suggest_cache **cp = vp_index_suggest_cache(idx);
        if (!*cp)
            *cp = calloc(1, sizeof **cp);
        cache_entry *e = *cp ? &(*cp)->slots[slot_of(start)] : NULL;
        int hit = e && e->used && e->revision == revision && strcmp(e->prefix, start) == 0;
        atomic_fetch_add_explicit(hit ? &cache_hits : &cache_misses, 1, memory_order_relaxed);
        if (e && !hit) {
            for (size_t i = 0; i < e->n; i++)
                free(e->items[i].text);
            e->n = 0;
            e->used = 0;
            st = rank(db, start, SCAN_SHORT, VP_SUGGEST_MAX_LIMIT, e->items, &e->n, err);
            if (st == VP_OK) {
                snprintf(e->prefix, sizeof e->prefix, "%s", start);
                e->revision = revision;
                e->used = 1;
            }
        }
        for (size_t i = 0; st == VP_OK && e && i < e->n && got < limit; i++) {
            res[got].text = strdup(e->items[i].text);
            res[got].kind = e->items[i].kind;
            res[got].count = e->items[i].count;
            if (!res[got].text)
                st = VP_ERR_NOMEM;
            else
                got++;
        }
        if (st == VP_OK && !e)
            st = rank(db, start, SCAN_LONG, limit, res, &got, err);
    } else if (st == VP_OK) {
        st = rank(db, start, SCAN_LONG, limit, res, &got, err);
    }
    free(folded);
    if (st != VP_OK) {
        vp_suggestions_free(res, got);
        return st;
    }
    *out = res;
    *n = got;
    return VP_OK;
}
