/* test_auth.c - admin keys (auth.h) and the network file (network.h), through
 * their public headers only: SHA-256 against the FIPS 180-4 examples, key
 * files and lists with every kind of bad line, the Authorization header in
 * its Bearer and Basic forms, and network.json with its errors by path;
 * from api.h, the salted tag (SHA-256 in two parts). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api.h"
#include "check.h"
#include "vindplaats/auth.h"
#include "vindplaats/network.h"

static void digest_is(const char *msg, size_t len, const char *hex)
{
    char d[VP_ADMIN_DIGEST_TEXT];
    vp_admin_key_digest(msg, len, d);
    CHECK(strncmp(d, "sha256:", 7) == 0);
    CHECK_STR(d + 7, hex);
}

static void test_sha256(void)
{
    digest_is("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    digest_is("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    digest_is(two, strlen(two), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    const char *four = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopq"
                       "klmnopqrlmnopqrsmnopqrstnopqrstu";
    digest_is(four, strlen(four),
              "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
    char *million = malloc(1000000);
    memset(million, 'a', 1000000);
    digest_is(million, 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(million);
    /* Lengths around the padding boundary (55, 56, 63, 64 bytes) differ. */
    char d55[VP_ADMIN_DIGEST_TEXT], d56[VP_ADMIN_DIGEST_TEXT], d64[VP_ADMIN_DIGEST_TEXT];
    char buf[64];
    memset(buf, 'x', sizeof buf);
    vp_admin_key_digest(buf, 55, d55);
    vp_admin_key_digest(buf, 56, d56);
    vp_admin_key_digest(buf, 64, d64);
    CHECK(strcmp(d55, d56) != 0 && strcmp(d56, d64) != 0);
    /* The streaming form (salt, then address) is the digest of the two
     * together: SHA-256("abc") begins ba7816bf8f01cfea. */
    CHECK(api_salted_tag((const unsigned char *)"ab", 2, "c", 1) == 0xba7816bf8f01cfeaULL);
    CHECK(api_salted_tag((const unsigned char *)"a", 1, "bc", 2) == 0xba7816bf8f01cfeaULL);
}

