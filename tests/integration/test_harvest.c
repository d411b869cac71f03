/* test_harvest.c - the harvester end to end: the real vindplaats-indexer
 * against platforms served on loopback by vp-fixture-server.
 *
 *   - a network of five sources, one per connector, harvested in full;
 *   - killed with SIGKILL at random moments (at least 20 times) and run
 *     again until it finishes: the index then holds exactly what an
 *     uninterrupted run wrote, no duplicates, none lost;
 *   - incremental: an unchanged file costs a 304, the OAI-PMH source asks
 *     `from` the last harvest and gets only what changed (added, deleted);
 *   - a failing source keeps its documents and never stops the others;
 *     `sources` shows its error;
 *   - 503 with Retry-After waited out, or refused when too long; a repeated
 *     resumption token is an error, a bad one restarts the list;
 *   - a snapshot that shrinks to under half keeps its offerings and
 *     reports the error, unless allow_shrink or --full says it is real;
 *     a page of a URL list that fails keeps its offerings;
 *   - a second indexer is refused while one writes;
 *   - ad-hoc harvests of two URLs into one index keep each other's
 *     offerings (each named after its URL);
 *   - a platform that never answers costs a source its deadline, retries
 *     included; sitemap pages are fetched several at once;
 *   - a redirect to a loopback address the source does not allow is
 *     refused before any connection is made to it;
 *   - the captured real files through the real connectors: every one is
 *     harvested or reported, none crashes the indexer.
 *
 * Usage: test_harvest BUILD_DIR SOURCE_DIR */
#define _DEFAULT_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <jansson.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "proc.h"
#include "vindplaats/index.h"

static const char *build, *srcdir;
static char tmp[4096], indexer[4200], words[4200];
static unsigned port;
static pid_t server;

#define NOW "2026-11-30T09:00:00+01:00"

static void path_in_tmp(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", tmp, name);
}

/* Runs the indexer with the arguments given (NULL-terminated), output
 * captured. Returns the exit status. */
static int indexer_run(char **output, ...)
{
    char *argv[64];
    int n = 0;
    argv[n++] = indexer;
    va_list ap;
    va_start(ap, output);
    const char *a;
    while ((a = va_arg(ap, const char *)) != NULL && n < 60)
        argv[n++] = (char *)a;
    va_end(ap);
    argv[n] = NULL;
    return proc_run(argv, output);
}

static void admin(const char *query)
{
    char path[512];
    snprintf(path, sizeof path, "/oai/admin?%s", query);
    http_reply r;
    CHECK(http_request(port, "GET", path, &r) == 0 && r.status == 200);
    http_reply_free(&r);
}

/* Every offering of the index, one "id\tjson" line each, sorted. */
static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static const char *const source_names[] = {"ebooks", "agenda", "nieuws", "activiteiten", "cursussen", NULL};

static char *dump(const char *index_dir, size_t *count)
{
    vp_index *idx = NULL;
    *count = 0;
    vp_error e = VP_ERROR_INIT;
    vp_status ost = vp_index_open(index_dir, VP_INDEX_READ, NULL, &idx, &e);
    if (ost != VP_OK) {
        vp_error_print(stderr, "dump", &e);
        vp_error_clear(&e);
        return strdup("");
    }
    char **lines = NULL;
    size_t n = 0;
    for (size_t s = 0; source_names[s]; s++) {
        char **ids = NULL;
        size_t k = 0;
        if (vp_index_source_ids(idx, source_names[s], &ids, &k, NULL) != VP_OK)
            continue;
        lines = realloc(lines, (n + k + 1) * sizeof *lines);
        for (size_t i = 0; i < k; i++) {
            char *json = NULL;
            vp_index_get(idx, ids[i], &json, NULL);
            size_t len = strlen(ids[i]) + (json ? strlen(json) : 0) + 3;
            lines[n] = malloc(len);
            snprintf(lines[n], len, "%s\t%s\n", ids[i], json ? json : "");
            n++;
            free(json);
            free(ids[i]);
        }
        free(ids);
    }
    uint64_t docs = 0;
    vp_index_stats(idx, NULL, &docs, NULL);
    vp_index_close(idx);
    qsort(lines, n, sizeof *lines, cmp_str);
    size_t total = 1;
    for (size_t i = 0; i < n; i++)
        total += strlen(lines[i]);
    char *out = malloc(total);
    out[0] = '\0';
    char *w = out;
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(lines[i]);
        memcpy(w, lines[i], l + 1);
        w += l;
        free(lines[i]);
    }
    free(lines);
    /* Every document belongs to one of the sources: none counted twice. */
    CHECK(docs == n);
    *count = n;
    return out;
}

static json_t *summary_of(const char *output)
{
    const char *brace = output ? strstr(output, "{\n  \"sources\"") : NULL;
    json_t *j = brace ? json_loads(brace, JSON_DISABLE_EOF_CHECK, NULL) : NULL;
    if (!j)
        fprintf(stderr, "no JSON summary in:\n%s\n", output ? output : "(none)");
    return j;
}

static json_t *source_stats(json_t *summary, const char *name)
{
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(summary, "sources"), i, s) {
        if (!strcmp(json_string_value(json_object_get(s, "source")), name))
            return s;
    }
    return NULL;
}

static json_int_t stat_of(json_t *summary, const char *name, const char *key)
{
    return json_integer_value(json_object_get(source_stats(summary, name), key));
}

/* The sample network's platforms (data/sample/platforms), one source per
 * connector, with the synthetic repository for OAI-PMH and the course
 * export read through file:// (which the config allows for it). The
 * platforms are on loopback, which each source has to allow. */
static void write_config(const char *path)
{
    FILE *f = fopen(path, "w");
    fprintf(f,
            "; the harvest test's network: one source per connector\n"
            "[network]\nfile = %s/data/sample/network.json\n\n"
            "[source ebooks]\nkind = oai-pmh\nurl = http://127.0.0.1:%u/oai\nallow_private = 127.0.0.1/32\n"
            "library = de-online-bibliotheek\n\n"
            "[source agenda]\nkind = ical\n"
            "url = http://127.0.0.1:%u/files/data/sample/platforms/agenda-eemland.ics\nallow_private = 127.0.0.1/32\n"
            "library = bibliotheek-eemland\noption.window_days = 365\n\n"
            "[source nieuws]\nkind = feed\n"
            "url = http://127.0.0.1:%u/files/data/sample/platforms/agenda-zwolle.xml\nallow_private = 127.0.0.1/32\n"
            "library = bibliotheek-zwolle\n\n"
            "[source activiteiten]\nkind = jsonld\n"
            "url = http://127.0.0.1:%u/files/data/sample/platforms/activiteiten-groningen.html\nallow_private = 127.0.0.1/32\n"
            "library = bibliotheek-groningen\n\n"
            "[source cursussen]\nkind = csv\n"
            "url = file://%s/data/sample/platforms/cursussen-utrecht.csv\nallow_file = yes\n"
            "library = bibliotheek-utrecht\ntype = course\noption.delimiter = semicolon\n"
            "option.encoding = windows-1252\noption.id = Nummer\noption.date_format = dd-mm-yyyy\n"
            "option.column.title = Titel\noption.column.description = Omschrijving\n"
            "option.column.date = Datum\noption.column.time = Begin\noption.column.end_time = Einde\n"
            "option.column._location = Locatie\noption.column.price = Prijs\n"
            "option.column.local_name = Soort\noption.column._age = Doelgroep\n",
            srcdir, port, port, port, port, srcdir);
    fclose(f);
}

