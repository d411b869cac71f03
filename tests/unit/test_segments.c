/* test_segments.c - the segment model and its PC4 table (segments.h).
 *
 * Usage: test_segments SEGMENTS.json PC4-SEGMENTS.csv PROPOSITIONS.tsv
 *
 * The shipped (illustrative) files are loaded and checked against what they
 * say: every proposition is liked by some segment, every PC4 row of the
 * table resolves, shares sum to 1 largest first, and importing the table
 * reproduces it byte for byte. Every validation problem is then provoked
 * with a small file written to a fresh mkdtemp() directory (removed at the
 * end) and its exact "FILE:LINE: message" or "FILE: path: message" checked.
 * Only public headers are used. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "vindplaats/segments.h"
#include "vindplaats/status.h"
#include "vindplaats/vocabulary.h"

static char tmpdir[256];
static char *created[64];
static size_t n_created;
static vp_vocabulary *voc;

/* Writes `content` to tmpdir/name; returns the path (static storage per name). */
static const char *write_file(const char *name, const char *content)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    fputs(content, f);
    fclose(f);
    for (size_t i = 0; i < n_created; i++)
        if (strcmp(created[i], path) == 0)
            return created[i];
    if (n_created == sizeof created / sizeof *created)
        abort();
    created[n_created] = strdup(path);
    if (!created[n_created])
        abort();
    return created[n_created++];
}

/* The whole file, malloc()ed, or NULL. */
static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t alloc = 4096, len = 0;
    char *s = malloc(alloc);
    for (;;) {
        if (len + 1 == alloc) {
            alloc *= 2;
            s = realloc(s, alloc);
        }
        if (!s)
            abort();
        size_t n = fread(s + len, 1, alloc - len - 1, f);
        if (n == 0)
            break;
        len += n;
    }
    s[len] = '\0';
    fclose(f);
    return s;
}

/* "FILE" + rest, for expected messages. */
static const char *at(const char *path, const char *rest)
{
    static char buf[8][1024];
    static int k;
    k = (k + 1) % 8;
    snprintf(buf[k], sizeof buf[k], "%s%s", path, rest);
    return buf[k];
}

/* vp_segments_load, with the whole text of its error in *msg (NULL when
 * it succeeds; then the error must be untouched). */
static vp_status load_text(const char *json, const char *csv, vp_segments **s, char **msg)
{
    vp_error e = VP_ERROR_INIT;
    vp_status st = vp_segments_load(json, csv, voc, s, &e);
    CHECK(e.status == st);
    *msg = st != VP_OK ? vp_error_text(&e) : NULL;
    vp_error_clear(&e);
    return st;
}

/* vp_segments_import_postcodes, with its error's text in *msg likewise. */
static vp_status import_text(const vp_segments *s, const char *path, FILE *out, FILE *report,
                             size_t *ok, size_t *bad, char **msg)
{
    vp_error e = VP_ERROR_INIT;
    vp_status st = vp_segments_import_postcodes(s, path, out, report, ok, bad, &e);
    CHECK(e.status == st);
    *msg = st != VP_OK ? vp_error_text(&e) : NULL;
    vp_error_clear(&e);
    return st;
}

/* ---- the shipped files ---- */

static void test_real_files(const char *json, const char *csv)
{
    vp_segments *s = NULL;
    char *msg = NULL;
    CHECK(load_text(json, csv, &s, &msg) == VP_OK);
    if (msg)
        fprintf(stderr, "%s\n", msg);
    CHECK(msg == NULL); /* untouched on success */
    free(msg);
    if (!s)
        return;

    static const char *const expected[] = {
        "jonge-gezinnen", "studenten", "alleenstaande-senioren", "nieuwkomers",
        "drukke-professionals", "plattelandsgezinnen", "gezinnen-met-tieners",
        "actieve-vijftigplussers", "kwetsbare-huishoudens", "cultuurliefhebbers"};
    size_t n_expected = sizeof expected / sizeof *expected;
    CHECK(vp_segments_count(s) == n_expected);
    for (size_t i = 0; i < n_expected; i++) {
        const vp_segment *seg = vp_segments_get(s, expected[i]);
        CHECK(seg != NULL);
        if (!seg)
            continue;
        CHECK(vp_segments_at(s, i) == seg); /* file order */
        CHECK(seg->name && *seg->name);
        CHECK(seg->description && strlen(seg->description) > 40);
        for (int f = 0; f < VP_AFFINITY_FIELD_COUNT; f++) {
            CHECK(seg->n_affinities[f] > 0);
            for (size_t k = 0; k < seg->n_affinities[f]; k++) {
                const vp_affinity *a = &seg->affinities[f][k];
                CHECK(a->weight >= 0 && a->weight <= 1);
                if (k > 0)
                    CHECK(seg->affinities[f][k - 1].weight >= a->weight); /* highest first */
                CHECK(vp_segment_affinity(seg, (vp_affinity_field)f, a->value) == a->weight);
            }
        }
    }
    CHECK(vp_segments_at(s, n_expected) == NULL);
    CHECK(vp_segments_get(s, "bestaat-niet") == NULL);
    CHECK(vp_segments_get(s, NULL) == NULL);

    const vp_segment *jg = vp_segments_get(s, "jonge-gezinnen");
    if (jg) {
        CHECK_STR(jg->name, "Jonge gezinnen");
        CHECK(vp_segment_affinity(jg, VP_AFFINITY_PROPOSITION, "boekstart") >= 0.9);
        CHECK(vp_segment_affinity(jg, VP_AFFINITY_AUDIENCE, "peuter") >= 0.9);
        CHECK(vp_segment_affinity(jg, VP_AFFINITY_PROPOSITION, "taalcafe") == 0); /* none */
        CHECK(vp_segment_affinity(jg, VP_AFFINITY_TYPE, "bestaat-niet") == 0);
        CHECK(vp_segment_affinity(jg, VP_AFFINITY_FIELD_COUNT, "boekstart") == 0);
        CHECK(vp_segment_affinity(jg, VP_AFFINITY_PROPOSITION, NULL) == 0);
        CHECK_STR(jg->affinities[VP_AFFINITY_PROPOSITION][0].value, "boekstart");
    }
    CHECK(vp_segment_affinity(NULL, VP_AFFINITY_TYPE, "book") == 0);
    const vp_segment *ks = vp_segments_get(s, "kwetsbare-huishoudens");
    if (ks)
        CHECK(vp_segment_affinity(ks, VP_AFFINITY_CHANNEL, "offline") >
              vp_segment_affinity(ks, VP_AFFINITY_CHANNEL, "online"));

    /* Every proposition is liked (weight >= 0.7) by at least one segment. */
    for (size_t p = 0; p < vp_vocabulary_count(voc); p++) {
        const char *id = vp_vocabulary_at(voc, p)->id;
        double best = 0;
        for (size_t i = 0; i < vp_segments_count(s); i++) {
            double w = vp_segment_affinity(vp_segments_at(s, i), VP_AFFINITY_PROPOSITION, id);
            if (w > best)
                best = w;
        }
        if (best < 0.7)
            fprintf(stderr, "no segment likes %s\n", id);
        CHECK(best >= 0.7);
    }

    /* Every row of the table resolves: shares sum to 1, largest first. */
    FILE *f = fopen(csv, "r");
    CHECK(f != NULL);
    char line[4096];
    size_t rows = 0, resolved = 0;
    while (f && fgets(line, sizeof line, f)) {
        if (strncmp(line, "pc4", 3) == 0)
            continue;
        rows++;
        char pc4[5];
        memcpy(pc4, line, 4);
        pc4[4] = '\0';
        const vp_segment *segs[16];
        double shares[16];
        size_t n = vp_segments_for_postcode(s, pc4, segs, shares, 16);
        if (n == 0)
            continue;
        resolved++;
        double sum = 0;
        int ordered = 1;
        for (size_t k = 0; k < n; k++) {
            sum += shares[k];
            if (shares[k] <= 0 || (k > 0 && shares[k] > shares[k - 1]))
                ordered = 0;
        }
        CHECK(fabs(sum - 1) < 1e-9);
        CHECK(ordered);
    }
    if (f)
        fclose(f);
    CHECK(rows >= 500); /* every PC4 of 32 municipalities */
    CHECK(resolved == rows);

    const vp_segment *segs[16];
    double shares[16];
    /* The sample's branches: a city centre, a new-build district, a village. */
    size_t n = vp_segments_for_postcode(s, "3511", segs, shares, 16);
    CHECK(n == 10);
    double centre_students = 0, centre_rural = 1;
    for (size_t k = 0; k < n; k++) {
        if (strcmp(segs[k]->id, "studenten") == 0)
            centre_students = shares[k];
        if (strcmp(segs[k]->id, "plattelandsgezinnen") == 0)
            centre_rural = shares[k];
    }
    CHECK(centre_students > 0.15);
    CHECK(centre_rural < 0.05);
    n = vp_segments_for_postcode(s, "3825", segs, shares, 1);
    CHECK(n == 1);
    if (n == 1)
        CHECK_STR(segs[0]->id, "jonge-gezinnen");
    n = vp_segments_for_postcode(s, "7761", segs, shares, 1); /* Schoonebeek */
    CHECK(n == 1);
    if (n == 1)
        CHECK_STR(segs[0]->id, "plattelandsgezinnen");

    /* The written list is the largest `max`; full postcodes count by PC4. */
    size_t all = vp_segments_for_postcode(s, "3511", segs, shares, 16);
    double top[3];
    CHECK(vp_segments_for_postcode(s, "3511", NULL, top, 3) == 3);
    CHECK(all >= 3 && top[0] == shares[0] && top[2] == shares[2]);
    CHECK(vp_segments_for_postcode(s, "3511AB", segs, shares, 16) == all);
    CHECK(vp_segments_for_postcode(s, "3511 ab", segs, shares, 16) == all);
    CHECK(vp_segments_for_postcode(s, "3511 ", segs, shares, 16) == 0);
    CHECK(vp_segments_for_postcode(s, "35111", segs, shares, 16) == 0);
    CHECK(vp_segments_for_postcode(s, "3511A", segs, shares, 16) == 0);
    CHECK(vp_segments_for_postcode(s, "1000", segs, shares, 16) == 0); /* not in the table */
    CHECK(vp_segments_for_postcode(s, "0999", segs, shares, 16) == 0);
    CHECK(vp_segments_for_postcode(s, "abcd", segs, shares, 16) == 0);
    CHECK(vp_segments_for_postcode(s, "", segs, shares, 16) == 0);
    CHECK(vp_segments_for_postcode(s, NULL, segs, shares, 16) == 0);
    CHECK(vp_segments_for_postcode(s, "3511", segs, shares, 0) == 0);
    CHECK(vp_segments_for_postcode(NULL, "3511", segs, shares, 16) == 0);

    /* Importing the shipped table reproduces it exactly. */
    char out_path[512];
    snprintf(out_path, sizeof out_path, "%s/reimport.csv", tmpdir);
    FILE *out = fopen(out_path, "w");
    CHECK(out != NULL);
    if (out) {
        size_t ok = 0, bad = 0;
        char *m = NULL;
        CHECK(import_text(s, csv, out, NULL, &ok, &bad, &m) == VP_OK);
        CHECK(m == NULL);
        free(m);
        fclose(out);
        CHECK(ok == rows && bad == 0);
        char *a = read_all(csv), *b = read_all(out_path);
        CHECK(a && b && strcmp(a, b) == 0);
        free(a);
        free(b);
        unlink(out_path);
    }
    vp_segments_destroy(s);

    /* Without a table every postcode is unknown. */
    s = NULL;
    CHECK(vp_segments_load(json, NULL, voc, &s, NULL) == VP_OK);
    CHECK(vp_segments_for_postcode(s, "3511", segs, shares, 16) == 0);
    vp_segments_destroy(s);
}

/* ---- segments.json ---- */

#define AFF "\"affinities\":{}"

/* Loads `json` and expects VP_ERR_INVALID with a message containing
 * "FILE" + `expected`. */
static void json_fails(const char *json, const char *expected)
{
    const char *path = write_file("bad.json", json);
    vp_segments *s = NULL;
    char *msg = NULL;
    vp_status st = load_text(path, NULL, &s, &msg);
    CHECK(st == VP_ERR_INVALID);
    CHECK(s == NULL);
    CHECK_CONTAINS(msg, at(path, expected));
    free(msg);
    vp_segments_destroy(s);
}

static void test_json(void)
{
    const char *ok = write_file(
        "ok.json",
        "{\"note\":\"test\",\"segments\":[{\"id\":\"a-1\",\"name\":\"A\",\"affinities\":{"
        "\"types\":{\"book\":0.5,\"course\":1,\"event\":0},\"channels\":{\"online\":0.25}}}]}");
    vp_segments *s = NULL;
    char *msg = NULL;
    CHECK(load_text(ok, NULL, &s, &msg) == VP_OK);
    CHECK(msg == NULL);
    free(msg);
    if (s) {
        const vp_segment *a = vp_segments_get(s, "a-1");
        CHECK(a != NULL);
        if (a) {
            CHECK_STR(a->description, ""); /* optional */
            CHECK(a->n_affinities[VP_AFFINITY_TYPE] == 3);
            CHECK(a->n_affinities[VP_AFFINITY_PROPOSITION] == 0);
            CHECK_STR(a->affinities[VP_AFFINITY_TYPE][0].value, "course");
            CHECK_STR(a->affinities[VP_AFFINITY_TYPE][2].value, "event");
            CHECK(vp_segment_affinity(a, VP_AFFINITY_TYPE, "book") == 0.5);
            CHECK(vp_segment_affinity(a, VP_AFFINITY_CHANNEL, "online") == 0.25);
        }
        vp_segments_destroy(s);
    }

    json_fails("{\"segments\":[{\"id\":\"Jonge_Gezinnen\",\"name\":\"J\"," AFF "}]}",
               ": segments[0].id: \"Jonge_Gezinnen\" must be lower-case letters, digits and '-'");
    json_fails("{\"segments\":[{\"id\":\"a\",\"name\":\"A\"," AFF "},"
               "{\"id\":\"a\",\"name\":\"B\"," AFF "}]}",
               ": segments[1].id: duplicate id \"a\" (also segments[0])");
    json_fails("{\"segments\":[{\"name\":\"A\"," AFF "}]}", ": segments[0].id: required");
    json_fails("{\"segments\":[{\"id\":\"a\"," AFF "}]}", ": segments[0].name: required");
    json_fails("{\"segments\":[{\"id\":\"a\",\"name\":\"\"," AFF "}]}",
               ": segments[0].name: must not be empty");
    json_fails("{\"segments\":[{\"id\":\"a\",\"name\":7," AFF "}]}",
               ": segments[0].name: must be a string");
    json_fails("{\"segments\":[{\"id\":\"a\",\"name\":\"A\"}]}",
               ": segments[0].affinities: required");
    json_fails("{\"segments\":[{\"id\":\"a\",\"name\":\"A\",\"affinites\":{}," AFF "}]}",
               ": segments[0].affinites: unknown field");
    json_fails("{\"segments\":[{\"id\":\"a\",\"name\":\"A\",\"affinities\":{\"themes\":{}}}]}",
               ": segments[0].affinities.themes: unknown field");
    json_fails("{\"segments\":[{\"id\":\"a\",\"name\":\"A\",\"affinities\":"
               "{\"propositions\":{\"boekstrat\":0.5}}}]}",
               ": segments[0].affinities.propositions.boekstrat: unknown proposition "
               "(allowed: bibliotheek-op-school, boekstart,");
    json_fails("{\"segments\":[{\"id\":\"a\",\"name\":\"A\",\"affinities\":"
               "{\"types\":{\"cursus\":0.5}}}]}",
               ": segments[0].affinities.types.cursus: unknown type (allowed: course, event, "
               "activity, ebook, audiobook, book, service)");
    json_fails("{\"segments\":[{\"id\":\"a\",\"name\":\"A\",\"affinities\":"
               "{\"channels\":{\"digitaal\":0.5}}}]}",
               ": segments[0].affinities.channels.digitaal: unknown channel (allowed: online, "
               "offline, hybrid)");
    json_fails("{\"segments\":[{\"id\":\"a\",\"name\":\"A\",\"affinities\":"
               "{\"societal_tasks\":{\"lezen\":0.5}}}]}",
               ": segments[0].affinities.societal_tasks.lezen: unknown societal task (allowed: "
               "geletterdheid, informatiesamenleving, leven-lang-ontwikkelen, cultuur)");
    json_fails("{\"segments\":[{\"id\":\"a\",\"name\":\"A\",\"affinities\":"
               "{\"audiences\":{\"tieners\":0.5}}}]}",
               ": segments[0].affinities.audiences.tieners: unknown audience group (allowed: "
               "baby, peuter, kleuter, jeugd, ouders, volwassenen, senioren, nieuwkomers, "
               "laaggeletterden, werkzoekenden, iedereen)");
    json_fails("{\"segments\":[{\"id\":\"a\",\"name\":\"A\",\"affinities\":"
               "{\"types\":{\"book\":1.5}}}]}",
               ": segments[0].affinities.types.book: weight must be a number from 0 to 1");
    json_fails("{\"segments\":[{\"id\":\"a\",\"name\":\"A\",\"affinities\":"
               "{\"types\":{\"book\":-0.1}}}]}",
               ": segments[0].affinities.types.book: weight must be a number from 0 to 1");
    json_fails("{\"segments\":[{\"id\":\"a\",\"name\":\"A\",\"affinities\":"
               "{\"types\":{\"book\":\"0.5\"}}}]}",
               ": segments[0].affinities.types.book: weight must be a number from 0 to 1");
    json_fails("{\"segments\":[{\"id\":\"a\",\"name\":\"A\",\"affinities\":"
               "{\"types\":[\"book\"]}}]}",
               ": segments[0].affinities.types: must be an object");
    json_fails("{\"segments\":[]}", ": segments: must be a non-empty array of segments");
    json_fails("{\"segmenten\":[]}", ": segmenten: unknown field");
    json_fails("[]", ": must be an object");
    json_fails("{\"segments\":[", ":1: not valid JSON");
    json_fails("{\"segments\":[{\"id\":\"a\",\"name\":\"A\",\"affinities\":"
               "{\"types\":{\"book\":0.5,\"book\":0.6}}}]}",
               ":1: not valid JSON: duplicate object key");

    /* Every problem is reported, not only the first. */
    const char *two = write_file(
        "two.json", "{\"segments\":[{\"id\":\"A\",\"name\":\"A\",\"affinities\":"
                    "{\"types\":{\"cursus\":0.5,\"book\":2}}}]}");
    s = NULL;
    msg = NULL;
    CHECK(load_text(two, NULL, &s, &msg) == VP_ERR_INVALID);
    CHECK_CONTAINS(msg, at(two, ": segments[0].id:"));
    CHECK_CONTAINS(msg, at(two, ": segments[0].affinities.types.cursus: unknown type"));
    CHECK_CONTAINS(msg, at(two, ": segments[0].affinities.types.book: weight"));
    free(msg);

    /* A missing file. */
    char missing[512];
    snprintf(missing, sizeof missing, "%s/missing.json", tmpdir);
    msg = NULL;
    CHECK(load_text(missing, NULL, &s, &msg) == VP_ERR_NOT_FOUND);
    CHECK_CONTAINS(msg, missing);
    free(msg);
    CHECK(vp_segments_load(NULL, NULL, voc, &s, NULL) == VP_ERR_INVALID);
}

/* ---- the PC4 table ---- */

#define MODEL                                                                             \
    "{\"segments\":[{\"id\":\"alfa\",\"name\":\"Alfa\"," AFF "},"                         \
    "{\"id\":\"beta\",\"name\":\"Beta\"," AFF "},{\"id\":\"gamma\",\"name\":\"Gamma\"," AFF "}]}"

static const char *model_path;

/* Loads the model with `csv` as its table and expects VP_ERR_INVALID with
 * "FILE" + `expected` in the message. */
static void table_fails(const char *csv, const char *expected)
{
    const char *path = write_file("bad.csv", csv);
    vp_segments *s = NULL;
    char *msg = NULL;
    CHECK(load_text(model_path, path, &s, &msg) == VP_ERR_INVALID);
    CHECK(s == NULL);
    CHECK_CONTAINS(msg, at(path, expected));
    free(msg);
    vp_segments_destroy(s);
}

/* The shares of `pc4` in `s`, by segment id ("alfa=0.5 beta=0.25 ..."). */
static const char *shares_of(const vp_segments *s, const char *pc4)
{
    static char out[256];
    const vp_segment *segs[8];
    double shares[8];
    size_t n = vp_segments_for_postcode(s, pc4, segs, shares, 8);
    size_t len = 0;
    out[0] = '\0';
    for (size_t k = 0; k < n; k++)
        len += (size_t)snprintf(out + len, sizeof out - len, "%s%s=%.4g", k ? " " : "",
                                segs[k]->id, shares[k]);
    return out;
}

