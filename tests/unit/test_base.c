/* test_base.c - the engine's base layer through its public headers, with
 * golden values that must never move: the hash (FNV-1a 64, the published
 * test values) names shards and ids that are stored; UTF-8 and Windows-1252
 * characters; the buffer's sticky appends, printf and list items; vp_error;
 * the arena, rows by id, tables and growing arrays; the line-file reader
 * (line endings, skipped lines, the FILE:LINE of every refusal); the
 * calendar against known day numbers and a round trip over 4,000 years; the Amsterdam rule at every hour from 1996 to 2040 and
 * every minute around each change against the system's zone data (tzdata),
 * and at the hours people write; the CSV reader, row by row with the
 * line each starts on and what is wrong with it. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include <jansson.h>
#include <stddef.h>

#include "vindplaats/analysis.h"
#include "vindplaats/arena.h"
#include "vindplaats/buf.h"
#include "vindplaats/csv_reader.h"
#include "vindplaats/hash.h"
#include "vindplaats/lines.h"
#include "vindplaats/time.h"

static void test_hash(void)
{
    CHECK(vp_hash_str("") == 0xcbf29ce484222325ULL);
    CHECK(vp_hash_str(NULL) == 0xcbf29ce484222325ULL);
    CHECK(VP_HASH_INIT == 0xcbf29ce484222325ULL);
    CHECK(vp_hash_str("a") == 0xaf63dc4c8601ec8cULL);
    CHECK(vp_hash_str("foobar") == 0x85944171f73967e8ULL);
    /* Continued in pieces, the same as at once; bytes past a NUL count. */
    CHECK(vp_hash_add(vp_hash_str("foo"), "bar", 3) == 0x85944171f73967e8ULL);
    CHECK(vp_hash_add(VP_HASH_INIT, "foobar", 6) == 0x85944171f73967e8ULL);
    CHECK(vp_hash_add(VP_HASH_INIT, "title\0\0https://x", 17) == 0xbe80be9d46319832ULL);
    CHECK(vp_hash_add(VP_HASH_INIT, "", 0) == VP_HASH_INIT);
    /* The finaliser routes offerings to shards: its values are fixed too
     * (MurmurHash3's fmix64; 1 gives its published value). */
    CHECK(vp_hash_mix(0) == 0);
    CHECK(vp_hash_mix(1) == 0xb456bcfc34c2cb2cULL);
    CHECK(vp_hash_mix(vp_hash_str("foobar")) == 0x2c22194922d1672bULL);
}

static void test_text(void)
{
    char u[4];
    CHECK(vp_utf8_put(u, 'A') == 1 && u[0] == 'A');
    CHECK(vp_utf8_put(u, 0xE9) == 2 && memcmp(u, "\xC3\xA9", 2) == 0);
    CHECK(vp_utf8_put(u, 0x20AC) == 3 && memcmp(u, "\xE2\x82\xAC", 3) == 0);
    CHECK(vp_utf8_put(u, 0x1F600) == 4 && memcmp(u, "\xF0\x9F\x98\x80", 4) == 0);
    CHECK(vp_cp1252_char(0x80) == 0x20AC);
    CHECK(vp_cp1252_char(0x81) == 0xFFFD);
    CHECK(vp_cp1252_char(0x93) == 0x201C);
    CHECK(vp_cp1252_char(0x9F) == 0x0178);
    CHECK(vp_cp1252_char(0xE9) == 0xE9 && vp_cp1252_char('a') == 'a');

    /* Sticky appends: the first failure stays, later appends do nothing. */
    vp_buf b;
    vp_status st = VP_OK;
    vp_buf_init(&b, 4);
    vp_buf_adds(&b, &st, "abc");
    CHECK(st == VP_OK && b.len == 3);
    vp_buf_adds(&b, &st, "de");
    CHECK(st == VP_ERR_TOO_BIG);
    vp_buf_add(&b, &st, "f", 1);
    CHECK(st == VP_ERR_TOO_BIG && b.len == 3 && strcmp(b.data, "abc") == 0);
    vp_buf_free(&b);

    /* printf into a buffer past its small stack copy (256 bytes). */
    char long_word[700];
    memset(long_word, 'x', sizeof long_word - 1);
    long_word[sizeof long_word - 1] = '\0';
    vp_buf_init(&b, 4096);
    CHECK(vp_buf_printf(&b, "<%s|%d>", long_word, 42) == VP_OK);
    CHECK(b.len == 699 + 5 && b.data[0] == '<' && strcmp(b.data + 700, "|42>") == 0);
    vp_buf_free(&b);
}

