/* golden.c - golden tests of the connectors: real input in, offerings out.
 *
 * Usage: test_golden CONNECTOR DATA_DIR GOLDEN_DIR PROPOSITIONS.tsv NETWORK.json
 *
 * For every input of CONNECTOR (the captured real files under
 * DATA_DIR/realdata and the hand-written fixtures under DATA_DIR; which
 * ones is the table `connectors` below), the connector's parser is run and
 * what it emits is normalised the way the harvester stores it (the sample
 * network and the proposition vocabulary) and compared field by field with
 * GOLDEN_DIR/CONNECTOR/NAME.jsonl, one JSON line per record:
 *   {"id": OFFERING-ID, "where": ..., "offering": {...}}
 *   {"reject": WHERE, "message": ...}    a record the connector or normalisation refused
 *   {"deleted": LOCAL-ID, "where": ...}  {"broken": WHERE, "message": ...}
 *   {"status": "ok"} or {"status": ..., "message": ...}   what the parser returned
 * (plus "page" where one input holds several pages). Each difference is
 * printed as "FILE:LINE (id): offering.occurrences[1].start: expected ...,
 * got ...". A golden file without an input, or an input without a golden
 * file, fails too.
 *
 * `make golden` (VP_UPDATE_GOLDEN=1) rewrites every golden file from the
 * current code: review the change with `git diff tests/golden`. */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE /* realpath */
#endif
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "emit_sink.h"
#define GOLDEN_NORMALISE
#include "golden.h"
#include "schemaorg_examples.h"

#include "vindplaats/csv.h"
#include "vindplaats/feed.h"
#include "vindplaats/filedir.h"
#include "vindplaats/ical.h"
#include "vindplaats/jsonld.h"
#include "vindplaats/marc.h"
#include "vindplaats/oai.h"
#include "vindplaats/onix.h"
#include "vindplaats/web.h"

static const char *datadir, *goldendir;
static vp_normaliser *norm;

/* ---- running one input -------------------------------------------------- */

/* The parser's own answer, as the last line. */
static void add_status(golden *g, vp_status st, const char *msg)
{
    g->page = NULL;
    json_t *l = json_pack("{s:s}", "status", st == VP_OK ? "ok" : vp_status_str(st));
    if (st != VP_OK)
        json_object_set_new(l, "message", json_string(msg ? msg : ""));
    json_array_append_new(g->lines, l);
}

/* 1 January 2000 and 2030, UTC: the window of the real calendars, wide
 * enough for their recurrences and fixed, so the golden files do not age. */
#define Y2000 946684800LL
#define Y2030 1893456000LL

static vp_status run_ical(const char *rel, const char *data, size_t len, golden *g, vp_error *msg)
{
    (void)rel;
    vp_emit e = golden_emit(g);
    vp_ical_options opt = {Y2000, Y2030, NULL};
    return vp_ical_parse(data, len, &opt, &e, msg);
}

static vp_status run_feed(const char *rel, const char *data, size_t len, golden *g, vp_error *msg)
{
    (void)rel;
    vp_emit e = golden_emit(g);
    return vp_feed_parse(data, len, "https://www.example.org/agenda/feed.xml", &e, msg);
}

static vp_status run_onix(const char *rel, const char *data, size_t len, golden *g, vp_error *msg)
{
    (void)rel;
    vp_emit e = golden_emit(g);
    return vp_onix_parse(data, len, &e, msg);
}

static vp_status run_marc(const char *rel, const char *data, size_t len, golden *g, vp_error *msg)
{
    vp_emit e = golden_emit(g);
    /* the one file whose charset its leader cannot tell */
    vp_marc_options o = {strstr(rel, "1251.dat") ? "cp1251" : NULL};
    return vp_marc_parse(data, len, &o, &e, msg);
}

static vp_status run_oai(const char *rel, const char *data, size_t len, golden *g, vp_error *msg)
{
    (void)rel;
    vp_emit e = golden_emit(g);
    if (strstr(data, "<Identify")) {
        vp_oai_identify id;
        vp_error why = VP_ERROR_INIT;
        vp_status ist = vp_oai_parse_identify(data, len, &id, &why);
        char *why_text = ist != VP_OK ? vp_error_text(&why) : NULL;
        if (ist == VP_OK)
            json_array_append_new(g->lines, json_pack("{s:{s:s?, s:s?, s:s?}}", "identify", "repository_name",
                                                      id.repository_name, "granularity", id.granularity,
                                                      "earliest_datestamp", id.earliest_datestamp));
        else
            json_array_append_new(g->lines, json_pack("{s:s, s:s}", "identify_status", vp_status_str(ist),
                                                      "message", why_text ? why_text : ""));
        vp_oai_identify_clear(&id);
        vp_error_clear(&why);
        free(why_text);
    }
    vp_oai_page page;
    memset(&page, 0, sizeof page);
    vp_status st = vp_oai_parse_page(data, len, &e, &page, msg);
    if (st == VP_OK) {
        char *broken = page.broken.status != VP_OK ? vp_error_text(&page.broken) : NULL;
        json_t *l = json_pack("{s:{s:s?, s:s?, s:I, s:s?, s:s?, s:I, s:I, s:I, s:s?}}", "oai_page",
                              "response_date", page.response_date, "token", page.token,
                              "complete_list_size", (json_int_t)page.complete_list_size,
                              "error_code", page.error_code, "error_message", page.error_message,
                              "records", (json_int_t)page.records, "deleted", (json_int_t)page.deleted,
                              "rejected", (json_int_t)page.rejected, "broken", broken);
        free(broken);
        json_array_append_new(g->lines, l);
    }
    vp_oai_page_clear(&page);
    return st;
}

/* One CSV export and the mapping its source would configure. */
static const struct {
    const char *file;
    const char *kv[40]; /* key, value, ..., NULL */
} csv_maps[] = {
    {"realdata/ratings/goodbooks-10k/samples_books.csv",
     {"id", "book_id", "column.title", "title", "column.creators", "authors", "column.isbn", "isbn13",
      "list_separator", ",", NULL}},
    {"csv/cursussen-1252.csv",
     {"delimiter", "semicolon", "encoding", "windows-1252", "id", "Code", "column.title", "Titel",
      "column.description", "Omschrijving", "column.date", "Datum", "column.time", "Begintijd",
      "column.end_time", "Eindtijd", "column._location", "Locatie", "column.price", "Prijs",
      "column._age", "Leeftijd", "column.creators", "Docenten", "column._categories", "Categorie", NULL}},
    {"csv/bom-linebreaks.csv",
     {"id", "id", "column.title", "title", "column.description", "description", "column.date", "date",
      "column.time", "time", "column.url", "url", NULL}},
    {"csv/badrow.csv",
     {"id", "id", "column.title", "title", "column.start", "start", "column.end", "end", "column.price",
      "price", NULL}},
};

static vp_status run_csv(const char *rel, const char *data, size_t len, golden *g, vp_error *msg)
{
    vp_emit e = golden_emit(g);
    const char *keys[20], *values[20];
    size_t n = 0;
    for (size_t i = 0; i < sizeof csv_maps / sizeof *csv_maps; i++) {
        if (strcmp(csv_maps[i].file, rel))
            continue;
        for (; csv_maps[i].kv[2 * n]; n++) {
            keys[n] = csv_maps[i].kv[2 * n];
            values[n] = csv_maps[i].kv[2 * n + 1];
        }
    }
    if (!n) {
        return vp_error_set(msg, VP_ERR_INVALID, NULL,
                            "no column mapping in golden.c's csv_maps for this file");
    }
    vp_csv_options opt;
    vp_status st = vp_csv_options_from(&opt, keys, values, n, msg);
    if (st == VP_OK)
        st = vp_csv_parse(data, len, &opt, &e, msg);
    vp_csv_options_clear(&opt);
    return st;
}

static void jsonld_example(void *ctx, const char *label, const char *text, size_t n)
{
    golden *g = ctx;
    vp_emit e = {g, golden_record, golden_deleted, golden_reject, golden_broken, NULL};
    g->page = label;
    vp_error err = VP_ERROR_INIT;
    vp_status st = vp_jsonld_parse(text, n, "https://example.org/agenda/page", &e, &err);
    char *text_of_err = st != VP_OK ? vp_error_text(&err) : NULL;
    if (st != VP_OK)
        golden_add(g, json_pack("{s:s, s:s}", "page_status", vp_status_str(st), "message",
                                text_of_err ? text_of_err : ""));
    free(text_of_err);
    vp_error_clear(&err);
    g->page = NULL;
}

static int sitemap_url(void *ctx, const char *url, int is_index)
{
    golden *g = ctx;
    json_array_append_new(g->lines, json_pack("{s:s, s:b}", "url", url, "index", is_index));
    return 0;
}

static vp_status run_jsonld(const char *rel, const char *data, size_t len, golden *g, vp_error *msg)
{
    vp_emit e = golden_emit(g);
    size_t n = strlen(rel);
    if (n > 4 && !strcmp(rel + n - 4, ".txt") && strstr(rel, "schemaorg-examples"))
        return examples_each(data, len, "\nJSON:", jsonld_example, g) < 0 ? VP_ERR_NOMEM : VP_OK;
    if (strstr(rel, "sitemap") || (n > 4 && !strcmp(rel + n - 4, ".txt")))
        return vp_sitemap_parse(data, len, sitemap_url, g, msg);
    return vp_jsonld_parse(data, len, "https://www.bibliotheekrivierenland.nl/agenda", &e, msg);
}

/* HTML to text: the markup sections of the example corpus and the pages
 * of the fixtures. */
static void web_example(void *ctx, const char *label, const char *text, size_t n)
{
    golden *g = ctx;
    char *t = vp_html_to_text(text, n);
    json_array_append_new(g->lines, json_pack("{s:s, s:s?}", "page", label, "text", t));
    free(t);
}

static vp_status run_web(const char *rel, const char *data, size_t len, golden *g, vp_error *msg)
{
    (void)msg;
    g->lines = json_array();
    g->page = NULL;
    if (strstr(rel, "schemaorg-examples"))
        return examples_each(data, len, "\nPRE-MARKUP:", web_example, g) < 0 ? VP_ERR_NOMEM : VP_OK;
    web_example(g, rel, data, len);
    return VP_OK;
}

/* A directory of ONIX files, read the way a file:// source names one. */
static vp_status run_filedir(const char *rel, const char *data, size_t len, golden *g, vp_error *msg)
{
    (void)data, (void)len;
    g->lines = json_array();
    g->page = NULL;
    char path[PATH_MAX], url[PATH_MAX + 600];
    if (!realpath(datadir, path))
        return VP_ERR_IO;
    snprintf(url, sizeof url, "file://%s/%s", path, rel);
    char **urls = NULL;
    size_t n = 0;
    if (vp_file_dir_urls(url, 1, &urls, &n) != 1) {
        return vp_error_set(msg, VP_ERR_IO, NULL, "not a directory");
    }
    vp_status st = VP_OK;
    for (size_t i = 0; i < n && st == VP_OK; i++) {
        const char *name = strrchr(urls[i], '/') + 1;
        json_array_append_new(g->lines, json_pack("{s:s}", "file", name));
        char frel[1000];
        snprintf(frel, sizeof frel, "%s/%s", rel, name);
        size_t flen;
        char *fdata = slurp(datadir, frel, &flen);
        vp_emit e = {g, golden_record, golden_deleted, golden_reject, golden_broken, NULL};
        g->page = name;
        st = vp_onix_parse(fdata, flen, &e, msg);
        g->page = NULL;
        free(fdata);
    }
    vp_file_dir_free(urls, n);
    return st;
}