static void test_table(void)
{
    model_path = write_file("model.json", MODEL);

    /* Fractions, percentages, ';' with a decimal comma, BOM, CRLF, quotes,
     * blank lines and a spreadsheet's empty rows. */
    const char *good = write_file(
        "good.csv", "\xEF\xBB\xBF\"pc4\";\"alfa\";beta ; gamma\r\n"
                    "1234;0,5;0,25;0,25\r\n"
                    "\r\n"
                    "2345;50;30;20\r\n"
                    "3456; 0.6 ;\"0.4\";0\r\n"
                    ";;;\r\n"
                    "4567;0,2;0,2;0,2\r\n"
                    "5678;33;33;33\r\n");
    vp_segments *s = NULL;
    char *msg = NULL;
    CHECK(load_text(model_path, good, &s, &msg) == VP_OK);
    if (msg)
        fprintf(stderr, "%s\n", msg);
    free(msg);
    if (s) {
        CHECK_STR(shares_of(s, "1234"), "alfa=0.5 beta=0.25 gamma=0.25");
        CHECK_STR(shares_of(s, "2345"), "alfa=0.5 beta=0.3 gamma=0.2");
        CHECK_STR(shares_of(s, "3456"), "alfa=0.6 beta=0.4"); /* no zero shares */
        /* Fractions that sum to less than 1 cover part of the residents. */
        CHECK_STR(shares_of(s, "4567"), "alfa=0.3333 beta=0.3333 gamma=0.3333");
        CHECK_STR(shares_of(s, "5678"), "alfa=0.3333 beta=0.3333 gamma=0.3333");
        CHECK_STR(shares_of(s, "6789"), "");
        vp_segments_destroy(s);
    }
    const char *comma = write_file("comma.csv", "postcode,gamma,alfa\n1000,\"0.75\",0.25\n");
    s = NULL;
    CHECK(vp_segments_load(model_path, comma, voc, &s, NULL) == VP_OK);
    if (s)
        CHECK_STR(shares_of(s, "1000"), "gamma=0.75 alfa=0.25");
    vp_segments_destroy(s);

    /* Header problems. */
    table_fails("pc4,alfa,delta\n1234,0.5,0.5\n",
                ":1: unknown segment column \"delta\" (segments: alfa, beta, gamma)");
    table_fails("pc4,alfa,alfa\n1234,0.5,0.5\n", ":1: segment column \"alfa\" appears twice");
    table_fails("zip,alfa\n1234,1\n", ":1: header: the first column must be \"pc4\", not \"zip\"");
    table_fails("pc4\n1234\n", ":1: header: no segment columns");
    table_fails("pc4,alfa,,beta\n", ":1: header: column 3 has no name");
    table_fails("\n\npc4;alfa,beta\n1234;1\n",
                ":3: unknown segment column \"alfa,beta\" (segments: alfa, beta, gamma)");
    table_fails("", ":1: empty file: expected a header \"pc4,<segment id>,...\"");
    table_fails("pc4,alfa,beta\n", ": no PC4 rows");

    /* Row problems, each reported on its line (strict load). */
    table_fails("pc4,alfa,beta,gamma\n1234,x,0.5,0.5\n",
                ":2: alfa: share \"x\" is not a number");
    table_fails("pc4,alfa,beta,gamma\n1234,0.5,-0.5,0.5\n", ":2: beta: share -0.5 is negative");
    table_fails("pc4,alfa,beta,gamma\n1234,0,0,0\n", ":2: the shares sum to 0");
    table_fails("pc4,alfa,beta,gamma\n1234,1,0,0\n1234,0,1,0\n",
                ":3: duplicate PC4 1234 (first on line 2)");
    table_fails("pc4,alfa,beta,gamma\n0999,1,0,0\n",
                ":2: PC4 \"0999\" is not 4 digits from 1000 to 9999");
    table_fails("pc4,alfa,beta,gamma\n1234 AB,1,0,0\n",
                ":2: PC4 \"1234 AB\" is not 4 digits from 1000 to 9999");
    table_fails("pc4,alfa,beta,gamma\n,1,0,0\n", ":2: PC4 is missing");
    table_fails("pc4,alfa,beta,gamma\n1234,1,0\n", ":2: expected 4 fields like the header, got 3");
    table_fails("pc4,alfa,beta,gamma\n1234,1,,0\n", ":2: beta: share is missing");
    table_fails("pc4,alfa,beta,gamma\n1234,nan,0,1\n", ":2: alfa: share \"nan\" is not a number");
    table_fails("pc4,alfa,beta,gamma\n1234,40,30,20\n",
                ":2: the shares sum to 90: expected fractions (each at most 1, together at "
                "most 1) or percentages summing to 100");
    table_fails("pc4,alfa,beta,gamma\n1234,0.6,0.6,0.6\n", ":2: the shares sum to 1.8:");
    table_fails("pc4,alfa,beta,gamma\n1234,\"1\"x,0,0\n",
                ":2: text after the closing quote of field 2");
    table_fails("pc4,alfa,beta,gamma\n1234,1,0,\"0\n", ":2: the quoted field opened on line 2 is not closed");
    /* All problems of a row on one line; line numbers survive CRLF. */
    table_fails("pc4,alfa,beta,gamma\r\n1234,1,0,0\r\n12,x,-1,0\r\n",
                ":3: PC4 \"12\" is not 4 digits from 1000 to 9999; alfa: share \"x\" is not a "
                "number; beta: share -1 is negative");

    /* The importer: bad rows reported, valid rows written normalised. */
    const char *mixed = write_file("mixed.csv", "pc4,alfa,beta,gamma\n"
                                                "1234,0.5,0.25,0.25\n"
                                                "1235,abc,0.5,0.5\n"
                                                "1236,-0.1,0.6,0.5\n"
                                                "1237,0,0,0\n"
                                                "1234,0.2,0.3,0.5\n"
                                                "999,0.2,0.3,0.5\n"
                                                "1238,0.5,0.5\n"
                                                "1239,40,30,20\n"
                                                "1240,50,30,20\n"
                                                ",,,\n"
                                                "1244,0.99,0.02,0.01\n"
                                                "9999,\"0,1\",0,0\n");
    vp_segments *model = NULL;
    CHECK(vp_segments_load(model_path, NULL, voc, &model, NULL) == VP_OK);
    if (!model)
        return;
    char out_path[512], report_path[512];
    snprintf(out_path, sizeof out_path, "%s/out.csv", tmpdir);
    snprintf(report_path, sizeof report_path, "%s/report.txt", tmpdir);
    FILE *out = fopen(out_path, "w"), *report = fopen(report_path, "w");
    if (!out || !report)
        abort();
    size_t ok = 99, bad = 99;
    msg = NULL;
    CHECK(import_text(model, mixed, out, report, &ok, &bad, &msg) ==
          VP_ERR_INVALID);
    fclose(out);
    fclose(report);
    CHECK(ok == 4);
    CHECK(bad == 7);
    CHECK_STR(msg, at(mixed, ": 7 of 11 rows rejected"));
    free(msg);
    char *written = read_all(out_path), *reported = read_all(report_path);
    CHECK_STR(written, "pc4,alfa,beta,gamma\n"
                       "1234,0.5,0.25,0.25\n"
                       "1240,0.5,0.3,0.2\n"
                       "1244,0.970588,0.019608,0.009804\n"
                       "9999,1,0,0\n");
    char expected[4096];
    snprintf(expected, sizeof expected,
             "%s:3: alfa: share \"abc\" is not a number\n"
             "%s:4: alfa: share -0.1 is negative\n"
             "%s:5: the shares sum to 0\n"
             "%s:6: duplicate PC4 1234 (first on line 2)\n"
             "%s:7: PC4 \"999\" is not 4 digits from 1000 to 9999\n"
             "%s:8: expected 4 fields like the header, got 3\n"
             "%s:9: the shares sum to 90: expected fractions (each at most 1, together at most "
             "1) or percentages summing to 100\n",
             mixed, mixed, mixed, mixed, mixed, mixed, mixed);
    CHECK_STR(reported, expected);
    free(written);
    free(reported);

    /* Only checking: no output; the counts are the same. */
    ok = bad = 0;
    CHECK(vp_segments_import_postcodes(model, mixed, NULL, NULL, &ok, &bad, NULL) ==
          VP_ERR_INVALID);
    CHECK(ok == 4 && bad == 7);

    /* A valid file is VP_OK; every row bad is VP_ERR_INVALID with 0 ok. */
    ok = bad = 99;
    CHECK(vp_segments_import_postcodes(model, good, NULL, NULL, &ok, &bad, NULL) == VP_OK);
    CHECK(ok == 5 && bad == 0);
    const char *allbad = write_file("allbad.csv", "pc4,alfa\n1,1\n2,1\n");
    msg = NULL;
    CHECK(import_text(model, allbad, NULL, NULL, &ok, &bad, &msg) ==
          VP_ERR_INVALID);
    CHECK(ok == 0 && bad == 2);
    CHECK_STR(msg, at(allbad, ": 2 of 2 rows rejected"));
    free(msg);

    /* A bad header stops before any row; it is reported like a row. */
    const char *badhead = write_file("badhead.csv", "pc4,alfa,delta\n1234,1,0\n");
    report = fopen(report_path, "w");
    if (!report)
        abort();
    msg = NULL;
    CHECK(import_text(model, badhead, NULL, report, &ok, &bad, &msg) ==
          VP_ERR_INVALID);
    fclose(report);
    CHECK(ok == 0 && bad == 0);
    CHECK(msg != NULL);
    free(msg);
    reported = read_all(report_path);
    CHECK_STR(reported, at(badhead, ":1: unknown segment column \"delta\" (segments: alfa, "
                                    "beta, gamma)\n"));
    free(reported);

    /* A missing file. */
    char missing[512];
    snprintf(missing, sizeof missing, "%s/missing.csv", tmpdir);
    msg = NULL;
    CHECK(import_text(model, missing, NULL, NULL, &ok, &bad, &msg) ==
          VP_ERR_NOT_FOUND);
    CHECK_CONTAINS(msg, missing);
    free(msg);
    unlink(out_path);
    unlink(report_path);
    vp_segments_destroy(model);
}

