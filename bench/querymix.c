/* querymix.c - vindplaats-querymix: a query mix modelled on a library
 * search log, written to a file so every system answers exactly the same
 * queries.
 *
 * Each line is an API path ("/v1/search?q=...&type=course"). Words come
 * Zipf-distributed from what residents type (resident terms, the local
 * names of the vocabulary, the words of the sample's titles), with
 * misspellings and compounds; about 40% carry one or two filters, 10% a
 * place and radius, 10% a date range, 20% ask for facets. With
 * --suggest-out a second file gets /v1/suggest prefixes of 2-8 characters. */
#include <ctype.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WORDS 4000

typedef struct pool {
    char *items[MAX_WORDS];
    size_t n;
} pool;

static uint64_t rng_state;

static uint64_t next_random(void)
{
    /* splitmix64: small, fast, and the same everywhere. */
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static double uniform(void)
{
    return (double)(next_random() >> 11) / 9007199254740992.0;
}

/* Rank r (0-based) of n with probability proportional to 1/(r+1). */
static size_t zipf(size_t n)
{
    double h = 0;
    for (size_t i = 1; i <= n; i++)
        h += 1.0 / (double)i;
    double u = uniform() * h, acc = 0;
    for (size_t i = 0; i < n; i++) {
        acc += 1.0 / (double)(i + 1);
        if (u <= acc)
            return i;
    }
    return n - 1;
}

static void add(pool *p, const char *s)
{
    if (p->n == MAX_WORDS || !*s)
        return;
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->items[i], s) == 0)
            return;
    p->items[p->n++] = strdup(s);
}

static const char *const resident_terms[] = {
    "cursus", "voorlezen", "digicafe", "ebook", "luisterboek", "thriller", "computer",
    "taalcafe", "peuters", "spreekuur", "lezing", "digid", "boekstart", "leesclub", "codeclub",
    "workshop", "smartphone", "tablet", "kinderen", "senioren", "nederlands", "engels",
    "roman", "detective", "belasting", "sollicitatie", "dementie", "gezondheid", "robots",
    "makerspace", "mediawijsheid", "nepnieuws", "inburgeren", "taalhuis", "schrijver",
    "voorleesochtend", "computercursus", "bibliotheekpas", "boekenclub", "taalmaatje",
    "fantasy", "geschiedenis", "kookboek", "reizen", "poezie", "strips", "young adult",
    "vakantie", "muziek", "film", NULL};

static const char *const filters[][2] = {
    {"type", "course"}, {"type", "event"}, {"type", "activity"}, {"type", "ebook"},
    {"type", "audiobook"}, {"type", "book"}, {"channel", "online"}, {"channel", "offline"},
    {"audience", "senioren"}, {"audience", "jeugd"}, {"audience", "peuter"},
    {"audience", "volwassenen"}, {"audience", "nieuwkomers"}, {"language", "nl"},
    {"societal_task", "geletterdheid"}, {"societal_task", "informatiesamenleving"}};

/* A misspelling: a dropped, doubled or swapped letter. */
static void misspell(char *w)
{
    size_t n = strlen(w);
    if (n < 4)
        return;
    size_t i = 1 + next_random() % (n - 2);
    switch (next_random() % 3) {
    case 0:
        memmove(w + i, w + i + 1, n - i);
        break;
    case 1:
        memmove(w + i + 1, w + i, n - i + 1);
        break;
    default: {
        char c = w[i];
        w[i] = w[i + 1];
        w[i + 1] = c;
    }
    }
}

static void url_append(char *out, size_t cap, const char *s)
{
    size_t o = strlen(out);
    for (const unsigned char *p = (const unsigned char *)s; *p && o + 4 < cap; p++) {
        if (isalnum(*p) || *p == '-' || *p == '.' || *p == '_')
            out[o++] = (char)*p;
        else if (*p == ' ')
            out[o++] = '+';
        else
            o += (size_t)snprintf(out + o, cap - o, "%%%02X", *p);
    }
    out[o] = '\0';
}

static int cmp_count(const void *a, const void *b)
{
    const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    json_int_t cx = json_integer_value(json_object_get(x, "n"));
    json_int_t cy = json_integer_value(json_object_get(y, "n"));
    if (cx != cy)
        return cx < cy ? 1 : -1;
    return strcmp(json_string_value(json_object_get(x, "w")),
                  json_string_value(json_object_get(y, "w")));
}

