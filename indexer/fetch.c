/* fetch.c - getting a page from a platform with libcurl (fetch.h). */
#define _DEFAULT_SOURCE /* timegm, strncasecmp */
#include "vindplaats/fetch.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <sys/socket.h>

#include "vindplaats/buf.h"

#ifndef VP_VERSION
#define VP_VERSION "0"
#endif
#define USER_AGENT "Vindplaats/" VP_VERSION " (library network harvester)"

void vp_fetch_options_default(vp_fetch_options *o)
{
    memset(o, 0, sizeof *o);
    o->connect_timeout_ms = 10000;
    o->stall_timeout_ms = 30000;
    o->total_timeout_ms = 60000;
    o->retries = 3;
    o->backoff_ms = 1000;
    o->max_retry_after_s = 300;
    o->max_wait_s = 600;
    o->max_bytes = 64u * 1024 * 1024;
}

void vp_fetch_global_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

void vp_fetch_result_free(vp_fetch_result *r)
{
    if (!r)
        return;
    free(r->body);
    free(r->etag);
    free(r->last_modified);
    free(r->content_type);
    free(r->final_url);
    memset(r, 0, sizeof *r);
}

static const char *const month_names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

long vp_retry_after_seconds(const char *value, long long now)
{
    if (!value)
        return -1;
    while (*value == ' ' || *value == '\t')
        value++;
    if (isdigit((unsigned char)*value)) {
        char *end;
        long long v = strtoll(value, &end, 10);
        while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n')
            end++;
        if (*end || v < 0)
            return -1;
        return v > 100000000 ? 100000000 : (long)v;
    }
    /* IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT" */
    int day, year, hh, mm, ss;
    char mon[4] = {0}, zone[4] = {0};
    const char *comma = strchr(value, ',');
    if (!comma)
        return -1;
    if (sscanf(comma + 1, " %2d %3s %4d %2d:%2d:%2d %3s", &day, mon, &year, &hh, &mm, &ss, zone) != 7)
        return -1;
    if (strcmp(zone, "GMT") != 0 && strcmp(zone, "UTC") != 0)
        return -1;
    int m = -1;
    for (int i = 0; i < 12; i++)
        if (strcmp(mon, month_names[i]) == 0)
            m = i;
    if (m < 0 || day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60)
        return -1;
    struct tm tm = {0};
    tm.tm_year = year - 1900;
    tm.tm_mon = m;
    tm.tm_mday = day;
    tm.tm_hour = hh;
    tm.tm_min = mm;
    tm.tm_sec = ss;
    long long at = (long long)timegm(&tm);
    long long d = at - now;
    return d < 0 ? 0 : d > 100000000 ? 100000000 : (long)d;
}

typedef struct transfer {
    vp_buf body;
    int too_big;
    char *etag;
    char *last_modified;
    char *retry_after;
    const vp_address_allow *allow;
    char refused[160];        /* the address refused, and why */
} transfer;

/* Every connection libcurl makes comes through here with the address it
 * resolved: the one place where the address is known for sure. */
static curl_socket_t on_open_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
    transfer *t = arg;
    (void)purpose;
    char text[64];
    const char *why = NULL;
    if (vp_address_check(&a->addr, t->allow, text, sizeof text, &why) != 0) {
        snprintf(t->refused, sizeof t->refused, "%s, a %s address", text, why);
        return CURL_SOCKET_BAD;
    }
    return socket(a->family, a->socktype, a->protocol);
}

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
    transfer *t = arg;
    if (vp_buf_append(&t->body, data, size * n) != VP_OK) {
        t->too_big = 1;
        return 0; /* aborts the transfer */
    }
    return size * n;
}

/* A copy of a header's value without surrounding white space. */
static char *header_value(const char *line, size_t len, const char *name)
{
    size_t n = strlen(name);
    if (len <= n || strncasecmp(line, name, n) != 0 || line[n] != ':')
        return NULL;
    const char *v = line + n + 1, *end = line + len;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
        end--;
    char *out = malloc((size_t)(end - v) + 1);
    if (out) {
        memcpy(out, v, (size_t)(end - v));
        out[end - v] = '\0';
    }
    return out;
}

static size_t on_header(char *line, size_t size, size_t n, void *arg)
{
    transfer *t = arg;
    size_t len = size * n;
    char *v;
    /* A redirect starts a new set of headers: keep the last response's. */
    if (len >= 5 && strncmp(line, "HTTP/", 5) == 0) {
        free(t->etag);
        free(t->last_modified);
        free(t->retry_after);
        t->etag = t->last_modified = t->retry_after = NULL;
    } else if ((v = header_value(line, len, "ETag"))) {
        free(t->etag);
        t->etag = v;
    } else if ((v = header_value(line, len, "Last-Modified"))) {
        free(t->last_modified);
        t->last_modified = v;
    } else if ((v = header_value(line, len, "Retry-After"))) {
        free(t->retry_after);
        t->retry_after = v;
    }
    return len;
}

