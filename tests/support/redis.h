/* redis.h - a real redis-server on a free loopback port, for the tests
 * that need one (never a mock): persistence off, dies with the test. */
#ifndef VINDPLAATS_TEST_REDIS_H
#define VINDPLAATS_TEST_REDIS_H

#include <sys/types.h>

typedef struct redis_proc {
    char *bin;      /* redis-server's path (find_redis_server) */
    char dir[64];   /* a directory for its log */
    int port;
    pid_t pid;
} redis_proc;

/* The redis-server binary on PATH or in /usr/bin, /usr/sbin; malloc()ed or NULL. */
char *find_redis_server(void);
/* A TCP port on 127.0.0.1 that was free a moment ago, or -1. */
int free_port(void);
/* Sends one inline command; 1 when the reply starts with `expect`. */
int raw_command(int port, const char *cmd, const char *expect);
/* Starts r->bin on r->port and waits for PONG; the pid, or -1. */
pid_t start_redis(redis_proc *r);
void stop_redis(redis_proc *r);
/* Finds redis-server and starts it on a free port (a few tries), its log in
 * `dir`: 0, or -1 after saying why on stderr, prefixed by `who`. */
int redis_up(redis_proc *r, const char *dir, const char *who);

#endif
