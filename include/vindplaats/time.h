/* time.h - the one calendar and the one Europe/Amsterdam rule of the
 * project. Every module that turns days into dates or needs the network's
 * local time calls these; none keeps a copy.
 *
 * Days are counted from 1970-01-01 (day 0) in the proleptic Gregorian
 * calendar; calendar days are also written as YYYYMMDD integers. The
 * Amsterdam rule is the EU's since 1996: UTC+2 from the last Sunday of
 * March 01:00 UTC to the last Sunday of October 01:00 UTC, UTC+1 otherwise
 * (tests/unit/test_base.c checks it against the system's zone data). */
#ifndef VINDPLAATS_TIME_H
#define VINDPLAATS_TIME_H

#include <stdint.h>

#include "vindplaats/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Days since 1970-01-01 of year y, month m (1-12), day d (H. Hinnant's
 * civil-date algorithms; any year, no table). */
int64_t vp_days_from_civil(int64_t y, int m, int d) VP_NOEXCEPT;
/* The date of day `days` since 1970-01-01. */
void vp_civil_from_days(int64_t days, int64_t *y, int *m, int *d) VP_NOEXCEPT;
/* Days in month m (1-12) of year y. */
int vp_days_in_month(int64_t y, int m) VP_NOEXCEPT;
/* The day since 1970-01-01 that holds epoch second `t` (rounded down, also
 * before 1970). */
int64_t vp_epoch_day(int64_t t) VP_NOEXCEPT;

/* Calendar days as YYYYMMDD integers <-> days since 1970-01-01. */
int64_t vp_day_to_epoch(int yyyymmdd) VP_NOEXCEPT;
int vp_day_from_epoch(int64_t days) VP_NOEXCEPT;
/* 1 when `yyyymmdd` is a real calendar day of the years 1000-9999. */
int vp_day_valid(int yyyymmdd) VP_NOEXCEPT;

/* Europe/Amsterdam, where the network's residents live: the offset from
 * UTC in seconds (3600 or 7200) at epoch second `utc`, and the local
 * calendar day of `utc` as YYYYMMDD. */
int vp_nl_offset(int64_t utc) VP_NOEXCEPT;
int vp_nl_day(int64_t utc) VP_NOEXCEPT;
/* The offset in seconds (3600 or 7200) of the wall-clock time y-mo-d h:mi
 * in Amsterdam. A time in the skipped spring hour gets +01:00; one in the
 * repeated autumn hour the first, +02:00. */
int vp_nl_wall_offset(int y, int mo, int d, int h, int mi) VP_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif
