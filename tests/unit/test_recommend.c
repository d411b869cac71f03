/* test_recommend.c - what a resident reads in a recommendation: facts
 * about the offering (where, when, for what ages, online, chosen often),
 * never the segment it was chosen for nor any label of a group of people;
 * day words in Amsterdam calendar days ("Vandaag" for 10:00 today, also
 * just after midnight and in summer time); with a place, only offerings
 * within the radius or online; never two sessions of one series.
 *
 * usage: test_recommend VOCABULARY SEGMENTS.json FIXTURE.jsonl
 * (fixture: tests/data/offerings/recommend.jsonl, offerings in Groningen,
 * two in Utrecht about 180 km away, and two online). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "language_fixture.h"
#include "vindplaats/index.h"
#include "vindplaats/offering.h"
#include "vindplaats/recommend.h"
#include "vindplaats/segments.h"
#include "vindplaats/vocabulary.h"

#define GRONINGEN_LAT 53.2166 /* PC4 9711 */
#define GRONINGEN_LON 6.5695

static vp_vocabulary *voc;
static vp_segments *segs;

static int64_t at(const char *iso)
{
    vp_datetime dt;
    CHECK(vp_datetime_parse(iso, &dt) == 0);
    return dt.utc;
}

static vp_index *build(const char *path, const char *fixture)
{
    vp_index *w = NULL;
    CHECK(vp_index_open(path, VP_INDEX_WRITE, voc, &w, NULL) == VP_OK);
    if (!w)
        return NULL;
    vp_index_set_clock(w, at("2026-12-01T08:00:00+01:00"));
    language_fixture_put(w, voc, fixture);
    CHECK(vp_index_commit(w, NULL) == VP_OK);
    vp_index_close(w);
    vp_index *idx = NULL;
    CHECK(vp_index_open(path, VP_INDEX_READ, voc, &idx, NULL) == VP_OK);
    return idx;
}

static vp_recommend_request request(int64_t now)
{
    vp_recommend_request r;
    memset(&r, 0, sizeof r);
    r.filters.now = now;
    r.limit = 50;
    return r;
}

static void near_groningen(vp_recommend_request *r)
{
    r->filters.has_near = 1;
    r->filters.near_lat = GRONINGEN_LAT;
    r->filters.near_lon = GRONINGEN_LON;
}

static vp_recommend_result *run(vp_index *idx, const vp_recommend_request *r)
{
    vp_recommend_result *res = NULL;
    vp_error e = VP_ERROR_INIT;
    vp_status st = vp_recommend(idx, r, &res, &e);
    if (st != VP_OK) {
        fprintf(stderr, "vp_recommend: ");
        vp_error_print(stderr, NULL, &e);
    }
    CHECK(st == VP_OK);
    vp_error_clear(&e);
    return res;
}

/* The recommendation of `id` in `res`, or NULL. */
static const vp_recommendation *find(const vp_recommend_result *res, const char *id)
{
    for (size_t i = 0; res && i < res->n; i++)
        if (strcmp(res->items[i].id, id) == 0)
            return &res->items[i];
    return NULL;
}

/* The reason of `id` starts with `want` (the day word leads when nothing
 * but the date counts: no segments, no signals, no place). */
static void day_word(vp_index *idx, const char *now, const char *id, const char *want)
{
    vp_recommend_request r = request(at(now));
    vp_recommend_result *res = run(idx, &r);
    const vp_recommendation *rec = find(res, id);
    CHECK(rec != NULL);
    if (rec && strncmp(rec->reason, want, strlen(want)) != 0) {
        fprintf(stderr, "at %s, %s: reason \"%s\", expected it to start with \"%s\"\n", now, id,
                rec->reason, want);
        CHECK(0);
    }
    vp_recommend_result_destroy(res);
}

/* Lower-cased copy (ASCII) for case-insensitive searching. */
static void lower(char *dst, const char *src, size_t size)
{
    size_t i = 0;
    for (; src[i] && i + 1 < size; i++)
        dst[i] = (char)tolower((unsigned char)src[i]);
    dst[i] = '\0';
}

/* No reason names a segment (id or name), a group of people, or a promise
 * the data cannot keep (free places). */
