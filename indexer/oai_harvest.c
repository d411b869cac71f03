/* oai_harvest.c - the OAI-PMH 2.0 protocol loop (vp_oai_harvest, harvest.h).
 *
 * One run: Identify (granularity), then ListRecords page by page, following
 * resumption tokens, each page parsed by oai.c into the run's emit. After
 * every page that has a token, the records so far and the state needed to
 * resume are checkpointed together, so a run killed anywhere goes on from
 * the last page written; when the list ends, the next incremental run's
 * `from` is saved.
 *
 * State (a JSON object saved with vp_run_checkpoint):
 *   "granularity"  the repository's, from Identify;
 *   "from"         the responseDate of the first page of the last COMPLETE
 *                  list, cut to the granularity (the next run's `from`);
 *   "token"        the resumption token of the list in progress;
 *   "list_started" the responseDate of that list's first page;
 *   "from_of_list" the `from` that list was started with (absent: full).
 * A repeated token is an error, never a loop; a badResumptionToken restarts
 * the list once per run from "from_of_list". */
/* strdup, strncasecmp: the build defines this too (CMakeLists.txt) */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vindplaats/harvest.h"
#include "vindplaats/oai.h"

/* Longest request URL we build (base URL plus escaped arguments). */
#define MAX_URL (64u * 1024)

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* Appends `s` percent-encoded (RFC 3986 unreserved characters kept) to
 * buf at *len; returns -1 when it would not fit in `cap`. */
static int put_escaped(char *buf, size_t *len, size_t cap, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        int plain = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' || *p == '~';
        size_t need = plain ? 1 : 3;
        if (*len + need + 1 > cap)
            return -1;
        if (plain) {
            buf[(*len)++] = (char)*p;
        } else {
            buf[(*len)++] = '%';
            buf[(*len)++] = hex[*p >> 4];
            buf[(*len)++] = hex[*p & 15];
        }
    }
    buf[*len] = '\0';
    return 0;
}

static int put_raw(char *buf, size_t *len, size_t cap, const char *s)
{
    size_t n = strlen(s);
    if (*len + n + 1 > cap)
        return -1;
    memcpy(buf + *len, s, n + 1);
    *len += n;
    return 0;
}

/* The request URL: `base` with verb=ListRecords (or Identify when `verb`
 * says so) and the arguments given; NULL when out of memory or too long.
 * `base` may already hold a query ("...?site=x"). */
static char *request_url(const char *base, const char *verb, const char *token,
                         const char *prefix, const char *set, const char *from)
{
    char *buf = malloc(MAX_URL);
    size_t len = 0;
    if (!buf)
        return NULL;
    buf[0] = '\0';
    size_t blen = strlen(base);
    const char *sep = !strchr(base, '?') ? "?" : (blen && (base[blen - 1] == '?' || base[blen - 1] == '&')) ? "" : "&";
    int rc = put_raw(buf, &len, MAX_URL, base) | put_raw(buf, &len, MAX_URL, sep) |
             put_raw(buf, &len, MAX_URL, "verb=") | put_raw(buf, &len, MAX_URL, verb);
    if (token) {
        rc |= put_raw(buf, &len, MAX_URL, "&resumptionToken=") |
              put_escaped(buf, &len, MAX_URL, token);
    } else if (prefix) {
        rc |= put_raw(buf, &len, MAX_URL, "&metadataPrefix=") |
              put_escaped(buf, &len, MAX_URL, prefix);
        if (set)
            rc |= put_raw(buf, &len, MAX_URL, "&set=") | put_escaped(buf, &len, MAX_URL, set);
        if (from)
            rc |= put_raw(buf, &len, MAX_URL, "&from=") | put_escaped(buf, &len, MAX_URL, from);
    }
    if (rc != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* Fails with `st` and the message `what` about the page at `url`. */
static vp_status url_fail(vp_error *err, vp_status st, const char *url, const char *what)
{
    vp_where at = {url, 0, NULL, NULL};
    return vp_error_set(err, st, &at, "%s", what);
}

/* A fetched page is freed as soon as it is parsed. */
static void page_release(vp_fetch_result *res)
{
    vp_fetch_result_free(res);
    memset(res, 0, sizeof *res);
}

/* A page the parser refused: its error gets the URL as its file (the
 * place in the page stays its path). */
static vp_status parse_failure(vp_error *err, const char *url, vp_status st)
{
    if (err && !err->file) {
        err->file = strdup(url);
        err->line = 0;
    }
    return st;
}

/* Adds key = s to `o` unless s is NULL; -1 when out of memory. */
static int put_str(json_t *o, const char *key, const char *s)
{
    if (!s)
        return 0;
    json_t *v = json_string(s);
    return v && json_object_set_new(o, key, v) == 0 ? 0 : -1;
}

/* A string member of the state, or NULL. */
static const char *state_str(json_t *state, const char *key)
{
    const char *s = json_string_value(json_object_get(state, key));
    return s && *s ? s : NULL;
}

/* Fetches `url` and returns the body, or an error with *err naming it. */
static vp_status fetch_page(vp_harvest_run *run, const char *url, vp_fetch_result *res,
                            vp_error *err)
{
    vp_run_set_url(run, url);
    memset(res, 0, sizeof *res);
    vp_status st = vp_run_fetch(run, url, NULL, NULL, res, err);
    if (st != VP_OK)
        return st;
    if (res->not_modified || !res->body)
        return url_fail(err, VP_ERR_IO, url, "no body (304 Not Modified to an unconditional request)");
    return VP_OK;
}

vp_status vp_oai_harvest(vp_harvest_run *run, const vp_source *src, vp_error *err)
{
    vp_status st = VP_OK;
    char *url = NULL, *granularity = NULL, *old_from = NULL;
    char *token = NULL, *list_started = NULL, *from_of_list = NULL;
    vp_oai_identify id = {0};
    vp_oai_page page = {0};
    vp_fetch_result res = {0};
    int restarted = 0;

    const char *prefix = vp_source_option(src, "metadata_prefix");
    if (!prefix || !*prefix)
        prefix = "oai_dc";
    const char *set = vp_source_option(src, "set");
    if (set && !*set)
        set = NULL;
    if (!src->url || !*src->url) {
        st = vp_error_set(err, VP_ERR_INVALID, NULL, "source has no url");
        goto done;
    }

    /* Identify: the granularity of datestamps for `from`. */
    url = request_url(src->url, "Identify", NULL, NULL, NULL, NULL);
    if (!url)
        goto nomem;
    st = fetch_page(run, url, &res, err);
    if (st != VP_OK)
        goto done;
    st = vp_oai_parse_identify(res.body, res.len, &id, err);
    page_release(&res);
    if (st != VP_OK) {
        parse_failure(err, url, st);
        goto done;
    }
    granularity = strdup(id.granularity);
    if (!granularity)
        goto nomem;

    /* Where to begin: a list in progress, or a new one from `from`. The
     * saved datestamps are redone in today's granularity, which the
     * repository may have changed. */
    json_t *state = vp_run_state(run);
    int full = vp_run_full(run);
    if (!full) {
        if (state_str(state, "from"))
            old_from = vp_oai_from_value(state_str(state, "from"), granularity);
        if (state_str(state, "token")) {
            token = dup_or_null(state_str(state, "token"));
            list_started = dup_or_null(state_str(state, "list_started"));
            if (state_str(state, "from_of_list"))
                from_of_list = vp_oai_from_value(state_str(state, "from_of_list"), granularity);
            if (!token)
                goto nomem;
        }
    }
    if (!token && old_from) {
        from_of_list = strdup(old_from);
        if (!from_of_list)
            goto nomem;
    }

    for (;;) {
        free(url);
        url = request_url(src->url, "ListRecords", token, prefix, set, from_of_list);
        if (!url)
            goto nomem;
        st = fetch_page(run, url, &res, err);
        if (st != VP_OK)
            goto done;
        vp_oai_page_clear(&page);
        st = vp_oai_parse_page(res.body, res.len, vp_run_emit(run), &page, err);
        page_release(&res);
        if (st != VP_OK) {
            parse_failure(err, url, st);
            goto done;
        }
        if (page.broken.status != VP_OK) {
            /* Keep the records before the break, and the place in the
             * list this page was asked for from: the next run asks for the
             * page again. */
            json_t *same = json_deep_copy(vp_run_state(run));
            if (!same)
                goto nomem;
            st = vp_run_checkpoint(run, same, err);
            if (st != VP_OK)
                goto done;
            vp_where at = {url, 0, page.broken.path, NULL};
            st = vp_error_set(err, VP_ERR_INVALID, &at,
                              "the page breaks off here (%.400s); the %zu records before the break "
                              "are kept and the next harvest asks for this page again",
                              page.broken.message ? page.broken.message : "not well-formed",
                              page.records);
            goto done;
        }
        if (page.error_code) {
            if (strcmp(page.error_code, "noRecordsMatch") == 0) {
                /* nothing (new) in the list: it is complete */
            } else if (strcmp(page.error_code, "badResumptionToken") == 0 && token && !restarted) {
                /* expired: whatever this list brought since the last
                 * checkpoint is dropped and the list is asked for again */
                char note[256];
                snprintf(note, sizeof note, "badResumptionToken (%.200s): restarting the list",
                         page.error_message ? page.error_message : "");
                st = vp_run_report(run, url, note);
                if (st != VP_OK) {
                    /* the run stopped: its checkpoint says why */
                    st = vp_run_checkpoint(run, json_incref(vp_run_state(run)), err);
                    goto done;
                }
                vp_run_discard(run);
                restarted = 1;
                free(token);
                token = NULL;
                free(list_started);
                list_started = NULL;
                continue;
            } else {
                vp_where at = {url, 0, NULL, NULL};
                st = vp_error_set(err, VP_ERR_INVALID, &at, "OAI error %.100s%s%.500s",
                                  *page.error_code ? page.error_code : "(no code)",
                                  page.error_message && *page.error_message ? ": " : "",
                                  page.error_message ? page.error_message : "");
                goto done;
            }
        }
        if (!list_started && page.response_date) {
            list_started = strdup(page.response_date);
            if (!list_started)
                goto nomem;
        }
        if (!page.error_code && page.token) {
            if (token && strcmp(page.token, token) == 0) {
                vp_where at = {url, 0, NULL, NULL};
                st = vp_error_set(err, VP_ERR_INVALID, &at, "resumption token repeated: %s",
                                  page.token);
                goto done;
            }
            json_t *next = json_object();
            if (!next || put_str(next, "token", page.token) || put_str(next, "list_started", list_started) ||
                put_str(next, "from_of_list", from_of_list) || put_str(next, "granularity", granularity) ||
                put_str(next, "from", old_from)) {
                json_decref(next);
                goto nomem;
            }
            st = vp_run_checkpoint(run, next, err);
            if (st != VP_OK)
                goto done;
            free(token);
            token = page.token;
            page.token = NULL;
            continue;
        }

        /* The list is complete: the next run asks for what changed since
         * this list began. */
        char *new_from = vp_oai_from_value(list_started, granularity);
        if (!new_from && list_started) {
            char note[200];
            snprintf(note, sizeof note, "responseDate \"%.100s\" is not a UTC datestamp; "
                     "next run starts from the previous from", list_started);
            (void)vp_run_report(run, url, note); /* a failure stops the checkpoint below */
        }
        json_t *done_state = json_object();
        if (!done_state || put_str(done_state, "from", new_from ? new_from : from_of_list) ||
            put_str(done_state, "granularity", granularity)) {
            free(new_from);
            json_decref(done_state);
            goto nomem;
        }
        free(new_from);
        st = vp_run_checkpoint(run, done_state, err);
        goto done;
    }

nomem:
    st = vp_error_set(err, VP_ERR_NOMEM, NULL, "out of memory");
done:
    vp_fetch_result_free(&res);
    vp_oai_page_clear(&page);
    vp_oai_identify_clear(&id);
    free(url);
    free(granularity);
    free(old_from);
    free(token);
    free(list_started);
    free(from_of_list);
    return st;
}
