/* csv.c - CSV exports with a header row, mapped onto offering fields
 * (csv.h).
 *
 * The reader follows RFC 4180 (quoted fields, doubled quotes, line breaks
 * inside quotes, CRLF or LF) and is lenient where exports are sloppy: a
 * quote inside an unquoted field is kept as text, blank lines are skipped
 * anywhere. A row that cannot be trusted (wrong number of fields, a date,
 * time or price that does not read, an unterminated quote) is rejected
 * with the physical line it starts on, and reading goes on. Windows-1252
 * files are converted to UTF-8 first, so the rest sees UTF-8 only. */
#include "vindplaats/csv.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vindplaats/analysis.h"
#include "vindplaats/buf.h"
#include "vindplaats/connector.h"
#include "vindplaats/csv_reader.h"
#include "vindplaats/offering.h"

#define MAX_COLUMNS 10000

static const char *const known_fields[] = {
    "title", "description", "start", "end", "url", "_location", "_age", "creators",
    "subjects", "isbn", "price", "_categories", "local_name", "type", "date", "time",
    "end_time", "language", NULL};

static void defaults(vp_csv_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->delimiter = ',';
    opt->quote = '"';
    opt->encoding = "utf-8";
    opt->date_format = "auto";
    opt->list_separator = "|";
}

static int ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return 0;
    return *a == *b;
}

static int in_list(const char *s, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (strcmp(s, list[i]) == 0)
            return 1;
    return 0;
}

/* 0: UTF-8, 1: Windows-1252, -1: not supported. */
static int encoding_kind(const char *enc)
{
    if (!enc || !*enc || ieq(enc, "utf-8") || ieq(enc, "utf8"))
        return 0;
    if (ieq(enc, "windows-1252") || ieq(enc, "cp1252") || ieq(enc, "iso-8859-1") ||
        ieq(enc, "latin1") || ieq(enc, "latin-1"))
        return 1;
    return -1;
}

static int known_date_format(const char *f)
{
    static const char *const formats[] = {"auto", "yyyy-mm-dd", "dd-mm-yyyy", "dd/mm/yyyy",
                                          "d-m-yyyy", "dd.mm.yyyy", "mm/dd/yyyy", NULL};
    if (!f)
        return 1;
    for (size_t i = 0; formats[i]; i++)
        if (ieq(f, formats[i]))
            return 1;
    return 0;
}

void vp_csv_options_clear(vp_csv_options *opt)
{
    if (!opt)
        return;
    free((void *)opt->map_fields);
    free((void *)opt->map_columns);
    defaults(opt);
}

static int one_char(const char *v, char *out)
{
    if (ieq(v, "tab") || strcmp(v, "\\t") == 0 || strcmp(v, "\t") == 0)
        *out = '\t';
    else if (ieq(v, "semicolon"))
        *out = ';';
    else if (ieq(v, "comma"))
        *out = ',';
    else if (ieq(v, "pipe"))
        *out = '|';
    else if (strlen(v) == 1 && v[0] != '\n' && v[0] != '\r')
        *out = v[0];
    else
        return -1;
    return 0;
}

vp_status vp_csv_options_from(vp_csv_options *opt, const char *const *keys,
                              const char *const *values, size_t n, vp_error *err)
{
    defaults(opt);
    size_t columns = 0;
    for (size_t i = 0; i < n; i++)
        if (keys[i] && strncmp(keys[i], "column.", 7) == 0)
            columns++;
    const char **fields = calloc(columns ? columns : 1, sizeof *fields);
    const char **cols = calloc(columns ? columns : 1, sizeof *cols);
    if (!fields || !cols) {
        free(fields);
        free(cols);
        return vp_error_set(err, VP_ERR_NOMEM, NULL, "out of memory");
    }
    opt->map_fields = fields;
    opt->map_columns = cols;
    vp_status st = VP_OK;
    for (size_t i = 0; i < n && st == VP_OK; i++) {
        const char *k = keys[i] ? keys[i] : "", *v = values[i] ? values[i] : "";
        if (strcmp(k, "delimiter") == 0) {
            if (one_char(v, &opt->delimiter) != 0)
                st = vp_error_set(err, VP_ERR_INVALID, NULL,
                          "option delimiter: '%s' is not one character (or tab, semicolon, comma, pipe)", v);
        } else if (strcmp(k, "quote") == 0) {
            if (ieq(v, "none"))
                opt->quote = '\0';
            else if (one_char(v, &opt->quote) != 0)
                st = vp_error_set(err, VP_ERR_INVALID, NULL, "option quote: '%s' is not one character (or none)", v);
        } else if (strcmp(k, "encoding") == 0) {
            if (encoding_kind(v) < 0)
                st = vp_error_set(err, VP_ERR_INVALID, NULL, "option encoding: '%s' not supported (utf-8, windows-1252)", v);
            opt->encoding = v;
        } else if (strcmp(k, "id") == 0) {
            opt->id_column = *v ? v : NULL;
        } else if (strcmp(k, "date_format") == 0) {
            if (!known_date_format(v))
                st = vp_error_set(err, VP_ERR_INVALID, NULL,
                          "option date_format: '%s' not supported (auto, yyyy-mm-dd, dd-mm-yyyy, "
                          "dd/mm/yyyy, d-m-yyyy, dd.mm.yyyy, mm/dd/yyyy)", v);
            opt->date_format = v;
        } else if (strcmp(k, "list_separator") == 0) {
            if (!*v)
                st = vp_error_set(err, VP_ERR_INVALID, NULL, "option list_separator: empty");
            opt->list_separator = v;
        } else if (strncmp(k, "column.", 7) == 0) {
            if (!in_list(k + 7, known_fields))
                st = vp_error_set(err, VP_ERR_INVALID, NULL,
                          "option %s: unknown field (allowed: title, description, start, end, url, "
                          "_location, _age, creators, subjects, isbn, price, _categories, local_name, "
                          "type, date, time, end_time, language)", k);
            else if (!*v)
                st = vp_error_set(err, VP_ERR_INVALID, NULL, "option %s: empty column name", k);
            fields[opt->n_map] = k + 7;
            cols[opt->n_map] = v;
            opt->n_map++;
        } else {
            st = vp_error_set(err, VP_ERR_INVALID, NULL, "unknown option '%s'", k);
        }
    }
    if (st == VP_OK && opt->delimiter == opt->quote)
        st = vp_error_set(err, VP_ERR_INVALID, NULL, "option quote: the same character as the delimiter");
    if (st != VP_OK)
        vp_csv_options_clear(opt);
    return st;
}

/* ---- reading rows: vindplaats/csv_reader.h ---------------------------- */

/* Field i of the row, trimmed in place (the reader's copy of the row). */
static char *cell_at(vp_csv_reader *r, size_t i)
{
    return vp_str_trim((char *)vp_csv_field(r, i));
}

/* A blank line: one unquoted field of blanks. */
static int blank_line(const vp_csv_reader *r)
{
    return vp_csv_count(r) == 1 && !vp_csv_quoted(r, 0) && !*vp_str_trim((char *)vp_csv_field(r, 0));
}

/* ---- values ----------------------------------------------------------- */


static int num(const char **p, int min_digits, int max_digits, int *out)
{
    int v = 0, n = 0;
    while (n < max_digits && isdigit((unsigned char)**p)) {
        v = v * 10 + (**p - '0');
        (*p)++;
        n++;
    }
    if (n < min_digits)
        return -1;
    *out = v;
    return 0;
}

/* The date at the start of `s` by `fmt`; *rest is what follows it. */
static int read_date(const char *s, const char *fmt, int *y, int *m, int *d, const char **rest)
{
    const char *p = s;
    int a, b, c;
    int auto_ = !fmt || ieq(fmt, "auto");
    if (auto_ || ieq(fmt, "yyyy-mm-dd")) {
        const char *q = p;
        if (num(&q, 4, 4, &a) == 0 && *q == '-' && (q++, num(&q, 1, 2, &b) == 0) && *q == '-' &&
            (q++, num(&q, 1, 2, &c) == 0)) {
            *y = a, *m = b, *d = c, *rest = q;
            return 0;
        }
        if (!auto_)
            return -1;
    }
    int us = fmt && ieq(fmt, "mm/dd/yyyy");
    if (!auto_ && !us && !ieq(fmt, "dd-mm-yyyy") && !ieq(fmt, "dd/mm/yyyy") &&
        !ieq(fmt, "d-m-yyyy") && !ieq(fmt, "dd.mm.yyyy"))
        return -1;
    if (num(&p, 1, 2, &a) != 0 || (*p != '-' && *p != '/' && *p != '.'))
        return -1;
    char sep = *p++;
    if (num(&p, 1, 2, &b) != 0 || *p != sep)
        return -1;
    p++;
    if (num(&p, 4, 4, &c) != 0)
        return -1;
    *y = c;
    *m = us ? a : b;
    *d = us ? b : a;
    *rest = p;
    return 0;
}

/* "19:30", "19.30", "19u30", "19:30:00", "19 uur" -> minutes since 0:00. */
static int read_time(const char *s, const char **rest)
{
    const char *p = s;
    int h, mi = 0, sec;
    while (isspace((unsigned char)*p))
        p++;
    if (num(&p, 1, 2, &h) != 0)
        return -1;
    if (*p == ':' || *p == '.' || *p == 'u' || *p == 'h') {
        const char *q = p + 1;
        if (num(&q, 2, 2, &mi) == 0) {
            p = q;
            if (*p == ':') {
                q = p + 1;
                if (num(&q, 2, 2, &sec) == 0)
                    p = q;
            }
        } else if (*p == 'u' || *p == 'h') {
            p++;
        } else {
            return -1;
        }
    }
    while (isspace((unsigned char)*p))
        p++;
    if (strncasecmp(p, "uur", 3) == 0)
        p += 3;
    if (h > 24 || mi > 59 || (h == 24 && mi > 0))
        return -1;
    *rest = p;
    return h * 60 + mi;
}

/* A start/end cell: a date, or a date and time, in any of the forms;
 * *has_time as vp_local_datetime. */
static vp_status cell_datetime(const char *s, const char *fmt, char out[32], int *has_time)
{
    int y, m, d;
    const char *rest;
    if (read_date(s, fmt, &y, &m, &d, &rest) != 0)
        return VP_ERR_INVALID;
    char buf[64];
    while (*rest == ' ' && rest[1] == ' ')
        rest++;
    if (*rest == '\0' || ((*rest == 'T' || *rest == ' ') && rest[1] && isdigit((unsigned char)rest[1]) &&
                          rest[2] && rest[3] == ':')) {
        snprintf(buf, sizeof buf, "%04d-%02d-%02d%.30s", y, m, d, rest);
        return vp_local_datetime(buf, out, has_time);
    }
    const char *after;
    int t = *rest == ' ' || *rest == 'T' ? read_time(rest + 1, &after) : -1;
    if (t < 0 || *after)
        return VP_ERR_INVALID;
    snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d", y, m, d, t / 60, t % 60);
    return vp_local_datetime(buf, out, has_time);
}

/* "YYYY-MM-DD" + minutes -> date-time in Amsterdam (24:00 is next day's 0:00). */
static vp_status local_at(int y, int m, int d, int minutes, char out[32])
{
    char date[16], buf[40];
    if (minutes >= 24 * 60) {
        snprintf(date, sizeof date, "%04d-%02d-%02d", y, m, d);
        /* the next day: let vp_local_datetime validate the day first */
        char tmp[32];
        if (vp_local_datetime(date, tmp, NULL) != VP_OK)
            return VP_ERR_INVALID;
        int next = vp_day_from_epoch(vp_day_to_epoch(y * 10000 + m * 100 + d) + 1);
        y = next / 10000;
        m = next / 100 % 100;
        d = next % 100;
        minutes -= 24 * 60;
    }
    snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d", y, m, d, minutes / 60, minutes % 60);
    return vp_local_datetime(buf, out, NULL);
}

/* ---- the parse -------------------------------------------------------- */

enum { F_TITLE, F_DESCRIPTION, F_START, F_END, F_URL, F_LOCATION, F_AGE, F_CREATORS, F_SUBJECTS,
       F_ISBN, F_PRICE, F_CATEGORIES, F_LOCAL_NAME, F_TYPE, F_DATE, F_TIME, F_END_TIME,
       F_LANGUAGE, F_COUNT };

typedef struct pctx {
    const vp_csv_options *opt;
    const vp_emit *emit;
    long col[F_COUNT];   /* column of each field, -1 when not mapped */
    long id_col;
    size_t ncols;
} pctx;

static int add_list(json_t *fields, const char *key, const char *cell, const char *seps)
{
    char *copy = strdup(cell);
    if (!copy)
        return -1;
    int rc = 0;
    char *save = NULL;
    /* past the offering's limit the record is rejected anyway; stopping
     * keeps vp_fields_add's duplicate check from going quadratic */
    for (char *w = strtok_r(copy, seps, &save);
         w && rc == 0 && json_array_size(json_object_get(fields, key)) <= VP_OFFERING_MAX_LIST;
         w = strtok_r(NULL, seps, &save))
        rc = vp_fields_add(fields, key, w);
    free(copy);
    return rc;
}

/* Builds the record of one row; returns 0, 1 when the row is rejected
 * (`msg` says why), -1 when out of memory. */
static int row_fields(pctx *c, vp_csv_reader *r, json_t *fields, char *msg, size_t msize)
{
    const vp_csv_options *o = c->opt;
    const char *seps = o->list_separator && *o->list_separator ? o->list_separator : "|";
    int rc = 0;
    char *cell[F_COUNT] = {0};
    for (int f = 0; f < F_COUNT; f++)
        if (c->col[f] >= 0)
            cell[f] = cell_at(r, (size_t)c->col[f]);
#define HAS(f) (cell[f] && *cell[f])
    if (HAS(F_TYPE))
        for (char *p = cell[F_TYPE]; *p; p++)
            *p = (char)tolower((unsigned char)*p);
    /* The columns taken as they are: a value, text with its line breaks,
     * or a list split on the separators. */
    enum { VALUE, TEXT, LIST };
    static const struct {
        int col, how;
        const char *key;
    } plain[] = {
        {F_TITLE, VALUE, "title"},       {F_DESCRIPTION, TEXT, "description"},
        {F_URL, VALUE, "url"},           {F_LOCATION, VALUE, "_location"},
        {F_AGE, VALUE, "_age"},          {F_LOCAL_NAME, VALUE, "local_name"},
        {F_TYPE, VALUE, "type"},         {F_LANGUAGE, VALUE, "language"},
        {F_CREATORS, LIST, "creators"},  {F_SUBJECTS, LIST, "subjects"},
        {F_ISBN, LIST, "isbn"},          {F_CATEGORIES, LIST, "_categories"},
    };
    for (size_t k = 0; k < sizeof plain / sizeof plain[0]; k++) {
        const char *v = cell[plain[k].col];
        if (!v || !*v)
            continue;
        rc |= plain[k].how == LIST   ? add_list(fields, plain[k].key, v, seps)
              : plain[k].how == TEXT ? vp_fields_set_text(fields, plain[k].key, v)
                                     : vp_fields_set(fields, plain[k].key, v);
    }
    if (HAS(F_PRICE) && strcmp(cell[F_PRICE], "-") != 0) {
        double amount;
        if (vp_price_parse(cell[F_PRICE], &amount) != 0) {
            snprintf(msg, msize, "price: not an amount ('%.60s')", cell[F_PRICE]);
            return 1;
        }
        json_t *a = amount == (double)(long long)amount ? json_integer((json_int_t)amount)
                                                        : json_real(amount);
        json_t *p = json_pack("{soss}", "amount", a, "currency", "EUR");
        if (!p || json_object_set_new(fields, "price", p) != 0)
            return -1;
    }
    if (rc)
        return -1;

    char start[32] = "", end[32] = "";
    int timed = 0;
    if (HAS(F_START) && cell_datetime(cell[F_START], o->date_format, start, NULL) != VP_OK) {
        snprintf(msg, msize, "start: not a date ('%.60s')", cell[F_START]);
        return 1;
    }
    if (HAS(F_END) && cell_datetime(cell[F_END], o->date_format, end, NULL) != VP_OK) {
        snprintf(msg, msize, "end: not a date ('%.60s')", cell[F_END]);
        return 1;
    }
    if (HAS(F_DATE)) {
        int y, m, d;
        const char *rest;
        if (read_date(cell[F_DATE], o->date_format, &y, &m, &d, &rest) != 0 || *vp_str_trim((char *)rest) ||
            cell_datetime(cell[F_DATE], o->date_format, start, &timed) != VP_OK || timed) {
            snprintf(msg, msize, "date: not a date ('%.60s')", cell[F_DATE]);
            return 1;
        }
        if (HAS(F_TIME)) {
            /* "19:30" or a range "19:30-21:00" / "19.30 - 21.00 uur" */
            const char *after = "";
            int t = read_time(cell[F_TIME], &after);
            int t2 = -1;
            int dash = t >= 0 && (unsigned char)after[0] == 0xE2 && (unsigned char)after[1] == 0x80 &&
                       (unsigned char)after[2] == 0x93; /* en dash */
            if (t >= 0 && (*after == '-' || dash)) {
                after += dash ? 3 : 1;
                const char *after2;
                t2 = read_time(after, &after2);
                after = t2 >= 0 ? after2 : after;
            }
            if (t < 0 || *after || local_at(y, m, d, t, start) != VP_OK) {
                snprintf(msg, msize, "time: not a time ('%.60s')", cell[F_TIME]);
                return 1;
            }
            if (HAS(F_END_TIME)) {
                after = "";
                t2 = read_time(cell[F_END_TIME], &after);
                if (t2 < 0 || *after) {
                    snprintf(msg, msize, "end_time: not a time ('%.60s')", cell[F_END_TIME]);
                    return 1;
                }
            }
            /* an end before the start runs past midnight */
            if (t2 >= 0 && local_at(y, m, d, t2 < t ? t2 + 24 * 60 : t2, end) != VP_OK)
                end[0] = '\0';
        }
    }
    if (*start) {
        rc |= vp_fields_set(fields, "start", start);
        if (*end)
            rc |= vp_fields_set(fields, "end", end);
        json_t *occ = *end ? json_pack("[{ssss}]", "start", start, "end", end)
                           : json_pack("[{ss}]", "start", start);
        if (!occ || json_object_set_new(fields, "occurrences", occ) != 0)
            return -1;
    } else if (*end) {
        snprintf(msg, msize, "end: given without a start");
        return 1;
    }
#undef HAS
    return rc ? -1 : 0;
}

static const char *field_name(int f)
{
    return known_fields[f];
}

/* Windows-1252 bytes as UTF-8; *out is malloc()ed. */
static int from_cp1252(const char *data, size_t len, char **out, size_t *out_len)
{
    char *u = malloc(len * 3 + 1);
    if (!u)
        return -1;
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += vp_utf8_put(u + n, vp_cp1252_char((unsigned char)data[i]));
    u[n] = '\0';
    *out = u;
    *out_len = n;
    return 0;
}

vp_status vp_csv_parse(const char *data, size_t len, const vp_csv_options *opt,
                       const vp_emit *emit, vp_error *err)
{
    vp_csv_options def;
    if (!opt) {
        defaults(&def);
        opt = &def;
    }
    if (len > VP_CSV_MAX_BYTES) {
        return vp_error_set(err, VP_ERR_TOO_BIG, NULL, "file of %zu bytes is over the limit of %u bytes", len,
                    (unsigned)VP_CSV_MAX_BYTES);
    }
    const char *enc = opt->encoding && *opt->encoding ? opt->encoding : "utf-8";
    int cp1252 = encoding_kind(enc);
    if (cp1252 < 0)
        return vp_error_set(err, VP_ERR_INVALID, NULL, "encoding '%s' not supported (utf-8, windows-1252)", enc);
    if (!known_date_format(opt->date_format))
        return vp_error_set(err, VP_ERR_INVALID, NULL,
                    "date_format '%s' not supported (auto, yyyy-mm-dd, dd-mm-yyyy, dd/mm/yyyy, "
                    "d-m-yyyy, dd.mm.yyyy, mm/dd/yyyy)", opt->date_format);
    pctx c = {.opt = opt, .emit = emit, .id_col = -1};
    for (int f = 0; f < F_COUNT; f++)
        c.col[f] = -1;
    for (size_t i = 0; i < opt->n_map; i++) {
        const char *f = opt->map_fields[i];
        int k = -1;
        for (int j = 0; j < F_COUNT; j++)
            if (f && strcmp(f, field_name(j)) == 0)
                k = j;
        if (k < 0)
            return vp_error_set(err, VP_ERR_INVALID, NULL, "unknown field '%s' in the column mapping", f);
    }

    char *conv = NULL;
    const char *p = data, *end = data + len;
    if (cp1252) {
        size_t n;
        if (from_cp1252(data, len, &conv, &n) != 0)
            return vp_error_set(err, VP_ERR_NOMEM, NULL, "out of memory");
        p = conv;
        end = conv + n;
    }
    vp_status st = VP_OK;
    vp_csv_reader *r = NULL;
    vp_csv_dialect dialect = {opt->delimiter ? opt->delimiter : ',', opt->quote, VP_CSV_MAX_FIELD,
                              MAX_COLUMNS};
    st = vp_csv_reader_create(p, (size_t)(end - p), &dialect, &r, err);
    if (st != VP_OK)
        goto done;
    /* the header: the first row that is not blank */
    int got;
    while ((st = vp_csv_next(r, &got)) == VP_OK && got && blank_line(r))
        ;
    if (st != VP_OK)
        goto done;
    if (!got) {
        st = vp_error_set(err, VP_ERR_INVALID, NULL, "no header row");
        goto done;
    }
    if (vp_csv_defect(r)) {
        char line[32];
        snprintf(line, sizeof line, "line %zu", vp_csv_line(r));
        vp_where at = {NULL, 0, line, NULL};
        st = vp_error_set(err, VP_ERR_INVALID, &at, "header: %s", vp_csv_defect(r));
        goto done;
    }
    size_t ncols = vp_csv_count(r);
    c.ncols = ncols;
    for (size_t i = 0; i < opt->n_map; i++) {
        int k = 0;
        for (int j = 0; j < F_COUNT; j++)
            if (strcmp(opt->map_fields[i], field_name(j)) == 0)
                k = j;
        const char *want = opt->map_columns[i] ? opt->map_columns[i] : "";
        long found = -1;
        for (size_t j = 0; j < ncols && found < 0; j++)
            if (strcmp(cell_at(r, j), want) == 0)
                found = (long)j;
        for (size_t j = 0; j < ncols && found < 0; j++)
            if (ieq(vp_csv_field(r, j), want))
                found = (long)j;
        if (found < 0) {
            st = vp_error_set(err, VP_ERR_INVALID, NULL, "column '%.200s' (for %s) not in the header",
                              want, field_name(k));
            goto done;
        }
        c.col[k] = found;
    }
    if (opt->id_column) {
        for (size_t j = 0; j < ncols && c.id_col < 0; j++)
            if (strcmp(cell_at(r, j), opt->id_column) == 0 || ieq(vp_csv_field(r, j), opt->id_column))
                c.id_col = (long)j;
        if (c.id_col < 0) {
            st = vp_error_set(err, VP_ERR_INVALID, NULL, "column '%s' (for the id) not in the header",
                              opt->id_column);
            goto done;
        }
    }

    while ((st = vp_csv_next(r, &got)) == VP_OK && got) {
        if (blank_line(r))
            continue;
        char where[32], why[300];
        snprintf(where, sizeof where, "line %zu", vp_csv_line(r));
        if (vp_csv_defect(r)) {
            snprintf(why, sizeof why, "%s", vp_csv_defect(r));
            emit->reject(emit->ctx, where, why);
            continue;
        }
        if (vp_csv_count(r) != c.ncols) {
            snprintf(why, sizeof why, "%zu fields where the header has %zu", vp_csv_count(r), c.ncols);
            emit->reject(emit->ctx, where, why);
            continue;
        }
        json_t *fields = json_object();
        if (!fields) {
            st = VP_ERR_NOMEM;
            goto done;
        }
        char m[240] = "";
        int res = row_fields(&c, r, fields, m, sizeof m);
        if (res < 0) {
            json_decref(fields);
            st = VP_ERR_NOMEM;
            goto done;
        }
        if (res > 0) {
            json_decref(fields);
            snprintf(why, sizeof why, "%s", m);
            emit->reject(emit->ctx, where, why);
            continue;
        }
        char hash[19];
        const char *id;
        if (c.id_col >= 0) {
            id = cell_at(r, (size_t)c.id_col);
            if (!*id) {
                json_decref(fields);
                snprintf(why, sizeof why, "no id in column '%.100s'", opt->id_column);
                emit->reject(emit->ctx, where, why);
                continue;
            }
        } else {
            const char *parts[3] = {json_string_value(json_object_get(fields, "title")),
                                    json_string_value(json_object_get(fields, "start")),
                                    json_string_value(json_object_get(fields, "_location"))};
            vp_hash_id(hash, parts, 3);
            id = hash;
        }
        if (emit->record(emit->ctx, id, fields, where) != 0)
            break;
    }
done:
    if (st == VP_ERR_NOMEM && (!err || !err->message))
        vp_error_set(err, VP_ERR_NOMEM, NULL, "out of memory");
    vp_csv_reader_destroy(r);
    free(conv);
    return st;
}
