/* suggest.c - completions (see suggest.h).
 *
 * A completion term is PFX_SUGGEST + folded key + '\x1f' + kind letter +
 * the text as shown, so one scan of the key prefix finds every kind.
 *
 * Reading and ranking those terms on every keystroke is too slow (a
 * two-character prefix matches a tenth of them), so each index version
 * read gets one table, built by the first suggestion asked at it and
 * shared by every handle of the process: the completion terms merged into
 * completions (one per key and kind, with its most used text), sorted as
 * the terms are, each with the id of its form (same_key) so that a prefix's
 * completions are merged without sorting strings, and every prefix of two
 * and three characters ranked in advance. A longer prefix is ranked from
 * the completions under it (a binary search and one pass). The answers are
 * the ones a scan of the term list gives, by construction: the same
 * merging, the same order, the same bound on the terms read (a prefix with
 * more terms than SCAN_LONG or SCAN_SHORT is answered by the scan itself).
 * A handle keeps a reference to the table of the version it reads and
 * reads it without a lock; a new version (a commit, a switched index)
 * gets a new table, the old one is freed when its last handle leaves it.
 * Lookups of short prefixes are counted process-wide for /metrics. */
#include "vindplaats/suggest.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "schema.h"
#include "vindplaats/analysis.h"
#include "vindplaats/buf.h"
#include "xapian_c.h"

#define SCAN_LONG 20000      /* terms read for a prefix of 4+ characters */
#define SCAN_SHORT 1000000   /* terms read for a prefix of 2 or 3 characters */
#define TABLE_PREFIX 3       /* prefixes ranked when a table is built: 2..3 characters */
#define TABLE_MAX_BYTES ((size_t)256 << 20) /* a bigger index is answered by the scan */
#define REGISTRY_SLOTS 8     /* tables kept for versions no handle reads (yet) */

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

/* One completion of the table: the terms of one key and kind. */
typedef struct unit {
    uint32_t key;   /* offset of the folded key in the table's strings */
    uint32_t text;  /* offset of its most used text */
    uint32_t same;  /* id of same_key(key): equal ids are one completion */
    uint32_t term;  /* position of its first term among the completion terms */
    uint64_t count; /* the terms' frequencies added */
    uint8_t kind;
} unit;

/* A prefix of two or three characters, ranked when the table is built. */
typedef struct short_entry {
    uint32_t lo, hi;   /* the units whose keys start with it */
    uint32_t first, n; /* its completions: items[first .. first + n) */
} short_entry;

typedef struct item {
    uint32_t text; /* offset in the table's strings */
    uint8_t kind;
    uint64_t count;
} item;

enum { TABLE_BUILDING, TABLE_READY, TABLE_NONE };

/* What every handle reading one index version shares; immutable once
 * READY (the lock of the registry hands it over). */
typedef struct suggest_table {
    atomic_size_t refs;
    uint64_t identity, exact; /* the vp_index_version it was built from */
    int state;                /* TABLE_*: NONE answers by scanning the terms */
    int keep;                 /* NONE for good (too big), not to be built again */
    char *strings;
    size_t strings_len, strings_cap;
    unit *units;
    size_t n_units, units_cap;
    uint64_t n_terms;
    short_entry *entries; /* sorted by lo, then hi */
    size_t n_entries, entries_cap;
    item *items;
    size_t n_items, items_cap;
    double build_ms;
} suggest_table;

/* A handle's hold on the table of the version it reads. */
struct vp_suggest_cache {
    suggest_table *table;
    int scan; /* vp_suggest_set_table(idx, 0): every answer from the terms */
};

/* Lookups of two- and three-character prefixes by every handle: a hit
 * finds the table of the version the handle reads already built (by any
 * handle); a miss is a request that built it, waited for it, or found none
 * (the index too big for one, or a writer's handle) and scanned the terms.
 * Global, like the tables; /metrics (on any worker) reports them. */
static _Atomic uint64_t cache_hits, cache_misses;

void vp_suggest_cache_counts(uint64_t *hits, uint64_t *misses)
{
    if (hits)
        *hits = atomic_load_explicit(&cache_hits, memory_order_relaxed);
    if (misses)
        *misses = atomic_load_explicit(&cache_misses, memory_order_relaxed);
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

/* ---- the table of one index version ---- */

static void table_free(suggest_table *t)
{
    if (!t)
        return;
    free(t->strings);
    free(t->units);
    free(t->entries);
    free(t->items);
    free(t);
}

static void table_release(suggest_table *t)
{
    if (t && atomic_fetch_sub_explicit(&t->refs, 1, memory_order_acq_rel) == 1)
        table_free(t);
}

/* Grows *p (of *cap elements of `size`) to hold `need`; 0 when out of
 * memory or past TABLE_MAX_BYTES. */
static int grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 1;
    size_t n = *cap ? *cap : 1024;
    while (n < need)
        n *= 2;
    if (n > TABLE_MAX_BYTES / size)
        return 0;
    void *q = realloc(*p, n * size);
    if (!q)
        return 0;
    *p = q;
    *cap = n;
    return 1;
}

/* Appends `len` bytes of `s` and a NUL; its offset in *off. */
static int add_string(suggest_table *t, const char *s, size_t len, uint32_t *off)
{
    if (t->strings_len + len + 1 > UINT32_MAX ||
        !grow((void **)&t->strings, &t->strings_cap, t->strings_len + len + 1, 1))
        return 0;
    memcpy(t->strings + t->strings_len, s, len);
    t->strings[t->strings_len + len] = '\0';
    *off = (uint32_t)t->strings_len;
    t->strings_len += len + 1;
    return 1;
}

static const char *unit_key(const suggest_table *t, size_t i)
{
    return t->strings + t->units[i].key;
}

/* Position of the first term after the units before `i`. */
static uint64_t term_of(const suggest_table *t, size_t i)
{
    return i < t->n_units ? t->units[i].term : t->n_terms;
}

/* The units whose keys start with the `len` bytes of `p`: [*lo, *hi).
 * Units are in the terms' order, which is their keys' (no key holds a byte
 * below the separator). */
static void table_range(const suggest_table *t, const char *p, size_t len, size_t *lo, size_t *hi)
{
    size_t a = 0, b = t->n_units;
    while (a < b) {
        size_t m = a + (b - a) / 2;
        if (strncmp(unit_key(t, m), p, len) < 0)
            a = m + 1;
        else
            b = m;
    }
    *lo = a;
    b = t->n_units;
    while (a < b) {
        size_t m = a + (b - a) / 2;
        if (strncmp(unit_key(t, m), p, len) <= 0)
            a = m + 1;
        else
            b = m;
    }
    *hi = a;
}

typedef struct group {
    uint32_t rep;  /* the unit whose text and kind it shows */
    uint32_t same;
    uint64_t count;
    double score;
} group;

/* Does `a` rank before `b`? cmp_candidate's order. */
static int ranks_before(const suggest_table *t, const group *a, const group *b)
{
    const unit *x = &t->units[a->rep], *y = &t->units[b->rep];
    int xp = x->kind == VP_SUGGEST_PROPOSITION, yp = y->kind == VP_SUGGEST_PROPOSITION;
    if (xp != yp)
        return xp;
    if (a->score != b->score)
        return a->score > b->score;
    if (a->count != b->count)
        return a->count > b->count;
    if (x->kind != y->kind)
        return x->kind < y->kind;
    return strcmp(t->strings + x->key, t->strings + y->key) < 0;
}

/* rank() over the units [lo, hi) of the table: the same completions in the
 * same order. Variants of one form are merged as cmp_same sorts them (its
 * sort is stable): the first of the lowest kind and highest count shows. */
