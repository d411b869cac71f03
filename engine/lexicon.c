/* lexicon.c - compound splitting and query rewriting (see lexicon.h).
 *
 * The word set is an open-addressing hash table of strings kept in one
 * arena. Synonym entries are word sequences (folded, lower-case, split on
 * anything that is not a letter or digit) with the alternatives to add;
 * sequences that occur twice have their alternatives joined. */
#include "vindplaats/lexicon.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vindplaats/arena.h"
#include "vindplaats/analysis.h"
#include "vindplaats/hash.h"
#include "vindplaats/lines.h"
#include "vindplaats/buf.h"
#include "vindplaats/network.h"
#include "vindplaats/offering.h"
#include "understand.h"

#define MAX_LINE 4096
#define MAX_ENTRY_WORDS 8
#define REWRITE_CAP (64 * 1024)

typedef struct entry {
    char *words[MAX_ENTRY_WORDS];
    size_t n_words;
    char *alternatives;  /* already in query syntax: a OR "b c" */
} entry;

struct vp_lexicon {
    char **slots;        /* hash table; NULL = empty */
    size_t n_slots;      /* a power of two */
    size_t n_words;
    entry *entries;
    size_t n_entries, alloc_entries;
    char **type_words[16]; /* per vp_offering_types index; NULL-terminated word sequences */
    size_t n_type_words[16];
    char **stopwords;    /* NULL-terminated */
    size_t n_stopwords, alloc_stopwords;
    vp_arena arena;      /* every string allocated, for destroy */
    understand_calendar *calendar; /* school holidays, or NULL */
    understand_places *places;     /* the network's names, or NULL */
    const struct vp_postcodes *postcodes; /* the national list of places (borrowed), or NULL */
};

static size_t query_split(const vp_lexicon *lex, const char *word,
                          char parts[VP_COMPOUND_MAX_PARTS][VP_COMPOUND_PART_SIZE]);

static int keep(vp_lexicon *lex, char *s)
{
    return vp_arena_own(&lex->arena, s);
}

static int grow_table(vp_lexicon *lex)
{
    size_t n = lex->n_slots ? lex->n_slots * 2 : 1024;
    char **slots = calloc(n, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < lex->n_slots; i++) {
        char *w = lex->slots[i];
        if (!w)
            continue;
        size_t j = vp_hash_str(w) & (n - 1);
        while (slots[j])
            j = (j + 1) & (n - 1);
        slots[j] = w;
    }
    free(lex->slots);
    lex->slots = slots;
    lex->n_slots = n;
    return 0;
}

int vp_lexicon_has(const vp_lexicon *lex, const char *word)
{
    if (!lex || !lex->n_slots)
        return 0;
    size_t j = vp_hash_str(word) & (lex->n_slots - 1);
    while (lex->slots[j]) {
        if (strcmp(lex->slots[j], word) == 0)
            return 1;
        j = (j + 1) & (lex->n_slots - 1);
    }
    return 0;
}

/* Adds a folded lower-case word of letters only; others are skipped. */
static int add_word(vp_lexicon *lex, const char *w)
{
    size_t len = strlen(w);
    if (len < VP_COMPOUND_MIN_PART || len >= VP_COMPOUND_PART_SIZE)
        return 0;
    for (const char *p = w; *p; p++)
        if (*p < 'a' || *p > 'z')
            return 0;
    if (vp_lexicon_has(lex, w))
        return 0;
    if ((lex->n_words + 1) * 2 > lex->n_slots && grow_table(lex) != 0)
        return -1;
    char *copy = strdup(w);
    if (keep(lex, copy) != 0)
        return -1;
    size_t j = vp_hash_str(copy) & (lex->n_slots - 1);
    while (lex->slots[j])
        j = (j + 1) & (lex->n_slots - 1);
    lex->slots[j] = copy;
    lex->n_words++;
    return 0;
}

