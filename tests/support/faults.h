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
 * (memory stays short, as when it has really run out).
 *
 * faults_io.h adds the same for the I/O calls (a countdown of its own);
 * fault_arm()/fault_disarm() and fault_loop() serve sweeps that need more
 * than fault_sweep() (a fresh state before each run, checks after it). */
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

static long fault_countdown = -1;    /* allocations left before one fails; -1: never */
static long fault_io_countdown = -1; /* I/O calls left before one fails (faults_io.h) */
static int fault_io_torn;            /* the failed write was torn: the next one fails too */
static int fault_failed;             /* the current run had one fail */
static int fault_once;               /* 1: only that one fails; 0: it and every one after it */

/* Counts one call against *countdown: 1 when this call must fail. */
static inline int fault_tick(long *countdown)
{
    if (*countdown < 0)
        return 0;
    if (*countdown == 0) {
        fault_failed = 1;
        if (fault_once)
            *countdown = -1;
        return 1;
    }
    (*countdown)--;
    return 0;
}

static int fault_now(void)
{
    return fault_tick(&fault_countdown);
}

/* Makes allocation (io 0) or I/O call (io 1) number n from now fail. */
static inline void fault_arm(int io, long n)
{
    fault_failed = 0;
    fault_io_torn = 0;
    if (io)
        fault_io_countdown = n;
    else
        fault_countdown = n;
}

/* Stops failing anything; returns what was left of the countdown of the
 * kind (io) that was armed, to arm it again with (-1: it ran out). */
static inline long fault_disarm(int io)
{
    long left = io ? fault_io_countdown : fault_countdown;
    fault_countdown = fault_io_countdown = -1;
    return left;
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

/* The loop of every sweep: step(ctx, n) arms failure number n itself,
 * runs, checks and returns whether anything failed in the run; n = 0, 1,
 * ... until a run has no failure. Returns the number of runs. */
static inline int fault_loop(int (*step)(void *ctx, long n), void *ctx)
{
    int runs = 0;
    for (long n = 0; n < 1000000; n++) {
        runs++;
        if (!step(ctx, n))
            return runs;
    }
    CHECK(!"a failure in every run");
    return runs;
}

struct fault_sweep_run {
    const char *name;
    vp_status (*op)(void *);
    void *ctx;
    fault_judge judge;
};

/* One run of fault_sweep(); a run the judge finds wrong ends the sweep. */
static inline int fault_sweep_step(void *ctx, long n)
{
    struct fault_sweep_run *r = ctx;
    fault_arm(0, n);
    vp_status st = r->op(r->ctx);
    fault_disarm(0);
    int fine = r->judge(r->name, n, fault_failed, st, r->ctx);
    CHECK(fine);
    return fault_failed && fine;
}

/* Runs op(ctx) with allocation N failing, N = 0, 1, ... until a run has no
 * failed allocation; judge(…) decides about every run. Prints the number
 * of runs; at least one allocation must have been made to fail. */
static inline void fault_sweep(const char *name, vp_status (*op)(void *), void *ctx, fault_judge judge)
{
    struct fault_sweep_run r = {name, op, ctx, judge};
    int runs = fault_loop(fault_sweep_step, &r);
    printf("%s: %d runs\n", name, runs);
    CHECK(runs > 1);
}

#endif