static vp_status table_rank(const suggest_table *t, size_t lo, size_t hi, unsigned limit,
                            item *out, size_t *n_out)
{
    size_t r = hi - lo, cap = 16;
    *n_out = 0;
    if (r == 0)
        return VP_OK;
    while (cap < 2 * r)
        cap *= 2;
    uint32_t *slot = malloc(cap * sizeof *slot);
    group *g = malloc(r * sizeof *g);
    if (!slot || !g) {
        free(slot);
        free(g);
        return VP_ERR_NOMEM;
    }
    memset(slot, 0xff, cap * sizeof *slot);
    size_t k = 0;
    for (size_t i = lo; i < hi; i++) {
        const unit *u = &t->units[i];
        size_t h = (u->same * (size_t)0x9E3779B1u) & (cap - 1);
        while (slot[h] != UINT32_MAX && g[slot[h]].same != u->same)
            h = (h + 1) & (cap - 1);
        double w = (double)u->count * kind_weight[u->kind];
        if (slot[h] == UINT32_MAX) {
            slot[h] = (uint32_t)k;
            g[k].rep = (uint32_t)i;
            g[k].same = u->same;
            g[k].count = u->count;
            g[k].score = w;
            k++;
            continue;
        }
        group *x = &g[slot[h]];
        const unit *rep = &t->units[x->rep];
        if (u->kind < rep->kind || (u->kind == rep->kind && u->count > rep->count))
            x->rep = (uint32_t)i;
        x->count += u->count;
        x->score += w;
    }
    /* The best `limit`, kept in order by insertion. */
    group best[VP_SUGGEST_MAX_LIMIT];
    size_t m = 0;
    for (size_t i = 0; i < k; i++) {
        if (m == limit && !ranks_before(t, &g[i], &best[m - 1]))
            continue;
        size_t at = m < limit ? m++ : m - 1;
        while (at > 0 && ranks_before(t, &g[i], &best[at - 1])) {
            best[at] = best[at - 1];
            at--;
        }
        best[at] = g[i];
    }
    for (size_t i = 0; i < m; i++) {
        const unit *u = &t->units[best[i].rep];
        out[i].text = u->text;
        out[i].kind = u->kind;
        out[i].count = best[i].count;
    }
    *n_out = m;
    free(slot);
    free(g);
    return VP_OK;
}

/* The completion terms of `db` read into `t`, a chunk at a time (one per
 * first byte of the key) so a big index is never copied whole. Sets
 * t->keep when the index is too big for a table; returns VP_ERR_INVALID
 * for a term this code did not write (the scan answers that index). */
static vp_status table_load(suggest_table *t, vpx_db *db, vp_error *err)
{
    size_t skip = strlen(PFX_SUGGEST);
    uint64_t best = 0;
    vp_status st = VP_OK;
    for (int b = 1; b < 256 && st == VP_OK; b++) {
        char prefix[16];
        snprintf(prefix, sizeof prefix, "%s%c", PFX_SUGGEST, (char)b);
        char **terms = NULL;
        uint64_t *freqs = NULL;
        size_t n = 0;
        st = vpx_db_prefix_terms(db, prefix, SIZE_MAX, &terms, &freqs, &n, err);
        for (size_t i = 0; st == VP_OK && i < n; i++) {
            const char *key = terms[i] + skip, *sep = strchr(key, '\x1f');
            if (!sep || !sep[1]) {
                st = VP_ERR_INVALID;
                break;
            }
            for (const char *p = key; p < sep && st == VP_OK; p++)
                if ((unsigned char)*p < 0x20)
                    st = VP_ERR_INVALID;
            vp_suggest_kind kind = VP_SUGGEST_TITLE;
            for (int kk = 0; kk < VP_SUGGEST_KIND_COUNT; kk++)
                if (sep[1] == kind_letters[kk])
                    kind = (vp_suggest_kind)kk;
            size_t klen = (size_t)(sep - key);
            const char *text = sep + 2;
            unit *last = t->n_units ? &t->units[t->n_units - 1] : NULL;
            if (st == VP_OK && last && last->kind == kind &&
                strlen(t->strings + last->key) == klen &&
                memcmp(t->strings + last->key, key, klen) == 0) {
                last->count += freqs[i];
                if (freqs[i] > best) {
                    best = freqs[i];
                    if (!add_string(t, text, strlen(text), &last->text))
                        st = VP_ERR_TOO_BIG;
                }
            } else if (st == VP_OK) {
                if (t->n_units >= UINT32_MAX - 1 ||
                    !grow((void **)&t->units, &t->units_cap, t->n_units + 1, sizeof *t->units)) {
                    st = VP_ERR_TOO_BIG;
                    break;
                }
                unit *u = &t->units[t->n_units];
                memset(u, 0, sizeof *u);
                if (!add_string(t, key, klen, &u->key) || !add_string(t, text, strlen(text), &u->text)) {
                    st = VP_ERR_TOO_BIG;
                    break;
                }
                u->kind = (uint8_t)kind;
                u->count = freqs[i];
                u->term = (uint32_t)t->n_terms;
                best = freqs[i];
                t->n_units++;
            }
            t->n_terms++;
            if (t->n_terms >= UINT32_MAX)
                st = VP_ERR_TOO_BIG;
        }
        for (size_t i = 0; i < n; i++)
            free(terms[i]);
        free(terms);
        free(freqs);
    }
    /* Neither passes with another try at this version. */
    if (st == VP_ERR_TOO_BIG || st == VP_ERR_INVALID)
        t->keep = 1;
    return st;
}

