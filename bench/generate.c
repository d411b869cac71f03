/* generate.c - vindplaats-generate: a deterministic sample library network.
 *
 * Writes offerings in the JSON form of DESIGN.md, one compact object per
 * line, for a fixed network of Dutch library organisations, their branches
 * and the national platform de Online Bibliotheek. About half the lines are
 * the agenda (courses, events, activities and services for every
 * proposition of the vocabulary, named with the alias each library uses);
 * the other half is the catalogue (goodbooks-10k titles as e-books,
 * audiobooks and books held by several libraries; synthetic Dutch titles
 * once those run out).
 *
 * Conventions: every random choice comes from xoshiro256** seeded through
 * splitmix64 from --seed (never rand() or the clock), weights are integers,
 * numbers are formatted by hand or by jansson in the C locale, and lines are
 * streamed, so memory does not grow with --count. Same arguments, same
 * bytes. Input problems exit 1, usage problems exit 2. */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vindplaats/time.h"

#define MAX_PROPS 64
#define MAX_ALIASES 32
#define MAX_LIBS 32
#define MAX_BRANCHES 128
#define MAX_SLOTS 8
#define MAX_COUNT 100000000ULL
#define HORIZON_DAYS 182   /* the agenda covers about six months */
#define SYNTH_AGENDA_FROM 20000 /* activities after this many get synthetic topics too */
#define AGE_DERIVE (-2)

/* ---- random numbers ---- */

typedef struct rng {
    uint64_t s[4];
} rng;

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Independent streams from one seed, so one part of the output does not
 * shift when another part draws more numbers. */
