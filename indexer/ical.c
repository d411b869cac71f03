/* ical.c - the iCalendar connector (ical.h), built on libical.
 *
 * How it reads a file:
 *   1. The bytes are cut into content lines here, not by libical: a UTF-8
 *      BOM is skipped, CRLF, LF and lone CR all end a line, lines starting
 *      with a space or TAB continue the previous one (blank lines between
 *      them are skipped), and each content line remembers the physical line
 *      it started on.
 *   2. Only top-level iCalendar components (VCALENDAR, or a bare VEVENT,
 *      VTODO, ...) are fed to libical, line by line; junk outside them is
 *      dropped. BEGIN/END lines are rewritten in a canonical form and
 *      balanced here (an END that closes an outer component first closes
 *      the inner ones; missing ENDs are added at the end of input), so
 *      libical's tree is always complete and icalparser_clean(), which
 *      hands out a component its parser frees again, is never needed.
 *      After each BEGIN:VEVENT a property X-VINDPLAATS-POS:"N LINE" is
 *      fed, so each parsed VEVENT knows its number and line; an input's
 *      own X-VINDPLAATS-* lines are dropped.
 *   3. VEVENTs are grouped by UID: the one without RECURRENCE-ID is the
 *      series, the others override one of its occurrences. Each series is
 *      expanded (DTSTART, RRULEs with libical's icalrecur iterator, RDATE,
 *      minus EXDATE, then the overrides) within the window, at most
 *      VP_ICAL_MAX_OCC occurrences, and emitted as one record.
 *
 * Times: a TZID is looked up in the VTIMEZONEs of its own VCALENDAR first
 * (when that VTIMEZONE is usable), then among libical's built-in zones
 * (also the tail of "/vendor/.../Area/City" names and a few Windows
 * names), else the default zone is used. Floating times are in the
 * default zone; UTC times are shown with the default zone's offset.
 * All-day events give dates, their DTEND (exclusive) made inclusive.
 *
 * libical is trusted only as far as needed: every property's value kind
 * is checked before its typed getter is called (a getter of the wrong kind
 * reads the wrong member of a union), names handed to the built-in zone
 * lookup (which opens files under the zoneinfo directory) are restricted
 * to plain zone names, VTIMEZONEs with other than YEARLY/MONTHLY rules
 * are not used, and RRULE expansion is bounded in steps. No libical ring
 * buffer string is kept. */
#include "vindplaats/ical.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <libical/ical.h>

#include "vindplaats/hash.h"
#include "vindplaats/web.h"
#include "vindplaats/time.h"

#define VP_ICAL_MAX_OCC 1000          /* occurrences in one record */
#define VP_ICAL_MAX_COLLECT 4000      /* collected before sorting and cutting */
#define VP_ICAL_MAX_STEPS 100000      /* iterator steps for one RRULE */
#define VP_ICAL_MAX_TOTAL_STEPS 5000000 /* iterator steps for one input */
#define VP_ICAL_MAX_DEPTH 32          /* nesting of components fed to libical */
#define VP_ICAL_MAX_LINE (1 << 20)    /* bytes of one unfolded content line */
#define VP_ICAL_TZ_CACHE 32
#define POS_PROP "X-VINDPLAATS-POS"
#define UNCLOSED_PROP "X-VINDPLAATS-UNCLOSED"

/* ---------------------------------------------------------------- dates */

/* Fields a date or date-time must have to be used at all. */
static int time_ok(struct icaltimetype t)
{
    if (t.year < 1 || t.year > 9999 || t.month < 1 || t.month > 12 || t.day < 1 ||
        t.day > vp_days_in_month(t.year, t.month))
        return 0;
    if (t.is_date)
        return 1;
    return t.hour >= 0 && t.hour < 24 && t.minute >= 0 && t.minute < 60 && t.second >= 0 &&
           t.second <= 60;
}

static long long day_number(struct icaltimetype t)
{
    return vp_days_from_civil(t.year, t.month, t.day);
}

/* The UTC fields of an epoch second, as libical wants them. */
static struct icaltimetype utc_fields(long long epoch)
{
    struct icaltimetype t = icaltime_null_time();
    long long days = vp_epoch_day(epoch), secs = epoch - days * 86400;
    int64_t y;
    int m, d;
    vp_civil_from_days(days, &y, &m, &d);
    t.year = (int)(y < 0 ? 0 : y > 9999 ? 9999 : y);
    t.month = m;
    t.day = d;
    t.hour = (int)(secs / 3600);
    t.minute = (int)(secs / 60 % 60);
    t.second = (int)(secs % 60);
    t.zone = icaltimezone_get_utc_timezone();
    return t;
}

/* ---------------------------------------------------------- the context */

typedef struct tz_entry {
    const icalcomponent *cal;
    char *tzid;
    icaltimezone *zone; /* NULL: not found */
} tz_entry;

typedef struct ctx {
    long long wstart, wend;
    icaltimezone *utc, *defzone;
    const vp_emit *emit;
    tz_entry cache[VP_ICAL_TZ_CACHE];
    size_t n_cache, next_cache;
    long long steps_left;
    int nomem;
    int stop;
} ctx;

/* ------------------------------------------------------------ time zones */

/* Built-in lookups open files under the zoneinfo directory for names not
 * in its index: allow plain zone names only. */
static int tzid_plain(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64 || s[0] == '/' || s[0] == '-' || strstr(s, "//"))
        return 0;
    for (const char *p = s; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-' && *p != '+' && *p != '/')
            return 0;
    return 1;
}

static icaltimezone *builtin(const char *name)
{
    if (!tzid_plain(name))
        return NULL;
    return icaltimezone_get_builtin_timezone(name);
}

/* Windows and Outlook names seen in calendars exported without VTIMEZONE. */
static const char *const windows_zones[][2] = {
    {"W. Europe Standard Time", "Europe/Amsterdam"},
    {"Romance Standard Time", "Europe/Paris"},
    {"Central Europe Standard Time", "Europe/Budapest"},
    {"Central European Standard Time", "Europe/Warsaw"},
    {"GMT Standard Time", "Europe/London"},
    {"Greenwich Standard Time", "Atlantic/Reykjavik"},
    {"FLE Standard Time", "Europe/Helsinki"},
    {"GTB Standard Time", "Europe/Bucharest"},
    {"E. Europe Standard Time", "Europe/Chisinau"},
    {"Turkey Standard Time", "Europe/Istanbul"},
    {"Russian Standard Time", "Europe/Moscow"},
    {"Morocco Standard Time", "Africa/Casablanca"},
    {"Eastern Standard Time", "America/New_York"},
    {"Central Standard Time", "America/Chicago"},
    {"Mountain Standard Time", "America/Denver"},
    {"Pacific Standard Time", "America/Los_Angeles"},
    {"E. South America Standard Time", "America/Sao_Paulo"},
    {"SA Pacific Standard Time", "America/Bogota"},
    {"Coordinated Universal Time", "UTC"},
    {"UTC", "UTC"},
};

/* A VTIMEZONE libical can compute offsets from without running away:
 * STANDARD/DAYLIGHT parts with DTSTART and TZOFFSETTO, yearly or monthly
 * rules only. */
static int vtimezone_usable(icalcomponent *vtz)
{
    int parts = 0;
    if (!vtz)
        return 0;
    for (icalcomponent *c = icalcomponent_get_first_component(vtz, ICAL_ANY_COMPONENT); c;
         c = icalcomponent_get_next_component(vtz, ICAL_ANY_COMPONENT)) {
        icalcomponent_kind k = icalcomponent_isa(c);
        if (k != ICAL_XSTANDARD_COMPONENT && k != ICAL_XDAYLIGHT_COMPONENT)
            continue;
        icalproperty *st = icalcomponent_get_first_property(c, ICAL_DTSTART_PROPERTY);
        icalproperty *to = icalcomponent_get_first_property(c, ICAL_TZOFFSETTO_PROPERTY);
        if (!st || !to)
            return 0;
        icalvalue_kind vk = icalvalue_isa(icalproperty_get_value(st));
        if (vk != ICAL_DATETIME_VALUE && vk != ICAL_DATE_VALUE)
            return 0;
        if (!time_ok(icalproperty_get_dtstart(st)))
            return 0;
        for (icalproperty *r = icalcomponent_get_first_property(c, ICAL_RRULE_PROPERTY); r;
             r = icalcomponent_get_next_property(c, ICAL_RRULE_PROPERTY)) {
            if (icalvalue_isa(icalproperty_get_value(r)) != ICAL_RECUR_VALUE)
                return 0;
            struct icalrecurrencetype rule = icalproperty_get_rrule(r);
            if (rule.freq != ICAL_YEARLY_RECURRENCE && rule.freq != ICAL_MONTHLY_RECURRENCE)
                return 0;
        }
        parts++;
    }
    return parts > 0;
}

static icaltimezone *lookup_zone(icalcomponent *cal, const char *tzid)
{
    if (cal) {
        icaltimezone *z = icalcomponent_get_timezone(cal, tzid);
        if (z && vtimezone_usable(icaltimezone_get_component(z)))
            return z;
    }
    icaltimezone *z = builtin(tzid);
    if (z)
        return z;
    /* "/freeassociation.sourceforge.net/Tzfile/Europe/Amsterdam",
     * "/mozilla.org/20050126_1/Europe/Amsterdam": try each tail that still
     * has an Area/City form */
    for (const char *p = strchr(tzid, '/'); p; p = strchr(p + 1, '/')) {
        if (!strchr(p + 1, '/'))
            break;
        z = builtin(p + 1);
        if (z)
            return z;
    }
    for (size_t i = 0; i < sizeof windows_zones / sizeof windows_zones[0]; i++)
        if (strcmp(tzid, windows_zones[i][0]) == 0)
            return builtin(windows_zones[i][1]);
    if (strstr(tzid, "Amsterdam"))
        return builtin("Europe/Amsterdam");
    if (strstr(tzid, "Brussel"))
        return builtin("Europe/Brussels");
    return NULL;
}

/* The zone of a TZID as seen from calendar `cal` (may be NULL), or NULL. */
static icaltimezone *resolve_zone(ctx *x, icalcomponent *cal, const char *tzid)
{
    for (size_t i = 0; i < x->n_cache; i++)
        if (x->cache[i].cal == cal && strcmp(x->cache[i].tzid, tzid) == 0)
            return x->cache[i].zone;
    icaltimezone *z = lookup_zone(cal, tzid);
    char *copy = strdup(tzid);
    if (!copy)
        return z;
    size_t slot;
    if (x->n_cache < VP_ICAL_TZ_CACHE) {
        slot = x->n_cache++;
    } else {
        slot = x->next_cache;
        x->next_cache = (x->next_cache + 1) % VP_ICAL_TZ_CACHE;
        free(x->cache[slot].tzid);
    }
    x->cache[slot].cal = cal;
    x->cache[slot].tzid = copy;
    x->cache[slot].zone = z;
    return z;
}

/* ----------------------------------------------------------------- times */

/* A date or date-time as written, with the zone its fields are in. */
typedef struct ptime {
    struct icaltimetype t;
    icaltimezone *zone;    /* frame of the fields; NULL for dates */
    icaltimezone *display; /* whose offset is shown */
} ptime;

static int is_time_kind(icalvalue_kind k)
{
    return k == ICAL_DATETIME_VALUE || k == ICAL_DATE_VALUE;
}

/* Sets *out from time `t` of property `p` (its TZID). -1: unusable. */
static int make_ptime(ctx *x, icalcomponent *cal, icalproperty *p, struct icaltimetype t,
                      ptime *out)
{
    if (!time_ok(t))
        return -1;
    out->t = t;
    out->t.zone = NULL;
    if (t.is_date) {
        out->t.hour = out->t.minute = out->t.second = 0;
        out->zone = out->display = NULL;
        return 0;
    }
    if (icaltime_is_utc(t)) {
        out->zone = x->utc;
        out->display = x->defzone;
        return 0;
    }
    icaltimezone *z = NULL;
    icalparameter *tz = p ? icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER) : NULL;
    const char *tzid = tz ? icalparameter_get_tzid(tz) : NULL;
    if (tzid && *tzid)
        z = resolve_zone(x, cal, tzid);
    out->zone = out->display = z ? z : x->defzone;
    return 0;
}

/* The UTC epoch of a ptime; a date is its midnight in the default zone. */
static long long pt_epoch(ctx *x, const ptime *pt)
{
    struct icaltimetype tt = pt->t;
    icaltimezone *zone = tt.is_date ? x->defzone : pt->zone;
    long long base = day_number(tt) * 86400;
    if (!tt.is_date)
        base += tt.hour * 3600 + tt.minute * 60 + tt.second;
    if (!zone || zone == x->utc)
        return base;
    tt.is_date = 0;
    tt.zone = NULL;
    int dl = 0;
    return base - icaltimezone_get_utc_offset(zone, &tt, &dl);
}

/* The offset of `zone` at UTC epoch `epoch`, in seconds. */
static int offset_at(ctx *x, icaltimezone *zone, long long epoch)
{
    if (!zone || zone == x->utc)
        return 0;
    struct icaltimetype tt = utc_fields(epoch);
    int dl = 0;
    return icaltimezone_get_utc_offset_of_utc_time(zone, &tt, &dl);
}

/* "YYYY-MM-DDThh:mm:ss+hh:mm" of `epoch` in `zone`; *lday gets the local
 * day number. -1 when the year is out of 1..9999. */
static int fmt_time(ctx *x, long long epoch, icaltimezone *zone, char *buf, size_t size,
                    long long *lday)
{
    int off = offset_at(x, zone, epoch);
    if (off % 60 != 0 || off <= -86400 || off >= 86400)
        off = 0; /* local mean time of old dates: show the instant in UTC */
    long long local = epoch + off, days = vp_epoch_day(local), secs = local - days * 86400;
    int64_t y;
    int m, d;
    vp_civil_from_days(days, &y, &m, &d);
    if (y < 1 || y > 9999)
        return -1;
    if (lday)
        *lday = days;
    int n;
    if (!zone || zone == x->utc) {
        n = snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02dZ", (int)y, m, d, (int)(secs / 3600),
                     (int)(secs / 60 % 60), (int)(secs % 60));
    } else {
        int a = off < 0 ? -off : off;
        n = snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", (int)y, m, d,
                     (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60),
                     off < 0 ? '-' : '+', a / 3600, a / 60 % 60);
    }
    return n > 0 && (size_t)n < size ? 0 : -1;
}

static int fmt_date(long long days, char *buf, size_t size)
{
    int64_t y;
    int m, d;
    vp_civil_from_days(days, &y, &m, &d);
    if (y < 1 || y > 9999)
        return -1;
    int n = snprintf(buf, size, "%04d-%02d-%02d", (int)y, m, d);
    return n > 0 && (size_t)n < size ? 0 : -1;
}

/* ----------------------------------------------------------- occurrences */

typedef struct occ {
    long long key;  /* UTC start; a date: its midnight in the default zone */
    long long lday; /* local day number of the start */
    int is_date;
    char start[40], end[40];
} occ;

typedef struct occ_list {
    occ *v;
    size_t n, cap;
} occ_list;

/* How long each occurrence of a series lasts. */
typedef struct span {
    int has_end;
    long long secs; /* date-time series */
    long long days; /* all-day series: days covered, >= 1 */
} span;

static int occ_push(ctx *x, occ_list *l, const occ *o)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        occ *v = realloc(l->v, cap * sizeof *v);
        if (!v) {
            x->nomem = 1;
            return -1;
        }
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = *o;
    return 0;
}

/* Builds the occurrence starting at `st`, ending at `en` when given, else
 * after `sp`. Returns 1 when it lies in the window (then *o is set), 0
 * when not or when it cannot be written. */
static int make_occ(ctx *x, const ptime *st, const ptime *en, const span *sp, occ *o)
{
    memset(o, 0, sizeof *o);
    long long key = pt_epoch(x, st);
    o->key = key;
    if (st->t.is_date) {
        long long sd = day_number(st->t), ed = sd;
        int has_end = 0;
        if (en) {
            ed = day_number(en->t) - 1;
            has_end = 1;
        } else if (sp->has_end) {
            ed = sd + sp->days - 1;
            has_end = 1;
        }
        if (ed < sd)
            ed = sd;
        long long wend = key + (ed - sd + 1) * 86400;
        if (wend <= x->wstart || key > x->wend)
            return 0;
        o->lday = sd;
        o->is_date = 1;
        if (fmt_date(sd, o->start, sizeof o->start) != 0)
            return 0;
        if (has_end && fmt_date(ed, o->end, sizeof o->end) != 0)
            return 0;
        return 1;
    }
    int has_end = 0;
    long long end = key;
    icaltimezone *end_zone = st->display;
    if (en) {
        end = pt_epoch(x, en);
        if (!en->t.is_date)
            end_zone = en->display;
        has_end = 1;
    } else if (sp->has_end) {
        end = key + sp->secs;
        has_end = 1;
    }
    if (has_end && end < key)
        has_end = 0;
    if ((has_end ? end : key) < x->wstart || key > x->wend)
        return 0;
    if (fmt_time(x, key, st->display, o->start, sizeof o->start, &o->lday) != 0)
        return 0;
    if (has_end && fmt_time(x, end, end_zone, o->end, sizeof o->end, NULL) != 0)
        o->end[0] = '\0';
    return 1;
}

static int add_occ(ctx *x, occ_list *l, const ptime *st, const ptime *en, const span *sp)
{
    occ o;
    if (l->n >= VP_ICAL_MAX_COLLECT || !make_occ(x, st, en, sp, &o))
        return 0;
    return occ_push(x, l, &o);
}

static int occ_cmp(const void *a, const void *b)
{
    const occ *p = a, *q = b;
    if (p->key != q->key)
        return p->key < q->key ? -1 : 1;
    return strcmp(p->end, q->end);
}

/* -------------------------------------------------------- property access */

/* The text of a TEXT (or X, URI) property, or NULL; never a getter of
 * the wrong kind. The pointer is owned by the property. */
static const char *prop_text(icalproperty *p)
{
    if (!p)
        return NULL;
    icalvalue *v = icalproperty_get_value(p);
    if (!v)
        return NULL;
    switch (icalvalue_isa(v)) {
    case ICAL_TEXT_VALUE:
        return icalvalue_get_text(v);
    case ICAL_X_VALUE:
        return icalvalue_get_x(v);
    case ICAL_URI_VALUE:
        return icalvalue_get_uri(v);
    default:
        return NULL;
    }
}

static const char *comp_text(icalcomponent *c, icalproperty_kind k)
{
    return prop_text(icalcomponent_get_first_property(c, k));
}

/* The time of a DATE or DATE-TIME valued property, or -1. */
static int prop_time(ctx *x, icalcomponent *cal, icalproperty *p, ptime *out)
{
    if (!p)
        return -1;
    icalvalue *v = icalproperty_get_value(p);
    if (!v || !is_time_kind(icalvalue_isa(v)))
        return -1;
    return make_ptime(x, cal, p, icalvalue_get_datetime(v), out);
}

static int is_cancelled(icalcomponent *c)
{
    icalproperty *p = icalcomponent_get_first_property(c, ICAL_STATUS_PROPERTY);
    if (!p)
        return 0;
    icalvalue *v = icalproperty_get_value(p);
    if (!v)
        return 0;
    if (icalvalue_isa(v) == ICAL_STATUS_VALUE)
        return icalvalue_get_status(v) == ICAL_STATUS_CANCELLED;
    const char *s = prop_text(p);
    return s && strcasecmp(s, "CANCELLED") == 0;
}

/* A VEVENT as found in the input. */
typedef struct vevent {
    icalcomponent *c, *cal;
    int n, line;
    int unclosed;
    const char *uid;   /* owned by the component; NULL when absent or empty */
    int is_override;   /* has RECURRENCE-ID (and a UID) */
    size_t grp, grp_len; /* its group: a range of the sorted index */
    int done;
    char where[160];
} vevent;

static void set_where(vevent *e)
{
    if (e->uid) {
        char uid[96];
        size_t n = strlen(e->uid);
        if (n >= sizeof uid) {
            memcpy(uid, e->uid, sizeof uid - 4);
            memcpy(uid + sizeof uid - 4, "...", 4);
        } else {
            memcpy(uid, e->uid, n + 1);
        }
        for (char *p = uid; *p; p++)
            if ((unsigned char)*p < 0x20)
                *p = ' ';
        snprintf(e->where, sizeof e->where, "VEVENT %d (line %d, UID %s)", e->n, e->line, uid);
    } else {
        snprintf(e->where, sizeof e->where, "VEVENT %d (line %d)", e->n, e->line);
    }
}

static void reject(ctx *x, const vevent *e, const char *msg)
{
    if (x->emit->reject)
        x->emit->reject(x->emit->ctx, e->where, msg);
}

/* An X-LIC-ERROR libical left about a property that the occurrences
 * depend on, as "NAME: message", or 0. */
