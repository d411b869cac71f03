/* test_vocabulary.c - loading the proposition vocabulary (vocabulary.h).
 *
 * Usage: test_vocabulary PROPOSITIONS.tsv
 *
 * The real file is checked against what it says (the rows are counted
 * here independently); bad files are written to a fresh mkdtemp()
 * directory, which is removed at the end. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "vindplaats/status.h"
#include "vindplaats/vocabulary.h"

/* vp_vocabulary_load with the failure in its one text form (NULL on VP_OK). */
static vp_status load_text(const char *path, vp_vocabulary **voc, char **msg)
{
    vp_error e = VP_ERROR_INIT;
    vp_status st = vp_vocabulary_load(path, voc, &e);
    if (msg && st != VP_OK)
        *msg = vp_error_text(&e);
    vp_error_clear(&e);
    return st;
}

static char tmpdir[256];

/* Rows of a TSV file: lines that are neither blank nor comments. */
static size_t count_rows(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char line[65536];
    size_t n = 0;
    while (fgets(line, sizeof line, f)) {
        size_t len = strcspn(line, "\r\n");
        if (len > 0 && line[0] != '#')
            n++;
    }
    fclose(f);
    return n;
}

static size_t list_len(const char *const *l)
{
    size_t n = 0;
    while (l && l[n])
        n++;
    return n;
}

static int list_has(const char *const *l, const char *s)
{
    for (; l && *l; l++)
        if (strcmp(*l, s) == 0)
            return 1;
    return 0;
}

static void test_real_file(const char *path)
{
    vp_vocabulary *voc = NULL;
    char *msg = NULL;
    CHECK(load_text(path, &voc, &msg) == VP_OK);
    CHECK(msg == NULL); /* untouched on success */
    free(msg);
    CHECK(voc != NULL);
    if (!voc)
        return;

    size_t rows = count_rows(path);
    CHECK(rows >= 21); /* the 21 of docs/offering.md; the file only grows */
    CHECK(vp_vocabulary_count(voc) == rows);

    const vp_proposition *p = vp_vocabulary_get(voc, "digitaal-spreekuur");
    CHECK(p != NULL);
    if (p) {
        CHECK_STR(p->id, "digitaal-spreekuur");
        CHECK_STR(p->name, "Digitaal spreekuur");
        CHECK_STR(p->societal_task, "informatiesamenleving");
        CHECK(list_len(p->audience) == 2);
        CHECK(p->audience && p->audience[0] && strcmp(p->audience[0], "volwassenen") == 0);
        CHECK(p->audience && p->audience[1] && strcmp(p->audience[1], "senioren") == 0);
        CHECK(list_has(p->aliases, "Digicaf\xc3\xa9"));
        CHECK(list_has(p->aliases, "Computerhulp"));
        CHECK(list_has(p->aliases, "SeniorWeb-spreekuur")); /* the last one */
        CHECK(!list_has(p->aliases, "Digicaf"));
        CHECK(list_len(p->aliases) == 9);
    }
    p = vp_vocabulary_get(voc, "boekstart");
    CHECK(p != NULL);
    if (p) {
        CHECK_STR(p->name, "BoekStart");
        CHECK_STR(p->societal_task, "geletterdheid");
        CHECK(list_len(p->audience) == 3);
        CHECK(list_has(p->audience, "baby") && list_has(p->audience, "peuter") &&
              list_has(p->audience, "ouders"));
        CHECK(list_has(p->aliases, "BoekStart voor baby's"));
    }
    p = vp_vocabulary_get(voc, "taalcafe");
    CHECK(p != NULL && strcmp(p->name, "Taalcaf\xc3\xa9") == 0);
    p = vp_vocabulary_get(voc, "klik-en-tik");
    CHECK(p != NULL && list_has(p->aliases, "Klik & Tik") && list_has(p->aliases, "Klik&Tik"));
    p = vp_vocabulary_get(voc, "nt2-oefenen");
    CHECK(p != NULL && strcmp(p->societal_task, "leven-lang-ontwikkelen") == 0);
    p = vp_vocabulary_get(voc, "luisterboeken");
    CHECK(p != NULL && list_len(p->audience) == 1 && strcmp(p->audience[0], "iedereen") == 0);

    CHECK(vp_vocabulary_get(voc, "Digicaf\xc3\xa9") == NULL); /* aliases are not ids */
    CHECK(vp_vocabulary_get(voc, "digitaal") == NULL);
    CHECK(vp_vocabulary_get(voc, "Boekstart") == NULL);
    CHECK(vp_vocabulary_get(voc, "") == NULL);
    CHECK(vp_vocabulary_get(voc, NULL) == NULL);
    CHECK(vp_vocabulary_get(NULL, "boekstart") == NULL);

    /* In file order; every row has its lists. */
    const vp_proposition *first = vp_vocabulary_at(voc, 0);
    CHECK(first != NULL && strcmp(first->id, "bibliotheek-op-school") == 0);
    CHECK(vp_vocabulary_at(voc, rows) == NULL);
    CHECK(vp_vocabulary_at(NULL, 0) == NULL);
    CHECK(vp_vocabulary_count(NULL) == 0);

    /* The ids: "a, b, c", in file order. */
    const char *ids = vp_vocabulary_ids(voc);
    CHECK(ids != NULL);
    CHECK(strncmp(ids, "bibliotheek-op-school, boekstart, voorleesexpress, ", 51) == 0);
    size_t commas = 0;
    for (const char *c = ids; *c; c++)
        commas += *c == ',';
    CHECK(commas == rows - 1);
    CHECK(ids[strlen(ids) - 1] != ' ' && ids[strlen(ids) - 1] != ',');
    int all = 1, order = 1;
    const char *prev = ids;
    for (size_t i = 0; i < rows; i++) {
        const vp_proposition *r = vp_vocabulary_at(voc, i);
        if (!r || !r->id || !r->name || !r->societal_task || !r->audience || !r->aliases ||
            list_len(r->audience) == 0) {
            all = 0;
            continue;
        }
        if (vp_vocabulary_get(voc, r->id) != r)
            all = 0;
        const char *at = strstr(prev, r->id);
        if (!at)
            order = 0;
        else
            prev = at + strlen(r->id);
    }
    CHECK(all);
    CHECK(order);
    CHECK(strcmp(vp_vocabulary_ids(NULL), "") == 0);
    vp_vocabulary_destroy(voc);
    vp_vocabulary_destroy(NULL);
}

/* Writes `content` (len bytes) to tmpdir/name; returns the path (static). */
static const char *write_file(const char *name, const char *content, size_t len)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        exit(2);
    }
    fwrite(content, 1, len, f);
    fclose(f);
    return path;
}

/* Loading `content` fails with VP_ERR_INVALID at PATH:LINE (the fields
 * of the error) with a message starting with `problem`. */
static int fails_at(const char *name, const char *content, unsigned line, const char *problem)
{
    const char *path = write_file(name, content, strlen(content));
    char want[1024];
    snprintf(want, sizeof want, "%s:%u: %s", path, line, problem);
    vp_vocabulary *voc = (vp_vocabulary *)&voc; /* must stay untouched */
    vp_error verr = VP_ERROR_INIT;
    vp_status st = vp_vocabulary_load(path, &voc, &verr);
    int placed = verr.file && !strcmp(verr.file, path) && verr.line == line && verr.message &&
                 strncmp(verr.message, problem, strlen(problem)) == 0;
    char *msg = st != VP_OK ? vp_error_text(&verr) : NULL;
    vp_error_clear(&verr);
    int ok = st == VP_ERR_INVALID && voc == (vp_vocabulary *)&voc && placed && msg &&
             strncmp(msg, want, strlen(want)) == 0;
    if (!ok)
        fprintf(stderr, "  %s: status %d, wanted \"%s\", got \"%s\"\n", name, (int)st, want,
                msg ? msg : "(null)");
    if (st == VP_OK)
        vp_vocabulary_destroy(voc);
    free(msg);
    unlink(path);
    return ok;
}

#define ROW_A "alpha\tAlpha\tcultuur\tvolwassenen\tA1|A2\n"
#define ROW_B "beta\tBeta\tgeletterdheid\tjeugd,ouders\tB\n"

static void test_bad_files(void)
{
    CHECK(fails_at("dup.tsv", "# comment\n" ROW_A ROW_B ROW_A, 4, "duplicate id"));
    CHECK(fails_at("dup2.tsv", ROW_A "\n\n" ROW_A, 4, "duplicate id"));
    CHECK(fails_at("cols.tsv", ROW_A "gamma\tGamma\tcultuur\n", 2,
                   "expected at least 4 tab-separated columns"));
    CHECK(fails_at("cols1.tsv", "gamma\n", 1, "expected at least 4 tab-separated columns"));
    CHECK(fails_at("spaces.tsv", "gamma Gamma cultuur iedereen\n", 1,
                   "expected at least 4 tab-separated columns"));
    CHECK(fails_at("upper.tsv", ROW_A "Gamma\tGamma\tcultuur\tiedereen\n", 2,
                   "id must be lower-case letters, digits and '-'"));
    CHECK(fails_at("space-id.tsv", "gam ma\tGamma\tcultuur\tiedereen\n", 1,
                   "id must be lower-case letters, digits and '-'"));
    CHECK(fails_at("underscore.tsv", "gam_ma\tGamma\tcultuur\tiedereen\n", 1,
                   "id must be lower-case letters, digits and '-'"));
    CHECK(fails_at("empty-id.tsv", "\tGamma\tcultuur\tiedereen\n", 1,
                   "id must be lower-case letters, digits and '-'"));
    CHECK(fails_at("utf8.tsv", ROW_A ROW_B "gamma\tGa\xffmma\tcultuur\tiedereen\n", 3,
                   "not valid UTF-8"));
    CHECK(fails_at("utf8b.tsv", "gamma\tGamma\tcultuur\tiedereen\tCaf\xc3\n", 1, "not valid UTF-8"));
    CHECK(fails_at("overlong.tsv", "gamma\tGamma\tcultuur\tiedereen\t\xc0\xaf\n", 1,
                   "not valid UTF-8"));
    /* No rows at all. */
    const char *path = write_file("empty.tsv", "", 0);
    vp_vocabulary *voc = NULL;
    char *msg = NULL;
    CHECK(load_text(path, &voc, &msg) == VP_ERR_INVALID);
    CHECK(voc == NULL);
    CHECK(msg && strncmp(msg, path, strlen(path)) == 0 && msg[strlen(path)] == ':');
    CHECK_CONTAINS(msg, "no propositions");
    free(msg);
    unlink(path);
    msg = NULL;
    path = write_file("comments.tsv", "# only\n# comments\n\n", 19);
    CHECK(load_text(path, &voc, &msg) == VP_ERR_INVALID);
    CHECK(voc == NULL);
    CHECK(msg && strncmp(msg, path, strlen(path)) == 0);
    CHECK_CONTAINS(msg, "no propositions");
    free(msg);
    unlink(path);
}

