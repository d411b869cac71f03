/* time.c - civil dates and the Europe/Amsterdam rule (see time.h). */
#include "vindplaats/time.h"

int64_t vp_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void vp_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

int vp_days_in_month(int64_t y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

int64_t vp_epoch_day(int64_t t)
{
    return t >= 0 ? t / 86400 : -((-(t + 1)) / 86400) - 1;
}

int64_t vp_day_to_epoch(int yyyymmdd)
{
    return vp_days_from_civil(yyyymmdd / 10000, yyyymmdd / 100 % 100, yyyymmdd % 100);
}

int vp_day_from_epoch(int64_t days)
{
    int64_t y;
    int m, d;
    vp_civil_from_days(days, &y, &m, &d);
    return (int)(y * 10000 + m * 100 + d);
}

int vp_day_valid(int yyyymmdd)
{
    int y = yyyymmdd / 10000, m = yyyymmdd / 100 % 100, d = yyyymmdd % 100;
    return y >= 1000 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= vp_days_in_month(y, m);
}

/* 01:00 UTC on the last Sunday of month m (one of 31 days) of year y. */
static int64_t last_sunday_1am(int64_t y, int m)
{
    int64_t last = vp_days_from_civil(y, m, 31);
    /* Day 0 (1970-01-01) was a Thursday: (d + 4) mod 7 is 0 on Sundays. */
    int64_t back = ((last + 4) % 7 + 7) % 7;
    return (last - back) * 86400 + 3600;
}

int vp_nl_offset(int64_t utc)
{
    int64_t y;
    int m, d;
    vp_civil_from_days(vp_epoch_day(utc), &y, &m, &d);
    return utc >= last_sunday_1am(y, 3) && utc < last_sunday_1am(y, 10) ? 7200 : 3600;
}

int vp_nl_day(int64_t utc)
{
    return vp_day_from_epoch(vp_epoch_day(utc + vp_nl_offset(utc)));
}

int vp_nl_wall_offset(int y, int mo, int d, int h, int mi)
{
    /* The wall time read as summer time: the first reading wins where the
     * autumn hour repeats, and the skipped spring hour reads as winter. */
    int64_t as_summer = vp_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 - 7200;
    return vp_nl_offset(as_summer);
}