/* No length limit: a long path is never cut. */
static void test_fail(void)
{
    char path[1500];
    memset(path, 'p', sizeof path - 1);
    path[sizeof path - 1] = '\0';
    vp_error e = VP_ERROR_INIT;
    CHECK(vp_error_set(&e, VP_ERR_NOT_FOUND, NULL, "%s: missing", path) == VP_ERR_NOT_FOUND);
    char *msg = vp_error_text(&e);
    CHECK(msg && strlen(msg) == sizeof path - 1 + 9);
    free(msg);
    vp_error_clear(&e);
    CHECK(vp_error_set(NULL, VP_ERR_INVALID, NULL, "no place for it") == VP_ERR_INVALID);
}

/* The text of `st`, `at` and `what` in the one form. */
static char *text_of(vp_status st, const vp_where *at, const char *what)
{
    vp_error e = VP_ERROR_INIT;
    vp_error_set(&e, st, at, "%s", what);
    char *t = vp_error_text(&e);
    vp_error_clear(&e);
    return t;
}

/* The place of a problem as fields, written in the one form. */
static void test_fail_at(void)
{
    const vp_where line = {"sources.ini", 12, NULL}, file = {"sources.ini", 0, NULL};
    const vp_where both = {"sources.ini", 12, "[source agenda]"}, path = {NULL, 0, "audience.min_age"};
    char *msg = text_of(VP_ERR_INVALID, &line, "url missing");
    CHECK_STR(msg, "sources.ini:12: url missing");
    free(msg);
    msg = text_of(VP_ERR_IO, &file, "could not be read");
    CHECK_STR(msg, "sources.ini: could not be read");
    free(msg);
    msg = text_of(VP_ERR_INVALID, &both, "url missing");
    CHECK_STR(msg, "sources.ini:12: [source agenda]: url missing");
    free(msg);
    msg = text_of(VP_ERR_INVALID, NULL, "no place");
    CHECK_STR(msg, "no place");
    free(msg);
    /* Several problems, one a line, each with its own place. */
    vp_error e = VP_ERROR_INIT;
    CHECK(vp_error_add(&e, VP_ERR_INVALID, &path, "must be %d or more", 0) == VP_ERR_INVALID);
    CHECK(vp_error_add(&e, VP_ERR_INVALID, &both, "kind missing") == VP_ERR_INVALID);
    CHECK(e.status == VP_ERR_INVALID && e.next && e.next->line == 12 && !e.next->next);
    msg = vp_error_text(&e);
    CHECK_STR(msg, "audience.min_age: must be 0 or more\n"
                   "sources.ini:12: [source agenda]: kind missing");
    free(msg);
    vp_error more = VP_ERROR_INIT;
    vp_error_set(&more, VP_ERR_INVALID, &line, "third");
    CHECK(vp_error_append(&e, &more) == VP_OK && more.status == VP_OK);
    CHECK(e.next && e.next->next && e.next->next->line == 12 && !e.next->next->next);
    vp_error_clear(&e);
    /* A buffer too small for the place takes nothing of it. */
    vp_buf b;
    vp_buf_init(&b, 8);
    CHECK(vp_buf_where(&b, &line) == VP_ERR_TOO_BIG);
    vp_buf_free(&b);
}

typedef struct row {
    int n;
    const char *id;
} row;

static void test_arena(void)
{
    vp_arena a = {0};
    CHECK(vp_arena_own(&a, NULL) == VP_ERR_NOMEM);
    char *x = vp_arena_strdup(&a, "een");
    CHECK_STR(x, "een");
    CHECK(vp_arena_own(&a, malloc(10)) == 0);
    CHECK(a.n == 2);
    vp_arena_free(&a); /* under ASan: nothing leaks, nothing is freed twice */
    CHECK(a.n == 0 && a.items == NULL);
    vp_arena_free(&a);

    row rows[] = {{1, "a"}, {2, NULL}, {3, "bc"}, {4, "a"}};
    const row *r = vp_rows_find(rows, 4, sizeof *rows, offsetof(row, id), "bc");
    CHECK(r == &rows[2]);
    r = vp_rows_find(rows, 4, sizeof *rows, offsetof(row, id), "a");
    CHECK(r == &rows[0]); /* the first */
    CHECK(vp_rows_find(rows, 4, sizeof *rows, offsetof(row, id), "b") == NULL);
    CHECK(vp_rows_find(rows, 2, sizeof *rows, offsetof(row, id), "bc") == NULL);
    CHECK(vp_rows_find(rows, 4, sizeof *rows, offsetof(row, id), NULL) == NULL);
    CHECK(vp_rows_find(NULL, 4, sizeof *rows, offsetof(row, id), "a") == NULL);
}

static void test_table(void)
{
    vp_table t = VP_TABLE_INIT(row, id);
    CHECK(vp_table_count(&t) == 0 && vp_table_count(NULL) == 0);
    for (int i = 0; i < 200; i++) { /* past the first room of 64, twice */
        row *r = vp_table_add(&t);
        CHECK(r && r->n == 0 && r->id == NULL); /* zeroed */
        if (!r)
            return;
        r->n = i;
        char name[16];
        snprintf(name, sizeof name, "r%d", i);
        r->id = vp_arena_strdup(&t.arena, name);
    }
    CHECK(vp_table_count(&t) == 200);
    const row *r = vp_table_get(&t, "r150");
    CHECK(r && r->n == 150);
    CHECK(vp_table_at(&t, 7) && ((const row *)vp_table_at(&t, 7))->n == 7);
    CHECK(vp_table_at(&t, 200) == NULL && vp_table_at(NULL, 0) == NULL);
    CHECK(vp_table_get(&t, "r200") == NULL && vp_table_get(NULL, "r1") == NULL);
    vp_table_free(&t); /* rows and the arena's strings: ASan says if any stay */
    CHECK(vp_table_count(&t) == 0);

    size_t alloc = 0;
    int *v = vp_grow(NULL, &alloc, 1, sizeof *v);
    CHECK(v && alloc == 64);
    int *same = vp_grow(v, &alloc, 64, sizeof *v);
    CHECK(same == v && alloc == 64);
    v = vp_grow(v, &alloc, 300, sizeof *v);
    CHECK(v && alloc == 512);
    size_t before = alloc;
    CHECK(vp_grow(v, &alloc, (size_t)-1, sizeof *v) == NULL && alloc == before);
    free(v);
}

static vp_status item(vp_buf *b, const char *sep, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vp_status st = vp_buf_vitem(b, sep, fmt, ap);
    va_end(ap);
    return st;
}

typedef struct seen {
    char text[256];
    unsigned n;
} seen;

static vp_status take_line(void *ctx, char *line, size_t len, const char **problem)
{
    seen *s = ctx;
    CHECK(strlen(line) == len);
    if (strcmp(line, "refuse") == 0) {
        *problem = "refused here";
        return VP_ERR_INVALID;
    }
    s->n++;
    strncat(s->text, line, sizeof s->text - strlen(s->text) - 2);
    strcat(s->text, "|");
    return VP_OK;
}

static char *write_file(const char *name, const char *text)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/vp-test-lines-%d-%s", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
             (int)getpid(), name);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

