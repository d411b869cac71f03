/* ical.h - the iCalendar connector: VEVENTs of an .ics file as records.
 *
 * One record per VEVENT series, its occurrences expanded (RRULE, RDATE,
 * EXDATE, RECURRENCE-ID overrides) within a window of time, each start and
 * end written with the offset of its own time zone. See ical.c for what is
 * read and how. The parser is built on libical and keeps no state of its
 * own between calls; libical's built-in time zones are loaded once and
 * shared (libical guards them itself). */
#ifndef VINDPLAATS_ICAL_H
#define VINDPLAATS_ICAL_H

#include <stddef.h>

#include "vindplaats/connector.h"
#include "vindplaats/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vp_ical_options {
    long long window_start;  /* UTC epoch seconds: occurrences that END before this are dropped (the harvester passes "now") */
    long long window_end;    /* occurrences STARTING after this are dropped (default the harvester passes now + 365 days) */
    const char *default_tzid;/* for floating times and TZIDs without a VTIMEZONE; "Europe/Amsterdam" when NULL */
} vp_ical_options;

/* Parses an iCalendar stream: one or several VCALENDARs in one file, a
 * UTF-8 BOM, CRLF/LF/CR line endings, folded lines (space and TAB
 * continuation), blank lines, junk after END:VCALENDAR. Emits one record
 * per VEVENT series (local_id = UID, or when absent a stable hash of
 * DTSTART+SUMMARY prefixed "nouid-"; RECURRENCE-ID overrides are merged
 * into their series: they replace that occurrence (and CANCELLED ones
 * remove it)). A series without an occurrence in the window, and a
 * cancelled series, is skipped silently; a malformed VEVENT is rejected
 * (emit->reject) with "VEVENT N (line L[, UID u])" and the rest goes on.
 * `opt` NULL means the window [now, now + 365 days] and Europe/Amsterdam.
 * Returns VP_OK (also when emit->record asked to stop), VP_ERR_NOMEM, or
 * VP_ERR_INVALID only when nothing in the input is iCalendar; *err (may
 * be NULL) says which, and is untouched on success. */
vp_status vp_ical_parse(const char *data, size_t len, const vp_ical_options *opt,
                        const vp_emit *emit, vp_error *err);

#ifdef __cplusplus
}
#endif
#endif
