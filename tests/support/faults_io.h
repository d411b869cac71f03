/* faults_io.h - a failure at every I/O call, beside faults.h's
 * out-of-memory at every allocation (header-only; include it, instead of
 * faults.h, in ONE file).
 *
 * The test binary is linked, besides faults.h's flags, with
 *   -Wl,--wrap=write,--wrap=open64,--wrap=fopen64,--wrap=fwrite,--wrap=fsync
 *   -Wl,--wrap=rename,--wrap=ftruncate64
 * (the 64-bit offset forms a build with _FILE_OFFSET_BITS=64 calls), so I/O
 * call number N of our own code can be made to fail: fault_arm(1, N). A
 * failing open or fopen says EIO, fsync, rename and ftruncate EIO, fwrite
 * ENOSPC; a failing write is torn: half of it reaches the file, then the
 * disk is full (the next write fails with ENOSPC too). Other calls a test
 * wraps (a library's reads, say) count with fault_io_now(). */
#ifndef VINDPLAATS_TEST_FAULTS_IO_H
#define VINDPLAATS_TEST_FAULTS_IO_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/types.h>
#include <unistd.h>

#include "faults.h"

ssize_t __real_write(int fd, const void *p, size_t n);
int __real_open64(const char *path, int flags, ...);
FILE *__real_fopen64(const char *path, const char *mode);
size_t __real_fwrite(const void *p, size_t size, size_t n, FILE *f);
int __real_fsync(int fd);
int __real_rename(const char *from, const char *to);
int __real_ftruncate64(int fd, off_t len);
ssize_t __wrap_write(int fd, const void *p, size_t n);
int __wrap_open64(const char *path, int flags, ...);
FILE *__wrap_fopen64(const char *path, const char *mode);
size_t __wrap_fwrite(const void *p, size_t size, size_t n, FILE *f);
int __wrap_fsync(int fd);
int __wrap_rename(const char *from, const char *to);
int __wrap_ftruncate64(int fd, off_t len);

/* 1 when this I/O call must fail. */
static inline int fault_io_now(void)
{
    return fault_tick(&fault_io_countdown);
}

ssize_t __wrap_write(int fd, const void *p, size_t n)
{
    if (fault_io_torn) {
        fault_io_torn = 0;
        errno = ENOSPC;
        return -1;
    }
    if (fault_io_now()) {
        if (n > 1) {
            fault_io_torn = 1;
            return __real_write(fd, p, n / 2);
        }
        errno = ENOSPC;
        return -1;
    }
    return __real_write(fd, p, n);
}

int __wrap_open64(const char *path, int flags, ...)
{
    mode_t mode = 0;
    if (flags & O_CREAT) {
        va_list ap;
        va_start(ap, flags);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
    }
    if (fault_io_now()) {
        errno = EIO;
        return -1;
    }
    return __real_open64(path, flags, mode);
}

FILE *__wrap_fopen64(const char *path, const char *mode)
{
    if (fault_io_now()) {
        errno = EIO;
        return NULL;
    }
    return __real_fopen64(path, mode);
}

size_t __wrap_fwrite(const void *p, size_t size, size_t n, FILE *f)
{
    if (fault_io_now()) {
        errno = ENOSPC;
        return 0;
    }
    return __real_fwrite(p, size, n, f);
}

/* 0: an fsync that does not fail returns at once (a sweep that judges what
 * failures leave, not durability, runs many times faster). */
static int fault_io_real_sync = 1;

int __wrap_fsync(int fd)
{
    if (fault_io_now()) {
        errno = EIO;
        return -1;
    }
    return fault_io_real_sync ? __real_fsync(fd) : 0;
}

int __wrap_rename(const char *from, const char *to)
{
    if (fault_io_now()) {
        errno = EIO;
        return -1;
    }
    return __real_rename(from, to);
}

int __wrap_ftruncate64(int fd, off_t len)
{
    if (fault_io_now()) {
        errno = EIO;
        return -1;
    }
    return __real_ftruncate64(fd, len);
}

#endif
