/* test_ical.c - the iCalendar connector (indexer/ical.c) on real calendars
 * (argv[1] = tests/data/realdata, the ical/ subfolder: python-icalendar
 * and ical.js test files) and hand-written ones (argv[2] = tests/data/ical).
 *
 * Every record any test sees is also made into an offering (id, type and
 * source added, '_' hints removed) and must pass vp_offering_parse(). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "check.h"
#include "connector_text.h"
#include "vindplaats/ical.h"
#include "vindplaats/offering.h"

static const char *realdata, *handmade;

#define MAX_ITEMS 64

typedef struct got {
    int n_rec, n_rej;
    char *ids[MAX_ITEMS];
    char *wheres[MAX_ITEMS];
    json_t *recs[MAX_ITEMS];
    char *rej_where[MAX_ITEMS];
    char *rej_msg[MAX_ITEMS];
    int stop_after; /* > 0: ask the parser to stop after this many */
    int offering_failures;
} got;

/* The record must be a valid offering once normalisation has added what
 * the connector must not invent. */
static void check_offering(got *g, const char *id, json_t *fields)
{
    json_t *o = json_deep_copy(fields);
    const char *key;
    json_t *v;
    void *tmp;
    json_object_foreach_safe(o, tmp, key, v) {
        if (key[0] == '_')
            json_object_del(o, key);
    }
    char full[600];
    snprintf(full, sizeof full, "t:%s", id);
    json_object_set_new(o, "id", json_string(full));
    json_object_set_new(o, "type", json_string("event"));
    json_object_set_new(o, "source", json_string("t"));
    char *s = json_dumps(o, JSON_COMPACT);
    vp_offering *off = NULL;
    vp_error msg = VP_ERROR_INIT;
    if (vp_offering_parse(s, strlen(s), NULL, &off, &msg) != VP_OK) {
        vp_error_print(stderr, "not a valid offering", &msg);
        fprintf(stderr, "%s\n", s);
        g->offering_failures++;
    }
    vp_offering_destroy(off);
    vp_error_clear(&msg);
    free(s);
    json_decref(o);
}

static int on_record(void *ctx, const char *local_id, json_t *fields, const char *where)
{
    got *g = ctx;
    CHECK(local_id && *local_id);
    CHECK(where && *where);
    check_offering(g, local_id, fields);
    if (g->n_rec < MAX_ITEMS) {
        g->ids[g->n_rec] = strdup(local_id);
        g->wheres[g->n_rec] = strdup(where);
        g->recs[g->n_rec] = fields;
        g->n_rec++;
    } else {
        json_decref(fields);
    }
    return g->stop_after > 0 && g->n_rec >= g->stop_after;
}

static int on_deleted(void *ctx, const char *local_id, const char *where)
{
    (void)ctx;
    (void)local_id;
    (void)where;
    CHECK(!"iCalendar has no deletions");
    return 0;
}

static void on_reject(void *ctx, const char *where, const char *message)
{
    got *g = ctx;
    CHECK(where && *where && message && *message);
    if (g->n_rej < MAX_ITEMS) {
        g->rej_where[g->n_rej] = strdup(where);
        g->rej_msg[g->n_rej] = strdup(message);
        g->n_rej++;
    }
}

static void got_free(got *g)
{
    for (int i = 0; i < g->n_rec; i++) {
        free(g->ids[i]);
        free(g->wheres[i]);
        json_decref(g->recs[i]);
    }
    for (int i = 0; i < g->n_rej; i++) {
        free(g->rej_where[i]);
        free(g->rej_msg[i]);
    }
    memset(g, 0, sizeof *g);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        return NULL;
    }
    char *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 65536;
            buf = realloc(buf, cap + 1);
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
    }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Parses `dir`/`name` with the window [from, to] (UTC epoch seconds). */
static vp_status parse_file(got *g, const char *dir, const char *name, long long from,
                            long long to, const char *deftz)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    size_t len = 0;
    char *data = slurp(path, &len);
    CHECK(data != NULL);
    if (!data)
        return VP_ERR_IO;
    vp_ical_options opt = {from, to, deftz};
    vp_emit emit = {g, on_record, on_deleted, on_reject};
    char *err = NULL;
    vp_status st = ical_parse_text(data, len, &opt, &emit, &err);
    if (st == VP_OK)
        CHECK(err == NULL);
    free(err);
    free(data);
    CHECK(g->offering_failures == 0);
    return st;
}

static json_t *rec(const got *g, const char *id)
{
    for (int i = 0; i < g->n_rec; i++)
        if (strcmp(g->ids[i], id) == 0)
            return g->recs[i];
    fprintf(stderr, "no record %s\n", id);
    return NULL;
}

static const char *str(json_t *r, const char *key)
{
    return json_string_value(json_object_get(r, key));
}

static size_t n_occ(json_t *r)
{
    return json_array_size(json_object_get(r, "occurrences"));
}

static const char *occ(json_t *r, size_t i, const char *key)
{
    return json_string_value(json_object_get(json_array_get(json_object_get(r, "occurrences"), i), key));
}

static const char *rej_msg_at(const got *g, const char *where_part)
{
    for (int i = 0; i < g->n_rej; i++)
        if (strstr(g->rej_where[i], where_part))
            return g->rej_msg[i];
    fprintf(stderr, "no reject at %s\n", where_part);
    return NULL;
}

#define Y2000 946684800LL
#define Y2030 1893456000LL
#define OCT2012 1349049600LL
#define NOV2012 1351728000LL
#define JAN2013 1356998400LL
#define DEC2026 1796083200LL
#define JAN2028 1830297600LL

/* ------------------------------------------------------------ real files */

static void test_recur_instances(void)
{
    got g = {0};
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/ical/ical.js", realdata);
    CHECK(parse_file(&g, dir, "recur_instances.ics", OCT2012, JAN2013, NULL) == VP_OK);
    CHECK(g.n_rec == 1);
    CHECK(g.n_rej == 0);
    json_t *r = rec(&g, "623c13c0-6c2b-45d6-a12b-c33ad61c4868");
    CHECK(r != NULL);
    if (r) {
        CHECK_STR(str(r, "title"), "Crazy Event Thingy!");
        CHECK_STR(str(r, "description"), "IAM FOO"); /* the series', not the override's */
        CHECK_STR(str(r, "_location"), "PLACE");
        CHECK_STR(str(r, "updated"), "2012-09-12T17:15:06Z");
        /* 10-02 moved from 10:00 to 15:00 by an override; the RDATE
         * 11-05 10:00 PST (= 18:00Z) moved to 11-06 20:00; the RRULE's
         * 11-06 and the RDATEs 11-10 and 11-30 stay; EXDATE 12-04 goes */
        CHECK(n_occ(r) == 5);
        CHECK_STR(occ(r, 0, "start"), "2012-10-02T15:00:00-07:00");
        CHECK_STR(occ(r, 0, "end"), "2012-10-02T15:30:00-07:00");
        CHECK_STR(occ(r, 1, "start"), "2012-11-06T10:00:00-08:00");
        CHECK_STR(occ(r, 2, "start"), "2012-11-06T20:00:00-08:00");
        CHECK_STR(occ(r, 3, "start"), "2012-11-10T10:00:00-08:00");
        CHECK_STR(occ(r, 4, "start"), "2012-11-30T10:00:00-08:00");
        CHECK_STR(str(r, "start"), "2012-10-02T15:00:00-07:00");
    }
    got_free(&g);

    /* later: the monthly rule on, and the RDATE 2023-11-23 and PERIOD */
    CHECK(parse_file(&g, dir, "recur_instances.ics", 1698796800LL /* 2023-11-01 */,
                     1701388800LL /* 2023-12-01 */, NULL) == VP_OK);
    r = rec(&g, "623c13c0-6c2b-45d6-a12b-c33ad61c4868");
    CHECK(r && n_occ(r) == 3);
    if (r) {
        CHECK_STR(occ(r, 0, "start"), "2023-11-07T10:00:00-08:00");
        CHECK_STR(occ(r, 1, "start"), "2023-11-23T10:00:00+01:00");
        CHECK_STR(occ(r, 1, "end"), "2023-11-23T10:30:00+01:00");
        CHECK_STR(occ(r, 2, "start"), "2023-11-25T10:00:00+01:00");
        CHECK_STR(occ(r, 2, "end"), "2023-11-25T13:30:00+01:00");
    }
    got_free(&g);

    CHECK(parse_file(&g, dir, "recur_instances_finite.ics", Y2000, Y2030, NULL) == VP_OK);
    r = rec(&g, "623c13c0-6c2b-45d6-a12b-c33ad61c4868");
    CHECK(r && n_occ(r) == 5);
    if (r) {
        CHECK_STR(occ(r, 1, "start"), "2012-11-05T10:00:00-08:00");
        CHECK_STR(occ(r, 4, "start"), "2012-12-04T10:00:00-08:00");
    }
    got_free(&g);
}

static void test_daily_and_dst(void)
{
    got g = {0};
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/ical/ical.js", realdata);
    CHECK(parse_file(&g, dir, "daily_recur.ics", NOV2012, NOV2012 + 9 * 86400 - 3600, NULL) ==
          VP_OK);
    json_t *r = rec(&g, "tgh9qho17b07pk2n2ji3gluans@google.com");
    CHECK(r != NULL);
    if (r) {
        CHECK(n_occ(r) == 9); /* Nov 1 .. Nov 9, 05:00 Los Angeles */
        CHECK_STR(occ(r, 0, "start"), "2012-11-01T05:00:00-07:00");
        CHECK_STR(occ(r, 2, "start"), "2012-11-03T05:00:00-07:00");
        CHECK_STR(occ(r, 3, "start"), "2012-11-04T05:00:00-08:00");
        CHECK_STR(occ(r, 3, "end"), "2012-11-04T06:00:00-08:00");
        CHECK_STR(str(r, "start"), "2012-11-01T05:00:00-07:00");
        CHECK_STR(str(r, "title"), "Every day recurring");
        CHECK(json_object_get(r, "description") == NULL); /* DESCRIPTION: empty */
        CHECK(json_object_get(r, "_location") == NULL);
    }
    got_free(&g);

    /* an unbounded rule is cut at 1000 occurrences */
    CHECK(parse_file(&g, dir, "daily_recur.ics", Y2000, Y2030, NULL) == VP_OK);
    r = rec(&g, "tgh9qho17b07pk2n2ji3gluans@google.com");
    CHECK(r && n_occ(r) == 1000);
    got_free(&g);

    /* weekdays, all day: end = the same day (DTEND exclusive) */
    CHECK(parse_file(&g, dir, "day_long_recur_yearly.ics", 1343779200LL /* 2012-08-01 */,
                     1343779200LL + 14 * 86400, NULL) == VP_OK);
    r = rec(&g, "4pfh824gvims850j0gar361t04@google.com");
    /* 03, 06-10, 13-15: the 15th starts at midnight in Amsterdam, which
     * is 14 Aug 22:00 UTC, inside the window */
    CHECK(r && n_occ(r) == 9);
    if (r) {
        CHECK_STR(occ(r, 0, "start"), "2012-08-03");
        CHECK_STR(occ(r, 0, "end"), "2012-08-03");
        CHECK_STR(occ(r, 1, "start"), "2012-08-06");
        CHECK_STR(occ(r, 8, "start"), "2012-08-15");
    }
    got_free(&g);

    CHECK(parse_file(&g, dir, "multiple_rrules.ics", Y2000, Y2030, NULL) == VP_OK);
    r = rec(&g, "1334F9B7-6136-444E-A58D-472564C6AA73");
    CHECK(r && n_occ(r) == 36); /* 18 Mondays and 18 Sundays up to UNTIL */
    if (r) {
        CHECK_STR(occ(r, 1, "start"), "2012-04-01T11:00:00-07:00");
        CHECK_STR(occ(r, 35, "start"), "2012-07-29T11:00:00-07:00");
        CHECK_STR(str(r, "title"), "sahaja <> frashed");
    }
    got_free(&g);
}

