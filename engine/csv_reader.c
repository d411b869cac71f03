/* csv_reader.c - the one CSV reader (csv_reader.h).
 *
 * A row is read byte by byte into one vp_buf, each field NUL-terminated,
 * with the offset where each field starts. Only the first defect of a row
 * is kept: it is the one a person fixes first. */
#include "vindplaats/csv_reader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vindplaats/buf.h"

#define DEFAULT_MAX_FIELD (1024u * 1024)
#define DEFAULT_MAX_FIELDS 10000

struct vp_csv_reader {
    const char *p, *end;
    char delim;        /* 0 until detected */
    char quote;
    size_t max_field, max_fields;
    size_t line;       /* the line the next byte is on */
    vp_buf text;       /* the row's fields, each NUL-terminated */
    size_t *off;       /* where each kept field starts in text */
    unsigned char *quoted;
    size_t n;          /* fields of the row, counted beyond max_fields */
    size_t kept;       /* fields with an offset */
    size_t cap;        /* room in off and quoted */
    size_t row_line;
    char defect[160];
    int nomem;
};

vp_status vp_csv_reader_create(const char *data, size_t len, const vp_csv_dialect *d,
                               vp_csv_reader **out, vp_error *err)
{
    *out = NULL;
    char delim = d ? d->delimiter : ',', quote = d ? d->quote : '"';
    if (delim == '\n' || delim == '\r' || quote == '\n' || quote == '\r' || (quote && delim == quote))
        return vp_error_set(err, VP_ERR_INVALID, NULL, "delimiter and quote must differ and not be line breaks");
    vp_csv_reader *r = calloc(1, sizeof *r);
    if (!r)
        return vp_error_set(err, VP_ERR_NOMEM, NULL, "out of memory");
    r->p = data;
    r->end = data + len;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        r->p += 3;
    r->delim = delim;
    r->quote = quote;
    r->max_field = d && d->max_field ? d->max_field : DEFAULT_MAX_FIELD;
    r->max_fields = d && d->max_fields ? d->max_fields : DEFAULT_MAX_FIELDS;
    r->line = 1;
    /* fields are capped one by one as they are read */
    vp_buf_init(&r->text, (size_t)-1 / 2);
    *out = r;
    return VP_OK;
}

void vp_csv_reader_destroy(vp_csv_reader *r)
{
    if (!r)
        return;
    vp_buf_free(&r->text);
    free(r->off);
    free(r->quoted);
    free(r);
}

static void defect(vp_csv_reader *r, const char *fmt, size_t a, size_t b)
{
    if (!r->defect[0])
        snprintf(r->defect, sizeof r->defect, fmt, a, b);
}

static void put(vp_csv_reader *r, char c)
{
    if (!r->nomem && vp_buf_append(&r->text, &c, 1) != VP_OK)
        r->nomem = 1;
}

/* Ends the current field (if any) and starts field number r->n. */
static void new_field(vp_csv_reader *r)
{
    if (r->n > 0)
        put(r, '\0');
    r->n++;
    if (r->n > r->max_fields) {
        defect(r, "more than %zu fields", r->max_fields, 0);
        return;
    }
    if (r->nomem)
        return;
    if (r->kept == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 32;
        size_t *o = realloc(r->off, cap * sizeof *o);
        if (o)
            r->off = o;
        unsigned char *q = o ? realloc(r->quoted, cap) : NULL;
        if (q)
            r->quoted = q;
        if (!o || !q) {
            r->nomem = 1;
            return;
        }
        r->cap = cap;
    }
    r->off[r->kept] = r->text.len;
    r->quoted[r->kept] = 0;
    r->kept++;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\v' || c == '\f';
}

static int is_delim(vp_csv_reader *r, char c)
{
    if (r->delim)
        return c == r->delim;
    if (c == ',' || c == ';') {
        r->delim = c;
        return 1;
    }
    return 0;
}

vp_status vp_csv_next(vp_csv_reader *r, int *got)
{
    *got = 0;
    if (r->p >= r->end)
        return VP_OK;
    const char *p = r->p, *end = r->end;
    r->text.len = 0;
    r->n = r->kept = 0;
    r->defect[0] = '\0';
    r->row_line = r->line;
    new_field(r);
    size_t flen = 0;
    while (p < end) {
        /* an opening quote, perhaps after blanks */
        if (r->quote && flen == 0) {
            const char *q = p;
            while (q < end && is_blank(*q))
                q++;
            if (q < end && *q == r->quote) {
                if (r->kept == r->n)
                    r->quoted[r->kept - 1] = 1;
                size_t opened = r->line;
                p = q + 1;
                int closed = 0;
                while (p < end) {
                    if (*p == r->quote) {
                        if (p + 1 < end && p[1] == r->quote) {
                            p++;
                        } else {
                            p++;
                            closed = 1;
                            break;
                        }
                    } else if (*p == '\n') {
                        r->line++;
                    } else if (*p == '\0') {
                        defect(r, "field %zu contains a NUL byte", r->n, 0);
                    }
                    if (++flen <= r->max_field)
                        put(r, *p);
                    else
                        defect(r, "field %zu longer than %zu bytes", r->n, r->max_field);
                    p++;
                }
                if (!closed)
                    defect(r, "the quoted field opened on line %zu is not closed", opened, 0);
                /* anything between the closing quote and the delimiter */
                while (p < end && *p != '\n' && *p != '\r' && !is_delim(r, *p)) {
                    if (!is_blank(*p))
                        defect(r, "text after the closing quote of field %zu", r->n, 0);
                    p++;
                }
                if (p < end && *p != '\n' && *p != '\r') {
                    p++; /* the delimiter */
                    new_field(r);
                    flen = 0;
                    continue;
                }
                if (p >= end)
                    break;
                /* a line end: handled below */
                flen = 1; /* not at a field's start any more */
            }
        }
        char c = *p;
        if (c == '\n' || c == '\r') {
            p += (c == '\r' && p + 1 < end && p[1] == '\n') ? 2 : 1;
            r->line++;
            break;
        }
        p++;
        if (is_delim(r, c)) {
            new_field(r);
            flen = 0;
            continue;
        }
        if (c == '\0')
            defect(r, "field %zu contains a NUL byte", r->n, 0);
        if (++flen <= r->max_field)
            put(r, c);
        else
            defect(r, "field %zu longer than %zu bytes", r->n, r->max_field);
    }
    put(r, '\0');
    r->p = p;
    if (r->nomem)
        return VP_ERR_NOMEM;
    *got = 1;
    return VP_OK;
}

size_t vp_csv_count(const vp_csv_reader *r)
{
    return r->n;
}

const char *vp_csv_field(const vp_csv_reader *r, size_t i)
{
    return i < r->kept ? r->text.data + r->off[i] : "";
}

int vp_csv_quoted(const vp_csv_reader *r, size_t i)
{
    return i < r->kept ? r->quoted[i] : 0;
}

size_t vp_csv_line(const vp_csv_reader *r)
{
    return r->row_line;
}

const char *vp_csv_defect(const vp_csv_reader *r)
{
    return r->defect[0] ? r->defect : NULL;
}

int vp_csv_blank(const vp_csv_reader *r)
{
    if (r->defect[0] || r->n > r->kept)
        return 0;
    for (size_t i = 0; i < r->kept; i++) {
        if (r->quoted[i])
            return 0;
        for (const char *s = vp_csv_field(r, i); *s; s++)
            if (!is_blank(*s))
                return 0;
    }
    return 1;
}

char vp_csv_delimiter(const vp_csv_reader *r)
{
    return r->delim;
}
