/* csv_reader.h - the one CSV reader: rows of fields from bytes in memory,
 * each with the physical line it starts on.
 *
 * RFC 4180 and what spreadsheets write besides: a UTF-8 byte order mark,
 * CRLF, LF or CR line ends, quoted fields with doubled quotes and line
 * breaks inside, blanks before an opening quote and after a closing one, a
 * delimiter chosen by the first row (',' or ';') when none is given. A row
 * that is not well-formed is still returned, with its defect ("the quoted
 * field opened on line 3 is not closed"), so the caller can report it as
 * FILE:LINE and go on. The reader copies nothing of the input but the
 * current row; the input must outlive it. Used by the CSV connector
 * (indexer/csv.c) and by the segments' PC4 table (engine/segments.c). */
#ifndef VINDPLAATS_CSV_READER_H
#define VINDPLAATS_CSV_READER_H

#include <stddef.h>

#include "vindplaats/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vp_csv_dialect {
    char delimiter;    /* the field separator; 0: ',' or ';', whichever the first row uses first */
    char quote;        /* '"' as a rule; 0: no quoting */
    size_t max_field;  /* bytes of one field; a longer one is a defect (0: 1 MiB) */
    size_t max_fields; /* fields of one row; more is a defect (they are still counted) (0: 10000) */
} vp_csv_dialect;

typedef struct vp_csv_reader vp_csv_reader;

/* A reader over data[0..len) (borrowed). *out is NULL on failure.
 * VP_ERR_INVALID (with *err, may be NULL) when the delimiter is a line
 * break or the quote; VP_ERR_NOMEM. */
vp_status vp_csv_reader_create(const char *data, size_t len, const vp_csv_dialect *dialect,
                               vp_csv_reader **out, vp_error *err) VP_NOEXCEPT;
void vp_csv_reader_destroy(vp_csv_reader *r) VP_NOEXCEPT;

/* Reads the next row: VP_OK with *got 1, or *got 0 at the end of the
 * data; VP_ERR_NOMEM. The fields below stay valid until the next call. */
vp_status vp_csv_next(vp_csv_reader *r, int *got) VP_NOEXCEPT;

/* The number of fields of the row (also beyond max_fields). */
size_t vp_csv_count(const vp_csv_reader *r) VP_NOEXCEPT;
/* Field i (NUL-terminated, as written: not trimmed), or "" past the
 * fields kept. Borrowed. A field may hold NUL bytes only with a defect. */
const char *vp_csv_field(const vp_csv_reader *r, size_t i) VP_NOEXCEPT;
/* 1 when field i was quoted. */
int vp_csv_quoted(const vp_csv_reader *r, size_t i) VP_NOEXCEPT;
/* The physical line (from 1) the row starts on. */
size_t vp_csv_line(const vp_csv_reader *r) VP_NOEXCEPT;
/* What is wrong with the row, or NULL (borrowed). */
const char *vp_csv_defect(const vp_csv_reader *r) VP_NOEXCEPT;
/* 1 when the row is well-formed and every field is empty or blanks,
 * unquoted: a blank line, or a spreadsheet's ";;;" below the data. */
int vp_csv_blank(const vp_csv_reader *r) VP_NOEXCEPT;
/* The delimiter in use (the one detected once the first row is read). */
char vp_csv_delimiter(const vp_csv_reader *r) VP_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif
