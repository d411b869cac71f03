/* auth.h - the API keys that open the admin endpoints (saved queries,
 * the staff insights page).
 *
 * Keys come from a file (vindplaats-server --admin-keys FILE) and from the
 * environment variable VINDPLAATS_ADMIN_KEYS (comma-separated). Only their
 * SHA-256 digests are kept in memory, so a key file may also hold digests
 * ("sha256:" and 64 hex digits) instead of keys. A presented key is hashed
 * and compared with every digest, always all of them, in constant time.
 * A key set is immutable once the server runs: any number of threads may
 * check keys against it. */
#ifndef VINDPLAATS_AUTH_H
#define VINDPLAATS_AUTH_H

#include <stddef.h>
#include "vindplaats/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VP_ADMIN_KEY_MIN 16    /* bytes; shorter keys are refused at load */
#define VP_ADMIN_KEY_MAX 256
#define VP_ADMIN_KEYS_MAX 64   /* keys in one set */
#define VP_ADMIN_DIGEST_TEXT 72 /* "sha256:" + 64 hex digits + NUL */

typedef struct vp_admin_keys vp_admin_keys;

/* An empty set; the caller owns *out (vp_admin_keys_destroy). */
vp_status vp_admin_keys_create(vp_admin_keys **out) VP_NOEXCEPT;
void vp_admin_keys_destroy(vp_admin_keys *keys) VP_NOEXCEPT;

/* Adds the keys of `path`: one a line, blank lines and lines starting with
 * '#' skipped, "sha256:HEX" lines taken as digests. A key is 16 to 256
 * visible ASCII characters without ','. VP_ERR_IO when unreadable,
 * VP_ERR_INVALID with the file and line of a bad one in *err (may be NULL;
 * filled on failure only; the key itself is never put into the message). */
vp_status vp_admin_keys_load(vp_admin_keys *keys, const char *path, vp_error *err) VP_NOEXCEPT;
/* Adds comma-separated keys (or digests) from `list`; `what` names the
 * source ("VINDPLAATS_ADMIN_KEYS"), the `path` of an error in *err, whose
 * message names the item. Empty items are skipped. */
vp_status vp_admin_keys_add_list(vp_admin_keys *keys, const char *list, const char *what,
                                 vp_error *err) VP_NOEXCEPT;
size_t vp_admin_keys_count(const vp_admin_keys *keys) VP_NOEXCEPT;

/* "sha256:" and the 64 lower-case hex digits of the digest of `key`. */
void vp_admin_key_digest(const char *key, size_t len, char out[VP_ADMIN_DIGEST_TEXT]) VP_NOEXCEPT;

/* Checks an Authorization header value: "Bearer KEY", or "Basic" with
 * base64 of "NAME:KEY" (what a browser sends for a password prompt; the
 * name is ignored). VP_OK for a key of the set; VP_ERR_NOT_FOUND when no
 * key is given (no header, or no key in it: 401); VP_ERR_DENIED for a key
 * that is not one of the set (403). `keys` may be NULL (no keys: every
 * key is denied). */
vp_status vp_admin_keys_check(const vp_admin_keys *keys, const char *authorization) VP_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif
