/* offering.c - parsing and validating the JSON form of an offering.
 *
 * The parser walks every field, collects every problem as "path: message"
 * (so a platform fixing its export sees them all at once) and only then
 * decides. On success the offering keeps the compact JSON it was given,
 * plus start/end derived from the occurrences when the record had none. */
#include "vindplaats/offering.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vindplaats/analysis.h"
#include "vindplaats/buf.h"

const char *const vp_offering_types[] = {"course", "event", "activity", "ebook", "audiobook",
                                         "book", "service", NULL};
const char *const vp_offering_channels[] = {"online", "offline", "hybrid", NULL};
const char *const vp_offering_tasks[] = {"geletterdheid", "informatiesamenleving",
                                         "leven-lang-ontwikkelen", "cultuur", NULL};
const char *const vp_offering_audiences[] = {"baby", "peuter", "kleuter", "jeugd", "ouders",
                                             "volwassenen", "senioren", "nieuwkomers",
                                             "laaggeletterden", "werkzoekenden", "iedereen",
                                             NULL};

int vp_in_list(const char *s, const char *const *values)
{
    for (; *values; values++)
        if (strcmp(s, *values) == 0)
            return 1;
    return 0;
}

/* ---- dates ---- */

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

vp_status vp_datetime_parse(const char *s, vp_datetime *out)
{
    int y, mo, d, h = 0, mi = 0, sec = 0, off = 0;
    size_t len = strlen(s);
    if (len < 10 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) || s[7] != '-' ||
        digits(s + 8, 2, &d))
        return VP_ERR_INVALID;
    if (y < 1000 || mo < 1 || mo > 12 || d < 1 || d > vp_days_in_month(y, mo))
        return VP_ERR_INVALID;
    vp_datetime dt = {1, 0, 0, 0};
    if (len == 10) {
        dt.all_day = 1;
        dt.utc = vp_days_from_civil(y, mo, d) * 86400;
        *out = dt;
        return VP_OK;
    }
    const char *p = s + 10;
    if ((*p != 'T' && *p != 't' && *p != ' ') || digits(p + 1, 2, &h) || p[3] != ':' ||
        digits(p + 4, 2, &mi))
        return VP_ERR_INVALID;
    p += 6;
    if (*p == ':') {
        if (digits(p + 1, 2, &sec))
            return VP_ERR_INVALID;
        p += 3;
        if (*p == '.' || *p == ',') {
            p++;
            if (*p < '0' || *p > '9')
                return VP_ERR_INVALID;
            while (*p >= '0' && *p <= '9')
                p++;
        }
    }
    if (h > 23 || mi > 59 || sec > 60)
        return VP_ERR_INVALID;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh, om;
        int sign = *p == '-' ? -1 : 1;
        if (digits(p + 1, 2, &oh))
            return VP_ERR_INVALID;
        const char *q = p + 3;
        if (*q == ':')
            q++;
        if (digits(q, 2, &om) || oh > 23 || om > 59)
            return VP_ERR_INVALID;
        off = sign * (oh * 60 + om);
        p = q + 2;
    } else {
        return VP_ERR_INVALID; /* a local time without offset is ambiguous */
    }
    if (*p)
        return VP_ERR_INVALID;
    dt.offset_min = off;
    dt.utc = vp_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + (sec > 59 ? 59 : sec) -
             (int64_t)off * 60;
    *out = dt;
    return VP_OK;
}

int vp_datetime_local_day(const vp_datetime *dt)
{
    return vp_day_from_epoch(vp_epoch_day(dt->utc + (int64_t)dt->offset_min * 60));
}

/* When an occurrence written `start` to `end` (`end` may be NULL) begins
 * and ends, in UTC seconds: without an end (or with one that is no date)
 * it lasts until the end of its local day, a plain date as end until the
 * end of that day. VP_ERR_INVALID when `start` is NULL or no date. */
static vp_status occurrence_span(const char *start, const char *end, int64_t *start_utc,
                                 int64_t *until_utc)
{
    vp_datetime sd, ed;
    if (!start || vp_datetime_parse(start, &sd) != 0)
        return VP_ERR_INVALID;
    *start_utc = sd.utc;
    *until_utc = (vp_day_to_epoch(vp_datetime_local_day(&sd)) + 1) * 86400 -
                 (int64_t)sd.offset_min * 60;
    if (end && vp_datetime_parse(end, &ed) == 0)
        *until_utc = ed.all_day ? ed.utc + 86400 : ed.utc;
    return VP_OK;
}

int vp_offering_json_occurrences(json_t *doc, vp_occurrence_fn each, void *arg)
{
    json_t *occ = json_object_get(doc, "occurrences");
    size_t n = json_array_size(occ);
    /* An offering without its occurrences listed is one occurrence. */
    for (size_t i = 0; i < (n ? n : 1); i++) {
        json_t *o = n ? json_array_get(occ, i) : doc;
        const char *s = json_string_value(json_object_get(o, "start"));
        const char *e = json_string_value(json_object_get(o, "end"));
        int64_t from, until;
        if (occurrence_span(s, e, &from, &until) != VP_OK)
            continue;
        int stop = each(s, e, from, until, arg);
        if (stop)
            return stop;
    }
    return 0;
}

typedef struct next_occurrence {
    int64_t now;
    int found;
    const char *start, *end;
    int64_t start_utc, until_utc;
} next_occurrence;

/* The soonest occurrence not ended at `now`, the first among equals. */
static int take_next(const char *start, const char *end, int64_t start_utc, int64_t until_utc,
                     void *arg)
{
    next_occurrence *next = arg;
    if (until_utc < next->now || (next->found && start_utc >= next->start_utc))
        return 0;
    next->found = 1;
    next->start = start;
    next->end = end;
    next->start_utc = start_utc;
    next->until_utc = until_utc;
    return 0;
}

vp_status vp_offering_json_next(json_t *doc, int64_t now, const char **start, const char **end,
                                int64_t *start_utc, int64_t *until_utc)
{
    next_occurrence next = {.now = now};
    vp_offering_json_occurrences(doc, take_next, &next);
    if (!next.found)
        return VP_ERR_NOT_FOUND;
    *start = next.start;
    *end = next.end;
    *start_utc = next.start_utc;
    if (until_utc)
        *until_utc = next.until_utc;
    return VP_OK;
}

/* ---- the parser ---- */

typedef struct parser {
    vp_error errors;   /* every problem, each with its path */
    int n_errors;
    int oom;
    const vp_vocabulary *voc;
    vp_offering *o;
} parser;

static void problem(parser *ps, const char *path, const char *fmt, const char *arg)
{
    ps->n_errors++;
    if (ps->n_errors > 50)
        return; /* enough to fix the record; the count stays right */
    vp_where at = {NULL, 0, path, NULL};
    if (vp_error_add(&ps->errors, VP_ERR_INVALID, &at, fmt, arg ? arg : "") == VP_ERR_NOMEM)
        ps->oom = 1;
}

static char *dup_or_oom(parser *ps, const char *s)
{
    char *d = strdup(s);
    if (!d)
        ps->oom = 1;
    return d;
}

/* Control characters; with `text`, tab and line breaks are allowed. */
static int has_control(const char *s, int text)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 && !(text && (c == '\t' || c == '\n' || c == '\r')))
            return 1;
        if (c == 0x7f)
            return 1;
    }
    return 0;
}

/* A string field. Returns the borrowed value, or NULL when absent, null or bad. */
static const char *get_string(parser *ps, json_t *v, const char *path, size_t max,
                              int allow_newlines)
{
    if (!v || json_is_null(v))
        return NULL;
    if (!json_is_string(v)) {
        problem(ps, path, "must be a string%s", NULL);
        return NULL;
    }
    const char *s = json_string_value(v);
    if (json_string_length(v) > max) {
        char limit[32];
        snprintf(limit, sizeof limit, "%zu", max);
        problem(ps, path, "longer than %s bytes", limit);
        return NULL;
    }
    if (has_control(s, allow_newlines)) {
        problem(ps, path, "must not contain control characters%s", NULL);
        return NULL;
    }
    return s;
}

static void set_string(parser *ps, char **dst, json_t *v, const char *path, size_t max,
                       int allow_newlines)
{
    const char *s = get_string(ps, v, path, max, allow_newlines);
    if (s)
        *dst = dup_or_oom(ps, s);
}

static int valid_slug(const char *s, int allow_dot_underscore)
{
    if (!*s)
        return 0;
    for (const char *p = s; *p; p++) {
        char c = *p;
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')
            continue;
        if (allow_dot_underscore && (c == '_' || c == '.'))
            continue;
        return 0;
    }
    return 1;
}

static void controlled(parser *ps, char **dst, json_t *v, const char *path,
                       const char *const *allowed, const char *allowed_text)
{
    const char *s = get_string(ps, v, path, 100, 0);
    if (!s)
        return;
    if (!vp_in_list(s, allowed)) {
        vp_buf m;
        vp_buf_init(&m, 4096);
        if (vp_buf_printf(&m, "unknown value \"%s\" (allowed: %s)", s, allowed_text) != VP_OK) {
            vp_buf_free(&m);
            problem(ps, path, "unknown value%s", NULL);
            return;
        }
        problem(ps, path, "%s", m.data);
        vp_buf_free(&m);
        return;
    }
    *dst = dup_or_oom(ps, s);
}

/* Checks one list item at its own path: returns the malloc()ed value to
 * keep, or NULL after reporting why it is dropped. */
typedef char *(*item_check)(parser *ps, const char *value, const char *path);

static void string_list(parser *ps, vp_strlist *dst, json_t *v, const char *path, size_t max_item,
                        item_check check)
{
    if (!v || json_is_null(v))
        return;
    if (!json_is_array(v)) {
        problem(ps, path, "must be an array of strings%s", NULL);
        return;
    }
    size_t n = json_array_size(v);
    if (n > VP_OFFERING_MAX_LIST) {
        problem(ps, path, "more than 1000 items%s", NULL);
        return;
    }
    dst->items = calloc(n + 1, sizeof *dst->items);
    if (!dst->items) {
        ps->oom = 1;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        char ipath[128];
        snprintf(ipath, sizeof ipath, "%s[%zu]", path, i);
        const char *s = get_string(ps, json_array_get(v, i), ipath, max_item, 0);
        if (json_is_null(json_array_get(v, i)))
            problem(ps, ipath, "must be a string%s", NULL);
        if (!s)
            continue;
        if (!*s) {
            problem(ps, ipath, "must not be empty%s", NULL);
            continue;
        }
        char *kept = check ? check(ps, s, ipath) : dup_or_oom(ps, s);
        if (kept)
            dst->items[dst->count++] = kept;
    }
}

static int parse_date_field(parser *ps, json_t *v, const char *path, vp_datetime *dt)
{
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v)) {
        problem(ps, path, "must be a string with an ISO 8601 date-time%s", NULL);
        return -1;
    }
    if (vp_datetime_parse(json_string_value(v), dt) != 0) {
        problem(ps, path,
                "not an ISO 8601 date-time with offset (2026-12-03T10:00:00+01:00) or date "
                "(2026-12-03)%s",
                NULL);
        return -1;
    }
    return 0;
}

/* Normalises an ISBN-10 or ISBN-13 (hyphens and spaces allowed) to 13
 * digits in out[14]. Returns 0, or -1 when it is not a valid ISBN. */
static int isbn13(const char *s, char out[14])
{
    char d[14];
    size_t n = 0;
    for (const char *p = s; *p; p++) {
        if (*p == '-' || *p == ' ')
            continue;
        if (n >= 13)
            return -1;
        if ((*p >= '0' && *p <= '9') || ((*p == 'X' || *p == 'x') && n == 9))
            d[n++] = (*p == 'x') ? 'X' : *p;
        else
            return -1;
    }
    if (n == 10) {
        int sum = 0;
        for (int i = 0; i < 10; i++)
            sum += (10 - i) * (d[i] == 'X' ? 10 : d[i] - '0');
        if (sum % 11 != 0)
            return -1;
        memcpy(out, "978", 3);
        memcpy(out + 3, d, 9);
    } else if (n == 13) {
        for (int i = 0; i < 13; i++)
            if (d[i] == 'X')
                return -1;
        memcpy(out, d, 12);
    } else {
        return -1;
    }
    int sum = 0;
    for (int i = 0; i < 12; i++)
        sum += (out[i] - '0') * (i % 2 ? 3 : 1);
    char check = (char)('0' + (10 - sum % 10) % 10);
    if (n == 13 && d[12] != check)
        return -1;
    out[12] = check;
    out[13] = '\0';
    return 0;
}

/* Keeps an ISBN normalised to 13 digits. */
static char *check_isbn(parser *ps, const char *value, const char *path)
{
    char norm[14];
    if (isbn13(value, norm) == 0)
        return dup_or_oom(ps, norm);
    problem(ps, path, "not a valid ISBN-10 or ISBN-13: \"%s\"", value);
    return NULL;
}

int vp_offering_url_ok(const char *s)
{
    const char *rest;
    if (strncmp(s, "https://", 8) == 0)
        rest = s + 8;
    else if (strncmp(s, "http://", 7) == 0)
        rest = s + 7;
    else
        return 0;
    if (!*rest || *rest == '/')
        return 0;
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p <= 0x20 || *p == 0x7f)
            return 0;
    return 1;
}

static void check_keys(parser *ps, json_t *obj, const char *path, const char *const *known)
{
    const char *key;
    json_t *val;
    json_object_foreach(obj, key, val) {
        if (!vp_in_list(key, known)) {
            char kpath[256];
            snprintf(kpath, sizeof kpath, "%s%s%s", path, *path ? "." : "", key);
            problem(ps, kpath, "unknown field%s", NULL);
        }
    }
}

/* Whether `v`, found at `path`, is an object to read: one that is not is
 * a problem that names its keys ("must be an object {lat, lon}"); one that
 * is has its keys checked against `keys`. */
static int object_ok(parser *ps, json_t *v, const char *path, const char *const *keys)
{
    if (!json_is_object(v)) {
        char shape[128];
        size_t n = 0;
        for (size_t k = 0; keys[k] && n < sizeof shape; k++)
            n += (size_t)snprintf(shape + n, sizeof shape - n, "%s%s", k ? ", " : "", keys[k]);
        problem(ps, path, "must be an object {%s}", shape);
        return 0;
    }
    check_keys(ps, v, path, keys);
    return 1;
}

static char *check_audience(parser *ps, const char *g, const char *path)
{
    if (vp_in_list(g, vp_offering_audiences))
        return dup_or_oom(ps, g);
    vp_buf m;
    vp_buf_init(&m, 4096);
    vp_buf_printf(&m,
                  "unknown audience \"%s\" (allowed: baby, peuter, kleuter, jeugd, ouders, "
                  "volwassenen, senioren, nieuwkomers, laaggeletterden, werkzoekenden, iedereen)",
                  g);
    problem(ps, path, "%s", m.data ? m.data : "unknown audience");
    vp_buf_free(&m);
    return NULL;
}

static void parse_audience(parser *ps, json_t *v)
{
    static const char *const keys[] = {"min_age", "max_age", "groups", NULL};
    vp_offering *o = ps->o;
    if (!v || json_is_null(v) || !object_ok(ps, v, "audience", keys))
        return;
    const char *names[2] = {"audience.min_age", "audience.max_age"};
    int *ages[2] = {&o->min_age, &o->max_age};
    for (int i = 0; i < 2; i++) {
        json_t *a = json_object_get(v, i == 0 ? "min_age" : "max_age");
        if (!a || json_is_null(a))
            continue;
        if (!json_is_integer(a) || json_integer_value(a) < 0 || json_integer_value(a) > 120)
            problem(ps, names[i], "must be a whole number from 0 to 120, or null%s", NULL);
        else
            *ages[i] = (int)json_integer_value(a);
    }
    if (o->min_age >= 0 && o->max_age >= 0 && o->min_age > o->max_age)
        problem(ps, "audience.max_age", "must not be below min_age%s", NULL);
    string_list(ps, &o->audience_groups, json_object_get(v, "groups"), "audience.groups", 100,
                check_audience);
}

/* Whether `v` is a finite number from `min` to `max`; when not, the
 * problem `must` at `path`. */
static int number_ok(parser *ps, json_t *v, const char *path, double min, double max,
                     const char *must)
{
    double x = json_number_value(v);
    if (json_is_number(v) && isfinite(x) && x >= min && x <= max)
        return 1;
    problem(ps, path, "%s", must);
    return 0;
}

static void parse_location(parser *ps, json_t *v)
{
    static const char *const keys[] = {"lat", "lon", NULL};
    if (!v || json_is_null(v) || !object_ok(ps, v, "location", keys))
        return;
    json_t *lat = json_object_get(v, "lat"), *lon = json_object_get(v, "lon");
    /* Both are checked, so a bad lat does not hide a bad lon. */
    int lat_ok = number_ok(ps, lat, "location.lat", -90, 90, "must be a number from -90 to 90");
    int lon_ok = number_ok(ps, lon, "location.lon", -180, 180, "must be a number from -180 to 180");
    if (lat_ok && lon_ok) {
        ps->o->has_location = 1;
        ps->o->lat = json_number_value(lat);
        ps->o->lon = json_number_value(lon);
    }
}

static void parse_price(parser *ps, json_t *v)
{
    static const char *const keys[] = {"amount", "currency", NULL};
    if (!v || json_is_null(v) || !object_ok(ps, v, "price", keys))
        return;
    json_t *amount = json_object_get(v, "amount"), *cur = json_object_get(v, "currency");
    int ok = number_ok(ps, amount, "price.amount", 0, HUGE_VAL, "must be a number >= 0");
    const char *c = "EUR";
    if (cur && !json_is_null(cur)) {
        c = json_is_string(cur) ? json_string_value(cur) : "";
        if (strlen(c) != 3 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z' ||
            c[2] < 'A' || c[2] > 'Z') {
            problem(ps, "price.currency", "must be a three-letter ISO 4217 code such as EUR%s",
                    NULL);
            ok = 0;
        }
    }
    if (ok) {
        ps->o->has_price = 1;
        ps->o->price_amount = json_number_value(amount);
        memcpy(ps->o->currency, c, 4);
    }
}

