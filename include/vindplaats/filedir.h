/* filedir.h - a catalogue delivered as a directory of files.
 *
 * Part of the indexer library (vindplaats_indexer).
 * Publishers and distributors often deliver ONIX or
 * MARC as a directory of files; a source whose file:// URL names a
 * directory reads each file as one page. Only file:// (and only where the
 * source allows it): over HTTP a directory listing is a web page. */
#ifndef VINDPLAATS_INDEXER_FILEDIR_H
#define VINDPLAATS_INDEXER_FILEDIR_H

#include <stddef.h>

/* When `url` is a file:// URL naming a local directory (and `allow_file`
 * is set): the file:// URLs of its regular files but hidden ones, in name
 * order, in *urls (free with vp_file_dir_free), their number in *n, and
 * 1. 0 when the URL names no directory (a file, http, not allowed); -1
 * when the directory cannot be read or memory ran out. */
int vp_file_dir_urls(const char *url, int allow_file, char ***urls, size_t *n);
void vp_file_dir_free(char **urls, size_t n);

#endif