double vp_fetch_clock(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
    if (ms <= 0)
        return;
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

/* "URL: what", malloc()ed. */
static void transfer_free(transfer *t)
{
    vp_buf_free(&t->body);
    free(t->etag);
    free(t->last_modified);
    free(t->retry_after);
    memset(t, 0, sizeof *t);
}

static void options_merge(vp_fetch_options *o, const vp_fetch_options *given)
{
    vp_fetch_options_default(o);
    if (!given)
        return;
    if (given->connect_timeout_ms)
        o->connect_timeout_ms = given->connect_timeout_ms;
    if (given->stall_timeout_ms)
        o->stall_timeout_ms = given->stall_timeout_ms;
    if (given->total_timeout_ms)
        o->total_timeout_ms = given->total_timeout_ms;
    if (given->retries)
        o->retries = given->retries < 0 ? 0 : given->retries;
    if (given->backoff_ms)
        o->backoff_ms = given->backoff_ms;
    if (given->max_retry_after_s)
        o->max_retry_after_s = given->max_retry_after_s;
    if (given->max_wait_s)
        o->max_wait_s = given->max_wait_s;
    if (given->max_bytes)
        o->max_bytes = given->max_bytes;
    o->allow_file = given->allow_file;
    o->allow_private = given->allow_private;
    o->deadline = given->deadline;
    o->deadline_s = given->deadline_s;
}

/* One URL's fetch, over all its attempts. */
typedef struct job {
    const char *url;
    const vp_fetch_options *o;
    int is_file;
    struct curl_slist *headers;
    transfer t;
    int attempt;
    long waited_s;            /* Retry-After waited so far */
    long timeout_ms;          /* this attempt's whole-transfer limit */
    int capped;               /* ... cut short by the deadline */
    long wait_ms;             /* before the next attempt */
    vp_status st;             /* the outcome once done */
    char *why;
    vp_fetch_result res;
} job;

enum { JOB_DONE, JOB_RETRY };

/* Milliseconds left before the deadline (LONG_MAX without one). */
static long left_ms(const vp_fetch_options *o)
{
    if (o->deadline <= 0)
        return LONG_MAX;
    double left = (o->deadline - vp_fetch_clock()) * 1000.0;
    return left <= 0 ? 0 : left > 1e12 ? LONG_MAX : (long)left;
}

static void job_fail(job *j, vp_status st, const char *text)
{
    j->st = st;
    free(j->why);
    j->why = strdup(text);
}

/* What the previous attempt ran into, without the URL, or NULL. */
static const char *last_error(const job *j)
{
    return j->why;
}

static void deadline_text(const job *j, char *text, size_t cap, const char *last)
{
    snprintf(text, cap, "the source's deadline of %ld s passed%s%.400s", j->o->deadline_s,
             last ? " after: " : "", last ? last : "");
}

/* Checks the URL and prepares the request; JOB_DONE when it fails at once. */
static int job_init(job *j, const char *url, const vp_fetch_options *o, const char *etag,
                    const char *last_modified)
{
    memset(j, 0, sizeof *j);
    j->url = url;
    j->o = o;
    j->st = VP_ERR_IO;
    int is_http = strncasecmp(url, "http://", 7) == 0 || strncasecmp(url, "https://", 8) == 0;
    j->is_file = strncasecmp(url, "file://", 7) == 0;
    if (!is_http && !(j->is_file && o->allow_file)) {
        job_fail(j, VP_ERR_IO, j->is_file ? "file:// URLs are not allowed for this source (allow_file = yes)"
                                          : "scheme not allowed (http and https only)");
        return JOB_DONE;
    }
    char line[1200];
    struct curl_slist *h;
    if (etag && *etag) {
        snprintf(line, sizeof line, "If-None-Match: %.1000s", etag);
        h = curl_slist_append(j->headers, line);
        if (!h)
            goto nomem;
        j->headers = h;
    }
    if (last_modified && *last_modified) {
        snprintf(line, sizeof line, "If-Modified-Since: %.1000s", last_modified);
        h = curl_slist_append(j->headers, line);
        if (!h)
            goto nomem;
        j->headers = h;
    }
    return JOB_RETRY;
nomem:
    job_fail(j, VP_ERR_NOMEM, "out of memory");
    return JOB_DONE;
}

/* Sets `curl` up for the next attempt; JOB_DONE when the deadline leaves
 * no time for one. */
static int job_start(job *j, CURL *curl)
{
    const vp_fetch_options *o = j->o;
    long left = left_ms(o);
    if (left < 100) {
        char text[600];
        deadline_text(j, text, sizeof text, last_error(j)); /* and what went wrong before */
        job_fail(j, VP_ERR_IO, text);
        return JOB_DONE;
    }
    j->attempt++;
    transfer_free(&j->t);
    vp_buf_init(&j->t.body, o->max_bytes);
    j->t.allow = o->allow_private;
    j->timeout_ms = o->total_timeout_ms;
    j->capped = left < j->timeout_ms;
    if (j->capped)
        j->timeout_ms = left;
    curl_easy_reset(curl);
    curl_easy_setopt(curl, CURLOPT_URL, j->url);
    curl_easy_setopt(curl, CURLOPT_PRIVATE, j);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, USER_AGENT);
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 5L);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, o->allow_file ? "http,https,file" : "http,https");
    curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS,
                     CURLPROTO_HTTP | CURLPROTO_HTTPS | (o->allow_file ? CURLPROTO_FILE : 0));
    curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS, CURLPROTO_HTTP | CURLPROTO_HTTPS);
#endif
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                     o->connect_timeout_ms < j->timeout_ms ? o->connect_timeout_ms : j->timeout_ms);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, j->timeout_ms);
    /* A platform that accepts and then says nothing (or trickles) is given
     * up after stall_timeout_ms, not after the whole transfer's limit. */
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, (o->stall_timeout_ms + 999) / 1000);
    curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, ""); /* gzip, deflate, br as built */
    curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->max_bytes);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, j->headers);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &j->t);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &j->t);
    curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
    curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, &j->t);
    curl_easy_setopt(curl, CURLOPT_PROXY, "");
    return JOB_RETRY;
}

/* Whether waiting `ra` more seconds goes past max_wait_s in all. */
static int waited_s_over(const job *j, long ra)
{
    return j->waited_s + (ra > 0 ? ra : 0) > j->o->max_wait_s;
}

/* Judges an attempt that ended with `rc`: JOB_DONE (j->st says how) or
 * JOB_RETRY after j->wait_ms. */
static int job_finish(job *j, CURL *curl, CURLcode rc)
{
    const vp_fetch_options *o = j->o;
    transfer *t = &j->t;
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    if (j->is_file && rc == CURLE_OK)
        status = 200;
    int retry = 0, ok = 0;
    j->wait_ms = o->backoff_ms << (j->attempt - 1 < 10 ? j->attempt - 1 : 10);
    char text[512];
    text[0] = '\0';
    if (t->refused[0]) {
        snprintf(text, sizeof text, "refused to connect to %s (allow_private lets a source reach it)",
                 t->refused);
    } else if (t->too_big || rc == CURLE_FILESIZE_EXCEEDED) {
        snprintf(text, sizeof text, "body larger than %zu bytes", o->max_bytes);
    } else if (rc == CURLE_OPERATION_TIMEDOUT) {
        double spent = 0;
        curl_easy_getinfo(curl, CURLINFO_TOTAL_TIME, &spent);
        if (j->capped)
            deadline_text(j, text, sizeof text, last_error(j));
        else if (spent * 1000 < (double)j->timeout_ms - 500)
            snprintf(text, sizeof text, "timed out: no data for %ld s", (o->stall_timeout_ms + 999) / 1000);
        else
            snprintf(text, sizeof text, "timed out after %ld ms", j->timeout_ms);
        retry = !j->capped;
    } else if (rc == CURLE_TOO_MANY_REDIRECTS) {
        snprintf(text, sizeof text, "more than 5 redirects");
    } else if (rc == CURLE_UNSUPPORTED_PROTOCOL) {
        snprintf(text, sizeof text, "redirected to a scheme that is not allowed");
    } else if (rc != CURLE_OK) {
        snprintf(text, sizeof text, "%s", curl_easy_strerror(rc));
        retry = rc != CURLE_FILE_COULDNT_READ_FILE && rc != CURLE_URL_MALFORMAT;
    } else if (status == 304) {
        j->res.status = 304;
        j->res.not_modified = 1;
        ok = 1;
    } else if (status >= 200 && status < 300) {
        j->res.status = status;
        ok = 1;
    } else if (status == 503 || status == 429) {
        long ra = vp_retry_after_seconds(t->retry_after, (long long)time(NULL));
        long left = left_ms(o);
        if (ra > o->max_retry_after_s) {
            snprintf(text, sizeof text, "HTTP %ld with Retry-After %ld s, longer than the %ld s allowed",
                     status, ra, o->max_retry_after_s);
        } else if (waited_s_over(j, ra)) {
            snprintf(text, sizeof text, "HTTP %ld: still unavailable after waiting %ld s", status,
                     j->waited_s);
        } else if (ra > 0 && left != LONG_MAX && ra * 1000 >= left) {
            snprintf(text, sizeof text, "HTTP %ld with Retry-After %ld s, beyond the source's deadline "
                     "of %ld s", status, ra, o->deadline_s);
        } else {
            snprintf(text, sizeof text, "HTTP %ld (gave up after %d attempts)", status, j->attempt);
            if (ra >= 0) {
                /* The server said when: that wait does not use up an attempt. */
                j->waited_s += ra;
                j->wait_ms = ra * 1000;
                j->attempt--;
            }
            retry = 1;
        }
    } else if (status >= 500) {
        snprintf(text, sizeof text, "HTTP %ld (gave up after %d attempts)", status, j->attempt);
        retry = 1;
    } else {
        snprintf(text, sizeof text, "HTTP %ld", status);
    }
    if (ok) {
        j->res.len = t->body.len;
        j->res.body = vp_buf_steal(&t->body);
        j->res.etag = t->etag;
        j->res.last_modified = t->last_modified;
        t->etag = t->last_modified = NULL;
        char *ct = NULL, *eff = NULL;
        curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &ct);
        curl_easy_getinfo(curl, CURLINFO_EFFECTIVE_URL, &eff);
        j->res.content_type = ct ? strdup(ct) : NULL;
        j->res.final_url = strdup(eff ? eff : j->url);
        j->res.attempts = j->attempt;
        transfer_free(t);
        if (!j->res.body || !j->res.final_url || (ct && !j->res.content_type)) {
            vp_fetch_result_free(&j->res);
            job_fail(j, VP_ERR_NOMEM, "out of memory");
        } else {
            j->st = VP_OK;
            free(j->why);
            j->why = NULL;
        }
        return JOB_DONE;
    }
    transfer_free(t);
    job_fail(j, VP_ERR_IO, text);
    if (!retry || j->attempt > o->retries)
        return JOB_DONE;
    /* A retry that could not start before the deadline is not waited for. */
    long left = left_ms(o);
    if (left != LONG_MAX && j->wait_ms + 100 >= left) {
        char dl[600];
        deadline_text(j, dl, sizeof dl, text);
        job_fail(j, VP_ERR_IO, dl);
        return JOB_DONE;
    }
    return JOB_RETRY;
}

