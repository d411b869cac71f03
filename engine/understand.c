/* understand.c - place, day and age words in a query (see understand.h),
 * and the data they are read with: the school holidays per region
 * (data/lexicon/schoolvakanties.tsv) and the names of the network's
 * places and branches, both held by the lexicon.
 *
 * Works on the folded, lower-case words of q. Each kind is taken once, the
 * first that matches; the words it took are left out of the words to
 * match. A query none of whose words would be left is not touched
 * ("utrecht" alone is still a word to match), unless it names a day: then
 * it browses what is on that day. */
#include "understand.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"
#include "vindplaats/analysis.h"
#include "vindplaats/geo.h"
#include "vindplaats/lexicon.h"
#include "vindplaats/offering.h"
#include "vindplaats/time.h"
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

/* ---- places: the municipalities the index holds, and the network's ---- */

#define NAME_SIZE 96
/* A branch's offerings get its town's boost and this share of it again. */
#define BRANCH_SHARE 0.5

/* One name a resident may use for a place of the network: a municipality
 * ("leusden") or a branch ("neude", "leidsche rijn"), folded, its words
 * joined by single spaces. */
typedef struct place_name {
    char name[NAME_SIZE];
    char municipality[NAME_SIZE];
    char province[NAME_SIZE];
    char label[NAME_SIZE]; /* the municipality as the network writes it ("Den Haag") */
    char branch[64];    /* the network's branch id, "" for a municipality */
    int ambiguous;      /* a branch name two branches share: not a place word */
} place_name;

struct understand_places {
    place_name *v;
    size_t n;
};

/* The folded words of `s` joined by single spaces into out (size NAME_SIZE),
 * leaving out the words of `drop` (NULL-terminated). 0 when out of memory. */