static int timing_error(icalcomponent *c, char *buf, size_t size)
{
    /* not RDATE: an extra date libical cannot read (Google writes
     * "RDATE:20131210Z") leaves the rest of the series right */
    static const char *const names[] = {"DTSTART", "DTEND",  "DURATION",
                                        "RRULE",   "EXDATE", "RECURRENCE-ID"};
    for (icalproperty *p = icalcomponent_get_first_property(c, ICAL_XLICERROR_PROPERTY); p;
         p = icalcomponent_get_next_property(c, ICAL_XLICERROR_PROPERTY)) {
        const char *msg = prop_text(p);
        if (!msg)
            continue;
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
            char pat[40];
            snprintf(pat, sizeof pat, " %s property", names[i]);
            if (strstr(msg, pat)) {
                snprintf(buf, size, "%s: %.300s", names[i], msg);
                for (char *q = buf; *q; q++)
                    if ((unsigned char)*q < 0x20)
                        *q = ' ';
                return 1;
            }
        }
    }
    return 0;
}

/* ------------------------------------------------------------- expansion */

/* Local fields of UTC epoch `epoch` in the frame of `dt` (for libical's
 * iterator, which works on the fields of DTSTART). */
static struct icaltimetype frame_fields(ctx *x, const ptime *dt, long long epoch)
{
    icaltimezone *zone = dt->t.is_date ? x->defzone : dt->zone;
    struct icaltimetype t = utc_fields(epoch + offset_at(x, zone, epoch));
    t.zone = NULL;
    if (dt->t.is_date) {
        t.is_date = 1;
        t.hour = t.minute = t.second = 0;
    }
    return t;
}

/* Adds the occurrences of one RRULE. -1 with *why set: unusable rule. */
static int expand_rrule(ctx *x, occ_list *l, const ptime *dt, const span *sp, icalproperty *p,
                        size_t limit, const char **why)
{
    icalvalue *v = icalproperty_get_value(p);
    if (!v || icalvalue_isa(v) != ICAL_RECUR_VALUE) {
        *why = "RRULE: not a recurrence rule";
        return -1;
    }
    struct icalrecurrencetype rule = icalproperty_get_rrule(p);
    if (rule.freq == ICAL_NO_RECURRENCE) {
        *why = "RRULE: no FREQ";
        return -1;
    }
    if (rule.freq == ICAL_SECONDLY_RECURRENCE || rule.freq == ICAL_MINUTELY_RECURRENCE) {
        *why = "RRULE: FREQ=SECONDLY and MINUTELY are not supported";
        return -1;
    }
    /* UNTIL is checked here, exactly (libical compares UNTIL in UTC with
     * the floating fields it iterates); libical gets a loose UNTIL just
     * past the window, so that a rule that never matches stops there. */
    struct icaltimetype until = rule.until;
    int has_until = !icaltime_is_null_time(until);
    long long until_epoch = 0, until_day = 0;
    long long stop = x->wend;
    if (has_until) {
        if (!time_ok(until)) {
            *why = "RRULE: UNTIL is not a date";
            return -1;
        }
        if (until.is_date) {
            until_day = day_number(until);
            ptime u = {until, NULL, NULL};
            u.t.zone = NULL;
            until_epoch = pt_epoch(x, &u) + 86400;
        } else if (icaltime_is_utc(until)) {
            until_epoch = day_number(until) * 86400 + until.hour * 3600 + until.minute * 60 +
                          until.second;
        } else {
            ptime u = *dt;
            u.t = until;
            u.t.zone = NULL;
            u.t.is_date = 0;
            until_epoch = pt_epoch(x, &u);
        }
        if (until_epoch < stop)
            stop = until_epoch;
    }
    long long count = rule.count;
    rule.count = 0;
    long long dt_epoch = pt_epoch(x, dt);
    long long longest = sp->has_end ? (dt->t.is_date ? sp->days * 86400 : sp->secs) : 0;
    if (stop < dt_epoch || stop + longest + 2 * 86400 < x->wstart)
        return 0; /* all of it before the window, or none at all */
    rule.until = frame_fields(x, dt, stop + 2 * 86400);
    if (rule.until.year >= 9999)
        rule.until = icaltime_null_time();

    struct icaltimetype start = dt->t;
    start.zone = NULL;
    icalrecur_iterator *it = icalrecur_iterator_new(rule, start);
    if (!it) {
        *why = "RRULE: not a usable rule";
        return -1;
    }
    if (count == 0) {
        long long jump = x->wstart - longest - 2 * 86400;
        if (jump > dt_epoch + 2 * 86400)
            (void)icalrecur_iterator_set_start(it, frame_fields(x, dt, jump));
    }
    long long n = 0;
    size_t added = 0;
    for (long long steps = 0; steps < VP_ICAL_MAX_STEPS && x->steps_left > 0; steps++) {
        x->steps_left--;
        struct icaltimetype t = icalrecur_iterator_next(it);
        if (icaltime_is_null_time(t))
            break;
        if (count && ++n > count)
            break;
        ptime o = *dt;
        o.t = t;
        o.t.zone = NULL;
        o.t.is_date = dt->t.is_date;
        if (o.t.is_date)
            o.t.hour = o.t.minute = o.t.second = 0;
        if (!time_ok(o.t))
            continue;
        long long key = pt_epoch(x, &o);
        if (has_until) {
            if (until.is_date ? day_number(o.t) > until_day : key > until_epoch)
                break;
        }
        if (key > x->wend || l->n >= VP_ICAL_MAX_COLLECT || added >= limit)
            break;
        size_t before = l->n;
        if (add_occ(x, l, &o, NULL, sp) != 0)
            break;
        added += l->n - before;
    }
    icalrecur_iterator_free(it);
    return x->nomem ? -1 : 0;
}

static void add_rdates(ctx *x, occ_list *l, icalcomponent *c, icalcomponent *cal,
                       const ptime *dt, const span *sp)
{
    for (icalproperty *p = icalcomponent_get_first_property(c, ICAL_RDATE_PROPERTY); p;
         p = icalcomponent_get_next_property(c, ICAL_RDATE_PROPERTY)) {
        icalvalue *v = icalproperty_get_value(p);
        if (!v)
            continue;
        icalvalue_kind k = icalvalue_isa(v);
        ptime st, en;
        if (is_time_kind(k)) {
            if (make_ptime(x, cal, p, icalvalue_get_datetime(v), &st) != 0)
                continue;
            if (!st.t.is_date && dt->t.is_date)
                continue; /* a date-time in an all-day series: no such instance */
            add_occ(x, l, &st, NULL, sp);
        } else if (k == ICAL_PERIOD_VALUE) {
            struct icalperiodtype per = icalvalue_get_period(v);
            if (make_ptime(x, cal, p, per.start, &st) != 0)
                continue;
            if (!icaltime_is_null_time(per.end)) {
                if (make_ptime(x, cal, p, per.end, &en) != 0)
                    continue;
                add_occ(x, l, &st, &en, sp);
            } else {
                span s2 = {1, icaldurationtype_as_int(per.duration), 1};
                if (st.t.is_date)
                    s2.days = s2.secs / 86400 > 0 ? s2.secs / 86400 : 1;
                if (s2.secs < 0)
                    s2.has_end = 0;
                add_occ(x, l, &st, NULL, &s2);
            }
        }
        if (x->nomem)
            return;
    }
}

static void remove_exdates(ctx *x, occ_list *l, icalcomponent *c, icalcomponent *cal)
{
    for (icalproperty *p = icalcomponent_get_first_property(c, ICAL_EXDATE_PROPERTY); p;
         p = icalcomponent_get_next_property(c, ICAL_EXDATE_PROPERTY)) {
        ptime ex;
        if (prop_time(x, cal, p, &ex) != 0)
            continue;
        long long key = pt_epoch(x, &ex), day = day_number(ex.t);
        size_t w = 0;
        for (size_t i = 0; i < l->n; i++) {
            int gone = ex.t.is_date ? l->v[i].lday == day : l->v[i].key == key;
            if (!gone)
                l->v[w++] = l->v[i];
        }
        l->n = w;
    }
}

/* The span of a VEVENT from DTEND or DURATION; -1 with *why when one of
 * them is there but unusable. */
static int event_span(ctx *x, icalcomponent *c, icalcomponent *cal, const ptime *st, span *sp,
                      const char **why)
{
    memset(sp, 0, sizeof *sp);
    sp->days = 1;
    icalproperty *pe = icalcomponent_get_first_property(c, ICAL_DTEND_PROPERTY);
    icalproperty *pd = icalcomponent_get_first_property(c, ICAL_DURATION_PROPERTY);
    if (pe) {
        ptime en;
        if (prop_time(x, cal, pe, &en) != 0) {
            *why = "DTEND: not a date";
            return -1;
        }
        if (st->t.is_date) {
            long long days = day_number(en.t) - day_number(st->t);
            sp->has_end = 1;
            sp->days = days > 0 ? days : 1;
        } else {
            long long secs = pt_epoch(x, &en) - pt_epoch(x, st);
            if (secs >= 0) {
                sp->has_end = 1;
                sp->secs = secs;
            }
        }
    } else if (pd) {
        icalvalue *v = icalproperty_get_value(pd);
        if (!v || icalvalue_isa(v) != ICAL_DURATION_VALUE) {
            *why = "DURATION: not a duration";
            return -1;
        }
        struct icaldurationtype d = icalvalue_get_duration(v);
        long long secs = icaldurationtype_as_int(d);
        if (secs >= 0 && !icaldurationtype_is_bad_duration(d)) {
            sp->has_end = 1;
            sp->secs = secs;
            sp->days = secs / 86400 > 0 ? secs / 86400 : 1;
        }
    }
    return 0;
}

/* DTSTART of a VEVENT (or, for an override without one, its
 * RECURRENCE-ID). -1 with *why. */
static int event_start(ctx *x, icalcomponent *c, icalcomponent *cal, ptime *st,
                       const char **why)
{
    icalproperty *p = icalcomponent_get_first_property(c, ICAL_DTSTART_PROPERTY);
    if (!p)
        p = icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY);
    if (!p) {
        *why = "no DTSTART";
        return -1;
    }
    if (prop_time(x, cal, p, st) != 0) {
        *why = "DTSTART: not a date";
        return -1;
    }
    return 0;
}

/* Checks done on every VEVENT before it is used: 0 or -1 (rejected). */
static int check_event(ctx *x, const vevent *e)
{
    char buf[400];
    if (e->unclosed) {
        reject(x, e, "not closed: END:VEVENT missing");
        return -1;
    }
    if (timing_error(e->c, buf, sizeof buf)) {
        reject(x, e, buf);
        return -1;
    }
    if (!icalcomponent_get_first_property(e->c, ICAL_DTSTART_PROPERTY) &&
        !(e->is_override &&
          icalcomponent_get_first_property(e->c, ICAL_RECURRENCEID_PROPERTY))) {
        reject(x, e, "no DTSTART");
        return -1;
    }
    return 0;
}

/* Applies override `o` to the occurrences of a series: removes the one
 * its RECURRENCE-ID names, adds its own unless it is cancelled. */
static void apply_override(ctx *x, occ_list *l, const vevent *o, const span *series_span)
{
    ptime rid;
    icalproperty *rp = icalcomponent_get_first_property(o->c, ICAL_RECURRENCEID_PROPERTY);
    if (prop_time(x, o->cal, rp, &rid) != 0) {
        reject(x, o, "RECURRENCE-ID: not a date");
        return;
    }
    long long key = pt_epoch(x, &rid);
    size_t w = 0;
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i].key != key)
            l->v[w++] = l->v[i];
    l->n = w;
    if (is_cancelled(o->c))
        return;
    ptime st;
    const char *why = NULL;
    span sp;
    if (event_start(x, o->c, o->cal, &st, &why) != 0 ||
        event_span(x, o->c, o->cal, &st, &sp, &why) != 0) {
        reject(x, o, why);
        return;
    }
    if (!icalcomponent_get_first_property(o->c, ICAL_DTEND_PROPERTY) &&
        !icalcomponent_get_first_property(o->c, ICAL_DURATION_PROPERTY))
        sp = *series_span;
    add_occ(x, l, &st, NULL, &sp);
}

/* -------------------------------------------------------------- fields */

static int ci_prefix(const char *s, const char *prefix)
{
    return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

/* 1 when an upper-cased X- name has a part naming an age: X-AGE,
 * X-MIN-AGE, X-AGE-RANGE, X-LEEFTIJD (not X-MESSAGE-ID). */
static int age_name(const char *up)
{
    static const char *const words[] = {"AGE", "AGES", "AGERANGE", "LEEFTIJD", "LEEFTIJDEN"};
    const char *p = up;
    while (*p) {
        size_t n = strcspn(p, "-");
        for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
            if (strlen(words[i]) == n && strncmp(p, words[i], n) == 0)
                return 1;
        p += n;
        if (*p == '-')
            p++;
    }
    return 0;
}

/* The text that states the event's age: the first X- property or
 * CATEGORIES value that holds an age in numbers as vp_age_phrase (the
 * grammar normalisation reads it with) finds one, else an X- property
 * named for ages (X-MIN-AGE: 6) with a number in it. Borrowed from `c`,
 * or NULL. */
static const char *event_age(icalcomponent *c)
{
    int lo, hi;
    const char *group;
    for (icalproperty *p = icalcomponent_get_first_property(c, ICAL_X_PROPERTY); p;
         p = icalcomponent_get_next_property(c, ICAL_X_PROPERTY)) {
        const char *name = icalproperty_get_x_name(p), *v = prop_text(p);
        if (!name || !v || ci_prefix(name, "X-VINDPLAATS-") || ci_prefix(name, "X-ALT-DESC"))
            continue;
        if (vp_age_phrase(v, &lo, &hi, &group) == 0 && !group)
            return v;
        char up[64];
        size_t n = strlen(name);
        if (n >= sizeof up)
            continue;
        for (size_t i = 0; i <= n; i++)
            up[i] = (char)toupper((unsigned char)name[i]);
        if (age_name(up) && strpbrk(v, "0123456789") && strlen(v) <= 64)
            return v;
    }
    for (icalproperty *p = icalcomponent_get_first_property(c, ICAL_CATEGORIES_PROPERTY); p;
         p = icalcomponent_get_next_property(c, ICAL_CATEGORIES_PROPERTY)) {
        const char *v = prop_text(p);
        if (v && vp_age_phrase(v, &lo, &hi, &group) == 0 && !group)
            return v;
    }
    return NULL;
}

/* "YYYY-MM-DDThh:mm:ssZ" of LAST-MODIFIED, else DTSTAMP; 0 when none. */
static int event_updated(ctx *x, icalcomponent *c, icalcomponent *cal, char *buf, size_t size)
{
    static const icalproperty_kind kinds[] = {ICAL_LASTMODIFIED_PROPERTY, ICAL_DTSTAMP_PROPERTY};
    for (size_t i = 0; i < 2; i++) {
        ptime t;
        if (prop_time(x, cal, icalcomponent_get_first_property(c, kinds[i]), &t) != 0 ||
            t.t.is_date)
            continue;
        if (fmt_time(x, pt_epoch(x, &t), x->utc, buf, size, NULL) == 0)
            return 1;
    }
    return 0;
}

/* "nouid-" and a hash of DTSTART (as written, with its TZID) and SUMMARY. */
static void nouid_id(ctx *x, icalcomponent *c, const ptime *st, char *buf, size_t size)
{
    char when[96];
    icalproperty *p = icalcomponent_get_first_property(c, ICAL_DTSTART_PROPERTY);
    icalparameter *tz = p ? icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER) : NULL;
    const char *tzid = tz ? icalparameter_get_tzid(tz) : NULL;
    snprintf(when, sizeof when, "%04d%02d%02d%s%02d%02d%02d%s;%.40s", st->t.year, st->t.month,
             st->t.day, st->t.is_date ? "" : "T", st->t.is_date ? 0 : st->t.hour,
             st->t.is_date ? 0 : st->t.minute, st->t.is_date ? 0 : st->t.second,
             st->zone == x->utc ? "Z" : "", tzid ? tzid : "");
    const char *summary = comp_text(c, ICAL_SUMMARY_PROPERTY);
    uint64_t h = vp_hash_add(vp_hash_str(when), "\x1f", 1);
    h = vp_hash_add(h, summary ? summary : "", summary ? strlen(summary) : 0);
    snprintf(buf, size, "nouid-%016llx", (unsigned long long)h);
}

/* The record of a series, `src` giving its fields; 0, or -1 out of memory. */
static int emit_record(ctx *x, const vevent *src, const char *local_id, const occ_list *l)
{
    json_t *f = json_object(), *occs = json_array();
    int rc = -1;
    if (!f || !occs)
        goto done;
    icalcomponent *c = src->c;
    if (vp_fields_set(f, "title", comp_text(c, ICAL_SUMMARY_PROPERTY)) != 0 ||
        vp_fields_set_text(f, "description", comp_text(c, ICAL_DESCRIPTION_PROPERTY)) != 0 ||
        vp_fields_set(f, "_location", comp_text(c, ICAL_LOCATION_PROPERTY)) != 0)
        goto done;
    const char *url = comp_text(c, ICAL_URL_PROPERTY);
    if (vp_is_http_url(url) && vp_fields_set(f, "url", url) != 0)
        goto done;
    for (icalproperty *p = icalcomponent_get_first_property(c, ICAL_CATEGORIES_PROPERTY); p;
         p = icalcomponent_get_next_property(c, ICAL_CATEGORIES_PROPERTY))
        if (vp_fields_add(f, "_categories", prop_text(p)) != 0)
            goto done;
    char buf[128];
    if (vp_fields_set(f, "_age", event_age(c)) != 0)
        goto done;
    if (event_updated(x, c, src->cal, buf, sizeof buf) && vp_fields_set(f, "updated", buf) != 0)
        goto done;
    for (size_t i = 0; i < l->n; i++) {
        json_t *o = json_object();
        if (!o || json_array_append_new(occs, o) != 0 ||
            json_object_set_new(o, "start", json_string(l->v[i].start)) != 0 ||
            (l->v[i].end[0] && json_object_set_new(o, "end", json_string(l->v[i].end)) != 0))
            goto done;
    }
    if (json_object_set_new(f, "start", json_string(l->v[0].start)) != 0 ||
        (l->v[0].end[0] && json_object_set_new(f, "end", json_string(l->v[0].end)) != 0))
        goto done;
    rc = json_object_set_new(f, "occurrences", occs);
    occs = NULL;
    if (rc != 0)
        goto done;
    json_t *give = f;
    f = NULL;
    if (x->emit->record && x->emit->record(x->emit->ctx, local_id, give, src->where) != 0)
        x->stop = 1;
    else if (!x->emit->record)
        json_decref(give);
    rc = 0;
done:
    json_decref(occs);
    json_decref(f);
    if (rc != 0)
        x->nomem = 1;
    return rc;
}

/* The occurrences a VEVENT gives by itself: DTSTART, its RRULEs and
 * RDATEs, less its EXDATEs. 0, or -1 when rejected (or out of memory). */
static int expand_event(ctx *x, const vevent *e, size_t n_overrides, occ_list *l, span *sp)
{
    ptime dt;
    const char *why = NULL;
    if (event_start(x, e->c, e->cal, &dt, &why) != 0 ||
        event_span(x, e->c, e->cal, &dt, sp, &why) != 0) {
        reject(x, e, why);
        return -1;
    }
    add_occ(x, l, &dt, NULL, sp);
    /* a rule need not give more than the record can hold, plus what the
     * EXDATEs and overrides may take away again */
    size_t limit = VP_ICAL_MAX_OCC + (size_t)n_overrides +
                   (size_t)icalcomponent_count_properties(e->c, ICAL_EXDATE_PROPERTY);
    for (icalproperty *p = icalcomponent_get_first_property(e->c, ICAL_RRULE_PROPERTY); p;
         p = icalcomponent_get_next_property(e->c, ICAL_RRULE_PROPERTY)) {
        if (expand_rrule(x, l, &dt, sp, p, limit, &why) != 0) {
            if (!x->nomem)
                reject(x, e, why);
            return -1;
        }
    }
    add_rdates(x, l, e->c, e->cal, &dt, sp);
    remove_exdates(x, l, e->c, e->cal);
    return x->nomem ? -1 : 0;
}

static int has_title(const vevent *e)
{
    const char *title = comp_text(e->c, ICAL_SUMMARY_PROPERTY);
    return title && title[strspn(title, " \t\r\n")];
}

/* One group of VEVENTs sharing a UID (or one without UID): `members` in
 * document order. With a series (the one without RECURRENCE-ID) the
 * others override its occurrences; without one (a calendar that only
 * holds moved instances) each counts as it stands. */
static void do_series(ctx *x, vevent **members, size_t n)
{
    vevent *master = NULL;
    for (size_t i = 0; i < n; i++) {
        if (members[i]->is_override)
            continue;
        if (!master) {
            master = members[i];
        } else {
            char msg[200];
            snprintf(msg, sizeof msg, "UID also used by VEVENT %d (line %d); ignored", master->n,
                     master->line);
            reject(x, members[i], msg);
        }
    }
    occ_list l = {NULL, 0, 0};
    const vevent *src = NULL;
    span sp = {0, 0, 1};
    if (master) {
        if (check_event(x, master) != 0)
            goto done;
        if (is_cancelled(master->c))
            goto done;
        if (!has_title(master)) {
            reject(x, master, "no SUMMARY");
            goto done;
        }
        if (expand_event(x, master, n, &l, &sp) != 0)
            goto done;
        src = master;
    }
    for (size_t i = 0; i < n && !x->nomem; i++) {
        vevent *o = members[i];
        if (!o->is_override || check_event(x, o) != 0)
            continue;
        if (master) {
            apply_override(x, &l, o, &sp);
            continue;
        }
        if (is_cancelled(o->c))
            continue;
        if (!has_title(o)) {
            reject(x, o, "no SUMMARY");
            continue;
        }
        span osp;
        if (expand_event(x, o, n, &l, &osp) == 0 && !src)
            src = o;
    }
    if (x->nomem || !src || l.n == 0)
        goto done;
    /* one kind per record: dates or date-times as the series' DTSTART
     * (an all-day RDATE or override in a timed series is dropped) */
    icalproperty *sp0 = icalcomponent_get_first_property(src->c, ICAL_DTSTART_PROPERTY);
    ptime first;
    int want_date = prop_time(x, src->cal, sp0, &first) == 0 ? first.t.is_date : l.v[0].is_date;
    size_t w = 0;
    for (size_t i = 0; i < l.n; i++)
        if (l.v[i].is_date == want_date)
            l.v[w++] = l.v[i];
    l.n = w;
    if (l.n == 0)
        goto done;
    qsort(l.v, l.n, sizeof *l.v, occ_cmp);
    w = 0;
    for (size_t i = 0; i < l.n; i++)
        if (w == 0 || l.v[i].key != l.v[w - 1].key)
            l.v[w++] = l.v[i];
    l.n = w > VP_ICAL_MAX_OCC ? VP_ICAL_MAX_OCC : w;

    char id[40];
    const char *local_id = src->uid;
    if (!local_id) {
        ptime st;
        const char *why = NULL;
        if (event_start(x, src->c, src->cal, &st, &why) != 0)
            goto done;
        nouid_id(x, src->c, &st, id, sizeof id);
        local_id = id;
    }
    emit_record(x, src, local_id, &l);
done:
    free(l.v);
}

/* ------------------------------------------------------- feeding libical */

typedef struct feeder {
    icalparser *parser;
    icalcomponent **roots;
    size_t n_roots, cap_roots;
    char stack[VP_ICAL_MAX_DEPTH][64];
    int depth;
    long skip;      /* > 0: inside a component that is not fed */
    int n_vevents;
    int found;      /* a top-level iCalendar component was seen */
    int nomem;
    char *line;     /* scratch for feed_line */
    size_t line_cap;
} feeder;

/* Hands one line to libical. libical reads a few bytes before the value
 * in one of its checks, so the copy has some room in front. */
static void feed_line(feeder *f, const char *s)
{
    size_t n = strlen(s);
    if (n + 9 > f->line_cap) {
        size_t cap = n + 64;
        char *b = realloc(f->line, cap);
        if (!b) {
            f->nomem = 1;
            return;
        }
        f->line = b;
        f->line_cap = cap;
    }
    memcpy(f->line, "    ", 4);
    memcpy(f->line + 4, s, n + 1);
    icalcomponent *c = icalparser_add_line(f->parser, f->line + 4);
    if (!c)
        return;
    if (f->n_roots == f->cap_roots) {
        size_t cap = f->cap_roots ? f->cap_roots * 2 : 8;
        icalcomponent **r = realloc(f->roots, cap * sizeof *r);
        if (!r) {
            icalcomponent_free(c);
            f->nomem = 1;
            return;
        }
        f->roots = r;
        f->cap_roots = cap;
    }
    f->roots[f->n_roots++] = c;
}

static void feed_end(feeder *f, int unclosed)
{
    char buf[80];
    if (unclosed) {
        feed_line(f, UNCLOSED_PROP ":1");
    }
    snprintf(buf, sizeof buf, "END:%s", f->stack[f->depth - 1]);
    f->depth--;
    feed_line(f, buf);
}

/* Where a property name ends, the way libical finds it: the first ';' or
 * ':' outside double quotes. */
static size_t name_end(const char *s)
{
    int quoted = 0;
    char prev = 0;
    size_t i;
    for (i = 0; s[i]; i++) {
        if (prev != '\\') {
            if (s[i] == '"')
                quoted = !quoted;
            else if (!quoted && (s[i] == ';' || s[i] == ':'))
                return i;
        }
        prev = s[i];
    }
    return i;
}

static int top_level_ok(const char *name)
{
    static const char *const ok[] = {"VCALENDAR", "VEVENT",    "VTODO",        "VJOURNAL",
                                     "VFREEBUSY", "VTIMEZONE", "VAVAILABILITY"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (strcmp(name, ok[i]) == 0)
            return 1;
    return 0;
}

/* One unfolded content line that started on physical line `lineno`. */
static void process_line(feeder *f, char *s, int lineno)
{
    size_t ne = name_end(s);
    size_t nlen = ne;
    while (nlen > 0 && isspace((unsigned char)s[nlen - 1]))
        nlen--;
    if (!s[ne] || nlen == 0)
        return; /* no property name: junk */
    int is_begin = nlen == 5 && strncasecmp(s, "BEGIN", 5) == 0;
    int is_end = nlen == 3 && strncasecmp(s, "END", 3) == 0;
    if (!is_begin && !is_end) {
        if (f->skip > 0 || f->depth == 0)
            return;
        if (nlen >= 13 && strncasecmp(s, "X-VINDPLAATS-", 13) == 0)
            return;
        feed_line(f, s);
        return;
    }
    /* the component's name: the value, upper-cased, letters, digits, '-' */
    const char *v = strchr(s + ne, ':');
    v = v ? v + 1 : s + ne + 1;
    char name[64];
    size_t n = 0;
    for (; *v && n + 1 < sizeof name; v++) {
        unsigned char ch = (unsigned char)*v;
        if (isalnum(ch) || ch == '-')
            name[n++] = (char)toupper(ch);
        else if (!isspace(ch))
            break;
    }
    name[n] = '\0';
    if (n == 0)
        return;
    if (is_begin) {
        if (f->skip > 0 || (f->depth == 0 && !top_level_ok(name)) ||
            f->depth >= VP_ICAL_MAX_DEPTH) {
            f->skip++;
            return;
        }
        if (f->depth == 0)
            f->found = 1;
        char buf[80];
        snprintf(buf, sizeof buf, "BEGIN:%s", name);
        feed_line(f, buf);
        memcpy(f->stack[f->depth++], name, n + 1);
        if (strcmp(name, "VEVENT") == 0) {
            f->n_vevents++;
            snprintf(buf, sizeof buf, POS_PROP ":%d %d", f->n_vevents, lineno);
            feed_line(f, buf);
        }
        return;
    }
    if (f->skip > 0) {
        f->skip--;
        return;
    }
    int i = f->depth - 1;
    while (i >= 0 && strcmp(f->stack[i], name) != 0)
        i--;
    if (i < 0)
        return; /* an END that closes nothing open */
    while (f->depth - 1 > i)
        feed_end(f, 1);
    feed_end(f, 0);
}

static int is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t')
            return 0;
    return 1;
}