static char *write_file(const char *dir, const char *name, const char *text)
{
    char *path = malloc(strlen(dir) + strlen(name) + 2);
    sprintf(path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

static void expect_load_error(const char *dir, const char *text, const char *fragment)
{
    vp_admin_keys *k = NULL;
    CHECK(vp_admin_keys_create(&k) == VP_OK);
    char *path = write_file(dir, "bad-keys", text);
    vp_error e = VP_ERROR_INIT;
    CHECK(vp_admin_keys_load(k, path, &e) == VP_ERR_INVALID);
    /* The file and the line are fields of the error. */
    CHECK_STR(e.file, path);
    CHECK(e.line > 0);
    char *err = vp_error_text(&e);
    CHECK_CONTAINS(err, fragment);
    /* A refused key never appears in the message. */
    CHECK(!err || !strstr(err, "short-key"));
    free(err);
    vp_error_clear(&e);
    free(path);
    vp_admin_keys_destroy(k);
}

static void test_keys(const char *dir)
{
    char digest[VP_ADMIN_DIGEST_TEXT];
    vp_admin_key_digest("second-key-abcdefghij", 21, digest);
    char text[512];
    snprintf(text, sizeof text,
             "# staff keys\n\nfirst-key-0123456789\n  %s  \n", digest);
    char *path = write_file(dir, "keys", text);
    vp_admin_keys *k = NULL;
    CHECK(vp_admin_keys_create(&k) == VP_OK);
    vp_error err = VP_ERROR_INIT;
    CHECK(vp_admin_keys_load(k, path, &err) == VP_OK);
    CHECK(err.status == VP_OK && err.message == NULL);
    CHECK(vp_admin_keys_add_list(k, " third-key-0123456789abc , ,fourth-key-0123456789", "ENV",
                                 &err) == VP_OK);
    CHECK(vp_admin_keys_count(k) == 4);

    CHECK(vp_admin_keys_check(k, "Bearer first-key-0123456789") == VP_OK);
    CHECK(vp_admin_keys_check(k, "bearer   second-key-abcdefghij  ") == VP_OK);
    CHECK(vp_admin_keys_check(k, "BEARER third-key-0123456789abc") == VP_OK);
    CHECK(vp_admin_keys_check(k, "Bearer fourth-key-0123456789") == VP_OK);
    /* Basic: base64("staff:first-key-0123456789"), the name is ignored. */
    CHECK(vp_admin_keys_check(k, "Basic c3RhZmY6Zmlyc3Qta2V5LTAxMjM0NTY3ODk=") == VP_OK);
    /* base64(":fourth-key-0123456789") */
    CHECK(vp_admin_keys_check(k, "Basic OmZvdXJ0aC1rZXktMDEyMzQ1Njc4OQ==") == VP_OK);
    /* base64("abc:first-key-0123456789"): no padding at all */
    CHECK(vp_admin_keys_check(k, "Basic YWJjOmZpcnN0LWtleS0wMTIzNDU2Nzg5") == VP_OK);
    /* One character changed, cut short, or text after the padding. */
    CHECK(vp_admin_keys_check(k, "Basic YWJjOmZpcnN0LWtleS0wMTIzNDU2Nzg6") == VP_ERR_DENIED);
    CHECK(vp_admin_keys_check(k, "Basic YWJjOmZpcnN0LWtleS0wMTIzNDU2Nzg") == VP_ERR_DENIED);
    CHECK(vp_admin_keys_check(k, "Basic c3RhZmY6Zmlyc3Qta2V5LTAxMjM0NTY3ODk=YQ") == VP_ERR_DENIED);
    /* Longer than any key can be: refused before decoding. */
    char huge[1200] = "Basic ";
    memset(huge + 6, 'Q', sizeof huge - 7);
    huge[sizeof huge - 1] = '\0';
    CHECK(vp_admin_keys_check(k, huge) == VP_ERR_DENIED);

    CHECK(vp_admin_keys_check(k, NULL) == VP_ERR_NOT_FOUND);
    CHECK(vp_admin_keys_check(k, "") == VP_ERR_NOT_FOUND);
    CHECK(vp_admin_keys_check(k, "Bearer ") == VP_ERR_NOT_FOUND);
    CHECK(vp_admin_keys_check(k, "Token first-key-0123456789") == VP_ERR_NOT_FOUND);
    CHECK(vp_admin_keys_check(k, "Bearer first-key-012345678") == VP_ERR_DENIED);
    CHECK(vp_admin_keys_check(k, "Bearer first-key-01234567890") == VP_ERR_DENIED);
    CHECK(vp_admin_keys_check(k, "Bearer sha256:0000") == VP_ERR_DENIED);
    /* The digest itself is not a key. */
    char as_key[128];
    snprintf(as_key, sizeof as_key, "Bearer %s", digest);
    CHECK(vp_admin_keys_check(k, as_key) == VP_ERR_DENIED);
    CHECK(vp_admin_keys_check(k, "Basic !!!not-base64") == VP_ERR_DENIED);
    CHECK(vp_admin_keys_check(NULL, "Bearer first-key-0123456789") == VP_ERR_DENIED);
    vp_admin_keys_destroy(k);
    free(path);

    expect_load_error(dir, "ok-key-0123456789abc\nshort-key\n", "bad-keys:2: a key must be at least 16");
    expect_load_error(dir, "with space in the key 123\n", ":1: a key may hold only visible ASCII");
    expect_load_error(dir, "a,comma,key,0123456789\n", ":1: a key may hold only");
    expect_load_error(dir, "sha256:zz\n", ":1: a key must be at least 16");
    char bad_digest[80] = "sha256:";
    for (int i = 0; i < 64; i++)
        strcat(bad_digest, "g");
    strcat(bad_digest, "\n");
    expect_load_error(dir, bad_digest, ":1: a digest must be sha256: and 64 hex digits");

    CHECK(vp_admin_keys_create(&k) == VP_OK);
    CHECK(vp_admin_keys_load(k, "/nonexistent/keys", &err) == VP_ERR_IO);
    CHECK_STR(err.file, "/nonexistent/keys");
    vp_error_clear(&err);
    CHECK(vp_admin_keys_add_list(k, "good-key-0123456789,short", "VINDPLAATS_ADMIN_KEYS", &err) ==
          VP_ERR_INVALID);
    CHECK_STR(err.path, "VINDPLAATS_ADMIN_KEYS");
    char *said = vp_error_text(&err);
    CHECK_CONTAINS(said, "VINDPLAATS_ADMIN_KEYS: item 2: a key must be at least 16");
    free(said);
    vp_error_clear(&err);
    /* No keys at all: every key is wrong, no key is missing. */
    vp_admin_keys *none = NULL;
    CHECK(vp_admin_keys_create(&none) == VP_OK);
    CHECK(vp_admin_keys_check(none, "Bearer first-key-0123456789") == VP_ERR_DENIED);
    CHECK(vp_admin_keys_check(none, NULL) == VP_ERR_NOT_FOUND);
    vp_admin_keys_destroy(none);
    /* At most 64 keys. */
    for (int i = 0; i < 70 && err.status == VP_OK; i++) {
        char key[64];
        snprintf(key, sizeof key, "many-keys-%04d-abcdefgh", i);
        vp_admin_keys_add_list(k, key, "list", &err);
    }
    CHECK_CONTAINS(err.message, "at most 64");
    vp_error_clear(&err);
    vp_admin_keys_destroy(k);
}

static void test_network(const char *dir, const char *sample)
{
    vp_network *net = NULL;
    vp_error err = VP_ERROR_INIT;
    CHECK(vp_network_load(sample, &net, &err) == VP_OK);
    CHECK(vp_network_count(net) > 10);
    const vp_library_info *u = vp_network_get(net, "bibliotheek-utrecht");
    CHECK(u != NULL);
    if (u) {
        CHECK_STR(u->name, "Bibliotheek Utrecht");
        CHECK(u->n_branches == 4);
        CHECK_STR(u->branches[0].id, "utrecht-neude");
        CHECK(u->branches[0].has_location);
    }
    const vp_library_info *lib = NULL;
    const vp_branch_info *b = vp_network_branch(net, "eemland-vathorst", &lib);
    CHECK(b && lib && strcmp(lib->id, "bibliotheek-eemland") == 0);
    CHECK(b && strcmp(b->municipality, "Amersfoort") == 0);
    CHECK(vp_network_get(net, "nope") == NULL);
    CHECK(vp_network_branch(net, "nope", NULL) == NULL);
    CHECK(vp_network_at(net, vp_network_count(net)) == NULL);
    vp_network_destroy(net);

    char *path = write_file(dir, "bad-network.json",
                            "{\"libraries\":[{\"id\":\"Bad Id\",\"name\":\"x\",\"branches\":[{\"name\":"
                            "\"b\",\"lat\":91,\"lon\":5}]},{\"id\":\"a\",\"name\":\"A\"},"
                            "{\"id\":\"a\",\"name\":\"A again\"},7,"
                            "{\"id\":\"c\",\"name\":\"C\",\"image\":\"logo.png\"}]}");
    net = NULL;
    CHECK(vp_network_load(path, &net, &err) == VP_ERR_INVALID);
    CHECK(net == NULL);
    /* Each problem names the value's path as a field of its own. */
    CHECK(err.status == VP_ERR_INVALID);
    CHECK_STR(err.path, "libraries[0].id");
    CHECK_CONTAINS(err.message, "lower-case letters");
    CHECK(err.next && err.next->path && strcmp(err.next->path, "libraries[0].branches[0].id") == 0);
    size_t problems = 0;
    for (const vp_error *e = &err; e; e = e->next)
        problems += e->path != NULL;
    CHECK(problems == 6);
    char *text = vp_error_text(&err);
    CHECK_CONTAINS(text, "libraries[0].id: lower-case letters");
    CHECK_CONTAINS(text, "libraries[0].branches[0].id: missing");
    CHECK_CONTAINS(text, "libraries[0].branches[0]: lat and lon");
    CHECK_CONTAINS(text, "libraries[2].id: \"a\" given twice");
    CHECK_CONTAINS(text, "libraries[3]: must be an object");
    CHECK_CONTAINS(text, "libraries[4].image: must be an absolute http or https URL");
    free(text);
    vp_error_clear(&err);
    /* A library's picture for shared links: optional. */
    free(path);
    path = write_file(dir, "image-network.json",
                      "{\"libraries\":[{\"id\":\"a\",\"name\":\"A\",\"image\":"
                      "\"https://a.example.nl/logo.png\"},{\"id\":\"b\",\"name\":\"B\"}]}");
    net = NULL;
    CHECK(vp_network_load(path, &net, &err) == VP_OK);
    CHECK(net && strcmp(vp_network_get(net, "a")->image, "https://a.example.nl/logo.png") == 0);
    CHECK(net && vp_network_get(net, "b")->image == NULL);
    vp_network_destroy(net);
    free(path);
    path = write_file(dir, "not-json.json", "{\"libraries\": [");
    CHECK(vp_network_load(path, &net, &err) == VP_ERR_INVALID);
    CHECK_STR(err.file, path);
    CHECK(err.line == 1);
    vp_error_clear(&err);
    free(path);
    CHECK(vp_network_load("/nonexistent/network.json", &net, &err) == VP_ERR_IO);
    CHECK_STR(err.file, "/nonexistent/network.json");
    CHECK(err.line == 0);
    vp_error_clear(&err);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_auth NETWORK.json\n");
        return 2;
    }
    char dir[] = "/tmp/vp-test-auth-XXXXXX";
    if (!mkdtemp(dir))
        return 2;
    test_sha256();
    test_keys(dir);
    test_network(dir, argv[1]);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return check_done();
}
