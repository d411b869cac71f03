/* faults.h - out-of-memory at every allocation, the SQLite way, for the
 * fault tests (header-only, like check.h; include it in ONE file).
 *
 * The test binary is linked with
 *   -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup,--wrap=strndup
 * so allocation number N of our own code (the project's static libraries
 * and the test) can be made to fail; the shared libraries (jansson,
 * libxml2, libical, libcurl) allocate as usual. fault_sweep() runs an
 * operation with N = 0, 1, 2, ... until it completes without a failed
 * allocation; with fault_once set only allocation N fails (the code goes
 * on after it, along its recovery paths), else N and all after it do
 * (memory stays short, as when it has really run out). */
#ifndef VINDPLAATS_TEST_FAULTS_H
#define VINDPLAATS_TEST_FAULTS_H

#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "vindplaats/status.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);

static long fault_countdown = -1; /* allocations left before one fails; -1: never */
static int fault_failed;          /* the current run had one fail */
static int fault_once;            /* 1: only that one fails; 0: it and every one after it */

static int fault_now(void)
{
    if (fault_countdown < 0)
        return 0;
    if (fault_countdown == 0) {
        fault_failed = 1;
        if (fault_once)
            fault_countdown = -1;
        return 1;
    }
    fault_countdown--;
    return 0;
}

void *__wrap_malloc(size_t n)
{
    return fault_now() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
    return fault_now() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
    return fault_now() ? NULL : __real_realloc(p, n);
}

char *__wrap_strdup(const char *s)
{
    return fault_now() ? NULL : __real_strdup(s);
}

char *__wrap_strndup(const char *s, size_t n)
{
    return fault_now() ? NULL : __real_strndup(s, n);
}

/* Judges one run of an operation that ended with `st`; `failed` says
 * whether an allocation was made to fail in it. Returns 1 when fine. */
typedef int (*fault_judge)(const char *name, long n, int failed, vp_status st, void *ctx);

/* Runs op(ctx) with allocation N failing, N = 0, 1, ... until a run has no
 * failed allocation; judge(…) decides about every run. Prints the number
 * of runs; at least one allocation must have been made to fail. */
static inline void fault_sweep(const char *name, vp_status (*op)(void *), void *ctx, fault_judge judge)
{
    int runs = 0;
    for (long n = 0; n < 1000000; n++) {
        fault_countdown = n;
        fault_failed = 0;
        vp_status st = op(ctx);
        fault_countdown = -1;
        runs++;
        int fine = judge(name, n, fault_failed, st, ctx);
        CHECK(fine);
        if (!fault_failed || !fine)
            break;
    }
    printf("%s: %d runs\n", name, runs);
    CHECK(runs > 1);
}

#endif