static int fold_words(const char *s, const char *const *drop, char out[NAME_SIZE])
{
    out[0] = '\0';
    char *f = s ? vp_text_fold(s, 1) : NULL;
    if (s && !f)
        return 0;
    size_t o = 0;
    for (const char *p = f; p && *p;) {
        while (*p && !((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || (unsigned char)*p >= 0x80))
            p++;
        size_t len = 0;
        while ((p[len] >= 'a' && p[len] <= 'z') || (p[len] >= '0' && p[len] <= '9') ||
               (unsigned char)p[len] >= 0x80)
            len++;
        if (!len)
            break;
        int dropped = 0;
        for (size_t d = 0; drop && drop[d]; d++)
            dropped |= strlen(drop[d]) == len && strncmp(p, drop[d], len) == 0;
        if (!dropped && o + len + 2 < NAME_SIZE)
            o += (size_t)snprintf(out + o, NAME_SIZE - o, "%s%.*s", o ? " " : "", (int)len, p);
        p += len;
    }
    free(f);
    return 1;
}

vp_status understand_places_build(const vp_network *net, understand_places **out)
{
    *out = NULL;
    size_t total = 0;
    for (size_t l = 0; net && l < vp_network_count(net); l++)
        total += vp_network_at(net, l)->n_branches;
    if (!total)
        return VP_OK;
    understand_places *pl = calloc(1, sizeof *pl);
    if (pl)
        pl->v = calloc(2 * total, sizeof *pl->v);
    if (!pl || !pl->v) {
        understand_places_destroy(pl);
        return VP_ERR_NOMEM;
    }
    /* A branch is called by its name without the words every branch has. */
    static const char *const generic[] = {"bibliotheek", "bieb", "de", "centrale", "openbare",
                                          "vestiging", NULL};
    for (size_t l = 0; l < vp_network_count(net); l++) {
        const vp_library_info *lib = vp_network_at(net, l);
        for (size_t b = 0; b < lib->n_branches; b++) {
            const vp_branch_info *br = &lib->branches[b];
            place_name town, own;
            memset(&town, 0, sizeof town);
            memset(&own, 0, sizeof own);
            snprintf(own.branch, sizeof own.branch, "%s", br->id);
            if (!fold_words(br->municipality, NULL, town.name) ||
                !fold_words(br->province, NULL, town.province) ||
                !fold_words(br->name, generic, own.name)) {
                understand_places_destroy(pl);
                return VP_ERR_NOMEM;
            }
            snprintf(town.label, sizeof town.label, "%s", br->municipality ? br->municipality : "");
            memcpy(own.label, town.label, sizeof town.label);
            memcpy(town.municipality, town.name, sizeof town.name);
            memcpy(own.municipality, town.name, sizeof town.name);
            memcpy(own.province, town.province, sizeof town.province);
            int seen_town = !town.name[0];
            for (size_t i = 0; i < pl->n; i++) {
                if (!pl->v[i].branch[0] && strcmp(pl->v[i].name, town.name) == 0)
                    seen_town = 1;
                /* "Bibliotheek Centrum" in two towns is neither. */
                if (pl->v[i].branch[0] && strcmp(pl->v[i].name, own.name) == 0)
                    pl->v[i].ambiguous = own.ambiguous = 1;
            }
            if (!seen_town)
                pl->v[pl->n++] = town;
            /* "Bibliotheek Kampen" is the municipality's word already. */
            if (strlen(own.name) >= 3 && strcmp(own.name, town.name) != 0)
                pl->v[pl->n++] = own;
        }
    }
    *out = pl;
    return VP_OK;
}

void understand_places_destroy(understand_places *pl)
{
    if (!pl)
        return;
    free(pl->v);
    free(pl);
}

/* The network's place named by the words [i, i+len), or NULL. */
static const place_name *network_place(const understand_places *pl, const words *ws, size_t i,
                                       size_t len)
{
    char phrase[NAME_SIZE];
    size_t o = 0;
    for (size_t k = 0; k < len; k++) {
        if (o + strlen(ws->w[i + k]) + 2 >= sizeof phrase)
            return NULL;
        o += (size_t)snprintf(phrase + o, sizeof phrase - o, "%s%s", k ? " " : "", ws->w[i + k]);
    }
    for (size_t p = 0; pl && p < pl->n; p++)
        if (!pl->v[p].ambiguous && strcmp(pl->v[p].name, phrase) == 0)
            return &pl->v[p];
    return NULL;
}

/* 1 when the words from `i` on are `name` (words joined by spaces); *len
 * gets how many. */
static int words_are(const words *ws, size_t i, const char *name, size_t *len)
{
    size_t k = 0;
    for (const char *p = name; *p; k++) {
        size_t n = strcspn(p, " ");
        if (i + k >= ws->n || strlen(ws->w[i + k]) != n || strncmp(ws->w[i + k], p, n) != 0)
            return 0;
        p += n + (p[n] == ' ');
    }
    *len = k;
    return k > 0;
}

/* The name of the place u names as people write it: the network's, else
 * the postcode table's, else its folded value. */
static void place_label(vp_index *idx, const place_name *net, vp_understood *u)
{
    const char *name = net && net->label[0] ? net->label : NULL;
    double lat, lon;
    if (!name && vp_postcodes_find_place(vp_lexicon_postcodes(vp_index_lexicon(idx)), u->value,
                                         &lat, &lon, &name, NULL, 0) != VP_PLACE_FOUND)
        name = NULL;
    snprintf(u->label, sizeof u->label, "%.63s", name ? name : u->value);
}

/* Takes the first place the words name: a municipality of the index (as
 * the index folds it: "den haag", "bergen op zoom"), else a municipality
 * or branch of the network. *where gets the network's entry, when there
 * is one (for the province). */
static int place(vp_index *idx, const understand_places *pl, words *ws, vp_understood *u,
                 const place_name **where)
{
    char term[3 * WORD_SIZE + 8];
    *where = NULL;
    for (size_t i = 0; i < ws->n; i++)
        for (size_t len = 3; len >= 1; len--) {
            if (i + len > ws->n || strlen(ws->w[i]) < 3)
                continue;
            size_t o = (size_t)snprintf(term, sizeof term, "%s", vp_field_prefix[VP_FIELD_MUNICIPALITY]);
            for (size_t k = 0; k < len; k++)
                o += (size_t)snprintf(term + o, sizeof term - o, "%s%s", k ? " " : "", ws->w[i + k]);
            uint64_t n = 0;
            const place_name *net = network_place(pl, ws, i, len);
            if ((vpx_db_termfreq(vp_index_db(idx), term, &n, NULL) != VP_OK || n == 0) && !net)
                continue;
            u->kind = VP_UNDERSTOOD_PLACE;
            u->branch[0] = '\0';
            if (net && net->branch[0]) {
                snprintf(u->value, sizeof u->value, "%.63s", net->municipality);
                snprintf(u->branch, sizeof u->branch, "%s", net->branch);
            } else {
                snprintf(u->value, sizeof u->value, "%s",
                         term + strlen(vp_field_prefix[VP_FIELD_MUNICIPALITY]));
            }
            /* The network's entry for the province, a branch's or its town's. */
            for (size_t p = 0; pl && !net && p < pl->n; p++)
                if (!pl->v[p].branch[0] && strcmp(pl->v[p].name, u->value) == 0)
                    net = &pl->v[p];
            *where = net;
            place_label(idx, net, u);
            size_t first = i, last = i + len - 1, more = 0;
            /* "bibliotheek neude", "de bieb in vathorst": the branch's own
             * words go too, and so does its town after it ("neude utrecht"). */
            if (u->branch[0]) {
                if (first > 0 && (is_word(ws, first - 1, "bibliotheek") || is_word(ws, first - 1, "bieb")))
                    first--;
                if (first > 0 && is_word(ws, first - 1, "de"))
                    first--;
                if (words_are(ws, last + 1, u->value, &more) ||
                    (is_word(ws, last + 1, "in") && words_are(ws, last + 2, u->value, &more) && ++more))
                    last += more;
            }
            /* "in amersfoort", "bij utrecht": the preposition goes too. */
            if (first > 0 && (is_word(ws, first - 1, "in") || is_word(ws, first - 1, "bij") ||
                              is_word(ws, first - 1, "rond") || is_word(ws, first - 1, "omgeving")))
                first--;
            take(ws, first, last, u);
            return 1;
        }
    return 0;
}

vp_status understood_branch(const vp_understood *it, double weight, struct vpx_query **boosted,
                            vp_error *err)
{
    if (it->kind != VP_UNDERSTOOD_PLACE || !it->branch[0] || !*boosted || weight <= 0)
        return VP_OK;
    char term[sizeof it->branch + 8];
    snprintf(term, sizeof term, "%s%s", vp_field_prefix[VP_FIELD_BRANCH], it->branch);
    vpx_query *parts[2] = {NULL, NULL}, *branch = NULL, *both = NULL;
    vp_status st = vpx_query_fixed_weight(weight * BRANCH_SHARE, &parts[0], err);
    if (st == VP_OK)
        st = vpx_query_term(term, &parts[1], err);
    if (st == VP_OK)
        st = vpx_query_combine(VPX_OP_FILTER, parts, 2, &branch, err);
    vpx_query *either[2] = {*boosted, branch};
    if (st == VP_OK)
        st = vpx_query_combine(VPX_OP_OR, either, 2, &both, err);
    if (st == VP_OK) {
        vpx_query_destroy(*boosted);
        *boosted = both;
    }
    vpx_query_destroy(parts[0]);
    vpx_query_destroy(parts[1]);
    vpx_query_destroy(branch);
    return st;
}

/* ---- places of the national list: the postcode table of place= ----
 *
 * A place without a library in the network ("taalcafe zeist") is found in
 * the same table the place= parameter resolves with (geo.h), after the
 * network's places, days and ages are taken, and only where a resident
 * means a place rather than a word to match:
 *   - one to four words the table names one place by (an ambiguous name,
 *     "elsloo", is none), not a name of the network (those are place());
 *   - at the end of the words left ("cursus excel houten") or after in,
 *     bij, rond or omgeving ("in best", which go too): "houten speelgoed"
 *     keeps its word;
 *   - at least three letters and not only stop words ("ee", "een");
 *   - a one-word name is no word of the index's titles or creators
 *     ("big little lies", "garth stein": Lies and Stein are villages),
 *     and without the preposition no word of the index at all: "boeken
 *     voor anderen" (Anderen, Drenthe) is a search word the offerings use.
 *     A real search word is never eaten; "in houten" always names Houten.
 * The boost is by distance from the place (understood_near), since the
 * place has no offerings of its own. */

#define NATIONAL_MAX_WORDS 4
#define NATIONAL_MIN_LETTERS 3

static int place_preposition(const char *w)
{
    return strcmp(w, "in") == 0 || strcmp(w, "bij") == 0 || strcmp(w, "rond") == 0 ||
           strcmp(w, "omgeving") == 0;
}

/* 1 when a name of the network (ambiguous ones too) is `phrase`. */
static int network_knows(const understand_places *pl, const char *phrase)
{
    for (size_t p = 0; pl && p < pl->n; p++)
        if (strcmp(pl->v[p].name, phrase) == 0 || strcmp(pl->v[p].municipality, phrase) == 0)
            return 1;
    return 0;
}

/* 1 when `word` is a term of the index with one of `prefixes` ("" for
 * any field's text), or the index cannot say: then it is kept as a word. */
static int index_word(vp_index *idx, const char *const *prefixes, const char *word)
{
    char term[WORD_SIZE + 8];
    for (size_t p = 0; prefixes[p]; p++) {
        uint64_t n = 0;
        snprintf(term, sizeof term, "%s%s", prefixes[p], word);
        if (vpx_db_termfreq(vp_index_db(idx), term, &n, NULL) != VP_OK || n > 0)
            return 1;
    }
    return 0;
}

static int national_place(vp_index *idx, const vp_lexicon *lex, words *ws, vp_understood *u)
{
    const vp_postcodes *pc = vp_lexicon_postcodes(lex);
    const understand_places *pl = vp_lexicon_places(lex);
    static const char *const titles[] = {PFX_TITLE, PFX_CREATOR, NULL}, *const text[] = {"", NULL};
    char phrase[NATIONAL_MAX_WORDS * WORD_SIZE];
    for (size_t i = 0; pc && i < ws->n; i++)
        for (size_t len = NATIONAL_MAX_WORDS; len >= 1; len--) {
            if (i + len > ws->n)
                continue;
            size_t letters = 0, o = 0;
            int free_words = 1, last = !ws->more;
            for (size_t k = 0; k < len; k++) {
                free_words &= !ws->taken[i + k];
                for (const char *c = ws->w[i + k]; *c; c++)
                    letters += (*c >= 'a' && *c <= 'z') || (unsigned char)*c >= 0x80;
                o += (size_t)snprintf(phrase + o, sizeof phrase - o, "%s%s", k ? " " : "",
                                      ws->w[i + k]);
            }
            for (size_t j = i + len; j < ws->n; j++)
                last &= ws->taken[j];
            int after = i > 0 && !ws->taken[i - 1] && place_preposition(ws->w[i - 1]);
            if (!free_words || letters < NATIONAL_MIN_LETTERS || !(last || after) ||
                (lex && vp_lexicon_only_stopwords(lex, phrase)) || network_knows(pl, phrase) ||
                (len == 1 && index_word(idx, titles, ws->w[i])) ||
                (len == 1 && !after && index_word(idx, text, ws->w[i])))
                continue;
            double lat = 0, lon = 0;
            const char *name = NULL;
            if (vp_postcodes_find_place(pc, phrase, &lat, &lon, &name, NULL, 0) != VP_PLACE_FOUND)
                continue;
            char *value = vp_text_fold(name ? name : phrase, 1);
            if (!value)
                return -1;
            u->kind = VP_UNDERSTOOD_PLACE;
            u->branch[0] = '\0';
            snprintf(u->value, sizeof u->value, "%s", value);
            snprintf(u->label, sizeof u->label, "%.63s", name ? name : phrase);
            free(value);
            u->near = 1;
            u->lat = lat;
            u->lon = lon;
            take(ws, after ? i - 1 : i, i + len - 1, u);
            return 1;
        }
    return 0;
}

vp_status understood_near(const vp_understood *it, double weight, double half_km,
                          struct vpx_query **boosted, vp_error *err)
{
    if (it->kind != VP_UNDERSTOOD_PLACE || !it->near || weight <= 0)
        return VP_OK;
    vpx_query *near = NULL, *scaled = NULL;
    vp_status st = vpx_query_near(SLOT_LOCATION, it->lat, it->lon, 0, half_km, &near, err);
    if (st == VP_OK)
        st = vpx_query_scale(near, weight, &scaled, err);
    if (st == VP_OK) {
        vpx_query_destroy(*boosted);
        *boosted = scaled;
    }
    vpx_query_destroy(near);
    return st;
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

/* ---- school holidays (data/lexicon/schoolvakanties.tsv) ---- */

#define REGIONS 3
#define ALL_REGIONS ((1u << REGIONS) - 1)
#define MAX_HOLIDAYS 256
#define MAX_ALIASES 32
#define MAX_AREAS 256
#define HOLIDAY_NAME 32

static const char *const region_names[REGIONS] = {"noord", "midden", "zuid"};

typedef struct holiday {
    char name[HOLIDAY_NAME];
    int year;    /* the school year's first year */
    int region;  /* index in region_names */
    int from, to;
    int mandatory; /* "verplicht"; else "advies" */
} holiday;

typedef struct area {
    char name[NAME_SIZE]; /* folded */
    unsigned regions;     /* bits of region_names */
} area;

struct understand_calendar {
    holiday holidays[MAX_HOLIDAYS];
    size_t n_holidays;
    char alias[MAX_ALIASES][2][HOLIDAY_NAME]; /* word, holiday */
    size_t n_aliases;
    area provinces[MAX_AREAS], municipalities[MAX_AREAS];
    size_t n_provinces, n_municipalities;
};

/* YYYY-MM-DD as YYYYMMDD, 0 when it is not a day of the calendar. */
static int parse_day(const char *s)
{
    int y, m, d, n = 0;
    if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10 ||
        y < 2000 || y > 2100 || m < 1 || m > 12 || d < 1 || d > 31)
        return 0;
    int day = y * 10000 + m * 100 + d;
    return vp_day_from_epoch(vp_day_to_epoch(day)) == day ? day : 0;
}

/* A lower-case word of letters: a holiday's name or another word for it. */
static int holiday_word(const char *s)
{
    size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz");
    return n > 0 && n < HOLIDAY_NAME && s[n] == '\0';
}

/* "noord,midden" as bits; 0 when a name is no region. */
static unsigned parse_regions(const char *s)
{
    unsigned bits = 0;
    for (const char *p = s; *p;) {
        size_t n = strcspn(p, ","), r = 0;
        while (r < REGIONS && !(strlen(region_names[r]) == n && strncmp(p, region_names[r], n) == 0))
            r++;
        if (r == REGIONS)
            return 0;
        bits |= 1u << r;
        p += n + (p[n] == ',');
    }
    return bits;
}

static const char *holiday_line(understand_calendar *cal, char **f, size_t nf)
{
    if (strcmp(f[0], "holiday") == 0) {
        if (nf != 7)
            return "expected holiday<TAB>name<TAB>school year<TAB>region<TAB>from<TAB>to<TAB>"
                   "verplicht or advies";
        holiday h;
        memset(&h, 0, sizeof h);
        int y1 = 0, y2 = 0, n = 0;
        if (!holiday_word(f[1]))
            return "the holiday's name is not one lower-case word";
        snprintf(h.name, sizeof h.name, "%s", f[1]);
        if (sscanf(f[2], "%4d-%4d%n", &y1, &y2, &n) != 2 || n != 9 || (size_t)n != strlen(f[2]) ||
            y2 != y1 + 1)
            return "the school year is not YYYY-YYYY of two years in a row";
        h.year = y1;
        unsigned r = parse_regions(f[3]);
        if (r == 0 || (r & (r - 1)) != 0)
            return "the region is not one of noord, midden, zuid";
        while (!(r & (1u << h.region)))
            h.region++;
        h.from = parse_day(f[4]);
        h.to = parse_day(f[5]);
        if (!h.from || !h.to)
            return "a date is not YYYY-MM-DD";
        if (h.to < h.from || vp_day_to_epoch(h.to) - vp_day_to_epoch(h.from) > 92)
            return "the holiday ends before it begins or lasts more than 13 weeks";
        if (h.from / 10000 < y1 || h.to / 10000 > y2)
            return "the dates are not in the school year";
        if (strcmp(f[6], "verplicht") == 0)
            h.mandatory = 1;
        else if (strcmp(f[6], "advies") != 0)
            return "the status is not verplicht or advies";
        for (size_t i = 0; i < cal->n_holidays; i++)
            if (strcmp(cal->holidays[i].name, h.name) == 0 && cal->holidays[i].year == h.year &&
                cal->holidays[i].region == h.region)
                return "this holiday of this school year and region is given twice";
        if (cal->n_holidays == MAX_HOLIDAYS)
            return "too many holidays";
        cal->holidays[cal->n_holidays++] = h;
        return NULL;
    }
    if (strcmp(f[0], "alias") == 0) {
        if (nf != 3 || !holiday_word(f[1]) || !holiday_word(f[2]))
            return "expected alias<TAB>word<TAB>holiday, each one lower-case word";
        int known = 0;
        for (size_t i = 0; i < cal->n_holidays; i++) {
            known |= strcmp(cal->holidays[i].name, f[2]) == 0;
            if (strcmp(cal->holidays[i].name, f[1]) == 0)
                return "the word is a holiday's own name";
        }
        if (!known)
            return "no holiday above has that name";
        if (cal->n_aliases == MAX_ALIASES)
            return "too many aliases";
        snprintf(cal->alias[cal->n_aliases][0], HOLIDAY_NAME, "%s", f[1]);
        snprintf(cal->alias[cal->n_aliases++][1], HOLIDAY_NAME, "%s", f[2]);
        return NULL;
    }
    int province = strcmp(f[0], "province") == 0;
    if (province || strcmp(f[0], "municipality") == 0) {
        if (nf != 3)
            return "expected province or municipality<TAB>name<TAB>regions";
        area a;
        memset(&a, 0, sizeof a);
        a.regions = parse_regions(f[2]);
        if (!a.regions)
            return "the regions are not noord, midden or zuid, separated by commas";
        if (!fold_words(f[1], NULL, a.name))
            return "out of memory";
        if (!a.name[0])
            return "the name is empty";
        area *list = province ? cal->provinces : cal->municipalities;
        size_t *n = province ? &cal->n_provinces : &cal->n_municipalities;
        if (*n == MAX_AREAS)
            return "too many provinces or municipalities";
        list[(*n)++] = a;
        return NULL;
    }
    return "expected a line starting with holiday, alias, province or municipality";
}

vp_status understand_calendar_load(const char *path, understand_calendar **out, vp_error *err)
{
    *out = NULL;
    FILE *f = fopen(path, "r");
    if (!f)
        return vp_error_set(err, VP_ERR_IO, &(vp_where){path}, "%s", strerror(errno));
    understand_calendar *cal = calloc(1, sizeof *cal);
    char line[1024];
    unsigned lineno = 0;
    vp_status st = cal ? VP_OK : VP_ERR_NOMEM;
    while (st == VP_OK && fgets(line, sizeof line, f)) {
        lineno++;
        size_t len = strcspn(line, "\r\n");
        if (line[len] == '\0' && !feof(f)) {
            st = vp_error_set(err, VP_ERR_INVALID, &(vp_where){path, lineno},
                              "line longer than %zu bytes", sizeof line - 2);
            break;
        }
        line[len] = '\0';
        if (!line[0] || line[0] == '#')
            continue;
        char *fields[8];
        size_t nf = 0;
        for (char *p = line; nf < 8;) {
            fields[nf++] = p;
            p = strchr(p, '\t');
            if (!p)
                break;
            *p++ = '\0';
        }
        const char *problem = holiday_line(cal, fields, nf);
        if (problem)
            st = vp_error_set(err, VP_ERR_INVALID, &(vp_where){path, lineno}, "%s", problem);
    }
    if (st == VP_OK && ferror(f))
        st = vp_error_set(err, VP_ERR_IO, &(vp_where){path}, "read error");
    if (st == VP_OK && cal->n_holidays == 0)
        st = vp_error_set(err, VP_ERR_INVALID, &(vp_where){path}, "no holidays");
    fclose(f);
    if (st != VP_OK) {
        free(cal);
        return st;
    }
    *out = cal;
    return VP_OK;
}

void understand_calendar_destroy(understand_calendar *cal)
{
    free(cal);
}

/* The regions whose holidays a place keeps: its municipality's, else its
 * province's, else (unknown) all of them. */
static unsigned regions_of(const understand_calendar *cal, const vp_understood *place,
                           const place_name *where)
{
    if (!cal || !place)
        return ALL_REGIONS;
    for (size_t i = 0; i < cal->n_municipalities; i++)
        if (strcmp(cal->municipalities[i].name, place->value) == 0)
            return cal->municipalities[i].regions;
    for (size_t i = 0; where && i < cal->n_provinces; i++)
        if (strcmp(cal->provinces[i].name, where->province) == 0)
            return cal->provinces[i].regions;
    return ALL_REGIONS;
}

/* The days of the holiday `word` names in `regions` (from its earliest
 * start to its latest end over them) in the first school year where it
 * has not ended by `today`. 0 when the word is no holiday or none is left. */
static int holiday_days(const understand_calendar *cal, const char *word, unsigned regions,
                        int today, int *from, int *to)
{
    const char *name = NULL;
    for (size_t i = 0; cal && i < cal->n_aliases && !name; i++)
        if (strcmp(cal->alias[i][0], word) == 0)
            name = cal->alias[i][1];
    for (size_t i = 0; cal && i < cal->n_holidays && !name; i++)
        if (strcmp(cal->holidays[i].name, word) == 0)
            name = word;
    if (!name)
        return 0;
    int best_from = 0, best_to = 0, best_year = 0;
    for (size_t i = 0; i < cal->n_holidays; i++) {
        const holiday *h = &cal->holidays[i];
        if (strcmp(h->name, name) != 0 || !(regions & (1u << h->region)))
            continue;
        /* The union over the regions of one school year. */
        int f = h->from, t = h->to;
        for (size_t j = 0; j < cal->n_holidays; j++) {
            const holiday *o = &cal->holidays[j];
            if (o->year == h->year && (regions & (1u << o->region)) && strcmp(o->name, name) == 0) {
                f = o->from < f ? o->from : f;
                t = o->to > t ? o->to : t;
            }
        }
        if (t >= today && (!best_year || h->year < best_year)) {
            best_year = h->year;
            best_from = f;
            best_to = t;
        }
    }
    if (!best_year)
        return 0;
    *from = best_from > today ? best_from : today;
    *to = best_to;
    return 1;
}

static int period(words *ws, int today, const understand_calendar *cal, unsigned regions,
                  vp_understood *u)
{
    static const char *const days[] = {"zondag", "maandag", "dinsdag", "woensdag",
                                       "donderdag", "vrijdag", "zaterdag", NULL};
    for (size_t i = 0; i < ws->n; i++) {
        const char *w = ws->w[i];
        int from = 0, to = 0;
        size_t first = i, last = i;
        char value[sizeof u->value] = "";
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
            if (!from && holiday_days(cal, w, regions, today, &from, &to)) {
                /* The regions the dates are for. */
                size_t o = 0;
                for (int r = 0; r < REGIONS; r++)
                    if (regions & (1u << r))
                        o += (size_t)snprintf(value + o, sizeof value - o, "%s%s", o ? "," : "",
                                              region_names[r]);
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
        snprintf(u->value, sizeof u->value, "%s", value);
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
    const vp_lexicon *lex = vp_index_lexicon(idx);
    const place_name *where = NULL;
    const vp_understood *named = NULL;
    if (!(without & VP_WITHOUT_PLACE_WORDS) &&
        place(idx, vp_lexicon_places(lex), ws, &found[k], &where))
        named = &found[k++];
    /* A holiday's dates are those of the place's region, when it names one. */
    const understand_calendar *cal = vp_lexicon_calendar(lex);
    if (!(without & VP_WITHOUT_DAY_WORDS) &&
        period(ws, today, cal, regions_of(cal, named, where), &found[k]))
        k++;
    if (!(without & VP_WITHOUT_AGE_WORDS) && audience(ws, &found[k]))
        k++;
    /* A place of the national list, now that the day and age words are
     * taken ("voorlezen bilthoven van 5" ends with the place). */
    int national = named || (without & VP_WITHOUT_PLACE_WORDS)
                       ? 0
                       : national_place(idx, lex, ws, &found[k]);
    if (national < 0)
        st = VP_ERR_NOMEM;
    else if (national)
        k++;
    /* The words left, as typed ("e-book" stays one), and whether one of
     * them is not a stop word. */
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
