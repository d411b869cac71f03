# Vindplaats: the two commands of the README, and a few more.
#   make run    install what is missing, build, index the sample, serve :8080
#   make test   install what is missing, build, run every test (ctest)
#   make test SANITIZE=1   the same under AddressSanitizer + UBSan (build-asan/)

JOBS     ?= $(shell nproc 2>/dev/null || echo 2)
PORT     ?= 8080
PLATFORM_PORT ?= 8079
SANITIZE ?= 0

ifeq ($(SANITIZE),1)
BUILD      ?= build-asan
CMAKE_ARGS += -DVP_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
else
BUILD      ?= build
CMAKE_ARGS += -DCMAKE_BUILD_TYPE=RelWithDebInfo
endif

SAMPLE_INDEX = $(BUILD)/sample-index

FUZZ_SECONDS ?= 600

.PHONY: all deps configure build run sample-index test relevance bench bench-full bench-shards bench-index fuzz bench-harvest bench-soak bench-serving bench-suggest bench-store golden clean

all: build

deps:
	@scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD) $(CMAKE_ARGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j$(JOBS)

# The sample index is rebuilt every time, next to the old one and then
# swapped in, so a failed build never leaves a half index: the committed
# JSONL, then the sample platforms through the real harvester (served on
# 127.0.0.1:$(PLATFORM_PORT) while it runs; data/sample/sources.ini).
sample-index: build
	@rm -rf $(SAMPLE_INDEX).new
	@$(BUILD)/vindplaats-indexer load data/sample/offerings.jsonl --index $(SAMPLE_INDEX).new
	@scripts/harvest-sample.sh $(BUILD) $(SAMPLE_INDEX).new $(PLATFORM_PORT)
	@rm -rf $(SAMPLE_INDEX) && mv $(SAMPLE_INDEX).new $(SAMPLE_INDEX)

# The demo's staff key (for /insights and campaign links): made once at
# random into $(ADMIN_KEY), kept for the next runs, printed at start.
# The clock is pinned to the first day of the sample (NOW=, empty: the
# real clock), so that "today" and upcoming dates match the sample's.
ADMIN_KEY ?= $(BUILD)/admin-key
NOW       ?= 2026-12-01T08:00:00+01:00

run: sample-index
	@if [ ! -s $(ADMIN_KEY) ]; then \
	  (umask 077 && od -An -tx1 -N24 /dev/urandom | tr -d ' \n' > $(ADMIN_KEY) && echo >> $(ADMIN_KEY)); fi
	@echo "Vindplaats: open http://localhost:$(PORT)/ (Ctrl-C stops)"
	@echo "Staff pages (/insights) and campaign links take the admin key $$(cat $(ADMIN_KEY))"
	@echo "  (kept in $(ADMIN_KEY); in the browser: any name, the key as password)"
	@if [ -n "$(NOW)" ]; then echo "The clock is pinned to $(NOW), where the sample's agenda begins"; \
	  echo "  (make run NOW= runs on the real clock)"; fi
	@exec $(BUILD)/vindplaats-server --index $(SAMPLE_INDEX) --port $(PORT) \
	  --admin-keys $(ADMIN_KEY) $(if $(NOW),--now $(NOW))

test: build
	@cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

# Search quality on the judged query set, per query and per feature.
relevance: build
	@$(BUILD)/relevance --offerings data/sample/offerings.jsonl \
	  --judgments tests/relevance/judgments.tsv --vocabulary data/vocabulary/propositions.tsv \
	  --words /usr/share/dict/dutch --synonyms data/lexicon/synonyms.tsv \
	  --stopwords data/lexicon/stopwords-nl.txt --types data/lexicon/types.tsv \
	  --holidays data/lexicon/schoolvakanties.tsv --network data/sample/network.json \
	  --postcodes data/reference/nl_pc4_geonames.json \
	  --baseline tests/relevance/baseline.txt --verbose --compare

# Benchmarks against SQLite FTS5 and PostgreSQL (docs/performance.md).
bench:
	@bench/run.sh 100000

# The signal store alone: writes and reads a second (bench/store.c).
bench-store: build
	@$(BUILD)/vindplaats-bench-store --out bench/results/$$(date +%F)-store-run.json

bench-full:
	@bench/run.sh 1000000

# The query mix on one index, 3 local and 3 remote shards (docs/performance.md).
bench-shards:
	@bench/shards.sh 100000

# OAI-PMH harvest throughput over loopback, 100,000 records (docs/performance.md).
bench-harvest:
	@bench/harvest.sh 100000

# Indexing alone: one index and 2 shards against plain Xapian's 1 and 2 writers.
bench-index:
	@bench/index.sh 100000

# The serving targets at 1,000,000 offerings: suggestions in process, the
# Zipfian mix from the answer cache, the mix at 32 connections, memory
# (docs/performance.md). INDEX= serves an index built before.
bench-serving:
	@bench/serving.sh 1000000 $(INDEX)

# Suggestions alone on an index built before (INDEX=DIR, LABEL= its size):
# in process from the completion table and from the terms, then over HTTP
# with the server's memory (docs/performance.md).
bench-suggest: build
	@test -n "$(INDEX)" || { echo "make bench-suggest INDEX=DIR [LABEL=1M]" >&2; exit 2; }
	@bench/suggest.sh $(INDEX) $(or $(LABEL),1M)

# 60 s of mixed routes at 64 connections on 1,000,000 offerings: errors and
# memory over time (docs/performance.md).
bench-soak:
	@bench/soak.sh 1000000 60

# Rewrites the connectors' golden files (tests/golden/) from the current
# code; review the change with git diff tests/golden before committing it.
golden: build
	@cd $(BUILD) && VP_UPDATE_GOLDEN=1 ctest -R '^golden_' --output-on-failure
	@git status --short tests/golden

# Every parser under libFuzzer for FUZZ_SECONDS each (CI: 30).
fuzz: deps
	@scripts/fuzz.sh $(FUZZ_SECONDS)

clean:
	rm -rf build build-asan build-fuzz
