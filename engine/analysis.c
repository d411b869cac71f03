/* analysis.c - diacritics folding and UTF-8 helpers (see analysis.h). */
#include "vindplaats/analysis.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vindplaats/buf.h"

/* Base letters of U+00C0..U+017F; NULL keeps the character. */
static const char *const fold_latin[0x180 - 0xC0] = {
    "A", "A", "A", "A", "A", "A", "AE", "C",
    "E", "E", "E", "E", "I", "I", "I", "I",
    "D", "N", "O", "O", "O", "O", "O", NULL,
    "O", "U", "U", "U", "U", "Y", "TH", "ss",
    "a", "a", "a", "a", "a", "a", "ae", "c",
    "e", "e", "e", "e", "i", "i", "i", "i",
    "d", "n", "o", "o", "o", "o", "o", NULL,
    "o", "u", "u", "u", "u", "y", "th", "y",
    "A", "a", "A", "a", "A", "a", "C", "c",
    "C", "c", "C", "c", "C", "c", "D", "d",
    "D", "d", "E", "e", "E", "e", "E", "e",
    "E", "e", "E", "e", "G", "g", "G", "g",
    "G", "g", "G", "g", "H", "h", "H", "h",
    "I", "i", "I", "i", "I", "i", "I", "i",
    "I", "i", "IJ", "ij", "J", "j", "K", "k",
    "k", "L", "l", "L", "l", "L", "l", "L",
    "l", "L", "l", "N", "n", "N", "n", "N",
    "n", "n", "N", "n", "O", "o", "O", "o",
    "O", "o", "OE", "oe", "R", "r", "R", "r",
    "R", "r", "S", "s", "S", "s", "S", "s",
    "S", "s", "T", "t", "T", "t", "T", "t",
    "U", "u", "U", "u", "U", "u", "U", "u",
    "U", "u", "U", "u", "W", "w", "Y", "y",
    "Y", "Z", "z", "Z", "z", "Z", "z", "s",
};