static int count_lines(const char *path)
{
    FILE *f = fopen(path, "r");
    int n = 0, c;
    while (f && (c = fgetc(f)) != EOF)
        n += c == '\n';
    if (f)
        fclose(f);
    return n;
}

static char config[4200], config_broken[4200];

static int harvest(const char *index_dir, char **out, const char *extra1, const char *extra2)
{
    return indexer_run(out, "harvest", "--config", config, "--index", index_dir, "--words", words,
                       "--now", NOW, "--json", "--retries", "1", extra1, extra2, NULL);
}

static void test_full_and_kills(void)
{
    char a_dir[4200], b_dir[4200];
    path_in_tmp(a_dir, sizeof a_dir, "index-a");
    path_in_tmp(b_dir, sizeof b_dir, "index-b");
    char *out = NULL;
    int rc = harvest(a_dir, &out, NULL, NULL);
    CHECK(rc == 0);
    json_t *sum = summary_of(out);
    if (rc != 0)
        fprintf(stderr, "%s\n", out ? out : "");
    free(out);
    /* 3000 records, every 97th deleted: 3000 - 30 */
    CHECK(stat_of(sum, "ebooks", "added") == 2970);
    CHECK(stat_of(sum, "ebooks", "rejected") == 0);
    CHECK(stat_of(sum, "agenda", "added") == 5);
    CHECK(stat_of(sum, "nieuws", "added") == 4);
    CHECK(stat_of(sum, "activiteiten", "added") == 3);
    CHECK(stat_of(sum, "cursussen", "added") == 4);
    json_decref(sum);
    size_t n_a = 0;
    char *a = dump(a_dir, &n_a);
    CHECK(n_a == 2970 + 5 + 4 + 3 + 4);
    /* What normalisation made of them. */
    CHECK_CONTAINS(a, "\"proposition\":\"digitaal-spreekuur\"");
    CHECK_CONTAINS(a, "\"local_name\":\"Tablet- en smartphonespreekuur\"");
    CHECK_CONTAINS(a, "\"local_name\":\"Digicaf\xc3\xa9\"");
    CHECK_CONTAINS(a, "\"branch\":\"eemland-vathorst\"");
    CHECK_CONTAINS(a, "\"work_key\":\"isbn:9789070000011\"");
    CHECK_CONTAINS(a, "\"groups\":[\"peuter\",\"kleuter\"]");

    /* Kill it at random moments; each run goes on from the last
     * checkpoint. */
    srand((unsigned)time(NULL) ^ (unsigned)getpid());
    int kills = 0, runs = 0;
    for (; kills < 24 && runs < 200; runs++) {
        char *argv[] = {indexer, "harvest", "--config", config, "--index", b_dir, "--words", words,
                        "--now", NOW, "--json", NULL};
        char log[4200];
        path_in_tmp(log, sizeof log, "kill.log");
        pid_t pid = proc_start(argv, log);
        /* Early moments are the interesting ones: skew towards them. */
        long ms = (long)(rand() % 1000);
        ms = ms * ms / 1000;
        struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
        int status = 0;
        if (waitpid(pid, &status, WNOHANG) == 0) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            kills++;
        } else {
            /* It finished before the kill: start over from an empty index
             * so the next kills land in the middle again. */
            char *rm[] = {"/bin/rm", "-rf", b_dir, NULL};
            proc_run(rm, NULL);
        }
    }
    printf("harvest killed %d times in %d runs\n", kills, runs);
    CHECK(kills >= 20);
    out = NULL;
    rc = harvest(b_dir, &out, NULL, NULL);
    CHECK(rc == 0);
    free(out);
    size_t n_b = 0;
    char *b = dump(b_dir, &n_b);
    CHECK(n_b == n_a);
    CHECK(strcmp(a, b) == 0);
    if (strcmp(a, b) != 0) {
        /* Say which line differs first. */
        size_t i = 0;
        while (a[i] && a[i] == b[i])
            i++;
        fprintf(stderr, "interrupted harvest differs at byte %zu:\n  %.200s\n  %.200s\n", i,
                a + (i > 100 ? i - 100 : 0), b + (i > 100 ? i - 100 : 0));
    }
    free(a);
    free(b);
}

static void test_incremental(void)
{
    char dir[4200], logpath[4200];
    path_in_tmp(dir, sizeof dir, "index-a");
    path_in_tmp(logpath, sizeof logpath, "server.log");
    /* Nothing changed: the files answer 304, the repository has nothing
     * from the last harvest on. */
    char *out = NULL;
    CHECK(harvest(dir, &out, NULL, NULL) == 0);
    json_t *sum = summary_of(out);
    free(out);
    CHECK(json_is_true(json_object_get(source_stats(sum, "agenda"), "not_modified")));
    CHECK(json_is_true(json_object_get(source_stats(sum, "nieuws"), "not_modified")));
    CHECK(stat_of(sum, "ebooks", "records") == 0);
    CHECK(stat_of(sum, "ebooks", "total") == 2970);
    CHECK(stat_of(sum, "agenda", "total") == 5);
    json_decref(sum);
    /* The request asked from the last harvest's day. */
    FILE *f = fopen(logpath, "r");
    char line[1024];
    int asked_from = 0;
    while (f && fgets(line, sizeof line, f))
        if (strstr(line, "verb=ListRecords") && strstr(line, "from=20"))
            asked_from = 1;
    if (f)
        fclose(f);
    CHECK(asked_from);
    /* Seven new records and one deleted since. */
    admin("add=7");
    admin("delete=5");
    out = NULL;
    CHECK(harvest(dir, &out, "--source", "ebooks") == 0);
    sum = summary_of(out);
    free(out);
    CHECK(stat_of(sum, "ebooks", "added") == 7);
    CHECK(stat_of(sum, "ebooks", "deleted") == 1);
    CHECK(stat_of(sum, "ebooks", "total") == 2976);
    CHECK(source_stats(sum, "agenda") == NULL); /* --source: only that one */
    json_decref(sum);
}

