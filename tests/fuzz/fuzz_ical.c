/* fuzz_ical.c - libFuzzer target for vp_ical_parse() (indexer/ical.c).
 *
 * Each input is one .ics file, parsed with a fixed window (2000-01-01 to
 * 2030-01-01) and the default zone. Besides the sanitizers, the target
 * checks the connector's contract and aborts when it does not hold:
 *   - VP_OK leaves err alone; VP_ERR_INVALID comes with a message;
 *     nothing else but VP_ERR_NOMEM is returned;
 *   - every record has a non-empty local id and place, is an object with a
 *     non-empty title, 1 to 1000 occurrences, each a start ("YYYY-MM-DD",
 *     or a date-time with "Z" or an offset) and perhaps an end not before
 *     it, all of one kind, sorted by start; "start"/"end" of the record
 *     are those of the first occurrence;
 *   - every reject says where and what.
 * Run: fuzz_ical -max_total_time=300 CORPUS_DIR tests/fuzz/corpus/ical */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vindplaats/ical.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

static long long days_from_civil(long long y, int m, int d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    long long yoe = y - era * 400;
    long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

/* The instant of a start or end (a date: its midnight as UTC); *is_date
 * set. -1 when it is not one of the two forms. */
static int parse_when(const char *s, long long *utc, int *is_date)
{
    int y, mo, d, h, mi, se, oh, om;
    size_t n = s ? strlen(s) : 0;
    if (n < 10 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) || s[7] != '-' ||
        digits(s + 8, 2, &d) || mo < 1 || mo > 12 || d < 1 || d > 31 || y < 1)
        return -1;
    long long days = days_from_civil(y, mo, d);
    if (n == 10) {
        *is_date = 1;
        *utc = days * 86400;
        return 0;
    }
    if (n < 20 || s[10] != 'T' || digits(s + 11, 2, &h) || s[13] != ':' ||
        digits(s + 14, 2, &mi) || s[16] != ':' || digits(s + 17, 2, &se) || h > 23 || mi > 59 ||
        se > 60)
        return -1;
    long long t = days * 86400 + h * 3600 + mi * 60 + se;
    if (n == 20 && s[19] == 'Z') {
        *is_date = 0;
        *utc = t;
        return 0;
    }
    if (n != 25 || (s[19] != '+' && s[19] != '-') || digits(s + 20, 2, &oh) || s[22] != ':' ||
        digits(s + 23, 2, &om) || oh > 23 || om > 59)
        return -1;
    long long off = oh * 3600 + om * 60;
    *is_date = 0;
    *utc = s[19] == '+' ? t - off : t + off;
    return 0;
}

static int on_record(void *ctx, const char *local_id, json_t *f, const char *where)
{
    (void)ctx;
    if (!local_id || !*local_id || !where || !*where || !json_is_object(f))
        abort();
    const char *title = json_string_value(json_object_get(f, "title"));
    if (!title || !*title)
        abort();
    json_t *occs = json_object_get(f, "occurrences");
    size_t n = json_array_size(occs);
    if (!json_is_array(occs) || n == 0 || n > 1000)
        abort();
    long long prev = 0;
    int kind = -1;
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_array_get(occs, i);
        const char *st = json_string_value(json_object_get(o, "start"));
        json_t *endv = json_object_get(o, "end");
        long long s, e;
        int sd, ed;
        if (!json_is_object(o) || parse_when(st, &s, &sd) != 0)
            abort();
        if (kind >= 0 && sd != kind)
            abort();
        kind = sd;
        if (i > 0 && s < prev)
            abort();
        prev = s;
        if (endv) {
            if (parse_when(json_string_value(endv), &e, &ed) != 0 || e < s)
                abort();
        }
        if (i == 0) {
            const char *rs = json_string_value(json_object_get(f, "start"));
            json_t *re = json_object_get(f, "end");
            if (!rs || strcmp(rs, st) != 0)
                abort();
            if ((re == NULL) != (endv == NULL))
                abort();
            if (re && !json_equal(re, endv))
                abort();
        }
    }
    const char *url = json_string_value(json_object_get(f, "url"));
    if (json_object_get(f, "url") && (!url || strncasecmp(url, "http", 4) != 0))
        abort();
    json_decref(f);
    return 0;
}

static int on_deleted(void *ctx, const char *local_id, const char *where)
{
    (void)ctx;
    (void)local_id;
    (void)where;
    abort(); /* iCalendar has no deletions */
}

static void on_reject(void *ctx, const char *where, const char *message)
{
    (void)ctx;
    if (!where || !*where || !message || !*message)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vp_ical_options opt = {946684800LL, 1893456000LL, NULL};
    vp_emit emit = {NULL, on_record, on_deleted, on_reject};
    char *err = NULL;
    vp_error err_e = VP_ERROR_INIT;
    vp_status st = vp_ical_parse((const char *)data, size, &opt, &emit, &err_e);
    err = err_e.status != VP_OK ? vp_error_text(&err_e) : NULL;
    vp_error_clear(&err_e);
    if (st == VP_OK) {
        if (err)
            abort();
    } else if (st == VP_ERR_INVALID) {
        if (!err || !*err)
            abort();
        free(err);
    } else if (st != VP_ERR_NOMEM) {
        abort();
    }
    return 0;
}
