# The README's commands. CMake does the building; this file only wraps it.
BUILD ?= build
JOBS ?= $(shell nproc)
DATA ?= ./sluice-data
# Sanitizer builds (clang): ASan + UBSan, also instrumented for libFuzzer (the fuzz targets
# link its libraries), and TSan. Each has its own build directory.
ASAN_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan
FUZZ_SECONDS ?= 30
SAN_CMAKE = -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=clang++ -DSLUICE_BUILD_BENCH=OFF
# Every finding stops the test that made it (and fails it). ASAN_OPTIONS/UBSAN_OPTIONS/
# TSAN_OPTIONS set in the environment replace these.
ASAN_OPTIONS ?= detect_leaks=1:check_initialization_order=1:strict_init_order=1
UBSAN_OPTIONS ?= halt_on_error=1:print_stacktrace=1
TSAN_OPTIONS ?= halt_on_error=1:second_deadlock_stack=1:suppressions=$(CURDIR)/tests/sanitizers/tsan.supp
export ASAN_OPTIONS UBSAN_OPTIONS TSAN_OPTIONS
# The whole suite must give the OpenAPI check (tests/integration/node/openapi.test.mjs)
# responses to validate; a selection run by hand (ctest -R ...) may not.
SLUICE_OPENAPI_REQUIRE = 1
export SLUICE_OPENAPI_REQUIRE
# What the TSan run covers: the rate limiter and usage meter (access_test), the ledger, the
# HTTP layer, the Redis client and counters (their I/O threads), the request path (api_test:
# stages that wait, resumed from other threads) and every
# integration test (the real server, concurrent clients, kill -9); postgres_fixture, whose
# setup and cleanup tests (the run's PostgreSQL: tests/support/CMakeLists.txt) ctest runs anyway.
TSAN_TARGETS = sluice access_test redis_client_test redis_counters_test redis_leases_test ledger_test http_test api_test integration_test postgres_fixture rate_windows_test oauth_tokens_test
# clang 14's TSan cannot map its shadow memory under more than 28 bits of mmap randomness
# (newer kernels' default): run its tests without address randomization there.
TSAN_RUN = $(shell [ "$$(cat /proc/sys/vm/mmap_rnd_bits 2>/dev/null || echo 28)" -gt 28 ] && echo "setarch $$(uname -m) -R")

.PHONY: all deps deps-sanitizers configure build web demo test test-fast test-asan test-tsan fuzz bench clean package

all: build

deps:
	bash scripts/install-deps

deps-sanitizers:
	bash scripts/install-deps --sanitizers

$(BUILD)/build.ninja:
	@command -v cmake >/dev/null && command -v ninja >/dev/null || bash scripts/install-deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release

configure: $(BUILD)/build.ninja

# The portal (web/ → web/dist, served at /portal/; docs/portal.md): npm ci and Vite's build when
# npm is here. web/dist is committed, so a machine without npm serves the last build.
web:
	@if command -v npm >/dev/null; then cd web && npm ci --no-audit --no-fund && npm run build; \
	else echo "make web: npm not found; serving the committed web/dist"; fi

build: configure
	cmake --build $(BUILD) -j $(JOBS)

demo: deps build
	$(BUILD)/src/sluice demo --data $(DATA)

test: deps build
	@if [ -f tests/integration/setup-node.sh ]; then bash tests/integration/setup-node.sh; fi
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The Debian package, $(BUILD)/sluice_<version>_<arch>.deb (packaging/CMakeLists.txt): CMake runs
# again so that web/dist, when the tree has it, is in; only what the package holds is built.
package: configure
	cmake -S . -B $(BUILD)
	cmake --build $(BUILD) -j $(JOBS) --target sluice sluice_manpage sluice_package_changelog
	cd $(BUILD) && cpack -G DEB

$(ASAN_BUILD)/build.ninja:
	cmake -S . -B $(ASAN_BUILD) $(SAN_CMAKE) -DSLUICE_SANITIZE=address -DSLUICE_FUZZ=ON

$(TSAN_BUILD)/build.ninja:
	cmake -S . -B $(TSAN_BUILD) $(SAN_CMAKE) -DSLUICE_SANITIZE=thread

# Every unit and integration test under ASan + UBSan (the fuzz targets are built too). A report
# from any process, the servers the integration tests start included, fails the run.
test-asan: deps-sanitizers $(ASAN_BUILD)/build.ninja
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	@if [ -f tests/integration/setup-node.sh ]; then bash tests/integration/setup-node.sh; fi
	bash tests/sanitizers/run-ctest.sh $(ASAN_BUILD) --output-on-failure -j $(JOBS)

# The tests of TSAN_TARGETS under TSan (the other test binaries are not built: ctest lists
# them as *_NOT_BUILT, left out).
test-tsan: deps-sanitizers $(TSAN_BUILD)/build.ninja
	cmake --build $(TSAN_BUILD) -j $(JOBS) --target $(TSAN_TARGETS)
	@if [ -f tests/integration/setup-node.sh ]; then bash tests/integration/setup-node.sh; fi
	$(TSAN_RUN) bash tests/sanitizers/run-ctest.sh $(TSAN_BUILD) --output-on-failure -j $(JOBS) -E '_NOT_BUILT$$'

# Every fuzz target in tests/fuzz/CMakeLists.txt, FUZZ_SECONDS each from its seed corpus.
fuzz: deps-sanitizers $(ASAN_BUILD)/build.ninja
	cmake --build $(ASAN_BUILD) -j $(JOBS) --target sluice_fuzz_targets
	bash tests/fuzz/run-fuzz.sh $(ASAN_BUILD) $(FUZZ_SECONDS)

bench: deps build
	$(BUILD)/bench/seed_bench
	$(BUILD)/bench/ledger_bench
	$(BUILD)/bench/api_bench
	$(BUILD)/bench/rule_index_bench
	bash bench/http_bench.sh
	bash bench/cluster_bench.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD)
