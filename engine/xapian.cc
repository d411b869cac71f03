// xapian.cc - the thin C API over Xapian used by the rest of engine/.
//
// The only C++ in Vindplaats. Each exported function runs its body inside
// guard(), which catches every exception, copies its message before the
// catch ends and maps it to a vp_status; nothing C++ escapes. Objects here
// are as thread-unsafe as Xapian's: one thread, one set of handles.
#include <xapian.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <ctime>
#include <fcntl.h>
#include <functional>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <new>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>
#include <utility>

#include "xapian_c.h"

// One shard of a sharded index (a line of its shard list).
struct vpx_shard {
    std::string name;       // as the list names it
    std::string path;       // local: the path; remote: empty
    std::string host;       // remote: host and port
    unsigned port = 0;
    bool up = false;
    Xapian::Database db;
};

// Metadata key counting a database's commits (see vpx_db_commit).
const char *const COMMITS_KEY = "vindplaats:commits";

struct vpx_spy_result {
    std::vector<std::pair<std::string, Xapian::doccount>> values;
};

// What a counting match (vpx_enquire_opts.keep_counts) found: kept per
// index version, keyed by the serialised query and what was counted.
struct vpx_counts {
    Xapian::doccount distinct = 0, documents = 0;
    std::vector<vpx_spy_result> spies;
};

struct vpx_count_cache {
    std::string version;                        // version_text() of every entry
    std::unordered_map<std::string, vpx_counts> entries;
    std::deque<std::string> order;              // keys, oldest first
    size_t bytes = 0;
};

struct vpx_db {
    Xapian::Database *db = nullptr;             // reader, or the writer below
    Xapian::WritableDatabase *wdb = nullptr;
    std::vector<vpx_shard> shards;              // empty: a single database
    double last_retry = 0;                      // when down shards were last tried
    double deadline = 0;                        // the current request's, for remote shards
    std::string path;                           // reader: the path it was opened from
    std::string identity;                       // reader: what that path resolved to
    std::string stamp;                          // reader: version_stamp() at the last reopen
    Xapian::Database *spelling = nullptr;       // sharded reader: SHARDDIR/spelling, if any
    vpx_count_cache counts;                     // broad counting matches, this version
};

// A stemmer that remembers what it made: a load meets the same words in
// offering after offering, and the title, subject and creator words twice
// (plain and under their field prefix). Bounded: full, it starts again.
class CachedStem : public Xapian::StemImplementation {
    static constexpr size_t CAP = 200000;
    Xapian::Stem stem;
    std::unordered_map<std::string, std::string> made;

  public:
    explicit CachedStem(const char *language) : stem(language) {}
    std::string operator()(const std::string &word) override {
        auto it = made.find(word);
        if (it != made.end()) return it->second;
        std::string s = stem(word);
        if (made.size() >= CAP) made.clear();
        made.emplace(word, s);
        return s;
    }
    std::string get_description() const override { return "cached " + stem.get_description(); }
};

struct vpx_builder {
    Xapian::TermGenerator gen;
    Xapian::TermGenerator spelling_gen;  // unstemmed words for the spelling table
};

struct vpx_doc {
    vpx_builder *builder;  // until vpx_doc_done
    Xapian::Document doc;
    bool fed_db = false;   // the builder's generator feeds a database's spelling table
    // Built apart from any database: the words for the spelling table,
    // unstemmed and without positions, added by whichever writer takes it.
    bool collect_spelling = false;
    Xapian::Document spelling;
};

struct vpx_query {
    Xapian::Query q;
};

struct vpx_mset {
    std::vector<std::string> data;
    std::vector<double> weights;
    std::vector<std::string> collapse_keys;  // empty strings without collapsing
    std::vector<std::string> values;         // n_values per result (opts->value_slots)
    size_t n_values = 0;
    std::vector<Xapian::docid> docids;
    Xapian::doccount lower = 0, estimated = 0, upper = 0;
    Xapian::doccount documents = 0;  // matching documents, collapsed or not
    std::vector<vpx_spy_result> spies;
};

struct vpx_stemmer {
    Xapian::Stem stem;
};

namespace {

// A request's remote operations share one deadline (docs/deploy.md). Xapian
// waits REMOTE_TIMEOUT_MS for each operation on a remote shard, so a hung
// shard costs that once; then the shard the error names is dropped without
// being asked again, and the other remote shards are checked all at once
// within what is left of the deadline (at least PROBE_MIN_SECONDS, which a
// shard that answers needs), never one timeout after another.
const unsigned REMOTE_TIMEOUT_MS = 2000;        // per operation on a remote shard
const unsigned REMOTE_CONNECT_TIMEOUT_MS = 1000;
const double SHARD_RETRY_SECONDS = 2.0;          // how often a down shard is tried again
const double PROBE_MIN_SECONDS = 0.1;            // the least a greeting check waits
const double PROBE_RETRY_SECONDS = 0.2;          // a down shard's greeting check, at most

double monotonic_seconds() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// Which remote shards greet within `budget` seconds, checked all at once:
// xapian-tcpsrv sends its greeting as soon as it takes a connection, so a
// stopped or overloaded server is told from a live one without waiting a
// whole Xapian timeout per shard. The connections are closed unused.
std::vector<bool> greets(const std::vector<vpx_shard *> &shards, double budget) {
    std::vector<bool> ok(shards.size(), false);
    std::vector<pollfd> fds(shards.size(), pollfd{-1, POLLIN, 0});
    for (size_t i = 0; i < shards.size(); ++i) {
        addrinfo hints{}, *res = nullptr;
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        std::string port = std::to_string(shards[i]->port);
        if (getaddrinfo(shards[i]->host.c_str(), port.c_str(), &hints, &res) != 0 || !res) continue;
        int fd = socket(res->ai_family, res->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                        res->ai_protocol);
        if (fd >= 0 && connect(fd, res->ai_addr, res->ai_addrlen) != 0 && errno != EINPROGRESS) {
            close(fd);
            fd = -1;
        }
        freeaddrinfo(res);
        fds[i].fd = fd;
    }
    double end = monotonic_seconds() + budget;
    for (;;) {
        size_t waiting = 0;
        for (size_t i = 0; i < fds.size(); ++i) waiting += fds[i].fd >= 0 && !ok[i];
        double left = end - monotonic_seconds();
        if (!waiting || left <= 0) break;
        int n = poll(fds.data(), fds.size(), static_cast<int>(left * 1000) + 1);
        if (n < 0 && errno != EINTR) break;
        for (size_t i = 0; n > 0 && i < fds.size(); ++i) {
            if (fds[i].fd < 0 || ok[i] || !fds[i].revents) continue;
            char byte;
            if ((fds[i].revents & POLLIN) && recv(fds[i].fd, &byte, 1, MSG_PEEK) == 1) {
                ok[i] = true;
                fds[i].events = 0;
            } else {  // refused, reset or closed: down
                close(fds[i].fd);
                fds[i].fd = -1;
            }
            fds[i].revents = 0;
        }
    }
    for (auto &p : fds)
        if (p.fd >= 0) close(p.fd);
    return ok;
}

// The context Xapian gives the errors of a remote shard's connection.
std::string remote_context(const vpx_shard &sh) {
    return "remote:tcp(" + sh.host + ":" + std::to_string(sh.port) + ")";
}

// What is left of the current request's deadline, never less than a
// greeting check needs.
double budget_left(const vpx_db *h) {
    double left = h->deadline - monotonic_seconds();
    return left > PROBE_MIN_SECONDS ? left : PROBE_MIN_SECONDS;
}

// The shard list of `path`: the file itself, or DIR/XAPIANDB. Lines are
// "auto PATH", "glass PATH", a bare PATH, or "remote tcp HOST PORT";
// '#' starts a comment. Relative paths are relative to the list's folder.
// Returns false when `path` is no shard list (a plain database).
bool read_shard_list(const std::string &path, std::vector<vpx_shard> &out) {
    struct stat st;
    std::string list = path;
    if (stat(path.c_str(), &st) != 0) return false;
    if (S_ISDIR(st.st_mode)) {
        list = path + "/XAPIANDB";
        if (stat(list.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
    } else if (!S_ISREG(st.st_mode)) {
        return false;
    }
    FILE *f = std::fopen(list.c_str(), "r");
    if (!f) throw Xapian::DatabaseOpeningError("cannot read shard list " + list);
    std::string dir = list.substr(0, list.find_last_of('/') == std::string::npos ? 0 : list.find_last_of('/'));
    char line[4096];
    unsigned lineno = 0;
    while (std::fgets(line, sizeof line, f)) {
        lineno++;
        std::string l(line);
        size_t hash = l.find('#');
        if (hash != std::string::npos) l.erase(hash);
        std::vector<std::string> words;
        size_t i = 0;
        while (i < l.size()) {
            while (i < l.size() && std::isspace(static_cast<unsigned char>(l[i]))) i++;
            size_t j = i;
            while (j < l.size() && !std::isspace(static_cast<unsigned char>(l[j]))) j++;
            if (j > i) words.push_back(l.substr(i, j - i));
            i = j;
        }
        if (words.empty()) continue;
        vpx_shard sh;
        if (words[0] == "remote") {
            char *end = nullptr;
            unsigned long port = words.size() == 4 ? std::strtoul(words[3].c_str(), &end, 10) : 0;
            if (words.size() != 4 || words[1] != "tcp" || !end || *end || port == 0 || port > 65535) {
                std::fclose(f);
                throw Xapian::DatabaseOpeningError(list + ":" + std::to_string(lineno) +
                                                   ": expected \"remote tcp HOST PORT\"");
            }
            sh.host = words[2];
            sh.port = static_cast<unsigned>(port);
            sh.name = words[2] + ":" + words[3];
        } else {
            std::string p = words.size() == 2 && (words[0] == "auto" || words[0] == "glass")
                                ? words[1] : words[0];
            if (words.size() > 2 || (words.size() == 2 && words[0] != "auto" && words[0] != "glass")) {
                std::fclose(f);
                throw Xapian::DatabaseOpeningError(list + ":" + std::to_string(lineno) +
                                                   ": expected \"auto PATH\" or \"remote tcp HOST PORT\"");
            }
            sh.name = p;
            sh.path = p[0] == '/' || dir.empty() ? p : dir + "/" + p;
        }
        out.push_back(sh);
    }
    std::fclose(f);
    if (out.empty()) throw Xapian::DatabaseOpeningError(list + ": lists no shards");
    return true;
}

// Opens every shard that is down except `skip` (the one that just failed);
// a remote one only when it greets within `budget` seconds, so that a hung
// shard costs that check and not a Xapian timeout. True when any came up.
bool open_down_shards(vpx_db *h, double budget, const vpx_shard *skip = nullptr) {
    bool changed = false;
    std::vector<vpx_shard *> remote;
    for (auto &sh : h->shards)
        if (!sh.up && &sh != skip && sh.path.empty()) remote.push_back(&sh);
    std::vector<bool> alive = greets(remote, budget);
    size_t r = 0;
    for (auto &sh : h->shards) {
        if (sh.up || &sh == skip) continue;
        if (sh.path.empty() && !alive[r++]) continue;
        try {
            sh.db = sh.path.empty() ? Xapian::Remote::open(sh.host, sh.port, REMOTE_TIMEOUT_MS,
                                                           REMOTE_CONNECT_TIMEOUT_MS)
                                    : Xapian::Database(sh.path);
            sh.up = true;
            changed = true;
        } catch (const Xapian::Error &) {
            sh.up = false;
        }
    }
    h->last_retry = monotonic_seconds();
    return changed;
}

// Rebuilds the combined database from the shards that are up.
void combine(vpx_db *h) {
    Xapian::Database *all = new Xapian::Database();
    for (auto &sh : h->shards)
        if (sh.up) all->add_database(sh.db);
    delete h->db;
    h->db = all;
}

// After a network error (that operation's timeout spent): the shard the
// error names is dropped without being asked again. Every other remote
// connection may hold a reply the failed operation left unread, so they are
// opened afresh, those that greet within what is left of the request's
// deadline, checked all at once. Local shards stay as they are.
void lose_shards(vpx_db *h, const Xapian::NetworkError &e) {
    const vpx_shard *named = nullptr;
    for (auto &sh : h->shards) {
        if (!sh.path.empty()) continue;
        if (e.get_context() == remote_context(sh)) named = &sh;
        sh.up = false;
        sh.db = Xapian::Database();
    }
    open_down_shards(h, budget_left(h), named);
    combine(h);
}

// A shard's revision. A remote shard has none to give (xapian-tcpsrv):
// its count of commits, which the indexer keeps in the metadata, stands
// in. Throws when the shard does not answer.
uint64_t shard_revision(Xapian::Database &db) {
    try {
        return db.get_revision();
    } catch (const Xapian::Error &) {
        return std::strtoull(db.get_metadata(COMMITS_KEY).c_str(), nullptr, 10);
    }
}

size_t shards_up(const vpx_db *h) {
    size_t up = 0;
    for (const auto &sh : h->shards) up += sh.up;
    return up;
}

// What `path` resolves to now: the directory or shard list behind it (by
// device and inode, through any symlink) and, for a shard list, its
// modification time. A rebuild switched in by renaming a symlink or a
// shard list over the old one changes it; a commit does not.
std::string path_identity(const std::string &path) {
    struct stat st;
    if (stat(path.c_str(), &st) != 0) return std::string();
    std::string id = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
    std::string list = S_ISDIR(st.st_mode) ? path + "/XAPIANDB" : path;
    if (stat(list.c_str(), &st) == 0 && S_ISREG(st.st_mode))
        id += "/" + std::to_string(st.st_ino) + ":" + std::to_string(st.st_mtim.tv_sec) + "." +
              std::to_string(st.st_mtim.tv_nsec) + ":" + std::to_string(st.st_size);
    return id;
}

// What the version file of the single database at `path` is now, with
// `identity`: a commit writes a new file and renames it over the old one,
// so its inode, time and size change with every commit. Empty when there
// is no such file (another backend): the reader is then reopened always.
std::string version_stamp(const std::string &path, const std::string &identity) {
    struct stat st;
    if (stat((path + "/iamglass").c_str(), &st) != 0) return std::string();
    return identity + "|" + std::to_string(st.st_ino) + ":" + std::to_string(st.st_mtim.tv_sec) +
           "." + std::to_string(st.st_mtim.tv_nsec) + ":" + std::to_string(st.st_size);
}

// Opens a reader on `path`: one database, or the shards its list names.
// The spelling table of a sharded index, written by the indexer beside its
// shard list ("spelling" in the directory of the list): Xapian's remote
// backend keeps no spelling tables, so a server whose shards are remote
// corrects spelling from this local copy. Absent or unreadable: none.
Xapian::Database *open_spelling(const std::string &path) {
    struct stat st;
    std::string dir = path;
    if (stat(path.c_str(), &st) != 0) return nullptr;
    if (!S_ISDIR(st.st_mode)) {
        size_t slash = path.find_last_of('/');
        dir = slash == std::string::npos ? "." : path.substr(0, slash);
    }
    std::string spelling = dir + "/spelling";
    if (stat(spelling.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return nullptr;
    try {
        return new Xapian::Database(spelling);
    } catch (const Xapian::Error &) {
        return nullptr;
    }
}

void open_reader(vpx_db *h, const std::string &path) {
    h->path = path;
    h->identity = path_identity(path);
    if (read_shard_list(path, h->shards)) {
        h->spelling = open_spelling(path);
        // A shard that is down costs its greeting check; the index
        // answers from the rest and tries it again later.
        open_down_shards(h, REMOTE_TIMEOUT_MS / 1000.0);
        if (!shards_up(h)) throw Xapian::DatabaseOpeningError("no shard of " + path + " can be opened");
        combine(h);
    } else {
        h->db = new Xapian::Database(path);
    }
}

// When the path now leads to another index (a rebuild switched in), opens
// that one in place of the current. False when nothing changed or the new
// index cannot be opened yet; the current one then keeps serving.
bool switch_if_replaced(vpx_db *h) {
    std::string now = path_identity(h->path);
    if (now.empty() || now == h->identity) return false;
    vpx_db fresh;
    try {
        open_reader(&fresh, h->path);
    } catch (const Xapian::Error &) {
        delete fresh.db;
        return false;
    }
    std::swap(h->db, fresh.db);
    std::swap(h->shards, fresh.shards);
    std::swap(h->identity, fresh.identity);
    std::swap(h->spelling, fresh.spelling);
    h->last_retry = fresh.last_retry;
    delete fresh.db;  // the old reader; queries on other handles keep theirs
    delete fresh.spelling;
    return true;
}

/* Fills *err with `st`, the place `at` (may be NULL) and `msg`; returns `st`. */
vp_status set_message(vp_error *err, vp_status st, const vp_where *at,
                      const std::string &msg) noexcept {
    return vp_error_set(err, st, at, "%s", msg.c_str());
}

template <typename F>
vp_status guard(vp_error *err, const vp_where *at, F body) noexcept {
    try {
        return body();
    } catch (const Xapian::DatabaseLockError &e) {
        return set_message(err, VP_ERR_LOCKED, at,
                           "index is locked by another writer: " + e.get_msg());
    } catch (const Xapian::DatabaseModifiedError &e) {
        return set_message(err, VP_ERR_MODIFIED, at,
                           "index changed during the operation: " + e.get_msg());
    } catch (const Xapian::DatabaseNotFoundError &e) {
        return set_message(err, VP_ERR_NOT_FOUND, at, "no index found: " + e.get_msg());
    } catch (const Xapian::DatabaseOpeningError &e) {
        return set_message(err, VP_ERR_IO, at, "cannot open index: " + e.get_msg());
    } catch (const Xapian::QueryParserError &e) {
        return set_message(err, VP_ERR_INVALID, at, "cannot parse query: " + e.get_msg());
    } catch (const Xapian::Error &e) {
        return set_message(err, VP_ERR_INDEX, at, e.get_description());
    } catch (const std::bad_alloc &) {
        return set_message(err, VP_ERR_NOMEM, at, "out of memory");
    } catch (const std::exception &e) {
        return set_message(err, VP_ERR_INTERNAL, at, e.what());
    } catch (...) {
        return set_message(err, VP_ERR_INTERNAL, at, "unknown C++ exception");
    }
}

template <typename F>
vp_status guard(vp_error *err, F body) noexcept {
    return guard(err, nullptr, body);
}

char *dup_string(const std::string &s) {
    char *copy = static_cast<char *>(std::malloc(s.size() + 1));
    if (!copy) throw std::bad_alloc();
    std::memcpy(copy, s.data(), s.size());
    copy[s.size()] = '\0';
    return copy;
}

}  // namespace

extern "C" {

// ---- databases ----

vp_status vpx_db_open(const char *path, int writable, vpx_db **out, vp_error *err) noexcept {
    const vp_where at = {path, 0, nullptr, nullptr};
    return guard(err, &at, [&]() {
        vpx_db *h = new vpx_db;
        try {
            if (writable) {
                h->wdb = new Xapian::WritableDatabase(path, Xapian::DB_CREATE_OR_OPEN);
                h->db = h->wdb;
                // Everything between two commits is one transaction: a
                // crash or a close without commit leaves the last commit.
                h->wdb->begin_transaction(true);
            } else {
                open_reader(h, path);
            }
        } catch (...) {
            delete h->db;
            delete h;
            throw;
        }
        *out = h;
        return VP_OK;
    });
}

void vpx_db_close(vpx_db *h) noexcept {
    if (!h) return;
    try {
        if (h->wdb) {
            h->wdb->cancel_transaction();  // discard what was not committed
            h->wdb->close();               // releases the lock
        }
    } catch (...) {
    }
    delete h->db;
    delete h->spelling;
    delete h;
}

vp_status vpx_db_reopen(vpx_db *h, vp_error *err) noexcept {
    return guard(err, [&]() {
        if (h->wdb) return VP_OK;
        h->deadline = monotonic_seconds() + REMOTE_TIMEOUT_MS / 1000.0;
        if (switch_if_replaced(h)) return VP_OK;
        if (h->shards.empty()) {
            // Unchanged since the last reopen: the reader already reads
            // this version (a stat, where reopen reads the file). Taken
            // before the reopen, so a commit during it shows next time.
            std::string stamp = version_stamp(h->path, h->identity);
            if (!stamp.empty() && stamp == h->stamp) return VP_OK;
            h->db->reopen();
            h->stamp = stamp;
            return VP_OK;
        }
        bool down = shards_up(h) < h->shards.size();
        if (down && monotonic_seconds() - h->last_retry >= SHARD_RETRY_SECONDS &&
            open_down_shards(h, PROBE_RETRY_SECONDS)) {
            combine(h);
            return VP_OK;
        }
        try {
            h->db->reopen();
        } catch (const Xapian::NetworkError &e) {
            lose_shards(h, e);
        }
        if (!shards_up(h)) throw Xapian::DatabaseOpeningError("no shard of " + h->path + " answers");
        return VP_OK;
    });
}

size_t vpx_db_shards(const vpx_db *h, size_t *down, char ***down_names) noexcept {
    size_t n = 0;
    if (down) *down = 0;
    if (down_names) *down_names = nullptr;
    try {
        std::vector<std::string> names;
        for (const auto &sh : h->shards)
            if (!sh.up) names.push_back(sh.name);
        n = h->shards.size();
        if (down) *down = names.size();
        if (down_names && !names.empty()) {
            char **arr = static_cast<char **>(std::calloc(names.size() + 1, sizeof *arr));
            for (size_t i = 0; arr && i < names.size(); ++i) arr[i] = strdup(names[i].c_str());
            *down_names = arr;
        }
    } catch (...) {
    }
    return n;
}

vp_status vpx_db_stats(vpx_db *h, uint64_t *revision, uint64_t *documents,
                       vp_error *err) noexcept {
    return guard(err, [&]() {
        if (revision) {
            if (h->shards.empty()) {
                *revision = h->db->get_revision();
            } else {
                // Xapian has no revision for a combination: the sum of the
                // shards' changes whenever any of them commits.
                *revision = 0;
                for (auto &sh : h->shards)
                    if (sh.up) {
                        try {
                            *revision += shard_revision(sh.db);
                        } catch (const Xapian::Error &) {
                        }
                    }
            }
        }
        if (documents) *documents = h->db->get_doccount();
        return VP_OK;
    });
}

namespace {

// What the reader reads now: *which names the index behind the path and,
// sharded, the shards that answer; *exact adds the revisions. Each
// database's UUID is new with every rebuild, so an index switched in under
// the same path never passes for the old one, whatever its revision.
// Returns the revision (of a sharded index: the sum over its shards).
uint64_t version_text(vpx_db *h, std::string *which, std::string *exact) {
    *which = h->identity;
    exact->clear();
    uint64_t revision = 0;
    if (h->shards.empty()) {
        *which += "|" + h->db->get_uuid();
        revision = h->db->get_revision();
        *exact = std::to_string(revision);
    } else {
        for (auto &sh : h->shards) {
            *which += "|" + sh.name + (sh.up ? "+" + sh.db.get_uuid() : "-");
            if (!sh.up) continue;
            uint64_t r = shard_revision(sh.db);
            revision += r;
            *exact += std::to_string(r) + ",";
        }
    }
    return revision;
}

}  // namespace

vp_status vpx_db_version(vpx_db *h, vp_index_version *out, vp_error *err) noexcept {
    return guard(err, [&]() {
        std::string which, exact;
        uint64_t revision = version_text(h, &which, &exact);
        std::hash<std::string> hash;
        out->identity = hash(which);
        out->revision = revision;
        out->exact = hash(which + "#" + exact);
        return VP_OK;
    });
}

vp_status vpx_db_shard_stats(vpx_db *h, vp_shard_stats **out, size_t *n,
                             vp_error *err) noexcept {
    *out = nullptr;
    *n = 0;
    return guard(err, [&]() {
        if (h->shards.empty()) return VP_OK;
        vp_shard_stats *arr =
            static_cast<vp_shard_stats *>(std::calloc(h->shards.size(), sizeof *arr));
        if (!arr) throw std::bad_alloc();
        try {
            for (size_t i = 0; i < h->shards.size(); ++i) {
                vpx_shard &sh = h->shards[i];
                arr[i].name = dup_string(sh.name);
                if (!sh.up) continue;
                // One that stops answering now is down for this report;
                // the next reopen drops it from the combination.
                try {
                    arr[i].revision = shard_revision(sh.db);
                    arr[i].documents = sh.db.get_doccount();
                    arr[i].up = 1;
                } catch (const Xapian::Error &) {
                    arr[i].revision = arr[i].documents = 0;
                }
            }
        } catch (...) {
            vpx_shard_stats_free(arr, h->shards.size());
            throw;
        }
        *out = arr;
        *n = h->shards.size();
        return VP_OK;
    });
}

void vpx_shard_stats_free(vp_shard_stats *s, size_t n) noexcept {
    for (size_t i = 0; s && i < n; ++i) std::free(s[i].name);
    std::free(s);
}

vp_status vpx_db_get_metadata(vpx_db *h, const char *key, char **value, vp_error *err) noexcept {
    return guard(err, [&]() {
        *value = dup_string(h->db->get_metadata(key));
        return VP_OK;
    });
}

vp_status vpx_db_set_metadata(vpx_db *h, const char *key, const char *value,
                              vp_error *err) noexcept {
    return guard(err, [&]() {
        if (!h->wdb) {
            return set_message(err, VP_ERR_INVALID, nullptr, "index is open for reading only");
        }
        h->wdb->set_metadata(key, value);
        return VP_OK;
    });
}

vp_status vpx_db_commit(vpx_db *h, vp_error *err) noexcept {
    return guard(err, [&]() {
        if (!h->wdb) {
            return set_message(err, VP_ERR_INVALID, nullptr, "index is open for reading only");
        }
        // Counted in the metadata too: the revision of a shard served by
        // xapian-tcpsrv is read from there (vpx_db_stats).
        unsigned long long commits =
            std::strtoull(h->wdb->get_metadata(COMMITS_KEY).c_str(), nullptr, 10);
        h->wdb->set_metadata(COMMITS_KEY, std::to_string(commits + 1));
        h->wdb->commit_transaction();
        h->wdb->begin_transaction(true);
        return VP_OK;
    });
}

vp_status vpx_db_replace(vpx_db *h, const char *uid, vpx_doc *doc, vp_error *err) noexcept {
    return guard(err, [&]() {
        if (!h->wdb) {
            return set_message(err, VP_ERR_INVALID, nullptr, "index is open for reading only");
        }
        if (doc->collect_spelling) {
            for (Xapian::TermIterator t = doc->spelling.termlist_begin();
                 t != doc->spelling.termlist_end(); ++t)
                h->wdb->add_spelling(*t, t.get_wdf());
        }
        // Replacing by term opens the term's posting list, for which Xapian
        // first writes out every buffered position list; a frequency lookup
        // does not, and an id the index does not hold yet is simply added.
        if (h->wdb->term_exists(uid))
            h->wdb->replace_document(uid, doc->doc);
        else
            h->wdb->add_document(doc->doc);
        return VP_OK;
    });
}

vp_status vpx_db_delete(vpx_db *h, const char *uid, vp_error *err) noexcept {
    return guard(err, [&]() {
        if (!h->wdb) {
            return set_message(err, VP_ERR_INVALID, nullptr, "index is open for reading only");
        }
        if (h->wdb->get_termfreq(uid) == 0) return VP_ERR_NOT_FOUND;
        h->wdb->delete_document(uid);
        return VP_OK;
    });
}

vp_status vpx_db_get_data(vpx_db *h, const char *uid, char **data, vp_error *err) noexcept {
    return guard(err, [&]() {
        for (int attempt = 0;; ++attempt) {
            try {
                Xapian::PostingIterator it = h->db->postlist_begin(uid);
                if (it == h->db->postlist_end(uid)) return VP_ERR_NOT_FOUND;
                *data = dup_string(h->db->get_document(*it).get_data());
                return VP_OK;
            } catch (const Xapian::DatabaseModifiedError &) {
                if (attempt > 0 || h->wdb) throw;
                h->db->reopen();
            }
        }
    });
}

vp_status vpx_spelling_merge(const char *const *shards, size_t n, const char *out,
                             vp_error *err) noexcept {
    return guard(err, [&]() {
        std::map<std::string, Xapian::termcount> words;
        for (size_t i = 0; i < n; ++i) {
            Xapian::Database db(shards[i]);
            for (Xapian::TermIterator t = db.spellings_begin(); t != db.spellings_end(); ++t)
                words[*t] += t.get_termfreq();
        }
        Xapian::WritableDatabase w(out, Xapian::DB_CREATE_OR_OVERWRITE);
        for (const auto &kv : words) w.add_spelling(kv.first, kv.second);
        w.set_metadata("vindplaats:spelling-of", std::to_string(n) + " shards");
        w.commit();
        w.close();
        return VP_OK;
    });
}

vp_status vpx_db_discard(vpx_db *h, vp_error *err) noexcept {
    return guard(err, [&]() {
        if (!h->wdb) {
            return set_message(err, VP_ERR_INVALID, nullptr, "index is open for reading only");
        }
        h->wdb->cancel_transaction();
        h->wdb->begin_transaction(true);
        return VP_OK;
    });
}

vp_status vpx_spelling_suggest(vpx_db *h, const char *word, unsigned max_edit, char **out,
                               vp_error *err) noexcept {
    return guard(err, [&]() {
        Xapian::Database &db = h->spelling ? *h->spelling : *h->db;
        *out = dup_string(db.get_spelling_suggestion(word, max_edit));
        return VP_OK;
    });
}

vp_status vpx_db_termfreq(vpx_db *h, const char *term, uint64_t *n, vp_error *err) noexcept {
    return guard(err, [&]() {
        *n = h->db->get_termfreq(term);
        return VP_OK;
    });
}

vp_status vpx_db_term_ids(vpx_db *h, const char *term, const char *id_prefix, char ***ids,
                          size_t *n, vp_error *err) noexcept {
    return guard(err, [&]() {
        std::vector<std::string> found;
        const std::string pfx(id_prefix);
        for (int attempt = 0;; ++attempt) {
            try {
                found.clear();
                for (Xapian::PostingIterator p = h->db->postlist_begin(term);
                     p != h->db->postlist_end(term); ++p) {
                    Xapian::TermIterator t = h->db->termlist_begin(*p);
                    t.skip_to(pfx);
                    if (t != h->db->termlist_end(*p) && (*t).compare(0, pfx.size(), pfx) == 0)
                        found.push_back((*t).substr(pfx.size()));
                }
                break;
            } catch (const Xapian::DatabaseModifiedError &) {
                if (attempt > 0 || h->wdb) throw;
                h->db->reopen();
            }
        }
        char **arr = static_cast<char **>(std::calloc(found.size() + 1, sizeof *arr));
        if (!arr) throw std::bad_alloc();
        for (size_t i = 0; i < found.size(); ++i) {
            arr[i] = strdup(found[i].c_str());
            if (!arr[i]) {
                for (size_t j = 0; j < i; ++j) std::free(arr[j]);
                std::free(arr);
                throw std::bad_alloc();
            }
        }
        *ids = arr;
        *n = found.size();
        return VP_OK;
    });
}

vp_status vpx_db_prefix_terms(vpx_db *h, const char *prefix, size_t max, char ***terms,
                              uint64_t **freqs, size_t *n, vp_error *err) noexcept {
    return guard(err, [&]() {
        std::vector<std::pair<std::string, Xapian::doccount>> found;
        for (int attempt = 0;; ++attempt) {
            try {
                found.clear();
                for (Xapian::TermIterator t = h->db->allterms_begin(prefix);
                     t != h->db->allterms_end(prefix) && found.size() < max; ++t)
                    found.emplace_back(*t, t.get_termfreq());
                break;
            } catch (const Xapian::DatabaseModifiedError &) {
                if (attempt > 0 || h->wdb) throw;
                h->db->reopen();
            }
        }
        char **arr = static_cast<char **>(std::calloc(found.size() + 1, sizeof *arr));
        uint64_t *fr = static_cast<uint64_t *>(std::calloc(found.size() + 1, sizeof *fr));
        if (!arr || !fr) {
            std::free(arr);
            std::free(fr);
            throw std::bad_alloc();
        }
        for (size_t i = 0; i < found.size(); ++i) {
            arr[i] = static_cast<char *>(std::malloc(found[i].first.size() + 1));
            if (!arr[i]) {
                for (size_t j = 0; j < i; ++j) std::free(arr[j]);
                std::free(arr);
                std::free(fr);
                throw std::bad_alloc();
            }
            std::memcpy(arr[i], found[i].first.c_str(), found[i].first.size() + 1);
            fr[i] = found[i].second;
        }
        *terms = arr;
        *freqs = fr;
        *n = found.size();
        return VP_OK;
    });
}

// ---- documents ----

vp_status vpx_builder_create(const char *stem_language, vpx_builder **out,
                             vp_error *err) noexcept {
    return guard(err, [&]() {
        std::unique_ptr<vpx_builder> b(new vpx_builder);
        b->gen.set_stemmer(Xapian::Stem(new CachedStem(stem_language)));
        b->gen.set_stemming_strategy(Xapian::TermGenerator::STEM_SOME);
        b->spelling_gen.set_stemming_strategy(Xapian::TermGenerator::STEM_NONE);
        *out = b.release();
        return VP_OK;
    });
}

void vpx_builder_destroy(vpx_builder *b) noexcept {
    delete b;
}

vp_status vpx_doc_create(vpx_builder *b, vpx_db *spelling_db, vpx_doc **out,
                         vp_error *err) noexcept {
    return guard(err, [&]() {
        std::unique_ptr<vpx_doc> d(new vpx_doc);
        d->builder = b;
        b->gen.set_document(d->doc);  // also starts the positions at 0 again
        if (spelling_db && spelling_db->wdb) {
            b->gen.set_database(*spelling_db->wdb);
            d->fed_db = true;
        } else {
            d->collect_spelling = true;
            b->spelling_gen.set_document(d->spelling);
        }
        *out = d.release();
        return VP_OK;
    });
}

void vpx_doc_done(vpx_doc *d) noexcept {
    // The generators hold references to the documents (and the database):
    // counted without atomics, so they are dropped on the building thread.
    if (!d || !d->builder) return;
    try {
        d->builder->gen.set_document(Xapian::Document());
        if (d->fed_db) d->builder->gen.set_database(Xapian::WritableDatabase());
        if (d->collect_spelling) d->builder->spelling_gen.set_document(Xapian::Document());
    } catch (...) {
        // Only allocation can fail here; the next vpx_doc_create replaces them.
    }
    d->builder = nullptr;
}

void vpx_doc_destroy(vpx_doc *d) noexcept {
    vpx_doc_done(d);
    delete d;
}

vp_status vpx_doc_set_data(vpx_doc *d, const char *data, vp_error *err) noexcept {
    return guard(err, [&]() {
        d->doc.set_data(data);
        return VP_OK;
    });
}

vp_status vpx_doc_add_boolean_term(vpx_doc *d, const char *term, vp_error *err) noexcept {
    return guard(err, [&]() {
        // Xapian refuses terms over 245 bytes; such a value cannot be a filter.
        if (std::strlen(term) > 240) {
            return set_message(err, VP_ERR_INVALID, nullptr,
                               std::string("term too long: ") + std::string(term, 40) + "...");
        }
        d->doc.add_boolean_term(term);
        return VP_OK;
    });
}

vp_status vpx_doc_index_text(vpx_doc *d, const char *text, unsigned wdf_inc, const char *prefix,
                             int spelling, int positions, vp_error *err) noexcept {
    return guard(err, [&]() {
        if (!d->builder) {
            return set_message(err, VP_ERR_INTERNAL, nullptr, "document already built");
        }
        Xapian::TermGenerator &gen = d->builder->gen;
        // The new flags are (old & mask) ^ toggle; mask 0 sets them outright.
        gen.set_flags(spelling && !d->collect_spelling ? Xapian::TermGenerator::FLAG_SPELLING
                                                          : Xapian::TermGenerator::flags(0));
        // TermGenerator feeds the spelling table the unstemmed words of
        // text without a prefix; collected, they are the same words.
        if (spelling && d->collect_spelling && !*prefix)
            d->builder->spelling_gen.index_text_without_positions(text);
        if (positions) {
            gen.index_text(text, wdf_inc, prefix);
            gen.increase_termpos(100);
        } else {
            gen.index_text_without_positions(text, wdf_inc, prefix);
        }
        return VP_OK;
    });
}

vp_status vpx_doc_set_value(vpx_doc *d, unsigned slot, const char *value, vp_error *err) noexcept {
    return guard(err, [&]() {
        d->doc.add_value(slot, value);
        return VP_OK;
    });
}

vp_status vpx_doc_set_value_bytes(vpx_doc *d, unsigned slot, const char *value, size_t len,
                                  vp_error *err) noexcept {
    return guard(err, [&]() {
        d->doc.add_value(slot, std::string(value, len));
        return VP_OK;
    });
}

vp_status vpx_doc_set_location(vpx_doc *d, unsigned slot, double lat, double lon,
                               vp_error *err) noexcept {
    return guard(err, [&]() {
        d->doc.add_value(slot, Xapian::LatLongCoord(lat, lon).serialise());
        return VP_OK;
    });
}

// ---- queries ----

vp_status vpx_query_value_range(unsigned slot, const char *lo, const char *hi, vpx_query **out,
                                vp_error *err) noexcept {
    return guard(err, [&]() {
        *out = new vpx_query{Xapian::Query(Xapian::Query::OP_VALUE_RANGE, slot, lo, hi)};
        return VP_OK;
    });
}

vp_status vpx_query_fixed_weight(double weight, vpx_query **out, vp_error *err) noexcept {
    return guard(err, [&]() {
        *out = new vpx_query{Xapian::Query((new Xapian::FixedWeightPostingSource(weight))->release())};
        return VP_OK;
    });
}

}  // extern "C": the posting source below is C++

namespace {
// The soon boost read from each offering's day spans (schema.h, SLOT_DAYS):
// for each window, its weight when a span meets it. The same weights as the
// OR of date-term filters it stands for, from one value read per candidate
// instead of advancing every date term's posting list.
class DaySpansSource : public Xapian::ValuePostingSource {
    std::vector<vpx_day_window> windows;
    double most = 0;

  public:
    DaySpansSource(Xapian::valueno value_slot, const vpx_day_window *w, size_t n)
        : Xapian::ValuePostingSource(value_slot), windows(w, w + n) {
        for (const auto &win : windows) most += win.weight;
    }
    void init(const Xapian::Database &database) override {
        Xapian::ValuePostingSource::init(database);
        set_maxweight(most);
    }
    double get_weight() const override {
        std::string v = get_value();
        double w = 0;
        for (const auto &win : windows) {
            for (size_t i = 0; i + 8 <= v.size(); i += 8) {
                int64_t first = vpx_day_span_read(v.data() + i);
                int64_t last = vpx_day_span_read(v.data() + i + 4);
                if (first <= win.last && last >= win.first) {
                    w += win.weight;
                    break;
                }
            }
        }
        return w;
    }
    DaySpansSource *clone() const override {
        return new DaySpansSource(get_slot(), windows.data(), windows.size());
    }
    std::string name() const override { return "vindplaats::DaySpansSource"; }
};
}  // namespace

extern "C" {

vp_status vpx_query_day_spans(unsigned slot, const vpx_day_window *windows, size_t n,
                              vpx_query **out, vp_error *err) noexcept {
    return guard(err, [&]() {
        *out = new vpx_query{Xapian::Query((new DaySpansSource(slot, windows, n))->release())};
        return VP_OK;
    });
}

int vpx_db_remote(const vpx_db *h) noexcept {
    for (const auto &sh : h->shards)
        if (sh.path.empty()) return 1;
    return 0;
}

vp_status vpx_query_scale(const vpx_query *q, double factor, vpx_query **out,
                          vp_error *err) noexcept {
    return guard(err, [&]() {
        *out = new vpx_query{Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, q->q, factor)};
        return VP_OK;
    });
}

vp_status vpx_query_near(unsigned slot, double lat, double lon, double max_km, double half_km,
                         vpx_query **out, vp_error *err) noexcept {
    return guard(err, [&]() {
        Xapian::LatLongCoords centre(Xapian::LatLongCoord(lat, lon));
        auto *src = new Xapian::LatLongDistancePostingSource(
            slot, centre, Xapian::GreatCircleMetric(), max_km * 1000.0, half_km * 1000.0, 1.0);
        *out = new vpx_query{Xapian::Query(src->release())};
        return VP_OK;
    });
}

vp_status vpx_query_match_all(vpx_query **out, vp_error *err) noexcept {
    return guard(err, [&]() {
        /* A query of its own, not a copy of Xapian::Query::MatchAll: that
         * one object is shared by every thread, and copying or dropping a
         * Query changes its reference count without atomics, so worker
         * threads browsing at once corrupted it (a use after free). The
         * empty term is what MatchAll itself is made of. */
        *out = new vpx_query{Xapian::Query(std::string())};
        return VP_OK;
    });
}

vp_status vpx_query_term(const char *term, vpx_query **out, vp_error *err) noexcept {
    return guard(err, [&]() {
        *out = new vpx_query{Xapian::Query(term)};
        return VP_OK;
    });
}

vp_status vpx_query_combine(vpx_op op, vpx_query *const *subs, size_t n, vpx_query **out,
                            vp_error *err) noexcept {
    return guard(err, [&]() {
        std::vector<Xapian::Query> parts;
        for (size_t i = 0; i < n; ++i)
            if (subs[i]) parts.push_back(subs[i]->q);
        Xapian::Query::op xop = Xapian::Query::OP_AND;
        switch (op) {
            case VPX_OP_AND: xop = Xapian::Query::OP_AND; break;
            case VPX_OP_OR: xop = Xapian::Query::OP_OR; break;
            case VPX_OP_FILTER: xop = Xapian::Query::OP_FILTER; break;
            case VPX_OP_AND_NOT: xop = Xapian::Query::OP_AND_NOT; break;
            case VPX_OP_AND_MAYBE: xop = Xapian::Query::OP_AND_MAYBE; break;
            case VPX_OP_MAX: xop = Xapian::Query::OP_MAX; break;
        }
        *out = new vpx_query{Xapian::Query(xop, parts.begin(), parts.end())};
        return VP_OK;
    });
}

// Alternatives of one word (a synonym group: "cursus OR training OR les
// OR workshop") weigh as one word: OP_SYNONYM sums their wdf and takes the
// group's frequency, so an offering that happens to hold two of them does
// not outrank one that holds the other words of the query. Only ORs of
// plain terms under ANDs are rewritten; everything else is kept as parsed.
static Xapian::Query synonym_groups(const Xapian::Query &q) {
    size_t n = q.get_num_subqueries();
    if (q.get_type() == Xapian::Query::OP_OR && n > 1) {
        for (size_t i = 0; i < n; i++)
            if (q.get_subquery(i).get_type() != Xapian::Query::LEAF_TERM) return q;
        std::vector<Xapian::Query> subs;
        for (size_t i = 0; i < n; i++) subs.push_back(q.get_subquery(i));
        return Xapian::Query(Xapian::Query::OP_SYNONYM, subs.begin(), subs.end());
    }
    if (q.get_type() != Xapian::Query::OP_AND) return q;
    std::vector<Xapian::Query> subs;
    for (size_t i = 0; i < n; i++) subs.push_back(synonym_groups(q.get_subquery(i)));
    return Xapian::Query(Xapian::Query::OP_AND, subs.begin(), subs.end());
}

vp_status vpx_query_parse(vpx_db *h, const char *text, const vpx_parser_opts *opts, int plain,
                          vpx_query **out, char **corrected, vp_error *err) noexcept {
    return guard(err, [&]() {
        Xapian::QueryParser qp;
        // Spelling correction reads the local spelling table of a sharded
        // index when there is one (the caller then wants only the
        // corrected string, not the query).
        qp.set_database(corrected && h->spelling ? *h->spelling : *h->db);
        qp.set_stemmer(Xapian::Stem(opts->stem_language));
        qp.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
        qp.set_default_op(opts->default_or ? Xapian::Query::OP_OR : Xapian::Query::OP_AND);
        if (opts->prefixes)
            for (const char *const *p = opts->prefixes; p[0] && p[1]; p += 2)
                qp.add_prefix(p[0], p[1]);
        if (opts->boolean_prefixes)
            for (const char *const *p = opts->boolean_prefixes; p[0] && p[1]; p += 2)
                qp.add_boolean_prefix(p[0], p[1]);
        Xapian::SimpleStopper *stopper = nullptr;
        if (opts->stopwords && opts->stopwords[0]) {
            stopper = new Xapian::SimpleStopper();
            for (const char *const *w = opts->stopwords; *w; ++w) stopper->add(*w);
            qp.set_stopper(stopper->release());
        }
        qp.set_max_expansion(opts->max_wildcard_expansion,
                             Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT);
        unsigned flags = plain ? 0u
                               : (Xapian::QueryParser::FLAG_PHRASE |
                                  Xapian::QueryParser::FLAG_BOOLEAN |
                                  Xapian::QueryParser::FLAG_LOVEHATE |
                                  Xapian::QueryParser::FLAG_WILDCARD);
        if (corrected) flags |= Xapian::QueryParser::FLAG_SPELLING_CORRECTION;
        Xapian::Query parsed = qp.parse_query(text, flags);
        if (corrected) *corrected = dup_string(qp.get_corrected_query_string());
        if (!opts->default_or) parsed = synonym_groups(parsed);
        *out = new vpx_query{parsed};
        return VP_OK;
    });
}

vp_status vpx_query_words(vpx_db *h, const char *text, const char *prefix, int any_word,
                          int phrase, const vpx_parser_opts *opts, vpx_query **out,
                          vp_error *err) noexcept {
    return guard(err, [&]() {
        Xapian::QueryParser qp;
        qp.set_database(*h->db);  // expands the words a '*' stands for
        qp.set_stemmer(Xapian::Stem(opts->stem_language));
        qp.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
        qp.set_default_op(any_word ? Xapian::Query::OP_OR : Xapian::Query::OP_AND);
        if (opts->stopwords && opts->stopwords[0]) {
            Xapian::SimpleStopper *stopper = new Xapian::SimpleStopper();
            for (const char *const *w = opts->stopwords; *w; ++w) stopper->add(*w);
            qp.set_stopper(stopper->release());
        }
        qp.set_max_expansion(opts->max_wildcard_expansion,
                             Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT);
        // Only quotes of our own make a phrase: the caller's are dropped.
        std::string words;
        for (const char *p = text; *p; ++p) words += *p == '"' ? ' ' : *p;
        unsigned flags = 0;
        if (std::strchr(text, '*')) flags |= Xapian::QueryParser::FLAG_WILDCARD;
        if (phrase) {
            words = "\"" + words + "\"";
            flags |= Xapian::QueryParser::FLAG_PHRASE;
        }
        *out = new vpx_query{qp.parse_query(words, flags, prefix)};
        return VP_OK;
    });
}

}  // extern "C"

namespace {
bool positional(const Xapian::Query &q) {
    if (q.get_type() == Xapian::Query::OP_PHRASE || q.get_type() == Xapian::Query::OP_NEAR)
        return true;
    for (size_t i = 0; i < q.get_num_subqueries(); ++i)
        if (positional(q.get_subquery(i))) return true;
    return false;
}
}  // namespace

extern "C" {

int vpx_query_positional(const vpx_query *q) noexcept {
    try {
        return positional(q->q) ? 1 : 0;
    } catch (...) {
        return 1;
    }
}

int vpx_query_is_empty(const vpx_query *q) noexcept {
    return q->q.empty() ? 1 : 0;
}

vp_status vpx_query_terms(const vpx_query *q, char ***terms, size_t *n, vp_error *err) noexcept {
    return guard(err, [&]() {
        std::vector<std::string> all(q->q.get_unique_terms_begin(), q->q.get_unique_terms_end());
        char **arr = static_cast<char **>(std::calloc(all.size() + 1, sizeof *arr));
        if (!arr) throw std::bad_alloc();
        for (size_t i = 0; i < all.size(); ++i) {
            arr[i] = static_cast<char *>(std::malloc(all[i].size() + 1));
            if (!arr[i]) {
                for (size_t j = 0; j < i; ++j) std::free(arr[j]);
                std::free(arr);
                throw std::bad_alloc();
            }
            std::memcpy(arr[i], all[i].c_str(), all[i].size() + 1);
        }
        *terms = arr;
        *n = all.size();
        return VP_OK;
    });
}

vp_status vpx_query_like(vpx_db *h, const char *uid, unsigned n_terms, vpx_query **out,
                         vp_error *err) noexcept {
    return guard(err, [&]() {
        for (int attempt = 0;; ++attempt) {
            try {
                Xapian::PostingIterator it = h->db->postlist_begin(uid);
                if (it == h->db->postlist_end(uid)) return VP_ERR_NOT_FOUND;
                Xapian::RSet rset;
                rset.add_document(*it);
                Xapian::Enquire enq(*h->db);
                enq.set_query(Xapian::Query(uid));
                // Stemmed unprefixed text terms ("Z" + a lower-case letter or digit).
                Xapian::ExpandDeciderFilterPrefix stems("Z");
                Xapian::ESet eset = enq.get_eset(n_terms * 2, rset, &stems);
                std::vector<Xapian::Query> terms;
                for (Xapian::ESetIterator e = eset.begin(); e != eset.end() && terms.size() < n_terms; ++e) {
                    const std::string &t = *e;
                    if (t.size() > 1 && (std::islower(static_cast<unsigned char>(t[1])) ||
                                         std::isdigit(static_cast<unsigned char>(t[1]))))
                        terms.emplace_back(t);
                }
                *out = new vpx_query{Xapian::Query(Xapian::Query::OP_OR, terms.begin(), terms.end())};
                return VP_OK;
            } catch (const Xapian::DatabaseModifiedError &) {
                if (attempt > 0 || h->wdb) throw;
                h->db->reopen();
            }
        }
    });
}

void vpx_query_destroy(vpx_query *q) noexcept {
    delete q;
}

// ---- matching ----

}  // extern "C": the helpers below return C++ types

namespace {
// Counts the documents the match looks at, before collapsing.
class CountingSpy : public Xapian::MatchSpy {
  public:
    Xapian::doccount seen = 0;
    void operator()(const Xapian::Document &, double) override { ++seen; }
};

// The distinct values of one slot among the documents matched, as a
// collapse on that slot counts them: a document with an empty value is
// never collapsed, so it counts alone.
class DistinctSpy : public Xapian::MatchSpy {
    Xapian::valueno slot;
  public:
    explicit DistinctSpy(Xapian::valueno s) : slot(s) {}
    std::unordered_set<std::string> values;
    Xapian::doccount seen = 0, alone = 0;
    void operator()(const Xapian::Document &doc, double) override {
        ++seen;
        std::string v = doc.get_value(slot);
        if (v.empty())
            ++alone;
        else
            values.insert(std::move(v));
    }
    Xapian::doccount distinct() const { return alone + static_cast<Xapian::doccount>(values.size()); }
};

// Counting matches kept per index version: at most this many, of at most
// this many bytes in all, each of at least COUNTS_MIN_DOCUMENTS matches (a
// narrower one costs about what a lookup saves).
const size_t COUNTS_MAX_ENTRIES = 256;
const size_t COUNTS_MAX_BYTES = 4u << 20;
const Xapian::doccount COUNTS_MIN_DOCUMENTS = 1000;

size_t counts_bytes(const std::string &key, const vpx_counts &c) {
    size_t n = key.size() + sizeof c + 64;
    for (const auto &spy : c.spies)
        for (const auto &v : spy.values) n += v.first.size() + sizeof v + 32;
    return n;
}

// The key of a counting match in h->counts, or "" when it is not kept:
// only on one database (a remote shard's counts are not ours to keep) and
// only for queries Xapian can serialise.
std::string counts_key(vpx_db *h, const Xapian::Query &q, const vpx_enquire_opts *opts) {
    if (!opts->keep_counts || !h->shards.empty() || h->wdb || opts->limit > 0 ||
        opts->collapse_slot > 0 || opts->check_at_least < h->db->get_doccount())
        return std::string();
    std::string key;
    try {
        key = q.serialise();
    } catch (const Xapian::UnimplementedError &) {
        return std::string();
    }
    key += '\0' + std::to_string(opts->distinct_slot);
    for (size_t i = 0; i < opts->n_spy_slots; ++i) key += ',' + std::to_string(opts->spy_slots[i]);
    return key;
}

// The counts kept under `key` at the version `h` reads now, or NULL; drops
// every entry when the version has changed (a commit, a rebuild switched in).
const vpx_counts *counts_get(vpx_db *h, const std::string &key) {
    std::string which, exact;
    version_text(h, &which, &exact);
    std::string version = which + "#" + exact;
    if (version != h->counts.version) {
        h->counts.entries.clear();
        h->counts.order.clear();
        h->counts.bytes = 0;
        h->counts.version = version;
        return nullptr;
    }
    auto it = h->counts.entries.find(key);
    return it == h->counts.entries.end() ? nullptr : &it->second;
}

void counts_put(vpx_db *h, const std::string &key, const vpx_counts &c) {
    size_t bytes = counts_bytes(key, c);
    if (c.documents < COUNTS_MIN_DOCUMENTS || bytes > COUNTS_MAX_BYTES / 8) return;
    vpx_count_cache &cc = h->counts;
    while (!cc.order.empty() &&
           (cc.entries.size() >= COUNTS_MAX_ENTRIES || cc.bytes + bytes > COUNTS_MAX_BYTES)) {
        auto old = cc.entries.find(cc.order.front());
        if (old != cc.entries.end()) {
            cc.bytes -= counts_bytes(old->first, old->second);
            cc.entries.erase(old);
        }
        cc.order.pop_front();
    }
    if (cc.entries.emplace(key, c).second) {
        cc.order.push_back(key);
        cc.bytes += bytes;
    }
}

vpx_mset *mset_of_counts(const vpx_counts &c) {
    vpx_mset *ms = new vpx_mset;
    ms->lower = ms->estimated = ms->upper = c.distinct;
    ms->documents = c.documents;
    ms->spies = c.spies;
    return ms;
}
}  // namespace

extern "C" {

vp_status vpx_enquire(vpx_db *h, const vpx_query *q, const vpx_enquire_opts *opts,
                      vpx_mset **out, vp_error *err) noexcept {
    return guard(err, [&]() {
        for (int attempt = 0;; ++attempt) {
            try {
                std::string key = counts_key(h, q->q, opts);
                const vpx_counts *kept = key.empty() ? nullptr : counts_get(h, key);
                if (kept) {
                    *out = mset_of_counts(*kept);
                    return VP_OK;
                }
                Xapian::Enquire enq(*h->db);
                enq.set_query(q->q);
                if (opts->coord_weight) enq.set_weighting_scheme(Xapian::CoordWeight());
                if (opts->sort_near && opts->sort_slot >= 0) {
                    Xapian::LatLongCoord centre(opts->near_lat, opts->near_lon);
                    auto *keymaker = new Xapian::LatLongDistanceKeyMaker(
                        static_cast<Xapian::valueno>(opts->sort_slot), centre,
                        Xapian::GreatCircleMetric());
                    enq.set_sort_by_key_then_relevance(keymaker->release(), false);
                } else if (opts->sort_slot >= 0) {
                    enq.set_sort_by_value_then_relevance(
                        static_cast<Xapian::valueno>(opts->sort_slot), false);
                } else if (opts->tiebreak_slot > 0) {
                    // Equal weights in the value's order, not document ids:
                    // the same answers from one index and from shards.
                    enq.set_sort_by_relevance_then_value(
                        static_cast<Xapian::valueno>(opts->tiebreak_slot), false);
                }
                if (opts->collapse_slot > 0)
                    enq.set_collapse_key(static_cast<Xapian::valueno>(opts->collapse_slot),
                                         opts->collapse_max ? opts->collapse_max : 1);
                std::vector<std::unique_ptr<Xapian::ValueCountMatchSpy>> spies;
                for (size_t i = 0; i < opts->n_spy_slots; ++i)
                    spies.emplace_back(new Xapian::ValueCountMatchSpy(opts->spy_slots[i]));
                // Over remote shards a spy also counts the documents the
                // page returns a second time; counted in a match that
                // returns none, the counts equal those of one index.
                bool remote = false;
                for (const auto &sh : h->shards) remote |= sh.up && sh.path.empty();
                if (remote && !spies.empty() && opts->limit > 0) {
                    Xapian::Enquire counting(*h->db);
                    counting.set_query(q->q);
                    for (auto &spy : spies) counting.add_matchspy(spy.get());
                    (void)counting.get_mset(0, 0, static_cast<Xapian::doccount>(opts->check_at_least));
                } else {
                    for (auto &spy : spies) enq.add_matchspy(spy.get());
                }
                // The documents behind collapsed results (one machine only:
                // a remote shard cannot run a spy of ours).
                CountingSpy counter;
                if (opts->collapse_slot > 0 && !remote) enq.add_matchspy(&counter);
                // A counting match sees every match: its spies' counts
                // are the totals.
                // Distinct values are counted over every match, also when
                // a reopen above found more documents than the caller knew.
                Xapian::doccount check = static_cast<Xapian::doccount>(opts->check_at_least);
                if (opts->distinct_slot > 0 && check < h->db->get_doccount())
                    check = h->db->get_doccount();
                const bool counting_all = opts->limit == 0 && opts->collapse_slot <= 0 && !remote &&
                                          check >= h->db->get_doccount();
                std::unique_ptr<DistinctSpy> distinct;
                if (opts->distinct_slot > 0) {
                    if (!counting_all)
                        throw Xapian::InvalidOperationError(
                            "distinct values are counted only by a counting match of one machine");
                    distinct.reset(new DistinctSpy(static_cast<Xapian::valueno>(opts->distinct_slot)));
                    enq.add_matchspy(distinct.get());
                } else if (counting_all) {
                    enq.add_matchspy(&counter);
                }
                Xapian::MSet mset = enq.get_mset(static_cast<Xapian::doccount>(opts->offset),
                                                 static_cast<Xapian::doccount>(opts->limit), check);
                vpx_mset *ms = new vpx_mset;
                try {
                    ms->lower = mset.get_matches_lower_bound();
                    ms->estimated = mset.get_matches_estimated();
                    ms->upper = mset.get_matches_upper_bound();
                    // Collapsing, Xapian never calls its count exact, but
                    // while fewer than check_at_least had matched every
                    // match went through the collapser, so its lower bound
                    // (the distinct values seen) is the count. Not so for
                    // remote shards: they send only their best documents.
                    const Xapian::doccount dbsize = h->db->get_doccount();
                    if (opts->collapse_slot > 0 && !remote &&
                        (opts->check_at_least >= dbsize ||
                         mset.get_uncollapsed_matches_lower_bound() < opts->check_at_least))
                        ms->estimated = ms->upper = ms->lower;
                    // Xapian's uncollapsed bounds are loose even when every
                    // match was seen; the counting spy is exact then.
                    ms->documents = opts->collapse_slot > 0
                                        ? mset.get_uncollapsed_matches_estimated()
                                        : ms->estimated;
                    // Bounds that meet with a collapse: every match went
                    // through the collapser, so the spy saw every one.
                    const bool saw_all = opts->collapse_slot > 0 && !remote &&
                                         ms->lower == ms->upper;
                    if (counter.seen && (counter.seen < opts->check_at_least ||
                                         opts->check_at_least >= dbsize || saw_all))
                        ms->documents = counter.seen;
                    else if (counter.seen > ms->documents)
                        ms->documents = counter.seen;
                    ms->n_values = opts->n_value_slots;
                    for (Xapian::MSetIterator it = mset.begin(); it != mset.end(); ++it) {
                        Xapian::Document doc = it.get_document();
                        ms->data.push_back(opts->without_data ? std::string() : doc.get_data());
                        for (size_t k = 0; k < opts->n_value_slots; ++k)
                            ms->values.push_back(
                                doc.get_value(static_cast<Xapian::valueno>(opts->value_slots[k])));
                        ms->docids.push_back(*it);
                        ms->weights.push_back(it.get_weight());
                        ms->collapse_keys.push_back(opts->collapse_slot > 0 ? it.get_collapse_key()
                                                                            : std::string());
                    }
                    ms->spies.resize(spies.size());
                    for (size_t i = 0; i < spies.size(); ++i)
                        for (Xapian::TermIterator t = spies[i]->values_begin();
                             t != spies[i]->values_end(); ++t)
                            ms->spies[i].values.emplace_back(*t, t.get_termfreq());
                    if (counting_all) {
                        ms->lower = ms->estimated = ms->upper =
                            distinct ? distinct->distinct() : counter.seen;
                        ms->documents = distinct ? distinct->seen : counter.seen;
                    }
                    if (!key.empty()) {
                        vpx_counts c;
                        c.distinct = ms->lower;
                        c.documents = ms->documents;
                        c.spies = ms->spies;
                        counts_put(h, key, c);
                    }
                } catch (...) {
                    delete ms;
                    throw;
                }
                *out = ms;
                return VP_OK;
            } catch (const Xapian::DatabaseModifiedError &) {
                if (attempt > 0 || h->wdb) throw;
                h->db->reopen();
            } catch (const Xapian::NetworkError &e) {
                // A remote shard went away or hung: answer from the others.
                if (attempt > 0 || h->shards.empty()) throw;
                lose_shards(h, e);
                if (!shards_up(h))
                    throw Xapian::DatabaseOpeningError("no shard of " + h->path + " answers");
            }
        }
    });
}

void vpx_mset_destroy(vpx_mset *ms) noexcept {
    delete ms;
}

size_t vpx_mset_size(const vpx_mset *ms) noexcept {
    return ms->data.size();
}

void vpx_mset_totals(const vpx_mset *ms, uint64_t *lower, uint64_t *estimated,
                     uint64_t *upper) noexcept {
    if (lower) *lower = ms->lower;
    if (estimated) *estimated = ms->estimated;
    if (upper) *upper = ms->upper;
}

uint64_t vpx_mset_documents(const vpx_mset *ms) noexcept {
    return ms->documents;
}

const char *vpx_mset_collapse_key(const vpx_mset *ms, size_t i, size_t *len) noexcept {
    if (len) *len = ms->collapse_keys[i].size();
    return ms->collapse_keys[i].c_str();
}

const char *vpx_mset_data(const vpx_mset *ms, size_t i) noexcept {
    return ms->data[i].c_str();
}

double vpx_mset_weight(const vpx_mset *ms, size_t i) noexcept {
    return ms->weights[i];
}

const char *vpx_mset_value(const vpx_mset *ms, size_t i, size_t k, size_t *len) noexcept {
    const std::string &v = ms->values[i * ms->n_values + k];
    if (len) *len = v.size();
    return v.c_str();
}

uint64_t vpx_mset_docid(const vpx_mset *ms, size_t i) noexcept {
    return ms->docids[i];
}

size_t vpx_mset_spy_size(const vpx_mset *ms, size_t spy) noexcept {
    return spy < ms->spies.size() ? ms->spies[spy].values.size() : 0;
}

const char *vpx_mset_spy_value(const vpx_mset *ms, size_t spy, size_t i, uint64_t *count) noexcept {
    const auto &v = ms->spies[spy].values[i];
    if (count) *count = v.second;
    return v.first.c_str();
}

// ---- stemming ----

vp_status vpx_stemmer_create(const char *language, vpx_stemmer **out, vp_error *err) noexcept {
    return guard(err, [&]() {
        *out = new vpx_stemmer{Xapian::Stem(language)};
        return VP_OK;
    });
}

void vpx_stemmer_destroy(vpx_stemmer *st) noexcept {
    delete st;
}

char *vpx_stem(vpx_stemmer *st, const char *word) noexcept {
    try {
        return dup_string(st->stem(word));
    } catch (...) {
        return nullptr;
    }
}

}  // extern "C"