/* Splits folded text into lower-case words of letters and digits, in place
 * of `buf` (which it modifies); returns the count. */
static size_t words_of(char *buf, char **words, size_t max)
{
    size_t n = 0;
    char *p = buf;
    while (*p && n < max) {
        while (*p && !((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
                       (unsigned char)*p >= 0x80))
            p++;
        if (!*p)
            break;
        words[n++] = p;
        while ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || (unsigned char)*p >= 0x80)
            p++;
        if (*p)
            *p++ = '\0';
    }
    return n;
}

/* `term` in query syntax: a bare word, or a quoted phrase of several. */
static int append_term(vp_buf *b, const char *text)
{
    char *folded = vp_text_fold(text, 1);
    if (!folded)
        return -1;
    char *words[MAX_ENTRY_WORDS];
    size_t n = words_of(folded, words, MAX_ENTRY_WORDS);
    vp_status st = VP_OK;
    if (n > 1)
        st = vp_buf_puts(b, "\"");
    for (size_t i = 0; st == VP_OK && i < n; i++)
        st = vp_buf_printf(b, "%s%s", i ? " " : "", words[i]);
    if (st == VP_OK && n > 1)
        st = vp_buf_puts(b, "\"");
    free(folded);
    return st == VP_OK && n > 0 ? 0 : -1;
}

/* Adds the entry "words of `phrase`" -> `alternative` (query syntax),
 * merging with an entry of the same words. */
static int add_entry(vp_lexicon *lex, const char *phrase, const char *alternative)
{
    char *folded = vp_text_fold(phrase, 1);
    if (keep(lex, folded) != 0)
        return -1;
    char *words[MAX_ENTRY_WORDS + 1];
    size_t n = words_of(folded, words, MAX_ENTRY_WORDS + 1);
    if (n == 0 || n > MAX_ENTRY_WORDS)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (add_word(lex, words[i]) != 0)
            return -1;
    for (size_t e = 0; e < lex->n_entries; e++) {
        entry *en = &lex->entries[e];
        if (en->n_words != n)
            continue;
        size_t i = 0;
        while (i < n && strcmp(en->words[i], words[i]) == 0)
            i++;
        if (i < n)
            continue;
        if (strstr(en->alternatives, alternative))
            return 0;
        size_t len = strlen(en->alternatives) + strlen(alternative) + 5;
        char *joined = malloc(len);
        if (keep(lex, joined) != 0)
            return -1;
        snprintf(joined, len, "%s OR %s", en->alternatives, alternative);
        en->alternatives = joined;
        return 0;
    }
    entry *ne = vp_grow(lex->entries, &lex->alloc_entries, lex->n_entries + 1, sizeof *ne);
    if (!ne)
        return -1;
    lex->entries = ne;
    entry *en = &lex->entries[lex->n_entries];
    memset(en, 0, sizeof *en);
    for (size_t i = 0; i < n; i++)
        en->words[i] = words[i];
    en->n_words = n;
    char *alt = strdup(alternative);
    if (keep(lex, alt) != 0)
        return -1;
    en->alternatives = alt;
    lex->n_entries++;
    return 0;
}

/* The lexicon's files are line files (lines.h); each loader is what it
 * does with one line. */

static vp_status word_line(void *ctx, char *line, size_t len, const char **problem)
{
    (void)len;
    (void)problem;
    char *w = vp_text_fold(line, 1);
    vp_status st = w && add_word(ctx, w) == 0 ? VP_OK : VP_ERR_NOMEM;
    free(w);
    return st;
}

static vp_status synonym_line(void *ctx, char *line, size_t len, const char **problem)
{
    (void)len;
    vp_lexicon *lex = ctx;
    char *members[32];
    size_t n = 0;
    for (char *p = strtok(line, "|"); p && n < 32; p = strtok(NULL, "|"))
        if (p[strspn(p, " \t")])
            members[n++] = p;
    if (n < 2) {
        *problem = "a synonym group needs at least two members separated by '|'";
        return VP_ERR_INVALID;
    }
    vp_status st = VP_OK;
    for (size_t i = 0; st == VP_OK && i < n; i++) {
        vp_buf alt;
        vp_buf_init(&alt, REWRITE_CAP);
        int ok = 0;
        for (size_t j = 0; j < n; j++) {
            if (j == i)
                continue;
            if (ok && vp_buf_puts(&alt, " OR ") != VP_OK)
                break;
            if (append_term(&alt, members[j]) == 0)
                ok = 1;
        }
        if (ok && add_entry(lex, members[i], alt.data) != 0)
            st = VP_ERR_NOMEM;
        vp_buf_free(&alt);
    }
    return st;
}

static vp_status add_vocabulary(vp_lexicon *lex, const vp_vocabulary *voc)
{
    for (size_t i = 0; i < vp_vocabulary_count(voc); i++) {
        const vp_proposition *p = vp_vocabulary_at(voc, i);
        /* A local name finds the proposition through its own term (one
         * posting list, no phrase over common words): propositie-term:ID. */
        vp_buf name;
        vp_buf_init(&name, 4096);
        char *token = vp_proposition_token(p->id);
        int ok = token && vp_buf_printf(&name, VP_PROPOSITION_FIELD ":%s", token) == VP_OK;
        free(token);
        for (size_t a = 0; ok && p->aliases[a]; a++)
            if (add_entry(lex, p->aliases[a], name.data) != 0) {
                vp_buf_free(&name);
                return VP_ERR_NOMEM;
            }
        vp_buf_free(&name);
        /* The words of the name are words too, for splitting compounds. */
        char *folded = vp_text_fold(p->name, 1);
        if (!folded)
            return VP_ERR_NOMEM;
        char *words[16];
        size_t n = words_of(folded, words, 16);
        for (size_t w = 0; w < n; w++)
            if (add_word(lex, words[w]) != 0) {
                free(folded);
                return VP_ERR_NOMEM;
            }
        free(folded);
    }
    return VP_OK;
}

static vp_status stopword_line(void *ctx, char *line, size_t len, const char **problem)
{
    (void)len;
    (void)problem;
    vp_lexicon *lex = ctx;
    line[strcspn(line, " \t|")] = '\0';
    if (!line[0])
        return VP_OK;
    /* Room for the word and the NULL that ends the list. */
    char **s = vp_grow(lex->stopwords, &lex->alloc_stopwords, lex->n_stopwords + 2, sizeof *s);
    if (!s)
        return VP_ERR_NOMEM;
    lex->stopwords = s;
    char *w = vp_text_fold(line, 1);
    if (keep(lex, w) != 0)
        return VP_ERR_NOMEM;
    lex->stopwords[lex->n_stopwords++] = w;
    lex->stopwords[lex->n_stopwords] = NULL;
    return VP_OK;
}

static vp_status type_line(void *ctx, char *line, size_t len, const char **problem)
{
    (void)len;
    vp_lexicon *lex = ctx;
    char *tab = strchr(line, '\t');
    int t = -1;
    if (tab) {
        *tab = '\0';
        for (int i = 0; vp_offering_types[i]; i++)
            if (strcmp(vp_offering_types[i], line) == 0)
                t = i;
    }
    if (t < 0 || t >= 16) {
        *problem = "expected a type (course, event, ...), a tab and words separated by '|'";
        return VP_ERR_INVALID;
    }
    for (char *w = strtok(tab + 1, "|"); w; w = strtok(NULL, "|")) {
        /* Kept as the folded words joined by single spaces. */
        char *folded = vp_text_fold(w, 1);
        if (!folded)
            return VP_ERR_NOMEM;
        char *words[MAX_ENTRY_WORDS];
        size_t n = words_of(folded, words, MAX_ENTRY_WORDS);
        vp_buf b;
        vp_buf_init(&b, 1024);
        vp_status st = VP_OK;
        for (size_t i = 0; i < n; i++) {
            if (i)
                vp_buf_adds(&b, &st, " ");
            vp_buf_adds(&b, &st, words[i]);
        }
        free(folded);
        if (st != VP_OK) {
            vp_buf_free(&b);
            return st;
        }
        if (!b.len) {
            vp_buf_free(&b);
            continue;
        }
        char **list = realloc(lex->type_words[t], (lex->n_type_words[t] + 2) * sizeof *list);
        char *joined = vp_buf_steal(&b);
        if (!list || keep(lex, joined) != 0) {
            if (list)
                lex->type_words[t] = list;
            return VP_ERR_NOMEM;
        }
        lex->type_words[t] = list;
        list[lex->n_type_words[t]++] = joined;
        list[lex->n_type_words[t]] = NULL;
    }
    return VP_OK;
}

