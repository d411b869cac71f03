/* address.c - which network addresses a harvest may connect to (address.h). */
#include "vindplaats/address.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct range {
    unsigned char addr[16];
    int prefix;
    const char *what;
} range;

/* Addresses a harvest never reaches unless allowed. IPv4 ones are also
 * found inside IPv6 addresses that carry them (see embedded_v4). */
static const range v4_refused[] = {
    {{0, 0, 0, 0}, 8, "unspecified"},
    {{10, 0, 0, 0}, 8, "private"},
    {{100, 64, 0, 0}, 10, "private (shared address space)"},
    {{127, 0, 0, 0}, 8, "loopback"},
    {{169, 254, 0, 0}, 16, "link-local"},
    {{172, 16, 0, 0}, 12, "private"},
    {{192, 0, 0, 0}, 24, "reserved"},
    {{192, 168, 0, 0}, 16, "private"},
    {{198, 18, 0, 0}, 15, "reserved"},
    {{224, 0, 0, 0}, 4, "multicast"},
    {{240, 0, 0, 0}, 4, "reserved"},
};

static const range v6_refused[] = {
    {{0}, 128, "unspecified"},
    {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 128, "loopback"},
    {{0xfc}, 7, "private"},
    {{0xfe, 0x80}, 10, "link-local"},
    {{0xfe, 0xc0}, 10, "private (site-local)"},
    {{0xff}, 8, "multicast"},
};

static int in_prefix(const unsigned char *a, const unsigned char *net, int prefix)
{
    int full = prefix / 8, rest = prefix % 8;
    if (memcmp(a, net, (size_t)full) != 0)
        return 0;
    if (!rest)
        return 1;
    unsigned char mask = (unsigned char)(0xff << (8 - rest));
    return (a[full] & mask) == (net[full] & mask);
}

/* The IPv4 address an IPv6 one stands for, if any: IPv4-mapped
 * (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::a.b.c.d)
 * and 6to4 (2002:AABB:CCDD::). Returns 1 and fills v4. */
static int embedded_v4(const unsigned char *a, unsigned char v4[4])
{
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    static const unsigned char zero[12] = {0};
    static const unsigned char nat64[12] = {0, 0x64, 0xff, 0x9b};
    if (!memcmp(a, mapped, 12) || !memcmp(a, nat64, 12) ||
        (!memcmp(a, zero, 12) && (a[12] | a[13] | a[14]) != 0)) {
        memcpy(v4, a + 12, 4);
        return 1;
    }
    if (a[0] == 0x20 && a[1] == 0x02) {
        memcpy(v4, a + 2, 4);
        return 1;
    }
    return 0;
}

static int allowed(const vp_address_allow *allow, int family, const unsigned char *a)
{
    if (!allow)
        return 0;
    if (allow->all)
        return 1;
    for (size_t i = 0; i < allow->n; i++)
        if (allow->ranges[i].family == family && in_prefix(a, allow->ranges[i].addr, allow->ranges[i].prefix))
            return 1;
    return 0;
}

/* What kind of refused IPv4 address `a` is, or NULL when it is public. */
static const char *v4_kind(const unsigned char *a)
{
    for (size_t i = 0; i < sizeof v4_refused / sizeof v4_refused[0]; i++)
        if (in_prefix(a, v4_refused[i].addr, v4_refused[i].prefix))
            return v4_refused[i].what;
    return NULL;
}

int vp_address_check(const struct sockaddr *sa, const vp_address_allow *allow, char *addr_text,
                     size_t addr_cap, const char **why)
{
    const char *kind = NULL;
    if (addr_text && addr_cap)
        addr_text[0] = '\0';
    if (sa && sa->sa_family == AF_INET) {
        const unsigned char *a = (const unsigned char *)&((const struct sockaddr_in *)sa)->sin_addr;
        kind = v4_kind(a);
        if (kind && allowed(allow, AF_INET, a))
            kind = NULL;
        if (kind && addr_text)
            inet_ntop(AF_INET, a, addr_text, (socklen_t)addr_cap);
    } else if (sa && sa->sa_family == AF_INET6) {
        const unsigned char *a = (const unsigned char *)&((const struct sockaddr_in6 *)sa)->sin6_addr;
        unsigned char v4[4];
        for (size_t i = 0; !kind && i < sizeof v6_refused / sizeof v6_refused[0]; i++)
            if (in_prefix(a, v6_refused[i].addr, v6_refused[i].prefix))
                kind = v6_refused[i].what;
        /* An IPv4 address carried in IPv6 is judged as itself, and the
         * allowed IPv4 ranges apply to it. */
        int has_v4 = !kind && embedded_v4(a, v4);
        if (has_v4)
            kind = v4_kind(v4);
        if (kind && (allowed(allow, AF_INET6, a) || (has_v4 && allowed(allow, AF_INET, v4))))
            kind = NULL;
        if (kind && addr_text)
            inet_ntop(AF_INET6, a, addr_text, (socklen_t)addr_cap);
    } else {
        kind = "not an IP address";
        if (addr_text && addr_cap)
            snprintf(addr_text, addr_cap, "address family %d", sa ? sa->sa_family : -1);
    }
    if (why)
        *why = kind;
    return kind ? -1 : 0;
}

static vp_status bad(vp_address_allow *out, vp_error *err, const char *item, const char *what)
{
    memset(out, 0, sizeof *out);
    return vp_error_set(err, VP_ERR_INVALID, NULL, "\"%.100s\" %s", item, what);
}

vp_status vp_address_allow_parse(const char *text, vp_address_allow *out, vp_error *err)
{
    memset(out, 0, sizeof *out);
    const char *p = text;
    while (*p) {
        size_t n = strcspn(p, ",");
        char item[128];
        const char *b = p, *e = p + n;
        while (b < e && (*b == ' ' || *b == '\t'))
            b++;
        while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
            e--;
        if (e - b >= (long)sizeof item)
            return bad(out, err, b, "is too long for a CIDR range");
        memcpy(item, b, (size_t)(e - b));
        item[e - b] = '\0';
        if (!item[0])
            return bad(out, err, text, "has an empty item");
        if (out->n == VP_ALLOW_MAX_RANGES)
            return bad(out, err, item, "is one range too many (at most 16)");
        vp_cidr *c = &out->ranges[out->n];
        char *slash = strchr(item, '/');
        if (slash)
            *slash = '\0';
        int max;
        if (inet_pton(AF_INET, item, c->addr) == 1) {
            c->family = AF_INET;
            max = 32;
        } else if (inet_pton(AF_INET6, item, c->addr) == 1) {
            c->family = AF_INET6;
            max = 128;
        } else {
            if (slash)
                *slash = '/';
            return bad(out, err, item, "is not an IP address or CIDR range (such as 127.0.0.1/32 or ::1/128)");
        }
        c->prefix = max;
        if (slash) {
            char *end;
            long bits = strtol(slash + 1, &end, 10);
            if (end == slash + 1 || *end || bits < 0 || bits > max) {
                *slash = '/';
                return bad(out, err, item, "has a prefix length out of range");
            }
            c->prefix = (int)bits;
        }
        out->n++;
        p += n;
        if (*p == ',')
            p++;
        if (!*p && p[-1] == ',')
            return bad(out, err, text, "ends with a comma");
    }
    if (!out->n)
        return bad(out, err, text, "is empty");
    return VP_OK;
}