/* ---- the connectors and their inputs ------------------------------------ */

typedef vp_status (*run_fn)(const char *rel, const char *data, size_t len, golden *g, vp_error *msg);

static const struct connector {
    const char *name;
    const char *kind;        /* the source kind normalisation is told; NULL: not normalised */
    run_fn run;
    const char *dirs[4];     /* under DATA_DIR, searched recursively; NULL-terminated */
    const char *suffixes[6]; /* of the input files; NULL-terminated */
    int whole_dir;           /* the directories themselves are the inputs */
    const char *skip;        /* one input left out, or NULL */
} connectors[] = {
    {"ical", "ical", run_ical, {"realdata/ical", "ical", NULL}, {".ics", NULL}, 0},
    {"feed", "feed", run_feed, {"realdata/feeds", "feed", NULL}, {".xml", NULL}, 0},
    {"jsonld", "jsonld", run_jsonld, {"realdata/jsonld", "jsonld", NULL}, {".txt", ".html", ".xml", NULL}, 0},
    {"oai", "oai-pmh", run_oai, {"realdata/oai-pmh", "oai", NULL}, {".xml", NULL}, 0},
    {"onix", "onix", run_onix, {"realdata/onix", "onix", NULL}, {".xml", NULL}, 0},
    {"marc", "marc", run_marc, {"realdata/marc", "marc", NULL}, {".dat", ".mrc", ".marc", ".xml", NULL}, 0},
    /* books.csv has 10,000 rows (test_csv reads it whole): its own sample of
     * the first 99 stands for it here */
    {"csv", "csv", run_csv, {"realdata/ratings", "csv", NULL}, {".csv", NULL}, 0,
     "realdata/ratings/goodbooks-10k/books.csv"},
    {"filedir", "onix", run_filedir, {"realdata/onix/jonix", NULL}, {NULL}, 1},
    {"web", NULL, run_web, {"realdata/jsonld", "jsonld", NULL}, {".txt", ".html", NULL}, 0},
};

static int has_suffix(const char *name, const char *const *suffixes)
{
    size_t n = strlen(name);
    for (; *suffixes; suffixes++) {
        size_t k = strlen(*suffixes);
        if (n > k && !strcmp(name + n - k, *suffixes))
            return 1;
    }
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(json_string_value(*(json_t *const *)a), json_string_value(*(json_t *const *)b));
}

/* Appends the files under DATA_DIR/rel with one of the suffixes, as paths
 * relative to DATA_DIR. */
static void find_inputs(const char *rel, const char *const *suffixes, const char *skip, json_t *out)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", datadir, rel);
    DIR *d = opendir(path);
    if (!d) {
        fprintf(stderr, "%s: cannot read the directory\n", path);
        CHECK(0);
        return;
    }
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        char sub[1000], full[2048];
        snprintf(sub, sizeof sub, "%s/%s", rel, de->d_name);
        snprintf(full, sizeof full, "%s/%s", datadir, sub);
        struct stat stbuf;
        if (stat(full, &stbuf) != 0)
            continue;
        if (S_ISDIR(stbuf.st_mode))
            find_inputs(sub, suffixes, skip, out);
        else if (has_suffix(de->d_name, suffixes) && !(skip && !strcmp(sub, skip)))
            json_array_append_new(out, json_string(sub));
    }
    closedir(d);
}

/* "realdata/ical/ical.js/daily_recur.ics" -> "ical.js-daily_recur.ics",
 * "ical/cr_only.ics" -> "fixture-cr_only.ics": the golden file's name. */
static void golden_name(const struct connector *c, const char *rel, char *out, size_t cap)
{
    const char *p = rel;
    if (!strncmp(p, "realdata/", 9)) {
        p = strchr(p + 9, '/');
        p = p ? p + 1 : rel + 9;
        snprintf(out, cap, "%s", p);
    } else {
        p = strchr(p, '/');
        snprintf(out, cap, "fixture-%s", p ? p + 1 : rel);
    }
    for (char *s = out; *s; s++)
        if (*s == '/')
            *s = '-';
    (void)c;
}