static void test_failures(void)
{
    char dir[4200];
    path_in_tmp(dir, sizeof dir, "index-a");
    /* The repository breaks: its source fails, keeps its documents, and
     * the others are harvested all the same. */
    admin("broken=1");
    char *out = NULL;
    CHECK(harvest(dir, &out, "--full", NULL) == 1);
    json_t *sum = summary_of(out);
    CHECK_CONTAINS(out, "source ebooks failed");
    free(out);
    json_t *e = source_stats(sum, "ebooks");
    CHECK(json_is_string(json_object_get(e, "error")));
    CHECK_CONTAINS(json_string_value(json_object_get(e, "error")), "line 1");
    CHECK(stat_of(sum, "ebooks", "total") == 2976);
    CHECK(json_is_null(json_object_get(source_stats(sum, "agenda"), "error")));
    CHECK(stat_of(sum, "agenda", "total") == 5);
    CHECK(stat_of(sum, "cursussen", "total") == 4);
    json_decref(sum);
    out = NULL;
    CHECK(indexer_run(&out, "sources", "--config", config, "--index", dir, NULL) == 0);
    CHECK_CONTAINS(out, "ebooks");
    CHECK_CONTAINS(out, "line 1");
    free(out);
    admin("broken=0");

    /* 503 with Retry-After: waited out. */
    admin("retry_after=1&times=2");
    time_t t0 = time(NULL);
    out = NULL;
    CHECK(harvest(dir, &out, "--source", "ebooks") == 0);
    CHECK(time(NULL) - t0 >= 2);
    free(out);
    /* ... and refused when the wait asked for is too long. */
    admin("retry_after=100000&times=1");
    out = NULL;
    CHECK(harvest(dir, &out, "--source", "ebooks") == 1);
    CHECK_CONTAINS(out, "Retry-After 100000 s, longer than");
    free(out);
    /* A token that comes back is an error, not a loop. */
    admin("repeat_token=1");
    out = NULL;
    CHECK(indexer_run(&out, "harvest", "--config", config, "--index", dir, "--words", words, "--now",
                      NOW, "--json", "--full", "--source", "ebooks", NULL) == 1);
    CHECK_CONTAINS(out, "resumption token repeated");
    free(out);
    admin("repeat_token=0");
    /* A bad token restarts the list from the checkpoint, once. */
    admin("bad_token=1");
    out = NULL;
    int rc = indexer_run(&out, "harvest", "--config", config, "--index", dir, "--words", words, "--now",
                         NOW, "--json", "--full", "--source", "ebooks", NULL);
    CHECK(rc == 0);
    json_t *s2 = summary_of(out);
    CHECK(stat_of(s2, "ebooks", "total") == 2976);
    json_decref(s2);
    free(out);

    /* A config with a bad source is refused as a whole, naming the line;
     * the index is not touched. */
    write_config(config_broken);
    int line = count_lines(config_broken) + 1;
    FILE *f = fopen(config_broken, "a");
    fprintf(f, "[source kapot]\nkind = ftp\nurl = ftp://127.0.0.1/x\n");
    fclose(f);
    out = NULL;
    CHECK(indexer_run(&out, "harvest", "--config", config_broken, "--index", dir, NULL) == 2);
    CHECK_CONTAINS(out, "kind \"ftp\" unknown");
    char where[64];
    snprintf(where, sizeof where, ":%d: [source kapot]", line);
    CHECK_CONTAINS(out, where);
    free(out);
}

/* Writes `text` to the file at `path`. */
static void put_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

static char *offering_json(const char *index_dir, const char *id)
{
    vp_index *idx = NULL;
    char *json = NULL;
    if (vp_index_open(index_dir, VP_INDEX_READ, NULL, &idx, NULL) == VP_OK)
        vp_index_get(idx, id, &json, NULL);
    vp_index_close(idx);
    return json;
}

/* A file source whose row goes bad keeps that row's last good version; a
 * row the file no longer has is removed. */
static void test_bad_row_keeps_old(void)
{
    char dir[4200], csv[4200], url[4300];
    path_in_tmp(dir, sizeof dir, "index-rows");
    path_in_tmp(csv, sizeof csv, "rows.csv");
    snprintf(url, sizeof url, "file://%s", csv);
    const char *cmd[] = {"harvest", "--kind", "csv", "--url", url, "--name", "rijen", "--allow-file",
                         "--option", "delimiter=semicolon", "--option", "id=Nr", "--option",
                         "column.title=Titel", "--index", dir, "--words", words, "--json", NULL};
    char *argv[32];
    argv[0] = indexer;
    for (int i = 0; cmd[i]; i++) {
        argv[i + 1] = (char *)cmd[i];
        argv[i + 2] = NULL;
    }
    char *out = NULL;
    put_file(csv, "Nr;Titel\nA;Leesclub\nB;Taalcafé\n");
    CHECK(proc_run(argv, &out) == 0);
    free(out);
    put_file(csv, "Nr;Titel\nA;Leesclub voor volwassenen\nB;\n");
    out = NULL;
    CHECK(proc_run(argv, &out) == 0);
    json_t *s = summary_of(out);
    CHECK(stat_of(s, "rijen", "rejected") == 1);
    CHECK(stat_of(s, "rijen", "updated") == 1);
    CHECK(stat_of(s, "rijen", "deleted") == 0);
    CHECK_CONTAINS(out, "title");
    json_decref(s);
    free(out);
    char *a = offering_json(dir, "rijen:A"), *b = offering_json(dir, "rijen:B");
    CHECK_CONTAINS(a, "Leesclub voor volwassenen");
    CHECK_CONTAINS(b, "Taalcaf\xc3\xa9");
    free(a);
    free(b);
    put_file(csv, "Nr;Titel\nA;Leesclub voor volwassenen\n");
    out = NULL;
    CHECK(proc_run(argv, &out) == 0);
    s = summary_of(out);
    CHECK(stat_of(s, "rijen", "deleted") == 1);
    CHECK(stat_of(s, "rijen", "total") == 1);
    json_decref(s);
    free(out);
    b = offering_json(dir, "rijen:B");
    CHECK(b == NULL);
    free(b);
}

/* A config with one CSV source read through file://, with `extra` lines. */
static void write_csv_config(const char *path, const char *csv, const char *extra)
{
    FILE *f = fopen(path, "w");
    fprintf(f,
            "[source krimp]\nkind = csv\nurl = file://%s\nallow_file = yes\n"
            "option.delimiter = semicolon\noption.id = Nr\noption.column.title = Titel\n%s",
            csv, extra);
    fclose(f);
}

static uint64_t source_total(const char *index_dir, const char *source)
{
    vp_index *idx = NULL;
    uint64_t n = 0;
    if (vp_index_open(index_dir, VP_INDEX_READ, NULL, &idx, NULL) == VP_OK)
        vp_index_source_count(idx, source, &n, NULL);
    vp_index_close(idx);
    return n;
}

/* A snapshot source that suddenly sends nothing, or under half of what it
 * had, keeps its offerings and reports the error (in `sources` too);
 * allow_shrink or --full lets the shrink through. */
static void test_shrunk_feed(void)
{
    char dir[4200], csv[4200], cfg[4200], cfg_ok[4200];
    path_in_tmp(dir, sizeof dir, "index-shrink");
    path_in_tmp(csv, sizeof csv, "shrink.csv");
    path_in_tmp(cfg, sizeof cfg, "shrink.ini");
    path_in_tmp(cfg_ok, sizeof cfg_ok, "shrink-allowed.ini");
    write_csv_config(cfg, csv, "");
    write_csv_config(cfg_ok, csv, "allow_shrink = yes\n");
    put_file(csv, "Nr;Titel\n1;Leesclub\n2;Taalcaf\xc3\xa9\n3;Voorlezen\n4;Digicaf\xc3\xa9\n5;Schrijfcursus\n");
    char *out = NULL;
    CHECK(indexer_run(&out, "harvest", "--config", cfg, "--index", dir, "--words", words, "--json", NULL) == 0);
    free(out);
    CHECK(source_total(dir, "krimp") == 5);
    /* Two of five: refused, all five stay. */
    put_file(csv, "Nr;Titel\n1;Leesclub\n2;Taalcaf\xc3\xa9\n");
    out = NULL;
    CHECK(indexer_run(&out, "harvest", "--config", cfg, "--index", dir, "--words", words, "--json", NULL) == 1);
    CHECK_CONTAINS(out, "sent 2 records where the index has 5 of this source");
    json_t *s = summary_of(out);
    CHECK(stat_of(s, "krimp", "deleted") == 0);
    CHECK(stat_of(s, "krimp", "total") == 5);
    json_decref(s);
    free(out);
    CHECK(source_total(dir, "krimp") == 5);
    out = NULL;
    CHECK(indexer_run(&out, "sources", "--config", cfg, "--index", dir, NULL) == 0);
    CHECK_CONTAINS(out, "sent 2 records where the index has 5");
    free(out);
    /* Nothing at all: the same. */
    put_file(csv, "Nr;Titel\n");
    out = NULL;
    CHECK(indexer_run(&out, "harvest", "--config", cfg, "--index", dir, "--words", words, "--json", NULL) == 1);
    CHECK_CONTAINS(out, "sent 0 records where the index has 5");
    free(out);
    CHECK(source_total(dir, "krimp") == 5);
    /* Three of five is a change like any other. */
    put_file(csv, "Nr;Titel\n1;Leesclub\n2;Taalcaf\xc3\xa9\n3;Voorlezen\n");
    out = NULL;
    CHECK(indexer_run(&out, "harvest", "--config", cfg, "--index", dir, "--words", words, "--json", NULL) == 0);
    free(out);
    CHECK(source_total(dir, "krimp") == 3);
    /* allow_shrink: the one left is all there is. */
    put_file(csv, "Nr;Titel\n1;Leesclub\n");
    out = NULL;
    CHECK(indexer_run(&out, "harvest", "--config", cfg_ok, "--index", dir, "--words", words, "--json", NULL) == 0);
    s = summary_of(out);
    CHECK(stat_of(s, "krimp", "deleted") == 2);
    json_decref(s);
    free(out);
    CHECK(source_total(dir, "krimp") == 1);
    out = NULL;
    CHECK(indexer_run(&out, "sources", "--config", cfg, "--index", dir, NULL) == 0);
    CHECK(out && !strstr(out, "where the index has"));
    free(out);
    /* --full: an empty export empties the source. */
    put_file(csv, "Nr;Titel\n");
    out = NULL;
    CHECK(indexer_run(&out, "harvest", "--config", cfg, "--index", dir, "--words", words, "--json", NULL) == 1);
    free(out);
    CHECK(source_total(dir, "krimp") == 1);
    out = NULL;
    CHECK(indexer_run(&out, "harvest", "--config", cfg, "--index", dir, "--words", words, "--json",
                      "--full", NULL) == 0);
    free(out);
    CHECK(source_total(dir, "krimp") == 0);
}

/* A page of a URL list that cannot be fetched keeps its offerings: the
 * source removes nothing until every page has been read. */
static void test_failed_page_keeps_offerings(void)
{
    char dir[4200], list[4200], url[4300];
    path_in_tmp(dir, sizeof dir, "index-pages");
    path_in_tmp(list, sizeof list, "pages.txt");
    snprintf(url, sizeof url, "file://%s", list);
    FILE *f = fopen(list, "w");
    fprintf(f, "http://127.0.0.1:%u/files/data/sample/platforms/activiteiten-groningen.html\n"
               "http://127.0.0.1:%u/unavailable/pagina-1?times=0&then=tests/data/jsonld/agenda.html\n",
            port, port);
    fclose(f);
    char *argv[] = {indexer, "harvest", "--kind", "jsonld", "--url", url, "--name", "lijst", "--allow-file",
                    "--option", "urls=yes", "--allow-private=127.0.0.1/32", "--index", dir, "--words", words,
                    "--now", NOW, "--json", "--retries", "0", NULL};
    char *out = NULL;
    CHECK(proc_run(argv, &out) == 0);
    free(out);
    CHECK(source_total(dir, "lijst") == 6);
    /* The second page now fails (503): its three offerings stay. */
    f = fopen(list, "w");
    fprintf(f, "http://127.0.0.1:%u/files/data/sample/platforms/activiteiten-groningen.html\n"
               "http://127.0.0.1:%u/unavailable/pagina-2?times=100&then=tests/data/jsonld/agenda.html\n",
            port, port);
    fclose(f);
    out = NULL;
    CHECK(proc_run(argv, &out) == 0);
    CHECK_CONTAINS(out, "1 page could not be read: no offering of this source is removed this time");
    json_t *s = summary_of(out);
    CHECK(stat_of(s, "lijst", "deleted") == 0);
    json_decref(s);
    free(out);
    CHECK(source_total(dir, "lijst") == 6);
}

static void test_second_indexer(void)
{
    char dir[4200], log[4200];
    path_in_tmp(dir, sizeof dir, "index-c");
    path_in_tmp(log, sizeof log, "first.log");
    char *argv[] = {indexer, "harvest", "--config", config, "--index", dir, "--words", words,
                    "--now", NOW, NULL};
    pid_t first = proc_start(argv, log);
    /* Wait until it holds the lock (its index exists), then try another. */
    char lockfile[4300];
    snprintf(lockfile, sizeof lockfile, "%s/flintlock", dir);
    for (int i = 0; i < 100; i++) {
        struct stat st;
        if (stat(lockfile, &st) == 0)
            break;
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    char *out = NULL;
    int rc = harvest(dir, &out, NULL, NULL);
    int status = 0;
    if (waitpid(first, &status, WNOHANG) == 0) {
        /* The first one was still writing: the second said so. */
        CHECK(rc == 1);
        CHECK_CONTAINS(out, "another indexer is writing this index");
        kill(first, SIGKILL);
        waitpid(first, &status, 0);
    } else {
        fprintf(stderr, "the first indexer finished too soon to test the lock\n");
    }
    free(out);
}

/* A listening socket on ADDR:0 nobody answers on; its port in *port. */
static int listener_on(const char *addr, unsigned *port_out)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    inet_pton(AF_INET, addr, &sa.sin_addr);
    socklen_t len = sizeof sa;
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 16) != 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
        perror(addr);
        if (fd >= 0)
            close(fd);
        return -1;
    }
    fcntl(fd, F_SETFL, O_NONBLOCK);
    *port_out = ntohs(sa.sin_port);
    return fd;
}