unsigned vp_lexicon_types_named(const vp_lexicon *lex, const char *query)
{
    if (!lex)
        return 0;
    /* " w1 w2 w3 " so a phrase matches on word boundaries. */
    char *folded = vp_text_fold(query, 1);
    if (!folded)
        return 0;
    char *words[256];
    size_t n = words_of(folded, words, 256);
    vp_buf b;
    vp_buf_init(&b, 64 * 1024);
    vp_buf_puts(&b, " ");
    for (size_t i = 0; i < n; i++) {
        vp_buf_printf(&b, "%s ", words[i]);
        /* The head of a compound names the type too: "schrijfworkshop". */
        char parts[VP_COMPOUND_MAX_PARTS][VP_COMPOUND_PART_SIZE];
        size_t k = query_split(lex, words[i], parts);
        if (k >= 2)
            vp_buf_printf(&b, "%s ", parts[k - 1]);
    }
    free(folded);
    unsigned bits = 0;
    for (int t = 0; t < 16 && b.data; t++)
        for (size_t i = 0; i < lex->n_type_words[t]; i++) {
            char needle[MAX_LINE];
            snprintf(needle, sizeof needle, " %s ", lex->type_words[t][i]);
            if (strstr(b.data, needle)) {
                bits |= 1u << t;
                break;
            }
        }
    vp_buf_free(&b);
    return bits;
}

const char *const *vp_lexicon_stopwords(const vp_lexicon *lex)
{
    static const char *const none[] = {NULL};
    return lex && lex->stopwords ? (const char *const *)lex->stopwords : none;
}

int vp_lexicon_only_stopwords(const vp_lexicon *lex, const char *query)
{
    char *copy = vp_text_fold(query, 1);
    if (!copy)
        return 0;
    char *words[256];
    size_t n = words_of(copy, words, 256);
    int only = 1;
    for (size_t i = 0; only && i < n; i++) {
        int stop = 0;
        for (size_t k = 0; lex && k < lex->n_stopwords && !stop; k++)
            stop = strcmp(lex->stopwords[k], words[i]) == 0;
        only = stop;
    }
    free(copy);
    return only;
}

vp_status vp_lexicon_load(const vp_lexicon_files *files, const vp_vocabulary *voc,
                          vp_lexicon **out, vp_error *err)
{
    vp_lexicon *lex = calloc(1, sizeof *lex);
    if (!lex)
        return VP_ERR_NOMEM;
    vp_status st = grow_table(lex) == 0 ? VP_OK : VP_ERR_NOMEM;
    const unsigned listing = VP_LINES_SKIP_BLANK | VP_LINES_SKIP_COMMENTS;
    if (st == VP_OK && files && files->words)
        st = vp_lines_read(files->words, MAX_LINE, 0, word_line, lex, NULL, err);
    if (st == VP_OK && voc)
        st = add_vocabulary(lex, voc);
    if (st == VP_OK && files && files->synonyms)
        st = vp_lines_read(files->synonyms, MAX_LINE, listing | VP_LINES_UTF8, synonym_line, lex,
                           NULL, err);
    if (st == VP_OK && files && files->stopwords)
        st = vp_lines_read(files->stopwords, MAX_LINE, VP_LINES_SKIP_BLANK, stopword_line, lex,
                           NULL, err);
    if (st == VP_OK && files && files->types)
        st = vp_lines_read(files->types, MAX_LINE, listing, type_line, lex, NULL, err);
    if (st == VP_OK && files && files->holidays)
        st = understand_calendar_load(files->holidays, &lex->calendar, err);
    /* A lexicon half loaded is no lexicon: *out gets it whole or not at all. */
    if (st != VP_OK) {
        vp_lexicon_destroy(lex);
        lex = NULL;
    }
    *out = lex;
    return st;
}

