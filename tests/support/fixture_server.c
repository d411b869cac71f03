/* fixture_server.c - the platforms a harvest test talks to, on loopback.
 *
 * vp-fixture-server --root DIR --port-file FILE [--port N] [--log FILE]
 *                   [--oai-records N] [--oai-page N] [--delay-ms MS]
 *
 * Binds 127.0.0.1 on a free port (or --port N) and writes the port to
 * --port-file. `make run` uses it to serve the sample platforms.
 * Routes:
 *   /files/REL            a file under DIR, with an ETag and Last-Modified;
 *                         If-None-Match / If-Modified-Since answer 304
 *   /map/RELDIR?QUERY     an OAI-PMH response recorded with a mapping.txt
 *                         (lines: a query, then the file that answers it;
 *                         parameters compared decoded and in any order)
 *   /chain/RELDIR?QUERY   a resumption-token chain whose tokens are the
 *                         names of the next files; verb=V without a token
 *                         answers V.xml
 *   /oai?QUERY            a synthetic OAI-PMH 2.0 repository of N records
 *                         (oai_dc, day granularity, every 97th deleted),
 *                         pages of --oai-page records, each page after
 *                         --delay-ms; `from` and `until` honoured
 *   /oai/admin?add=K | delete=ID | broken=0|1 | repeat_token=0|1 |
 *              bad_token=1 | retry_after=S&times=N
 *                         changes the repository between harvests
 *   /unavailable/KEY?times=N&retry_after=S&then=REL
 *                         503 with Retry-After S the first N times, then
 *                         the file REL
 *   /redirect?n=K&then=REL  K redirects, then /files/REL
 *   /redirect?to=URL      one redirect to URL (any host)
 *   /stall                accepts the request and never answers (until
 *                         the server stops, or 120 s)
 *   /slow/REL?ms=N        the file REL after N ms; how many such requests
 *                         ran at once is counted
 *   /sitemap?n=K&ms=N&then=REL  a sitemap of K pages /slow/REL?ms=N&page=I
 *   /stats                "max_in_flight=M": the most /slow requests that
 *                         overlapped (?reset=1 starts counting again)
 * Every request is appended to --log as "GET PATH?QUERY". SIGTERM stops it. */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define LAST_MODIFIED "Sat, 28 Nov 2026 08:00:00 GMT"
#define MAX_RECORDS 2000000

static const char *root = ".";
static unsigned short fixed_port;
static FILE *request_log;
static long n_records = 1000, page_size = 100, delay_ms = 0;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* The synthetic repository's changes: records added or deleted today. */
static long n_added;
static long *deleted_today;
static size_t n_deleted_today;
static int broken, repeat_token, bad_token_once;
static long oai_retry_after = -1, oai_retry_times;

typedef struct counter {
    char key[128];
    long hits;
} counter;
static counter counters[64];
static volatile sig_atomic_t stopping;
static int slow_now, slow_max;

static void on_signal(int sig)
{
    (void)sig;
    stopping = 1;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

typedef struct buf {
    char *data;
    size_t len, cap;
} buf;

static void bprintf(buf *b, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int n = vsnprintf(b->data ? b->data + b->len : NULL, b->data ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0)
            return;
        if (b->data && b->len + (size_t)n < b->cap) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = (b->cap ? b->cap * 2 : 4096) + (size_t)n;
        char *d = realloc(b->data, cap);
        if (!d)
            abort();
        b->data = d;
        b->cap = cap;
    }
}

static enum MHD_Result send_body(struct MHD_Connection *c, unsigned status, const char *type,
                                 char *body, size_t len, const char *etag)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (type)
        MHD_add_response_header(r, "Content-Type", type);
    if (etag) {
        MHD_add_response_header(r, "ETag", etag);
        MHD_add_response_header(r, "Last-Modified", LAST_MODIFIED);
    }
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result send_text(struct MHD_Connection *c, unsigned status, const char *text)
{
    return send_body(c, status, "text/plain", strdup(text), strlen(text), NULL);
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (b.len + n + 1 > b.cap) {
            b.cap = (b.len + n + 1) * 2;
            b.data = realloc(b.data, b.cap);
            if (!b.data)
                abort();
        }
        memcpy(b.data + b.len, chunk, n);
        b.len += n;
    }
    fclose(f);
    if (!b.data)
        b.data = calloc(1, 1);
    *len = b.len;
    return b.data;
}

