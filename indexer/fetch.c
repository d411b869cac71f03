/* fetch.c - getting a page from a platform with libcurl (fetch.h). */
#define _DEFAULT_SOURCE /* timegm, strncasecmp */
#include "fetch.h"

#include <ctype.h>
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
    o->total_timeout_ms = 120000;
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

static void sleep_ms(long ms)
{
    if (ms <= 0)
        return;
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

/* "URL: what", malloc()ed. */
static char *message(const char *url, const char *what)
{
    char out[1024 + 512];
    snprintf(out, sizeof out, "%.1000s: %.500s", url, what);
    return strdup(out);
}

static void transfer_free(transfer *t)
{
    vp_buf_free(&t->body);
    free(t->etag);
    free(t->last_modified);
    free(t->retry_after);
}

vp_status vp_fetch(const char *url, const vp_fetch_options *given, const char *etag,
                   const char *last_modified, vp_fetch_result *out, char **errmsg)
{
    vp_fetch_options o;
    vp_fetch_options_default(&o);
    if (given) {
        if (given->connect_timeout_ms)
            o.connect_timeout_ms = given->connect_timeout_ms;
        if (given->total_timeout_ms)
            o.total_timeout_ms = given->total_timeout_ms;
        if (given->retries)
            o.retries = given->retries < 0 ? 0 : given->retries;
        if (given->backoff_ms)
            o.backoff_ms = given->backoff_ms;
        if (given->max_retry_after_s)
            o.max_retry_after_s = given->max_retry_after_s;
        if (given->max_wait_s)
            o.max_wait_s = given->max_wait_s;
        if (given->max_bytes)
            o.max_bytes = given->max_bytes;
        o.allow_file = given->allow_file;
        o.allow_private = given->allow_private;
    }
    memset(out, 0, sizeof *out);
    int is_http = strncasecmp(url, "http://", 7) == 0 || strncasecmp(url, "https://", 8) == 0;
    int is_file = strncasecmp(url, "file://", 7) == 0;
    if (!is_http && !(is_file && o.allow_file)) {
        *errmsg = message(url, is_file ? "file:// URLs are not allowed for this source (allow_file = yes)"
                                       : "scheme not allowed (http and https only)");
        return VP_ERR_IO;
    }
    CURL *curl = curl_easy_init();
    if (!curl) {
        *errmsg = strdup("curl_easy_init failed");
        return VP_ERR_NOMEM;
    }
    struct curl_slist *headers = NULL;
    char line[1200];
    if (etag && *etag) {
        snprintf(line, sizeof line, "If-None-Match: %.1000s", etag);
        headers = curl_slist_append(headers, line);
    }
    if (last_modified && *last_modified) {
        snprintf(line, sizeof line, "If-Modified-Since: %.1000s", last_modified);
        headers = curl_slist_append(headers, line);
    }
    vp_status st = VP_ERR_IO;
    long waited_s = 0;
    int attempt = 0;
    char *why = NULL;
    for (;;) {
        attempt++;
        transfer t = {0};
        vp_buf_init(&t.body, o.max_bytes);
        t.allow = o.allow_private;
        curl_easy_reset(curl);
        curl_easy_setopt(curl, CURLOPT_URL, url);
        curl_easy_setopt(curl, CURLOPT_USERAGENT, USER_AGENT);
        curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 5L);
#if LIBCURL_VERSION_NUM >= 0x075500
        curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, o.allow_file ? "http,https,file" : "http,https");
        curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
        curl_easy_setopt(curl, CURLOPT_PROTOCOLS,
                         CURLPROTO_HTTP | CURLPROTO_HTTPS | (o.allow_file ? CURLPROTO_FILE : 0));
        curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS, CURLPROTO_HTTP | CURLPROTO_HTTPS);
#endif
        curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, o.connect_timeout_ms);
        curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, o.total_timeout_ms);
        curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, ""); /* gzip, deflate, br as built */
        curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o.max_bytes);
        curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t);
        curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(curl, CURLOPT_HEADERDATA, &t);
        curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
        curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, &t);
        curl_easy_setopt(curl, CURLOPT_PROXY, "");
        CURLcode rc = curl_easy_perform(curl);
        long status = 0;
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        if (is_file && rc == CURLE_OK)
            status = 200;
        int retry = 0;
        long wait_ms = o.backoff_ms << (attempt - 1 < 10 ? attempt - 1 : 10);
        char text[512];
        text[0] = '\0';
        if (t.refused[0]) {
            snprintf(text, sizeof text,
                     "refused to connect to %s (allow_private lets a source reach it)",
                     t.refused);
        } else if (t.too_big || rc == CURLE_FILESIZE_EXCEEDED) {
            snprintf(text, sizeof text, "body larger than %zu bytes", o.max_bytes);
        } else if (rc == CURLE_OPERATION_TIMEDOUT) {
            snprintf(text, sizeof text, "timed out after %ld ms", o.total_timeout_ms);
            retry = 1;
        } else if (rc == CURLE_TOO_MANY_REDIRECTS) {
            snprintf(text, sizeof text, "more than 5 redirects");
        } else if (rc == CURLE_UNSUPPORTED_PROTOCOL) {
            snprintf(text, sizeof text, "redirected to a scheme that is not allowed");
        } else if (rc != CURLE_OK) {
            snprintf(text, sizeof text, "%s", curl_easy_strerror(rc));
            retry = rc != CURLE_FILE_COULDNT_READ_FILE && rc != CURLE_URL_MALFORMAT;
        } else if (status == 304) {
            out->status = 304;
            out->not_modified = 1;
            st = VP_OK;
        } else if (status >= 200 && status < 300) {
            out->status = status;
            st = VP_OK;
        } else if (status == 503 || status == 429) {
            long ra = vp_retry_after_seconds(t.retry_after, (long long)time(NULL));
            if (ra > o.max_retry_after_s) {
                snprintf(text, sizeof text, "HTTP %ld with Retry-After %ld s, longer than the %ld s allowed",
                         status, ra, o.max_retry_after_s);
            } else if (waited_s + (ra > 0 ? ra : 0) > o.max_wait_s) {
                snprintf(text, sizeof text, "HTTP %ld: still unavailable after waiting %ld s", status,
                         waited_s);
            } else {
                snprintf(text, sizeof text, "HTTP %ld (gave up after %d attempts)", status, attempt);
                if (ra >= 0) {
                    /* The server said when: that wait does not use up an attempt. */
                    waited_s += ra;
                    wait_ms = ra * 1000;
                    attempt--;
                }
                retry = 1;
            }
        } else if (status >= 500) {
            snprintf(text, sizeof text, "HTTP %ld (gave up after %d attempts)", status, attempt);
            retry = 1;
        } else {
            snprintf(text, sizeof text, "HTTP %ld", status);
        }
        if (st != VP_OK)
            why = message(url, text);
        if (st == VP_OK) {
            out->len = t.body.len;
            out->body = vp_buf_steal(&t.body);
            out->etag = t.etag;
            out->last_modified = t.last_modified;
            t.etag = t.last_modified = NULL;
            char *ct = NULL, *eff = NULL;
            curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &ct);
            curl_easy_getinfo(curl, CURLINFO_EFFECTIVE_URL, &eff);
            out->content_type = ct ? strdup(ct) : NULL;
            out->final_url = strdup(eff ? eff : url);
            out->attempts = attempt;
            transfer_free(&t);
            if (!out->body) {
                st = VP_ERR_NOMEM;
                why = strdup("out of memory");
            }
            break;
        }
        transfer_free(&t);
        if (!retry || attempt > o.retries)
            break;
        free(why);
        why = NULL;
        sleep_ms(wait_ms);
    }
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    if (st != VP_OK) {
        vp_fetch_result_free(out);
        *errmsg = why ? why : strdup("fetch failed");
        return st == VP_OK ? VP_ERR_IO : st;
    }
    free(why);
    return VP_OK;
}
