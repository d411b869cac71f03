/* xapian_raw.cc - vindplaats-peer-xapian: the benchmark's floor, the same
 * corpus and query mix through plain Xapian 1.4 with nothing of Vindplaats
 * around it. What Vindplaats adds above this (query understanding, spelling,
 * facets without their own filter, boosts, snippets, works) is what the
 * ratio Vindplaats / raw Xapian in bench/results prices.
 *
 * It is the one C++ file outside engine/ on purpose: a floor measured
 * through our own wrapper would not be a floor. It uses only common.c
 * (reading offerings and the mix, threads, figures) with the SQLite and
 * PostgreSQL peers, so all three run the same queries.
 *
 * usage: vindplaats-peer-xapian --offerings FILE --queries FILE --db DIR
 *        [--threads N] [--index-threads N] [--json FILE] [--label TEXT]
 *        [--now DATE-TIME] [--vocabulary FILE] [--postcodes FILE]
 *        [--stopwords FILE] [--show] [--skip-index]
 *
 * Indexing: one document per offering, TermGenerator with the Dutch
 * stemmer (Stem("dutch"), as the engine) and positions; the fields weighted
 * by wdf as Vindplaats and the SQLite peer weight them (title 6, local and
 * proposition name 4, subjects and creators 2, description and place names
 * 1); one boolean term per filter value, per occurrence day (D20261203) and
 * per month (M202612); one term "Zlive" for an offering that has not ended
 * at --now (the cheapest way Xapian can hide the past: a term fixed at load
 * time); values for the facets and the location; the document data is
 * "id TAB title TAB type", what the peers show of a hit.
 * With --index-threads N (2 in bench/run.sh) the same offerings are also
 * written into N shards DIR.shard-K, by N threads at once, to measure how
 * plain Xapian indexing scales on the cores; searching uses DIR.
 *
 * Searching: the words of q without the stop words through QueryParser
 * (default operator AND, Dutch stemmer, STEM_SOME), BM25, top 10, every hit's
 * document read; filters as OP_FILTER of OR-ed boolean terms; a date range as
 * the months it covers whole plus the days at its edges; a radius as a
 * LatLongDistancePostingSource OR the channel "online"; facets by match spies
 * with every match counted (check_at_least = all documents), the total
 * exact then and Xapian's estimate otherwise. Only stop words, or no q,
 * browses in document order.
 */
#include <dirent.h>
#include <pthread.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <xapian.h>

extern "C" {
#include "common.h"
}

#define SYSTEM "xapian-raw"

namespace {

enum slot { SLOT_TYPE, SLOT_LIBRARY, SLOT_PROPOSITION, SLOT_AUDIENCE, SLOT_CHANNEL, SLOT_LOCATION };
/* Facet k (FA_*) counted on value slot facet_slot[k]. */
const unsigned facet_slot[NFA] = {SLOT_TYPE, SLOT_LIBRARY, SLOT_PROPOSITION, SLOT_AUDIENCE, SLOT_CHANNEL};
/* Boolean term prefix of filter k (F_*). */
const char *const filter_prefix[NF] = {"XT", "XL", "XB", "XP", "XS", "XA", "XC", "XG"};
const char GROUP_SEP = '\x1f';

int64_t g_clock;
std::set<std::string> g_stop; /* lower-cased stop words */

/* ---- indexing ---- */

struct loader {
    Xapian::WritableDatabase db;
    Xapian::TermGenerator tg;
    long mine = 0;       /* offerings this loader wrote */
    long seen = 0;       /* offerings read, for the round-robin over shards */
    int shard = 0, n_shards = 1;
    std::string error;
};

void text(Xapian::TermGenerator &tg, const char *s, unsigned weight)
{
    if (s && *s) {
        tg.index_text(s, weight);
        tg.increase_termpos();
    }
}

int month_of(int day) { return day / 100; }

int load_one(void *ctx, const offering *o)
{
    loader *ld = static_cast<loader *>(ctx);
    if (ld->seen++ % ld->n_shards != ld->shard)
        return 0;
    try {
        Xapian::Document doc;
        ld->tg.set_document(doc);
        text(ld->tg, o->title, 6);
        text(ld->tg, o->local_name, 4);
        text(ld->tg, o->proposition_name, 4);
        text(ld->tg, o->subjects, 2);
        text(ld->tg, o->creators, 2);
        text(ld->tg, o->description, 1);
        text(ld->tg, o->municipality, 1);
        text(ld->tg, o->library_name, 1);
        text(ld->tg, o->branch_name, 1);
        const char *filter_value[NF] = {o->type,          o->library, o->branch,  o->proposition,
                                        o->societal_task, nullptr,    o->channel, o->language};
        for (int k = 0; k < NF; k++)
            if (filter_value[k] && *filter_value[k])
                doc.add_boolean_term(std::string(filter_prefix[k]) + filter_value[k]);
        std::string groups;
        for (size_t i = 0; i < o->groups.n; i++) {
            doc.add_boolean_term(std::string(filter_prefix[F_AUDIENCE]) + o->groups.v[i]);
            if (i)
                groups += GROUP_SEP;
            groups += o->groups.v[i];
        }
        int last_month = 0;
        for (size_t i = 0; i < o->n_days; i++) {
            doc.add_boolean_term("D" + std::to_string(o->days[i]));
            if (month_of(o->days[i]) != last_month)
                doc.add_boolean_term("M" + std::to_string(last_month = month_of(o->days[i])));
        }
        if (!o->has_dates || o->last_end >= g_clock)
            doc.add_boolean_term("Zlive");
        if (o->type)
            doc.add_value(SLOT_TYPE, o->type);
        if (o->library)
            doc.add_value(SLOT_LIBRARY, o->library);
        if (o->proposition)
            doc.add_value(SLOT_PROPOSITION, o->proposition);
        if (!groups.empty())
            doc.add_value(SLOT_AUDIENCE, groups);
        if (o->channel)
            doc.add_value(SLOT_CHANNEL, o->channel);
        if (o->has_location)
            doc.add_value(SLOT_LOCATION, Xapian::LatLongCoord(o->lat, o->lon).serialise());
        doc.set_data(std::string(o->id) + '\t' + o->title + '\t' + o->type);
        doc.add_boolean_term(std::string("Q") + o->id);
        ld->db.add_document(doc);
        ld->mine++;
    } catch (const Xapian::Error &e) {
        ld->error = e.get_description();
        return -1;
    }
    return 0;
}

struct load_job {
    const options *opt;
    std::string path;
    int shard, n_shards;
    long n = 0, rejected = 0;
    std::string error;
};

void *load_thread(void *arg)
{
    load_job *jb = static_cast<load_job *>(arg);
    try {
        loader ld{Xapian::WritableDatabase(jb->path, Xapian::DB_CREATE_OR_OVERWRITE), {}};
        ld.shard = jb->shard;
        ld.n_shards = jb->n_shards;
        ld.tg.set_stemmer(Xapian::Stem("dutch"));
        ld.tg.set_stemming_strategy(Xapian::TermGenerator::STEM_SOME);
        long n = peer_read_offerings(jb->opt->offerings, load_one, &ld, &jb->rejected);
        if (n < 0) {
            jb->error = ld.error.empty() ? "could not read the offerings" : ld.error;
            return nullptr;
        }
        ld.db.commit();
        ld.db.close();
        jb->n = ld.mine;
    } catch (const Xapian::Error &e) {
        jb->error = jb->path + ": " + e.get_description();
    }
    return nullptr;
}

double dir_bytes(const std::string &path)
{
    double total = 0;
    DIR *d = opendir(path.c_str());
    if (!d)
        return 0;
    for (struct dirent *e = readdir(d); e; e = readdir(d)) {
        struct stat sb;
        if (e->d_name[0] != '.' && stat((path + "/" + e->d_name).c_str(), &sb) == 0)
            total += (double)sb.st_size;
    }
    closedir(d);
    return total;
}

/* Writes the offerings into n_shards databases (DIR itself when 1) with one
 * thread each, and reports the rate under system (the label says the
 * threads when more than one). */
int build_index(const options *opt, FILE *jf, int n_shards)
{
    std::vector<load_job> jobs(n_shards);
    std::vector<pthread_t> tid(n_shards);
    double t0 = peer_now_s();
    for (int s = 0; s < n_shards; s++) {
        jobs[s].opt = opt;
        jobs[s].path = n_shards == 1 ? std::string(opt->target)
                                     : std::string(opt->target) + ".shard-" + std::to_string(s);
        jobs[s].shard = s;
        jobs[s].n_shards = n_shards;
        if (pthread_create(&tid[s], nullptr, load_thread, &jobs[s]) != 0) {
            fputs("pthread_create failed\n", stderr);
            return -1;
        }
    }
    long n = 0;
    double bytes = 0;
    int failed = 0;
    for (int s = 0; s < n_shards; s++) {
        pthread_join(tid[s], nullptr);
        if (!jobs[s].error.empty()) {
            fprintf(stderr, "%s: %s\n", SYSTEM, jobs[s].error.c_str());
            failed = 1;
        }
        n += jobs[s].n;
        bytes += dir_bytes(jobs[s].path);
    }
    double secs = peer_now_s() - t0;
    if (failed)
        return -1;
    if (jobs[0].rejected)
        fprintf(stderr, "%s: %ld lines skipped\n", opt->offerings, jobs[0].rejected);
    std::string system = SYSTEM;
    if (n_shards > 1)
        system += "-threads-" + std::to_string(n_shards);
    peer_report_index(system.c_str(), opt->label, n, secs, bytes, jf);
    return 0;
}

} // namespace

