/* address.h - which network addresses a harvest may connect to.
 *
 * Part of the indexer library (vindplaats_indexer).
 * A harvester fetches whatever URL a platform (or a
 * redirect of that platform) names, so without a check it can be turned
 * against the network it runs in: the cloud metadata service at
 * 169.254.169.254, an admin page on 127.0.0.1, a printer on 10.0.0.5.
 * fetch.c checks every address libcurl is about to connect to (after DNS,
 * after every redirect) with vp_address_check(): loopback, private
 * (RFC 1918, 100.64/10, fc00::/7), link-local, unspecified, multicast and
 * reserved addresses are refused, in their IPv4-mapped IPv6 forms too,
 * unless the source's allow_private lets them through. */
#ifndef VINDPLAATS_INDEXER_ADDRESS_H
#define VINDPLAATS_INDEXER_ADDRESS_H

#include <stddef.h>
#include <sys/socket.h>

#include "vindplaats/status.h"

#define VP_ALLOW_MAX_RANGES 16

typedef struct vp_cidr {
    int family;              /* AF_INET or AF_INET6 */
    unsigned char addr[16];  /* network byte order; 4 bytes used for AF_INET */
    int prefix;              /* bits */
} vp_cidr;

/* What a source allows beyond public addresses: everything (`all`, from
 * allow_private = yes) or these ranges. Zeroed: nothing. */
typedef struct vp_address_allow {
    int all;
    vp_cidr ranges[VP_ALLOW_MAX_RANGES];
    size_t n;
} vp_address_allow;

/* Parses a comma-separated list of CIDR ranges ("127.0.0.1/32, ::1/128";
 * an address without /BITS is that one address) into `out` (yes and no
 * are the config's and the command line's to read). Returns VP_ERR_INVALID with
 * *err (may be NULL) naming the bad item otherwise; `out` is then zeroed. */
vp_status vp_address_allow_parse(const char *text, vp_address_allow *out, vp_error *err);

/* 0 when `sa` may be connected to under `allow` (may be NULL: nothing
 * beyond public addresses). Otherwise -1, with the address as text in
 * addr_text (at least 64 bytes) and what kind of address it is in
 * *why ("loopback", "private", "link-local", ...); addr_text and why may
 * be NULL. An address family other than IPv4 and IPv6 is refused. */
int vp_address_check(const struct sockaddr *sa, const vp_address_allow *allow, char *addr_text,
                     size_t addr_cap, const char **why);

#endif