static void run_connector(const struct connector *c)
{
    json_t *inputs = json_array();
    for (size_t i = 0; c->dirs[i]; i++) {
        if (c->whole_dir)
            json_array_append_new(inputs, json_string(c->dirs[i]));
        else
            find_inputs(c->dirs[i], c->suffixes, c->skip, inputs);
    }
    /* in name order, whatever order the directories list them in */
    size_t n = json_array_size(inputs);
    json_t **v = calloc(n ? n : 1, sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = json_array_get(inputs, i);
    qsort(v, n, sizeof *v, by_name);

    vp_source src;
    memset(&src, 0, sizeof src);
    char source_name[64];
    snprintf(source_name, sizeof source_name, "%s-test", c->name);
    src.name = source_name;
    src.kind = (char *)c->kind;

    json_t *expected_names = json_object();
    for (size_t i = 0; i < n; i++) {
        const char *rel = json_string_value(v[i]);
        size_t len = 0;
        char *data = c->whole_dir ? strdup("") : slurp(datadir, rel, &len);
        golden g;
        memset(&g, 0, sizeof g);
        vp_error err = VP_ERROR_INIT;
        vp_status st = c->run(rel, data, len, &g, &err);
        char *msg = st != VP_OK ? vp_error_text(&err) : NULL;
        vp_error_clear(&err);
        add_status(&g, st, msg);
        if (c->kind)
            golden_normalise(&g, norm, &src);
        char name[1024], path[4096];
        golden_name(c, rel, name, sizeof name);
        snprintf(path, sizeof path, "%s/%s/%s.jsonl", goldendir, c->name, name);
        json_object_set_new(expected_names, name, json_true());
        int diffs = golden_compare(&g, path);
        if (diffs)
            fprintf(stderr, "%s: %d difference(s) from %s\n", rel, diffs, path);
        CHECK(diffs == 0);
        golden_free(&g);
        free(msg);
        free(data);
    }
    free(v);
    json_decref(inputs);

    /* a golden file whose input is gone is an error too */
    char dir[2048];
    snprintf(dir, sizeof dir, "%s/%s", goldendir, c->name);
    DIR *d = opendir(dir);
    CHECK(d != NULL);
    struct dirent *de;
    while (d && (de = readdir(d))) {
        size_t k = strlen(de->d_name);
        if (de->d_name[0] == '.' || k < 7 || strcmp(de->d_name + k - 6, ".jsonl"))
            continue;
        char base[1024];
        snprintf(base, sizeof base, "%.*s", (int)(k - 6), de->d_name);
        if (!json_object_get(expected_names, base)) {
            fprintf(stderr, "%s/%s: no input gives this golden file (remove it)\n", dir, de->d_name);
            CHECK(0);
        }
    }
    if (d)
        closedir(d);
    json_decref(expected_names);
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: %s CONNECTOR DATA_DIR GOLDEN_DIR PROPOSITIONS.tsv NETWORK.json\n", argv[0]);
        return 2;
    }
    datadir = argv[2];
    goldendir = argv[3];
    golden_norm gn;
    if (golden_norm_open(&gn, argv[4], argv[5]) != 0)
        return 2;
    norm = gn.n;
    const struct connector *c = NULL;
    for (size_t i = 0; i < sizeof connectors / sizeof *connectors; i++)
        if (!strcmp(connectors[i].name, argv[1]))
            c = &connectors[i];
    if (!c) {
        fprintf(stderr, "%s: no such connector\n", argv[1]);
        return 2;
    }
    if (getenv("VP_UPDATE_GOLDEN") && !strcmp(getenv("VP_UPDATE_GOLDEN"), "1")) {
        char dir[2048];
        snprintf(dir, sizeof dir, "%s/%s", goldendir, c->name);
        mkdir(dir, 0777);
    }
    run_connector(c);
    golden_norm_close(&gn);
    return check_done();
}
