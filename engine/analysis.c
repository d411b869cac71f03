/* analysis.c - diacritics folding and UTF-8 helpers (see analysis.h). */
#include "vindplaats/analysis.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