int main(int argc, char **argv)
{
    const char *offerings = "data/sample/offerings.jsonl", *vocab = "data/vocabulary/propositions.tsv";
    const char *network = "data/sample/network.json", *out_path = NULL, *suggest_path = NULL;
    long count = 2000, seed = 7;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0) {
            printf("usage: vindplaats-querymix [--count N] [--seed S] [--offerings FILE]\n"
                   "  [--vocabulary FILE] [--network FILE] --out FILE [--suggest-out FILE]\n");
            return 0;
        }
        if (!v) {
            fprintf(stderr, "vindplaats-querymix: %s needs a value\n", a);
            return 2;
        }
        i++;
        if (strcmp(a, "--count") == 0) count = atol(v);
        else if (strcmp(a, "--seed") == 0) seed = atol(v);
        else if (strcmp(a, "--offerings") == 0) offerings = v;
        else if (strcmp(a, "--vocabulary") == 0) vocab = v;
        else if (strcmp(a, "--network") == 0) network = v;
        else if (strcmp(a, "--out") == 0) out_path = v;
        else if (strcmp(a, "--suggest-out") == 0) suggest_path = v;
        else {
            fprintf(stderr, "vindplaats-querymix: unknown option %s\n", a);
            return 2;
        }
    }
    if (!out_path || count < 1) {
        fprintf(stderr, "vindplaats-querymix: --out FILE is required\n");
        return 2;
    }
    rng_state = (uint64_t)seed;

    /* Local names from the vocabulary; propositions for filters. */
    pool aliases = {{0}, 0}, props = {{0}, 0}, libs = {{0}, 0}, postcodes = {{0}, 0};
    FILE *f = fopen(vocab, "r");
    if (!f) {
        perror(vocab);
        return 1;
    }
    char line[65536];
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        line[strcspn(line, "\r\n")] = '\0';
        char *cols[5] = {0};
        int n = 0;
        for (char *p = line; n < 5; n++) {
            cols[n] = p;
            char *tab = strchr(p, '\t');
            if (!tab) {
                n++;
                break;
            }
            *tab = '\0';
            p = tab + 1;
        }
        add(&props, cols[0]);
        if (n >= 5)
            for (char *a = strtok(cols[4], "|"); a; a = strtok(NULL, "|"))
                add(&aliases, a);
    }
    fclose(f);

    /* Libraries and branch postcodes from the network. */
    json_t *net = json_load_file(network, 0, NULL);
    size_t i, j;
    json_t *lib, *br;
    json_array_foreach(json_object_get(net, "libraries"), i, lib) {
        add(&libs, json_string_value(json_object_get(lib, "id")));
        json_array_foreach(json_object_get(lib, "branches"), j, br) {
            const char *pc = json_string_value(json_object_get(br, "postcode"));
            if (pc)
                add(&postcodes, pc);
        }
    }
    json_decref(net);

    /* Title words by frequency. */
    json_t *counts = json_object();
    f = fopen(offerings, "r");
    if (!f) {
        perror(offerings);
        return 1;
    }
    static char big[1 << 20];
    while (fgets(big, sizeof big, f)) {
        json_t *doc = json_loads(big, 0, NULL);
        const char *title = json_string_value(json_object_get(doc, "title"));
        char word[64];
        size_t w = 0;
        for (const char *p = title ? title : ""; ; p++) {
            if (*p && (isalpha((unsigned char)*p) || (unsigned char)*p >= 0x80) && w < 63) {
                word[w++] = (char)tolower((unsigned char)*p);
                continue;
            }
            if (w >= 4) {
                word[w] = '\0';
                json_t *c = json_object_get(counts, word);
                json_object_set_new(counts, word, json_integer(c ? json_integer_value(c) + 1 : 1));
            }
            w = 0;
            if (!*p)
                break;
        }
        json_decref(doc);
    }
    fclose(f);
    size_t nw = json_object_size(counts), k = 0;
    json_t **sorted = calloc(nw + 1, sizeof *sorted);
    const char *key;
    json_t *val;
    json_object_foreach(counts, key, val) {
        sorted[k++] = json_pack("{s:s, s:O}", "w", key, "n", val);
    }
    qsort(sorted, k, sizeof *sorted, cmp_count);
    pool titles = {{0}, 0};
    for (size_t t = 0; t < k && titles.n < 2000; t++)
        add(&titles, json_string_value(json_object_get(sorted[t], "w")));

    size_t n_resident = 0;
    while (resident_terms[n_resident])
        n_resident++;

    FILE *out = fopen(out_path, "w"), *sout = suggest_path ? fopen(suggest_path, "w") : NULL;
    if (!out || (suggest_path && !sout)) {
        fprintf(stderr, "vindplaats-querymix: cannot write %s\n", !out ? out_path : suggest_path);
        return 1;
    }
    for (long qn = 0; qn < count; qn++) {
        double u = uniform();
        int words = u < 0.5 ? 1 : u < 0.85 ? 2 : 3;
        char q[512] = "";
        for (int w = 0; w < words; w++) {
            char word[128];
            double pick = uniform();
            if (pick < 0.45)
                snprintf(word, sizeof word, "%s", resident_terms[zipf(n_resident)]);
            else if (pick < 0.7)
                snprintf(word, sizeof word, "%s", aliases.items[zipf(aliases.n)]);
            else
                snprintf(word, sizeof word, "%s", titles.items[zipf(titles.n)]);
            for (char *c = word; *c; c++)
                *c = (char)tolower((unsigned char)*c);
            if (uniform() < 0.08)
                misspell(word);
            if (strlen(q) + strlen(word) + 2 < sizeof q) {
                if (*q)
                    strcat(q, " ");
                strcat(q, word);
            }
        }
        char path[2048] = "/v1/search?q=";
        url_append(path, sizeof path, q);
        if (uniform() < 0.4) {
            int nf = uniform() < 0.7 ? 1 : 2;
            for (int fi = 0; fi < nf; fi++) {
                double which = uniform();
                char part[256];
                if (which < 0.5) {
                    size_t r = next_random() % (sizeof filters / sizeof filters[0]);
                    snprintf(part, sizeof part, "&%s=%s", filters[r][0], filters[r][1]);
                } else if (which < 0.75) {
                    snprintf(part, sizeof part, "&library=%s", libs.items[zipf(libs.n)]);
                } else {
                    snprintf(part, sizeof part, "&proposition=%s", props.items[next_random() % props.n]);
                }
                if (!strstr(path, part))
                    strcat(path, part);
            }
        }
        if (uniform() < 0.1 && postcodes.n) {
            static const int radii[] = {5, 10, 25};
            char part[128];
            snprintf(part, sizeof part, "&postcode=%s&radius_km=%d",
                     postcodes.items[next_random() % postcodes.n], radii[next_random() % 3]);
            strcat(path, part);
        }
        if (uniform() < 0.1) {
            /* A range of 7-60 days in the six months after 2026-12-01. */
            int start = (int)(next_random() % 150), span = 7 + (int)(next_random() % 54);
            static const int month_days[] = {31, 31, 28, 31, 30, 31, 30, 31};
            int y = 2026, m = 12, d = 1;
            char from[40], to[40];
            for (int step = 0; step <= start + span; step++) {
                if (step == start)
                    snprintf(from, sizeof from, "%04d-%02d-%02d", y, m, d);
                if (step == start + span)
                    snprintf(to, sizeof to, "%04d-%02d-%02d", y, m, d);
                if (++d > month_days[(m == 12 ? 0 : m) % 8]) {
                    d = 1;
                    if (++m > 12) {
                        m = 1;
                        y++;
                    }
                }
            }
            char part[128];
            snprintf(part, sizeof part, "&from=%s&to=%s", from, to);
            strcat(path, part);
        }
        if (uniform() < 0.2)
            strcat(path, "&facets=all");
        fprintf(out, "%s\n", path);

        if (sout) {
            /* A prefix of 2-8 characters of what was typed. */
            size_t len = strlen(q), plen = 2 + next_random() % 7;
            if (plen > len)
                plen = len;
            char prefix[16];
            memcpy(prefix, q, plen);
            prefix[plen] = '\0';
            if (plen >= 2) {
                char spath[128] = "/v1/suggest?q=";
                url_append(spath, sizeof spath, prefix);
                fprintf(sout, "%s\n", spath);
            }
        }
    }
    fclose(out);
    if (sout)
        fclose(sout);
    return 0;
}
