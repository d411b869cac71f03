/* offering.h - one offering of the network, whatever platform it came from.
 *
 * The JSON form documented in docs/offering.md is the interchange format:
 * vp_offering_parse() validates a JSON object completely and reports every
 * problem with the field's path; vp_offering keeps the parsed fields the
 * engine indexes plus the compact JSON it stores and returns verbatim.
 * A vp_offering owns all its strings; free it with vp_offering_destroy(). */
#ifndef VINDPLAATS_OFFERING_H
#define VINDPLAATS_OFFERING_H

#include <stddef.h>
#include <stdint.h>
#include "vindplaats/status.h"
#include "vindplaats/time.h" /* the calendar and Amsterdam time, for every user of dates */
#include "vindplaats/vocabulary.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Hard limits of the parser; longer input is rejected, not truncated. */
#define VP_OFFERING_MAX_JSON      (1024 * 1024)
#define VP_OFFERING_MAX_ID        200
#define VP_OFFERING_MAX_TITLE     1000
#define VP_OFFERING_MAX_TEXT      100000
#define VP_OFFERING_MAX_LIST      1000
#define VP_OFFERING_MAX_OCCURRENCES 1000

typedef struct vp_strlist {
    char **items;
    size_t count;
} vp_strlist;

/* A point in time as given: `utc` is seconds since the epoch, `offset_min`
 * the original UTC offset, `all_day` set for a plain YYYY-MM-DD (then utc
 * is local midnight taken as UTC and offset_min is 0). `set` is 0 when the
 * field was absent. */
typedef struct vp_datetime {
    int set;
    int all_day;
    int64_t utc;
    int offset_min;
} vp_datetime;

typedef struct vp_occurrence {
    vp_datetime start;
    vp_datetime end; /* end.set may be 0 */
} vp_occurrence;

typedef struct vp_offering {
    char *id;
    char *type;
    char *title;
    char *description;
    char *local_name;
    char *proposition;
    char *societal_task;
    vp_strlist creators;
    vp_strlist subjects;
    char *language;
    int min_age;                 /* -1 when unknown */
    int max_age;                 /* -1 when unknown */
    vp_strlist audience_groups;
    char *channel;
    char *library;
    char *library_name;
    char *branch;
    char *branch_name;
    char *municipality;
    int has_location;
    double lat, lon;
    vp_datetime start, end;
    vp_occurrence *occurrences;  /* sorted by start; includes start/end */
    size_t n_occurrences;
    int has_price;
    double price_amount;
    char currency[4];
    char *url;
    vp_strlist isbn;             /* normalised to ISBN-13 digits */
    char *work_key;
    char *source;
    char *updated;
    char *json;                  /* compact JSON form, as stored */
    struct json_t *doc;          /* the same form parsed (a reference the offering holds) */
} vp_offering;

/* The controlled values, NULL-terminated, for validation and messages. */
extern const char *const vp_offering_types[];
extern const char *const vp_offering_channels[];
extern const char *const vp_offering_tasks[];
extern const char *const vp_offering_audiences[];
/* The values of "availability" (a catalogue record's supply status). */
extern const char *const vp_offering_availability[];

/* Parses one offering from `len` bytes of JSON. `voc` may be NULL, which
 * skips the proposition check. Returns VP_ERR_INVALID with every problem in
 * *err (may be NULL): one problem per value, each with its path
 * ("audience.min_age", "occurrences[2].end"; "(record)" for the whole, as
 * the one text form writes "path: message" lines), the first 50 and a
 * count of the rest; VP_ERR_TOO_BIG over VP_OFFERING_MAX_JSON,
 * VP_ERR_NOMEM. On VP_OK the caller owns *out. */
vp_status vp_offering_parse(const char *json, size_t len, const vp_vocabulary *voc,
                            vp_offering **out, vp_error *err) VP_NOEXCEPT;
/* The same from a JSON object already in memory (a harvested record),
 * without writing it out and reading it back: `root` is borrowed and may
 * be changed (start and end set from the occurrences, as stored); the
 * offering keeps a reference to it as its `doc`, so it must not be changed
 * afterwards. Also
 * VP_ERR_INVALID "(record): a field is not valid UTF-8 text" for a string
 * made without jansson's check. */
struct json_t;
vp_status vp_offering_from_json(struct json_t *root, const vp_vocabulary *voc, vp_offering **out,
                                vp_error *err) VP_NOEXCEPT;
void vp_offering_destroy(vp_offering *o) VP_NOEXCEPT;

/* Parses an ISO 8601 date-time with offset ("2026-12-03T10:00:00+01:00",
 * "...Z", optional fractional seconds) or a date ("2026-12-03").
 * VP_ERR_INVALID when `s` is not one. */
vp_status vp_datetime_parse(const char *s, vp_datetime *out) VP_NOEXCEPT;
/* The local calendar day of `dt` as YYYYMMDD. */
int vp_datetime_local_day(const vp_datetime *dt) VP_NOEXCEPT;

/* Calls `each` with every occurrence of the offering's JSON form `doc`
 * whose start is a date-time, in the JSON's order (an offering without
 * "occurrences" is one occurrence of itself): its start and end as the
 * JSON writes them (borrowed from doc; end NULL when it has none), when it
 * starts and when it ends in UTC seconds (without an end, or with one that
 * is no date, at the end of its local day; a plain date as end at the end
 * of that day). Stops at the first nonzero return of `each` and returns
 * it; 0 when every occurrence was seen. */
typedef int (*vp_occurrence_fn)(const char *start, const char *end, int64_t start_utc,
                                int64_t until_utc, void *arg);
int vp_offering_json_occurrences(struct json_t *doc, vp_occurrence_fn each,
                                 void *arg) VP_NOEXCEPT;

/* The first occurrence of the offering's JSON form `doc` that has not
 * ended at `now` (UTC seconds; without an end an occurrence lasts until the
 * end of its local day): its start and end as the JSON writes them
 * (borrowed from doc; *end NULL when it has none), *start_utc and, when
 * `until_utc` is not NULL, the moment it ends in *until_utc. VP_OK, or
 * VP_ERR_NOT_FOUND when there is none (undated, or every occurrence past). */
vp_status vp_offering_json_next(struct json_t *doc, int64_t now, const char **start,
                                const char **end, int64_t *start_utc,
                                int64_t *until_utc) VP_NOEXCEPT;

/* Normalises an ISBN-10 or ISBN-13 (hyphens and spaces allowed) to its 13
 * digits in out[14], as the offering keeps them. VP_OK, or VP_ERR_INVALID
 * when `s` is not a valid ISBN. */
vp_status vp_offering_isbn13(const char *s, char out[14]) VP_NOEXCEPT;

/* 1 when `s` is an absolute http or https URL with a host and without
 * spaces or control characters (the check of "url" and "image"). */
int vp_offering_url_ok(const char *s) VP_NOEXCEPT;

/* 1 when `s` is one of the NULL-terminated `values`. */
int vp_in_list(const char *s, const char *const *values) VP_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif
