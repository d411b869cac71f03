/* fetch.h - getting a page from a platform (libcurl), politely and safely.
 *
 * Part of the indexer library (vindplaats_indexer).
 * http and https only (file:// when the source's
 * configuration allows it), at most 5 redirects, connect, stall and total
 * timeouts under an optional deadline over all attempts, retries with
 * exponential backoff on network errors and 5xx,
 * HTTP 503/429 with Retry-After (seconds or an HTTP date) waited out up to
 * a bound, gzip/deflate accepted, a hard maximum body size, conditional GET
 * (If-None-Match / If-Modified-Since) so an unchanged feed costs one 304,
 * and a User-Agent naming Vindplaats and its version. Every address
 * connected to (after DNS, after every redirect) is checked first
 * (address.h): loopback, private, link-local and the like are refused
 * unless the options allow them. Proxies from the environment are not
 * used: the check needs the address actually connected to. */
#ifndef VINDPLAATS_INDEXER_FETCH_H
#define VINDPLAATS_INDEXER_FETCH_H

#include <stddef.h>

#include "vindplaats/status.h"
#include "vindplaats/address.h"

typedef struct vp_fetch_options {
    long connect_timeout_ms;  /* default 10000 */
    long stall_timeout_ms;    /* no data for this long ends an attempt; default 30000 */
    long total_timeout_ms;    /* per attempt; default 60000 */
    int retries;              /* extra attempts after a failure; default 3 */
    long backoff_ms;          /* first wait between attempts, doubled each time; default 1000 */
    long max_retry_after_s;   /* longest Retry-After obeyed; longer fails at once; default 300 */
    long max_wait_s;          /* total Retry-After waiting per fetch; default 600 */
    size_t max_bytes;         /* largest body; default 64 MiB */
    int allow_file;           /* file:// URLs allowed */
    const vp_address_allow *allow_private; /* beyond public addresses; NULL: nothing */
    double deadline;          /* vp_fetch_clock() time by which every attempt and wait
                               * ends (attempts are cut short, retries not begun); 0: none */
    long deadline_s;          /* its length, for messages */
} vp_fetch_options;

/* The defaults above; a zeroed field of `o` passed to vp_fetch means the default too. */
void vp_fetch_options_default(vp_fetch_options *o);

typedef struct vp_fetch_result {
    long status;          /* HTTP status (200 for file://) */
    int not_modified;     /* 304: body is empty, keep what you have */
    char *body;           /* NUL-terminated, malloc()ed ("" when empty) */
    size_t len;
    char *etag;           /* validators for the next conditional GET, or NULL */
    char *last_modified;
    char *content_type;   /* or NULL */
    char *final_url;      /* after redirects */
    int attempts;
} vp_fetch_result;

/* Fetches `url`. `etag` and `last_modified` (may be NULL) make the request
 * conditional. Returns VP_OK for a 2xx or 304 answer; VP_ERR_IO (VP_ERR_NOMEM)
 * otherwise, with *err (may be NULL): the URL as its file, the reason as
 * its message ("HTTP 404", "timed out after
 * 120 s", "Retry-After 3600 s is longer than 300 s", "body larger than
 * 67108864 bytes", "scheme not allowed", "the source's deadline of 600 s
 * passed") otherwise. Free with
 * vp_fetch_result_free() in every case. */
vp_status vp_fetch(const char *url, const vp_fetch_options *opt, const char *etag,
                   const char *last_modified, vp_fetch_result *out, vp_error *err);
void vp_fetch_result_free(vp_fetch_result *r);

/* Called by vp_fetch_many for URL number `i`, in the order of the list:
 * `st` and `res` (borrowed; freed after the call) as vp_fetch would give
 * them, `err` (borrowed) filled as vp_fetch fills it when st is not VP_OK.
 * Returns 0 to go on, any other value to stop. */
typedef int (*vp_fetch_done)(void *ctx, size_t i, vp_status st, vp_fetch_result *res,
                             const vp_error *err);

/* Fetches urls[0..n-1] with at most `max_in_flight` transfers at once
 * (libcurl's multi interface; each URL with vp_fetch's retries and
 * limits) and hands each outcome to `done` in list order, so at most
 * max_in_flight pages are held in memory. One URL failing does not stop
 * the others. Returns VP_OK, or VP_ERR_NOMEM with *err (may be NULL). */
vp_status vp_fetch_many(const char *const *urls, size_t n, size_t max_in_flight,
                        const vp_fetch_options *opt, vp_fetch_done done, void *ctx, vp_error *err);

/* Monotonic seconds: the clock of vp_fetch_options.deadline. */
double vp_fetch_clock(void);

/* Seconds to wait from a Retry-After value (delta-seconds or an HTTP date,
 * relative to `now`), or -1 when it is neither. */
long vp_retry_after_seconds(const char *value, long long now);

/* Call once at program start (curl_global_init). */
void vp_fetch_global_init(void);

#endif
