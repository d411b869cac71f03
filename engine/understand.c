/* understand.c - place, day and age words in a query (see understand.h).
 *
 * Works on the folded, lower-case words of q. Each kind is taken once, the
 * first that matches; the words it took are left out of the words to
 * match. A query none of whose words would be left is not touched
 * ("utrecht" alone is still a word to match), unless it names a day: then
 * it browses what is on that day. */
#include "understand.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"
#include "vindplaats/analysis.h"
#include "vindplaats/lexicon.h"
#include "vindplaats/offering.h"
#include "xapian_c.h"

#define MAX_WORDS 32
#define WORD_SIZE 64

static const char *const kind_names[VP_UNDERSTOOD_KIND_COUNT] = {"place", "date", "audience"};

const char *vp_understood_kind_name(vp_understood_kind k)
{
    return (unsigned)k < VP_UNDERSTOOD_KIND_COUNT ? kind_names[k] : "unknown";
}

typedef struct words {
    char w[MAX_WORDS][WORD_SIZE];
    int taken[MAX_WORDS];
    size_t begin[MAX_WORDS], end[MAX_WORDS]; /* bytes of the folded query */
    size_t n;
    int more;  /* words past MAX_WORDS or too long to look at */
} words;

static int is_word(const words *ws, size_t i, const char *w)
{
    return i < ws->n && strcmp(ws->w[i], w) == 0;
}

static int one_of(const char *w, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (strcmp(w, list[i]) == 0)
            return 1;
    return 0;
}

/* Writes the words [first, last] joined by spaces into u->text and marks them. */
static void take(words *ws, size_t first, size_t last, vp_understood *u)
{
    size_t o = 0;
    u->text[0] = '\0';
    for (size_t i = first; i <= last && i < ws->n; i++) {
        ws->taken[i] = 1;
        o += (size_t)snprintf(u->text + o, o < sizeof u->text ? sizeof u->text - o : 0, "%s%s",
                              i > first ? " " : "", ws->w[i]);
    }
}

/* ---- places: the municipalities the index holds ---- */

static int place(vp_index *idx, words *ws, vp_understood *u)
{
    char term[3 * WORD_SIZE + 8];
    for (size_t i = 0; i < ws->n; i++)
        for (size_t len = 3; len >= 1; len--) {
            if (i + len > ws->n)
                continue;
            /* "den haag", "bergen op zoom": as the index folds them. */
            size_t o = (size_t)snprintf(term, sizeof term, "%s", vp_field_prefix[VP_FIELD_MUNICIPALITY]);
            for (size_t k = 0; k < len; k++)
                o += (size_t)snprintf(term + o, sizeof term - o, "%s%s", k ? " " : "", ws->w[i + k]);
            uint64_t n = 0;
            if (strlen(ws->w[i]) < 3 || vpx_db_termfreq(vp_index_db(idx), term, &n, NULL) != VP_OK ||
                n == 0)
                continue;
            u->kind = VP_UNDERSTOOD_PLACE;
            snprintf(u->value, sizeof u->value, "%s", term + strlen(vp_field_prefix[VP_FIELD_MUNICIPALITY]));
            /* "in amersfoort", "bij utrecht": the preposition goes too. */
            size_t first = i > 0 && (is_word(ws, i - 1, "in") || is_word(ws, i - 1, "bij") ||
                                     is_word(ws, i - 1, "rond") || is_word(ws, i - 1, "omgeving"))
                               ? i - 1
                               : i;
            take(ws, first, i + len - 1, u);
            return 1;
        }
    return 0;
}

/* ---- days and periods ---- */

static int weekday_of(int day) /* 0 Sunday .. 6 Saturday */
{
    int64_t d = vp_day_to_epoch(day);
    return (int)(((d + 4) % 7 + 7) % 7);
}

static int add_days(int day, int n)
{
    return vp_day_from_epoch(vp_day_to_epoch(day) + n);
}

/* School holidays, the earliest start and latest end over the three
 * regions (Rijksoverheid's dates for the school years 2026-2027 and
 * 2027-2028); the boost is a preference, so a day of another region's
 * holiday is no harm. */
static const struct holiday {
    const char *name;
    int from, to;
} holidays[] = {
    {"herfstvakantie", 20261010, 20261025},   {"kerstvakantie", 20261219, 20270103},
    {"voorjaarsvakantie", 20270213, 20270228}, {"krokusvakantie", 20270213, 20270228},
    {"meivakantie", 20270424, 20270502},       {"zomervakantie", 20270710, 20270905},
    {"herfstvakantie", 20271016, 20271031},   {"kerstvakantie", 20271225, 20280109},
};