static const suggest_table *sort_table;
static const char *sort_same;

static int cmp_same_id(const void *a, const void *b)
{
    const uint32_t *x = a, *y = b;
    return strcmp(sort_same + sort_table->units[*x].same, sort_same + sort_table->units[*y].same);
}

/* Gives every unit the id of its form (same_key). */
static vp_status table_same_ids(suggest_table *t)
{
    char *same = malloc(t->strings_len + 1);
    uint32_t *order = malloc((t->n_units + 1) * sizeof *order);
    if (!same || !order) {
        free(same);
        free(order);
        return VP_ERR_NOMEM;
    }
    size_t off = 0;
    for (size_t i = 0; i < t->n_units; i++) {
        same_key(unit_key(t, i), same + off);
        t->units[i].same = (uint32_t)off; /* its offset, until the ids */
        off += strlen(same + off) + 1;
        order[i] = (uint32_t)i;
    }
    /* qsort has no context argument in C11: the build holds the registry's
     * builder lock (build_lock) around these two. */
    sort_table = t;
    sort_same = same;
    qsort(order, t->n_units, sizeof *order, cmp_same_id);
    uint32_t id = 0;
    const char *prev = NULL;
    uint32_t *ids = malloc((t->n_units + 1) * sizeof *ids);
    if (!ids) {
        free(same);
        free(order);
        return VP_ERR_NOMEM;
    }
    for (size_t i = 0; i < t->n_units; i++) {
        const char *s = same + t->units[order[i]].same;
        if (prev && strcmp(prev, s) != 0)
            id++;
        prev = s;
        ids[order[i]] = id;
    }
    for (size_t i = 0; i < t->n_units; i++)
        t->units[i].same = ids[i];
    free(ids);
    free(order);
    free(same);
    return VP_OK;
}

/* Bytes of the first `chars` characters of `s`; 0 when it has fewer. */
static size_t first_chars(const char *s, size_t chars)
{
    size_t seen = 0, i = 0;
    for (; s[i]; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80 && seen++ == chars)
            return i;
    return seen == chars ? i : 0;
}

static int cmp_entry(const void *a, const void *b)
{
    const short_entry *x = a, *y = b;
    if (x->lo != y->lo)
        return x->lo < y->lo ? -1 : 1;
    return x->hi < y->hi ? -1 : x->hi > y->hi;
}

/* Ranks every prefix of two and three characters the keys start with. */
static vp_status table_short(suggest_table *t, vpx_db *db, vp_error *err)
{
    vp_status st = VP_OK;
    for (size_t chars = VP_SUGGEST_MIN_PREFIX; chars <= TABLE_PREFIX && st == VP_OK; chars++) {
        for (size_t i = 0; i < t->n_units && st == VP_OK;) {
            const char *key = unit_key(t, i);
            size_t len = first_chars(key, chars);
            if (len == 0) {
                i++;
                continue;
            }
            size_t lo = i, hi = i + 1;
            while (hi < t->n_units && strncmp(unit_key(t, hi), key, len) == 0 &&
                   first_chars(unit_key(t, hi), chars) == len)
                hi++;
            if (!grow((void **)&t->entries, &t->entries_cap, t->n_entries + 1, sizeof *t->entries) ||
                !grow((void **)&t->items, &t->items_cap, t->n_items + VP_SUGGEST_MAX_LIMIT,
                      sizeof *t->items)) {
                st = VP_ERR_TOO_BIG;
                break;
            }
            short_entry *e = &t->entries[t->n_entries];
            e->lo = (uint32_t)lo;
            e->hi = (uint32_t)hi;
            e->first = (uint32_t)t->n_items;
            size_t got = 0;
            if (term_of(t, hi) - term_of(t, lo) <= SCAN_SHORT) {
                st = table_rank(t, lo, hi, VP_SUGGEST_MAX_LIMIT, t->items + t->n_items, &got);
            } else {
                /* More terms than a scan reads: what the scan answers. */
                char *p = malloc(len + 1);
                if (p) {
                    memcpy(p, key, len);
                    p[len] = '\0';
                }
                vp_suggestion found[VP_SUGGEST_MAX_LIMIT];
                st = p ? rank(db, p, SCAN_SHORT, VP_SUGGEST_MAX_LIMIT, found, &got, err)
                       : VP_ERR_NOMEM;
                for (size_t k = 0; k < got; k++) {
                    item *it = &t->items[t->n_items + k];
                    if (st == VP_OK && !add_string(t, found[k].text, strlen(found[k].text), &it->text))
                        st = VP_ERR_TOO_BIG;
                    it->kind = (uint8_t)found[k].kind;
                    it->count = found[k].count;
                    free(found[k].text);
                }
                free(p);
            }
            e->n = (uint32_t)got;
            t->n_items += got;
            t->n_entries++;
            i = hi;
        }
    }
    if (st == VP_OK)
        qsort(t->entries, t->n_entries, sizeof *t->entries, cmp_entry);
    if (st == VP_ERR_TOO_BIG)
        t->keep = 1;
    return st;
}