static void rng_seed(rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed ^ (stream * 0xd1b54a32d192ed03ULL);
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Uniform in [0, n), without modulo bias; n > 0. */
static uint32_t rng_below(rng *r, uint32_t n)
{
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do
        x = rng_next(r);
    while (x >= limit);
    return (uint32_t)(x % n);
}

static int rng_range(rng *r, int lo, int hi)
{
    return lo + (int)rng_below(r, (uint32_t)(hi - lo + 1));
}

static int rng_chance(rng *r, int percent)
{
    return (int)rng_below(r, 100) < percent;
}

static int pick_weighted(rng *r, const int *w, int n)
{
    uint32_t total = 0;
    for (int i = 0; i < n; i++)
        total += (uint32_t)w[i];
    if (total == 0)
        return (int)rng_below(r, (uint32_t)n);
    uint32_t x = rng_below(r, total);
    for (int i = 0; i < n; i++) {
        if (x < (uint32_t)w[i])
            return i;
        x -= (uint32_t)w[i];
    }
    return n - 1;
}

/* ---- word lists drawn Zipfian (rank r has weight 1/(r+3), in integers) ---- */

typedef struct wordlist {
    const char *const *w;
    uint32_t n;
    uint32_t *cum;
} wordlist;

static void wordlist_init(wordlist *wl, const char *const *words)
{
    uint32_t n = 0;
    while (words[n])
        n++;
    wl->w = words;
    wl->n = n;
    wl->cum = malloc(n * sizeof *wl->cum);
    if (!wl->cum) {
        fputs("vindplaats-generate: out of memory\n", stderr);
        exit(1);
    }
    uint32_t total = 0;
    for (uint32_t i = 0; i < n; i++) {
        total += 720720 / (i + 3); /* Zipf-Mandelbrot: a softer head */
        wl->cum[i] = total;
    }
}

static uint32_t zipf_index(const wordlist *wl, rng *r)
{
    uint32_t x = rng_below(r, wl->cum[wl->n - 1]);
    uint32_t lo = 0, hi = wl->n - 1;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (wl->cum[mid] > x)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

static const char *zipf(const wordlist *wl, rng *r)
{
    return wl->w[zipf_index(wl, r)];
}

/* ---- a bounded string builder ---- */

typedef struct sb {
    char buf[8192];
    size_t len;
} sb;

static void sb_reset(sb *b)
{
    b->len = 0;
    b->buf[0] = '\0';
}

static void sb_addn(sb *b, const char *s, size_t n)
{
    if (n > sizeof b->buf - 1 - b->len)
        n = sizeof b->buf - 1 - b->len;
    memcpy(b->buf + b->len, s, n);
    b->len += n;
    b->buf[b->len] = '\0';
}

static void sb_add(sb *b, const char *s)
{
    sb_addn(b, s, strlen(s));
}

/* Upper-cases an ASCII first letter, unless the word is a brand written
 * with a lower-case first letter and an upper-case second one (dBos). */
static void capitalise(char *s)
{
    if (s[0] >= 'a' && s[0] <= 'z' && !(s[1] >= 'A' && s[1] <= 'Z'))
        s[0] = (char)(s[0] - 'a' + 'A');
}

/* What {n}, {b}, {m}, {l}, {x} and {y} stand for in templates. */
typedef struct ctx {
    const char *n; /* the library's local name of the proposition */
    const char *b; /* the branch name (the library's name when online) */
    const char *m; /* the municipality */
    const char *l; /* the library's name */
    const char *x; /* free slots, e.g. a synthetic phrase */
    const char *y;
} ctx;

static void sb_subst(sb *b, const char *tmpl, const ctx *c)
{
    const char *p = tmpl;
    while (*p) {
        if (p[0] == '{' && p[1] && p[2] == '}' && strchr("nbmlxy", p[1])) {
            const char *v = p[1] == 'n' ? c->n : p[1] == 'b' ? c->b : p[1] == 'm' ? c->m
                          : p[1] == 'l' ? c->l : p[1] == 'x' ? c->x : c->y;
            sb_add(b, v ? v : "");
            p += 3;
        } else {
            sb_addn(b, p, 1);
            p++;
        }
    }
}

/* Appends one sentence (a template) to a description, capitalised. */
static void add_sentence(sb *desc, const char *tmpl, const ctx *c)
{
    sb s;
    sb_reset(&s);
    sb_subst(&s, tmpl, c);
    if (!s.len)
        return;
    capitalise(s.buf);
    if (desc->len)
        sb_add(desc, " ");
    sb_add(desc, s.buf);
}

/* Collapses runs of white space and control characters into one space. */
static void squeeze(char *s)
{
    char *w = s;
    int space = 1;
    for (const char *p = s; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch <= 0x20 || ch == 0x7f) {
            if (!space)
                *w++ = ' ';
            space = 1;
        } else {
            *w++ = *p;
            space = 0;
        }
    }
    while (w > s && w[-1] == ' ')
        w--;
    *w = '\0';
}

/* A URL slug: lower-case ASCII, diacritics folded, '&' as "en". */
static void slugify(const char *s, char *out, size_t cap)
{
    static const char latin1[] = "aaaaaaaceeeeiiiidnooooo-ouuuuyty"; /* U+00C0..U+00FF, folded */
    size_t n = 0;
    int dash = 1;
    for (const unsigned char *p = (const unsigned char *)s; *p && n + 4 < cap; p++) {
        char c = 0;
        if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
            c = (char)*p;
        else if (*p >= 'A' && *p <= 'Z')
            c = (char)(*p - 'A' + 'a');
        else if (*p == 0xC3 && p[1] >= 0x80 && p[1] <= 0xBF) {
            c = latin1[(p[1] - 0x80) & 0x1F];
            p++;
            if (c == '-')
                c = 0;
        } else if (*p == '\'' || *p >= 0x80)
            continue;
        if (*p == '&') {
            if (!dash)
                out[n++] = '-';
            memcpy(out + n, "en-", 3);
            n += 3;
            dash = 1;
            continue;
        }
        if (c) {
            out[n++] = c;
            dash = 0;
        } else if (!dash) {
            out[n++] = '-';
            dash = 1;
        }
        if (n >= 60 && dash)
            break;
    }
    while (n > 0 && out[n - 1] == '-')
        n--;
    out[n] = '\0';
}

/* ---- dates: Europe/Amsterdam, written with the right offset ---- */

/* The calendar and the Amsterdam rule are the engine's (vindplaats/time.h). */
static void civil_from_days(int64_t day, int *y, int *m, int *d)
{
    int64_t yy;
    vp_civil_from_days(day, &yy, m, d);
    *y = (int)yy;
}

/* 1 = Monday ... 7 = Sunday; 1970-01-01 was a Thursday. */
static int weekday_of(int64_t day)
{
    int64_t w = (day + 3) % 7;
    if (w < 0)
        w += 7;
    return (int)w + 1;
}

/* UTC offset in hours of a local wall-clock time in Amsterdam. The
 * ambiguous hour in October is never scheduled. */
static int amsterdam_offset(int64_t day, int minute_of_day)
{
    int y, m, d;
    civil_from_days(day, &y, &m, &d);
    return vp_nl_wall_offset(y, m, d, minute_of_day / 60, minute_of_day % 60) / 3600;
}

static void format_local(char out[64], int64_t day, int minute_of_day)
{
    int y, m, d;
    civil_from_days(day, &y, &m, &d);
    snprintf(out, 64, "%04d-%02d-%02dT%02d:%02d:00+%02d:00", y, m, d, minute_of_day / 60,
             minute_of_day % 60, amsterdam_offset(day, minute_of_day));
}

static int64_t easter_sunday(int y)
{
    int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4;
    int f = (b + 8) / 25, g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30;
    int i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7;
    int mm = (a + 11 * h + 22 * l) / 451;
    int month = (h + l - 7 * mm + 114) / 31, dd = (h + l - 7 * mm + 114) % 31 + 1;
    return vp_days_from_civil(y, month, dd);
}

/* Days the libraries are closed or run no programme. */
static int is_closed(int64_t day)
{
    int y, m, d;
    civil_from_days(day, &y, &m, &d);
    if (m == 12 && (d == 24 || d == 25 || d == 26 || d == 31))
        return 1;
    if (m == 1 && d == 1)
        return 1;
    if (m == 4) {
        int64_t kings = vp_days_from_civil(y, 4, 27);
        if (weekday_of(kings) == 7)
            kings--;
        if (day == kings)
            return 1;
    }
    if (m == 5 && d == 5 && y % 5 == 0)
        return 1;
    int64_t e = easter_sunday(y);
    return day == e || day == e + 1 || day == e + 39 || day == e + 49 || day == e + 50;
}

static const char *const weekday_names[] = {"", "maandag", "dinsdag", "woensdag", "donderdag",
                                            "vrijdag", "zaterdag", "zondag"};
static const char *const month_names[] = {"", "januari", "februari", "maart", "april", "mei",
                                          "juni", "juli", "augustus", "september", "oktober",
                                          "november", "december"};
static const char *const number_words[] = {"nul", "één", "twee", "drie", "vier", "vijf", "zes",
                                           "zeven", "acht", "negen", "tien", "elf", "twaalf"};

/* "10.00" */
static void clock_text(char out[8], int minute_of_day)
{
    snprintf(out, 8, "%d.%02d", minute_of_day / 60 % 24, minute_of_day % 60);
}

/* ---- the network (fixed; coordinates come from the geonames file) ---- */

typedef struct branch_def {
    const char *slug, *name, *municipality, *pc4;
} branch_def;

typedef struct library_def {
    const char *short_name, *name;
    branch_def b[5];
} library_def;

static const library_def network_def[] = {
    {"utrecht", "Bibliotheek Utrecht",
     {{"neude", "Bibliotheek Neude", "Utrecht", "3511"},
      {"leidsche-rijn", "Bibliotheek Leidsche Rijn", "Utrecht", "3541"},
      {"overvecht", "Bibliotheek Overvecht", "Utrecht", "3562"},
      {"kanaleneiland", "Bibliotheek Kanaleneiland", "Utrecht", "3526"}}},
    {"eemland", "Bibliotheek Eemland",
     {{"eemhuis", "Bibliotheek Eemhuis", "Amersfoort", "3811"},
      {"vathorst", "Bibliotheek Vathorst", "Amersfoort", "3825"},
      {"leusden", "Bibliotheek Leusden", "Leusden", "3831"}}},
    {"zwolle", "Bibliotheek Zwolle",
     {{"stadkamer", "Bibliotheek Stadkamer", "Zwolle", "8011"},
      {"stadshagen", "Bibliotheek Stadshagen", "Zwolle", "8043"},
      {"kampen", "Bibliotheek Kampen", "Kampen", "8261"}}},
    {"groningen", "Bibliotheek Groningen",
     {{"forum", "Bibliotheek Forum", "Groningen", "9711"},
      {"vinkhuizen", "Bibliotheek Vinkhuizen", "Groningen", "9746"},
      {"beijum", "Bibliotheek Beijum", "Groningen", "9736"}}},
    {"drenthe", "Bibliotheek Drenthe",
     {{"assen", "Bibliotheek Assen", "Assen", "9401"},
      {"hoogeveen", "Bibliotheek Hoogeveen", "Hoogeveen", "7901"},
      {"emmen", "Bibliotheek Emmen", "Emmen", "7811"}}},
    {"leeuwarden", "Bibliotheek Leeuwarden",
     {{"dbieb", "Bibliotheek DBieb", "Leeuwarden", "8911"},
      {"bilgaard", "Bibliotheek Bilgaard", "Leeuwarden", "8926"},
      {"heerenveen", "Bibliotheek Heerenveen", "Heerenveen", "8441"}}},
    {"arnhem", "Bibliotheek Arnhem",
     {{"rozet", "Bibliotheek Rozet", "Arnhem", "6811"},
      {"presikhaaf", "Bibliotheek Presikhaaf", "Arnhem", "6826"}}},
    {"nijmegen", "Bibliotheek Nijmegen",
     {{"marienburg", "Bibliotheek Mariënburg", "Nijmegen", "6511"},
      {"dukenburg", "Bibliotheek Dukenburg", "Nijmegen", "6535"},
      {"wijchen", "Bibliotheek Wijchen", "Wijchen", "6602"}}},
    {"eindhoven", "Bibliotheek Eindhoven",
     {{"centrum", "Bibliotheek Eindhoven Centrum", "Eindhoven", "5611"},
      {"woensel", "Bibliotheek Woensel", "Eindhoven", "5625"},
      {"meerhoven", "Bibliotheek Meerhoven", "Eindhoven", "5658"}}},
    {"tilburg", "Bibliotheek Tilburg",
     {{"lochal", "Bibliotheek LocHal", "Tilburg", "5038"},
      {"reeshof", "Bibliotheek Reeshof", "Tilburg", "5043"},
      {"goirle", "Bibliotheek Goirle", "Goirle", "5051"}}},
    {"breda", "Bibliotheek Breda",
     {{"nieuwe-veste", "Bibliotheek Nieuwe Veste", "Breda", "4811"},
      {"haagse-beemden", "Bibliotheek Haagse Beemden", "Breda", "4824"}}},
    {"maastricht", "Bibliotheek Maastricht",
     {{"centre-ceramique", "Bibliotheek Centre Céramique", "Maastricht", "6211"},
      {"west", "Bibliotheek Maastricht West", "Maastricht", "6216"}}},
    {"rotterdam", "Bibliotheek Rotterdam",
     {{"centrale", "Centrale Bibliotheek Rotterdam", "Rotterdam", "3011"},
      {"feijenoord", "Bibliotheek Feijenoord", "Rotterdam", "3071"},
      {"hillegersberg", "Bibliotheek Hillegersberg", "Rotterdam", "3054"},
      {"ommoord", "Bibliotheek Ommoord", "Rotterdam", "3069"}}},
    {"haarlem", "Bibliotheek Haarlem",
     {{"centrum", "Bibliotheek Haarlem Centrum", "Haarlem", "2011"},
      {"schalkwijk", "Bibliotheek Schalkwijk", "Haarlem", "2035"},
      {"heemstede", "Bibliotheek Heemstede", "Heemstede", "2101"}}},
    {"alkmaar", "Bibliotheek Alkmaar",
     {{"centrum", "Bibliotheek Alkmaar Centrum", "Alkmaar", "1811"},
      {"heiloo", "Bibliotheek Heiloo", "Heiloo", "1851"}}},
    {"enschede", "Bibliotheek Enschede",
     {{"centrum", "Bibliotheek Enschede Centrum", "Enschede", "7511"},
      {"zuid", "Bibliotheek Enschede Zuid", "Enschede", "7544"}}},
    {"deventer", "Bibliotheek Deventer",
     {{"centrum", "Bibliotheek Deventer Centrum", "Deventer", "7411"},
      {"colmschate", "Bibliotheek Colmschate", "Deventer", "7425"}}},
    {"leiden", "Bibliotheek Leiden",
     {{"nieuwstraat", "Bibliotheek Nieuwstraat", "Leiden", "2312"},
      {"merenwijk", "Bibliotheek Merenwijk", "Leiden", "2317"},
      {"leiderdorp", "Bibliotheek Leiderdorp", "Leiderdorp", "2351"}}},
    {"delft", "Bibliotheek Delft",
     {{"dok", "Bibliotheek DOK", "Delft", "2611"},
      {"tanthof", "Bibliotheek Tanthof", "Delft", "2625"}}},
    {"almere", "Bibliotheek Almere",
     {{"stad", "Bibliotheek Almere Stad", "Almere", "1315"},
      {"haven", "Bibliotheek Almere Haven", "Almere", "1354"},
      {"buiten", "Bibliotheek Almere Buiten", "Almere", "1334"}}},
    {"apeldoorn", "Bibliotheek Apeldoorn",
     {{"coda", "Bibliotheek CODA", "Apeldoorn", "7311"},
      {"zevenhuizen", "Bibliotheek Zevenhuizen", "Apeldoorn", "7326"}}},
    {"den-haag", "Bibliotheek Den Haag",
     {{"centrale", "Centrale Bibliotheek Den Haag", "Den Haag", "2511"},
      {"escamp", "Bibliotheek Escamp", "Den Haag", "2533"},
      {"scheveningen", "Bibliotheek Scheveningen", "Den Haag", "2583"}}},
};

#define NATIONAL_ID "de-online-bibliotheek"
#define NATIONAL_NAME "de Online Bibliotheek"
#define NATIONAL_SOURCE "online-bibliotheek"

/* ---- what the agenda says about each proposition ---- */

typedef struct topic {
    char type;            /* 'c' course, 'e' event, 'a' activity */
    const char *title;    /* template; {n} is the local name */
    const char *subjects; /* '|' list, added to the proposition's themes */
    const char *groups;   /* ',' list, or NULL for the vocabulary's audience */
    int min_age, max_age; /* AGE_DERIVE: from the groups; -1: null */
    const char *sentence; /* about this topic, or NULL */
} topic;

typedef struct propdef {
    const char *id;
    int weight;            /* share of the agenda */
    const char *types;     /* type letter + weight digit: "c3e1" */
    int online, hybrid;    /* percent of the offerings */
    const char *slots;     /* "3@1000+45": weekday@hhmm+minutes */
    const char *themes;    /* '|' subjects of every offering */
    const char *intro[4];  /* opening sentences */
    const topic *topics;   /* ends with type 0 */
    char synth;            /* synthetic topics: 'l' talk, 'k' children, 't' language,
                              'd' digital, 'b' a book to discuss */
    const char *paid;      /* types that may cost money */
    int paid_pct, price_min, price_max; /* euros */
    const char *service_title, *service_text; /* NULL: no service */
    int service_pct, service_online;
} propdef;

#define D AGE_DERIVE

static const topic t_school[] = {
    {'e', "{n}: schrijversbezoek voor groep 7 en 8", "schrijvers|jeugdliteratuur", "jeugd", 10, 12,
     "Een kinderboekenschrijver vertelt hoe een boek ontstaat en beantwoordt vragen uit de klas."},
    {'e', "{n}: lokale finale van de voorleeswedstrijd", "voorlezen|wedstrijd", "jeugd", 10, 12,
     "De beste voorlezers van de basisscholen in {m} strijden om een plek in de provinciale ronde."},
    {'e', "{n}: stemmen voor de Kinderjury", "jeugdboeken|kinderjury", "jeugd", 6, 12,
     "Kinderen kiezen hun favoriete boek van het jaar en vertellen waarom."},
    {'a', "{n}: leesclub voor de bovenbouw", "leesclub|jeugdboeken", "jeugd", 9, 12,
     "Elke week lezen de kinderen een hoofdstuk en praten ze erover met de leesconsulent."},
    {'c', "{n}: lessen mediawijsheid in de klas", "mediawijsheid", "jeugd", 10, 12,
     "In een paar lessen leren leerlingen hoe je informatie op internet beoordeelt."},
    {'e', "Informatieavond voor ouders: lezen thuis en op school", "leesbevordering|opvoeding", "ouders",
     D, D, "De leesconsulent geeft tips om thuis samen te lezen, ook als uw kind er weinig zin in heeft."},
    {0, NULL, NULL, NULL, 0, 0, NULL}};

static const topic t_boekstart[] = {
    {'a', "{n}: voorlezen aan baby's", "baby's|liedjes", "baby,ouders", 0, 1,
     "We lezen voor uit stevige kijkboekjes, zingen liedjes en doen versjes."},
    {'a', "Voorleesochtend voor peuters", "peuters|prentenboeken", "peuter,ouders", 2, 4,
     "Samen met je peuter luister je naar een prentenboek en doe je mee met versjes en liedjes."},
    {'a', "{n}: boekenpret voor dreumesen", "dreumesen|kijkboeken", "baby,peuter,ouders", 1, 3, NULL},
    {'e', "Koffertjesochtend voor nieuwe ouders", "baby's|lidmaatschap", "baby,ouders", 0, 1,
     "Maak je baby gratis lid en neem het koffertje met twee babyboekjes mee naar huis."},
    {'e', "{n}: workshop voorlezen aan je baby", "ouders|taalontwikkeling", "ouders", D, D,
     "Een leesconsulent laat zien hoe je al vanaf drie maanden kunt voorlezen."},
    {0, NULL, NULL, NULL, 0, 0, NULL}};

static const topic t_voorleesexpress[] = {
    {'e', "{n}: informatiebijeenkomst voor nieuwe vrijwilligers", "vrijwilligerswerk", "volwassenen",
     D, D, "Bent u geïnteresseerd in vrijwilligerswerk met kinderen? Kom vrijblijvend kennismaken."},
    {'c', "{n}: training voor voorlezers", "vrijwilligerswerk|training", "volwassenen", D, D,
     "U leert hoe u een voorleessessie opbouwt en de ouders erbij betrekt."},
    {'e', "{n}: feestelijke afsluiting met de gezinnen", "feest|gezinnen", "jeugd,ouders", 2, 8,
     "Na twintig weken voorlezen vieren we samen wat de kinderen hebben geleerd."},
    {'c', "Voorlezen thuis: training voor ouders", "ouders|taalontwikkeling", "ouders", D, D,
     "Ouders oefenen met voorlezen en krijgen boeken mee voor thuis."},
    {0, NULL, NULL, NULL, 0, 0, NULL}};

static const topic t_voorlezen[] = {
    {'a', "Voorleesochtend voor peuters", "peuters", "peuter,ouders", 2, 4, NULL},
    {'a', "{n} voor kleuters", "kleuters", "kleuter,ouders", 4, 6,
     "Na het verhaal mogen de kinderen een kleurplaat maken."},
    {'a', "{n}: verhalen op woensdagmiddag", "verhalen", "kleuter,jeugd,ouders", 4, 8, NULL},
    {'e', "Voorleesontbijt tijdens de Nationale Voorleesdagen", "ontbijt|prentenboek", "peuter,kleuter,ouders",
     2, 6, "Schuif aan voor een ontbijtje en luister naar het Prentenboek van het Jaar."},
    {'e', "{n}: prentenboekentheater", "theater|prentenboeken", "peuter,kleuter,ouders", 3, 6,
     "Een verteller speelt het verhaal na met grote platen en poppen."},
    {'a', "Tweetalig voorlezen: Nederlands en {x}", "meertaligheid", "peuter,kleuter,ouders,nieuwkomers",
     2, 6, "Een verhaal in twee talen, zodat ieder kind zijn eigen taal en het Nederlands hoort."},
    {'e', "{n}: pyjamavoorlezen", "bedtijd|verhalen", "peuter,kleuter,ouders", 2, 6,
     "Kom gerust in je pyjama en neem je knuffel mee."},
    {0, NULL, NULL, NULL, 0, 0, NULL}};

static const topic t_taalhuis[] = {
    {'a', "{n}: inloopspreekuur", "advies", NULL, D, D,
     "Loop binnen zonder afspraak; een taalvrijwilliger kijkt samen met u wat u wilt leren."},
    {'c', "Beter lezen en schrijven: cursus voor volwassenen", "lezen|schrijven", NULL, D, D,
     "In een kleine groep oefent u op uw eigen tempo met lezen en schrijven."},
    {'c', "{n}: rekenen in het dagelijks leven", "rekenen", NULL, D, D,
     "U oefent met rekenen bij de boodschappen, met geld en met tijd."},
    {'a', "{n}: oefenen met formulieren en brieven", "formulieren|brieven", NULL, D, D,
     "Neem gerust een brief mee die u lastig vindt, dan kijken we er samen naar."},
    {'c', "{n}: taal op het werk", "werk|taal", "volwassenen,laaggeletterden,werkzoekenden", D, D, NULL},
    {0, NULL, NULL, NULL, 0, 0, NULL}};

static const topic t_taalcafe[] = {
    {'a', "{n}: Nederlands oefenen", "spreken", NULL, D, D,
     "We praten over het nieuws, het weer en wat u deze week hebt meegemaakt."},
    {'a', "{n} voor beginners", "beginners", NULL, D, D,
     "Ook als u nog maar een paar woorden Nederlands kent, bent u welkom."},
    {'a', "{n}: praten over werk en opleiding", "werk|opleiding", "nieuwkomers,werkzoekenden", D, D, NULL},
    {'a', "{n} voor ouders", "opvoeding|school", "nieuwkomers,ouders", D, D,
     "We praten over school, de kinderen en de buurt; kinderen spelen ondertussen in de jeugdafdeling."},
    {'e', "{n}: kennismaken met de bibliotheek", "bibliotheekpas", NULL, D, D,
     "U krijgt een rondleiding en hoort hoe u met een bibliotheekpas boeken leent."},
    {0, NULL, NULL, NULL, 0, 0, NULL}};

static const topic t_nt2[] = {
    {'c', "{n}: Nederlands voor beginners (A1)", "A1|beginners", NULL, D, D, NULL},
    {'c', "{n}: Nederlands op niveau A2", "A2", NULL, D, D,
     "U oefent met lezen, luisteren, spreken en schrijven op niveau A2."},
    {'c', "{n}: voorbereiding op het inburgeringsexamen", "inburgeringsexamen", NULL, D, D,
     "We oefenen met echte examenvragen en bespreken wat u op de examendag kunt verwachten."},
    {'a', "{n}: zelfstandig oefenen met de computer", "online oefenen", NULL, D, D,
     "U oefent met Oefenen.nl en een vrijwilliger helpt als u vastloopt."},
    {'a', "{n}: huiswerkhulp voor inburgeraars", "huiswerk", NULL, D, D, NULL},
    {'c', "Schrijven in het Nederlands: brieven en e-mails", "schrijven|e-mail", NULL, D, D, NULL},
    {0, NULL, NULL, NULL, 0, 0, NULL}};

static const topic t_digisterker[] = {
    {'c', "{n}: werken met de e-overheid", "e-overheid", NULL, D, D,
     "U leert inloggen met DigiD en zaken regelen met de gemeente en de Belastingdienst."},
    {'c', "{n}: DigiD aanvragen en gebruiken", "DigiD", NULL, D, D,
     "Na de cursus kunt u zelf inloggen met de DigiD-app."},
    {'c', "{n}: zorg en toeslagen online regelen", "toeslagen|zorg", NULL, D, D, NULL},
    {'c', "{n}: de Berichtenbox van MijnOverheid", "MijnOverheid", NULL, D, D,
     "U leert waar u uw post van de overheid vindt en hoe u berichten bewaart."},
    {0, NULL, NULL, NULL, 0, 0, NULL}};

static const topic t_ido[] = {
    {'a', "{n}: hulp bij DigiD", "DigiD", NULL, D, D,
     "Een medewerker helpt u met het aanvragen of activeren van uw DigiD."},
    {'a', "{n}: vragen over toeslagen", "toeslagen", NULL, D, D, NULL},
    {'a', "{n}: uw zorgverzekering en de overheid", "zorgverzekering", NULL, D, D, NULL},
    {'a', "{n}: spreekuur met de Belastingdienst", "belastingen", NULL, D, D,
     "Medewerkers van de Belastingdienst beantwoorden uw vragen in een persoonlijk gesprek."},
    {'a', "{n}: hulp bij het aanvragen van de AOW", "AOW|pensioen", "senioren", 64, D, NULL},
    {'a', "{n}: paspoort en rijbewijs online aanvragen", "paspoort|rijbewijs", NULL, D, D, NULL},
    {0, NULL, NULL, NULL, 0, 0, NULL}};

static const topic t_kliktik[] = {
    {'c', "{n}: de basis van de computer", "computer|muis en toetsenbord", NULL, D, D,
     "In deze lessen leert u de computer aanzetten, typen en mailen."},
    {'c', "{n}: internet en e-mail", "internet|e-mail", NULL, D, D,
     "U leert zoeken op internet en e-mails versturen met een bijlage."},
    {'c', "{n}: veilig online", "online veiligheid|wachtwoorden", NULL, D, D,
     "U leert sterke wachtwoorden maken en nepberichten herkennen."},
    {'c', "{n}: werken met de tablet", "tablet|apps", NULL, D, D, NULL},
    {'c', "{n}: foto's bewaren en delen", "foto's", NULL, D, D, NULL},
    {0, NULL, NULL, NULL, 0, 0, NULL}};

static const topic t_spreekuur[] = {
    {'a', "{n}: hulp bij uw smartphone", "smartphone", NULL, D, D,
     "Vrijwilligers helpen u met instellingen, apps en berichten op uw telefoon."},
    {'a', "{n}: vragen over uw tablet", "tablet", NULL, D, D, NULL},
    {'a', "{n}: WhatsApp en videobellen", "WhatsApp|videobellen", NULL, D, D,
     "Leer hoe u met één druk op de knop uw kleinkinderen ziet en spreekt."},
    {'a', "{n}: foto's op uw telefoon", "foto's|smartphone", NULL, D, D, NULL},
    {'a', "{n}: veilig internetbankieren", "internetbankieren|online veiligheid", NULL, D, D,
     "We laten zien hoe u veilig betaalt en hoe u nepberichten van de bank herkent."},
    {'a', "{n}: hulp bij de laptop", "laptop|computer", NULL, D, D, NULL},
    {0, NULL, NULL, NULL, 0, 0, NULL}};

static const topic t_mediawijs[] = {
    {'e', "{n}: nepnieuws herkennen", "nepnieuws", "jeugd", 10, 16,
     "Wat is echt en wat is nep? Jongeren onderzoeken berichten en filmpjes van internet."},
    {'e', "{n}: ouderavond over gamen en schermtijd", "gamen|schermtijd", "ouders", D, D,
     "Een mediacoach geeft tips om thuis goede afspraken te maken over schermtijd."},
    {'e', "{n}: veilig op sociale media", "sociale media", "jeugd", 10, 14, NULL},
    {'c', "{n}: zelf een vlog maken", "vloggen|video", "jeugd", 10, 14,
     "In drie middagen bedenk, film en monteer je je eigen vlog."},
    {'e', "{n}: wat blijft privé op internet?", "privacy", "jeugd,ouders", 10, D,
     "Samen ontdekken ouders en kinderen welke gegevens je beter privé houdt."},
    {'e', "{n}: kunstmatige intelligentie voor ouders", "kunstmatige intelligentie", "ouders", D, D, NULL},
    {0, NULL, NULL, NULL, 0, 0, NULL}};

static const topic t_maken[] = {
    {'a', "{n}: programmeren met Scratch", "Scratch|programmeren", NULL, 8, 12,
     "Je maakt je eigen spelletje en leert stap voor stap programmeren."},
    {'c', "{n}: robots bouwen en programmeren", "robotica", NULL, 9, 13, NULL},
    {'a', "{n}: 3D-ontwerpen voor beginners", "3D-printen|ontwerpen", NULL, 10, 14,
     "Je ontwerpt een sleutelhanger en print hem op de 3D-printer van de bibliotheek."},
    {'e', "{n}: Minecraft-middag", "Minecraft|gamen", NULL, 8, 12, NULL},
    {'c', "{n}: zelf een game maken", "games|programmeren", NULL, 10, 14, NULL},
    {'e', "{n}: solderen en knutselen met elektronica", "elektronica|solderen", NULL, 10, 16, NULL},
    {'a', "{n} voor volwassenen: lasersnijden", "lasersnijden", "volwassenen", 16, D,
     "Ook volwassenen zijn welkom om met de lasersnijder en de 3D-printer aan de slag te gaan."},
    {0, NULL, NULL, NULL, 0, 0, NULL}};

static const topic t_geld[] = {
    {'a', "{n}: hulp bij uw belastingaangifte", "belastingaangifte", NULL, D, D,
     "Vrijwilligers helpen u met de aangifte inkomstenbelasting; neem uw DigiD mee."},
    {'e', "{n}: rondkomen met een klein budget", "budget|schulden", NULL, D, D, NULL},
    {'c', "{n}: grip op uw administratie", "administratie", NULL, D, D,
     "U leert uw papieren ordenen en een overzicht maken van inkomsten en uitgaven."},
    {'e', "{n}: uw pensioen op orde", "pensioen", "volwassenen,senioren", 50, D, NULL},
    {'a', "{n}: spreekuur met de Formulierenbrigade", "formulieren", NULL, D, D, NULL},
    {'e', "{n}: sparen en lenen, hoe werkt het?", "sparen|lenen", NULL, D, D, NULL},
    {0, NULL, NULL, NULL, 0, 0, NULL}};

static const topic t_werk[] = {
    {'a', "{n}: hulp bij uw cv", "cv", NULL, D, D,
     "Neem uw cv mee op papier of op een usb-stick; we kijken er samen naar."},
    {'a', "{n}: sollicitatiebrief schrijven", "sollicitatiebrief", NULL, D, D, NULL},
    {'e', "{n}: LinkedIn voor werkzoekenden", "LinkedIn|netwerken", NULL, D, D, NULL},
    {'c', "{n}: solliciteren in vijf stappen", "solliciteren", NULL, D, D,
     "Van vacature zoeken tot het sollicitatiegesprek: u oefent elke stap."},
    {'e', "{n}: werken in de zorg", "zorg|omscholing", NULL, D, D,
     "Zorgorganisaties uit {m} vertellen over vacatures en opleidingen."},
    {'e', "{n}: je eigen bedrijf starten", "ondernemen|zzp", "volwassenen", D, D, NULL},
    {0, NULL, NULL, NULL, 0, 0, NULL}};

static const topic t_online[] = {
    {'c', "{n}: Excel voor beginners", "Excel|kantoorvaardigheden", NULL, D, D, NULL},
    {'c', "{n}: Engels opfrissen", "Engels|talen", NULL, D, D,
     "U frist uw Engels op met korte online lessen en een wekelijkse oefensessie."},
    {'e', "{n}: kennismaken met gratis online cursussen", "cursusaanbod", NULL, D, D,
     "Met uw bibliotheekpas volgt u gratis honderden online cursussen."},
    {'c', "{n}: timemanagement", "timemanagement|persoonlijke ontwikkeling", NULL, D, D, NULL},
    {'c', "{n}: fotografie met uw smartphone", "fotografie|smartphone", NULL, D, D, NULL},
    {0, NULL, NULL, NULL, 0, 0, NULL}};

static const topic t_gezond[] = {
    {'e', "{n}: leven met dementie", "dementie|mantelzorg", NULL, D, D,
     "Een casemanager dementie vertelt wat de ziekte betekent voor het dagelijks leven."},
    {'e', "{n}: gezond ouder worden", "gezond ouder worden|bewegen", "senioren", 55, D, NULL},
    {'a', "{n}: spreekuur met de wijkverpleging", "wijkverpleging", NULL, D, D, NULL},
    {'e', "{n}: omgaan met stress", "stress|mentale gezondheid", NULL, D, D, NULL},
    {'e', "{n}: mantelzorg, hoe houdt u het vol?", "mantelzorg", NULL, D, D,
     "Mantelzorgers delen ervaringen en krijgen tips voor ondersteuning in {m}."},
    {'e', "Alzheimer Café: vergeetachtigheid of dementie?", "dementie|geheugen", NULL, D, D,
     "In het Alzheimer Café praten we open over geheugenproblemen; het café is vrij toegankelijk."},
    {0, NULL, NULL, NULL, 0, 0, NULL}};

static const topic t_leesclub[] = {
    {'a', "{n}: Nederlandse literatuur", "Nederlandse literatuur", NULL, D, D,
     "We bespreken romans van Nederlandse en Vlaamse schrijvers."},
    {'a', "{n}: vertaalde romans", "vertaalde literatuur", NULL, D, D, NULL},
    {'a', "{n}: thrillers", "thrillers", NULL, D, D, NULL},
    {'a', "{n}: lezen in eenvoudig Nederlands", "makkelijk lezen", "volwassenen,laaggeletterden,nieuwkomers",
     D, D, "We lezen boeken in eenvoudige taal en praten er rustig over."},
    {'a', "{n} voor jongeren", "young adult", "jeugd", 14, 18, NULL},
    {'a', "{n}: poëzie", "poëzie|gedichten", NULL, D, D,
     "Elke keer leest iemand een gedicht voor en praten we over wat het ons doet."},
    {'e', "{n}: kennismakingsavond", "nieuwe leden", NULL, D, D,
     "Bent u geïnteresseerd in een leesclub? Kom kennismaken met de gespreksleiders."},
    {0, NULL, NULL, NULL, 0, 0, NULL}};

static const topic t_lezing[] = {
    {'e', "{n}: de geschiedenis van {m}", "lokale geschiedenis", NULL, D, D,
     "Een stadshistoricus neemt u mee langs verhalen en oude foto's uit {m}."},
    {'e', "{n}: in gesprek met een schrijver", "schrijvers|literatuur", NULL, D, D,
     "Na het interview signeert de schrijver en kunt u het nieuwe boek kopen."},
    {'e', "{n}: klimaat en de toekomst van Nederland", "klimaat|water", NULL, D, D, NULL},
    {'e', "{n}: filosofie voor iedereen", "filosofie", NULL, D, D, NULL},
    {'e', "{n}: de stad van morgen", "stedenbouw|wonen", NULL, D, D, NULL},
    {'e', "{n}: democratie en nepnieuws", "democratie|media", NULL, D, D,
     "Een journalist en een politicoloog gaan met elkaar en met het publiek in debat."},
    {'e', "{n}: een avond over de Tweede Wereldoorlog in {m}", "oorlog|geschiedenis", NULL, D, D, NULL},
    {0, NULL, NULL, NULL, 0, 0, NULL}};

static const topic t_ebooks[] = {
    {'e', "{n}: e-books lenen met de app", "app|lenen", "volwassenen,senioren", D, D,
     "Neem uw telefoon of tablet en uw bibliotheekpas mee; we installeren de app samen."},
    {'e', "{n}: lezen op uw e-reader", "e-reader", "volwassenen,senioren", D, D, NULL},
    {'c', "{n}: digitaal lezen in drie lessen", "digitaal lezen", "volwassenen,senioren", D, D, NULL},
    {0, NULL, NULL, NULL, 0, 0, NULL}};

static const topic t_luister[] = {
    {'e', "{n}: luisterboeken ontdekken", "luisteren|app", NULL, D, D,
     "We laten zien hoe u gratis luisterboeken leent en afspeelt op uw telefoon."},
    {'e', "{n}: luisteren als lezen lastig is", "slechtziendheid|dyslexie", "volwassenen,senioren", D, D,
     "Voor wie slecht ziet of dyslexie heeft, zijn er ook gesproken kranten en boeken."},
    {'e', "{n} voor kinderen", "jeugdboeken", "jeugd,ouders", 6, 12, NULL},
    {0, NULL, NULL, NULL, 0, 0, NULL}};

static const topic t_generic[] = {
    {'e', "{n}", NULL, NULL, D, D, NULL},
    {'e', "{n}: kennismaking", NULL, NULL, D, D, NULL},
    {'a', "{n}: inloop", NULL, NULL, D, D, NULL},
    {'c', "{n} voor beginners", NULL, NULL, D, D, NULL},
    {0, NULL, NULL, NULL, 0, 0, NULL}};

#undef D

static const propdef propdefs[] = {
    {"bibliotheek-op-school", 3, "e3a1c1", 0, 0, "2@1000+60 4@1000+60 3@1400+90 5@1330+60",
     "leesbevordering|onderwijs",
     {"Met {n} werken {l} en de scholen in {m} samen aan leesplezier en taalvaardigheid.",
      "{n} brengt de bibliotheek naar de klas, met een eigen collectie en een leesconsulent.",
      "Leesplezier begint op school, en daarom werkt {l} met {n} samen met het onderwijs.", NULL},
     t_school, 'k', "", 0, 0, 0, "{n} in {m}",
     "Basisscholen en scholen voor voortgezet onderwijs in {m} kunnen via {n} een leesconsulent, "
     "een schoolcollectie en lesmateriaal aanvragen.", 70, 0},
    {"boekstart", 4, "a3e2", 0, 0, "2@1000+45 3@1000+45 5@1000+45 6@1030+45",
     "voorlezen|taalontwikkeling",
     {"{n} laat baby's en peuters al vroeg kennismaken met boeken, samen met hun ouders.",
      "Voorlezen is nooit te vroeg: met {n} ontdek je samen de eerste boekjes.",
      "Met {n} krijgt elk kind een vliegende start met taal en lezen.", NULL},
     t_boekstart, 'k', "", 0, 0, 0, "{n}: gratis lid vanaf de geboorte",
     "Ouders die hun baby lid maken van de bibliotheek krijgen een koffertje met twee boekjes en "
     "tips voor het voorlezen.", 60, 0},
    {"voorleesexpress", 2, "e2c2", 0, 0, "2@1930+120 4@1930+120 6@1000+120",
     "voorlezen|vrijwilligers|taalontwikkeling",
     {"Bij {n} lezen vrijwilligers twintig weken lang voor bij gezinnen thuis.",
      "{n} helpt kinderen met een taalachterstand en hun ouders op weg naar leesplezier.", NULL, NULL},
     t_voorleesexpress, 'k', "", 0, 0, 0, "{n}: voorlezen bij gezinnen thuis",
     "Een getrainde vrijwilliger komt twintig weken lang wekelijks voorlezen bij gezinnen in {m}.",
     40, 0},
    {"voorlezen", 6, "a3e2", 0, 0, "3@1030+45 3@1400+45 6@1030+45 6@1100+45 5@1530+45",
     "voorlezen|prentenboeken",
     {"{n} is er voor kinderen die graag luisteren naar een mooi verhaal.",
      "In {b} lezen we voor uit de leukste prentenboeken.",
      "Kruip gezellig bij elkaar op de kussens, want {n} begint!", NULL},
     t_voorlezen, 'k', "", 0, 0, 0, NULL, NULL, 0, 0},
    {"taalhuis", 4, "a3c2", 0, 0, "1@1000+120 2@1330+120 4@1000+120 4@1900+120",
     "taal|lezen en schrijven|basisvaardigheden",
     {"Bij {n} kunt u terecht als u beter wilt leren lezen, schrijven, rekenen of werken met de computer.",
      "{n} helpt volwassenen die moeite hebben met taal, samen met vrijwilligers en partners in {m}.",
      "Wilt u beter leren lezen en schrijven? {n} zoekt samen met u wat bij u past.", NULL},
     t_taalhuis, 't', "", 0, 0, 0, "{n} {m}",
     "{n} is de plek in {m} voor iedereen die beter wil leren lezen, schrijven, rekenen of "
     "digitaal wil meedoen. Een intakegesprek is gratis en vrijblijvend.", 100, 0},
    {"taalcafe", 5, "a5e1", 3, 0, "1@1930+90 2@1400+90 3@1000+90 4@1930+90 5@1400+90",
     "Nederlands oefenen|conversatie|ontmoeting",
     {"Bij {n} oefent u Nederlands praten in een ontspannen sfeer, samen met vrijwilligers.",
      "{n} is er voor iedereen die Nederlands leert en meer wil oefenen met spreken.",
      "Nieuw in {m}? Bij {n} ontmoet u andere mensen en oefent u de taal.", NULL},
     t_taalcafe, 't', "", 0, 0, 0, NULL, NULL, 0, 0},
    {"nt2-oefenen", 4, "c4a2", 10, 0, "1@1000+120 2@1900+120 3@1000+120 4@1400+120",
     "Nederlands leren|NT2|inburgering",
     {"{n} is voor anderstaligen die Nederlands willen leren of hun Nederlands willen verbeteren.",
      "Met {n} werkt u aan uw Nederlands, in de bibliotheek en thuis.",
      "Nederlands leren gaat sneller als u elke week oefent, en daar helpt {n} bij.", NULL},
     t_nt2, 't', "c", 35, 10, 45, NULL, NULL, 0, 0},
    {"digisterker", 4, "c1", 0, 0, "1@1000+120 2@1400+120 3@1000+120 4@1000+120 5@1000+120",
     "digitale overheid|DigiD|digitale vaardigheden",
     {"{n} is een cursus voor iedereen die zaken met de overheid online wil leren regelen.",
      "Steeds meer contact met de overheid gaat via internet; met {n} leert u hoe dat werkt.",
      "Bij {n} oefent u met de websites van de overheid in een oefenomgeving.", NULL},
     t_digisterker, 'd', "c", 10, 5, 15, NULL, NULL, 0, 0},
    {"informatiepunt-digitale-overheid", 3, "a1", 0, 0,
     "1@1000+120 2@1400+120 3@1000+180 4@1400+120 5@1000+120",
     "digitale overheid|DigiD|toeslagen",
     {"Bij {n} krijgt u hulp bij het regelen van zaken met de overheid.",
      "{n} beantwoordt vragen over DigiD, toeslagen, belastingen en andere overheidszaken.",
      "Loopt u vast op een website van de overheid? Kom dan naar {n}.", NULL},
     t_ido, 'd', "", 0, 0, 0, "{n} in {b}",
     "Heeft u vragen over de digitale overheid, zoals DigiD, toeslagen of uw belastingaangifte? "
     "Bij {n} helpen medewerkers u op weg.", 100, 0},
    {"klik-en-tik", 4, "c1", 0, 0, "1@1000+120 2@1000+120 3@1400+120 5@1000+120",
     "computer|digitale vaardigheden|basisvaardigheden",
     {"{n} is voor mensen die nog nooit of weinig met een computer hebben gewerkt.",
      "Met {n} zet u de eerste stappen op de computer, rustig en op uw eigen tempo.",
      "Bij {n} leert u de basis van de computer en het internet.", NULL},
     t_kliktik, 'd', "c", 15, 5, 25, NULL, NULL, 0, 0},
    {"digitaal-spreekuur", 6, "a1", 0, 0,
     "1@1000+120 2@1400+120 3@1000+120 4@1400+120 5@1000+120 6@1030+120",
     "digitale vaardigheden|smartphone|tablet",
     {"{n} is er voor iedereen met vragen over de computer, tablet of smartphone.",
      "Loopt u vast met uw telefoon of laptop? Bij {n} helpen vrijwilligers u verder.",
      "Tijdens {n} kunt u zonder afspraak binnenlopen met al uw digitale vragen.", NULL},
     t_spreekuur, 'd', "", 0, 0, 0, NULL, NULL, 0, 0},
    {"mediawijsheid", 3, "e3c1", 20, 5, "3@1400+90 2@1930+90 6@1100+90",
     "mediawijsheid|sociale media|online veiligheid",
     {"Met {n} leren kinderen en ouders bewust omgaan met media.",
      "{n} gaat over slim, veilig en kritisch omgaan met internet en sociale media.", NULL, NULL},
     t_mediawijs, 'd', "c", 20, 5, 20, NULL, NULL, 0, 0},
    {"programmeren-en-maken", 4, "a2c2e1", 0, 0, "3@1400+90 5@1530+90 6@1000+120 6@1300+120",
     "programmeren|techniek|maken",
     {"In {n} ontdekken kinderen hoe technologie werkt door zelf te maken en te programmeren.",
      "{n} is de plek in {b} waar je knutselt met robots, code en de 3D-printer.",
      "Bij {n} leer je spelenderwijs programmeren en ontwerpen.", NULL},
     t_maken, 'k', "c", 30, 5, 35, NULL, NULL, 0, 0},
    {"geldzaken", 3, "a2e2c1", 10, 5, "1@1400+120 2@1000+120 3@1930+90 4@1400+120",
     "geldzaken|financiën|administratie",
     {"Bij {n} krijgt u hulp en informatie over geld, administratie en formulieren.",
      "{n} helpt u grip te houden op uw geldzaken, samen met partners uit {m}.",
      "Geldzorgen kunnen iedereen overkomen; bij {n} vindt u betrouwbare informatie.", NULL},
     t_geld, 'l', "", 0, 0, 0, "{n}",
     "{n} geeft informatie over geld en administratie en verwijst zo nodig door naar "
     "schuldhulpverlening in {m}.", 60, 0},
    {"werk-en-loopbaan", 3, "a2e2c1", 10, 0, "1@1000+120 2@1400+120 3@1000+120 4@1930+90",
     "werk|sollicitatie|loopbaan",
     {"Bij {n} krijgt u hulp bij het zoeken naar werk of een nieuwe opleiding.",
      "{n} is er voor werkzoekenden en voor iedereen die over zijn loopbaan nadenkt.", NULL, NULL},
     t_werk, 'l', "c", 20, 10, 40, "{n}",
     "{n} helpt werkzoekenden in {m} met vacatures, cv's, sollicitatiebrieven en opleidingen.", 50, 0},
    {"online-leren", 2, "c2e2", 60, 10, "1@1930+90 3@1930+90 2@1000+90",
     "online leren|e-learning|persoonlijke ontwikkeling",
     {"Met {n} leert u wanneer het u uitkomt, thuis of in de bibliotheek.",
      "{n} biedt cursussen over computers, talen, werk en persoonlijke ontwikkeling.", NULL, NULL},
     t_online, 'd', "c", 25, 5, 45, "{n}: gratis online cursussen voor leden",
     "Leden van {l} volgen gratis online cursussen, van Excel tot mindfulness, in hun eigen tempo.",
     50, 1},
    {"gezondheid", 3, "e3a1", 0, 10, "2@1400+90 3@1930+90 4@1400+90 5@1000+90",
     "gezondheid|zorg|welzijn",
     {"{n} brengt betrouwbare informatie over gezondheid dichtbij.",
      "Bij {n} vindt u informatie over gezondheid en zorg, en mensen die met u meedenken.", NULL, NULL},
     t_gezond, 'l', "", 0, 0, 0, "{n}",
     "Bij {n} vindt u betrouwbare informatie over gezondheid, ziekte en zorg in {m}.", 30, 0},
    {"leesclub", 4, "a3e1", 0, 0, "1@1930+120 2@1400+120 3@1930+120 4@1000+120",
     "lezen|literatuur|boekbespreking",
     {"In {n} praat u met andere lezers over het boek dat u allemaal hebt gelezen.",
      "{n} is voor iedereen die graag leest en daar met anderen over praat.",
      "Samen lezen is dubbel genieten: bij {n} bespreken we elke bijeenkomst een boek.", NULL},
     t_leesclub, 'b', "", 0, 0, 0, NULL, NULL, 0, 0},
    {"lezing-en-debat", 5, "e1", 5, 20, "1@2000+90 2@2000+90 3@2000+90 4@2000+90 6@1400+90 7@1400+90",
     "lezing|debat|cultuur",
     {"{l} organiseert regelmatig lezingen en gesprekken over actuele en historische onderwerpen.",
      "In {b} gaan sprekers en publiek met elkaar in gesprek.",
      "Een avond om te luisteren, vragen te stellen en mee te praten.", NULL},
     t_lezing, 'l', "e", 25, 5, 15, NULL, NULL, 0, 0},
    {"e-books", 2, "e2c1", 0, 0, "2@1000+90 4@1400+90 6@1100+90", "e-books|digitaal lezen",
     {"Met uw bibliotheekpas leest u gratis e-books op uw telefoon, tablet of e-reader.",
      "Duizenden e-books, altijd bij de hand: {n} laat zien hoe het werkt.", NULL, NULL},
     t_ebooks, 'd', "", 0, 0, 0, NULL, NULL, 0, 0},
    {"luisterboeken", 1, "e1", 0, 0, "2@1400+60 5@1000+60 6@1100+60", "luisterboeken|luisteren",
     {"Luisteren is ook lezen: met uw bibliotheekpas luistert u gratis naar luisterboeken.",
      "{n} laat zien hoe u boeken beluistert in de auto, tijdens het wandelen of in bed.", NULL, NULL},
     t_luister, 'k', "", 0, 0, 0, NULL, NULL, 0, 0},
};

static const propdef generic_propdef = {
    NULL, 2, "e2a1c1", 0, 0, "2@1400+90 4@1930+90 6@1100+90", "",
    {"{l} organiseert {n} in {b}.", "Bij {n} bent u van harte welkom.", NULL, NULL},
    t_generic, 'l', "", 0, 0, 0, NULL, NULL, 0, 0};

/* Subjects each proposition's synthetic topics are drawn from (Zipfian,
 * most common first); propositions without a row use their register. */
static const char *const synth_domains[][2] = {
    {"bibliotheek-op-school",
     "leesplezier|begrijpend lezen|gedichten|strips|informatieve boeken|de schoolbibliotheek|"
     "voorlezen in de klas|spreekbeurten|verhalen schrijven|nieuwsbegrip|boekenkringen|poëzie"},
    {"boekstart", "kijkboekjes|liedjes en versjes|dieren|de boerderij|kleuren|slapen gaan|in bad|"
                  "eten en drinken|vriendjes|de seizoenen|voelboekjes|tellen"},
    {"voorleesexpress", "voorlezen thuis|meertalige gezinnen|prentenboeken kiezen|praten over plaatjes|"
                        "de bibliotheekpas|taalspelletjes|voorlezen in de eigen taal|rijmpjes"},
    {"taalhuis", "lezen|schrijven|rekenen|formulieren|de computer|brieven van instanties|e-mailen|"
                 "de krant lezen|spelling|de bijsluiter|de gemeente|de rekening betalen"},
    {"nt2-oefenen", "spreken|luisteren|schrijven|lezen|woordenschat|uitspraak|grammatica|"
                    "de Nederlandse samenleving|het examen|werk zoeken|de huisarts|"
                    "de school van uw kinderen|boodschappen doen|de buren"},
    {"digisterker", "DigiD|MijnOverheid|toeslagen|huurtoeslag|zorgtoeslag|de belastingaangifte|"
                    "het UWV|de SVB|de gemeente|uw paspoort|verhuizen doorgeven|uw pensioenoverzicht|"
                    "de Berichtenbox|het CAK|de RDW"},
    {"informatiepunt-digitale-overheid",
     "DigiD|toeslagen|huurtoeslag|zorgtoeslag|de belastingaangifte|MijnOverheid|het UWV|de SVB|"
     "uw paspoort|verhuizen doorgeven|een parkeervergunning|het CJIB|kinderopvangtoeslag|de AOW"},
    {"mediawijsheid", "nepnieuws|deepfakes|TikTok|Instagram|gamen|cyberpesten|privacy|"
                      "reclame en influencers|kunstmatige intelligentie|online oplichting|schermtijd|"
                      "YouTube"},
    {"programmeren-en-maken", "Scratch|micro:bit|LEGO-robots|3D-printen|lasersnijden|solderen|Python|"
                              "games maken|apps bouwen|stop-motion|elektronica|naaimachines|drones"},
    {"geldzaken", "de belastingaangifte|toeslagen|schulden|sparen|uw budget|de energierekening|"
                  "verzekeringen|pensioen|een testament|huur en hypotheek|uw administratie|zorgkosten|"
                  "geld en kinderen|online betalen"},
    {"werk-en-loopbaan", "uw cv|de sollicitatiebrief|het sollicitatiegesprek|LinkedIn|netwerken|"
                         "vacatures zoeken|omscholen|vrijwilligerswerk|een eigen bedrijf|"
                         "werken in de zorg|werken in het onderwijs|uw talenten|parttime werken"},
    {"online-leren", "Excel|Word|Engels|Spaans|fotografie|timemanagement|mindfulness|presenteren|"
                     "projectmanagement|programmeren|boekhouden|creatief schrijven|Duits|Frans"},
    {"gezondheid", "slaap|voeding|bewegen|diabetes|hart en vaten|dementie|de overgang|rugpijn|"
                   "medicijnen|mantelzorg|eenzaamheid|stress|gehoor|vallen voorkomen|zien"},
    {"e-books", "e-books lenen|de app van de Online Bibliotheek|lezen op de e-reader|"
                "Nederlandse thrillers|e-books voor kinderen|grote letters instellen|e-books reserveren|"
                "uw leeslijst|literaire e-books|Engelstalige e-books"},
    {"luisterboeken", "luisterboeken voor onderweg|hoorspelen|podcasts|gesproken boeken|"
                      "luisteren in de auto|voorleesboeken voor kinderen|gesproken kranten"},
};

/* ---- practical sentences ---- */

static const char *const s_offline[] = {
    "Aanmelden is niet nodig; loop gerust binnen.",
    "Aanmelden kan via de website of aan de balie van {b}.",
    "Deelname is gratis, ook als u geen lid bent van de bibliotheek.",
    "U heeft geen bibliotheekpas nodig om mee te doen.",
    "Iedereen die geïnteresseerd is, is van harte welkom.",
    "De koffie en thee staan voor u klaar.",
    "Het aantal plaatsen is beperkt, dus meld u op tijd aan.",
    "Kom op tijd: vol is vol.",
    NULL};
static const char *const s_cafe[] = {
    "In het café van {b} staat de koffie klaar.",
    "Het café is gratis en u hoeft zich niet aan te melden.",
    "Schuif gewoon aan; u hoeft niet elke week te komen.",
    NULL};
static const char *const s_digital[] = {
    "Neem uw eigen laptop, tablet of smartphone mee, goed opgeladen.",
    "Heeft u geen eigen apparaat? Dan kunt u er één lenen van de bibliotheek.",
    "We kijken alleen mee als u dat wilt: uw gegevens blijven privé.",
    "Neem uw wachtwoorden en inloggegevens mee, maar geef ze aan niemand.",
    NULL};
static const char *const s_children[] = {
    "Kinderen komen onder begeleiding van een ouder, opa, oma of oppas.",
    "Toegang is gratis en je hoeft je niet aan te melden.",
    "Na afloop mogen de kinderen zelf boeken uitzoeken om mee naar huis te nemen.",
    "Heb je nog geen bibliotheekpas? Die is voor kinderen gratis.",
    NULL};
static const char *const s_online[] = {
    "De bijeenkomst is online; na aanmelding ontvangt u een link.",
    "U doet mee vanaf uw eigen computer, thuis of waar u maar wilt.",
    "Meld u aan via de website; de link volgt een dag van tevoren per e-mail.",
    NULL};
static const char *const s_hybrid[] = {
    "U kunt in {b} aanwezig zijn of online meekijken via de livestream.",
    "Wie niet kan komen, kijkt thuis mee via de livestream op de website.",
    NULL};
static const char *const s_service[] = {
    "U kunt zonder afspraak binnenlopen tijdens de openingstijden van {b}.",
    "Maak een afspraak via de website of bel de bibliotheek.",
    "Deze dienst is gratis, ook als u geen lid bent van de bibliotheek.",
    "Alles wat u vertelt, blijft privé.",
    NULL};

/* ---- genres of the catalogue ---- */

typedef struct genre {
    const char *name;
    const char *noun;    /* "een ..." in a sentence */
    const char *themes;  /* '|' */
    const char *groups;  /* ',' */
    int min_age, max_age;
    const char *task;
    int weight;          /* for synthetic works */
    const char *phrase[3];
} genre;

enum { G_LIT, G_THRILLER, G_DETECTIVE, G_FANTASY, G_SF, G_ROMANCE, G_HIST, G_JEUGD, G_YA,
       G_PRENT, G_HORROR, G_CLASSIC, G_BIO, G_NONFIC, G_POETRY, G_HUMOR, G_GRAPHIC, G_SELFHELP,
       N_GENRES };

static const genre genres[N_GENRES] = {
    {"literaire roman", "literaire roman", "familie|liefde|verlies|identiteit", "volwassenen", 16, -1, "cultuur", 14,
     {"Een literaire roman over de kleine en grote keuzes in een mensenleven.",
      "Een indringend verhaal over familie, schuld en de vraag wie je eigenlijk bent.",
      "Een roman die je bijblijft, vol scherpe observaties en mooie zinnen."}},
    {"thriller", "thriller", "spanning|misdaad", "volwassenen", 16, -1, "cultuur", 12,
     {"Een spannende thriller vol onverwachte wendingen.",
      "Een psychologische thriller die je niet wegzet voordat je weet hoe het afloopt.",
      "Spanning van de eerste tot de laatste bladzijde."}},
    {"detective", "detectiveroman", "misdaad|speurwerk", "volwassenen", 16, -1, "cultuur", 7,
     {"Een klassiek speurdersverhaal waarin niets is wat het lijkt.",
      "Een detective met een ingewikkelde zaak, een eigenwijze rechercheur en een verrassende ontknoping.",
      NULL}},
    {"fantasy", "fantasyroman", "magie|avontuur", "volwassenen,jeugd", 12, -1, "cultuur", 6,
     {"Een meeslepend fantasyverhaal in een wereld vol magie.",
      "Een episch avontuur met draken, tovenaars en een strijd tussen goed en kwaad.", NULL}},
    {"sciencefiction", "sciencefictionroman", "toekomst|technologie|ruimtevaart", "volwassenen", 14, -1, "cultuur", 4,
     {"Sciencefiction over een toekomst die dichterbij is dan je denkt.",
      "Een verhaal over technologie, de ruimte en wat ons mens maakt.", NULL}},
    {"romantische roman", "romantische roman", "liefde|relaties", "volwassenen", 16, -1, "cultuur", 9,
     {"Een romantisch verhaal om lekker bij weg te dromen.",
      "Een feelgoodroman over liefde, vriendschap en tweede kansen.", NULL}},
    {"historische roman", "historische roman", "geschiedenis|oorlog", "volwassenen", 16, -1, "cultuur", 7,
     {"Een historische roman die een vervlogen tijd tot leven brengt.",
      "Een aangrijpend verhaal tegen de achtergrond van oorlog en verandering.", NULL}},
    {"jeugdboek", "jeugdboek", "avontuur|vriendschap|school", "jeugd", 8, 12, "geletterdheid", 10,
     {"Een spannend en grappig jeugdboek om zelf te lezen of voor te lezen.",
      "Een avonturenverhaal voor kinderen vanaf acht jaar.",
      "Een boek over vriendschap en durven, voor lezers vanaf negen jaar."}},
    {"young adult", "young-adultroman", "opgroeien|vriendschap|liefde", "jeugd", 12, 18, "geletterdheid", 6,
     {"Een young-adultroman over opgroeien, vriendschap en de eerste liefde.",
      "Een spannend verhaal voor jongeren vanaf twaalf jaar.", NULL}},
    {"prentenboek", "prentenboek", "prentenboeken|voorlezen", "peuter,kleuter,ouders", 2, 6, "geletterdheid", 6,
     {"Een vrolijk prentenboek om samen te lezen.",
      "Een prentenboek met grote, kleurrijke platen en korte zinnen om voor te lezen.", NULL}},
    {"horror", "griezelroman", "spanning|bovennatuurlijk", "volwassenen", 16, -1, "cultuur", 2,
     {"Een griezelverhaal dat je beter niet vlak voor het slapengaan kunt lezen.",
      "Horror van de bovenste plank, met een dreiging die langzaam toeneemt.", NULL}},
    {"klassieker", "klassieker", "wereldliteratuur|klassiekers", "volwassenen", 14, -1, "cultuur", 2,
     {"Een klassieker uit de wereldliteratuur die nog altijd wordt gelezen.",
      "Een tijdloos boek dat generaties lezers heeft geraakt.", NULL}},
    {"biografie", "biografie", "levensverhaal|geschiedenis", "volwassenen", 16, -1, "leven-lang-ontwikkelen", 4,
     {"Het levensverhaal van een bijzonder mens, eerlijk en persoonlijk verteld.",
      "Een biografie die laat zien hoe één leven een tijdperk kan weerspiegelen.", NULL}},
    {"non-fictie", "non-fictieboek", "samenleving|wetenschap|geschiedenis", "volwassenen", 16, -1, "leven-lang-ontwikkelen", 6,
     {"Een toegankelijk boek dat een ingewikkeld onderwerp helder uitlegt.",
      "Non-fictie over de wereld om ons heen, vol verrassende inzichten.", NULL}},
    {"poëzie", "dichtbundel", "gedichten", "volwassenen", 14, -1, "cultuur", 1,
     {"Een bundel gedichten om langzaam te lezen en te herlezen.", NULL, NULL}},
    {"humor", "humoristisch boek", "humor", "volwassenen", 14, -1, "cultuur", 2,
     {"Een boek om hardop om te lachen.", "Luchtig en geestig, ideaal voor de vakantie.", NULL}},
    {"graphic novel", "graphic novel", "strips|beeldverhaal", "volwassenen,jeugd", 12, -1, "cultuur", 2,
     {"Een beeldroman waarin tekening en tekst samen het verhaal vertellen.", NULL, NULL}},
    {"zelfhulp", "zelfhulpboek", "psychologie|persoonlijke ontwikkeling", "volwassenen", 18, -1,
     "leven-lang-ontwikkelen", 3,
     {"Een praktisch boek met inzichten en oefeningen voor het dagelijks leven.",
      "Psychologie voor iedereen, met tips die je meteen kunt toepassen.", NULL}},
};

typedef struct genre_rule {
    const char *needle; /* substring of authors or title */
    int genre;
} genre_rule;

static const genre_rule genre_rules[] = {
    {"Harry Potter", G_JEUGD}, {"Roald Dahl", G_JEUGD}, {"Dr. Seuss", G_PRENT},
    {"Eric Carle", G_PRENT}, {"Mo Willems", G_PRENT}, {"Maurice Sendak", G_PRENT},
    {"Jeff Kinney", G_JEUGD}, {"Rick Riordan", G_JEUGD}, {"Beverly Cleary", G_JEUGD},
    {"E.B. White", G_JEUGD}, {"Lemony Snicket", G_JEUGD}, {"C.S. Lewis", G_FANTASY},
    {"Shel Silverstein", G_POETRY}, {"Suzanne Collins", G_YA}, {"John Green", G_YA},
    {"Veronica Roth", G_YA}, {"Stephenie Meyer", G_YA}, {"Cassandra Clare", G_YA},
    {"James Dashner", G_YA}, {"Rainbow Rowell", G_YA}, {"Kiera Cass", G_YA},
    {"Marissa Meyer", G_YA}, {"Sarah J. Maas", G_YA}, {"Richelle Mead", G_YA},
    {"Lauren Oliver", G_YA}, {"Ally Condie", G_YA}, {"Maggie Stiefvater", G_YA},
    {"Tolkien", G_FANTASY}, {"George R.R. Martin", G_FANTASY}, {"Brandon Sanderson", G_FANTASY},
    {"Terry Pratchett", G_FANTASY}, {"Neil Gaiman", G_FANTASY}, {"Robert Jordan", G_FANTASY},
    {"Patrick Rothfuss", G_FANTASY}, {"Terry Goodkind", G_FANTASY}, {"Robin Hobb", G_FANTASY},
    {"Dan Brown", G_THRILLER}, {"Lee Child", G_THRILLER}, {"James Patterson", G_THRILLER},
    {"Gillian Flynn", G_THRILLER}, {"Stieg Larsson", G_THRILLER}, {"John Grisham", G_THRILLER},
    {"Michael Connelly", G_THRILLER}, {"Harlan Coben", G_THRILLER}, {"David Baldacci", G_THRILLER},
    {"Agatha Christie", G_DETECTIVE}, {"Arthur Conan Doyle", G_DETECTIVE},
    {"Janet Evanovich", G_DETECTIVE}, {"J.D. Robb", G_DETECTIVE}, {"Louise Penny", G_DETECTIVE},
    {"Nicholas Sparks", G_ROMANCE}, {"Nora Roberts", G_ROMANCE}, {"Jojo Moyes", G_ROMANCE},
    {"E.L. James", G_ROMANCE}, {"Colleen Hoover", G_ROMANCE}, {"Sylvia Day", G_ROMANCE},
    {"J.R. Ward", G_ROMANCE}, {"Sophie Kinsella", G_ROMANCE}, {"Diana Gabaldon", G_HIST},
    {"Ken Follett", G_HIST}, {"Philippa Gregory", G_HIST}, {"Hilary Mantel", G_HIST},
    {"Stephen King", G_HORROR}, {"Anne Rice", G_HORROR}, {"Dean Koontz", G_HORROR},
    {"Isaac Asimov", G_SF}, {"Douglas Adams", G_SF}, {"Philip K. Dick", G_SF},
    {"Orson Scott Card", G_SF}, {"Frank Herbert", G_SF}, {"Ray Bradbury", G_SF},
    {"Andy Weir", G_SF}, {"Kurt Vonnegut", G_SF}, {"Jane Austen", G_CLASSIC},
    {"Charles Dickens", G_CLASSIC}, {"Shakespeare", G_CLASSIC}, {"Leo Tolstoy", G_CLASSIC},
    {"Fyodor Dostoyevsky", G_CLASSIC}, {"Homer", G_CLASSIC}, {"Brontë", G_CLASSIC},
    {"Mark Twain", G_CLASSIC}, {"Oscar Wilde", G_CLASSIC}, {"Malcolm Gladwell", G_NONFIC},
    {"Bill Bryson", G_NONFIC}, {"Yuval Noah Harari", G_NONFIC}, {"Brené Brown", G_SELFHELP},
    {"Dale Carnegie", G_SELFHELP}, {"David Sedaris", G_HUMOR}, {"Alan Moore", G_GRAPHIC},
    {"Art Spiegelman", G_GRAPHIC}, {"Marjane Satrapi", G_GRAPHIC}, {"Bill Watterson", G_GRAPHIC},
    {"Poems", G_POETRY}, {"Poetry", G_POETRY}, {"Memoir", G_BIO}, {"Autobiography", G_BIO},
    {"Biography", G_BIO}, {"A Life", G_BIO}, {"Diary", G_BIO}, {"History", G_NONFIC},
    {"Murder", G_DETECTIVE}, {"Dead", G_THRILLER}, {"Kill", G_THRILLER}, {"Love", G_ROMANCE},
    {"Vampire", G_FANTASY}, {"Dragon", G_FANTASY}, {"Magic", G_FANTASY}, {"Witch", G_FANTASY},
    {"Graphic Novel", G_GRAPHIC}, {"Vol. ", G_GRAPHIC},
};

/* ---- words for synthetic titles, in frequency order ---- */

static const char *const de_nouns[] = {
    "rivier", "molen", "zee", "stad", "tuin", "polder", "boerderij", "haven", "brug", "vuurtoren",
    "dijk", "storm", "reis", "zomer", "winter", "herfst", "lente", "nacht", "ochtend", "kat",
    "hond", "vos", "uil", "kraai", "koe", "draak", "heks", "koning", "koningin", "prinses",
    "ridder", "piraat", "schipper", "dokter", "juf", "bakker", "visser", "buurvrouw", "opa", "oma",
    "vriendschap", "liefde", "herinnering", "brief", "sleutel", "kaart", "lamp", "fiets", "trein",
    "boot", "wolk", "maan", "zon", "ster", "berg", "duin", "kust", "wei", "sloot", "vijver",
    "kerk", "toren", "markt", "straat", "wijk", "fabriek", "school", "bibliotheek", "familie",
    "oorlog", "vrede", "tijd", "stilte", "muziek", "taal", "geschiedenis", "toekomst", "natuur",
    "wetenschap", "kunst", "schilder", "dichter", "ontdekking", "uitvinding", "reiziger", "grens",
    "waarheid", "zus", "broer", "moeder", "vader", "dochter", "zoon", "stem", NULL};
static const char *const het_nouns[] = {
    "huis", "bos", "water", "veld", "eiland", "dorp", "land", "meer", "kanaal", "strand", "paard",
    "schaap", "konijn", "verhaal", "geheim", "boek", "lied", "schilderij", "museum", "kasteel",
    "station", "plein", "park", "hart", "licht", "vuur", "ijs", "weer", "spel", "feest",
    "avontuur", "raadsel", "leven", "begin", "einde", "zand", "koor", "theater", "archief",
    "atelier", NULL};
/* Pairs: the form after "een" with a het-word, and the inflected form. */
static const char *const adjectives[] = {
    "stil", "stille", "oud", "oude", "nieuw", "nieuwe", "groot", "grote", "klein", "kleine",
    "donker", "donkere", "groen", "groene", "blauw", "blauwe", "rood", "rode", "wit", "witte",
    "zwart", "zwarte", "verborgen", "verborgen", "verloren", "verloren", "laatste", "laatste",
    "eerste", "eerste", "lang", "lange", "warm", "warme", "koud", "koude", "wild", "wilde",
    "vrolijk", "vrolijke", "gouden", "gouden", "zilveren", "zilveren", "houten", "houten",
    "geheim", "geheime", "vreemd", "vreemde", "mooi", "mooie", "bijzonder", "bijzondere",
    "onzichtbaar", "onzichtbare", "eenzaam", "eenzame", "dapper", "dappere", "slim", "slimme",
    "gek", "gekke", "hoog", "hoge", "diep", "diepe", "zacht", "zachte", "wijs", "wijze",
    "Hollands", "Hollandse", "Fries", "Friese", "Brabants", "Brabantse", "Gronings", "Groningse",
    "Limburgs", "Limburgse", "Zeeuws", "Zeeuwse", NULL};
static const char *const places[] = {
    "Amsterdam", "Rotterdam", "Utrecht", "Groningen", "Zwolle", "Dokkum", "Harlingen",
    "Zierikzee", "Middelburg", "Deventer", "Kampen", "Hoorn", "Enkhuizen", "Edam", "Texel",
    "Vlieland", "Terschelling", "Ameland", "Schiermonnikoog", "de Veluwe", "de Betuwe", "Twente",
    "de Achterhoek", "Drenthe", "Limburg", "Zeeland", "Friesland", "het Gooi", "de Zaanstreek",
    "Giethoorn", "Elburg", "Naarden", "Gouda", "Delft", "Leiden", "Haarlem", "Maastricht",
    "Valkenburg", "Nijmegen", "Breda", "Tilburg", "'s-Hertogenbosch", "Den Helder", "Vlissingen",
    "Urk", NULL};
static const char *const first_names[] = {
    "Anna", "Sanne", "Emma", "Lotte", "Julia", "Sophie", "Fleur", "Eva", "Noor", "Tess", "Lieke",
    "Femke", "Anouk", "Marieke", "Ingrid", "Hanneke", "Ellen", "Mirjam", "Annelies", "Renée",
    "Daan", "Sem", "Lucas", "Bram", "Thijs", "Jesse", "Ruben", "Jeroen", "Pieter", "Willem", "Jan",
    "Kees", "Gerrit", "Hendrik", "Maarten", "Bas", "Joost", "Sander", "Mohammed", "Fatima",
    "Yusuf", "Aylin", "Priya", "Chen", "Ilse", "Merel", "Rutger", "Sjoerd", "Wouter", "Floor",
    "Zoë", "Chloë", NULL};
static const char *const last_names[] = {
    "de Vries", "Jansen", "de Jong", "van den Berg", "Bakker", "Visser", "Smit", "Meijer",
    "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker",
    "Brouwer", "de Wit", "Dijkstra", "Smits", "de Graaf", "van der Meer", "van der Linden", "Kok",
    "Jacobs", "de Haan", "Vermeulen", "van den Heuvel", "van der Veen", "van den Broek",
    "de Bruijn", "Schouten", "van Dijk", "Hoekstra", "Postma", "Kuipers", "Verhoeven", "Huisman",
    "Prins", "van Wijk", "Koster", "Willems", "Hermans", "Kramer", "El Amrani", "Yılmaz",
    "Öztürk", "Bouzid", "Wijnberg", "Buitenhuis", NULL};
static const char *const digital_tasks[] = {
    "foto's delen met familie", "videobellen", "online bankieren", "e-mail gebruiken",
    "een afspraak maken bij de huisarts", "apps installeren", "wachtwoorden beheren",
    "online winkelen", "reizen met de NS-app", "WhatsApp-groepen", "uw telefoon beveiligen",
    "digitaal betalen", "de DigiD-app", "formulieren invullen", "het nieuws volgen",
    "de weg vinden met een kaart-app", "muziek luisteren", "e-books lenen", "uw agenda bijhouden",
    "phishing herkennen", "bestanden bewaren in de cloud", "een back-up maken",
    "Facebook en Instagram", "zoeken op internet", "brieven typen", "printen en scannen",
    "betrouwbare gezondheidsinformatie vinden", "uw energierekening online", "tweedehands kopen",
    "een QR-code scannen", NULL};
static const char *const devices[] = {"smartphone", "tablet", "laptop", "computer", "iPad",
                                      "Android-telefoon", NULL};

/* ---- inputs ---- */

typedef struct prop {
    char id[64], name[128], task[64], audience[256];
    char *aliases[MAX_ALIASES];
    int n_aliases;
    const propdef *def;
    char *domain_text;                 /* owns the words of domain */
    const char *domain_words[48];      /* NULL-terminated */
    wordlist domain;                   /* n == 0: none */
    int n_slots;
    int slot_wd[MAX_SLOTS], slot_min[MAX_SLOTS], slot_dur[MAX_SLOTS];
} prop;

typedef struct branch {
    char id[96], name[128], municipality[96], pc4[8];
    double lat, lon;
    int lib;
} branch;

typedef struct library {
    char id[96], name[128], short_name[64];
    int first_branch, n_branches;
    unsigned counter; /* agenda ids */
} library;

typedef struct book {
    char *title, *authors;
    char lang[3];
    int year;
    char isbn13[14];
} book;

typedef struct holding {
    char kind; /* 'e' e-book, 'a' audiobook, 'b' book */
    int lib, branch;
} holding;

typedef struct work {
    char isbn13[14];
    char title[512];
    char creators[8][160];
    int n_creators;
    char lang[3];
    int year, genre, synthetic;
    char theme[96];
    char setting[160];
    holding h[40];
    int n, next;
} work;

typedef struct service_slot {
    int lib, prop;
} service_slot;

typedef struct gen {
    uint64_t seed;
    int64_t base_day;
    int base_year;
    prop props[MAX_PROPS];
    int n_props;
    int prop_ebook, prop_luister; /* -1 when absent from the vocabulary */
    library libs[MAX_LIBS];
    int n_libs;
    branch branches[MAX_BRANCHES];
    int n_branches;
    int alias[MAX_LIBS + 1][MAX_PROPS]; /* index n_libs: the national platform */
    int prop_w[MAX_PROPS], branch_w[MAX_BRANCHES];
    service_slot services[MAX_LIBS * MAX_PROPS];
    int n_services, next_service;
    book *books;
    size_t n_books, next_book;
    char (*isbn_sorted)[14];
    rng agenda_rng, cat_rng;
    uint64_t agenda_n, activity_n, work_n, synth_isbn;
    work cur;
    wordlist de_w, het_w, adj_w, place_w, first_w, last_w, task_w, device_w;
} gen;

static void fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("vindplaats-generate: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        fail("out of memory");
    return p;
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = xmalloc(n);
    memcpy(d, s, n);
    return d;
}

static void copy(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static int in_comma_list(const char *list, const char *word)
{
    size_t wl = strlen(word);
    const char *p = list;
    while (*p) {
        size_t n = strcspn(p, ",");
        if (n == wl && strncmp(p, word, n) == 0)
            return 1;
        p += n;
        if (*p == ',')
            p++;
    }
    return 0;
}

static void parse_slots(prop *p, const char *file)
{
    const char *s = p->def->slots;
    p->n_slots = 0;
    while (*s && p->n_slots < MAX_SLOTS) {
        int wd, hhmm, dur, used = 0;
        if (sscanf(s, "%d@%d+%d%n", &wd, &hhmm, &dur, &used) != 3 || wd < 1 || wd > 7)
            fail("%s: bad time slots for %s", file, p->id);
        p->slot_wd[p->n_slots] = wd;
        p->slot_min[p->n_slots] = hhmm / 100 * 60 + hhmm % 100;
        p->slot_dur[p->n_slots] = dur;
        p->n_slots++;
        s += used;
        while (*s == ' ')
            s++;
    }
}

static void load_vocabulary(gen *g, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        fail("cannot read vocabulary %s: %s", path, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int lineno = 0;
    g->prop_ebook = g->prop_luister = -1;
    while ((len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len == 0 || line[0] == '#')
            continue;
        char *fields[5] = {NULL, NULL, NULL, NULL, NULL};
        int nf = 0;
        char *p = line;
        while (nf < 5) {
            fields[nf++] = p;
            char *tab = strchr(p, '\t');
            if (!tab)
                break;
            *tab = '\0';
            p = tab + 1;
        }
        if (nf < 2 || !fields[0][0]) {
            fprintf(stderr, "vindplaats-generate: %s:%d: skipped (fewer than two columns)\n", path,
                    lineno);
            continue;
        }
        if (g->n_props >= MAX_PROPS)
            fail("%s: more than %d propositions", path, MAX_PROPS);
        prop *pr = &g->props[g->n_props];
        memset(pr, 0, sizeof *pr);
        copy(pr->id, sizeof pr->id, fields[0]);
        copy(pr->name, sizeof pr->name, fields[1]);
        copy(pr->task, sizeof pr->task, nf > 2 ? fields[2] : "");
        copy(pr->audience, sizeof pr->audience, nf > 3 ? fields[3] : "");
        if (nf > 4) {
            char *a = fields[4];
            while (*a && pr->n_aliases < MAX_ALIASES) {
                size_t n = strcspn(a, "|");
                char save = a[n];
                a[n] = '\0';
                squeeze(a);
                if (*a)
                    pr->aliases[pr->n_aliases++] = xstrdup(a);
                if (!save)
                    break;
                a += n + 1;
            }
        }
        if (pr->n_aliases == 0)
            pr->aliases[pr->n_aliases++] = xstrdup(pr->name);
        pr->def = &generic_propdef;
        for (size_t i = 0; i < sizeof propdefs / sizeof propdefs[0]; i++)
            if (strcmp(propdefs[i].id, pr->id) == 0)
                pr->def = &propdefs[i];
        parse_slots(pr, path);
        if (strcmp(pr->id, "e-books") == 0)
            g->prop_ebook = g->n_props;
        if (strcmp(pr->id, "luisterboeken") == 0)
            g->prop_luister = g->n_props;
        g->n_props++;
    }
    free(line);
    if (ferror(f))
        fail("cannot read vocabulary %s: %s", path, strerror(errno));
    fclose(f);
    if (g->n_props == 0)
        fail("%s: no propositions", path);
}

typedef struct place {
    const char *name, *zip;
    double lat, lon;
} place;

static double coordinate(json_t *v)
{
    if (json_is_string(v))
        return strtod(json_string_value(v), NULL);
    if (json_is_number(v))
        return json_number_value(v);
    return NAN;
}

static int cmp_place(const void *a, const void *b)
{
    const place *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : strcmp(x->zip, y->zip);
}

static void load_network(gen *g, const char *path)
{
    json_error_t err;
    json_t *root = json_load_file(path, 0, &err);
    if (!root)
        fail("cannot read %s: %s", path, err.text);
    if (!json_is_array(root))
        fail("%s: expected a JSON array of {zipcode, name, latitude, longitude}", path);
    size_t n = json_array_size(root), k = 0;
    place *pl = xmalloc(n * sizeof *pl);
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(root, i);
        json_t *name = json_object_get(e, "name"), *zip = json_object_get(e, "zipcode");
        if (!json_is_string(name) || !json_is_string(zip))
            continue;
        pl[k].name = json_string_value(name);
        pl[k].zip = json_string_value(zip);
        pl[k].lat = coordinate(json_object_get(e, "latitude"));
        pl[k].lon = coordinate(json_object_get(e, "longitude"));
        if (isnan(pl[k].lat) || isnan(pl[k].lon) || fabs(pl[k].lat) > 90 || fabs(pl[k].lon) > 180)
            continue;
        k++;
    }
    qsort(pl, k, sizeof *pl, cmp_place);

    size_t n_defs = sizeof network_def / sizeof network_def[0];
    for (size_t li = 0; li < n_defs; li++) {
        const library_def *ld = &network_def[li];
        library *lib = &g->libs[g->n_libs];
        snprintf(lib->id, sizeof lib->id, "bibliotheek-%s", ld->short_name);
        copy(lib->name, sizeof lib->name, ld->name);
        copy(lib->short_name, sizeof lib->short_name, ld->short_name);
        lib->first_branch = g->n_branches;
        for (int bi = 0; bi < 5 && ld->b[bi].slug; bi++) {
            const branch_def *bd = &ld->b[bi];
            branch *br = &g->branches[g->n_branches];
            snprintf(br->id, sizeof br->id, "%s-%s", ld->short_name, bd->slug);
            copy(br->name, sizeof br->name, bd->name);
            copy(br->municipality, sizeof br->municipality, bd->municipality);
            br->lib = g->n_libs;
            /* The wanted PC4 of the municipality, else its bi-th one. */
            const place *hit = NULL, *first = NULL;
            size_t count = 0;
            for (size_t i = 0; i < k; i++) {
                if (strcmp(pl[i].name, bd->municipality) != 0)
                    continue;
                if (!first)
                    first = &pl[i];
                count++;
                if (strcmp(pl[i].zip, bd->pc4) == 0 && !hit)
                    hit = &pl[i];
            }
            if (!first)
                fail("%s: no postcode of %s, where %s should be", path, bd->municipality, bd->name);
            if (!hit)
                hit = first + (size_t)bi % count;
            copy(br->pc4, sizeof br->pc4, hit->zip);
            br->lat = round(hit->lat * 1e4) / 1e4;
            br->lon = round(hit->lon * 1e4) / 1e4;
            g->branch_w[g->n_branches] = bi == 0 ? 3 : 2;
            g->n_branches++;
        }
        lib->n_branches = g->n_branches - lib->first_branch;
        g->n_libs++;
    }
    free(pl);
    json_decref(root);
}

/* ---- the goodbooks CSV ---- */

typedef struct csvrow {
    char *buf;
    size_t cap, len;
    size_t start[64];
    int n;
} csvrow;

static void row_put(csvrow *r, char c)
{
    if (r->len + 1 >= r->cap) {
        r->cap = r->cap ? r->cap * 2 : 4096;
        char *nb = realloc(r->buf, r->cap);
        if (!nb)
            fail("out of memory");
        r->buf = nb;
    }
    r->buf[r->len++] = c;
}

/* Reads one RFC 4180 record; returns 0 at the end of the input. */
static int csv_row(const char **pp, const char *end, csvrow *r)
{
    const char *p = *pp;
    if (p >= end)
        return 0;
    r->n = 0;
    r->len = 0;
    for (;;) {
        if (r->n < 64)
            r->start[r->n] = r->len;
        if (p < end && *p == '"') {
            p++;
            while (p < end) {
                if (*p == '"') {
                    if (p + 1 < end && p[1] == '"') {
                        row_put(r, '"');
                        p += 2;
                        continue;
                    }
                    p++;
                    break;
                }
                row_put(r, *p++);
            }
        }
        while (p < end && *p != ',' && *p != '\n' && *p != '\r')
            row_put(r, *p++);
        row_put(r, '\0');
        if (r->n < 64)
            r->n++;
        if (p < end && *p == ',') {
            p++;
            continue;
        }
        if (p < end && *p == '\r')
            p++;
        if (p < end && *p == '\n')
            p++;
        *pp = p;
        return 1;
    }
}

static const char *field(const csvrow *r, int i)
{
    return i >= 0 && i < r->n ? r->buf + r->start[i] : "";
}

/* An ISBN-10 whose leading zeros may be missing, as 13 digits. */
static int isbn10_to_13(const char *s, char out[14])
{
    size_t n = strlen(s);
    if (n == 0 || n > 10)
        return -1;
    char d[11];
    memset(d, '0', 10);
    memcpy(d + 10 - n, s, n);
    d[10] = '\0';
    int sum = 0;
    for (int i = 0; i < 10; i++) {
        int v;
        if (d[i] >= '0' && d[i] <= '9')
            v = d[i] - '0';
        else if (i == 9 && (d[i] == 'X' || d[i] == 'x'))
            v = 10;
        else
            return -1;
        sum += (10 - i) * v;
    }
    if (sum % 11 != 0)
        return -1;
    memcpy(out, "978", 3);
    memcpy(out + 3, d, 9);
    sum = 0;
    for (int i = 0; i < 12; i++)
        sum += (out[i] - '0') * (i % 2 ? 3 : 1);
    out[12] = (char)('0' + (10 - sum % 10) % 10);
    out[13] = '\0';
    return 0;
}

static void language_of(const char *code, char out[3])
{
    if (strcmp(code, "nl") == 0 || strcmp(code, "nld") == 0 || strcmp(code, "dut") == 0) {
        strcpy(out, "nl");
        return;
    }
    if (strncmp(code, "en", 2) == 0 || strcmp(code, "eng") == 0) {
        strcpy(out, "en");
        return;
    }
    /* ISO 639-2 codes whose first two letters are not the ISO 639-1 code. */
    static const char *const three[][2] = {{"spa", "es"}, {"fre", "fr"}, {"fra", "fr"},
                                          {"ger", "de"}, {"deu", "de"}, {"ara", "ar"},
                                          {"ind", "id"}, {"per", "fa"}, {"jpn", "ja"},
                                          {"por", "pt"}, {"ita", "it"}, {"swe", "sv"},
                                          {"dan", "da"}, {"pol", "pl"}, {"tur", "tr"},
                                          {"rus", "ru"}, {"vie", "vi"}, {"nor", "no"},
                                          {"fil", "tl"}, {"mul", "en"}};
    for (size_t i = 0; i < sizeof three / sizeof three[0]; i++)
        if (strcmp(code, three[i][0]) == 0) {
            strcpy(out, three[i][1]);
            return;
        }
    char a = code[0], b = a ? code[1] : 0;
    if (a >= 'A' && a <= 'Z')
        a = (char)(a - 'A' + 'a');
    if (b >= 'A' && b <= 'Z')
        b = (char)(b - 'A' + 'a');
    if (a >= 'a' && a <= 'z' && b >= 'a' && b <= 'z') {
        out[0] = a;
        out[1] = b;
        out[2] = '\0';
    } else {
        strcpy(out, "en");
    }
}

static int cmp_isbn(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

typedef struct isbn_at {
    char isbn13[14];
    size_t index;
} isbn_at;

static int cmp_isbn_at(const void *a, const void *b)
{
    const isbn_at *x = a, *y = b;
    int c = strcmp(x->isbn13, y->isbn13);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

static int column(const csvrow *hdr, const char *name)
{
    for (int i = 0; i < hdr->n; i++)
        if (strcmp(field(hdr, i), name) == 0)
            return i;
    return -1;
}

static void load_books(gen *g, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail("cannot read %s: %s", path, strerror(errno));
    size_t cap = 1 << 20, len = 0;
    char *data = xmalloc(cap);
    size_t got;
    while ((got = fread(data + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            cap *= 2;
            char *nd = realloc(data, cap);
            if (!nd)
                fail("out of memory");
            data = nd;
        }
    }
    if (ferror(f))
        fail("cannot read %s: %s", path, strerror(errno));
    fclose(f);

    const char *p = data, *end = data + len;
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    csvrow hdr = {0}, row = {0};
    if (!csv_row(&p, end, &hdr))
        fail("%s: empty", path);
    int c_isbn = column(&hdr, "isbn"), c_auth = column(&hdr, "authors");
    int c_title = column(&hdr, "title"), c_lang = column(&hdr, "language_code");
    int c_year = column(&hdr, "original_publication_year");
    if (c_isbn < 0 || c_auth < 0 || c_title < 0)
        fail("%s: needs the columns isbn, authors and title", path);

    size_t bcap = 1024;
    g->books = xmalloc(bcap * sizeof *g->books);
    while (csv_row(&p, end, &row)) {
        book b;
        memset(&b, 0, sizeof b);
        if (isbn10_to_13(field(&row, c_isbn), b.isbn13) != 0)
            continue;
        char *title = xstrdup(field(&row, c_title)), *authors = xstrdup(field(&row, c_auth));
        squeeze(title);
        squeeze(authors);
        json_t *probe = json_string(title), *probe2 = json_string(authors);
        int ok = probe && probe2 && *title && *authors;
        json_decref(probe);
        json_decref(probe2);
        if (!ok) { /* not UTF-8, or empty */
            free(title);
            free(authors);
            continue;
        }
        b.title = title;
        b.authors = authors;
        language_of(field(&row, c_lang), b.lang);
        const char *y = field(&row, c_year);
        b.year = *y ? (int)strtol(y, NULL, 10) : 0;
        if (g->n_books == bcap) {
            bcap *= 2;
            book *nb = realloc(g->books, bcap * sizeof *nb);
            if (!nb)
                fail("out of memory");
            g->books = nb;
        }
        g->books[g->n_books++] = b;
    }
    free(hdr.buf);
    free(row.buf);
    free(data);

    /* Drop repeated ISBNs (ids must stay unique); keep the first. */
    size_t n = g->n_books, k = 0;
    isbn_at *order = xmalloc((n + 1) * sizeof *order);
    for (size_t i = 0; i < n; i++) {
        memcpy(order[i].isbn13, g->books[i].isbn13, 14);
        order[i].index = i;
    }
    qsort(order, n, sizeof *order, cmp_isbn_at);
    char *drop = calloc(n + 1, 1);
    if (!drop)
        fail("out of memory");
    for (size_t i = 1; i < n; i++)
        if (strcmp(order[i].isbn13, order[i - 1].isbn13) == 0)
            drop[order[i].index] = 1; /* ties sort by index: this one came later */
    free(order);
    g->isbn_sorted = xmalloc((n + 1) * sizeof *g->isbn_sorted);
    for (size_t i = 0; i < n; i++) {
        if (drop[i]) {
            free(g->books[i].title);
            free(g->books[i].authors);
            continue;
        }
        memcpy(g->isbn_sorted[k], g->books[i].isbn13, 14);
        g->books[k++] = g->books[i];
    }
    free(drop);
    g->n_books = k;
    qsort(g->isbn_sorted, k, sizeof *g->isbn_sorted, cmp_isbn);
}

/* ---- building records ---- */

static void put_str(json_t *o, const char *key, const char *v)
{
    if (v && json_object_set_new(o, key, json_string(v)) != 0)
        fail("cannot build %s (not UTF-8?): %s", key, v);
}

/* Adds the items of a '|' list to a subjects array, without repeats. */
static void add_subjects(json_t *arr, const char *list, size_t max)
{
    const char *p = list ? list : "";
    while (*p && json_array_size(arr) < max) {
        size_t n = strcspn(p, "|");
        int seen = 0;
        for (size_t i = 0; i < json_array_size(arr) && n; i++) {
            const char *s = json_string_value(json_array_get(arr, i));
            if (strlen(s) == n && strncmp(s, p, n) == 0)
                seen = 1;
        }
        if (n && !seen)
            json_array_append_new(arr, json_stringn(p, n));
        p += n;
        if (*p)
            p++;
    }
}

static const char *const known_groups[] = {"baby", "peuter", "kleuter", "jeugd", "ouders",
                                           "volwassenen", "senioren", "nieuwkomers",
                                           "laaggeletterden", "werkzoekenden", "iedereen", NULL};

static json_t *make_audience(const char *groups, int min_age, int max_age)
{
    json_t *gl = json_array();
    for (int i = 0; known_groups[i]; i++)
        if (in_comma_list(groups, known_groups[i]))
            json_array_append_new(gl, json_string(known_groups[i]));
    if (min_age == AGE_DERIVE || max_age == AGE_DERIVE) {
        static const int lo[] = {0, 2, 4, 6}, hi[] = {1, 4, 6, 17};
        static const char *const kids[] = {"baby", "peuter", "kleuter", "jeugd"};
        int dmin = -1, dmax = -1;
        for (int i = 0; i < 4; i++) {
            if (in_comma_list(groups, kids[i])) {
                if (dmin < 0 || lo[i] < dmin)
                    dmin = lo[i];
                if (hi[i] > dmax)
                    dmax = hi[i];
            }
        }
        if (dmin < 0 && !in_comma_list(groups, "iedereen")) {
            dmax = -1;
            if (in_comma_list(groups, "nieuwkomers"))
                dmin = 16;
            else if (in_comma_list(groups, "senioren") && !in_comma_list(groups, "volwassenen") &&
                     !in_comma_list(groups, "werkzoekenden"))
                dmin = 55;
            else
                dmin = 18;
        }
        if (min_age == AGE_DERIVE)
            min_age = dmin;
        if (max_age == AGE_DERIVE)
            max_age = dmax;
    }
    if (min_age >= 0 && max_age >= 0 && max_age < min_age)
        max_age = -1;
    json_t *a = json_object();
    json_object_set_new(a, "min_age", min_age >= 0 ? json_integer(min_age) : json_null());
    json_object_set_new(a, "max_age", max_age >= 0 ? json_integer(max_age) : json_null());
    json_object_set_new(a, "groups", gl);
    return a;
}

static json_t *make_location(double lat, double lon)
{
    json_t *l = json_object();
    json_object_set_new(l, "lat", json_real(lat));
    json_object_set_new(l, "lon", json_real(lon));
    return l;
}

/* Price in cents. */
static json_t *make_price(int cents)
{
    json_t *p = json_object();
    json_object_set_new(p, "amount", cents % 100 == 0 ? json_integer(cents / 100)
                                                      : json_real(cents / 100.0));
    json_object_set_new(p, "currency", json_string("EUR"));
    return p;
}

static void euro_text(char out[32], int cents)
{
    if (cents % 100 == 0)
        snprintf(out, 32, "€ %d", cents / 100);
    else
        snprintf(out, 32, "€ %d,%02d", cents / 100, cents % 100);
}

static void make_updated(char out[64], int64_t base_day, rng *r, int max_days)
{
    int64_t day = base_day - rng_range(r, 1, max_days);
    int y, m, d;
    civil_from_days(day, &y, &m, &d);
    snprintf(out, 64, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, rng_range(r, 5, 21),
             rng_range(r, 0, 59), rng_range(r, 0, 59));
}

static const char *pick_list(rng *r, const char *const *list)
{
    int n = 0;
    while (list[n])
        n++;
    return list[rng_below(r, (uint32_t)n)];
}

static int count_intros(const propdef *d)
{
    int n = 0;
    while (n < 4 && d->intro[n])
        n++;
    return n;
}

/* A noun phrase: "de stille rivier", "het oude huis", "de molen van Dokkum". */
static void noun_phrase(gen *g, rng *r, sb *out)
{
    int het = rng_chance(r, 30);
    const char *noun = het ? zipf(&g->het_w, r) : zipf(&g->de_w, r);
    int shape = (int)rng_below(r, 4);
    sb_add(out, het ? "het " : "de ");
    if (shape == 0 || shape == 1) {
        uint32_t ai = zipf_index(&g->adj_w, r) & ~1u;
        sb_add(out, g->adj_w.w[ai + 1]);
        sb_add(out, " ");
    }
    sb_add(out, noun);
    if (shape == 2) {
        sb_add(out, " van ");
        sb_add(out, zipf(&g->place_w, r));
    }
}

static void synthetic_title(gen *g, rng *r, int genre_i, sb *out);
static void synthetic_person(gen *g, rng *r, char *out, size_t cap);

/* A synthetic topic for an activity: from the proposition's own subjects
 * when it has them, else in its register. `title` gets the phrase for the
 * title ("alles over slaap"), `subject` the bare subject ("slaap"). */
static void synthetic_topic(gen *g, rng *r, const prop *p, sb *title, sb *subject)
{
    char kind = p->def->synth;
    if (kind == 'b') {
        char who[160];
        sb t;
        sb_reset(&t);
        synthetic_title(g, r, G_LIT + (int)rng_below(r, 7), &t);
        synthetic_person(g, r, who, sizeof who);
        sb_add(subject, "‘");
        sb_add(subject, t.buf);
        sb_add(subject, "’ van ");
        sb_add(subject, who);
        sb_add(title, subject->buf);
        return;
    }
    const char *lead = "";
    if (p->domain.n) {
        uint32_t a = zipf_index(&p->domain, r), b = zipf_index(&p->domain, r);
        const char *w = p->domain.w[a], *w2 = p->domain.w[b];
        int shape = (int)rng_below(r, kind == 'k' ? 2 : 6);
        if (shape == 1 && (a == b || strstr(w, " en ") || strstr(w2, " en ")))
            shape = 0;
        static const char *const leads[] = {"", "", "alles over ", "aan de slag met ",
                                            "vragen over ", "tips over "};
        lead = leads[shape];
        sb_add(subject, w);
        if (shape == 1) {
            sb_add(subject, " en ");
            sb_add(subject, w2);
        }
    } else if (kind == 'd') {
        sb_add(subject, zipf(&g->task_w, r));
        if (rng_chance(r, 50)) {
            sb_add(subject, " op uw ");
            sb_add(subject, zipf(&g->device_w, r));
        }
    } else if (kind == 'k') {
        static const char *const leads[] = {"verhalen over ", "een verhaal over ",
                                            "prentenboeken over ", NULL};
        lead = pick_list(r, leads);
        noun_phrase(g, r, subject);
    } else if (kind == 't') {
        lead = "praten over ";
        noun_phrase(g, r, subject);
    } else {
        static const char *const leads[] = {"over ", "het verhaal van ", "", "", NULL};
        lead = pick_list(r, leads);
        noun_phrase(g, r, subject);
        if (rng_chance(r, 25)) {
            sb_add(subject, " en ");
            noun_phrase(g, r, subject);
        }
    }
    sb_add(title, lead);
    sb_add(title, subject->buf);
}

/* Sentences about signing up contradict each other: use one at most. */
static int about_signing_up(const char *s)
{
    return strstr(s, "anmeld") || strstr(s, "aan te melden") || strstr(s, "op tijd") ||
           strstr(s, "plaatsen");
}

static const char *day_part(int minute_of_day)
{
    return minute_of_day < 12 * 60 ? "ochtend" : minute_of_day < 18 * 60 ? "middag" : "avond";
}

static void emit_common_tail(json_t *o, const char *url, const char *source, const char *updated)
{
    put_str(o, "url", url);
    json_object_set_new(o, "isbn", json_array());
    put_str(o, "source", source);
    put_str(o, "updated", updated);
}

static json_t *make_service(gen *g, const service_slot *s)
{
    rng *r = &g->agenda_rng;
    const prop *p = &g->props[s->prop];
    const propdef *d = p->def;
    const library *lib = &g->libs[s->lib];
    const branch *br = &g->branches[lib->first_branch];
    const char *local = p->aliases[g->alias[s->lib][s->prop]];
    int online = d->service_online;
    ctx c = {local, online ? lib->name : br->name, br->municipality, lib->name, NULL, NULL};

    sb title, desc;
    sb_reset(&title);
    sb_subst(&title, d->service_title, &c);
    capitalise(title.buf);
    sb_reset(&desc);
    add_sentence(&desc, d->service_text, &c);
    int n = 1 + (int)rng_below(r, 2);
    for (int i = 0; i < n; i++) {
        const char *s2 = online ? "U logt in met uw bibliotheekpas op de website van {l}."
                                : s_service[(rng_below(r, 4) + (uint32_t)i) % 4];
        add_sentence(&desc, s2, &c);
        if (online)
            break;
    }

    char id[200], source[96], url[300], slug[80], updated[64];
    snprintf(source, sizeof source, "website-%s", lib->short_name);
    snprintf(id, sizeof id, "%s:%s", source, p->id);
    slugify(title.buf, slug, sizeof slug);
    snprintf(url, sizeof url, "https://www.%s.example.nl/diensten/%s", lib->id, slug);
    make_updated(updated, g->base_day, r, 90);

    json_t *o = json_object();
    put_str(o, "id", id);
    put_str(o, "type", "service");
    put_str(o, "title", title.buf);
    put_str(o, "description", desc.buf);
    put_str(o, "local_name", local);
    put_str(o, "proposition", p->id);
    if (p->task[0])
        put_str(o, "societal_task", p->task);
    json_object_set_new(o, "creators", json_array());
    json_t *subj = json_array();
    add_subjects(subj, d->themes, 6);
    json_object_set_new(o, "subjects", subj);
    put_str(o, "language", "nl");
    json_object_set_new(o, "audience", make_audience(p->audience, AGE_DERIVE, AGE_DERIVE));
    put_str(o, "channel", online ? "online" : "offline");
    put_str(o, "library", lib->id);
    put_str(o, "library_name", lib->name);
    if (!online) {
        put_str(o, "branch", br->id);
        put_str(o, "branch_name", br->name);
        put_str(o, "municipality", br->municipality);
        json_object_set_new(o, "location", make_location(br->lat, br->lon));
    }
    json_object_set_new(o, "price", make_price(0));
    emit_common_tail(o, url, source, updated);
    return o;
}

/* One weekly series (or single date) within the horizon, skipping closed days. */
static int make_dates(gen *g, rng *r, int wd, int n, int64_t *days)
{
    int span = 7 * (n - 1) + 14;
    int window = HORIZON_DAYS - span;
    if (window < 7)
        window = 7;
    /* Agendas are fuller for the coming weeks than for the months after. */
    int off = (int)rng_below(r, (uint32_t)window);
    if (rng_chance(r, 35))
        off = off / 2;
    int64_t d0 = g->base_day + 1 + off;
    d0 += (wd - weekday_of(d0) + 7) % 7;
    int k = 0;
    for (int64_t d = d0; k < n && d < d0 + 7 * (n + 8); d += 7)
        if (!is_closed(d))
            days[k++] = d;
    return k;
}

static json_t *make_activity(gen *g)
{
    rng *r = &g->agenda_rng;
    uint64_t j = g->activity_n++;
    int pi = j < (uint64_t)g->n_props ? (int)j : pick_weighted(r, g->prop_w, g->n_props);
    int bi;
    if (j < (uint64_t)g->n_branches)
        bi = (int)((j * 37) % (uint64_t)g->n_branches);
    else
        bi = pick_weighted(r, g->branch_w, g->n_branches);
    const prop *p = &g->props[pi];
    const propdef *d = p->def;
    const branch *br = &g->branches[bi];
    library *lib = &g->libs[br->lib];
    const char *local = p->aliases[g->alias[br->lib][pi]];

    /* type, then a topic of that type */
    int tw[3] = {0, 0, 0};
    const char *tl = "cea";
    for (const char *s = d->types; s[0] && s[1]; s += 2) {
        const char *at = strchr(tl, s[0]);
        if (at)
            tw[at - tl] = s[1] - '0';
    }
    char type = tl[pick_weighted(r, tw, 3)];
    int cand[32], nc = 0;
    for (int i = 0; d->topics[i].type && nc < 32; i++)
        if (d->topics[i].type == type)
            cand[nc++] = i;
    if (nc == 0)
        for (int i = 0; d->topics[i].type && nc < 32; i++)
            cand[nc++] = i;
    const topic *t = &d->topics[cand[rng_below(r, (uint32_t)nc)]];

    int channel = 0; /* 0 offline, 1 online, 2 hybrid */
    if (rng_chance(r, d->online))
        channel = 1;
    else if (rng_chance(r, d->hybrid))
        channel = 2;

    int synthetic = j >= SYNTH_AGENDA_FROM && rng_chance(r, 50);
    sb topic_text, topic_subject;
    sb_reset(&topic_text);
    sb_reset(&topic_subject);
    if (synthetic)
        synthetic_topic(g, r, p, &topic_text, &topic_subject);

    static const char *const home_languages[] = {"Arabisch", "Turks", "Pools", "Oekraïens",
                                                 "Tigrinya", "Engels", "Papiaments", "Fries",
                                                 "Berbers", "Somalisch", NULL};
    ctx c = {local, channel == 1 ? lib->name : br->name, br->municipality, lib->name,
             synthetic ? topic_subject.buf : pick_list(r, home_languages), NULL};
    sb title;
    sb_reset(&title);
    if (synthetic) {
        sb_add(&title, local);
        sb_add(&title, ": ");
        sb_add(&title, topic_text.buf);
    } else {
        sb_subst(&title, t->title, &c);
    }
    if (channel == 1 && d->online < 50)
        sb_add(&title, " (online)");
    capitalise(title.buf);

    /* dates */
    int si = (int)rng_below(r, (uint32_t)p->n_slots);
    int wd = p->slot_wd[si], start_min = p->slot_min[si], dur = p->slot_dur[si];
    int n = type == 'e' ? 1 : type == 'c' ? rng_range(r, 3, 8) : rng_range(r, 4, 12);
    int64_t days[16];
    n = make_dates(g, r, wd, n, days);

    /* price */
    int cents = 0;
    if (strchr(d->paid, type) && rng_chance(r, d->paid_pct)) {
        int lo = d->price_min * 2, hi = d->price_max * 2; /* half euros */
        cents = rng_range(r, lo, hi) * 50;
        if (type == 'c')
            cents = (cents + 250) / 500 * 500; /* courses: whole fives */
        if (cents < 500)
            cents = 500;
    }

    /* description: 2-4 sentences */
    sb desc;
    sb_reset(&desc);
    int max_sentences = 2 + (int)rng_below(r, 3);
    int ni = count_intros(d);
    add_sentence(&desc, d->intro[rng_below(r, (uint32_t)ni)], &c);
    int used = 1;
    if (synthetic) {
        static const char *const synth_sent[] = {
            "Deze keer gaat het over {x}.", "Dit keer draait alles om {x}.",
            "Het onderwerp van deze bijeenkomst: {x}.", NULL};
        static const char *const synth_book[] = {
            "Deze keer bespreken we {x}.", "Het boek van deze bijeenkomst is {x}.", NULL};
        add_sentence(&desc, pick_list(r, d->synth == 'b' ? synth_book : synth_sent), &c);
        used++;
    } else if (t->sentence && rng_chance(r, 75)) {
        add_sentence(&desc, t->sentence, &c);
        used++;
    }
    if (used < max_sentences && rng_chance(r, 60)) {
        char from[8], to[8], buf[256];
        clock_text(from, start_min);
        clock_text(to, start_min + dur);
        int y, m, dd;
        civil_from_days(days[0], &y, &m, &dd);
        if (type == 'e')
            snprintf(buf, sizeof buf, "Op %s %d %s, van %s tot %s uur.", weekday_names[wd], dd,
                     month_names[m], from, to);
        else if (type == 'c')
            snprintf(buf, sizeof buf, "De cursus bestaat uit %s lessen op %s%s van %s tot %s uur.",
                     number_words[n], weekday_names[wd], day_part(start_min), from, to);
        else
            snprintf(buf, sizeof buf, "Vanaf %d %s elke %s%s van %s tot %s uur.", dd, month_names[m],
                     weekday_names[wd], day_part(start_min), from, to);
        add_sentence(&desc, buf, &c);
        used++;
    }
    if (cents > 0 && used < max_sentences) {
        char eur[32], buf[160];
        euro_text(eur, cents);
        snprintf(buf, sizeof buf, type == 'c' ? "De cursus kost %s, inclusief lesmateriaal."
                                              : "Toegang kost %s; met een bibliotheekpas krijgt u korting.",
                 eur);
        add_sentence(&desc, buf, &c);
        used++;
    }
    const char *said[8];
    int n_said = 0, hybrid_said = 0;
    int cafe = strstr(local, "café") || strstr(local, "Café") || strstr(local, "cafe") ||
               strstr(local, "Cafe");
    while ((used < max_sentences || used < 2) && n_said < 8) {
        const char *const *pool = s_offline;
        if (channel == 1)
            pool = s_online;
        else if (channel == 2 && !hybrid_said)
            pool = s_hybrid, hybrid_said = 1;
        else if (d->synth == 'k' && in_comma_list(t->groups ? t->groups : p->audience, "ouders") &&
                 !(t->groups && strcmp(t->groups, "ouders") == 0))
            pool = s_children;
        else if (d->synth == 'd' && rng_chance(r, 60))
            pool = s_digital;
        else if (cafe && rng_chance(r, 60))
            pool = s_cafe;
        const char *pick = NULL;
        for (int tries = 0; tries < 6 && !pick; tries++) {
            pick = pick_list(r, pool);
            for (int i = 0; i < n_said && pick; i++)
                if (said[i] == pick || (about_signing_up(said[i]) && about_signing_up(pick)))
                    pick = NULL;
        }
        if (!pick)
            break;
        said[n_said++] = pick;
        add_sentence(&desc, pick, &c);
        used++;
        if (channel == 1)
            break;
    }

    /* ids */
    int y0, m0, d0;
    civil_from_days(days[0], &y0, &m0, &d0);
    unsigned seq = ++lib->counter;
    char id[200], source[96], url[400], slug[80], updated[64];
    snprintf(source, sizeof source, "agenda-%s", lib->short_name);
    snprintf(id, sizeof id, "%s:%04d-%04u", source, y0, seq);
    slugify(title.buf, slug, sizeof slug);
    snprintf(url, sizeof url, "https://www.%s.example.nl/agenda/%s-%04d-%04u", lib->id, slug, y0, seq);
    make_updated(updated, g->base_day, r, 60);

    json_t *o = json_object();
    put_str(o, "id", id);
    put_str(o, "type", type == 'c' ? "course" : type == 'e' ? "event" : "activity");
    put_str(o, "title", title.buf);
    put_str(o, "description", desc.buf);
    put_str(o, "local_name", local);
    put_str(o, "proposition", p->id);
    if (p->task[0])
        put_str(o, "societal_task", p->task);
    json_object_set_new(o, "creators", json_array());
    json_t *subj = json_array();
    add_subjects(subj, d->themes, 6);
    if (!synthetic)
        add_subjects(subj, t->subjects, 6);
    if (!json_array_size(subj))
        add_subjects(subj, p->name, 6);
    json_object_set_new(o, "subjects", subj);
    put_str(o, "language", "nl");
    json_object_set_new(o, "audience", make_audience(t->groups ? t->groups : p->audience,
                                                     synthetic ? AGE_DERIVE : t->min_age,
                                                     synthetic ? AGE_DERIVE : t->max_age));
    put_str(o, "channel", channel == 1 ? "online" : channel == 2 ? "hybrid" : "offline");
    put_str(o, "library", lib->id);
    put_str(o, "library_name", lib->name);
    if (channel != 1) {
        put_str(o, "branch", br->id);
        put_str(o, "branch_name", br->name);
        put_str(o, "municipality", br->municipality);
        json_object_set_new(o, "location", make_location(br->lat, br->lon));
    }
    char sbuf[64], ebuf[64];
    format_local(sbuf, days[0], start_min);
    put_str(o, "start", sbuf);
    format_local(ebuf, days[n - 1], start_min + dur);
    put_str(o, "end", ebuf);
    json_t *occ = json_array();
    for (int i = 0; i < n; i++) {
        json_t *e = json_object();
        format_local(sbuf, days[i], start_min);
        format_local(ebuf, days[i], start_min + dur);
        put_str(e, "start", sbuf);
        put_str(e, "end", ebuf);
        json_array_append_new(occ, e);
    }
    json_object_set_new(o, "occurrences", occ);
    json_object_set_new(o, "price", make_price(cents));
    emit_common_tail(o, url, source, updated);
    return o;
}

static json_t *agenda_next(gen *g)
{
    uint64_t k = g->agenda_n++;
    if (g->next_service < g->n_services && k % 12 == 3)
        return make_service(g, &g->services[g->next_service++]);
    return make_activity(g);
}

/* ---- the catalogue ---- */

static int guess_genre(const char *title, const char *authors, int year, rng *r)
{
    for (size_t i = 0; i < sizeof genre_rules / sizeof genre_rules[0]; i++)
        if (strstr(authors, genre_rules[i].needle) || strstr(title, genre_rules[i].needle))
            return genre_rules[i].genre;
    if (year != 0 && year < 1930)
        return G_CLASSIC;
    static const int w[N_GENRES] = {30, 12, 6, 8, 5, 12, 9, 0, 4, 0, 2, 0, 4, 6, 0, 2, 0, 3};
    return pick_weighted(r, w, N_GENRES);
}

static int isbn_taken(const gen *g, const char *isbn)
{
    return g->n_books &&
           bsearch(isbn, g->isbn_sorted, g->n_books, sizeof *g->isbn_sorted, cmp_isbn) != NULL;
}

static void next_synthetic_isbn(gen *g, char out[14])
{
    static const char *const prefix[] = {"97894", "97890", "97891", "97892"};
    for (;;) {
        uint64_t k = g->synth_isbn++;
        uint64_t block = k / 10000000u;
        snprintf(out, 14, "%s%07llu", prefix[block % 4], (unsigned long long)(k % 10000000u));
        int sum = 0;
        for (int i = 0; i < 12; i++)
            sum += (out[i] - '0') * (i % 2 ? 3 : 1);
        out[12] = (char)('0' + (10 - sum % 10) % 10);
        out[13] = '\0';
        if (!isbn_taken(g, out))
            return;
    }
}

static void synthetic_person(gen *g, rng *r, char *out, size_t cap)
{
    snprintf(out, cap, "%s %s", zipf(&g->first_w, r), zipf(&g->last_w, r));
}

static void add_capitalised(sb *out, const char *word)
{
    char a[96];
    copy(a, sizeof a, word);
    capitalise(a);
    sb_add(out, a);
}

static void synthetic_title(gen *g, rng *r, int genre_i, sb *out)
{
    static const char *const seasons[] = {"Zomer", "Winter", "Herfst", "Lente", "Storm", "Regen",
                                          "Avond", "Nacht", NULL};
    sb np;
    sb_reset(&np);
    int het = rng_chance(r, 30);
    const char *noun = het ? zipf(&g->het_w, r) : zipf(&g->de_w, r);
    uint32_t ai = zipf_index(&g->adj_w, r) & ~1u;
    int kids = genre_i == G_PRENT || genre_i == G_JEUGD;
    int shape = kids ? (int)rng_below(r, 5) + 8 : (int)rng_below(r, 12);
    switch (shape) {
    case 0: /* De stille rivier */
        sb_add(out, het ? "Het " : "De ");
        sb_add(out, g->adj_w.w[ai + 1]);
        sb_add(out, " ");
        sb_add(out, noun);
        break;
    case 1: /* De molen van Dokkum */
        sb_add(out, het ? "Het " : "De ");
        sb_add(out, noun);
        sb_add(out, " van ");
        sb_add(out, zipf(&g->place_w, r));
        break;
    case 2: /* Molen en zee */
        add_capitalised(out, noun);
        sb_add(out, " en ");
        sb_add(out, zipf(&g->de_w, r));
        break;
    case 3: /* Een stil huis */
        sb_add(out, "Een ");
        sb_add(out, g->adj_w.w[ai + (het ? 0 : 1)]);
        sb_add(out, " ");
        sb_add(out, noun);
        break;
    case 4: /* Zomer in Zierikzee */
        sb_add(out, pick_list(r, seasons));
        sb_add(out, " in ");
        sb_add(out, zipf(&g->place_w, r));
        break;
    case 5: /* Het geheim van de oude vuurtoren */
        sb_add(out, rng_chance(r, 50) ? "Het geheim van " : "De laatste dagen van ");
        noun_phrase(g, r, &np);
        sb_add(out, np.buf);
        break;
    case 6: /* Brieven aan Anna de Boer, Wachten op de gouden ster */
        if (rng_chance(r, 50)) {
            char who[160];
            synthetic_person(g, r, who, sizeof who);
            sb_add(out, "Brieven aan ");
            sb_add(out, who);
        } else {
            sb_add(out, "Wachten op ");
            noun_phrase(g, r, &np);
            sb_add(out, np.buf);
        }
        break;
    case 7: /* De stille rivier van Dokkum */
        sb_add(out, het ? "Het " : "De ");
        sb_add(out, g->adj_w.w[ai + 1]);
        sb_add(out, " ");
        sb_add(out, noun);
        sb_add(out, " van ");
        sb_add(out, zipf(&g->place_w, r));
        break;
    case 8: /* Anna en de draak */
        sb_add(out, zipf(&g->first_w, r));
        sb_add(out, " en ");
        sb_add(out, het ? "het " : "de ");
        sb_add(out, noun);
        break;
    case 9: /* Waar is de stille rivier? */
        sb_add(out, "Waar is ");
        sb_add(out, het ? "het " : "de ");
        sb_add(out, g->adj_w.w[ai + 1]);
        sb_add(out, " ");
        sb_add(out, noun);
        sb_add(out, "?");
        break;
    case 10: /* Het grote molenboek van Sanne */
        sb_add(out, "Het grote ");
        sb_add(out, noun);
        sb_add(out, "boek van ");
        sb_add(out, zipf(&g->first_w, r));
        break;
    case 11: /* Terug naar de oude haven */
        sb_add(out, rng_chance(r, 50) ? "Terug naar " : "Op zoek naar ");
        noun_phrase(g, r, &np);
        sb_add(out, np.buf);
        break;
    default: /* Sanne en Daan op het eiland */
        sb_add(out, zipf(&g->first_w, r));
        sb_add(out, " en ");
        sb_add(out, zipf(&g->first_w, r));
        sb_add(out, het ? " in het " : " bij de ");
        sb_add(out, noun);
        break;
    }
    if (kids && rng_chance(r, 30)) {
        char part[16];
        snprintf(part, sizeof part, " (%d)", rng_range(r, 1, 9));
        sb_add(out, part);
    } else if (!kids && rng_chance(r, 15)) {
        static const char *const sub[] = {": roman", ": verhalen", ": een familiegeschiedenis",
                                          ": een zoektocht", NULL};
        sb_add(out, genre_i == G_NONFIC || genre_i == G_BIO ? ": een geschiedenis" : pick_list(r, sub));
    }
}

static void next_work(gen *g)
{
    rng *r = &g->cat_rng;
    work *w = &g->cur;
    uint64_t rank = g->work_n++;
    memset(w, 0, sizeof *w);
    if (g->next_book < g->n_books) {
        const book *b = &g->books[g->next_book++];
        memcpy(w->isbn13, b->isbn13, 14);
        copy(w->title, sizeof w->title, b->title);
        const char *a = b->authors;
        while (*a && w->n_creators < 8) {
            size_t n = strcspn(a, ",");
            char tmp[160];
            size_t m = n < sizeof tmp - 1 ? n : sizeof tmp - 1;
            memcpy(tmp, a, m);
            tmp[m] = '\0';
            squeeze(tmp);
            char *t = tmp;
            while (*t == ' ')
                t++;
            if (*t)
                copy(w->creators[w->n_creators++], sizeof w->creators[0], t);
            a += n;
            if (*a == ',')
                a++;
        }
        memcpy(w->lang, b->lang, 3);
        w->year = b->year;
        w->genre = guess_genre(b->title, b->authors, b->year, r);
    } else {
        int gw[N_GENRES];
        for (int i = 0; i < N_GENRES; i++)
            gw[i] = genres[i].weight;
        w->synthetic = 1;
        w->genre = pick_weighted(r, gw, N_GENRES);
        next_synthetic_isbn(g, w->isbn13);
        sb t;
        sb_reset(&t);
        synthetic_title(g, r, w->genre, &t);
        copy(w->title, sizeof w->title, t.buf);
        synthetic_person(g, r, w->creators[0], sizeof w->creators[0]);
        w->n_creators = 1;
        if (w->genre == G_PRENT || (w->genre == G_GRAPHIC && rng_chance(r, 60)))
            synthetic_person(g, r, w->creators[w->n_creators++], sizeof w->creators[0]);
        strcpy(w->lang, rng_chance(r, 92) ? "nl" : "en");
        int age = (int)rng_below(r, 70);
        int age2 = (int)rng_below(r, 70);
        w->year = g->base_year - (age < age2 ? age : age2);
        sb np;
        sb_reset(&np);
        noun_phrase(g, r, &np);
        copy(w->setting, sizeof w->setting, np.buf);
    }
    /* one theme of the genre, kept for every copy of the work */
    const char *th = genres[w->genre].themes;
    int nth = 1;
    for (const char *p = th; *p; p++)
        nth += *p == '|';
    int pick = (int)rng_below(r, (uint32_t)nth);
    const char *p = th;
    for (int i = 0; i < pick; i++)
        p = strchr(p, '|') + 1;
    size_t tn = strcspn(p, "|");
    if (tn >= sizeof w->theme)
        tn = sizeof w->theme - 1;
    memcpy(w->theme, p, tn);
    w->theme[tn] = '\0';

    /* where it is available */
    int pe, pa, kmin, kmax;
    if (w->synthetic) {
        pe = 45, pa = 20, kmin = 1, kmax = 4;
    } else if (rank < 300) {
        pe = 85, pa = 55, kmin = 4, kmax = 10;
    } else if (rank < 3000) {
        pe = 75, pa = 35, kmin = 2, kmax = 6;
    } else {
        pe = 55, pa = 20, kmin = 1, kmax = 4;
    }
    if (w->genre == G_PRENT)
        pe = pa = 0;
    if (rng_chance(r, pe) && g->prop_ebook >= 0)
        w->h[w->n++] = (holding){'e', -1, -1};
    if (rng_chance(r, pa) && g->prop_luister >= 0)
        w->h[w->n++] = (holding){'a', -1, -1};
    int k = rng_range(r, kmin, kmax);
    if (k > g->n_libs)
        k = g->n_libs;
    int order[MAX_LIBS];
    for (int i = 0; i < g->n_libs; i++)
        order[i] = i;
    for (int i = 0; i < k; i++) {
        int jj = i + (int)rng_below(r, (uint32_t)(g->n_libs - i));
        int tmp = order[i];
        order[i] = order[jj];
        order[jj] = tmp;
        const library *lib = &g->libs[order[i]];
        int bi = lib->first_branch;
        if (lib->n_branches > 1 && !rng_chance(r, 60))
            bi += 1 + (int)rng_below(r, (uint32_t)(lib->n_branches - 1));
        w->h[w->n++] = (holding){'b', order[i], bi};
    }
}

static const char *language_adjective(const char *lang)
{
    static const char *const map[][2] = {
        {"en", "Engelstalige"}, {"de", "Duitstalige"}, {"fr", "Franstalige"}, {"sp", "Spaanstalige"},
        {"es", "Spaanstalige"}, {"it", "Italiaanstalige"}, {"ar", "Arabischtalige"},
        {"po", "Poolse of Portugese"}, {"tu", "Turkstalige"}, {"pe", "Perzischtalige"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(map[i][0], lang) == 0)
            return map[i][1];
    return "anderstalige";
}

static json_t *catalogue_next(gen *g)
{
    rng *r = &g->cat_rng;
    if (g->cur.next >= g->cur.n)
        next_work(g);
    const work *w = &g->cur;
    const holding *h = &w->h[g->cur.next++];
    const genre *gn = &genres[w->genre];
    int national = h->kind != 'b';
    const library *lib = national ? NULL : &g->libs[h->lib];
    const branch *br = national ? NULL : &g->branches[h->branch];
    int pi = h->kind == 'e' ? g->prop_ebook : h->kind == 'a' ? g->prop_luister : -1;
    const prop *p = pi >= 0 ? &g->props[pi] : NULL;
    const char *local = p ? p->aliases[g->alias[g->n_libs][pi]] : NULL;

    /* description */
    char author[200];
    copy(author, sizeof author, w->creators[0]);
    ctx c = {local, br ? br->name : NATIONAL_NAME, br ? br->municipality : "",
             lib ? lib->name : NATIONAL_NAME, w->title, author};
    sb desc;
    sb_reset(&desc);
    int max_sentences = 2 + (int)rng_below(r, 3);
    static const char *const open_e[] = {
        "{x} van {y} is als e-book te lenen in de Online Bibliotheek.",
        "Lees {x} van {y} als e-book, waar en wanneer u maar wilt.",
        "Het e-book {x} van {y} leest u op uw telefoon, tablet of e-reader.", NULL};
    static const char *const open_a[] = {
        "Luister naar {x} van {y}, als luisterboek in de Online Bibliotheek.",
        "{x} van {y} is ook als luisterboek beschikbaar.",
        "Het luisterboek {x} van {y}: ideaal voor in de auto, de trein of op de bank.", NULL};
    static const char *const open_b[] = {
        "{x} is een {g} van {y}.", "In de collectie van {l}: {x} van {y}.",
        "{x} van {y} staat in {b}.", NULL};
    const char *const *open = h->kind == 'e' ? open_e : h->kind == 'a' ? open_a : open_b;
    {
        sb s;
        sb_reset(&s);
        const char *tmpl = pick_list(r, open);
        /* {g}: the genre name, spliced in before the ctx substitution */
        const char *gpos = strstr(tmpl, "{g}");
        if (gpos) {
            char t2[256];
            snprintf(t2, sizeof t2, "%.*s%s%s", (int)(gpos - tmpl), tmpl, gn->noun, gpos + 3);
            add_sentence(&desc, t2, &c);
        } else {
            add_sentence(&desc, tmpl, &c);
        }
    }
    int used = 1;
    {
        int np = 0;
        while (np < 3 && gn->phrase[np])
            np++;
        add_sentence(&desc, gn->phrase[rng_below(r, (uint32_t)np)], &c);
        used++;
    }
    if (used < max_sentences && w->synthetic && w->setting[0]) {
        static const char *const setting[] = {"Het verhaal draait om {x}.", "Centraal staat {x}.",
                                              "Alles begint met {x}.", NULL};
        ctx cs = c;
        cs.x = w->setting;
        add_sentence(&desc, pick_list(r, setting), &cs);
        used++;
    }
    if (used < max_sentences && w->year > 0 && rng_chance(r, 60)) {
        char buf[96];
        snprintf(buf, sizeof buf, "Het boek verscheen voor het eerst in %d.", w->year);
        add_sentence(&desc, buf, &c);
        used++;
    }
    if (used < max_sentences && strcmp(w->lang, "nl") != 0 && h->kind != 'a') {
        char buf[128];
        snprintf(buf, sizeof buf, "Let op: dit is de %s uitgave.", language_adjective(w->lang));
        add_sentence(&desc, buf, &c);
        used++;
    }
    if (used < max_sentences) {
        static const char *const tail_e[] = {
            "Met uw bibliotheekpas leest u het e-book gratis in de app.",
            "Lenen is gratis voor leden en het e-book verdwijnt na drie weken vanzelf van uw apparaat.",
            NULL};
        static const char *const tail_a[] = {
            "Luister gratis met uw bibliotheekpas in de luisterboeken-app.",
            "Handig als lezen lastig is, of als u onderweg bent.", NULL};
        static const char *const tail_b[] = {
            "Reserveer het boek online en haal het op in {b}.",
            "Uitgeleend? Zet het boek op uw reserveringslijst.",
            "Lenen kan met uw bibliotheekpas, voor kinderen tot 18 jaar gratis.", NULL};
        add_sentence(&desc, pick_list(r, h->kind == 'e' ? tail_e : h->kind == 'a' ? tail_a : tail_b), &c);
    }

    char id[200], source[96], url[400], slug[80], updated[64], wk[32];
    slugify(w->title, slug, sizeof slug);
    if (national) {
        copy(source, sizeof source, NATIONAL_SOURCE);
        snprintf(id, sizeof id, "%s:%s-%s", source, h->kind == 'e' ? "ebook" : "luisterboek", w->isbn13);
        snprintf(url, sizeof url, "https://www.%s.example.nl/%s/%s-%s", NATIONAL_ID,
                 h->kind == 'e' ? "e-books" : "luisterboeken", slug, w->isbn13);
    } else {
        snprintf(source, sizeof source, "catalogus-%s", lib->short_name);
        snprintf(id, sizeof id, "%s:%s", source, w->isbn13);
        snprintf(url, sizeof url, "https://www.%s.example.nl/catalogus/%s-%s", lib->id, slug,
                 w->isbn13);
    }
    snprintf(wk, sizeof wk, "isbn:%s", w->isbn13);
    make_updated(updated, g->base_day, r, 365);

    json_t *o = json_object();
    put_str(o, "id", id);
    put_str(o, "type", h->kind == 'e' ? "ebook" : h->kind == 'a' ? "audiobook" : "book");
    put_str(o, "title", w->title);
    put_str(o, "description", desc.buf);
    if (p) {
        put_str(o, "local_name", local);
        put_str(o, "proposition", p->id);
    }
    put_str(o, "societal_task", p && p->task[0] ? p->task : gn->task);
    json_t *cr = json_array();
    for (int i = 0; i < w->n_creators; i++)
        json_array_append_new(cr, json_string(w->creators[i]));
    json_object_set_new(o, "creators", cr);
    json_t *subj = json_array();
    add_subjects(subj, gn->name, 6);
    add_subjects(subj, w->theme, 6);
    if (h->kind == 'a')
        add_subjects(subj, "luisterboeken", 6);
    json_object_set_new(o, "subjects", subj);
    put_str(o, "language", w->lang);
    json_object_set_new(o, "audience", make_audience(gn->groups, gn->min_age, gn->max_age));
    put_str(o, "channel", national ? "online" : "offline");
    put_str(o, "library", national ? NATIONAL_ID : lib->id);
    put_str(o, "library_name", national ? NATIONAL_NAME : lib->name);
    if (!national) {
        put_str(o, "branch", br->id);
        put_str(o, "branch_name", br->name);
        put_str(o, "municipality", br->municipality);
        json_object_set_new(o, "location", make_location(br->lat, br->lon));
    }
    json_object_set_new(o, "price", make_price(0));
    put_str(o, "url", url);
    json_t *isbn = json_array();
    json_array_append_new(isbn, json_string(w->isbn13));
    json_object_set_new(o, "isbn", isbn);
    put_str(o, "work_key", wk);
    put_str(o, "source", source);
    put_str(o, "updated", updated);
    return o;
}

/* ---- set-up ---- */

static void setup(gen *g)
{
    rng r;
    rng_seed(&r, g->seed, 1);
    /* Each library keeps one alias per proposition. */
    for (int li = 0; li <= g->n_libs; li++)
        for (int pi = 0; pi < g->n_props; pi++)
            g->alias[li][pi] = (int)rng_below(&r, (uint32_t)g->props[pi].n_aliases);
    for (int pi = 0; pi < g->n_props; pi++) {
        prop *p = &g->props[pi];
        g->prop_w[pi] = p->def->weight;
        for (size_t k = 0; k < sizeof synth_domains / sizeof synth_domains[0]; k++) {
            if (strcmp(synth_domains[k][0], p->id) != 0)
                continue;
            p->domain_text = xstrdup(synth_domains[k][1]);
            int n = 0;
            for (char *w = p->domain_text; w && n < 47; n++) {
                p->domain_words[n] = w;
                w = strchr(w, '|');
                if (w)
                    *w++ = '\0';
            }
            p->domain_words[n] = NULL;
            wordlist_init(&p->domain, p->domain_words);
        }
    }
    /* Services where they fit, spread over libraries in turn. */
    for (int pi = 0; pi < g->n_props; pi++) {
        const propdef *d = g->props[pi].def;
        for (int li = 0; li < g->n_libs; li++) {
            if (!d->service_title || !rng_chance(&r, d->service_pct))
                continue;
            g->services[g->n_services++] = (service_slot){li, pi};
        }
    }
    /* Shuffle, so the services of one proposition do not come in a block. */
    for (int i = 0; i < g->n_services; i++) {
        int jj = i + (int)rng_below(&r, (uint32_t)(g->n_services - i));
        service_slot t = g->services[i];
        g->services[i] = g->services[jj];
        g->services[jj] = t;
    }
    rng_seed(&g->agenda_rng, g->seed, 2);
    rng_seed(&g->cat_rng, g->seed, 3);
    wordlist_init(&g->de_w, de_nouns);
    wordlist_init(&g->het_w, het_nouns);
    wordlist_init(&g->adj_w, adjectives);
    wordlist_init(&g->place_w, places);
    wordlist_init(&g->first_w, first_names);
    wordlist_init(&g->last_w, last_names);
    wordlist_init(&g->task_w, digital_tasks);
    wordlist_init(&g->device_w, devices);
}

static void write_network(const gen *g, const char *path)
{
    json_t *root = json_object(), *libs = json_array();
    for (int li = 0; li < g->n_libs; li++) {
        const library *lib = &g->libs[li];
        json_t *l = json_object(), *bs = json_array();
        put_str(l, "id", lib->id);
        put_str(l, "name", lib->name);
        for (int bi = lib->first_branch; bi < lib->first_branch + lib->n_branches; bi++) {
            const branch *br = &g->branches[bi];
            json_t *b = json_object();
            put_str(b, "id", br->id);
            put_str(b, "name", br->name);
            put_str(b, "municipality", br->municipality);
            put_str(b, "postcode", br->pc4);
            json_object_set_new(b, "lat", json_real(br->lat));
            json_object_set_new(b, "lon", json_real(br->lon));
            json_array_append_new(bs, b);
        }
        json_object_set_new(l, "branches", bs);
        json_array_append_new(libs, l);
    }
    json_t *nat = json_object();
    put_str(nat, "id", NATIONAL_ID);
    put_str(nat, "name", NATIONAL_NAME);
    json_object_set_new(nat, "branches", json_array());
    json_array_append_new(libs, nat);
    json_object_set_new(root, "libraries", libs);
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
    json_decref(root);
    if (!text)
        fail("out of memory");
    FILE *f = fopen(path, "w");
    if (!f)
        fail("cannot write %s: %s", path, strerror(errno));
    fputs(text, f);
    fputc('\n', f);
    free(text);
    if (fclose(f) != 0)
        fail("cannot write %s: %s", path, strerror(errno));
}

static void usage(FILE *out)
{
    fputs("usage: vindplaats-generate [--count N] [--seed S] [--base-date YYYY-MM-DD]\n"
          "                           [--reference DIR] [--vocabulary FILE]\n"
          "                           [--out FILE] [--network-out FILE]\n"
          "\n"
          "Writes a deterministic sample of library offerings (one JSON object per line)\n"
          "for a fixed network of Dutch public libraries: half agenda (courses, events,\n"
          "activities, services for every proposition), half catalogue (e-books,\n"
          "audiobooks, books). Same arguments, same bytes.\n"
          "\n"
          "  --count N            offerings to write (default 5000)\n"
          "  --seed S             random seed, 0 .. 2^64-1 (default 42)\n"
          "  --base-date DATE     agenda starts after it, updates before it (default 2026-12-01)\n"
          "  --reference DIR      nl_pc4_geonames.json and goodbooks-books.csv (default data/reference)\n"
          "  --vocabulary FILE    propositions TSV (default data/vocabulary/propositions.tsv)\n"
          "  --out FILE           offerings JSONL (default: standard output)\n"
          "  --network-out FILE   also write the network as JSON\n"
          "  --help               this text\n"
          "\n"
          "Exit status: 0 on success, 1 when an input cannot be read or output written,\n"
          "2 for a usage error.\n",
          out);
}

static void usage_error(const char *before, const char *arg, const char *after)
{
    fprintf(stderr, "vindplaats-generate: %s%s%s\n(try --help)\n", before, arg, after);
    exit(2);
}

static int parse_u64(const char *s, uint64_t *out)
{
    if (!*s)
        return -1;
    uint64_t v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        unsigned dgt = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - dgt) / 10)
            return -1;
        v = v * 10 + dgt;
    }
    *out = v;
    return 0;
}

static int parse_date(const char *s, int64_t *day, int *year)
{
    int y, m, d;
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return -1;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return -1;
    y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    m = (s[5] - '0') * 10 + (s[6] - '0');
    d = (s[8] - '0') * 10 + (s[9] - '0');
    if (y < 1900 || y > 9000 || m < 1 || m > 12 || d < 1 || d > vp_days_in_month(y, m))
        return -1;
    *day = vp_days_from_civil(y, m, d);
    *year = y;
    return 0;
}

int main(int argc, char **argv)
{
    uint64_t count = 5000, seed = 42;
    const char *base = "2026-12-01", *refdir = "data/reference";
    const char *vocab = "data/vocabulary/propositions.tsv", *out_path = NULL, *net_path = NULL;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        }
        static const char *const opts[] = {"--count", "--seed", "--base-date", "--reference",
                                           "--vocabulary", "--out", "--network-out", NULL};
        const char *val = NULL;
        int which = -1;
        for (int k = 0; opts[k]; k++) {
            size_t n = strlen(opts[k]);
            if (strcmp(a, opts[k]) == 0) {
                if (i + 1 >= argc)
                    usage_error("", a, " needs a value");
                val = argv[++i];
                which = k;
            } else if (strncmp(a, opts[k], n) == 0 && a[n] == '=') {
                val = a + n + 1;
                which = k;
            }
            if (which >= 0)
                break;
        }
        if (which < 0)
            usage_error("unknown argument '", a, "'");
        switch (which) {
        case 0:
            if (parse_u64(val, &count) != 0 || count > MAX_COUNT)
                usage_error("--count must be a whole number from 0 to 100000000, not '", val, "'");
            break;
        case 1:
            if (parse_u64(val, &seed) != 0)
                usage_error("--seed must be a whole number from 0 to 18446744073709551615, not '", val,
                            "'");
            break;
        case 2:
            base = val;
            break;
        case 3:
            refdir = val;
            break;
        case 4:
            vocab = val;
            break;
        case 5:
            out_path = val;
            break;
        default:
            net_path = val;
            break;
        }
        if (!*val)
            usage_error("", opts[which], " needs a non-empty value");
    }

    static gen g; /* large; zero-initialised */
    g.seed = seed;
    if (parse_date(base, &g.base_day, &g.base_year) != 0)
        usage_error("--base-date must be a date YYYY-MM-DD from 1900 to 9000, not '", base, "'");

    size_t rl = strlen(refdir) + 64;
    char *geo_path = xmalloc(rl), *csv_path = xmalloc(rl);
    snprintf(geo_path, rl, "%s/nl_pc4_geonames.json", refdir);
    snprintf(csv_path, rl, "%s/goodbooks-books.csv", refdir);
    load_vocabulary(&g, vocab);
    load_network(&g, geo_path);
    load_books(&g, csv_path);
    setup(&g);

    if (net_path)
        write_network(&g, net_path);

    FILE *out = stdout;
    if (out_path) {
        out = fopen(out_path, "w");
        if (!out)
            fail("cannot write %s: %s", out_path, strerror(errno));
    }
    static char outbuf[1 << 16];
    setvbuf(out, outbuf, _IOFBF, sizeof outbuf);
    for (uint64_t i = 0; i < count; i++) {
        json_t *o = i % 2 == 0 ? agenda_next(&g) : catalogue_next(&g);
        char *line = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(10));
        json_decref(o);
        if (!line)
            fail("out of memory");
        fputs(line, out);
        fputc('\n', out);
        free(line);
        if (ferror(out))
            fail("cannot write %s: %s", out_path ? out_path : "standard output", strerror(errno));
    }
    if (fflush(out) != 0 || (out_path && fclose(out) != 0))
        fail("cannot write %s: %s", out_path ? out_path : "standard output", strerror(errno));

    for (size_t i = 0; i < g.n_books; i++) {
        free(g.books[i].title);
        free(g.books[i].authors);
    }
    free(g.books);
    free(g.isbn_sorted);
    for (int i = 0; i < g.n_props; i++) {
        for (int k = 0; k < g.props[i].n_aliases; k++)
            free(g.props[i].aliases[k]);
        free(g.props[i].domain_text);
        free(g.props[i].domain.cum);
    }
    wordlist *wls[] = {&g.de_w, &g.het_w, &g.adj_w, &g.place_w, &g.first_w, &g.last_w, &g.task_w,
                       &g.device_w};
    for (size_t i = 0; i < sizeof wls / sizeof wls[0]; i++)
        free(wls[i]->cum);
    free(geo_path);
    free(csv_path);
    return 0;
}
