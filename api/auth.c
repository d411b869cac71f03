/* auth.c - admin API keys (see auth.h): loading, hashing, checking.
 *
 * Plain keys live only as long as it takes to hash them: the line buffers
 * that held them are wiped. Checking hashes the presented key once and
 * compares the digest with every stored digest without an early exit, so
 * the time taken says nothing about which bytes matched. SHA-256 and base64
 * are Nettle's. */
#include "vindplaats/auth.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/base64.h>

#include "sha256.h"

struct vp_admin_keys {
    unsigned char digest[VP_ADMIN_KEYS_MAX][SHA256_LEN];
    size_t n;
};

static void wipe(void *p, size_t n)
{
    volatile unsigned char *v = p;
    while (n--)
        *v++ = 0;
}

vp_status vp_admin_keys_create(vp_admin_keys **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? VP_OK : VP_ERR_NOMEM;
}

void vp_admin_keys_destroy(vp_admin_keys *keys)
{
    if (!keys)
        return;
    wipe(keys, sizeof *keys);
    free(keys);
}

size_t vp_admin_keys_count(const vp_admin_keys *keys)
{
    return keys ? keys->n : 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Adds one item (a key or "sha256:HEX"); NULL, or why it is refused. */
static const char *add_item(vp_admin_keys *keys, const char *s, size_t len)
{
    if (keys->n == VP_ADMIN_KEYS_MAX)
        return "too many keys (at most 64)";
    if (len == 7 + 2 * SHA256_LEN && strncmp(s, "sha256:", 7) == 0) {
        for (size_t i = 0; i < SHA256_LEN; i++) {
            int hi = hexval(s[7 + 2 * i]), lo = hexval(s[8 + 2 * i]);
            if (hi < 0 || lo < 0)
                return "a digest must be sha256: and 64 hex digits";
            keys->digest[keys->n][i] = (unsigned char)(hi * 16 + lo);
        }
        keys->n++;
        return NULL;
    }
    if (len < VP_ADMIN_KEY_MIN)
        return "a key must be at least 16 characters";
    if (len > VP_ADMIN_KEY_MAX)
        return "a key must be at most 256 characters";
    for (size_t i = 0; i < len; i++)
        if (s[i] <= ' ' || s[i] > '~' || s[i] == ',')
            return "a key may hold only visible ASCII characters, no spaces or commas";
    sha256(s, len, keys->digest[keys->n]);
    keys->n++;
    return NULL;
}

static size_t trimmed(const char **s, size_t len)
{
    while (len && (**s == ' ' || **s == '\t')) {
        (*s)++;
        len--;
    }
    while (len && ((*s)[len - 1] == ' ' || (*s)[len - 1] == '\t' || (*s)[len - 1] == '\r' ||
                   (*s)[len - 1] == '\n'))
        len--;
    return len;
}

vp_status vp_admin_keys_load(vp_admin_keys *keys, const char *path, vp_error *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return vp_error_set(err, VP_ERR_IO, &(vp_where){path}, "cannot read (errno %lu)",
                            (unsigned long)errno);
    char line[1024];
    unsigned long no = 0;
    vp_status st = VP_OK;
    while (fgets(line, sizeof line, f)) {
        no++;
        size_t raw = strlen(line);
        if (raw == sizeof line - 1 && line[raw - 1] != '\n') {
            st = vp_error_set(err, VP_ERR_INVALID, &(vp_where){path, (unsigned)no}, "line too long");
            break;
        }
        const char *s = line;
        size_t len = trimmed(&s, raw);
        if (len == 0 || *s == '#')
            continue;
        const char *why = add_item(keys, s, len);
        if (why) {
            st = vp_error_set(err, VP_ERR_INVALID, &(vp_where){path, (unsigned)no}, "%s", why);
            break;
        }
    }
    wipe(line, sizeof line);
    fclose(f);
    return st;
}

vp_status vp_admin_keys_add_list(vp_admin_keys *keys, const char *list, const char *what,
                                 vp_error *err)
{
    unsigned long item = 0;
    for (const char *p = list; p && *p;) {
        size_t n = strcspn(p, ",");
        const char *s = p;
        size_t len = trimmed(&s, n);
        item++;
        if (len) {
            const char *why = add_item(keys, s, len);
            if (why)
                return vp_error_set(err, VP_ERR_INVALID, &(vp_where){.path = what}, "item %lu: %s",
                                    item, why);
        }
        p += n;
        if (*p == ',')
            p++;
    }
    return VP_OK;
}

void vp_admin_key_digest(const char *key, size_t len, char out[VP_ADMIN_DIGEST_TEXT])
{
    unsigned char d[SHA256_LEN];
    sha256(key, len, d);
    memcpy(out, "sha256:", 7);
    for (size_t i = 0; i < SHA256_LEN; i++)
        snprintf(out + 7 + 2 * i, 3, "%02x", d[i]);
}

/* Decodes strict base64 (padded, as browsers send it) with Nettle into out
 * (cap bytes); the length, or -1 when it is not base64 or does not fit. */
static long b64decode(const char *s, size_t len, char *out, size_t cap)
{
    if (BASE64_DECODE_LENGTH(len) > cap)
        return -1;
    struct base64_decode_ctx c;
    size_t n = 0;
    base64_decode_init(&c);
    if (!base64_decode_update(&c, &n, (uint8_t *)out, len, s) || !base64_decode_final(&c))
        return -1;
    return (long)n;
}

static int scheme_is(const char *h, const char *scheme)
{
    size_t n = strlen(scheme);
    for (size_t i = 0; i < n; i++) {
        char c = h[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != scheme[i])
            return 0;
    }
    return h[n] == ' ';
}

vp_status vp_admin_keys_check(const vp_admin_keys *keys, const char *authorization)
{
    if (!authorization)
        return VP_ERR_NOT_FOUND;
    const char *key = NULL;
    size_t len = 0;
    char decoded[2 * VP_ADMIN_KEY_MAX];
    if (scheme_is(authorization, "bearer")) {
        key = authorization + 7;
        len = trimmed(&key, strlen(key));
    } else if (scheme_is(authorization, "basic")) {
        const char *b = authorization + 6;
        size_t blen = trimmed(&b, strlen(b));
        long n = b64decode(b, blen, decoded, sizeof decoded);
        if (n < 0)
            return VP_ERR_DENIED;
        const char *colon = memchr(decoded, ':', (size_t)n);
        key = colon ? colon + 1 : decoded;
        len = (size_t)n - (size_t)(key - decoded);
    }
    if (!key || len == 0)
        return VP_ERR_NOT_FOUND;
    unsigned char d[SHA256_LEN];
    sha256(key, len, d);
    wipe(decoded, sizeof decoded);
    unsigned match = 0;
    for (size_t k = 0; keys && k < keys->n; k++) {
        unsigned diff = 0;
        for (size_t i = 0; i < SHA256_LEN; i++)
            diff |= (unsigned)(keys->digest[k][i] ^ d[i]);
        /* 1 when diff is 0, computed without a branch. */
        match |= 1u & ((diff - 1u) >> 8);
    }
    wipe(d, sizeof d);
    return match ? VP_OK : VP_ERR_DENIED;
}
