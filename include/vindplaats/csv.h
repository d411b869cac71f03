/* csv.h - the CSV connector: a library's spreadsheet export of courses,
 * events or titles, one row per offering, mapped column by column.
 *
 * Part of the indexer library (vindplaats_indexer). */
#ifndef VINDPLAATS_INDEXER_CSV_H
#define VINDPLAATS_INDEXER_CSV_H

#include <stddef.h>

#include "vindplaats/connector.h"
#include "vindplaats/status.h"

/* Most bytes of one CSV file accepted, and of one field. */
#define VP_CSV_MAX_BYTES (64u * 1024 * 1024)
#define VP_CSV_MAX_FIELD (1024u * 1024)

typedef struct vp_csv_options {
    char delimiter;          /* ',' default; ';' and '\t' common */
    char quote;              /* '"' default; '\0': no quoting */
    const char *encoding;    /* "utf-8" (default; a BOM is skipped) or "windows-1252" (converted to UTF-8) */
    const char *id_column;   /* header name of the column with the row's own id; NULL: a hash of the mapped title+start(+_location) */
    const char *const *map_fields;  /* offering field names ("title","description","start","end","url","_location","_age","creators","subjects","isbn","price","_categories","local_name","type","date","time","end_time") ... */
    const char *const *map_columns; /* ... and the header of the column each comes from */
    size_t n_map;
    const char *date_format; /* "dd-mm-yyyy", "dd/mm/yyyy", "yyyy-mm-dd", "mm/dd/yyyy" or NULL/"auto": ISO, dd-mm-yyyy, dd/mm/yyyy, d-m-yyyy, dd.mm.yyyy */
    const char *list_separator; /* for creators/subjects/isbn/_categories cells: each of its characters splits; default "|" */
} vp_csv_options;

/* Parses a CSV export with a header row (RFC 4180: quoted fields with
 * doubled quotes and line breaks inside, CRLF/LF, trailing empty lines, a
 * UTF-8 BOM). A row whose column count differs, or whose mapped date,
 * time or price does not parse, is rejected as "line N: ..." (the physical
 * line where the row starts) and the rest continues. A mapped column
 * missing from the header -> VP_ERR_INVALID "column 'Titel' (for title)
 * not in the header". Dates: "date" + "time" (+ "end_time") columns
 * combine into start/end in Europe/Amsterdam with the right offset
 * (+01:00/+02:00). price: "gratis"/"0"/"€ 5,00"/"5.50" ->
 * {"amount":..,"currency":"EUR"}. `opt` NULL means the defaults (and no
 * mapping). Also VP_ERR_INVALID for bad options, VP_ERR_TOO_BIG over
 * VP_CSV_MAX_BYTES, VP_ERR_NOMEM; *err (may be NULL) says which, a
 * defective header with its path "line L". */
vp_status vp_csv_parse(const char *data, size_t len, const vp_csv_options *opt,
                       const vp_emit *emit, vp_error *err);

/* Fills opt from "key=value" connector options: delimiter (also "tab",
 * "semicolon", "comma", "pipe"), quote ("none" for no quoting), encoding,
 * id, date_format, list_separator, and column.<field>=<Header>; returns
 * VP_ERR_INVALID with *err (may be NULL) naming the bad option. `opt` is reset to the defaults
 * first. The strings stay owned by the caller's arrays; the map arrays are
 * malloc()ed: free with vp_csv_options_clear. */
vp_status vp_csv_options_from(vp_csv_options *opt, const char *const *keys,
                              const char *const *values, size_t n, vp_error *err);
/* Frees the map arrays and resets `opt` to the defaults. */
void vp_csv_options_clear(vp_csv_options *opt);

#endif
