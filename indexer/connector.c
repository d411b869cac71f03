/* connector.c - helpers every connector's parser uses (connector.h): fields,
 * strings, and the values records share (dates, prices, ids, ISBNs,
 * languages). */
#include "vindplaats/connector.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vindplaats/analysis.h"
#include "vindplaats/hash.h"
#include "vindplaats/time.h"

/* White space, and the other control characters (which no offering field
 * may hold) taken as white space. */
static int is_space(unsigned char c)
{
    return c <= 0x20 || c == 0x7f;
}

/* A copy of `s` trimmed, with runs of white space made one space, or (when
 * keep_lines) with line breaks kept: a run with one line break becomes one,
 * a run with more becomes a blank line (a paragraph break). */
static char *tidy(const char *s, int keep_lines)
{
    size_t n = strlen(s);
    char *out = malloc(n + 1), *w = out;
    if (!out)
        return NULL;
    int pending = 0; /* 1: a space, 2: a line break, 3: a blank line */
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (is_space(*p)) {
            if (keep_lines && *p == '\n')
                pending = pending >= 2 ? 3 : 2;
            else if (!pending)
                pending = 1;
            continue;
        }
        if (pending && w > out) {
            if (pending == 3)
                *w++ = '\n';
            *w++ = pending >= 2 ? '\n' : ' ';
        }
        pending = 0;
        *w++ = (char)*p;
    }
    *w = '\0';
    return out;
}

static int set(json_t *fields, const char *key, const char *s, int keep_lines)
{
    if (!s)
        return 0;
    char *t = tidy(s, keep_lines);
    if (!t)
        return -1;
    int rc = 0;
    if (*t) {
        json_t *v = json_string(t);
        if (!v) {
            /* not valid UTF-8: the record's validation reports it, so keep
             * the bytes for the message rather than dropping the field */
            v = json_stringn_nocheck(t, strlen(t));
        }
        rc = v && json_object_set_new(fields, key, v) == 0 ? 0 : -1;
    }
    free(t);
    return rc;
}

int vp_fields_set(json_t *fields, const char *key, const char *s)
{
    return set(fields, key, s, 0);
}

int vp_fields_set_text(json_t *fields, const char *key, const char *s)
{
    return set(fields, key, s, 1);
}

int vp_fields_add(json_t *fields, const char *list_key, const char *s)
{
    if (!s)
        return 0;
    char *t = tidy(s, 0);
    if (!t)
        return -1;
    int rc = 0;
    if (*t) {
        json_t *list = json_object_get(fields, list_key);
        if (!json_is_array(list)) {
            list = json_array();
            if (!list || json_object_set_new(fields, list_key, list) != 0) {
                free(t);
                return -1;
            }
        }
        size_t i;
        json_t *v;
        json_array_foreach(list, i, v) {
            if (json_is_string(v) && strcmp(json_string_value(v), t) == 0) {
                free(t);
                return 0;
            }
        }
        v = json_string(t);
        if (!v)
            v = json_stringn_nocheck(t, strlen(t));
        rc = v && json_array_append_new(list, v) == 0 ? 0 : -1;
    }
    free(t);
    return rc;
}

int vp_is_blank(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

char *vp_str_trim(char *s)
{
    if (!s)
        return NULL;
    char *b = s;
    while (vp_is_blank((unsigned char)*b))
        b++;
    size_t n = strlen(b);
    while (n > 0 && vp_is_blank((unsigned char)b[n - 1]))
        n--;
    memmove(s, b, n);
    s[n] = '\0';
    return s;
}

const char *vp_str_find_ci(const char *p, const char *end, const char *needle)
{
    size_t n = strlen(needle);
    for (; p + n <= end; p++) {
        size_t i = 0;
        while (i < n && tolower((unsigned char)p[i]) == needle[i])
            i++;
        if (i == n)
            return p;
    }
    return NULL;
}

void vp_emit_broken(const vp_emit *emit, const vp_error *why)
{
    vp_where at = {NULL, 0, why->path ? why->path : "page", NULL};
    vp_error e = VP_ERROR_INIT;
    vp_error_set(&e, VP_ERR_INVALID, &at,
                 "the page breaks off here (%.300s); the records before it are kept",
                 why->message ? why->message : vp_status_str(why->status));
    if (emit->broken)
        emit->broken(emit->ctx, &e);
    else
        emit->reject(emit->ctx, e.path ? e.path : "page",
                     e.message ? e.message : vp_status_str(e.status));
    vp_error_clear(&e);
}

/* ---- field values ---------------------------------------------------- */

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}


vp_status vp_local_datetime(const char *s, char out[32], int *has_time)
{
    int y, mo, d, h = 0, mi = 0, sec = 0;
    if (!s)
        return VP_ERR_INVALID;
    while (isspace((unsigned char)*s))
        s++;
    const char *p = s;
    if (digits(p, 4, &y) != 0)
        return VP_ERR_INVALID;
    p += 4;
    int basic = 0;
    if (*p == '-') {
        if (digits(p + 1, 2, &mo) != 0 || p[3] != '-' || digits(p + 4, 2, &d) != 0)
            return VP_ERR_INVALID;
        p += 6;
    } else {
        if (digits(p, 2, &mo) != 0 || digits(p + 2, 2, &d) != 0)
            return VP_ERR_INVALID;
        p += 4;
        basic = 1;
    }
    if (y < 1000 || y > 9999 || !vp_day_valid(y * 10000 + mo * 100 + d))
        return VP_ERR_INVALID;
    while (*p == ' ' && (p[1] == ' ' || p[1] == '\0'))
        p++;
    if (*p == '\0') {
        snprintf(out, 32, "%04d-%02d-%02d", y, mo, d);
        if (has_time)
            *has_time = 0;
        return VP_OK;
    }
    if (*p != 'T' && *p != 't' && *p != ' ')
        return VP_ERR_INVALID;
    p++;
    if (digits(p, 2, &h) != 0)
        return VP_ERR_INVALID;
    p += 2;
    if (*p == ':')
        p++;
    else if (!basic)
        return VP_ERR_INVALID;
    if (digits(p, 2, &mi) != 0)
        return VP_ERR_INVALID;
    p += 2;
    if (*p == ':' || (basic && isdigit((unsigned char)*p))) {
        if (*p == ':')
            p++;
        if (digits(p, 2, &sec) != 0)
            return VP_ERR_INVALID;
        p += 2;
        if (*p == '.' || *p == ',') {
            p++;
            while (isdigit((unsigned char)*p))
                p++;
        }
    }
    if (h > 23 || mi > 59 || sec > 60)
        return VP_ERR_INVALID;
    if (sec == 60)
        sec = 59;
    while (*p == ' ')
        p++;
    int off;
    if (*p == 'Z' || *p == 'z') {
        off = 0;
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh, om = 0;
        int sign = *p == '-' ? -1 : 1;
        p++;
        if (digits(p, 2, &oh) != 0)
            return VP_ERR_INVALID;
        p += 2;
        if (*p == ':')
            p++;
        if (isdigit((unsigned char)*p)) {
            if (digits(p, 2, &om) != 0)
                return VP_ERR_INVALID;
            p += 2;
        }
        if (oh > 23 || om > 59)
            return VP_ERR_INVALID;
        off = sign * (oh * 60 + om);
    } else {
        off = vp_nl_wall_offset(y, mo, d, h, mi) / 60;
    }
    while (isspace((unsigned char)*p))
        p++;
    if (*p != '\0')
        return VP_ERR_INVALID;
    /* (The values are checked above; the modulos tell the compiler.) */
    if (off == 0) {
        snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02dZ", y % 10000, mo % 100, d % 100, h % 100,
                 mi % 100, sec % 100);
    } else {
        int a = off < 0 ? -off : off;
        snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", y % 10000, mo % 100, d % 100,
                 h % 100, mi % 100, sec % 100, off < 0 ? '-' : '+', a / 60 % 100, a % 60);
    }
    if (has_time)
        *has_time = 1;
    return VP_OK;
}

int vp_price_parse(const char *s, double *amount)
{
    if (!s)
        return -1;
    while (isspace((unsigned char)*s))
        s++;
    if (!strcasecmp(s, "gratis") || !strcasecmp(s, "free") || !strcasecmp(s, "kosteloos") ||
        !strcasecmp(s, "gratis!")) {
        *amount = 0;
        return 0;
    }
    char buf[64];
    size_t n = 0;
    int seen_digit = 0;
    for (const char *p = s; *p; p++) {
        if (n >= sizeof buf - 1)
            return -1;
        if (isdigit((unsigned char)*p)) {
            buf[n++] = *p;
            seen_digit = 1;
        } else if (*p == ',' || *p == '.') {
            if (seen_digit)
                buf[n++] = *p;
        } else if (*p == '-' && seen_digit && p[-1] != '-' && (p[-1] == ',' || p[-1] == '.')) {
            /* "5,-" */
        } else if (seen_digit && (isalpha((unsigned char)*p) || (unsigned char)*p >= 0x80)) {
            break; /* "5 euro", "5 €" */
        } else if (seen_digit && !isspace((unsigned char)*p)) {
            return -1;
        } else if (*p == '-') {
            return -1; /* negative */
        }
    }
    buf[n] = '\0';
    if (!seen_digit)
        return -1;
    /* the last separator is the decimal one; the others group thousands */
    char *last = NULL;
    for (char *p = buf; *p; p++)
        if (*p == ',' || *p == '.')
            last = p;
    char clean[64];
    size_t m = 0;
    for (char *p = buf; *p; p++) {
        if (p == last)
            clean[m++] = '.';
        else if (isdigit((unsigned char)*p))
            clean[m++] = *p;
    }
    clean[m] = '\0';
    char *end;
    double a = strtod(clean, &end);
    if (end == clean || !(a >= 0) || a > 1e9)
        return -1;
    *amount = a;
    return 0;
}

void vp_hash_id(char out[19], const char *const *parts, size_t n)
{
    uint64_t h = VP_HASH_INIT;
    for (size_t i = 0; i < n; i++) /* each part with its NUL: the separator */
        h = vp_hash_add(h, parts[i] ? parts[i] : "", parts[i] ? strlen(parts[i]) + 1 : 1);
    snprintf(out, 19, "h-%016llx", (unsigned long long)h);
}

/* ---- ISBN and language ----------------------------------------------- */

static int isbn_ok(const char *digits, size_t n)
{
    if (n == 10) {
        int sum = 0;
        for (size_t i = 0; i < 10; i++) {
            int v;
            if (digits[i] == 'X' || digits[i] == 'x') {
                if (i != 9)
                    return 0;
                v = 10;
            } else {
                v = digits[i] - '0';
            }
            sum += v * (int)(10 - i);
        }
        return sum % 11 == 0;
    }
    if (n == 13) {
        int sum = 0;
        for (size_t i = 0; i < 13; i++) {
            if (digits[i] == 'X' || digits[i] == 'x')
                return 0;
            sum += (digits[i] - '0') * (i % 2 ? 3 : 1);
        }
        return sum % 10 == 0;
    }
    return 0;
}

static int prefix_ci(const char *s, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncasecmp(s, prefix, n) == 0;
}

char *vp_isbn_dup(const char *s, int allow_qualifier)
{
    if (!s)
        return NULL;
    while (vp_is_blank((unsigned char)*s))
        s++;
    if (prefix_ci(s, "urn:isbn:"))
        s += 9;
    else if (prefix_ci(s, "isbn")) {
        s += 4;
        if (prefix_ci(s, "-10") || prefix_ci(s, "-13"))
            s += 3;
        while (*s == ':' || vp_is_blank((unsigned char)*s))
            s++;
    }
    const char *start = s;
    char digits[16];
    size_t nd = 0;
    const char *p = s;
    for (; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (isdigit(c) || c == 'X' || c == 'x') {
            if (nd == sizeof digits - 1)
                return NULL;
            digits[nd++] = (char)c;
        } else if (c == '-' || c == ' ') {
            continue;
        } else {
            break;
        }
    }
    /* the number ends with a digit or X: drop separators after it */
    const char *end = p;
    while (end > start && (end[-1] == '-' || end[-1] == ' '))
        end--;
    if (*p && !allow_qualifier) {
        const char *q = p;
        while (*q && vp_is_blank((unsigned char)*q))
            q++;
        if (*q)
            return NULL;
    }
    if (*p && allow_qualifier && p == end && isalnum((unsigned char)*p))
        return NULL; /* "0123456789abc": not a number followed by a qualifier */
    if (!isbn_ok(digits, nd))
        return NULL;
    size_t n = (size_t)(end - start);
    if (n > 40)
        return NULL;
    char *out = malloc(n + 1);
    if (!out)
        return NULL;
    memcpy(out, start, n);
    out[n] = '\0';
    return vp_str_trim(out);
}

static const struct {
    const char *code, *iso1;
} languages[] = {
    {"dut", "nl"}, {"nld", "nl"}, {"eng", "en"}, {"ger", "de"}, {"deu", "de"},
    {"fre", "fr"}, {"fra", "fr"}, {"spa", "es"}, {"ita", "it"}, {"por", "pt"},
    {"ara", "ar"}, {"tur", "tr"}, {"pol", "pl"}, {"rus", "ru"}, {"ukr", "uk"},
    {"chi", "zh"}, {"zho", "zh"}, {"jpn", "ja"}, {"kor", "ko"}, {"gre", "el"},
    {"ell", "el"}, {"lat", "la"}, {"dan", "da"}, {"swe", "sv"}, {"nor", "no"},
    {"nob", "nb"}, {"nno", "nn"}, {"fin", "fi"}, {"ice", "is"}, {"isl", "is"},
    {"hun", "hu"}, {"cze", "cs"}, {"ces", "cs"}, {"slo", "sk"}, {"slk", "sk"},
    {"slv", "sl"}, {"hrv", "hr"}, {"srp", "sr"}, {"bos", "bs"}, {"bul", "bg"},
    {"rum", "ro"}, {"ron", "ro"}, {"alb", "sq"}, {"sqi", "sq"}, {"mac", "mk"},
    {"mkd", "mk"}, {"heb", "he"}, {"per", "fa"}, {"fas", "fa"}, {"hin", "hi"},
    {"urd", "ur"}, {"ben", "bn"}, {"pan", "pa"}, {"tam", "ta"}, {"ind", "id"},
    {"may", "ms"}, {"msa", "ms"}, {"tha", "th"}, {"vie", "vi"}, {"fry", "fy"},
    {"afr", "af"}, {"som", "so"}, {"amh", "am"}, {"tir", "ti"}, {"kur", "ku"},
    {"arm", "hy"}, {"hye", "hy"}, {"geo", "ka"}, {"kat", "ka"}, {"est", "et"},
    {"lav", "lv"}, {"lit", "lt"}, {"wel", "cy"}, {"cym", "cy"}, {"gle", "ga"},
    {"baq", "eu"}, {"eus", "eu"}, {"cat", "ca"}, {"glg", "gl"}, {"epo", "eo"},
    {"pus", "ps"}, {"swa", "sw"}, {"yid", "yi"}, {"lim", "li"}, {"ltz", "lb"},
    {"tgl", "tl"}, {"aze", "az"}, {"uzb", "uz"}, {"kaz", "kk"}, {"bel", "be"},
    {"tig", NULL}, /* Tigre has no 639-1 code: keeps "tig" from looking like one */
    /* names, in English, Dutch and the language itself */
    {"dutch", "nl"}, {"nederlands", "nl"}, {"flemish", "nl"}, {"vlaams", "nl"},
    {"english", "en"}, {"engels", "en"}, {"german", "de"}, {"deutsch", "de"},
    {"duits", "de"}, {"french", "fr"}, {"frans", "fr"}, {"fran\xc3\xa7" "ais", "fr"},
    {"spanish", "es"}, {"spaans", "es"}, {"espa\xc3\xb1ol", "es"}, {"italian", "it"},
    {"italiaans", "it"}, {"italiano", "it"}, {"portuguese", "pt"}, {"portugees", "pt"},
    {"arabic", "ar"}, {"arabisch", "ar"}, {"turkish", "tr"}, {"turks", "tr"},
    {"polish", "pl"}, {"pools", "pl"}, {"russian", "ru"}, {"russisch", "ru"},
    {"ukrainian", "uk"}, {"oekra\xc3\xaf" "ens", "uk"}, {"chinese", "zh"}, {"chinees", "zh"},
    {"japanese", "ja"}, {"japans", "ja"}, {"greek", "el"}, {"grieks", "el"},
    {"latin", "la"}, {"latijn", "la"}, {"danish", "da"}, {"deens", "da"},
    {"swedish", "sv"}, {"zweeds", "sv"}, {"norwegian", "no"}, {"noors", "no"},
    {"finnish", "fi"}, {"fins", "fi"}, {"frisian", "fy"}, {"fries", "fy"},
    {"frysk", "fy"}, {"persian", "fa"}, {"perzisch", "fa"}, {"farsi", "fa"},
    {"somali", "so"}, {"somalisch", "so"}, {"tigrinya", "ti"},
    {"hebrew", "he"}, {"hebreeuws", "he"}, {"hindi", "hi"}, {"papiamento", NULL},
};