/* The last second a date-time stands for: a plain date is the whole day. */
static int64_t until(const vp_datetime *dt)
{
    return dt->all_day ? dt->utc + 86399 : dt->utc;
}

static int cmp_occurrence(const void *a, const void *b)
{
    const vp_occurrence *x = a, *y = b;
    return (x->start.utc > y->start.utc) - (x->start.utc < y->start.utc);
}

/* Occurrences, then start/end; returns the JSON strings to derive from. */
static void parse_dates(parser *ps, json_t *root, json_t **first_start, json_t **last_end)
{
    static const char *const keys[] = {"start", "end", NULL};
    vp_offering *o = ps->o;
    *first_start = *last_end = NULL;
    int start_ok = parse_date_field(ps, json_object_get(root, "start"), "start", &o->start) == 0;
    int end_ok = parse_date_field(ps, json_object_get(root, "end"), "end", &o->end) == 0;
    if (start_ok && end_ok && o->end.set && !o->start.set)
        problem(ps, "end", "given without start%s", NULL);
    else if (start_ok && end_ok && o->end.set && until(&o->end) < o->start.utc)
        problem(ps, "end", "before start%s", NULL);

    json_t *occ = json_object_get(root, "occurrences");
    if (occ && !json_is_null(occ)) {
        if (!json_is_array(occ)) {
            problem(ps, "occurrences", "must be an array of {start, end}%s", NULL);
        } else if (json_array_size(occ) > VP_OFFERING_MAX_OCCURRENCES) {
            problem(ps, "occurrences", "more than 1000 occurrences%s", NULL);
        } else {
            size_t n = json_array_size(occ);
            o->occurrences = calloc(n + 1, sizeof *o->occurrences);
            if (!o->occurrences) {
                ps->oom = 1;
                return;
            }
            json_t *min_js = NULL, *max_js = NULL;
            int64_t min_utc = 0, max_utc = 0;
            for (size_t i = 0; i < n; i++) {
                json_t *e = json_array_get(occ, i);
                char path[64];
                snprintf(path, sizeof path, "occurrences[%zu]", i);
                if (!object_ok(ps, e, path, keys))
                    continue;
                vp_occurrence oc = {{0}, {0}};
                char spath[80], epath[80];
                snprintf(spath, sizeof spath, "%s.start", path);
                snprintf(epath, sizeof epath, "%s.end", path);
                json_t *js = json_object_get(e, "start"), *je = json_object_get(e, "end");
                if (!js || json_is_null(js)) {
                    problem(ps, spath, "required%s", NULL);
                    continue;
                }
                /* Both are checked, so a bad start does not hide a bad end. */
                int bad_start = parse_date_field(ps, js, spath, &oc.start) != 0;
                int bad_end = parse_date_field(ps, je, epath, &oc.end) != 0;
                if (bad_start || bad_end)
                    continue;
                if (oc.end.set && until(&oc.end) < oc.start.utc) {
                    problem(ps, epath, "before start%s", NULL);
                    continue;
                }
                o->occurrences[o->n_occurrences++] = oc;
                if (!min_js || oc.start.utc < min_utc) {
                    min_js = js;
                    min_utc = oc.start.utc;
                }
                /* The derived end is the latest moment of any occurrence: its
                 * end, or its start when it has none. */
                const vp_datetime *last = oc.end.set ? &oc.end : &oc.start;
                if (!max_js || until(last) > max_utc) {
                    max_js = oc.end.set ? je : js;
                    max_utc = until(last);
                }
            }
            qsort(o->occurrences, o->n_occurrences, sizeof *o->occurrences, cmp_occurrence);
            if (!o->start.set && o->n_occurrences > 0) {
                *first_start = min_js;
                *last_end = max_js;
                vp_datetime_parse(json_string_value(min_js), &o->start);
                if (max_js)
                    vp_datetime_parse(json_string_value(max_js), &o->end);
            }
        }
    }
    /* A record with only start/end is one occurrence of itself. */
    if (o->n_occurrences == 0 && o->start.set && !ps->n_errors) {
        free(o->occurrences);
        o->occurrences = calloc(1, sizeof *o->occurrences);
        if (!o->occurrences) {
            ps->oom = 1;
            return;
        }
        o->occurrences[0].start = o->start;
        o->occurrences[0].end = o->end;
        o->n_occurrences = 1;
    }
}

/* An array of objects whose members are all optional strings of at most
 * 1000 bytes, `required` (may be NULL) present and non-empty in each. */