/* Hands the outcome over: the result to `out`, the error (the URL as its
 * file) to *err. */
static vp_status job_end(job *j, vp_fetch_result *out, vp_error *err)
{
    curl_slist_free_all(j->headers);
    j->headers = NULL;
    transfer_free(&j->t);
    *out = j->res;
    memset(&j->res, 0, sizeof j->res);
    if (j->st != VP_OK) {
        vp_fetch_result_free(out);
        vp_where at = {j->url, 0, NULL, NULL};
        vp_error_set(err, j->st, &at, "%s", j->why ? j->why : "fetch failed");
        free(j->why);
        j->why = NULL;
        return j->st;
    }
    free(j->why);
    j->why = NULL;
    return VP_OK;
}

vp_status vp_fetch(const char *url, const vp_fetch_options *given, const char *etag,
                   const char *last_modified, vp_fetch_result *out, vp_error *err)
{
    vp_fetch_options o;
    options_merge(&o, given);
    memset(out, 0, sizeof *out);
    job j;
    if (job_init(&j, url, &o, etag, last_modified) == JOB_RETRY) {
        CURL *curl = curl_easy_init();
        if (!curl) {
            job_fail(&j, VP_ERR_NOMEM, "curl_easy_init failed");
        } else {
            while (job_start(&j, curl) == JOB_RETRY) {
                CURLcode rc = curl_easy_perform(curl);
                if (job_finish(&j, curl, rc) == JOB_DONE)
                    break;
                sleep_ms(j.wait_ms);
            }
            curl_easy_cleanup(curl);
        }
    }
    return job_end(&j, out, err);
}

/* --- several URLs at once ----------------------------------------------- */

enum { SLOT_NEW, SLOT_WAITING, SLOT_RUNNING, SLOT_DONE };

