# The README's commands. CMake does the building; this file only wraps it.
BUILD ?= build
JOBS ?= $(shell nproc)
DATA ?= ./sluice-data

.PHONY: all deps configure build demo test test-fast bench clean

all: build

deps:
	bash scripts/install-deps

$(BUILD)/build.ninja:
	@command -v cmake >/dev/null && command -v ninja >/dev/null || bash scripts/install-deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release

configure: $(BUILD)/build.ninja

build: configure
	cmake --build $(BUILD) -j $(JOBS)

demo: deps build
	$(BUILD)/src/sluice demo --data $(DATA)

test: deps build
	@if [ -f tests/integration/setup-node.sh ]; then bash tests/integration/setup-node.sh; fi
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

bench: deps build
	$(BUILD)/bench/seed_bench
	$(BUILD)/bench/ledger_bench
	$(BUILD)/bench/api_bench
	bash bench/http_bench.sh

clean:
	rm -rf $(BUILD)
