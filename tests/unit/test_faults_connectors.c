/* test_faults_connectors.c - every connector's parser, on a real input
 * file, with allocation N failing for N = 0, 1, ... (tests/support/faults.h).
 *
 * Allocation N alone fails, and then N and every one after it. A run whose allocation failed
 * must never crash or (under ASan) leak, and must either fail (the
 * harvest then keeps what the source had) or account for every record of
 * the clean run: emitted, or rejected. A record that silently went
 * missing would make the harvest delete its offering (a file-like source
 * removes what it no longer lists). The run without a failure must give
 * what the parser gives without the fault harness.
 *
 * Usage: test_faults_connectors REALDATA_DIR TESTDATA_DIR */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "vindplaats/csv.h"
#include "faults.h"
#include "vindplaats/feed.h"
#include "vindplaats/ical.h"
#include "vindplaats/jsonld.h"
#include "vindplaats/marc.h"
#include "vindplaats/oai.h"
#include "vindplaats/connector.h"

typedef struct parse_case {
    const char *name;
    const char *path;       /* under REALDATA_DIR or TESTDATA_DIR */
    int realdata;
    char *data;
    size_t len;
    size_t records, deleted, rejects;  /* this run's */
    size_t clean_records, clean_deleted, clean_rejects;
    int silent;             /* failed without saying why */
} parse_case;

static int on_record(void *ctx, const char *local_id, json_t *fields, const char *where)
{
    parse_case *c = ctx;
    if (!local_id || !*local_id || !json_is_object(fields) || !where)
        abort(); /* the emit contract holds under faults too */
    json_decref(fields);
    c->records++;
    return 0;
}

static int on_deleted(void *ctx, const char *local_id, const char *where)
{
    parse_case *c = ctx;
    if (!local_id || !*local_id || !where)
        abort();
    c->deleted++;
    return 0;
}

static void on_reject(void *ctx, const char *where, const char *message)
{
    parse_case *c = ctx;
    if (!where || !message)
        abort();
    c->rejects++;
}

static vp_status parse_oai(parse_case *c, const vp_emit *e, vp_error *err)
{
    vp_oai_page page;
    memset(&page, 0, sizeof page);
    vp_status st = vp_oai_parse_page(c->data, c->len, e, &page, err);
    vp_oai_page_clear(&page);
    return st;
}

static vp_status parse_identify(parse_case *c, const vp_emit *e, vp_error *err)
{
    (void)e;
    vp_oai_identify id;
    vp_status st = vp_oai_parse_identify(c->data, c->len, &id, err);
    if (st == VP_OK)
        vp_oai_identify_clear(&id);
    return st;
}

static vp_status parse_marc(parse_case *c, const vp_emit *e, vp_error *err)
{
    return vp_marcxml_parse(c->data, c->len, e, err);
}

static vp_status parse_ical(parse_case *c, const vp_emit *e, vp_error *err)
{
    /* 2012 to 2027: the captured calendars' own time */
    vp_ical_options o = {0};
    o.window_start = 1325376000LL;
    o.window_end = o.window_start + 15 * 365LL * 86400;
    return vp_ical_parse(c->data, c->len, &o, e, err);
}

static vp_status parse_jsonld(parse_case *c, const vp_emit *e, vp_error *err)
{
    return vp_jsonld_parse(c->data, c->len, "https://bibliotheek.example.nl/agenda", e, err);
}

static int on_url(void *ctx, const char *url, int is_index)
{
    parse_case *c = ctx;
    (void)is_index;
    if (!url || !*url)
        abort();
    c->records++;
    return 0;
}

static vp_status parse_sitemap(parse_case *c, const vp_emit *e, vp_error *err)
{
    (void)e;
    return vp_sitemap_parse(c->data, c->len, on_url, c, err);
}

static vp_status parse_feed(parse_case *c, const vp_emit *e, vp_error *err)
{
    return vp_feed_parse(c->data, c->len, "https://bibliotheek.example.nl/feed.xml", e, err);
}

/* The options as a config gives them: read with vp_csv_options_from,
 * under the faults too. */
static vp_status parse_csv(parse_case *c, const vp_emit *e, vp_error *err)
{
    static const char *const keys[] = {"delimiter", "encoding", "id", "date_format", "column.title",
                                       "column.description", "column.date", "column.time",
                                       "column.end_time", "column._location", "column.price",
                                       "column._age", "column.creators", "column._categories"};
    static const char *const values[] = {"semicolon", "windows-1252", "Code", "auto", "Titel",
                                         "Omschrijving", "Datum", "Begintijd", "Eindtijd", "Locatie",
                                         "Prijs", "Leeftijd", "Docenten", "Categorie"};
    vp_csv_options o;
    memset(&o, 0, sizeof o);
    vp_status st = vp_csv_options_from(&o, keys, values, sizeof keys / sizeof keys[0], err);
    if (st == VP_OK)
        st = vp_csv_parse(c->data, c->len, &o, e, err);
    vp_csv_options_clear(&o);
    return st;
}

typedef struct connector_case {
    parse_case c;
    vp_status (*parse)(parse_case *, const vp_emit *, vp_error *);
} connector_case;

static vp_status run_case(void *ctx)
{
    connector_case *k = ctx;
    parse_case *c = &k->c;
    c->records = c->deleted = c->rejects = 0;
    vp_emit e = {c, on_record, on_deleted, on_reject};
    vp_error err = VP_ERROR_INIT;
    vp_status st = k->parse(c, &e, &err);
    /* A failure says why (out of memory may not manage to). */
    c->silent = st != VP_OK && (err.status != st || !err.message) && st != VP_ERR_NOMEM;
    vp_error_clear(&err);
    return st;
}

static int judge(const char *name, long n, int failed, vp_status st, void *ctx)
{
    parse_case *c = &((connector_case *)ctx)->c;
    if (!failed) {
        int same = st == VP_OK && !c->silent && c->records == c->clean_records &&
                   c->deleted == c->clean_deleted && c->rejects == c->clean_rejects;
        if (!same)
            fprintf(stderr, "%s: the run without a fault gave %s, %zu records, %zu deleted, %zu rejected "
                            "(clean: %zu, %zu, %zu)\n", name, vp_status_str(st), c->records, c->deleted,
                    c->rejects, c->clean_records, c->clean_deleted, c->clean_rejects);
        return same;
    }
    /* A failure (its message may not have found memory): the harvest
     * keeps everything the source had. */
    if (st != VP_OK)
        return 1;
    /* Went on: nothing may have gone missing without a word (a record that
     * could not be made is rejected, and the harvest keeps what it had of
     * it); a deletion is never lost, since the next harvest does not ask
     * for it again. */
    int fine = c->records + c->rejects >= c->clean_records + c->clean_rejects &&
               c->deleted == c->clean_deleted;
    if (!fine)
        fprintf(stderr, "%s: allocation %ld failed: %s with %zu records, %zu deleted, %zu rejected "
                        "(clean: %zu, %zu, %zu)\n", name, n, vp_status_str(st), c->records, c->deleted,
                c->rejects, c->clean_records, c->clean_deleted, c->clean_rejects);
    return fine;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *data = malloc((size_t)n + 1);
    if (data && fread(data, 1, (size_t)n, f) != (size_t)n) {
        free(data);
        data = NULL;
    }
    fclose(f);
    if (data) {
        data[n] = '\0';
        *len = (size_t)n;
    }
    return data;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: test_faults_connectors REALDATA_DIR TESTDATA_DIR\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IONBF, 0);
    connector_case cases[] = {
        {{"oai_parse_page(sickle ListRecords)", "oai-pmh/sickle/ListRecords.xml", 1}, parse_oai},
        {{"oai_parse_page(tudelft, deleted)", "oai-pmh/meresco-harvester-tudelft/00003.xml", 1}, parse_oai},
        {{"oai_parse_identify(sickle)", "oai-pmh/sickle/Identify.xml", 1}, parse_identify},
        {{"marcxml_parse(pymarc utf8)", "marc/pymarc/utf8.xml", 1}, parse_marc},
        {{"marcxml_parse(yaz marc1)", "marc/yaz/marc1.xml", 1}, parse_marc},
        {{"ical_parse(ical.js daily_recur)", "ical/ical.js/daily_recur.ics", 1}, parse_ical},
        {{"ical_parse(ical.js recur_instances_finite)", "ical/ical.js/recur_instances_finite.ics", 1}, parse_ical},
        {{"ical_parse(ical.js google_birthday)", "ical/ical.js/google_birthday.ics", 1}, parse_ical},
        {{"ical_parse(bibliotheek_agenda)", "ical/bibliotheek_agenda.ics", 0}, parse_ical},
        {{"jsonld_parse(agenda.html)", "jsonld/agenda.html", 0}, parse_jsonld},
        {{"sitemap_parse(sitemap.xml)", "jsonld/sitemap.xml", 0}, parse_sitemap},
        {{"feed_parse(agenda-rss)", "feed/agenda-rss.xml", 0}, parse_feed},
        {{"feed_parse(agenda-atom)", "feed/agenda-atom.xml", 0}, parse_feed},
        {{"csv_parse(cursussen-1252)", "csv/cursussen-1252.csv", 0}, parse_csv},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        connector_case *k = &cases[i];
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", k->c.realdata ? argv[1] : argv[2], k->c.path);
        k->c.data = slurp(path, &k->c.len);
        CHECK(k->c.data != NULL);
        if (!k->c.data) {
            fprintf(stderr, "%s: cannot read\n", path);
            continue;
        }
        /* The clean run: what every faulty one is held to. */
        vp_status st = run_case(k);
        CHECK(st == VP_OK);
        CHECK(k->c.records + k->c.deleted > 0 || k->parse == parse_identify);
        k->c.clean_records = k->c.records;
        k->c.clean_deleted = k->c.deleted;
        k->c.clean_rejects = k->c.rejects;
        for (fault_once = 0; fault_once < 2; fault_once++) {
            char name[200];
            snprintf(name, sizeof name, "%s, %s", k->c.name, fault_once ? "one failure" : "failures from N on");
            fault_sweep(name, run_case, k, judge);
        }
        free(k->c.data);
    }
    return check_done();
}
