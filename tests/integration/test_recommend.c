/* test_recommend.c - recommendations, signals and the two stores through
 * the real programs: one vindplaats-server with the embedded store, two
 * replicas sharing a real redis-server, all on loopback. The same signals
 * must give the same recommendations from either store; a signal posted to
 * one replica must change what the other recommends; Redis going away must
 * cost signals, never answers. */
#include <jansson.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "proc.h"
#include "redis.h"

static char bindir[1024];

static json_t *get(unsigned port, const char *path, long *status)
{
    http_reply r;
    json_t *j = NULL;
    *status = 0;
    if (http_request(port, "GET", path, &r) == 0) {
        *status = r.status;
        j = json_loads(r.body, 0, NULL);
    }
    http_reply_free(&r);
    return j;
}

static long post(unsigned port, const char *path, const char *body, json_t **out)
{
    http_reply r;
    long status = 0;
    if (http_post(port, path, body, &r) == 0)
        status = r.status;
    if (out)
        *out = json_loads(r.body ? r.body : "", 0, NULL);
    http_reply_free(&r);
    return status;
}

/* The ids of a recommend answer, joined by spaces (malloc()ed). */
static char *ids_of(json_t *j)
{
    size_t cap = 1 << 16, len = 0;
    char *out = calloc(cap, 1);
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(j, "results"), i, r) {
        const char *id = json_string_value(json_object_get(r, "id"));
        if (id && len + strlen(id) + 2 < cap)
            len += (size_t)snprintf(out + len, cap - len, "%s ", id);
    }
    return out;
}

static unsigned start_server(const char *index, const char *dir, const char *name,
                             const char *redis_url, pid_t *pid)
{
    char server[1100], portfile[1100], log[1100], data[1100];
    snprintf(server, sizeof server, "%s/vindplaats-server", bindir);
    snprintf(portfile, sizeof portfile, "%s/%s.port", dir, name);
    snprintf(log, sizeof log, "%s/%s.log", dir, name);
    snprintf(data, sizeof data, "%s/%s-store", dir, name);
    unlink(portfile);
    char *argv[] = {server, "--index", (char *)index, "--port", "0", "--port-file", portfile,
                    "--now", "2026-12-01T08:00:00+01:00", "--threads", "2",
                    redis_url ? "--redis" : "--data-dir", redis_url ? (char *)redis_url : data,
                    NULL};
    *pid = proc_start(argv, log);
    return proc_wait_port(portfile, 20);
}

static void check_list(json_t *j)
{
    json_t *results = json_object_get(j, "results");
    CHECK(json_array_size(results) == 10);
    size_t i;
    json_t *r;
    json_array_foreach(results, i, r) {
        json_t *reason = json_object_get(r, "reason");
        CHECK(json_string_length(json_object_get(reason, "text")) > 5);
        CHECK(json_array_size(json_object_get(reason, "factors")) >= 1);
        /* Never past: a dated offering has a next occurrence. */
        if (json_is_string(json_object_get(r, "start")))
            CHECK(json_is_object(json_object_get(r, "next")));
        /* No title twice, at most 3 of a proposition. */
        size_t k, same = 0;
        json_t *o;
        json_array_foreach(results, k, o) {
            if (k == i)
                continue;
            const char *t1 = json_string_value(json_object_get(r, "title"));
            const char *t2 = json_string_value(json_object_get(o, "title"));
            CHECK(!(t1 && t2 && strcmp(t1, t2) == 0));
            const char *p1 = json_string_value(json_object_get(r, "proposition"));
            const char *p2 = json_string_value(json_object_get(o, "proposition"));
            same += p1 && p2 && strcmp(p1, p2) == 0;
        }
        CHECK(same < 3);
    }
}