static const char *type_of(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (!dot)
        return "application/octet-stream";
    if (!strcmp(dot, ".xml"))
        return "text/xml";
    if (!strcmp(dot, ".ics"))
        return "text/calendar";
    if (!strcmp(dot, ".json") || !strcmp(dot, ".jsonld"))
        return "application/ld+json";
    if (!strcmp(dot, ".html") || !strcmp(dot, ".htm"))
        return "text/html";
    if (!strcmp(dot, ".csv"))
        return "text/csv";
    return "application/octet-stream";
}

static int safe_rel(const char *rel)
{
    return rel[0] != '/' && !strstr(rel, "..");
}

static enum MHD_Result serve_file(struct MHD_Connection *c, const char *rel)
{
    if (!safe_rel(rel))
        return send_text(c, 403, "no");
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    size_t len;
    char *data = read_file(path, &len);
    if (!data)
        return send_text(c, 404, "not found");
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)data[i]) * 1099511628211ULL;
    char etag[40];
    snprintf(etag, sizeof etag, "\"%016llx\"", (unsigned long long)h);
    const char *inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-None-Match");
    const char *ims = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-Modified-Since");
    if ((inm && !strcmp(inm, etag)) || (!inm && ims && !strcmp(ims, LAST_MODIFIED))) {
        free(data);
        return send_body(c, 304, NULL, strdup(""), 0, etag);
    }
    return send_body(c, 200, type_of(rel), data, len, etag);
}

/* --- query strings ------------------------------------------------------- */

typedef struct param {
    char *key, *value;
} param;

typedef struct params {
    param items[32];
    size_t n;
} params;

static enum MHD_Result collect(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    params *p = cls;
    if (p->n < 32) {
        p->items[p->n].key = strdup(key);
        p->items[p->n].value = strdup(value ? value : "");
        p->n++;
    }
    return MHD_YES;
}

static int by_key(const void *a, const void *b)
{
    int r = strcmp(((const param *)a)->key, ((const param *)b)->key);
    return r ? r : strcmp(((const param *)a)->value, ((const param *)b)->value);
}

static void params_free(params *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->items[i].key);
        free(p->items[i].value);
    }
    p->n = 0;
}

static const char *param_get(const params *p, const char *key)
{
    for (size_t i = 0; i < p->n; i++)
        if (!strcmp(p->items[i].key, key))
            return p->items[i].value;
    return NULL;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static char *decode(const char *s, size_t n)
{
    char *out = malloc(n + 1), *w = out;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            *w++ = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else if (s[i] == '+') {
            *w++ = ' ';
        } else {
            *w++ = s[i];
        }
    }
    *w = '\0';
    return out;
}

static void parse_query(const char *q, params *p)
{
    while (*q && p->n < 32) {
        size_t n = strcspn(q, "&\r\n");
        const char *eq = memchr(q, '=', n);
        if (n) {
            p->items[p->n].key = decode(q, eq ? (size_t)(eq - q) : n);
            p->items[p->n].value = eq ? decode(eq + 1, n - (size_t)(eq + 1 - q)) : strdup("");
            p->n++;
        }
        q += n;
        while (*q == '&' || *q == '\r' || *q == '\n')
            q++;
    }
}

static int params_equal(params *a, params *b)
{
    if (a->n != b->n)
        return 0;
    qsort(a->items, a->n, sizeof a->items[0], by_key);
    qsort(b->items, b->n, sizeof b->items[0], by_key);
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->items[i].key, b->items[i].key) || strcmp(a->items[i].value, b->items[i].value))
            return 0;
    return 1;
}

static enum MHD_Result serve_mapped(struct MHD_Connection *c, const char *reldir, params *asked)
{
    if (!safe_rel(reldir))
        return send_text(c, 403, "no");
    char path[4096];
    snprintf(path, sizeof path, "%s/%s/mapping.txt", root, reldir);
    FILE *f = fopen(path, "r");
    if (!f)
        return send_text(c, 404, "no mapping.txt");
    char q[2048], file[1024];
    while (fgets(q, sizeof q, f) && fgets(file, sizeof file, f)) {
        file[strcspn(file, "\r\n")] = '\0';
        params m = {0};
        parse_query(q, &m);
        int same = params_equal(&m, asked);
        params_free(&m);
        if (same) {
            fclose(f);
            char rel[4096];
            snprintf(rel, sizeof rel, "%s/%s", reldir, file);
            return serve_file(c, rel);
        }
    }
    fclose(f);
    return send_text(c, 404, "no mapping for this request");
}