static void test_google_and_dates(void)
{
    got g = {0};
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/ical/ical.js", realdata);
    CHECK(parse_file(&g, dir, "google_birthday.ics", Y2000, Y2030, NULL) == VP_OK);
    CHECK(g.n_rec == 2);
    /* only overrides (RECURRENCE-ID) for this UID: each counts */
    json_t *r = rec(&g, "BIRTHDAY_79d389868f96182e@google.com");
    CHECK(r && n_occ(r) == 3);
    if (r) {
        CHECK_STR(str(r, "title"), "PErson #2's birthday");
        CHECK_STR(occ(r, 0, "start"), "2012-12-10");
        CHECK_STR(occ(r, 0, "end"), "2012-12-10");
        CHECK_STR(occ(r, 2, "start"), "2014-12-10");
        CHECK_STR(str(r, "description"), "Today is PErson #2's birthday!");
    }
    /* "RDATE:20131210Z" cannot be read; COUNT=1 leaves DTSTART */
    r = rec(&g, "2014_BIRTHDAY_79d389868f96182e@google.com");
    CHECK(r && n_occ(r) == 1);
    if (r)
        CHECK_STR(str(r, "start"), "2014-12-10");
    got_free(&g);

    CHECK(parse_file(&g, dir, "duration_instead_of_dtend.ics", Y2000, Y2030, NULL) == VP_OK);
    r = rec(&g, "dn4vrfmfn5p05roahsopg57h48@example.com");
    CHECK(r != NULL);
    if (r) {
        CHECK_STR(str(r, "start"), "2012-06-30T06:00:00-07:00");
        CHECK_STR(str(r, "end"), "2012-07-01T06:00:00-07:00");
    }
    got_free(&g);

    CHECK(parse_file(&g, dir, "only_dtstart_date.ics", Y2000, Y2030, NULL) == VP_OK);
    r = rec(&g, "dn4vrfmfn5p05roahsopg57h48@example.com");
    CHECK(r != NULL);
    if (r) {
        CHECK_STR(str(r, "start"), "2012-06-30");
        CHECK(json_object_get(r, "end") == NULL);
    }
    got_free(&g);

    CHECK(parse_file(&g, dir, "forced_types.ics", Y2000, Y2030, NULL) == VP_OK);
    r = rec(&g, "redgrb1l0aju5edm6h0s102eu4@google.com");
    CHECK(r && r && str(r, "end") && strcmp(str(r, "end"), "2012-09-04") == 0);
    got_free(&g);

    CHECK(parse_file(&g, dir, "utc_negative_zero.ics", Y2000, Y2030, NULL) == VP_OK);
    r = rec(&g, "d118e997-3683-4552-8fe8-57c641f1f179");
    CHECK(r && str(r, "start") && strcmp(str(r, "start"), "2012-08-21T21:00:00+00:00") == 0);
    got_free(&g);

    /* no SUMMARY: rejected with where it is */
    CHECK(parse_file(&g, dir, "rdate_exdate.ics", Y2000, Y2030, NULL) == VP_OK);
    CHECK(g.n_rec == 0 && g.n_rej == 1);
    CHECK_STR(rej_msg_at(&g, "VEVENT 1 (line 2, UID 123)"), "no SUMMARY");
    got_free(&g);

    /* calendars without events, blank lines, junk around them */
    static const char *const empty[] = {"blank_line_mid.ics", "blank_line_end.ics",
                                        "newline_junk.ics", "multiple_root_components.ics",
                                        "property_params.ics", "quoted_params.ics",
                                        "unfold_properties.ics"};
    for (size_t i = 0; i < sizeof empty / sizeof empty[0]; i++) {
        CHECK(parse_file(&g, dir, empty[i], Y2000, Y2030, NULL) == VP_OK);
        CHECK(g.n_rec == 0 && g.n_rej == 0);
        got_free(&g);
    }
}