static void test_lines(void)
{
    vp_buf b;
    vp_buf_init(&b, 64);
    CHECK(item(&b, ", ", "%s", "een") == VP_OK && item(&b, ", ", "%d", 2) == VP_OK);
    CHECK_STR(b.data, "een, 2");
    vp_buf_free(&b);

    seen s = {{0}, 0};
    unsigned lines = 0;
    vp_error err = VP_ERROR_INIT;
    char *path = write_file("ok", "een\r\n  \n# opmerking\ntwee\n\ndrie");
    CHECK(vp_lines_read(path, 100, VP_LINES_SKIP_BLANK | VP_LINES_SKIP_COMMENTS, take_line, &s,
                        &lines, &err) == VP_OK);
    CHECK_STR(s.text, "een|twee|drie|");
    CHECK(lines == 6 && err.status == VP_OK && err.message == NULL);
    memset(&s, 0, sizeof s);
    CHECK(vp_lines_read(path, 100, 0, take_line, &s, NULL, NULL) == VP_OK);
    CHECK(s.n == 6); /* nothing skipped without the flags */
    remove(path);

    memset(&s, 0, sizeof s);
    path = write_file("refuse", "een\nrefuse\ndrie\n");
    CHECK(vp_lines_read(path, 100, 0, take_line, &s, &lines, &err) == VP_ERR_INVALID);
    CHECK(s.n == 1 && lines == 2);
    /* The file and line are fields, not only words in the text. */
    CHECK(err.status == VP_ERR_INVALID);
    CHECK_STR(err.file, path);
    CHECK(err.line == 2);
    CHECK_STR(err.message, "refused here");
    char *text = vp_error_text(&err);
    CHECK(text && strstr(text, path) && strstr(text, ":2: refused here"));
    free(text);
    vp_error_clear(&err);
    remove(path);

    path = write_file("long", "kort\n0123456789abcdef\n");
    CHECK(vp_lines_read(path, 10, 0, take_line, &s, NULL, &err) == VP_ERR_INVALID);
    CHECK(err.line == 2 && err.file && strcmp(err.file, path) == 0);
    CHECK_STR(err.message, "line too long");
    vp_error_clear(&err);
    remove(path);

    path = write_file("utf8", "goed\nfout \xff\n");
    CHECK(vp_lines_read(path, 100, VP_LINES_UTF8, take_line, &s, NULL, &err) == VP_ERR_INVALID);
    CHECK(err.line == 2);
    CHECK_STR(err.message, "not valid UTF-8");
    vp_error_clear(&err);
    remove(path);

    CHECK(vp_lines_read("/nonexistent/vp-lines", 100, 0, take_line, &s, NULL, &err) == VP_ERR_IO);
    CHECK_STR(err.file, "/nonexistent/vp-lines");
    CHECK(err.line == 0 && err.status == VP_ERR_IO && err.message != NULL);
    vp_error_clear(&err);
}

/* The error value: its parts are fields a caller reads as they are; the
 * text and JSON forms are written from them, the one way. */
static void test_error(void)
{
    vp_error e = VP_ERROR_INIT;
    const vp_where at = {"sources.ini", 12, "[source agenda]", NULL};
    CHECK(vp_error_set(&e, VP_ERR_INVALID, &at, "url %s", "missing") == VP_ERR_INVALID);
    CHECK(e.status == VP_ERR_INVALID);
    CHECK_STR(e.file, "sources.ini");
    CHECK(e.line == 12);
    CHECK_STR(e.path, "[source agenda]");
    CHECK_STR(e.message, "url missing");
    CHECK(e.parameter == NULL);
    char *t = vp_error_text(&e);
    CHECK_STR(t, "sources.ini:12: [source agenda]: url missing");
    free(t);
    CHECK_STR(vp_error_code(&e), "invalid");

    /* Setting again replaces; a request parameter is a field of its own
     * and names the JSON form's "parameter". */
    CHECK(vp_error_set(&e, VP_ERR_INVALID, &(vp_where){.parameter = "limit"},
                       "limit: must be %d or less", 100) == VP_ERR_INVALID);
    CHECK(e.file == NULL && e.line == 0 && e.path == NULL);
    CHECK_STR(e.parameter, "limit");
    CHECK_STR(vp_error_code(&e), "invalid_parameter");
    json_t *j = vp_error_json(&e);
    CHECK(j && json_is_object(j));
    CHECK_STR(json_string_value(json_object_get(j, "code")), "invalid_parameter");
    CHECK_STR(json_string_value(json_object_get(j, "parameter")), "limit");
    CHECK_STR(json_string_value(json_object_get(j, "message")), "limit: must be 100 or less");
    CHECK(json_object_get(j, "file") == NULL);
    json_decref(j);
    e.code = "unknown_parameter";
    CHECK_STR(vp_error_code(&e), "unknown_parameter");
    t = vp_error_text(&e);
    CHECK_STR(t, "limit: must be 100 or less");
    free(t);

    /* A status without a message still reads as words. */
    vp_error_clear(&e);
    CHECK(e.status == VP_OK && e.message == NULL && e.parameter == NULL);
    e.status = VP_ERR_NOMEM;
    t = vp_error_text(&e);
    CHECK_STR(t, "out of memory");
    free(t);
    CHECK_STR(vp_error_code(&e), "unavailable");
    CHECK(vp_error_set(NULL, VP_ERR_IO, &at, "x") == VP_ERR_IO);

}

static void test_civil(void)
{
    int64_t y;
    int m, d;
    CHECK(vp_days_from_civil(1970, 1, 1) == 0);
    CHECK(vp_days_from_civil(1969, 12, 31) == -1);
    CHECK(vp_days_from_civil(2000, 3, 1) == 11017);
    CHECK(vp_days_from_civil(2026, 12, 7) == 20794);
    CHECK(vp_days_from_civil(1, 1, 1) == -719162);
    CHECK(vp_days_from_civil(9999, 12, 31) == 2932896);
    vp_civil_from_days(-719162, &y, &m, &d);
    CHECK(y == 1 && m == 1 && d == 1);
    vp_civil_from_days(11016, &y, &m, &d); /* a leap day of a year divisible by 400 */
    CHECK(y == 2000 && m == 2 && d == 29);
    CHECK(vp_day_to_epoch(20261207) == 20794);
    CHECK(vp_day_from_epoch(20794) == 20261207);
    CHECK(vp_day_from_epoch(-1) == 19691231);
    /* Every day from year 0 to about 4160: back and forth, one day apart. */
    int bad = 0;
    int64_t py = 0;
    int pm = 0, pd = 0;
    for (int64_t z = -730000; z <= 800000 && bad < 5; z++) {
        vp_civil_from_days(z, &y, &m, &d);
        if (vp_days_from_civil(y, m, d) != z || m < 1 || m > 12 || d < 1 ||
            d > vp_days_in_month(y, m))
            bad++;
        if (z > -730000 && !(y == py && m == pm && d == pd + 1) &&
            !(d == 1 && ((y == py && m == pm + 1) || (y == py + 1 && m == 1 && pm == 12))))
            bad++;
        py = y;
        pm = m;
        pd = d;
    }
    CHECK(bad == 0);
    CHECK(vp_days_in_month(1900, 2) == 28 && vp_days_in_month(2000, 2) == 29 &&
          vp_days_in_month(2024, 2) == 29 && vp_days_in_month(2026, 4) == 30);
    CHECK(vp_day_valid(20240229) && !vp_day_valid(20230229) && !vp_day_valid(20261301) &&
          !vp_day_valid(9991231));
    CHECK(vp_epoch_day(0) == 0 && vp_epoch_day(86399) == 0 && vp_epoch_day(-1) == -1 &&
          vp_epoch_day(-86400) == -1 && vp_epoch_day(-86401) == -2);
}

/* The offset at `t` by the system's zone data, in seconds. */
static int zone_offset(time_t t, int *yyyymmdd)
{
    struct tm tm;
    localtime_r(&t, &tm);
    *yyyymmdd = (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
    int64_t local = vp_days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday) * 86400 +
                    tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
    return (int)(local - (int64_t)t);
}

static void test_amsterdam(void)
{
    /* The hours people write in agendas, around the changes of 2026/2027. */
    CHECK(vp_nl_wall_offset(2026, 1, 15, 12, 0) == 3600);
    CHECK(vp_nl_wall_offset(2026, 7, 1, 12, 0) == 7200);
    CHECK(vp_nl_wall_offset(2026, 3, 29, 1, 59) == 3600);
    CHECK(vp_nl_wall_offset(2026, 3, 29, 2, 30) == 3600); /* skipped: read as winter */
    CHECK(vp_nl_wall_offset(2026, 3, 29, 3, 0) == 7200);
    CHECK(vp_nl_wall_offset(2026, 3, 28, 23, 0) == 3600);
    CHECK(vp_nl_wall_offset(2026, 10, 25, 2, 30) == 7200); /* repeated: the first */
    CHECK(vp_nl_wall_offset(2026, 10, 25, 3, 0) == 3600);
    CHECK(vp_nl_wall_offset(2027, 3, 28, 12, 0) == 7200); /* last Sunday of March 2027 */
    CHECK(vp_nl_wall_offset(2027, 3, 27, 12, 0) == 3600);
    CHECK(vp_nl_wall_offset(2027, 10, 31, 12, 0) == 3600);
    CHECK(vp_nl_wall_offset(2027, 10, 30, 12, 0) == 7200);
    CHECK(vp_nl_wall_offset(2026, 12, 31, 23, 30) == 3600);
    CHECK(vp_nl_wall_offset(2027, 1, 1, 0, 30) == 3600);
    /* 2026-03-29 01:00 UTC and 2026-10-25 01:00 UTC, to the second. */
    CHECK(vp_nl_offset(1774746000 - 1) == 3600 && vp_nl_offset(1774746000) == 7200);
    CHECK(vp_nl_offset(1792890000 - 1) == 7200 && vp_nl_offset(1792890000) == 3600);
    CHECK(vp_nl_day(1774738799) == 20260328); /* 23:59:59 UTC+1 */
    CHECK(vp_nl_day(1774738800) == 20260329);
    CHECK(vp_nl_day(1798758000) == 20270101); /* 2026-12-31 23:00 UTC */

    /* Against the zone data: every hour 1996-2040, and every minute of
     * the two hours around each change. */
    if (setenv("TZ", "Europe/Amsterdam", 1) != 0) {
        CHECK(!"setenv");
        return;
    }
    tzset();
    int day, ours, theirs, bad = 0, changes = 0;
    int64_t from = vp_days_from_civil(1996, 1, 1) * 86400, to = vp_days_from_civil(2040, 1, 1) * 86400;
    int before = zone_offset((time_t)from, &day);
    CHECK(before == 3600); /* else the zone data is missing: the check would prove nothing */
    for (int64_t t = from; t < to && bad < 5; t += 3600) {
        theirs = zone_offset((time_t)t, &day);
        ours = vp_nl_offset(t);
        if (ours != theirs || vp_nl_day(t) != day)
            bad++;
        if (theirs != before) {
            changes++;
            for (int64_t u = t - 7200; u <= t + 3600; u += 60) {
                if (vp_nl_offset(u) != zone_offset((time_t)u, &day) || vp_nl_day(u) != day)
                    bad++;
            }
        }
        before = theirs;
    }
    CHECK(bad == 0);
    CHECK(changes == 2 * 44);
}

/* Reads `text` with `d` and writes each row as "LINE:field|field|..." (a
 * defect as "LINE!defect", a blank row as "LINE:-") on one line of out. */
