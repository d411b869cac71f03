/* redis.c - see redis.h. */
#include "redis.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}


char *find_redis_server(void)
{
    const char *path = getenv("PATH");
    char *copy = strdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
    char *result = NULL, *save = NULL;
    for (char *dir = strtok_r(copy, ":", &save); dir && !result; dir = strtok_r(NULL, ":", &save)) {
        char p[4096];
        snprintf(p, sizeof p, "%s/redis-server", dir);
        if (access(p, X_OK) == 0)
            result = strdup(p);
    }
    free(copy);
    if (!result && access("/usr/bin/redis-server", X_OK) == 0)
        result = strdup("/usr/bin/redis-server");
    if (!result && access("/usr/sbin/redis-server", X_OK) == 0)
        result = strdup("/usr/sbin/redis-server");
    return result;
}

int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    socklen_t len = sizeof a;
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    close(fd);
    return ntohs(a.sin_port);
}

/* Sends one inline command to 127.0.0.1:port; 1 when the reply starts with `expect`. */
int raw_command(int port, const char *cmd, const char *expect)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval tv = {1, 0};
    int ok = 0;
    if (fd < 0)
        return 0;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        write(fd, cmd, strlen(cmd)) == (ssize_t)strlen(cmd)) {
        char buf[64] = {0};
        ssize_t n = read(fd, buf, sizeof buf - 1);
        ok = n > 0 && strncmp(buf, expect, strlen(expect)) == 0;
    }
    close(fd);
    return ok;
}


pid_t start_redis(redis_proc *r)
{
    char port[16], log[128];
    snprintf(port, sizeof port, "%d", r->port);
    snprintf(log, sizeof log, "%s/redis.log", r->dir);
    pid_t pid = fork();
    if (pid == 0) {
        /* Dies with the test, even when the test is killed. */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        char *argv[] = {r->bin, "--bind", "127.0.0.1", "--port", port, "--save", "",
                        "--appendonly", "no", "--dir", r->dir, "--daemonize", "no", NULL};
        execv(r->bin, argv);
        _exit(127);
    }
    if (pid < 0)
        return -1;
    for (int i = 0; i < 200; i++) {
        if (raw_command(r->port, "PING\r\n", "+PONG"))
            return pid;
        int status;
        if (waitpid(pid, &status, WNOHANG) == pid)
            return -1;
        sleep_ms(25);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return -1;
}

void stop_redis(redis_proc *r)
{
    if (r->pid <= 0)
        return;
    kill(r->pid, SIGTERM);
    waitpid(r->pid, NULL, 0);
    r->pid = 0;
}

int redis_up(redis_proc *r, const char *dir, const char *who)
{
    memset(r, 0, sizeof *r);
    r->bin = find_redis_server();
    if (!r->bin) {
        fprintf(stderr, "%s: FAIL: redis-server not found on PATH; install it with "
                        "scripts/install-deps.sh (Debian package redis-server)\n", who);
        return -1;
    }
    snprintf(r->dir, sizeof r->dir, "%s", dir);
    for (int attempt = 0; attempt < 5 && r->pid <= 0; attempt++) {
        r->port = free_port();
        r->pid = r->port > 0 ? start_redis(r) : -1;
    }
    if (r->pid <= 0) {
        fprintf(stderr, "%s: FAIL: could not start %s (see %s/redis.log)\n", who, r->bin, dir);
        return -1;
    }
    return 0;
}