/* Builds `t` from `db`, which reads the version t was made for; returns
 * the state it is to have: TABLE_READY, or TABLE_NONE (emptied). */
static int table_build(suggest_table *t, vpx_db *db)
{
    static pthread_mutex_t build_lock = PTHREAD_MUTEX_INITIALIZER;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    vp_error err = VP_ERROR_INIT; /* not reported: the scan will say it again */
    vp_status st = table_load(t, db, &err);
    if (st == VP_OK) {
        pthread_mutex_lock(&build_lock);
        st = table_same_ids(t);
        pthread_mutex_unlock(&build_lock);
    }
    if (st == VP_OK)
        st = table_short(t, db, &err);
    /* A reader that met a newer revision while reading reopened: what it
     * read is not one version's. */
    vp_index_version v;
    if (st == VP_OK && (vpx_db_version(db, &v, &err) != VP_OK || v.exact != t->exact))
        st = VP_ERR_MODIFIED;
    vp_error_clear(&err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    t->build_ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    if (st != VP_OK) {
        /* None: the scan answers (and reports what failed, if it fails). */
        free(t->strings);
        free(t->units);
        free(t->entries);
        free(t->items);
        t->strings = NULL;
        t->units = NULL;
        t->entries = NULL;
        t->items = NULL;
        t->n_units = t->n_entries = t->n_items = 0;
        t->strings_len = t->strings_cap = t->units_cap = t->entries_cap = t->items_cap = 0;
    }
    /* Kept as long as the version is read: no room to grow. */
    void *p;
    if (t->strings && (p = realloc(t->strings, t->strings_len + 1)) != NULL) {
        t->strings = p;
        t->strings_cap = t->strings_len + 1;
    }
    if (t->units && (p = realloc(t->units, (t->n_units + 1) * sizeof *t->units)) != NULL) {
        t->units = p;
        t->units_cap = t->n_units + 1;
    }
    if (t->entries && (p = realloc(t->entries, (t->n_entries + 1) * sizeof *t->entries)) != NULL) {
        t->entries = p;
        t->entries_cap = t->n_entries + 1;
    }
    if (t->items && (p = realloc(t->items, (t->n_items + 1) * sizeof *t->items)) != NULL) {
        t->items = p;
        t->items_cap = t->n_items + 1;
    }
    return st == VP_OK ? TABLE_READY : TABLE_NONE;
}

/* ---- the tables of the process ---- */

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t registry_built = PTHREAD_COND_INITIALIZER;
static suggest_table *registry[REGISTRY_SLOTS];
static uint64_t registry_used[REGISTRY_SLOTS], registry_clock;

/* The table of version `v` with a reference for the caller: found, or
 * built by this call from `db` (which reads v) while others asking for it
 * wait. *ready: it was there already. Never NULL but when out of memory. */
static suggest_table *table_acquire(vpx_db *db, const vp_index_version *v, int *ready)
{
    pthread_mutex_lock(&registry_lock);
    suggest_table *t = NULL;
    size_t at = 0;
    for (;;) {
        t = NULL;
        for (size_t i = 0; i < REGISTRY_SLOTS; i++)
            if (registry[i] && registry[i]->exact == v->exact && registry[i]->identity == v->identity) {
                t = registry[i];
                at = i;
            }
        if (!t || t->state != TABLE_BUILDING)
            break;
        pthread_cond_wait(&registry_built, &registry_lock);
        *ready = 0;
    }
    if (t) {
        atomic_fetch_add_explicit(&t->refs, 1, memory_order_relaxed);
        registry_used[at] = ++registry_clock;
        pthread_mutex_unlock(&registry_lock);
        return t;
    }
    *ready = 0;
    t = calloc(1, sizeof *t);
    if (!t) {
        pthread_mutex_unlock(&registry_lock);
        return NULL;
    }
    t->identity = v->identity;
    t->exact = v->exact;
    t->state = TABLE_BUILDING;
    atomic_init(&t->refs, 1);
    /* A slot: a free one, else one of an older version of this index, else
     * the least recently used; never one being built. */
    size_t slot = REGISTRY_SLOTS;
    for (size_t i = 0; i < REGISTRY_SLOTS && slot == REGISTRY_SLOTS; i++)
        if (!registry[i])
            slot = i;
    for (size_t i = 0; i < REGISTRY_SLOTS && slot == REGISTRY_SLOTS; i++)
        if (registry[i]->identity == v->identity && registry[i]->state != TABLE_BUILDING)
            slot = i;
    for (size_t i = 0; i < REGISTRY_SLOTS && slot == REGISTRY_SLOTS; i++)
        if (registry[i]->state != TABLE_BUILDING) {
            slot = i;
            for (size_t j = i + 1; j < REGISTRY_SLOTS; j++)
                if (registry[j]->state != TABLE_BUILDING && registry_used[j] < registry_used[slot])
                    slot = j;
        }
    if (slot < REGISTRY_SLOTS) {
        table_release(registry[slot]);
        registry[slot] = t;
        registry_used[slot] = ++registry_clock;
        atomic_fetch_add_explicit(&t->refs, 1, memory_order_relaxed);
    }
    pthread_mutex_unlock(&registry_lock);

    int state = table_build(t, db);

    pthread_mutex_lock(&registry_lock);
    t->state = state;
    /* A table that failed for a reason that may pass is built again by
     * the next request. */
    if (t->state == TABLE_NONE && !t->keep && slot < REGISTRY_SLOTS && registry[slot] == t) {
        registry[slot] = NULL;
        atomic_fetch_sub_explicit(&t->refs, 1, memory_order_relaxed);
    }
    pthread_cond_broadcast(&registry_built);
    pthread_mutex_unlock(&registry_lock);
    return t;
}

void vp_suggest_cache_destroy(vp_suggest_cache *c)
{
    if (!c)
        return;
    table_release(c->table);
    free(c);
}

static vp_suggest_cache *handle_cache(vp_index *idx)
{
    vp_suggest_cache **cp = vp_index_suggest_cache(idx);
    if (!*cp)
        *cp = calloc(1, sizeof **cp);
    return *cp;
}

void vp_suggest_set_table(vp_index *idx, int on)
{
    vp_suggest_cache *c = handle_cache(idx);
    if (c)
        c->scan = !on;
}

vp_status vp_suggest_table_info(vp_index *idx, vp_suggest_table_stats *out)
{
    vp_suggest_cache *c = *vp_index_suggest_cache(idx);
    const suggest_table *t = c ? c->table : NULL;
    if (!t || t->state != TABLE_READY)
        return VP_ERR_NOT_FOUND;
    out->terms = t->n_terms;
    out->completions = t->n_units;
    out->prefixes = t->n_entries;
    out->bytes = sizeof *t + t->strings_cap + t->units_cap * sizeof *t->units +
                 t->entries_cap * sizeof *t->entries + t->items_cap * sizeof *t->items;
    out->build_ms = t->build_ms;
    return VP_OK;
}

/* The table of `v`, the version `idx` reads, for that handle: the one it
 * holds, or found or built (*ready 0 when it was not there yet); NULL when
 * it has none (a writer's handle reads what it has not committed yet: the
 * terms). */
static const suggest_table *handle_table(vp_index *idx, vpx_db *db, const vp_index_version *v,
                                         int *ready)
{
    vp_suggest_cache *c = !vp_index_writable(idx) ? handle_cache(idx) : NULL;
    if (!c || c->scan)
        return NULL;
    *ready = 1;
    if (!c->table || c->table->exact != v->exact || c->table->identity != v->identity) {
        table_release(c->table);
        c->table = table_acquire(db, v, ready);
    }
    return c->table;
}

/* Moves `db` to the newest version and says which it is. */
static vp_status read_version(vpx_db *db, vp_index_version *version, vp_error *err)
{
    vp_status st = vpx_db_reopen(db, err);
    if (st == VP_OK)
        st = vpx_db_version(db, version, err);
    return st;
}

vp_status vp_suggest_prepare(vp_index *idx, vp_error *err)
{
    vpx_db *db = vp_index_db(idx);
    vp_index_version version;
    vp_status st = read_version(db, &version, err);
    int ready = 0;
    if (st == VP_OK)
        handle_table(idx, db, &version, &ready);
    return st;
}

/* Copies items to `out` (texts strdup()ed). */
static vp_status copy_items(const suggest_table *t, const item *it, size_t n, vp_suggestion *out,
                            size_t *got)
{
    for (size_t i = 0; i < n; i++) {
        out[i].text = strdup(t->strings + it[i].text);
        out[i].kind = (vp_suggest_kind)it[i].kind;
        out[i].count = it[i].count;
        if (!out[i].text) {
            for (size_t j = 0; j < i; j++)
                free(out[j].text);
            return VP_ERR_NOMEM;
        }
    }
    *got = n;
    return VP_OK;
}

/* The answer from table `t` for the folded prefix `p` of `chars`
 * characters; *answered 0 when the scan has to answer it. */
static vp_status table_answer(const suggest_table *t, const char *p, size_t chars, unsigned limit,
                              vp_suggestion *out, size_t *got, int *answered)
{
    *answered = 0;
    for (const char *c = p; *c; c++)
        if ((unsigned char)*c < 0x20)
            return VP_OK; /* no key holds one: a term's text past the key */
    size_t lo, hi;
    table_range(t, p, strlen(p), &lo, &hi);
    *answered = 1;
    if (lo == hi) {
        *got = 0;
        return VP_OK;
    }
    if (chars <= TABLE_PREFIX) {
        short_entry key = {(uint32_t)lo, (uint32_t)hi, 0, 0};
        const short_entry *e = bsearch(&key, t->entries, t->n_entries, sizeof key, cmp_entry);
        if (e)
            return copy_items(t, t->items + e->first, e->n < limit ? e->n : limit, out, got);
    }
    if (term_of(t, hi) - term_of(t, lo) > (chars <= TABLE_PREFIX ? SCAN_SHORT : SCAN_LONG)) {
        *answered = 0;
        return VP_OK;
    }
    item found[VP_SUGGEST_MAX_LIMIT];
    size_t n = 0;
    vp_status st = table_rank(t, lo, hi, limit, found, &n);
    return st == VP_OK ? copy_items(t, found, n, out, got) : st;
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
    vp_index_version version;
    vp_status st = read_version(db, &version, err);
    vp_suggestion *res = calloc(VP_SUGGEST_MAX_LIMIT + 1, sizeof *res);
    size_t got = 0;
    if (st == VP_OK && !res)
        st = VP_ERR_NOMEM;
    int ready = 0;
    const suggest_table *t = st == VP_OK ? handle_table(idx, db, &version, &ready) : NULL;
    int answered = 0;
    if (t && t->state == TABLE_READY && st == VP_OK)
        st = table_answer(t, start, chars, limit, res, &got, &answered);
    if (chars <= TABLE_PREFIX)
        atomic_fetch_add_explicit(ready && t && t->state == TABLE_READY ? &cache_hits : &cache_misses,
                                  1, memory_order_relaxed);
    if (st == VP_OK && !answered)
        st = rank(db, start, chars <= TABLE_PREFIX ? SCAN_SHORT : SCAN_LONG, limit, res, &got, err);
    free(folded);
    if (st != VP_OK) {
        vp_suggestions_free(res, got);
        return st;
    }
    *out = res;
    *n = got;
    return VP_OK;
}
