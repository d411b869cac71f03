/* check.h - the tiny test harness of Vindplaats' C tests.
 *
 * CHECK(cond) records a failure with file and line and goes on, so one run
 * shows every broken expectation; check_done() prints the plain summary line
 * "N passed, N failed" and returns the exit status for main(). */
#ifndef VINDPLAATS_CHECK_H
#define VINDPLAATS_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;

#define CHECK(cond)                                                              \
    do {                                                                         \
        if (cond) {                                                              \
            check_passed++;                                                      \
        } else {                                                                 \
            check_failed++;                                                      \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                        \
    } while (0)

#define CHECK_STR(actual, expected)                                              \
    do {                                                                         \
        const char *check_a_ = (actual), *check_e_ = (expected);                 \
        if (check_a_ && check_e_ && strcmp(check_a_, check_e_) == 0) {           \
            check_passed++;                                                      \
        } else {                                                                 \
            check_failed++;                                                      \
            fprintf(stderr, "%s:%d: expected \"%s\", got \"%s\"\n", __FILE__, __LINE__, \
                    check_e_ ? check_e_ : "(null)", check_a_ ? check_a_ : "(null)"); \
        }                                                                        \
    } while (0)

/* Passes when `haystack` contains `needle`. */
#define CHECK_CONTAINS(haystack, needle)                                         \
    do {                                                                         \
        const char *check_h_ = (haystack), *check_n_ = (needle);                 \
        if (check_h_ && strstr(check_h_, check_n_)) {                            \
            check_passed++;                                                      \
        } else {                                                                 \
            check_failed++;                                                      \
            fprintf(stderr, "%s:%d: expected to find \"%s\" in \"%s\"\n", __FILE__, __LINE__, \
                    check_n_, check_h_ ? check_h_ : "(null)");                   \
        }                                                                        \
    } while (0)

static inline int check_done(void)
{
    printf("%d passed, %d failed\n", check_passed, check_failed);
    return check_failed ? 1 : 0;
}

#endif
