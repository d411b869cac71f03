/* relevance.c - measures search quality on the sample network with a
 * judged query set, and guards it against regressions.
 *
 * Judgments are rules, not lists of ids, so they say what a resident means
 * and survive a regenerated sample: each line of the judgments file is
 *   query <TAB> grade (1-3) <TAB> condition[;condition...]
 * where a condition is field=value (type, proposition, audience,
 * municipality, library, language, channel), on=YYYY-MM-DD or
 * on=FROM..TO (an occurrence starts within it), field~word (title, text,
 * subject, creator: the folded word occurs in it) or next<YYYY-MM-DD (the
 * offering's next occurrence at the evaluation's clock is on an earlier
 * day: a resident wants the course that starts soon). An offering's grade for
 * a query is the highest grade of the rules it satisfies. The ideal
 * ranking is every result of the sample (an offering, all offerings that
 * share a work_key, or the dates of one activity at one place: what the
 * search shows as one result) sorted by its best grade, so nDCG@10 rewards finding the best works of the whole
 * network and not ten copies of one book.
 *
 * A line "## group: NAME" starts a feature group. Beside the engine, a
 * rule-based fake answers every query: plain word matching (the offerings
 * that hold the most of the query's words that are not stop words, a word
 * counting where a word of the offering begins with it, the past hidden,
 * one result per work or series), so that each group's figures say how far
 * the engine is above what a simple site search would find.
 *
 * Prints nDCG@10, precision@3 and the zero-result rate, overall and per
 * group for the engine and the fake; with --baseline FILE exits 1 when any
 * overall figure of the engine is worse than the committed one. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "vindplaats/analysis.h"
#include "vindplaats/index.h"
#include "vindplaats/lexicon.h"
#include "vindplaats/load.h"
#include "vindplaats/geo.h"
#include "vindplaats/network.h"
#include "vindplaats/offering.h"
#include "vindplaats/search.h"

#define MAX_QUERIES 500
#define MAX_RULES 8
#define MAX_CONDS 6

typedef struct cond {
    char field[32];
    char value[128];
    int contains;  /* '~' */
    int before;    /* '<': next<YYYY-MM-DD, value is then the day as YYYYMMDD */
} cond;

typedef struct rule {
    int grade;
    cond conds[MAX_CONDS];
    int n;
} rule;

typedef struct query {
    char text[256];
    char group[64];
    rule rules[MAX_RULES];
    int n_rules;
} query;

typedef struct offering {
    json_t *doc;
    char *id;
    char *text;      /* folded title + description + subjects + local name */
    char *title;
    char *subjects;
    char *creators;
    int upcoming;    /* not past at the evaluation's clock */
    int next_day;    /* local day (YYYYMMDD) of its next occurrence then; 0 when none */
    size_t work;     /* the index of the first offering of its work or series */
    char *group;     /* what the search shows as one result, or NULL */
} offering;

static query queries[MAX_QUERIES];
static int n_queries;
static offering *offs;
static size_t n_offs;
static int cmp_work(const void *pa, const void *pb);

static char *fold_join(json_t *doc, const char *const *fields)
{
    size_t cap = 1;
    for (const char *const *f = fields; *f; f++) {
        json_t *v = json_object_get(doc, *f);
        if (json_is_string(v))
            cap += json_string_length(v) + 1;
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) {
            cap += json_string_length(e) + 1;
        }
    }
    char *buf = calloc(cap + 1, 1);
    for (const char *const *f = fields; *f; f++) {
        json_t *v = json_object_get(doc, *f);
        if (json_is_string(v)) {
            strcat(buf, json_string_value(v));
            strcat(buf, " ");
        }
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) {
            strcat(buf, json_string_value(e));
            strcat(buf, " ");
        }
    }
    char *folded = vp_text_fold(buf, 1);
    free(buf);
    return folded;
}

static int has_word(const char *hay, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = strstr(hay, word); p; p = strstr(p + 1, word))
        if (p == hay || !((p[-1] >= 'a' && p[-1] <= 'z') || (p[-1] >= '0' && p[-1] <= '9')))
            return 1; /* a word start: "thriller" in "thrillers" counts */
    (void)n;
    return 0;
}

/* on=DAY or on=FROM..TO (YYYY-MM-DD): an occurrence starts within it. */
static int occurs_within(const offering *o, const char *range)
{
    char from[11] = "", to[11] = "";
    const char *dots = strstr(range, "..");
    snprintf(from, sizeof from, "%.10s", range);
    snprintf(to, sizeof to, "%.10s", dots ? dots + 2 : range);
    json_t *occ = json_object_get(o->doc, "occurrences"), *e;
    size_t i;
    json_array_foreach(occ, i, e) {
        const char *st = json_string_value(json_object_get(e, "start"));
        if (st && strncmp(st, from, 10) >= 0 && strncmp(st, to, 10) <= 0)
            return 1;
    }
    const char *st = json_string_value(json_object_get(o->doc, "start"));
    return st && strncmp(st, from, 10) >= 0 && strncmp(st, to, 10) <= 0;
}

static int cond_holds(const offering *o, const cond *c)
{
    if (strcmp(c->field, "on") == 0)
        return occurs_within(o, c->value);
    if (c->before)
        return o->next_day && o->next_day < atoi(c->value);
    if (c->contains) {
        const char *hay = strcmp(c->field, "title") == 0     ? o->title
                          : strcmp(c->field, "subject") == 0 ? o->subjects
                          : strcmp(c->field, "creator") == 0 ? o->creators
                                                             : o->text;
        return has_word(hay, c->value);
    }
    if (strcmp(c->field, "audience") == 0) {
        json_t *g;
        size_t i;
        json_array_foreach(json_object_get(json_object_get(o->doc, "audience"), "groups"), i, g) {
            if (strcmp(json_string_value(g), c->value) == 0)
                return 1;
        }
        return 0;
    }
    const char *v = json_string_value(json_object_get(o->doc, c->field));
    return v && strcasecmp(v, c->value) == 0;
}

static int grade_of(const offering *o, const query *q)
{
    int best = 0;
    for (int r = 0; r < q->n_rules; r++) {
        int ok = 1;
        for (int c = 0; ok && c < q->rules[r].n; c++)
            ok = cond_holds(o, &q->rules[r].conds[c]);
        if (ok && q->rules[r].grade > best)
            best = q->rules[r].grade;
    }
    return best;
}

static int load_judgments(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return -1;
    }
    char line[2048];
    char group[64] = "";
    int lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (strncmp(line, "## group: ", 10) == 0) {
            snprintf(group, sizeof group, "%.63s", line + 10);
            continue;
        }
        if (!line[0] || line[0] == '#')
            continue;
        char *qtext = strtok(line, "\t"), *grade = strtok(NULL, "\t"), *conds = strtok(NULL, "\t");
        if (!qtext || !grade || !conds || atoi(grade) < 1 || atoi(grade) > 3) {
            fprintf(stderr, "%s:%d: expected query<TAB>grade 1-3<TAB>conditions\n", path, lineno);
            fclose(f);
            return -1;
        }
        query *q = n_queries ? &queries[n_queries - 1] : NULL;
        if (!q || strcmp(q->text, qtext) != 0) {
            if (n_queries == MAX_QUERIES)
                break;
            q = &queries[n_queries++];
            memset(q, 0, sizeof *q);
            snprintf(q->text, sizeof q->text, "%s", qtext);
            snprintf(q->group, sizeof q->group, "%s", group[0] ? group : "(no group)");
        }
        if (q->n_rules == MAX_RULES) {
            fprintf(stderr, "%s:%d: too many rules for one query\n", path, lineno);
            fclose(f);
            return -1;
        }
        rule *r = &q->rules[q->n_rules++];
        r->grade = atoi(grade);
        for (char *c = strtok(conds, ";"); c && r->n < MAX_CONDS; c = strtok(NULL, ";")) {
            char *op = strpbrk(c, "=~<");
            vp_datetime day;
            if (!op || (*op == '<' && (strncmp(c, "next<", 5) != 0 ||
                                       vp_datetime_parse(op + 1, &day) != 0 || !day.all_day))) {
                fprintf(stderr, "%s:%d: condition without =, ~ or next<YYYY-MM-DD: %s\n", path,
                        lineno, c);
                fclose(f);
                return -1;
            }
            cond *cd = &r->conds[r->n++];
            cd->contains = *op == '~';
            cd->before = *op == '<';
            *op = '\0';
            snprintf(cd->field, sizeof cd->field, "%s", c);
            if (cd->before) {
                snprintf(cd->value, sizeof cd->value, "%d", vp_datetime_local_day(&day));
                continue;
            }
            char *folded = vp_text_fold(op + 1, 1);
            snprintf(cd->value, sizeof cd->value, "%s", cd->contains ? folded : op + 1);
            free(folded);
        }
    }
    fclose(f);
    return 0;
}

/* 1 when an occurrence ends at or after `now`, or the offering is undated. */
static int upcoming(json_t *doc, int64_t now)
{
    json_t *occ = json_object_get(doc, "occurrences");
    json_t *self = NULL;
    if (!json_array_size(occ)) {
        if (!json_is_string(json_object_get(doc, "start")))
            return 1;
        self = json_array();
        json_array_append_new(self, json_pack("{s:O, s:O}", "start", json_object_get(doc, "start"),
                                              "end", json_object_get(doc, "end") ? json_object_get(doc, "end") : json_null()));
        occ = self;
    }
    int found = 0;
    size_t i;
    json_t *o;
    json_array_foreach(occ, i, o) {
        vp_datetime s, e;
        json_t *je = json_object_get(o, "end");
        if (vp_datetime_parse(json_string_value(json_object_get(o, "start")), &s) != 0)
            continue;
        e = s;
        if (json_is_string(je))
            vp_datetime_parse(json_string_value(je), &e);
        if ((e.all_day ? e.utc + 86399 : e.utc) >= now)
            found = 1;
    }
    json_decref(self);
    return found;
}

/* One result's key: the work key, else for a dated offering its series
 * (the title's words, lower-case and without accents, the branch, else
 * the library, and the proposition), else NULL. malloc()ed. */
static char *group_of(json_t *doc, const char *folded_title)
{
    const char *work = json_string_value(json_object_get(doc, "work_key"));
    if (work && *work)
        return strdup(work);
    const char *place = json_string_value(json_object_get(doc, "branch"));
    if (!place)
        place = json_string_value(json_object_get(doc, "library"));
    if (!place || !json_is_string(json_object_get(doc, "start")) || !folded_title)
        return NULL;
    char *key = malloc(strlen(folded_title) + strlen(place) + 16);
    size_t n = 0;
    strcpy(key, "series\x1f");
    n = strlen(key);
    for (const char *p = folded_title; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80)
            key[n++] = (char)c;
        else if (key[n - 1] != ' ' && key[n - 1] != '\x1f')
            key[n++] = ' ';
    }
    while (key[n - 1] == ' ')
        n--;
    key[n++] = '\x1f';
    strcpy(key + n, place);
    const char *prop = json_string_value(json_object_get(doc, "proposition"));
    if (prop) {
        key = realloc(key, strlen(key) + strlen(prop) + 2);
        strcat(key, "\x1f");
        strcat(key, prop);
    }
    return key;
}

static int load_offerings(const char *path, int64_t now)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return -1;
    }
    size_t alloc = 1024;
    offs = calloc(alloc, sizeof *offs);
    char *line = malloc(1 << 20);
    static const char *const text_fields[] = {"title", "description", "subjects", "local_name",
                                              "creators", NULL};
    static const char *const title_fields[] = {"title", NULL};
    static const char *const subject_fields[] = {"subjects", NULL};
    static const char *const creator_fields[] = {"creators", NULL};
    while (fgets(line, 1 << 20, f)) {
        json_t *doc = json_loads(line, 0, NULL);
        if (!doc)
            continue;
        if (n_offs == alloc) {
            alloc *= 2;
            offs = realloc(offs, alloc * sizeof *offs);
        }
        offering *o = &offs[n_offs++];
        o->doc = doc;
        o->id = strdup(json_string_value(json_object_get(doc, "id")));
        o->text = fold_join(doc, text_fields);
        o->title = fold_join(doc, title_fields);
        o->subjects = fold_join(doc, subject_fields);
        o->creators = fold_join(doc, creator_fields);
        o->upcoming = upcoming(doc, now);
        const char *ns = NULL, *ne = NULL;
        int64_t nu = 0;
        vp_datetime nd;
        if (vp_offering_json_next(doc, now, &ns, &ne, &nu, NULL) == 0 && vp_datetime_parse(ns, &nd) == 0)
            o->next_day = vp_datetime_local_day(&nd);
        o->work = n_offs - 1;
        o->group = group_of(doc, o->title);
    }
    free(line);
    fclose(f);
    /* Offerings of one work point at its first offering. */
    size_t *order = malloc((n_offs + 1) * sizeof *order);
    for (size_t i = 0; order && i < n_offs; i++)
        order[i] = i;
    if (order)
        qsort(order, n_offs, sizeof *order, cmp_work);
    for (size_t i = 1; order && i < n_offs; i++) {
        const char *a = offs[order[i - 1]].group, *b = offs[order[i]].group;
        if (a && b && strcmp(a, b) == 0)
            offs[order[i]].work = offs[order[i - 1]].work;
    }
    free(order);
    return 0;
}

static int cmp_int_desc(const void *a, const void *b)
{
    return *(const int *)b - *(const int *)a;
}

/* Orders offering indexes by result key (none last), then by position. */
static int cmp_work(const void *pa, const void *pb)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    const char *ka = offs[a].group, *kb = offs[b].group;
    int r = ka && kb ? strcmp(ka, kb) : ka ? -1 : kb ? 1 : 0;
    return r ? r : a < b ? -1 : a > b;
}

typedef struct figures {
    double ndcg, p3, zero;
} figures;

/* The ideal DCG@10 of `q`: every result of the sample (a work or series
 * once, by its best upcoming offering's grade), the best first. `ideal`
 * has room for n_offs + 1. */
static double ideal_dcg(const query *q, int *ideal)
{
    for (size_t i = 0; i < n_offs; i++)
        ideal[i] = 0;
    for (size_t i = 0; i < n_offs; i++)
        if (offs[i].upcoming) {
            int g = grade_of(&offs[i], q);
            if (g > ideal[offs[i].work])
                ideal[offs[i].work] = g;
        }
    size_t n_ideal = 0;
    for (size_t i = 0; i < n_offs; i++)
        if (ideal[i])
            ideal[n_ideal++] = ideal[i];
    qsort(ideal, n_ideal, sizeof *ideal, cmp_int_desc);
    double idcg = 0;
    for (size_t i = 0; i < 10 && i < n_ideal; i++)
        idcg += (pow(2, ideal[i]) - 1) / log2((double)i + 2.0);
    return idcg;
}

/* nDCG@10 and P@3 of a result list of offering indexes. */
static figures score_list(const query *q, const size_t *list, size_t n, double idcg)
{
    figures f = {0, 0, n == 0};
    double dcg = 0;
    int rel3 = 0;
    for (size_t i = 0; i < 10 && i < n; i++) {
        int g = grade_of(&offs[list[i]], q);
        dcg += (pow(2, g) - 1) / log2((double)i + 2.0);
        if (i < 3 && g > 0)
            rel3++;
    }
    f.ndcg = idcg > 0 ? dcg / idcg : 0;
    f.p3 = rel3 / 3.0;
    return f;
}

static size_t offering_index(const char *id)
{
    for (size_t i = 0; i < n_offs; i++)
        if (strcmp(offs[i].id, id) == 0)
            return i;
    return n_offs;
}

/* The fake's answer: the upcoming offerings holding the most of the
 * query's words that are not stop words (a word of the title counting
 * double between equals), one per work or series, the file's order between
 * equals. Writes at most 10 offering indexes into list. */
static size_t fake_search(const query *q, const vp_lexicon *lex, int *score, size_t *list)
{
    char *folded = vp_text_fold(q->text, 1);
    char *words[32];
    size_t n_words = 0;
    for (char *p = folded; p && *p && n_words < 32;) {
        while (*p && !((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || (unsigned char)*p >= 0x80))
            p++;
        char *w = p;
        while ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || (unsigned char)*p >= 0x80)
            p++;
        if (p == w)
            break;
        if (*p)
            *p++ = '\0';
        if (!(lex && vp_lexicon_only_stopwords(lex, w)))
            words[n_words++] = w;
    }
    for (size_t i = 0; i < n_offs; i++) {
        score[i] = 0;
        for (size_t k = 0; offs[i].upcoming && k < n_words; k++)
            score[i] += 3 * has_word(offs[i].text, words[k]) + has_word(offs[i].title, words[k]);
    }
    free(folded);
    size_t n = 0;
    while (n < 10) {
        size_t best = n_offs;
        for (size_t i = 0; i < n_offs; i++)
            if (score[i] > 0 && (best == n_offs || score[i] > score[best]))
                best = i;
        if (best == n_offs)
            break;
        list[n++] = best;
        /* One result per work or series. */
        for (size_t i = 0; i < n_offs; i++)
            if (offs[i].work == offs[best].work)
                score[i] = 0;
    }
    return n;
}