static enum MHD_Result serve_chain(struct MHD_Connection *c, const char *reldir, params *asked)
{
    const char *token = param_get(asked, "resumptionToken");
    const char *verb = param_get(asked, "verb");
    char rel[4096];
    if (token && *token)
        snprintf(rel, sizeof rel, "%s/%s", reldir, token);
    else
        snprintf(rel, sizeof rel, "%s/%s.xml", reldir, verb ? verb : "Identify");
    return serve_file(c, rel);
}

/* --- the synthetic repository ------------------------------------------- */

static void day_of(long days_since_2026, char out[16])
{
    struct tm tm = {0};
    tm.tm_year = 126;
    tm.tm_mon = 0;
    tm.tm_mday = 1 + (int)days_since_2026;
    time_t t = timegm(&tm);
    gmtime_r(&t, &tm);
    strftime(out, 16, "%Y-%m-%d", &tm);
}

static void today(char out[16])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 16, "%Y-%m-%d", &tm);
}

static void isbn_of(long i, char out[14])
{
    char d[16];
    snprintf(d, sizeof d, "978907%06ld", (i < 0 ? -i : i) % 1000000);
    int sum = 0;
    for (int k = 0; k < 12; k++)
        sum += (d[k] - '0') * (k % 2 ? 3 : 1);
    memcpy(out, d, 12);
    out[12] = (char)('0' + (10 - sum % 10) % 10);
    out[13] = '\0';
}

static int is_deleted_today(long i)
{
    for (size_t k = 0; k < n_deleted_today; k++)
        if (deleted_today[k] == i)
            return 1;
    return 0;
}

/* Record i's datestamp; *deleted when it is gone. */
static void record_state(long i, char stamp[16], int *deleted)
{
    if (i > n_records || is_deleted_today(i)) {
        today(stamp);
        *deleted = is_deleted_today(i);
        return;
    }
    day_of(i % 300, stamp);
    *deleted = i % 97 == 0;
}

static const char *const subjects[] = {"Luisterboek", "e-book", "Voorlezen", "Taal", "Geschiedenis",
                                       "Koken", "Reizen", "Digitale vaardigheden", "Gezondheid", "Romans"};

static void write_record(buf *b, long i)
{
    char stamp[16];
    int deleted;
    record_state(i, stamp, &deleted);
    if (deleted) {
        bprintf(b, "<record><header status=\"deleted\"><identifier>oai:fixture:%ld</identifier>"
                   "<datestamp>%s</datestamp></header></record>\n", i, stamp);
        return;
    }
    char isbn[14];
    isbn_of(i, isbn);
    bprintf(b,
            "<record><header><identifier>oai:fixture:%ld</identifier><datestamp>%s</datestamp>"
            "<setSpec>boeken</setSpec></header><metadata>"
            "<oai_dc:dc xmlns:oai_dc=\"http://www.openarchives.org/OAI/2.0/oai_dc/\" "
            "xmlns:dc=\"http://purl.org/dc/elements/1.1/\">"
            "<dc:title>Het boek nummer %ld over %s</dc:title>"
            "<dc:creator>Schrijver%ld, Anna</dc:creator>"
            "<dc:subject>%s</dc:subject><dc:language>dut</dc:language>"
            "<dc:description>Een verhaal voor lezers van alle leeftijden, deel %ld.</dc:description>"
            "<dc:identifier>https://ebooks.example.nl/boek/%ld</dc:identifier>"
            "<dc:identifier>urn:isbn:%s</dc:identifier>"
            "<dc:type>%s</dc:type>"
            "</oai_dc:dc></metadata></record>\n",
            i, stamp, i, subjects[i % 10], i % 50, subjects[i % 10], i, i, isbn,
            i % 3 == 0 ? "e-book" : "text");
}

static void oai_head(buf *b, const char *verb, const char *attrs)
{
    char now[32];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
    bprintf(b,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<OAI-PMH xmlns=\"http://www.openarchives.org/OAI/2.0/\">\n"
            "<responseDate>%s</responseDate>\n<request verb=\"%s\"%s>http://127.0.0.1/oai</request>\n",
            now, verb, attrs);
}