static void object_list(parser *ps, json_t *v, const char *path, const char *const *keys,
                        const char *required)
{
    if (!v || json_is_null(v))
        return;
    if (!json_is_array(v)) {
        problem(ps, path, "must be an array of objects%s", NULL);
        return;
    }
    if (json_array_size(v) > VP_OFFERING_MAX_LIST) {
        problem(ps, path, "more than 1000 items%s", NULL);
        return;
    }
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item) {
        char ipath[128];
        snprintf(ipath, sizeof ipath, "%s[%zu]", path, i);
        if (!object_ok(ps, item, ipath, keys))
            continue;
        for (size_t k = 0; keys[k]; k++) {
            char kpath[192];
            snprintf(kpath, sizeof kpath, "%s.%s", ipath, keys[k]);
            const char *s = get_string(ps, json_object_get(item, keys[k]), kpath, 1000, 0);
            if (required && !strcmp(keys[k], required) && (!s || !*s))
                problem(ps, kpath, "required, a non-empty string%s", NULL);
        }
    }
}

const char *const vp_offering_availability[] = {"available", "forthcoming",
                                                "temporarily-unavailable", "unavailable", NULL};

/* The fields a catalogue record adds: publisher, publication date,
 * availability, contributors with their roles, and holdings. */
static void parse_catalogue(parser *ps, json_t *root)
{
    static const char *const contributor_keys[] = {"name", "role", NULL};
    static const char *const holding_keys[] = {"library", "branch", "branch_name", "call_number",
                                               "shelf", "note", NULL};
    get_string(ps, json_object_get(root, "publisher"), "publisher", 1000, 0);
    vp_datetime published;
    parse_date_field(ps, json_object_get(root, "published"), "published", &published);
    char *availability = NULL;
    controlled(ps, &availability, json_object_get(root, "availability"), "availability",
               vp_offering_availability, "available, forthcoming, temporarily-unavailable, unavailable");
    free(availability);
    object_list(ps, json_object_get(root, "contributors"), "contributors", contributor_keys, "name");
    object_list(ps, json_object_get(root, "holdings"), "holdings", holding_keys, NULL);
}

static const char *const known_fields[] = {
    "id", "type", "title", "description", "local_name", "proposition", "societal_task",
    "creators", "subjects", "language", "audience", "channel", "library", "library_name",
    "branch", "branch_name", "municipality", "location", "start", "end", "occurrences",
    "price", "url", "image", "isbn", "work_key", "source", "updated", "publisher", "published",
    "availability", "contributors", "holdings", NULL};

/* 1 when every string (and key) in `v` is UTF-8; jansson makes strings
 * without checking when a connector asks it to, and cannot write them. */
static int all_utf8(json_t *v)
{
    const char *key;
    json_t *m;
    size_t i;
    if (json_is_string(v))
        return vp_utf8_valid(json_string_value(v), json_string_length(v));
    if (json_is_object(v)) {
        json_object_foreach(v, key, m) if (!vp_utf8_valid(key, strlen(key)) || !all_utf8(m)) return 0;
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, m) if (!all_utf8(m)) return 0;
    }
    return 1;
}

static vp_status build(parser *ps, json_t *root, vp_offering **out);

/* Both entry points end here: the problems into *err, the first one
 * carrying the status of the whole. */
static vp_status finish(parser *ps, vp_status st, vp_error *err)
{
    vp_where record = {NULL, 0, "(record)", NULL};
    if (st != VP_OK && err) {
        if (ps->n_errors > 50)
            vp_error_add(&ps->errors, VP_ERR_INVALID, &record, "%d more problems", ps->n_errors - 50);
        if (ps->errors.status == VP_OK)
            vp_error_set(&ps->errors, st, &record, "%s", vp_status_str(st));
        ps->errors.status = st;
        vp_error_clear(err);
        *err = ps->errors;
    } else {
        vp_error_clear(&ps->errors);
    }
    return st;
}

vp_status vp_offering_parse(const char *json, size_t len, const vp_vocabulary *voc,
                            vp_offering **out, vp_error *err)
{
    vp_status st = VP_OK;
    json_t *root = NULL;
    parser ps;
    memset(&ps, 0, sizeof ps);
    ps.voc = voc;

    if (len > VP_OFFERING_MAX_JSON) {
        problem(&ps, "(record)", "larger than %s bytes", "1048576");
        st = VP_ERR_TOO_BIG;
        goto done;
    }
    json_error_t jerr;
    root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root && json_error_code(&jerr) == json_error_out_of_memory) {
        st = VP_ERR_NOMEM;
        goto done;
    }
    if (!root) {
        char where[64];
        snprintf(where, sizeof where, "(json, column %d)", jerr.column);
        problem(&ps, where, "%s", jerr.text);
        st = VP_ERR_INVALID;
        goto done;
    }
    st = build(&ps, root, out);
done:
    json_decref(root);
    return finish(&ps, st, err);
}

vp_status vp_offering_from_json(json_t *root, const vp_vocabulary *voc, vp_offering **out,
                                vp_error *err)
{
    parser ps;
    memset(&ps, 0, sizeof ps);
    ps.voc = voc;
    vp_status st = build(&ps, root, out);
    if (st == VP_ERR_NOMEM && !all_utf8(root)) {
        /* not memory: a string the JSON form cannot hold */
        vp_error_clear(&ps.errors);
        problem(&ps, "(record)", "a field is not valid UTF-8 text%s", "");
        st = VP_ERR_INVALID;
    } else if (st == VP_OK && strlen((*out)->json) > VP_OFFERING_MAX_JSON) {
        vp_offering_destroy(*out);
        *out = NULL;
        problem(&ps, "(record)", "larger than %s bytes", "1048576");
        st = VP_ERR_TOO_BIG;
    }
    return finish(&ps, st, err);
}

/* Checks `root` completely and makes the offering of it (the form it is
 * stored in: `root` with start and end set from the occurrences). */
static vp_status build(parser *ps, json_t *root, vp_offering **out)
{
    const vp_vocabulary *voc = ps->voc;
    vp_status st = VP_OK;
    if (!json_is_object(root)) {
        problem(ps, "(record)", "must be a JSON object%s", NULL);
        st = VP_ERR_INVALID;
        goto done;
    }
    vp_offering *o = calloc(1, sizeof *o);
    if (!o) {
        st = VP_ERR_NOMEM;
        goto done;
    }
    o->min_age = o->max_age = -1;
    ps->o = o;

    check_keys(ps, root, "", known_fields);

    /* Required fields. */
    const char *id = get_string(ps, json_object_get(root, "id"), "id", VP_OFFERING_MAX_ID, 0);
    if (!json_object_get(root, "id") || json_is_null(json_object_get(root, "id")))
        problem(ps, "id", "required%s", NULL);
    else if (id) {
        const char *colon = strchr(id, ':');
        if (!colon || colon == id || !colon[1])
            problem(ps, "id", "must be \"source:local-id\" with both parts non-empty%s", NULL);
        else
            o->id = dup_or_oom(ps, id);
    }
    if (!json_object_get(root, "type") || json_is_null(json_object_get(root, "type")))
        problem(ps, "type", "required%s", NULL);
    controlled(ps, &o->type, json_object_get(root, "type"), "type", vp_offering_types,
               "course, event, activity, ebook, audiobook, book, service");
    const char *title =
        get_string(ps, json_object_get(root, "title"), "title", VP_OFFERING_MAX_TITLE, 0);
    if (!json_object_get(root, "title") || json_is_null(json_object_get(root, "title")))
        problem(ps, "title", "required%s", NULL);
    else if (title && !title[strspn(title, " \t")])
        problem(ps, "title", "must not be empty%s", NULL);
    else if (title)
        o->title = dup_or_oom(ps, title);
    const char *source = get_string(ps, json_object_get(root, "source"), "source", 100, 0);
    if (!json_object_get(root, "source") || json_is_null(json_object_get(root, "source")))
        problem(ps, "source", "required%s", NULL);
    else if (source && !valid_slug(source, 1))
        problem(ps, "source", "must be lower-case letters, digits, '-', '_' and '.'%s", NULL);
    else if (source)
        o->source = dup_or_oom(ps, source);

    /* Optional fields. */
    set_string(ps, &o->description, json_object_get(root, "description"), "description",
               VP_OFFERING_MAX_TEXT, 1);
    set_string(ps, &o->local_name, json_object_get(root, "local_name"), "local_name", 1000, 0);
    const char *prop = get_string(ps, json_object_get(root, "proposition"), "proposition", 100, 0);
    if (prop && voc && !vp_vocabulary_get(voc, prop)) {
        vp_buf m;
        vp_buf_init(&m, 16384);
        vp_buf_printf(&m, "unknown proposition \"%s\" (allowed: %s)", prop,
                      vp_vocabulary_ids(voc));
        problem(ps, "proposition", "%s", m.data ? m.data : "unknown proposition");
        vp_buf_free(&m);
    } else if (prop && !valid_slug(prop, 0)) {
        problem(ps, "proposition", "must be lower-case letters, digits and '-'%s", NULL);
    } else if (prop) {
        o->proposition = dup_or_oom(ps, prop);
    }
    controlled(ps, &o->societal_task, json_object_get(root, "societal_task"), "societal_task",
               vp_offering_tasks,
               "geletterdheid, informatiesamenleving, leven-lang-ontwikkelen, cultuur");
    string_list(ps, &o->creators, json_object_get(root, "creators"), "creators", 1000, NULL);
    string_list(ps, &o->subjects, json_object_get(root, "subjects"), "subjects", 1000, NULL);
    const char *lang = get_string(ps, json_object_get(root, "language"), "language", 10, 0);
    if (lang && (strlen(lang) != 2 || lang[0] < 'a' || lang[0] > 'z' || lang[1] < 'a' ||
                 lang[1] > 'z'))
        problem(ps, "language", "must be a two-letter ISO 639-1 code such as nl%s", NULL);
    else if (lang)
        o->language = dup_or_oom(ps, lang);
    parse_audience(ps, json_object_get(root, "audience"));
    controlled(ps, &o->channel, json_object_get(root, "channel"), "channel",
               vp_offering_channels, "online, offline, hybrid");
    const char *ids[2] = {"library", "branch"};
    char **id_dst[2] = {&o->library, &o->branch};
    for (int i = 0; i < 2; i++) {
        const char *s = get_string(ps, json_object_get(root, ids[i]), ids[i], VP_OFFERING_MAX_ID, 0);
        if (s && !valid_slug(s, 1))
            problem(ps, ids[i], "must be lower-case letters, digits, '-', '_' and '.'%s", NULL);
        else if (s)
            *id_dst[i] = dup_or_oom(ps, s);
    }
    set_string(ps, &o->library_name, json_object_get(root, "library_name"), "library_name", 1000, 0);
    set_string(ps, &o->branch_name, json_object_get(root, "branch_name"), "branch_name", 1000, 0);
    set_string(ps, &o->municipality, json_object_get(root, "municipality"), "municipality", 200, 0);
    parse_location(ps, json_object_get(root, "location"));
    json_t *first_start, *last_end;
    parse_dates(ps, root, &first_start, &last_end);
    parse_price(ps, json_object_get(root, "price"));
    const char *url = get_string(ps, json_object_get(root, "url"), "url", 4096, 0);
    if (url && !vp_offering_url_ok(url))
        problem(ps, "url", "must be an absolute http or https URL%s", NULL);
    else if (url)
        o->url = dup_or_oom(ps, url);
    /* A picture of the offering for shared links (og:image): kept in the
     * JSON form only, nothing searches it. */
    const char *image = get_string(ps, json_object_get(root, "image"), "image", 4096, 0);
    if (image && !vp_offering_url_ok(image))
        problem(ps, "image", "must be an absolute http or https URL%s", NULL);
    string_list(ps, &o->isbn, json_object_get(root, "isbn"), "isbn", 40, check_isbn);
    set_string(ps, &o->work_key, json_object_get(root, "work_key"), "work_key", VP_OFFERING_MAX_ID, 0);
    parse_catalogue(ps, root);
    json_t *upd = json_object_get(root, "updated");
    vp_datetime updated;
    if (parse_date_field(ps, upd, "updated", &updated) == 0 && upd && !json_is_null(upd)) {
        if (updated.all_day)
            problem(ps, "updated", "must be a date-time with offset, not a date%s", NULL);
        else
            o->updated = dup_or_oom(ps, json_string_value(upd));
    }

    if (ps->oom) {
        st = VP_ERR_NOMEM;
    } else if (ps->n_errors) {
        st = VP_ERR_INVALID;
    } else {
        if (first_start) {
            if (json_object_set(root, "start", first_start) != 0 ||
                (last_end && json_object_set(root, "end", last_end) != 0))
                ps->oom = 1;
        }
        o->json = ps->oom ? NULL : json_dumps(root, JSON_COMPACT | JSON_REAL_PRECISION(15));
        if (!o->json)
            st = VP_ERR_NOMEM;
        else
            o->doc = json_incref(root);
    }
    if (st == VP_OK) {
        *out = o;
        ps->o = NULL;
    } else {
        vp_offering_destroy(o);
        ps->o = NULL;
    }
done:
    return st;
}

static void free_list(vp_strlist *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->items[i]);
    free(l->items);
}

void vp_offering_destroy(vp_offering *o)
{
    if (!o)
        return;
    char *strings[] = {o->id, o->type, o->title, o->description, o->local_name,
                       o->proposition, o->societal_task, o->language, o->channel, o->library,
                       o->library_name, o->branch, o->branch_name, o->municipality, o->url,
                       o->work_key, o->source, o->updated, o->json};
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
        free(strings[i]);
    json_decref(o->doc);
    free_list(&o->creators);
    free_list(&o->subjects);
    free_list(&o->audience_groups);
    free_list(&o->isbn);
    free(o->occurrences);
    free(o);
}

vp_status vp_offering_isbn13(const char *s, char out[14])
{
    return isbn13(s, out) == 0 ? VP_OK : VP_ERR_INVALID;
}