/* How many connections reached the listener (the kernel queues them
 * whether or not anyone accepts, so none can slip by). */
static int connections_to(int fd)
{
    int n = 0, c;
    while ((c = accept(fd, NULL, NULL)) >= 0) {
        close(c);
        n++;
    }
    return n;
}

/* The harvester cannot be sent elsewhere on the network: the fixture on
 * 127.0.0.1 is allowed, its redirect to 127.0.0.2 is not, and nothing
 * connects there. Other ranges are the address check's unit tests. */
static void test_private_addresses(void)
{
    char dir[4200], url[512], to[128];
    path_in_tmp(dir, sizeof dir, "index-ssrf");
    unsigned port2 = 0;
    int l = listener_on("127.0.0.2", &port2);
    CHECK(l >= 0);
    if (l < 0)
        return;
    snprintf(to, sizeof to, "http://127.0.0.2:%u/files/agenda.ics", port2);
    snprintf(url, sizeof url, "http://127.0.0.1:%u/redirect?to=%s", port, to);
    char *out = NULL;
    int rc = indexer_run(&out, "harvest", "--kind", "ical", "--url", url, "--name", "omweg",
                         "--allow-private=127.0.0.1/32", "--index", dir, "--words", words, "--json",
                         "--retries", "0", "--timeout", "5", NULL);
    CHECK(rc == 1);
    CHECK_CONTAINS(out, "refused to connect to 127.0.0.2, a loopback address");
    free(out);
    CHECK(connections_to(l) == 0);
    /* Without an allowance the fixture itself is out of reach. */
    char direct[512];
    snprintf(direct, sizeof direct, "http://127.0.0.1:%u/files/data/sample/platforms/agenda-eemland.ics", port);
    out = NULL;
    rc = indexer_run(&out, "harvest", "--kind", "ical", "--url", direct, "--name", "omweg", "--index",
                     dir, "--words", words, "--json", "--retries", "0", NULL);
    CHECK(rc == 1);
    CHECK_CONTAINS(out, "refused to connect to 127.0.0.1, a loopback address");
    free(out);
    /* A name is judged by what it resolves to. */
    snprintf(direct, sizeof direct, "http://localhost:%u/files/data/sample/platforms/agenda-eemland.ics", port);
    out = NULL;
    rc = indexer_run(&out, "harvest", "--kind", "ical", "--url", direct, "--name", "omweg", "--index",
                     dir, "--words", words, "--json", "--retries", "0", NULL);
    CHECK(rc == 1);
    CHECK_CONTAINS(out, "a loopback address (allow_private");
    free(out);
    /* The listener does see a harvester that is allowed there (so the
     * check above can fail): it connects, and times out on the silence. */
    out = NULL;
    rc = indexer_run(&out, "harvest", "--kind", "ical", "--url", url, "--name", "omweg",
                     "--allow-private=127.0.0.1/32,127.0.0.2", "--index", dir, "--words", words,
                     "--json", "--retries", "0", "--timeout", "1", NULL);
    CHECK(rc == 1);
    free(out);
    CHECK(connections_to(l) == 1);
    close(l);
}

/* Two ad-hoc harvests of different URLs into one index, without --name:
 * each source is named after its URL and keeps its offerings. */
static void test_adhoc_names(void)
{
    char dir[4200], ics[512], rss[512];
    path_in_tmp(dir, sizeof dir, "index-adhoc");
    snprintf(ics, sizeof ics, "http://127.0.0.1:%u/files/data/sample/platforms/agenda-eemland.ics", port);
    snprintf(rss, sizeof rss, "http://127.0.0.1:%u/files/data/sample/platforms/agenda-zwolle.xml", port);
    char ics_name[128], rss_name[128];
    snprintf(ics_name, sizeof ics_name, "127.0.0.1-%u-files-data-sample-platforms-agenda-eemland.ics", port);
    snprintf(rss_name, sizeof rss_name, "127.0.0.1-%u-files-data-sample-platforms-agenda-zwolle.xml", port);
    char *out = NULL;
    CHECK(indexer_run(&out, "harvest", "--kind", "ical", "--url", ics, "--allow-private=127.0.0.1/32",
                      "--index", dir, "--words", words, "--now", NOW, NULL) == 0);
    CHECK_CONTAINS(out, ics_name); /* the summary names it */
    free(out);
    out = NULL;
    CHECK(indexer_run(&out, "harvest", "--kind", "feed", "--url", rss, "--allow-private=127.0.0.1/32",
                      "--index", dir, "--words", words, "--now", NOW, "--json", NULL) == 0);
    json_t *s = summary_of(out);
    CHECK(stat_of(s, rss_name, "added") == 4);
    CHECK(stat_of(s, rss_name, "deleted") == 0);
    json_decref(s);
    free(out);
    vp_index *idx = NULL;
    uint64_t n_ics = 0, n_rss = 0;
    CHECK(vp_index_open(dir, VP_INDEX_READ, NULL, &idx, NULL) == VP_OK);
    vp_index_source_count(idx, ics_name, &n_ics, NULL);
    vp_index_source_count(idx, rss_name, &n_rss, NULL);
    vp_index_close(idx);
    CHECK(n_ics == 5);
    CHECK(n_rss == 4);
}

static double clock_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A platform that accepts and never answers costs a source no more than
 * its deadline, retries included, and the error says so (in `sources`
 * too). Pages of a sitemap are fetched several at once. */
static void test_deadlines(void)
{
    char dir[4200], cfg[4200], url[512];
    path_in_tmp(dir, sizeof dir, "index-deadline");
    path_in_tmp(cfg, sizeof cfg, "deadline.ini");
    FILE *f = fopen(cfg, "w");
    fprintf(f, "[source stil]\nkind = ical\nurl = http://127.0.0.1:%u/stall\n"
               "allow_private = 127.0.0.1/32\ndeadline = 3s\n", port);
    fclose(f);
    double t0 = clock_s();
    char *out = NULL;
    CHECK(indexer_run(&out, "harvest", "--config", cfg, "--index", dir, "--words", words, "--json", NULL) == 1);
    double took = clock_s() - t0;
    printf("a silent platform with deadline = 3s: the harvest ended after %.1f s\n", took);
    CHECK_CONTAINS(out, "the source's deadline of 3 s passed");
    free(out);
    /* Without the deadline the default stall limit alone is 30 s. */
    CHECK(took >= 2.5 && took < 25);
    out = NULL;
    CHECK(indexer_run(&out, "sources", "--config", cfg, "--index", dir, NULL) == 0);
    CHECK_CONTAINS(out, "deadline of 3 s passed");
    free(out);
    /* Retries stop at the deadline: 11 attempts of 1 s and their backoff
     * (over 200 s) would not fit in 3. */
    snprintf(url, sizeof url, "http://127.0.0.1:%u/stall", port);
    t0 = clock_s();
    out = NULL;
    CHECK(indexer_run(&out, "harvest", "--kind", "ical", "--url", url, "--name", "stil",
                      "--allow-private=127.0.0.1/32", "--index", dir, "--words", words, "--json",
                      "--timeout", "1", "--retries", "10", "--deadline", "3", NULL) == 1);
    took = clock_s() - t0;
    printf("... with --timeout 1 --retries 10 --deadline 3: %.1f s\n", took);
    CHECK_CONTAINS(out, "the source's deadline of 3 s passed after");
    CHECK_CONTAINS(out, "timed out");
    free(out);
    CHECK(took < 25);

    /* A sitemap of eight pages that each take 0.4 s. */
    http_reply r;
    CHECK(http_request(port, "GET", "/stats?reset=1", &r) == 0);
    http_reply_free(&r);
    snprintf(url, sizeof url,
             "http://127.0.0.1:%u/sitemap?n=8&ms=400&then=data/sample/platforms/activiteiten-groningen.html",
             port);
    out = NULL;
    CHECK(indexer_run(&out, "harvest", "--kind", "jsonld", "--url", url, "--name", "kaart", "--option",
                      "sitemap=yes", "--allow-private=127.0.0.1/32", "--index", dir, "--words", words,
                      "--now", NOW, "--json", NULL) == 0);
    json_t *sum = summary_of(out);
    CHECK(stat_of(sum, "kaart", "fetched") == 9);
    CHECK(stat_of(sum, "kaart", "records") == 8 * 3);
    CHECK(stat_of(sum, "kaart", "total") == 3);
    json_decref(sum);
    free(out);
    int most = 0;
    CHECK(http_request(port, "GET", "/stats", &r) == 0);
    CHECK(r.body && sscanf(r.body, "max_in_flight=%d", &most) == 1);
    http_reply_free(&r);
    printf("sitemap pages in flight at once: at most %d\n", most);
    CHECK(most >= 2 && most <= 4);
}

/* The captured real files through the real connectors over HTTP. */
static void harvest_file(const char *kind, const char *rel, const char *extra, int expect_records)
{
    char url[4200], dir[4200];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/files/%s", port, rel);
    path_in_tmp(dir, sizeof dir, "index-real");
    char *out = NULL;
    /* Calendars from 2012 on, for ten years: the captured ones are old. */
    const char *option = extra ? extra : !strcmp(kind, "ical") ? "window_days=3650" : NULL;
    int rc = indexer_run(&out, "harvest", "--kind", kind, "--url", url, "--name", "echt",
                         "--allow-private=127.0.0.1/32", "--index", dir, "--words", words, "--now", "2012-01-01T00:00:00Z", "--json", "--retries",
                         "0", option ? "--option" : NULL, option, NULL);
    /* 0: harvested (bad records counted); 1: the page as a whole was
     * refused, with the URL and position. Never a crash. */
    CHECK(rc == 0 || rc == 1);
    if (rc == 1)
        CHECK_CONTAINS(out, url);
    if (expect_records >= 0) {
        json_t *s = summary_of(out);
        if (stat_of(s, "echt", "records") < expect_records)
            fprintf(stderr, "%s: %lld records, expected at least %d\n%s\n", rel,
                    (long long)stat_of(s, "echt", "records"), expect_records, out);
        CHECK(stat_of(s, "echt", "records") >= expect_records);
        json_decref(s);
    }
    free(out);
}

static void harvest_dir(const char *kind, const char *reldir, const char *suffix, const char *extra)
{
    char dir[4300];
    snprintf(dir, sizeof dir, "%s/tests/data/%s", srcdir, reldir);
    DIR *d = opendir(dir);
    CHECK(d != NULL);
    struct dirent *e;
    int n = 0;
    while (d && (e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name), sl = strlen(suffix);
        if (l < sl || strcmp(e->d_name + l - sl, suffix) != 0)
            continue;
        char rel[4400];
        snprintf(rel, sizeof rel, "tests/data/%s/%s", reldir, e->d_name);
        harvest_file(kind, rel, extra, -1);
        n++;
    }
    if (d)
        closedir(d);
    CHECK(n > 0);
}

static void test_real_files(void)
{
    char dir[4200];
    path_in_tmp(dir, sizeof dir, "index-real");
    /* OAI-PMH: a recorded repository (Identify, a page with a token, the
     * last page) and a token chain with deleted records. */
    char url[512];
    char *out = NULL;
    snprintf(url, sizeof url, "http://127.0.0.1:%u/map/tests/data/realdata/oai-pmh/meresco-harvester-tudelft", port);
    CHECK(indexer_run(&out, "harvest", "--kind", "oai-pmh", "--url", url, "--name", "tudelft",
                      "--allow-private=127.0.0.1/32", "--index",
                      dir, "--words", words, "--json", NULL) == 0);
    json_t *s = summary_of(out);
    CHECK(stat_of(s, "tudelft", "fetched") == 3);
    CHECK(stat_of(s, "tudelft", "records") >= 4);
    json_decref(s);
    free(out);
    snprintf(url, sizeof url, "http://127.0.0.1:%u/chain/tests/data/realdata/oai-pmh/sickle", port);
    out = NULL;
    CHECK(indexer_run(&out, "harvest", "--kind", "oai-pmh", "--url", url, "--name", "sickle",
                      "--allow-private=127.0.0.1/32", "--index",
                      dir, "--words", words, "--json", NULL) == 0);
    s = summary_of(out);
    CHECK(stat_of(s, "sickle", "fetched") == 5);
    CHECK(stat_of(s, "sickle", "records") > 0);
    json_decref(s);
    free(out);
    /* Every captured calendar, feed and JSON-LD file. */
    harvest_dir("ical", "realdata/ical/ical.js", ".ics", NULL);
    harvest_dir("ical", "realdata/ical/python-icalendar", ".ics", NULL);
    harvest_dir("feed", "realdata/feeds/feedparser", ".xml", NULL);
    /* schema.org's example files hold JSON-LD among other markup: refused
     * as a whole, with the URL (the unit tests cut the JSON out). */
    harvest_dir("jsonld", "realdata/jsonld/schemaorg-examples", ".txt", NULL);
    /* Some of them in detail. */
    harvest_file("ical", "tests/data/realdata/ical/ical.js/daily_recur.ics", NULL, 1);
    harvest_file("feed",
                 "tests/data/realdata/feeds/feedparser/wellformed_sanitize_large_atom_feed_that_needs_css_sanitisation.xml",
                 NULL, 15);
    harvest_file("csv", "tests/data/realdata/ratings/goodbooks-10k/books.csv", "column.title=title", 9000);
}

/* Copies the file at `from` to `to`, the first `n` bytes (0: all). */
static void copy_file(const char *from, const char *to, size_t n)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    CHECK(in && out);
    char buf[65536];
    size_t got, total = 0;
    while (in && out && (got = fread(buf, 1, sizeof buf, in)) > 0) {
        if (n && total + got > n)
            got = n - total;
        fwrite(buf, 1, got, out);
        total += got;
        if (n && total >= n)
            break;
    }
    if (in)
        fclose(in);
    if (out)
        fclose(out);
}

/* ONIX and MARC catalogues: real files over HTTP, a file that breaks off
 * keeps what the source had, holdings matched to the network's branches
 * and holdings that wait for their record, a directory of files. */
static void test_catalogues(void)
{
    harvest_file("onix", "tests/data/realdata/onix/jonix/onix3-multiple.xml", NULL, 17);
    harvest_file("onix", "tests/data/onix/ebook-30-ns-bom.xml", NULL, 2);
    harvest_file("marc", "tests/data/realdata/marc/pymarc/marc.dat", NULL, 8);
    harvest_file("marc", "tests/data/realdata/marc/yaz/marccol5.u8.marc", NULL, 8);
    harvest_dir("marc", "realdata/marc/pymarc", ".dat", NULL);
    harvest_dir("onix", "realdata/onix/jonix", ".xml", NULL);

    /* A complete ONIX file, then the same file broken off in its 6th
     * product: nothing the source had is deleted. */
    char dir[4200], file[4200], url[4300], real[4300];
    path_in_tmp(dir, sizeof dir, "index-onix");
    path_in_tmp(file, sizeof file, "catalogus.xml");
    snprintf(real, sizeof real, "%s/tests/data/realdata/onix/jonix/onix3-multiple.xml", srcdir);
    snprintf(url, sizeof url, "file://%s", file);
    copy_file(real, file, 0);
    char *out = NULL;
    CHECK(indexer_run(&out, "harvest", "--kind", "onix", "--url", url, "--name", "eboeken", "--allow-file",
                      "--index", dir, "--words", words, "--json", NULL) == 0);
    json_t *s = summary_of(out);
    json_int_t total = stat_of(s, "eboeken", "total");
    CHECK(total == 16); /* 17 books, one of them twice in the file */
    json_decref(s);
    free(out);
    char *last = offering_json(dir, "eboeken:9781447223740");
    CHECK(last != NULL);
    CHECK(last && strstr(last, "\"publisher\":\"Pan Macmillan UK\""));
    CHECK(last && strstr(last, "\"type\":\"book\""));
    CHECK(last && strstr(last, "\"work_key\":\"isbn:9781447223740\""));
    free(last);
    FILE *f = fopen(real, "rb");
    char *text = malloc(300000);
    size_t len = f ? fread(text, 1, 299999, f) : 0;
    if (f)
        fclose(f);
    text[len] = '\0';
    const char *p = text;
    for (int i = 0; i < 6; i++)
        p = strstr(p + 1, "<Product>");
    copy_file(real, file, (size_t)(p - text) + 300);
    free(text);
    out = NULL;
    CHECK(indexer_run(&out, "harvest", "--kind", "onix", "--url", url, "--name", "eboeken", "--allow-file",
                      "--index", dir, "--words", words, "--json", NULL) == 0);
    s = summary_of(out);
    CHECK(stat_of(s, "eboeken", "total") == total);
    CHECK(stat_of(s, "eboeken", "deleted") == 0);
    CHECK(stat_of(s, "eboeken", "records") == 5);
    json_decref(s);
    free(out);
    last = offering_json(dir, "eboeken:9781447223740");
    CHECK(last != NULL);
    free(last);

    /* Holdings: the bibliographic record gets its places, matched to the
     * network's branches; the holdings of a record the file lacks wait
     * in the source's state and are applied when the record comes. */
    char ini_path[4200], marc[4200], idx[4200];
    path_in_tmp(ini_path, sizeof ini_path, "catalogus.ini");
    path_in_tmp(marc, sizeof marc, "catalogus.mrc");
    path_in_tmp(idx, sizeof idx, "index-marc");
    char ini[4600];
    snprintf(ini, sizeof ini, "[network]\nfile = %s/data/sample/network.json\n", srcdir);
    put_file(ini_path, ini);
    snprintf(real, sizeof real, "%s/tests/data/marc/holdings.mrc", srcdir);
    copy_file(real, marc, 0);
    snprintf(url, sizeof url, "file://%s", marc);
    out = NULL;
    CHECK(indexer_run(&out, "harvest", "--kind", "marc", "--url", url, "--name", "catalogus", "--allow-file",
                      "--config", ini_path, "--index", idx, "--words", words, "--json", NULL) == 0);
    free(out);
    char *bib = offering_json(idx, "catalogus:b-0001");
    CHECK(bib != NULL);
    CHECK(bib && strstr(bib, "{\"branch_name\":\"Bibliotheek Vathorst\",\"call_number\":\"R REVE\","
                             "\"note\":\"Op de leestafel\",\"branch\":\"eemland-vathorst\","
                             "\"library\":\"bibliotheek-eemland\"}"));
    CHECK(bib && strstr(bib, "\"branch\":\"utrecht-neude\""));
    CHECK(bib && strstr(bib, "\"branch\":\"zwolle-stadkamer\""));
    CHECK(bib && !strstr(bib, "_match"));
    free(bib);
    /* b-0099 is not in the file: its holdings wait */
    CHECK(offering_json(idx, "catalogus:b-0099") == NULL);
    /* the next export has the record */
    char xml[4200];
    path_in_tmp(xml, sizeof xml, "catalogus-2.xml");
    put_file(xml, "<collection xmlns=\"http://www.loc.gov/MARC21/slim\"><record>"
                  "<leader>00000cam a2200000 i 4500</leader>"
                  "<controlfield tag=\"001\">b-0099</controlfield>"
                  "<datafield tag=\"245\" ind1=\"0\" ind2=\"0\"><subfield code=\"a\">Reisgids Utrecht</subfield></datafield>"
                  "</record></collection>");
    copy_file(xml, marc, 0);
    out = NULL;
    CHECK(indexer_run(&out, "harvest", "--kind", "marc", "--url", url, "--name", "catalogus", "--allow-file",
                      "--config", ini_path, "--index", idx, "--words", words, "--json", NULL) == 0);
    free(out);
    bib = offering_json(idx, "catalogus:b-0099");
    CHECK(bib && strstr(bib, "\"branch\":\"utrecht-overvecht\""));
    CHECK(bib && strstr(bib, "\"shelf\":\"Informatieve boeken\""));
    free(bib);
    /* a holdings record for a record the index has: added to it, once,
     * however often it is harvested */
    put_file(xml, "<collection xmlns=\"http://www.loc.gov/MARC21/slim\">"
                  "<record><leader>00000cam a2200000 i 4500</leader>"
                  "<controlfield tag=\"001\">b-0099</controlfield>"
                  "<datafield tag=\"245\" ind1=\"0\" ind2=\"0\"><subfield code=\"a\">Reisgids Utrecht</subfield></datafield>"
                  "</record><record><leader>00000nx  a2200000un 4500</leader>"
                  "<controlfield tag=\"001\">h-2001</controlfield><controlfield tag=\"004\">b-0099</controlfield>"
                  "<datafield tag=\"852\" ind1=\" \" ind2=\" \"><subfield code=\"b\">Bibliotheek Kampen</subfield>"
                  "<subfield code=\"h\">914.92 UTRE</subfield></datafield></record></collection>");
    copy_file(xml, marc, 0);
    for (int round = 0; round < 2; round++) {
        out = NULL;
        CHECK(indexer_run(&out, "harvest", "--kind", "marc", "--url", url, "--name", "catalogus", "--allow-file",
                          "--config", ini_path, "--index", idx, "--words", words, "--json", NULL) == 0);
        free(out);
        bib = offering_json(idx, "catalogus:b-0099");
        CHECK(bib && strstr(bib, "\"branch\":\"utrecht-overvecht\""));
        CHECK(bib && strstr(bib, "\"branch\":\"zwolle-kampen\",\"library\":\"bibliotheek-zwolle\""));
        const char *k = bib ? strstr(bib, "zwolle-kampen") : NULL;
        CHECK(k && !strstr(k + 1, "zwolle-kampen"));
        free(bib);
    }

    /* A directory of ONIX files (file:// only): each file a page. */
    char d[4200];
    path_in_tmp(d, sizeof d, "onix-dir");
    mkdir(d, 0700);
    char a[4300], b[4300];
    snprintf(a, sizeof a, "%s/a.xml", d);
    snprintf(b, sizeof b, "%s/b.xml", d);
    snprintf(real, sizeof real, "%s/tests/data/onix/ebook-30-ns-bom.xml", srcdir);
    copy_file(real, a, 0);
    snprintf(real, sizeof real, "%s/tests/data/onix/ebook-21-short.xml", srcdir);
    copy_file(real, b, 0);
    snprintf(url, sizeof url, "file://%s", d);
    path_in_tmp(idx, sizeof idx, "index-onix-dir");
    out = NULL;
    CHECK(indexer_run(&out, "harvest", "--kind", "onix", "--url", url, "--name", "map", "--allow-file",
                      "--index", idx, "--words", words, "--json", NULL) == 0);
    s = summary_of(out);
    CHECK(stat_of(s, "map", "fetched") == 2);
    CHECK(stat_of(s, "map", "total") == 4);
    json_decref(s);
    free(out);
}

/* OAI-PMH: a holdings record in the same page as its record joins the
 * record before the page is written (the record's document waits with it
 * in the batch). */
static void test_oai_holdings(void)
{
    char dir[4200], url[512];
    path_in_tmp(dir, sizeof dir, "index-oai-holdings");
    snprintf(url, sizeof url, "http://127.0.0.1:%u/map/tests/data/oai-holdings", port);
    char *out = NULL;
    CHECK(indexer_run(&out, "harvest", "--kind", "oai-pmh", "--url", url, "--name", "catalogus",
                      "--option", "metadata_prefix=marc21", "--allow-private=127.0.0.1/32",
                      "--index", dir, "--words", words, "--json", NULL) == 0);
    json_t *s = summary_of(out);
    CHECK(stat_of(s, "catalogus", "added") == 1);
    json_decref(s);
    free(out);
    char *bib = offering_json(dir, "catalogus:oai:cat:b7");
    CHECK_CONTAINS(bib, "\"title\":\"Reisgids Utrecht\"");
    CHECK_CONTAINS(bib, "\"call_number\":\"914.92 UTRE\"");
    CHECK_CONTAINS(bib, "\"call_number\":\"REVE\"");
    free(bib);
}

/* A report that cannot be written (stderr on a full device) stops the
 * source, which keeps what it had and says why. */
static void test_report_not_written(void)
{
    char dir[4200], csv[4200], cmd[20000];
    path_in_tmp(dir, sizeof dir, "index-report");
    path_in_tmp(csv, sizeof csv, "report.csv");
    put_file(csv, "Nr;Titel\nA;Leesclub\nB;\n");
    snprintf(cmd, sizeof cmd,
             "exec '%s' harvest --kind csv --url 'file://%s' --name vol --allow-file --option "
             "delimiter=semicolon --option id=Nr --option column.title=Titel --index '%s' --words "
             "'%s' --json 2>/dev/full",
             indexer, csv, dir, words);
    char *argv[] = {"/bin/sh", "-c", cmd, NULL};
    char *out = NULL;
    CHECK(proc_run(argv, &out) != 0);
    json_t *s = summary_of(out);
    json_t *src = s ? source_stats(s, "vol") : NULL;
    CHECK_CONTAINS(json_string_value(json_object_get(src, "error")), "the report cannot be written");
    CHECK(source_total(dir, "vol") == 0);
    json_decref(s);
    free(out);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: test_harvest BUILD_DIR SOURCE_DIR\n");
        return 2;
    }
    build = argv[1];
    srcdir = argv[2];
    snprintf(indexer, sizeof indexer, "%s/vindplaats-indexer", build);
    /* No compound splitting: it changes terms, never the stored records. */
    snprintf(words, sizeof words, "/dev/null");
    snprintf(tmp, sizeof tmp, "%s/harvest-test-XXXXXX", build);
    if (!mkdtemp(tmp)) {
        perror(tmp);
        return 2;
    }
    char root[4300], port_file[4200], log[4200];
    snprintf(root, sizeof root, "%s", srcdir);
    path_in_tmp(port_file, sizeof port_file, "port");
    path_in_tmp(log, sizeof log, "server.log");
    char fixture[4200];
    snprintf(fixture, sizeof fixture, "%s/vp-fixture-server", build);
    char *sv[] = {fixture, "--root", root, "--port-file", port_file, "--log", log, "--oai-records", "3000",
                  "--oai-page", "60", "--delay-ms", "10", NULL};
    char slog[4200];
    path_in_tmp(slog, sizeof slog, "fixture.out");
    server = proc_start(sv, slog);
    port = proc_wait_port(port_file, 10);
    CHECK(port > 0);
    if (!port)
        return check_done();
    path_in_tmp(config, sizeof config, "sources.ini");
    path_in_tmp(config_broken, sizeof config_broken, "broken.ini");
    write_config(config);

    test_full_and_kills();
    test_incremental();
    test_failures();
    test_bad_row_keeps_old();
    test_report_not_written();
    test_shrunk_feed();
    test_failed_page_keeps_offerings();
    test_second_indexer();
    test_private_addresses();
    test_adhoc_names();
    test_deadlines();
    test_real_files();
    test_catalogues();
    test_oai_holdings();

    proc_stop(server);
    int rc = check_done();
    if (rc == 0) {
        char *rm[] = {"/bin/rm", "-rf", tmp, NULL};
        proc_run(rm, NULL);
    }
    return rc;
}