static enum MHD_Result oai_error(struct MHD_Connection *c, const char *code, const char *text)
{
    buf b = {0};
    oai_head(&b, "ListRecords", "");
    bprintf(&b, "<error code=\"%s\">%s</error>\n</OAI-PMH>\n", code, text);
    return send_body(c, 200, "text/xml", b.data, b.len, NULL);
}

static enum MHD_Result serve_oai(struct MHD_Connection *c, params *p)
{
    const char *verb = param_get(p, "verb");
    pthread_mutex_lock(&lock);
    int is_broken = broken;
    long total = n_records + n_added;
    int retry = oai_retry_times > 0;
    if (retry)
        oai_retry_times--;
    pthread_mutex_unlock(&lock);
    if (retry) {
        struct MHD_Response *r = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
        char v[32];
        snprintf(v, sizeof v, "%ld", oai_retry_after);
        MHD_add_response_header(r, "Retry-After", v);
        enum MHD_Result ret = MHD_queue_response(c, 503, r);
        MHD_destroy_response(r);
        return ret;
    }
    if (is_broken)
        return send_text(c, 200, "<OAI-PMH><this is not xml");
    if (!verb)
        return oai_error(c, "badVerb", "no verb");
    if (!strcmp(verb, "Identify")) {
        buf b = {0};
        oai_head(&b, "Identify", "");
        bprintf(&b, "<Identify><repositoryName>Vindplaats fixture</repositoryName>"
                    "<baseURL>http://127.0.0.1/oai</baseURL><protocolVersion>2.0</protocolVersion>"
                    "<adminEmail>beheer@example.nl</adminEmail>"
                    "<earliestDatestamp>2026-01-01</earliestDatestamp><deletedRecord>persistent</deletedRecord>"
                    "<granularity>YYYY-MM-DD</granularity></Identify>\n</OAI-PMH>\n");
        return send_body(c, 200, "text/xml", b.data, b.len, NULL);
    }
    if (strcmp(verb, "ListRecords") != 0)
        return oai_error(c, "badVerb", "not supported here");
    const char *token = param_get(p, "resumptionToken");
    const char *from = param_get(p, "from");
    long offset = 0;
    char from_buf[32] = "";
    if (token) {
        pthread_mutex_lock(&lock);
        int bad = bad_token_once;
        bad_token_once = 0;
        pthread_mutex_unlock(&lock);
        char *bang = strchr(token, '!');
        if (bad || !bang || sscanf(token, "%ld", &offset) != 1 || offset < 0)
            return oai_error(c, "badResumptionToken", "the token is not valid");
        snprintf(from_buf, sizeof from_buf, "%s", bang + 1);
        from = from_buf[0] ? from_buf : NULL;
    } else {
        const char *prefix = param_get(p, "metadataPrefix");
        if (!prefix || strcmp(prefix, "oai_dc") != 0)
            return oai_error(c, "cannotDisseminateFormat", "only oai_dc");
        if (from && strlen(from) != 10)
            return oai_error(c, "badArgument", "from has the wrong granularity");
    }
    if (delay_ms > 0)
        sleep_ms(delay_ms);
    /* The records that match `from`, in identifier order. */
    buf b = {0};
    oai_head(&b, "ListRecords", "");
    bprintf(&b, "<ListRecords>\n");
    long matched = 0, written = 0, next = -1;
    pthread_mutex_lock(&lock);
    /* Without `from` every record matches: start at the offset. */
    long first = 1;
    if (!from) {
        first = offset + 1;
        matched = offset;
    }
    for (long i = first; i <= total; i++) {
        char stamp[16];
        int deleted;
        if (from) {
            record_state(i, stamp, &deleted);
            if (strcmp(stamp, from) < 0)
                continue;
        }
        if (matched++ < offset)
            continue;
        if (written == page_size) {
            next = offset + written;
            break;
        }
        write_record(&b, i);
        written++;
    }
    int repeat = repeat_token;
    pthread_mutex_unlock(&lock);
    if (matched == 0 && written == 0) {
        free(b.data);
        return oai_error(c, "noRecordsMatch", "no records match");
    }
    if (next >= 0) {
        long shown = repeat && offset > 0 ? offset : next;
        /* Tokens come wrapped in white space and line breaks, and the list
         * size only on every other page, as real repositories do. */
        if ((offset / page_size) % 2 == 0)
            bprintf(&b, "<resumptionToken completeListSize=\"%ld\" cursor=\"%ld\">\n   %ld!%s\n</resumptionToken>\n",
                    matched, offset, shown, from ? from : "");
        else
            bprintf(&b, "<resumptionToken>\n   %ld!%s\n</resumptionToken>\n", shown, from ? from : "");
    } else if (offset > 0) {
        bprintf(&b, "<resumptionToken completeListSize=\"%ld\" cursor=\"%ld\"/>\n", matched, offset);
    }
    bprintf(&b, "</ListRecords>\n</OAI-PMH>\n");
    return send_body(c, 200, "text/xml", b.data, b.len, NULL);
}