/* ---- searching ---- */

struct peer_conn {
    Xapian::Database db;
    Xapian::QueryParser qp;
    Xapian::doccount doccount = 0;
};

namespace {

/* Counts each audience group of a document: the slot holds them joined by
 * GROUP_SEP (a ValueCountMatchSpy would count the combinations). */
class GroupCountSpy : public Xapian::MatchSpy {
  public:
    std::map<std::string, Xapian::doccount> counts;
    void operator()(const Xapian::Document &doc, double) override
    {
        std::string v = doc.get_value(SLOT_AUDIENCE);
        size_t start = 0;
        while (start < v.size()) {
            size_t end = v.find(GROUP_SEP, start);
            if (end == std::string::npos)
                end = v.size();
            counts[v.substr(start, end - start)]++;
            start = end + 1;
        }
    }
};

Xapian::Query or_terms(const std::vector<std::string> &terms)
{
    return Xapian::Query(Xapian::Query::OP_OR, terms.begin(), terms.end());
}

/* Days YYYYMMDD from..to: whole months as month terms, the rest as days. */
Xapian::Query date_range(int from, int to)
{
    std::vector<std::string> terms;
    int y = from / 10000, m = from / 100 % 100, d = from % 100;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    for (;;) {
        int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        int len = mdays[m - 1] + (m == 2 && leap);
        int month = y * 100 + m, first = month * 100 + 1, last = month * 100 + len;
        if (first > to)
            break;
        if (d == 1 && last <= to) {
            terms.push_back("M" + std::to_string(month));
        } else {
            for (int k = d; k <= len && month * 100 + k <= to; k++)
                terms.push_back("D" + std::to_string(month * 100 + k));
        }
        d = 1;
        if (++m > 12)
            m = 1, y++;
    }
    return or_terms(terms);
}

/* q without its stop words (ASCII case folded for the comparison only). */
std::string without_stopwords(const char *q)
{
    std::string out, word;
    for (const char *p = q;; p++) {
        if (*p && !isspace((unsigned char)*p)) {
            word += *p;
            continue;
        }
        if (!word.empty()) {
            std::string lower = word;
            for (char &c : lower)
                c = (char)tolower((unsigned char)c);
            if (!g_stop.count(lower)) {
                if (!out.empty())
                    out += ' ';
                out += word;
            }
            word.clear();
        }
        if (!*p)
            break;
    }
    return out;
}

int search(peer_conn *c, const query *q, result *r)
{
    std::string words = without_stopwords(q->q);
    Xapian::Query query = words.empty() ? Xapian::Query::MatchAll
                                        : c->qp.parse_query(words, Xapian::QueryParser::FLAG_DEFAULT);
    bool browse = words.empty() || query.empty();
    if (query.empty())
        query = Xapian::Query::MatchAll;
    std::vector<Xapian::Query> filters;
    if (!q->include_past)
        filters.emplace_back("Zlive");
    for (int k = 0; k < NF; k++) {
        if (!q->f[k].n)
            continue;
        std::vector<std::string> terms;
        for (size_t i = 0; i < q->f[k].n; i++)
            terms.push_back(std::string(filter_prefix[k]) + q->f[k].v[i]);
        filters.push_back(or_terms(terms));
    }
    if (q->from)
        filters.push_back(date_range(q->from, q->to));
    /* Owned by the query through release(). */
    if (q->radius_km > 0) {
        Xapian::LatLongCoord centre(q->lat, q->lon);
        auto *near = new Xapian::LatLongDistancePostingSource(SLOT_LOCATION, centre, Xapian::GreatCircleMetric(),
                                                               q->radius_km * 1000.0);
        filters.push_back(Xapian::Query(Xapian::Query::OP_OR, Xapian::Query("XConline"),
                                        Xapian::Query(near->release())));
    }
    if (!filters.empty())
        query = Xapian::Query(Xapian::Query::OP_FILTER, query,
                              Xapian::Query(Xapian::Query::OP_AND, filters.begin(), filters.end()));
    Xapian::Enquire enq(c->db);
    enq.set_query(query);
    if (browse) {
        enq.set_weighting_scheme(Xapian::BoolWeight());
        enq.set_docid_order(Xapian::Enquire::ASCENDING);
    }
    std::vector<std::unique_ptr<Xapian::ValueCountMatchSpy>> spies;
    GroupCountSpy groups;
    for (int k = 0; k < NFA; k++) {
        if (!(q->facets & (1u << k)) || k == FA_AUDIENCE)
            continue;
        spies.emplace_back(new Xapian::ValueCountMatchSpy(facet_slot[k]));
        enq.add_matchspy(spies.back().get());
    }
    if (q->facets & (1u << FA_AUDIENCE))
        enq.add_matchspy(&groups);
    Xapian::MSet mset = enq.get_mset(0, TOP_N, q->facets ? c->doccount : 0);
    r->total = (long)mset.get_matches_estimated();
    for (Xapian::MSetIterator it = mset.begin(); it != mset.end(); ++it) {
        std::string data = it.get_document().get_data();
        size_t t1 = data.find('\t'), t2 = data.find('\t', t1 + 1);
        peer_result_add_hit(r, data.substr(0, t1).c_str(), data.substr(t1 + 1, t2 - t1 - 1).c_str(),
                            data.substr(t2 + 1).c_str(), it.get_weight());
    }
    size_t si = 0;
    for (int k = 0; k < NFA; k++) {
        if (!(q->facets & (1u << k)))
            continue;
        if (k == FA_AUDIENCE) {
            for (const auto &g : groups.counts)
                peer_result_add_facet(r, k, g.first.c_str(), (long)g.second);
            continue;
        }
        Xapian::ValueCountMatchSpy &s = *spies[si++];
        for (Xapian::TermIterator v = s.values_begin(); v != s.values_end(); ++v)
            peer_result_add_facet(r, k, (*v).c_str(), (long)v.get_termfreq());
    }
    peer_result_sort_facets(r);
    return 0;
}

peer_conn *conn_open(const char *path)
{
    try {
        peer_conn *c = new peer_conn;
        c->db = Xapian::Database(path);
        c->doccount = c->db.get_doccount();
        c->qp.set_database(c->db);
        c->qp.set_stemmer(Xapian::Stem("dutch"));
        c->qp.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
        c->qp.set_default_op(Xapian::Query::OP_AND);
        return c;
    } catch (const Xapian::Error &e) {
        fprintf(stderr, "%s: %s\n", path, e.get_description().c_str());
        return nullptr;
    }
}

void load_stopwords(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "%s: cannot read (stop words are not dropped)\n", path);
        return;
    }
    char *line = nullptr;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] && line[0] != '#') {
            std::string w = line;
            for (char &ch : w)
                ch = (char)tolower((unsigned char)ch);
            g_stop.insert(w);
        }
    }
    free(line);
    fclose(f);
}

} // namespace