void vp_lexicon_destroy(vp_lexicon *lex)
{
    if (!lex)
        return;
    vp_arena_free(&lex->arena);
    understand_calendar_destroy(lex->calendar);
    understand_places_destroy(lex->places);
    free(lex->stopwords);
    for (int t = 0; t < 16; t++)
        free(lex->type_words[t]);
    free(lex->slots);
    free(lex->entries);
    free(lex);
}

vp_status vp_lexicon_set_network(vp_lexicon *lex, const vp_network *net)
{
    understand_places *pl = NULL;
    vp_status st = lex ? understand_places_build(net, &pl) : VP_OK;
    if (st == VP_OK && lex) {
        understand_places_destroy(lex->places);
        lex->places = pl;
    }
    return st;
}

void vp_lexicon_set_postcodes(vp_lexicon *lex, const struct vp_postcodes *pc)
{
    if (lex)
        lex->postcodes = pc;
}

const struct vp_postcodes *vp_lexicon_postcodes(const vp_lexicon *lex)
{
    return lex ? lex->postcodes : NULL;
}

const understand_places *vp_lexicon_places(const vp_lexicon *lex)
{
    return lex ? lex->places : NULL;
}

const understand_calendar *vp_lexicon_calendar(const vp_lexicon *lex)
{
    return lex ? lex->calendar : NULL;
}

size_t vp_lexicon_size(const vp_lexicon *lex)
{
    return lex ? lex->n_words : 0;
}