static enum MHD_Result serve_admin(struct MHD_Connection *c, params *p)
{
    const char *v;
    pthread_mutex_lock(&lock);
    if ((v = param_get(p, "add")))
        n_added += atol(v);
    if ((v = param_get(p, "delete"))) {
        long *d = realloc(deleted_today, (n_deleted_today + 1) * sizeof *d);
        if (d) {
            deleted_today = d;
            deleted_today[n_deleted_today++] = atol(v);
        }
    }
    if ((v = param_get(p, "broken")))
        broken = atoi(v);
    if ((v = param_get(p, "repeat_token")))
        repeat_token = atoi(v);
    if ((v = param_get(p, "bad_token")))
        bad_token_once = atoi(v);
    if ((v = param_get(p, "retry_after"))) {
        oai_retry_after = atol(v);
        const char *t = param_get(p, "times");
        oai_retry_times = t ? atol(t) : 1;
    }
    pthread_mutex_unlock(&lock);
    return send_text(c, 200, "ok");
}

static enum MHD_Result serve_unavailable(struct MHD_Connection *c, const char *key, params *p)
{
    long times = atol(param_get(p, "times") ? param_get(p, "times") : "1");
    const char *ra = param_get(p, "retry_after");
    const char *then = param_get(p, "then");
    long hits = 0;
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < 64; i++) {
        if (!counters[i].key[0])
            snprintf(counters[i].key, sizeof counters[i].key, "%s", key);
        if (!strcmp(counters[i].key, key)) {
            hits = ++counters[i].hits;
            break;
        }
    }
    pthread_mutex_unlock(&lock);
    if (hits <= times) {
        struct MHD_Response *r = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
        if (ra)
            MHD_add_response_header(r, "Retry-After", ra);
        enum MHD_Result ret = MHD_queue_response(c, 503, r);
        MHD_destroy_response(r);
        return ret;
    }
    return then ? serve_file(c, then) : send_text(c, 200, "ok");
}

static enum MHD_Result serve_slow(struct MHD_Connection *c, const char *rel, params *p)
{
    long ms = atol(param_get(p, "ms") ? param_get(p, "ms") : "0");
    pthread_mutex_lock(&lock);
    if (++slow_now > slow_max)
        slow_max = slow_now;
    pthread_mutex_unlock(&lock);
    sleep_ms(ms);
    pthread_mutex_lock(&lock);
    slow_now--;
    pthread_mutex_unlock(&lock);
    return serve_file(c, rel);
}