static void test_good_small_files(void)
{
    /* CRLF line ends, no final newline, four columns without aliases,
     * spaces around list items, empty list items. */
    const char *content = "# test\r\n"
                          "alpha\tAlpha\tcultuur\t volwassenen , senioren \t A1 | A2 ||\r\n"
                          "\r\n"
                          "beta\tBeta\tgeletterdheid\tjeugd";
    const char *path = write_file("good.tsv", content, strlen(content));
    vp_vocabulary *voc = NULL;
    char *msg = NULL;
    CHECK(load_text(path, &voc, &msg) == VP_OK);
    CHECK(msg == NULL);
    free(msg);
    CHECK(vp_vocabulary_count(voc) == 2);
    const vp_proposition *a = vp_vocabulary_get(voc, "alpha");
    CHECK(a != NULL);
    if (a) {
        CHECK_STR(a->name, "Alpha");
        CHECK(list_len(a->audience) == 2);
        CHECK(list_has(a->audience, "volwassenen") && list_has(a->audience, "senioren"));
        CHECK(list_len(a->aliases) == 2);
        CHECK(list_has(a->aliases, "A1") && list_has(a->aliases, "A2"));
    }
    const vp_proposition *b = vp_vocabulary_get(voc, "beta");
    CHECK(b != NULL);
    if (b) {
        CHECK_STR(b->societal_task, "geletterdheid");
        CHECK(list_len(b->audience) == 1 && strcmp(b->audience[0], "jeugd") == 0);
        CHECK(b->aliases != NULL && list_len(b->aliases) == 0);
    }
    CHECK_STR(vp_vocabulary_ids(voc), "alpha, beta");
    vp_vocabulary_destroy(voc);
    unlink(path);

    /* More rows than the first allocation holds. */
    char big[8192];
    size_t len = 0;
    for (int i = 0; i < 100; i++)
        len += (size_t)snprintf(big + len, sizeof big - len, "p%d\tP %d\tcultuur\tiedereen\talias %d\n", i, i, i);
    path = write_file("many.tsv", big, len);
    voc = NULL;
    CHECK(vp_vocabulary_load(path, &voc, NULL) == VP_OK);
    CHECK(vp_vocabulary_count(voc) == 100);
    const vp_proposition *p99 = vp_vocabulary_get(voc, "p99");
    CHECK(p99 != NULL && strcmp(p99->name, "P 99") == 0 && list_has(p99->aliases, "alias 99"));
    CHECK(vp_vocabulary_at(voc, 0) != NULL && strcmp(vp_vocabulary_at(voc, 0)->id, "p0") == 0);
    vp_vocabulary_destroy(voc);
    unlink(path);
}

static void test_missing_file(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/no-such-file.tsv", tmpdir);
    vp_vocabulary *voc = NULL;
    char *msg = NULL;
    CHECK(load_text(path, &voc, &msg) == VP_ERR_IO);
    CHECK(voc == NULL);
    CHECK_CONTAINS(msg, path);
    CHECK(msg && strncmp(msg, path, strlen(path)) == 0);
    free(msg);
    /* A directory is not a file either. */
    msg = NULL;
    vp_error verr = VP_ERROR_INIT;
    vp_status st = vp_vocabulary_load(tmpdir, &voc, &verr);
    CHECK(st != VP_OK);
    CHECK(voc == NULL);
    CHECK_STR(verr.file, tmpdir);
    vp_error_clear(&verr);
    /* errmsg may be NULL. */
    CHECK(vp_vocabulary_load(path, &voc, NULL) == VP_ERR_IO);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PROPOSITIONS.tsv\n", argv[0]);
        return 2;
    }
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/vp-test-vocabulary-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 2;
    }
    test_real_file(argv[1]);
    test_bad_files();
    test_good_small_files();
    test_missing_file();
    if (rmdir(tmpdir) != 0)
        perror(tmpdir);
    return check_done();
}