char *vp_proposition_token(const char *id)
{
    char *t = malloc(strlen(id) + 1);
    if (!t)
        return NULL;
    size_t o = 0;
    for (const char *c = id; *c; c++)
        if ((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9'))
            t[o++] = *c;
    t[o] = '\0';
    return t;
}

/* ---- compounds ---- */

/* Endings that make words rather than join them: "zwangerschap" is not
 * zwanger + schap (a shelf), nor "vrijheid" vrij + heid. A head that is
 * one of these is no head. */
static const char *const suffix_heads[] = {
    "schap", "schappen", "heid", "heden", "ingen", "lijk", "lijke", "lijkheid", "baar",
    "bare", "baarheid", "achtig", "achtige", "isme", "ismen", "iteit", "iteiten", "nissen",
    "erij", "erijen", "loos", "loze", "zaam", "zame", "tjes", "etje", "etjes", "pjes", "aard",
    NULL};

static int is_suffix_head(const char *head)
{
    for (size_t i = 0; suffix_heads[i]; i++)
        if (strcmp(head, suffix_heads[i]) == 0)
            return 1;
    return 0;
}

static size_t split_at(const vp_lexicon *lex, const char *w, size_t n,
                       char parts[VP_COMPOUND_MAX_PARTS][VP_COMPOUND_PART_SIZE], size_t max_parts,
                       size_t min_part)
{
    static const char *const links[] = {"", "s", "e", "en"};
    char head[VP_COMPOUND_PART_SIZE], mod[VP_COMPOUND_PART_SIZE];
    if (max_parts < 2 || n >= VP_COMPOUND_PART_SIZE || n < 2 * min_part)
        return 0;
    /* The longest known head first: Dutch puts the head last. */
    for (size_t hl = n - min_part; hl >= min_part; hl--) {
        /* w is n bytes here, not terminated: a modifier splits in place. */
        memcpy(head, w + n - hl, hl);
        head[hl] = '\0';
        if (!vp_lexicon_has(lex, head) || is_suffix_head(head))
            continue;
        size_t ml = n - hl;
        for (size_t l = 0; l < 4; l++) {
            size_t ll = strlen(links[l]);
            if (ml < min_part + ll || memcmp(w + ml - ll, links[l], ll) != 0)
                continue;
            memcpy(mod, w, ml - ll);
            mod[ml - ll] = '\0';
            if (vp_lexicon_has(lex, mod)) {
                snprintf(parts[0], VP_COMPOUND_PART_SIZE, "%s", mod);
                snprintf(parts[1], VP_COMPOUND_PART_SIZE, "%s", head);
                return 2;
            }
        }
        /* The modifier may be a compound itself. */
        size_t k = split_at(lex, w, ml, parts, max_parts - 1, min_part);
        if (k) {
            snprintf(parts[k], VP_COMPOUND_PART_SIZE, "%s", head);
            return k + 1;
        }
    }
    return 0;
}

size_t vp_lexicon_split(const vp_lexicon *lex, const char *word,
                        char parts[VP_COMPOUND_MAX_PARTS][VP_COMPOUND_PART_SIZE])
{
    if (!lex)
        return 0;
    size_t n = strlen(word);
    for (size_t i = 0; i < n; i++)
        if (word[i] < 'a' || word[i] > 'z')
            return 0;
    return split_at(lex, word, n, parts, VP_COMPOUND_MAX_PARTS, VP_COMPOUND_MIN_PART);
}

/* At query time a wrong split costs precision at once (a typo such as
 * "voorleezen" must not become voor + lee + zen), so only two parts. */
static size_t query_split(const vp_lexicon *lex, const char *word,
                          char parts[VP_COMPOUND_MAX_PARTS][VP_COMPOUND_PART_SIZE])
{
    size_t n = strlen(word);
    for (size_t i = 0; i < n; i++)
        if (word[i] < 'a' || word[i] > 'z')
            return 0;
    return split_at(lex, word, n, parts, 2, VP_COMPOUND_MIN_SPLIT);
}

/* ---- word forms ---- */

int vp_lexicon_diminutive_singular(const char *word, char out[VP_COMPOUND_PART_SIZE])
{
    /* spelletjes, huisjes, boompjes, balletjes: the plural adds an -s to the
     * singular diminutive, which the Dutch stemmer keeps apart. */
    size_t n = strlen(word);
    if (n < 6 || n >= VP_COMPOUND_PART_SIZE || strcmp(word + n - 3, "jes") != 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (word[i] < 'a' || word[i] > 'z')
            return 0;
    memcpy(out, word, n - 1);
    out[n - 1] = '\0';
    return 1;
}

/* The infinitive of a verb stem that starts a compound, when the word list
 * knows it: "schrijf" (schrijfworkshop) -> "schrijven", "lees" -> "lezen",
 * "teken" -> "tekenen", "zwem" -> "zwemmen". Dutch writes the stem with a
 * final f/s for v/z, one vowel letter for a long vowel before one consonant,
 * and doubles the consonant after a short vowel. 1 when found. */
static int infinitive_of(const vp_lexicon *lex, const char *stem, char out[VP_COMPOUND_PART_SIZE])
{
    static const char *const vowels = "aeiou";
    size_t n = strlen(stem);
    if (n < 3 || n + 4 >= VP_COMPOUND_PART_SIZE)
        return 0;
    char last = stem[n - 1], soft = last == 'f' ? 'v' : last == 's' ? 'z' : last;
    int long_vowel = stem[n - 2] == stem[n - 3] && strchr(vowels, stem[n - 2]) && stem[n - 2] != 'i';
    int short_vowel = !strchr(vowels, last) && strchr(vowels, stem[n - 2]) &&
                      !strchr(vowels, stem[n - 3]);
    char cand[4][VP_COMPOUND_PART_SIZE];
    size_t k = 0;
    /* teken -> tekenen, schrijf -> schrijven, lees -> lezen, zwem -> zwemmen */
    snprintf(cand[k++], VP_COMPOUND_PART_SIZE, "%sen", stem);
    snprintf(cand[k++], VP_COMPOUND_PART_SIZE, "%.*s%cen", (int)(n - 1), stem, soft);
    if (long_vowel)
        snprintf(cand[k++], VP_COMPOUND_PART_SIZE, "%.*s%cen", (int)(n - 2), stem, soft);
    if (short_vowel)
        snprintf(cand[k++], VP_COMPOUND_PART_SIZE, "%s%cen", stem, last);
    for (size_t i = 0; i < k; i++)
        if (vp_lexicon_has(lex, cand[i])) {
            memcpy(out, cand[i], VP_COMPOUND_PART_SIZE);
            return 1;
        }
    return 0;
}

/* ---- rewriting ---- */

typedef struct token {
    size_t begin, end;       /* bytes of the query */
    char word[VP_COMPOUND_PART_SIZE];  /* folded lower-case */
    int free_word;           /* outside quotes, prefixes, operators */
} token;

static int is_word_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

static int is_operator(const char *q, size_t b, size_t e)
{
    static const char *const ops[] = {"AND", "OR", "NOT", "XOR", "NEAR", "ADJ", NULL};
    for (size_t i = 0; ops[i]; i++)
        if (strlen(ops[i]) == e - b && memcmp(q + b, ops[i], e - b) == 0)
            return 1;
    return 0;
}

static size_t tokenize(const char *q, token *toks, size_t max)
{
    size_t n = 0, i = 0, len = strlen(q);
    int quoted = 0;
    while (i < len && n < max) {
        unsigned char c = (unsigned char)q[i];
        if (c == '"') {
            quoted = !quoted;
            i++;
            continue;
        }
        if (!is_word_char(c)) {
            i++;
            continue;
        }
        size_t b = i;
        while (i < len && is_word_char((unsigned char)q[i]))
            i++;
        token *t = &toks[n++];
        t->begin = b;
        t->end = i;
        size_t wl = i - b < VP_COMPOUND_PART_SIZE - 1 ? i - b : VP_COMPOUND_PART_SIZE - 1;
        for (size_t k = 0; k < wl; k++)
            t->word[k] = (char)(q[b + k] >= 'A' && q[b + k] <= 'Z' ? q[b + k] - 'A' + 'a' : q[b + k]);
        t->word[wl] = '\0';
        int prefixed = (b > 0 && (q[b - 1] == ':' || q[b - 1] == '-' || q[b - 1] == '+')) ||
                       (i < len && q[i] == ':') || (i < len && q[i] == '*');
        t->free_word = !quoted && !prefixed && !is_operator(q, b, i) && i - b < VP_COMPOUND_PART_SIZE;
    }
    return n;
}

/* Only spaces and punctuation other than quotes and colons between tokens. */
static int adjacent(const char *q, const token *a, const token *b)
{
    for (size_t i = a->end; i < b->begin; i++)
        if (q[i] == '"' || q[i] == ':' || q[i] == '(' || q[i] == ')')
            return 0;
    return 1;
}

/* The synonym entry of the single word `w`, or NULL. */
static const entry *word_entry(const vp_lexicon *lex, const char *w)
{
    for (size_t e = 0; e < lex->n_entries; e++)
        if (lex->entries[e].n_words == 1 && strcmp(lex->entries[e].words[0], w) == 0)
            return &lex->entries[e];
    return NULL;
}

char *vp_lexicon_rewrite(const vp_lexicon *lex, const char *q)
{
    enum { MAX_TOKENS = 256 };
    token *toks = calloc(MAX_TOKENS, sizeof *toks);
    if (!toks)
        return NULL;
    vp_buf out;
    vp_buf_init(&out, REWRITE_CAP);
    size_t n = lex ? tokenize(q, toks, MAX_TOKENS) : 0;
    size_t pos = 0;
    vp_status st = VP_OK;
    for (size_t i = 0; st == VP_OK && i < n; i++) {
        if (!toks[i].free_word)
            continue;
        /* The longest synonym entry starting here. */
        const entry *best = NULL;
        for (size_t e = 0; e < lex->n_entries; e++) {
            const entry *en = &lex->entries[e];
            if (i + en->n_words > n || (best && en->n_words <= best->n_words))
                continue;
            size_t k = 0;
            while (k < en->n_words && toks[i + k].free_word &&
                   (k == 0 || adjacent(q, &toks[i + k - 1], &toks[i + k])) &&
                   strcmp(toks[i + k].word, en->words[k]) == 0)
                k++;
            if (k == en->n_words)
                best = en;
        }
        if (best) {
            const token *last = &toks[i + best->n_words - 1];
            st = vp_buf_append(&out, q + pos, toks[i].begin - pos);
            if (st == VP_OK)
                st = vp_buf_puts(&out, "(");
            if (st == VP_OK)
                st = vp_buf_append(&out, q + toks[i].begin, last->end - toks[i].begin);
            if (st == VP_OK)
                st = vp_buf_printf(&out, " OR %s)", best->alternatives);
            pos = last->end;
            i += best->n_words - 1;
            continue;
        }
        char parts[VP_COMPOUND_MAX_PARTS][VP_COMPOUND_PART_SIZE];
        char singular[VP_COMPOUND_PART_SIZE], verb[VP_COMPOUND_PART_SIZE];
        if (vp_lexicon_diminutive_singular(toks[i].word, singular)) {
            /* "spelletjes" also finds "spelletje". */
            st = vp_buf_append(&out, q + pos, toks[i].begin - pos);
            if (st == VP_OK)
                st = vp_buf_printf(&out, "(%s OR %s)", toks[i].word, singular);
            pos = toks[i].end;
            continue;
        }
        size_t k = query_split(lex, toks[i].word, parts);
        if (k < 2)
            continue;
        st = vp_buf_append(&out, q + pos, toks[i].begin - pos);
        if (st == VP_OK)
            st = vp_buf_printf(&out, "(%s OR (", toks[i].word);
        /* A verb stem before the head also finds its infinitive:
         * "schrijfworkshop" finds "schrijven" with "workshop". */
        if (st == VP_OK && !vp_lexicon_only_stopwords(lex, parts[0]) &&
            infinitive_of(lex, parts[0], verb))
            st = vp_buf_printf(&out, "(%s OR %s)", parts[0], verb);
        else if (st == VP_OK)
            st = vp_buf_puts(&out, parts[0]);
        /* The head with its synonyms: "schrijfworkshop" is a writing
         * course too. */
        for (size_t p = 1; st == VP_OK && p < k; p++) {
            const entry *syn = word_entry(lex, parts[p]);
            st = syn ? vp_buf_printf(&out, " (%s OR %s)", parts[p], syn->alternatives)
                     : vp_buf_printf(&out, " %s", parts[p]);
        }
        if (st == VP_OK)
            st = vp_buf_puts(&out, "))");
        pos = toks[i].end;
    }
    if (st == VP_OK)
        st = vp_buf_puts(&out, q + pos);
    free(toks);
    if (st != VP_OK) {
        vp_buf_free(&out);
        /* Too long to rewrite: search it as typed. */
        return st == VP_ERR_TOO_BIG ? strdup(q) : NULL;
    }
    return vp_buf_steal(&out);
}