extern "C" int peer_search(peer_conn *c, const query *q, result *r, char **err)
{
    try {
        return search(c, q, r);
    } catch (const Xapian::Error &e) {
        *err = peer_xstrdup(e.get_description().c_str());
    } catch (const std::exception &e) {
        *err = peer_xstrdup(e.what());
    }
    return -1;
}

int main(int argc, char **argv)
{
    options opt;
    int st = peer_parse_options(argc, argv, "--db", &opt);
    if (st) {
        fprintf(st == 1 ? stdout : stderr,
                "usage: vindplaats-peer-xapian --offerings FILE --queries FILE --db DIR\n"
                "       [--threads N] [--index-threads N] [--json FILE] [--label TEXT]\n"
                "       [--now DATE-TIME] [--vocabulary FILE] [--postcodes FILE]\n"
                "       [--stopwords FILE] [--show] [--skip-index]\n");
        return st == 1 ? 0 : 2;
    }
    peer_mix mix;
    st = peer_mix_open(&opt, &mix);
    if (st)
        return st;
    g_clock = mix.clock;
    if (!opt.skip_index) {
        if (build_index(&opt, mix.json, 1))
            return 1;
        if (opt.index_threads > 1 && build_index(&opt, mix.json, opt.index_threads))
            return 1;
    }
    load_stopwords(opt.stopwords);
    std::vector<peer_conn *> conns(opt.threads);
    for (int t = 0; t < opt.threads; t++)
        if (!(conns[t] = conn_open(opt.target)))
            return 1;
    int status = opt.show ? peer_show(conns[0], &mix) : peer_measure(conns.data(), opt.threads, SYSTEM, opt.label, &mix);
    for (peer_conn *c : conns)
        delete c;
    peer_mix_close(&mix);
    return status;
}