static const char *rows_of(const char *text, size_t len, const vp_csv_dialect *d)
{
    static char out[2048];
    size_t n = 0;
    out[0] = '\0';
    vp_csv_reader *r = NULL;
    vp_error err = VP_ERROR_INIT;
    if (vp_csv_reader_create(text, len, d, &r, &err) != VP_OK) {
        snprintf(out, sizeof out, "error: %s", err.message);
        vp_error_clear(&err);
        return out;
    }
    int got;
    while (vp_csv_next(r, &got) == VP_OK && got && n < sizeof out - 200) {
        if (vp_csv_defect(r)) {
            n += (size_t)snprintf(out + n, sizeof out - n, "%zu!%s\n", vp_csv_line(r), vp_csv_defect(r));
            continue;
        }
        if (vp_csv_blank(r)) {
            n += (size_t)snprintf(out + n, sizeof out - n, "%zu:-\n", vp_csv_line(r));
            continue;
        }
        n += (size_t)snprintf(out + n, sizeof out - n, "%zu:", vp_csv_line(r));
        for (size_t i = 0; i < vp_csv_count(r); i++)
            n += (size_t)snprintf(out + n, sizeof out - n, "%s%s%s", i ? "|" : "", vp_csv_quoted(r, i) ? "q" : "",
                                  vp_csv_field(r, i));
        n += (size_t)snprintf(out + n, sizeof out - n, "\n");
    }
    vp_csv_reader_destroy(r);
    return out;
}

#define ROWS(text, d) rows_of(text, sizeof text - 1, d)

static void test_csv_reader(void)
{
    vp_csv_dialect comma = {',', '"', 0, 0};
    /* a BOM, CRLF, a quoted line break and doubled quotes: the row after
     * the quoted line break starts on line 4 */
    CHECK_STR(ROWS("\xEF\xBB\xBFid,titel\r\n1,\"Het \"\"Diner\"\"\nleesclub\"\r\n2,x\r\n", &comma),
              "1:id|titel\n2:1|qHet \"Diner\"\nleesclub\n4:2|x\n");
    /* LF, CR alone, no line end at the end; empty fields; blank lines */
    CHECK_STR(ROWS("a,b\n\n,\r3,4", &comma), "1:a|b\n2:-\n3:-\n4:3|4\n");
    /* a quote inside an unquoted field is text; blanks before an opening
     * quote and after a closing one are not part of the field */
    CHECK_STR(ROWS("5 \"inch\", \"a,b\" ,c\n", &comma), "1:5 \"inch\"|qa,b|c\n");
    /* defects: the row is still returned, with its line, and reading goes on */
    CHECK_STR(ROWS("a,\"b\"x,c\nd,e\n", &comma), "1!text after the closing quote of field 2\n2:d|e\n");
    CHECK_STR(ROWS("a,b\nc,\"d\ne\n", &comma), "1:a|b\n2!the quoted field opened on line 2 is not closed\n");
    CHECK_STR(rows_of("a,b\0c\nd\n", 8, &comma), "1!field 2 contains a NUL byte\n2:d\n");
    vp_csv_dialect small = {',', '"', 4, 3};
    CHECK_STR(ROWS("abcd,\"abcd\"\nabcde,x\n\"abcde\"\na,b,c,d\n", &small),
              "1:abcd|qabcd\n2!field 1 longer than 4 bytes\n3!field 1 longer than 4 bytes\n"
              "4!more than 3 fields\n");
    /* the delimiter from the first row: ';' here, so ',' is text after it */
    vp_csv_dialect detect = {0, '"', 0, 0};
    CHECK_STR(ROWS("\"pc4\";alfa,beta\n1234;0,5\n", &detect), "1:qpc4|alfa,beta\n2:1234|0,5\n");
    CHECK_STR(ROWS("pc4,alfa;beta\n", &detect), "1:pc4|alfa;beta\n");
    /* no quoting: quotes are text */
    vp_csv_dialect tab = {'\t', 0, 0, 0};
    CHECK_STR(ROWS("\"a\tb\"\n", &tab), "1:\"a|b\"\n");
    /* bad dialects, and nothing at all */
    vp_csv_dialect bad = {'\n', '"', 0, 0};
    CHECK_CONTAINS(ROWS("a", &bad), "error: delimiter and quote must differ");
    vp_csv_dialect same = {'"', '"', 0, 0};
    CHECK_CONTAINS(ROWS("a", &same), "error: ");
    CHECK_STR(ROWS("", &comma), "");
}

int main(void)
{
    test_hash();
    test_text();
    test_fail();
    test_fail_at();
    test_error();
    test_arena();
    test_table();
    test_lines();
    test_civil();
    test_amsterdam();
    test_csv_reader();
    return check_done();
}