static int period(words *ws, int today, vp_understood *u)
{
    static const char *const days[] = {"zondag", "maandag", "dinsdag", "woensdag",
                                       "donderdag", "vrijdag", "zaterdag", NULL};
    for (size_t i = 0; i < ws->n; i++) {
        const char *w = ws->w[i];
        int from = 0, to = 0;
        size_t first = i, last = i;
        if (strcmp(w, "vandaag") == 0 || strcmp(w, "vanavond") == 0 ||
            strcmp(w, "vanmiddag") == 0 || strcmp(w, "vanochtend") == 0) {
            from = to = today;
        } else if (strcmp(w, "morgen") == 0 || strcmp(w, "overmorgen") == 0) {
            from = to = add_days(today, w[0] == 'o' ? 2 : 1);
            /* "morgenavond" is one word; "morgen avond" two. */
            if (is_word(ws, i + 1, "avond") || is_word(ws, i + 1, "middag") ||
                is_word(ws, i + 1, "ochtend"))
                last = i + 1;
        } else if (strcmp(w, "weekend") == 0) {
            int wd = weekday_of(today);
            from = wd == 6 || wd == 0 ? today : add_days(today, 6 - wd);
            to = add_days(today, wd == 0 ? 0 : 7 - wd);
            if (i > 0 && (is_word(ws, i - 1, "dit") || is_word(ws, i - 1, "komend") ||
                          is_word(ws, i - 1, "komende")))
                first = i - 1;
            if (i > 0 && is_word(ws, i - 1, "volgend")) {
                first = i - 1;
                from = add_days(from, 7);
                to = add_days(to, 7);
            }
        } else if (strcmp(w, "week") == 0 && i > 0 &&
                   (is_word(ws, i - 1, "deze") || is_word(ws, i - 1, "volgende"))) {
            int wd = weekday_of(today), to_sunday = wd == 0 ? 0 : 7 - wd;
            first = i - 1;
            from = ws->w[i - 1][0] == 'd' ? today : add_days(today, to_sunday + 1);
            to = ws->w[i - 1][0] == 'd' ? add_days(today, to_sunday) : add_days(today, to_sunday + 7);
        } else {
            for (int d = 0; days[d] && !from; d++) {
                size_t len = strlen(days[d]);
                /* "zaterdag", "zaterdagmiddag", "zaterdagavond" */
                if (strncmp(w, days[d], len) != 0 ||
                    !(w[len] == '\0' || strcmp(w + len, "avond") == 0 ||
                      strcmp(w + len, "middag") == 0 || strcmp(w + len, "ochtend") == 0))
                    continue;
                from = to = add_days(today, (d - weekday_of(today) + 7) % 7);
            }
            for (size_t h = 0; !from && h < sizeof holidays / sizeof *holidays; h++)
                if (strcmp(w, holidays[h].name) == 0 && holidays[h].to >= today) {
                    from = holidays[h].from > today ? holidays[h].from : today;
                    to = holidays[h].to;
                }
        }
        if (!from)
            continue;
        /* "in de kerstvakantie", "op zaterdag": the little words go too. */
        while (first > 0 && (is_word(ws, first - 1, "in") || is_word(ws, first - 1, "de") ||
                             is_word(ws, first - 1, "op") || is_word(ws, first - 1, "tijdens") ||
                             is_word(ws, first - 1, "deze")))
            first--;
        u->kind = VP_UNDERSTOOD_DATE;
        u->from_day = from;
        u->to_day = to;
        u->value[0] = '\0';
        take(ws, first, last, u);
        return 1;
    }
    return 0;
}

/* ---- ages and audiences ---- */

static const char *group_of_age(int age)
{
    return age <= 1 ? "baby" : age <= 3 ? "peuter" : age <= 6 ? "kleuter" : "jeugd";
}

static int audience(words *ws, vp_understood *u)
{
    static const struct {
        const char *group;
        const char *const words[8];
    } groups[] = {
        {"baby", {"baby", "babys", "baby's", NULL}},
        {"peuter", {"peuter", "peuters", "dreumes", "dreumesen", NULL}},
        {"kleuter", {"kleuter", "kleuters", NULL}},
        {"jeugd", {"kinderen", "kids", "tieners", "jongeren", "jeugd", NULL}},
        {"senioren", {"senioren", "ouderen", "65plus", NULL}},
    };
    static const char *const child[] = {"kind", "kinderen", "kleinkind", "kleinkinderen",
                                        "zoon", "dochter", "kleinzoon", "kleindochter",
                                        "kindje", NULL};
    /* "van 5", "5 jaar", "van 5 jaar", "(klein)kind van 5". */
    for (size_t i = 0; i < ws->n; i++) {
        const char *w = ws->w[i];
        size_t len = strlen(w);
        if (len == 0 || len > 2 || strspn(w, "0123456789") != len)
            continue;
        int age = atoi(w);
        int van = i > 0 && is_word(ws, i - 1, "van");
        int jaar = is_word(ws, i + 1, "jaar");
        if (age > 17 || !(van || jaar))
            continue;
        size_t first = van ? i - 1 : i, last = jaar ? i + 1 : i;
        /* "voor mijn kleinkind van 5": the words around it go too. */
        if (first > 0 && one_of(ws->w[first - 1], child))
            first--;
        static const char *const whose[] = {"mijn", "m'n", "mn", "onze", "ons", "ons", "je",
                                            "jouw", "uw", "de", "het", "een", NULL};
        if (first > 0 && one_of(ws->w[first - 1], whose))
            first--;
        if (first > 0 && is_word(ws, first - 1, "voor"))
            first--;
        u->kind = VP_UNDERSTOOD_AUDIENCE;
        snprintf(u->value, sizeof u->value, "%s", group_of_age(age));
        take(ws, first, last, u);
        return 1;
    }
    for (size_t i = 0; i < ws->n; i++)
        for (size_t g = 0; g < sizeof groups / sizeof *groups; g++)
            if (one_of(ws->w[i], groups[g].words)) {
                u->kind = VP_UNDERSTOOD_AUDIENCE;
                snprintf(u->value, sizeof u->value, "%s", groups[g].group);
                take(ws, i, i, u);
                return 1;
            }
    return 0;
}

/* ---- the query ---- */

vp_status understand_query(vp_index *idx, const char *q, unsigned without, int today,
                           char **rest, vp_understood *out, size_t *n)
{
    *rest = NULL;
    *n = 0;
    if (!q || (without & VP_WITHOUT_UNDERSTANDING) == VP_WITHOUT_UNDERSTANDING)
        return VP_OK;
    char *cut = vp_text_cut(q, VP_SEARCH_MAX_QUERY);
    char *folded = cut ? vp_text_fold(cut, 0) : NULL;
    free(cut);
    if (!folded)
        return VP_ERR_NOMEM;
    /* Query syntax is the resident's own plan: leave it alone. */
    int syntax = strpbrk(folded, "\"():*+") != NULL;
    for (const char *const *op = (const char *const[]){" AND ", " OR ", " NOT ", NULL}; *op; op++)
        syntax |= strstr(folded, *op) != NULL;
    words *ws = syntax ? NULL : calloc(1, sizeof *ws);
    vp_status st = syntax || ws ? VP_OK : VP_ERR_NOMEM;
    for (const char *p = folded; ws && *p && ws->n < MAX_WORDS;) {
        while (*p && !((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                       (*p >= '0' && *p <= '9') || *p == '\'' || (unsigned char)*p >= 0x80))
            p++;
        size_t len = 0;
        while ((p[len] >= 'a' && p[len] <= 'z') || (p[len] >= 'A' && p[len] <= 'Z') ||
               (p[len] >= '0' && p[len] <= '9') || p[len] == '\'' || (unsigned char)p[len] >= 0x80)
            len++;
        if (!len)
            break;
        if (len < WORD_SIZE) {
            for (size_t i = 0; i < len; i++)
                ws->w[ws->n][i] = (char)(p[i] >= 'A' && p[i] <= 'Z' ? p[i] - 'A' + 'a' : p[i]);
            ws->begin[ws->n] = (size_t)(p - folded);
            ws->end[ws->n] = (size_t)(p - folded) + len;
            ws->n++;
        } else {
            ws->more = 1;
        }
        p += len;
        if (ws->n == MAX_WORDS && p[strspn(p, " \t\r\n")])
            ws->more = 1;
    }
    if (!ws) {
        free(folded);
        return st;
    }
    vp_understood found[VP_UNDERSTOOD_MAX];
    size_t k = 0;
    memset(found, 0, sizeof found);
    if (!(without & VP_WITHOUT_PLACE_WORDS) && place(idx, ws, &found[k]))
        k++;
    if (!(without & VP_WITHOUT_DAY_WORDS) && period(ws, today, &found[k]))
        k++;
    if (!(without & VP_WITHOUT_AGE_WORDS) && audience(ws, &found[k]))
        k++;
    /* The words left, as typed ("e-book" stays one), and whether one of
     * them is not a stop word. */
    const vp_lexicon *lex = vp_index_lexicon(idx);
    int content = ws->more;
    for (size_t i = 0; k && i < ws->n; i++) {
        if (ws->taken[i])
            memset(folded + ws->begin[i], ' ', ws->end[i] - ws->begin[i]);
        else
            content |= !(lex && vp_lexicon_only_stopwords(lex, ws->w[i]));
    }
    free(ws);
    /* Only a day or period ("zaterdag", "in de kerstvakantie"): what is
     * on then, the soonest first. A place or an age alone stays a word. */
    int dated = 0;
    for (size_t i = 0; i < k; i++)
        dated |= found[i].kind == VP_UNDERSTOOD_DATE;
    if (st == VP_OK && k && (content || dated)) {
        *rest = folded;
        memcpy(out, found, k * sizeof *found);
        *n = k;
        return VP_OK;
    }
    free(folded);
    return st;
}