/* A batch of signals for `segment` on offerings taken from a search. */
static char *signal_batch(unsigned port, const char *query, const char *segment, int rounds)
{
    long status;
    json_t *j = get(port, query, &status);
    json_t *batch = json_array();
    size_t i;
    json_t *r;
    for (int round = 0; round < rounds; round++)
        json_array_foreach(json_object_get(j, "results"), i, r) {
            json_array_append_new(batch, json_pack("{s:s, s:O, s:s, s:s}", "kind",
                                                   round % 2 ? "signup" : "click", "offering",
                                                   json_object_get(r, "id"), "segment", segment,
                                                   "query_id", "0123456789abcdef"));
        }
    json_t *wrapped = json_pack("{s:o}", "events", batch);
    char *body = json_dumps(wrapped, JSON_COMPACT);
    json_decref(wrapped);
    json_decref(j);
    return body;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: test_recommend BINDIR SAMPLE.jsonl\n");
        return 2;
    }
    snprintf(bindir, sizeof bindir, "%s", argv[1]);
    char dir[] = "/tmp/vp-test-recommend-XXXXXX";
    if (!mkdtemp(dir))
        return 2;
    char index[1100], indexer[1100];
    snprintf(index, sizeof index, "%s/index", dir);
    snprintf(indexer, sizeof indexer, "%s/vindplaats-indexer", bindir);
    char *load[] = {indexer, "load", argv[2], "--index", index, NULL};
    char *out = NULL;
    CHECK(proc_run(load, &out) == 0);
    free(out);

    redis_proc rp = {0};
    rp.bin = find_redis_server();
    if (!rp.bin) {
        fprintf(stderr, "redis-server is missing: run scripts/install-deps.sh\n");
        CHECK(0);
        return check_done();
    }
    snprintf(rp.dir, sizeof rp.dir, "%s", dir);
    rp.port = free_port();
    rp.pid = start_redis(&rp);
    CHECK(rp.pid > 0);
    char url[64];
    snprintf(url, sizeof url, "redis://127.0.0.1:%d/0", rp.port);

    pid_t pa, pb, pc;
    unsigned a = start_server(index, dir, "embedded", NULL, &pa);
    unsigned b = start_server(index, dir, "replica1", url, &pb);
    unsigned c = start_server(index, dir, "replica2", url, &pc);
    CHECK(a && b && c);
    if (!a || !b || !c)
        goto stop;

    long status;
    json_t *j = get(a, "/v1/segments", &status);
    CHECK(status == 200 && json_array_size(json_object_get(j, "segments")) >= 8);
    json_decref(j);

    /* Before any signal: lists with reasons, no past, diverse. */
    j = get(a, "/v1/recommend?segment=jonge-gezinnen", &status);
    CHECK(status == 200);
    check_list(j);
    CHECK_STR(json_string_value(json_object_get(json_object_get(j, "segment"), "id")),
              "jonge-gezinnen");
    char *before = ids_of(j);
    json_decref(j);
    j = get(c, "/v1/recommend?segment=jonge-gezinnen", &status);
    char *before_c = ids_of(j);
    json_decref(j);
    CHECK_STR(before_c, before);

    /* The same signals into the embedded store and into Redis (through replica 1). */
    char *batch = signal_batch(a, "/v1/search?q=codeclub&per_page=8", "jonge-gezinnen", 3);
    json_t *resp = NULL;
    CHECK(post(a, "/v1/signals", batch, &resp) == 202);
    CHECK(json_integer_value(json_object_get(resp, "accepted")) == 24);
    json_decref(resp);
    CHECK(post(b, "/v1/signals", batch, NULL) == 202);
    free(batch);

    j = get(a, "/v1/recommend?segment=jonge-gezinnen", &status);
    CHECK_STR(json_string_value(json_object_get(j, "signals")), "ok");
    char *after_a = ids_of(j);
    check_list(j);
    /* What was used now leads, and says so. */
    json_t *first = json_array_get(json_object_get(j, "results"), 0);
    CHECK_CONTAINS(json_string_value(json_object_get(json_object_get(first, "reason"), "text")),
                   "Veel gekozen");
    json_decref(j);
    CHECK(strcmp(after_a, before) != 0);
    /* "in uw buurt" only when the segments are the postcode area's: not
     * for a segment the website chose. */
    j = get(a, "/v1/recommend?segment=jonge-gezinnen&postcode=3511&limit=20", &status);
    size_t chosen = 0, k2;
    json_t *o2;
    json_array_foreach(json_object_get(j, "results"), k2, o2) {
        const char *t = json_string_value(json_object_get(json_object_get(o2, "reason"), "text"));
        chosen += t && strstr(t, "Veel gekozen") != NULL;
        CHECK(t && !strstr(t, "in uw buurt"));
    }
    CHECK(chosen > 0);
    json_decref(j);
    j = get(b, "/v1/recommend?segment=jonge-gezinnen", &status);
    char *after_b = ids_of(j);
    json_decref(j);
    /* The other replica sees the signal posted to the first. */
    j = get(c, "/v1/recommend?segment=jonge-gezinnen", &status);
    char *after_c = ids_of(j);
    json_decref(j);
    CHECK_STR(after_b, after_a);
    CHECK_STR(after_c, after_a);

    /* A postcode mixes its segments. */
    j = get(a, "/v1/recommend?postcode=3511&limit=5", &status);
    CHECK(status == 200 && json_array_size(json_object_get(j, "results")) == 5);
    double shares = 0;
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(j, "segments"), i, s) {
        shares += json_number_value(json_object_get(s, "share"));
    }
    CHECK(shares > 0.95 && shares < 1.05);
    json_decref(j);

    /* What a resident reads: never a segment's name (nor its id), in person
     * only within the radius of the postcode, day words by the clock. */
    json_t *segments = get(a, "/v1/segments", &status);
    static const char *const near_home[] = {
        "/v1/recommend?postcode=1354", "/v1/recommend?postcode=9711",
        "/v1/recommend?postcode=3511&limit=20", "/v1/recommend?segment=kwetsbare-huishoudens&postcode=1354",
        "/v1/recommend?postcode=9711&radius_km=5", "/v1/recommend?postcode=9711&radius_km=250&limit=30"};
    size_t day_words = 0, in_person = 0, beyond = 0;
    for (size_t q = 0; q < sizeof near_home / sizeof near_home[0]; q++) {
        http_reply raw;
        CHECK(http_request(a, "GET", near_home[q], &raw) == 0);
        CHECK(raw.status == 200);
        j = json_loads(raw.body ? raw.body : "", 0, NULL);
        json_t *seg;
        json_array_foreach(json_object_get(segments, "segments"), i, seg) {
            const char *name = json_string_value(json_object_get(seg, "name"));
            if (name && raw.body && strstr(raw.body, name)) {
                fprintf(stderr, "%s names segment \"%s\"\n", near_home[q], name);
                CHECK(0);
            }
        }
        double radius = strstr(near_home[q], "radius_km=5") ? 5 : strstr(near_home[q], "radius_km=250") ? 250 : 25;
        CHECK(json_array_size(json_object_get(j, "results")) > 0);
        json_array_foreach(json_object_get(j, "results"), i, s) {
            const char *reason = json_string_value(json_object_get(json_object_get(s, "reason"), "text"));
            const char *channel = json_string_value(json_object_get(s, "channel"));
            CHECK(reason && !strstr(reason, "Populair bij") && !strstr(reason, "Past bij") &&
                  !strstr(reason, "plek"));
            if (channel && strcmp(channel, "online") != 0) {
                /* In person: a distance, within the radius. */
                CHECK(json_is_number(json_object_get(s, "distance_km")));
                CHECK(json_number_value(json_object_get(s, "distance_km")) <= radius);
                in_person++;
                beyond += json_number_value(json_object_get(s, "distance_km")) > 25;
            }
            /* Day words count calendar days from the server's clock (1 December). */
            const char *next = json_string_value(json_object_get(json_object_get(s, "next"), "start"));
            if (next && reason && strncmp(next, "2026-12-", 8) == 0) {
                int day = atoi(next + 8);
                char want[32];
                snprintf(want, sizeof want, "%s", day == 1 ? "Vandaag" : day == 2 ? "Morgen" :
                         day == 3 ? "Overmorgen" : "");
                if (!*want)
                    snprintf(want, sizeof want, "Over %d dagen", day - 1);
                int says_day = strstr(reason, "Vandaag") || strstr(reason, "Morgen") ||
                               strstr(reason, "Over");
                if (says_day && !strstr(reason, want)) {
                    fprintf(stderr, "%s: next %s, reason \"%s\" lacks \"%s\"\n", near_home[q],
                            next, reason, want);
                    CHECK(0);
                }
                day_words += says_day;
            }
        }
        json_decref(j);
        http_reply_free(&raw);
    }
    json_decref(segments);
    CHECK(day_words > 0);
    CHECK(in_person > 0);
    CHECK(beyond > 0); /* radius_km=250 reaches beyond the default */
    /* The default radius keeps Groningen's list in Groningen: 113-203 km
     * away was what it recommended before. */
    j = get(a, "/v1/recommend?postcode=9711&channel=offline", &status);
    CHECK(status == 200 && json_array_size(json_object_get(j, "results")) > 0);
    json_array_foreach(json_object_get(j, "results"), i, s) {
        CHECK(json_number_value(json_object_get(s, "distance_km")) <= 25);
        CHECK_STR(json_string_value(json_object_get(s, "municipality")), "Groningen");
    }
    json_decref(j);
    j = get(a, "/v1/recommend?segment=studenten&radius_km=10", &status);
    CHECK(status == 400);
    CHECK_CONTAINS(json_string_value(json_object_get(json_object_get(j, "error"), "message")),
                   "radius_km");
    json_decref(j);
    /* Filters and exclusion. */
    j = get(a, "/v1/recommend?segment=studenten&type=course&limit=5", &status);
    json_array_foreach(json_object_get(j, "results"), i, s) {
        CHECK_STR(json_string_value(json_object_get(s, "type")), "course");
    }
    const char *excluded = json_string_value(json_object_get(json_array_get(json_object_get(j, "results"), 0), "id"));
    char path[512];
    snprintf(path, sizeof path, "/v1/recommend?segment=studenten&type=course&limit=5&exclude=%s",
             excluded ? excluded : "x:y");
    json_t *k = get(a, path, &status);
    json_array_foreach(json_object_get(k, "results"), i, s) {
        CHECK(strcmp(json_string_value(json_object_get(s, "id")), excluded ? excluded : "") != 0);
    }
    json_decref(k);
    json_decref(j);

    /* Related offerings. */
    j = get(a, "/v1/search?q=codeclub&per_page=1", &status);
    const char *id = json_string_value(json_object_get(json_array_get(json_object_get(j, "results"), 0), "id"));
    snprintf(path, sizeof path, "/v1/offerings/%s/related?limit=5", id ? id : "x");
    k = get(a, path, &status);
    CHECK(status == 200 && json_array_size(json_object_get(k, "results")) > 0);
    json_array_foreach(json_object_get(k, "results"), i, s) {
        CHECK(strcmp(json_string_value(json_object_get(s, "id")), id ? id : "") != 0);
    }
    json_decref(k);
    json_decref(j);
    k = get(a, "/v1/offerings/nope:none/related", &status);
    CHECK(status == 404);
    json_decref(k);

    /* Bad signals are refused, naming what is wrong; nothing personal is taken. */
    CHECK(post(a, "/v1/signals", "{\"events\":[{\"kind\":\"like\",\"offering\":\"x\"}]}", &resp) == 400);
    CHECK_CONTAINS(json_string_value(json_object_get(json_object_get(resp, "error"), "message")), "kind");
    json_decref(resp);
    CHECK(post(a, "/v1/signals", "{\"kind\":\"click\",\"offering\":\"nope:none\"}", &resp) == 400);
    CHECK_CONTAINS(json_string_value(json_object_get(json_object_get(resp, "error"), "message")), "offering");
    json_decref(resp);
    CHECK(post(a, "/v1/signals", "[{\"kind\":\"click\",\"offering\":\"x\",\"user_id\":\"42\"}]", &resp) == 400);
    CHECK_CONTAINS(json_string_value(json_object_get(json_object_get(resp, "error"), "message")), "user_id");
    json_decref(resp);
    CHECK(post(a, "/v1/signals", "not json", NULL) == 400);
    CHECK(post(a, "/v1/recommend", "{}", NULL) == 405);
    k = get(a, "/v1/signals", &status);
    CHECK(status == 405);
    json_decref(k);
    k = get(a, "/v1/recommend?segment=nobody", &status);
    CHECK(status == 400);
    json_decref(k);
    k = get(a, "/v1/recommend?q=boek", &status);
    CHECK(status == 400);
    json_decref(k);

    /* Redis goes away: answers go on without signals; health says degraded. */
    stop_redis(&rp);
    j = get(b, "/v1/recommend?segment=jonge-gezinnen", &status);
    CHECK(status == 200);
    CHECK_STR(json_string_value(json_object_get(j, "signals")), "unavailable");
    CHECK(json_array_size(json_object_get(j, "results")) == 10);
    json_decref(j);
    j = get(b, "/v1/search?q=voorlezen", &status);
    CHECK(status == 200);
    json_decref(j);
    j = get(b, "/healthz", &status);
    CHECK(status == 200);
    CHECK_STR(json_string_value(json_object_get(j, "status")), "degraded");
    json_decref(j);
    batch = signal_batch(a, "/v1/search?q=leesclub&per_page=2", "studenten", 1);
    CHECK(post(b, "/v1/signals", batch, NULL) == 503);
    /* ...and comes back: the replica reconnects by itself. */
    rp.pid = start_redis(&rp);
    CHECK(rp.pid > 0);
    int healthy = 0;
    for (int t = 0; t < 40 && !healthy; t++) {
        j = get(b, "/healthz", &status);
        healthy = json_string_value(json_object_get(j, "status")) &&
                  strcmp(json_string_value(json_object_get(j, "status")), "ok") == 0;
        json_decref(j);
        if (!healthy) {
            struct timespec ts = {0, 100 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    CHECK(healthy);
    CHECK(post(b, "/v1/signals", batch, NULL) == 202);
    free(batch);

    /* The embedded store survives a restart of its server. */
    CHECK(proc_stop(pa) == 0);
    a = start_server(index, dir, "embedded", NULL, &pa);
    j = get(a, "/v1/recommend?segment=jonge-gezinnen", &status);
    char *restarted = ids_of(j);
    json_decref(j);
    CHECK_STR(restarted, after_a);
    free(restarted);
    /* Searches use what was used too: the browse order starts with the
     * offerings that got signals (a boost, the rest still follows). */
    j = get(a, "/v1/search?per_page=3&facets=type", &status);
    const char *top = json_string_value(json_object_get(json_array_get(json_object_get(j, "results"), 0), "id"));
    json_t *cc = get(a, "/v1/search?q=codeclub&per_page=8", &status);
    int from_signals = 0;
    json_array_foreach(json_object_get(cc, "results"), i, s) {
        from_signals |= top && strcmp(json_string_value(json_object_get(s, "id")), top) == 0;
    }
    CHECK(from_signals);
    json_decref(cc);
    json_decref(j);

    free(before);
    free(before_c);
    free(after_a);
    free(after_b);
    free(after_c);
stop:
    CHECK(proc_stop(pa) == 0);
    CHECK(proc_stop(pb) == 0);
    CHECK(proc_stop(pc) == 0);
    stop_redis(&rp);
    free(rp.bin);
    char *rm[] = {"/bin/rm", "-rf", dir, NULL};
    proc_run(rm, NULL);
    return check_done();
}