typedef struct group_figures {
    char name[64];
    int n;
    figures engine, fake;
} group_figures;

#define MAX_GROUPS 32

/* Runs every query; prints per query with `verbose` and, with `g`, the
 * engine's and the fake's figures per group (*n_groups of them, means).
 * Returns the engine's. */
static figures evaluate(vp_index *idx, const vp_lexicon *lex, int64_t now, unsigned without,
                        int verbose, group_figures *g, size_t *n_groups_out)
{
    figures f = {0, 0, 0};
    int *ideal = calloc(n_offs + 1, sizeof *ideal);
    int *score = calloc(n_offs + 1, sizeof *score);
    size_t n_groups = 0;
    int groups = g != NULL;
    if (g)
        memset(g, 0, MAX_GROUPS * sizeof *g);
    for (int qi = 0; qi < n_queries; qi++) {
        query *q = &queries[qi];
        vp_search_request r;
        memset(&r, 0, sizeof r);
        r.q = q->text;
        r.page = 1;
        r.per_page = 10;
        r.now = now;
        r.without = without;
        vp_search_result *res = NULL;
        vp_error serr = VP_ERROR_INIT;
        vp_status st = vp_search_execute(idx, &r, &res, &serr);
        if (st != VP_OK) {
            fprintf(stderr, "query \"%s\": ", q->text);
            vp_error_print(stderr, NULL, &serr);
            vp_error_clear(&serr);
            continue;
        }
        double idcg = ideal_dcg(q, ideal);
        size_t list[10], n = 0;
        for (size_t i = 0; i < res->n_hits && n < 10; i++)
            list[n++] = offering_index(res->hits[i].id);
        /* A hit not in the sample file (none expected) counts as grade 0. */
        size_t kept = 0;
        for (size_t i = 0; i < n; i++)
            if (list[i] < n_offs)
                list[kept++] = list[i];
        figures e = score_list(q, list, kept, idcg);
        e.zero = res->total == 0;
        f.ndcg += e.ndcg;
        f.p3 += e.p3;
        f.zero += e.zero;
        if (verbose)
            printf("%-36s nDCG@10 %.3f  P@3 %.2f  total %6llu%s%s\n", q->text, e.ndcg, e.p3,
                   (unsigned long long)res->total,
                   res->corrected_query ? "  corrected to " : "",
                   res->corrected_query ? res->corrected_query : "");
        for (size_t i = 0; verbose > 1 && i < kept; i++) {
            const offering *o = &offs[list[i]];
            const char *br = json_string_value(json_object_get(o->doc, "branch"));
            printf("    %d  %s  %s  %s  next %d\n", grade_of(o, q), o->id, br ? br : "-",
                   json_string_value(json_object_get(o->doc, "title")), o->next_day);
        }
        vp_search_result_destroy(res);
        if (!groups)
            continue;
        n = fake_search(q, lex, score, list);
        figures k = score_list(q, list, n, idcg);
        size_t gi = 0;
        while (gi < n_groups && strcmp(g[gi].name, q->group) != 0)
            gi++;
        if (gi == n_groups && n_groups < MAX_GROUPS)
            snprintf(g[n_groups++].name, sizeof g[0].name, "%s", q->group);
        if (gi == n_groups)
            continue;
        g[gi].n++;
        g[gi].engine.ndcg += e.ndcg;
        g[gi].engine.p3 += e.p3;
        g[gi].engine.zero += e.zero;
        g[gi].fake.ndcg += k.ndcg;
        g[gi].fake.p3 += k.p3;
        g[gi].fake.zero += k.zero;
    }
    free(ideal);
    free(score);
    if (n_queries) {
        f.ndcg /= n_queries;
        f.p3 /= n_queries;
        f.zero /= n_queries;
    }
    if (groups) {
        printf("| feature group | queries | engine nDCG@10 | engine P@3 | fake nDCG@10 | fake P@3 "
               "| fake zero-result rate |\n|---|---|---|---|---|---|---|\n");
        for (size_t i = 0; i < n_groups; i++) {
            g[i].engine.ndcg /= g[i].n;
            g[i].engine.p3 /= g[i].n;
            g[i].engine.zero /= g[i].n;
            g[i].fake.ndcg /= g[i].n;
            g[i].fake.p3 /= g[i].n;
            g[i].fake.zero /= g[i].n;
            printf("| %s | %d | %.3f | %.3f | %.3f | %.3f | %.3f |\n", g[i].name, g[i].n,
                   g[i].engine.ndcg, g[i].engine.p3, g[i].fake.ndcg, g[i].fake.p3, g[i].fake.zero);
        }
        *n_groups_out = n_groups;
    }
    return f;
}

