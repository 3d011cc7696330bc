# cleanroom: the two commands are `make demo` and `make test`; both install what is missing.
BUILD_DIR ?= build
ASAN_DIR ?= build-asan
FUZZ_DIR ?= build-fuzz
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
CTEST_FLAGS ?=

.PHONY: all deps configure build lint lint-changed test test-soak test-unit test-sql test-e2e demo bench asan test-asan fuzz fuzz-governance format clean

all: build

deps:
	@./scripts/install-deps.sh

# Configuring writes $(BUILD_DIR)/compile_commands.json, all `make lint` needs.
configure: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_EXPORT_COMPILE_COMMANDS=ON $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# clang-format check and clang-tidy (.clang-tidy) over the whole tree: scripts/lint.sh.
lint: configure
	@JOBS=$(JOBS) ./scripts/lint.sh $(BUILD_DIR)

# What CI runs: the format check, and clang-tidy over what changed since main (docs/lint.md).
lint-changed: configure
	@JOBS=$(JOBS) ./scripts/lint.sh --changed $(BUILD_DIR)

# Every test: unit, sql (sqllogictest suites), e2e (real servers on loopback) and slow; not
# soak (tests of an hour or more on 2 cores: `make test-soak`).
test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 1200 -LE soak $(CTEST_FLAGS)

test-soak: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) -L soak

test-unit: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) -L unit

test-sql: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) -L sql

test-e2e: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) -L e2e

demo: build
	@./$(BUILD_DIR)/src/cli/cleanroom demo

bench: build
	@./bench/run.sh $(BUILD_DIR)

# Developers: an AddressSanitizer + UndefinedBehaviorSanitizer build and its tests.
asan: deps
	@cmake -S . -B $(ASAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCLEANROOM_SANITIZE=ON -DCLEANROOM_BENCH=OFF >/dev/null
	@cmake --build $(ASAN_DIR) -j $(JOBS)

test-asan: asan
	@cd $(ASAN_DIR) && ctest --output-on-failure -j $(JOBS) -LE slow

# libFuzzer targets (clang, ASan + UBSan), and only what they link: see README, "Fuzzing".
fuzz: deps
	@CC=clang CXX=clang++ cmake -S . -B $(FUZZ_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCLEANROOM_FUZZ=ON -DCLEANROOM_BENCH=OFF >/dev/null
	@cmake --build $(FUZZ_DIR) -j $(JOBS) --target fuzz_targets

# Each governance route fuzzer for FUZZ_SECONDS (default 10 s: a smoke run that replays the seeds
# and regressions; 600 for the campaigns recorded in docs/governance.md).
FUZZ_SECONDS ?= 10
fuzz-governance: fuzz
	@./fuzz/governance/run.sh $(FUZZ_DIR) $(FUZZ_SECONDS)

format:
	@git ls-files -- '*.cc' '*.h' '*.cpp' '*.hpp' '*.c' ':!:third_party/**' | xargs clang-format -i

clean:
	@rm -rf $(BUILD_DIR) $(ASAN_DIR) $(FUZZ_DIR)