const char *vp_language_code(const char *s)
{
    if (!s)
        return NULL;
    while (vp_is_blank((unsigned char)*s))
        s++;
    char buf[32];
    size_t n = 0;
    for (; s[n] && n < sizeof buf - 1; n++)
        buf[n] = (char)tolower((unsigned char)s[n]);
    if (s[n])
        return NULL;
    buf[n] = '\0';
    while (n > 0 && vp_is_blank((unsigned char)buf[n - 1]))
        buf[--n] = '\0';
    /* the whole value, then its first part ("nl-NL", "en_GB", "eng; dut",
     * "Nederlands / Engels") */
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            size_t cut = strcspn(buf, "-_;,/ ");
            if (cut == 0 || cut >= n)
                break;
            buf[cut] = '\0';
        }
        for (size_t i = 0; i < sizeof languages / sizeof *languages; i++)
            if (strcmp(languages[i].code, buf) == 0)
                return languages[i].iso1;
        if (strlen(buf) == 2) {
            for (size_t i = 0; i < sizeof languages / sizeof *languages; i++)
                if (languages[i].iso1 && strcmp(languages[i].iso1, buf) == 0)
                    return languages[i].iso1;
        }
    }
    return NULL;
}

/* ---- words ----------------------------------------------------------- */

char *vp_words_fold(const char *s)
{
    char *f = vp_text_fold(s ? s : "", 1);
    if (!f)
        return NULL;
    char *w = f;
    int space = 0;
    for (char *p = f; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (isalnum(c) || c >= 0x80) {
            if (space && w > f)
                *w++ = ' ';
            space = 0;
            *w++ = (char)c;
        } else {
            space = 1;
        }
    }
    *w = '\0';
    return f;
}

int vp_words_has(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++) {
        int left = p == hay || p[-1] == ' ';
        int right = p[n] == '\0' || p[n] == ' ';
        if (left && right)
            return 1;
    }
    return 0;
}

/* ---- ages: the one grammar of age phrases ---------------------------- */

static const struct {
    const char *word;
    const char *group;
    int min, max;
} age_words[] = {
    {"volwassenen", "volwassenen", 18, -1}, {"volwassene", "volwassenen", 18, -1},
    {"senioren", "senioren", 65, -1},       {"ouderen", "senioren", 65, -1},
    {"65 plussers", "senioren", 65, -1},    {"kinderen", "jeugd", 4, 12},
    {"kids", "jeugd", 4, 12},               {"jongeren", "jeugd", 12, 17},
    {"tieners", "jeugd", 12, 17},           {"jeugd", "jeugd", 4, 17},
    {"peuters", "peuter", 2, 3},            {"peuter", "peuter", 2, 3},
    {"kleuters", "kleuter", 4, 5},          {"kleuter", "kleuter", 4, 5},
    {"baby s", "baby", 0, 1},               {"babys", "baby", 0, 1},
    {"baby", "baby", 0, 1},                 {"ouders", "ouders", -1, -1},
    {"nieuwkomers", "nieuwkomers", -1, -1}, {"statushouders", "nieuwkomers", -1, -1},
    {"werkzoekenden", "werkzoekenden", -1, -1}, {"laaggeletterden", "laaggeletterden", -1, -1},
    {"alle leeftijden", "iedereen", -1, -1}, {"iedereen", "iedereen", -1, -1},
};

/* Reads a number at *p (advancing), -1 when there is none. */
static int number_at(const char **p)
{
    if (!isdigit((unsigned char)**p))
        return -1;
    long v = 0;
    while (isdigit((unsigned char)**p)) {
        v = v * 10 + (**p - '0');
        if (v > 1000)
            v = 1000;
        (*p)++;
    }
    return (int)v;
}

static const char *skip(const char *p, const char *word)
{
    while (*p == ' ')
        p++;
    size_t n = strlen(word);
    if (strncmp(p, word, n) == 0 && (p[n] == '\0' || p[n] == ' ' || !isalpha((unsigned char)p[n])))
        return p + n;
    return NULL;
}

int vp_age_phrase(const char *text, int *min_age, int *max_age, const char **group)
{
    *min_age = *max_age = -1;
    *group = NULL;
    if (!text)
        return -1;
    /* Keep '+', '-' and '/' here: they carry the meaning of age phrases. */
    char *f = vp_text_fold(text, 1);
    if (!f)
        return -1;
    int found = -1;
    for (const char *p = f; *p && found != 0; p++) {
        if (!isdigit((unsigned char)*p) || (p > f && isalnum((unsigned char)p[-1])))
            continue;
        const char *q = p;
        int a = number_at(&q);
        const char *r;
        while (*q == ' ')
            q++;
        if (*q == '+') { /* "12+", "0+" */
            *min_age = a;
            found = 0;
            break;
        }
        if (*q == '-' || (r = skip(q, "t/m")) || (r = skip(q, "tot en met")) || (r = skip(q, "tot"))) {
            const char *s = *q == '-' ? q + 1 : r;
            while (*s == ' ')
                s++;
            int b = number_at(&s);
            const char *after = s;
            int years = skip(after, "jaar") || skip(after, "jr") || skip(after, "jaar.");
            int whole = 1; /* "4-6" alone (schema.org typicalAgeRange) */
            for (const char *t = after; *t; t++)
                if (*t != ' ')
                    whole = 0;
            if (b >= 0 && b >= a && b <= 120 && (years || (whole && p == f))) {
                *min_age = a;
                *max_age = b;
                found = 0;
                break;
            }
            if (b < 0 && *q == '-' && whole && p == f) { /* "12-" */
                *min_age = a;
                found = 0;
                break;
            }
        }
        if (skip(q, "jaar") && p >= f + 6 && strncmp(p - 6, "vanaf ", 6) == 0) {
            *min_age = a;
            found = 0;
            break;
        }
    }
    if (found != 0) {
        const char *v = strstr(f, "vanaf ");
        if (v) {
            const char *q = v + 6;
            int a = number_at(&q);
            if (a >= 0 && a <= 120) {
                *min_age = a;
                found = 0;
            }
        }
    }
    if (found != 0) {
        const char *t = strstr(f, "tot ");
        if (t) {
            const char *q = t + 4;
            int b = number_at(&q);
            if (b >= 0 && b <= 120 && skip(q, "jaar")) {
                *max_age = b;
                found = 0;
            }
        }
    }
    if (found != 0) {
        char *w = vp_words_fold(text);
        for (size_t i = 0; w && i < sizeof age_words / sizeof age_words[0]; i++)
            if (vp_words_has(w, age_words[i].word)) {
                *group = age_words[i].group;
                *min_age = age_words[i].min;
                *max_age = age_words[i].max;
                found = 0;
                break;
            }
        free(w);
    }
    if (*min_age > 120 || (*max_age >= 0 && *min_age > *max_age)) {
        *min_age = *max_age = -1;
        found = -1;
    }
    free(f);
    return found;
}