/* Decodes one UTF-8 character at s (n bytes left). Returns its length and
 * stores the code point, or 0 when the bytes are not valid UTF-8. */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    if (n == 0)
        return 0;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    size_t len;
    uint32_t c;
    if ((s[0] & 0xE0) == 0xC0) {
        len = 2;
        c = s[0] & 0x1F;
    } else if ((s[0] & 0xF0) == 0xE0) {
        len = 3;
        c = s[0] & 0x0F;
    } else if ((s[0] & 0xF8) == 0xF0) {
        len = 4;
        c = s[0] & 0x07;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    /* Overlong forms, surrogates and values past U+10FFFF are invalid. */
    if ((len == 2 && c < 0x80) || (len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
        (c >= 0xD800 && c <= 0xDFFF) || c > 0x10FFFF)
        return 0;
    *cp = c;
    return len;
}

size_t vp_utf8_put(char out[4], uint32_t cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

uint32_t vp_cp1252_char(unsigned char b)
{
    /* 0x80-0x9F; the rest is Latin-1, the byte itself. */
    static const uint16_t c1[32] = {
        0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
        0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
        0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};
    return b >= 0x80 && b <= 0x9F ? c1[b - 0x80] : b;
}

int vp_utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    while (len > 0) {
        uint32_t cp;
        size_t n = utf8_decode(p, len, &cp);
        if (n == 0)
            return 0;
        p += n;
        len -= n;
    }
    return 1;
}

size_t vp_utf8_repair(char *s)
{
    unsigned char *p = (unsigned char *)s;
    size_t len = strlen(s), replaced = 0;
    while (len > 0) {
        uint32_t cp;
        size_t n = utf8_decode(p, len, &cp);
        if (n == 0) {
            *p = '?';
            n = 1;
            replaced++;
        }
        p += n;
        len -= n;
    }
    return replaced;
}

static const char *fold_char(uint32_t cp)
{
    if (cp >= 0xC0 && cp < 0x180)
        return fold_latin[cp - 0xC0];
    switch (cp) {
    case 0x2018: case 0x2019: case 0x201B: case 0x2032:
        return "'";
    case 0x201C: case 0x201D: case 0x201E: case 0x2033:
        return "\"";
    case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014:
        return "-";
    case 0x00A0:
        return " ";
    default:
        return NULL;
    }
}

char *vp_text_fold(const char *s, int lower)
{
    size_t len = strlen(s);
    /* A folded character is never longer than its UTF-8 form. */
    char *out = malloc(len + 1);
    if (!out)
        return NULL;
    const unsigned char *p = (const unsigned char *)s;
    size_t left = len, o = 0;
    while (left > 0) {
        uint32_t cp;
        size_t n = utf8_decode(p, left, &cp);
        if (n == 0) {
            p++;
            left--;
            continue;
        }
        const char *base = n > 1 ? fold_char(cp) : NULL;
        if (base) {
            for (const char *b = base; *b; b++)
                out[o++] = (char)(lower && *b >= 'A' && *b <= 'Z' ? *b - 'A' + 'a' : *b);
        } else if (n == 1 && lower && cp >= 'A' && cp <= 'Z') {
            out[o++] = (char)(cp - 'A' + 'a');
        } else {
            memcpy(out + o, p, n);
            o += n;
        }
        p += n;
        left -= n;
    }
    out[o] = '\0';
    return out;
}

char *vp_text_cut(const char *s, size_t max)
{
    size_t len = strlen(s);
    if (len > max) {
        len = max;
        /* Step back over continuation bytes to a character boundary. */
        while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
            len--;
    }
    char *out = malloc(len + 1);
    if (!out)
        return NULL;
    memcpy(out, s, len);
    out[len] = '\0';
    return out;
}

/* ---- scrubbing personal details out of query text ---- */

#define SCRUB_MAX_TOKENS 256

typedef struct token {
    const char *s;
    size_t n;
} token;

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int tok_is(const token *t, const char *word)
{
    size_t n = strlen(word);
    if (t->n != n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = t->s[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != word[i])
            return 0;
    }
    return 1;
}

/* `word` alone or in brackets: "at", "(at)", "[at]", "{at}", "<at>". */
static int tok_marker(const token *t, const char *word)
{
    static const char *const open = "([{<", *const close = ")]}>";
    if (tok_is(t, word))
        return 1;
    size_t n = strlen(word);
    if (t->n != n + 2)
        return 0;
    const char *o = strchr(open, t->s[0]);
    if (!o || !t->s[0] || t->s[n + 1] != close[o - open])
        return 0;
    token inner = {t->s + 1, n};
    return tok_is(&inner, word);
}

/* The at-sign written out: "@", "(at)", "[at]", "apenstaartje"; the bare
 * word "at" only when `bare` allows it. */
static int at_marker(const token *t, int bare)
{
    if (tok_is(t, "@") || tok_is(t, "apenstaartje") || tok_is(t, "apenstaart"))
        return 1;
    if (tok_is(t, "at"))
        return bare;
    return tok_marker(t, "at");
}

static int dot_marker(const token *t)
{
    return tok_is(t, ".") || tok_marker(t, "dot") || tok_marker(t, "punt");
}

/* 1 when the token holds an at-sign, written or bracketed ("jan(at)mail.nl"). */
static int has_at(const token *t)
{
    static const char *const forms[] = {"@", "(at)", "[at]", "{at}", "<at>"};
    for (size_t f = 0; f < sizeof forms / sizeof forms[0]; f++) {
        size_t fl = strlen(forms[f]);
        for (size_t i = 0; i + fl <= t->n; i++) {
            token sub = {t->s + i, fl};
            if (tok_is(&sub, forms[f]))
                return 1;
        }
    }
    return 0;
}

/* A host name as a word: letters or digits on both sides of a dot. */
static int domain_like(const token *t)
{
    for (size_t i = 1; i + 1 < t->n; i++)
        if (t->s[i] == '.' && !strchr(".@", t->s[i - 1]) && is_alpha(t->s[i + 1]))
            return 1;
    return 0;
}

/* The tokens after an at-sign that make the domain: one word, then any
 * number of (dot marker, word). Returns how many. */
static size_t domain_tokens(const token *t, size_t n)
{
    if (n == 0)
        return 0;
    size_t k = 1;
    while (k + 1 < n && dot_marker(&t[k]))
        k += 2;
    return k;
}

/* How many tokens from t[0] an e-mail address takes, 0 when none starts
 * there. */
static size_t email_at(const token *t, size_t n)
{
    if (has_at(&t[0])) {
        /* "jan@" or "jan(at)" ends in its at-sign: the domain follows. */
        token tail = {t[0].s + (t[0].n > 4 ? t[0].n - 4 : 0), t[0].n > 4 ? 4 : t[0].n};
        if (t[0].s[t[0].n - 1] == '@' || tok_marker(&tail, "at"))
            return 1 + domain_tokens(t + 1, n - 1);
        return 1 + (n > 2 && dot_marker(&t[1]) ? 2 : 0);
    }
    if (n < 3)
        return 0;
    /* "jan at mail.nl", "jan [at] mail punt nl", "jan @ mail.nl" */
    int bare = domain_like(&t[2]) || (n > 4 && dot_marker(&t[3]));
    if (!at_marker(&t[1], bare))
        return 0;
    return 2 + domain_tokens(t + 2, n - 2);
}

static size_t digits_in(const token *t)
{
    size_t d = 0;
    for (size_t i = 0; i < t->n; i++)
        d += is_digit(t->s[i]);
    return d;
}

/* Only digits and the marks numbers are written with: "+31", "06-1234",
 * "123.456.782", "(030)". */
static int numeric(const token *t)
{
    return digits_in(t) > 0 && strspn(t->s, "0123456789+-./()") >= t->n;
}

/* How many tokens from t[0] a number of 6 or more digits takes, however
 * it is grouped; 0 when none starts there. */
static size_t number_at(const token *t, size_t n)
{
    if (digits_in(&t[0]) >= 6)
        return 1;
    if (!numeric(&t[0]))
        return 0;
    size_t k = 0, d = 0;
    while (k < n && numeric(&t[k]))
        d += digits_in(&t[k++]);
    return d >= 6 ? k : 0;
}

/* An IBAN, written whole or in groups of four: two letters, two digits,
 * then letters and digits, 15 to 34 in all ("nl91 abna 0417 1643 00").
 * From the third group on a group holds a digit (the bank code may not). */
static size_t iban_at(const token *t, size_t n)
{
    const token *f = &t[0];
    if (f->n < 4 || !is_alpha(f->s[0]) || !is_alpha(f->s[1]) || !is_digit(f->s[2]) ||
        !is_digit(f->s[3]))
        return 0;
    size_t len = 0, k = 0;
    for (; k < n; k++) {
        size_t a = 0;
        while (a < t[k].n && (is_alpha(t[k].s[a]) || is_digit(t[k].s[a])))
            a++;
        if (a != t[k].n)
            break;
        if (k > 0 && (t[k - 1].n != 4 || t[k].n > 4 || (k > 1 && !digits_in(&t[k]))))
            break;
        if (len + t[k].n > 34)
            break;
        len += t[k].n;
    }
    return len >= 15 ? k : 0;
}

/* Letters of a house-number suffix: none or one. */
static int house_number(const char *s, size_t n)
{
    size_t d = 0;
    while (d < n && is_digit(s[d]))
        d++;
    return d >= 1 && d <= 5 && (n == d || (n == d + 1 && is_alpha(s[d])));
}

/* A postcode with its house number: "3811 ab 12", "3811ab12", "3811ab 12a",
 * "3811 ab12". */
static size_t address_at(const token *t, size_t n)
{
    /* Join up to three tokens and try the whole forms. */
    char joined[64];
    size_t len = 0;
    for (size_t k = 0; k < n && k < 3; k++) {
        if (len + t[k].n >= sizeof joined)
            return 0;
        memcpy(joined + len, t[k].s, t[k].n);
        len += t[k].n;
        /* joined = postcode (4 digits, 2 letters) + house number? */
        if (len >= 7 && is_digit(joined[0]) && joined[0] != '0' && is_digit(joined[1]) &&
            is_digit(joined[2]) && is_digit(joined[3]) && is_alpha(joined[4]) &&
            is_alpha(joined[5]) && house_number(joined + 6, len - 6))
            return k + 1;
    }
    return 0;
}

char *vp_text_scrub(const char *s)
{
    token t[SCRUB_MAX_TOKENS];
    size_t n = 0;
    for (const char *p = s; *p && n < SCRUB_MAX_TOKENS;) {
        while (*p && (unsigned char)*p <= ' ')
            p++;
        size_t len = 0;
        while (p[len] && (unsigned char)p[len] > ' ')
            len++;
        if (!len)
            break;
        t[n].s = p;
        t[n].n = len;
        n++;
        p += len;
    }
    vp_buf b;
    vp_buf_init(&b, strlen(s) + 16 * SCRUB_MAX_TOKENS);
    vp_status st = VP_OK;
    for (size_t i = 0; i < n && st == VP_OK;) {
        size_t k;
        const char *mark = NULL;
        if ((k = email_at(t + i, n - i)) != 0)
            mark = "[e-mail]";
        else if ((k = iban_at(t + i, n - i)) != 0)
            mark = "[nummer]";
        else if ((k = address_at(t + i, n - i)) != 0)
            mark = "[adres]";
        else if ((k = number_at(t + i, n - i)) != 0)
            mark = "[nummer]";
        else
            k = 1;
        if (b.len)
            st = vp_buf_puts(&b, " ");
        if (st == VP_OK)
            st = mark ? vp_buf_puts(&b, mark) : vp_buf_append(&b, t[i].s, t[i].n);
        i += k;
    }
    char *out = st == VP_OK ? vp_buf_steal(&b) : NULL;
    vp_buf_free(&b);
    return out;
}