vp_status vp_fetch_many(const char *const *urls, size_t n, size_t max_in_flight,
                        const vp_fetch_options *given, vp_fetch_done done, void *ctx, vp_error *err)
{
    vp_fetch_options o;
    options_merge(&o, given);
    if (!n)
        return VP_OK;
    size_t k = max_in_flight ? max_in_flight : 1;
    if (k > n)
        k = n;
    /* A ring of k jobs: job i lives in slot i % k from its start until it
     * is handed over, so at most k pages are held at once. */
    job *jobs = calloc(k, sizeof *jobs);
    int *state = calloc(k, sizeof *state);
    double *start_at = calloc(k, sizeof *start_at);
    CURL **easy = calloc(k, sizeof *easy);
    CURLM *multi = curl_multi_init();
    vp_status st = VP_OK;
    if (!jobs || !state || !start_at || !easy || !multi) {
        st = VP_ERR_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < k; i++) {
        easy[i] = curl_easy_init();
        if (!easy[i]) {
            st = VP_ERR_NOMEM;
            goto out;
        }
    }
    size_t next_start = 0, next_done = 0;
    int stop = 0;
    while (next_done < n && !stop) {
        /* New jobs into free slots. */
        while (next_start < n && next_start < next_done + k) {
            size_t s = next_start % k;
            state[s] = job_init(&jobs[s], urls[next_start], &o, NULL, NULL) == JOB_DONE ? SLOT_DONE
                                                                                        : SLOT_WAITING;
            start_at[s] = 0;
            next_start++;
        }
        /* Start what is due. */
        double now = vp_fetch_clock();
        long poll_ms = 1000;
        for (size_t i = next_done; i < next_start; i++) {
            size_t s = i % k;
            if (state[s] != SLOT_WAITING)
                continue;
            if (start_at[s] > now) {
                long ms = (long)((start_at[s] - now) * 1000) + 1;
                if (ms < poll_ms)
                    poll_ms = ms;
                continue;
            }
            if (job_start(&jobs[s], easy[s]) == JOB_DONE) {
                state[s] = SLOT_DONE;
            } else if (curl_multi_add_handle(multi, easy[s]) != CURLM_OK) {
                job_fail(&jobs[s], VP_ERR_NOMEM, "curl_multi_add_handle failed");
                state[s] = SLOT_DONE;
            } else {
                state[s] = SLOT_RUNNING;
            }
        }
        int running = 0;
        curl_multi_perform(multi, &running);
        CURLMsg *m;
        int left_msgs;
        while ((m = curl_multi_info_read(multi, &left_msgs)) != NULL) {
            if (m->msg != CURLMSG_DONE)
                continue;
            job *j = NULL;
            curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&j);
            CURLcode rc = m->data.result;
            curl_multi_remove_handle(multi, m->easy_handle);
            size_t s = (size_t)(j - jobs);
            if (job_finish(j, m->easy_handle, rc) == JOB_DONE) {
                state[s] = SLOT_DONE;
            } else {
                state[s] = SLOT_WAITING;
                start_at[s] = vp_fetch_clock() + (double)j->wait_ms / 1000.0;
            }
        }
        /* Hand over, in list order, whatever is done. */
        int handed = 0;
        while (next_done < next_start && state[next_done % k] == SLOT_DONE && !stop) {
            size_t s = next_done % k;
            vp_fetch_result res;
            vp_error why = VP_ERROR_INIT;
            vp_status one = job_end(&jobs[s], &res, &why);
            stop = done(ctx, next_done, one, &res, &why) != 0;
            vp_fetch_result_free(&res);
            vp_error_clear(&why);
            state[s] = SLOT_NEW;
            next_done++;
            handed = 1;
        }
        if (!handed && !stop && next_done < n)
            curl_multi_poll(multi, NULL, 0, (int)(poll_ms > 0 ? poll_ms : 1), NULL);
    }
out:
    /* Whatever is still held (stopped early, or out of memory). */
    for (size_t s = 0; jobs && state && s < k; s++) {
        if (state[s] == SLOT_RUNNING)
            curl_multi_remove_handle(multi, easy[s]);
        if (state[s] != SLOT_NEW) {
            vp_fetch_result res;
            job_end(&jobs[s], &res, NULL);
            vp_fetch_result_free(&res);
        }
    }
    for (size_t s = 0; easy && s < k; s++)
        if (easy[s])
            curl_easy_cleanup(easy[s]);
    if (multi)
        curl_multi_cleanup(multi);
    free(easy);
    free(start_at);
    free(state);
    free(jobs);
    if (st != VP_OK)
        vp_error_set(err, st, NULL, "out of memory");
    return st;
}