/* Every problem is a vp_error entry with its place as fields: the file
 * and line of a PC4 row, the file and path of a segments.json value; past
 * the first 50, one last entry counts the rest. */
static void test_error_fields(void)
{
    const char *csv = write_file("fields.csv", "pc4,alfa,beta\n1234,0.5,0.5\n12,0.5,0.5\n");
    vp_segments *s = NULL;
    vp_error e = VP_ERROR_INIT;
    CHECK(vp_segments_load(model_path, csv, voc, &s, &e) == VP_ERR_INVALID);
    CHECK(e.status == VP_ERR_INVALID);
    CHECK_STR(e.file, csv);
    CHECK(e.line == 3);
    CHECK(e.path == NULL);
    CHECK_STR(e.message, "PC4 \"12\" is not 4 digits from 1000 to 9999");
    CHECK(e.next == NULL);
    vp_error_clear(&e);

    const char *json = write_file(
        "fields.json", "{\"segments\":[{\"id\":\"a\",\"name\":\"A\",\"affinities\":"
                       "{\"types\":{\"cursus\":0.5,\"book\":2}}}]}");
    CHECK(vp_segments_load(json, NULL, voc, &s, &e) == VP_ERR_INVALID);
    CHECK_STR(e.file, json);
    CHECK(e.line == 0);
    CHECK_STR(e.path, "segments[0].affinities.types.cursus");
    CHECK_CONTAINS(e.message, "unknown type (allowed: ");
    CHECK(e.next != NULL);
    if (e.next) {
        CHECK_STR(e.next->file, json);
        CHECK_STR(e.next->path, "segments[0].affinities.types.book");
        CHECK_STR(e.next->message, "weight must be a number from 0 to 1");
        CHECK(e.next->next == NULL);
    }
    vp_error_clear(&e);

    /* 60 unknown fields: 50 listed with their paths, 10 counted. */
    char many[4096] = "{\"segments\":[{\"id\":\"a\",\"name\":\"A\",\"affinities\":{}";
    for (int i = 0; i < 60; i++)
        snprintf(many + strlen(many), sizeof many - strlen(many), ",\"x%02d\":1", i);
    strcat(many, "}]}");
    json = write_file("many.json", many);
    CHECK(vp_segments_load(json, NULL, voc, &s, &e) == VP_ERR_INVALID);
    size_t n = 0;
    const vp_error *last = NULL;
    for (const vp_error *p = &e; p; p = p->next, n++) {
        if (n < 50) {
            char want[32];
            snprintf(want, sizeof want, "segments[0].x%02zu", n);
            CHECK_STR(p->path, want);
            CHECK_STR(p->file, json);
        }
        last = p;
    }
    CHECK(n == 51);
    if (last) {
        CHECK_STR(last->message, "(and 10 more problems)");
        CHECK(last->file == NULL && last->path == NULL);
    }
    vp_error_clear(&e);
    CHECK(s == NULL);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: test_segments SEGMENTS.json PC4-SEGMENTS.csv PROPOSITIONS.tsv\n");
        return 2;
    }
    snprintf(tmpdir, sizeof tmpdir, "%s/vp-segments-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    vp_error verr = VP_ERROR_INIT;
    if (vp_vocabulary_load(argv[3], &voc, &verr) != VP_OK) {
        vp_error_print(stderr, "vocabulary", &verr);
        vp_error_clear(&verr);
        return 1;
    }
    test_real_files(argv[1], argv[2]);
    test_json();
    test_table();
    test_error_fields();
    vp_vocabulary_destroy(voc);
    for (size_t i = 0; i < n_created; i++) {
        unlink(created[i]);
        free(created[i]);
    }
    rmdir(tmpdir);
    return check_done();
}