static vp_index *build_index(const char *dir, const char *offerings, vp_vocabulary *voc,
                             vp_lexicon *lex)
{
    vp_index *w = NULL;
    vp_error e = VP_ERROR_INIT;
    if (vp_index_open(dir, VP_INDEX_WRITE, voc, &w, &e) != VP_OK) {
        vp_error_print(stderr, NULL, &e); /* "DIR: message" */
        vp_error_clear(&e);
        return NULL;
    }
    vp_index_set_lexicon(w, lex);
    FILE *in = fopen(offerings, "r");
    vp_load_stats stats;
    vp_error lerr = VP_ERROR_INIT;
    vp_status st = in ? vp_load_jsonl(w, voc, in, offerings, stderr, &stats, &lerr) : VP_ERR_IO;
    if (st != VP_OK && lerr.status != VP_OK)
        vp_error_print(stderr, offerings, &lerr);
    vp_error_clear(&lerr);
    if (in)
        fclose(in);
    vp_index_close(w);
    if (st != VP_OK)
        return NULL;
    vp_index *r = NULL;
    if (vp_index_open(dir, VP_INDEX_READ, voc, &r, NULL) != VP_OK)
        return NULL;
    vp_index_set_lexicon(r, lex);
    return r;
}

/* The baseline: the engine's figures on the whole set, then per group
 * ("group NAME<TAB>ndcg10 X p3 Y"), so that queries added to a group of
 * their own leave the figures of the others to guard. */
static int read_baseline(const char *path, figures *b, group_figures *g, size_t *n)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    int ok = fscanf(f, "ndcg10 %lf p3 %lf zero %lf\n", &b->ndcg, &b->p3, &b->zero) == 3;
    char line[256];
    *n = 0;
    while (ok && fgets(line, sizeof line, f) && *n < MAX_GROUPS) {
        char *tab = strchr(line, '\t');
        if (strncmp(line, "group ", 6) != 0 || !tab) {
            ok = 0;
            break;
        }
        *tab = '\0';
        memset(&g[*n], 0, sizeof g[*n]);
        snprintf(g[*n].name, sizeof g[*n].name, "%.63s", line + 6);
        ok = sscanf(tab + 1, "ndcg10 %lf p3 %lf", &g[*n].engine.ndcg, &g[*n].engine.p3) == 2;
        (*n)++;
    }
    fclose(f);
    return ok ? 0 : -1;
}

int main(int argc, char **argv)
{
    const char *offerings = NULL, *judgments = NULL, *vocab = NULL, *baseline = NULL;
    const char *write_baseline = NULL, *now_s = "2026-12-01T08:00:00+01:00";
    vp_lexicon_files files = {NULL, NULL, NULL, NULL, NULL};
    const char *network_path = NULL, *postcodes_path = NULL;
    int verbose = 0, compare = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--verbose") == 0) { verbose = 1; continue; }
        if (strcmp(a, "--hits") == 0) { verbose = 2; continue; }
        if (strcmp(a, "--compare") == 0) { compare = 1; continue; }
        if (!v) { fprintf(stderr, "relevance: %s needs a value\n", a); return 2; }
        i++;
        if (strcmp(a, "--offerings") == 0) offerings = v;
        else if (strcmp(a, "--judgments") == 0) judgments = v;
        else if (strcmp(a, "--vocabulary") == 0) vocab = v;
        else if (strcmp(a, "--words") == 0) files.words = v;
        else if (strcmp(a, "--synonyms") == 0) files.synonyms = v;
        else if (strcmp(a, "--stopwords") == 0) files.stopwords = v;
        else if (strcmp(a, "--types") == 0) files.types = v;
        else if (strcmp(a, "--holidays") == 0) files.holidays = v;
        else if (strcmp(a, "--network") == 0) network_path = v;
        else if (strcmp(a, "--postcodes") == 0) postcodes_path = v;
        else if (strcmp(a, "--baseline") == 0) baseline = v;
        else if (strcmp(a, "--write-baseline") == 0) write_baseline = v;
        else if (strcmp(a, "--now") == 0) now_s = v;
        else { fprintf(stderr, "relevance: unknown option %s\n", a); return 2; }
    }
    if (!offerings || !judgments || !vocab) {
        fprintf(stderr, "usage: relevance --offerings FILE --judgments FILE --vocabulary FILE\n"
                        "  [--words FILE --synonyms FILE --stopwords FILE --types FILE]\n"
                        "  [--holidays FILE] [--network FILE] [--postcodes FILE] [--now ISO]\n"
                        "  [--baseline FILE] [--write-baseline FILE] [--verbose] [--hits] [--compare]\n");
        return 2;
    }
    vp_datetime now;
    if (vp_datetime_parse(now_s, &now) != 0)
        return 2;
    vp_vocabulary *voc = NULL;
    vp_lexicon *lex = NULL;
    vp_error lerr = VP_ERROR_INIT;
    vp_network *net = NULL;
    vp_postcodes *postcodes = NULL;
    if (vp_vocabulary_load(vocab, &voc, &lerr) != VP_OK ||
        vp_lexicon_load(&files, voc, &lex, &lerr) != VP_OK ||
        (network_path && vp_network_load(network_path, &net, &lerr) != VP_OK) ||
        (vp_lexicon_set_network(lex, net) != VP_OK &&
         vp_error_set(&lerr, VP_ERR_NOMEM, NULL, "out of memory")) ||
        (postcodes_path && vp_postcodes_load(postcodes_path, &postcodes, &lerr) != VP_OK) ||
        (vp_postcodes_add_network(postcodes, net) != VP_OK &&
         vp_error_set(&lerr, VP_ERR_NOMEM, NULL, "out of memory"))) {
        vp_error_print(stderr, "relevance", &lerr);
        vp_error_clear(&lerr);
        return 2;
    }
    /* The place words of q, as the server reads them: place='s table. */
    vp_lexicon_set_postcodes(lex, postcodes);
    vp_network_destroy(net);
    if (load_judgments(judgments) != 0 || load_offerings(offerings, now.utc) != 0)
        return 2;

    char dir[] = "/tmp/vp-relevance-XXXXXX";
    if (!mkdtemp(dir))
        return 2;
    char path[256];
    snprintf(path, sizeof path, "%s/index", dir);
    vp_index *idx = build_index(path, offerings, voc, lex);
    if (!idx)
        return 2;
    printf("%d queries, %zu offerings\n", n_queries, n_offs);
    group_figures groups[MAX_GROUPS];
    size_t n_groups = 0;
    figures now_f = evaluate(idx, lex, now.utc, 0, verbose, groups, &n_groups);
    if (compare) {
        /* What each feature brings: the skeleton's index and queries first. */
        char plain[256];
        snprintf(plain, sizeof plain, "%s/plain", dir);
        vp_index *bare = build_index(plain, offerings, voc, NULL);
        figures skeleton = evaluate(bare, lex, now.utc, VP_WITHOUT_REWRITE | VP_WITHOUT_SPELLING, 0, NULL, NULL);
        figures compounds = evaluate(idx, lex, now.utc, VP_WITHOUT_REWRITE | VP_WITHOUT_SPELLING, 0, NULL, NULL);
        figures rewrite = evaluate(idx, lex, now.utc,
                                  VP_WITHOUT_SPELLING | VP_WITHOUT_ANY_WORDS | VP_WITHOUT_UNDERSTANDING, 0, NULL, NULL);
        figures spelling = evaluate(idx, lex, now.utc, VP_WITHOUT_ANY_WORDS | VP_WITHOUT_UNDERSTANDING, 0, NULL, NULL);
        figures any = evaluate(idx, lex, now.utc, VP_WITHOUT_UNDERSTANDING, 0, NULL, NULL);
        printf("| stage | nDCG@10 | P@3 | zero-result rate |\n|---|---|---|---|\n");
        printf("| skeleton (BM25, folding, stemming) | %.3f | %.3f | %.3f |\n", skeleton.ndcg,
               skeleton.p3, skeleton.zero);
        printf("| + compounds at index time | %.3f | %.3f | %.3f |\n", compounds.ndcg,
               compounds.p3, compounds.zero);
        printf("| + local names, synonyms, query compounds, type words | %.3f | %.3f | %.3f |\n",
               rewrite.ndcg, rewrite.p3, rewrite.zero);
        printf("| + spelling correction | %.3f | %.3f | %.3f |\n", spelling.ndcg, spelling.p3,
               spelling.zero);
        printf("| + some of the words when all find too few | %.3f | %.3f | %.3f |\n",
               any.ndcg, any.p3, any.zero);
        printf("| + place, day and age words | %.3f | %.3f | %.3f |\n", now_f.ndcg, now_f.p3,
               now_f.zero);
        vp_index_close(bare);
    }
    printf("nDCG@10 %.3f  precision@3 %.3f  zero-result rate %.3f\n", now_f.ndcg, now_f.p3,
           now_f.zero);
    int rc = 0;
    if (write_baseline) {
        FILE *f = fopen(write_baseline, "w");
        if (f) {
            fprintf(f, "ndcg10 %.3f p3 %.3f zero %.3f\n", now_f.ndcg, now_f.p3, now_f.zero);
            for (size_t i = 0; i < n_groups; i++)
                fprintf(f, "group %s\tndcg10 %.3f p3 %.3f\n", groups[i].name, groups[i].engine.ndcg,
                        groups[i].engine.p3);
            fclose(f);
        }
    }
    if (baseline) {
        figures b;
        group_figures bg[MAX_GROUPS];
        size_t n_bg = 0;
        if (read_baseline(baseline, &b, bg, &n_bg) != 0) {
            fprintf(stderr, "relevance: cannot read baseline %s\n", baseline);
            rc = 1;
        } else if (now_f.ndcg < b.ndcg - 0.0005 || now_f.p3 < b.p3 - 0.0005 ||
                   now_f.zero > b.zero + 0.0005) {
            printf("WORSE than the baseline (nDCG@10 %.3f, P@3 %.3f, zero %.3f)\n", b.ndcg, b.p3,
                   b.zero);
            rc = 1;
        } else {
            printf("not below the baseline (nDCG@10 %.3f, P@3 %.3f, zero %.3f)\n", b.ndcg, b.p3,
                   b.zero);
        }
        /* Each group of the baseline on its own: a group that was dropped
         * or renamed is a failure too, so it cannot hide. */
        for (size_t i = 0; i < n_bg; i++) {
            size_t k = 0;
            while (k < n_groups && strcmp(groups[k].name, bg[i].name) != 0)
                k++;
            if (k == n_groups) {
                printf("group \"%s\" of the baseline has no queries\n", bg[i].name);
                rc = 1;
            } else if (groups[k].engine.ndcg < bg[i].engine.ndcg - 0.0005 ||
                       groups[k].engine.p3 < bg[i].engine.p3 - 0.0005) {
                printf("WORSE than the baseline in group \"%s\" (nDCG@10 %.3f < %.3f or P@3 %.3f < "
                       "%.3f)\n", bg[i].name, groups[k].engine.ndcg, bg[i].engine.ndcg,
                       groups[k].engine.p3, bg[i].engine.p3);
                rc = 1;
            }
        }
    }
    vp_index_close(idx);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "relevance: could not remove %s\n", dir);
    vp_lexicon_destroy(lex);
    vp_postcodes_destroy(postcodes);
    vp_vocabulary_destroy(voc);
    return rc;
}