static void neutral(const vp_recommend_result *res)
{
    static const char *const groups[] = {
        "baby", "peuter", "kleuter", "jeugd", "ouders", "volwassen", "senior", "nieuwkomer",
        "laaggeletterd", "werkzoekend", "iedereen", "kwetsbare", "gezin", "student",
        "professional", "liefhebber", "vijftigplus", "huishouden", "populair bij", "past bij",
        "plek", "plaatsen", "vrij"};
    for (size_t i = 0; res && i < res->n; i++) {
        char reason[512], name[256];
        lower(reason, res->items[i].reason, sizeof reason);
        for (size_t s = 0; s < vp_segments_count(segs); s++) {
            const vp_segment *seg = vp_segments_at(segs, s);
            lower(name, seg->name, sizeof name);
            if (strstr(reason, name) || strstr(reason, seg->id)) {
                fprintf(stderr, "reason \"%s\" names segment %s\n", res->items[i].reason, seg->id);
                CHECK(0);
            }
        }
        for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++)
            if (strstr(reason, groups[g])) {
                fprintf(stderr, "reason \"%s\" says \"%s\"\n", res->items[i].reason, groups[g]);
                CHECK(0);
            }
    }
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: test_recommend VOCABULARY SEGMENTS.json FIXTURE.jsonl\n");
        return 2;
    }
    vp_error verr = VP_ERROR_INIT;
    if (vp_vocabulary_load(argv[1], &voc, &verr) != VP_OK ||
        vp_segments_load(argv[2], NULL, voc, &segs, &verr) != VP_OK) {
        vp_error_print(stderr, NULL, &verr);
        vp_error_clear(&verr);
        return 2;
    }
    char dir[] = "/tmp/vp-test-recommend-XXXXXX";
    if (!mkdtemp(dir))
        return 2;
    char path[256];
    snprintf(path, sizeof path, "%s/index", dir);
    vp_index *idx = build(path, argv[3]);
    if (!idx)
        return check_done();

    /* Day words count calendar days in Amsterdam, not 24-hour blocks. */
    day_word(idx, "2026-12-01T08:00:00+01:00", "agenda-groningen:today", "Vandaag");
    day_word(idx, "2026-12-01T08:00:00+01:00", "agenda-groningen:tomorrow", "Morgen");
    day_word(idx, "2026-12-01T08:00:00+01:00", "agenda-groningen:overmorgen", "Overmorgen");
    day_word(idx, "2026-12-01T08:00:00+01:00", "agenda-groningen:five", "Over 5 dagen");
    /* An hour before midnight: 00:30 is tomorrow, 23:00 still today. */
    day_word(idx, "2026-12-01T22:30:00+01:00", "agenda-groningen:tomorrow", "Morgen");
    day_word(idx, "2026-12-01T22:30:00+01:00", "agenda-groningen:late", "Vandaag");
    /* Just after midnight in Amsterdam, still the day before in UTC. */
    day_word(idx, "2026-12-01T00:10:00+01:00", "agenda-groningen:late", "Vandaag");
    day_word(idx, "2026-12-01T00:10:00+01:00", "agenda-groningen:tomorrow", "Morgen");
    /* Summer time: 00:30 CEST is 22:30 UTC the day before. */
    day_word(idx, "2027-06-15T00:30:00+02:00", "agenda-groningen:summer", "Vandaag");
    day_word(idx, "2027-06-14T23:30:00+02:00", "agenda-groningen:summer", "Morgen");

    /* What is over is never recommended; the rest without a place is all there. */
    vp_recommend_request r = request(at("2026-12-01T08:00:00+01:00"));
    vp_recommend_result *res = run(idx, &r);
    CHECK(find(res, "agenda-groningen:over") == NULL);
    CHECK(find(res, "agenda-utrecht:far") != NULL);
    /* One series (same title, letter case and accents aside): one session. */
    int series = (find(res, "agenda-groningen:series-1") != NULL) +
                 (find(res, "agenda-groningen:series-2") != NULL) +
                 (find(res, "agenda-groningen:series-3") != NULL);
    CHECK(series == 1);
    /* The age range of the offering, as a fact. */
    const vp_recommendation *kids = find(res, "agenda-groningen:today");
    CHECK(kids && strstr(kids->reason, "Voor kinderen van 4-6 jaar"));
    const vp_recommendation *ebook = find(res, "online-bibliotheek:ebook");
    CHECK(ebook && strcmp(ebook->reason, "Online, wanneer het u uitkomt") == 0);
    const vp_recommendation *webinar = find(res, "online-bibliotheek:webinar");
    CHECK(webinar && strstr(webinar->reason, "Online te volgen"));
    neutral(res);
    vp_recommend_result_destroy(res);

    /* Near Groningen (PC4 9711): in person within 25 km, or online. */
    r = request(at("2026-12-01T08:00:00+01:00"));
    near_groningen(&r);
    res = run(idx, &r);
    CHECK(res && res->n >= 6);
    CHECK(find(res, "agenda-utrecht:far") == NULL);
    CHECK(find(res, "agenda-utrecht:far-course") == NULL);
    CHECK(find(res, "online-bibliotheek:ebook") != NULL);
    CHECK(find(res, "online-bibliotheek:webinar") != NULL);
    for (size_t i = 0; res && i < res->n; i++)
        CHECK(res->items[i].distance_km <= VP_RECOMMEND_RADIUS_KM);
    const vp_recommendation *forum = find(res, "agenda-groningen:five");
    CHECK(forum && forum->distance_km >= 0 && forum->distance_km < 1);
    CHECK(forum && strstr(forum->reason, "Bij u in de buurt (minder dan 1 km)"));
    const vp_recommendation *vinkhuizen = find(res, "agenda-groningen:overmorgen");
    CHECK(vinkhuizen && strstr(vinkhuizen->reason, "Bij u in de buurt (3,0 km)"));
    vp_recommend_result_destroy(res);
    /* A wider radius, asked for, reaches Utrecht. */
    near_groningen(&r);
    r.filters.radius_km = 200;
    res = run(idx, &r);
    const vp_recommendation *far = find(res, "agenda-utrecht:far");
    CHECK(far && far->distance_km > 150 && strstr(far->reason, "Op 1"));
    vp_recommend_result_destroy(res);

    /* Every segment, with and without a place: reasons stay neutral. */
    for (size_t s = 0; s < vp_segments_count(segs); s++) {
        for (int place = 0; place < 2; place++) {
            r = request(at("2026-12-01T08:00:00+01:00"));
            r.segments[0] = vp_segments_at(segs, s);
            r.shares[0] = 1;
            r.n_segments = 1;
            if (place)
                near_groningen(&r);
            res = run(idx, &r);
            CHECK(res && res->n > 0);
            neutral(res);
            vp_recommend_result_destroy(res);
        }
    }

    vp_index_close(idx);
    vp_segments_destroy(segs);
    vp_vocabulary_destroy(voc);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
    return check_done();
}