static void test_python_icalendar(void)
{
    got g = {0};
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/ical/python-icalendar", realdata);

    /* Podio: TAB folding, an ALTREP with a data: URL, junk after END */
    CHECK(parse_file(&g, dir, "issue_350.ics", Y2000, Y2030, NULL) == VP_OK);
    json_t *r = rec(&g, "20055546456446");
    CHECK(g.n_rec == 1 && r);
    if (r) {
        CHECK_STR(str(r, "title"), "Termin 4353 und\"so\"");
        CHECK_STR(str(r, "url"),
                  "https://podio.com/xxxxxxyyyyyy/zpodio-testgelande/apps/calendar/items/5");
        CHECK_STR(str(r, "description"), "Toller Termin f\xc3\xbcrmal zu\"gucken\"und so");
        CHECK_STR(str(r, "_location"), "online");
        CHECK_STR(str(r, "start"), "2022-02-22T19:30:00+01:00"); /* 18:30Z in Amsterdam */
        CHECK_STR(str(r, "updated"), "2022-02-20T14:28:21Z");
    }
    got_free(&g);

    CHECK(parse_file(&g, dir, "issue_127_categories_with_commas.ics", Y2000, Y2030, NULL) ==
          VP_OK);
    r = rec(&g, "issue-127-test@example.com");
    CHECK(r && json_array_size(json_object_get(r, "_categories")) == 3);
    if (r) {
        json_t *c = json_object_get(r, "_categories");
        CHECK_STR(json_string_value(json_array_get(c, 0)), "Meeting, John");
        CHECK_STR(json_string_value(json_array_get(c, 1)), "Work, Sarah");
        CHECK_STR(json_string_value(json_array_get(c, 2)), "Project");
        CHECK(json_object_get(r, "_age") == NULL);
    }
    got_free(&g);

    /* Thunderbird: blank lines between folded parts, two VCALENDARs */
    CHECK(parse_file(&g, dir, "multiple_calendar_components.ics", Y2000, Y2030, NULL) == VP_OK);
    CHECK(g.n_rec == 3);
    r = rec(&g, "956630271");
    CHECK(r != NULL);
    if (r) {
        CHECK_STR(str(r, "title"), "Christmas Day");
        CHECK_STR(str(r, "start"), "2003-12-25");
        CHECK_STR(str(r, "end"), "2003-12-25");
        CHECK_STR(str(r, "updated"), "2002-04-30T11:49:37Z");
    }
    r = rec(&g, "911737808");
    CHECK(r && str(r, "title") && strcmp(str(r, "title"), "Boxing Day") == 0);
    got_free(&g);

    /* EXDATEs one per line, no UID: a stable hashed id */
    CHECK(parse_file(&g, dir, "event_with_recurrence_exdates_on_different_lines.ics", Y2000,
                     Y2030, NULL) == VP_OK);
    CHECK(g.n_rec == 1);
    char *first_id = g.n_rec ? strdup(g.ids[0]) : NULL;
    if (g.n_rec) {
        r = g.recs[0];
        CHECK(strncmp(g.ids[0], "nouid-", 6) == 0);
        CHECK_STR(g.wheres[0], "VEVENT 1 (line 1)");
        CHECK(n_occ(r) == 10); /* 15 Tuesdays until 07-03, 5 excluded */
        CHECK_STR(occ(r, 0, "start"), "2012-03-27T10:00:00+02:00");
        CHECK_STR(occ(r, 1, "start"), "2012-04-24T10:00:00+02:00");
        CHECK_STR(occ(r, 9, "start"), "2012-07-03T10:00:00+02:00");
        CHECK_STR(occ(r, 9, "end"), "2012-07-03T18:00:00+02:00");
    }
    got_free(&g);
    CHECK(parse_file(&g, dir, "event_with_recurrence_exdates_on_different_lines.ics", Y2000,
                     Y2030, NULL) == VP_OK);
    CHECK(g.n_rec == 1 && first_id && strcmp(g.ids[0], first_id) == 0);
    free(first_id);
    got_free(&g);

    /* Exchange: a TZID with spaces and slashes, BYDAY with spaces */
    CHECK(parse_file(&g, dir, "issue_165_missing_event.ics", Y2000, Y2030, NULL) == VP_OK);
    CHECK(g.n_rec == 1);
    if (g.n_rec) {
        r = g.recs[0];
        CHECK_STR(str(r, "title"), "Sprint 25 Daily Standup");
        CHECK(n_occ(r) == 14);
        CHECK_STR(occ(r, 0, "start"), "2015-07-03T10:00:00+02:00");
        CHECK_STR(occ(r, 13, "start"), "2015-07-22T10:00:00+02:00"); /* UNTIL 08:00Z */
    }
    got_free(&g);

    /* khal/Lotus: a moved instance only, with RDATE;VALUE=PERIOD and a
     * quoted TZID of its own VTIMEZONE */
    CHECK(parse_file(&g, dir, "issue_156_RDATE_with_PERIOD_TZID_khal_2.ics", Y2000, Y2030,
                     NULL) == VP_OK);
    r = rec(&g, "BF5109494E67AAE20025875100566D31-Lotus_Notes_Generated");
    CHECK(r && n_occ(r) == 4);
    if (r) {
        CHECK_STR(occ(r, 1, "start"), "2021-12-06T16:00:00+01:00");
        CHECK_STR(occ(r, 1, "end"), "2021-12-06T16:30:00+01:00");
        CHECK_STR(occ(r, 3, "start"), "2022-02-07T16:00:00+01:00");
    }
    got_free(&g);

    /* TZIDs without VTIMEZONE (libical's own zones), events without DTSTART */
    CHECK(parse_file(&g, dir, "issue_722_missing_timezones.ics", Y2000, Y2030, NULL) == VP_OK);
    CHECK(g.n_rec == 1 && g.n_rej == 2);
    if (g.n_rec) {
        r = g.recs[0];
        CHECK_STR(str(r, "title"), "an event with a custom tz name");
        CHECK(n_occ(r) == 2);
        CHECK_STR(occ(r, 0, "start"), "2014-08-29T08:00:00-04:00");
        CHECK_STR(occ(r, 0, "end"), "2014-08-29T11:00:00-04:00"); /* 08:00 Los Angeles */
        CHECK_STR(occ(r, 1, "start"), "2024-09-13T12:00:00+02:00");
        CHECK_STR(occ(r, 1, "end"), "2024-09-13T14:00:00+02:00");
    }
    CHECK_STR(rej_msg_at(&g, "VEVENT 2 (line 9)"), "no DTSTART");
    CHECK_STR(rej_msg_at(&g, "VEVENT 3 (line 15)"), "no DTSTART");
    got_free(&g);

    CHECK(parse_file(&g, dir, "parsing_error.ics", Y2000, Y2030, NULL) == VP_OK);
    CHECK(g.n_rec == 0 && g.n_rej == 2);
    CHECK_STR(rej_msg_at(&g, "VEVENT 1 (line 6)"), "no SUMMARY");
    CHECK_CONTAINS(rej_msg_at(&g, "VEVENT 2 (line 13)"), "EXDATE: ");
    got_free(&g);

    CHECK(parse_file(&g, dir, "issue_218_bad_tzid.ics", Y2000, Y2030, NULL) == VP_OK);
    r = rec(&g, "1961094_636238800000000000");
    CHECK(r && str(r, "start") && strcmp(str(r, "start"), "2017-02-28T23:00:00+11:00") == 0);
    got_free(&g);

    CHECK(parse_file(&g, dir, "issue_104_broken_calendar.ics", Y2000, Y2030, NULL) == VP_OK);
    CHECK(g.n_rec == 1 && g.n_rej == 0);
    if (g.n_rec)
        CHECK_STR(str(g.recs[0], "title"), "Broken Eevnt");
    got_free(&g);

    CHECK(parse_file(&g, dir, "x_location.ics", 1475280000LL /* 2016-10-01 */,
                     1478131200LL /* 2016-11-03 */, NULL) == VP_OK);
    r = rec(&g, "BFE33ADD-5553-48B5-B5A5-F9DA5CA4C393");
    CHECK(r && n_occ(r) == 4); /* Fri 28, Mon 31, Tue 1, Wed 2 */
    if (r) {
        CHECK_STR(str(r, "title"), "Daily Sync");
        CHECK_STR(occ(r, 0, "start"), "2016-10-28T14:00:00+02:00");
        CHECK_STR(occ(r, 1, "start"), "2016-10-31T14:00:00+01:00"); /* after the DST change */
        CHECK_STR(str(r, "_location"), "Roadstar 16 12764 Happyville Denmark");
    }
    got_free(&g);

    CHECK(parse_file(&g, dir, "alarm_google_future.ics", Y2000, Y2030, NULL) == VP_OK);
    r = rec(&g, "79fs7pkqvht9m5igs0vjv1sfra@google.com");
    CHECK(r != NULL);
    if (r) {
        CHECK_STR(str(r, "start"), "2024-10-04T20:15:00+02:00"); /* UTC shown in Amsterdam */
        CHECK_STR(str(r, "end"), "2024-10-04T21:00:00+02:00");
        CHECK_STR(str(r, "updated"), "2024-10-04T17:59:28Z");
    }
    got_free(&g);
    /* the same with another default zone */
    CHECK(parse_file(&g, dir, "alarm_google_future.ics", Y2000, Y2030, "America/New_York") ==
          VP_OK);
    r = rec(&g, "79fs7pkqvht9m5igs0vjv1sfra@google.com");
    CHECK(r && str(r, "start") && strcmp(str(r, "start"), "2024-10-04T14:15:00-04:00") == 0);
    got_free(&g);

    CHECK(parse_file(&g, dir, "alarm_thunderbird_future.ics", Y2000, Y2030, NULL) == VP_OK);
    r = rec(&g, "b9a23b47-f109-4e7a-908c-75e925b27def");
    CHECK(r && str(r, "start") && strcmp(str(r, "start"), "2024-10-23T15:00:00+01:00") == 0);
    got_free(&g);

    CHECK(parse_file(&g, dir, "event_with_unicode_fields.ics", Y2000, Y2030, NULL) == VP_OK);
    r = rec(&g, "123456");
    CHECK(r && str(r, "_location") && strcmp(str(r, "_location"), "Tribstr\xc3\xbcl") == 0);
    got_free(&g);

    CHECK(parse_file(&g, dir, "event_with_escaped_characters.ics", Y2000, Y2030, NULL) == VP_OK);
    CHECK(g.n_rec == 0 && g.n_rej == 1);
    CHECK_STR(rej_msg_at(&g, "VEVENT 1 (line 1)"), "no DTSTART");
    got_free(&g);

    CHECK(parse_file(&g, dir, "timezoned.ics", Y2000, Y2030, NULL) == VP_OK);
    r = rec(&g, "123456");
    CHECK(r != NULL);
    if (r) {
        CHECK_STR(str(r, "title"), "artsprint 2012");
        CHECK_STR(str(r, "start"), "2012-02-13T10:00:00+01:00");
        CHECK_STR(str(r, "end"), "2012-02-17T18:00:00+01:00");
        CHECK_STR(str(r, "_location"), "aka bild, wien");
        CHECK_STR(str(r, "description"), "sprinting at the artsprint");
    }
    got_free(&g);

    CHECK(parse_file(&g, dir, "issue_101_icalendar_chokes_on_umlauts_in_organizer.ics", Y2000,
                     Y2030, NULL) == VP_OK);
    r = rec(&g, "20130416112341.10064jz0k4j7uem8@acmenet.de");
    CHECK(r && str(r, "_location") && strcmp(str(r, "_location"), "im b\xc3\xbcro") == 0);
    CHECK(r && str(r, "start") && strcmp(str(r, "start"), "2013-04-16T12:00:00+02:00") == 0);
    got_free(&g);

    CHECK(parse_file(&g, dir, "alarm_etar_future.ics", Y2000, Y2030, NULL) == VP_OK);
    CHECK(g.n_rec == 1);
    if (g.n_rec) {
        CHECK_STR(str(g.recs[0], "title"), "event with alarms android");
        CHECK_STR(str(g.recs[0], "start"), "2024-10-05T13:00:00+01:00");
    }
    got_free(&g);

    /* a non-ASCII TZID of its own VTIMEZONE; no SUMMARY, so rejected */
    CHECK(parse_file(&g, dir, "issue_237_fail_to_parse_timezone_with_non_ascii_tzid.ics", Y2000,
                     Y2030, NULL) == VP_OK);
    CHECK(g.n_rec == 0 && g.n_rej == 1);
    CHECK_STR(rej_msg_at(&g, "VEVENT 1 (line 19)"), "no SUMMARY");
    got_free(&g);

    CHECK(parse_file(&g, dir, "issue_1426_value_parameters.ics", Y2000, Y2030, NULL) == VP_OK);
    CHECK(g.n_rec == 0 && g.n_rej == 1);
    CHECK_STR(rej_msg_at(&g, "VEVENT 1 (line 4, UID issue-1426)"), "no SUMMARY");
    got_free(&g);

    static const char *const empty[] = {"bom_calendar.ics", "calendar_with_unicode.ics",
                                        "fuzz_testcase_vtimezone_lone_cr.ics"};
    for (size_t i = 0; i < sizeof empty / sizeof empty[0]; i++) {
        CHECK(parse_file(&g, dir, empty[i], Y2000, Y2030, NULL) == VP_OK);
        CHECK(g.n_rec == 0 && g.n_rej == 0);
        got_free(&g);
    }
}

/* ------------------------------------------------------ hand-made files */

static void test_library_agenda(void)
{
    got g = {0};
    CHECK(parse_file(&g, handmade, "bibliotheek_agenda.ics", DEC2026, JAN2028, NULL) == VP_OK);
    /* cancelled series and the one in 2020 are left out, silently */
    CHECK(g.n_rec == 4);
    CHECK(g.n_rej == 0);
    json_t *r = rec(&g, "taalcafe-2027@bibliotheekaandevliet.nl");
    CHECK(r != NULL);
    if (r) {
        CHECK_STR(str(r, "title"), "Taalcaf\xc3\xa9");
        CHECK_STR(str(r, "description"),
                  "Oefen Nederlands in een ontspannen sfeer.\nKoffie en thee staan klaar, "
                  "aanmelden is niet nodig; kom gewoon langs.");
        CHECK_STR(str(r, "_location"), "Bibliotheek Leidschendam, Damplein 1");
        CHECK_STR(str(r, "url"), "https://www.bibliotheekaandevliet.nl/agenda/taalcafe");
        CHECK_STR(str(r, "updated"), "2026-11-18T09:30:00Z");
        CHECK(json_object_get(r, "_age") == NULL);
        /* COUNT=6 Tuesdays, 03-30 excluded; summer time from 03-28 */
        CHECK(n_occ(r) == 5);
        CHECK_STR(occ(r, 0, "start"), "2027-03-09T14:00:00+01:00");
        CHECK_STR(occ(r, 2, "start"), "2027-03-23T14:00:00+01:00");
        CHECK_STR(occ(r, 3, "start"), "2027-04-06T14:00:00+02:00");
        CHECK_STR(occ(r, 3, "end"), "2027-04-06T16:00:00+02:00");
        CHECK_STR(occ(r, 4, "start"), "2027-04-13T14:00:00+02:00");
        CHECK_STR(str(r, "start"), "2027-03-09T14:00:00+01:00");
        CHECK_STR(str(r, "end"), "2027-03-09T16:00:00+01:00");
        json_t *c = json_object_get(r, "_categories");
        CHECK(json_array_size(c) == 2);
        CHECK_STR(json_string_value(json_array_get(c, 1)), "Volwassenen");
    }
    r = rec(&g, "voorlezen-2027-03@bibliotheekaandevliet.nl");
    CHECK(r != NULL);
    if (r) {
        CHECK_STR(str(r, "_age"), "2-4 jaar");
        CHECK_STR(str(r, "end"), "2027-03-13T11:15:00+01:00"); /* DURATION:PT45M */
        CHECK(json_object_get(r, "url") == NULL);             /* javascript: refused */
        CHECK_STR(str(r, "updated"), "2026-11-20T08:00:00Z");  /* DTSTAMP */
    }
    r = rec(&g, "boekenmarkt-2027@bibliotheekaandevliet.nl");
    CHECK(r != NULL);
    if (r) {
        CHECK_STR(str(r, "start"), "2027-04-03");
        CHECK_STR(str(r, "end"), "2027-04-04"); /* DTEND 04-05 exclusive */
        CHECK(json_object_get(r, "_age") == NULL); /* "alle leeftijden": no age */
    }
    r = rec(&g, "codeclub@bibliotheekaandevliet.nl");
    CHECK(r != NULL);
    if (r) {
        /* the whole text that states it; normalisation reads the age from it */
        CHECK_STR(str(r, "_age"), "Codeclub voor kinderen van 8 t/m 12 jaar");
        CHECK_STR(str(r, "title"), "Codeclub");
        /* 01-06, 01-13 moved to 01-14, 01-20 cancelled, 01-27 (UNTIL 14:00Z) */
        CHECK(n_occ(r) == 3);
        CHECK_STR(occ(r, 0, "start"), "2027-01-06T15:00:00+01:00");
        CHECK_STR(occ(r, 1, "start"), "2027-01-14T15:00:00+01:00");
        CHECK_STR(occ(r, 1, "end"), "2027-01-14T16:30:00+01:00");
        CHECK_STR(occ(r, 2, "start"), "2027-01-27T15:00:00+01:00");
    }
    CHECK(g.n_rec < 1 || strcmp(g.ids[0], "taalcafe-2027@bibliotheekaandevliet.nl") == 0);
    got_free(&g);

    /* the window: from 2027-03-20 only the Taalcafé's last three remain */
    CHECK(parse_file(&g, handmade, "bibliotheek_agenda.ics", 1805500800LL /* 2027-03-20 */,
                     JAN2028, NULL) == VP_OK);
    r = rec(&g, "taalcafe-2027@bibliotheekaandevliet.nl");
    CHECK(r && n_occ(r) == 3);
    if (r)
        CHECK_STR(str(r, "start"), "2027-03-23T14:00:00+01:00");
    CHECK(g.n_rec == 2); /* with the book market */
    got_free(&g);

    /* asking to stop */
    g.stop_after = 1;
    CHECK(parse_file(&g, handmade, "bibliotheek_agenda.ics", DEC2026, JAN2028, NULL) == VP_OK);
    CHECK(g.n_rec == 1);
    got_free(&g);
}

static void test_line_endings_and_zones(void)
{
    got g = {0};
    CHECK(parse_file(&g, handmade, "cr_only.ics", DEC2026, JAN2028, NULL) == VP_OK);
    CHECK(g.n_rec == 6 && g.n_rej == 0);
    json_t *r = rec(&g, "cr-1"); /* TZID=Europe/Amsterdam, no VTIMEZONE */
    CHECK(r && str(r, "end") && strcmp(str(r, "end"), "2027-06-15T21:00:00+02:00") == 0);
    if (r) {
        CHECK_STR(str(r, "_location"), "Bibliotheek Neude");
        CHECK_STR(g.wheres[0], "VEVENT 1 (line 4, UID cr-1)");
    }
    r = rec(&g, "cr-2"); /* UTC */
    CHECK(r && str(r, "start") && strcmp(str(r, "start"), "2027-01-15T10:00:00+01:00") == 0);
    r = rec(&g, "cr-3"); /* floating */
    CHECK(r && str(r, "start") && strcmp(str(r, "start"), "2027-07-16T10:00:00+02:00") == 0);
    r = rec(&g, "cr-4"); /* /mozilla.org/.../Europe/Amsterdam */
    CHECK(r && str(r, "start") && strcmp(str(r, "start"), "2027-02-16T10:00:00+01:00") == 0);
    r = rec(&g, "cr-5"); /* W. Europe Standard Time */
    CHECK(r && str(r, "start") && strcmp(str(r, "start"), "2027-07-16T10:00:00+02:00") == 0);
    got_free(&g);

    /* an unknown TZID takes the default zone */
    CHECK(parse_file(&g, handmade, "cr_only.ics", DEC2026, JAN2028, "America/New_York") ==
          VP_OK);
    r = rec(&g, "cr-6");
    CHECK(r && str(r, "start") && strcmp(str(r, "start"), "2027-07-16T10:00:00-04:00") == 0);
    r = rec(&g, "cr-1"); /* a known one keeps its own */
    CHECK(r && str(r, "start") && strcmp(str(r, "start"), "2027-06-15T19:00:00+02:00") == 0);
    got_free(&g);

    CHECK(parse_file(&g, handmade, "bom_two_calendars.ics", DEC2026, JAN2028, NULL) == VP_OK);
    CHECK(g.n_rec == 2 && g.n_rej == 0);
    r = rec(&g, "een@example.nl");
    CHECK(r && str(r, "title") && strcmp(str(r, "title"), "Spreekuur Digitale Overheid") == 0);
    r = rec(&g, "twee@example.nl");
    CHECK(r && str(r, "start") && strcmp(str(r, "start"), "2027-08-01T10:00:00+02:00") == 0);
    if (g.n_rec == 2)
        CHECK_STR(g.wheres[1], "VEVENT 2 (line 16, UID twee@example.nl)");
    got_free(&g);
}

