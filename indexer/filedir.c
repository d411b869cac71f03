/* filedir.c - a catalogue delivered as a directory of files (filedir.h). */
#define _DEFAULT_SOURCE /* strncasecmp, dirent */
#include "vindplaats/filedir.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void vp_file_dir_free(char **urls, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(urls[i]);
    free(urls);
}

int vp_file_dir_urls(const char *url, int allow_file, char ***urls, size_t *n)
{
    *urls = NULL;
    *n = 0;
    if (!allow_file || strncasecmp(url, "file://", 7) != 0)
        return 0;
    const char *dir = url + 7;
    if (!strncasecmp(dir, "localhost/", 10))
        dir += 9;
    struct stat st;
    /* percent-escapes and queries are left to curl: such a URL is a file */
    if (*dir != '/' || strpbrk(dir, "%?#") || stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return 0;
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    char **list = NULL;
    size_t count = 0, cap = 0;
    int rc = 1;
    const char *slash = dir[strlen(dir) - 1] == '/' ? "" : "/";
    for (struct dirent *e = readdir(d); e; e = readdir(d)) {
        if (e->d_name[0] == '.')
            continue;
        size_t len = strlen(dir) + strlen(e->d_name) + 16;
        char *u = malloc(len);
        if (!u) {
            rc = -1;
            break;
        }
        snprintf(u, len, "file://%s%s%s", dir, slash, e->d_name);
        struct stat fs;
        if (stat(u + 7, &fs) != 0 || !S_ISREG(fs.st_mode)) {
            free(u);
            continue;
        }
        if (count == cap) {
            cap = cap ? cap * 2 : 64;
            char **more = realloc(list, cap * sizeof *list);
            if (!more) {
                free(u);
                rc = -1;
                break;
            }
            list = more;
        }
        list[count++] = u;
    }
    closedir(d);
    if (rc < 0) {
        vp_file_dir_free(list, count);
        return -1;
    }
    if (list)
        qsort(list, count, sizeof *list, by_name);
    *urls = list;
    *n = count;
    return 1;
}