/* Cuts the input into unfolded content lines and feeds them. */
static void feed_all(feeder *f, const char *data, size_t len)
{
    char *cur = NULL;
    size_t cur_len = 0, cur_cap = 0;
    int cur_line = 0, have = 0;
    size_t pos = 0;
    int lineno = 0;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    while (pos < len && !f->nomem) {
        size_t start = pos;
        while (pos < len && data[pos] != '\n' && data[pos] != '\r')
            pos++;
        size_t end = pos;
        if (pos < len && data[pos] == '\r' && pos + 1 < len && data[pos + 1] == '\n')
            pos += 2;
        else if (pos < len)
            pos++;
        lineno++;
        const char *s = data + start;
        size_t n = end - start;
        if (is_blank(s, n))
            continue;
        int cont = (s[0] == ' ' || s[0] == '\t') && have;
        if (!cont) {
            if (have)
                process_line(f, cur, cur_line);
            have = 1;
            cur_len = 0;
            cur_line = lineno;
        } else {
            s++;
            n--;
        }
        if (cur_len + n > VP_ICAL_MAX_LINE)
            n = cur_len < VP_ICAL_MAX_LINE ? VP_ICAL_MAX_LINE - cur_len : 0;
        if (cur_len + n + 1 > cur_cap) {
            size_t cap = (cur_len + n + 1) * 2;
            char *b = realloc(cur, cap);
            if (!b) {
                f->nomem = 1;
                break;
            }
            cur = b;
            cur_cap = cap;
        }
        for (size_t i = 0; i < n; i++)
            cur[cur_len++] = s[i] ? s[i] : ' ';
        cur[cur_len] = '\0';
    }
    if (have && !f->nomem)
        process_line(f, cur, cur_line);
    while (f->depth > 0 && !f->nomem)
        feed_end(f, 1);
    free(cur);
}

/* ------------------------------------------------------------ the parse */

static void add_vevent(vevent *evs, size_t *n, icalcomponent *c, icalcomponent *cal)
{
    vevent *e = &evs[(*n)++];
    memset(e, 0, sizeof *e);
    e->c = c;
    e->cal = cal;
    for (icalproperty *p = icalcomponent_get_first_property(c, ICAL_X_PROPERTY); p;
         p = icalcomponent_get_next_property(c, ICAL_X_PROPERTY)) {
        const char *name = icalproperty_get_x_name(p), *v = prop_text(p);
        if (!name || !v)
            continue;
        if (strcmp(name, POS_PROP) == 0)
            sscanf(v, "%d %d", &e->n, &e->line);
        else if (strcmp(name, UNCLOSED_PROP) == 0)
            e->unclosed = 1;
    }
    const char *uid = comp_text(c, ICAL_UID_PROPERTY);
    e->uid = uid && uid[strspn(uid, " \t")] ? uid : NULL;
    e->is_override =
        e->uid && icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY) != NULL;
    set_where(e);
}

static int by_uid(const void *a, const void *b)
{
    const vevent *p = *(vevent *const *)a, *q = *(vevent *const *)b;
    if (p->uid && q->uid) {
        int c = strcmp(p->uid, q->uid);
        if (c)
            return c;
    } else if (p->uid || q->uid) {
        return p->uid ? -1 : 1;
    }
    return (p->n > q->n) - (p->n < q->n);
}

static size_t count_vevents(icalcomponent *root)
{
    if (icalcomponent_isa(root) == ICAL_VEVENT_COMPONENT)
        return 1;
    return (size_t)icalcomponent_count_components(root, ICAL_VEVENT_COMPONENT);
}

vp_status vp_ical_parse(const char *data, size_t len, const vp_ical_options *opt,
                        const vp_emit *emit, vp_error *err)
{
    vp_status st = VP_OK;
    ctx x;
    feeder f;
    vevent *evs = NULL;
    vevent **idx = NULL;
    memset(&x, 0, sizeof x);
    memset(&f, 0, sizeof f);
    x.emit = emit;
    x.steps_left = VP_ICAL_MAX_TOTAL_STEPS;
    x.utc = icaltimezone_get_utc_timezone();
    if (opt) {
        x.wstart = opt->window_start;
        x.wend = opt->window_end;
    } else {
        x.wstart = (long long)time(NULL);
        x.wend = x.wstart + 365LL * 86400;
    }
    const char *deftz = opt && opt->default_tzid ? opt->default_tzid : "Europe/Amsterdam";
    x.defzone = builtin(deftz);
    if (!x.defzone)
        x.defzone = x.utc;

    f.parser = icalparser_new();
    if (!f.parser) {
        st = vp_error_set(err, VP_ERR_NOMEM, NULL, "out of memory");
        goto done;
    }
    feed_all(&f, data ? data : "", data ? len : 0);
    if (f.nomem) {
        st = vp_error_set(err, VP_ERR_NOMEM, NULL, "out of memory");
        goto done;
    }
    if (!f.found) {
        st = vp_error_set(err, VP_ERR_INVALID, NULL,
                          "not iCalendar: no BEGIN:VCALENDAR or BEGIN:VEVENT");
        goto done;
    }

    size_t total = 0;
    for (size_t r = 0; r < f.n_roots; r++)
        total += count_vevents(f.roots[r]);
    if (total == 0)
        goto done;
    evs = calloc(total, sizeof *evs);
    idx = calloc(total, sizeof *idx);
    if (!evs || !idx) {
        st = VP_ERR_NOMEM;
        goto done;
    }
    size_t n = 0;
    for (size_t r = 0; r < f.n_roots && n < total; r++) {
        icalcomponent *root = f.roots[r];
        if (icalcomponent_isa(root) == ICAL_VEVENT_COMPONENT) {
            add_vevent(evs, &n, root, NULL);
            continue;
        }
        icalcomponent *cal = icalcomponent_isa(root) == ICAL_VCALENDAR_COMPONENT ? root : NULL;
        for (icalcomponent *c = icalcomponent_get_first_component(root, ICAL_VEVENT_COMPONENT);
             c && n < total; c = icalcomponent_get_next_component(root, ICAL_VEVENT_COMPONENT))
            add_vevent(evs, &n, c, cal);
    }
    for (size_t i = 0; i < n; i++)
        idx[i] = &evs[i];
    qsort(idx, n, sizeof *idx, by_uid);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        if (idx[i]->uid)
            while (j < n && idx[j]->uid && strcmp(idx[j]->uid, idx[i]->uid) == 0)
                j++;
        for (size_t k = i; k < j; k++) {
            idx[k]->grp = i;
            idx[k]->grp_len = j - i;
        }
        i = j;
    }
    /* groups in the order their first VEVENT appears; members in document
     * order (by_uid sorted them by number within a UID) */
    for (size_t i = 0; i < n && !x.stop && !x.nomem; i++) {
        vevent *e = &evs[i];
        if (e->done)
            continue;
        for (size_t k = 0; k < e->grp_len; k++)
            idx[e->grp + k]->done = 1;
        do_series(&x, idx + e->grp, e->grp_len);
    }
    if (x.nomem)
        st = VP_ERR_NOMEM;
done:
    free(idx);
    free(evs);
    for (size_t r = 0; r < f.n_roots; r++)
        icalcomponent_free(f.roots[r]);
    free(f.roots);
    free(f.line);
    if (f.parser)
        icalparser_free(f.parser);
    for (size_t i = 0; i < x.n_cache; i++)
        free(x.cache[i].tzid);
    return st;
}
