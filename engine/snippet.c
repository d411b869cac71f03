/* snippet.c - choosing and marking the passage shown under a result.
 *
 * Words are compared the way the index compares them: folded, lower-cased,
 * and either as typed or by their stem, so "cafés" is marked for the query
 * "cafe". Xapian's own snippet generator cannot see through the folding,
 * hence this one. */
#include "snippet.h"

#include <stdlib.h>
#include <string.h>

#include "vindplaats/analysis.h"
#include "vindplaats/buf.h"

#define SNIPPET_CAP (64 * 1024)

static int is_plain_term(const char *t)
{
    unsigned char c = (unsigned char)t[0];
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80;
}

vp_status vp_snippet_terms_from_query(const vpx_query *q, vp_snippet_terms *out, vp_error *err)
{
    char **terms = NULL;
    size_t n = 0;
    memset(out, 0, sizeof *out);
    vp_status st = vpx_query_terms(q, &terms, &n, err);
    if (st != VP_OK)
        return st;
    out->words = calloc(n + 1, sizeof *out->words);
    out->stems = calloc(n + 1, sizeof *out->stems);
    if (!out->words || !out->stems) {
        st = VP_ERR_NOMEM;
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        char *t = terms[i];
        if (is_plain_term(t)) {
            out->words[out->n_words++] = t;
            terms[i] = NULL;
        } else if (t[0] == 'Z' && is_plain_term(t + 1)) {
            memmove(t, t + 1, strlen(t));
            out->stems[out->n_stems++] = t;
            terms[i] = NULL;
        }
    }
done:
    for (size_t i = 0; i < n; i++)
        free(terms[i]);
    free(terms);
    if (st != VP_OK)
        vp_snippet_terms_free(out);
    return st;
}

void vp_snippet_terms_free(vp_snippet_terms *t)
{
    for (size_t i = 0; i < t->n_words; i++)
        free(t->words[i]);
    for (size_t i = 0; i < t->n_stems; i++)
        free(t->stems[i]);
    free(t->words);
    free(t->stems);
    memset(t, 0, sizeof *t);
}

typedef struct word {
    size_t begin, end;
    int match;
} word;

static int is_word_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c >= 0x80;
}

static int in_set(char *const *set, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(set[i], s) == 0)
            return 1;
    return 0;
}

static int word_matches(const char *text, const word *w, const vp_snippet_terms *terms,
                        vpx_stemmer *stemmer)
{
    char *raw = strndup(text + w->begin, w->end - w->begin);
    if (!raw)
        return 0;
    char *folded = vp_text_fold(raw, 1);
    free(raw);
    if (!folded)
        return 0;
    int match = in_set(terms->words, terms->n_words, folded);
    if (!match && terms->n_stems && stemmer) {
        char *stem = vpx_stem(stemmer, folded);
        match = stem && in_set(terms->stems, terms->n_stems, stem);
        free(stem);
    }
    free(folded);
    return match;
}

vp_status vp_snippet_make(const char *text, const vp_snippet_terms *terms, vpx_stemmer *stemmer,
                          size_t max_words, char **out)
{
    vp_status st = VP_OK;
    size_t len = strlen(text), n = 0, alloc = 0;
    word *words = NULL;
    vp_buf b;
    vp_buf_init(&b, SNIPPET_CAP);
    int searching = terms && (terms->n_words || terms->n_stems);

    for (size_t i = 0; i < len;) {
        if (!is_word_byte((unsigned char)text[i])) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < len && is_word_byte((unsigned char)text[j]))
            j++;
        if (n == alloc) {
            alloc = alloc ? alloc * 2 : 64;
            word *w = realloc(words, alloc * sizeof *w);
            if (!w) {
                st = VP_ERR_NOMEM;
                goto done;
            }
            words = w;
        }
        words[n].begin = i;
        words[n].end = j;
        words[n].match = searching && word_matches(text, &words[n], terms, stemmer);
        n++;
        i = j;
    }
    if (n == 0) {
        st = vp_buf_html(&b, text, len > 300 ? 0 : len);
        goto done;
    }
    /* The window of max_words words with the most matches; the earliest wins. */
    size_t best = 0, best_hits = 0, hits = 0;
    size_t w = n < max_words ? n : max_words;
    for (size_t i = 0; i < w; i++)
        hits += (size_t)words[i].match;
    best_hits = hits;
    for (size_t s = 1; s + w <= n; s++) {
        hits += (size_t)words[s + w - 1].match;
        hits -= (size_t)words[s - 1].match;
        if (hits > best_hits) {
            best_hits = hits;
            best = s;
        }
    }
    /* Show a little context before the first match when there is room. */
    if (best_hits && best > 0 && words[best].match) {
        size_t back = best < 3 ? best : 3;
        best -= back;
    }
    size_t last = best + w - 1;
    if (last >= n)
        last = n - 1;
    size_t from = best == 0 ? 0 : words[best].begin;
    size_t to = last == n - 1 ? len : words[last].end;
    if (best > 0)
        st = vp_buf_puts(&b, "\xE2\x80\xA6");
    size_t pos = from;
    for (size_t i = best; st == VP_OK && i <= last; i++) {
        if (!words[i].match)
            continue;
        st = vp_buf_html(&b, text + pos, words[i].begin - pos);
        if (st == VP_OK)
            st = vp_buf_puts(&b, "<mark>");
        if (st == VP_OK)
            st = vp_buf_html(&b, text + words[i].begin, words[i].end - words[i].begin);
        if (st == VP_OK)
            st = vp_buf_puts(&b, "</mark>");
        pos = words[i].end;
    }
    if (st == VP_OK)
        st = vp_buf_html(&b, text + pos, to - pos);
    if (st == VP_OK && last < n - 1)
        st = vp_buf_puts(&b, "\xE2\x80\xA6");
done:
    free(words);
    if (st == VP_OK) {
        *out = vp_buf_steal(&b);
        if (!*out)
            st = VP_ERR_NOMEM;
    }
    vp_buf_free(&b);
    return st;
}