static void test_broken(void)
{
    got g = {0};
    CHECK(parse_file(&g, handmade, "broken_middle.ics", DEC2026, JAN2028, NULL) == VP_OK);
    CHECK(g.n_rec == 2);
    CHECK(rec(&g, "goed-1") != NULL);
    CHECK(rec(&g, "goed-2") != NULL);
    CHECK(g.n_rej == 4);
    CHECK_CONTAINS(rej_msg_at(&g, "VEVENT 2 (line 10, UID kapot)"), "DTSTART: ");
    CHECK_STR(rej_msg_at(&g, "VEVENT 3 (line 16)"), "no DTSTART");
    CHECK_CONTAINS(rej_msg_at(&g, "VEVENT 5 (line 26, UID rrule-kapot)"), "RRULE: ");
    CHECK_STR(rej_msg_at(&g, "VEVENT 6 (line 33, UID afgekapt)"),
              "not closed: END:VEVENT missing");
    got_free(&g);

    /* not iCalendar at all */
    static const char *const not_ical[] = {
        "", "hello world\n", "<html><body>Agenda</body></html>",
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Jan\r\nEND:VCARD\r\n"};
    for (size_t i = 0; i < sizeof not_ical / sizeof not_ical[0]; i++) {
        vp_ical_options opt = {DEC2026, JAN2028, NULL};
        vp_emit emit = {&g, on_record, on_deleted, on_reject};
        char *err = NULL;
        CHECK(ical_parse_text(not_ical[i], strlen(not_ical[i]), &opt, &emit, &err) ==
              VP_ERR_INVALID);
        CHECK(err && *err);
        free(err);
        CHECK(g.n_rec == 0 && g.n_rej == 0);
    }

    /* odd things that must not crash nor emit garbage */
    static const char *const odd[] = {
        "BEGIN:VEVENT\nUID:a\nSUMMARY:x\nDTSTART:20270101T100000Z\n"
        "RRULE:FREQ=SECONDLY\nEND:VEVENT\n",
        "BEGIN:VEVENT\nUID:b\nSUMMARY:x\nDTSTART;VALUE=TEXT:hello\nEND:VEVENT\n",
        "BEGIN:VEVENT\nUID:c\nSUMMARY;VALUE=DATE:20270101\nDTSTART:20270101T100000Z\nEND:VEVENT\n",
        "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:d\nSUMMARY:x\nDTSTART;TZID=../../../../dev/zero:"
        "20270101T100000\nEND:VEVENT\nEND:VCALENDAR\n",
        "BEGIN:VEVENT\nUID:e\nSUMMARY:x\nDTSTART:20270230T100000Z\nEND:VEVENT\n",
        "BEGIN:VEVENT\nUID:f\nSUMMARY:x\nDTSTART:20270101T100000Z\n"
        "RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=31\nEND:VEVENT\n",
        "BEGIN:VEVENT\nUID:g\nSUMMARY:x\nDTSTART:20270101T100000Z\nDTEND:20261231T100000Z\n"
        "END:VEVENT\n",
        "BEGIN:VEVENT\nUID:h\nSUMMARY:x 12+\nDTSTART:20270101T100000Z\nX-MESSAGE-ID:<123@x>\n"
        "X-MIN-AGE:6\nEND:VEVENT\n",
        "BEGIN:VEVENT\nUID:i\nSUMMARY:Voorlezen\nDESCRIPTION:vanaf 4 jaar\n"
        "DTSTART:20270101T100000Z\nX-MESSAGE-ID:<123@x>\nCATEGORIES:Jeugd,vanaf 3 jaar\n"
        "END:VEVENT\n",
    };
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
        vp_ical_options opt = {DEC2026, JAN2028, NULL};
        vp_emit emit = {&g, on_record, on_deleted, on_reject};
        char *err = NULL;
        CHECK(ical_parse_text(odd[i], strlen(odd[i]), &opt, &emit, &err) == VP_OK);
        CHECK(err == NULL);
    }
    CHECK(g.offering_failures == 0);
    json_t *r;
    CHECK(rec(&g, "a") == NULL);      /* SECONDLY refused */
    CHECK(rec(&g, "b") == NULL);      /* DTSTART of the wrong kind */
    r = rec(&g, "c");                 /* libical reads a SUMMARY as text whatever VALUE says */
    CHECK(r && str(r, "title") && strcmp(str(r, "title"), "20270101") == 0);
    r = rec(&g, "d");                 /* a path as TZID: default zone, no file opened */
    CHECK(r && str(r, "start") && strcmp(str(r, "start"), "2027-01-01T10:00:00+01:00") == 0);
    CHECK(rec(&g, "e") == NULL);      /* February 30th */
    r = rec(&g, "f");                 /* never matches: DTSTART only */
    CHECK(r && n_occ(r) == 1);
    r = rec(&g, "g");                 /* DTEND before DTSTART: no end */
    CHECK(r && json_object_get(r, "end") == NULL);
    r = rec(&g, "h"); /* X-MIN-AGE, not X-MESSAGE-ID, nor the summary */
    CHECK(r && str(r, "_age") && strcmp(str(r, "_age"), "6") == 0);
    r = rec(&g, "i"); /* the category, not the description */
    CHECK(r && str(r, "_age") && strcmp(str(r, "_age"), "vanaf 3 jaar") == 0);
    CHECK(g.n_rej == 3);
    CHECK_CONTAINS(rej_msg_at(&g, "UID a)"), "SECONDLY");
    CHECK_CONTAINS(rej_msg_at(&g, "UID b)"), "DTSTART");
    CHECK_CONTAINS(rej_msg_at(&g, "UID e)"), "DTSTART");
    got_free(&g);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: test_ical REALDATA_DIR ICAL_FIXTURES_DIR\n");
        return 2;
    }
    realdata = argv[1];
    handmade = argv[2];
    test_recur_instances();
    test_daily_and_dst();
    test_google_and_dates();
    test_python_icalendar();
    test_library_agenda();
    test_line_endings_and_zones();
    test_broken();
    return check_done();
}