static enum MHD_Result serve_sitemap(struct MHD_Connection *c, params *p)
{
    long n = atol(param_get(p, "n") ? param_get(p, "n") : "1");
    const char *ms = param_get(p, "ms") ? param_get(p, "ms") : "0";
    const char *then = param_get(p, "then") ? param_get(p, "then") : "";
    const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
    buf b = {0};
    bprintf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for (long i = 0; i < n; i++)
        bprintf(&b, "<url><loc>http://%s/slow/%s?ms=%s&amp;page=%ld</loc></url>\n", host ? host : "127.0.0.1",
                then, ms, i);
    bprintf(&b, "</urlset>\n");
    return send_body(c, 200, "application/xml", b.data, b.len, NULL);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **state)
{
    (void)cls;
    (void)version;
    (void)upload;
    (void)upload_size;
    if (!*state) {
        *state = (void *)1;
        return MHD_YES;
    }
    params p = {0};
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect, &p);
    if (request_log) {
        pthread_mutex_lock(&lock);
        fprintf(request_log, "%s %s", method, url);
        for (size_t i = 0; i < p.n; i++)
            fprintf(request_log, "%c%s=%s", i ? '&' : '?', p.items[i].key, p.items[i].value);
        fputc('\n', request_log);
        fflush(request_log);
        pthread_mutex_unlock(&lock);
    }
    enum MHD_Result ret;
    if (!strncmp(url, "/files/", 7))
        ret = serve_file(c, url + 7);
    else if (!strncmp(url, "/map/", 5))
        ret = serve_mapped(c, url + 5, &p);
    else if (!strncmp(url, "/chain/", 7))
        ret = serve_chain(c, url + 7, &p);
    else if (!strcmp(url, "/oai/admin"))
        ret = serve_admin(c, &p);
    else if (!strcmp(url, "/oai"))
        ret = serve_oai(c, &p);
    else if (!strcmp(url, "/stall")) {
        /* Thread per connection: this one just stays. */
        for (int i = 0; i < 1200 && !stopping; i++)
            sleep_ms(100);
        ret = MHD_NO;
    } else if (!strncmp(url, "/slow/", 6))
        ret = serve_slow(c, url + 6, &p);
    else if (!strcmp(url, "/sitemap"))
        ret = serve_sitemap(c, &p);
    else if (!strcmp(url, "/stats")) {
        char text[64];
        pthread_mutex_lock(&lock);
        snprintf(text, sizeof text, "max_in_flight=%d\n", slow_max);
        if (param_get(&p, "reset"))
            slow_max = 0;
        pthread_mutex_unlock(&lock);
        ret = send_text(c, 200, text);
    } else if (!strncmp(url, "/unavailable/", 13))
        ret = serve_unavailable(c, url + 13, &p);
    else if (!strcmp(url, "/redirect")) {
        long n = atol(param_get(&p, "n") ? param_get(&p, "n") : "0");
        const char *then = param_get(&p, "then") ? param_get(&p, "then") : "";
        const char *to = param_get(&p, "to");
        char loc[2048];
        if (to)
            snprintf(loc, sizeof loc, "%s", to);
        else if (n > 0)
            snprintf(loc, sizeof loc, "/redirect?n=%ld&then=%s", n - 1, then);
        else
            snprintf(loc, sizeof loc, "/files/%s", then);
        struct MHD_Response *r = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
        MHD_add_response_header(r, "Location", loc);
        ret = MHD_queue_response(c, 302, r);
        MHD_destroy_response(r);
    } else
        ret = send_text(c, 404, "no such route");
    params_free(&p);
    return ret;
}

int main(int argc, char **argv)
{
    const char *port_file = NULL, *log_path = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--root") && i + 1 < argc)
            root = argv[++i];
        else if (!strcmp(argv[i], "--port-file") && i + 1 < argc)
            port_file = argv[++i];
        else if (!strcmp(argv[i], "--port") && i + 1 < argc)
            fixed_port = (unsigned short)atoi(argv[++i]);
        else if (!strcmp(argv[i], "--log") && i + 1 < argc)
            log_path = argv[++i];
        else if (!strcmp(argv[i], "--oai-records") && i + 1 < argc)
            n_records = atol(argv[++i]);
        else if (!strcmp(argv[i], "--oai-page") && i + 1 < argc)
            page_size = atol(argv[++i]);
        else if (!strcmp(argv[i], "--delay-ms") && i + 1 < argc)
            delay_ms = atol(argv[++i]);
        else {
            fprintf(stderr, "vp-fixture-server: unknown argument %s\n", argv[i]);
            return 2;
        }
    }
    if (!port_file || n_records < 0 || n_records > MAX_RECORDS || page_size < 1) {
        fprintf(stderr, "usage: vp-fixture-server --root DIR --port-file FILE [--log FILE] "
                        "[--oai-records N] [--oai-page N] [--delay-ms MS]\n");
        return 2;
    }
    if (log_path && !(request_log = fopen(log_path, "a"))) {
        perror(log_path);
        return 1;
    }
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons(fixed_port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG, 0, NULL,
        NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "vp-fixture-server: cannot listen on 127.0.0.1\n");
        return 1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    unsigned port = info ? info->port : 0;
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", port_file);
    FILE *f = fopen(tmp, "w");
    if (!f || fprintf(f, "%u\n", port) < 0 || fclose(f) != 0 || rename(tmp, port_file) != 0) {
        perror(port_file);
        return 1;
    }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    while (!stopping)
        pause();
    MHD_stop_daemon(d);
    free(deleted_today);
    if (request_log)
        fclose(request_log);
    return 0;
}
